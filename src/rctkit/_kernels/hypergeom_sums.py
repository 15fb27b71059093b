r"""One-sided sums of Fisher's noncentral hypergeometric weights for large tables.

The conditional methods (:mod:`rctkit._kernels.conditional`) need, at a log odds ratio
:math:`t`, sums :math:`\sum_{i \ge 0} i^q F(i)` of :math:`F(i) = w_{a \pm i} e^{\pm i t} /
w_a` over one side of the observed :math:`a`. Summed term by term they cost about
:math:`28\,\sigma` terms, :math:`\sigma \approx (1/a + 1/b + 1/c + 1/d)^{-1/2}` being the
standard deviation of :math:`X`: 3e5 terms at a million per arm. When every cell is large,
:math:`F` is smooth on the scale of :math:`\sigma`, and the Euler-Maclaurin formula relates
the sum over the integers to the trapezoidal sum on a grid of step :math:`h = \sigma / 12`:

.. math::

    \sum_{i \ge 0} G(i) = h \sum_{k \ge 0} G(kh) - \frac{h - 1}{2} G(0)
        + \sum_{j=1}^{J} \frac{B_{2j}\,(h^{2j} - 1)}{(2j)!}\, G^{(2j-1)}(0) + R_J,

with :math:`G(i) = i^q F(i)` and :math:`J = 7`. The derivatives at the endpoint follow from
those of :math:`\log F`, which are polygamma functions of the four cells (all but the first
free of :math:`t`, so each correction is a polynomial in :math:`\kappa_1 = (\log
F)'(0)` whose coefficients are formed once per table). :math:`\log F` on the grid is a sum
of log-gamma differences written without cancellation (the Stirling series, with
:math:`(1+u)\log(1+u) - u` by its power series), since ``gammaln`` itself carries an
absolute error of about 1e-16 times its value (4e-6 at 1e9 participants).

:math:`R_J` is not bounded a priori here: the caller keeps a sum only when the last
correction term is below 1e-17 of the sum and the grid's far end is negligible (the terms
are log-concave), and otherwise sums term by term. The grid has about 200 points
whatever the size of the table.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from rctkit import _special as special
from rctkit._kernels.common import BoolArray, FloatArray

#: Grid points per standard deviation, and the number of Euler-Maclaurin corrections.
POINTS_PER_SD = 12.0
TERMS = 7
#: Bernoulli numbers B_2, B_4, ..., B_14.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6)
_ORDER = 2 * TERMS - 1
#: A grid sum is kept when its last correction is below this fraction of the sum.
LAST_TERM_RTOL = 1e-17


def column_sums(x: FloatArray) -> FloatArray:
    """Sum down each column of ``x`` in order, row after row.

    numpy reduces the first axis of a C-ordered array of two or more columns row by row
    (sequentially for each column), but sums a single column pairwise; a lone column is
    therefore paired with a zero column, so that a table's sum never depends on how many
    other tables share its array (and ``-inf`` padding adds exact zeros).
    """
    if x.shape[1] == 1:
        return np.asarray(np.add.reduce(np.concatenate([x, np.zeros_like(x)], axis=1), axis=0)[:1])
    return np.asarray(np.add.reduce(x, axis=0))


def _q(u: FloatArray) -> FloatArray:
    """``(1 + u) log(1 + u) - u`` for ``|u| <= 0.05``, by its power series (Horner)."""
    out = np.full_like(u, 1.0 / (24 * 23))
    for k in range(23, 1, -1):
        out = out * u + (-1.0) ** k / (k * (k - 1))
    return np.asarray(out * u * u, dtype=np.float64)


def _stirling(y: FloatArray) -> FloatArray:
    """``lgamma(y) - (y - 1/2) log y + y - log(2 pi) / 2`` for large ``y``."""
    r = 1.0 / y
    r2 = r * r
    return np.asarray(r * (1 / 12 - r2 * (1 / 360 - r2 * (1 / 1260 - r2 / 1680))))


def _lgamma_ratio_rest(x: FloatArray, s: FloatArray) -> FloatArray:
    """``lgamma(x + 1 + s) - lgamma(x + 1) - s log(x + 1)``, for ``|s| <= 0.05 (x + 1)``."""
    y = x + 1.0
    u = s / y
    return np.asarray(y * _q(u) - 0.5 * np.log1p(u) + _stirling(y + s) - _stirling(y))


def log_weight_ratio(
    a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray, delta: FloatArray
) -> FloatArray:
    """``log(w[a + delta] / w[a])`` for ``w[x] = C(n1, x) C(n2, m1 - x)``, real ``delta``.

    The four ``s log(x + 1)`` parts are gathered into one logarithm of a ratio.
    """
    ell = np.log(((b + 1.0) * (c + 1.0)) / ((a + 1.0) * (d + 1.0)))
    rest = (
        _lgamma_ratio_rest(a, delta)
        + _lgamma_ratio_rest(b, -delta)
        + _lgamma_ratio_rest(c, -delta)
        + _lgamma_ratio_rest(d, delta)
    )
    return np.asarray(delta * ell - rest, dtype=np.float64)


def _digamma_minus_log(y: FloatArray) -> FloatArray:
    r = 1.0 / y
    r2 = r * r
    return np.asarray(-0.5 * r - r2 * (1 / 12 - r2 * (1 / 120 - r2 / 252)))


def log_weight_derivatives(
    a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray
) -> list[FloatArray]:
    """``[L'(0), L''(0), ...]`` up to order 13, ``L(delta) = log(w[a + delta] / w[a])``."""
    ya, yb, yc, yd = a + 1.0, b + 1.0, c + 1.0, d + 1.0
    first = np.log((yb * yc) / (ya * yd)) - (
        _digamma_minus_log(ya)
        - _digamma_minus_log(yb)
        - _digamma_minus_log(yc)
        + _digamma_minus_log(yd)
    )
    out = [np.asarray(first)]
    zeta = special.zeta
    for j in range(2, _ORDER + 1):
        # polygamma(j - 1, y) = (-1)^j (j - 1)! zeta(j, y), by the ufunc directly.
        sign = (-1.0) ** j
        za, zb, zc, zd = zeta(j, ya), zeta(j, yb), zeta(j, yc), zeta(j, yd)
        out.append(np.asarray(-sign * math.factorial(j - 1) * (za + sign * (zb + zc) + zd)))
    return out


def _poly(coefficients: FloatArray, x: FloatArray) -> FloatArray:
    """Evaluate ``sum_r coefficients[r] x^r`` per column (Horner)."""
    out = np.array(coefficients[-1])
    for r in range(coefficients.shape[0] - 2, -1, -1):
        out = out * x + coefficients[r]
    return np.asarray(out)


@attrs.frozen(eq=False)
class Side:
    """What the sums of one side (``sign`` +1 above ``a``, -1 below) need, per row."""

    sign: float
    #: ``q``: 1 for the distance-weighted sums (the conditional MLE), 0 otherwise.
    distance: BoolArray
    #: ``log F`` on the grid at ``t = 0``, shape (points, rows); ``log(k h)`` added where q = 1.
    log_grid: FloatArray
    offsets: FloatArray
    h: FloatArray
    #: ``L'(0)``; ``kappa_1 = sign * (L'(0) + t)``, the slope of ``log F`` at 0.
    slope0: FloatArray
    #: Coefficients (in kappa_1) of the corrections to the sum and to the first moment, and of
    #: the sum's last correction term.
    sum_poly: FloatArray
    moment_poly: FloatArray
    last_poly: FloatArray
    #: Weight of the point ``i = 0`` in the sum (``alpha0`` or ``beta0``) when q = 0.
    w0: FloatArray

    def take(self, rows: np.ndarray) -> Side:
        return Side(
            self.sign,
            self.distance[rows],
            self.log_grid[:, rows],
            self.offsets[:, rows],
            self.h[rows],
            self.slope0[rows],
            self.sum_poly[:, rows],
            self.moment_poly[:, rows],
            self.last_poly[:, rows],
            self.w0[rows],
        )


def build_side(
    cells: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    sd: FloatArray,
    reach: FloatArray,
    distance: BoolArray,
    w0: FloatArray,
    sign: float,
    derivatives: list[FloatArray],
) -> Side:
    """Lay out one side's grid, ``reach`` (about ``(z + 12) sd``) from ``a``, for each row.

    ``derivatives`` are :func:`log_weight_derivatives` of the rows' cells (shared by both
    sides).
    """
    a, b, c, d = cells
    h = sd / POINTS_PER_SD
    points = math.ceil(float(np.max(reach / h, initial=1.0))) + 1
    offsets = np.arange(points, dtype=np.float64)[:, None] * h
    log_grid = log_weight_ratio(a, b, c, d, sign * offsets)
    with np.errstate(divide="ignore"):
        log_grid = log_grid + np.where(distance, np.log(offsets), 0.0)
    kappa = [sign**j * derivatives[j - 1] for j in range(1, _ORDER + 1)]
    # Y_m = F^(m)(0) / F(0) as polynomials in kappa_1: Y_{m+1} = kappa_1 Y_m +
    # sum_{k=1..m} C(m, k) kappa_{k+1} Y_{m-k}.
    rows = a.size
    y = [np.zeros((_ORDER + 1, rows)) for _ in range(_ORDER + 1)]
    y[0][0] = 1.0
    for m in range(_ORDER):
        nxt = np.zeros((_ORDER + 1, rows))
        nxt[1:] = y[m][:-1]
        for k in range(1, m + 1):
            nxt += math.comb(m, k) * kappa[k] * y[m - k]
        y[m + 1] = nxt
    corrections = []
    for q in range(3):
        total = np.zeros((_ORDER + 1, rows))
        last = np.zeros((_ORDER + 1, rows))
        for j in range(1, TERMS + 1):
            order = 2 * j - 1
            if order < q:
                continue
            e = (
                _BERNOULLI[j - 1]
                * (h ** (2 * j) - 1.0)
                / math.factorial(2 * j)
                * (math.factorial(order) / math.factorial(order - q))
            )
            term = e * y[order - q]
            total += term
            if j == TERMS:
                last = term
        corrections.append((total, last))
    q1 = distance[None, :]
    return Side(
        sign=sign,
        distance=distance,
        log_grid=log_grid,
        offsets=offsets,
        h=h,
        slope0=derivatives[0],
        sum_poly=np.where(q1, corrections[1][0], corrections[0][0]),
        moment_poly=np.where(q1, corrections[2][0], corrections[1][0]),
        last_poly=np.where(q1, corrections[1][1], corrections[0][1]),
        w0=w0,
    )


@attrs.frozen(eq=False)
class Sums:
    """A side's log sum, mean offset, and whether the grid sum is trusted, per row."""

    log_sum: FloatArray
    mean: FloatArray
    ok: BoolArray


def side_sums(side: Side, t: FloatArray) -> Sums:
    """``log(w0 F(0) + sum_{i >= 1} i^q F(i))`` and the mean offset under those weights."""
    st = side.sign * t
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        terms = side.offsets * st
        terms += side.log_grid
        peak = terms.max(axis=0)
        shift = np.where(np.isfinite(peak), peak, 0.0)
        edge_slope = (terms[-1] - terms[-2]) / side.h
        edge = terms[-1] - shift
        terms -= shift
        np.exp(terms, out=terms)
        grid_sum = column_sums(terms) * side.h
        terms *= side.offsets
        grid_moment = column_sums(terms) * side.h
        kappa1 = side.sign * side.slope0 + st
        scale = np.exp(-shift)
        point0 = np.where(side.distance, 0.0, 1.0)
        total = grid_sum + scale * (_poly(side.sum_poly, kappa1) - 0.5 * (side.h - 1.0) * point0)
        moment = grid_moment + scale * _poly(side.moment_poly, kappa1)
        total = total - scale * point0 * (1.0 - side.w0)
        last = scale * np.abs(_poly(side.last_poly, kappa1))
        log_total = np.log(total) + shift
        # Past the grid's end the log-concave terms fall at least as fast as over its last
        # step: the rest is at most F(end) (1 + 1 / |slope|).
        far = edge + np.log1p(-1.0 / edge_slope) - np.log(total)
        ok = (
            np.isfinite(log_total)
            & (total > 0)
            & (last <= LAST_TERM_RTOL * total)
            & (edge_slope < 0)
            & (far <= -40.0)
        )
    return Sums(np.asarray(log_total), np.asarray(moment / total), np.asarray(ok))

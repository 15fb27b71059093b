r"""Unconditional exact tests of two binomial proportions: Barnard's and Boschloo's.

Under the null hypothesis both arms share one event risk :math:`\pi`, the nuisance parameter,
and a table :math:`(x_1, x_2)` (events among :math:`n_1` treated and :math:`n_2` controls) has
probability :math:`\binom{n_1}{x_1}\binom{n_2}{x_2}\pi^{s}(1-\pi)^{N-s}` with
:math:`s = x_1 + x_2` and :math:`N = n_1 + n_2`. A test orders the :math:`(n_1+1)(n_2+1)`
tables by a statistic; the rejection region :math:`R` holds the tables at least as extreme as
the observed one, and the p-value is

.. math::

    p = \sup_{0 \le \pi \le 1} P_\pi(R)
      = \sup_{0 \le \pi \le 1} \sum_{s=0}^{N} h_s \binom{N}{s} \pi^s (1-\pi)^{N-s},
    \qquad h_s = P(R \mid S = s) = \sum_{(x_1, s - x_1) \in R}
        \frac{\binom{n_1}{x_1}\binom{n_2}{s - x_1}}{\binom{N}{s}},

because the number of events :math:`S` is binomial :math:`(N, \pi)` and, given :math:`S = s`,
:math:`x_1` is hypergeometric whatever :math:`\pi`. So :math:`P_\pi(R)` is a polynomial of
degree :math:`N` in Bernstein form with coefficients :math:`h_s \in [0, 1]`: the
:math:`(n_1+1)(n_2+1)` outcome pairs collapse to :math:`N + 1` numbers before the nuisance
parameter is searched.

Layout. The sample space is laid out by diagonals, rows :math:`s` and columns :math:`x_1`
(tables of a batch along a first axis, padded), with the hypergeometric probabilities formed
from log factorials, so no binomial product overflows or underflows before it is
exponentiated. Rows are processed in blocks of bounded size, so the memory of a call stays
bounded however large the table. Sums run sequentially (``cumsum``) along the padded axes:
padding adds exact zeros and a table's p-value does not depend on the other tables of its
batch, so the batch and scalar APIs agree bit for bit.

The supremum. In :math:`\theta = \arcsin\sqrt{\pi}` (the variance-stabilising scale) every
Bernstein basis function is a bump of the same width, :math:`1/(2\sqrt{N})`: the Fisher
information of :math:`\theta` is :math:`4N` for every :math:`\pi`. At any stationary point
of :math:`\log P_\pi(R)` the weights :math:`w_s \propto h_s b_s(\pi)` have mean
:math:`E_w[s] = N\pi`, so

.. math::

    \frac{d^2}{d\theta^2} \log P(R) = E_w\Big[\frac{d^2 \log b_s}{d\theta^2}\Big]
        + \operatorname{Var}_w\Big[\frac{d \log b_s}{d\theta}\Big]
        \ge -\frac{2 E_w[s]}{\pi} - \frac{2(N - E_w[s])}{1 - \pi} = -4N:

no peak of the p-value function is sharper than one binomial bump (whose curvature is
exactly :math:`-4N` at its top). :math:`\log P_\pi(R)` is therefore evaluated on a uniform
grid of :math:`G = \max(64, \lceil 16\sqrt{N}\,\rceil)` intervals in :math:`\theta`
(five points per bump standard deviation), both ends :math:`\pi = 0, 1` included; to second
order the grid point nearest any peak is within a factor
:math:`\exp(-N\delta^2/2) = \exp(-\pi^2/(8 \cdot 16^2)) \ge 0.995` of it (:math:`\delta` the grid
step). Every grid point that is a local maximum of the grid values and within a factor
:math:`e^{-0.1}` of the best (at most eight per table; none if the grid already reaches 1 to
1e-12) is then refined by safeguarded Newton
iterations on :math:`d \log P / d\theta` inside its two neighbouring cells, until the step is
below 1e-13. The p-value is the largest value found, so it is never above the true supremum.
The tests compare it with an independent exact reference (exact rational regions, supremum
certified by Bernstein branch and bound) at 1e-9 and find agreement to about 1e-13; on 7,200
random tables, grids of 6 and 64 points per :math:`\sqrt{N}` agree with this one to 1e-13,
while 4 points per :math:`\sqrt{N}` start to miss peaks.

scipy's ``barnard_exact`` and ``boschloo_exact`` (1.17) instead run ``shgo`` from 32 Sobol
points in :math:`\pi` and often stop at a local maximum: the p-value function of Barnard's
test commonly has its global maximum in a narrow spike near :math:`\pi = 0` or 1 (from the
diagonals with few events or few non-events), which 32 points miss. For 9/81 against 26/147
(``"less"``) scipy reports 0.101 where the supremum is 0.164.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy import special

from rctkit._kernels import solvers
from rctkit._kernels.common import BoolArray, FloatArray, IntArray
from rctkit.errors import CostLimitError

#: Grid points in theta per sqrt(N), and the least number of grid intervals.
GRID_PER_SQRT_N = 16
MIN_GRID = 64
#: Grid maxima within this much (log scale) of the best are refined, at most MAX_CANDIDATES
#: of them per table; none when the best grid value is already within ONE_TOLERANCE of 1.
CANDIDATE_MARGIN = 0.1
MAX_CANDIDATES = 8
ONE_TOLERANCE = 1e-12
#: Safeguarded Newton: at most this many steps, stopping once every step is below XTOL.
NEWTON_STEPS = 40
NEWTON_XTOL = 1e-13
BRACKET_XTOL = 1e-9
#: Boschloo's ordering: Fisher p-values (or their complements) within ``TIE_EPS_FACTOR * eps *
#: max(1, log N!)`` relative of the observed one, the rounding error of the log-factorial
#: arithmetic, are "maybe tied" and decided in exact integer arithmetic.
TIE_EPS_FACTOR = 64.0
#: A block of the sample space or of the nuisance grid holds at most this many cells.
BLOCK_CELLS = 1 << 19

_HALF_PI = 0.5 * math.pi

#: The rejection region of a block of rows: ``(x1, s, lower tail, upper tail) -> mask``.
_Region = Callable[[IntArray, IntArray, FloatArray, FloatArray], BoolArray]


def _log_factorials(n_max: int) -> FloatArray:
    return np.asarray(special.gammaln(np.arange(n_max + 1, dtype=np.float64) + 1.0))


def _diagonal_pmf(
    lf: FloatArray, n1: IntArray, n2: IntArray, s: IntArray, width: int
) -> tuple[IntArray, IntArray, FloatArray, BoolArray]:
    """Hypergeometric probabilities of ``x1 = 0..width-1`` given ``S = s``, for each table.

    ``n1``, ``n2`` have shape ``(T,)``, ``s`` shape ``(T, R)``. Returns ``x1`` shaped
    ``(1, 1, width)``, ``s`` shaped ``(T, R, 1)``, and the probabilities (0 outside the
    support) and the support mask shaped ``(T, R, width)``.
    """
    x1 = np.arange(width, dtype=np.int64)[None, None, :]
    s3 = s[:, :, None]
    m1, m2 = n1[:, None, None], n2[:, None, None]
    n = m1 + m2
    x2 = s3 - x1
    valid = (x1 <= m1) & (x2 >= 0) & (x2 <= m2) & (s3 <= n)
    # log C(n1, x1) and log C(N, s) are small arrays; log C(n2, x2) is gathered once per cell
    # from a per-table row (indices clipped so that invalid cells stay finite).
    x1c = np.minimum(x1, m1)
    sc = np.minimum(s3, n)
    log_c1 = lf[m1] - lf[x1c] - lf[m1 - x1c]
    log_cn = lf[n] - lf[sc] - lf[n - sc]
    k = np.arange(int(n2.max()) + 1, dtype=np.int64)[None, :]
    kc = np.minimum(k, n2[:, None])
    row2 = (lf[n2][:, None] - lf[kc] - lf[n2[:, None] - kc])[:, None, :]
    x2c = np.clip(x2, 0, m2)
    log_c2 = np.take_along_axis(row2, x2c, axis=-1)
    pmf = np.exp(np.where(valid, (log_c1 - log_cn) + log_c2, -np.inf))
    return x1, s3, pmf, valid


def _tails(pmf: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Lower ``P(X1 <= x1 | s)`` and upper ``P(X1 >= x1 | s)`` tails, summed sequentially."""
    low = np.cumsum(pmf, axis=-1)
    high = np.cumsum(pmf[..., ::-1], axis=-1)[..., ::-1]
    return low, high


def _sequential_sum(x: FloatArray) -> FloatArray:
    """Sum over the last axis left to right, so that trailing zeros change nothing."""
    return np.asarray(np.cumsum(x, axis=-1)[..., -1])


def _wald_key(x1: IntArray, s: IntArray, n1: IntArray, n2: IntArray, pooled: bool) -> FloatArray:
    r"""A number ordered as the Wald statistic of ``(x1, s - x1)``, with exact ties.

    The pooled statistic is :math:`D\sqrt{N / (n_1 n_2 s (N - s))}` with
    :math:`D = x_1 n_2 - x_2 n_1`; the key is :math:`\operatorname{sign}(D) D^2 / (s(N-s))`.
    The unpooled statistic squared is :math:`D^2 n_1 n_2 / (x_1 (n_1 - x_1) n_2^3 + x_2
    (n_2 - x_2) n_1^3)`; the key drops the constant :math:`n_1 n_2`. Numerators and
    denominators are integers, held exactly in float64 up to 2**53 (tables of up to about
    1,500 per arm for the unpooled denominator, far more for the pooled one), and IEEE
    division is correctly rounded, so tables with equal statistics get identical keys. A zero
    denominator with :math:`D \ne 0` gives :math:`\pm\infty` (unpooled, no variance);
    :math:`D = 0` gives 0.
    """
    n = n1 + n2
    x2 = s - x1
    d = x1 * n2 - x2 * n1
    num = np.asarray(np.sign(d) * d * d, dtype=np.float64)
    if pooled:
        den = np.asarray(s * (n - s), dtype=np.float64)
    else:
        f1, f2 = np.asarray(n1, dtype=np.float64), np.asarray(n2, dtype=np.float64)
        den = x1 * (n1 - x1) * f2**3 + x2 * (n2 - x2) * f1**3
    with np.errstate(divide="ignore", invalid="ignore"):
        key = num / den
    return np.asarray(np.where(d == 0, 0.0, key), dtype=np.float64)


def _wald_statistic(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, pooled: bool
) -> FloatArray:
    """The observed Wald statistic, computed as scipy.stats.barnard_exact does."""
    p1, p2 = a / n1, c / n2
    if pooled:
        p = (a + c) / (n1 + n2)
        variance = p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)
    else:
        variance = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = (p1 - p2) / np.sqrt(variance)
    return np.asarray(np.where(a * n2 == c * n1, 0.0, stat), dtype=np.float64)


def _chunks(cost: IntArray) -> list[tuple[int, int]]:
    """Split tables (sorted by size) into consecutive runs of about BLOCK_CELLS cells."""
    bounds: list[tuple[int, int]] = []
    start, total = 0, len(cost)
    while start < total:
        # Tables are sorted by cost, so a run's padded size is its count times its last cost.
        counts = np.arange(1, total - start + 1)
        fits = counts * cost[start:] <= BLOCK_CELLS
        stop = start + max(1, int(np.count_nonzero(fits)))
        bounds.append((start, stop))
        start = stop
    return bounds


def _observed_tails(
    lf: FloatArray, a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Fisher's one-sided p-values ``P(X1 <= a | s)``, ``P(X1 >= a | s)`` and their
    complements ``P(X1 >= a + 1 | s)``, ``P(X1 <= a - 1 | s)``, as the rows sum them.

    The tails are summed exactly as in :func:`_conditional_region_mass` (trailing padding
    adds exact zeros), so the observed table's values there are bitwise the same.
    """
    out = [np.zeros(len(a)) for _ in range(4)]
    step = max(1, BLOCK_CELLS // (int(n1.max()) + 2))
    for start in range(0, len(a), step):
        part = slice(start, start + step)
        width = int(n1[part].max()) + 2
        s = (a[part] + c[part])[:, None]
        _, _, pmf, _ = _diagonal_pmf(lf, n1[part], n2[part], s, width)
        low, high = _tails(pmf)
        rows, x = np.arange(len(s)), a[part]
        out[0][part] = low[rows, 0, x]
        out[1][part] = high[rows, 0, x]
        out[2][part] = high[rows, 0, x + 1]
        out[3][part] = np.where(x > 0, low[rows, 0, np.maximum(x - 1, 0)], 0.0)
    return out[0], out[1], out[2], out[3]


def _conditional_region_mass(
    lf: FloatArray, n1: IntArray, n2: IntArray, region: _Region, needs_tails: bool
) -> FloatArray:
    """``h[t, s] = P(R | S = s)`` for a chunk of tables, row block by row block."""
    width = int(n1.max()) + 1
    rows_total = int((n1 + n2).max()) + 1
    h = np.zeros((len(n1), rows_total))
    block = max(1, BLOCK_CELLS // (len(n1) * width))
    for r0 in range(0, rows_total, block):
        r1 = min(rows_total, r0 + block)
        s = np.broadcast_to(np.arange(r0, r1, dtype=np.int64), (len(n1), r1 - r0))
        x1, s3, pmf, valid = _diagonal_pmf(lf, n1, n2, s, width)
        if needs_tails:
            low, high = _tails(pmf)
            mask = region(x1, s3, low, high) & valid
        else:
            mask = region(x1, s3, pmf, pmf) & valid
        h[:, r0:r1] = _sequential_sum(np.where(mask, pmf, 0.0))
    return h


def _theta_terms(
    coef: FloatArray, n: IntArray, theta: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The log terms of the Bernstein sum at ``pi = sin(theta)**2``, their shift and weights.

    ``coef`` is ``(T, S)``, ``theta`` ``(T, M)`` strictly inside ``(0, pi/2)``. Returns the
    log of the sum ``(T, M)`` and the normalised weights of the terms ``(T, M, S)``.
    """
    s = np.arange(coef.shape[1], dtype=np.float64)
    log_pi = 2.0 * np.log(np.sin(theta))[:, :, None]
    log_1mpi = 2.0 * np.log(np.cos(theta))[:, :, None]
    terms = coef[:, None, :] + s * log_pi + (n[:, None, None] - s) * log_1mpi
    top = terms.max(axis=-1)
    shift = np.where(np.isfinite(top), top, 0.0)
    weights = np.exp(terms - shift[:, :, None])
    total = _sequential_sum(weights)
    with np.errstate(divide="ignore"):
        log_sum = np.asarray(shift + np.log(total), dtype=np.float64)
    return log_sum, weights, total


def _log_bernstein(coef: FloatArray, n: IntArray, theta: FloatArray) -> FloatArray:
    """``log sum_s exp(coef[t, s]) pi^s (1 - pi)^(n_t - s)`` at ``pi = sin(theta)**2``.

    Blocked over ``theta`` so that no intermediate exceeds BLOCK_CELLS cells.
    """
    out = np.empty(theta.shape)
    block = max(1, BLOCK_CELLS // (coef.shape[0] * coef.shape[1]))
    for m0 in range(0, theta.shape[1], block):
        m1 = min(theta.shape[1], m0 + block)
        out[:, m0:m1] = _theta_terms(coef, n, theta[:, m0:m1])[0]
    return out


class _Peaks:
    """The candidates being refined: their log coefficients, sizes and best values so far.

    ``take`` gives the solver the active candidates; they share the one ``best`` array, which
    every evaluation raises to the values it sees.
    """

    def __init__(self, coef: FloatArray, n: IntArray, best: FloatArray, ids: IntArray) -> None:
        self.coef, self.n, self.best, self.ids = coef, n, best, ids

    def take(self, indices: IntArray) -> _Peaks:
        return _Peaks(self.coef[indices], self.n[indices], self.best, self.ids[indices])


def _slope(theta: FloatArray, peaks: _Peaks) -> tuple[FloatArray, FloatArray]:
    r"""The derivative of the log Bernstein sum in theta and its own derivative.

    With :math:`\ell_s(\theta) = \log b_s`, :math:`\ell_s' = 2s\cot\theta -
    2(N - s)\tan\theta` and :math:`\ell_s'' = -2s/\sin^2\theta - 2(N-s)/\cos^2\theta`,
    the log sum :math:`f` has :math:`f' = E_w[\ell']` and
    :math:`f'' = E_w[\ell'' + \ell'^2] - f'^2` under the weights of the terms. The value
    :math:`f` itself is recorded in ``peaks.best``.
    """
    coef, n = peaks.coef, peaks.n
    s = np.arange(coef.shape[1], dtype=np.float64)
    m = n[:, None].astype(np.float64) - s
    value, weights, total = _theta_terms(coef, n, theta[:, None])
    value, weights, total = value[:, 0], weights[:, 0, :], total[:, 0]
    np.maximum.at(peaks.best, peaks.ids, value)
    cot, tan = 1.0 / np.tan(theta), np.tan(theta)
    d1 = 2.0 * s * cot[:, None] - 2.0 * m * tan[:, None]
    d2 = -2.0 * s * (1.0 + cot[:, None] ** 2) - 2.0 * m * (1.0 + tan[:, None] ** 2)
    g1 = _sequential_sum(weights * d1) / total
    g2 = _sequential_sum(weights * (d2 + d1 * d1)) / total - g1 * g1
    return np.asarray(g1, dtype=np.float64), np.asarray(g2, dtype=np.float64)


def _refine(coef: FloatArray, n: IntArray, low: FloatArray, high: FloatArray) -> FloatArray:
    """Largest value of the log Bernstein sum found by safeguarded Newton in each bracket.

    The maximum is the root of the derivative (:func:`_slope`), decreasing through it, found
    by :func:`rctkit._kernels.solvers.newton` from the bracket's midpoint: a Newton step that
    is not uphill leaves the bracket and is replaced by bisection. A candidate stops once its
    step is below NEWTON_XTOL or its bracket below BRACKET_XTOL (it has then converged to one
    of the bracket's ends, whose grid value is already counted); converged candidates are
    frozen, so a result does not depend on the other candidates of the batch. The value
    returned is the largest seen along the way.
    """
    best = np.full(low.shape, -np.inf)
    peaks = _Peaks(coef, n, best, np.arange(low.size))
    theta, _ = solvers.newton(
        _slope,
        low,
        high,
        args=(peaks,),
        increasing=False,
        xrtol=0.0,
        xatol=BRACKET_XTOL,
        step_rtol=NEWTON_XTOL,
        maxiter=NEWTON_STEPS,
    )
    value = _theta_terms(coef, n, theta[:, None])[0][:, 0]
    return np.asarray(np.maximum(best, value), dtype=np.float64)


def _supremum(h: FloatArray, n: IntArray, lf: FloatArray) -> FloatArray:
    """``max_pi sum_s h[t, s] C(n_t, s) pi^s (1-pi)^(n_t - s)`` for each table ``t``."""
    count, width = h.shape
    rows = np.arange(count)
    s = np.arange(width, dtype=np.int64)
    with np.errstate(divide="ignore"):
        log_h = np.log(h)
    beyond = s[None, :] > n[:, None]
    coef = log_h + lf[n][:, None] - lf[s][None, :] - lf[np.where(beyond, 0, n[:, None] - s)]
    coef = np.where(beyond, -np.inf, coef)
    # The grid: g_t intervals of theta in [0, pi/2]; both ends are exact (pi = 0 and 1).
    grid = np.maximum(MIN_GRID, np.ceil(GRID_PER_SQRT_N * np.sqrt(n))).astype(np.int64)
    index = np.arange(int(grid.max()) + 1)
    theta = index[None, :] * (_HALF_PI / grid[:, None])
    inside = (index[None, :] >= 1) & (index[None, :] < grid[:, None])
    values = _log_bernstein(coef, n, np.where(inside, theta, 0.25 * math.pi))
    values = np.where(inside, values, -np.inf)
    values[:, 0] = log_h[:, 0]
    values[rows, grid] = log_h[rows, n]
    best = values.max(axis=1)
    # Local maxima of the grid values (strict on the left, so a plateau counts once).
    before = np.concatenate([np.full((count, 1), -np.inf), values[:, :-1]], axis=1)
    after = np.concatenate([values[:, 1:], np.full((count, 1), -np.inf)], axis=1)
    candidate = (
        (values > before)
        & (values >= after)
        & (values >= best[:, None] - CANDIDATE_MARGIN)
        & np.isfinite(values)
        # A grid value within 1e-12 of 1 is the supremum to that accuracy (P <= 1 always);
        # refining the flat top would only chase rounding noise.
        & (best[:, None] < -ONE_TOLERANCE)
    )
    which, at = np.nonzero(candidate)
    # Keep the MAX_CANDIDATES best per table (flat stretches can have many, all equal).
    order = np.lexsort((-values[which, at], which))
    which, at = which[order], at[order]
    first = np.searchsorted(which, which)
    keep = np.arange(which.size) - first < MAX_CANDIDATES
    which, at = which[keep], at[keep]
    if which.size:
        step = _HALF_PI / grid[which]
        low = np.maximum(at - 1, 0) * step
        high = np.minimum(at + 1, grid[which]) * step
        refined = _refine(coef[which], n[which], low, high)
        np.maximum.at(best, which, refined)
    return np.asarray(np.minimum(np.exp(best), 1.0), dtype=np.float64)


def _unconditional_pvalue(
    lf: FloatArray,
    n1: IntArray,
    n2: IntArray,
    region_for: Callable[[int, int], tuple[_Region, bool]],
) -> FloatArray:
    """Sup over the nuisance parameter of the region's probability, chunk by chunk.

    ``region_for(start, stop)`` returns the region of the (sorted) tables ``start:stop`` and
    whether it needs the conditional tails.
    """
    n = n1 + n2
    cost = (n + 1) * (n1 + 1)
    pvalue = np.empty(len(n1))
    for start, stop in _chunks(cost):
        region, needs_tails = region_for(start, stop)
        h = _conditional_region_mass(lf, n1[start:stop], n2[start:stop], region, needs_tails)
        pvalue[start:stop] = _supremum(h, n[start:stop], lf)
    return pvalue


#: The unconditional tests enumerate the whole sample space and search the nuisance risk on a
#: grid that grows with sqrt(N): their cost grows like N^1.7 (measured: 57 ms at N = 1000,
#: 1.8 s at N = 8000 for Barnard's test on one core). Past this many participants in a table
#: they are refused with an explanation, not left to run for hours; there the chi-squared and
#: Fisher tests agree with them anyway.
MAX_PARTICIPANTS = 10_000

#: The work of one call, in cells (see :func:`cost_cells`), is at most this much: about a
#: minute on one core (40-110 ns a cell, measured from N = 20 to 8000). A balanced table of
#: MAX_PARTICIPANTS costs 6.6e7 cells, so one table is always accepted; the budget bounds
#: batches of many tables, whose costs add up.
MAX_BATCH_CELLS = 1_000_000_000

_NAMES = {"barnard": "Barnard's test", "boschloo": "Boschloo's test"}


def cost_cells(n1: IntArray, n2: IntArray, passes: int = 1) -> float:
    r"""The work of the unconditional tests of tables with arms ``n1`` and ``n2``, in cells.

    A table enumerates :math:`(N + 1)(n_1 + 1)` cells of its sample space (by diagonals) and
    evaluates its Bernstein sum of :math:`N + 1` terms at :math:`G = \max(64,
    \lceil 16\sqrt N\rceil)` grid points: :math:`(N + 1)(n_1 + 1) + G (N + 1)` cells, which
    grows like :math:`N^{1.7}` over the sizes allowed. The total over the tables is multiplied
    by ``passes`` (2 for two-sided Boschloo, which runs both one-sided tests). Computed in
    float64 from the margins alone, before any work.
    """
    f1, f2 = np.broadcast_arrays(
        np.asarray(n1, dtype=np.float64), np.asarray(n2, dtype=np.float64)
    )
    m1, m2 = f1.ravel(), f2.ravel()
    n = m1 + m2
    grid = np.maximum(MIN_GRID, np.ceil(GRID_PER_SQRT_N * np.sqrt(n)))
    return passes * float(np.sum((n + 1.0) * (m1 + 1.0) + grid * (n + 1.0)))


def check_cost(n1: IntArray, n2: IntArray, test: str, passes: int = 1) -> None:
    """Refuse, before any work, a table above MAX_PARTICIPANTS or a call above the budget.

    ``test`` is ``"barnard"`` or ``"boschloo"`` (for the message). Raises CostLimitError.
    """
    n1 = np.asarray(n1, dtype=np.int64)
    n2 = np.asarray(n2, dtype=np.int64)
    largest = int(np.max(n1 + n2, initial=0))
    if largest > MAX_PARTICIPANTS:
        raise CostLimitError(
            f"Barnard's and Boschloo's tests are computed exactly for tables of at most "
            f"{MAX_PARTICIPANTS} participants (got {largest}); for larger trials use "
            f'method="chi2", "fisher" or "fisher-midp", which agree with them closely there'
        )
    cells = cost_cells(n1, n2, passes)
    if cells > MAX_BATCH_CELLS:
        tables = np.broadcast(n1, n2).size
        raise CostLimitError(
            f"{_NAMES[test]} of these {tables} tables would cost about {cells:.2g} cells of "
            f"sample space and nuisance grid (roughly a minute per 1e9 on one core); the limit "
            f"for one call is {MAX_BATCH_CELLS:.0e} cells (a table of N participants costs "
            f'about N^1.7 of them). Use method="fisher" or "fisher-midp" (exact, conditional, '
            f"fast), or pass the tables in smaller batches yourself"
        )


def _prepare(
    test: str, passes: int, *arrays: IntArray
) -> tuple[tuple[IntArray, ...], IntArray, tuple[int, ...]]:
    """Check the cost, flatten the broadcast count arrays, sort the tables by their space."""
    shape = arrays[0].shape
    flat = tuple(np.asarray(x, dtype=np.int64).ravel() for x in arrays)
    n1, n2 = flat[1], flat[3]
    check_cost(n1, n2, test, passes)
    order = np.argsort((n1 + n2 + 1) * (n1 + 1), kind="stable")
    return tuple(x[order] for x in flat), order, shape


def _unsort(values: FloatArray, order: IntArray, shape: tuple[int, ...]) -> FloatArray:
    out = np.empty_like(values)
    out[order] = values
    return out.reshape(shape)


def _barnard(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str, pooled: bool
) -> tuple[FloatArray, FloatArray]:
    (a, n1, c, n2), order, shape = _prepare("barnard", 1, a, n1, c, n2)
    statistic = _wald_statistic(a, n1, c, n2, pooled)
    if a.size == 0:
        return statistic.reshape(shape), np.ones(shape)
    lf = _log_factorials(int((n1 + n2).max()))
    observed = _wald_key(a, a + c, n1, n2, pooled)

    def region_for(start: int, stop: int) -> tuple[_Region, bool]:
        k0 = observed[start:stop, None, None]
        m1, m2 = n1[start:stop, None, None], n2[start:stop, None, None]

        def region(x1: IntArray, s: IntArray, _low: FloatArray, _high: FloatArray) -> BoolArray:
            key = _wald_key(x1, s, m1, m2, pooled)
            if alternative == "less":
                return np.asarray(key <= k0)
            if alternative == "greater":
                return np.asarray(key >= k0)
            return np.asarray(np.abs(key) >= np.abs(k0))

        return region, False

    pvalue = _unconditional_pvalue(lf, n1, n2, region_for)
    # No events, or only events, in both arms: every table is as extreme as the observed one.
    empty = (a + c == 0) | (a + c == n1 + n2)
    pvalue = np.where(empty, 1.0, pvalue)
    return _unsort(statistic, order, shape), _unsort(pvalue, order, shape)


def _exact_tail_numerators(n1: int, n2: int, s: int, side: str) -> list[int]:
    """``C(N, s) P(X1 <= x1 | s)`` (or ``>=``) for ``x1 = 0..n1``, as exact integers."""
    terms = [
        math.comb(n1, k) * math.comb(n2, s - k) if 0 <= s - k <= n2 else 0 for k in range(n1 + 1)
    ]
    if side == "greater":
        terms = terms[::-1]
    sums, total = [], 0
    for t in terms:
        total += t
        sums.append(total)
    return sums[::-1] if side == "greater" else sums


def _boschloo_one_sided(
    lf: FloatArray,
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    alpha: FloatArray,
    beta: FloatArray,
    side: str,
) -> FloatArray:
    r"""The region :math:`F \le F_{obs}` with ties decided exactly.

    ``alpha`` is the observed one-sided Fisher p-value and ``beta = 1 - alpha`` its
    complement, each summed from the small side (both keep full relative precision). Where
    ``alpha > 1/2`` a table's tail is compared through its complement (``F <= alpha`` iff
    ``1 - F >= beta``), so that p-values near 1 stay apart. Values within the rounding error
    of the log-factorial arithmetic (``TIE_EPS_FACTOR * eps * log N!``, relative) are
    compared again as exact integer hypergeometric sums.
    """
    tol = TIE_EPS_FACTOR * np.finfo(float).eps * max(1.0, float(lf[-1]))
    use_complement = alpha > 0.5
    reference = np.where(use_complement, beta, alpha)
    exact_cache: dict[tuple[int, int, int], list[int]] = {}

    def numerators(m1: int, m2: int, s: int) -> list[int]:
        key = (m1, m2, s)
        if key not in exact_cache:
            exact_cache[key] = _exact_tail_numerators(m1, m2, s, side)
        return exact_cache[key]

    def region_for(start: int, stop: int) -> tuple[_Region, bool]:
        ref = reference[start:stop, None, None]
        comp = use_complement[start:stop, None, None]

        def region(x1: IntArray, s: IntArray, low: FloatArray, high: FloatArray) -> BoolArray:
            tail = low if side == "less" else high
            zero = np.zeros_like(low[..., :1])
            if side == "less":  # 1 - P(X <= x) = P(X >= x + 1)
                other = np.concatenate([high[..., 1:], zero], axis=-1)
            else:  # 1 - P(X >= x) = P(X <= x - 1)
                other = np.concatenate([zero, low[..., :-1]], axis=-1)
            value = np.where(comp, other, tail)
            inside = np.where(comp, value > ref * (1.0 + tol), value < ref * (1.0 - tol))
            maybe = np.abs(value - ref) <= tol * ref
            inside |= comp & (ref == 0.0)  # alpha = 1: every table is as extreme
            maybe &= ref > 0.0
            for t, r, w in zip(*np.nonzero(maybe), strict=True):
                k = start + int(t)
                m1, m2, s0 = int(n1[k]), int(n2[k]), int(a[k] + c[k])
                cell_s = int(s[t, r, 0])
                if w > m1 or not 0 <= cell_s - w <= m2:
                    continue
                lhs = numerators(m1, m2, cell_s)[w] * math.comb(m1 + m2, s0)
                rhs = numerators(m1, m2, s0)[int(a[k])] * math.comb(m1 + m2, cell_s)
                inside[t, r, w] = lhs <= rhs
            return np.asarray(inside)

        return region, True

    return _unconditional_pvalue(lf, n1, n2, region_for)


def _boschloo(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray, FloatArray]:
    passes = 2 if alternative == "two-sided" else 1
    (a, n1, c, n2), order, shape = _prepare("boschloo", passes, a, n1, c, n2)
    if a.size == 0:
        return np.ones(shape), np.ones(shape)
    lf = _log_factorials(int((n1 + n2).max()))
    alpha_less, alpha_greater, beta_less, beta_greater = _observed_tails(lf, a, n1, c, n2)
    if alternative in ("less", "two-sided"):
        p_less = _boschloo_one_sided(lf, a, n1, c, n2, alpha_less, beta_less, "less")
    if alternative in ("greater", "two-sided"):
        p_greater = _boschloo_one_sided(lf, a, n1, c, n2, alpha_greater, beta_greater, "greater")
    if alternative == "less":
        statistic, pvalue = alpha_less, p_less
    elif alternative == "greater":
        statistic, pvalue = alpha_greater, p_greater
    else:
        use_less = p_less < p_greater
        statistic = np.where(use_less, alpha_less, alpha_greater)
        pvalue = np.minimum(2.0 * np.minimum(p_less, p_greater), 1.0)
    empty = (a + c == 0) | (a + c == n1 + n2)
    statistic = np.where(empty, 1.0, np.minimum(statistic, 1.0))
    pvalue = np.where(empty, 1.0, pvalue)
    return _unsort(statistic, order, shape), _unsort(pvalue, order, shape)


def barnard(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    r"""Barnard's unconditional exact test with the pooled Wald (score) statistic.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: the treatment risk is below the control risk.

    Returns
    -------
    statistic : ndarray
        The pooled Wald statistic :math:`Z` (treatment minus control; 0 when the observed
        risks are equal).
    pvalue : ndarray
        The supremum over the common risk of the probability of the tables at least as
        extreme.

    Notes
    -----
    The statistic of a table :math:`(x_1, x_2)` is, as in ``scipy.stats.barnard_exact``
    with ``pooled=True``,

    .. math::

        Z = \frac{\hat p_1 - \hat p_2}
                 {\sqrt{\hat p (1 - \hat p)(1/n_1 + 1/n_2)}}, \qquad
        \hat p_i = x_i / n_i, \quad \hat p = (x_1 + x_2)/N,

    with :math:`Z = 0` when :math:`\hat p_1 = \hat p_2`. It is the signed root of Pearson's
    chi-squared statistic, so the two-sided test is the Suissa-Shuster test. The region is
    :math:`Z \le Z_{obs}` for ``"less"``, :math:`Z \ge Z_{obs}` for ``"greater"`` and
    :math:`|Z| \ge |Z_{obs}|` for ``"two-sided"``; ties are found exactly (see
    ``_wald_key``). In scipy's table layout the arms are the columns:
    ``barnard_exact([[a, c], [n1 - a, n2 - c]], alternative)`` is the same test with the
    same ``alternative``. The p-value is maximised over the nuisance parameter as the module
    notes describe.

    Zero cells: none needs a correction. Zero events (or only events) in one arm is an
    ordinary table. With no events in both arms, or only events in both, every table has
    :math:`|Z| \ge 0 = |Z_{obs}|` and the p-value is 1 (statistic 0) for every alternative.

    Cost: :math:`(N + 1)(n_1 + 1) + G (N + 1)` cells per table, :math:`G = \max(64, \lceil
    16\sqrt N\rceil)`, growing like :math:`N^{1.7}` (measured 57 ms at :math:`N = 1000`,
    1.8 s at 8000). Refused with CostLimitError, before any work: a table of more than
    MAX_PARTICIPANTS = 10,000 participants, and a call whose tables add up to more than
    MAX_BATCH_CELLS = 1e9 cells (about a minute); use Fisher's or the mid-p test there, or
    smaller batches.

    References
    ----------
    Barnard GA. Significance tests for 2x2 tables. Biometrika 1947;34:123-38.
    Suissa S, Shuster JJ. Exact unconditional sample sizes for the 2x2 binomial trial.
    J R Stat Soc A 1985;148:317-27.
    Mehta CR, Senchaudhuri P. Conditional versus unconditional exact tests for comparing two
    binomials. Cytel Software Corporation, 2003.
    """
    return _barnard(a, n1, c, n2, alternative, pooled=True)


def barnard_unpooled(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    r"""Barnard's unconditional exact test with the unpooled Wald statistic.

    As :func:`barnard`, with :math:`Z = (\hat p_1 - \hat p_2) / \sqrt{\hat p_1(1-\hat p_1)/n_1
    + \hat p_2(1 - \hat p_2)/n_2}` (``scipy.stats.barnard_exact`` with ``pooled=False``).
    A table with unequal risks and no variance (each arm all or no events) has
    :math:`Z = \pm\infty`; equal risks give 0. Degenerate tables (no events, or only events,
    in both arms) have p-value 1.
    """
    return _barnard(a, n1, c, n2, alternative, pooled=False)


def boschloo(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    r"""Boschloo's unconditional exact test: tables ordered by Fisher's one-sided p-value.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: the treatment risk is below the control risk.

    Returns
    -------
    statistic : ndarray
        Fisher's one-sided p-value of the observed table (for ``"two-sided"``, that of the
        side with the smaller Boschloo p-value), as ``scipy.stats.boschloo_exact`` reports.
    pvalue : ndarray
        The unconditional p-value.

    Notes
    -----
    For ``"less"`` the statistic of a table is :math:`F(x_1) = P(X_1 \le x_1 \mid S = s)`,
    Fisher's one-sided (hypergeometric) p-value, and the region is the tables with
    :math:`F \le F_{obs}`; for ``"greater"`` it is :math:`P(X_1 \ge x_1 \mid S = s)`.
    Ties are decided exactly: a table's tail (or, where the observed one exceeds 1/2, its
    complement, so that p-values near 1 stay apart) within the rounding error of the
    log-factorial arithmetic of the observed one is compared again as an exact integer
    hypergeometric sum. (A relative tolerance of :math:`10^{-9}` merged distinct tables near
    :math:`p = 1`: 1/17 against 16/17, ``"greater"``, gave 1 instead of 0.999985.) The
    p-value is the supremum over the common risk :math:`\pi` of
    :math:`P_\pi(F \le F_{obs})`; it never exceeds Fisher's one-sided p-value, since
    :math:`P(F \le F_{obs} \mid S = s) \le F_{obs}` for every :math:`s`.

    The two-sided p-value is scipy's: twice the smaller one-sided Boschloo p-value, capped at
    1. (Boschloo's original and R's ``Exact`` package instead order the tables by Fisher's
    two-sided p-value; ``exact2x2::boschloo`` uses a central two-sided method. These give
    different numbers.) In scipy's layout the arms are the columns:
    ``boschloo_exact([[a, c], [n1 - a, n2 - c]], alternative)`` is the same test.

    Zero cells: none needs a correction; a zero count in one arm is an ordinary table. With
    no events in both arms, or only events in both, the observed Fisher p-value is 1, every
    table is as extreme, and the p-value is 1 (statistic 1). scipy returns NaN only for an
    empty arm, which rctkit does not allow.

    Cost: as :func:`barnard` (about twice its time per cell), counted twice for
    ``"two-sided"``, which runs both one-sided tests; the same two refusals apply.

    References
    ----------
    Boschloo RD. Raised conditional level of significance for the 2x2-table when testing the
    equality of two probabilities. Statistica Neerlandica 1970;24:1-35.
    Lydersen S, Fagerland MW, Laake P. Recommended tests for association in 2x2 tables.
    Stat Med 2009;28:1159-75.
    """
    return _boschloo(a, n1, c, n2, alternative)

"""The constrained 2x2 fits: the cells most likely under a fixed RD, RR or OR.

Each fit keeps both arms' totals; the odds-ratio fit also keeps the events ``a + c`` (it is
the conditional fit given the margins, and the unconditional one with the intercept
profiled out). The score intervals (single-table and stratified), the Breslow-Day test and
the likelihood kernels' starting points use these, in the one numerically stable form each:

* :func:`risk_difference`: Farrington and Manning's cubic, trigonometric solution polished by
  a Newton step;
* :func:`risk_ratio`: Miettinen and Nurminen's quadratic, in a form that does not cancel;
* :func:`odds_ratio_cells`: every fitted cell as the non-cancelling root of its own quadratic.

(The profile-likelihood kernels, :mod:`rctkit._kernels.likelihood`, write the same
odds-ratio fit as one shift of the four cells with the deviance terms formed alongside,
which they need for limits far in the tail.)
"""

from __future__ import annotations

import numpy as np

from rctkit._kernels.common import FloatArray

__all__ = [
    "odds_ratio_cells",
    "odds_ratio_cells_at",
    "odds_ratio_residual",
    "risk_difference",
    "risk_ratio",
]


def risk_difference(
    delta: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return the restricted MLEs ``(p1, p2)`` under ``p1 - p2 = delta``.

    ``p1`` is the root of Farrington and Manning's (1990) cubic in the feasible range
    ``[max(0, delta), min(1, 1 + delta)]``, taken from their trigonometric solution and
    polished by a Newton step on the same equation in product form,
    ``(p1 - d)(1 - p1 + d)(a - n1 p1) + p1 (1 - p1)(c - n2 (p1 - d)) = 0``, which is exact at
    the roots on the boundary (with zero cells) and restores full precision where the
    trigonometric solution loses it (two roots close together).
    """
    p1h, p2h, theta = fa / fn1, fc / fn2, fn2 / fn1
    l3 = 1.0 + theta
    l2 = -(l3 + p1h + theta * p2h + delta * (theta + 2.0))
    l1 = delta * delta + delta * (2.0 * p1h + l3) + p1h + theta * p2h
    l0 = -p1h * delta * (1.0 + delta)
    b3 = l2 / (3.0 * l3)
    v = b3 * b3 * b3 - l2 * l1 / (6.0 * l3 * l3) + l0 / (2.0 * l3)
    u = np.copysign(np.sqrt(np.maximum(b3 * b3 - l1 / (3.0 * l3), 0.0)), v)
    cos_arg = np.minimum(np.maximum(v / (u * u * u), -1.0), 1.0)
    p1 = 2.0 * u * np.cos((np.pi + np.arccos(cos_arg)) / 3.0) - b3
    low = np.maximum(delta, 0.0)
    high = np.minimum(1.0 + delta, 1.0)
    p1 = np.where(np.isfinite(p1), np.minimum(np.maximum(p1, low), high), 0.5 * (low + high))
    s = p1 - delta
    r = 1.0 - s
    e1, e2 = fa - fn1 * p1, fc - fn2 * s
    g = s * r * e1 + p1 * (1.0 - p1) * e2
    dg = (r - s) * e1 - fn1 * s * r + (1.0 - 2.0 * p1) * e2 - fn2 * p1 * (1.0 - p1)
    step = g / dg
    p1 = np.where(np.isfinite(step), np.minimum(np.maximum(p1 - step, low), high), p1)
    return p1, p1 - delta


def risk_ratio(
    rr: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> FloatArray:
    """Return the control arm's restricted MLE ``p2`` under ``p1 / p2 = rr``.

    It is the smaller root of ``N rr p^2 - (u + v) p + (a + c) = 0`` with ``u = rr (n1 + c)``
    and ``v = a + n2`` (Miettinen and Nurminen 1985), taken as ``2 (a + c) / (u + v + s)``
    where ``s^2 = (u + v)^2 - 4 N rr (a + c) = (u - v)^2 + 4 rr b d``: neither form cancels,
    so the fit keeps full precision even where the two roots meet (risks near 1).
    """
    u = rr * (fn1 + fc)
    v = fa + fn2
    s = np.sqrt((u - v) * (u - v) + 4.0 * rr * (fn1 - fa) * (fn2 - fc))
    return 2.0 * (fa + fc) / (u + v + s)


def odds_ratio_cells(
    x: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Return the fitted cells ``(A, B, C, D)`` under the log odds ratio ``x`` (column).

    The fit keeps both arms' totals and the events ``m = a + c``, and ``A D = psi B C``. Each
    cell is the feasible root of its own quadratic (the one for ``A`` is
    ``(1 - psi) A^2 + (n2 - m + psi (n1 + m)) A - psi n1 m = 0``; the others follow by
    exchanging the arms or the outcomes), all with the discriminant
    ``(psi (n1 - m) - (n2 - m))^2 + 4 psi n1 n2``, which does not cancel, and each root taken
    in whichever of its two forms does not cancel. So every cell keeps full relative
    precision, even when it is tiny, for any ``psi`` in ``e^(+-200)``.
    """
    psi = np.exp(x)
    psi_m1 = np.expm1(x)
    return odds_ratio_cells_at(psi, psi_m1, fa, fn1, fc, fn2)


def odds_ratio_cells_at(
    psi: FloatArray,
    psi_m1: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """As :func:`odds_ratio_cells`, given the odds ratio ``psi`` and ``psi_m1 = psi - 1``."""
    m = fa + fc
    m0 = fn1 + fn2 - m
    w = psi * (fn1 - m) - (fn2 - m)
    r = np.sqrt(w * w + 4.0 * psi * fn1 * fn2)

    def root(beta: FloatArray, c0: FloatArray, alpha: FloatArray) -> FloatArray:
        # The root of alpha t^2 + beta t - c0 = 0 (c0 >= 0) with discriminant r^2.
        return np.where(beta >= 0.0, 2.0 * c0 / (beta + r), (r - beta) / (2.0 * alpha))

    big_a = root(fn2 - m + psi * (fn1 + m), psi * fn1 * m, -psi_m1)
    big_d = root(fn1 - m0 + psi * (fn2 + m0), psi * fn2 * m0, -psi_m1)
    big_b = root(psi * (fn2 - m0) + fn1 + m0, fn1 * m0, psi_m1)
    big_c = root(psi * (fn1 - m) + fn2 + m, fn2 * m, psi_m1)
    return big_a, big_b, big_c, big_d


def odds_ratio_residual(
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    big_a: FloatArray,
    big_b: FloatArray,
    big_c: FloatArray,
    big_d: FloatArray,
) -> FloatArray:
    """Observed minus fitted treatment events, ``a - A = B - b = C - c = d - D``.

    Where a cell is empty its fitted cell is the residual itself, exact even where it is tiny
    (near an end of the range, where ``a - A`` would be rounding noise and could take the
    wrong sign).
    """
    fb, fd = fn1 - fa, fn2 - fc
    return np.asarray(
        np.where(
            fa == 0.0,
            -big_a,
            np.where(
                fd == 0.0,
                -big_d,
                np.where(fb == 0.0, big_b, np.where(fc == 0.0, big_c, fa - big_a)),
            ),
        ),
        dtype=np.float64,
    )

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
    "risk_difference_cells",
    "risk_ratio",
    "risk_ratio_cells",
]


def risk_difference(
    delta: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Return the restricted MLEs ``(p1, p2)`` under ``p1 - p2 = delta``.

    See :func:`risk_difference_cells`, which also returns ``1 - p1`` and ``1 - p2`` to full
    relative precision.
    """
    p1, p2, _, _ = risk_difference_cells(delta, fa, fn1, fc, fn2)
    return p1, p2


def _rd_cubic_root(
    delta: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> FloatArray:
    """``p1`` from Farrington and Manning's trigonometric solution, clipped to its range."""
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
    return np.where(np.isfinite(p1), np.minimum(np.maximum(p1, low), high), 0.5 * (low + high))


#: Newton steps of the polish at most; a step that halves the error (a double root, at the
#: edge of the parameter space) needs about 60 to go from 1e-8 to 1e-26.
_POLISH_STEPS = 100


def _rd_newton_step(
    s: FloatArray, d: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> FloatArray:
    """One Newton step ``g / g'`` on the cubic in product form,
    ``g(s) = s (1 - s)(a - n1 p1) + p1 (1 - p1)(c - n2 s)`` with ``p1 = s + d``."""
    q1 = s + d
    e1 = fa - fn1 * q1
    e2 = fc - fn2 * s
    g = s * (1.0 - s) * e1 + q1 * (1.0 - q1) * e2
    dg = (1.0 - 2.0 * s) * e1 - fn1 * s * (1.0 - s) + (1.0 - 2.0 * q1) * e2
    return np.asarray(g / (dg - fn2 * q1 * (1.0 - q1)))


def _rd_polish(
    s: FloatArray, d: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> FloatArray:
    """Newton's method on the product form of the cubic, in ``s = p2`` with ``p1 = s + d``.

    Each element stops once its step is below ``4 eps s`` (or it is 0): two steps from
    the trigonometric root where the roots are apart; where two roots nearly meet (a tiny
    ``d`` with few events, like 0/1e9 against 0/1) the trigonometric root is off by up to
    about 1e-8 and the error halves each step.
    """
    s = np.array(s, dtype=np.float64)
    high = np.minimum(1.0 - d, 1.0)
    active = np.arange(s.size)
    for _ in range(_POLISH_STEPS):
        x = s[active]
        step = _rd_newton_step(x, d[active], fa[active], fn1[active], fc[active], fn2[active])
        ok = np.isfinite(step)
        new = np.where(ok, np.minimum(np.maximum(x - step, 0.0), high[active]), x)
        s[active] = new
        moving = ok & (np.abs(new - x) > 4.0 * np.finfo(float).eps * np.abs(new))
        active = active[moving]
        if active.size == 0:
            break
    return s


def risk_difference_cells(
    delta: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Return ``(p1, p2, 1 - p1, 1 - p2)``, the restricted MLEs under ``p1 - p2 = delta``.

    ``p1`` is the root of Farrington and Manning's (1990) cubic in the feasible range
    ``[max(0, delta), min(1, 1 + delta)]``, taken from their trigonometric solution and
    polished by a Newton step on the same equation in product form,
    ``s (1 - s) (a - n1 p1) + p1 (1 - p1)(c - n2 s) = 0`` with ``s = p1 - delta``, which is
    exact at the roots on the boundary (with zero cells) and restores full precision where
    the trigonometric solution loses it (two roots close together).

    Where one of the four probabilities is below 0.05, the fit is polished further, to
    convergence, in that smallest one, with the others formed from it
    (:func:`_rd_small`). ``p2 = p1 - delta`` would otherwise carry an absolute error of
    ``eps * p1``, a large relative error when ``p2`` is much smaller than ``p1``: with
    0/802812 against 0/1 that noise, weighted by ``1/n2``, moved the Miettinen-Nurminen
    limit by 2.5e-7; and where the cubic's roots nearly meet (0/1e9 against 0/1) the
    trigonometric root was off by 1e-8 and the limit by 15%.
    """
    shape = np.broadcast_shapes(np.shape(delta), np.shape(fa), np.shape(fc))
    delta, fa, fn1, fc, fn2 = (
        np.broadcast_to(np.asarray(x, dtype=np.float64), shape) for x in (delta, fa, fn1, fc, fn2)
    )
    p1 = _rd_cubic_root(delta, fa, fn1, fc, fn2)
    step = _rd_newton_step(p1 - delta, delta, fa, fn1, fc, fn2)
    low, high = np.maximum(delta, 0.0), np.minimum(1.0 + delta, 1.0)
    p1 = np.where(np.isfinite(step), np.minimum(np.maximum(p1 - step, low), high), p1)
    p2, q1 = p1 - delta, 1.0 - p1
    q2 = 1.0 - p2
    # Where a risk (or its complement) is small, the subtractions above lose its relative
    # precision, and the cubic's roots may nearly meet: polish those in the smallest one.
    hard = np.flatnonzero(np.minimum(np.minimum(p1, p2), np.minimum(q1, q2)) < _SMALL_RISK)
    if hard.size:
        outs = [x.ravel() for x in (p1, p2, q1, q2)]
        cells = _rd_small(*(x.ravel()[hard] for x in (delta, fa, fn1, fc, fn2, p1)))
        for out, cell in zip(outs, cells, strict=True):
            out[hard] = cell
        p1, p2, q1, q2 = (x.reshape(shape) for x in outs)
    return p1, p2, q1, q2


#: Restricted risks (or their complements) below this are polished by :func:`_rd_small`.
_SMALL_RISK = 0.05


def _rd_small(
    delta: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    p1: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The restricted fit polished in the smallest of ``p1, p2, 1 - p1, 1 - p2``.

    The table is mirrored so that ``delta >= 0`` (swapping the arms) and the control arm's
    risk is the smallest (swapping events with non-events, and the arms); the polish is made
    in that risk and the other three are formed from it, then the mirrors are undone.
    ``p1`` is the fit so far (a starting value).
    """
    # Mirror 1: arms swapped where delta < 0.
    swap = delta < 0.0
    d = np.abs(delta)
    xa, xn1 = np.where(swap, fc, fa), np.where(swap, fn2, fn1)
    xc, xn2 = np.where(swap, fa, fc), np.where(swap, fn1, fn2)
    x1 = np.where(swap, p1 - delta, p1)
    # Mirror 2: events and non-events swapped, and the arms, where 1 - p1 < p2; delta stays.
    flip = (1.0 - x1) < (x1 - d)
    ya, yn1 = np.where(flip, xn2 - xc, xa), np.where(flip, xn2, xn1)
    yc, yn2 = np.where(flip, xn1 - xa, xc), np.where(flip, xn1, xn2)
    s = np.where(flip, 1.0 - x1, x1 - d)
    s = _rd_polish(s, d, ya, yn1, yc, yn2)
    # Canonical cells: p2' = s (the smallest), p1' = s + d, 1 - p1' = (1 - d) - s, 1 - p2'.
    c_p1, c_p2, c_q1, c_q2 = s + d, s, (1.0 - d) - s, 1.0 - s
    # Undo mirror 2, then mirror 1.
    m_p1, m_p2 = np.where(flip, c_q2, c_p1), np.where(flip, c_q1, c_p2)
    m_q1, m_q2 = np.where(flip, c_p2, c_q1), np.where(flip, c_p1, c_q2)
    p1_out, p2_out = np.where(swap, m_p2, m_p1), np.where(swap, m_p1, m_p2)
    q1_out, q2_out = np.where(swap, m_q2, m_q1), np.where(swap, m_q1, m_q2)
    return p1_out, p2_out, q1_out, q2_out


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


def _rr_complement(
    rr: FloatArray,
    rr_m1: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
) -> FloatArray:
    """``1 - p2`` of :func:`risk_ratio`'s fit, without cancelling where ``p2`` is near 1.

    With ``q = 1 - p2`` the quadratic becomes ``N rr q^2 - B q + (rr - 1) d = 0`` with
    ``B = (rr - 1) N + b + rr d`` and the same discriminant ``(u - v)^2 + 4 rr b d``; ``q``
    is its root ``(B + S) / (2 N rr)``, taken as ``2 (rr - 1) d / (B - S)`` where ``B < 0``.
    ``rr_m1`` is ``rr - 1`` (from ``expm1``).
    """
    n = fn1 + fn2
    fb, fd = fn1 - fa, fn2 - fc
    u = rr * (fn1 + fc)
    v = fa + fn2
    s = np.sqrt((u - v) * (u - v) + 4.0 * rr * fb * fd)
    big_b = rr_m1 * n + fb + rr * fd
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(big_b >= 0.0, (big_b + s) / (2.0 * n * rr), 2.0 * rr_m1 * fd / (big_b - s))
    return np.asarray(np.minimum(np.maximum(q, 0.0), 1.0), dtype=np.float64)


def risk_ratio_cells(
    log_rr: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``(p1, p2, 1 - p1, 1 - p2)`` under ``p1 / p2 = exp(log_rr)``, each to full relative
    precision: ``p2`` from :func:`risk_ratio`, ``1 - p2`` from the same quadratic written
    in it, and ``1 - p1`` likewise from the arms exchanged (the fit of the exchanged table
    under ``1 / rr`` is the same fit). Where both arms have nearly only events the
    subtractions ``1 - p`` would keep few digits (at 999999965/1e9 against
    549755813738/549755813888 the limits came out inverted).
    """
    rr = np.exp(log_rr)
    p2 = risk_ratio(rr, fa, fn1, fc, fn2)
    p1 = rr * p2
    q1, q2 = 1.0 - p1, 1.0 - p2
    # Where a risk is above one half its complement is formed from its own quadratic; each
    # element's answer depends only on that element, so a batch equals its scalar calls.
    risky = np.maximum(p1, p2) > 0.5
    if risky.any():
        high = np.flatnonzero(risky)
        x, a, n1, c, n2 = (
            np.broadcast_to(v, p2.shape).ravel()[high] for v in (log_rr, fa, fn1, fc, fn2)
        )
        q1, q2 = q1.ravel(), q2.ravel()
        q2[high] = _rr_complement(np.exp(x), np.expm1(x), a, n1, c, n2)
        q1[high] = _rr_complement(np.exp(-x), np.expm1(-x), c, n2, a, n1)
        q1, q2 = q1.reshape(p2.shape), q2.reshape(p2.shape)
    return p1, p2, q1, q2


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

    It is taken at the smallest observed cell, whose fitted cell is nearest zero and so
    carries the smallest absolute rounding error: ``a - A`` with ``a`` = 5e8 would carry
    about 5e-8 of noise, a relative error of 3e-8 in a residual near 2 (the Miettinen-Nurminen
    limits of 5e8/1e9 against 1/1e9). Where a cell is empty its fitted cell is the residual
    itself, exact even where it is tiny (near an end of the range, where a difference would
    be rounding noise and could take the wrong sign).
    """
    fb, fd = fn1 - fa, fn2 - fc
    smallest = np.minimum(np.minimum(fa, fb), np.minimum(fc, fd))
    return np.asarray(
        np.where(
            fa == smallest,
            fa - big_a,
            np.where(
                fd == smallest,
                fd - big_d,
                np.where(fb == smallest, big_b - fb, big_c - fc),
            ),
        ),
        dtype=np.float64,
    )

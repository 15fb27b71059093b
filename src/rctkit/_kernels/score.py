"""Score intervals: Mee and Miettinen-Nurminen for the risk difference, Koopman and
Miettinen-Nurminen for the risk ratio, Miettinen-Nurminen for the odds ratio.

A score interval holds the values of the effect that the score test does not reject. For each
candidate value the nuisance parameter is fitted by maximum likelihood under that value (the
*restricted* MLE, in closed form for all three measures), and the observed minus fitted
treatment-arm risk is divided by its standard deviation under the fit. The limits are where
this statistic equals the normal quantile. Mee (1984) and Koopman (1984) use the variance as it
is; Miettinen and Nurminen (1985) multiply it by ``N / (N - 1)``.

The kernels are vectorised over tables. Limits of the risk difference and the odds ratio are
found by Chandrupatla's method (:func:`rctkit._kernels.solvers.chandrupatla`), started from
Wilson or Haldane limits. Limits of the risk ratio are in closed form (Nam 1995), polished by
one Newton step.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from rctkit._kernels import restricted, solvers
from rctkit._kernels.common import (
    FloatArray,
    IntArray,
    Interval,
    as_float,
    chi2_1_sf,
    cross_difference,
    z_quantile,
)

#: Relative tolerance of the solver, and absolute tolerances on a difference and on the log
#: of a ratio (where an absolute error is a relative error of the ratio).
_XRTOL = 2.0 * np.finfo(float).eps
_XATOL_DIFFERENCE = 1e-17
_XATOL_LOG_RATIO = 4.0 * np.finfo(float).eps
_MAXITER = 200

#: A risk-ratio limit from the closed form is kept when its Newton correction (on the log
#: scale) was smaller than this, so that the corrected limit is good to about its square.
_RR_STEP_TOLERANCE = 1e-7

#: Step of the forward difference for the slope of the score statistic in log ratio.
_RR_SLOPE_STEP = 1e-7

#: Angle shifts of the middle and smallest roots in the trigonometric cubic formula.
_ROOT_SHIFTS = np.array([[2.0 * np.pi / 3.0], [4.0 * np.pi / 3.0]])

#: Odds-ratio limits are searched for on the log scale within +-_LOG_RATIO_BOUND (1e-87 to
#: 1e87); the finite score limits of tables of fewer than 1e9 participants lie far inside.
_LOG_RATIO_BOUND = 200.0


def _bracketed_root(
    f: Callable[..., FloatArray],
    params: tuple[FloatArray, ...],
    x_in: FloatArray,
    f_in: FloatArray,
    x_out: FloatArray,
    f_out: FloatArray,
    guess: FloatArray,
    xatol: float,
) -> FloatArray:
    """Solve ``f(x, *params) = 0`` elementwise in the brackets between ``x_in`` and ``x_out``.

    ``f_in`` and ``f_out`` are ``f`` at the two ends, of opposite signs or zero (an end where
    it is zero is returned, ``x_out`` first), and ``guess`` an approximation of the root.
    The solver is :func:`rctkit._kernels.solvers.chandrupatla` started from the guess; the
    answer lies within ``_XRTOL * |x| + xatol`` of a sign change of ``f``.
    """
    x, _ = solvers.chandrupatla(
        f,
        x_in,
        x_out,
        args=params,
        f_low=f_in,
        f_high=f_out,
        guess=guess,
        xrtol=_XRTOL,
        xatol=xatol,
        maxiter=_MAXITER,
    )
    return x


def _bounded(num: FloatArray, var: FloatArray) -> FloatArray:
    """Return ``z / sqrt(1 + z**2)`` for the score statistic ``z = num / sqrt(var)``.

    The transform is finite where the variance vanishes (at the edges of the parameter space)
    and 0 where the numerator is, including the 0/0 of a table whose risks are all 0 or 1, at
    its own estimate. It has the same roots as ``z - q`` after ``q -> q / sqrt(1 + q**2)``.
    """
    return np.where(num == 0.0, 0.0, num / np.sqrt(var + num * num))


def _factor(fn1: FloatArray, fn2: FloatArray, miettinen_nurminen: bool) -> FloatArray:
    """The variance factor: ``N / (N - 1)`` for Miettinen-Nurminen, 1 for Mee and Koopman."""
    n = fn1 + fn2
    return n / (n - 1.0) if miettinen_nurminen else np.ones_like(n)


def _null_pvalue(
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    k: FloatArray,
    diff: FloatArray,
) -> FloatArray:
    """Two-sided p-value of the score test of no effect (difference 0, ratio 1).

    There every restricted MLE is the pooled risk, and the three score statistics all reduce
    to Pearson's ``N (ad - bc)^2 / (n1 n2 m1 m0)``, divided by ``k``. With no events, or only
    events, in both arms it is 0/0: the data are as likely under any effect, and the statistic
    is taken as 0 (p-value 1). ``diff`` is ``ad - bc`` from :func:`cross_difference`, exact
    where the two products cancel.
    """
    n = fn1 + fn2
    m1 = fa + fc
    m0 = n - m1
    stat = (diff / fn1) * (diff / fn2) * (n / m1) / (m0 * k)
    stat = np.where(stat >= 0.0, stat, 0.0)  # 0/0 (nan) where m1 or m0 is 0
    return np.asarray(chi2_1_sf(stat), dtype=np.float64)


def _halves(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The two halves of a stacked array (``np.split`` costs ten times as much)."""
    half = x.size // 2
    return x[:half], x[half:]


def _stacked(*arrays: FloatArray) -> tuple[FloatArray, ...]:
    """Each array twice, end to end: the lower and the upper limits are solved together."""
    return tuple(np.concatenate([x, x]) for x in arrays)


# --- Risk difference ------------------------------------------------------------------------


def _rd_bounded(
    delta: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    estimate: FloatArray,
    k: FloatArray,
    target: FloatArray,
) -> FloatArray:
    p1, p2, q1, q2 = restricted.risk_difference_cells(delta, fa, fn1, fc, fn2)
    var = k * (p1 * q1 / fn1 + p2 * q2 / fn2)
    return _bounded(estimate - delta, var) - target


def _wilson_hybrid(
    fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray, z: float
) -> FloatArray:
    """Newcombe's hybrid (Wilson) score limits, lower then upper: the solver's first guess."""
    n = np.concatenate([fn1, fn2])
    p = np.concatenate([fa, fc]) / n
    z2n = z * z / n
    centre = (p + 0.5 * z2n) / (1.0 + z2n)
    half = z * np.sqrt(p * (1.0 - p) / n + 0.25 * z2n / n) / (1.0 + z2n)
    (l1, l2), (u1, u2) = _halves(centre - half), _halves(centre + half)
    p1, p2 = _halves(p)
    d = p1 - p2
    low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return np.concatenate([low, high])


def _risk_difference(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float, mn: bool
) -> Interval:
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    cross = cross_difference(a, n1, c, n2)
    estimate = cross / (fn1 * fn2)
    k = _factor(fn1, fn2, mn)
    z = z_quantile(level)
    tc = z / math.sqrt(1.0 + z * z)
    ones = np.ones_like(estimate)
    # Lower limits then upper limits: t(delta) - target changes sign between the estimate
    # (t = 0) and the far end of the parameter space (t = +-1, the variance being 0 there).
    # An estimate of -1 (or 1) is its own lower (upper) limit: f_out = 0 returns it.
    x_in, x_out = _stacked(estimate)[0], np.concatenate([-ones, ones])
    f_in = np.concatenate([-tc * ones, tc * ones])
    f_out = np.concatenate(
        [np.where(estimate == -1.0, 0.0, 1.0 - tc), np.where(estimate == 1.0, 0.0, tc - 1.0)]
    )
    target = np.concatenate([tc * ones, -tc * ones])
    params = (*_stacked(fa, fn1, fc, fn2, estimate, k), target)
    guess = _wilson_hybrid(fa, fn1, fc, fn2, z)
    with np.errstate(all="ignore"):
        limits = _bracketed_root(
            _rd_bounded, params, x_in, f_in, x_out, f_out, guess, _XATOL_DIFFERENCE
        )
        pvalue = _null_pvalue(fa, fn1, fc, fn2, k, cross)
    low, high = _halves(limits)
    return Interval(estimate, low, high, pvalue)


# --- Ratios ---------------------------------------------------------------------------------


def _rr_bounded(
    log_rr: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    k: FloatArray,
    target: FloatArray,
) -> FloatArray:
    rr = np.exp(log_rr)
    p1, p2, q1, q2 = restricted.risk_ratio_cells(log_rr, fa, fn1, fc, fn2)
    var = k * (p1 * q1 / fn1 + rr * rr * p2 * q2 / fn2)
    # p1_hat - rr p2_hat, written in the non-events where the risks are above one half:
    # (1 - rr) - b / n1 + rr d / n2 keeps the digits that 1 - small - (1 - small) loses.
    num = fa / fn1 - rr * (fc / fn2)
    risky = fa + fc > 0.5 * (fn1 + fn2)
    if risky.any():
        high = np.flatnonzero(np.broadcast_to(risky, num.shape))
        x, a, n1, c, n2 = (
            np.broadcast_to(v, num.shape).ravel()[high] for v in (log_rr, fa, fn1, fc, fn2)
        )
        flat = num.ravel().copy()
        flat[high] = -np.expm1(x) - (n1 - a) / n1 + np.exp(x) * ((n2 - c) / n2)
        num = flat.reshape(num.shape)
    return _bounded(num, var) - target


def _or_bounded(
    log_or: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    k: FloatArray,
    target: FloatArray,
) -> FloatArray:
    big_a, big_b, big_c, big_d = restricted.odds_ratio_cells(log_or, fa, fn1, fc, fn2)
    h1, h2 = big_a * big_b / fn1, big_c * big_d / fn2
    e = restricted.odds_ratio_residual(fa, fn1, fc, fn2, big_a, big_b, big_c, big_d)
    return _bounded(e, k * h1 * h2 / (h1 + h2)) - target


def _log_ratio_limits(
    bounded: Callable[..., FloatArray],
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    estimate: FloatArray,
    k: FloatArray,
    z: float,
    guess: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Solve for the limits of a ratio on the log scale, both at once.

    Each limit lies between the log estimate (where the statistic is 0; clipped to
    ``+-_LOG_RATIO_BOUND`` for an estimate of 0 or infinity) and the far end of the range,
    where the bounded statistic is +-1 for every table whose limit there is finite. Tables
    whose limit is 0 or infinite (an estimate of 0 or infinity) are not solved.
    """
    tc = z / math.sqrt(1.0 + z * z)
    ones = np.ones_like(estimate)
    with np.errstate(divide="ignore"):
        centre = np.clip(np.log(estimate), -_LOG_RATIO_BOUND, _LOG_RATIO_BOUND)
    x_in = np.concatenate([centre, centre])
    x_out = np.concatenate([-_LOG_RATIO_BOUND * ones, _LOG_RATIO_BOUND * ones])
    f_in = np.concatenate([-tc * ones, tc * ones])
    # f_out = 0 marks a limit that is not solved for (0 or infinite, or the table is undefined).
    f_out = np.concatenate(
        [np.where(estimate > 0.0, 1.0 - tc, 0.0), np.where(estimate < np.inf, tc - 1.0, 0.0)]
    )
    target = np.concatenate([tc * ones, -tc * ones])
    params = (*_stacked(fa, fn1, fc, fn2, k), target)
    with np.errstate(all="ignore"):
        limits = _bracketed_root(
            bounded, params, x_in, f_in, x_out, f_out, guess, _XATOL_LOG_RATIO
        )
    low, high = _halves(np.exp(limits))
    return np.where(estimate > 0.0, low, 0.0), np.where(estimate < np.inf, high, np.inf)


def _haldane_guess(
    fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray, z: float, odds: bool
) -> FloatArray:
    """Log limits of the Wald interval with 0.5 added to every cell: the solver's first guess."""
    a, c = fa + 0.5, fc + 0.5
    b, d = fn1 - fa + 0.5, fn2 - fc + 0.5
    if odds:
        centre = np.log(a * d / (b * c))
        se = np.sqrt(1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d)
    else:
        centre = np.log(a / (fn1 + 1.0)) - np.log(c / (fn2 + 1.0))
        se = np.sqrt(1.0 / a - 1.0 / (fn1 + 1.0) + 1.0 / c - 1.0 / (fn2 + 1.0))
    return np.concatenate([centre - z * se, centre + z * se])


def _odds_ratio(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float, mn: bool
) -> Interval:
    """The odds-ratio score interval: Miettinen-Nurminen's with ``mn``, else without the
    ``N / (N - 1)`` factor (:func:`fm_or`)."""
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    fb, fd = fn1 - fa, fn2 - fc
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (fa * fd) / (fb * fc)
    k = _factor(fn1, fn2, mn)
    z = z_quantile(level)
    # No events, or only events, in both arms: the odds ratio is undefined (nan) and the
    # likelihood does not depend on it, so no value is rejected.
    undefined = np.isnan(estimate)
    low, high = _log_ratio_limits(
        _or_bounded, fa, fn1, fc, fn2, estimate, k, z, _haldane_guess(fa, fn1, fc, fn2, z, True)
    )
    low = np.where(undefined, 0.0, low)
    high = np.where(undefined, np.inf, high)
    with np.errstate(all="ignore"):
        pvalue = _null_pvalue(fa, fn1, fc, fn2, k, cross_difference(a, n1, c, n2))
    return Interval(estimate, low, high, pvalue)


def _wilson(x: FloatArray, n: FloatArray, zz: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Wilson's score limits for one risk ``x / n`` with the squared quantile ``zz``."""
    p = x / n
    zn = zz / n
    centre = p + 0.5 * zn
    half = np.sqrt(zz * (p * (1.0 - p) / n + 0.25 * zn / n))
    return (centre - half) / (1.0 + zn), (centre + half) / (1.0 + zn)


def _rr_closed_form(
    fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray, zz: FloatArray
) -> FloatArray:
    """Risk-ratio score limits in closed form, before polishing: a 2 x n array (lower, upper).

    Where both arms have non-events (b, d > 0) the restricted MLEs are interior, and the
    control arm's fitted risks ``p`` at the lower and upper limits are the middle and the
    smallest roots of Nam's (1995) cubic (his equation 6); the ratio is then his equation 5,
    ``(1 - b (1 - p) / (c + n1 - N p)) / p``. Where an arm has only events the fit lies on
    the boundary of the parameter space over part of the range, which the cubic does not
    see (it then has a spurious root, and statsmodels returns wrong limits there):

    * ``d = 0`` (``c = n2``): for ratios up to ``Q = (a + n2) / N`` the fit is ``p2 = 1``,
      ``p1 = ratio``, and the statistic is Wilson's for ``a / n1``; above, ``p1 = Q`` and the
      limit solves a quadratic. The lower limit is Wilson's; the upper is Wilson's if at
      most ``Q``, else the quadratic's larger root.
    * ``b = 0`` (``a = n1``): mirrored, with ``p1 = 1``, ``p2 = 1 / ratio`` for ratios from
      ``N / (n1 + c)`` up, and ``p2 = (n1 + c) / N`` below.
    """
    fb = fn1 - fa
    n = fn1 + fn2
    m = fa + fc
    n12m = fn1 * fn2 * m
    nca = n * fc * fa
    n1zz = fn1 * zz
    # Nam's cubic, made monic, solved by the trigonometric formula (three real roots).
    inv = 1.0 / (fn2 * (fn2 * n * fa + n1zz * (fn2 + fa)))
    b2_3 = (fn2 * (n12m + 2.0 * nca + n1zz * (fn2 + fc + 2.0 * fa))) * (inv / -3.0)
    b1 = (n12m * (2.0 * fc + zz) + nca * fc) * inv
    b0 = -fn1 * fc * fc * m * inv
    p = b1 - 3.0 * b2_3 * b2_3
    q = (2.0 * b2_3 * b2_3 - b1) * b2_3 + b0
    r = np.sqrt(np.maximum(p / -3.0, 0.0))
    angle = np.arccos(np.minimum(np.maximum(1.5 * q / (p * r), -1.0), 1.0)) / 3.0
    roots = 2.0 * r * np.cos(angle - _ROOT_SHIFTS) - b2_3
    limits: FloatArray = (1.0 - fb * (1.0 - roots) / (fc + fn1 - n * roots)) / roots
    fd = fn2 - fc
    if (fb * fd).all():
        return limits
    # d = 0: Wilson in the treatment arm, then the quadratic with p1 = Q.
    w1_low, w1_high = _wilson(fa, fn1, zz)
    q1 = (fa + fn2) / n
    p1h = fa / fn1
    half_b = p1h + 0.5 * zz * q1 / fn2
    c_term = p1h * p1h - zz * q1 * (1.0 - q1) / fn1 + zz * q1 * q1 / fn2
    d_high = half_b + np.sqrt(np.maximum(half_b * half_b - c_term, 0.0))
    d_high = np.where(w1_high <= q1, w1_high, d_high)
    # b = 0: Wilson in the control arm (on 1 / ratio), then the quadratic with p2 = P.
    w2_low, w2_high = _wilson(fc, fn2, zz)
    p2_fix = (fn1 + fc) / n
    p2h = fc / fn2
    a_term = p2h * p2h + zz * p2_fix * p2_fix / fn1 - zz * p2_fix * (1.0 - p2_fix) / fn2
    half_b = p2h + 0.5 * zz * p2_fix / fn1
    b_low = 1.0 / (half_b + np.sqrt(np.maximum(half_b * half_b - a_term, 0.0)))
    b_low = np.where(w2_high * n <= fn1 + fc, 1.0 / w2_high, b_low)
    low = np.where(fd == 0.0, w1_low, np.where(fb == 0.0, b_low, limits[0]))
    high = np.where(fb == 0.0, 1.0 / w2_low, np.where(fd == 0.0, d_high, limits[1]))
    return np.array([low, high])


def _risk_ratio(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float, mn: bool
) -> Interval:
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    k = _factor(fn1, fn2, mn)
    z = z_quantile(level)
    tc = z / math.sqrt(1.0 + z * z)
    with np.errstate(all="ignore"):
        estimate = (fa / fn1) / (fc / fn2)
        # The cubic is solved for the fitted risk of the smaller arm, which moves most across
        # the interval (the larger arm's hardly moves, and its roots crowd together).
        swap = fn2 > fn1
        if not swap.any():
            limits = _rr_closed_form(fa, fn1, fc, fn2, z * z * k)
        elif swap.all():
            limits = 1.0 / _rr_closed_form(fc, fn2, fa, fn1, z * z * k)[::-1]
        else:
            swapped = _rr_closed_form(
                np.where(swap, fc, fa),
                np.where(swap, fn2, fn1),
                np.where(swap, fa, fc),
                np.where(swap, fn1, fn2),
                z * z * k,
            )
            limits = np.where(swap, 1.0 / swapped[::-1], swapped)
        # One Newton step on the score equation (slope by a forward difference), the lower
        # and upper limits and their shifted points in one call as the rows of a 4 x n array:
        # the closed form's 1e-10 or so becomes full precision.
        x = np.log(limits)
        # Steps and tolerances scale with the distance from the estimate (the interval's
        # half width, on the log scale), which is 3e-8 for 999999965/1e9 against
        # 549755813738/549755813888: fixed ones there let an error of 7e-8 through.
        scale = np.minimum(np.abs(x - np.log(estimate)), 1.0)
        scale = np.where(np.isfinite(scale) & (scale > 0.0), scale, 1.0)
        h = _RR_SLOPE_STEP * scale
        f = _rr_bounded(
            np.concatenate([x, x + h]),
            fa,
            fn1,
            fc,
            fn2,
            k,
            np.array([[tc], [-tc], [tc], [-tc]]),
        )
        step = f[:2] * h / (f[2:] - f[:2])
        limits = np.exp(x - step)
        # Where the step was not tiny (the cubic badly conditioned) the limit is solved for by
        # iteration. Limits of 0 (a = 0) and infinity (c = 0) are set, not solved for; they
        # cover the tables with no events (a = c = 0, estimate nan, interval [0, inf]).
        sure = np.abs(step) < _RR_STEP_TOLERANCE * scale
        if not sure.all():
            redo = np.flatnonzero((~sure[0] & (fa > 0.0)) | (~sure[1] & (fc > 0.0)))
            if redo.size:
                sa, sn1, sc, sn2 = fa[redo], fn1[redo], fc[redo], fn2[redo]
                guess = _haldane_guess(sa, sn1, sc, sn2, z, False)
                limits[:, redo] = _log_ratio_limits(
                    _rr_bounded, sa, sn1, sc, sn2, estimate[redo], k[redo], z, guess
                )
            limits[0, fa == 0.0] = 0.0
            limits[1, fc == 0.0] = np.inf
        pvalue = _null_pvalue(fa, fn1, fc, fn2, k, cross_difference(a, n1, c, n2))
    return Interval(estimate, limits[0], limits[1], pvalue)


# --- Kernels --------------------------------------------------------------------------------


def _flat(
    solve: Callable[[IntArray, IntArray, IntArray, IntArray, float, bool], Interval],
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    level: float,
    mn: bool,
) -> Interval:
    """Run ``solve`` (written for 1-d arrays) on tables of any shape, and restore the shape."""
    if a.ndim == 1:
        return solve(a, n1, c, n2, level, mn)
    shape = a.shape
    r = solve(a.ravel(), n1.ravel(), c.ravel(), n2.ravel(), level, mn)
    pvalue = None if r.pvalue is None else r.pvalue.reshape(shape)
    return Interval(r.estimate.reshape(shape), r.low.reshape(shape), r.high.reshape(shape), pvalue)


_PARAMETERS = """
    Parameters
    ----------
    a, n1, c, n2 : numpy.ndarray of int64
        Treatment events and total, control events and total, broadcast and validated.
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    Interval
        Estimate, limits and the two-sided p-value of the score test of no effect."""


def mee_rd(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Mee's score interval for the risk difference ``p1 - p2``.
    {parameters}

    Notes
    -----
    The limits are the values :math:`\delta` at which

    .. math::

        z(\delta) = \frac{\hat p_1 - \hat p_2 - \delta}
        {\sqrt{\tilde p_1 (1 - \tilde p_1) / n_1 + \tilde p_2 (1 - \tilde p_2) / n_2}}
        = \pm z_{1 - \alpha/2},

    where :math:`\tilde p_1 = \tilde p_2 + \delta` maximise the likelihood under
    :math:`p_1 - p_2 = \delta` (a cubic, solved in closed form; Farrington and Manning
    1990). The p-value is that of :math:`z(0)`, which is Pearson's chi-squared test without
    continuity correction.

    Zero cells need no correction, and no warning is given. No events in one arm, or all
    events in one arm, give ordinary limits; an estimate of 1 (or -1) is its own upper
    (lower) limit. With no events in either arm (or events only) the estimate is 0, the
    limits are :math:`-z^2/(n_2 + z^2)` and :math:`z^2/(n_1 + z^2)` (in the opposite arms
    when all had events), and the p-value is 1. Limits lie in [-1, 1].

    References
    ----------
    .. [1] Mee RW. Confidence bounds for the difference between two probabilities.
       Biometrics 1984;40:1175-1176.
    .. [2] Farrington CP, Manning G. Test statistics and sample size formulae for
       comparative binomial trials with null hypothesis of non-zero risk difference or
       non-unity relative risk. Stat Med 1990;9:1447-1454.
    """
    return _flat(_risk_difference, a, n1, c, n2, level, False)


def mn_rd(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Miettinen and Nurminen's score interval for the risk difference ``p1 - p2``.
    {parameters}

    Notes
    -----
    As :func:`mee_rd` with the variance multiplied by :math:`N / (N - 1)`,
    :math:`N = n_1 + n_2`, which widens the interval slightly. The p-value is that of
    Pearson's statistic times :math:`(N - 1) / N` (the "N - 1" chi-squared test). Zero
    cells are handled as in :func:`mee_rd`, with :math:`z^2 N / (N - 1)` in place of
    :math:`z^2`.

    References
    ----------
    .. [1] Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
       1985;4:213-226.
    .. [2] Newcombe RG. Interval estimation for the difference between independent
       proportions: comparison of eleven methods. Stat Med 1998;17:873-890.
    """
    return _flat(_risk_difference, a, n1, c, n2, level, True)


def koopman_rr(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Koopman's asymptotic score interval for the risk ratio ``p1 / p2``.
    {parameters}

    Notes
    -----
    The limits are the ratios :math:`\phi` at which

    .. math::

        z(\phi) = \frac{\hat p_1 - \phi \hat p_2}
        {\sqrt{\tilde p_1 (1 - \tilde p_1) / n_1 + \phi^2 \tilde p_2 (1 - \tilde p_2) / n_2}}
        = \pm z_{1 - \alpha/2},

    with :math:`\tilde p_1 = \phi \tilde p_2` fitted under :math:`\phi` (the smaller root
    of a quadratic), which is Koopman's chi-squared statistic. They are found in closed form
    from Nam's (1995) cubic, with the boundary cases it misses worked out separately (see
    :func:`_rr_closed_form`), and polished by one Newton step; where that step is not tiny,
    by the bracketed solver. The p-value is that of :math:`z(1)`, Pearson's chi-squared
    test without continuity correction.

    Zero cells need no correction, and no warning is given. No events in the treatment arm:
    estimate 0, lower limit 0, finite upper limit (and mirrored: no control events give an
    infinite estimate and upper limit). All events in an arm: finite limits (the fit then
    sits on the edge of the parameter space; statsmodels and epiR, which use the cubic
    alone, fail there). All events in both arms: estimate 1 and limits
    :math:`n_1 / (n_1 + z^2)` and :math:`1 + z^2 / n_2`. No events in either arm: the ratio
    is undefined (estimate nan), the likelihood does not depend on it, so the interval is
    [0, inf] and the p-value 1.

    References
    ----------
    .. [1] Koopman PAR. Confidence intervals for the ratio of two binomial proportions.
       Biometrics 1984;40:513-517.
    .. [2] Nam J. Confidence limits for the ratio of two binomial proportions based on
       likelihood scores: non-iterative method. Biom J 1995;37:375-379.
    """
    return _flat(_risk_ratio, a, n1, c, n2, level, False)


def mn_rr(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Miettinen and Nurminen's score interval for the risk ratio ``p1 / p2``.
    {parameters}

    Notes
    -----
    As :func:`koopman_rr` with the variance multiplied by :math:`N / (N - 1)` (so with
    :math:`z^2 N / (N - 1)` in the closed forms), and the "N - 1" chi-squared p-value. Zero
    cells as in :func:`koopman_rr`.

    References
    ----------
    .. [1] Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
       1985;4:213-226.
    """
    return _flat(_risk_ratio, a, n1, c, n2, level, True)


def mn_or(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Miettinen and Nurminen's score interval for the odds ratio.
    {parameters}

    Notes
    -----
    With :math:`\tilde p_1, \tilde p_2` fitted under the odds ratio :math:`\psi` (they keep
    the events, :math:`n_1 \tilde p_1 + n_2 \tilde p_2 = a + c`: a quadratic), the limits are
    where

    .. math::

        \frac{(a - n_1 \tilde p_1)^2}{N / (N - 1)}
        \left(\frac{1}{n_1 \tilde p_1 (1 - \tilde p_1)}
        + \frac{1}{n_2 \tilde p_2 (1 - \tilde p_2)}\right) = z_{1 - \alpha/2}^2,

    solved on the log scale by the bracketed solver. The p-value is the "N - 1"
    chi-squared test, as for the other Miettinen-Nurminen intervals.

    Zero cells need no correction, and no warning is given. A zero in ``a`` or ``d``:
    estimate 0, lower limit 0, finite upper limit; a zero in ``b`` or ``c``: estimate and
    upper limit infinite, finite lower limit. No events in either arm, or only events: the
    odds ratio is undefined (estimate nan), the likelihood does not depend on it, so the
    interval is [0, inf] and the p-value 1.

    References
    ----------
    .. [1] Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
       1985;4:213-226.
    .. [2] Fagerland MW, Lydersen S, Laake P. Recommended confidence intervals for two
       independent binomial proportions. Stat Methods Med Res 2015;24:224-254.
    """
    return _flat(_odds_ratio, a, n1, c, n2, level, True)


def fm_or(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""The score interval for the odds ratio without the ``N / (N - 1)`` factor.
    {parameters}

    Notes
    -----
    As :func:`mn_or` with the variance as it is (the factor 1 in place of
    :math:`N / (N - 1)`): the interval that inverts the Farrington-Manning form of the
    odds-ratio score test, as Mee's interval does for the risk difference and Koopman's for
    the risk ratio. It is the interval that goes with ``method="fm"`` of
    :func:`rctkit.noninferiority` and is not one of :func:`rctkit.odds_ratio`'s methods. The
    p-value is Pearson's chi-squared test without continuity correction.

    References
    ----------
    .. [1] Farrington CP, Manning G. Test statistics and sample size formulae for
       comparative binomial trials with null hypothesis of non-zero risk difference or
       non-unity relative risk. Stat Med 1990;9:1447-1454.
    .. [2] Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
       1985;4:213-226.
    """
    return _flat(_odds_ratio, a, n1, c, n2, level, False)


for _kernel in (mee_rd, mn_rd, koopman_rr, mn_rr, mn_or, fm_or):
    _kernel.__doc__ = (_kernel.__doc__ or "").replace("    {parameters}\n", _PARAMETERS + "\n")

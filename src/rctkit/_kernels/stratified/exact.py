r"""The exact conditional common odds ratio of stratified 2x2 tables.

Conditioning on every stratum's margins, :math:`T = \sum_k a_k` follows the convolution of
the strata's noncentral hypergeometric distributions, with weights
:math:`c_t \psi^t` (:math:`c_t` the convolution of the central ones). The conditional MLE
solves :math:`E[T; \psi] = t`, the exact limits :math:`P(T \ge t; \psi) = \alpha/2` and
:math:`P(T \le t; \psi) = \alpha/2`, on the log scale by
:func:`rctkit._kernels.solvers.bracket` and :func:`rctkit._kernels.solvers.chandrupatla`;
the two-sided p-value at :math:`\psi = 1` sums the probabilities no greater than the
observed one (relative tolerance 1e-7), as R's ``mantelhaen.test(exact = TRUE)``.

*How the distribution is computed.* Only the points whose probability is within a factor
``1e-300`` of the largest matter to any of these numbers (a float64 sum cannot see the
rest), and for a stratum they lie within about 37 standard deviations of its mode. So each
stratum's distribution is computed, at a reference :math:`\psi_0`, on a window around its
mode, from the ratios of successive probabilities (no log-gamma differences, which lose
digits at large counts), and the window is widened until the tail beyond it is provably
below ``1e-300`` of the largest probability: the noncentral hypergeometric distribution is
log-concave, so beyond an edge where it decreases by a ratio :math:`r < 1` per step its tail
is at most the edge's probability times :math:`r / (1 - r)`. Strata with the same margins
share one distribution, raised to its multiplicity by repeated squaring. The convolutions
run in a scaled linear domain (``numpy.convolve``, direct sums of positive terms: no
cancellation), rescaled to a largest value of 1 and trimmed to the points above ``1e-300``
after each step. The distribution at another :math:`\psi` is the tilted
:math:`c_t (\psi/\psi_0)^t`; each root is checked to leave the window's edges below
``1e-260`` of its largest probability, and the distribution is recomputed around a root
that does not. The p-value uses a distribution computed at :math:`\psi = 1`; a p-value
below about ``1e-290`` (observed point outside that window) is returned as 0.

*Cost.* About :math:`\sum_k W_k W_{1..k}` multiply-adds per distribution (two or three are
computed), :math:`W \approx 77\sigma + 81` the width of a window for a standard deviation
:math:`\sigma` (at most the support), strata with the same margins counted once; it is
predicted before any work by :func:`exact_cost` and refused beyond :data:`MAX_EXACT_WORK`
or a window of more than :data:`MAX_EXACT_WIDTH` points.
"""

from __future__ import annotations

import math

import numpy as np

from rctkit import _special as special
from rctkit._kernels import restricted, solvers
from rctkit._kernels.common import FloatArray, IntArray, Interval
from rctkit.errors import CostLimitError

__all__ = ["MAX_EXACT_WIDTH", "MAX_EXACT_WORK", "exact_common_or", "exact_cost"]

#: The three equations solved: the MLE, the lower and the upper limit.
_MLE, _LOWER, _UPPER = 0, 1, 2

#: The most multiply-adds of the convolutions accepted, for the (up to) three distributions
#: computed: about 5 s at the 2e9 a second of ``numpy.convolve`` on one core.
MAX_EXACT_WORK = 10**10

#: The most points of one distribution (the root finding holds a few arrays of twice as many
#: float64 values, and its root finding takes about 5 s: about 100 MB at the limit).
MAX_EXACT_WIDTH = 1_000_000

#: Distributions of T counted in the predicted work: at psi = 1, around the estimate, and
#: one recomputation around a limit.
_DISTRIBUTIONS = 3
#: The fixed cost of one group of strata with equal margins, in multiply-adds (about 50 us).
_GROUP_WORK = 100_000

#: Log of the smallest probability kept, relative to the largest: 1e-300.
_LOG_CUT = -690.8
_CUT = 1e-300
#: The convolutions treat values below 1e-150 apart, scaled by 1e150 (see ``_convolve``).
_SPLIT = 1e-150
_UNSPLIT = 1e150
#: A window is first tried this many standard deviations (plus ``_PAD`` points) either side.
_REACH = 38.0
_PAD = 40
#: A tilted distribution covers a root when its edges lie below this relative to its top.
_LOG_COVERED = -600.0
#: Recomputations of the distribution around a root that the first one does not cover.
_MAX_RECENTRE = 6

Dist = tuple[int, FloatArray]  # (first point, log weights relative to their largest)


def _groups(n1: IntArray, n2: IntArray, m1: IntArray) -> tuple[IntArray, IntArray]:
    """Unique margins ``(n1, n2, m1)`` (rows of a (G, 3) array) in first-seen order, and
    how many strata share each."""
    margins = np.stack([n1, n2, m1], axis=1)
    unique, first, counts = np.unique(margins, axis=0, return_index=True, return_counts=True)
    order = np.argsort(first, kind="stable")
    return unique[order], counts[order]


def _fitted(n1: IntArray, n2: IntArray, m1: IntArray, log_psi: float) -> tuple[FloatArray, ...]:
    """Large-sample fitted ``A`` (close to the mode) and the variance of ``a`` at ``psi``."""
    fn1, fn2, fm = (np.asarray(x, dtype=np.float64) for x in (n1, n2, m1))
    with np.errstate(all="ignore"):
        psi = np.exp(np.clip(log_psi, -700.0, 700.0))
        big_a, big_b, big_c, big_d = restricted.odds_ratio_cells_at(
            np.asarray(psi),
            np.asarray(np.expm1(np.clip(log_psi, -700.0, 700.0))),
            fm,
            fn1,
            np.zeros_like(fm),
            fn2,
        )
        var = 1.0 / (1.0 / big_a + 1.0 / big_b + 1.0 / big_c + 1.0 / big_d)
    lo = np.maximum(0.0, fm - fn2)
    hi = np.minimum(fn1, fm)
    big_a = np.clip(np.where(np.isnan(big_a), lo, big_a), lo, hi)
    return big_a, np.where(np.isfinite(var) & (var > 0), var, 0.0)


def _width(var: FloatArray | float, support: FloatArray | float) -> FloatArray:
    """The predicted number of points kept for a distribution of this variance."""
    return np.minimum(support, 2.0 * (_REACH * np.sqrt(var) + _PAD) + 1.0)


def _log_steps(n1: int, n2: int, m1: int, x: IntArray, log_psi: float) -> FloatArray:
    """``log(p(x + 1) / p(x))`` of the noncentral hypergeometric distribution, from correctly
    rounded products of exact integers (counts are at most 1e12 < 2^53): about 3e-16 absolute
    error a step, where log-gamma differences lose about ``1e-16 n log(n)``."""
    up = (n1 - x).astype(np.float64) * (m1 - x).astype(np.float64)
    down = (x + 1).astype(np.float64) * (n2 - m1 + x + 1).astype(np.float64)
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(up / down) + log_psi, dtype=np.float64)


def _stratum(n1: int, n2: int, m1: int, mode: float, var: float, log_psi: float) -> Dist:
    """One stratum's distribution at ``psi`` on a window whose tails are below 1e-300."""
    lo, hi = max(0, m1 - n2), min(n1, m1)
    centre = min(max(round(mode), lo), hi)
    half = math.ceil(_REACH * math.sqrt(var)) + _PAD
    while True:
        u, v = max(lo, centre - half), min(hi, centre + half)
        x = np.arange(u, v, dtype=np.int64)
        logp = np.concatenate([[0.0], np.cumsum(_log_steps(n1, n2, m1, x, log_psi))])
        top = float(logp.max())
        logp -= top
        ok = True
        if v < hi:  # tail above v: p(v) r / (1 - r), r = p(v + 1) / p(v)
            step = float(_log_steps(n1, n2, m1, np.array([v]), log_psi)[0])
            ok = step < 0 and logp[-1] + step - math.log(-math.expm1(step)) < _LOG_CUT
        if ok and u > lo:  # tail below u: r = p(u - 1) / p(u)
            step = -float(_log_steps(n1, n2, m1, np.array([u - 1]), log_psi)[0])
            ok = step < 0 and logp[0] + step - math.log(-math.expm1(step)) < _LOG_CUT
        if ok:
            keep = np.flatnonzero(logp >= _LOG_CUT)
            return u + int(keep[0]), logp[keep[0] : keep[-1] + 1]
        if 2 * half + 1 > MAX_EXACT_WIDTH:  # never seen: exact_cost predicts the windows
            _refuse(math.inf, 4.0 * half + 1.0, 1)
        half *= 2


def _high(x: FloatArray) -> tuple[int, int]:
    """The run ``x[i:j]`` of values of at least ``_SPLIT`` (one run: log-concave, top 1)."""
    big = np.flatnonzero(x >= _SPLIT)
    return int(big[0]), int(big[-1]) + 1


def _convolve(p: tuple[int, FloatArray], q: tuple[int, FloatArray]) -> tuple[int, FloatArray]:
    """Convolve two scaled distributions; rescale to a largest value of 1 and trim.

    Products of two values below 1e-154 would fall among float64's subnormal numbers, which
    make the sums about 15 times slower. So the values of at least ``_SPLIT`` (1e-150) are
    convolved together, and each tail below it, scaled up by 1e150, with the other's values
    above it; the products of two tails (below 1e-300 of the top) are left out, as the points
    below 1e-300 are.
    """
    x, y = p[1], q[1]
    out = np.zeros(x.size + y.size - 1)
    i, j = _high(x)
    k, m = _high(y)
    out[i + k : j + m - 1] = np.convolve(x[i:j], y[k:m])
    for u, (a, b), v, (c, d) in ((x, (i, j), y, (k, m)), (y, (k, m), x, (i, j))):
        for start, stop in ((0, a), (b, u.size)):
            if stop > start:
                part = np.convolve(u[start:stop] * _UNSPLIT, v[c:d])
                with np.errstate(under="ignore"):
                    part *= _SPLIT
                out[start + c : start + c + part.size] += part
    out /= out.max()
    keep = np.flatnonzero(out >= _CUT)
    return p[0] + q[0] + int(keep[0]), out[keep[0] : keep[-1] + 1]


def _distribution(n1: IntArray, n2: IntArray, m1: IntArray, log_psi: float) -> Dist:
    """The distribution of ``T`` at ``psi``, as (first point, log weights), on the points
    within 1e-300 of the largest (the dropped mass is below 1e-290 of the total)."""
    margins, counts = _groups(n1, n2, m1)
    modes, variances = _fitted(margins[:, 0], margins[:, 1], margins[:, 2], log_psi)
    total: tuple[int, FloatArray] = (0, np.ones(1))
    for (g1, g2, gm), mult, mode, var in zip(
        margins.tolist(), counts.tolist(), modes.tolist(), variances.tolist(), strict=True
    ):
        start, logp = _stratum(g1, g2, gm, mode, var, log_psi)
        base = (start, np.exp(logp))
        while mult:
            if mult & 1:
                total = _convolve(total, base)
            mult >>= 1
            if mult:
                base = _convolve(base, base)
    with np.errstate(divide="ignore"):
        return total[0], np.log(total[1])


def exact_cost(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> tuple[float, float]:
    """Predicted multiply-adds of the convolutions (three distributions of ``T``) and the
    widest window.

    The larger of the predictions at :math:`\\psi = 1` and at the large-sample estimate (where
    the strata's fitted counts add up to the observed ``T``), from the windows' widths
    :math:`W \\approx 77\\sigma + 81`; strata with the same margins are raised to their
    multiplicity by repeated squaring, about :math:`2 W^2` for the power.
    """
    m1 = a + c
    margins, counts = _groups(n1, n2, m1)
    support = np.minimum(margins[:, 0], margins[:, 2]) - np.maximum(
        0, margins[:, 2] - margins[:, 1]
    )
    support = support.astype(np.float64) + 1.0
    work = width = 0.0
    for log_psi in (0.0, _centre(a, n1, c, n2)):
        _, var = _fitted(margins[:, 0], margins[:, 1], margins[:, 2], log_psi)
        power = _width(counts * var, counts * (support - 1.0) + 1.0)
        single = _width(var, support)
        total_var = np.cumsum(counts * var)
        total_support = np.cumsum(counts * (support - 1.0)) + 1.0
        before = np.concatenate([[1.0], _width(total_var, total_support)[:-1]])
        squaring = np.where(counts > 1, 2.0 * power**2, 0.0)
        # Each group also costs a few numpy calls, counted as _GROUP_WORK multiply-adds.
        per_distribution = float(np.sum(squaring + before * power)) + _GROUP_WORK * counts.size
        work = max(work, _DISTRIBUTIONS * per_distribution)
        width = max(width, float(np.max(np.maximum(single, power))), float(before[-1]))
    return work, width


def _centre(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> float:
    """``log psi`` where the strata's fitted counts add up to the observed ``T`` (kept off
    the ends of the support), a point near the conditional MLE."""
    m1 = a + c
    lows = np.maximum(0, m1 - n2)
    highs = np.minimum(n1, m1)
    t = float(a.sum())
    target = min(max(t, float(lows.sum()) + 0.5), float(highs.sum()) - 0.5)
    if highs.sum() - lows.sum() < 1:
        return 0.0

    def excess(log_psi: FloatArray) -> FloatArray:
        out = [float(_fitted(n1, n2, m1, float(x))[0].sum()) - target for x in log_psi]
        return np.asarray(out, dtype=np.float64)

    lo, hi, f_lo, f_hi, found = solvers.bracket(excess, np.zeros(1), 1.0, low=-700.0, high=700.0)
    if not found[0]:
        return 0.0
    x, _ = solvers.chandrupatla(excess, lo, hi, f_low=f_lo, f_high=f_hi, xrtol=1e-8)
    return float(x[0]) if math.isfinite(float(x[0])) else 0.0


def _refuse(work: float, width: float, k: int) -> None:
    strata = "1 stratum" if k == 1 else f"{k:,} strata"
    raise CostLimitError(
        f'`method="exact"` would take about {work:.2g} multiply-adds and windows of up to '
        f"{width:,.0f} points for these {strata}, more than the limits of "
        f"{MAX_EXACT_WORK:.0e} and {MAX_EXACT_WIDTH:,} (the work grows with the strata's "
        'sizes times their standard deviations): use method="mh" or method="mn", whose '
        "intervals are accurate at these sizes"
    )


def _tilted(dist: Dist, centre: float, log_psi: FloatArray, t: int) -> FloatArray:
    """Log weights at each ``psi`` (rows), relative offsets from ``t``."""
    offsets = np.arange(dist[0], dist[0] + dist[1].size, dtype=np.float64) - t
    return np.asarray(
        dist[1][np.newaxis, :] + (log_psi - centre)[:, np.newaxis] * offsets[np.newaxis, :],
        dtype=np.float64,
    )


def _solve(dist: Dist, centre: float, which: int, t: int, log_half: float) -> float:
    """One root (the MLE or a limit) on one distribution, in log psi."""
    i_obs = t - dist[0]
    offsets = np.arange(dist[0], dist[0] + dist[1].size, dtype=np.float64) - t

    def equation(log_psi: FloatArray) -> FloatArray:
        lp = _tilted(dist, centre, log_psi, t)
        lse = special.logsumexp(lp, axis=1)
        if which == _MLE:
            return np.asarray((np.exp(lp - lse[:, np.newaxis]) * offsets).sum(axis=1))
        part = lp[:, max(i_obs, 0) :] if which == _LOWER else lp[:, : max(i_obs + 1, 0)]
        if part.shape[1] == 0:
            tail = np.full(log_psi.size, -np.inf)
        else:
            tail = special.logsumexp(part, axis=1) - lse
        return np.asarray(tail - log_half if which == _LOWER else log_half - tail)

    lo, hi, f_lo, f_hi, _ = solvers.bracket(equation, np.array([centre]), 1.0)
    x, _ = solvers.chandrupatla(equation, lo, hi, f_low=f_lo, f_high=f_hi)
    return float(x[0])


def _covers(dist: Dist, centre: float, log_psi: float, t: int, bounds: tuple[int, int]) -> bool:
    """Whether the window holds the distribution tilted to ``psi`` and the point ``t``."""
    if not math.isfinite(log_psi):
        return False
    lp = _tilted(dist, centre, np.array([log_psi]), t)[0]
    top = float(lp.max())
    last = dist[0] + dist[1].size - 1
    left = dist[0] == bounds[0] or lp[0] - top < _LOG_COVERED
    right = last == bounds[1] or lp[-1] - top < _LOG_COVERED
    return left and right and dist[0] <= t <= last


def exact_common_or(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float
) -> Interval:
    """The conditional MLE of the common odds ratio, its exact interval and exact p-value.

    Parameters
    ----------
    a, n1, c, n2 : numpy.ndarray of int64
        One stratified data set: the strata's counts, 1-D, validated.
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    Interval
        0-d arrays. The estimate is 0 (infinite) when ``T`` is at the bottom (top) of its
        support, and nan with the interval [0, inf] when the support is one point.

    Raises
    ------
    CostLimitError
        When :func:`exact_cost` predicts more than :data:`MAX_EXACT_WORK` multiply-adds or a
        window wider than :data:`MAX_EXACT_WIDTH` points (before any work).
    """
    m1 = a + c
    lows = np.maximum(0, m1 - n2)
    highs = np.minimum(n1, m1)
    bounds = (int(lows.sum()), int(highs.sum()))
    t = int(a.sum())
    if bounds[0] == bounds[1]:
        nan = np.asarray(math.nan)
        return Interval(nan, np.asarray(0.0), np.asarray(math.inf), np.asarray(1.0))
    work, width = exact_cost(a, n1, c, n2)
    if work > MAX_EXACT_WORK or width > MAX_EXACT_WIDTH:
        _refuse(work, width, a.size)
    log_half = math.log((1.0 - level) / 2)

    # The p-value at psi = 1, by R's rule.
    start, logc = _distribution(n1, n2, m1, 0.0)
    if start <= t < start + logc.size:
        kept = logc[logc <= logc[t - start] + math.log1p(1e-7)]
        pvalue = float(np.exp(special.logsumexp(kept) - special.logsumexp(logc)))
    else:
        pvalue = 0.0  # the observed point is below 1e-300 of the largest probability

    wanted = []
    if t > bounds[0]:
        wanted += [_MLE, _LOWER]
    if t < bounds[1]:
        wanted.append(_UPPER)
    roots = np.full(3, np.nan)
    centre = _centre(a, n1, c, n2)
    dists: dict[float, Dist] = {0.0: (start, logc)}
    for which in wanted:
        for _ in range(_MAX_RECENTRE):
            dist = dists.get(centre)
            if dist is None:
                dist = dists[centre] = _distribution(n1, n2, m1, centre)
            root = _solve(dist, centre, which, t, log_half)
            if _covers(dist, centre, root, t, bounds):
                break
            centre = root if math.isfinite(root) else centre
        roots[which] = root
    with np.errstate(over="ignore"):  # a limit beyond exp(709) is infinite
        estimate, low, high = (float(v) for v in np.exp(roots))
    if t == bounds[0]:
        estimate, low = 0.0, 0.0
    if t == bounds[1]:
        estimate, high = math.inf, math.inf
    return Interval(
        np.asarray(estimate), np.asarray(low), np.asarray(high), np.asarray(min(1.0, pvalue))
    )

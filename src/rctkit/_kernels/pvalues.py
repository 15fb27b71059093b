"""Hypothesis-test kernels for the two-arm table.

Every kernel returns ``(statistic, pvalue)``; ``statistic`` is None for tests without one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from rctkit import _special as special
from rctkit import _warnings
from rctkit._kernels import hypergeom
from rctkit._kernels.common import BoolArray, FloatArray, IntArray, TestKernel, cross_difference

#: R's fisher.test counts tables whose probability is within this relative tolerance of the
#: observed one as "no more likely" than it.
FISHER_RELATIVE_TOLERANCE = 1e-7


def _empty_margin(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> FloatArray:
    events = a + c
    empty = (events == 0) | (events == n1 + n2)
    _warnings.warn_where(
        empty,
        "has no events, or only events, in both arms together: the chi-squared statistic is "
        "0 and the p-value 1",
    )
    return np.asarray(empty)


def _chi2(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, *, yates: bool) -> FloatArray:
    """Pearson's statistic ``N (|ad - bc| - correction)^2 / (n1 n2 m1 m0)``.

    The Yates correction is R's: ``N * min(0.5, |ad - bc| / N)`` is taken from ``|ad - bc|``.
    """
    empty = _empty_margin(a, n1, c, n2)
    n = np.asarray(n1 + n2, dtype=np.float64)
    m1 = np.asarray(a + c, dtype=np.float64)
    m0 = n - m1
    diff = np.abs(cross_difference(a, n1, c, n2))
    if yates:
        diff = diff - np.minimum(0.5 * n, diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Divide step by step: the product of the four margins overflows nothing this way.
        stat = (diff / n1) * (diff / n2) * (n / m1) / m0
    return np.where(empty, 0.0, stat)


def _chi2_1df_sf(stat: FloatArray) -> FloatArray:
    """Upper tail of chi-squared with 1 degree of freedom, ``erfc(sqrt(x / 2))``.

    X^2 on one degree of freedom is a squared standard normal variable. Written as
    ``erfcx(sqrt(x / 2)) * exp(-x / 2)`` it keeps full precision into the far tail (within
    3e-16 of mpmath up to x = 1400, where ``scipy.special.chdtrc(1, x)`` is off by up to
    1e-13 and returns 0 from x = 1425 on) and costs a small fraction of ``chdtrc``.
    """
    return np.asarray(special.erfcx(np.sqrt(0.5 * stat)) * np.exp(-0.5 * stat), dtype=np.float64)


def chi2(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    """Pearson's chi-squared test without continuity correction (1 degree of freedom)."""
    stat = _chi2(a, n1, c, n2, yates=False)
    return stat, _chi2_1df_sf(stat)


def chi2_yates(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    """Pearson's chi-squared test with Yates's continuity correction, as R's chisq.test."""
    stat = _chi2(a, n1, c, n2, yates=True)
    return stat, _chi2_1df_sf(stat)


def _beta_logpmf(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    m0 = n - m1
    betaln = special.betaln
    return np.asarray(
        betaln(m1 + 1, 1)
        + betaln(m0 + 1, 1)
        + betaln(n - n1 + 1, n1 + 1)
        - betaln(x + 1, m1 - x + 1)
        - betaln(n1 - x + 1, m0 - n1 + x + 1)
        - betaln(n + 1, 1),
        dtype=np.float64,
    )


def _beta_log_kernel(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    betaln = special.betaln
    return np.asarray(
        -betaln(x + 1, m1 - x + 1) - betaln(n1 - x + 1, n - m1 - n1 + x + 1), dtype=np.float64
    )


def _by_size(
    small: Callable[[IntArray, IntArray, IntArray, IntArray], FloatArray],
    x: IntArray,
    n: IntArray,
    m1: IntArray,
    n1: IntArray,
) -> FloatArray:
    """``small`` for tables of at most :data:`hypergeom.LARGE_N` participants, and the
    saddle-point :func:`hypergeom.logpmf` (accurate at every size) above."""
    x, n, m1, n1 = np.broadcast_arrays(x, n, m1, n1)
    large = n > hypergeom.LARGE_N
    if not np.any(large):
        return small(x, n, m1, n1)
    out = np.empty(x.shape)
    out[large] = hypergeom.logpmf(x[large], n[large], m1[large], n1[large])
    if not np.all(large):
        rest = ~large
        out[rest] = small(x[rest], n[rest], m1[rest], n1[rest])
    return out


def _hypergeom_logpmf(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    """Log probability of ``x`` treatment-arm events given the margins (null hypothesis).

    Up to :data:`hypergeom.LARGE_N` participants, the beta-function form of
    :func:`scipy.stats.hypergeom.logpmf`, called directly: the bisection below evaluates it
    many times, and scipy's argument handling would dominate the cost. Above, the
    beta-function form's absolute error (about 1e-16 n) would pass Fisher's 1e-7 tolerance,
    and :func:`hypergeom.logpmf` takes over.
    """
    return _by_size(_beta_logpmf, x, n, m1, n1)


def _hypergeom_log_kernel(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    """The log probability up to terms that do not depend on ``x``.

    Comparing tables of one margin needs only this. For small tables it is the two
    beta-function terms that depend on ``x``: the other four are the same for every ``x``
    and cancel, and leaving them out also leaves out their rounding. For large ones it is
    the whole saddle-point log probability.
    """
    return _by_size(_beta_log_kernel, x, n, m1, n1)


def _bisect_integers(
    ok: IntArray, bad: IntArray, satisfies: Callable[[IntArray], BoolArray], skip: BoolArray
) -> IntArray:
    """Bisect between integers, element by element, for the edge of a monotone condition.

    ``ok`` holds points that satisfy the condition and ``bad`` points that do not; both move
    towards each other until adjacent, and the final ``ok`` is returned. Elements where
    ``skip`` is true are left alone.
    """
    while True:
        active = ~skip & (np.abs(bad - ok) > 1)
        if not np.any(active):
            return ok
        mid = (ok + bad) // 2
        good = satisfies(mid)
        ok = np.where(active & good, mid, ok)
        bad = np.where(active & ~good, mid, bad)


def fisher(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    """Fisher's exact test, conditional on both margins.

    Under the null hypothesis the treatment-arm events ``a`` follow the hypergeometric
    distribution with ``N = n1 + n2`` participants, ``m1 = a + c`` events and ``n1`` draws.
    The two-sided p-value is, as in R's fisher.test, the total probability of the tables no
    more likely than the observed one, where "no more likely" allows a relative tolerance of
    1e-7. The distribution is unimodal, so those tables form its two tails: each tail's edge is
    found by bisection on the log probability, vectorised across tables, and the tails are
    summed with the hypergeometric CDF, so the cost grows with log(N), not with N.

    Accuracy: within 2e-10 relative of R on the reference tables (N up to 2e6). Above
    :data:`hypergeom.LARGE_N` participants the probabilities and tails come from
    :mod:`rctkit._kernels.hypergeom` (scipy's CDF loses digits as N grows); the p-value is
    then within about 1e-6 relative of an mpmath sum up to ``MAX_COUNT`` per arm.
    """
    n = n1 + n2
    m1 = a + c
    if alternative == "less":
        return None, hypergeom.lower_tail(a, n, m1, n1)
    if alternative == "greater":
        return None, hypergeom.upper_tail(a, n, m1, n1)
    fisher_p, _ = fisher_and_strict_tails(a, n1, c, n2, strict=False)
    return None, fisher_p


def fisher_and_strict_tails(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, *, strict: bool
) -> tuple[FloatArray, FloatArray | None]:
    """Fisher's two-sided p, and (if ``strict``) the mass of the tables less probable than ``a``.

    Fisher's p counts the tables ``x`` with ``f(x) <= f(a) (1 + 1e-7)``; "less probable" uses
    the tolerance the other way round, ``f(x) (1 + 1e-7) < f(a)``, so that the difference is
    the observed table and the tables tied with it (the two-sided mid-p is the average of the
    two). Both sets are the two tails of the unimodal null distribution. Fisher's edges are
    found by bisection; the strict edges lie at or just inside them (one step when only
    ``a`` is tied), and a bisection runs only for the tables with more ties than that. All
    four tails are summed directly by one hypergeometric CDF call.
    """
    n = n1 + n2
    m1 = a + c
    support_low = np.maximum(0, n1 - (n - m1))
    support_high = np.minimum(n1, m1)
    mode = hypergeom.mode(n, m1, n1)  # no int64 product: (n1 + 1)(m1 + 1) passes 2^63
    kernel = _hypergeom_log_kernel
    log_a = kernel(a, n, m1, n1)
    threshold = log_a + math.log1p(FISHER_RELATIVE_TOLERANCE)
    whole = kernel(mode, n, m1, n1) <= threshold
    # Both tails in one bisection: row 0 the left tail, row 1 the right tail.
    n_, m1_, n1_, threshold_, whole_ = (np.stack([v, v]) for v in (n, m1, n1, threshold, whole))
    outside = np.stack([support_low - 1, support_high + 1])
    mode_ = np.stack([mode, mode])

    def below(x: IntArray) -> BoolArray:
        return np.asarray(kernel(x, n_, m1_, n1_) <= threshold_)

    # Left tail: the largest x in [support_low, mode) whose probability is at most the
    # threshold (support_low - 1 when there is none); the pmf increases up to the mode.
    # Right tail: the smallest x in (mode, support_high] at or below the threshold.
    edge = _bisect_integers(outside, mode_, below, whole_)
    edges = [edge]
    if strict:
        edges.append(_strict_edges(edge, outside, mode_, whole_, n_, m1_, n1_, log_a))
    # P(X >= right) is P(n1 - X <= n1 - right) for the arm's non-events: one CDF call.
    x = np.stack([v for e in edges for v in (e[0], n1 - e[1])])
    both = hypergeom.lower_tail(
        x,
        np.stack([n] * x.shape[0]),
        np.stack([m1, n - m1] * len(edges)),
        np.stack([n1] * x.shape[0]),
    )
    fisher_p = np.where(whole, 1.0, np.minimum(both[0] + both[1], 1.0))
    strict_p = both[2] + both[3] if strict else None
    return np.asarray(fisher_p, dtype=np.float64), strict_p


def _strict_edges(
    edge: IntArray,
    outside: IntArray,
    mode: IntArray,
    whole: BoolArray,
    n: IntArray,
    m1: IntArray,
    n1: IntArray,
    log_a: FloatArray,
) -> IntArray:
    """The edges of the tails ``f(x) (1 + 1e-7) < f(a)``, from Fisher's edges (rows as theirs)."""
    kernel = _hypergeom_log_kernel
    shape = edge.shape
    # Rows 0 and 1 (left and right tails) of flat columns, whatever the tables' shape.
    edge, outside, mode = edge.reshape(2, -1), outside.reshape(2, -1), mode.reshape(2, -1)
    whole = whole.reshape(2, -1)
    n, m1, n1 = n.reshape(2, -1), m1.reshape(2, -1), n1.reshape(2, -1)
    threshold = np.reshape(np.stack([log_a, log_a]), (2, -1)) - math.log1p(
        FISHER_RELATIVE_TOLERANCE
    )
    outward = np.where(np.arange(2)[:, None] == 0, -1, 1)
    result = np.array(edge)
    found = np.zeros(edge.shape, dtype=bool)
    # Fisher's edge, then the point one step further out, when it is strictly less probable
    # (or lies outside the support, where the tail is empty).
    for candidate in (edge, edge + outward):
        at_outside = candidate == outside
        safe = np.where(at_outside, mode, candidate)
        ok = ~found & ~whole & (at_outside | (kernel(safe, n, m1, n1) < threshold))
        result = np.where(ok, candidate, result)
        found |= ok
    rest = np.flatnonzero(~found)
    if rest.size:
        i, j = np.unravel_index(rest, edge.shape)
        sub = (n[i, j], m1[i, j], n1[i, j], threshold[i, j])

        def below(x: IntArray) -> BoolArray:
            return np.asarray(kernel(x, sub[0], sub[1], sub[2]) < sub[3])

        result[i, j] = _bisect_integers(
            outside[i, j], mode[i, j], below, np.zeros(rest.size, dtype=bool)
        )
    return np.reshape(result, shape)


TESTS: dict[str, TestKernel] = {"chi2": chi2, "chi2-yates": chi2_yates, "fisher": fisher}

#: Which alternatives each test defines.
TEST_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "chi2": ("two-sided",),
    "chi2-yates": ("two-sided",),
    "fisher": ("two-sided", "less", "greater"),
}

r"""The exact conditional interval and test of an incidence rate ratio (two Poisson counts).

Conditional on the total :math:`k = e_1 + e_2`, the treatment events are binomial with
probability :math:`p = RR\,T_1 / (RR\,T_1 + T_2)`; the Clopper-Pearson limits of :math:`p`
give the exact limits of :math:`RR`, and the p-value is the two-sided binomial test of
:math:`p_0 = T_1 / (T_1 + T_2)` (the minimum-likelihood rule of R's ``poisson.test``).

Arithmetic. The limits are :math:`RR = \mathrm{odds}(p)\,T_2/T_1`. The odds are formed from
two quantiles, :math:`p` and :math:`1 - p` (the upper quantile of the mirrored beta law),
never from ``1 - p`` in floating point, which loses every digit when :math:`p` is within
:math:`10^{-12}` of 1 (all events in one arm, counts near ``MAX_COUNT``). The binomial test
uses whichever of :math:`p_0` and :math:`1 - p_0` is smaller, formed from the exposure ratio,
for the same reason. The other tail's boundary is found by bisection on the binomial
probabilities (at most about 42 steps for counts up to :math:`2 \times 10^{12}`), so the cost
of a table does not grow with its counts, and the tables of an array are done together.
"""

from __future__ import annotations

import numpy as np

from rctkit._kernels.common import BoolArray, FloatArray

#: R's binom.test counts outcomes whose probability is within this relative tolerance of the
#: observed one as "no more likely" than it.
BINOMIAL_RELATIVE_TOLERANCE = 1e-7


def _first_true(lo: FloatArray, hi: FloatArray, true_at: _Predicate) -> FloatArray:
    """Smallest integer ``y`` in ``[lo, hi)`` where the predicate holds, else ``hi``.

    The predicate must be monotone (false, then true) on ``[lo, hi)``; all arrays are
    float64 holding integers below 2**52, so the midpoints are exact.
    """
    lo, hi = lo.copy(), hi.copy()
    active = lo < hi
    while np.any(active):
        idx = np.flatnonzero(active)
        mid = np.floor(0.5 * (lo[idx] + hi[idx]))
        ok = true_at(mid, idx)
        hi[idx] = np.where(ok, mid, hi[idx])
        lo[idx] = np.where(ok, lo[idx], mid + 1.0)
        active = lo < hi
    return hi


class _Predicate:
    """``pmf(y) <= threshold`` for a subset of the tables (indices into the full arrays)."""

    def __init__(self, n: FloatArray, p: FloatArray, threshold: FloatArray, flip: bool):
        self.n, self.p, self.threshold, self.flip = n, p, threshold, flip

    def __call__(self, y: FloatArray, idx: np.ndarray) -> BoolArray:
        from scipy import stats

        n = self.n[idx]
        # Searching downwards from the mode is a search upwards in n - y.
        k = n - y if self.flip else y
        below = stats.binom.pmf(k, n, self.p[idx]) <= self.threshold[idx]
        return np.asarray(below)


def binomial_two_sided(x: FloatArray, n: FloatArray, p: FloatArray) -> FloatArray:
    """R's ``binom.test`` two-sided p-value of ``x`` successes in ``n`` trials at ``p``.

    Outcomes whose probability is at most ``1 + 1e-7`` times that of ``x`` are as extreme;
    ``x == n p`` gives 1. ``n >= 1`` and ``0 < p < 1``, all float64 arrays of one shape.
    """
    from scipy import stats

    d = stats.binom.pmf(x, n, p)
    threshold = d * (1.0 + BINOMIAL_RELATIVE_TOLERANCE)
    m = n * p
    pvalue = np.ones_like(d)
    low_side = np.flatnonzero(x < m)
    if low_side.size:
        # pmf is non-increasing on [ceil(m), n]: the far tail starts at the first y there with
        # pmf(y) <= threshold (n + 1 if none).
        nn, pp, tt = n[low_side], p[low_side], threshold[low_side]
        start = np.ceil(m[low_side])
        y = _first_true(start, nn + 1.0, _Predicate(nn, pp, tt, flip=False))
        far = np.where(y > nn, 0.0, stats.binom.sf(y - 1.0, nn, pp))
        pvalue[low_side] = stats.binom.cdf(x[low_side], nn, pp) + far
    high_side = np.flatnonzero(x > m)
    if high_side.size:
        # pmf is non-decreasing on [0, floor(m)]: the far tail ends at the last y there with
        # pmf(y) <= threshold (-1 if none); searched as the first n - y from n - floor(m) up.
        nn, pp, tt = n[high_side], p[high_side], threshold[high_side]
        start = nn - np.floor(m[high_side])
        z = _first_true(start, nn + 1.0, _Predicate(nn, pp, tt, flip=True))
        y = nn - z
        far = np.where(y < 0.0, 0.0, stats.binom.cdf(y, nn, pp))
        pvalue[high_side] = far + stats.binom.sf(x[high_side] - 1.0, nn, pp)
    return np.asarray(np.minimum(pvalue, 1.0), dtype=np.float64)


def exact_rate_ratio(
    e1: FloatArray,
    e2: FloatArray,
    t1: FloatArray,
    t2: FloatArray,
    level: float,
    alternative: str = "two-sided",
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Rate ratio ``(e1/t1)/(e2/t2)``, its exact limits and p-value, for validated inputs.

    Counts ``e1``, ``e2`` (float64 holding integers up to ``MAX_COUNT``) and positive
    exposures ``t1``, ``t2`` whose ratio is within ``[1e-100, 1e100]``, arrays of one shape.
    With no events at all the ratio is undefined: ``(nan, 0, inf, 1)``. With no treatment
    events the estimate and lower limit are 0; with no control events the estimate and upper
    limit are infinite. ``alternative="less"`` gives the interval ``[0, upper]`` and the
    p-value ``P(X <= e1)``; ``"greater"`` gives ``[lower, inf]`` and ``P(X >= e1)`` (each limit
    at ``1 - level``), as R's ``poisson.test``.
    """
    # scipy.stats is imported where it is first needed: it costs more than all of rctkit.
    from scipy import stats

    k = e1 + e2
    q = (1.0 - level) if alternative != "two-sided" else 0.5 * (1.0 - level)
    scale = t2 / t1
    some = k > 0
    # Clopper-Pearson: p_low has P(X >= e1 | p_low) = q, i.e. it is the q quantile of
    # Beta(e1, k - e1 + 1), and 1 - p_low the upper q quantile of Beta(k - e1 + 1, e1).
    # Arguments are clamped to 1 where a limit is fixed (0 or 1) so that scipy sees valid
    # parameters; those entries are replaced below.
    a_lo, b_lo = np.maximum(e1, 1.0), np.maximum(k - e1 + 1.0, 1.0)
    odds_low = stats.beta.ppf(q, a_lo, b_lo) / stats.beta.isf(q, b_lo, a_lo)
    a_hi, b_hi = np.maximum(e1 + 1.0, 1.0), np.maximum(k - e1, 1.0)
    odds_high = stats.beta.isf(q, a_hi, b_hi) / stats.beta.ppf(q, b_hi, a_hi)
    low = np.where(e1 == 0, 0.0, odds_low * scale)
    high = np.where(e2 == 0, np.inf, odds_high * scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.where(e2 == 0, np.where(e1 == 0, np.nan, np.inf), e1 * scale / e2)
    # The conditional binomial test, on the arm with the smaller null probability.
    p0 = 1.0 / (1.0 + scale)
    q0 = scale / (1.0 + scale)
    treatment_smaller = p0 <= q0
    x = np.where(treatment_smaller, e1, e2)
    prob = np.where(treatment_smaller, p0, q0)
    pvalue = np.ones_like(estimate)
    if np.any(some) and alternative == "two-sided":
        pvalue[some] = binomial_two_sided(x[some], k[some], prob[some])
    elif np.any(some):
        # P(X1 <= e1) is P(X2 >= e2) on the other arm, and P(X1 >= e1) is P(X2 <= e2).
        lower_tail = treatment_smaller == (alternative == "less")
        xs, ks, ps, lt = x[some], k[some], prob[some], lower_tail[some]
        pvalue[some] = np.where(lt, stats.binom.cdf(xs, ks, ps), stats.binom.sf(xs - 1.0, ks, ps))
    if alternative == "less":
        low = np.zeros_like(low)
    elif alternative == "greater":
        high = np.full_like(high, np.inf)
    low = np.where(some, low, 0.0)
    high = np.where(some, high, np.inf)
    return (
        np.asarray(estimate, dtype=np.float64),
        np.asarray(low, dtype=np.float64),
        np.asarray(high, dtype=np.float64),
        pvalue,
    )

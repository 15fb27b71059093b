"""Tests against a margin: score, Wald and Newcombe tests of a non-null effect, vectorised.

Each test here has a matching two-sided interval (the one it inverts), and the one-sided test
at ``alpha`` rejects exactly when the interval at ``1 - 2 alpha`` lies beyond the margin on
the relevant side:

* ``"mn"``: the Miettinen-Nurminen score statistic, the variance times ``N / (N - 1)``
  (interval: the ``"mn"`` interval of each measure);
* ``"fm"``: the Farrington-Manning score statistic, the same without the factor (interval:
  Mee's for the risk difference, Koopman's for the risk ratio, :func:`score.fm_or` for the
  odds ratio);
* ``"wald"``: the unconstrained variance (interval: Wald, Katz's log, Woolf's logit);
* ``"newcombe"`` (risk difference only): no statistic of its own; the signed ``z`` at which
  Newcombe's hybrid score limit touches the margin.

The score statistics are those whose roots are the score intervals' limits
(:mod:`rctkit._kernels.score`), on the constrained fits of :mod:`rctkit._kernels.restricted`:
there is one constrained MLE in the library, and the test and its interval cannot drift
apart. Every statistic is signed so that it is positive where the estimate lies above the
tested value; ``ndtr(-z)`` is then the p-value against "above" and ``ndtr(z)`` against
"below".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

import attrs
import numpy as np

from rctkit import _special as special
from rctkit._kernels import closed_form, score, solvers, unconditional_ci
from rctkit._kernels.common import (
    BoolArray,
    EffectKernel,
    FloatArray,
    IntArray,
    Interval,
    as_float,
    cross_difference,
)
from rctkit._validation import MARGIN_NULLS

__all__ = [
    "INTERVALS",
    "MEASURES",
    "METHODS",
    "NULL",
    "MarginArrays",
    "equivalence",
    "fm_test",
    "interval",
    "mn_test",
    "noninferiority",
    "one_sided_pvalues",
    "score_test",
    "statistic",
]

#: The value of no effect on each measure's scale.
NULL: Mapping[str, float] = MappingProxyType(MARGIN_NULLS)

#: The interval that each method's test inverts, by measure.
INTERVALS: Mapping[str, Mapping[str, EffectKernel]] = MappingProxyType(
    {
        "risk_difference": MappingProxyType(
            {
                "mn": score.mn_rd,
                "fm": score.mee_rd,
                "wald": closed_form.wald_rd,
                "newcombe": closed_form.newcombe,
                "exact": unconditional_ci.chan_zhang_rd,
            }
        ),
        "risk_ratio": MappingProxyType(
            {
                "mn": score.mn_rr,
                "fm": score.koopman_rr,
                "wald": closed_form.wald_rr,
                "exact": unconditional_ci.chan_zhang_rr,
            }
        ),
        "odds_ratio": MappingProxyType(
            {"mn": score.mn_or, "fm": score.fm_or, "wald": closed_form.wald_or}
        ),
    }
)

#: The methods, in the order they are listed.
METHODS = ("mn", "fm", "wald", "newcombe", "exact")

#: The measures, in the order they are listed.
MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")

#: Newcombe's p-value: the quantile searched up to this (ndtr(-40) is below 1e-300).
_Z_MAX = 40.0


@attrs.frozen(eq=False)
class MarginArrays:
    """What the margin kernels return, arrays of the tables' shape.

    ``statistic`` is nan where the method has none (a Wald ratio with a zero cell).
    """

    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    statistic: FloatArray
    pvalue: FloatArray
    rejected: BoolArray


def _from_bounded(t: FloatArray) -> FloatArray:
    """The score statistic ``z`` from the bounded form ``t = z / sqrt(1 + z**2)``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = t / np.sqrt((1.0 - t) * (1.0 + t))
    return np.asarray(np.where(np.abs(t) >= 1.0, np.copysign(np.inf, t), z), dtype=np.float64)


def _score(
    measure: str,
    mn: bool,
    value: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
) -> FloatArray:
    """The Farrington-Manning (``mn`` false) or Miettinen-Nurminen score statistic at
    ``value``, through the very functions whose roots are the score intervals' limits."""
    n = fn1 + fn2
    k = n / (n - 1.0) if mn else np.ones_like(n)
    zero = np.zeros_like(fa)
    with np.errstate(all="ignore"):
        if measure == "risk_difference":
            estimate = cross_difference(a, n1, c, n2) / (fn1 * fn2)
            t = score._rd_bounded(value, fa, fn1, fc, fn2, estimate, k, zero)
        elif measure == "risk_ratio":
            t = score._rr_bounded(np.log(value), fa, fn1, fc, fn2, k, zero)
        else:
            t = score._or_bounded(np.log(value), fa, fn1, fc, fn2, k, zero)
    return _from_bounded(t)


def _wald(measure: str, value: FloatArray, result: Interval) -> FloatArray:
    """The Wald statistic at ``value`` from the Wald interval's estimate and standard error:
    nan where the standard error is infinite (a zero cell of a ratio); +-inf where it is 0."""
    se = result.std_error if result.std_error is not None else np.full_like(value, np.nan)
    with np.errstate(all="ignore"):
        if measure == "risk_difference":
            diff = result.estimate - value
        else:
            diff = np.log(result.estimate) - np.log(value)
        z = np.where(se == 0.0, np.where(diff == 0.0, 0.0, np.copysign(np.inf, diff)), diff / se)
    return np.asarray(np.where(np.isfinite(se) & ~np.isnan(diff), z, np.nan), dtype=np.float64)


def _newcombe_gap(
    z: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    distance: FloatArray,
    lower: BoolArray,
) -> FloatArray:
    """Newcombe's half width at quantile ``z`` (lower side where ``lower``) minus ``distance``."""
    below, above = closed_form._wilson_distances(
        np.array((fa, fc)),
        np.array((fn1, fn2)),
        z,  # type: ignore[arg-type]  # elementwise: an array of quantiles works as one
        False,
    )
    half = np.where(lower, np.hypot(below[0], above[1]), np.hypot(above[0], below[1]))
    return np.asarray(half - distance, dtype=np.float64)


def _newcombe(
    value: FloatArray, fa: FloatArray, fn1: FloatArray, fc: FloatArray, fn2: FloatArray
) -> FloatArray:
    """The signed quantile at which Newcombe's interval touches ``value``.

    Where ``value`` lies below the estimate it is the ``z > 0`` at which the lower limit
    equals it; above, minus the ``z`` at which the upper limit does; 0 at the estimate; and
    +-inf where even ``z = 40`` leaves the limit beyond the value. The half widths grow with
    ``z``, so ``ndtr(-z)`` rejects at ``alpha`` exactly when the interval at
    ``1 - 2 alpha`` excludes ``value`` on that side.
    """
    estimate = fa / fn1 - fc / fn2
    distance = np.abs(estimate - value)
    lower = value < estimate
    sign = np.where(lower, 1.0, -1.0)
    ends = np.zeros_like(distance), np.full_like(distance, _Z_MAX)
    params = (fa, fn1, fc, fn2, distance, lower)
    f_low = -distance
    f_high = _newcombe_gap(ends[1], *params)
    inside = (distance > 0.0) & (f_high > 0.0)
    z = np.where(distance == 0.0, 0.0, np.inf)
    if inside.any():
        idx = np.flatnonzero(inside)
        root, _ = solvers.chandrupatla(
            _newcombe_gap,
            ends[0][idx],
            ends[1][idx],
            args=tuple(p[idx] for p in params),
            f_low=f_low[idx],
            f_high=f_high[idx],
            xrtol=4.0 * np.finfo(float).eps,
            xatol=1e-15,
        )
        z[idx] = root
    return np.asarray(sign * z, dtype=np.float64)


def interval(
    measure: str,
    method: str,
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    level: float,
) -> Interval:
    """The interval that ``method``'s test inverts, at the two-sided ``level``."""
    return INTERVALS[measure][method](a, n1, c, n2, level)


def statistic(
    measure: str,
    method: str,
    value: FloatArray,
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    wald: Interval | None = None,
) -> FloatArray:
    """The signed statistic of ``method`` at the effect ``value`` (positive: estimate above).

    ``wald`` is the Wald interval of the tables when already computed (``"wald"`` only).
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    value = np.broadcast_to(np.asarray(value, dtype=np.float64), fa.shape)
    if method in ("mn", "fm", "exact"):  # the exact test orders tables by the FM score
        return _score(measure, method == "mn", value, fa, fn1, fc, fn2, a, n1, c, n2)
    if method == "wald":
        if wald is None:
            wald = interval(measure, "wald", a, n1, c, n2, 0.95)
        return _wald(measure, value, wald)
    return _newcombe(value, fa, fn1, fc, fn2)


def one_sided_pvalues(z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(p_greater, p_less)`` of the signed statistic; 1 and 1 where it is nan."""
    greater = np.where(np.isnan(z), 1.0, special.ndtr(-z))
    less = np.where(np.isnan(z), 1.0, special.ndtr(z))
    return np.asarray(greater, dtype=np.float64), np.asarray(less, dtype=np.float64)


def _flat(*arrays: IntArray) -> tuple[tuple[int, ...], list[IntArray]]:
    shape = np.broadcast_shapes(*(np.shape(x) for x in arrays))
    return shape, [np.broadcast_to(x, shape).reshape(-1) for x in arrays]


def noninferiority(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    *,
    measure: str,
    method: str,
    margin: float,
    level: float,
    higher_is_better: bool,
) -> MarginArrays:
    """One-sided tests against ``margin``: ``H1: effect > margin`` if ``higher_is_better``,
    else ``H1: effect < margin``, each at ``alpha = (1 - level) / 2``, with the interval at
    ``level``."""
    shape, (a, n1, c, n2) = _flat(a, n1, c, n2)
    ci = interval(measure, method, a, n1, c, n2, level)
    z = statistic(measure, method, np.full(a.shape, margin), a, n1, c, n2, wald=ci)
    greater, less = one_sided_pvalues(z)
    pvalue = greater if higher_is_better else less
    if method == "exact":
        side = "greater" if higher_is_better else "less"
        pvalue = _exact(measure, a, n1, c, n2, margin, side)
    alpha = (1.0 - level) / 2.0
    return _shaped(shape, ci, z, pvalue, pvalue < alpha)


def _exact(
    measure: str, a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, value: float, side: str
) -> FloatArray:
    """Chan's (1998) exact unconditional score test against ``value``: one-sided, the
    supremum over the nuisance risk of the tail of tables ordered by the FM score."""
    return unconditional_ci.exact_unconditional_pvalue(
        a, n1, c, n2, measure=measure, null_value=value, alternative=side, statistic="score"
    )


def equivalence(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    *,
    measure: str,
    method: str,
    low: float,
    high: float,
    level: float,
) -> MarginArrays:
    """Two one-sided tests: ``H1: effect > low`` and ``H1: effect < high``, each at
    ``alpha = (1 - level) / 2``; the p-value is the larger, the statistic the one that gave
    it (the lower test's on a tie)."""
    shape, (a, n1, c, n2) = _flat(a, n1, c, n2)
    ci = interval(measure, method, a, n1, c, n2, level)
    z_low = statistic(measure, method, np.full(a.shape, low), a, n1, c, n2, wald=ci)
    z_high = statistic(measure, method, np.full(a.shape, high), a, n1, c, n2, wald=ci)
    p_low, _ = one_sided_pvalues(z_low)
    _, p_high = one_sided_pvalues(z_high)
    if method == "exact":
        p_low = _exact(measure, a, n1, c, n2, low, "greater")
        p_high = _exact(measure, a, n1, c, n2, high, "less")
    upper_worse = p_high > p_low
    pvalue = np.where(upper_worse, p_high, p_low)
    z = np.where(upper_worse, z_high, z_low)
    alpha = (1.0 - level) / 2.0
    return _shaped(shape, ci, z, pvalue, pvalue < alpha)


def _shaped(
    shape: tuple[int, ...],
    ci: Interval,
    z: FloatArray,
    pvalue: FloatArray,
    rejected: BoolArray,
) -> MarginArrays:
    return MarginArrays(
        estimate=ci.estimate.reshape(shape),
        low=ci.low.reshape(shape),
        high=ci.high.reshape(shape),
        statistic=np.asarray(z, dtype=np.float64).reshape(shape),
        pvalue=np.asarray(pvalue, dtype=np.float64).reshape(shape),
        rejected=np.asarray(rejected, dtype=bool).reshape(shape),
    )


def score_test(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    alternative: str,
    *,
    measure: str = "risk_difference",
    method: str = "mn",
    null_value: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """The score test (``method`` "mn" or "fm") of ``effect = null_value`` on ``measure``'s
    scale (default: no effect): ``(z, pvalue)``; "greater" is the effect above the value."""
    shape, (a, n1, c, n2) = _flat(a, n1, c, n2)
    value = NULL[measure] if null_value is None else null_value
    z = statistic(measure, method, np.full(a.shape, value), a, n1, c, n2)
    greater, less = one_sided_pvalues(z)
    if alternative == "greater":
        pvalue = greater
    elif alternative == "less":
        pvalue = less
    else:
        pvalue = np.minimum(2.0 * np.minimum(greater, less), 1.0)
    return z.reshape(shape), pvalue.reshape(shape)


def _test_kernel(method: str) -> Callable[..., tuple[FloatArray, FloatArray]]:
    def kernel(
        a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
    ) -> tuple[FloatArray, FloatArray]:
        return score_test(a, n1, c, n2, alternative, method=method)

    return kernel


#: The registry's test kernels: the score tests of no risk difference.
mn_test = _test_kernel("mn")
fm_test = _test_kernel("fm")

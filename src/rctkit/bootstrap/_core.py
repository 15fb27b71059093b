"""The shared machinery of the bootstraps: the result, weighted quantiles, BCa, basic, SE."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from rctkit import _special as special
from rctkit import _warnings
from rctkit.errors import RctkitError
from rctkit.results import ConfidenceInterval, Estimate, Row

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BootstrapMeasure = Literal["odds_ratio", "risk_ratio", "risk_difference"]

#: The effect measures :func:`bootstrap` resamples.
MEASURES: tuple[BootstrapMeasure, ...] = ("odds_ratio", "risk_ratio", "risk_difference")

#: The largest number of Monte Carlo resamples accepted.
MAX_RESAMPLES = 10**15


def _readonly_array(value: Any) -> Any:
    arr = np.asarray(value).view()
    arr.flags.writeable = False
    return arr


def _arrays_equal(x: Any, y: Any) -> bool:
    return bool(np.array_equal(x, y, equal_nan=True))


_array_eq = attrs.cmp_using(eq=_arrays_equal)


@attrs.frozen(repr=False)
class BootstrapEstimate(Estimate):
    r"""A bootstrap estimate with its confidence interval and its bootstrap distribution.

    An :class:`~rctkit.Estimate` (``estimate`` is the plug-in estimate on the observed table,
    ``pvalue`` is None) that also carries the bootstrap distribution, as the distinct resampled
    pairs :math:`(a^*, c^*)` with their weights.

    Attributes
    ----------
    n_resamples : int or None
        The number of Monte Carlo resamples :math:`B`; None for the exact bootstrap.
    treatment_events, control_events : ndarray of int64
        The distinct resampled event counts :math:`(a^*, c^*)`, one entry per pair, in
        lexicographic order. From :func:`~rctkit.stratified_bootstrap`: the
        resampled counts of every replicate, shape ``(B, K)`` with a column per stratum.
    weights : ndarray
        How many of the :math:`B` replicates fell on each pair (int64, summing to :math:`B`;
        all ones for the stratified bootstrap), or, for the exact bootstrap, each pair's
        probability (float64, summing to 1).
    values : ndarray of float64
        The statistic at each pair: 0 or ``inf`` for ratios with a zero cell, ``nan`` where the
        measure is undefined (see ``undefined``).
    undefined : float
        The fraction of the bootstrap distribution (of the :math:`B` replicates, or of the
        probability) at which the measure is undefined; those replicates are left out of the
        interval, which is then that of the distribution conditional on a defined measure.
    truncated_mass : float
        The probability of the binomial tails that were left out (below about ``4e-16`` for
        Monte Carlo, ``4e-20`` for the exact bootstrap; 0 when no tail was dropped).
    standard_error : float
        The standard deviation of the defined replicates (with divisor :math:`B - 1` for Monte
        Carlo, as ``scipy.stats.bootstrap``); ``inf`` when a replicate is infinite.
    bias_correction, acceleration : float or None
        The BCa constants :math:`\hat z_0` and :math:`\hat a`; None for the other methods.
    """

    n_resamples: int | None = attrs.field(kw_only=True)
    treatment_events: IntArray = attrs.field(
        kw_only=True, converter=_readonly_array, eq=_array_eq, hash=False, repr=False
    )
    control_events: IntArray = attrs.field(
        kw_only=True, converter=_readonly_array, eq=_array_eq, hash=False, repr=False
    )
    weights: npt.NDArray[np.int64] | npt.NDArray[np.float64] = attrs.field(
        kw_only=True, converter=_readonly_array, eq=_array_eq, hash=False, repr=False
    )
    values: FloatArray = attrs.field(
        kw_only=True, converter=_readonly_array, eq=_array_eq, hash=False, repr=False
    )
    undefined: float = attrs.field(kw_only=True)
    truncated_mass: float = attrs.field(kw_only=True)
    standard_error: float = attrs.field(kw_only=True)
    bias_correction: float | None = attrs.field(kw_only=True, default=None)
    acceleration: float | None = attrs.field(kw_only=True, default=None)

    def _rows(self) -> list[Row]:
        if self.n_resamples is None:
            return [*super()._rows(), Row("Resamples", "exact", "exact")]
        resamples = Row("Resamples", f"{self.n_resamples:,}", f"n_resamples={self.n_resamples}")
        return [*super()._rows(), resamples]

    @property
    def probabilities(self) -> FloatArray:
        """The weights as probabilities (each pair's share of the bootstrap distribution)."""
        w = np.asarray(self.weights, dtype=np.float64)
        return np.asarray(w / w.sum(), dtype=np.float64)

    def replicates(self) -> FloatArray:
        """The :math:`B` Monte Carlo replicate values, ``values`` repeated by ``weights``.

        The values come grouped by pair, in the order of ``treatment_events`` and
        ``control_events``, not in the order they were drawn (the replicates are exchangeable;
        shuffle them with ``rng.permutation`` if an order is needed). Undefined replicates are
        included as ``nan``.

        Raises
        ------
        RctkitError
            For the exact bootstrap, which has no finite set of replicates: use ``values``
            with ``probabilities``.

        Examples
        --------
        >>> import rctkit as rk
        >>> from rctkit.bootstrap import bootstrap
        >>> small = rk.BinaryOutcome.from_counts(treatment=(3, 7), control=(5, 9))
        >>> res = bootstrap(small, measure="risk_difference", n_resamples=50, rng=1)
        >>> res.replicates().shape
        (50,)
        """
        if self.n_resamples is None:
            raise RctkitError(
                "the exact bootstrap (n_resamples=None) has no finite set of replicates; "
                "use `values` with `probabilities`"
            )
        return np.repeat(self.values, np.asarray(self.weights, dtype=np.int64))


# ---------------------------------------------------------------------------------------------
# The statistic


def plug_in(
    measure: str, a: IntArray, n1: IntArray | int, c: IntArray, n2: IntArray | int
) -> FloatArray:
    r"""The plug-in effect measure of tables ``a/n1`` against ``c/n2``.

    Each is one correctly rounded division of exact integer products, so that tables with the
    same rational value give the same float (the ties the BCa bias correction counts are then
    exact): :math:`ad/(bc)`, :math:`a n_2/(c n_1)` and :math:`(a n_2 - c n_1)/(n_1 n_2)`.
    The products are exact in float64 up to counts of about :math:`9 \times 10^7`.
    Zero cells give 0 or ``inf`` for the ratios and ``nan`` for 0/0 (no events in both arms,
    or for the odds ratio only events in both arms).
    """
    fa, fc = np.asarray(a, dtype=np.float64), np.asarray(c, dtype=np.float64)
    fn1, fn2 = np.asarray(n1, dtype=np.float64), np.asarray(n2, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "odds_ratio":
            out = (fa * (fn2 - fc)) / ((fn1 - fa) * fc)
        elif measure == "risk_ratio":
            out = (fa * fn2) / (fc * fn1)
        else:
            out = (fa * fn2 - fc * fn1) / (fn1 * fn2)
    return np.asarray(out, dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# The bootstrap distribution


@attrs.frozen(eq=False)
class _Distribution:
    """Distinct pairs (a*, c*) with their weights and statistic values."""

    a: IntArray
    c: IntArray
    weights: npt.NDArray[np.int64] | npt.NDArray[np.float64]
    values: FloatArray
    truncated_mass: float


# ---------------------------------------------------------------------------------------------
# Quantiles of a weighted distribution


class _Sorted:
    """The defined values of a distribution in ascending order with cumulative weights."""

    def __init__(self, dist: _Distribution) -> None:
        defined = ~np.isnan(dist.values)
        values = dist.values[defined]
        weights = dist.weights[defined]
        order = np.argsort(values, kind="stable")
        self.values: FloatArray = values[order]
        self.weights = weights[order]
        self.cumulative = np.cumsum(self.weights)
        self.total = self.cumulative[-1] if self.cumulative.size else 0
        self.integer = dist.weights.dtype.kind == "i"

    def quantiles(self, levels: FloatArray) -> FloatArray:
        """Quantiles at ``levels``: as ``scipy.stats.quantile`` (linear) of the replicates for
        Monte Carlo weights, the inverse distribution function for exact probabilities."""
        levels = np.asarray(levels, dtype=np.float64)
        if self.total == 0 or np.any(np.isnan(levels)):
            return np.full(levels.shape, np.nan)
        if not self.integer:
            # inf{x : F(x) >= level}
            cdf = self.cumulative / self.total
            index = np.minimum(np.searchsorted(cdf, levels, side="left"), cdf.size - 1)
            return np.asarray(self.values[index], dtype=np.float64)
        # scipy.stats.quantile(method="linear") on the B sorted replicate values y:
        # (1 - g) * y[j] + g * y[j + 1] with jg = p * B + 1 - p, j = floor(jg) - 1, g = jg % 1.
        n = float(self.total)
        jg = levels * n + (1.0 - levels)
        jp1 = jg // 1
        j = jp1 - 1
        g = jg % 1
        g = np.where(j < 0, 0.0, g)
        j = np.clip(j, 0.0, n - 1)
        jp1 = np.clip(jp1, 0.0, n - 1)
        lower = self._at(j)
        upper = self._at(jp1)
        with np.errstate(invalid="ignore"):
            mixed = (1 - g) * lower + g * upper
        # Where an infinite replicate takes part, take the limit rather than inf - inf.
        infinite = ~(np.isfinite(lower) & np.isfinite(upper))
        limit = np.where((g == 0) | (lower == upper), lower, np.where(g > 0, upper, lower))
        return np.asarray(np.where(infinite, limit, mixed), dtype=np.float64)

    def _at(self, position: FloatArray) -> FloatArray:
        """The value of the replicate at 0-based ``position`` in sorted order."""
        index = np.searchsorted(self.cumulative, position.astype(np.int64), side="right")
        return np.asarray(self.values[index], dtype=np.float64)

    def below(self, value: float) -> tuple[float, float]:
        """Weights of the values below ``value`` and at or below it."""
        lt = np.searchsorted(self.values, value, side="left")
        le = np.searchsorted(self.values, value, side="right")
        total_lt = self.cumulative[lt - 1] if lt > 0 else 0
        total_le = self.cumulative[le - 1] if le > 0 else 0
        return total_lt, total_le


# ---------------------------------------------------------------------------------------------
# BCa


#: A statistic of count arrays whose last axis holds the strata (one stratum for one table):
#: ``statistic(a, n1, c, n2)`` returns one value per table of the leading axes.
Statistic = Callable[[IntArray, IntArray, IntArray, IntArray], FloatArray]


#: The left-out tables, in four blocks (columns): treatment event dropped, treatment non-event
#: dropped, control event dropped, control non-event dropped; the rows are a, n1, c, n2, and
#: each entry is what the block takes from that count.
_LEFT_OUT = np.array([[1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]], dtype=np.int64)


def jackknife_acceleration(
    statistic: Statistic, a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> float:
    r"""The BCa acceleration :math:`\hat a` from the jackknife, in closed form from the counts.

    Each stratum-by-arm group (one stratum for a single table) is a sample of its own, as the
    resampling is. Leaving out one participant of a group gives one of two tables, an event or
    a non-event dropped, with multiplicities :math:`m_e` and :math:`m_n` of the group's
    :math:`n`. Let :math:`\Delta` be the statistic with a non-event dropped minus that with an
    event dropped. The jackknife deviations of ``scipy.stats.bootstrap`` (Efron and Tibshirani
    1993, eq. 14.15, taken per sample) are :math:`U_e = (n-1) m_n \Delta / n` and
    :math:`U_n = -(n-1) m_e \Delta / n`, so the group adds
    :math:`((n-1)\Delta/n)^3 m_e m_n (m_n^2 - m_e^2)/n^3` to the numerator sum and
    :math:`((n-1)\Delta/n)^2 m_e m_n / n` to the denominator sum, and
    :math:`\hat a = \sum \mathrm{num} / (6 (\sum \mathrm{den})^{3/2})`. The :math:`4K`
    left-out tables are evaluated in one call of ``statistic``.

    A group with no events, only events, or a single participant adds nothing. When no group
    adds anything the jackknife shows no variation and :math:`\hat a = 0`; when a left-out
    table makes the statistic infinite or undefined :math:`\hat a` is ``nan``.
    """
    counts = np.array([a, n1, c, n2], dtype=np.int64).reshape(4, -1)
    k = counts.shape[1]
    # Blocks of k tables (_LEFT_OUT): table j of a block leaves the participant out of stratum j.
    left_out = _LEFT_OUT[:, :, None, None] * np.eye(k, dtype=np.int64)
    tables = (counts[:, None, None, :] - left_out).reshape(4, 4 * k, k)
    events = counts[0::2].astype(np.float64)  # (arm, stratum)
    totals = counts[1::2].astype(np.float64)
    non_events = totals - events
    kept = (events > 0) & (non_events > 0) & (totals > 1)
    with np.errstate(all="ignore"):
        values = np.asarray(statistic(*tables), dtype=np.float64).reshape(2, 2, k)
        scale = (totals - 1) * (values[:, 1] - values[:, 0]) / totals
        spread = events * non_events
        num_terms = scale**3 * spread * (non_events**2 - events**2) / totals**3
        num = float(np.where(kept, num_terms, 0.0).sum())
        den = float(np.where(kept, scale**2 * spread / totals, 0.0).sum())
    if den == 0.0 and num == 0.0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return float(np.float64(num) / 6.0 / np.float64(den) ** 1.5)


def acceleration(measure: str, a: int, n1: int, c: int, n2: int) -> float:
    r"""The BCa acceleration :math:`\hat a` of one table's plug-in estimate, from the jackknife.

    Leaving out one participant gives only four distinct tables: an event or a non-event
    dropped from either arm, with multiplicities :math:`a, b, c, d`; the closed form is that of
    :func:`jackknife_acceleration` with the two arms as the groups.

    An arm with no events, only events, or a single participant adds nothing. When neither arm
    adds anything the jackknife shows no variation and :math:`\hat a = 0`; when a left-out
    table makes the statistic infinite or undefined :math:`\hat a` is ``nan``.
    """

    def one_table(ta: IntArray, tn1: IntArray, tc: IntArray, tn2: IntArray) -> FloatArray:
        return plug_in(measure, ta[..., 0], tn1[..., 0], tc[..., 0], tn2[..., 0])

    return jackknife_acceleration(one_table, a, n1, c, n2)  # type: ignore[arg-type]


def _bca_levels(z0: float, accel: float, alpha: float) -> tuple[float, float]:
    """BCa quantile levels, in the arithmetic of ``scipy.stats.bootstrap``."""
    z_alpha = float(special.ndtri(alpha))
    with np.errstate(invalid="ignore", divide="ignore"):
        num1 = np.float64(z0) + z_alpha
        alpha_1 = special.ndtr(z0 + num1 / (1 - accel * num1))
        num2 = np.float64(z0) - z_alpha
        alpha_2 = special.ndtr(z0 + num2 / (1 - accel * num2))
    return float(alpha_1), float(alpha_2)


def _bias_correction(ordered: _Sorted, estimate: float) -> float:
    r""":math:`\hat z_0 = \Phi^{-1}` of the share below the estimate, ties counted half."""
    lt, le = ordered.below(estimate)
    if ordered.integer:
        share = float(np.float64(lt + le) / (2 * ordered.total))
    else:
        share = float((lt + le) / (2 * ordered.total))
    return float(special.ndtri(share))


# ---------------------------------------------------------------------------------------------
# The interval methods, one table of them


@attrs.frozen(eq=False)
class _Inputs:
    """What an interval method reads: the ordered distribution and the observed estimate."""

    ordered: _Sorted
    estimate: float
    alpha: float
    measure: str
    acceleration: Callable[[], float]  # the jackknife, run only by the methods that need it


@attrs.frozen
class _Interval:
    low: float
    high: float
    bias_correction: float | None = None
    acceleration: float | None = None


@attrs.frozen
class _Method:
    name: str
    function: Callable[[_Inputs], _Interval]
    label: str


_METHODS: dict[str, _Method] = {}


def _register(name: str, function: Callable[[_Inputs], _Interval], label: str) -> None:
    """Add an interval method to the table; a name registered twice is refused."""
    if name in _METHODS:
        raise RctkitError(f"the bootstrap method {name!r} is registered twice")
    _METHODS[name] = _Method(name, function, label)


def _percentile(inputs: _Inputs) -> _Interval:
    levels = np.array([inputs.alpha, 1 - inputs.alpha])
    low, high = (float(x) for x in inputs.ordered.quantiles(levels))
    return _Interval(low, high)


def _basic_interval(inputs: _Inputs) -> _Interval:
    q = _percentile(inputs)
    return _Interval(*_basic(inputs.estimate, q.low, q.high, inputs.measure))


def _bca(inputs: _Inputs) -> _Interval:
    ordered = inputs.ordered
    if ordered.total == 0:
        return _Interval(math.nan, math.nan, math.nan, math.nan)
    z0 = _bias_correction(ordered, inputs.estimate)
    accel = inputs.acceleration()
    levels = np.array(_bca_levels(z0, accel, inputs.alpha))
    if not math.isfinite(z0):
        levels = np.full(2, np.nan)  # every replicate on one side: z0 is +-inf
    if np.any(np.isnan(levels)):
        _warnings.warn(
            "the BCa interval is undefined: "
            + (
                "the jackknife acceleration is not finite (a table with one participant "
                "left out has an infinite or undefined estimate)"
                if not math.isfinite(accel)
                else "every replicate lies on one side of the estimate"
            )
            + '; consider method="percentile"'
        )
    low, high = (float(x) for x in ordered.quantiles(levels))
    return _Interval(low, high, z0, accel)


_register("percentile", _percentile, "Percentile")
_register("basic", _basic_interval, "Basic (reverse percentile)")
_register("bca", _bca, "BCa (bias-corrected and accelerated)")

#: The interval methods.
METHODS: tuple[str, ...] = tuple(_METHODS)

#: Each method's label for tables and plots.
METHOD_LABELS: dict[str, str] = {name: spec.label for name, spec in _METHODS.items()}


def _basic(estimate: float, q_low: float, q_high: float, measure: str) -> tuple[float, float]:
    """``2 * estimate - q`` for each limit, with the infinite limits taken and the clipping."""

    def reflect(q: float) -> float:
        if q == estimate:
            return estimate
        if math.isinf(q) or math.isinf(estimate):
            return estimate if math.isinf(estimate) else -q
        return 2 * estimate - q

    low, high = reflect(q_high), reflect(q_low)
    bounds = (0.0, math.inf) if measure != "risk_difference" else (-1.0, 1.0)
    clipped_low, clipped_high = max(low, bounds[0]), min(high, bounds[1])
    if (clipped_low, clipped_high) != (low, high) and not (math.isnan(low) or math.isnan(high)):
        _warnings.warn(
            f"the basic bootstrap interval ({low:.4g} to {high:.4g}) leaves the range of the "
            f"{measure.replace('_', ' ')} and was clipped to [{bounds[0]:g}, {bounds[1]:g}] "
            '(consider method="percentile" or "bca")'
        )
    return clipped_low, clipped_high


def _standard_error(ordered: _Sorted, monte_carlo: bool) -> float:
    """The standard deviation of the defined values (divisor B - 1 for Monte Carlo)."""
    values = ordered.values
    if values.size == 0:
        return math.nan
    if np.any(np.isinf(values)):
        return math.inf
    weights = ordered.weights.astype(np.float64)
    total = float(weights.sum())
    mean = float(np.sum(weights * values) / total)
    sum_squares = float(np.sum(weights * (values - mean) ** 2))
    divisor = total - 1 if monte_carlo else total
    if divisor <= 0:
        return math.nan
    return math.sqrt(sum_squares / divisor)


# ---------------------------------------------------------------------------------------------
# From a bootstrap distribution to the result


def summarise(
    dist: _Distribution,
    *,
    estimate: float,
    measure: BootstrapMeasure,
    method: str,
    level: float,
    n_resamples: int | None,
    accel: Callable[[], float],
    statistic_name: str,
    method_name: str | None = None,
) -> BootstrapEstimate:
    """The interval by ``method`` (from the table of methods) and the result around it.

    Replicates with an undefined statistic are left out, with a warning naming
    ``statistic_name``; ``method_name`` is the result's ``method`` (default ``method``).
    """
    ordered = _Sorted(dist)
    undefined_weight = dist.weights[np.isnan(dist.values)].sum()
    undefined = float(undefined_weight / dist.weights.sum())
    if undefined > 0:
        share = (
            f"{undefined_weight} of {n_resamples} replicates"
            if n_resamples is not None
            else f"probability {undefined:.3g} of the bootstrap distribution"
        )
        _warnings.warn(
            f"the {statistic_name} is undefined (0/0) for {share}: "
            "they are left out of the interval"
        )
    inputs = _Inputs(ordered, estimate, (1 - level) / 2, measure, accel)
    interval = _METHODS[method].function(inputs)
    return BootstrapEstimate(
        measure=measure,
        estimate=estimate,
        ci=ConfidenceInterval(interval.low, interval.high),
        confidence_level=level,
        method=method if method_name is None else method_name,
        pvalue=None,
        n_resamples=n_resamples,
        treatment_events=dist.a,
        control_events=dist.c,
        weights=dist.weights,
        values=dist.values,
        undefined=undefined,
        truncated_mass=dist.truncated_mass,
        standard_error=_standard_error(ordered, n_resamples is not None),
        bias_correction=interval.bias_correction,
        acceleration=interval.acceleration,
    )

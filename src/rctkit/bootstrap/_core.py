"""The shared machinery of the bootstraps: the result, weighted quantiles, BCa, basic, SE."""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
from scipy import special

from rctkit import _warnings
from rctkit.errors import InvalidInputError, RctkitError
from rctkit.results import Estimate, short_number

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BootstrapMeasure = Literal["odds_ratio", "risk_ratio", "risk_difference"]

#: The effect measures :func:`bootstrap` resamples.
MEASURES: tuple[BootstrapMeasure, ...] = ("odds_ratio", "risk_ratio", "risk_difference")

#: The interval methods.
METHODS = ("percentile", "basic", "bca")

#: The largest number of Monte Carlo resamples accepted.
MAX_RESAMPLES = 10**15


def _readonly_array(value: Any) -> Any:
    arr = np.asarray(value).view()
    arr.flags.writeable = False
    return arr


def _arrays_equal(x: Any, y: Any) -> bool:
    return bool(np.array_equal(x, y, equal_nan=True))


_array_eq = attrs.cmp_using(eq=_arrays_equal)


@attrs.frozen
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
        lexicographic order.
    weights : ndarray
        How many of the :math:`B` replicates fell on each pair (int64, summing to :math:`B`),
        or, for the exact bootstrap, each pair's probability (float64, summing to 1).
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

    def __repr__(self) -> str:
        resamples = "exact" if self.n_resamples is None else f"n_resamples={self.n_resamples}"
        return (
            f"BootstrapEstimate({self.measure}={short_number(self.estimate)}, "
            f"{100 * self.confidence_level:g}% CI {short_number(self.ci.low)} to "
            f"{short_number(self.ci.high)}, method={self.method!r}, {resamples})"
        )

    def _repr_html_(self) -> str:
        resamples = "exact" if self.n_resamples is None else f"{self.n_resamples:,}"
        row = f"<tr><th style='text-align:left'>Resamples</th><td>{resamples}</td></tr>"
        return super()._repr_html_().replace("</table>", row + "</table>")

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
        >>> res = bootstrap(small, measure="risk_difference", n_resamples=5, rng=1)
        >>> res.replicates().shape
        (5,)
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


def acceleration(measure: str, a: int, n1: int, c: int, n2: int) -> float:
    r"""The BCa acceleration :math:`\hat a` from the jackknife, in closed form from the counts.

    Leaving out one participant gives only four distinct tables: an event or a non-event
    dropped from either arm, with multiplicities :math:`a, b, c, d`. For an arm with
    :math:`m_e` events and :math:`m_n` non-events of :math:`n`, let :math:`\Delta` be the
    statistic with a non-event dropped minus that with an event dropped. The jackknife
    deviations of ``scipy.stats.bootstrap`` (Efron and Tibshirani 1993, eq. 14.15, taken per
    sample) are :math:`U_e = (n-1) m_n \Delta / n` and :math:`U_n = -(n-1) m_e \Delta / n`, so
    the arm adds :math:`((n-1)\Delta/n)^3 m_e m_n (m_n^2 - m_e^2)/n^3` to the numerator sum
    and :math:`((n-1)\Delta/n)^2 m_e m_n / n` to the denominator sum, and
    :math:`\hat a = \sum \mathrm{num} / (6 (\sum \mathrm{den})^{3/2})`.

    An arm with no events, only events, or a single participant adds nothing. When neither arm
    adds anything the jackknife shows no variation and :math:`\hat a = 0`; when a left-out
    table makes the statistic infinite or undefined :math:`\hat a` is ``nan``.
    """
    num = 0.0
    den = 0.0
    for m_e, n, dropped in ((a, n1, "treatment"), (c, n2, "control")):
        m_n = n - m_e
        if m_e == 0 or m_n == 0 or n == 1:
            continue
        if dropped == "treatment":
            drop_event = plug_in(measure, np.array(a - 1), n1 - 1, np.array(c), n2)
            drop_non_event = plug_in(measure, np.array(a), n1 - 1, np.array(c), n2)
        else:
            drop_event = plug_in(measure, np.array(a), n1, np.array(c - 1), n2 - 1)
            drop_non_event = plug_in(measure, np.array(a), n1, np.array(c), n2 - 1)
        with np.errstate(invalid="ignore", over="ignore"):
            scale = float((n - 1) * (drop_non_event - drop_event) / n)
            num += scale**3 * m_e * m_n * (m_n**2 - m_e**2) / n**3
            den += scale**2 * m_e * m_n / n
    if den == 0.0 and num == 0.0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        return float(np.float64(num) / 6.0 / np.float64(den) ** 1.5)


def _bca_levels(z0: float, accel: float, alpha: float) -> tuple[float, float]:
    """BCa quantile levels, in the arithmetic of ``scipy.stats.bootstrap``."""
    z_alpha = float(special.ndtri(alpha))
    with np.errstate(invalid="ignore", divide="ignore"):
        num1 = np.float64(z0) + z_alpha
        alpha_1 = special.ndtr(z0 + num1 / (1 - accel * num1))
        num2 = np.float64(z0) - z_alpha
        alpha_2 = special.ndtr(z0 + num2 / (1 - accel * num2))
    return float(alpha_1), float(alpha_2)


def _check_rng(rng: Any) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and (
        isinstance(rng, bool | np.bool_) or not isinstance(rng, int | np.integer)
    ):
        raise InvalidInputError(
            f"`rng` must be None, an integer seed or a numpy.random.Generator "
            f"(got {rng!r} of type {type(rng).__name__})"
        )
    if rng is not None and rng < 0:
        raise InvalidInputError(f"`rng` must be a non-negative integer seed (got rng={rng})")
    return np.random.default_rng(None if rng is None else int(rng))


def _bca_constants(
    ordered: _Sorted, estimate: float, measure: str, a: int, n1: int, c: int, n2: int
) -> tuple[float, float]:
    if ordered.total == 0:
        return math.nan, math.nan
    lt, le = ordered.below(estimate)
    if ordered.integer:
        share = float(np.float64(lt + le) / (2 * ordered.total))
    else:
        share = float((lt + le) / (2 * ordered.total))
    z0 = float(special.ndtri(share))
    return z0, acceleration(measure, a, n1, c, n2)


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


def _standard_error(ordered: _Sorted, dist: _Distribution, n_resamples: int | None) -> float:
    values = ordered.values
    if values.size == 0:
        return math.nan
    if np.any(np.isinf(values)):
        return math.inf
    weights = ordered.weights.astype(np.float64)
    total = float(weights.sum())
    mean = float(np.sum(weights * values) / total)
    sum_squares = float(np.sum(weights * (values - mean) ** 2))
    divisor = total - 1 if n_resamples is not None else total
    if divisor <= 0:
        return math.nan
    return math.sqrt(sum_squares / divisor)

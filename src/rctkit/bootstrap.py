r"""The count-based bootstrap of a two-arm binary outcome.

Resampling the participants of each arm with replacement changes a table only through the two
resampled event counts: in the treatment arm :math:`a^* \sim \mathrm{Bin}(n_1, \hat p_1)` with
:math:`\hat p_1 = a/n_1`, in the control arm :math:`c^* \sim \mathrm{Bin}(n_2, \hat p_2)`,
independently. A bootstrap replicate is therefore one pair :math:`(a^*, c^*)`, and the
bootstrap distribution of any effect measure is that of a function of the pair.
:func:`bootstrap` uses this twice:

* Monte Carlo (``n_resamples=B``): the histogram of the :math:`B` resampled pairs is drawn as
  one multinomial draw over the pairs of non-negligible probability, so the cost grows with
  the number of such pairs (about :math:`16\sigma` counts per arm, some
  :math:`270\,\sigma_1\sigma_2` pairs with :math:`\sigma_i^2 = n_i \hat p_i (1 - \hat p_i)`:
  13,794 for the CORE trial), not with :math:`B`. The
  statistic is computed once per distinct pair, and quantiles are read off the weighted
  distribution -- the same numbers as sorting the :math:`B` replicate values.
* Exact (``n_resamples=None``): the whole product distribution of the two binomials is
  enumerated, the bootstrap with infinitely many resamples, free of Monte Carlo error.

Examples
--------
>>> import rctkit as rk
>>> from rctkit.bootstrap import bootstrap
>>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
>>> bootstrap(core, n_resamples=None)
BootstrapEstimate(odds_ratio=0.6659, 95% CI 0.4425 to 0.9866, method='percentile', exact)
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
from scipy import special, stats

from rctkit import _validation, _warnings
from rctkit.effects import check_outcome
from rctkit.errors import InvalidInputError, RctkitError
from rctkit.model import BinaryOutcome
from rctkit.results import ConfidenceInterval, Estimate, short_number

__all__ = ["MEASURES", "METHODS", "BootstrapEstimate", "bootstrap"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BootstrapMeasure = Literal["odds_ratio", "risk_ratio", "risk_difference"]

#: The effect measures :func:`bootstrap` resamples.
MEASURES: tuple[BootstrapMeasure, ...] = ("odds_ratio", "risk_ratio", "risk_difference")

#: The interval methods.
METHODS = ("percentile", "basic", "bca")

#: Monte Carlo: probability left out of each tail of each arm's binomial distribution.
MONTE_CARLO_TAIL = 1e-16

#: Exact bootstrap: probability left out of each tail of each arm's binomial distribution.
EXACT_TAIL = 1e-20

#: Exact bootstrap: the most pairs :math:`(a^*, c^*)` enumerated (a few hundred MB).
EXACT_MAX_PAIRS = 10_000_000

#: The largest number of Monte Carlo resamples accepted.
MAX_RESAMPLES = 10**15

#: Monte Carlo: above this many candidate pairs per resample the pairs are drawn one by one.
GRID_PAIRS_PER_RESAMPLE = 4


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


def _binomial_support(events: int, total: int, tail: float) -> tuple[int, FloatArray, float]:
    """The resampled count's distribution Bin(total, events/total) without its far tails.

    Returns the smallest count kept, the probabilities of the kept counts and the probability
    left out. The far tails are cut first by Hoeffding's bound (outside mass below 1e-300),
    then each tail whose cumulative probability is at most ``tail`` is dropped.
    """
    if events in (0, total):
        return events, np.ones(1), 0.0
    p = events / total
    reach = math.sqrt(total * 690.8 / 2.0)  # Hoeffding: P(|X - np| >= reach) <= 2e-300
    lo = max(0, math.floor(total * p - reach))
    hi = min(total, math.ceil(total * p + reach))
    k = np.arange(lo, hi + 1)
    pmf = np.asarray(stats.binom.pmf(k, total, p), dtype=np.float64)
    left = np.cumsum(pmf)
    right = np.cumsum(pmf[::-1])[::-1]
    first = int(np.searchsorted(left, tail, side="right"))
    last = len(pmf) - 1 - int(np.searchsorted(right[::-1], tail, side="right"))
    dropped = float(left[first - 1] if first > 0 else 0.0) + float(
        right[last + 1] if last + 1 < len(pmf) else 0.0
    )
    return lo + first, pmf[first : last + 1], dropped


def _grid(start1: int, size1: int, start2: int, size2: int) -> tuple[IntArray, IntArray]:
    """Every pair of counts ``start1 + i``, ``start2 + j``, with ``j`` varying fastest."""
    a = np.repeat(np.arange(start1, start1 + size1, dtype=np.int64), size2)
    c = np.tile(np.arange(start2, start2 + size2, dtype=np.int64), size1)
    return a, c


def _exact_distribution(measure: str, a: int, n1: int, c: int, n2: int) -> _Distribution:
    start1, pmf1, out1 = _binomial_support(a, n1, EXACT_TAIL)
    start2, pmf2, out2 = _binomial_support(c, n2, EXACT_TAIL)
    pairs = pmf1.size * pmf2.size
    if pairs > EXACT_MAX_PAIRS:
        raise InvalidInputError(
            f"`n_resamples=None` (the exact bootstrap) would enumerate {pairs:,} pairs of "
            f"resampled counts for arms of {n1} and {n2}, more than {EXACT_MAX_PAIRS:,}: "
            "pass a number of Monte Carlo resamples instead, e.g. n_resamples=100_000"
        )
    a_star, c_star = _grid(start1, pmf1.size, start2, pmf2.size)
    probs = np.outer(pmf1, pmf2).ravel()
    probs /= probs.sum()
    values = plug_in(measure, a_star, n1, c_star, n2)
    return _Distribution(a_star, c_star, probs, values, out1 + out2)


def _monte_carlo_distribution(
    measure: str, a: int, n1: int, c: int, n2: int, n_resamples: int, rng: np.random.Generator
) -> _Distribution:
    start1, pmf1, out1 = _binomial_support(a, n1, MONTE_CARLO_TAIL)
    start2, pmf2, out2 = _binomial_support(c, n2, MONTE_CARLO_TAIL)
    if pmf1.size * pmf2.size <= GRID_PAIRS_PER_RESAMPLE * n_resamples:
        # One multinomial draw over the grid of pairs: the histogram of the B resampled pairs.
        probs = np.outer(pmf1 / pmf1.sum(), pmf2 / pmf2.sum()).ravel()
        counts = rng.multinomial(n_resamples, probs / probs.sum())
        keep = np.flatnonzero(counts)
        a_star = start1 + keep // pmf2.size
        c_star = start2 + keep % pmf2.size
        weights = counts[keep].astype(np.int64)
        truncated = out1 + out2
    else:
        # Far more pairs than resamples (huge arms, few resamples): draw each resample.
        a_draw = rng.binomial(n1, a / n1, size=n_resamples)
        c_draw = rng.binomial(n2, c / n2, size=n_resamples)
        codes, counts = np.unique(a_draw * np.int64(n2 + 1) + c_draw, return_counts=True)
        a_star, c_star = codes // (n2 + 1), codes % (n2 + 1)
        weights = counts.astype(np.int64)
        truncated = 0.0
    a_star = a_star.astype(np.int64)
    c_star = c_star.astype(np.int64)
    values = plug_in(measure, a_star, n1, c_star, n2)
    return _Distribution(a_star, c_star, weights, values, truncated)


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


# ---------------------------------------------------------------------------------------------
# The public function


def _check_arguments(
    outcome: Any,
    measure: Any,
    method: Any,
    n_resamples: Any,
    confidence_level: Any,
    rng: Any,
) -> tuple[BinaryOutcome, BootstrapMeasure, str, int | None, float, np.random.Generator | None]:
    outcome = check_outcome(outcome)
    measure = _validation.check_choice(measure, "measure", MEASURES)
    method = _validation.check_choice(method, "method", METHODS)
    if n_resamples is not None:
        if isinstance(n_resamples, bool | np.bool_):
            raise InvalidInputError(
                f"`n_resamples` must be a positive integer or None (got {n_resamples!r})"
            )
        try:
            n_resamples = operator.index(n_resamples)
        except TypeError:
            raise InvalidInputError(
                f"`n_resamples` must be a positive integer or None (got {n_resamples!r} of type "
                f"{type(n_resamples).__name__})"
            ) from None
        if n_resamples < 1:
            raise InvalidInputError(
                f"`n_resamples` must be a positive integer or None (got n_resamples={n_resamples})"
            )
        if n_resamples > MAX_RESAMPLES:
            raise InvalidInputError(
                f"`n_resamples` must be at most {MAX_RESAMPLES:.0e}, beyond which replicate "
                f"positions are no longer exact in float64; use n_resamples=None for the limit "
                f"(got n_resamples={n_resamples})"
            )
    level = _validation.check_confidence_level(confidence_level)
    generator: np.random.Generator | None = None
    if n_resamples is not None:
        generator = _check_rng(rng)
    elif not (rng is None or isinstance(rng, np.random.Generator)):
        _check_rng(rng)  # validated although the exact bootstrap draws nothing
    return outcome, measure, method, n_resamples, level, generator


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


def bootstrap(
    outcome: BinaryOutcome,
    *,
    measure: str = "odds_ratio",
    method: str = "percentile",
    n_resamples: int | None = 9999,
    confidence_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> BootstrapEstimate:
    r"""A bootstrap confidence interval for an effect measure, resampling within arms.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, optional
        The effect measure, treatment against control; default ``"odds_ratio"``.
    method : {"percentile", "basic", "bca"}, optional
        The interval: Efron's percentile interval (default), the basic (reverse percentile)
        interval, or the bias-corrected and accelerated (BCa) interval.
    n_resamples : int or None, optional
        The number of Monte Carlo resamples :math:`B` (default 9999), or None for the exact
        bootstrap: the limit :math:`B \to \infty`, computed by enumeration without Monte
        Carlo error.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    rng : None, int or numpy.random.Generator, optional
        The random numbers: a Generator is used as given, an integer seeds
        ``numpy.random.default_rng`` (the same seed gives the same result), None draws fresh
        entropy. Not used by the exact bootstrap.

    Returns
    -------
    BootstrapEstimate
        An :class:`~rctkit.Estimate` whose ``estimate`` is the plug-in estimate on the observed
        table and whose ``pvalue`` is None (no test goes with a bootstrap interval), with the
        bootstrap distribution: the distinct resampled pairs ``treatment_events``,
        ``control_events``, their ``weights`` and the statistic's ``values``.

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, ``measure`` or ``method`` is unknown,
        ``n_resamples`` is not a positive integer or None, ``confidence_level`` is outside
        (0, 1) or ``rng`` is not None, a non-negative integer or a Generator; and for the exact
        bootstrap of arms so large that more than ten million pairs would be enumerated.

    Warns
    -----
    RctkitWarning
        When an arm has no events or only events (that arm's resampled count never varies, so
        the interval ignores its uncertainty); when some replicates have an undefined measure
        (they are left out; see Notes); when a basic limit is clipped to the parameter space;
        when the BCa interval is undefined.

    Notes
    -----
    *Resampling.* Participants are resampled with replacement within each arm, keeping the arm
    sizes, so a replicate is a pair :math:`a^* \sim \mathrm{Bin}(n_1, a/n_1)`,
    :math:`c^* \sim \mathrm{Bin}(n_2, c/n_2)` -- the same distribution as
    ``scipy.stats.bootstrap`` on the individual 0/1 outcomes of the two arms. With
    ``n_resamples=B`` the histogram of the :math:`B` pairs is drawn as one multinomial draw over
    the pairs (each binomial is cut where a tail's probability falls below ``1e-16``; the
    probability cut, ``truncated_mass``, is reported and the rest renormalised; when the pairs
    outnumber the resamples four to one, as with very large arms, the :math:`B` pairs are drawn
    directly instead). With ``n_resamples=None`` every pair is enumerated with its probability;
    only binomial tails of probability below ``1e-20`` each are left out -- less than the
    rounding error of the float64 sums that form the distribution function.

    *The statistic* is the plug-in estimate, :math:`\hat\theta^* = a^*d^*/(b^*c^*)`,
    :math:`(a^*/n_1)/(c^*/n_2)` or :math:`a^*/n_1 - c^*/n_2`, computed once per distinct pair
    (see :func:`plug_in`). Nothing is added to zero cells: a ratio is 0 or ``inf`` and enters
    the quantiles as such. Where the measure is undefined (0/0: no events in both resampled arms
    for the ratios; for the odds ratio also only events in both), the replicate is left out
    and the interval is that of the defined replicates; the fraction left out is reported as
    ``undefined`` with a warning. (``scipy.stats.bootstrap`` returns a ``nan`` interval then.)

    *Percentile*: :math:`[\hat\theta^*_{(\alpha/2)}, \hat\theta^*_{(1-\alpha/2)}]`.
    *Basic*: :math:`[2\hat\theta - \hat\theta^*_{(1-\alpha/2)},
    2\hat\theta - \hat\theta^*_{(\alpha/2)}]`, clipped to :math:`[0, \infty]` for ratios and
    :math:`[-1, 1]` for the difference, with a warning when clipped (``scipy`` does not clip).
    *BCa*: the quantiles at :math:`\alpha_{1,2} = \Phi(\hat z_0 + (\hat z_0 + z_{\alpha/2,
    1-\alpha/2})/(1 - \hat a(\hat z_0 + z_{\alpha/2, 1-\alpha/2})))` with
    :math:`\hat z_0 = \Phi^{-1}((\#\{\hat\theta^* < \hat\theta\} +
    \#\{\hat\theta^* \le \hat\theta\})/2B)` (ties counted half, as ``scipy``) and the jackknife
    acceleration :math:`\hat a` in closed form (see :func:`acceleration`). BCa is undefined,
    ``nan`` with a warning, when :math:`\hat z_0` is infinite or a left-out table makes the
    statistic infinite or undefined (e.g. an odds ratio with one non-event in an arm).

    *Quantiles.* For Monte Carlo, :math:`\hat\theta^*_{(p)}` is ``scipy.stats.quantile`` with
    ``method="linear"`` (numpy's default) of the :math:`B` replicate values, computed from the
    weighted pairs: the interval equals ``scipy.stats.bootstrap``'s on the same replicate set.
    Where an infinite replicate takes part in the interpolation, the limit is taken (scipy and
    numpy give ``nan``). For the exact bootstrap it is the inverse distribution function
    :math:`\inf\{x : F(x) \ge p\}`, the limit of the former as :math:`B \to \infty`.

    *Zero cells.* With no events (or only events) in an arm, that arm's resampled count is
    always the observed one and the bootstrap ignores its sampling variation; the interval is
    usually degenerate (e.g. ``[0, 0]`` for an odds ratio with no treatment events) and a
    warning is issued. Prefer an exact or score interval then. With no events in both arms a
    ratio is undefined everywhere: estimate and interval are ``nan``.

    References
    ----------
    Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall, 1993
    (chapters 13-14: percentile and BCa intervals).
    Davison AC, Hinkley DV. Bootstrap Methods and their Application. Cambridge University
    Press, 1997 (section 5.2: the basic interval).
    Fisher MR, Hall P. Bootstrap algorithms for small samples. J Stat Plan Inference
    1991;27:157-69 (exact bootstrap distributions by enumeration).

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> res = bootstrap(core, method="bca", n_resamples=100_000, rng=2018)
    >>> print(f"{res.estimate:.3f} ({res.ci.low:.3f} to {res.ci.high:.3f})")
    0.666 (0.444 to 0.987)
    >>> exact = bootstrap(core, measure="risk_difference", n_resamples=None)
    >>> print(f"{exact.ci.low:.4f} to {exact.ci.high:.4f}")
    -0.1784 to -0.0029
    """
    outcome, measure, method, n_resamples, level, generator = _check_arguments(
        outcome, measure, method, n_resamples, confidence_level, rng
    )
    a, n1 = outcome.treatment.events, outcome.treatment.total
    c, n2 = outcome.control.events, outcome.control.total
    estimate = float(plug_in(measure, np.array(a), n1, np.array(c), n2))

    if a in (0, n1) or c in (0, n2):
        _warnings.warn(
            "the table has an arm with no events or only events: its resampled count never "
            "varies, so "
            "the bootstrap interval ignores that arm's uncertainty (consider an exact or score "
            "interval)"
        )
    if n_resamples is None:
        dist = _exact_distribution(measure, a, n1, c, n2)
    else:
        # _check_arguments returns a generator whenever n_resamples is given
        rng_ = generator if generator is not None else np.random.default_rng(rng)
        dist = _monte_carlo_distribution(measure, a, n1, c, n2, n_resamples, rng_)

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
            f"the {measure.replace('_', ' ')} is undefined (0/0) for {share}: "
            "they are left out of the interval"
        )

    alpha = (1 - level) / 2
    z0: float | None = None
    accel: float | None = None
    if method == "bca":
        z0, accel = _bca_constants(ordered, estimate, measure, a, n1, c, n2)
        levels = np.array(_bca_levels(z0, accel, alpha))
        if not math.isfinite(z0):
            levels = np.full(2, np.nan)  # every replicate on one side: z0 is +-inf
        if np.any(np.isnan(levels)) and ordered.total > 0:
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
    else:
        levels = np.array([alpha, 1 - alpha])
    low, high = (float(x) for x in ordered.quantiles(levels))
    if method == "basic":
        low, high = _basic(estimate, low, high, measure)

    return BootstrapEstimate(
        measure=measure,
        estimate=estimate,
        ci=ConfidenceInterval(low, high),
        confidence_level=level,
        method=method,
        pvalue=None,
        n_resamples=n_resamples,
        treatment_events=dist.a,
        control_events=dist.c,
        weights=dist.weights,
        values=dist.values,
        undefined=undefined,
        truncated_mass=dist.truncated_mass,
        standard_error=_standard_error(ordered, dist, n_resamples),
        bias_correction=z0,
        acceleration=accel,
    )


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


# ---------------------------------------------------------------------------------------------
# The stratified bootstrap of the Mantel-Haenszel estimates


def _mh_statistic(
    measure: str, a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> FloatArray:
    """The Mantel-Haenszel estimate over the last axis (strata) of the count arrays."""
    from rctkit._kernels import mantel_haenszel as mh

    kernel = {
        "odds_ratio": mh.odds_ratio,
        "risk_ratio": mh.risk_ratio,
        "risk_difference": mh.risk_difference,
    }[measure]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(kernel(a, n1, c, n2)[0], dtype=np.float64)


def _mh_acceleration(measure: str, a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> float:
    """BCa acceleration of the Mantel-Haenszel estimate from the grouped jackknife.

    Each stratum-by-arm group is a separate sample (as the resampling is), and leaving out one
    participant of a group gives one of two tables (an event or a non-event dropped): the
    closed form of :func:`acceleration` applies group by group.
    """
    num = 0.0
    den = 0.0
    k = a.size
    for j in range(k):
        for events, total, arm in ((a, n1, 0), (c, n2, 1)):
            m_e = int(events[j])
            n = int(total[j])
            m_n = n - m_e
            if m_e == 0 or m_n == 0 or n == 1:
                continue
            cases = []
            for drop_event in (True, False):
                ta, tn1, tc, tn2 = (x.copy() for x in (a, n1, c, n2))
                if arm == 0:
                    tn1[j] -= 1
                    ta[j] -= int(drop_event)
                else:
                    tn2[j] -= 1
                    tc[j] -= int(drop_event)
                cases.append(float(_mh_statistic(measure, ta, tn1, tc, tn2)))
            with np.errstate(invalid="ignore", over="ignore"):
                scale = (n - 1) * (cases[1] - cases[0]) / n
                num += scale**3 * m_e * m_n * (m_n**2 - m_e**2) / n**3
                den += scale**2 * m_e * m_n / n
    if den == 0.0 and num == 0.0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return float(np.float64(num) / 6.0 / np.float64(den) ** 1.5)


def stratified_bootstrap(
    strata: Sequence[BinaryOutcome],
    *,
    measure: str = "odds_ratio",
    method: str = "percentile",
    n_resamples: int = 9999,
    confidence_level: float = 0.95,
    rng: Any = None,
) -> Estimate:
    r"""Bootstrap interval of a Mantel-Haenszel estimate, resampling within stratum and arm.

    Each stratum-by-arm group keeps its size, and its resampled event count is binomial with
    the observed risk; every replicate's Mantel-Haenszel estimate is computed at once over a
    ``(B, K)`` array. Methods as in :func:`bootstrap`; the BCa acceleration comes from the
    jackknife over participants, group by group, in closed form.

    Parameters
    ----------
    strata : sequence of BinaryOutcome
        One outcome per stratum.
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, optional
        The Mantel-Haenszel estimate to bootstrap.
    method : {"percentile", "basic", "bca"}, optional
        The interval.
    n_resamples : int, optional
        The number of resamples :math:`B`; default 9999.
    confidence_level : float, optional
        Default 0.95.
    rng : None, int or numpy.random.Generator, optional
        The random generator or its seed.

    Returns
    -------
    Estimate
        The Mantel-Haenszel estimate on the data with the bootstrap interval; replicates whose
        estimate is undefined (0/0) are left out, with a warning.

    Examples
    --------
    >>> import rctkit as rk
    >>> strata = [rk.BinaryOutcome.from_counts(treatment=(10, 50), control=(20, 50)),
    ...           rk.BinaryOutcome.from_counts(treatment=(15, 40), control=(18, 35))]
    >>> est = stratified_bootstrap(strata, n_resamples=20_000, rng=1)
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.2f} to {est.ci.high:.2f})")
    0.457 (0.23 to 0.86)
    """
    from rctkit.strata import _strata_arrays

    a, n1, c, n2 = _strata_arrays(strata)
    measure = _validation.check_choice(measure, "measure", MEASURES)
    method = _validation.check_choice(method, "method", METHODS)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise InvalidInputError(f"`n_resamples` must be a positive integer (got {n_resamples!r})")
    if not 1 <= n_resamples <= MAX_RESAMPLES:
        raise InvalidInputError(
            f"`n_resamples` must be between 1 and {MAX_RESAMPLES:.0e} "
            f"(got n_resamples={n_resamples})"
        )
    level = _validation.check_confidence_level(confidence_level)
    generator = _check_rng(rng)
    estimate = float(_mh_statistic(measure, a, n1, c, n2))
    b = int(n_resamples)
    a_star = generator.binomial(n1, a / n1, size=(b, a.size))
    c_star = generator.binomial(n2, c / n2, size=(b, c.size))
    values = _mh_statistic(
        measure,
        a_star,
        np.broadcast_to(n1, a_star.shape),
        c_star,
        np.broadcast_to(n2, c_star.shape),
    )
    dist = _Distribution(
        a=np.zeros(0, dtype=np.int64),
        c=np.zeros(0, dtype=np.int64),
        weights=np.ones(b, dtype=np.int64),
        values=values,
        truncated_mass=0.0,
    )
    ordered = _Sorted(dist)
    undefined = int(np.isnan(values).sum())
    if undefined:
        _warnings.warn(
            f"the Mantel-Haenszel {measure.replace('_', ' ')} is undefined (0/0) for {undefined} "
            f"of {b} replicates: they are left out of the interval"
        )
    alpha = (1 - level) / 2
    levels = np.array([alpha, 1 - alpha])
    if method == "bca":
        lt, le = ordered.below(estimate)
        share = float(np.float64(lt + le) / (2 * ordered.total)) if ordered.total else math.nan
        z0 = float(special.ndtri(share))
        accel = _mh_acceleration(measure, a, n1, c, n2)
        levels = np.array(_bca_levels(z0, accel, alpha))
        if not (math.isfinite(z0) and math.isfinite(accel)):
            levels = np.full(2, np.nan)
            _warnings.warn('the BCa interval is undefined here; consider method="percentile"')
    low, high = (float(x) for x in ordered.quantiles(levels))
    if method == "basic":
        low, high = _basic(estimate, low, high, measure)
    return Estimate(
        measure=measure,  # type: ignore[arg-type]
        estimate=estimate,
        ci=ConfidenceInterval(low, high),
        confidence_level=level,
        method=f"stratified-{method}",
        pvalue=None,
    )

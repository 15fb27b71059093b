r"""The number needed to treat, with Altman's benefit / harm reading of its interval.

The number needed to treat (NNT) is the reciprocal of the absolute risk difference between the
arms (Laupacis, Sackett and Roberts 1988; Cook and Sackett 1995). Its confidence interval is
the risk-difference interval inverted and its limits exchanged. When the risk-difference
interval includes 0 the NNT interval passes through infinity: Altman (1998) writes it as
"NNTB 5.9 to infinity to NNTH 357", never as a range of negative numbers.

A *signed* NNT is used throughout, as by Altman (1998) and Bender (2001): positive values are
numbers needed to treat for one additional patient to benefit (NNTB), negative values numbers
needed to treat for one additional patient to be harmed (NNTH), and infinity means no
difference. Whether a difference in risk is a benefit depends on what the event is, so every
function takes ``event="harmful"`` (default: the event is bad -- death, readmission, relapse --
and fewer events on treatment is benefit) or ``event="beneficial"`` (cure, response).

The interval is ``ci = (1 / ARR_high, 1 / ARR_low)`` in signed NNT, where ``ARR`` is the risk
difference in the direction of benefit (``control - treatment`` for a harmful event,
``treatment - control`` for a beneficial one). When the risk-difference interval excludes 0
both limits have the same sign and ``ci.low <= ci.high`` as usual. When it includes 0,
``ci.low`` is the NNTB limit (positive) and ``ci.high`` the NNTH limit (negative): the
confidence set is ``[ci.low, +inf]`` joined through infinity to ``[-inf, ci.high]``, marked by
``ci.through_infinity``, and ``value in ci`` honours it. A risk-difference limit exactly at 0
gives an infinite NNT limit.

References
----------
Altman DG. Confidence intervals for the number needed to treat. BMJ 1998;317:1309-12.
Bender R. Calculating confidence intervals for the number needed to treat. Control Clin
Trials 2001;22:102-10.
Cook RJ, Sackett DL. The number needed to treat: a clinically useful measure of treatment
effect. BMJ 1995;310:452-4.
Laupacis A, Sackett DL, Roberts RS. An assessment of clinically useful measures of the
consequences of treatment. N Engl J Med 1988;318:1728-33.
"""

from __future__ import annotations

import math
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from rctkit import _engine
from rctkit.batch import number_needed_to_treat as number_needed_to_treat_batch
from rctkit.errors import InvalidInputError
from rctkit.model import BinaryOutcome
from rctkit.results import (
    ConfidenceInterval,
    Estimate,
    Row,
    _level_percent,
    short_p,
)

__all__ = [
    "EVENTS",
    "NNTConfidenceInterval",
    "NNTEstimate",
    "nnt_from_risk_difference",
    "nnt_limits",
    "number_needed_to_treat",
    "number_needed_to_treat_batch",
]

FloatArray = npt.NDArray[np.float64]

EVENTS = _engine.EVENTS

Event = _engine.Event


def nnt_limits(
    risk_difference: npt.ArrayLike,
    low: npt.ArrayLike,
    high: npt.ArrayLike,
    *,
    event: str = "harmful",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Signed numbers needed to treat and their limits from risk differences, elementwise.

    Parameters
    ----------
    risk_difference, low, high : array_like of float
        Risk differences, treatment minus control, and their confidence limits, within
        [-1, 1]; they broadcast together.
    event : {"harmful", "beneficial"}, optional
        Whether the event counted is bad (default) or good for the patient.

    Returns
    -------
    nnt, nnt_low, nnt_high : ndarray
        Signed NNTs (positive NNTB, negative NNTH, ``inf`` for no difference) and the interval
        as described in the module notes: ``nnt_low > nnt_high`` marks an interval through
        infinity.

    Raises
    ------
    InvalidInputError
        If ``event`` is not one of the two choices, a value is nan or outside [-1, 1], or
        ``low`` exceeds ``high``.

    Examples
    --------
    A risk reduction of 10% (95% CI 1.3% to 18.7%) for a harmful event:

    >>> nnt, lo, hi = nnt_limits(-0.10, -0.187, -0.013)
    >>> print(f"{float(nnt):.1f} ({float(lo):.2f} to {float(hi):.1f})")
    10.0 (5.35 to 76.9)
    """
    direction = _engine.check_event(event)
    names = ("risk_difference", "low", "high")
    try:
        arrays = np.broadcast_arrays(
            *(np.asarray(x, dtype=np.float64) for x in (risk_difference, low, high))
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"`risk_difference`, `low` and `high` must be numbers or arrays that broadcast "
            f"together ({exc})"
        ) from None
    for name, arr in zip(names, arrays, strict=True):
        bad = ~((arr >= -1.0) & (arr <= 1.0))
        if np.any(bad):
            raise InvalidInputError(
                f"`{name}` must lie in [-1, 1] (got {name}={float(arr[bad].flat[0])!r})"
            )
    rd, rd_low, rd_high = arrays
    reversed_ = rd_low > rd_high
    if np.any(reversed_):
        raise InvalidInputError(
            f"`low` must not exceed `high` (got low={float(rd_low[reversed_].flat[0])!r}, "
            f"high={float(rd_high[reversed_].flat[0])!r})"
        )
    return _engine.nnt_arrays(rd, rd_low, rd_high, direction)


def _format_nnt(value: float, digits: int) -> str:
    """An NNT magnitude for text: ``digits`` decimals below 100, whole numbers above."""
    size = abs(value)
    if math.isinf(size):
        return "infinity"
    if size >= 100:
        return f"{size:.0f}"
    return f"{size:.{digits}f}"


@attrs.frozen(repr=False)
class NNTConfidenceInterval(ConfidenceInterval):
    """The confidence interval of a signed number needed to treat; may pass through infinity.

    ``low`` and ``high`` are signed NNTs (positive NNTB, negative NNTH). When
    ``through_infinity`` is true (``low > high``), the interval runs from the NNTB ``low`` up to
    infinity and on from the NNTH ``high``, i.e. it is ``[low, inf] U [-inf, high]``; ``in``
    follows that reading.

    Examples
    --------
    >>> ci = NNTConfidenceInterval(5.9, -357.0)
    >>> ci.through_infinity, 100.0 in ci, -1000.0 in ci, 2.0 in ci
    (True, True, True, False)
    """

    @property
    def through_infinity(self) -> bool:
        """True when the interval passes through infinity (the risk difference spans 0)."""
        return self.low > self.high

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float) or math.isnan(value):
            return False
        if self.through_infinity:
            return value >= self.low or value <= self.high
        return self.low <= value <= self.high


@attrs.frozen(repr=False)
class NNTEstimate(Estimate):
    """A number needed to treat with its confidence interval, read as benefit or harm.

    An :class:`~rctkit.Estimate` with ``measure="nnt"``; ``estimate`` and ``ci`` are on the
    signed scale (positive NNTB, negative NNTH, ``inf`` for no difference) described in
    the docstring of the ``rctkit.nnt`` module. ``str()`` gives Altman's text.

    Attributes
    ----------
    event : {"harmful", "beneficial"}
        What the counted event is for the patient, which decides the direction of benefit.
    risk_difference : Estimate
        The risk-difference estimate (treatment minus control) the NNT was computed from.

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> est = number_needed_to_treat(core)
    >>> print(est)
    NNTB 11.0 (95% CI NNTB 5.6 to 610)
    """

    event: Event = attrs.field(
        default="harmful", kw_only=True, validator=attrs.validators.in_(EVENTS)
    )
    risk_difference: Estimate | None = attrs.field(default=None, kw_only=True)

    @property
    def direction(self) -> Literal["benefit", "harm", "none"]:
        """``"benefit"`` (NNTB), ``"harm"`` (NNTH), or ``"none"`` for an infinite NNT."""
        if math.isinf(self.estimate):
            return "none"
        return "benefit" if self.estimate > 0 else "harm"

    @property
    def magnitude(self) -> float:
        """The NNT as usually quoted: ``abs(estimate)``, a positive number or ``inf``."""
        return abs(self.estimate)

    @property
    def through_infinity(self) -> bool:
        """True when the interval passes through infinity (the risk difference spans 0)."""
        return self.ci.low > self.ci.high

    def _point_text(self, digits: int) -> str:
        if self.direction == "none":
            return "NNT infinite"
        label = "NNTB" if self.direction == "benefit" else "NNTH"
        return f"{label} {_format_nnt(self.estimate, digits)}"

    def _interval_text(self, digits: int) -> str:
        low, high = self.ci.low, self.ci.high
        if math.isnan(low) or math.isnan(high):
            return "undefined"
        if self.through_infinity:
            return (
                f"NNTB {_format_nnt(low, digits)} to infinity to NNTH {_format_nnt(high, digits)}"
            )
        if math.isinf(low) and math.isinf(high) and low > 0:
            return "infinite"
        if low > 0:
            return f"NNTB {_format_nnt(low, digits)} to {_format_nnt(high, digits)}"
        # Both limits are NNTH (negative): quote the magnitudes in increasing order.
        return f"NNTH {_format_nnt(high, digits)} to {_format_nnt(low, digits)}"

    def describe(self, digits: int = 1) -> str:
        """Altman's text, e.g. ``"NNTB 11.0 (95% CI NNTB 5.8 to infinity to NNTH 341)"``.

        Parameters
        ----------
        digits : int, optional
            Decimals for numbers below 100 (numbers from 100 up are whole); default 1.
        """
        level = _level_percent(self.confidence_level)
        return f"{self._point_text(digits)} ({level} CI {self._interval_text(digits)})"

    def __str__(self) -> str:
        return self.describe()

    def _title(self) -> str:
        return "Number needed to treat"

    def _rows(self) -> list[Row]:
        level = f"{_level_percent(self.confidence_level)} CI"
        rows = [
            Row("Estimate", self._point_text(1), self._point_text(1)),
            Row(level, self._interval_text(1), f"{level} {self._interval_text(1)}"),
            Row("Risk-difference method", self.method, f"method={self.method!r}"),
            Row("Event", self.event, f"event={self.event!r}"),
        ]
        if self.pvalue is not None:
            p = short_p(self.pvalue)
            rows.append(Row("p-value", p, f"pvalue={p}"))
        return rows


def nnt_from_risk_difference(risk_difference: Estimate, *, event: str = "harmful") -> NNTEstimate:
    """The number needed to treat from any risk-difference estimate.

    Use it for risk differences that do not come from a single table: a Mantel-Haenszel pooled
    difference, a bootstrap interval, or a published one.

    Parameters
    ----------
    risk_difference : Estimate
        An estimate with ``measure="risk_difference"`` (treatment minus control).
    event : {"harmful", "beneficial"}, optional
        Whether the event counted is bad (default) or good for the patient.

    Returns
    -------
    NNTEstimate
        With the risk difference's method, level and p-value.

    Raises
    ------
    InvalidInputError
        If ``risk_difference`` is not a risk-difference Estimate or ``event`` is unknown.

    Examples
    --------
    A published risk difference of -5% (95% CI -25% to 5%) for death:

    >>> import rctkit as rk
    >>> rd = rk.Estimate("risk_difference", -0.05, rk.ConfidenceInterval(-0.25, 0.05), 0.95,
    ...                  "published")
    >>> print(nnt_from_risk_difference(rd))
    NNTB 20.0 (95% CI NNTB 4.0 to infinity to NNTH 20.0)
    """
    if not isinstance(risk_difference, Estimate) or risk_difference.measure != "risk_difference":
        got = (
            f"measure={risk_difference.measure!r}"
            if isinstance(risk_difference, Estimate)
            else type(risk_difference).__name__
        )
        raise InvalidInputError(
            f"`risk_difference` must be an Estimate with measure='risk_difference' (got {got})"
        )
    direction = _engine.check_event(event)
    rd = risk_difference
    if not (-1.0 <= rd.ci.low <= rd.ci.high <= 1.0 and -1.0 <= rd.estimate <= 1.0):
        raise InvalidInputError(
            f"`risk_difference` must have its estimate and limits in [-1, 1] and low <= high "
            f"(got {rd.estimate!r}, {rd.ci.low!r} to {rd.ci.high!r})"
        )
    nnt, low, high = _engine.nnt_arrays(
        np.float64(rd.estimate), np.float64(rd.ci.low), np.float64(rd.ci.high), direction
    )
    return NNTEstimate(
        measure="nnt",
        estimate=float(nnt),
        ci=NNTConfidenceInterval(float(low), float(high)),
        confidence_level=rd.confidence_level,
        method=rd.method,
        pvalue=rd.pvalue,
        event=direction,
        risk_difference=rd,
        outcome=rd.outcome,
    )


def number_needed_to_treat(
    outcome: BinaryOutcome,
    *,
    method: str = "newcombe",
    confidence_level: float = 0.95,
    event: str = "harmful",
) -> NNTEstimate:
    r"""The number needed to treat, from the risk difference and its confidence interval.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    method : str, optional
        Any risk-difference method of :func:`rctkit.risk_difference`; default ``"newcombe"``
        (hybrid score), which behaves well with small arms and zero cells.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    event : {"harmful", "beneficial"}, optional
        ``"harmful"`` (default) when the counted event is bad for the patient (death,
        readmission), so that fewer events on treatment is a benefit; ``"beneficial"`` when it
        is good (cure, response).

    Returns
    -------
    NNTEstimate
        ``measure="nnt"``; ``estimate`` is the signed NNT (positive NNTB, negative NNTH, ``inf``
        when the risks are equal); ``ci`` its interval, which passes through infinity
        (``ci.low > ci.high``) when the risk-difference interval includes 0; ``pvalue`` that of
        the risk-difference method (None for ``"newcombe"``). ``str()`` gives Altman's text.

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, or ``method``, ``confidence_level`` or ``event``
        is not one of the allowed values.

    Notes
    -----
    With :math:`\mathrm{ARR}` the risk difference in the direction of benefit
    (:math:`\hat p_2 - \hat p_1` for a harmful event, :math:`\hat p_1 - \hat p_2` for a
    beneficial one) and :math:`(L, U)` its interval, the NNT is :math:`1/\mathrm{ARR}` and its
    interval :math:`(1/U, 1/L)` (Altman 1998). If :math:`L < 0 < U` the interval is
    "NNTB :math:`1/U` to infinity to NNTH :math:`1/|L|`". The NNT inherits the
    risk-difference method's behaviour with zero cells; equal risks give an infinite NNT.

    References
    ----------
    Altman DG. Confidence intervals for the number needed to treat. BMJ 1998;317:1309-12.
    Newcombe RG. Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Stat Med 1998;17:873-90.

    Examples
    --------
    The CORE trial (Johnson et al., Lancet 2018): readmission within a year, a harmful event.

    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> est = number_needed_to_treat(core, method="wald")
    >>> print(est)
    NNTB 11.0 (95% CI NNTB 5.6 to 497)
    >>> est.estimate > 0, est.direction
    (True, 'benefit')
    """
    outcome = _engine.check_outcome(outcome)
    direction = _engine.check_event(event)
    rd = _engine.estimate_one("risk_difference", outcome, method, confidence_level)
    return nnt_from_risk_difference(rd, event=direction)

"""Harms (CONSORT Harms 2022): adverse events per arm, with absolute and relative effects.

For each adverse-event term the table gives, per arm, the number of events and the
participants with at least one event, n (%); the risk difference (Newcombe's hybrid score
interval by default), the risk ratio and Fisher's exact p. Where exposure time is given it
adds incidence rates and the rate ratio with its exact (conditional binomial) interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit import _engine, _validation
from rctkit._kernels.rate_ratio import exact_rate_ratio
from rctkit.errors import InvalidInputError
from rctkit.model import AdverseEvent, Trial
from rctkit.results import BatchEstimate, ConfidenceInterval, Estimate

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

__all__ = [
    "HarmsRow",
    "event_totals",
    "events_sentence",
    "harms_population",
    "harms_rows",
    "rate_ratio",
]

#: The two exposures may differ by at most this factor (either way), so that every rate
#: ratio and limit is a finite, normal float64 (counts are at most ``MAX_COUNT``).
MAX_EXPOSURE_RATIO = 1e100


def _pair(value: Any, name: str) -> tuple[Any, Any]:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != 2:
        raise InvalidInputError(f"`{name}` must be a pair (treatment, control) (got {value!r})")
    return value[0], value[1]


def _exposure(value: Any, name: str) -> float:
    """One arm's person-time: a real number, positive and finite (booleans refused)."""
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise InvalidInputError(
            f"`exposure` must be positive, finite numbers of person-time ({name}: "
            f"got {value!r} of type {type(value).__name__})"
        )
    number = float(value)
    if not (number > 0.0 and math.isfinite(number)):
        raise InvalidInputError(f"`exposure` must be positive and finite (got {name}={value!r})")
    return number


def _exposure_ratio(t1: float, t2: float, prefix: str = "") -> None:
    if max(t1, t2) / min(t1, t2) > MAX_EXPOSURE_RATIO:
        raise InvalidInputError(
            f"{prefix}`exposure` of the two arms must differ by a factor of at most "
            f"{MAX_EXPOSURE_RATIO:.0e}, so that the rates compare as finite numbers "
            f"(got exposure=({t1!r}, {t2!r}))"
        )


def _check_rate_ratio_args(
    events: Any, exposure: Any, confidence_level: Any, alternative: Any
) -> tuple[int, int, float, float, float, str]:
    e0, e1 = _pair(events, "events")
    x1 = _validation.as_count(e0, "events[0]")
    x2 = _validation.as_count(e1, "events[1]")
    t0, t1 = _pair(exposure, "exposure")
    y1 = _exposure(t0, "exposure[0]")
    y2 = _exposure(t1, "exposure[1]")
    _exposure_ratio(y1, y2)
    level = _validation.check_confidence_level(confidence_level)
    side = _validation.check_choice(alternative, "alternative", _validation.ALTERNATIVES)
    return x1, x2, y1, y2, level, side


def rate_ratio(
    events: Sequence[int],
    exposure: Sequence[float],
    *,
    confidence_level: float = 0.95,
    alternative: str = "two-sided",
) -> Estimate:
    """The incidence rate ratio (treatment over control) with its exact interval.

    Parameters
    ----------
    events : pair of int
        Events in the treatment and control arms, each from 0 to ``rctkit.MAX_COUNT``.
    exposure : pair of float
        Person-time at risk in each arm: positive and finite, the two within a factor of
        ``1e100`` of each other.
    confidence_level : float, optional
        Between 1e-6 and 1 - 1e-10 (default 0.95).
    alternative : {"two-sided", "less", "greater"}, optional
        ``"less"``: the treatment rate is below the control rate; the interval is then
        one-sided, ``[0, upper]`` (``"greater"``: ``[lower, inf]``), as in R's
        ``poisson.test``.

    Returns
    -------
    Estimate
        ``measure="rate_ratio"``, ``method="exact-poisson"``, with the p-value of the
        alternative.

    Raises
    ------
    InvalidInputError
        If a count is not a whole number from 0 to ``MAX_COUNT``, an exposure is not a
        positive finite number (booleans and strings are refused), the exposures differ by
        more than ``1e100``, the level is outside its range, or ``alternative`` is unknown.

    Notes
    -----
    Conditional on the total ``k = e1 + e2``, the treatment events are binomial with
    probability ``p = RR T1 / (RR T1 + T2)``; the Clopper-Pearson limits of ``p`` give the
    exact limits of ``RR``, and the p-value is the two-sided binomial test of
    ``p0 = T1 / (T1 + T2)`` (the minimum-likelihood rule of R's ``poisson.test``). With no
    events in either arm the ratio is undefined: estimate nan, interval [0, inf], p 1. With
    no treatment events the estimate and lower limit are 0; with no control events the
    estimate and upper limit are infinite. No zero-count correction is made.

    Cost: constant in the counts (two beta quantiles each way and a bisection of at most
    about 42 binomial probabilities for counts up to ``MAX_COUNT``).

    References
    ----------
    Clopper CJ, Pearson ES. The use of confidence or fiducial limits illustrated in the case
    of the binomial. Biometrika 1934;26:404-13.

    Examples
    --------
    >>> est = rate_ratio((29, 42), (100.0, 100.0))
    >>> round(est.estimate, 3), round(est.ci.low, 3), round(est.ci.high, 3)
    (0.69, 0.415, 1.13)
    """
    e1, e2, t1, t2, level, side = _check_rate_ratio_args(
        events, exposure, confidence_level, alternative
    )
    estimate, low, high, pvalue = exact_rate_ratio(
        np.array([e1], dtype=np.float64),
        np.array([e2], dtype=np.float64),
        np.array([t1]),
        np.array([t2]),
        level,
        side,
    )
    return Estimate(
        "rate_ratio",
        float(estimate[0]),
        ConfidenceInterval(float(low[0]), float(high[0])),
        level,
        "exact-poisson",
        float(pvalue[0]),
    )


@attrs.frozen
class HarmsRow:
    """One adverse-event term: per-arm counts and the between-arm comparisons."""

    term: str
    category: str
    serious: bool
    events: tuple[int | None, int | None]
    participants: tuple[int | None, int | None]
    totals: tuple[int | None, int | None]
    exposure: tuple[float | None, float | None]
    risk_difference: Estimate | None = None
    risk_ratio: Estimate | None = None
    pvalue: float | None = None
    rate_ratio: Estimate | None = None


def _arm_record(records: Sequence[AdverseEvent], label: str) -> AdverseEvent | None:
    found = [r for r in records if r.arm == label]
    if len(found) > 1:
        raise InvalidInputError(
            f"adverse event {found[0].term!r}: arm {label!r} has {len(found)} records (give one)"
        )
    return found[0] if found else None


def _check_harms_args(
    trial: Any, confidence_level: Any, rd_method: Any, rr_method: Any
) -> tuple[float, str, str | None]:
    if not isinstance(trial, Trial):
        raise InvalidInputError(f"`trial` must be a Trial (got {type(trial).__name__})")
    level = _validation.check_confidence_level(confidence_level)
    if rd_method is None:
        rd_method = _engine.DEFAULT_METHODS["risk_difference"]
    rd = _validation.check_choice(
        rd_method, "rd_method", _engine.EFFECT_METHODS["risk_difference"]
    )
    rr = (
        None
        if rr_method is None
        else _validation.check_choice(rr_method, "rr_method", _engine.EFFECT_METHODS["risk_ratio"])
    )
    return level, rd, rr


def harms_rows(
    trial: Trial,
    *,
    confidence_level: float = 0.95,
    rd_method: str | None = None,
    rr_method: str | None = None,
) -> list[HarmsRow]:
    """Summarise the trial's adverse events, one row per term, sorted by category then term.

    Denominators are the trial's safety population (``Trial.safety_population``), or,
    when it names none, each arm's analysed count (allocated when ``analysed`` is not given).
    Comparisons need participants with events in both arms; rates need exposure in both.

    Parameters
    ----------
    trial : Trial
        The trial, with its adverse-event records (one per term and arm).
    confidence_level : float, optional
        The level of every interval (default 0.95).
    rd_method : str, optional
        The risk-difference interval; any risk-difference method. Default: the library's
        default (:data:`rctkit.DEFAULT_METHODS`, Newcombe's hybrid score).
    rr_method : str, optional
        The risk-ratio interval; any risk-ratio method. Default: the library's default
        (Katz's log, ``"wald"``), and, for a term with no participants with the event in an
        arm, where that interval is undefined, Koopman's score interval instead
        (:data:`rctkit.ZERO_CELL_METHODS`); each row's :class:`~rctkit.Estimate` names the
        method it used. A method named here is used for every row.

    Returns
    -------
    list of HarmsRow
        The p-value is Fisher's exact test, and the rate ratio the exact conditional interval
        of :func:`rate_ratio`.

    Raises
    ------
    InvalidInputError
        If ``trial`` is not a Trial, an option is invalid, a term has two records for one
        arm, or the two arms' exposures differ by more than ``1e100``. Participants with
        events above the arm's denominator, and an exposure that is not a positive finite
        number, are refused when the :class:`~rctkit.Trial` is built.

    Notes
    -----
    Cost: linear in the number of records. The records are grouped by term in one pass, and
    each comparison runs once over all terms as arrays (the same kernels as the scalar
    functions, so every number equals theirs); 20,000 records take about a second.
    """
    level, method, rr_chosen = _check_harms_args(trial, confidence_level, rd_method, rr_method)
    treatment, control = trial.arms
    if trial.safety_population is not None:
        which: tuple[str, ...] = (f"population {trial.safety_population!r}",) * 2
    else:
        which = tuple("analysed" if a.analysed is not None else "allocated" for a in trial.arms)
    totals = trial.harms_denominators
    groups: dict[tuple[str, str], list[AdverseEvent]] = {}
    for record in trial.adverse_events:
        groups.setdefault((record.category, record.term), []).append(record)
    keys = sorted(groups, key=lambda k: (k[0].lower(), k[1].lower()))
    pairs: list[tuple[AdverseEvent | None, AdverseEvent | None]] = []
    compared: dict[int, tuple[int, int]] = {}  # row -> participants with events per arm
    rated: dict[int, tuple[int, int, float, float]] = {}  # row -> events, exposures
    for i, key in enumerate(keys):
        records = groups[key]
        t_rec = _arm_record(records, treatment.label)
        c_rec = _arm_record(records, control.label)
        pairs.append((t_rec, c_rec))
        if t_rec is None or c_rec is None:
            continue
        if t_rec.participants is not None and c_rec.participants is not None:
            for arm, total, kind in zip(trial.arms, totals, which, strict=True):
                if total == 0:
                    raise InvalidInputError(
                        f"adverse event {key[1]!r}: the risks need participants in both arms "
                        f"(got {kind}=0 in arm {arm.label!r})"
                    )
            compared[i] = (t_rec.participants, c_rec.participants)
        if (
            t_rec.events is not None
            and c_rec.events is not None
            and t_rec.exposure is not None
            and c_rec.exposure is not None
        ):
            # each exposure is a positive finite number (AdverseEvent checks it when made)
            t1, t2 = float(t_rec.exposure), float(c_rec.exposure)
            _exposure_ratio(t1, t2, f"adverse event {key[1]!r}: ")
            rated[i] = (t_rec.events, c_rec.events, t1, t2)
    comparisons = _comparisons(compared, totals, level, method, rr_chosen)
    rates = _rates(rated, level)
    rows = []
    for i, (category, term) in enumerate(keys):
        recs = pairs[i]
        participants = tuple(None if r is None else r.participants for r in recs)
        events = tuple(None if r is None else r.events for r in recs)
        exposure = tuple(None if r is None else r.exposure for r in recs)
        rd, rr, pvalue = comparisons.get(i, (None, None, None))
        rows.append(
            HarmsRow(
                term=term,
                category=category,
                serious=any(r.serious for r in groups[(category, term)]),
                events=(events[0], events[1]),
                participants=(participants[0], participants[1]),
                totals=(totals[0], totals[1]),
                exposure=(exposure[0], exposure[1]),
                risk_difference=rd,
                risk_ratio=rr,
                pvalue=pvalue,
                rate_ratio=rates.get(i),
            )
        )
    return rows


def _estimates(result: Any, level: float) -> list[Estimate]:
    return [
        Estimate(
            measure=result.measure,
            estimate=float(result.estimate[j]),
            ci=ConfidenceInterval(float(result.low[j]), float(result.high[j])),
            confidence_level=level,
            method=result.method,
            pvalue=None if result.pvalue is None else float(result.pvalue[j]),
        )
        for j in range(result.estimate.size)
    ]


@attrs.frozen(eq=False)
class RiskComparisons:
    """The comparisons of many tables, as arrays (see :func:`risk_comparisons`)."""

    risk_difference: BatchEstimate
    rr_estimate: FloatArray
    rr_low: FloatArray
    rr_high: FloatArray
    rr_method: tuple[str, ...]
    rr_pvalue: tuple[float | None, ...]
    pvalue: FloatArray


def risk_comparisons(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    level: float,
    rd_method: str,
    rr_method: str | None,
) -> RiskComparisons:
    """RD, RR and Fisher's p of arrays of tables (every arm with participants), each
    computed once over all of them: the risk ratio by ``rr_method``, or, when None, the
    default with :data:`rctkit.ZERO_CELL_METHODS`' interval where Wald's is undefined."""
    tables = (a, n1, c, n2)
    rd = _engine.estimate_tables("risk_difference", tables, rd_method, level)
    est, low, high = (np.full(a.shape, np.nan) for _ in range(3))
    methods = np.empty(a.shape, dtype=object)
    rr_p: list[float | None] = [None] * a.size
    groups = [(np.arange(a.size), rr_method)]
    if rr_method is None:  # the default, with the score interval where Wald's is undefined
        default = _engine.DEFAULT_METHODS["risk_ratio"]
        undefined = _engine.wald_undefined("risk_ratio", *tables)
        if default != "wald" or not undefined.any():
            undefined[:] = False
        instead = _engine.ZERO_CELL_METHODS["risk_ratio"]
        groups = [(np.flatnonzero(~undefined), default), (np.flatnonzero(undefined), instead)]
    for where, method in groups:
        if where.size:
            sub = (a[where], n1[where], c[where], n2[where])
            found = _engine.estimate_tables("risk_ratio", sub, str(method), level)
            est[where], low[where], high[where] = found.estimate, found.low, found.high
            methods[where] = found.method
            if found.pvalue is not None:
                for j, p in zip(where.tolist(), found.pvalue.tolist(), strict=True):
                    rr_p[j] = float(p)
    fisher = _engine.test_tables(tables, "fisher", "two-sided", "risk_difference", None).pvalue
    return RiskComparisons(
        rd,
        est,
        low,
        high,
        tuple(str(m) for m in methods),
        tuple(rr_p),
        np.asarray(fisher, dtype=np.float64),
    )


def _comparisons(
    compared: dict[int, tuple[int, int]],
    totals: tuple[int, int],
    level: float,
    rd_method: str,
    rr_method: str | None,
) -> dict[int, tuple[Estimate, Estimate, float]]:
    """RD, RR and Fisher's p of the compared terms, each computed once over all of them."""
    if not compared:
        return {}
    counts = np.array(list(compared.values()), dtype=np.int64)
    a, c = counts[:, 0], counts[:, 1]
    n1 = np.full_like(a, totals[0])
    n2 = np.full_like(c, totals[1])
    found = risk_comparisons(a, n1, c, n2, level, rd_method, rr_method)
    rd = _estimates(found.risk_difference, level)
    out = {}
    for j, i in enumerate(compared):
        rr = Estimate(
            "risk_ratio",
            float(found.rr_estimate[j]),
            ConfidenceInterval(float(found.rr_low[j]), float(found.rr_high[j])),
            level,
            found.rr_method[j],
            found.rr_pvalue[j],
        )
        out[i] = (rd[j], rr, float(found.pvalue[j]))
    return out


def _rates(rated: dict[int, tuple[int, int, float, float]], level: float) -> dict[int, Estimate]:
    """The rate ratios of the terms with events and exposure in both arms, as arrays."""
    if not rated:
        return {}
    # Counts up to MAX_COUNT = 1e12 < 2**53 are exact in float64.
    cols = np.array(list(rated.values()), dtype=np.float64)
    estimate, low, high, pvalue = exact_rate_ratio(
        cols[:, 0], cols[:, 1], cols[:, 2], cols[:, 3], level
    )
    return {
        i: Estimate(
            "rate_ratio",
            float(estimate[j]),
            ConfidenceInterval(float(low[j]), float(high[j])),
            level,
            "exact-poisson",
            float(pvalue[j]),
        )
        for j, i in enumerate(rated)
    }


def event_totals(trial: Trial) -> list[int | None]:
    """Each arm's adverse events summed over the terms, or None where no record of the arm
    gives an event count (participants only): "not reported", never 0."""
    totals: list[int | None] = []
    for arm in trial.arms:
        counts = [e.events for e in trial.adverse_events if e.arm == arm.label]
        known = [c for c in counts if c is not None]
        totals.append(sum(known) if known else None)
    return totals


def harms_population(trial: Trial) -> str:
    """Who the harms' denominators are, in words."""
    if trial.safety_population is None:
        return "those analysed"
    t, c = trial.harms_denominators
    return f"the {trial.safety_population} population ({t} vs {c})"


def events_sentence(trial: Trial, count: Callable[[int], str] = str) -> str:
    """The report's sentence on the events in all: each arm's total (formatted by ``count``),
    "not reported" where no record gives event counts, and how many records give
    participants only."""
    treatment, control = trial.arms
    totals = event_totals(trial)
    if totals[0] is None and totals[1] is None:
        return "Event counts are not reported (participants with events only)."
    shown = ["not reported" if t is None else count(t) for t in totals]
    missing = sum(1 for e in trial.adverse_events if e.events is None)
    partly = f" ({missing} records give participants only)" if missing else ""
    whole = (
        "" if None in totals else f", {count(sum(t for t in totals if t is not None))} in total"
    )
    return (
        f"Events in all: {shown[0]} ({treatment.name}) and {shown[1]} ({control.name})"
        f"{whole}{partly}."
    )

"""Harms (CONSORT Harms 2022): adverse events per arm, with absolute and relative effects.

For each adverse-event term the table gives, per arm, the number of events and the
participants with at least one event, n (%); the risk difference (Newcombe's hybrid score
interval by default), the risk ratio and Fisher's exact p. Where exposure time is given it
adds incidence rates and the rate ratio with its exact (conditional binomial) interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from rctkit import _validation, effects, hypothesis_tests
from rctkit._kernels.rate_ratio import exact_rate_ratio
from rctkit.errors import InvalidInputError
from rctkit.model import AdverseEvent, BinaryOutcome, Trial
from rctkit.results import ConfidenceInterval, Estimate

__all__ = ["HarmsRow", "harms_rows", "rate_ratio"]


def rate_ratio(
    events: tuple[int, int], exposure: tuple[float, float], *, confidence_level: float = 0.95
) -> Estimate:
    """The incidence rate ratio (treatment over control) with its exact interval.

    Conditional on the total ``k = e1 + e2``, the treatment events are binomial with
    probability ``p = RR T1 / (RR T1 + T2)``; the Clopper-Pearson limits of ``p`` give the
    exact limits of ``RR``, and the p-value is the two-sided binomial test of
    ``p0 = T1 / (T1 + T2)`` (the minimum-likelihood rule of R's ``poisson.test``). With no
    events in either arm the ratio is undefined: estimate nan, interval [0, inf], p 1.

    Examples
    --------
    >>> est = rate_ratio((29, 42), (100.0, 100.0))
    >>> round(est.estimate, 3), round(est.ci.low, 3), round(est.ci.high, 3)
    (0.69, 0.415, 1.13)
    """
    e1 = _validation.as_count(events[0], "events[0]")
    e2 = _validation.as_count(events[1], "events[1]")
    level = _validation.check_confidence_level(confidence_level)
    t1, t2 = exposure
    for name, value in (("exposure", t1), ("exposure", t2)):
        if not (value > 0 and math.isfinite(value)):
            raise InvalidInputError(f"`{name}` must be positive and finite (got {value!r})")
    estimate, low, high, pvalue = exact_rate_ratio(e1, e2, float(t1), float(t2), level)
    return Estimate(
        "rate_ratio", estimate, ConfidenceInterval(low, high), level, "exact-poisson", pvalue
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


def harms_rows(
    trial: Trial, *, confidence_level: float = 0.95, rd_method: str = "newcombe"
) -> list[HarmsRow]:
    """Summarise the trial's adverse events, one row per term, sorted by category then term.

    Denominators are each arm's analysed count (allocated when ``analysed`` is not given).
    Comparisons need participants with events in both arms; rates need exposure in both.
    """
    trial = _validation.check_instance(trial, "trial", Trial)
    treatment, control = trial.arms
    totals = tuple(a.analysed if a.analysed is not None else a.allocated for a in trial.arms)
    groups: dict[tuple[str, str], list[AdverseEvent]] = {}
    for e in trial.adverse_events:  # one pass: the time is linear in the number of records
        groups.setdefault((e.category, e.term), []).append(e)
    rows = []
    for category, term in sorted(groups, key=lambda k: (k[0].lower(), k[1].lower())):
        records = groups[(category, term)]
        t_rec = _arm_record(records, treatment.label)
        c_rec = _arm_record(records, control.label)
        recs = (t_rec, c_rec)
        participants = tuple(None if r is None else r.participants for r in recs)
        events = tuple(None if r is None else r.events for r in recs)
        exposure = tuple(None if r is None else r.exposure for r in recs)
        rd = rr = rate = None
        pvalue = None
        if participants[0] is not None and participants[1] is not None:
            outcome = BinaryOutcome.from_counts(
                treatment=(participants[0], totals[0]),
                control=(participants[1], totals[1]),
                name=term,
            )
            rd = effects.risk_difference(
                outcome, method=rd_method, confidence_level=confidence_level
            )
            rr = _quiet_risk_ratio(outcome, confidence_level)
            pvalue = hypothesis_tests.hypothesis_test(outcome, method="fisher").pvalue
        if (
            events[0] is not None
            and events[1] is not None
            and exposure[0] is not None
            and exposure[1] is not None
        ):
            rate = rate_ratio(
                (events[0], events[1]),
                (exposure[0], exposure[1]),
                confidence_level=confidence_level,
            )
        rows.append(
            HarmsRow(
                term=term,
                category=category,
                serious=any(r.serious for r in records),
                events=(events[0], events[1]),
                participants=(participants[0], participants[1]),
                totals=(totals[0], totals[1]),
                exposure=(exposure[0], exposure[1]),
                risk_difference=rd,
                risk_ratio=rr,
                pvalue=pvalue,
                rate_ratio=rate,
            )
        )
    return rows


def _quiet_risk_ratio(outcome: BinaryOutcome, level: float) -> Estimate:
    method = "koopman" if "koopman" in effects.available_methods("risk_ratio") else "wald"
    return effects.risk_ratio(outcome, method=method, confidence_level=level)

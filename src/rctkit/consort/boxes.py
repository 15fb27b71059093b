"""The CONSORT flow as boxes: each count given, or derived where the arithmetic fixes it."""

from __future__ import annotations

import re
from typing import Any

import attrs

from rctkit._validation import check_instance
from rctkit.formatting import one_line
from rctkit.model import Reason, Trial, total_of

NOT_REPORTED = "not reported"

# Wording of the boxes, as in the CONSORT 2010 flow diagram template.
_ENROLLMENT = "Enrollment"
_ASSESSED = "Assessed for eligibility"
_EXCLUDED = "Excluded"
_RANDOMIZED = "Randomized"
_ALLOCATION = "Allocation"
_ALLOCATED = "Allocated"
_RECEIVED = "Received allocated intervention"
_DID_NOT_RECEIVE = "Did not receive allocated intervention"
_FOLLOW_UP = "Follow-Up"
_LOST = "Lost to follow-up"
_DISCONTINUED = "Discontinued intervention"
_ANALYSIS = "Analysis"
_ANALYSED = "Analysed"
_EXCLUDED_FROM_ANALYSIS = "Excluded from analysis"
_NO_REASONS = "reasons not reported"
# The stages below randomization and the attribute of _ArmFlow holding each.
_STAGES = ((_ALLOCATION, "allocation"), (_FOLLOW_UP, "follow_up"), (_ANALYSIS, "analysis"))


@attrs.frozen
class _Entry:
    """One count of the flow: a label, the count (None when not reported) and the reasons."""

    label: str
    count: int | None
    reasons: tuple[Reason, ...] = ()
    reasons_missing: bool = False  # a positive count whose reasons were not given

    def heading(self) -> str:
        """The heading, "Label (n = 12)" or "Label: not reported"; no-break spaces hold."""
        if self.count is None:
            return f"{self.label}:\u00a0{NOT_REPORTED}"
        return f"{self.label} (n\u00a0=\u00a0{self.count})"

    def numbers(self) -> list[int]:
        out = [] if self.count is None else [self.count]
        return out + [r.count for r in self.reasons]


def _sum_or_none(reasons: tuple[Reason, ...]) -> int | None:
    return total_of(reasons) if reasons else None


def _split(
    allocated: int,
    label: str,
    count: int | None,
    rest_label: str,
    rest: tuple[Reason, ...],
) -> tuple[_Entry, _Entry]:
    """A box and its complement within the allocated participants; one fixes the other."""
    rest_count = _sum_or_none(rest)
    if count is None and rest_count is not None and rest_count <= allocated:
        count = allocated - rest_count
    if rest_count is None and count is not None and count <= allocated:
        rest_count = allocated - count
    missing = not rest and bool(rest_count)
    return (_Entry(label, count), _Entry(rest_label, rest_count, rest, missing))


@attrs.frozen
class _ArmFlow:
    label: str
    allocation: tuple[_Entry, ...]
    follow_up: tuple[_Entry, ...]
    analysis: tuple[_Entry, ...]
    # The trial's analysis populations with this arm's counts, in the trial's order; drawn
    # in the analysis box after "Analysed" and its exclusions.
    populations: tuple[_Entry, ...] = ()


@attrs.frozen
class _Flow:
    title: str
    assessed: _Entry
    excluded: _Entry
    randomized: _Entry
    arms: tuple[_ArmFlow, _ArmFlow]

    def numbers(self) -> list[int]:
        out = self.assessed.numbers() + self.excluded.numbers() + self.randomized.numbers()
        for arm in self.arms:
            for entry in arm.allocation + arm.follow_up + arm.analysis + arm.populations:
                out += entry.numbers()
        return out


def _clean(text: str) -> str:
    """``text`` on one line (:func:`~rctkit.formatting.one_line`), runs of spaces as one."""
    return re.sub(" +", " ", one_line(text)).strip(" ")


def _clean_reasons(reasons: tuple[Reason, ...]) -> tuple[Reason, ...]:
    return tuple(Reason(_clean(r.reason), r.count) for r in reasons)


def _flow(trial: Trial) -> _Flow:
    """The boxes of ``trial``'s flow, with the counts that the arithmetic fixes filled in."""
    trial = _trial(trial)
    randomized = sum(arm.allocated for arm in trial.arms)
    enrolment = trial.enrolment
    assessed = None if enrolment is None else enrolment.assessed
    reasons = () if enrolment is None else _clean_reasons(enrolment.excluded)
    excluded = _sum_or_none(reasons)
    if excluded is None and assessed is not None and assessed >= randomized:
        excluded = assessed - randomized
    arms = []
    for k, arm in enumerate(trial.arms):
        received, not_received = _split(
            arm.allocated,
            _RECEIVED,
            arm.received,
            _DID_NOT_RECEIVE,
            _clean_reasons(arm.did_not_receive),
        )
        analysed, not_analysed = _split(
            arm.allocated,
            _ANALYSED,
            arm.analysed,
            _EXCLUDED_FROM_ANALYSIS,
            _clean_reasons(arm.excluded_from_analysis),
        )
        lost, discontinued = (
            _clean_reasons(arm.lost_to_follow_up),
            _clean_reasons(arm.discontinued),
        )
        arms.append(
            _ArmFlow(
                label=_clean(arm.label),
                allocation=(_Entry(_ALLOCATED, arm.allocated), received, not_received),
                follow_up=(
                    _Entry(_LOST, _sum_or_none(lost), lost),
                    _Entry(_DISCONTINUED, _sum_or_none(discontinued), discontinued),
                ),
                analysis=(analysed, not_analysed),
                populations=tuple(_Entry(_clean(p.name), p.counts[k]) for p in trial.populations),
            )
        )
    return _Flow(
        title=_clean(trial.title),
        assessed=_Entry(_ASSESSED, assessed),
        excluded=_Entry(_EXCLUDED, excluded, reasons, not reasons and bool(excluded)),
        randomized=_Entry(_RANDOMIZED, randomized),
        arms=(arms[0], arms[1]),
    )


def _trial(value: Any) -> Trial:
    return check_instance(value, "trial", Trial)

"""The whole trial: arms, outcomes, adverse events, published estimates.

A :class:`Trial` holds data and checks that it is consistent; it runs no statistics and
renders nothing. Reports are built from it by :class:`rctkit.TrialReport`.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from rctkit.errors import InvalidInputError
from rctkit.model._fields import nonempty_str, optional_count_field
from rctkit.model.flow import Arm, Enrolment, flow_problems
from rctkit.model.outcome import BinaryOutcome

__all__ = ["AdverseEvent", "PublishedEstimate", "Trial"]

#: Builds a report from a trial for the deprecated :meth:`Trial.report`. The report layer,
#: above the model, registers itself here when it is imported (the model imports nothing of
#: it); set by :func:`register_report_builder`.
_REPORT_BUILDER: Callable[..., Any] | None = None


def register_report_builder(builder: Callable[..., Any]) -> None:
    """Register the callable behind the deprecated :meth:`Trial.report` (the report layer)."""
    global _REPORT_BUILDER
    _REPORT_BUILDER = builder


def _or_dash(value: int | None) -> str:
    return "–" if value is None else str(value)


@attrs.frozen
class AdverseEvent:
    """Adverse-event counts of one kind in one arm (CONSORT Harms 2022).

    Parameters
    ----------
    term : str
        The event term, e.g. "Serious adverse event" or a MedDRA preferred term.
    arm : str
        The label of the arm.
    participants : int, optional
        Participants with at least one such event.
    events : int, optional
        Number of events (a participant may have several).
    category : str, optional
        Category or body system, for sorting and grouping.
    serious : bool, optional
        Whether the events are serious.
    severity : str, optional
        Grade or severity, e.g. "mild", "grade 3".
    exposure : float, optional
        Person-time at risk in the arm, for incidence rates.
    """

    term: str = attrs.field(validator=nonempty_str("term"))
    arm: str = attrs.field(validator=nonempty_str("arm"))
    participants: int | None = optional_count_field("participants")
    events: int | None = optional_count_field("events")
    category: str = ""
    serious: bool = False
    severity: str | None = None
    exposure: float | None = None

    @events.validator
    def _check(self, attribute: attrs.Attribute[int | None], value: int | None) -> None:
        if self.participants is None and value is None:
            raise InvalidInputError(
                f"adverse event {self.term!r}: give `participants`, `events` or both"
            )
        if self.participants is not None and value is not None and value < self.participants:
            raise InvalidInputError(
                f"adverse event {self.term!r}: `events` must be at least `participants` "
                f"(got events={value}, participants={self.participants})"
            )


@attrs.frozen
class PublishedEstimate:
    """An estimate as a publication reported it, kept beside rctkit's own for comparison."""

    measure: str
    estimate: float
    low: float
    high: float
    pvalue: float | None = None
    note: str = ""


def _arm_pair(value: Iterable[Arm]) -> tuple[Arm, Arm]:
    arms = tuple(value)
    if len(arms) != 2 or not all(isinstance(a, Arm) for a in arms):
        raise InvalidInputError(f"`arms` must be two Arm objects, treatment first (got {arms!r})")
    return (arms[0], arms[1])


def _outcome_tuple(value: Iterable[BinaryOutcome]) -> tuple[BinaryOutcome, ...]:
    return tuple(value)


def _event_tuple(value: Iterable[AdverseEvent]) -> tuple[AdverseEvent, ...]:
    return tuple(value)


def _check_enrolment(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Enrolment):
        raise InvalidInputError(f"`enrolment` must be an Enrolment or None (got {value!r})")


@attrs.frozen
class Trial:
    """A two-arm trial: arms (treatment first), outcomes, the flow and the harms.

    Parameters
    ----------
    title : str
        The trial's name.
    arms : (Arm, Arm)
        Treatment arm first, control arm second.
    outcomes : sequence of BinaryOutcome
        The binary outcomes; the first is the primary unless ``primary`` names another.
    adverse_events : sequence of AdverseEvent, optional
        Harms, each naming an arm by its label.
    enrolment : Enrolment, optional
        Assessed for eligibility and excluded before randomisation.
    primary : str, optional
        The name of the primary outcome.
    citation : str, optional
        Where the trial was reported.
    published : mapping of outcome name to PublishedEstimate, optional
        Estimates as published, for comparison with the crude ones.

    Raises
    ------
    InvalidInputError
        Listing every inconsistency at once: an outcome's denominator above its arm's
        analysed (or allocated) count, analysed above allocated, adverse events naming an
        unknown arm, a primary outcome that does not exist.
    """

    title: str = attrs.field(validator=nonempty_str("title"))
    arms: tuple[Arm, Arm] = attrs.field(converter=_arm_pair)
    outcomes: tuple[BinaryOutcome, ...] = attrs.field(converter=_outcome_tuple, factory=tuple)
    adverse_events: tuple[AdverseEvent, ...] = attrs.field(converter=_event_tuple, factory=tuple)
    enrolment: Enrolment | None = attrs.field(default=None, validator=_check_enrolment)
    primary: str | None = None
    citation: str = ""
    published: Mapping[str, PublishedEstimate] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise InvalidInputError(
                "the trial is inconsistent:\n" + "\n".join(f"- {p}" for p in problems)
            )

    def _problems(self) -> Iterable[str]:
        yield from flow_problems(self.arms, self.enrolment)
        names = [o.name for o in self.outcomes]
        for outcome in self.outcomes:
            if not isinstance(outcome, BinaryOutcome):
                yield f"`outcomes` must hold BinaryOutcome objects (got {outcome!r})"
                continue
            for arm, counts in zip(self.arms, (outcome.treatment, outcome.control), strict=True):
                limit = arm.analysed if arm.analysed is not None else arm.allocated
                if counts.total > limit:
                    which = "analysed" if arm.analysed is not None else "allocated"
                    yield (
                        f"outcome {outcome.name!r}: the {arm.label!r} denominator must not "
                        f"exceed the arm's {which} count (got {counts.total} > {limit})"
                    )
        if self.primary is not None and self.primary not in names:
            yield f"`primary` must name one of the outcomes {names} (got {self.primary!r})"
        labels = {arm.label for arm in self.arms}
        for event in self.adverse_events:
            if event.arm not in labels:
                yield (
                    f"adverse event {event.term!r}: `arm` must be one of {sorted(labels)} "
                    f"(got {event.arm!r})"
                )
        for name in self.published:
            if name not in names:
                yield f"`published` names an unknown outcome {name!r}"

    def report(self, *, style: str = "plain", confidence_level: float = 0.95) -> Any:
        """The trial's report; deprecated, use ``rctkit.TrialReport(trial)``.

        .. deprecated:: 0.2
           ``Trial.report()`` will be removed in the next release. The model holds data and
           no longer builds reports: call :class:`rctkit.TrialReport` (or :func:`rctkit.report`).
        """
        warnings.warn(
            "Trial.report() is deprecated and will be removed in the next release; "
            "use rctkit.TrialReport(trial) or rctkit.report(trial)",
            DeprecationWarning,
            stacklevel=2,
        )
        if _REPORT_BUILDER is None:  # pragma: no cover (rctkit/__init__ registers it)
            raise RuntimeError("no report builder is registered; import rctkit.report first")
        return _REPORT_BUILDER(self, style=style, confidence_level=confidence_level)

    def __repr__(self) -> str:
        outcomes = ", ".join(repr(o.name) for o in self.outcomes)
        return (
            f"Trial({self.title!r}, arms=({self.arms[0].label!r}, {self.arms[1].label!r}), "
            f"randomised={self.arms[0].allocated}/{self.arms[1].allocated}, "
            f"outcomes=[{outcomes}], adverse_events={len(self.adverse_events)})"
        )

    def _repr_html_(self) -> str:
        """The trial's data as a small table (no estimate is computed)."""
        t, c = self.arms
        rows = [("Randomised", str(t.allocated), str(c.allocated))]
        if t.analysed is not None or c.analysed is not None:
            rows.append(("Analysed", _or_dash(t.analysed), _or_dash(c.analysed)))
        for outcome in self.outcomes:
            rows.append((outcome.name, str(outcome.treatment), str(outcome.control)))
        body = "".join(
            f"<tr><th>{html.escape(label)}</th><td>{html.escape(x)}</td>"
            f"<td>{html.escape(y)}</td></tr>"
            for label, x, y in rows
        )
        return (
            f"<table><caption>{html.escape(self.title)}</caption>"
            f"<tr><th></th><th>{html.escape(t.name)}</th><th>{html.escape(c.name)}</th></tr>"
            f"{body}</table>"
        )

    @property
    def treatment(self) -> Arm:
        """The experimental arm."""
        return self.arms[0]

    @property
    def control(self) -> Arm:
        """The comparator arm."""
        return self.arms[1]

    @property
    def primary_outcome(self) -> BinaryOutcome | None:
        """The primary outcome (the first, unless ``primary`` names another)."""
        if not self.outcomes:
            return None
        if self.primary is None:
            return self.outcomes[0]
        return next(o for o in self.outcomes if o.name == self.primary)

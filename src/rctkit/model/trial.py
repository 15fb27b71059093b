"""The whole trial: arms, outcomes, adverse events, published estimates.

A :class:`Trial` holds data and checks that it is consistent; it runs no statistics and
renders nothing. Reports are built from it by :class:`rctkit.TrialReport`.
"""

from __future__ import annotations

import html
import math
import numbers
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from rctkit.errors import InvalidInputError
from rctkit.model._fields import nonempty_str, optional_count_field
from rctkit.model.adverse_records import AdverseEventRecords
from rctkit.model.design import Design
from rctkit.model.flow import Arm, Enrolment, flow_problems
from rctkit.model.multiplicity import Multiplicity
from rctkit.model.outcome import BinaryOutcome
from rctkit.model.populations import Population, population_problems

__all__ = ["AdverseEvent", "PublishedEstimate", "Trial", "trial_problems"]

#: Where a problem lies: ``("arms", 0)``, ``("outcomes", 2, "totals")``, ``("enrolment",)``,
#: ``("primary",)``, ``("adverse_events", 1, "arm")`` or ``("published", name)``; indices
#: count from 0. A trial file turns it into its key path.
Where = tuple[str | int, ...]

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
        Person-time at risk in the arm, for incidence rates: positive and finite.
    """

    term: str = attrs.field(validator=nonempty_str("term"))
    arm: str = attrs.field(validator=nonempty_str("arm"))
    participants: int | None = optional_count_field("participants")
    events: int | None = optional_count_field("events")
    category: str = ""
    serious: bool = False
    severity: str | None = None
    exposure: float | None = attrs.field(default=None)

    @exposure.validator
    def _check_exposure(self, attribute: attrs.Attribute[float | None], value: object) -> None:
        if value is None:
            return
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not (math.isfinite(value) and float(value) > 0)
        ):
            raise InvalidInputError(
                f"adverse event {self.term!r}: `exposure` must be a positive finite number "
                f"(got {value!r})"
            )

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


def _is_ratio(measure: str) -> bool:
    """Whether a published measure is a ratio (odds, risk, rate, hazard ratio; relative risk)."""
    name = measure.strip().lower().replace(" ", "_").replace("-", "_")
    return name.endswith("ratio") or name == "relative_risk"


@attrs.frozen
class PublishedEstimate:
    """An estimate as a publication reported it, kept beside rctkit's own for comparison.

    Parameters
    ----------
    measure : str
        What was estimated, e.g. ``"odds_ratio"``, ``"risk_difference"``, ``"hazard_ratio"``.
    estimate, low, high : float
        The point estimate and its confidence limits, as published.
    pvalue : float, optional
        The published p-value.
    note : str, optional
        Why the published estimate may differ from the crude one.

    Raises
    ------
    InvalidInputError
        If ``measure`` is empty; a number is not finite; ``low <= estimate <= high`` fails;
        ``pvalue`` is outside [0, 1]; or a ratio measure (a name ending in "ratio", or
        "relative_risk") has a limit or estimate that is not positive.

    Examples
    --------
    >>> PublishedEstimate("odds_ratio", 0.66, 0.43, 0.99, pvalue=0.0438).high
    0.99
    """

    measure: str = attrs.field(validator=nonempty_str("measure"))
    estimate: float = attrs.field()
    low: float = attrs.field()
    high: float = attrs.field()
    pvalue: float | None = None
    note: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.measure.strip():
            raise InvalidInputError(f"`measure` must not be empty (got {self.measure!r})")
        for name in ("estimate", "low", "high", "pvalue"):
            value = getattr(self, name)
            if name == "pvalue" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise InvalidInputError(f"`{name}` must be a number (got {value!r})")
            if not math.isfinite(value):
                raise InvalidInputError(f"`{name}` must be finite (got {value!r})")
        if not self.low <= self.estimate <= self.high:
            raise InvalidInputError(
                "`low` <= `estimate` <= `high` must hold "
                f"(got low={self.low!r}, estimate={self.estimate!r}, high={self.high!r})"
            )
        if self.pvalue is not None and not 0 <= self.pvalue <= 1:
            raise InvalidInputError(f"`pvalue` must lie in [0, 1] (got {self.pvalue!r})")
        if _is_ratio(self.measure) and not self.low > 0:
            raise InvalidInputError(
                f"`low` of a ratio ({self.measure!r}) must be positive (got {self.low!r})"
            )


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


#: The measures (and "test") a trial's ``analysis`` may name a method for.
ANALYSIS_KEYS = ("odds_ratio", "risk_ratio", "risk_difference", "test")


def _population_tuple(value: Iterable[Population]) -> tuple[Population, ...]:
    return tuple(value)


def _name_map(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


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
    populations : sequence of Population, optional
        The analysis populations (full analysis set, per-protocol, safety...) with their
        counts per arm, each at most the arm's allocated count.
    outcome_populations : mapping of outcome name to population name, optional
        The population each outcome is analysed in; its denominators are then at most that
        population's counts (deaths, say, known for everyone randomised, beside a primary
        outcome known for fewer). An outcome not named here keeps the arm's analysed (else
        allocated) count as its limit.
    safety_population : str, optional
        The population the harms are counted over (see ``Trial.harms_denominators``).
    analysis : mapping, optional
        The methods the statistical analysis plan names, by measure (keys "odds_ratio",
        "risk_ratio", "risk_difference" and "test"): the report uses them unless its caller
        names others. The method names are checked when a report is made.
    design : Design, optional
        The framework (superiority, non-inferiority or equivalence) with its margin, for
        the primary outcome unless it names another (CONSORT 2025 item 9).
    adverse_event_records : AdverseEventRecords, optional
        Participant-level adverse events of the safety population (from ADaM ADSL/ADAE by
        ``rctkit.io.read_adam``), for the standard harms tables by system organ class
        and preferred term.
    multiplicity : Multiplicity, optional
        A family of outcomes (the secondary ones, say) and the procedure that adjusts their
        p-values; the report then gives the adjusted p-values. Its names must be outcomes of
        the trial.

    Raises
    ------
    InvalidInputError
        Listing every inconsistency at once: an outcome's denominator above its
        population's or its arm's analysed (or allocated) count, analysed or a population
        above allocated, adverse events naming an unknown arm or with more participants
        than the arm's harms denominator (``harms_denominators``), a primary outcome that
        does not exist.
    """

    title: str = attrs.field(validator=nonempty_str("title"))
    arms: tuple[Arm, Arm] = attrs.field(converter=_arm_pair)
    outcomes: tuple[BinaryOutcome, ...] = attrs.field(converter=_outcome_tuple, factory=tuple)
    adverse_events: tuple[AdverseEvent, ...] = attrs.field(converter=_event_tuple, factory=tuple)
    enrolment: Enrolment | None = attrs.field(default=None, validator=_check_enrolment)
    primary: str | None = None
    citation: str = ""
    published: Mapping[str, PublishedEstimate] = attrs.field(factory=dict)
    populations: tuple[Population, ...] = attrs.field(converter=_population_tuple, factory=tuple)
    outcome_populations: Mapping[str, str] = attrs.field(converter=_name_map, factory=dict)
    safety_population: str | None = None
    analysis: Mapping[str, str] = attrs.field(converter=_name_map, factory=dict)
    design: Design = attrs.field(factory=Design)
    adverse_event_records: AdverseEventRecords | None = attrs.field(default=None)

    @adverse_event_records.validator
    def _check_records(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not isinstance(value, AdverseEventRecords):
            raise InvalidInputError(
                "`adverse_event_records` must be AdverseEventRecords or None "
                f"(got {type(value).__name__})"
            )

    multiplicity: Multiplicity | None = attrs.field(default=None)

    @multiplicity.validator
    def _check_multiplicity(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not isinstance(value, Multiplicity):
            raise InvalidInputError(
                f"`multiplicity` must be a Multiplicity or None (got {value!r})"
            )

    @design.validator
    def _check_design(self, attribute: attrs.Attribute[Design], value: Any) -> None:
        if not isinstance(value, Design):
            raise InvalidInputError(f"`design` must be a Design (got {value!r})")

    @analysis.validator
    def _check_analysis(self, attribute: attrs.Attribute[Mapping[str, str]], value: Any) -> None:
        for key, method in value.items():
            if key not in ANALYSIS_KEYS:
                listed = ", ".join(f'"{k}"' for k in ANALYSIS_KEYS)
                raise InvalidInputError(f"`analysis` keys must be among {listed} (got {key!r})")
            if not isinstance(method, str) or not method:
                raise InvalidInputError(
                    f"`analysis[{key!r}]` must be a method's name (got {method!r})"
                )

    def __attrs_post_init__(self) -> None:
        problems = [
            message
            for _, message in trial_problems(
                self.arms,
                self.enrolment,
                self.outcomes,
                self.adverse_events,
                self.primary,
                self.published,
                populations=self.populations,
                outcome_populations=self.outcome_populations,
                safety_population=self.safety_population,
                adverse_event_records=self.adverse_event_records,
            )
        ]
        named = self.design.outcome
        if named is not None and named not in {o.name for o in self.outcomes}:
            problems.append(f"`design.outcome` names an unknown outcome {named!r}")
        if self.multiplicity is not None:
            known = {o.name for o in self.outcomes}
            problems.extend(
                f"`multiplicity.family` names an unknown outcome {name!r}"
                for name in self.multiplicity.family
                if name not in known
            )
        if problems:
            raise InvalidInputError(
                "the trial is inconsistent:\n" + "\n".join(f"- {p}" for p in problems)
            )

    @property
    def design_outcome(self) -> BinaryOutcome | None:
        """The outcome the design's margin applies to: the one it names, else the primary."""
        if self.design.outcome is None:
            return self.primary_outcome
        return next(o for o in self.outcomes if o.name == self.design.outcome)

    def population(self, name: str) -> Population:
        """The population called ``name``."""
        for population in self.populations:
            if population.name == name:
                return population
        raise InvalidInputError(
            f"`name` must be one of the trial's populations "
            f"{[p.name for p in self.populations]} (got {name!r})"
        )

    def outcome_population(self, outcome: str) -> Population | None:
        """The population an outcome is analysed in, or None when it names none (its
        denominators are then at most each arm's analysed, else allocated, count)."""
        name = self.outcome_populations.get(outcome)
        return None if name is None else self.population(name)

    @property
    def harms_denominators(self) -> tuple[int, int]:
        """Each arm's denominator of the harms: the safety population's counts, or the arm's
        analysed (else allocated) count when the trial names no safety population."""
        if self.safety_population is not None:
            return self.population(self.safety_population).counts
        t, c = (a.analysed if a.analysed is not None else a.allocated for a in self.arms)
        return t, c

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

    def missing(self, outcome: str | None = None) -> tuple[int, int]:
        """The participants randomised to each arm whose outcome is not counted.

        Parameters
        ----------
        outcome : str, optional
            The outcome's name; by default the primary outcome.

        Returns
        -------
        tuple of int
            ``(treatment, control)``: each arm's ``allocated`` count minus the outcome's
            denominator in that arm. For the primary outcome analysed in everyone with an
            outcome this is ``allocated - analysed``. Both are 0 when nothing is missing.

        Raises
        ------
        InvalidInputError
            If the trial has no outcomes, or ``outcome`` names none of them.

        Examples
        --------
        >>> from rctkit.io import example_trial
        >>> example_trial().missing()
        (3, 4)
        """
        names = [o.name for o in self.outcomes]
        if outcome is not None and outcome not in names:
            raise InvalidInputError(
                f"`outcome` must name one of the outcomes {names} (got {outcome!r})"
            )
        chosen = (
            self.primary_outcome
            if outcome is None
            else next(o for o in self.outcomes if o.name == outcome)
        )
        if chosen is None:
            raise InvalidInputError("`outcome`: the trial has no outcomes to count missing for")
        t, c = self.arms
        return (t.allocated - chosen.treatment.total, c.allocated - chosen.control.total)

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


def _harms_limits(arms: Sequence[Arm], safety: Population | None) -> dict[str, tuple[int, str]]:
    """Each arm's harms denominator by label, and what it is: the safety population's count,
    else the arm's analysed, else allocated, count (as ``Trial.harms_denominators``)."""
    limits: dict[str, tuple[int, str]] = {}
    for k, arm in enumerate(arms):
        if safety is not None:
            limits[arm.label] = (safety.counts[k], f"population {safety.name!r}")
        elif arm.analysed is not None:
            limits[arm.label] = (arm.analysed, "analysed")
        else:
            limits[arm.label] = (arm.allocated, "allocated")
    return limits


def trial_problems(
    arms: Sequence[Arm],
    enrolment: Enrolment | None = None,
    outcomes: Sequence[BinaryOutcome] = (),
    adverse_events: Sequence[AdverseEvent] = (),
    primary: str | None = None,
    published: Mapping[str, PublishedEstimate] | None = None,
    *,
    populations: Sequence[Population] = (),
    outcome_populations: Mapping[str, str] | None = None,
    safety_population: str | None = None,
    adverse_event_records: AdverseEventRecords | None = None,
) -> list[tuple[Where, str]]:
    """Every way the parts of a :class:`Trial` disagree, each with where it lies.

    :class:`Trial` raises one :class:`~rctkit.InvalidInputError` listing the messages; a
    reader of a file (:func:`rctkit.io.load_trial`) turns each :data:`Where` into a key path.
    The flow's rules are those of :func:`rctkit.consort.flow_problems`; beyond them, every
    denominator is at most its population's count: an outcome's at most its own population's
    count (``outcome_populations``), else its arm's analysed (else allocated) count; an
    adverse event's participants at most the arm's harms denominator (the safety
    population's count, else analysed, else allocated); and each population's count at most
    its arm's allocated count (:func:`~rctkit.model.populations.population_problems`).
    ``primary`` names an outcome, adverse events name an arm by label, and ``published``
    names outcomes. Participant-level ``adverse_event_records`` hold, per arm, exactly the
    safety population's participants when the trial names a safety population.

    Examples
    --------
    >>> from rctkit import Arm
    >>> trial_problems([Arm("A", 10, analysed=11), Arm("B", 10)])
    [(('arms', 0), "arm 'A': `analysed` must not exceed `allocated` (got analysed=11, allocated=10)")]
    """  # noqa: E501
    located: list[tuple[Where, str]] = []
    per_arm = [flow_problems([arm]) for arm in arms]
    # What the whole flow adds to the arms' own problems is the enrolment's.
    rest = Counter(flow_problems(arms, enrolment))
    rest.subtract(Counter(p for problems in per_arm for p in problems))
    located.extend((("enrolment",), p) for p in rest.elements())
    for i, problems in enumerate(per_arm):
        located.extend((("arms", i), p) for p in problems)
    names = [o.name for o in outcomes if isinstance(o, BinaryOutcome)]
    located.extend(
        population_problems(arms, populations, names, outcome_populations or {}, safety_population)
    )
    by_name = {p.name: p for p in populations if isinstance(p, Population)}
    for j, outcome in enumerate(outcomes):
        if not isinstance(outcome, BinaryOutcome):
            located.append(
                (("outcomes", j), f"`outcomes` must hold BinaryOutcome objects (got {outcome!r})")
            )
            continue
        own = by_name.get((outcome_populations or {}).get(outcome.name, ""))
        for k, (arm, counts) in enumerate(
            zip(arms, (outcome.treatment, outcome.control), strict=True)
        ):
            if own is not None:  # its own population's count is its limit
                limit, which = own.counts[k], f"population {own.name!r}"
            else:
                limit = arm.analysed if arm.analysed is not None else arm.allocated
                which = "analysed" if arm.analysed is not None else "allocated"
            if counts.total > limit:
                located.append(
                    (
                        ("outcomes", j, "totals"),
                        f"outcome {outcome.name!r}: the {arm.label!r} denominator must not "
                        f"exceed the arm's {which} count (got {counts.total} > {limit})",
                    )
                )
    if primary is not None and primary not in names:
        located.append(
            (("primary",), f"`primary` must name one of the outcomes {names} (got {primary!r})")
        )
    labels = {arm.label for arm in arms}
    harms = _harms_limits(arms, by_name.get(safety_population or ""))
    for k, event in enumerate(adverse_events):
        if event.arm not in labels:
            located.append(
                (
                    ("adverse_events", k, "arm"),
                    f"adverse event {event.term!r}: `arm` must be one of {sorted(labels)} "
                    f"(got {event.arm!r})",
                )
            )
            continue
        limit, which = harms[event.arm]
        if event.participants is not None and event.participants > limit:
            located.append(
                (
                    ("adverse_events", k, "participants"),
                    f"adverse event {event.term!r}: `participants` in arm {event.arm!r} must "
                    f"not exceed the arm's {which} count (got participants="
                    f"{event.participants}, {which}={limit})",
                )
            )
    safety = by_name.get(safety_population or "")
    if isinstance(adverse_event_records, AdverseEventRecords) and safety is not None:
        held = adverse_event_records.n_participants
        if held != safety.counts:
            located.append(
                (
                    ("adverse_event_records", "participants"),
                    f"`adverse_event_records` must hold the safety population {safety.name!r} "
                    f"per arm (got {held[0]} + {held[1]} participants, population "
                    f"{safety.counts[0]} + {safety.counts[1]})",
                )
            )
    for name in published or {}:
        if name not in names:
            located.append((("published", name), f"`published` names an unknown outcome {name!r}"))
    return located

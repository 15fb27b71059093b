"""The trial data model: counts, outcomes, arms, the CONSORT flow and adverse events.

Every class is a frozen attrs class, validated when it is built. Bad input raises
:class:`~rctkit.InvalidInputError` naming the field, the rule and the value.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit._validation import as_count
from rctkit.errors import InvalidInputError

if TYPE_CHECKING:  # pragma: no cover
    from rctkit.report import TrialReport

__all__ = [
    "AdverseEvent",
    "Arm",
    "BinaryOutcome",
    "Counts",
    "Enrolment",
    "PublishedEstimate",
    "Reason",
    "Trial",
]


def _count_field(name: str) -> Any:
    """An attrs field holding a non-negative int; floats, strings and booleans are refused."""
    return attrs.field(converter=lambda v: as_count(v, name))


def _optional_count_field(name: str) -> Any:
    return attrs.field(default=None, converter=lambda v: None if v is None else as_count(v, name))


def _nonempty_str(name: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise InvalidInputError(f"`{name}` must be a string (got {value!r})")

    return check


@attrs.frozen
class Counts:
    """One arm's binary outcome: ``events`` of ``total`` participants.

    Parameters
    ----------
    events : int
        Participants with the event; ``0 <= events <= total``.
    total : int
        Participants analysed for the outcome; positive.

    Examples
    --------
    >>> Counts(64, 218)
    Counts(events=64, total=218)
    >>> round(Counts(64, 218).risk, 4)
    0.2936
    """

    events: int = _count_field("events")
    total: int = _count_field("total")

    @total.validator
    def _check(self, attribute: attrs.Attribute[int], value: int) -> None:
        if value == 0:
            raise InvalidInputError("`total` must be positive (got total=0)")
        if self.events > value:
            raise InvalidInputError(
                f"`events` must not exceed `total` (got events={self.events}, total={value})"
            )

    @property
    def risk(self) -> float:
        """The observed risk ``events / total``."""
        return self.events / self.total

    @property
    def non_events(self) -> int:
        """Participants without the event."""
        return self.total - self.events

    def __str__(self) -> str:
        return f"{self.events}/{self.total} ({100 * self.risk:.1f}%)"


def _as_counts(value: Any, name: str) -> Counts:
    if isinstance(value, Counts):
        return value
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        try:
            return Counts(*value)
        except InvalidInputError as exc:
            raise InvalidInputError(f"`{name}`: {exc}") from None
    raise InvalidInputError(f"`{name}` must be Counts or an (events, total) pair (got {value!r})")


def _treatment_counts(value: Any) -> Counts:
    return _as_counts(value, "treatment")


def _control_counts(value: Any) -> Counts:
    return _as_counts(value, "control")


def _labels(value: Any) -> tuple[str, str]:
    if (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) == 2
        and all(isinstance(x, str) for x in value)
    ):
        if value[0] == value[1]:
            raise InvalidInputError(f"`labels` must be two different strings (got {value!r})")
        return (value[0], value[1])
    raise InvalidInputError(f"`labels` must be a pair of strings (got {value!r})")


@attrs.frozen
class BinaryOutcome:
    """A binary outcome in a two-arm trial.

    Parameters
    ----------
    name : str
        What the outcome is, for reports.
    treatment : Counts or (events, total)
        The experimental arm.
    control : Counts or (events, total)
        The comparator arm.
    labels : (str, str), optional
        Names of the arms, treatment first; default ``("Treatment", "Control")``.

    Examples
    --------
    >>> core = BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216),
    ...                                  name="Readmission within 1 year")
    >>> core.treatment
    Counts(events=64, total=218)
    """

    name: str = attrs.field(validator=_nonempty_str("name"))
    treatment: Counts = attrs.field(converter=_treatment_counts)
    control: Counts = attrs.field(converter=_control_counts)
    labels: tuple[str, str] = attrs.field(default=("Treatment", "Control"), converter=_labels)

    @classmethod
    def from_counts(
        cls,
        *,
        treatment: tuple[int, int] | Counts,
        control: tuple[int, int] | Counts,
        name: str = "",
        labels: tuple[str, str] = ("Treatment", "Control"),
    ) -> BinaryOutcome:
        """Build from ``(events, total)`` per arm.

        Examples
        --------
        >>> BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216)).control.events
        83
        """
        return cls(name=name, treatment=treatment, control=control, labels=labels)

    @classmethod
    def from_arrays(
        cls,
        arm: Iterable[Hashable] | npt.ArrayLike,
        outcome: Iterable[Any] | npt.ArrayLike,
        *,
        treatment: Hashable,
        name: str = "",
    ) -> BinaryOutcome:
        """Build from individual participants' arms and 0/1 (or boolean) outcomes.

        Parameters
        ----------
        arm : array_like
            Each participant's arm label; exactly two distinct labels, any hashable values.
        outcome : array_like
            Each participant's outcome: 0/1 or booleans. NaN and other values are refused.
        treatment : hashable
            The label of the experimental arm; the other label is the control arm.
        name : str, optional
            The outcome's name.

        Examples
        --------
        >>> BinaryOutcome.from_arrays(["A", "B", "A", "B"], [1, 0, 0, 0], treatment="A")
        BinaryOutcome(name='', treatment=Counts(events=1, total=2), control=Counts(events=0, total=2), labels=('A', 'B'))
        """  # noqa: E501
        arms = _as_label_array(arm, "arm")
        values = _as_binary_array(outcome, "outcome")
        if arms.shape[0] != values.shape[0]:
            raise InvalidInputError(
                f"`arm` and `outcome` must have the same length "
                f"(got {arms.shape[0]} and {values.shape[0]})"
            )
        labels = list(dict.fromkeys(arms.tolist()))
        if len(labels) != 2:
            shown = ", ".join(repr(x) for x in labels[:5]) + (", ..." if len(labels) > 5 else "")
            raise InvalidInputError(
                f"`arm` must hold exactly two distinct labels (got {len(labels)}: {shown})"
            )
        if treatment not in labels:
            raise InvalidInputError(
                f"`treatment` must be one of the labels in `arm` "
                f"({labels[0]!r}, {labels[1]!r}) (got {treatment!r})"
            )
        control = labels[1] if labels[0] == treatment else labels[0]
        is_treatment = np.array([x == treatment for x in arms.tolist()], dtype=bool)
        counts = [
            Counts(int(values[mask].sum()), int(mask.sum()))
            for mask in (is_treatment, ~is_treatment)
        ]
        return cls(
            name=name,
            treatment=counts[0],
            control=counts[1],
            labels=(str(treatment), str(control)),
        )

    @classmethod
    def from_dataframe(
        cls,
        data: Any,
        *,
        arm: Hashable,
        outcome: Hashable,
        treatment: Hashable,
        name: str | None = None,
    ) -> BinaryOutcome:
        """Build from a pandas DataFrame (or a mapping of columns) of individual participants.

        Parameters
        ----------
        data : pandas.DataFrame or mapping of column name to 1-D array
            One row per participant.
        arm, outcome : hashable
            The columns holding each participant's arm and 0/1 (or boolean) outcome.
        treatment : hashable
            The label of the experimental arm.
        name : str, optional
            The outcome's name; default the outcome column's name.

        Raises
        ------
        InvalidInputError
            If a column is missing (the message lists the columns there are), or as in
            :meth:`from_arrays`.

        Examples
        --------
        >>> data = {"group": ["peer", "usual", "peer"], "readmitted": [1, 0, 0]}
        >>> BinaryOutcome.from_dataframe(data, arm="group", outcome="readmitted",
        ...                              treatment="peer").treatment
        Counts(events=1, total=2)
        """
        columns = list(data.columns) if hasattr(data, "columns") else list(data)
        for parameter, column in (("arm", arm), ("outcome", outcome)):
            if column not in columns:
                shown = ", ".join(repr(c) for c in columns[:10])
                raise InvalidInputError(
                    f"`{parameter}` must name a column of `data` ({shown}) (got {column!r})"
                )
        return cls.from_arrays(
            np.asarray(data[arm]),
            np.asarray(data[outcome]),
            treatment=treatment,
            name=str(outcome) if name is None else name,
        )

    def swap(self) -> BinaryOutcome:
        """Return the outcome with the arms exchanged (control becomes treatment)."""
        return attrs.evolve(
            self,
            treatment=self.control,
            control=self.treatment,
            labels=(self.labels[1], self.labels[0]),
        )

    @property
    def table(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The 2x2 table ``((a, b), (c, d))``: rows treatment and control, events first."""
        t, c = self.treatment, self.control
        return ((t.events, t.non_events), (c.events, c.non_events))

    def as_tuple(self) -> tuple[int, int, int, int]:
        """``(treatment events, treatment total, control events, control total)``."""
        return (
            self.treatment.events,
            self.treatment.total,
            self.control.events,
            self.control.total,
        )


def _as_label_array(value: Any, name: str) -> npt.NDArray[Any]:
    arr = np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value
    if arr.ndim != 1:
        raise InvalidInputError(f"`{name}` must be one-dimensional (got shape {arr.shape})")
    for i, x in enumerate(arr.tolist()):
        if x is None or (isinstance(x, float) and math.isnan(x)):
            raise InvalidInputError(f"`{name}` must not hold missing values (got {x!r} at {i})")
    return arr


def _as_binary_array(value: Any, name: str) -> npt.NDArray[np.int64]:
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise InvalidInputError(f"`{name}` must be one-dimensional (got shape {arr.shape})")
    if arr.dtype == np.bool_:
        return arr.astype(np.int64)
    if arr.dtype.kind == "O":
        bad = [
            (i, x)
            for i, x in enumerate(arr.tolist())
            if isinstance(x, str) or x is None or not (x is True or x is False or x in (0, 1))
        ]
    elif arr.dtype.kind in "iuf":
        mask = ~np.isin(arr, (0, 1))
        bad = [(int(i), arr[i].item()) for i in np.flatnonzero(mask)[:1]]
    else:
        raise InvalidInputError(
            f"`{name}` must hold 0/1 or boolean values (got dtype {arr.dtype})"
        )
    if bad:
        i, x = bad[0]
        raise InvalidInputError(
            f"`{name}` must hold only 0/1 or boolean values (got {x!r} at position {i})"
        )
    return np.asarray([int(x) for x in arr.tolist()], dtype=np.int64)


@attrs.frozen
class Reason:
    """A count of participants with a reason (excluded, lost to follow-up, ...)."""

    reason: str = attrs.field(validator=_nonempty_str("reason"))
    count: int = _count_field("count")


#: What a reasons field accepts: ``{"withdrew consent": 2}`` or a sequence of Reason.
ReasonsLike = Mapping[str, int] | Iterable["Reason"]


def _as_reasons(value: ReasonsLike, name: str) -> tuple[Reason, ...]:
    if isinstance(value, Mapping):
        return tuple(Reason(str(k), v) for k, v in value.items())
    try:
        items = tuple(value)
    except TypeError:
        raise InvalidInputError(
            f"`{name}` must be a mapping of reason to count or a sequence of Reason "
            f"(got {value!r})"
        ) from None
    for item in items:
        if not isinstance(item, Reason):
            raise InvalidInputError(f"`{name}` entries must be Reason (got {item!r})")
    return items


# One named converter per field, so that type checkers see what each field accepts and the
# error names the field.
def _excluded(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "excluded")


def _did_not_receive(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "did_not_receive")


def _lost_to_follow_up(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "lost_to_follow_up")


def _discontinued(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "discontinued")


def _excluded_from_analysis(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "excluded_from_analysis")


def total_of(reasons: Iterable[Reason]) -> int:
    """The number of participants across ``reasons``."""
    return sum(r.count for r in reasons)


@attrs.frozen
class Enrolment:
    """The enrolment box of the CONSORT flow: assessed for eligibility, excluded with reasons."""

    assessed: int | None = _optional_count_field("assessed")
    excluded: tuple[Reason, ...] = attrs.field(factory=tuple, converter=_excluded)


@attrs.frozen
class Arm:
    """One arm of the trial and its part of the CONSORT flow.

    Parameters
    ----------
    label : str
        The arm's name in reports, e.g. "Peer-supported self-management".
    allocated : int
        Participants randomised (allocated) to the arm.
    received : int, optional
        Participants who received the allocated intervention.
    did_not_receive, lost_to_follow_up, discontinued, excluded_from_analysis : mapping, optional
        Reasons with counts, e.g. ``{"withdrew consent": 2}``.
    analysed : int, optional
        Participants analysed for the primary outcome.
    short : str, optional
        A short name for table headers; defaults to ``label``.
    description : str, optional
        A longer description of the intervention.
    """

    label: str = attrs.field(validator=_nonempty_str("label"))
    allocated: int = _count_field("allocated")
    received: int | None = _optional_count_field("received")
    did_not_receive: tuple[Reason, ...] = attrs.field(factory=tuple, converter=_did_not_receive)
    lost_to_follow_up: tuple[Reason, ...] = attrs.field(
        factory=tuple, converter=_lost_to_follow_up
    )
    discontinued: tuple[Reason, ...] = attrs.field(factory=tuple, converter=_discontinued)
    analysed: int | None = _optional_count_field("analysed")
    excluded_from_analysis: tuple[Reason, ...] = attrs.field(
        factory=tuple, converter=_excluded_from_analysis
    )
    short: str = ""
    description: str = ""

    @property
    def name(self) -> str:
        """The short name when given, else the label."""
        return self.short or self.label


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

    term: str = attrs.field(validator=_nonempty_str("term"))
    arm: str = attrs.field(validator=_nonempty_str("arm"))
    participants: int | None = _optional_count_field("participants")
    events: int | None = _optional_count_field("events")
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

    title: str = attrs.field(validator=_nonempty_str("title"))
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
        # Imported here: rctkit.consort imports this module.
        from rctkit.consort import flow_problems

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

    def report(self, *, style: str = "plain", confidence_level: float = 0.95) -> TrialReport:
        """The trial's report (CONSORT counts, outcomes, harms); see :class:`TrialReport`."""
        from rctkit.report import TrialReport

        return TrialReport(self, style=style, confidence_level=confidence_level)

    def _repr_html_(self) -> str:
        return self.report()._repr_html_()

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

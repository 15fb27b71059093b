"""One binary outcome of a two-arm trial: an arm's counts, and the two arms together.

Every class is a frozen attrs class, validated when it is built. Bad input raises
:class:`~rctkit.InvalidInputError` naming the field, the rule and the value.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit import _validation
from rctkit.errors import InvalidInputError
from rctkit.model._fields import count_field, nonempty_str

__all__ = ["BinaryOutcome", "Counts"]


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

    events: int = count_field("events")
    total: int = count_field("total")

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

    name: str = attrs.field(validator=nonempty_str("name"))
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
            Each participant's outcome: 0/1 or booleans. Other values are refused, and so are
            missing values (None, NaN, ``pandas.NA``, ``pandas.NaT``; also in ``arm``), with
            their count and the first one's position: they are never dropped.
        treatment : hashable
            The label of the experimental arm; the other label is the control arm.
        name : str, optional
            The outcome's name.

        Examples
        --------
        >>> BinaryOutcome.from_arrays(["A", "B", "A", "B"], [1, 0, 0, 0], treatment="A")
        BinaryOutcome(name='', treatment=Counts(events=1, total=2), control=Counts(events=0, total=2), labels=('A', 'B'))
        """  # noqa: E501
        arms = _validation.label_array(arm, "arm")
        values = _validation.binary_array(outcome, "outcome")
        if arms.shape[0] != values.shape[0]:
            raise InvalidInputError(
                f"`arm` and `outcome` must have the same length "
                f"(got {arms.shape[0]} and {values.shape[0]})"
            )
        labels, codes = _validation.label_codes(arms, "arm")
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
        is_treatment = codes == (0 if labels[0] == treatment else 1)
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
        for parameter, column in (("arm", arm), ("outcome", outcome)):
            _validation.check_column(data, column, parameter)
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

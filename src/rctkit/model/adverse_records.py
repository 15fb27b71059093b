"""Participant-level adverse events: who was at risk, and every event they had.

:class:`AdverseEventRecords` is what an ADaM ADSL/ADAE pair (or any one-row-per-event data)
becomes in the model. The standard harms tables count *participants* (with at least one
event, by system organ class and preferred term, by worst severity, ...) over the safety
population, which aggregated counts cannot give; these records can. The columns are numpy
arrays, the text columns stored once as levels and coded by index, so that two million
events cost a few tens of megabytes. Like the rest of the model it computes no statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit.errors import InvalidInputError

__all__ = ["GRADE_UNKNOWN", "AdverseEventRecords"]

IntArray = npt.NDArray[np.int64]
SmallArray = npt.NDArray[np.int8]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

#: The code of an event whose grade (or severity) is not recorded.
GRADE_UNKNOWN = 0


def _levels(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInputError(f"`{name}` must be a sequence of str (got {type(value).__name__})")
    levels = tuple(value)
    for level in levels:
        if not isinstance(level, str) or not level.strip():
            raise InvalidInputError(f"`{name}` entries must be non-empty str (got {level!r})")
    if len(set(levels)) != len(levels):
        raise InvalidInputError(f"`{name}` must not repeat a level")
    return levels


def _array(value: Any, dtype: Any, name: str) -> npt.NDArray[Any]:
    try:
        array: npt.NDArray[Any] = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"`{name}` must be a one-dimensional array ({exc})") from None
    if array.ndim != 1:
        raise InvalidInputError(f"`{name}` must be one-dimensional (got shape {array.shape})")
    if array.size == 0:
        return np.zeros(0, dtype=dtype)
    if dtype is np.bool_:
        if array.dtype != np.bool_:
            raise InvalidInputError(f"`{name}` must be boolean (got dtype {array.dtype})")
        copied: npt.NDArray[Any] = array.copy()
        return copied
    if dtype is np.float64:
        if not (
            np.issubdtype(array.dtype, np.number) and not np.issubdtype(array.dtype, np.bool_)
        ):
            raise InvalidInputError(f"`{name}` must be numeric (got dtype {array.dtype})")
        return array.astype(np.float64)
    if not np.issubdtype(array.dtype, np.integer):
        raise InvalidInputError(f"`{name}` must hold integer codes (got dtype {array.dtype})")
    return array.astype(dtype)


def _codes(codes: IntArray, size: int, name: str, levels: str) -> None:
    if codes.size and (codes.min() < 0 or codes.max() >= size):
        bad = codes[(codes < 0) | (codes >= size)][0]
        raise InvalidInputError(
            f"`{name}` codes must index `{levels}` (0 to {size - 1}; got {int(bad)})"
        )


# One named converter per field, so that type checkers see what each field takes and the
# error names the field.
def _participants(value: Any) -> tuple[str, ...]:
    return _levels(value, "participants")


def _socs(value: Any) -> tuple[str, ...]:
    return _levels(value, "socs")


def _terms(value: Any) -> tuple[str, ...]:
    return _levels(value, "terms")


def _participant_arm(value: Any) -> SmallArray:
    return _array(value, np.int8, "participant_arm")


def _event_participant(value: Any) -> IntArray:
    return _array(value, np.int64, "event_participant")


def _event_soc(value: Any) -> IntArray:
    return _array(value, np.int64, "event_soc")


def _event_term(value: Any) -> IntArray:
    return _array(value, np.int64, "event_term")


def _exposure(value: Any) -> FloatArray | None:
    return None if value is None else _array(value, np.float64, "exposure_days")


def _serious(value: Any) -> BoolArray | None:
    return None if value is None else _array(value, np.bool_, "serious")


def _related(value: Any) -> BoolArray | None:
    return None if value is None else _array(value, np.bool_, "related")


def _grade(value: Any) -> SmallArray | None:
    return None if value is None else _array(value, np.int8, "grade")


def _event_day(value: Any) -> FloatArray | None:
    return None if value is None else _array(value, np.float64, "event_day")


@attrs.frozen(eq=False, repr=False)
class AdverseEventRecords:
    """The safety population's participants and their adverse events, one row per event.

    Parameters
    ----------
    participants : sequence of str
        Participant identifiers (USUBJID), unique: everyone in the safety population,
        including those with no event.
    participant_arm : array of int
        0 for the trial's treatment arm, 1 for its control arm.
    exposure_days : array of float, optional
        Days on treatment (ADSL TRTDURD); nan where unknown. Default: all unknown.
    event_participant : array of int
        The index of the participant in ``participants``.
    socs, terms : sequence of str
        The system organ classes (AEBODSYS) and preferred terms (AEDECOD) that occur.
    event_soc, event_term : array of int
        Each event's class and term, as indices into ``socs`` and ``terms``.
    serious : array of bool, optional
        Serious (AESER = "Y"). Default: none.
    related : array of bool, optional
        Related to the treatment (AEREL other than "NOT RELATED"/"NONE"). Default: none.
    grade : array of int, optional
        Toxicity grade 1-5 (AETOXGR), or severity coded 1 mild, 2 moderate, 3 severe
        (AESEV), :data:`~rctkit.model.GRADE_UNKNOWN` (0) where not recorded. Default: all
        unknown.
    severity_scale : {"grade", "severity"}, optional
        What ``grade`` codes: CTCAE grades 1-5 (default) or the mild/moderate/severe scale.
    event_day : array of float, optional
        Each event's start as a study day relative to the first dose (ADAE ASTDY; day 1 is
        TRTSDT, so an event on day ``d`` comes after ``d`` days of exposure); nan where
        unknown. Default: all unknown. The exposure-adjusted incidence rate up to the first
        event (:func:`rctkit.ae_tables.ae_table`'s ``exposure="first-event"``) needs it.

    Raises
    ------
    InvalidInputError
        For arrays of the wrong kind or length, codes outside their levels, repeated
        participants, arms other than 0 and 1, negative exposure, grades outside 0-5, or
        infinite event days.

    Notes
    -----
    ``participants``, ``participant_arm`` and ``exposure_days`` have one entry per
    participant; the other arrays one entry per event, their codes indexing the levels.
    """

    participants: tuple[str, ...] = attrs.field(converter=_participants)
    participant_arm: SmallArray = attrs.field(converter=_participant_arm)
    event_participant: IntArray = attrs.field(converter=_event_participant)
    socs: tuple[str, ...] = attrs.field(converter=_socs)
    terms: tuple[str, ...] = attrs.field(converter=_terms)
    event_soc: IntArray = attrs.field(converter=_event_soc)
    event_term: IntArray = attrs.field(converter=_event_term)
    exposure_days: FloatArray | None = attrs.field(default=None, converter=_exposure)
    serious: BoolArray | None = attrs.field(default=None, converter=_serious)
    related: BoolArray | None = attrs.field(default=None, converter=_related)
    grade: SmallArray | None = attrs.field(default=None, converter=_grade)
    severity_scale: str = "grade"
    event_day: FloatArray | None = attrs.field(default=None, converter=_event_day, kw_only=True)

    def __attrs_post_init__(self) -> None:
        n, k = len(self.participants), self.event_participant.size
        if self.participant_arm.size != n:
            raise InvalidInputError(
                f"`participant_arm` must have one entry per participant ({n}; got "
                f"{self.participant_arm.size})"
            )
        if n and not np.isin(self.participant_arm, (0, 1)).all():
            raise InvalidInputError("`participant_arm` must hold 0 (treatment) or 1 (control)")
        if self.exposure_days is not None:
            if self.exposure_days.size != n:
                raise InvalidInputError(
                    f"`exposure_days` must have one entry per participant ({n}; got "
                    f"{self.exposure_days.size})"
                )
            if (self.exposure_days < 0).any() or np.isinf(self.exposure_days).any():
                raise InvalidInputError("`exposure_days` must be finite and >= 0 (or nan)")
        for name in ("event_soc", "event_term", "serious", "related", "grade", "event_day"):
            column = getattr(self, name)
            if column is not None and column.size != k:
                raise InvalidInputError(
                    f"`{name}` must have one entry per event ({k}; got {column.size})"
                )
        if self.event_day is not None and np.isinf(self.event_day).any():
            bad = self.event_day[np.isinf(self.event_day)][0]
            raise InvalidInputError(f"`event_day` must be finite (or nan) (got {float(bad)!r})")
        _codes(self.event_participant, n, "event_participant", "participants")
        _codes(self.event_soc, len(self.socs), "event_soc", "socs")
        _codes(self.event_term, len(self.terms), "event_term", "terms")
        if (
            self.grade is not None
            and self.grade.size
            and (self.grade.min() < 0 or self.grade.max() > 5)
        ):
            raise InvalidInputError("`grade` must be 0 (unknown) or 1 to 5")
        if self.severity_scale not in ("grade", "severity"):
            raise InvalidInputError(
                f"`severity_scale` must be 'grade' or 'severity' (got {self.severity_scale!r})"
            )
        if self.severity_scale == "severity" and self.grade is not None and (self.grade > 3).any():
            raise InvalidInputError("`grade` on the severity scale must be 0 to 3")

    @property
    def n_participants(self) -> tuple[int, int]:
        """Participants at risk (the safety population) in the treatment and control arm."""
        counts = np.bincount(self.participant_arm, minlength=2)
        return int(counts[0]), int(counts[1])

    @property
    def n_events(self) -> int:
        """The number of events."""
        return int(self.event_participant.size)

    def __repr__(self) -> str:
        t, c = self.n_participants
        return (
            f"AdverseEventRecords({t} + {c} participants, {self.n_events} events, "
            f"{len(self.socs)} system organ classes, {len(self.terms)} terms)"
        )

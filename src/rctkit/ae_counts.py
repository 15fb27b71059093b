"""Counting participants with adverse events per row of the standard harms tables.

The rows are the row of all events, each system organ class and each (class, preferred
term) pair; a participant counts once per row (and, for the severity table, at their worst
grade in it). Vectorised: ``numpy.unique`` on row x participant keys and ``numpy.bincount``,
no loop over events or participants; the loop over rows only orders them.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit.model import AdverseEventRecords

__all__ = ["Layout", "layout"]

IntArray = npt.NDArray[np.int64]


@attrs.frozen(eq=False)
class Layout:
    """The rows of a table in display order and, per row, each participant with an event."""

    kind: tuple[str, ...]
    soc: tuple[str, ...]
    term: tuple[str, ...]
    participants: IntArray  # (rows, 2)
    events: IntArray  # (rows, 2)
    worst: IntArray | None  # (rows, 2, 6): participants by worst grade 0 (unknown) to 5


def _unique_participants(
    row: IntArray, participant: IntArray, n: int, grade: npt.NDArray[np.int8] | None
) -> tuple[IntArray, IntArray, IntArray | None]:
    """The distinct (row, participant) pairs of the events, and each pair's worst grade.

    One sort of the keys ``(row * n + participant) * 8 + grade`` (a plain sort: faster than
    ``numpy.unique``'s hash table here); the last key of each pair holds its worst grade.
    """
    width = max(n, 1)
    key = row * width + participant
    if grade is not None:
        key = key * 8 + grade.astype(np.int64)
    key = np.sort(key)
    pair = key if grade is None else key >> 3
    last = np.empty(key.size, dtype=bool)
    if key.size:
        np.not_equal(pair[1:], pair[:-1], out=last[:-1])
        last[-1] = True
    unique = pair[last]
    worst = None if grade is None else key[last] & 7
    return unique // width, unique % width, worst


def _tally(
    rows: int,
    row: IntArray,
    participant: IntArray,
    arm: IntArray,
    n: int,
    grade: npt.NDArray[np.int8] | None,
) -> tuple[IntArray, IntArray, IntArray | None]:
    """Participants and events per row and arm (and participants by worst grade)."""
    events = np.bincount(row * 2 + arm[participant], minlength=2 * rows).reshape(rows, 2)
    prow, pid, worst = _unique_participants(row, participant, n, grade)
    cell = prow * 2 + arm[pid]
    people = np.bincount(cell, minlength=2 * rows).reshape(rows, 2)
    by_grade = None
    if worst is not None:
        by_grade = np.bincount(cell * 6 + worst, minlength=12 * rows).reshape(rows, 2, 6)
    return people, events, by_grade


def layout(
    records: AdverseEventRecords,
    mask: npt.NDArray[np.bool_] | None,
    sort: str,
    threshold: float | None,
    grades: bool,
) -> Layout:
    """The rows of ``records``' events (those of ``mask``), ordered by ``sort``, the terms
    cut at ``threshold``; with ``grades``, participants by worst grade too."""
    n = len(records.participants)
    arm = records.participant_arm.astype(np.int64)
    who, soc, term = records.event_participant, records.event_soc, records.event_term
    grade = None
    if grades:
        grade = np.zeros(who.size, dtype=np.int8) if records.grade is None else records.grade
    if mask is not None:
        who, soc, term = who[mask], soc[mask], term[mask]
        grade = None if grade is None else grade[mask]
    n_terms = max(len(records.terms), 1)
    pairs, pair_row = np.unique(soc * n_terms + term, return_inverse=True)
    pair_row = pair_row.reshape(-1)
    socs, soc_row = np.unique(soc, return_inverse=True)
    soc_row = soc_row.reshape(-1)
    any_row = np.zeros(who.size, dtype=np.int64)
    tallies = [
        _tally(1, any_row, who, arm, n, grade),
        _tally(socs.size, soc_row, who, arm, n, grade),
        _tally(pairs.size, pair_row, who, arm, n, grade),
    ]
    totals = np.bincount(arm, minlength=2)
    pair_soc = np.searchsorted(socs, pairs // n_terms)
    keep: npt.NDArray[np.bool_] = np.ones(pairs.size, dtype=bool)
    if threshold is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            risk = np.where(totals > 0, tallies[2][0] / np.maximum(totals, 1), 0.0)
        keep = np.asarray((risk >= threshold).any(axis=1), dtype=bool)
    soc_names = [records.socs[int(s)] for s in socs]
    term_names = [records.terms[int(t)] for t in pairs % n_terms]

    def order(names: list[str], people: IntArray, which: list[int]) -> list[int]:
        if sort == "frequency":
            return sorted(which, key=lambda i: (-int(people[i].sum()), names[i].lower(), names[i]))
        return sorted(which, key=lambda i: (names[i].lower(), names[i]))

    members: dict[int, list[int]] = {}
    for i in np.flatnonzero(keep).tolist():
        members.setdefault(int(pair_soc[i]), []).append(i)
    shown_socs = order(soc_names, tallies[1][0], list(members))
    index: list[tuple[int, int]] = [(0, 0)]  # (tally, row within it)
    for s in shown_socs:
        index.append((1, s))
        index += [(2, i) for i in order(term_names, tallies[2][0], members[s])]
    kind = tuple(("any", "soc", "term")[t] for t, _ in index)
    soc_of = tuple(
        "" if t == 0 else soc_names[i] if t == 1 else soc_names[int(pair_soc[i])] for t, i in index
    )
    term_of = tuple(term_names[i] if t == 2 else "" for t, i in index)
    pick = np.array([t for t, _ in index]), np.array([i for _, i in index])

    def gather(j: int) -> Any:
        parts = [tallies[t][j] for t in range(3)]
        return np.concatenate([parts[t][i][None] for t, i in zip(*pick, strict=True)])

    return Layout(kind, soc_of, term_of, gather(0), gather(1), gather(2) if grades else None)

"""Exposure-adjusted incidence rates of the adverse-event table, and their exact rate ratio.

Two definitions of the person-time under a row's rate (participants with the event per 100
participant-years):

``"first-event"``
    The exposure-adjusted incidence rate (EAIR) of the FDA and ICH E9: each participant with
    the row's event contributes their exposure up to their *first* event in that row, the
    others their whole exposure. An event on study day ``d`` (day 1 is the first dose)
    counts ``d`` days, clamped into ``[0, exposure]``.
``"total"``
    Each arm's total exposure in every row (the only choice when the event days are not
    known).

Vectorised: the events are sorted once by (row, participant) and each pair's first day taken
with ``numpy.minimum.reduceat``; the classes and the row of all events reuse the pairs'
first days (a smaller sort). The exact conditional rate ratio runs once over all rows with
each row's own person-time per arm.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from rctkit._kernels.rate_ratio import exact_rate_ratio
from rctkit.ae_counts import Layout
from rctkit.errors import InvalidInputError
from rctkit.harms import MAX_EXPOSURE_RATIO, _exposure_ratio
from rctkit.model import AdverseEventRecords

__all__ = ["DAYS_PER_YEAR", "EXPOSURES", "Rates", "first_event_days", "rates"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: The choices of ``ae_table(exposure=...)``.
EXPOSURES = ("auto", "first-event", "total", "none")

#: Days in a year of exposure (the Julian year, as ADaM's ``TRTDURD / 365.25``).
DAYS_PER_YEAR = 365.25


class Rates(NamedTuple):
    """The rate columns of a table: the definition, each arm's total exposure in years, each
    row's person-years and rates per arm, and the rate ratio (estimate, limits, p)."""

    definition: str
    exposure_years: tuple[float, float]
    person_years: FloatArray  # (rows, 2)
    rates: FloatArray  # (rows, 2)
    ratio: FloatArray  # (rows, 4)


def first_event_days(
    row: IntArray, participant: IntArray, day: FloatArray, n: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """The distinct (row, participant) pairs of the events and each pair's earliest day.

    One stable sort of the keys ``row * n + participant``, then ``numpy.minimum.reduceat``
    over the runs of equal keys.
    """
    width = max(n, 1)
    key = row * width + participant
    order = np.argsort(key, kind="stable")
    key = key[order]
    if key.size == 0:
        return key, key.copy(), np.zeros(0)
    start = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    first = np.minimum.reduceat(day[order], start)
    unique = key[start]
    return unique // width, unique % width, first


def _person_days(
    rows: int,
    row: IntArray,
    participant: IntArray,
    first: FloatArray,
    days: FloatArray,
    arm: IntArray,
    total: FloatArray,
) -> FloatArray:
    """Per row and arm: the arm's total exposure less what the participants with the event
    lose after their first event (their exposure less the day, clamped into [0, exposure])."""
    exposure = days[participant]
    lost = exposure - np.clip(first, 0.0, exposure)
    cell = row * 2 + arm[participant]
    removed = np.bincount(cell, weights=lost, minlength=2 * rows).reshape(rows, 2)
    out: FloatArray = total[None, :] - removed
    return np.maximum(out, 0.0)


def _row_keys(records: AdverseEventRecords, layout: Layout) -> tuple[IntArray, IntArray]:
    """Each table row's group (0 any, 1 class, 2 term) and its code within the group."""
    soc_code = {name: i for i, name in enumerate(records.socs)}
    term_code = {name: i for i, name in enumerate(records.terms)}
    n_terms = max(len(records.terms), 1)
    group = np.array([("any", "soc", "term").index(k) for k in layout.kind], dtype=np.int64)
    code = np.array(
        [
            0
            if k == "any"
            else soc_code[s]
            if k == "soc"
            else soc_code[s] * n_terms + term_code[t]
            for k, s, t in zip(layout.kind, layout.soc, layout.term, strict=True)
        ],
        dtype=np.int64,
    )
    return group, code


def _first_event_person_days(
    records: AdverseEventRecords,
    mask: npt.NDArray[np.bool_] | None,
    layout: Layout,
    days: FloatArray,
    total: FloatArray,
) -> FloatArray:
    """Person-days per table row and arm up to each participant's first event in the row."""
    assert records.event_day is not None
    n = len(records.participants)
    arm = records.participant_arm.astype(np.int64)
    who, soc, term = records.event_participant, records.event_soc, records.event_term
    day = records.event_day
    if mask is not None:
        who, soc, term, day = who[mask], soc[mask], term[mask], day[mask]
    n_terms = max(len(records.terms), 1)
    pair_row, pair_who, pair_first = first_event_days(soc * n_terms + term, who, day, n)
    soc_row, soc_who, soc_first = first_event_days(pair_row // n_terms, pair_who, pair_first, n)
    zero = np.zeros(soc_who.size, dtype=np.int64)
    _, any_who, any_first = first_event_days(zero, soc_who, soc_first, n)
    group, code = _row_keys(records, layout)
    out = np.empty((len(layout.kind), 2))
    for g, (row, whom, first) in enumerate(
        (
            (np.zeros(any_who.size, dtype=np.int64), any_who, any_first),
            (soc_row, soc_who, soc_first),
            (pair_row, pair_who, pair_first),
        )
    ):
        chosen = group == g
        if row.size == 0:  # no one has an event of the group: whole exposure
            out[chosen] = total
            continue
        keys, index = np.unique(row, return_inverse=True)
        per_key = _person_days(keys.size, index.reshape(-1), whom, first, days, arm, total)
        out[chosen] = per_key[np.searchsorted(keys, code[chosen])]
    return out


def rates(
    records: AdverseEventRecords,
    mask: npt.NDArray[np.bool_] | None,
    layout: Layout,
    exposure: str,
    level: float,
) -> Rates | None:
    """The rate columns of the rows of ``layout`` for ``exposure`` (a checked choice of
    :data:`EXPOSURES`), or None when there are none."""
    days = records.exposure_days
    known = days is not None and days.size > 0 and bool(np.isfinite(days).all())
    timed = known and (
        records.event_day is not None and bool(np.isfinite(records.event_day).all())
    )
    if exposure == "none" or (exposure == "auto" and not known):
        return None
    if not known or days is None:
        raise InvalidInputError(
            f"`exposure`={exposure!r} needs every participant's `exposure_days` (got records "
            "with exposure unknown for some participants)"
        )
    if exposure == "first-event" and not timed:
        unknown = (
            records.n_events
            if records.event_day is None
            else int((~np.isfinite(records.event_day)).sum())
        )
        raise InvalidInputError(
            "`exposure`='first-event' needs every event's `event_day` (the study day of its "
            f"start; got records with the day unknown for {unknown} event(s))"
        )
    definition = (
        "first-event" if exposure == "first-event" or (exposure == "auto" and timed) else "total"
    )
    arm = records.participant_arm.astype(np.int64)
    total = np.bincount(arm, weights=days, minlength=2).astype(np.float64)
    years = total / DAYS_PER_YEAR
    people = layout.participants
    rows = people.shape[0]
    if definition == "first-event":
        person_years = _first_event_person_days(records, mask, layout, days, total)
        person_years /= DAYS_PER_YEAR
    else:
        person_years = np.tile(years, (rows, 1))
    positive = person_years > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(positive, 100.0 * people / np.where(positive, person_years, 1.0), np.nan)
    ratio = np.full((rows, 4), np.nan)
    if definition == "total" and rows and (years > 0).all():
        _exposure_ratio(float(years[0]), float(years[1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = person_years[:, 0] / person_years[:, 1]
    ok = (
        positive.all(axis=1)
        & (spread <= MAX_EXPOSURE_RATIO)
        & (spread >= 1.0 / MAX_EXPOSURE_RATIO)
    )
    if ok.any():
        e1 = people[ok, 0].astype(np.float64)
        e2 = people[ok, 1].astype(np.float64)
        found = exact_rate_ratio(e1, e2, person_years[ok, 0], person_years[ok, 1], level)
        ratio[ok] = np.column_stack(found)
    return Rates(definition, (float(years[0]), float(years[1])), person_years, rate, ratio)

"""CDISC ADaM data in: ADSL (one row per participant) and ADAE (one row per adverse event).

:func:`read_adam` builds a :class:`~rctkit.Trial` from them: the two arms compared, the
analysis populations from the flag variables, the CONSORT flow from the disposition
variables, binary outcomes, and the participant-level adverse events of the safety population
(:class:`~rctkit.AdverseEventRecords`) with their aggregate by preferred term. It checks
the data as a reviewer would, and every check fails with one error naming the variable and the
number of participants concerned. The work is vectorised (factorize, group counts over integer
codes): no loop runs over participants or events.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rctkit._validation import check_choice
from rctkit.errors import InvalidInputError
from rctkit.io._datasets import FORMATS, as_days, load_dataset, require
from rctkit.model import (
    AdverseEvent,
    AdverseEventRecords,
    Arm,
    BinaryOutcome,
    Population,
    Trial,
)
from rctkit.model.adverse_records import GRADE_UNKNOWN

__all__ = ["POPULATION_FLAGS", "example_adam", "read_adam"]

#: The ADSL population flags read, and the population each defines.
POPULATION_FLAGS = {
    "FASFL": "full analysis set",
    "ITTFL": "full analysis set",
    "SAFFL": "safety",
    "PPROTFL": "per-protocol",
}

#: AEREL values that mean "not related" (compared without case); missing is also unrelated.
_NOT_RELATED = frozenset({"NOT RELATED", "NONE", "N", "NO", "UNRELATED"})
_SEVERITY = {"MILD": 1, "MODERATE": 2, "SEVERE": 3}
_CONTROL = re.compile(r"placebo|control", re.IGNORECASE)
_LOST = re.compile(r"lost\s*to\s*follow", re.IGNORECASE)
_YES = frozenset({"Y", "YES", "1", "TRUE", "1.0"})
_NO = frozenset({"N", "NO", "0", "FALSE", "0.0"})
#: The level of an adverse event whose class or term is missing.
NOT_CODED = "(not coded)"


def _missing_variables(frame: Any, names: Sequence[str], data: str) -> None:
    absent = [n for n in names if n not in frame.columns]
    if absent:
        raise InvalidInputError(
            f"`{data}` lacks required variable(s) {', '.join(absent)} ({len(frame)} rows)"
        )


def _flag(frame: Any, variable: str) -> npt.NDArray[np.bool_]:
    """A Y/N flag (also 1/0) as booleans; anything else, including missing, is False."""
    upper = frame[variable].astype("string").str.strip().str.upper()
    flag: npt.NDArray[np.bool_] = upper.isin(_YES).to_numpy(dtype=bool, na_value=False)
    return flag


def _choose_arms(values: Sequence[str], arm: str, treatment: Any, control: Any) -> list[str]:
    present = sorted(set(values))
    listed = ", ".join(repr(v) for v in present)
    for name, given in (("treatment", treatment), ("control", control)):
        if given is not None and given not in present:
            raise InvalidInputError(
                f"`{name}` must be one of the {arm} values {listed} (got {given!r})"
            )
    if treatment is not None and control is not None:
        if treatment == control:
            raise InvalidInputError(f"`treatment` and `control` must differ (got {treatment!r})")
        return [treatment, control]
    rest = [v for v in present if v not in (treatment, control)]
    if control is None:
        matches = [v for v in rest if _CONTROL.search(v)]
        if treatment is None and len(present) == 2 and len(matches) == 1:
            return [next(v for v in present if v != matches[0]), matches[0]]
        if treatment is not None and len(matches) == 1:
            return [treatment, matches[0]]
    elif len(rest) == 1:
        return [rest[0], control]
    raise InvalidInputError(
        f"`{arm}` has the arm values {listed}: name the two to compare with `treatment=` and "
        "`control=` (by default there must be exactly two, one of them matching "
        "placebo or control)"
    )


def _arm_codes(values: npt.NDArray[Any], arms: Sequence[str]) -> npt.NDArray[np.int8]:
    """0 for the treatment arm, 1 for control, -1 for anything else."""
    codes = np.full(values.size, -1, dtype=np.int8)
    codes[values == arms[0]] = 0
    codes[values == arms[1]] = 1
    return codes


def _per_arm(codes: npt.NDArray[np.int8], mask: npt.NDArray[np.bool_]) -> tuple[int, int]:
    counts = np.bincount(codes[mask & (codes >= 0)], minlength=2)
    return int(counts[0]), int(counts[1])


def _pd_na() -> Any:
    """pandas' missing value."""
    return require("pandas").NA


def _reasons(labels: Any) -> dict[str, int]:
    """Counts by reason, the reasons in alphabetical order."""
    counts = labels.value_counts(sort=False).sort_index()
    return {str(n): int(c) for n, c in counts.items()}


def _flow(
    adsl: Any, planned: npt.NDArray[np.int8], randomised: npt.NDArray[np.bool_]
) -> list[dict[str, Any]]:
    """Each arm's lost to follow-up and discontinued reasons, from EOSSTT and DCSREAS/DCDECOD."""
    reason_var = next((v for v in ("DCSREAS", "DCDECOD") if v in adsl.columns), None)
    if reason_var is None and "EOSSTT" not in adsl.columns:
        return [{}, {}]
    blank = require("pandas").Series(_pd_na(), index=adsl.index, dtype="string")
    reason = adsl[reason_var].astype("string") if reason_var else blank
    if "EOSSTT" in adsl.columns:
        stopped = adsl["EOSSTT"].astype("string").str.upper().eq("DISCONTINUED")
    else:
        stopped = reason.notna() & reason.str.upper().ne("COMPLETED")
    stopped = stopped.fillna(False).to_numpy(dtype=bool)
    reason = reason.fillna("reason not recorded")
    lost = reason.str.contains(_LOST).to_numpy(dtype=bool)
    flows = []
    for k in (0, 1):
        mine = stopped & randomised & (planned == k)
        flows.append(
            {
                "lost_to_follow_up": _reasons(reason[mine & lost]),
                "discontinued": _reasons(reason[mine & ~lost]),
            }
        )
    return flows


def _binary(column: Any, variable: str, where: str) -> Any:
    """A Y/N (1/0, true/false) column as a nullable 0/1 Series; anything else is an error."""
    text = column.astype("string").str.strip().str.upper()
    yes, no = text.isin(_YES), text.isin(_NO)
    bad = text.notna() & ~yes & ~no
    if bad.any():
        values = sorted(set(text[bad].dropna().unique()))[:5]
        raise InvalidInputError(
            f"`{variable}` ({where}) must be Y/N or 1/0, missing where not analysed "
            f"(got {values} for {int(bad.sum())} participant(s))"
        )
    return yes.astype("Int8").mask(text.isna())


def _outcome(
    name: str, value: Any, arm: npt.NDArray[np.int8], labels: tuple[str, str]
) -> BinaryOutcome:
    """A binary outcome from a 0/1 Series (missing: not analysed) and each row's arm code."""
    known = value.notna().to_numpy(dtype=bool)
    event = value.fillna(0).to_numpy(dtype=np.int64) == 1
    tot = np.bincount(arm[known & (arm >= 0)], minlength=2)
    ev = np.bincount(arm[known & event & (arm >= 0)], minlength=2)
    for k in (0, 1):
        if tot[k] == 0:
            raise InvalidInputError(
                f"`{name}`: arm {labels[k]!r} has no one analysed (0 participants of the full "
                "analysis set with a value)"
            )
    return BinaryOutcome.from_counts(
        treatment=(int(ev[0]), int(tot[0])),
        control=(int(ev[1]), int(tot[1])),
        name=name,
        labels=labels,
    )


def _is_dataset(item: Any) -> bool:
    pd = require("pandas")
    if isinstance(item, (pd.DataFrame, os.PathLike)):
        return True
    return isinstance(item, str) and Path(item).suffix.lower() in FORMATS


def _outcomes(
    outcomes: Any,
    adsl: Any,
    fas: npt.NDArray[np.bool_],
    planned: npt.NDArray[np.int8],
    labels: tuple[str, str],
) -> list[BinaryOutcome]:
    if outcomes is None:
        return []
    items = [outcomes] if isinstance(outcomes, str) or _is_dataset(outcomes) else list(outcomes)
    result: list[BinaryOutcome] = []
    ids = adsl["USUBJID"]
    for item in items:
        if _is_dataset(item):
            bds = load_dataset(item, "outcomes")
            _missing_variables(bds, ["USUBJID", "PARAMCD"], "outcomes")
            if "AVAL" not in bds.columns and "AVALC" not in bds.columns:
                _missing_variables(bds, ["AVAL"], "outcomes")
            unknown = ~bds["USUBJID"].isin(ids)
            if unknown.any():
                raise InvalidInputError(
                    f"`USUBJID` of the outcomes data set: {bds.loc[unknown, 'USUBJID'].nunique()}"
                    " participant(s) are not in ADSL"
                )
            dup = bds.duplicated(["USUBJID", "PARAMCD"])
            if dup.any():
                raise InvalidInputError(
                    f"`PARAMCD` of the outcomes data set: {bds.loc[dup, 'USUBJID'].nunique()} "
                    "participant(s) have more than one record of a parameter (keep one "
                    "record per participant and parameter, e.g. one AVISIT)"
                )
            for paramcd, group in bds.groupby("PARAMCD", sort=True):
                # AVAL where the parameter has it, else AVALC.
                numeric = "AVAL" in group.columns and bool(group["AVAL"].notna().any())
                value_var = "AVAL" if numeric or "AVALC" not in group.columns else "AVALC"
                value = _binary(group[value_var], value_var, f"PARAMCD {paramcd}")
                row = ids.reset_index(drop=True)
                aligned = value.set_axis(group["USUBJID"].to_numpy()).reindex(row.to_numpy())
                aligned = aligned.mask(~fas)
                result.append(_outcome(str(paramcd), aligned, planned, labels))
        elif isinstance(item, str):
            variable = item.upper()
            _missing_variables(adsl, [variable], "adsl")
            value = _binary(adsl[variable], variable, "ADSL").reset_index(drop=True)
            result.append(_outcome(variable, value.mask(~fas), planned, labels))
        else:
            raise InvalidInputError(
                "`outcomes` entries must be ADSL variable names or data sets (a path or a "
                f"DataFrame; got {type(item).__name__})"
            )
    return result


def _empty_arm(variable: str, counts: tuple[int, int], arms: Sequence[str], of: Any) -> None:
    for k in (0, 1):
        if counts[k] == 0:
            raise InvalidInputError(
                f"`{variable}`: arm {arms[k]!r} has no one in the population (0 of its "
                f"{int(of[k])} participant(s) have {variable} = 'Y')"
            )


def _events(
    adae: Any,
    adsl: Any,
    safety: npt.NDArray[np.bool_],
    treatment_emergent: str,
    teae_window: int,
) -> tuple[Any, npt.NDArray[np.int64]]:
    """The treatment-emergent events of the safety population, and each one's ADSL row."""
    _missing_variables(adae, ["USUBJID", "AEBODSYS", "AEDECOD"], "adae")
    index = require("pandas").Index(adsl["USUBJID"])
    row = index.get_indexer(adae["USUBJID"]).astype(np.int64)
    unknown = row < 0
    if unknown.any():
        raise InvalidInputError(
            f"`USUBJID` of ADAE: {adae.loc[unknown, 'USUBJID'].nunique()} participant(s) with "
            f"{int(unknown.sum())} event(s) are not in ADSL"
        )
    keep = safety[row]
    if treatment_emergent == "flag" and "TRTEMFL" in adae.columns:
        keep &= _flag(adae, "TRTEMFL")
        return adae[keep], row[keep]
    adae, row = adae[keep], row[keep]
    _missing_variables(adsl, ["TRTSDT", "TRTEDT"], "adsl")
    _missing_variables(adae, ["ASTDT"], "adae")
    start = as_days(adae["ASTDT"], "ASTDT")
    first = as_days(adsl["TRTSDT"], "TRTSDT")[row]
    last = as_days(adsl["TRTEDT"], "TRTEDT")[row]
    # A missing start date counts as treatment-emergent (the conservative convention); a
    # missing end of treatment leaves the window open.
    outside = (start < first) | (start > last + teae_window)
    if treatment_emergent == "derive":
        return adae[~outside], row[~outside]
    if outside.any():
        n = adae.loc[outside, "USUBJID"].nunique()
        raise InvalidInputError(
            f"`TRTEMFL` is absent and {int(outside.sum())} event(s) of {n} participant(s) start "
            f"outside the treatment-emergent window (ASTDT before TRTSDT, or after TRTEDT + "
            f"{teae_window} day(s)): add TRTEMFL, or pass treatment_emergent='derive' to leave "
            "them out"
        )
    return adae, row


def _grades(adae: Any) -> tuple[npt.NDArray[np.int8] | None, str]:
    if "AETOXGR" in adae.columns and adae["AETOXGR"].notna().any():
        text = adae["AETOXGR"].astype("string").str.strip().str.upper()
        number = text.str.extract(r"^(?:GRADE\s*)?([0-9]+)(?:\.0*)?$", expand=False)
        grade = number.astype("Float64")
        bad = (text.notna() & grade.isna()) | (grade < 1) | (grade > 5)
        if bad.fillna(False).any():
            raise InvalidInputError(
                f"`AETOXGR` must be a grade 1 to 5 or missing (got "
                f"{sorted(set(text[bad.fillna(False)].dropna().unique()))[:5]} in "
                f"{int(bad.fillna(False).sum())} event(s))"
            )
        return grade.fillna(GRADE_UNKNOWN).to_numpy(dtype=np.int8), "grade"
    if "AESEV" in adae.columns:
        text = adae["AESEV"].astype("string").str.strip().str.upper()
        grade = text.map(_SEVERITY, na_action="ignore").astype("Float64")
        bad = (text.notna() & grade.isna()).fillna(False)
        if bad.any():
            raise InvalidInputError(
                f"`AESEV` must be MILD, MODERATE, SEVERE or missing (got "
                f"{sorted(set(text[bad].dropna().unique()))[:5]} in {int(bad.sum())} event(s))"
            )
        return grade.fillna(GRADE_UNKNOWN).to_numpy(dtype=np.int8), "severity"
    return None, "grade"


def _exposure(adsl: Any) -> npt.NDArray[np.float64] | None:
    pd = require("pandas")
    for variable in ("TRTDURD", "TRTDUR"):
        if variable in adsl.columns:
            values = pd.to_numeric(adsl[variable], errors="coerce")
            out: npt.NDArray[np.float64] = values.to_numpy(dtype=np.float64, na_value=np.nan)
            return out
    if "TRTSDT" in adsl.columns and "TRTEDT" in adsl.columns:
        days = as_days(adsl["TRTEDT"], "TRTEDT") - as_days(adsl["TRTSDT"], "TRTSDT") + 1
        return days
    return None


def _event_days(adae: Any, adsl: Any, row: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Each event's study day of start (day 1 = TRTSDT): ASTDY, else ASTDT - TRTSDT + 1."""
    pd = require("pandas")
    if "ASTDY" in adae.columns:
        values = pd.to_numeric(adae["ASTDY"], errors="coerce")
        day: npt.NDArray[np.float64] = values.to_numpy(dtype=np.float64, na_value=np.nan)
        return day
    if "ASTDT" in adae.columns and "TRTSDT" in adsl.columns:
        start = as_days(adae["ASTDT"], "ASTDT")
        return start - as_days(adsl["TRTSDT"], "TRTSDT")[row] + 1.0
    return np.full(len(adae), np.nan)


def _codes_of(column: Any) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    pd = require("pandas")
    codes, levels = pd.factorize(column.fillna(NOT_CODED), sort=True)
    return codes.astype(np.int64), tuple(str(v) for v in levels)


def _records(
    adae: Any,
    row: npt.NDArray[np.int64],
    ids: Any,
    safety: npt.NDArray[np.bool_],
    arm_codes: npt.NDArray[np.int8],
    exposure: Any,
    event_day: npt.NDArray[np.float64],
) -> AdverseEventRecords:
    # Each safety participant's index among them, by ADSL row.
    event_participant = (np.cumsum(safety) - 1)[row].astype(np.int64)
    event_soc, socs = _codes_of(adae["AEBODSYS"])
    event_term, terms = _codes_of(adae["AEDECOD"])
    serious = related = None
    if "AESER" in adae.columns:
        serious = _flag(adae, "AESER")
    if "AEREL" in adae.columns:
        rel = adae["AEREL"].astype("string").str.strip().str.upper()
        related = (rel.notna() & ~rel.isin(_NOT_RELATED)).to_numpy(dtype=bool)
    grade, scale = _grades(adae)
    return AdverseEventRecords(
        participants=tuple(str(v) for v in ids),
        participant_arm=arm_codes,
        event_participant=event_participant,
        socs=socs,
        terms=terms,
        event_soc=event_soc,
        event_term=event_term,
        exposure_days=exposure,
        serious=serious,
        related=related,
        grade=grade,
        severity_scale=scale,
        event_day=event_day,
    )


def _aggregate(records: AdverseEventRecords, labels: tuple[str, str]) -> list[AdverseEvent]:
    """One AdverseEvent per (class, term) and arm: participants, events, any serious."""
    n_terms = len(records.terms)
    pair = records.event_soc * n_terms + records.event_term
    pairs, pair_code = np.unique(pair, return_inverse=True)
    arm = records.participant_arm[records.event_participant].astype(np.int64)
    cell = pair_code * 2 + arm
    size = pairs.size * 2
    events = np.bincount(cell, minlength=size)
    n = max(len(records.participants), 1)
    first = np.unique(cell * n + records.event_participant) // n  # one per participant
    participants = np.bincount(first, minlength=size)
    serious = (
        np.bincount(cell, weights=records.serious, minlength=size) > 0
        if records.serious is not None
        else np.zeros(size, dtype=bool)
    )
    out: list[AdverseEvent] = []
    for j, p in enumerate(pairs.tolist()):
        soc, term = divmod(p, n_terms)
        for k in (0, 1):
            out.append(
                AdverseEvent(
                    term=records.terms[term],
                    arm=labels[k],
                    participants=int(participants[2 * j + k]),
                    events=int(events[2 * j + k]),
                    category=records.socs[soc],
                    serious=bool(serious[2 * j + k]),
                )
            )
    return out


def read_adam(
    adsl: Any,
    adae: Any = None,
    *,
    outcomes: Any = None,
    arm: str = "TRT01A",
    population: str = "SAFFL",
    treatment: str | None = None,
    control: str | None = None,
    title: str | None = None,
    treatment_emergent: str = "flag",
    teae_window: int = 0,
) -> Trial:
    """Build a :class:`~rctkit.Trial` from CDISC ADaM data sets (ADSL, ADAE, a BDS).

    Parameters
    ----------
    adsl : path or pandas.DataFrame
        The subject-level data set, one row per participant: a ``.xpt`` (SAS transport),
        ``.sas7bdat``, ``.json``/``.ndjson`` (CDISC Dataset-JSON v1.1), ``.parquet`` or
        ``.csv`` file, or a DataFrame. It needs USUBJID, the ``arm`` variable and the
        ``population`` flag.
    adae : path or pandas.DataFrame, optional
        The adverse events, one row per event, with USUBJID, AEBODSYS (system organ class)
        and AEDECOD (preferred term); read when present: AESER, AEREL, AETOXGR, AESEV,
        TRTEMFL, ASTDT, ASTDY.
    outcomes : str, data set, or a sequence of them, optional
        Binary efficacy outcomes: names of ADSL variables (Y/N or 1/0; missing means not
        analysed) and/or analysis data sets in BDS form (USUBJID, PARAMCD, AVAL 0/1 or AVALC
        Y/N; one record per participant and parameter), one outcome per variable or PARAMCD.
    arm : str, optional
        The ADSL variable of the arm actually received (default TRT01A): the arms of the
        safety population. Allocation uses the planned arm TRT01P when ADSL has it.
    population : str, optional
        The flag of the population the harms are counted over (default SAFFL).
    treatment, control : str, optional
        The two values of ``arm`` to compare. By default ``arm`` must take exactly two values,
        one of them (the control) matching "placebo" or "control" (in any case).
    title : str, optional
        The trial's title; by default the STUDYID.
    treatment_emergent : {"flag", "derive"}, optional
        How treatment-emergent events are chosen. "flag" (default): those with TRTEMFL = "Y";
        when ADAE has no TRTEMFL, all events, after checking that none starts outside the
        window. "derive": those whose ASTDT lies from TRTSDT to TRTEDT + ``teae_window``
        days, whatever TRTEMFL says.
    teae_window : int, optional
        Days after the last dose (TRTEDT) an event still counts as treatment-emergent when
        derived from dates (default 0).

    Returns
    -------
    Trial
        Arms labelled by the arm values, treatment first, with ``allocated`` the participants
        randomised (RANDFL = "Y" when present, else every row) by planned arm, ``received``
        those of the ``population`` flag whose actual arm is the planned one, and the
        discontinued and lost to follow-up reasons; the populations of the flags present
        (FASFL or else ITTFL: "full analysis set"; SAFFL: "safety"; PPROTFL:
        "per-protocol") with their counts per arm, the ``population`` flag's counted by
        actual arm, the others by planned arm; the outcomes, analysed in the full analysis
        set (every randomised participant when ADSL has no FASFL/ITTFL) by planned arm; and,
        with ``adae``, the participant-level events of the safety population
        (``adverse_event_records``) and their totals per preferred term and arm
        (``adverse_events``).

    Raises
    ------
    InvalidInputError
        One error, naming the variable and the number of participants, for: a required
        variable missing; a duplicate USUBJID in ADSL; ADAE participants missing from ADSL;
        events outside the treatment-emergent window when TRTEMFL is absent (unless
        ``treatment_emergent="derive"``); an arm with no one in a population; arm values
        that do not name two arms; flags, grades and outcomes with values outside their
        codes.

    Notes
    -----
    Participants of arms other than ``treatment`` and ``control`` are left out everywhere,
    as are the events of participants outside the safety population. Relatedness is any
    AEREL other than "NOT RELATED", "NONE", "N", "NO", "UNRELATED" or missing. The grade is
    AETOXGR (1 to 5) when ADAE has it, else AESEV coded 1 mild, 2 moderate, 3 severe (with
    ``severity_scale="severity"``); a missing grade is
    :data:`~rctkit.model.GRADE_UNKNOWN`. A missing AEBODSYS or AEDECOD becomes the level
    "(not coded)". Exposure is TRTDURD (or TRTDUR),
    else TRTEDT - TRTSDT + 1 days. Each event's study day (``event_day``, for the
    exposure-adjusted incidence rate up to the first event) is ASTDY, else ASTDT - TRTSDT +
    1 (nan where unknown or non-numeric). An event with no ASTDT counts as treatment-emergent when
    the flag is derived (the conservative convention). Disposition: EOSSTT =
    "DISCONTINUED" (or, without EOSSTT, a DCSREAS/DCDECOD other than "COMPLETED") with the
    reason from DCSREAS (else DCDECOD); a reason naming "lost to follow-up" goes to
    ``lost_to_follow_up``, the others to ``discontinued``. The safety population is counted
    by the arm received and allocation by the arm planned, so a trial in which more
    participants received an arm than were randomised to it (crossovers) is refused by
    :class:`~rctkit.Trial`'s check that a population is at most its arm's allocated count.

    References
    ----------
    CDISC Analysis Data Model Implementation Guide (ADaMIG) v1.3 and the ADaM Structure
    for Occurrence Data (OCCDS) v1.1, https://www.cdisc.org/standards/foundational/adam;
    CDISC Dataset-JSON v1.1, https://www.cdisc.org/standards/data-exchange/dataset-json.

    Examples
    --------
    >>> from rctkit.io import example_adam, read_adam
    >>> adsl, adae = example_adam()
    >>> trial = read_adam(adsl, adae, outcomes="RESPFL")
    >>> trial.population("safety").counts
    (238, 236)
    >>> trial.adverse_event_records.n_participants
    (238, 236)
    """
    pd = require("pandas")
    treatment_emergent = check_choice(treatment_emergent, "treatment_emergent", ("flag", "derive"))
    if isinstance(teae_window, bool) or not isinstance(teae_window, int) or teae_window < 0:
        raise InvalidInputError(f"`teae_window` must be an int >= 0 (got {teae_window!r})")
    for name, value in (("arm", arm), ("population", population)):
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(f"`{name}` must be an ADSL variable name (got {value!r})")
    arm, population = arm.strip().upper(), population.strip().upper()
    frame = load_dataset(adsl, "adsl").reset_index(drop=True)
    _missing_variables(frame, ["USUBJID", arm, population], "adsl")
    if frame["USUBJID"].isna().any():
        raise InvalidInputError(
            f"`USUBJID` of ADSL is missing for {int(frame['USUBJID'].isna().sum())} row(s)"
        )
    frame["USUBJID"] = frame["USUBJID"].astype("string")
    duplicated = frame["USUBJID"].duplicated(keep=False)
    if duplicated.any():
        raise InvalidInputError(
            f"`USUBJID` of ADSL must be unique: {frame.loc[duplicated, 'USUBJID'].nunique()} "
            f"participant(s) appear on more than one row ({int(duplicated.sum())} rows)"
        )
    values = [str(v) for v in frame[arm].dropna().unique()]
    arms = _choose_arms(values, arm, treatment, control)
    labels = (arms[0], arms[1])
    planned_var = "TRT01P" if "TRT01P" in frame.columns else arm
    actual = _arm_codes(frame[arm].astype("string").to_numpy(dtype=object, na_value=""), arms)
    planned = _arm_codes(
        frame[planned_var].astype("string").to_numpy(dtype=object, na_value=""), arms
    )
    everyone = np.ones(len(frame), dtype=bool)
    randomised = (_flag(frame, "RANDFL") if "RANDFL" in frame.columns else everyone) & (
        planned >= 0
    )
    allocated = _per_arm(planned, randomised)
    if min(allocated) == 0:
        empty = arms[allocated.index(0)]
        raise InvalidInputError(
            f"`{planned_var}`: arm {empty!r} has no one randomised (0 participant(s) with "
            f"{planned_var} = {empty!r}"
            + (" and RANDFL = 'Y')" if "RANDFL" in frame.columns else ")")
        )

    populations: list[Population] = []
    masks: dict[str, npt.NDArray[np.bool_]] = {}
    flags = [f for f in ("FASFL", "ITTFL", "SAFFL", "PPROTFL") if f in frame.columns]
    if population not in flags:
        flags.append(population)
    harms_name = POPULATION_FLAGS.get(population, population.lower())
    for flag in flags:
        name = POPULATION_FLAGS.get(flag, flag.lower())
        if name in masks and flag != population:
            continue
        codes = actual if flag == population else planned
        mask = _flag(frame, flag) & (codes >= 0)
        counts = _per_arm(codes, mask)
        _empty_arm(flag, counts, arms, np.bincount(codes[codes >= 0], minlength=2))
        populations = [p for p in populations if p.name != name]
        populations.append(Population(name, *counts, description=f"{flag} = 'Y'"))
        masks[name] = mask
    safety = masks[harms_name]
    fas = masks.get("full analysis set", randomised) & (planned >= 0)

    received = _per_arm(planned, randomised & safety & (actual == planned))
    flows = _flow(frame, planned, randomised)
    arm_objects = tuple(
        Arm(labels[k], allocated[k], received=received[k], **flows[k]) for k in (0, 1)
    )
    found = _outcomes(outcomes, frame, fas, planned, labels)
    outcome_populations = (
        {o.name: "full analysis set" for o in found} if "full analysis set" in masks else {}
    )

    records = None
    aggregated: list[AdverseEvent] = []
    if adae is not None:
        events = load_dataset(adae, "adae")
        _missing_variables(events, ["USUBJID"], "adae")
        events["USUBJID"] = events["USUBJID"].astype("string")
        chosen = frame[safety]
        exposure = _exposure(chosen)
        if exposure is not None and (exposure < 0).any():
            raise InvalidInputError(
                f"`TRTDURD` (or TRTEDT - TRTSDT + 1) must be >= 0: {int((exposure < 0).sum())} "
                "participant(s) of the safety population have a negative exposure"
            )
        kept, row = _events(events, frame, safety, treatment_emergent, teae_window)
        days = _event_days(kept, frame, row)
        records = _records(kept, row, chosen["USUBJID"], safety, actual[safety], exposure, days)
        aggregated = _aggregate(records, labels)

    if title is None:
        study = frame["STUDYID"].dropna() if "STUDYID" in frame.columns else pd.Series([])
        title = str(study.iloc[0]) if len(study) else "ADaM trial"
    return Trial(
        title=title,
        arms=arm_objects,
        outcomes=found,
        adverse_events=aggregated,
        populations=populations,
        outcome_populations=outcome_populations,
        safety_population=harms_name,
        adverse_event_records=records,
    )


#: The formats of the shipped example ADaM data set.
_EXAMPLE_KINDS = ("csv", "xpt")


def example_adam(kind: str = "csv") -> tuple[Path, Path]:
    """The paths of the ADSL and ADAE shipped with rctkit (a simulated ADaM data set).

    A two-arm trial (placebo and active), 480 participants, with the quirks of real data:
    a missing severity, events before the first dose (TRTEMFL blank), participants with no
    event, a participant with several events of one term, participants outside the safety
    population. It is made by ``tests/reference/make_adam_example.py`` (seeded).

    Parameters
    ----------
    kind : {"csv", "xpt"}, optional
        CSV files or SAS transport copies.

    Returns
    -------
    tuple of pathlib.Path
        ``(adsl, adae)``.

    Examples
    --------
    >>> adsl, adae = example_adam()
    >>> adsl.name, adae.name
    ('adsl.csv', 'adae.csv')
    """
    kind = check_choice(kind, "kind", _EXAMPLE_KINDS)
    folder = resources.files("rctkit.data").joinpath("adam")
    return (
        Path(str(folder.joinpath(f"adsl.{kind}"))),
        Path(str(folder.joinpath(f"adae.{kind}"))),
    )

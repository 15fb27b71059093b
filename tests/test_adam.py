"""rctkit.io.read_adam: CDISC ADaM (ADSL, ADAE, BDS) into a Trial.

The counts are checked against pandas groupby written here, apart from the reader: on the
shipped example data set (made by tests/reference/make_adam_example.py), on random
ADaM-shaped data (hypothesis), and, when the public CDISC pilot data are at hand, against the
pilot study's published AE table.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

import rctkit as rk
from rctkit.errors import InvalidInputError
from rctkit.io import example_adam, read_adam
from tests.strategies import adam_data

SHIPPED_ADSL, SHIPPED_ADAE = example_adam("csv")


def shipped() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped CSVs read plainly by pandas (blank text is missing)."""
    return pd.read_csv(SHIPPED_ADSL, dtype=str), pd.read_csv(SHIPPED_ADAE, dtype=str)


# -- the independent reference: pandas groupby on the raw data ---------------------------


def reference_events(adsl: pd.DataFrame, adae: pd.DataFrame) -> pd.DataFrame:
    """Treatment-emergent events (TRTEMFL = "Y") of the safety population, with the arm."""
    safe = adsl.loc[adsl["SAFFL"] == "Y", ["USUBJID", "TRT01A"]]
    events = adae[adae["TRTEMFL"] == "Y"]
    merged: pd.DataFrame = events.merge(safe, on="USUBJID", how="inner")
    return merged


def reference_table(events: pd.DataFrame) -> dict[tuple[str, str, str], tuple[int, int]]:
    """Participants and events per (SOC, PT, arm)."""
    grouped = events.groupby(["AEBODSYS", "AEDECOD", "TRT01A"])
    participants = grouped["USUBJID"].nunique()
    size = grouped.size()
    return {
        (str(s), str(t), str(a)): (int(participants[(s, t, a)]), int(size[(s, t, a)]))
        for s, t, a in size.index
    }


def read_table(trial: rk.Trial) -> dict[tuple[str, str, str], tuple[int, int]]:
    return {
        (e.category, e.term, e.arm): (int(e.participants or 0), int(e.events or 0))
        for e in trial.adverse_events
        if e.events
    }


def records_frame(trial: rk.Trial) -> pd.DataFrame:
    """The trial's participant-level records as one row per event (labels, not codes)."""
    r = trial.adverse_event_records
    assert r is not None
    labels = np.array([arm.label for arm in trial.arms])
    sev = {0: "(missing)", 1: "MILD", 2: "MODERATE", 3: "SEVERE"}
    frame: pd.DataFrame = pd.DataFrame(
        {
            "USUBJID": np.array(r.participants, dtype=object)[r.event_participant],
            "TRT01A": labels[r.participant_arm[r.event_participant]],
            "AEBODSYS": np.array(r.socs, dtype=object)[r.event_soc],
            "AEDECOD": np.array(r.terms, dtype=object)[r.event_term],
            "serious": r.serious,
            "related": r.related,
            "severity": [sev[int(g)] for g in r.grade] if r.grade is not None else "(missing)",
        }
    )
    return frame


def sort(frame: pd.DataFrame) -> pd.DataFrame:
    ordered: pd.DataFrame = frame.sort_values(list(frame.columns), kind="stable")
    result: pd.DataFrame = ordered.reset_index(drop=True)
    return result


def check_against_reference(trial: rk.Trial, adsl: pd.DataFrame, adae: pd.DataFrame) -> None:
    events = reference_events(adsl, adae)
    assert read_table(trial) == reference_table(events)
    # Event by event: participant, arm, class, term, seriousness, relatedness, severity.
    expected = pd.DataFrame(
        {
            "USUBJID": events["USUBJID"],
            "TRT01A": events["TRT01A"],
            "AEBODSYS": events["AEBODSYS"],
            "AEDECOD": events["AEDECOD"],
            "serious": events["AESER"] == "Y",
            "related": events["AEREL"].notna() & (events["AEREL"] != "NOT RELATED"),
            "severity": events["AESEV"].fillna("(missing)").astype(str),
        }
    )
    got = records_frame(trial)
    pd.testing.assert_frame_equal(sort(got), sort(expected), check_dtype=False)
    safe = adsl[adsl["SAFFL"] == "Y"].groupby("TRT01A").size()
    labels = [arm.label for arm in trial.arms]
    assert trial.population("safety").counts == (
        int(safe.get(labels[0], 0)),
        int(safe.get(labels[1], 0)),
    )
    r = trial.adverse_event_records
    assert r is not None and r.n_participants == trial.population("safety").counts


# -- the shipped data set ----------------------------------------------------------------


def test_shipped_data_matches_groupby() -> None:
    adsl, adae = shipped()
    trial = read_adam(SHIPPED_ADSL, SHIPPED_ADAE, outcomes="RESPFL")
    check_against_reference(trial, adsl, adae)
    assert trial.title == "RCTKIT-AE01"
    assert [a.label for a in trial.arms] == ["Active", "Placebo"]
    # Allocation by planned arm (RANDFL), populations by their flags.
    randomised = adsl[adsl["RANDFL"] == "Y"].groupby("TRT01P").size()
    assert [a.allocated for a in trial.arms] == [randomised["Active"], randomised["Placebo"]]
    for name, flag, by in (
        ("full analysis set", "ITTFL", "TRT01P"),
        ("per-protocol", "PPROTFL", "TRT01P"),
    ):
        counts = adsl[adsl[flag] == "Y"].groupby(by).size()
        assert trial.population(name).counts == (counts["Active"], counts["Placebo"])
    # The flow: discontinued with reasons, lost to follow-up apart.
    stopped = adsl[adsl["EOSSTT"] == "DISCONTINUED"].groupby(["TRT01P", "DCSREAS"]).size()
    for arm in trial.arms:
        reasons = {r.reason: r.count for r in arm.discontinued + arm.lost_to_follow_up}
        assert reasons == {k: int(v) for k, v in stopped[arm.label].items()}
        assert {r.reason for r in arm.lost_to_follow_up} <= {"LOST TO FOLLOW-UP"}
    # The outcome over the full analysis set, missing RESPFL not analysed.
    fas = adsl[(adsl["ITTFL"] == "Y") & adsl["RESPFL"].notna()]
    events = fas[fas["RESPFL"] == "Y"].groupby("TRT01P").size()
    totals = fas.groupby("TRT01P").size()
    outcome = trial.outcomes[0]
    assert outcome.name == "RESPFL"
    assert (outcome.treatment.events, outcome.treatment.total) == (
        events["Active"],
        totals["Active"],
    )
    assert (outcome.control.events, outcome.control.total) == (
        events["Placebo"],
        totals["Placebo"],
    )
    assert trial.outcome_populations == {"RESPFL": "full analysis set"}
    # Exposure: TRTDURD of the safety population.
    r = trial.adverse_event_records
    assert r is not None and r.exposure_days is not None
    safety = adsl[adsl["SAFFL"] == "Y"].set_index("USUBJID")
    np.testing.assert_array_equal(
        r.exposure_days, safety.loc[list(r.participants), "TRTDURD"].astype(float).to_numpy()
    )


def test_shipped_data_has_the_quirks() -> None:
    adsl, adae = shipped()
    assert adae["AESEV"].isna().any()  # missing severity
    assert (adae["TRTEMFL"].isna()).sum() >= 12  # events before the first dose
    with_events = set(adae["USUBJID"])
    assert (~adsl["USUBJID"].isin(with_events)).any()  # participants with no event
    assert adae.duplicated(["USUBJID", "AEDECOD"]).any()  # several events of one term
    assert (adsl["SAFFL"] == "N").any()  # outside the safety population
    # ...one of whom has an event, which is left out.
    outside = set(adsl.loc[adsl["SAFFL"] == "N", "USUBJID"])
    assert outside & with_events
    trial = read_adam(SHIPPED_ADSL, SHIPPED_ADAE)
    assert trial.adverse_event_records is not None
    assert not outside & set(trial.adverse_event_records.participants)


# -- formats ------------------------------------------------------------------------------


def write_dataset_json(frame: pd.DataFrame, path: Path, name: str) -> None:
    """CDISC Dataset-JSON v1.1, written here from the standard's description."""
    columns = [
        {
            "itemOID": f"IT.{name}.{c}",
            "name": c,
            "label": c,
            "dataType": "double" if pd.api.types.is_float_dtype(frame[c]) else "string",
        }
        for c in frame.columns
    ]
    rows = [
        [None if (isinstance(v, float) and np.isnan(v)) or v is None else v for v in row]
        for row in frame.astype(object).itertuples(index=False)
    ]
    document = {
        "datasetJSONCreationDateTime": "2026-12-06T12:00:00",
        "datasetJSONVersion": "1.1.0",
        "itemGroupOID": f"IG.{name}",
        "records": len(rows),
        "name": name,
        "label": name,
        "columns": columns,
        "rows": rows,
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def snapshot(trial: rk.Trial) -> tuple[Any, ...]:
    r = trial.adverse_event_records
    assert r is not None
    arrays = tuple(
        None if getattr(r, f) is None else getattr(r, f).tolist()
        for f in (
            "participant_arm",
            "event_participant",
            "event_soc",
            "event_term",
            "exposure_days",
            "serious",
            "related",
            "grade",
        )
    )
    return (
        trial.title,
        trial.arms,
        trial.populations,
        trial.outcomes,
        trial.adverse_events,
        dict(trial.outcome_populations),
        trial.safety_population,
        r.participants,
        r.socs,
        r.terms,
        r.severity_scale,
        arrays,
    )


def test_every_format_gives_the_same_trial(tmp_path: Path) -> None:
    expected = snapshot(read_adam(SHIPPED_ADSL, SHIPPED_ADAE, outcomes="RESPFL"))
    adsl_csv = pd.read_csv(SHIPPED_ADSL, keep_default_na=False, na_values=[""])
    adae_csv = pd.read_csv(SHIPPED_ADAE, keep_default_na=False, na_values=[""])
    adsl_csv.to_parquet(tmp_path / "adsl.parquet")
    adae_csv.to_parquet(tmp_path / "adae.parquet")
    write_dataset_json(adsl_csv, tmp_path / "adsl.json", "ADSL")
    write_dataset_json(adae_csv, tmp_path / "adae.json", "ADAE")
    for name in ("adsl", "adae"):  # Dataset-JSON as NDJSON: metadata first, then one row a line
        document = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        rows = document.pop("rows")
        lines = [json.dumps(document)] + [json.dumps(row) for row in rows]
        (tmp_path / f"{name}.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sources = {
        "xpt": example_adam("xpt"),
        "ndjson": (tmp_path / "adsl.ndjson", tmp_path / "adae.ndjson"),
        "parquet": (tmp_path / "adsl.parquet", tmp_path / "adae.parquet"),
        "json": (tmp_path / "adsl.json", tmp_path / "adae.json"),
        "str path": (str(SHIPPED_ADSL), str(SHIPPED_ADAE)),
        "DataFrame": (adsl_csv, adae_csv),
    }
    for kind, (adsl, adae) in sources.items():
        got = snapshot(read_adam(adsl, adae, outcomes="RESPFL"))
        assert got == expected, kind


def test_sas7bdat() -> None:
    # The shipped example written as sas7bdat by R's haven (ReadStat), dates as SAS dates:
    # tests/reference/adam_sas7bdat/write_sas7bdat.R (pyreadstat cannot write sas7bdat).
    folder = Path(__file__).parent / "reference" / "adam_sas7bdat"
    expected = snapshot(read_adam(SHIPPED_ADSL, SHIPPED_ADAE, outcomes="RESPFL"))
    got = read_adam(folder / "adsl.sas7bdat", folder / "adae.sas7bdat", outcomes="RESPFL")
    assert snapshot(got) == expected


# -- random ADaM-shaped data --------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(adam_data())
def test_random_data_matches_groupby(data: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    adsl, adae = data
    trial = read_adam(adsl, adae)
    check_against_reference(trial, adsl, adae)
    # Swapping the arms swaps every count.
    swapped = read_adam(adsl, adae, treatment="Placebo", control="Drug")
    assert swapped.population("safety").counts == trial.population("safety").counts[::-1]
    assert read_table(swapped) == read_table(trial)
    # Exposure is TRTDURD of the safety population, in ADSL order.
    r = trial.adverse_event_records
    assert r is not None and r.exposure_days is not None
    safe = adsl[adsl["SAFFL"] == "Y"]
    np.testing.assert_array_equal(r.exposure_days, safe["TRTDURD"].to_numpy(dtype=float))


# -- the degenerate cases -------------------------------------------------------------------


def test_an_arm_with_no_event_at_all() -> None:
    adsl, adae = shipped()
    only_active = adae[adae["USUBJID"].isin(adsl.loc[adsl["TRT01A"] == "Active", "USUBJID"])]
    trial = read_adam(adsl, only_active)
    placebo = [e for e in trial.adverse_events if e.arm == "Placebo"]
    assert placebo and all(e.participants == 0 and e.events == 0 for e in placebo)
    check_against_reference(trial, adsl, only_active)


def test_no_events() -> None:
    adsl, adae = shipped()
    trial = read_adam(adsl, adae.iloc[:0])
    r = trial.adverse_event_records
    assert r is not None and r.n_events == 0 and r.n_participants == (238, 236)
    assert trial.adverse_events == ()


def test_without_adae_or_flow_variables() -> None:
    adsl, _ = shipped()
    trial = read_adam(adsl.drop(columns=["EOSSTT", "DCSREAS", "TRT01P", "RANDFL"]))
    assert trial.adverse_event_records is None
    # Every row of the two arms; without TRT01P the never-treated (TRT01A blank) have no arm.
    assert [a.allocated for a in trial.arms] == [238, 236]
    assert all(not a.discontinued and not a.lost_to_follow_up for a in trial.arms)


def test_flow_from_dcdecod_without_eosstt() -> None:
    adsl, _ = shipped()
    frame = adsl.drop(columns=["EOSSTT"]).rename(columns={"DCSREAS": "DCDECOD"})
    frame["DCDECOD"] = frame["DCDECOD"].fillna("COMPLETED")
    trial = read_adam(frame)
    reference = read_adam(adsl)
    assert [a.discontinued for a in trial.arms] == [a.discontinued for a in reference.arms]


# -- options --------------------------------------------------------------------------------


def test_treatment_emergent_derived_from_dates() -> None:
    adsl, adae = shipped()
    no_flag = adae.drop(columns=["TRTEMFL"])
    events = reference_events(adsl, adae.assign(TRTEMFL="Y"))
    start = pd.to_datetime(events["ASTDT"])
    first = pd.to_datetime(events["TRTSDT"])
    outside = events[start < first]
    with pytest.raises(InvalidInputError, match="TRTEMFL") as info:
        read_adam(adsl, no_flag)
    message = str(info.value)
    assert f"{len(outside)} event(s) of {outside['USUBJID'].nunique()} participant(s)" in message
    assert "ASTDT" in message and "TRTSDT" in message
    derived = read_adam(adsl, no_flag, treatment_emergent="derive")
    assert snapshot(derived) == snapshot(read_adam(adsl, adae))
    # A window after the last dose admits events up to TRTEDT + window.
    late = no_flag.copy()
    row = late.index[late["USUBJID"] == "RCTKIT-AE01-0001"][0]
    end = adsl.loc[adsl["USUBJID"] == "RCTKIT-AE01-0001", "TRTEDT"].iloc[0]
    late.loc[row, "ASTDT"] = str((pd.Timestamp(end) + pd.Timedelta(days=3)).date())
    n = read_adam(adsl, late, treatment_emergent="derive").adverse_event_records
    w = read_adam(adsl, late, treatment_emergent="derive", teae_window=3).adverse_event_records
    assert n is not None and w is not None and w.n_events == n.n_events + 1


def test_grades_and_exposure_from_dates() -> None:
    adsl = pd.DataFrame(
        {
            "USUBJID": ["a", "b", "c"],
            "TRT01A": ["Drug", "Drug", "Control"],
            "SAFFL": ["Y", "Y", "Y"],
            "TRTSDT": ["2024-01-01", "2024-01-10", "2024-02-01"],
            "TRTEDT": ["2024-01-31", "2024-01-10", None],
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["a", "a", "c"],
            "AEBODSYS": ["SOC", "SOC", None],
            "AEDECOD": ["PT", "PT", None],
            "AETOXGR": ["3", "", "5"],
            "AESEV": ["MILD", "MILD", "MILD"],
            "TRTEMFL": ["Y", "Y", "Y"],
        }
    )
    r = read_adam(adsl, adae).adverse_event_records
    assert r is not None
    assert r.severity_scale == "grade" and r.grade is not None
    assert r.grade.tolist() == [3, 0, 5]
    assert r.serious is None and r.related is None
    assert r.socs == ("(not coded)", "SOC")
    assert r.exposure_days is not None
    np.testing.assert_array_equal(r.exposure_days, [31.0, 1.0, np.nan])
    with pytest.raises(InvalidInputError, match=r"`AETOXGR` must be a grade 1 to 5.*1 event"):
        read_adam(adsl, adae.assign(AETOXGR=["3", "6", "1"]))
    with pytest.raises(InvalidInputError, match=r"`AESEV` must be MILD.*'FATAL'.*1 event"):
        read_adam(adsl, adae.drop(columns=["AETOXGR"]).assign(AESEV=["MILD", "FATAL", None]))


def test_outcomes_from_a_bds_data_set(tmp_path: Path) -> None:
    adsl, _ = shipped()
    bds = pd.DataFrame(
        {
            "USUBJID": adsl["USUBJID"],
            "PARAMCD": "RESP",
            "AVALC": adsl["RESPFL"],
        }
    )
    numeric = bds.assign(PARAMCD="RESPN", AVAL=bds["AVALC"].map({"Y": 1.0, "N": 0.0}))
    both = pd.concat([bds, numeric.drop(columns=["AVALC"])], ignore_index=True)
    both.to_csv(tmp_path / "adrsp.csv", index=False)
    trial = read_adam(adsl, outcomes=["RESPFL", tmp_path / "adrsp.csv"])
    assert [o.name for o in trial.outcomes] == ["RESPFL", "RESP", "RESPN"]
    first = trial.outcomes[0]
    for other in trial.outcomes[1:]:
        assert (other.treatment, other.control) == (first.treatment, first.control)
    twice = pd.concat([bds, bds.iloc[:2]])
    with pytest.raises(InvalidInputError, match=r"`PARAMCD`.*2 participant\(s\)"):
        read_adam(adsl, outcomes=twice)
    with pytest.raises(InvalidInputError, match=r"`RESPN`: arm 'Active' has no one analysed"):
        read_adam(
            adsl, outcomes=numeric.assign(AVAL=np.where(adsl["TRT01P"] == "Active", np.nan, 1.0))
        )
    with pytest.raises(InvalidInputError, match=r"`RESPFL` \(ADSL\) must be Y/N.*3 participant"):
        read_adam(adsl.assign(RESPFL=["maybe"] * 3 + ["Y"] * (len(adsl) - 3)), outcomes="RESPFL")


def test_more_than_two_arms() -> None:
    adsl, adae = shipped()
    adsl.loc[adsl.index[:30], ["TRT01P", "TRT01A"]] = "Low dose"
    with pytest.raises(InvalidInputError, match=r"'Active', 'Low dose', 'Placebo'.*treatment="):
        read_adam(adsl, adae)
    trial = read_adam(adsl, adae, treatment="Low dose")
    assert [a.label for a in trial.arms] == ["Low dose", "Placebo"]
    kept = adsl[adsl["TRT01A"].isin(["Low dose", "Placebo"])]
    check_against_reference(trial, kept, adae)
    with pytest.raises(InvalidInputError, match="`control` must be one of"):
        read_adam(adsl, adae, treatment="Low dose", control="Nothing")


# -- the reviewer's checks --------------------------------------------------------------------


def test_reviewer_checks() -> None:
    adsl, adae = shipped()
    with pytest.raises(InvalidInputError, match=r"`USUBJID` of ADSL must be unique: 2 part"):
        read_adam(pd.concat([adsl, adsl.iloc[[3, 9]]]), adae)
    stranger = adae.iloc[[0, 0, 1]].assign(USUBJID=["X-1", "X-1", "X-2"])
    with pytest.raises(InvalidInputError, match=r"`USUBJID` of ADAE: 2 participant.*3 event"):
        read_adam(adsl, pd.concat([adae, stranger]))
    with pytest.raises(
        InvalidInputError, match=r"`SAFFL`: arm 'Placebo' has no one.*0 of its 236"
    ):
        read_adam(adsl.assign(SAFFL=np.where(adsl["TRT01A"] == "Placebo", "N", adsl["SAFFL"])))
    no_placebo = adsl.assign(RANDFL=np.where(adsl["TRT01P"] == "Placebo", "N", "Y"))
    with pytest.raises(
        InvalidInputError, match=r"`TRT01P`: arm 'Placebo' has no one randomised \(0 part"
    ):
        read_adam(no_placebo)
    with pytest.raises(InvalidInputError, match=r"`adae` lacks required variable\(s\) AEDECOD"):
        read_adam(adsl, adae.drop(columns=["AEDECOD"]))
    with pytest.raises(InvalidInputError, match=r"`adsl` lacks required variable\(s\) SAFFL"):
        read_adam(adsl.drop(columns=["SAFFL"]))
    with pytest.raises(InvalidInputError, match="`treatment_emergent` must be one of"):
        read_adam(adsl, adae, treatment_emergent="all")
    with pytest.raises(InvalidInputError, match="`teae_window` must be an int"):
        read_adam(adsl, adae, teae_window=-1)
    with pytest.raises(InvalidInputError, match="`adsl` must be a file ending in"):
        read_adam("adsl.sav")
    with pytest.raises(InvalidInputError, match="`adsl` must be a path or a pandas DataFrame"):
        read_adam(42)
    with pytest.raises(InvalidInputError, match="`adsl`: no such file"):
        read_adam("missing.xpt")
    with pytest.raises(InvalidInputError, match='`kind` must be one of "csv", "xpt"'):
        example_adam("sas")


def test_records_must_match_the_safety_population() -> None:
    trial = read_adam(SHIPPED_ADSL, SHIPPED_ADAE)
    safety = trial.population("safety")
    smaller = rk.Population("safety", safety.treatment - 1, safety.control)
    import attrs

    with pytest.raises(InvalidInputError, match=r"`adverse_event_records` must hold the safety"):
        attrs.evolve(
            trial, populations=[p if p.name != "safety" else smaller for p in trial.populations]
        )


# -- the public CDISC pilot study ----------------------------------------------------------

#: The pilot's ADSL and ADAE (tests/reference/cdiscpilot01/README.md: source and licence).
PILOT = os.environ.get(
    "RCTKIT_CDISC_PILOT", str(Path(__file__).parent / "reference" / "cdiscpilot01")
)


@pytest.mark.skipif(
    not ((Path(PILOT) / "adsl.xpt").is_file() and (Path(PILOT) / "adae.xpt").is_file()),
    reason=f"the CDISCPILOT01 adsl.xpt and adae.xpt are not in {PILOT} "
    "(github.com/phuse-org/phuse-scripts, data/adam/cdisc, MIT licence)",
)
def test_cdisc_pilot_published_ae_table() -> None:
    """CDISCPILOT01, Table 14-5.01 "Incidence of Treatment Emergent Adverse Events by Body
    System and Preferred Term" (safety population: placebo N=86, low dose N=84, high dose
    N=84). The published percentages, times N, give the counts below."""
    adsl, adae = Path(PILOT) / "adsl.xpt", Path(PILOT) / "adae.xpt"
    high = read_adam(adsl, adae, treatment="Xanomeline High Dose", control="Placebo")
    low = read_adam(adsl, adae, treatment="Xanomeline Low Dose", control="Placebo")
    assert high.population("safety").counts == (84, 86)  # Table 14-5.01 header
    assert low.population("safety").counts == (84, 86)  # Table 14-5.01 header

    def participants(
        trial: rk.Trial, soc: str | None = None, term: str | None = None
    ) -> list[int]:
        f = records_frame(trial)
        if soc is not None:
            f = f[f["AEBODSYS"] == soc]
        if term is not None:
            f = f[f["AEDECOD"] == term]
        counts = f.groupby("TRT01A")["USUBJID"].nunique()
        return [int(counts.get(a.label, 0)) for a in trial.arms]

    # Any TEAE: 90.5% of 84, 91.7% of 84, 75.6% of 86 (Table 14-5.01).
    assert participants(high) == [76, 65]
    assert participants(low) == [77, 65]
    # Application site pruritus: 26.2%, 26.2%, 7.0% (Table 14-5.01).
    assert participants(high, term="APPLICATION SITE PRURITUS") == [22, 6]
    assert participants(low, term="APPLICATION SITE PRURITUS") == [22, 6]
    # Skin and subcutaneous tissue disorders: 47.6%, 46.4%, 23.3% (Table 14-5.01).
    skin = "SKIN AND SUBCUTANEOUS TISSUE DISORDERS"
    assert participants(high, soc=skin) == [40, 20]
    assert participants(low, soc=skin) == [39, 20]
    # Dizziness: 13.1%, 9.5%, 2.3%; sinus bradycardia: 9.5%, 8.3%, 2.3% (Table 14-5.01).
    assert participants(high, term="DIZZINESS") == [11, 2]
    assert participants(low, term="DIZZINESS") == [8, 2]
    assert participants(high, term="SINUS BRADYCARDIA") == [8, 2]
    assert participants(low, term="SINUS BRADYCARDIA") == [7, 2]

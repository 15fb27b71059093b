"""The exposure-adjusted incidence rate up to the first event (rk.ae_table(exposure=...)).

References: each row's person-years equal a pandas computation written here (the first event
day per participant and row with groupby, then the sums of min(exposure, day) and of the
exposure of those without the event), on the shipped example ADaM data and on random
ADaM-shaped data (hypothesis); the rate ratio's exact interval on the example equals R's
poisson.test on person-time R computes itself from the CSV files (tests/reference/ae_eair.R,
output in tests/reference/ae_eair_r.txt).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from rctkit.harms import rate_ratio
from rctkit.io import example_adam, read_adam
from tests.strategies import adam_data

DAYS_PER_YEAR = 365.25  # the Julian year of ADaM's TRTDURD / 365.25
NOT_CODED = "(not coded)"


def pandas_person_years(
    adsl: pd.DataFrame, events: pd.DataFrame, arms: tuple[str, str], arm: str = "TRT01A"
) -> dict[tuple[str, str, str], tuple[float, float]]:
    """Per row (kind, soc, term): the person-years of each arm up to the first event.

    ``adsl``: the safety population (USUBJID, ``arm``, TRTDURD); ``events``: its events
    (USUBJID, AEBODSYS, AEDECOD, DAY).
    """
    events = events.assign(
        AEBODSYS=events["AEBODSYS"].fillna(NOT_CODED),
        AEDECOD=events["AEDECOD"].fillna(NOT_CODED),
        ALL="all",
    )
    out: dict[tuple[str, str, str], tuple[float, float]] = {}
    for kind, by in (("any", ["ALL"]), ("soc", ["AEBODSYS"]), ("term", ["AEBODSYS", "AEDECOD"])):
        first = events.groupby([*by, "USUBJID"])["DAY"].min().rename("FIRST").reset_index()
        for key, group in first.groupby(by):
            key = key if isinstance(key, tuple) else (key,)
            merged = adsl.merge(group[["USUBJID", "FIRST"]], on="USUBJID", how="left")
            clipped = np.minimum(merged["TRTDURD"], merged["FIRST"].clip(lower=0))
            used = clipped.where(merged["FIRST"].notna(), merged["TRTDURD"])
            years = tuple(float(used[merged[arm] == a].sum()) / DAYS_PER_YEAR for a in arms)
            soc = "" if kind == "any" else str(key[0])
            term = str(key[1]) if kind == "term" else ""
            out[(kind, soc, term)] = (years[0], years[1])
    return out


def table_person_years(t: rk.AETable) -> dict[tuple[str, str, str], tuple[float, float]]:
    assert t.person_years is not None
    return {
        (k, s, term): (float(p[0]), float(p[1]))
        for k, s, term, p in zip(t.kind, t.soc, t.term, t.person_years, strict=True)
    }


def assert_same(
    got: dict[tuple[str, str, str], tuple[float, float]],
    expected: dict[tuple[str, str, str], tuple[float, float]],
) -> None:
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key


@pytest.fixture(scope="module")
def example() -> tuple[pd.DataFrame, pd.DataFrame]:
    adsl_path, adae_path = example_adam()
    return pd.read_csv(adsl_path), pd.read_csv(adae_path)


def _example_events(adsl: pd.DataFrame, adae: pd.DataFrame) -> pd.DataFrame:
    events = adae[adae["TRTEMFL"].eq("Y") & adae["USUBJID"].isin(adsl["USUBJID"])]
    start = events["USUBJID"].map(adsl.set_index("USUBJID")["TRTSDT"])
    day = (pd.to_datetime(events["ASTDT"]) - pd.to_datetime(start)).dt.days + 1
    out: pd.DataFrame = events.assign(DAY=day.astype(float))
    return out


def test_example_person_years_equal_a_pandas_groupby(
    example: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    adsl, adae = example
    trial = read_adam(*example_adam())
    table = rk.ae_table(trial)  # "auto": every exposure and event day is known
    assert table.exposure == "first-event"
    safety = adsl[adsl["SAFFL"].eq("Y")]
    expected = pandas_person_years(safety, _example_events(safety, adae), ("Active", "Placebo"))
    assert_same(table_person_years(table), expected)
    assert any("first event" in note for note in table.notes)
    # rates: participants per 100 participant-years of the row's own person-time
    assert table.rates is not None and table.person_years is not None
    np.testing.assert_allclose(table.rates, 100 * table.participants / table.person_years)
    # the ADaM reader's event days equal ASTDT - TRTSDT + 1 (pandas, here)
    records = trial.adverse_event_records
    assert records is not None and records.event_day is not None
    events = _example_events(safety, adae)
    assert np.sort(records.event_day).tolist() == np.sort(events["DAY"].to_numpy()).tolist()


def test_example_total_exposure_is_kept(example: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    adsl, _ = example
    table = rk.ae_table(read_adam(*example_adam()), exposure="total")
    safety = adsl[adsl["SAFFL"].eq("Y")]
    years = safety.groupby("TRT01A")["TRTDURD"].sum() / DAYS_PER_YEAR  # pandas
    assert table.exposure == "total" and table.person_years is not None
    np.testing.assert_allclose(table.person_years[:, 0], years["Active"], rtol=1e-12)
    np.testing.assert_allclose(table.person_years[:, 1], years["Placebo"], rtol=1e-12)
    assert any("total exposure" in note for note in table.notes)


# R 4.2.2: tests/reference/ae_eair.R (person-time computed in R from the CSV files, then
# poisson.test(c(x1, x0), c(T1, T0))); printed in tests/reference/ae_eair_r.txt.
R_POISSON = {
    ("any", "", ""): (
        178, 26.4312114989733, 127, 35.9260780287474,
        1.90506158762473, 1.5086735624375, 2.41136181966462, 2.84794046570666e-08,
    ),
    ("soc", "CARDIAC DISORDERS", ""): (
        6, 49.2566735112936, 1, 51.9069130732375,
        6.32282808070702, 0.767108470593801, 290.834846150404, 0.0637073126265995,
    ),
    ("term", "GASTROINTESTINAL DISORDERS", "NAUSEA"): (
        41, 45.0047912388775, 26, 49.0376454483231,
        1.71823027319438, 1.02621154254579, 2.92563636396975, 0.0368661735565944,
    ),
    ("term", "NERVOUS SYSTEM DISORDERS", "HEADACHE"): (
        38, 45.637234770705, 17, 49.7248459958932,
        2.4355037353594, 1.34179861562333, 4.60167246604554, 0.00174280404930245,
    ),
    ("term", "INFECTIONS AND INFESTATIONS", "PNEUMONIA"): (
        0, 49.7385352498289, 2, 51.6030116358658,
        0.0, 0.0, 5.52414920887913, 0.500169242222829,
    ),
}  # fmt: skip


def test_example_rate_ratio_equals_r_poisson_test() -> None:
    table = rk.ae_table(read_adam(*example_adam()), exposure="first-event")
    assert table.rate_ratio is not None and table.person_years is not None
    index = {key: i for i, key in enumerate(zip(table.kind, table.soc, table.term, strict=True))}
    for key, (x1, t1, x0, t0, *ratio) in R_POISSON.items():
        i = index[key]
        assert tuple(table.participants[i]) == (x1, x0)
        assert tuple(table.person_years[i]) == pytest.approx((t1, t0), rel=1e-13)
        assert table.rate_ratio[i] == pytest.approx(ratio, rel=1e-8, abs=1e-12)
    row = table.rows[index[("any", "", "")]]
    assert row.rate_ratio is not None and row.rate_ratio.estimate == pytest.approx(
        R_POISSON[("any", "", "")][4], rel=1e-12
    )


@st.composite
def adam_with_days(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """adam_data with each event's study day ASTDY (before the first dose, within and after
    the exposure)."""
    adsl, adae = draw(adam_data())
    days = draw(st.lists(st.integers(-5, 450), min_size=len(adae), max_size=len(adae)))
    return adsl, adae.assign(ASTDY=days)


def _property_check(
    adsl: pd.DataFrame, adae: pd.DataFrame, subset: str | None, threshold: float | None
) -> None:
    trial = read_adam(adsl, adae)
    table = rk.ae_table(trial, subset=subset, threshold=threshold)
    safety = adsl[adsl["SAFFL"].eq("Y")]
    events = adae[adae["TRTEMFL"].eq("Y") & adae["USUBJID"].isin(safety["USUBJID"])]
    if subset == "serious":
        events = events[events["AESER"].eq("Y")]
    expected = pandas_person_years(safety, events.assign(DAY=events["ASTDY"]), ("Drug", "Placebo"))
    got = table_person_years(table)
    shown = {k: v for k, v in expected.items() if k in got}
    any_row = ("any", "", "")
    if any_row not in expected:  # no event at all: each arm's whole exposure
        years = safety.groupby("TRT01A")["TRTDURD"].sum() / DAYS_PER_YEAR
        shown[any_row] = (float(years["Drug"]), float(years["Placebo"]))
    assert_same(got, shown)
    assert table.exposure == "first-event"
    # the rate ratio of every row uses that row's person-time: R's poisson.test is the
    # conditional binomial test, equal to rctkit.harms.rate_ratio (itself checked against R)
    assert table.rate_ratio is not None and table.person_years is not None
    for i in range(len(table)):
        e = tuple(int(x) for x in table.participants[i])
        t = tuple(float(x) for x in table.person_years[i])
        if min(t) > 0 and sum(e) > 0:
            low, high = rate_ratio(e, t).ci
            assert table.rate_ratio[i, 1] == pytest.approx(low, rel=1e-9, abs=1e-12)
            assert table.rate_ratio[i, 2] == pytest.approx(high, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    adam_with_days(),
    st.sampled_from([None, "serious"]),
    st.sampled_from([None, 0.2]),
)
def test_person_years_equal_a_pandas_groupby(
    frames: tuple[pd.DataFrame, pd.DataFrame], subset: str | None, threshold: float | None
) -> None:
    adsl, adae = frames
    _property_check(adsl, adae, subset, threshold)


@settings(max_examples=25, deadline=None)
@given(adam_with_days())
def test_astdt_minus_trtsdt_gives_the_same_days(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    adsl, adae = frames
    start = pd.Timestamp("2024-01-15")
    adsl = adsl.assign(TRTSDT=start, TRTEDT=start + pd.to_timedelta(adsl["TRTDURD"] - 1, "D"))
    by_date = adae.drop(columns="ASTDY").assign(
        ASTDT=(start + pd.to_timedelta(adae["ASTDY"] - 1, "D")).dt.strftime("%Y-%m-%d")
    )
    a = rk.ae_table(read_adam(adsl, adae))
    b = rk.ae_table(read_adam(adsl, by_date))
    assert a.person_years is not None and b.person_years is not None
    np.testing.assert_array_equal(a.person_years, b.person_years)


def _records(**changes: Any) -> rk.AdverseEventRecords:
    base: dict[str, Any] = {
        "participants": ["P1", "P2", "P3", "P4"],
        "participant_arm": [0, 0, 1, 1],
        "event_participant": [0, 0, 2],
        "socs": ["S"],
        "terms": ["A", "B"],
        "event_soc": [0, 0, 0],
        "event_term": [0, 1, 0],
        "exposure_days": [100.0, 50.0, 200.0, 10.0],
        "event_day": [30.0, 10.0, 250.0],
    }
    base.update(changes)
    return rk.AdverseEventRecords(**base)


def test_hand_example_day_counts_and_clamping() -> None:
    t = rk.ae_table(_records(), exposure="first-event")
    assert t.person_years is not None
    years = dict(zip(t.term, t.person_years.tolist(), strict=True))
    # by hand: P1's first event of any kind on day 10 -> 10 days + P2's 50; P3's day 250 is
    # clamped to its exposure 200, P4 contributes its 10
    assert years[""] == pytest.approx([60 / DAYS_PER_YEAR, 210 / DAYS_PER_YEAR])
    assert years["A"] == pytest.approx([80 / DAYS_PER_YEAR, 210 / DAYS_PER_YEAR])
    assert years["B"] == pytest.approx([60 / DAYS_PER_YEAR, 210 / DAYS_PER_YEAR])
    # a day before the first dose counts 0 days
    early = rk.ae_table(_records(event_day=[-3.0, 10.0, 5.0]))
    assert early.person_years is not None and early.person_years[0].tolist() == pytest.approx(
        [50 / DAYS_PER_YEAR, 15 / DAYS_PER_YEAR]
    )


def test_auto_falls_back_to_total_and_none() -> None:
    assert rk.ae_table(_records(event_day=None)).exposure == "total"
    assert rk.ae_table(_records(event_day=[1.0, float("nan"), 3.0])).exposure == "total"
    unknown = rk.ae_table(_records(exposure_days=[1.0, float("nan"), 3.0, 4.0]))
    assert unknown.exposure is None and unknown.rates is None and unknown.person_years is None
    assert rk.ae_table(_records(), exposure="none").exposure is None
    # the records' default: no event days
    assert _records(event_day=None).event_day is None


def test_invalid_input() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`exposure`='first-event' needs every event"):
        rk.ae_table(_records(event_day=[1.0, float("nan"), 3.0]), exposure="first-event")
    with pytest.raises(rk.InvalidInputError, match=r"`exposure`='first-event' needs every"):
        rk.ae_table(_records(exposure_days=None), exposure="first-event")
    with pytest.raises(rk.InvalidInputError, match=r"`exposure` must be one of"):
        rk.ae_table(_records(), exposure="first")
    with pytest.raises(rk.InvalidInputError, match=r"`event_day` must have one entry per event"):
        _records(event_day=[1.0])
    with pytest.raises(rk.InvalidInputError, match=r"`event_day` must be finite.*inf"):
        _records(event_day=[1.0, float("inf"), 2.0])
    with pytest.raises(rk.InvalidInputError, match=r"`event_day` must be numeric"):
        _records(event_day=["a", "b", "c"])


def test_read_adam_prefers_astdy_and_leaves_unknown_days_nan() -> None:
    adsl = pd.DataFrame(
        {
            "USUBJID": ["A", "B"],
            "TRT01A": ["Drug", "Placebo"],
            "SAFFL": ["Y", "Y"],
            "TRTDURD": [30, 40],
            "TRTSDT": ["2024-01-01", "2024-01-01"],
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["A", "B"],
            "AEBODSYS": ["S", "S"],
            "AEDECOD": ["T", "T"],
            "TRTEMFL": ["Y", "Y"],
            "ASTDT": ["2024-01-10", "2024-01-03"],  # study days 10 and 3
            "ASTDY": [7, None],
        }
    )
    records = read_adam(adsl, adae).adverse_event_records
    assert records is not None and records.event_day is not None
    assert records.event_day[0] == 7.0 and np.isnan(records.event_day[1])
    assert rk.ae_table(records).exposure == "total"  # a day unknown: total exposure
    by_date = read_adam(adsl, adae.drop(columns="ASTDY")).adverse_event_records
    assert by_date is not None and by_date.event_day is not None
    assert by_date.event_day.tolist() == [10.0, 3.0]  # ASTDT - TRTSDT + 1, by hand
    neither = read_adam(adsl, adae.drop(columns=["ASTDY", "ASTDT"])).adverse_event_records
    assert neither is not None and neither.event_day is not None
    assert np.isnan(neither.event_day).all()

"""The standard harms tables (rk.ae_table, rk.ae_severity_table) from participant-level records.

References: the counts equal a pandas groupby written here, apart from the numpy counting
(nunique participants and size of events per SOC/PT and arm), on a hand-made example and on
random ADaM-shaped frames; each row's RD, RR and p equal rctkit's scalar functions; Fisher's
p and the rate ratio's exact interval equal R's fisher.test and poisson.test
(tests/reference/ae_tables.R, output in tests/reference/ae_tables_r.txt); adjusted p-values
equal rk.adjust_pvalues.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from tests.strategies import adam_frames

TREATMENT = "Drug"


def records_from_frames(adsl: pd.DataFrame, adae: pd.DataFrame) -> rk.AdverseEventRecords:
    """ADSL/ADAE-like frames -> records: the text columns factorised into codes."""
    pid = pd.Index(adsl["USUBJID"]).get_indexer(adae["USUBJID"])
    soc_codes, socs = pd.factorize(adae["AEBODSYS"])
    term_codes, terms = pd.factorize(adae["AEDECOD"])
    return rk.AdverseEventRecords(
        participants=list(adsl["USUBJID"]),
        participant_arm=np.where(adsl["ARM"].to_numpy() == TREATMENT, 0, 1),
        event_participant=pid.astype(np.int64),
        socs=[str(s) for s in socs],
        terms=[str(t) for t in terms],
        event_soc=soc_codes.astype(np.int64),
        event_term=term_codes.astype(np.int64),
        exposure_days=adsl["TRTDURD"].to_numpy(dtype=float),
        serious=(adae["AESER"] == "Y").to_numpy(dtype=bool),
        related=(adae["AREL"] != "NOT RELATED").to_numpy(dtype=bool),
        grade=adae["AETOXGR"].fillna(0).to_numpy(dtype=np.int64),
    )


def groupby_counts(
    adsl: pd.DataFrame, adae: pd.DataFrame, by: list[str]
) -> dict[tuple[Any, ...], tuple[int, int, int, int]]:
    """Per key of ``by``: (treatment participants, treatment events, control ...)."""
    merged = adae.merge(adsl[["USUBJID", "ARM"]], on="USUBJID")
    if not by:
        merged = merged.assign(ALL="all")
        by = ["ALL"]
    grouped = merged.groupby([*by, "ARM"])["USUBJID"]
    people, events = grouped.nunique(), grouped.size()
    out: dict[tuple[Any, ...], tuple[int, int, int, int]] = {}
    for key in merged[by].drop_duplicates().itertuples(index=False):
        k = tuple(key)
        t, c = (*k, TREATMENT), (*k, "Placebo")
        out[k] = (
            int(people.get(t, 0)),
            int(events.get(t, 0)),
            int(people.get(c, 0)),
            int(events.get(c, 0)),
        )
    return out


def table_counts(table: rk.AETable, kind: str) -> dict[tuple[Any, ...], tuple[int, int, int, int]]:
    out = {}
    for i, k in enumerate(table.kind):
        if k != kind:
            continue
        key = {"any": ("all",), "soc": (table.soc[i],), "term": (table.soc[i], table.term[i])}[k]
        p, e = table.participants[i], table.events[i]
        out[key] = (int(p[0]), int(e[0]), int(p[1]), int(e[1]))
    return out


# -- the hand-made example ------------------------------------------------------------------
# 50 treatment participants (T00-T49, 180 days each), 48 control (C00-C47, 200 days each).
# Nausea: T00-T09 (T00-T02 twice), C00-C02; Vomiting: C03-C06; Headache: T05-T16, C07-C11.


def hand_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"T{i:02d}" for i in range(50)] + [f"C{i:02d}" for i in range(48)]
    adsl = pd.DataFrame(
        {
            "USUBJID": ids,
            "ARM": [TREATMENT] * 50 + ["Placebo"] * 48,
            "TRTDURD": [180] * 50 + [200] * 48,
        }
    )
    gi, ns = "Gastrointestinal disorders", "Nervous system disorders"
    events = (
        [(f"T{i:02d}", gi, "Nausea", 1) for i in range(10)]
        + [(f"T{i:02d}", gi, "Nausea", 3) for i in range(3)]
        + [(f"C{i:02d}", gi, "Nausea", 2) for i in range(3)]
        + [(f"C{i:02d}", gi, "Vomiting", 0) for i in range(3, 7)]
        + [(f"T{i:02d}", ns, "Headache", 2) for i in range(5, 17)]
        + [(f"C{i:02d}", ns, "Headache", 1) for i in range(7, 12)]
    )
    adae = pd.DataFrame(
        {
            "USUBJID": [e[0] for e in events],
            "AEBODSYS": [e[1] for e in events],
            "AEDECOD": [e[2] for e in events],
            "AESER": ["Y" if e[2] == "Vomiting" else "N" for e in events],
            "AREL": ["RELATED" if e[2] == "Nausea" else "NOT RELATED" for e in events],
            "AETOXGR": [float("nan") if e[3] == 0 else float(e[3]) for e in events],
        }
    )
    return adsl, adae


@pytest.fixture
def hand() -> rk.AdverseEventRecords:
    return records_from_frames(*hand_frames())


def test_hand_example_counts(hand: rk.AdverseEventRecords) -> None:
    t = rk.ae_table(hand)
    assert t.kind == ("any", "soc", "term", "term", "soc", "term")
    assert t.term == ("", "", "Nausea", "Vomiting", "", "Headache")
    # counted by hand from the description above
    assert t.participants.tolist() == [[17, 12], [10, 7], [10, 3], [0, 4], [12, 5], [12, 5]]
    assert t.events.tolist() == [[25, 12], [13, 7], [13, 3], [0, 4], [12, 5], [12, 5]]
    assert t.totals == (50, 48)


def test_hand_example_pvalues_equal_r_fisher_test(hand: rk.AdverseEventRecords) -> None:
    t = rk.ae_table(hand)
    # R 4.x fisher.test, tests/reference/ae_tables_r.txt
    r = {
        "any": 0.380305159314914,
        "gi": 0.596258428011657,
        "nausea": 0.0717437502641813,
        "vomiting": 0.0538662562149113,
        "headache": 0.109121130371831,
    }
    got = dict(zip(["any", "gi", "nausea", "vomiting", "ns", "headache"], t.pvalue, strict=True))
    for name, p in r.items():
        assert got[name] == pytest.approx(p, rel=1e-9)


def test_hand_example_rate_ratio_equals_r_poisson_test(hand: rk.AdverseEventRecords) -> None:
    t = rk.ae_table(hand)
    assert t.rate_ratio is not None and t.rates is not None and t.exposure_years is not None
    assert t.exposure_years == pytest.approx((50 * 180 / 365.25, 48 * 200 / 365.25))
    # R 4.x poisson.test(c(a, c), c(T1, T2)): estimate, conf.int, p.value
    r = {
        0: (1.51111111111111, 0.680142488816661, 3.46770553010665, 0.353172348092939),
        2: (3.55555555555556, 0.915500496746438, 20.1053051225809, 0.0510004727070126),
        3: (0.0, 0.0, 1.61585798332359, 0.125780572396296),
        5: (2.56, 0.839515620451004, 9.27571319325895, 0.0883431829462155),
    }
    for row, values in r.items():
        assert t.rate_ratio[row] == pytest.approx(values, rel=1e-8, abs=1e-12)
    # participants per 100 participant-years: 17 / (50 * 180 / 365.25) * 100
    assert t.rates[0, 0] == pytest.approx(1700 * 365.25 / 9000)


def test_hand_example_rows_equal_the_scalar_functions(hand: rk.AdverseEventRecords) -> None:
    t = rk.ae_table(hand)
    for row in t.rows:
        outcome = rk.BinaryOutcome.from_counts(
            treatment=(row.participants[0], 50), control=(row.participants[1], 48)
        )
        rd = rk.risk_difference(outcome, method="newcombe")
        assert row.risk_difference is not None and row.risk_ratio is not None
        assert row.risk_difference.estimate == rd.estimate
        assert tuple(row.risk_difference.ci) == tuple(rd.ci)
        rr = rk.risk_ratio(outcome, method=row.risk_ratio.method)
        assert tuple(row.risk_ratio.ci) == tuple(rr.ci)
        assert row.pvalue == rk.hypothesis_test(outcome, method="fisher").pvalue
    # the zero cell switches the default Wald interval to Koopman's, as harms_rows does
    assert t.rr_method == ("wald", "wald", "wald", "koopman", "wald", "wald")


def test_hand_example_table_text(hand: rk.AdverseEventRecords) -> None:
    t = rk.ae_table(hand, arm_labels=("Drug", "Placebo"))
    table = t.table()
    assert table.columns[1] == "Drug (N=50) n (%)"
    vomiting = table.rows[3]
    assert vomiting[0] == "\u2003Vomiting"
    assert vomiting[1:5] == ("0 (0%)", "0", "4 (8%)", "4")
    assert vomiting[7] == "0.054"  # 0.0539: not rounded to 0.05
    assert any("Koopman" in n and "Vomiting" in n for n in table.notes)
    assert any("total exposure" in n for n in table.notes)
    frame = t.to_frame()
    assert list(frame.columns) == list(rk.ae_tables.AE_TABLE_COLUMNS)
    assert frame["treatment_participants"].tolist() == [17, 10, 10, 0, 12, 12]
    assert "AETable" in repr(t) and "<table>" in t._repr_html_()
    assert "Nausea" in repr(t.rows[2])


def test_a_rare_event_is_never_zero_percent() -> None:
    records = rk.AdverseEventRecords(
        participants=[f"P{i}" for i in range(2001)],
        participant_arm=[0] * 2000 + [1],
        event_participant=[0],
        socs=["Skin"],
        terms=["Rash"],
        event_soc=[0],
        event_term=[0],
    )
    row = rk.ae_table(records).table().rows[2]
    assert row[1] == rk.formatting.format_percent(1, 2000, show_total=False)
    assert row[1] not in ("1 (0%)", "1 (0.0%)")


def test_subsets(hand: rk.AdverseEventRecords) -> None:
    serious = rk.ae_table(hand, subset="serious")
    assert serious.term == ("", "", "Vomiting")
    assert serious.participants[0].tolist() == [0, 4]
    related = rk.ae_table(hand, subset="related")
    assert related.term == ("", "", "Nausea")
    grade3 = rk.ae_table(hand, subset="grade3")
    assert grade3.participants.tolist() == [[3, 0], [3, 0], [3, 0]]
    assert grade3.table().rows[0][0] == "Any adverse event of grade >= 3"


def test_threshold_and_frequency_sort(hand: rk.AdverseEventRecords) -> None:
    common = rk.ae_table(hand, threshold=0.1)  # 5 of 50 or 5 of 48
    assert common.term == ("", "", "Nausea", "", "Headache")
    assert common.participants[1].tolist() == [10, 7]  # the class keeps all its terms
    frequent = rk.ae_table(hand, sort="frequency")
    # Nervous system 17 participants before Gastrointestinal 17: tie, alphabetical;
    # Nausea 13 before Vomiting 4
    assert frequent.soc[1] == "Gastrointestinal disorders"
    assert frequent.term == ("", "", "Nausea", "Vomiting", "", "Headache")


def test_frequency_sort_orders_by_descending_participants() -> None:
    records = rk.AdverseEventRecords(
        participants=["A", "B", "C"],
        participant_arm=[0, 1, 1],
        event_participant=[0, 1, 2, 0, 0],
        socs=["Alpha", "Beta"],
        terms=["z-term", "a-term", "m-term"],
        event_soc=[0, 1, 1, 1, 1],
        event_term=[0, 1, 1, 2, 2],
    )
    t = rk.ae_table(records, sort="frequency")
    assert t.soc[1] == "Beta" and t.term[2:4] == ("a-term", "m-term")
    assert rk.ae_table(records).soc[1] == "Alpha"


def test_adjusted_pvalues_equal_adjust_pvalues(hand: rk.AdverseEventRecords) -> None:
    t = rk.ae_table(hand, adjust="holm")
    terms = np.array([k == "term" for k in t.kind])
    expected = rk.adjust_pvalues(t.pvalue[terms], method="holm").adjusted
    assert t.adjusted_pvalue is not None
    np.testing.assert_array_equal(t.adjusted_pvalue[terms], expected)
    assert np.isnan(t.adjusted_pvalue[~terms]).all()
    assert "p (holm-adjusted)" in t.table().columns


def test_severity_table(hand: rk.AdverseEventRecords) -> None:
    s = rk.ae_severity_table(hand)
    assert s.grades == ("Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5", "Unknown")
    # Nausea: T00-T02 worst grade 3, T03-T09 grade 1; C00-C02 grade 2
    assert s.counts[2, 0].tolist() == [7, 0, 3, 0, 0, 0]
    assert s.counts[2, 1].tolist() == [0, 3, 0, 0, 0, 0]
    assert s.counts[3, 1].tolist() == [0, 0, 0, 0, 0, 4]  # vomiting: no grade recorded
    # any event: T00-T02 grade 3, T03-T04 grade 1, T05-T16 grade 2 (T05-T09: 1 and 2)
    assert s.counts[0, 0].tolist() == [2, 12, 3, 0, 0, 0]
    np.testing.assert_array_equal(s.counts.sum(axis=2), rk.ae_table(hand).participants)
    table = s.table()
    assert len(table.columns) == 13 and "Unknown" in table.columns[6]
    assert s.to_frame()["treatment_grade_3"].tolist()[:3] == [3, 3, 3]
    assert "AESeverityTable" in repr(s) and "<table>" in s._repr_html_()


def test_trial_source_and_exposure_options(hand: rk.AdverseEventRecords) -> None:
    trial = rk.Trial(
        "Hand-made",
        arms=(rk.Arm("Drug", allocated=50), rk.Arm("Placebo", allocated=48)),
        adverse_event_records=hand,
    )
    t = rk.ae_table(trial, exposure="none")
    assert t.arm_labels == ("Drug", "Placebo") and t.rates is None
    assert rk.ae_table(trial, exposure="total").rates is not None
    unknown = rk.AdverseEventRecords(
        participants=["A", "B"],
        participant_arm=[0, 1],
        event_participant=[0],
        socs=["S"],
        terms=["T"],
        event_soc=[0],
        event_term=[0],
        exposure_days=[10.0, float("nan")],
    )
    assert rk.ae_table(unknown).rates is None  # "auto": not every exposure is known
    with pytest.raises(rk.InvalidInputError, match="`exposure`='total' needs"):
        rk.ae_table(unknown, exposure="total")


def test_degenerate_records_give_an_answer() -> None:
    one_arm = rk.AdverseEventRecords(
        participants=["A", "B"],
        participant_arm=[0, 0],
        event_participant=[0],
        socs=["S"],
        terms=["T"],
        event_soc=[0],
        event_term=[0],
        exposure_days=[10.0, 20.0],
    )
    t = rk.ae_table(one_arm)
    assert np.isnan(t.pvalue).all() and t.rows[0].risk_difference is None
    assert t.rates is not None and np.isnan(t.rates[:, 1]).all()
    assert "\u2013" in t.table().rows[0]
    none = rk.AdverseEventRecords(
        participants=["A", "B"],
        participant_arm=[0, 1],
        event_participant=[],
        socs=[],
        terms=[],
        event_soc=[],
        event_term=[],
    )
    empty = rk.ae_table(none)
    assert empty.kind == ("any",) and empty.participants.tolist() == [[0, 0]]
    assert empty.pvalue[0] == 1.0
    assert rk.ae_severity_table(none).counts.shape == (1, 2, 6)


def test_invalid_input(hand: rk.AdverseEventRecords) -> None:
    bad: list[tuple[dict[str, Any], str]] = [
        ({"subset": "fatal"}, "`subset`"),
        ({"sort": "random"}, "`sort`"),
        ({"threshold": 1.5}, "`threshold` must be a proportion"),
        ({"rd_method": "nope"}, "`rd_method`"),
        ({"rr_method": "nope"}, "`rr_method`"),
        ({"test": "chi2"}, "`test`"),
        ({"adjust": "sidak"}, "`adjust`"),
        ({"exposure": "first"}, "`exposure`"),
        ({"confidence_level": 1.5}, "confidence_level"),
        ({"arm_labels": ("A",)}, "`arm_labels`"),
    ]
    for options, message in bad:
        with pytest.raises(rk.InvalidInputError, match=message):
            rk.ae_table(hand, **options)
    with pytest.raises(rk.InvalidInputError, match="`source` must be a Trial"):
        rk.ae_table("records")  # type: ignore[arg-type]
    trial = rk.Trial("T", arms=(rk.Arm("A", allocated=1), rk.Arm("B", allocated=1)))
    with pytest.raises(rk.InvalidInputError, match="`adverse_event_records`"):
        rk.ae_table(trial)
    plain = rk.AdverseEventRecords(
        participants=["A"],
        participant_arm=[0],
        event_participant=[],
        socs=[],
        terms=[],
        event_soc=[],
        event_term=[],
    )
    for subset in ("serious", "related", "grade3"):
        with pytest.raises(rk.InvalidInputError, match=f"`subset`='{subset}' needs"):
            rk.ae_table(plain, subset=subset)
    with pytest.raises(rk.InvalidInputError, match="`sort`"):
        rk.ae_severity_table(hand, sort="x")


# -- properties ------------------------------------------------------------------------------


def _subset_frame(adae: pd.DataFrame, subset: str | None) -> pd.DataFrame:
    keep = {
        None: adae["AESER"].notna(),
        "serious": adae["AESER"] == "Y",
        "related": adae["AREL"] != "NOT RELATED",
        "grade3": adae["AETOXGR"] >= 3,
    }[subset]
    out: pd.DataFrame = adae.loc[keep]
    return out


@settings(max_examples=60, deadline=None)
@given(
    adam_frames(),
    st.sampled_from([None, "serious", "related", "grade3"]),
    st.sampled_from(["alphabetical", "frequency"]),
)
def test_counts_equal_a_pandas_groupby(
    frames: tuple[pd.DataFrame, pd.DataFrame], subset: str | None, sort: str
) -> None:
    adsl, adae = frames
    table = rk.ae_table(records_from_frames(adsl, adae), subset=subset, sort=sort)
    events = _subset_frame(adae, subset)
    expected = groupby_counts(adsl, events, ["AEBODSYS", "AEDECOD"])
    assert table_counts(table, "term") == expected
    assert table_counts(table, "soc") == groupby_counts(adsl, events, ["AEBODSYS"])
    overall = groupby_counts(adsl, events, []).get(("all",), (0, 0, 0, 0))
    assert table_counts(table, "any") == {("all",): overall}
    arms = adsl["ARM"].eq(TREATMENT)
    assert table.totals == (int(arms.sum()), int((~arms).sum()))
    # every term row sits under its class, each class's terms are contiguous
    current = None
    for kind, soc in zip(table.kind, table.soc, strict=True):
        if kind == "soc":
            current = soc
        elif kind == "term":
            assert soc == current


@settings(max_examples=40, deadline=None)
@given(adam_frames())
def test_worst_grade_equals_a_pandas_groupby(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    adsl, adae = frames
    s = rk.ae_severity_table(records_from_frames(adsl, adae))
    merged = adae.merge(adsl[["USUBJID", "ARM"]], on="USUBJID")
    worst = (
        merged.assign(G=merged["AETOXGR"].fillna(0))
        .groupby(["AEBODSYS", "AEDECOD", "ARM", "USUBJID"])["G"]
        .max()
        .reset_index()
        .groupby(["AEBODSYS", "AEDECOD", "ARM", "G"])
        .size()
    )
    for i, kind in enumerate(s.kind):
        if kind != "term":
            continue
        for side, arm in enumerate((TREATMENT, "Placebo")):
            for j, grade in enumerate([1, 2, 3, 4, 5, 0]):
                key = (s.soc[i], s.term[i], arm, float(grade))
                assert s.counts[i, side, j] == int(worst.get(key, 0))


@settings(max_examples=30, deadline=None)
@given(adam_frames(max_participants=20, max_events=30))
def test_swapping_arms_negates_the_difference_and_inverts_the_ratio(
    frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    adsl, adae = frames
    records = records_from_frames(adsl, adae)
    swapped = records_from_frames(
        adsl.assign(ARM=np.where(adsl["ARM"] == TREATMENT, "Placebo", TREATMENT)), adae
    )
    a, b = rk.ae_table(records), rk.ae_table(swapped)
    np.testing.assert_array_equal(a.participants, b.participants[:, ::-1])
    if np.isnan(a.pvalue).all():
        return
    np.testing.assert_allclose(a.risk_difference[:, 0], -b.risk_difference[:, 0], atol=1e-15)
    np.testing.assert_allclose(a.risk_difference[:, 1], -b.risk_difference[:, 2], atol=1e-12)
    np.testing.assert_allclose(a.pvalue, b.pvalue, rtol=1e-12)
    for i in range(len(a)):
        if min(a.participants[i]) > 0:  # Wald in both: the ratio and limits invert
            assert a.risk_ratio[i, 0] == pytest.approx(1 / b.risk_ratio[i, 0], rel=1e-12)
            assert a.risk_ratio[i, 1] == pytest.approx(1 / b.risk_ratio[i, 2], rel=1e-12)
        # the interval contains the estimate
        assert a.risk_difference[i, 1] <= a.risk_difference[i, 0] <= a.risk_difference[i, 2]
        assert not math.isnan(a.pvalue[i])


@settings(max_examples=15, deadline=None)
@given(adam_frames(max_participants=25, max_events=40))
def test_every_row_equals_the_scalar_functions(frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    adsl, adae = frames
    table = rk.ae_table(records_from_frames(adsl, adae), exposure="none")
    n1, n2 = table.totals
    for row in table.rows:
        if row.pvalue is None:  # an arm with no one at risk
            assert min(n1, n2) == 0
            continue
        outcome = rk.BinaryOutcome.from_counts(
            treatment=(row.participants[0], n1), control=(row.participants[1], n2)
        )
        assert row.risk_difference is not None and row.risk_ratio is not None
        rd = rk.risk_difference(outcome, method="newcombe")
        assert (row.risk_difference.estimate, *row.risk_difference.ci) == (rd.estimate, *rd.ci)
        rr = rk.risk_ratio(outcome, method=row.risk_ratio.method)
        np.testing.assert_array_equal(tuple(row.risk_ratio.ci), tuple(rr.ci))
        assert row.pvalue == rk.hypothesis_test(outcome, method="fisher").pvalue

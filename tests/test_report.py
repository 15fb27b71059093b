"""The trial report: tables, styles, formats, harms and the exact rate ratio."""

from __future__ import annotations

import math
import sys
import xml.etree.ElementTree as ET

import pytest

import rctkit as rk
from rctkit.formatting import STYLES
from rctkit.harms import harms_rows, rate_ratio
from rctkit.report import TrialReport
from rctkit.tables import ReportTable
from rctkit.trialfile import example_trial

# R 4.x stats::poisson.test(c(e1, e2), c(T1, T2)), tests/reference/harms.R.
POISSON_R = [
    (
        (29, 42, 100.0, 100.0),
        (0.69047619047619047, 0.41480303191835866, 1.134919236901424, 0.15391276932645676),
    ),
    (
        (29, 42, 310.5, 287.25),
        (0.6387738670347366, 0.38374290150901297, 1.0499373616745058, 0.074197980743680794),
    ),
    ((0, 7, 50.0, 60.0), (0.0, 0.0, 0.8325767761157431, 0.018374190897180502)),
    ((5, 0, 12.0, 30.0), (math.inf, 2.2908896432886503, math.inf, 0.0019039685845183552)),
]


@pytest.mark.parametrize(("case", "ref"), POISSON_R)
def test_rate_ratio_matches_r_poisson_test(
    case: tuple[int, int, float, float], ref: tuple[float, float, float, float]
) -> None:
    e1, e2, t1, t2 = case
    est = rate_ratio((e1, e2), (t1, t2))
    assert est.estimate == pytest.approx(ref[0], rel=1e-12)
    assert est.ci.low == pytest.approx(ref[1], rel=1e-9)
    assert est.ci.high == pytest.approx(ref[2], rel=1e-9)
    assert est.pvalue == pytest.approx(ref[3], rel=1e-9)


def test_rate_ratio_refuses_bad_exposure() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`exposure` must be positive and finite"):
        rate_ratio((1, 2), (0.0, 3.0))


def _harms_trial() -> rk.Trial:
    arms = (rk.Arm("Drug", allocated=100, analysed=98), rk.Arm("Placebo", allocated=100))
    events = [
        rk.AdverseEvent(
            "Nausea",
            "Drug",
            participants=12,
            events=15,
            category="Gastrointestinal",
            exposure=80.0,
        ),
        rk.AdverseEvent(
            "Nausea",
            "Placebo",
            participants=4,
            events=4,
            category="Gastrointestinal",
            exposure=85.0,
        ),
        rk.AdverseEvent("Death", "Drug", participants=1, category="Fatal", serious=True),
        rk.AdverseEvent("Death", "Placebo", participants=2, category="Fatal", serious=True),
    ]
    outcome = rk.BinaryOutcome.from_counts(treatment=(30, 98), control=(40, 100), name="Relapse")
    return rk.Trial("Test trial", arms=arms, outcomes=[outcome], adverse_events=events)


def test_harms_rows_sorted_and_compared() -> None:
    rows = harms_rows(_harms_trial())
    assert [r.term for r in rows] == ["Death", "Nausea"]  # by category: Fatal, Gastro...
    nausea = rows[1]
    assert nausea.participants == (12, 4)
    assert nausea.totals == (98, 100)
    fisher = rk.hypothesis_test(
        rk.BinaryOutcome.from_counts(treatment=(12, 98), control=(4, 100)), method="fisher"
    )
    assert nausea.pvalue == fisher.pvalue
    assert nausea.rate_ratio is not None
    assert nausea.rate_ratio.estimate == pytest.approx((15 / 80) / (4 / 85), rel=1e-12)
    assert rows[0].rate_ratio is None  # no exposure given


def test_harms_duplicate_records_refused() -> None:
    trial = _harms_trial()
    dup = rk.Trial(
        "T",
        arms=trial.arms,
        adverse_events=[
            *trial.adverse_events,
            rk.AdverseEvent("Death", "Drug", participants=1, category="Fatal"),
        ],
    )
    with pytest.raises(rk.InvalidInputError, match=r"arm 'Drug' has 2 records"):
        harms_rows(dup)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("fmt", ["text", "md", "html", "latex"])
def test_every_format_and_style_renders(style: str, fmt: str) -> None:
    report = TrialReport(example_trial(), style=style)
    text = report.render(fmt)
    assert "221" in text and "220" in text
    assert "64/218" in text and "83/216" in text
    if fmt == "html":
        ET.fromstring(text)  # well-formed
    if fmt == "latex":
        assert r"\begin{tabularx}" in text and "%" not in text.replace(r"\%", "")


def test_lancet_style_uses_mid_dots() -> None:
    table = TrialReport(example_trial(), style="lancet").outcome_table()
    row = table.rows[0]
    assert row[5] == "0·67 (0·45–0·99)"
    assert row[3] == "−9·1 (−17·8 to −0·2)"  # Newcombe hybrid score
    assert row[6] == "0·046"


def test_report_dataframes() -> None:
    frames = TrialReport(_harms_trial()).to_dataframe()
    assert list(frames) == ["Participant flow (CONSORT)", "Outcomes", "Harms"]
    outcomes = frames["Outcomes"]
    assert outcomes.loc["Relapse (primary)", "Drug, n/N (%)"] == "30/98 (31%)"


def test_report_validates_options() -> None:
    trial = example_trial()
    with pytest.raises(rk.InvalidInputError, match=r'`style` must be one of "plain"'):
        TrialReport(trial, style="vancouver")
    with pytest.raises(rk.InvalidInputError, match=r"`percent_decimals` must be from 0 to 6"):
        TrialReport(trial, percent_decimals=7)
    with pytest.raises(rk.InvalidInputError, match=r"`percent_decimals` must be None or an"):
        TrialReport(trial, percent_decimals=1.5)
    with pytest.raises(rk.InvalidInputError, match=r"`confidence_level` must be"):
        TrialReport(trial, confidence_level=1.5)
    with pytest.raises(rk.InvalidInputError, match=r"`methods\['odds_ratio'\]` must be one of"):
        TrialReport(trial, methods={"odds_ratio": "magic"})
    with pytest.raises(rk.InvalidInputError, match=r"`methods` keys must be among"):
        TrialReport(trial, methods={"hazard": "wald"})
    with pytest.raises(rk.InvalidInputError, match=r'`format` must be one of "text"'):
        TrialReport(trial).render("pdf")


def test_report_repr_html_has_harms_and_diagram() -> None:
    html = TrialReport(example_trial())._repr_html_()
    assert "<table" in html and "Harms" in html
    assert "<svg" in html  # the CONSORT diagram


def test_trial_repr_html_shows_data_without_estimates(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 9: displaying a Trial shows its data and computes nothing.
    # The module, not the function rk.report that shadows it as a package attribute.
    report_module = sys.modules["rctkit.report"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("displaying a Trial must not compute estimates")

    monkeypatch.setattr(report_module, "summarise_outcome", refuse)
    trial = example_trial()
    html = trial._repr_html_()
    assert "64/218 (29.4%)" in html and "83/216 (38.4%)" in html
    assert "221" in html and "Harms" not in html and "Odds ratio" not in html
    assert repr(trial).startswith("Trial('CORE")


def test_trial_report_is_deprecated() -> None:
    trial = example_trial()
    with pytest.warns(DeprecationWarning, match=r"rctkit.TrialReport\(trial\)"):
        old = trial.report(style="lancet")
    assert old.to_text() == TrialReport(trial, style="lancet").to_text()
    assert rk.report(trial, style="lancet").to_text() == old.to_text()


def test_report_table_checks_row_width() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`rows\[0\]` must have one cell per column"):
        ReportTable("x", ("a", "b", "c"), [("1", "2")])


@pytest.mark.parametrize("style", ["plain", "lancet", "nejm", "bmj", "jama"])
def test_one_rendering_path_prints_each_number_alike(style: str) -> None:
    """Issue 11: the text and the Markdown printed the same report differently (the Lancet
    p "p = 0.0438" in one, "p=0·0438" in the other). Every format is now a writer of one
    ReportDocument: each cell and note of every table appears verbatim in the text, the
    Markdown and the HTML (each through its own escaper, here all plain characters)."""
    from rctkit.trialfile import example_trial

    report = rk.report(example_trial(), style=style)
    text = report.to_text()
    flat = " ".join(text.split())  # notes are wrapped at 88 characters
    markdown, html = report.to_markdown(), report.to_html()
    for table in report.tables():
        for row in table.rows:
            for cell in row:
                assert cell in text and cell in markdown and cell in html, cell
        for note in table.notes:
            assert " ".join(note.split()) in flat
            assert note in markdown and note.replace("'", "&#x27;") in html
    published = "p=0·0438" if style == "lancet" else None
    if published:
        assert published in flat and published in markdown and published in html


def test_harms_columns_follow_what_the_records_give() -> None:
    """Columns no adverse event fills are left out in every format: the rate ratio needs
    events and exposure, the comparisons need participants."""
    arms = (rk.Arm("Drug", allocated=100), rk.Arm("Placebo", allocated=100))

    def columns(*records: rk.AdverseEvent) -> list[str]:
        trial = rk.Trial("T", arms=arms, adverse_events=list(records))
        return list(rk.report(trial).harms_table().columns)

    events_only = columns(
        rk.AdverseEvent("Rash", "Drug", events=5), rk.AdverseEvent("Rash", "Placebo", events=2)
    )
    assert events_only == ["Adverse event", "Drug: events", "Placebo: events"]
    exposed = columns(
        rk.AdverseEvent("Rash", "Drug", events=5, exposure=50.0),
        rk.AdverseEvent("Rash", "Placebo", events=2, exposure=48.0),
    )
    assert exposed[-1] == "Rate ratio (95% CI)"
    participants = columns(
        rk.AdverseEvent("Rash", "Drug", participants=5),
        rk.AdverseEvent("Rash", "Placebo", participants=2),
    )
    assert "Drug: events" not in participants and "Risk ratio (95% CI)" in participants


def test_report_with_participant_records_shows_the_soc_pt_table() -> None:
    # Participant-level adverse events replace the aggregated harms table by the SOC/PT table
    # of rk.ae_table, in every format.
    from rctkit.model import AdverseEventRecords

    records = AdverseEventRecords(
        participants=[f"p{i}" for i in range(10)],
        participant_arm=[0] * 5 + [1] * 5,
        event_participant=[0, 0, 2, 6, 7],
        socs=["Gastrointestinal disorders", "Nervous system disorders"],
        terms=["Nausea", "Headache"],
        event_soc=[0, 0, 1, 0, 1],
        event_term=[0, 0, 1, 0, 1],
    )
    trial = rk.Trial(
        "T", arms=[rk.Arm("Drug", 5), rk.Arm("Placebo", 5)], adverse_event_records=records
    )
    report = rk.report(trial)
    expected = rk.ae_table(trial).table()
    assert report.tables()[-1] == expected
    assert "Nervous system disorders" in report.to_text()
    assert "Nervous system disorders" in report.to_rtf()

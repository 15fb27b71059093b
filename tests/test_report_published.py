"""Issue 11's wrong numbers: a published estimate is set beside the crude estimate of the same
measure, and adverse events given as participants only are "not reported", never 0 events.

The trial: WOMAN (WOMAN Trial Collaborators, Lancet 2017;389:2105-16), tranexamic acid for
post-partum haemorrhage. Death due to bleeding 155/10036 (1.5%) with tranexamic acid and
191/9985 (1.9%) with placebo, published as a risk ratio of 0.81 (95% CI 0.65-1.00,
p=0.045). The crude (Katz) risk ratio from those counts is 0.807 (0.654 to 0.996), worked by
hand: se = sqrt(1/155 - 1/10036 + 1/191 - 1/9985) = 0.10718. The adverse-event records are
written as the paper gives such rows (participants with the event per arm, no event counts);
their values here are illustrative.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest

import rctkit as rk
from rctkit.formatting import measure_name as published_measure
from rctkit.harms import event_totals
from rctkit.io import example_trial


def _woman(*, adverse_events: tuple[rk.AdverseEvent, ...] = ()) -> rk.Trial:
    bleeding = rk.BinaryOutcome.from_counts(
        treatment=(155, 10036), control=(191, 9985), name="Death due to bleeding"
    )
    return rk.Trial(
        title="WOMAN",
        arms=(rk.Arm("Tranexamic acid", allocated=10051), rk.Arm("Placebo", allocated=10009)),
        outcomes=(bleeding,),
        adverse_events=adverse_events,
        citation="Lancet 2017;389:2105-16",
        published={
            "Death due to bleeding": rk.PublishedEstimate(
                "risk ratio", 0.81, 0.65, 1.00, pvalue=0.045, note="As reported."
            )
        },
    )


def test_crude_risk_ratio_matches_the_hand_computation() -> None:
    est = rk.risk_ratio(_woman().outcomes[0], method="wald")
    se = math.sqrt(1 / 155 - 1 / 10036 + 1 / 191 - 1 / 9985)  # by hand, above
    centre = math.log((155 / 10036) / (191 / 9985))
    assert est.estimate == pytest.approx(math.exp(centre), rel=1e-12)
    assert est.ci.low == pytest.approx(math.exp(centre - 1.959963984540054 * se), rel=1e-12)
    assert est.ci.high == pytest.approx(math.exp(centre + 1.959963984540054 * se), rel=1e-12)


@pytest.mark.parametrize("fmt", ["text", "md", "html", "latex"])
def test_published_risk_ratio_is_set_beside_the_crude_risk_ratio(fmt: str) -> None:
    out = rk.report(_woman()).render(fmt)
    assert "crude risk ratio" in out.lower() or "risk ratio 0" in out.lower()
    assert "odds ratio 0" not in out.lower()  # the crude odds ratio is not the comparison


def test_text_report_names_the_crude_measure_and_method() -> None:
    out = " ".join(rk.report(_woman()).to_text().split())
    assert "rctkit reports the crude risk ratio 0.81 (95% CI " in out
    assert "(Wald (Katz log)) from the counts" in out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("risk ratio", "risk_ratio"),
        ("Relative risk", "risk_ratio"),
        ("RR", "risk_ratio"),
        ("odds_ratio", "odds_ratio"),
        ("OR", "odds_ratio"),
        ("risk difference", "risk_difference"),
        ("hazard ratio", None),
    ],
)
def test_published_measure_names(name: str, expected: str | None) -> None:
    assert published_measure(name) == expected


def test_a_measure_the_counts_do_not_give_is_said_so() -> None:
    trial = _woman()
    published = {
        "Death due to bleeding": rk.PublishedEstimate("hazard ratio", 0.8, 0.6, 0.99, pvalue=0.04)
    }
    trial = rk.Trial(
        title=trial.title, arms=trial.arms, outcomes=trial.outcomes, published=published
    )
    text = " ".join(rk.report(trial).to_text().split())
    assert "a measure that the counts alone do not give" in text
    assert "a measure that the counts alone do not give" in rk.report(trial).to_markdown()


def _participants_only() -> tuple[rk.AdverseEvent, ...]:
    return (
        rk.AdverseEvent("Thromboembolic event", "Tranexamic acid", participants=30),
        rk.AdverseEvent("Thromboembolic event", "Placebo", participants=35),
    )


def test_participants_only_events_are_not_reported_not_zero() -> None:
    trial = _woman(adverse_events=_participants_only())
    assert event_totals(trial) == [None, None]
    for fmt in ("text", "md", "html", "latex"):
        out = rk.report(trial).render(fmt)
        assert "0 (Tranexamic acid)" not in out and "0 in total" not in out
        assert "0 vs 0 events" not in out
        assert "not reported" in out


def test_event_totals_with_some_records_without_counts() -> None:
    records = (
        rk.AdverseEvent("Seizure", "Tranexamic acid", participants=33, events=40),
        rk.AdverseEvent("Seizure", "Placebo", participants=43, events=50),
        rk.AdverseEvent("Thromboembolic event", "Tranexamic acid", participants=30),
        rk.AdverseEvent("Thromboembolic event", "Placebo", participants=35),
    )
    trial = _woman(adverse_events=records)
    assert event_totals(trial) == [40, 50]
    out = rk.report(trial).to_markdown()
    assert "2 records give participants only" in out


def _zero_cell_trial(methods: dict[str, str] | None = None) -> rk.TrialReport:
    outcome = rk.BinaryOutcome.from_counts(treatment=(0, 20), control=(5, 20), name="Relapse")
    trial = rk.Trial(
        title="Zero cell",
        arms=(rk.Arm("A", allocated=20), rk.Arm("B", allocated=20)),
        outcomes=(outcome,),
    )
    return rk.TrialReport(trial, methods=methods or {})


def test_a_zero_cell_gets_intervals_that_are_defined() -> None:
    """0/20 vs 5/20: Woolf's and Katz's intervals are [0, inf] with p = 1, beside a
    chi-squared p of 0.017; the report uses the score intervals instead and says so."""
    report = _zero_cell_trial()
    s = report.summaries()[0]
    assert (s.odds_ratio.method, s.risk_ratio.method) == ("mn", "koopman")
    assert 0 < s.odds_ratio.ci.high < math.inf and 0 < s.risk_ratio.ci.high < math.inf
    # the same numbers as the score functions (checked against mpmath in test_score.py)
    mn = rk.odds_ratio(s.outcome, method="mn")
    assert (s.odds_ratio.ci.low, s.odds_ratio.ci.high) == (mn.ci.low, mn.ci.high)
    for fmt in ("text", "md", "html", "latex"):
        out = report.render(fmt)
        assert "inf" not in out.replace("infinity", "")
    assert "score interval is used instead for Relapse" in report.to_markdown()
    assert "Wald (odds ratio)" not in report.to_text()


def test_a_method_the_caller_names_is_kept() -> None:
    with pytest.warns(rk.RctkitWarning, match="Wald odds-ratio interval is"):
        s = _zero_cell_trial({"odds_ratio": "wald"}).summaries()[0]
    assert s.odds_ratio.method == "wald" and s.risk_ratio.method == "koopman"


def test_standalone_html_is_a_complete_offline_page() -> None:
    from html.parser import HTMLParser

    page = rk.report(_woman(adverse_events=_participants_only())).to_html(standalone=True)
    assert page.startswith("<!DOCTYPE html>")
    tags: list[str] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)
            for name, value in attrs:  # nothing fetched (an SVG namespace is a name only)
                if not name.startswith("xmlns"):
                    assert not (value or "").startswith(("http:", "https:", "//"))

    Tags().feed(page)
    assert tags[:4] == ["html", "head", "meta", "title"]
    assert "<meta charset='utf-8'/>" in page and "<title>WOMAN</title>" in page
    assert "border:1px solid" in page and tags.count("table") == 3
    # the fragment (the notebook's view) stays a fragment, with the notes aligned left
    fragment = rk.report(_woman()).to_html()
    assert fragment.startswith("<div class='rctkit-report'>")
    assert "<td colspan='7' style='text-align:left'>" in fragment
    with pytest.raises(rk.InvalidInputError, match="`standalone` must be True or False"):
        rk.report(_woman()).to_html(standalone="yes")  # type: ignore[arg-type]


def test_docx_opens_and_holds_every_table(tmp_path: Path) -> None:
    """The Word report, opened again with python-docx: the title, every table's caption,
    header and cells as the text report's tables print them, and the notes."""
    docx = pytest.importorskip("docx", reason="python-docx writes the Word report")
    report = rk.report(_woman(adverse_events=_participants_only()))
    path = tmp_path / "woman.docx"
    report.to_docx(path)
    document = docx.Document(str(path))
    text = [p.text for p in document.paragraphs]
    assert text[0] == "WOMAN"
    tables = report.tables()
    assert len(document.tables) == len(tables)
    for written, table in zip(document.tables, tables, strict=True):
        assert written.style.name == "Table Grid"
        assert [c.text for c in written.rows[0].cells] == list(table.columns)
        for row, cells in zip(written.rows[1:], table.rows, strict=True):
            assert [c.text for c in row.cells] == list(cells)
        assert table.caption in text
        for note in table.notes:
            assert note in text


def test_docx_escapes_control_characters(tmp_path: Path) -> None:
    pytest.importorskip("docx", reason="python-docx writes the Word report")
    trial = _woman()
    outcome = rk.BinaryOutcome.from_counts(
        treatment=(155, 10036), control=(191, 9985), name="Death\x07 due to\nbleeding"
    )
    trial = rk.Trial(title="W\x1bOMAN", arms=trial.arms, outcomes=(outcome,))
    rk.report(trial).to_docx(tmp_path / "w.docx")  # python-docx refuses raw control characters
    with pytest.raises(rk.InvalidInputError, match="`path` must be a file path"):
        rk.report(trial).to_docx(3)  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("style", ["plain", "lancet", "nejm"])
def test_latex_tables_fit_the_text_width(tmp_path: Path, style: str) -> None:
    """Compiled with pdflatex in an article: no overfull box wider than 1 pt (the outcome
    table of seven columns ran 464 pt into the margin as a plain tabular)."""
    from tests.test_escaping import _compile

    trial = _woman(adverse_events=_participants_only())
    body = "\n\\clearpage\n".join(
        report.to_latex()
        for report in (rk.report(trial, style=style), rk.report(example_trial(), style=style))
    )
    _compile(tmp_path, body)
    log = (tmp_path / "report.log").read_text(encoding="latin-1")
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([0-9.]+)pt too wide", log)]
    assert max(widths, default=0.0) <= 1.0, widths


_NUMBER = r"[-\u2212]?\d[\d,\u2009]*(?:[.\u00b7]\d+)?"
_INTERVAL = re.compile(rf"({_NUMBER}) \(({_NUMBER})(?: to |\u2013)({_NUMBER})\)")


def _value(text: str) -> tuple[float, float]:
    """A printed number and half a unit of its last digit."""
    plain = text.replace("\u2212", "-").replace("\u00b7", ".").replace(",", "")
    plain = plain.replace("\u2009", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    return float(plain), 0.5 * 10.0**-decimals


@pytest.mark.parametrize("style", rk.formatting.STYLES)
@pytest.mark.parametrize("which", ["core", "woman", "zero"])
def test_printed_numbers_round_trip_to_the_frame(style: str, which: str) -> None:
    """Every estimate, limit and p-value the outcome table prints (the same strings go into
    every format) equals the numeric frame's value at the printed precision."""
    pytest.importorskip("pandas")
    trial = {
        "core": example_trial(),
        "woman": _woman(),
        "zero": _zero_cell_trial().trial,
    }[which]
    report = rk.report(trial, style=style)
    frame = report.to_frame()
    table = report.tables()[1]
    columns = {"risk_difference": 3, "risk_ratio": 4, "odds_ratio": 5}
    for row, summary in zip(table.rows, report.summaries(), strict=True):
        name = summary.outcome.name
        for measure, column in columns.items():
            match = _INTERVAL.fullmatch(row[column])
            assert match is not None, row[column]
            record = frame[(frame.outcome == name) & (frame.measure == measure)].iloc[0]
            scale = 100.0 if measure == "risk_difference" else 1.0
            for text, key in zip(
                match.groups(), ("estimate", "conf_low", "conf_high"), strict=True
            ):
                printed, half = _value(text)
                assert abs(printed - scale * record[key]) <= half * (1 + 1e-9), (measure, key)
        test = frame[(frame.outcome == name) & (frame.measure == "test")].iloc[0]
        shown = row[6].lstrip("pP=").strip()
        if shown.startswith(("<", "\u2039")):
            assert test.pvalue < _value(shown.lstrip("<\u2039"))[0]
        elif shown.startswith(">"):
            assert test.pvalue > _value(shown[1:])[0]
        else:
            printed, half = _value(("0" + shown) if shown.startswith(".") else shown)
            assert abs(printed - test.pvalue) <= half * (1 + 1e-9)


def test_json_and_csv_hold_the_frames_numbers() -> None:
    """``--format json|csv``: the same records as ``to_frame`` at full precision, strict JSON
    (an infinite limit is "inf", nan is null), and CSV that reads back."""
    import csv
    import io
    import json

    from rctkit.report import REPORT_COLUMNS
    from rctkit.results import records_csv, records_json

    report = rk.report(_woman(adverse_events=_participants_only()))
    records = report.records()
    document = json.loads(report.to_json())
    assert document["title"] == "WOMAN" and document["arms"] == ["Tranexamic acid", "Placebo"]
    assert len(document["results"]) == len(records)
    for written, record in zip(document["results"], records, strict=True):
        for key, value in record.items():
            if isinstance(value, float) and math.isnan(value):
                assert written[key] is None
            else:
                assert written[key] == value, key
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert float(row["estimate"] or "nan") == pytest.approx(
            record["estimate"] if record["estimate"] is not None else math.nan, nan_ok=True, rel=0
        )
        assert row["outcome"] == record["outcome"] and row["method"] == record["method"]
    assert report.render("json") == report.to_json()
    # an infinite limit (Katz with no events in an arm, asked for by name)
    zero = _zero_cell_trial({"risk_ratio": "wald"})
    with pytest.warns(rk.RctkitWarning):
        records = zero.records()
    text = records_json(records)
    csv_text = records_csv(records, REPORT_COLUMNS)
    rr = next(r for r in json.loads(text)["results"] if r["measure"] == "risk_ratio")
    assert rr["conf_high"] == "inf"
    assert ",inf," in csv_text


@pytest.mark.parametrize(
    ("style", "header"),
    [("plain", "p"), ("lancet", "p"), ("nejm", "P"), ("bmj", "P"), ("jama", "P")],
)
def test_the_p_column_is_headed_as_the_journal_writes_it(style: str, header: str) -> None:
    tables = rk.report(_woman(adverse_events=_participants_only()), style=style).tables()
    assert tables[1].columns[-1] == header
    assert f"{header} (exact)" in tables[2].columns


ANALYSIS_FILE = """
[trial]
title = "Plan"

[analysis]
risk_difference = "wald"
odds_ratio = "mn"
test = "fisher"

[[arms]]
label = "A"
role = "treatment"
allocated = 218

[[arms]]
label = "B"
role = "control"
allocated = 216

[[outcomes]]
name = "Readmission"
events = [64, 83]
totals = [218, 216]
"""


def test_the_trial_files_analysis_chooses_the_methods() -> None:
    from rctkit.io import parse_trial

    trial = parse_trial(ANALYSIS_FILE)
    assert trial.analysis == {"risk_difference": "wald", "odds_ratio": "mn", "test": "fisher"}
    s = rk.report(trial).summaries()[0]
    assert (s.risk_difference.method, s.odds_ratio.method, s.test.method) == (
        "wald",
        "mn",
        "fisher",
    )
    # the caller's methods go over the plan
    s = rk.report(trial, methods={"risk_difference": "newcombe"}).summaries()[0]
    assert (s.risk_difference.method, s.odds_ratio.method) == ("newcombe", "mn")
    bad = parse_trial(ANALYSIS_FILE.replace('"mn"', '"magic"'))
    with pytest.raises(rk.InvalidInputError, match=r"`analysis\['odds_ratio'\]` must be one of"):
        rk.report(bad)
    with pytest.raises(rk.InvalidInputError, match=r"`analysis\.nnt` is not a known key"):
        parse_trial(ANALYSIS_FILE.replace("test = ", "nnt = "))
    with pytest.raises(rk.InvalidInputError, match=r"`analysis` keys must be among"):
        rk.Trial(title="x", arms=trial.arms, analysis={"hazard": "cox"})


def test_cli_method_option_goes_over_the_plan(tmp_path: Path) -> None:
    from rctkit.cli import main

    path = tmp_path / "plan.toml"
    path.write_text(ANALYSIS_FILE, encoding="utf-8")
    out = tmp_path / "out.txt"
    assert main(["report", str(path), "--method", "rd=newcombe", "-o", str(out)]) == 0
    text = " ".join(out.read_text(encoding="utf-8").split())
    assert "risk difference, Newcombe hybrid score;" in text
    assert "odds ratio, Miettinen-Nurminen score;" in text
    assert main(["report", str(path), "--method", "rd"]) == 2


def test_the_harms_table_names_its_risk_ratio_method() -> None:
    """The harms risk ratio is the library's one default (rk.DEFAULT_METHODS, Katz's log),
    as in the outcome table; where an arm has no participant with the event, Koopman's score
    interval, and the table names both, and the report's methods reach it."""
    records = (
        rk.AdverseEvent("Seizure", "Tranexamic acid", participants=33, events=40),
        rk.AdverseEvent("Seizure", "Placebo", participants=43, events=50),
        rk.AdverseEvent("Stroke", "Tranexamic acid", participants=0),
        rk.AdverseEvent("Stroke", "Placebo", participants=4),
    )
    report = rk.report(_woman(adverse_events=records))
    seizure, stroke = report.harms()
    assert seizure.risk_ratio is not None and stroke.risk_ratio is not None
    assert seizure.risk_ratio.method == rk.DEFAULT_METHODS["risk_ratio"] == "wald"
    assert stroke.risk_ratio.method == rk.ZERO_CELL_METHODS["risk_ratio"] == "koopman"
    outcome_note, harms_note = report.outcome_table().notes[0], report.harms_table().notes
    assert "risk ratio, Wald (Katz log)" in outcome_note
    assert "risk ratio: Wald (Katz log)" in harms_note[0]
    assert "Koopman asymptotic score is used instead for Stroke." in harms_note[1]
    named = rk.report(_woman(adverse_events=records), methods={"risk_ratio": "mn"})
    assert {r.risk_ratio.method for r in named.harms() if r.risk_ratio} == {"mn"}
    assert "risk ratio: Miettinen-Nurminen score" in named.harms_table().notes[0]


def test_warnings_name_the_outcome_and_method_once_at_the_callers_line() -> None:
    """A report of an outcome with no events in either arm warns about its chi-squared test
    once, naming the outcome and the method, at the line that asked for the report; the
    measures the report switched away from (Wald with a zero cell) do not warn."""
    import warnings

    nothing = rk.BinaryOutcome.from_counts(treatment=(0, 20), control=(0, 20), name="Stroke")
    trial = rk.Trial(
        title="W", arms=(rk.Arm("A", allocated=20), rk.Arm("B", allocated=20)), outcomes=(nothing,)
    )
    report = rk.report(trial)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.to_text()
        report.to_markdown()
        report.to_latex()
    messages = [str(w.message) for w in caught]
    assert messages == [
        "outcome 'Stroke', test (chi2): the table has no events, or only events, in both arms "
        "together: the chi-squared statistic is 0 and the p-value 1"
    ]
    assert caught[0].filename == __file__

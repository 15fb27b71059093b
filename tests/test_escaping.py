"""Labels are text in every format: no broken table, no live markup, no crash (issue 10).

Each adversarial label is put everywhere a trial holds text (title, citation, arm, outcome,
reason, adverse event, published note) and rendered in every format. The checks read the
output back with an independent parser: Markdown with markdown-it-py (CommonMark with the
GitHub tables), HTML with the standard library's ``html.parser`` and ``xml.etree``, SVG with
``xml.etree``, LaTeX by compiling it with pdflatex (when installed) and reading the PDF's text
back with pdftotext, matplotlib through the Text objects' own flags and by drawing them.

What a label must look like once rendered is written out in :func:`shown`, apart from the
code under test: the documented rule of :func:`rctkit.formatting.one_line` (each line break
or tab a space, other control characters U+FFFD, nothing else changed).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import matplotlib
import pytest
from hypothesis import given, settings

import rctkit as rk
from rctkit.consort import (
    ConsortFlow,
    consort,
    consort_figure,
    consort_markdown,
    consort_svg,
    consort_text,
)
from rctkit.formatting import (
    escape_html,
    escape_latex,
    escape_markdown,
    escape_text,
    escape_xml,
    one_line,
)
from rctkit.harms import harms_rows
from rctkit.plots import forest_plot
from rctkit.report import TrialReport, render_text, summarise_outcome
from rctkit.tables import ReportTable
from rctkit.trialfile import example_trial
from tests.strategies import labels

matplotlib.use("Agg")

SVG = "{http://www.w3.org/2000/svg}"

#: The labels of issue 10, one per way of breaking a format.
ADVERSARIAL = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "a|b",
    "line1\nline2",
    "cr\rhere",
    "[2cm] text",
    r"\input{/etc/passwd}",
    r"\write18{ls}",
    r"$\undefinedmacro$",
    "$x$",
    "50% & #1 _x_ ^ ~ {}",
    "**bold** [link](http://x)",
    "ctl \x00\x07\x1b end",
    "café – ≥",
    "- 1. > # `code` ~~gone~~ &amp; &#60; \\",
    "q \"quoted\" `tick` a--b ''x'' ,,y",
]

_BREAKS = "\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# C0 and C1 controls, DEL, surrogates, and the two non-characters that XML refuses.
_REPLACED = frozenset([*range(0x20), *range(0x7F, 0xA0), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF])


def shown(label: str) -> str:
    """The label as every format must show it (the documented rule, written apart)."""
    out = []
    for char in label.replace("\r\n", "\n"):
        code = ord(char)
        if char in _BREAKS:
            out.append(" ")
        elif code in _REPLACED:
            out.append("\ufffd")
        else:
            out.append(char)
    return "".join(out)


def shown_in_box(label: str) -> str:
    """In the CONSORT boxes, runs of spaces are one and the ends are trimmed (for wrapping)."""
    return re.sub(" +", " ", shown(label)).strip(" ")


def adversarial_trial(label: str) -> rk.Trial:
    """A consistent trial with ``label`` in every text it holds."""
    control = "Control " + label
    arms = (
        rk.Arm(label, 100, analysed=98, did_not_receive={label: 2}),
        rk.Arm(control, 100, lost_to_follow_up={label: 1}),
    )
    return rk.Trial(
        label,
        arms,
        outcomes=[rk.BinaryOutcome(name=label, treatment=(30, 98), control=(40, 100))],
        adverse_events=[
            rk.AdverseEvent(label, label, participants=5, events=6),
            rk.AdverseEvent(label, control, participants=3, events=3),
        ],
        enrolment=rk.Enrolment(assessed=250, excluded={label: 50}),
        published={label: rk.PublishedEstimate("odds_ratio", 0.6, 0.4, 0.9, 0.02, note=label)},
        citation=label,
    )


class _Html(HTMLParser):
    """The tags, attribute names and text of an HTML document."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: set[str] = set()
        self.data: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    @property
    def text(self) -> str:
        return "".join(self.data)


def _markdown_to_html(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py reads the Markdown")
    return str(
        markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    )


def _cells(report: TrialReport) -> int:
    return sum(len(t.columns) * (1 + len(t.rows)) for t in report.tables())


def _no_controls(text: str) -> bool:
    return not any(
        (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF
        for c in text
    )


# ---------------------------------------------------------------------------------------------
# The report, format by format
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ADVERSARIAL)
def test_text_shows_labels_on_one_line(label: str) -> None:
    report = TrialReport(adversarial_trial(label))
    for text in (report.to_text(), *(t.to_text() for t in report.tables())):
        assert _no_controls(text)
        assert shown(label) in text
    lines = report.to_text().splitlines()
    assert lines[:2] == [shown(label), shown(label)]  # the title and the citation
    assert any(line.startswith(f"{shown(label)} (primary)") for line in lines)
    for table in report.tables():
        blank = 1 if table.notes else 0  # a blank line between the body and the notes
        assert len(table.to_text().splitlines()) == 3 + len(table.rows) + blank + len(table.notes)


@pytest.mark.parametrize("label", ADVERSARIAL)
def test_markdown_shows_labels_as_text(label: str) -> None:
    report = TrialReport(adversarial_trial(label))
    page = _Html(_markdown_to_html(report.to_markdown()))
    # No link, emphasis, image, script, code, list, quote or heading other than the title.
    allowed = {"h1", "p", "strong", "br", "table", "thead", "tbody", "tr", "th", "td"}
    assert set(page.tags) <= allowed, set(page.tags) - allowed
    assert page.tags.count("h1") == 1 and page.tags.count("table") == 3
    assert page.tags.count("th") + page.tags.count("td") == _cells(report)
    assert page.attributes <= {"style"}
    assert shown(label).strip() in page.text


@pytest.mark.parametrize("label", ADVERSARIAL)
def test_html_shows_labels_as_text(label: str) -> None:
    report = TrialReport(adversarial_trial(label))
    html = report.to_html()
    ET.fromstring(html)  # well-formed, the inline SVG included
    page = _Html(html)
    allowed = {"div", "h2", "p", "table", "caption", "thead", "tbody", "tfoot", "tr", "th"}
    allowed |= {"td", "br", "svg", "title", "rect", "text", "polyline", "polygon"}
    assert set(page.tags) <= allowed, set(page.tags) - allowed
    assert not any(name.startswith("on") for name in page.attributes)
    notes = sum(1 for t in report.tables() if t.notes)  # one footer cell each
    assert page.tags.count("th") + page.tags.count("td") == _cells(report) + notes
    assert shown(label) in page.text
    assert _no_controls(html)


_ROW_END = " \\\\"


@pytest.mark.parametrize("label", ADVERSARIAL)
def test_latex_keeps_labels_out_of_the_syntax(label: str) -> None:
    report = TrialReport(adversarial_trial(label))
    for table in report.tables():
        latex = table.to_latex()
        _check_latex(latex, len(table.columns))


def _check_latex(latex: str, n_columns: int) -> None:
    assert _no_controls(latex)
    lines = latex.splitlines()
    body = lines[lines.index(r"\toprule") + 1 : lines.index(r"\bottomrule")]
    rows = [line for line in body if line != r"\midrule"]
    for row in rows:
        assert row.endswith(_ROW_END)
        assert len(re.findall(r"(?<!\\)&", row)) == n_columns - 1, row
    # A "[" right after a row's \\ or a booktabs rule would be read as a length.
    assert not re.search(r"(\\\\|\\(top|mid|bottom)rule)\s*\[", latex)
    assert not re.search(r"(?<!\{)\[", latex)
    # No special character unescaped, no command from a label.
    unescaped = re.sub(r"\\[&%$#_{}]", "", latex)
    assert not re.search(r"[%$#_^]", unescaped)
    assert not re.search(r"\\(input|include|write|openout|immediate|def|catcode)\b", latex)
    depth = 0
    for char in unescaped:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


# ---------------------------------------------------------------------------------------------
# LaTeX compiled
# ---------------------------------------------------------------------------------------------

_PDFLATEX = shutil.which("pdflatex")


def _compile(tmp_path: Path, body: str) -> Path:
    document = "\n".join(
        [
            r"\documentclass{article}",
            # The PDF's text as Unicode, for pdftotext (texlive-base has the table).
            r"\IfFileExists{glyphtounicode.tex}{\input{glyphtounicode}\pdfgentounicode=1}{}",
            # booktabs is in texlive-latex-recommended; with texlive-latex-base alone, plain
            # rules stand in (the string checks above cover booktabs' optional arguments).
            r"\IfFileExists{booktabs.sty}{\usepackage{booktabs}}{",
            r"\newcommand\toprule{\hline}\newcommand\midrule{\hline}",
            r"\newcommand\bottomrule{\hline}}",
            r"\usepackage{tabularx}",
            r"\begin{document}",
            body,
            r"\end{document}",
        ]
    )
    tex = tmp_path / "report.tex"
    tex.write_text(document, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
        cwd=tmp_path,
        capture_output=True,
        timeout=600,
        check=False,
    )
    log = (tmp_path / "report.log").read_text(encoding="latin-1")
    assert run.returncode == 0, log[-3000:]
    assert "Missing character" not in log
    assert "Undefined control sequence" not in log
    return tmp_path / "report.pdf"


@pytest.mark.skipif(_PDFLATEX is None, reason="pdflatex is not installed")
def test_latex_of_adversarial_reports_compiles(tmp_path: Path) -> None:
    reports = [TrialReport(adversarial_trial(label)) for label in ADVERSARIAL]
    reports += [TrialReport(example_trial(), style=style) for style in ("plain", "lancet", "nejm")]
    # One page each: LaTeX holds at most 18 floats waiting for a place.
    body = "\n\\clearpage\n".join(report.to_latex() for report in reports)
    assert _compile(tmp_path, body).read_bytes().startswith(b"%PDF")


# How pdftotext reads the glyphs of LaTeX's default OT1 fonts: "_" is drawn as a rule (no
# glyph), "^" and "~" as accents, the straight quotes as typographic quotes.
_OT1 = str.maketrans({"_": None, "^": "\u02c6", "~": "\u02dc", "'": "\u2019", '"': "\u201d"})


@pytest.mark.skipif(
    _PDFLATEX is None or shutil.which("pdftotext") is None,
    reason="pdflatex or pdftotext (poppler-utils) is not installed",
)
def test_latex_prints_labels_literally(tmp_path: Path) -> None:
    # One table per label, caption and cell: the PDF's text must hold the label as written.
    tables = [ReportTable(label, ("", "n"), [(label, 1)]) for label in ADVERSARIAL]
    pdf = _compile(tmp_path, "\n".join(t.to_latex() for t in tables))
    run = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, timeout=120, check=True
    )
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", run.stdout.decode("utf-8")))
    for label in ADVERSARIAL:
        # One line in the source; the control characters are printed as "?".
        expected = re.sub(r"\s+", " ", shown(label).replace("\ufffd", "?")).translate(_OT1)
        assert expected.strip() in text, label


# ---------------------------------------------------------------------------------------------
# CONSORT: text, Markdown, SVG, figure
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("label", ADVERSARIAL)
def test_consort_formats_show_labels_as_text(label: str) -> None:
    trial = adversarial_trial(label)
    expected = shown_in_box(label)
    text = consort_text(trial)
    assert _no_controls(text) and f"- {expected} (n = 50)" in text

    page = _Html(_markdown_to_html(consort_markdown(trial)))
    allowed = {"p", "strong", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}
    assert set(page.tags) <= allowed, set(page.tags) - allowed
    # Three columns; the header, then each stage's row and its boxes (3, 2 and 2).
    assert page.tags.count("th") + page.tags.count("td") == 3 * (1 + (1 + 3) + (1 + 2) + (1 + 2))
    assert f"{expected}: 50" in page.text

    svg = consort_svg(trial)
    root = ET.fromstring(svg)
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    assert tags <= {"svg", "title", "rect", "text", "polyline", "polygon"}
    assert not any(name.startswith("on") for e in root.iter() for name in e.attrib)
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == f"CONSORT flow diagram: {expected}"
    assert _no_controls(svg)


def _label_texts(fig: Any) -> list[Any]:
    ax = fig.axes[0]
    return [*fig.texts, *ax.texts, *ax.get_xticklabels()]


@pytest.mark.parametrize("label", ADVERSARIAL)
def test_forest_plot_draws_labels_as_text(label: str) -> None:
    fig = forest_plot(adversarial_trial(label))
    drawn = [t.get_text() for t in _label_texts(fig)]
    assert shown(label) in drawn  # the outcome's row (the arms' headers wrap)
    assert f"\u2190 Favours {shown(label)}" in drawn
    assert f"Favours Control {shown(label)} \u2192" in drawn
    for text in _label_texts(fig):
        assert text.get_parse_math() is False and text.get_usetex() is False
    for fmt in ("png", "svg", "pdf"):
        fig.savefig(io.BytesIO(), format=fmt)  # drawing does not raise


@pytest.mark.parametrize("label", ADVERSARIAL)
def test_consort_figure_draws_labels_as_text(label: str) -> None:
    fig = consort_figure(adversarial_trial(label))
    texts = fig.axes[0].texts
    assert all(t.get_parse_math() is False and t.get_usetex() is False for t in texts)
    drawn = " ".join(t.get_text() for t in texts).replace("\u00a0", " ")
    assert f"Allocated to {shown_in_box(label)}"[:20] in drawn or shown_in_box(label) in drawn
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)


def test_usetex_in_rcparams_does_not_reach_labels() -> None:
    # With usetex on, a label would go to LaTeX (and "$\undefinedmacro$" would stop it).
    with matplotlib.rc_context({"text.usetex": True}):
        fig = consort_figure(adversarial_trial(r"$\undefinedmacro$"))
    assert all(t.get_usetex() is False for t in fig.axes[0].texts)


# ---------------------------------------------------------------------------------------------
# The escapers on any text
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(label=labels)
def test_any_label_round_trips_through_html_and_xml(label: str) -> None:
    table = ReportTable(label, ("", label), [(label, label)], [label])
    root = ET.fromstring(table.to_html())
    caption = root.find("caption")
    assert caption is not None and caption.text == shown(label)
    assert next(c.text or "" for c in root.iter("td")) == shown(label)
    svg = ET.fromstring(f'<svg><text a="{escape_xml(label)}">{escape_xml(label)}</text></svg>')
    assert svg[0].text == shown(label) == svg[0].attrib["a"]
    assert escape_html(label) == escape_xml(label)


@settings(max_examples=60)
@given(label=labels)
def test_any_label_stays_in_its_markdown_cell(label: str) -> None:
    table = ReportTable(label, ("", "B"), [(label, label)], [label, label])
    page = _Html(_markdown_to_html(table.to_markdown()))
    assert set(page.tags) <= {"p", "strong", "br", "table", "thead", "tbody", "tr", "th", "td"}
    assert page.tags.count("th") + page.tags.count("td") == 4
    assert page.tags.count("strong") == (1 if shown(label).strip() else 0)
    # Whitespace at the ends is dropped (see escape_markdown).
    assert shown(label).strip() in page.text


@settings(max_examples=60)
@given(label=labels)
def test_any_label_stays_in_its_latex_cell(label: str) -> None:
    table = ReportTable(label, ("", label, "n"), [(label, label, 1)], [label])
    _check_latex(table.to_latex(), 3)
    assert escape_latex(label).count("\\\\") == 0


@settings(max_examples=60)
@given(label=labels)
def test_one_line_is_the_documented_rule(label: str) -> None:
    assert one_line(label) == shown(label) == escape_text(label)
    assert one_line(one_line(label)) == one_line(label)
    assert "\n" not in escape_markdown(label, line_start=True)


def test_markdown_line_start_markers() -> None:
    for label, expected in [
        ("- a", "<p>- a</p>"),
        ("+ a", "<p>+ a</p>"),
        ("> a", "<p>&gt; a</p>"),
        ("1. a", "<p>1. a</p>"),
        ("12) a", "<p>12) a</p>"),
        ("# a", "<p># a</p>"),
        ("    code", "<p>code</p>"),
    ]:
        assert _markdown_to_html(escape_markdown(label, line_start=True)).strip() == expected


# ---------------------------------------------------------------------------------------------
# Types at the entry points: the parameter and the type expected, not an attrs TypeError
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: TrialReport("x"),
        lambda: rk.report("x"),  # type: ignore[arg-type]
        lambda: render_text("x"),  # type: ignore[arg-type]
        lambda: harms_rows("x"),  # type: ignore[arg-type]
        lambda: forest_plot("x"),  # type: ignore[arg-type]
        lambda: consort("x"),  # type: ignore[arg-type]
        lambda: ConsortFlow("x"),
        lambda: consort_text("x"),  # type: ignore[arg-type]
        lambda: consort_markdown("x"),  # type: ignore[arg-type]
        lambda: consort_svg("x"),  # type: ignore[arg-type]
        lambda: consort_figure("x"),  # type: ignore[arg-type]
    ],
)
def test_entry_points_refuse_a_non_trial(call: Any) -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`trial` must be a Trial \(got str\)"):
        call()


def test_entry_points_refuse_other_types() -> None:
    trial = example_trial()
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must be a BinaryOutcome"):
        summarise_outcome(trial)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`methods` must be a mapping"):
        rk.report(trial, methods=0)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`diagram` must be True or False"):
        TrialReport(trial).to_html(diagram="no")  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`path` must be a str, a Path or None"):
        forest_plot(trial, path=3)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`dpi` must be a positive finite number"):
        consort_figure(trial, dpi="high")  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`dpi` must be a positive finite number"):
        consort_figure(trial, dpi=float("nan"))


def test_report_table_refuses_bad_parts() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`caption` must be a str \(got int\)"):
        ReportTable(1, ("a",), [])  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`columns` must be a sequence of cells"):
        ReportTable("c", "abc", [])
    with pytest.raises(rk.InvalidInputError, match=r"`rows` must be a sequence of rows"):
        ReportTable("c", ("a",), 5)
    with pytest.raises(rk.InvalidInputError, match=r"`rows\[1\]` must be a sequence of cells"):
        ReportTable("c", ("a",), [("x",), 5])
    with pytest.raises(rk.InvalidInputError, match=r"`notes` must be a sequence of cells"):
        ReportTable("c", ("a",), [], 5)

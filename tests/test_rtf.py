"""The RTF writer (rctkit.rtf, ReportTable.to_rtf, ReportDocument.to_rtf, the report's to_rtf
and ``rctkit report --format rtf``) and its escaper (rctkit.formatting.escape_rtf).

The reference for the files is an independent reader: LibreOffice Writer (Debian package
libreoffice-writer) converts each RTF file to PDF, and ``pdftotext -layout`` (poppler-utils)
reads the PDF back. The text of every cell, title, footnote and running line must then match
the DataFrame output (ReportTable.to_dataframe) of the same table. All the files are converted
in one call of soffice (about 2 s) by a module fixture; those tests are marked ``slow``.

The reference for the escaper is the RTF specification (Microsoft, RTF 1.9.1, "Escaped
expressions" and "Unicode RTF"), by hand below, and a small decoder written here from the
specification, apart from the escaper.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from rctkit.cli import main
from rctkit.errors import InvalidInputError
from rctkit.formatting import escape_rtf, one_line
from rctkit.io import example_adam, example_trial, read_adam
from rctkit.rtf import RtfPage
from rctkit.tables import ReportDocument, ReportTable
from tests.strategies import labels

# -- the escaper ---------------------------------------------------------------------------

# Each expected value by hand from the RTF 1.9.1 specification: \\ \{ \} are the escaped
# backslash and braces; \uN? with N the UTF-16 code unit as a signed 16-bit number and "?"
# the one fallback character of \uc1 (U+00B7 = 183; U+00E9 = 233; U+2212 = 8722; U+1F600 is
# the surrogate pair D83D DE00 = -10179, -8704; U+FFFD = 65533 = -3).
HOSTILE = [
    ("\\", "\\\\"),
    ("{", "\\{"),
    ("}", "\\}"),
    ("}{\\rtf1 \\par", "\\}\\{\\\\rtf1 \\\\par"),
    ("\\u0 {\\field{\\*\\fldinst PAGE}}", "\\\\u0 \\{\\\\field\\{\\\\*\\\\fldinst PAGE\\}\\}"),
    ("0\u00b766", "0\\u183?66"),
    ("caf\u00e9", "caf\\u233?"),
    ("\u22120\u00b74", "\\u8722?0\\u183?4"),
    ("\U0001f600", "\\u-10179?\\u-8704?"),
    ("a\nb\r\nc\td", "a b c d"),
    ("bell\x07", "bell\\u-3?"),
    ("plain ASCII; 50% & <b>", "plain ASCII; 50% & <b>"),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE)
def test_escape_rtf_by_hand(text: str, expected: str) -> None:
    assert escape_rtf(text) == expected


def _decode(rtf: str) -> str:
    """The text an RTF reader shows for an escaped label: written from the specification."""
    out: list[str] = []
    units: list[int] = []
    i = 0
    while i < len(rtf):
        if rtf[i] != "\\":
            out.append(rtf[i])
            i += 1
            continue
        if rtf[i + 1] in "\\{}":
            out.append(rtf[i + 1])
            i += 2
            continue
        match = re.compile(r"\\u(-?\d+)\?").match(rtf, i)
        assert match is not None, rtf[i:]
        units.append(int(match.group(1)) % 65536)
        i = match.end()
        # a surrogate pair is two \u; decode when it is complete
        if not 0xD800 <= units[-1] <= 0xDBFF:
            out.append(
                b"".join(u.to_bytes(2, "little") for u in units).decode("utf-16-le", "replace")
            )
            units = []
    assert not units
    return "".join(out)


@settings(max_examples=200)
@given(text=labels | st.text())
def test_escape_rtf_round_trip(text: str) -> None:
    escaped = escape_rtf(text)
    assert escaped.isascii()
    # no unescaped brace: the label can neither open nor close a group
    assert not re.search(r"(?<!\\)(?:\\\\)*[{}]", escaped.replace("\\{", "").replace("\\}", ""))
    assert _decode(escaped) == one_line(text)


# -- the page and the options --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"orientation": "sideways"}, "`orientation` must be one of"),
        ({"paper": "a3"}, "`paper` must be one of"),
        ({"margin": 0.1}, "`margin` must be from 0.25 to 2 inches"),
        ({"margin": "1"}, "`margin` must be a finite number"),
        ({"font_size": 9.25}, "`font_size` must be a multiple of 0.5"),
        ({"font_size": 100}, "`font_size` must be a multiple of 0.5"),
        ({"font": "Arial;}"}, "`font` must not contain"),
        ({"font": ""}, "`font` must be a non-empty ASCII font name"),
        ({"header": "Study"}, "`header` must be a sequence of lines"),
        ({"footer": [("a", "b", "c")]}, "`footer` lines must each be a str or a"),
        ({"header": [1]}, "`header` lines must each be a str or a"),
    ],
)
def test_page_validation(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        RtfPage(**kwargs)  # type: ignore[arg-type]


def test_page_geometry() -> None:
    assert RtfPage().size == (8.5, 11.0)
    assert RtfPage(orientation="landscape", paper="a4").size == (11.69, 8.27)
    assert RtfPage(orientation="landscape", margin=0.5).text_width == 10.0
    # letter portrait, 1 inch margins, 9 points: 648 points / 11.25 = 57 lines, less the
    # footer line and two spare lines
    assert RtfPage().body_lines == 57 - 1 - 2


TABLE = ReportTable("Counts", ("", "A", "B"), [("Randomised", 221, 220)], notes=["n"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"page": "landscape"}, "`page` must be None or an RtfPage"),
        ({"titles": "Table 1"}, "`titles` must be a sequence of str"),
        ({"titles": [1]}, "`titles` must hold str"),
        ({"footnotes": [None]}, "`footnotes` must hold str"),
        ({"column_widths": [1, 2]}, "`column_widths` must be 3 positive numbers"),
        ({"column_widths": [1, 0, 1]}, "`column_widths` must be 3 positive numbers"),
        ({"column_widths": "wide"}, "`column_widths` must be a sequence of numbers"),
        ({"group_starts": [1]}, "`group_starts` must hold row indices from 0 to 0"),
        ({"group_starts": [True]}, "`group_starts` must hold row indices"),
        ({"group_starts": 0}, "`group_starts` must be None or a sequence"),
    ],
)
def test_to_rtf_validation(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        TABLE.to_rtf(**kwargs)  # type: ignore[arg-type]


def test_document_page_validation() -> None:
    with pytest.raises(InvalidInputError, match="`page` must be None or an RtfPage"):
        ReportDocument("T", [TABLE]).to_rtf(page=RtfPage)  # type: ignore[arg-type]


def _pages(rtf: str) -> list[str]:
    """The RTF of each page: a page starts at a paragraph that breaks the page before it."""
    return re.split(r"(?=\\pard\\plain\\q[lc](?:\\keepn\\b)?\\pagebb)", rtf)


def _long_table(n: int = 400) -> ReportTable:
    """SOC rows with their indented PT rows: a group of 1 + (i % 7) rows each."""
    rows: list[tuple[str, ...]] = []
    soc = 0
    while len(rows) < n:
        rows.append((f"SOC {soc} disorders", f"{soc}/221 (0\u00b7{soc % 10}%)", f"{soc}"))
        rows += [
            (f"  PT {soc}.{k}", f"{k}/221 ({k}\u00b70%)", f"{soc + k}") for k in range(soc % 7)
        ]
        soc += 1
    return ReportTable("Adverse events {by SOC}", ("Term", "Peer support", "Control"), rows)


def test_pages_repeat_header_and_keep_groups() -> None:
    table = _long_table()
    page = RtfPage(header=[("Study CORE", "Table 14.3.1")])
    rtf = table.to_rtf(page, titles=["Table 14.3.1", "Participants with adverse events"])
    assert rtf.isascii() and rtf.startswith("{\\rtf1") and rtf.endswith("}\n")
    pages = _pages(rtf)
    assert len(pages) > 3
    rows_seen: list[str] = []
    for text in pages:
        # each page: both titles, one header row (marked \trhdr too), then its rows
        assert (
            len(re.findall(r"\\qc\\keepn\\b(?:\\pagebb)?\\f0\\fs18 Table 14.3.1\\par", text)) == 1
        )
        assert text.count("\\trhdr") == 2  # the row's definition is written twice
        firsts = re.findall(r"\\intbl\\ql\\f0\\fs18(?:\\b)? ([^\\]*)\\cell", text)
        assert firsts[0] == "Term"
        rows_seen += firsts[1:]
        # a page never starts inside a group that would have fitted whole
        assert firsts[1].startswith("SOC")
    assert rows_seen == [r[0] for r in table.rows]


def test_explicit_groups_and_widths() -> None:
    rows = [(f"row {i}", str(i)) for i in range(200)]
    table = ReportTable("t", ("", "n"), rows)
    # groups of 10: every page starts a group, and a page holds whole groups only
    rtf = table.to_rtf(group_starts=range(0, 200, 10), column_widths=[3, 1])
    for text in _pages(rtf):
        firsts = re.findall(r"\\intbl\\ql\\f0\\fs18(?:\\b)? ([^\\]*)\\cell", text)[1:]
        assert int(firsts[0].split()[1]) % 10 == 0 and len(firsts) % 10 == 0
    assert "\\cellx7020\\" in rtf  # 3/4 of 6.5 inches (9360 twips)


def test_empty_table_and_caption() -> None:
    rtf = ReportTable("", ("a", "b"), []).to_rtf()
    assert rtf.count("\\row") == 1 and "\\qc\\keepn\\b" not in rtf


# -- LibreOffice ---------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None or PDFTOTEXT is None,
    reason="LibreOffice (soffice, Debian libreoffice-writer) or pdftotext (poppler-utils) "
    "is not installed",
)

#: A page on which the CORE report's rows fit on one line each, so that pdftotext -layout
#: gives each row on one line.
WIDE = RtfPage(
    orientation="landscape",
    margin=0.5,
    font_size=6,
    header=[("CORE trial {ISRCTN01027104} \\ 0\u00b766", "Table 14.1")],
    footer=[("Source: rctkit", "Page {page} of {pages}")],
)
HOSTILE_TABLE = ReportTable(
    "}{\\b hostile} \\par caption",
    ("Term {x}", "Arm \\A", "Arm B\u00b7"),
    [(text, "1", "0\u00b766") for text, _ in HOSTILE if text.strip() and "\x07" not in text],
    notes=["\\page note {\\i not italic}"],
)


#: A document whose long table starts part way down a page, between two short ones.
MIXED = ReportDocument(
    "Harms report",
    [TABLE, _long_table(150), TABLE],
    subtitle="Safety population",
    notes=["End of report."],
)


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Every RTF of these tests converted by one soffice call; each PDF's pages as text."""
    if SOFFICE is None or PDFTOTEXT is None:
        pytest.skip("LibreOffice or pdftotext is not installed")
    folder = tmp_path_factory.mktemp("rtf")
    lancet = rk.report(example_trial(), style="lancet")
    files = {
        "core": lancet.to_rtf(WIDE),
        "plain": rk.report(example_trial()).document().to_rtf(WIDE),
        "long": _long_table().to_rtf(
            RtfPage(header=[("Study CORE", "Table 14.3.1")]),
            titles=["Table 14.3.1", "Participants with adverse events"],
            footnotes=["PT: preferred term; SOC: system organ class."],
        ),
        "hostile": HOSTILE_TABLE.to_rtf(WIDE),
        "document": MIXED.to_rtf(),
    }
    for name, rtf in files.items():
        (folder / f"{name}.rtf").write_text(rtf, encoding="ascii")
    # The command: rctkit report --adam adsl.xpt adae.xpt --format rtf -o ae.rtf
    argv = ["report", "--adam", *map(str, example_adam("xpt")), "--format", "rtf"]
    assert main([*argv, "-o", str(folder / "adam.rtf")]) == 0
    files["adam"] = (folder / "adam.rtf").read_text(encoding="ascii")
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(folder)]
        + [str(folder / f"{name}.rtf") for name in files],
        capture_output=True,
        timeout=120,
        check=True,
    )
    out = {}
    for name in files:
        text = subprocess.run(
            [PDFTOTEXT, "-layout", str(folder / f"{name}.pdf"), "-"],
            capture_output=True,
            timeout=60,
            check=True,
            text=True,
        ).stdout
        out[name] = text.split("\f")[:-1]  # pdftotext ends each page with a form feed
    return out


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _row_pattern(cells: list[str]) -> re.Pattern[str]:
    return re.compile(r"\s+".join(re.escape(one_line(c).strip()) for c in cells if c.strip()))


def _check_table(table: ReportTable, lines: list[str], text: str) -> None:
    frame = table.to_dataframe()
    assert _squeezed(frame.attrs["caption"]) in text
    header = [frame.index.name or "", *frame.columns]
    assert any(_row_pattern(header).search(line) for line in lines), header
    for label, values in frame.iterrows():
        pattern = _row_pattern([str(label), *values])
        assert any(pattern.search(line) for line in lines), (label, list(values))
    for note in frame.attrs["notes"]:
        assert _squeezed(note) in text, note


@pytest.mark.slow
@needs_libreoffice
@pytest.mark.parametrize("name", ["core", "plain"])
def test_core_report_survives_libreoffice(pdf_text: dict[str, list[str]], name: str) -> None:
    style = "lancet" if name == "core" else "plain"
    built = rk.report(example_trial(), style=style)
    pages = pdf_text[name]
    lines = [line for page in pages for line in page.splitlines()]
    text = _squeezed("\n".join(pages))
    document = built.document()
    assert _squeezed(document.title) in text and _squeezed(document.subtitle) in text
    for table in document.tables:
        _check_table(table, lines, text)
    for note in document.notes:
        assert _squeezed(note) in text
    for k, page in enumerate(pages, start=1):
        assert re.search(r"CORE trial \{ISRCTN01027104\} \\ 0\u00b766\s+Table 14\.1", page)
        assert re.search(rf"Source: rctkit\s+Page {k} of {len(pages)}", page)
    if name == "core":  # the Lancet's middle dot and minus sign reach the PDF
        assert "0\u00b767 (0\u00b745\u20130\u00b799)" in "\n".join(pages)
        assert "\u22129\u00b71" in "\n".join(pages)


@pytest.mark.slow
@needs_libreoffice
def test_long_table_repeats_header_on_every_page(pdf_text: dict[str, list[str]]) -> None:
    table = _long_table()
    frame = table.to_dataframe()
    pages = pdf_text["long"]
    assert len(pages) > 3
    seen: list[str] = []
    for k, page in enumerate(pages, start=1):
        lines = page.splitlines()
        assert re.search(r"Study CORE\s+Table 14\.3\.1", lines[0])
        assert "Participants with adverse events" in page
        assert re.search(r"Term\s+Peer support\s+Control", page)
        assert "PT: preferred term; SOC: system organ class." in page
        assert re.search(rf"Page {k} of {len(pages)}\s*$", page.rstrip())
        for line in lines:
            match = re.match(r"(\s*(?:SOC|PT) \S+(?: disorders)?)\s+(\S+ \(\S+\))\s+(\d+)$", line)
            if match:
                seen.append(match.group(1))
                label = match.group(1)
                row = frame.loc[label if label in frame.index else label.strip()]
                assert list(row) == [match.group(2), match.group(3)]
    # every row once, in order, none lost at a page break
    assert [s.strip() for s in seen] == [label.strip() for label in frame.index]


@pytest.mark.slow
@needs_libreoffice
def test_document_tables_across_pages(pdf_text: dict[str, list[str]]) -> None:
    pages = pdf_text["document"]
    assert len(pages) > 1
    frame = MIXED.tables[1].to_dataframe()
    seen: list[str] = []
    for page in pages:
        rows = re.findall(r"^\s*((?:SOC|PT) \S+(?: disorders)?)\s+\S+ \(\S+\)\s+\d+$", page, re.M)
        if rows:  # a page with rows of the long table has its caption and header row first
            header = re.search(r"Term\s+Peer support\s+Control", page)
            assert header is not None
            assert "Adverse events {by SOC}" in page[: header.start()]
            assert page.index(rows[0]) > header.end()
        seen += rows
    assert [s.strip() for s in seen] == [label.strip() for label in frame.index]
    text = _squeezed("\n".join(pages))
    assert text.count(_squeezed("Randomised 221 220")) == 2
    assert _squeezed("End of report.") in text and _squeezed("Safety population") in text


@pytest.mark.slow
@needs_libreoffice
def test_hostile_labels_print_as_text(pdf_text: dict[str, list[str]]) -> None:
    pages = pdf_text["hostile"]
    assert len(pages) == 1
    lines = pages[0].splitlines()
    _check_table(HOSTILE_TABLE, lines, _squeezed(pages[0]))


# -- the report and the command line --------------------------------------------------------


def test_report_render_rtf_is_the_document_writer() -> None:
    built = rk.report(example_trial())
    assert built.render("rtf") == built.to_rtf() == built.document().to_rtf()
    assert built.to_rtf(WIDE) == built.document().to_rtf(WIDE)


@pytest.mark.parametrize("given", [["--format", "rtf"], []])
def test_cli_writes_rtf(tmp_path: Path, given: list[str]) -> None:
    out = tmp_path / "core.rtf"
    trial = Path(rk.__file__).parent / "data" / "core.toml"
    assert main(["report", str(trial), *given, "-o", str(out)]) == 0
    rtf = out.read_text(encoding="ascii")
    assert rtf == rk.report(example_trial()).to_rtf()


@pytest.mark.slow
@needs_libreoffice
def test_adam_soc_pt_table_from_the_command_line(pdf_text: dict[str, list[str]]) -> None:
    # Every cell of the SOC/PT table of the shipped ADaM data, as its DataFrame gives it,
    # is in the PDF LibreOffice makes of the command line's RTF: each row's numbers in order
    # on one line (the labels may wrap in their column, so they are found in the text).
    table = rk.report(read_adam(*example_adam("xpt"))).ae_table().table()
    frame = table.to_dataframe()
    pages = pdf_text["adam"]
    lines = [line for page in pages for line in page.splitlines()]
    text = _squeezed("\n".join(pages))
    assert _squeezed(frame.attrs["caption"]) in text
    for label, values in frame.iterrows():
        assert _squeezed(str(label)) in text, label
        pattern = _row_pattern([str(v) for v in values])
        assert any(pattern.search(line) for line in lines), (label, list(values))
    for note in frame.attrs["notes"]:
        assert _squeezed(note) in text, note
    assert len(pages) >= 2  # the table runs over a page break

"""A small table type that renders as text, Markdown, HTML, LaTeX or a pandas DataFrame.

The report's tables (CONSORT counts, outcomes, harms) are :class:`ReportTable` objects, so
every table reaches every format by the same code.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from rctkit.errors import InvalidInputError
from rctkit.formatting import (
    escape_html,
    escape_latex,
    escape_markdown,
    escape_text,
)
from rctkit.rtf import RtfPage, check_page, document_body, rtf_file, table_body

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["STANDALONE_STYLESHEET", "TEXT_WIDTH", "ReportDocument", "ReportTable"]

#: The width of the plain-text report, in characters.
TEXT_WIDTH = 88

#: The stylesheet of a standalone HTML report.
STANDALONE_STYLESHEET = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "max-width:72rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.4}"
    "table.rctkit{border-collapse:collapse;margin:1.5rem 0;font-variant-numeric:tabular-nums}"
    "table.rctkit caption{font-weight:600;text-align:left;padding-bottom:.4rem}"
    "table.rctkit th,table.rctkit td{border:1px solid #999;padding:.3rem .6rem}"
    "table.rctkit tbody td{white-space:nowrap}"
    "table.rctkit thead th{background:#eee}"
    "table.rctkit tfoot td{font-size:.9em;text-align:left;border:none;padding-top:.5rem}"
    ".rctkit-consort svg{max-width:100%;height:auto}"
)


def _cells(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"`{name}` must be a sequence of cells (got {type(value).__name__})"
        )
    return tuple(str(v) for v in value)


def _columns(value: Any) -> tuple[str, ...]:
    return _cells(value, "columns")


def _notes(value: Any) -> tuple[str, ...]:
    return _cells(value, "notes")


def _rows(value: Any) -> tuple[tuple[str, ...], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError(f"`rows` must be a sequence of rows (got {type(value).__name__})")
    return tuple(_cells(row, f"rows[{i}]") for i, row in enumerate(value))


def _caption(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"`caption` must be a str (got {type(value).__name__})")


@attrs.frozen
class ReportTable:
    """A rectangular table of formatted cells with a caption and footnotes.

    Parameters
    ----------
    caption : str
        The table's title.
    columns : sequence
        The column headers; each is converted with ``str``.
    rows : sequence of sequences
        One cell per column in each row; each cell is converted with ``str``.
    notes : sequence, optional
        Footnotes, one paragraph each.

    Raises
    ------
    InvalidInputError
        If ``caption`` is not a string, a part is not a sequence, or a row does not have one
        cell per column.

    Notes
    -----
    Every writer passes each caption, header, cell and note through the escaper of its format
    in :mod:`rctkit.formatting`, so that a label shows as its literal text and on one line.
    The cost is linear in the number of characters; no limit is set.

    Examples
    --------
    >>> t = ReportTable(caption="Counts", columns=("", "A", "B"), rows=[("Randomised", 221, 220)])
    >>> print(t.to_markdown())
    **Counts**
    <BLANKLINE>
    |  | A | B |
    |---|---:|---:|
    | Randomised | 221 | 220 |
    """

    caption: str = attrs.field(validator=_caption)
    columns: tuple[str, ...] = attrs.field(converter=_columns)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)

    @rows.validator
    def _check(self, attribute: attrs.Attribute[Any], value: tuple[tuple[str, ...], ...]) -> None:
        for i, row in enumerate(value):
            if len(row) != len(self.columns):
                raise InvalidInputError(
                    f"`rows[{i}]` must have one cell per column (got {len(row)} cells for "
                    f"{len(self.columns)} columns: {row!r})"
                )

    def to_text(self, *, width: int | None = None) -> str:
        """Render as aligned plain text: first column left, the others right.

        With ``width``, a table wider than ``width`` characters is stacked instead: each row
        becomes its first cell on a line of its own, then one indented line per column
        ("header  value"), so that a report reads in a terminal; notes wrap at ``width``.
        Every caption, cell and note goes through :func:`~rctkit.formatting.escape_text`:
        one line each, control characters shown as U+FFFD.

        Examples
        --------
        >>> t = ReportTable("Counts", ("", "Arm A", "Arm B"), [("Randomised", 221, 220)])
        >>> print(t.to_text(width=20))
        Counts
        Randomised
          Arm A  221
          Arm B  220
        """
        if width is not None and (isinstance(width, bool) or not isinstance(width, int)):
            raise InvalidInputError(f"`width` must be None or an int (got {width!r})")
        if width is not None and width < 20:
            raise InvalidInputError(f"`width` must be at least 20 characters (got {width})")
        columns = tuple(escape_text(c) for c in self.columns)
        rows = [tuple(escape_text(c) for c in r) for r in self.rows]
        widths = [
            max(len(columns[i]), *(len(r[i]) for r in rows)) if rows else len(columns[i])
            for i in range(len(columns))
        ]

        def line(cells: tuple[str, ...]) -> str:
            first = cells[0].ljust(widths[0])
            rest = "".join("  " + c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
            return (first + rest).rstrip()

        out = [escape_text(self.caption)] if self.caption else []
        if width is None or sum(w + 2 for w in widths) - 2 <= width:
            out += [line(columns), "-" * (sum(w + 2 for w in widths) - 2)]
            out += [line(r) for r in rows]
        else:
            label = max(len(c) for c in columns[1:])
            for r in rows:
                out.append(r[0] or "-")
                pairs = zip(columns[1:], r[1:], strict=True)
                out += [f"  {c.ljust(label)}  {v}".rstrip() for c, v in pairs]
        if self.notes:
            out.append("")
        for note in self.notes:
            out += _wrap(escape_text(note), width)
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """Render as a GitHub-flavoured Markdown table with the caption in bold.

        Every caption, cell and note goes through
        :func:`~rctkit.formatting.escape_markdown`: a line break in a label becomes a space,
        and ``|``, HTML and Markdown syntax show as text.
        """

        def row(cells: tuple[str, ...]) -> str:
            return "| " + " | ".join(escape_markdown(c) for c in cells) + " |"

        caption = escape_markdown(self.caption)
        # "****" would be a horizontal rule: an empty caption has no line.
        out = [f"**{caption}**", ""] if caption else []
        out.append(row(self.columns))
        out.append("|---|" + "---:|" * (len(self.columns) - 1))
        out += [row(r) for r in self.rows]
        if self.notes:
            out.append("")
            out += [f"{escape_markdown(n, line_start=True)}  " for n in self.notes]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        """Render as an HTML ``<table>``, notes in the footer; well-formed XML too.

        Every caption, cell and note goes through :func:`~rctkit.formatting.escape_html`.
        """
        esc = escape_html
        head = "".join(f"<th>{esc(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>"
            + f"<th style='text-align:left'>{esc(r[0])}</th>"
            + "".join(f"<td style='text-align:right'>{esc(c)}</td>" for c in r[1:])
            + "</tr>"
            for r in self.rows
        )
        foot = ""
        if self.notes:
            notes = "<br/>".join(esc(n) for n in self.notes)
            foot = (
                f"<tfoot><tr><td colspan='{len(self.columns)}' style='text-align:left'>"
                f"{notes}</td></tr></tfoot>"
            )
        return (
            f"<table class='rctkit'><caption style='text-align:left'>{esc(self.caption)}"
            "</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_docx(self, document: Any) -> None:
        """Append the table to a python-docx ``Document``: the caption as a bold paragraph,
        a bordered table ("Table Grid") with the header row bold and numbers aligned right,
        then the notes.

        Every caption, cell and note goes through :func:`~rctkit.formatting.escape_text`
        (one line, control characters as U+FFFD, which Word's XML could not hold).
        """
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        esc = escape_text
        document.add_paragraph().add_run(esc(self.caption)).bold = True
        table = document.add_table(rows=1 + len(self.rows), cols=len(self.columns))
        table.style = "Table Grid"
        for j, name in enumerate(self.columns):
            cell = table.rows[0].cells[j]
            cell.text = ""
            cell.paragraphs[0].add_run(esc(name)).bold = True
        for i, row in enumerate(self.rows, start=1):
            for j, value in enumerate(row):
                cell = table.rows[i].cells[j]
                cell.text = esc(value)
                if j:
                    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for note in self.notes:
            document.add_paragraph(esc(note)).runs[0].italic = True

    def to_rtf(
        self,
        page: RtfPage | None = None,
        *,
        titles: Sequence[str] | None = None,
        footnotes: Sequence[str] = (),
        column_widths: Sequence[float] | None = None,
        group_starts: Sequence[int] | None = None,
    ) -> str:
        r"""Render as a Rich Text Format file (7-bit ASCII text), the format sponsors submit.

        The titles, centred above the table, then the table (first column left, the others
        right), its notes and ``footnotes``; ``page`` (an :class:`~rctkit.rtf.RtfPage`) sets
        the paper, orientation, margins, font and size, and the running header and footer
        (by default "Page X of Y"). A table too long for a page continues on the next one
        under its titles, header row and footnotes again; no row splits across pages, and
        the rows of a group move to the next page together when they fit there. Every label
        goes through :func:`~rctkit.formatting.escape_rtf`. See :mod:`rctkit.rtf`.

        Parameters
        ----------
        page : RtfPage, optional
            The page set-up; when None, ``RtfPage()``, or landscape at 8 (or 7) points if
            the table's cells would wrap in portrait.
        titles : sequence of str, optional
            The lines above the table (e.g. "Table 14.3.1", the title, the population); the
            caption when None. Empty lines are left out.
        footnotes : sequence of str, optional
            Lines after the table's own notes.
        column_widths : sequence of float, optional
            Relative widths, one per column, scaled to the text width; by default in
            proportion to each column's longest cell (4 to 40 characters).
        group_starts : sequence of int, optional
            The rows that begin a group; by default every row whose first cell does not
            start with a space, so that indented rows (preferred terms) stay with the row
            above them (their system organ class).

        Raises
        ------
        InvalidInputError
            If an option is not of its type, ``column_widths`` is not one positive number
            per column, or ``group_starts`` holds something other than a row index.

        References
        ----------
        Microsoft, *Rich Text Format (RTF) Specification*, version 1.9.1 (2008).

        Examples
        --------
        >>> t = ReportTable("Counts", ("", "A", "B"), [("Randomised", 221, 220)])
        >>> rtf = t.to_rtf(titles=["Table 1", "Counts"])
        >>> rtf.startswith(r"{\rtf1") and r"\trhdr" in rtf and rtf.isascii()
        True
        """
        page = check_page(page, [self])
        body, _ = table_body(
            self,
            page,
            titles=titles,
            footnotes=footnotes,
            column_widths=column_widths,
            group_starts=group_starts,
        )
        return rtf_file(page, body)

    def to_latex(self) -> str:
        r"""Render as a LaTeX ``table`` with ``booktabs`` rules, as wide as the text.

        The table is a ``tabularx`` of ``\linewidth``: the first column ragged right and the
        others ragged left, every one allowed to wrap, so a table of many columns (or long
        labels) breaks its cells onto lines rather than running into the margin. Every
        caption, cell and note goes through :func:`~rctkit.formatting.escape_latex`. The
        preamble needs ``\usepackage{booktabs}`` and ``\usepackage{tabularx}`` (both in
        TeX Live's latex-base and latex-recommended); the text is UTF-8 (LaTeX's default input
        encoding), and compiles with pdflatex, xelatex or lualatex.
        """

        def esc(text: str) -> str:
            # a range may break after its dash: "(0·53–" / "1·38)" in a narrow column
            return escape_latex(text).replace(r"\textendash{}", r"\textendash\allowbreak{}")

        # \hspace{0pt} lets TeX hyphenate a cell's first word, which it otherwise never does
        first = r">{\raggedright\arraybackslash\hspace{0pt}}X"
        other = r">{\raggedleft\arraybackslash\hspace{0pt}}X"
        spec = first + other * (len(self.columns) - 1)
        out = [
            r"\begin{table}",
            r"\centering",
            rf"\caption{{{esc(self.caption)}}}",
            r"\small" if len(self.columns) <= 7 else r"\footnotesize",
            r"\setlength{\tabcolsep}{3pt}",
            rf"\begin{{tabularx}}{{\linewidth}}{{{spec}}}",
            r"\toprule",
        ]
        out.append(" & ".join(esc(c) for c in self.columns) + r" \\")
        out.append(r"\midrule")
        out += [" & ".join(esc(c) for c in r) + r" \\" for r in self.rows]
        out.append(r"\bottomrule")
        out.append(r"\end{tabularx}")
        for note in self.notes:
            out.append(rf"\par{{\raggedright\footnotesize {esc(note)}\par}}")
        out.append(r"\end{table}")
        return "\n".join(out) + "\n"

    def to_dataframe(self) -> pd.DataFrame:
        """Return a pandas DataFrame of the formatted cells (needs ``rctkit[pandas]``)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is installed in tests
            raise ImportError("to_dataframe needs pandas: pip install 'rctkit[pandas]'") from exc
        frame: pd.DataFrame = pd.DataFrame(
            [r[1:] for r in self.rows],
            columns=list(self.columns[1:]),
            index=[r[0] for r in self.rows],
        )
        frame.index.name = self.columns[0] or None
        frame.attrs["caption"] = self.caption
        frame.attrs["notes"] = list(self.notes)
        return frame


#: What a wrapped line never breaks: a short parenthesis with the word before it
#: ("0.66 (95% CI 0.43 to 0.99)") and "p = ", so that a number and its interval read on one
#: line.
_UNBROKEN = re.compile(r"(?:\S+ )?\([^()]{0,40}\)|\b[pP] = ")


def _wrap(paragraph: str, width: int | None) -> list[str]:
    """``paragraph`` (already escaped, so with no control character) wrapped at ``width``."""
    if width is None:
        return [paragraph]
    kept = _UNBROKEN.sub(lambda m: m.group(0).replace(" ", "\x00"), paragraph)
    lines = textwrap.wrap(kept, width, break_long_words=False, break_on_hyphens=False)
    return [line.replace("\x00", " ") for line in lines] or [""]


def _tables(value: Any) -> tuple[ReportTable, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise InvalidInputError(f"`tables` must be a sequence of ReportTable (got {value!r})")
    out = tuple(value)
    for i, table in enumerate(out):
        if not isinstance(table, ReportTable):
            raise InvalidInputError(
                f"`tables[{i}]` must be a ReportTable (got {type(table).__name__})"
            )
    return out


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidInputError(f"`{attribute.name}` must be a str (got {type(value).__name__})")


@attrs.frozen
class ReportDocument:
    """A whole report: a title, a subtitle, tables and closing notes, and every writer of it.

    Every format of a report is one writer over the same document, and each table of it
    goes through the same :class:`ReportTable` writer, so that a number prints the same way
    in every format: the text, the Markdown, the HTML, the LaTeX and the Word document.

    Parameters
    ----------
    title : str
        The report's title.
    tables : sequence of ReportTable
        The tables, in order.
    subtitle : str, optional
        A line under the title (a citation); none when empty.
    notes : sequence of str, optional
        Closing paragraphs.
    figure_svg : str, optional
        An SVG drawing shown first in the HTML (the CONSORT flow diagram); it is trusted
        markup, built by rctkit, never a user's text, and the other formats leave it out.

    Examples
    --------
    >>> t = ReportTable("Counts", ("", "A", "B"), [("Randomised", 221, 220)])
    >>> document = ReportDocument("A trial", [t], notes=["Intervals are 95% CIs."])
    >>> print(document.to_text(), end="")
    A trial
    <BLANKLINE>
    Counts
                  A    B
    --------------------
    Randomised  221  220
    <BLANKLINE>
    Intervals are 95% CIs.
    """

    title: str = attrs.field(validator=_text)
    tables: tuple[ReportTable, ...] = attrs.field(converter=_tables)
    subtitle: str = attrs.field(default="", validator=_text)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_notes)
    figure_svg: str = attrs.field(default="", validator=_text, repr=False)

    def to_text(self, *, width: int | None = TEXT_WIDTH) -> str:
        """Plain text: the title, the subtitle, each table (:meth:`ReportTable.to_text`,
        stacked where wider than ``width``), then the notes, wrapped at ``width``."""
        head = [escape_text(self.title)] + ([escape_text(self.subtitle)] if self.subtitle else [])
        lines = [line for h in head for line in _wrap(h, width)]
        parts = ["\n".join(lines) + "\n"] + [t.to_text(width=width) for t in self.tables]
        if self.notes:
            parts.append(
                "\n".join(line for n in self.notes for line in _wrap(escape_text(n), width)) + "\n"
            )
        return "\n".join(parts)

    def to_markdown(self) -> str:
        """Markdown: the title as a heading, then each :meth:`ReportTable.to_markdown`, then
        the notes. Every label goes through :func:`~rctkit.formatting.escape_markdown`."""
        head = f"# {escape_markdown(self.title)}\n\n"
        if self.subtitle:
            head += f"{escape_markdown(self.subtitle, line_start=True)}\n\n"
        notes = "".join(f"\n{escape_markdown(n, line_start=True)}\n" for n in self.notes)
        return head + "\n".join(t.to_markdown() for t in self.tables) + notes

    def to_html(self, *, standalone: bool = False) -> str:
        """An HTML fragment (for notebooks), or with ``standalone=True`` a complete page: a
        doctype, UTF-8 charset, the title, and :data:`STANDALONE_STYLESHEET` (bordered
        tables, captions and notes aligned left), readable offline. Every label goes through
        :func:`~rctkit.formatting.escape_html`; the fragment is well-formed XML."""
        if not isinstance(standalone, bool):
            raise InvalidInputError(f"`standalone` must be True or False (got {standalone!r})")
        if standalone:
            return (
                "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'/>\n"
                f"<title>{escape_html(self.title)}</title>\n"
                f"<style>{STANDALONE_STYLESHEET}</style>\n</head>\n<body>\n"
                f"{self.to_html()}\n</body>\n</html>\n"
            )
        head = f"<h2>{escape_html(self.title)}</h2>"
        if self.subtitle:
            head += f"<p>{escape_html(self.subtitle)}</p>"
        figure = f"<div class='rctkit-consort'>{self.figure_svg}</div>" if self.figure_svg else ""
        notes = "".join(
            f"<p class='rctkit-note' style='text-align:left'>{escape_html(n)}</p>"
            for n in self.notes
        )
        return (
            f"<div class='rctkit-report'>{head}{figure}"
            + "".join(t.to_html() for t in self.tables)
            + notes
            + "</div>"
        )

    def to_latex(self) -> str:
        r"""The tables as LaTeX (:meth:`ReportTable.to_latex`), then the notes as a
        paragraph: a fragment to ``\input`` into a manuscript, so without the title."""
        notes = "".join(
            rf"\par{{\raggedright\footnotesize {escape_latex(n)}\par}}" + "\n" for n in self.notes
        )
        return "\n".join(t.to_latex() for t in self.tables) + notes

    def to_rtf(self, page: RtfPage | None = None) -> str:
        r"""A Rich Text Format file: the title and subtitle, each table
        (:meth:`ReportTable.to_rtf`, its caption as its title), then the notes; ``page`` (an
        :class:`~rctkit.rtf.RtfPage`) sets the paper, font and running header and footer.

        Examples
        --------
        >>> t = ReportTable("Counts", ("", "A", "B"), [("Randomised", 221, 220)])
        >>> ReportDocument("A trial", [t]).to_rtf().count(r"\trhdr")
        2
        """
        page = check_page(page, self.tables)
        return rtf_file(page, document_body(self, page))

    def to_docx(self, path: str | os.PathLike[str]) -> None:
        """Write a Word document (needs ``rctkit[docx]``, python-docx): the title and
        subtitle, every table (:meth:`ReportTable.to_docx`), then the notes."""
        try:
            import docx
        except ImportError:
            raise ImportError(
                "writing a Word document needs python-docx: pip install 'rctkit[docx]'"
            ) from None
        if not isinstance(path, str | os.PathLike):
            raise InvalidInputError(f"`path` must be a file path (got {type(path).__name__})")
        document = docx.Document()
        document.add_heading(escape_text(self.title), level=1)
        if self.subtitle:
            document.add_paragraph(escape_text(self.subtitle))
        for table in self.tables:
            table.to_docx(document)
        for note in self.notes:
            document.add_paragraph(escape_text(note))
        document.save(os.fspath(path))

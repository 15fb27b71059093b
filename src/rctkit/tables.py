"""A small table type that renders as text, Markdown, HTML, LaTeX or a pandas DataFrame.

The report's tables (CONSORT counts, outcomes, harms) are :class:`ReportTable` objects, so
every table reaches every format by the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs

from rctkit.errors import InvalidInputError
from rctkit.formatting import (
    escape_html,
    escape_latex,
    escape_markdown,
    escape_text,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["STANDALONE_STYLESHEET", "ReportTable"]

#: The stylesheet of a standalone HTML report.
STANDALONE_STYLESHEET = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "max-width:72rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.4}"
    "table.rctkit{border-collapse:collapse;margin:1.5rem 0;font-variant-numeric:tabular-nums}"
    "table.rctkit caption{font-weight:600;text-align:left;padding-bottom:.4rem}"
    "table.rctkit th,table.rctkit td{border:1px solid #999;padding:.3rem .6rem}"
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

    def to_text(self) -> str:
        """Render as aligned plain text: first column left, the others right.

        Every caption, cell and note goes through :func:`~rctkit.formatting.escape_text`:
        one line each, control characters shown as U+FFFD.
        """
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

        out = [escape_text(self.caption), line(columns), "-" * sum(w + 2 for w in widths)]
        out += [line(r) for r in rows]
        out += [escape_text(n) for n in self.notes]
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

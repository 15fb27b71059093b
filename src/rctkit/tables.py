"""A small table type that renders as text, Markdown, HTML, LaTeX or a pandas DataFrame.

The report's tables (CONSORT counts, outcomes, harms) are :class:`ReportTable` objects, so
every table reaches every format by the same code.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["ReportTable"]

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\u00b7": r"$\cdot$",
    "\u2212": "$-$",
    "\u2013": "--",
    "\u221e": r"$\infty$",
    "\u2264": r"$\leq$",
}


def _latex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _tuple_of_str(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _rows(value: Any) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(c) for c in row) for row in value)


@attrs.frozen
class ReportTable:
    """A rectangular table of formatted cells with a caption and footnotes.

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

    caption: str
    columns: tuple[str, ...] = attrs.field(converter=_tuple_of_str)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)

    @rows.validator
    def _check(self, attribute: attrs.Attribute[Any], value: tuple[tuple[str, ...], ...]) -> None:
        for row in value:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"row {row!r} has {len(row)} cells for {len(self.columns)} columns"
                )

    def to_text(self) -> str:
        """Render as aligned plain text: first column left, the others right."""
        widths = [
            max(len(self.columns[i]), *(len(r[i]) for r in self.rows))
            if self.rows
            else len(self.columns[i])
            for i in range(len(self.columns))
        ]

        def line(cells: tuple[str, ...]) -> str:
            first = cells[0].ljust(widths[0])
            rest = "".join("  " + c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
            return (first + rest).rstrip()

        out = [self.caption, line(self.columns), "-" * sum(w + 2 for w in widths)]
        out += [line(r) for r in self.rows]
        out += self.notes
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """Render as a GitHub-flavoured Markdown table with the caption in bold."""

        def cell(text: str) -> str:
            return text.replace("|", "\\|")

        out = [f"**{self.caption}**", ""]
        out.append("| " + " | ".join(cell(c) for c in self.columns) + " |")
        out.append("|---|" + "---:|" * (len(self.columns) - 1))
        out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in self.rows]
        if self.notes:
            out.append("")
            out += [f"{n}  " for n in self.notes]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        """Render as an HTML ``<table>`` (escaped), notes in the footer."""
        esc = html.escape
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
            foot = f"<tfoot><tr><td colspan='{len(self.columns)}'>{notes}</td></tr></tfoot>"
        return (
            f"<table class='rctkit'><caption>{esc(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self) -> str:
        """Render as a LaTeX ``table`` with ``booktabs`` rules."""
        spec = "l" + "r" * (len(self.columns) - 1)
        out = [
            r"\begin{table}",
            r"\centering",
            rf"\caption{{{_latex(self.caption)}}}",
            rf"\begin{{tabular}}{{{spec}}}",
            r"\toprule",
        ]
        out.append(" & ".join(_latex(c) for c in self.columns) + r" \\")
        out.append(r"\midrule")
        out += [" & ".join(_latex(c) for c in r) + r" \\" for r in self.rows]
        out.append(r"\bottomrule")
        out.append(r"\end{tabular}")
        for note in self.notes:
            out.append(rf"\par\footnotesize {_latex(note)}")
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

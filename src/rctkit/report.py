"""The trial report: CONSORT counts, outcomes with absolute and relative effects, harms.

Each outcome is reported with its counts per arm and with both absolute (risk difference)
and relative (risk ratio, odds ratio) effects side by side, as CONSORT 2025 asks. A
:class:`TrialReport` renders as text, Markdown, HTML, LaTeX or DataFrames, in the ``plain``,
``lancet``, ``nejm``, ``bmj`` or ``jama`` style (see :mod:`rctkit.formatting`).
"""

from __future__ import annotations

import functools
import math
import os
import textwrap
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from rctkit import effects
from rctkit._engine import TEST_METHODS, method_label
from rctkit._validation import (
    check_choice,
    check_confidence_level,
    check_instance,
    check_percent_decimals,
)
from rctkit.errors import InvalidInputError
from rctkit.formatting import (
    STYLES,
    escape_html,
    escape_markdown,
    escape_text,
    format_ci,
    format_count,
    format_estimate,
    format_number,
    format_p,
    format_percent,
    format_quoted_p,
    null_value,
)
from rctkit.harms import (
    HarmsRow,
    event_totals,
    events_sentence,
    harms_population,
    harms_rows,
)
from rctkit.model import Trial
from rctkit.model.trial import register_report_builder
from rctkit.results import Estimate, records_csv, records_frame, records_json
from rctkit.summary import (
    DEFAULT_METHODS,
    ZERO_CELL_METHODS,
    OutcomeSummary,
    crude_beside,
    methods_switched,
    summarise_outcome,
)
from rctkit.tables import STANDALONE_STYLESHEET, ReportTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEFAULT_METHODS",
    "RENDER_FORMATS",
    "REPORT_COLUMNS",
    "ZERO_CELL_METHODS",
    "OutcomeSummary",
    "TrialReport",
    "render_text",
    "report",
    "summarise_outcome",
]

WIDTH = 88

#: The formats :meth:`TrialReport.render` writes.
RENDER_FORMATS = ("text", "md", "html", "latex", "json", "csv")

#: The columns of :meth:`TrialReport.to_frame`, in order.
REPORT_COLUMNS: tuple[str, ...] = (
    "outcome",
    "population",
    "measure",
    "method",
    "estimate",
    "conf_low",
    "conf_high",
    "confidence_level",
    "std_error",
    "statistic",
    "pvalue",
    "treatment",
    "control",
    "treatment_events",
    "treatment_total",
    "control_events",
    "control_total",
)


def _check_methods(methods: Any, name: str = "methods") -> dict[str, str]:
    if not isinstance(methods, Mapping):
        raise InvalidInputError(
            f"`{name}` must be a mapping of measure to method (got {methods!r})"
        )
    unknown = set(methods) - set(DEFAULT_METHODS)
    if unknown:
        listed = ", ".join(f'"{k}"' for k in DEFAULT_METHODS)
        raise InvalidInputError(
            f"`{name}` keys must be among {listed} (got {sorted(unknown)[0]!r})"
        )
    merged = {**DEFAULT_METHODS, **methods}
    for measure in ("odds_ratio", "risk_ratio", "risk_difference"):
        check_choice(merged[measure], f"{name}[{measure!r}]", effects.available_methods(measure))
    check_choice(merged["test"], f"{name}['test']", tuple(TEST_METHODS))
    # Kept as given (the defaults fill in later), so that a default can give way where the
    # data leave it undefined while a method the caller named is kept.
    return dict(methods)


def _check_trial(trial: Any) -> Trial:
    return check_instance(trial, "trial", Trial)


@attrs.frozen
class TrialReport:
    """A trial's report: CONSORT counts, the outcome table and the harms table.

    Parameters
    ----------
    trial : Trial
        The trial.
    style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
        Number style (see :mod:`rctkit.formatting`): ``lancet`` prints mid-dot decimals
        ("0·67", "95% CI 0·45–0·99"). In every style a confidence limit never rounds onto
        the null value, a p-value never rounds across 0.05, no number prints as "−0" and a
        non-zero count is never "0%".
    confidence_level : float, optional
        Default 0.95.
    methods : mapping, optional
        Interval methods per measure and the test for p-values, over the trial's own
        ``analysis``; see ``DEFAULT_METHODS``.
    percent_decimals : int, optional
        Decimals of every percentage, from 0 to 6; default: the style's (0 in plain and BMJ,
        1 in Lancet, NEJM and JAMA).

    Raises
    ------
    InvalidInputError
        If ``trial`` is not a :class:`~rctkit.Trial`, or an option is not one of its values.

    Notes
    -----
    Every label of the trial (title, citation, arms, outcomes, adverse events, notes) goes
    through the escaper of the output format (:mod:`rctkit.formatting`): it shows as its
    literal text, on one line (a line break becomes a space), control characters as U+FFFD.
    Rendering costs the crude estimates of each outcome and adverse event, then time linear
    in the text.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> report = TrialReport(example_trial(), style="lancet")
    >>> print(report.outcome_table().rows[0][3])
    −9·1 (−17·8 to −0·2)
    """

    trial: Trial = attrs.field(converter=_check_trial)
    style: str = attrs.field(default="plain")
    confidence_level: float = attrs.field(default=0.95, converter=check_confidence_level)
    methods: Mapping[str, str] = attrs.field(factory=dict, converter=_check_methods)
    percent_decimals: int | None = attrs.field(
        default=None, converter=check_percent_decimals, kw_only=True
    )

    @style.validator
    def _check_style(self, attribute: attrs.Attribute[str], value: str) -> None:
        check_choice(value, "style", STYLES)

    def __attrs_post_init__(self) -> None:
        _check_methods(self.trial.analysis, "analysis")  # the trial's plan names real methods

    @property
    def chosen(self) -> dict[str, str]:
        """The methods named for this report: the trial's ``analysis`` (its plan), then
        ``methods`` over it; the defaults fill in the rest."""
        return {**self.trial.analysis, **self.methods}

    # -- the pieces ------------------------------------------------------------------------

    def summaries(self) -> list[OutcomeSummary]:
        """The crude estimates of every outcome, in the trial's order (computed once per
        report, so each warning about them is raised once)."""
        return list(self._summaries)

    @functools.cached_property
    def _summaries(self) -> tuple[OutcomeSummary, ...]:
        return tuple(
            summarise_outcome(o, confidence_level=self.confidence_level, methods=self.chosen)
            for o in self.trial.outcomes
        )

    def _pct(self, events: int, total: int, *, show_total: bool = True) -> str:
        return format_percent(
            events,
            total,
            style=self.style,
            decimals=self.percent_decimals,
            show_total=show_total,
        )

    @property
    def _p_header(self) -> str:
        """ "P" in the journals that print it capitalised (NEJM, BMJ, JAMA), else "p"."""
        return "P" if self.style in ("nejm", "bmj", "jama") else "p"

    def _fmt(self, est: Estimate, *, scale: float = 1.0, digits: int = 2) -> str:
        """Estimate (low to high); a ratio's limit never rounds onto 1 (digits 2)."""
        low, high = est.ci
        text = format_number(scale * est.estimate, digits, style=self.style)
        ci = format_ci(
            scale * low,
            scale * high,
            digits,
            level=self.confidence_level,
            style=self.style,
            label=False,
            null=None if scale != 1.0 else 1.0,
        )
        return f"{text} ({ci})"

    def _count(self, count: int) -> str:
        return format_count(count, style=self.style)

    def consort_table(self) -> ReportTable:
        """Participants randomised and analysed per arm."""
        treatment, control = self.trial.arms
        n = self._count
        rows: list[tuple[Any, ...]] = [
            ("Randomised", n(treatment.allocated), n(control.allocated))
        ]
        if treatment.received is not None and control.received is not None:
            rows.append(
                ("Received allocated intervention", n(treatment.received), n(control.received))
            )
        if treatment.analysed is not None and control.analysed is not None:
            rows.append(("Analysed (primary outcome)", n(treatment.analysed), n(control.analysed)))
        return ReportTable("Participant flow (CONSORT)", ("", treatment.name, control.name), rows)

    def outcome_table(self) -> ReportTable:
        """Outcomes: n/N (%) per arm, the risk difference, risk ratio, odds ratio and p."""
        treatment, control = self.trial.arms
        pct = f"{100 * self.confidence_level:g}% CI"
        columns = (
            "Outcome",
            f"{treatment.name}, n/N (%)",
            f"{control.name}, n/N (%)",
            f"Risk difference, % points ({pct})",
            f"Risk ratio ({pct})",
            f"Odds ratio ({pct})",
            self._p_header,
        )
        rows = []
        primary = self.trial.primary_outcome
        for s in self.summaries():
            o = s.outcome
            name = o.name + (" (primary)" if o is primary else "")
            rows.append(
                (
                    name,
                    self._pct(o.treatment.events, o.treatment.total),
                    self._pct(o.control.events, o.control.total),
                    self._fmt(s.risk_difference, scale=100, digits=1),
                    self._fmt(s.risk_ratio),
                    self._fmt(s.odds_ratio),
                    format_p(s.test.pvalue, style=self.style, prefix=False),
                )
            )
        m = {**DEFAULT_METHODS, **self.chosen}
        notes = [
            f"Effects compare {treatment.name} with {control.name}. Intervals: risk difference "
            f"{m['risk_difference']}, risk ratio {m['risk_ratio']}, odds ratio "
            f"{m['odds_ratio']}; p from {method_label('test', m['test'])}. Crude "
            "estimates from the counts."
        ]
        named = [
            f"{s.outcome.name}: {population.name} ({population.treatment} vs {population.control})"
            for s in self.summaries()
            if (population := self.trial.outcome_population(s.outcome.name)) is not None
        ]
        if named:
            notes.append("Analysed in: " + "; ".join(named) + ".")
        switched = [
            f"{s.outcome.name} ({', '.join(methods_switched(s, m))})"
            for s in self.summaries()
            if methods_switched(s, m)
        ]
        if switched:
            notes.append(
                "With a zero cell Wald's interval is undefined; the score interval is used "
                "instead for " + "; ".join(switched) + "."
            )
        for s in self.summaries():
            published = self.trial.published.get(s.outcome.name)
            if published is not None:
                notes.append(self._published_note(s, published))
        return ReportTable("Outcomes", columns, rows, notes)

    def _published_note(self, s: OutcomeSummary, published: Any) -> str:
        pub = format_estimate(
            published.estimate,
            published.low,
            published.high,
            level=self.confidence_level,
            style=self.style,
            null=null_value(published.measure),
        )
        p = (
            ""
            if published.pvalue is None
            else f", {format_quoted_p(published.pvalue, style=self.style)}"
        )
        measure = published.measure.replace("_", " ")
        beside = crude_beside(s, published)
        if beside is None:
            return (
                f"{s.outcome.name}: the paper reports {measure} {pub}{p}, a measure that the "
                f"counts alone do not give. {published.note}"
            )
        name, est, scale = beside
        crude = format_estimate(
            scale * est.estimate,
            scale * est.ci.low,
            scale * est.ci.high,
            level=self.confidence_level,
            style=self.style,
            null=null_value(name),
        )
        return (
            f"{s.outcome.name}: the paper reports {measure} {pub}{p}; rctkit reports the crude "
            f"{name.replace('_', ' ')} {crude} ({est.method}) from the counts. {published.note}"
        )

    def harms(self) -> list[HarmsRow]:
        """The adverse-event rows (see :func:`rctkit.harms.harms_rows`)."""
        return harms_rows(self.trial, confidence_level=self.confidence_level)

    def harms_table(self) -> ReportTable:
        """Adverse events: events and participants per arm, RD, RR, exact p, rate ratio."""
        treatment, control = self.trial.arms
        pct = f"{100 * self.confidence_level:g}% CI"
        columns = (
            "Adverse event",
            f"{treatment.name}: events",
            f"{treatment.name}: participants, n (%)",
            f"{control.name}: events",
            f"{control.name}: participants, n (%)",
            f"Risk difference, % points ({pct})",
            f"Risk ratio ({pct})",
            f"{self._p_header} (exact)",
            f"Rate ratio ({pct})",
        )
        rows = []
        for r in self.harms():
            cells: list[str] = [
                r.term + (" (serious)" if r.serious and "serious" not in r.term.lower() else "")
            ]
            for i in (0, 1):
                events = r.events[i]
                cells.append("–" if events is None else self._count(events))
                n, total = r.participants[i], r.totals[i]
                cells.append(
                    "–" if n is None or total is None else self._pct(n, total, show_total=False)
                )
            cells.append(
                "–"
                if r.risk_difference is None
                else self._fmt(r.risk_difference, scale=100, digits=1)
            )
            cells.append("–" if r.risk_ratio is None else self._fmt(r.risk_ratio))
            cells.append(
                "–" if r.pvalue is None else format_p(r.pvalue, style=self.style, prefix=False)
            )
            cells.append("–" if r.rate_ratio is None else self._fmt(r.rate_ratio))
            rows.append(tuple(cells))
        notes = [
            f"Participants: with at least one event, of {harms_population(self.trial)}. "
            "Risk difference: "
            "Newcombe's hybrid score interval; risk ratio: Koopman's score interval; p: "
            "Fisher's exact test; rate ratio: exact "
            "interval conditional on the total events. – : not reported or not estimable."
        ]
        notes.append(events_sentence(self.trial, self._count))
        return ReportTable("Harms", columns, rows, notes)

    def tables(self) -> list[ReportTable]:
        """The report's tables in order: CONSORT counts, outcomes, harms (when any)."""
        out = [self.consort_table(), self.outcome_table()]
        if self.trial.adverse_events:
            out.append(self.harms_table())
        return out

    # -- renderings ------------------------------------------------------------------------

    def _heading(self) -> list[str]:
        return [self.trial.title] + ([self.trial.citation] if self.trial.citation else [])

    def to_text(self) -> str:
        """The report as plain text (what ``rctkit demo`` prints)."""
        return _text_of(self)

    def to_markdown(self) -> str:
        """The report as Markdown.

        Every label goes through :func:`~rctkit.formatting.escape_markdown`: it shows as
        its literal text, on one line (a line break becomes a space).
        """
        head = f"# {escape_markdown(self.trial.title)}\n\n" + (
            f"{escape_markdown(self.trial.citation, line_start=True)}\n\n"
            if self.trial.citation
            else ""
        )
        return head + "\n".join(t.to_markdown() for t in self.tables())

    def to_html(self, *, diagram: bool = True, standalone: bool = False) -> str:
        """The report as an HTML fragment, with the CONSORT flow diagram (inline SVG) first.

        Every label goes through :func:`~rctkit.formatting.escape_html`; the fragment is
        well-formed XML. With ``standalone=True`` it is a complete page: a doctype, UTF-8
        charset, the trial's title, and a small stylesheet (bordered tables, captions and
        notes aligned left), readable offline.
        """
        from rctkit.consort import consort_svg

        if not isinstance(diagram, bool):
            raise InvalidInputError(f"`diagram` must be True or False (got {diagram!r})")
        if not isinstance(standalone, bool):
            raise InvalidInputError(f"`standalone` must be True or False (got {standalone!r})")
        if standalone:
            return (
                "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'/>\n"
                f"<title>{escape_html(self.trial.title)}</title>\n"
                f"<style>{STANDALONE_STYLESHEET}</style>\n</head>\n<body>\n"
                f"{self.to_html(diagram=diagram)}\n</body>\n</html>\n"
            )
        head = f"<h2>{escape_html(self.trial.title)}</h2>"
        if self.trial.citation:
            head += f"<p>{escape_html(self.trial.citation)}</p>"
        figure = f"<div class='rctkit-consort'>{consort_svg(self.trial)}</div>" if diagram else ""
        return (
            f"<div class='rctkit-report'>{head}{figure}"
            + "".join(t.to_html() for t in self.tables())
            + "</div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self) -> str:
        r"""The report's tables as LaTeX (booktabs, tabularx).

        One :meth:`~rctkit.tables.ReportTable.to_latex` per table. Every label goes through
        :func:`~rctkit.formatting.escape_latex`. The tables need ``\usepackage{booktabs}`` and
        ``\usepackage{tabularx}``, fit the text width, and
        compile with pdflatex, xelatex or lualatex.
        """
        return "\n".join(t.to_latex() for t in self.tables())

    def to_dataframe(self) -> dict[str, pd.DataFrame]:
        """The tables as pandas DataFrames keyed by caption (needs ``rctkit[pandas]``)."""
        return {t.caption: t.to_dataframe() for t in self.tables()}

    def records(self) -> list[dict[str, object]]:
        """The report's numbers, one record per outcome x measure x method: the effect
        estimates (each :meth:`~rctkit.Estimate.to_dict`) and the tests (``measure`` "test"),
        with the outcome's population, counts and arms. Plain Python values throughout."""
        treatment, control = self.trial.arms
        out: list[dict[str, object]] = []
        for s in self.summaries():
            o = s.outcome
            population = self.trial.outcome_population(o.name)
            common: dict[str, object] = {
                "population": "" if population is None else population.name,
                "treatment": treatment.name,
                "control": control.name,
                "treatment_events": o.treatment.events,
                "treatment_total": o.treatment.total,
                "control_events": o.control.events,
                "control_total": o.control.total,
            }
            for est in (s.risk_difference, s.risk_ratio, s.odds_ratio):
                out.append({**est.to_dict(), "outcome": o.name, **common})
            for test in (s.test, s.fisher):
                record = test.to_dict()
                out.append(
                    {**record, "outcome": o.name, "measure": "test", "estimate": None, **common}
                )
        return out

    def to_frame(self) -> pd.DataFrame:
        """The report's numbers as a numeric long-form DataFrame (needs ``rctkit[pandas]``):
        one row per outcome x measure x method, columns ``REPORT_COLUMNS``; see
        :meth:`records`. The printed report rounds these numbers; the frame keeps them whole.
        """
        return records_frame(self.records(), REPORT_COLUMNS)

    def to_docx(self, path: str | os.PathLike[str]) -> None:
        """Write the report as a Word document (needs ``rctkit[docx]``, python-docx): the
        title and citation, then every table (caption, bordered table, notes).

        Examples
        --------
        >>> import tempfile, pathlib, rctkit as rk
        >>> from rctkit.io import example_trial
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "core.docx"
        >>> rk.report(example_trial()).to_docx(path)
        >>> path.stat().st_size > 10_000
        True
        """
        try:
            import docx
        except ImportError:
            raise ImportError(
                "TrialReport.to_docx needs python-docx: pip install 'rctkit[docx]'"
            ) from None
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidInputError(f"`path` must be a file path (got {type(path).__name__})")
        document = docx.Document()
        document.add_heading(escape_text(self.trial.title), level=1)
        if self.trial.citation:
            document.add_paragraph(escape_text(self.trial.citation))
        for table in self.tables():
            table.to_docx(document)
        document.save(os.fspath(path))

    def to_json(self) -> str:
        """The report's numbers as JSON: the trial's title, citation, arms and confidence
        level, and ``results``, the :meth:`records` (strict JSON: nan is null, an infinite
        limit "inf" or "-inf"; floats at full precision)."""
        return records_json(
            self.records(),
            title=self.trial.title,
            citation=self.trial.citation,
            arms=[arm.name for arm in self.trial.arms],
            confidence_level=self.confidence_level,
        )

    def to_csv(self) -> str:
        """The report's numbers as CSV, one row per :meth:`records` entry with the columns
        ``REPORT_COLUMNS`` (empty for none or nan, "inf" for an infinite limit)."""
        return records_csv(self.records(), REPORT_COLUMNS)

    def render(self, fmt: str = "text") -> str:
        """Render in ``fmt``: "text", "md", "html", "latex", or the numbers as "json" or
        "csv"."""
        fmt = check_choice(fmt, "format", RENDER_FORMATS)
        return {
            "text": self.to_text,
            "md": self.to_markdown,
            "html": self.to_html,
            "latex": self.to_latex,
            "json": self.to_json,
            "csv": self.to_csv,
        }[fmt]()


def _row(label: str, cells: list[str], widths: list[int]) -> str:
    # Two spaces at least before each cell, so that long labels do not run together.
    cols = "".join(
        ("  " + escape_text(c)).rjust(w) for c, w in zip(cells, widths[1:], strict=True)
    )
    return "  " + escape_text(label).ljust(widths[0]) + cols


def render_text(
    trial: Trial,
    *,
    style: str = "plain",
    confidence_level: float = 0.95,
    methods: Mapping[str, str] = MappingProxyType({}),
    percent_decimals: int | None = None,
) -> str:
    """Render the trial report as plain text (the output of ``rctkit demo``).

    Every label goes through :func:`~rctkit.formatting.escape_text`: one line each, control
    characters (such as the ESC of terminal escape sequences) shown as U+FFFD.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(render_text(example_trial()))  # doctest: +ELLIPSIS
    CORE: peer-supported self-management after crisis care
    ...
      Randomised                                 221               220
    ...
    """
    report = TrialReport(
        trial,
        style=style,
        confidence_level=confidence_level,
        methods=methods,
        percent_decimals=percent_decimals,
    )
    return _text_of(report)


def _text_of(report: TrialReport) -> str:
    """The plain-text report of ``report``, from its own (computed once) estimates."""
    trial = report.trial
    style, confidence_level = report.style, report.confidence_level
    treatment, control = trial.arms
    lines = [*report._heading(), ""]
    widths = [30, 16, 18]
    lines.append("Participant flow (CONSORT)")
    lines.append(_row("", [treatment.name, control.name], widths))
    for row in report.consort_table().rows:  # counts formatted once, by the table
        lines.append(_row(row[0], list(row[1:]), widths))
    m = {**DEFAULT_METHODS, **report.chosen}

    def est(e: Estimate, scale: float = 1.0, digits: int = 2) -> str:
        low, high = e.ci
        return format_estimate(
            scale * e.estimate,
            scale * low,
            scale * high,
            digits,
            level=confidence_level,
            style=style,
            null=1.0 if scale == 1.0 else None,
        )

    for s in report.summaries():
        outcome = s.outcome
        lines.append("")
        role = "Primary outcome" if outcome is trial.primary_outcome else "Secondary outcome"
        lines.append(f"{role}: {outcome.name}")
        own = trial.outcome_population(outcome.name)
        if own is not None:
            lines.append(f"  Analysed in: {own.name} ({own.treatment} vs {own.control})")
        lines.append(_row("", [treatment.name, control.name], widths))
        lines.append(
            _row(
                "Events, n/N (%)",
                [
                    report._pct(outcome.treatment.events, outcome.treatment.total),
                    report._pct(outcome.control.events, outcome.control.total),
                ],
                widths,
            )
        )

        lines.append("  Absolute effect")
        lines.append(
            f"  {'Risk difference':<18}{est(s.risk_difference, 100, 1)} percentage "
            f"points, {m['risk_difference']}"
        )
        lines.append("  Relative effects")
        lines.append(f"  {'Risk ratio':<18}{est(s.risk_ratio)}, {s.risk_ratio.method}")
        lines.append(f"  {'Odds ratio':<18}{est(s.odds_ratio)}, {s.odds_ratio.method}")
        wald = (
            ""
            if s.odds_ratio.pvalue is None or s.odds_ratio.method != "wald"
            else (f"; Wald (odds ratio) {format_p(s.odds_ratio.pvalue, style=style)}")
        )
        lines.append(
            f"  Tests: {method_label('test', m['test'])} "
            f"{format_p(s.test.pvalue, style=style)}"
            + (
                ""
                if m["test"] == "fisher"
                else f"; Fisher's exact {format_p(s.fisher.pvalue, style=style)}"
            )
            + wald
        )
        published = trial.published.get(outcome.name)
        if published is not None:
            measure = published.measure.replace("_", " ")
            pub = format_estimate(
                published.estimate,
                published.low,
                published.high,
                level=confidence_level,
                style=style,
                null=null_value(published.measure),
            )
            p = (
                ""
                if published.pvalue is None
                else f", {format_quoted_p(published.pvalue, style=style)}"
            )
            lines.append("")
            lines.append(f"  {'As published:':<24}{measure} {pub}{p}")
            beside = crude_beside(s, published)
            if beside is None:
                lines.append(f"  {'Crude, from the counts:':<24}not available for this measure")
            else:
                name, crude, scale = beside
                crude_p = (
                    "" if crude.pvalue is None else f", {format_p(crude.pvalue, style=style)}"
                )
                lines.append(
                    f"  {'Crude, from the counts:':<24}{name.replace('_', ' ')} "
                    f"{est(crude, scale)}{crude_p} ({crude.method})"
                )
            lines.extend(
                textwrap.wrap(
                    "Why they differ: " + published.note,
                    WIDTH - 2,
                    initial_indent="  ",
                    subsequent_indent="  ",
                )
            )
    if trial.adverse_events:
        lines.append("")
        lines.append("Harms")
        if trial.safety_population is not None:
            lines.append(f"  Participants with events of {harms_population(trial)}")
        lines.append(_row("", [treatment.name, control.name], widths))
        for r in report.harms():
            cells = []
            for i in (0, 1):
                parts = []
                ev, n, total = r.events[i], r.participants[i], r.totals[i]
                if ev is not None:
                    parts.append(f"{report._count(ev)} events")
                if n is not None and total is not None:
                    parts.append(report._pct(n, total))
                cells.append("; ".join(parts) or "-")
            lines.append(_row(r.term, cells, widths))
            if r.risk_difference is not None:
                lines.append(
                    f"    risk difference {est(r.risk_difference, 100, 1)} percentage "
                    f"points; Fisher's exact {format_p(r.pvalue or math.nan, style=style)}"
                )
            if r.rate_ratio is not None:
                lines.append(f"    rate ratio {est(r.rate_ratio)}")
        events = event_totals(trial)
        n_ = report._count
        if events[0] is None and events[1] is None:
            lines.append("  (event counts not reported: participants with events only)")
        else:
            shown = ["not reported" if t is None else n_(t) for t in events]
            total = sum(t for t in events if t is not None)
            whole = "" if None in events else f", {n_(total)} in all"
            lines.append(f"  ({shown[0]} vs {shown[1]} events{whole})")
    lines.append("")
    note = (
        f"Intervals are {100 * confidence_level:g}% confidence intervals. Effects compare "
        f"{treatment.name} with {control.name}: ratios below 1 and negative differences mean "
        f"fewer events with {treatment.name}."
    )
    lines.extend(textwrap.wrap(note, WIDTH))
    # Every line is one line of output: a label's line break or control character, wherever
    # it was put, is escaped here.
    return "\n".join(escape_text(line) for line in lines) + "\n"


def report(
    trial: Trial,
    *,
    style: str = "plain",
    confidence_level: float = 0.95,
    methods: Mapping[str, str] | None = None,
    percent_decimals: int | None = None,
) -> TrialReport:
    """The trial's report: the same as ``TrialReport(trial, ...)``.

    Examples
    --------
    >>> import rctkit as rk
    >>> from rctkit.trialfile import example_trial
    >>> rk.report(example_trial()).trial.arms[0].allocated
    221
    """
    return TrialReport(
        trial,
        style=style,
        confidence_level=confidence_level,
        methods={} if methods is None else methods,
        percent_decimals=percent_decimals,
    )


# The deprecated Trial.report() builds its report through this hook: the model sits below the
# report layer and imports nothing of it.
register_report_builder(TrialReport)

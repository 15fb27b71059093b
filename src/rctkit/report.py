"""The trial report: CONSORT counts, outcomes with absolute and relative effects, harms.

Each outcome is reported with its counts per arm and with both absolute (risk difference)
and relative (risk ratio, odds ratio) effects side by side, as CONSORT 2025 asks. A
:class:`TrialReport` renders as text, Markdown, HTML, LaTeX or DataFrames, in the ``plain``,
``lancet``, ``nejm``, ``bmj`` or ``jama`` style (see :mod:`rctkit.formatting`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from rctkit import margins
from rctkit._engine import method_label
from rctkit._validation import (
    check_choice,
    check_confidence_level,
    check_instance,
    check_percent_decimals,
)
from rctkit.ae_tables import AETable, ae_table
from rctkit.errors import InvalidInputError
from rctkit.formatting import (
    STYLES,
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
    events_sentence,
    harms_population,
    harms_rows,
)
from rctkit.model import Trial
from rctkit.model.trial import register_report_builder
from rctkit.multiplicity import multiplicity_note
from rctkit.results import (
    MEASURE_LABELS,
    Estimate,
    MarginTest,
    records_csv,
    records_frame,
    records_json,
)
from rctkit.summary import (
    DEFAULT_METHODS,
    ZERO_CELL_METHODS,
    OutcomeSummary,
    check_methods,
    crude_beside,
    methods_switched,
    summarise_outcome,
)
from rctkit.tables import TEXT_WIDTH, ReportDocument, ReportTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from rctkit.rtf import RtfPage

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

WIDTH = TEXT_WIDTH

#: How the report names the tests against a margin.
_MARGIN_TEST_LABELS = {
    "fm": "Farrington-Manning score test",
    "mn": "Miettinen-Nurminen score test",
    "wald": "Wald test",
    "newcombe": "Newcombe hybrid score interval",
    "exact": "exact unconditional score test (Chan)",
}

#: The formats :meth:`TrialReport.render` writes.
RENDER_FORMATS = ("text", "md", "html", "latex", "rtf", "json", "csv")

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
    methods: Mapping[str, str] = attrs.field(factory=dict, converter=check_methods)
    percent_decimals: int | None = attrs.field(
        default=None, converter=check_percent_decimals, kw_only=True
    )

    @style.validator
    def _check_style(self, attribute: attrs.Attribute[str], value: str) -> None:
        check_choice(value, "style", STYLES)

    def __attrs_post_init__(self) -> None:
        check_methods(self.trial.analysis, "analysis")  # the trial's plan names real methods

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
            f"Effects compare {treatment.name} with {control.name}. Intervals: risk "
            f"difference, {method_label('risk_difference', m['risk_difference'])}; risk ratio, "
            f"{method_label('risk_ratio', m['risk_ratio'])}; odds ratio, "
            f"{method_label('odds_ratio', m['odds_ratio'])}; p from "
            f"{method_label('test', m['test'])}. Crude estimates from the counts."
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
        raw = {s.outcome.name: s.test.pvalue for s in self.summaries()}
        adjusted = multiplicity_note(self.trial.multiplicity, raw, style=self.style)
        if adjusted is not None:
            notes.append(adjusted)
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
            f"{name.replace('_', ' ')} {crude} ({method_label(name, est.method)}) from the "
            f"counts. {published.note}"
        )

    def harms(self) -> list[HarmsRow]:
        """The adverse-event rows (see :func:`rctkit.harms.harms_rows`)."""
        return list(self._harms)

    @functools.cached_property
    def _harms(self) -> tuple[HarmsRow, ...]:
        chosen = self.chosen
        return tuple(
            harms_rows(
                self.trial,
                confidence_level=self.confidence_level,
                rd_method=chosen.get("risk_difference"),
                rr_method=chosen.get("risk_ratio"),
            )
        )

    def harms_table(self) -> ReportTable:
        """Adverse events: events and participants per arm, RD, RR, exact p, rate ratio."""
        treatment, control = self.trial.arms
        pct = f"{100 * self.confidence_level:g}% CI"
        columns: tuple[str, ...] = (
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
        harms = self.harms()
        # Columns that no adverse event fills are left out (every format alike): events and
        # the rate ratio when only participants are given, the comparisons when only events.
        has_events = any(x is not None for r in harms for x in r.events)
        has_participants = any(x is not None for r in harms for x in r.participants)
        has_exposure = any(x is not None for r in harms for x in r.exposure)
        keep = [0]
        keep += [1, 3] if has_events else []
        keep += [8] if has_events and has_exposure else []
        keep += [2, 4, 5, 6, 7] if has_participants else []
        keep.sort()
        columns = tuple(columns[j] for j in keep)
        rows = [tuple(row[j] for j in keep) for row in rows]
        rd_method = self.chosen.get("risk_difference", DEFAULT_METHODS["risk_difference"])
        rr_default = self.chosen.get("risk_ratio", DEFAULT_METHODS["risk_ratio"])
        switched = [
            r.term for r in harms if r.risk_ratio is not None and r.risk_ratio.method != rr_default
        ]
        said = []
        if has_participants:
            said.append(
                f"Participants: with at least one event, of {harms_population(self.trial)}. "
                f"Risk difference: {method_label('risk_difference', rd_method)}; risk ratio: "
                f"{method_label('risk_ratio', rr_default)}; p: Fisher's exact test."
            )
        if has_events and has_exposure:
            said.append("Rate ratio: exact interval conditional on the total events.")
        notes = [" ".join([*said, "– : not reported or not estimable."])]
        if switched:
            instead = method_label("risk_ratio", ZERO_CELL_METHODS["risk_ratio"])
            notes.append(
                "With no participants with the event in an arm Wald's risk ratio interval is "
                f"undefined; {instead} is used instead for " + "; ".join(switched) + "."
            )
        notes.append(events_sentence(self.trial, self._count))
        return ReportTable("Harms", columns, rows, notes)

    def margin_test(self) -> MarginTest | None:
        """The test of the trial's non-inferiority or equivalence hypothesis (``Trial.design``)
        on its outcome, at the report's confidence level; None for a superiority design."""
        return self._margin_test

    @functools.cached_property
    def _margin_test(self) -> MarginTest | None:
        design, outcome = self.trial.design, self.trial.design_outcome
        if not design.has_margin or outcome is None or design.measure is None:
            return None
        options: dict[str, Any] = {"confidence_level": self.confidence_level}
        if design.method is not None:
            options["method"] = design.method
        if design.framework == "noninferiority":
            return margins.noninferiority(
                outcome,
                measure=design.measure,
                margin=float(design.margin),  # type: ignore[arg-type]  # one number here
                higher_is_better=design.higher_is_better,
                **options,
            )
        return margins.equivalence(
            outcome,
            measure=design.measure,
            margins=design.margin,  # type: ignore[arg-type]  # a pair here
            **options,
        )

    def _on_scale(self, value: float, measure: str) -> str:
        """A margin or limit as the table prints the measure (a difference in % points)."""
        if measure == "risk_difference":
            return format_number(100 * value, 1, style=self.style) + " percentage points"
        return format_number(value, 2, style=self.style)

    def design_table(self) -> ReportTable | None:
        """The trial's framework (CONSORT 2025 item 9): the hypothesis with its margin, the
        interval that matches the test, the p-value and the conclusion; None for superiority.
        """
        test = self.margin_test()
        outcome = self.trial.design_outcome
        if test is None or outcome is None:
            return None
        measure = test.measure
        scale, digits = (100.0, 1) if measure == "risk_difference" else (1.0, 2)
        bounds: tuple[float, ...] = (
            tuple(test.margin) if isinstance(test.margin, tuple) else (test.margin,)
        )
        ni = test.framework == "noninferiority"
        pct = f"{100 * test.confidence_level:g}% CI"
        unit = ", % points" if measure == "risk_difference" else ""
        columns = (
            "Outcome",
            "Margin" + unit,
            f"{MEASURE_LABELS[measure]}{unit} ({pct})",
            f"{self._p_header} (one-sided)" if ni else f"{self._p_header} (two one-sided tests)",
            "Conclusion",
        )
        margin_text = " and ".join(
            format_number(scale * b, digits, style=self.style) for b in bounds
        )
        # No limit prints as the margin unless it is the margin.
        low, high = test.ci
        near = (scale * bounds[0], scale * bounds[-1]) if not ni else (scale * bounds[0],) * 2
        body = format_ci(
            scale * low, scale * high, digits, style=self.style, label=False, null=near
        )
        limits = [
            format_number(scale * v, digits, style=self.style, null=b)
            for v, b in zip((low, high), near, strict=True)
        ]
        ci = f"{format_number(scale * test.estimate, digits, style=self.style)} ({body})"
        verdict = (
            ("Non-inferior" if test.rejected else "Non-inferiority not shown")
            if ni
            else ("Equivalent" if test.rejected else "Equivalence not shown")
        )
        row = (
            outcome.name,
            margin_text,
            ci,
            format_p(test.pvalue, style=self.style, prefix=False),
            verdict,
        )
        if ni:
            side = "lower" if test.higher_is_better else "upper"
            limit = limits[0] if test.higher_is_better else limits[1]
            sentence = (
                f"{verdict} at a margin of {self._on_scale(bounds[0], measure)}: {side} limit "
                f"{limit}."
            )
        else:
            sentence = (
                f"{verdict} within margins of {self._on_scale(bounds[0], measure)} and "
                f"{self._on_scale(bounds[-1], measure)}: interval {body}."
            )
        frame = "Non-inferiority" if ni else "Equivalence"
        name = MEASURE_LABELS[measure].lower()
        shown = [self._on_scale(b, measure) for b in bounds]
        if ni:
            worse, better = ("≤", ">") if test.higher_is_better else ("≥", "<")
            hypothesis = (
                f"Null hypothesis: {name} {worse} {shown[0]}; alternative: {name} {better} "
                f"{shown[0]}"
            )
        else:
            hypothesis = (
                f"Null hypothesis: {name} ≤ {shown[0]} or ≥ {shown[1]}; alternative: between them"
            )
        notes = [
            sentence,
            f"{hypothesis}. Test: {_MARGIN_TEST_LABELS.get(test.method, test.method)}; "
            f"each one-sided test at alpha = {format_number(test.alpha, 3, style=self.style)}, "
            f"matching the two-sided {pct}.",
        ]
        return ReportTable(f"{frame} ({MEASURE_LABELS[measure].lower()})", columns, [row], notes)

    def tables(self) -> list[ReportTable]:
        """The report's tables in order: CONSORT counts, the non-inferiority or equivalence
        test (when the trial declares one), outcomes (when any), harms (when any: by system
        organ class and preferred term when the trial has participant-level records)."""
        out = [self.consort_table()]
        design = self.design_table()
        if design is not None:
            out.append(design)
        if self.trial.outcomes:
            out.append(self.outcome_table())
        if self.trial.adverse_event_records is not None:  # participant-level: SOC/PT
            out.append(self.ae_table().table(style=self.style))
        elif self.trial.adverse_events:
            out.append(self.harms_table())
        return out

    def ae_table(self) -> AETable:
        """The standard harms table by system organ class and preferred term
        (:func:`rctkit.ae_tables.ae_table`), from the trial's participant-level adverse events."""
        return ae_table(self.trial, rd_method=self.chosen.get("risk_difference"),
                        confidence_level=self.confidence_level)  # fmt: skip

    # -- renderings ------------------------------------------------------------------------

    def document(self) -> ReportDocument:
        """The report as one :class:`~rctkit.tables.ReportDocument`: the title and citation,
        the tables, the closing note and the CONSORT diagram. Every format is a writer of
        this document, so a number prints the same way in each."""
        from rctkit.consort import consort_svg

        treatment, control = self.trial.arms
        note = (
            f"Intervals are {100 * self.confidence_level:g}% confidence intervals. Effects "
            f"compare {treatment.name} with {control.name}: ratios below 1 and negative "
            f"differences mean fewer events with {treatment.name}."
        )
        return ReportDocument(
            self.trial.title,
            self.tables(),
            subtitle=self.trial.citation,
            notes=[note],
            figure_svg=consort_svg(self.trial),
        )

    def to_text(self, *, width: int | None = WIDTH) -> str:
        """The report as plain text (what ``rctkit demo`` prints): each table aligned, or
        stacked one row at a time where it is wider than ``width`` characters.

        Every label goes through :func:`~rctkit.formatting.escape_text`: one line each,
        control characters (such as the ESC of terminal escape sequences) shown as U+FFFD.
        """
        return self.document().to_text(width=width)

    def to_markdown(self) -> str:
        """The report as Markdown.

        Every label goes through :func:`~rctkit.formatting.escape_markdown`: it shows as
        its literal text, on one line (a line break becomes a space).
        """
        return self.document().to_markdown()

    def to_html(self, *, diagram: bool = True, standalone: bool = False) -> str:
        """The report as an HTML fragment, with the CONSORT flow diagram (inline SVG) first.

        Every label goes through :func:`~rctkit.formatting.escape_html`; the fragment is
        well-formed XML. With ``standalone=True`` it is a complete page: a doctype, UTF-8
        charset, the trial's title, and a small stylesheet (bordered tables, captions and
        notes aligned left), readable offline.
        """
        if not isinstance(diagram, bool):
            raise InvalidInputError(f"`diagram` must be True or False (got {diagram!r})")
        document = self.document()
        if not diagram:
            document = attrs.evolve(document, figure_svg="")
        return document.to_html(standalone=standalone)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self) -> str:
        r"""The report's tables and closing note as LaTeX (booktabs, tabularx).

        One :meth:`~rctkit.tables.ReportTable.to_latex` per table. Every label goes through
        :func:`~rctkit.formatting.escape_latex`. The tables need ``\usepackage{booktabs}`` and
        ``\usepackage{tabularx}``, fit the text width, and
        compile with pdflatex, xelatex or lualatex.
        """
        return self.document().to_latex()

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
        self.document().to_docx(path)

    def to_rtf(self, page: RtfPage | None = None) -> str:
        """The report as Rich Text Format (:meth:`~rctkit.tables.ReportDocument.to_rtf`):
        ``page`` (an :class:`~rctkit.rtf.RtfPage`) sets the paper, font and running lines."""
        return self.document().to_rtf(page)

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
        """Render in ``fmt``: "text", "md", "html", "latex", "rtf", or the numbers as "json"
        or "csv"."""
        fmt = check_choice(fmt, "format", RENDER_FORMATS)
        return {
            "text": self.to_text,
            "md": self.to_markdown,
            "html": self.to_html,
            "latex": self.to_latex,
            "rtf": self.to_rtf,
            "json": self.to_json,
            "csv": self.to_csv,
        }[fmt]()


def render_text(
    trial: Trial,
    *,
    style: str = "plain",
    confidence_level: float = 0.95,
    methods: Mapping[str, str] = MappingProxyType({}),
    percent_decimals: int | None = None,
) -> str:
    """Render the trial report as plain text (the output of ``rctkit demo``): the same as
    ``TrialReport(trial, ...).to_text()``.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(render_text(example_trial()))  # doctest: +ELLIPSIS
    CORE: peer-supported self-management after crisis care
    ...
    Randomised                         221      220
    ...
    """
    return TrialReport(
        trial,
        style=style,
        confidence_level=confidence_level,
        methods=methods,
        percent_decimals=percent_decimals,
    ).to_text()


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

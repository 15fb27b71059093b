"""The trial report: CONSORT counts, outcomes with absolute and relative effects, harms.

Each outcome is reported with its counts per arm and with both absolute (risk difference) and
relative (odds ratio, risk ratio) effects, as CONSORT 2025 asks.
"""

from __future__ import annotations

import textwrap

import attrs

from rctkit import effects, hypothesis_tests
from rctkit.formatting import format_estimate, format_p, format_percent
from rctkit.model import BinaryOutcome, Trial
from rctkit.results import Estimate, TestResult

__all__ = ["OutcomeSummary", "render_text", "summarise_outcome"]

WIDTH = 88


@attrs.frozen
class OutcomeSummary:
    """Everything the report prints for one outcome."""

    outcome: BinaryOutcome
    odds_ratio: Estimate
    risk_ratio: Estimate
    risk_difference: Estimate
    chi2: TestResult
    fisher: TestResult


def summarise_outcome(outcome: BinaryOutcome, *, confidence_level: float = 0.95) -> OutcomeSummary:
    """Compute the crude effects and tests of one outcome.

    Examples
    --------
    >>> import rctkit as rk
    >>> s = summarise_outcome(rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216)))
    >>> round(s.odds_ratio.estimate, 2), round(s.fisher.pvalue, 3)
    (0.67, 0.054)
    """
    level = confidence_level
    return OutcomeSummary(
        outcome=outcome,
        odds_ratio=effects.odds_ratio(outcome, confidence_level=level),
        risk_ratio=effects.risk_ratio(outcome, confidence_level=level),
        risk_difference=effects.risk_difference(outcome, confidence_level=level),
        chi2=hypothesis_tests.hypothesis_test(outcome, method="chi2"),
        fisher=hypothesis_tests.hypothesis_test(outcome, method="fisher"),
    )


def _row(label: str, cells: list[str], widths: list[int]) -> str:
    return (
        "  "
        + label.ljust(widths[0])
        + "".join(c.rjust(w) for c, w in zip(cells, widths[1:], strict=True))
    )


def _estimate_line(
    name: str, est: Estimate, *, style: str, scale: float = 1.0, digits: int = 2, unit: str = ""
) -> str:
    text = format_estimate(
        scale * est.estimate,
        scale * est.ci.low,
        scale * est.ci.high,
        digits,
        level=est.confidence_level,
        style=style,
    )
    return f"  {name:<18}{text}{unit}, {est.method}"


def render_text(trial: Trial, *, style: str = "plain", confidence_level: float = 0.95) -> str:
    """Render the trial report as plain text (the output of ``rctkit demo``).

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(render_text(example_trial()))  # doctest: +ELLIPSIS
    CORE: peer-supported self-management after crisis care
    ...
      Randomised                                221          220
    ...
    """
    treatment, control = trial.arms
    lines = [trial.title]
    if trial.citation:
        lines.append(trial.citation)
    lines.append("")
    widths = [30, 18, 18]
    lines.append("Participant flow (CONSORT)")
    lines.append(_row("", [treatment.name, control.name], widths))
    lines.append(_row("Randomised", [str(treatment.allocated), str(control.allocated)], widths))
    if treatment.analysed is not None and control.analysed is not None:
        lines.append(
            _row(
                "Analysed (primary outcome)",
                [str(treatment.analysed), str(control.analysed)],
                widths,
            )
        )
    for outcome in trial.outcomes:
        lines.append("")
        role = "Primary outcome" if outcome is trial.primary_outcome else "Secondary outcome"
        lines.append(f"{role}: {outcome.name}")
        s = summarise_outcome(outcome, confidence_level=confidence_level)
        lines.append(_row("", [treatment.name, control.name], widths))
        lines.append(
            _row(
                "Events, n/N (%)",
                [
                    format_percent(outcome.treatment.events, outcome.treatment.total, style=style),
                    format_percent(outcome.control.events, outcome.control.total, style=style),
                ],
                widths,
            )
        )
        lines.append("  Relative effects (crude, from the counts)")
        lines.append(_estimate_line("Odds ratio", s.odds_ratio, style=style))
        lines.append(_estimate_line("Risk ratio", s.risk_ratio, style=style))
        lines.append("  Absolute effect")
        lines.append(
            _estimate_line(
                "Risk difference",
                s.risk_difference,
                style=style,
                scale=100,
                digits=1,
                unit=" percentage points",
            )
        )
        lines.append(
            f"  Tests: chi-squared {format_p(s.chi2.pvalue, style=style)}; "
            f"Fisher's exact {format_p(s.fisher.pvalue, style=style)}; "
            f"Wald (odds ratio) {format_p(s.odds_ratio.pvalue or float('nan'), style=style)}"
        )
        published = trial.published.get(outcome.name)
        if published is not None:
            pub = format_estimate(published.estimate, published.low, published.high, style=style)
            # The published figures are printed as the paper gave them, not re-rounded.
            p = "" if published.pvalue is None else f", p = {published.pvalue:g}"
            lines.append("")
            lines.append(f"  As published: {published.measure.replace('_', ' ')} {pub}{p}.")
            crude = format_estimate(
                s.odds_ratio.estimate, s.odds_ratio.ci.low, s.odds_ratio.ci.high, style=style
            )
            why = f"rctkit reports the crude odds ratio {crude} from the counts. " + published.note
            lines.extend(
                textwrap.wrap(why, WIDTH - 2, initial_indent="  ", subsequent_indent="  ")
            )
    if trial.adverse_events:
        lines.append("")
        lines.append("Harms")
        lines.append(_row("", [treatment.name, control.name], widths))
        terms = dict.fromkeys(e.term for e in trial.adverse_events)
        for term in terms:
            cells = []
            total = 0
            for arm in trial.arms:
                rows = [e for e in trial.adverse_events if e.term == term and e.arm == arm.label]
                n_events = sum(e.events or 0 for e in rows)
                total += n_events
                cells.append(f"{n_events} events" if rows else "-")
            lines.append(_row(term, cells, widths))
            lines.append(f"  ({total} events in all)")
    lines.append("")
    note = (
        f"Intervals are {100 * confidence_level:g}% confidence intervals. Effects compare "
        f"{treatment.name} with {control.name}: ratios below 1 and negative differences mean "
        f"fewer events with {treatment.name}."
    )
    lines.extend(textwrap.wrap(note, WIDTH))
    return "\n".join(lines) + "\n"

"""Figures (matplotlib, the ``rctkit[plot]`` extra): the forest plot of a trial's outcomes."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rctkit._validation import check_choice, check_instance
from rctkit.errors import InvalidInputError
from rctkit.formatting import escape_text, format_estimate
from rctkit.model import Trial
from rctkit.report import DEFAULT_METHODS, TrialReport
from rctkit.results import MEASURE_LABELS

__all__ = ["forest_plot"]

_MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")
_LABELS = {
    **MEASURE_LABELS,
    "risk_difference": f"{MEASURE_LABELS['risk_difference']} (percentage points)",
}

# Labels are text: not mathtext ("$x$" keeps its dollar signs) and never TeX, whatever
# rcParams say; a label such as "$\undefinedmacro$" cannot stop the drawing.
_LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in tests
        raise ImportError("plots need matplotlib: pip install 'rctkit[plot]'") from exc
    return plt


def forest_plot(
    trial: Trial,
    *,
    measure: str = "odds_ratio",
    confidence_level: float = 0.95,
    methods: Mapping[str, str] = DEFAULT_METHODS,
    style: str = "plain",
    path: str | Path | None = None,
) -> Any:
    """A forest plot of every outcome's effect, with the estimate and interval as text.

    Parameters
    ----------
    trial : Trial
        The trial whose outcomes are plotted, one row each.
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, optional
        Ratios are drawn on a log axis with a line at 1; the difference at 0.
    confidence_level, methods, style : optional
        As in :class:`rctkit.report.TrialReport`.
    path : str or Path, optional
        Save the figure there; the suffix (``.png``, ``.svg``, ``.pdf``) chooses the format.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        If ``trial`` is not a :class:`~rctkit.Trial`, ``path`` is not a str or Path, or an
        option is not one of its values.

    Notes
    -----
    Every label (outcome names, arm names) is drawn as literal text, with
    ``parse_math=False`` and ``usetex=False``: "$x$" shows its dollar signs and
    ``$\\undefinedmacro$`` cannot stop the drawing, whatever ``rcParams["text.usetex"]``
    says. Labels are on one line, control characters shown as U+FFFD
    (:func:`~rctkit.formatting.escape_text`).

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> fig = forest_plot(example_trial())
    >>> fig.axes[0].get_xscale()
    'log'
    """
    trial = check_instance(trial, "trial", Trial)
    measure = check_choice(measure, "measure", _MEASURES)
    if path is not None and not isinstance(path, str | Path):
        raise InvalidInputError(
            f"`path` must be a str, a Path or None (got {type(path).__name__})"
        )
    report = TrialReport(trial, style=style, confidence_level=confidence_level, methods=methods)
    plt = _pyplot()
    summaries = report.summaries()
    n = len(summaries)
    fig, ax = plt.subplots(figsize=(8.0, 1.2 + 0.5 * max(n, 1)))
    ratio = measure != "risk_difference"
    scale = 1.0 if ratio else 100.0
    labels = []
    for i, s in enumerate(summaries):
        est = getattr(s, measure)
        y = n - 1 - i
        low, high = scale * est.ci.low, scale * est.ci.high
        point = scale * est.estimate
        finite_low = low if (low > 0 or not ratio) and math.isfinite(low) else None
        finite_high = high if math.isfinite(high) else None
        if finite_low is not None and finite_high is not None:
            ax.plot([finite_low, finite_high], [y, y], color="black", linewidth=1.5)
        if math.isfinite(point) and (point > 0 or not ratio):
            ax.plot([point], [y], marker="s", color="black", markersize=7)
        text = format_estimate(
            point,
            low,
            high,
            2 if ratio else 1,
            level=confidence_level,
            style=style,
            null=1.0 if ratio else 0.0,
        )
        labels.append((y, escape_text(s.outcome.name), text))
    ax.axvline(1.0 if ratio else 0.0, color="grey", linestyle="--", linewidth=1)
    if ratio:
        from matplotlib import ticker

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.set_yticks([y for y, _, _ in labels])
    ax.set_yticklabels([name for _, name, _ in labels], **_LITERAL)
    ax.set_ylim(-0.7, n - 0.3)
    treatment, control = trial.arms
    ax.set_xlabel(
        escape_text(f"{_LABELS[measure]}: {treatment.name} vs {control.name}"), **_LITERAL
    )
    for y, _, text in labels:
        ax.annotate(
            text,
            xy=(1.02, y),
            xycoords=("axes fraction", "data"),
            va="center",
            fontsize=9,
            **_LITERAL,
        )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    if path is not None:
        fig.savefig(Path(path), bbox_inches="tight")
    return fig

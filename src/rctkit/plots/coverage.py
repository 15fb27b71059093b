"""The coverage plot: the exact coverage of interval methods against the true effect.

Like the forest plot, the figure is a ``matplotlib.figure.Figure`` built without pyplot, and
every label is drawn as plain text (no mathtext, never TeX).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rctkit._validation import check_choice
from rctkit.errors import InvalidInputError
from rctkit.formatting import escape_text
from rctkit.plots._common import (
    LITERAL,
    MARKERS,
    check_title_and_path,
    finish,
    results_of,
)
from rctkit.results import MEASURE_LABELS, CoverageResult

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["coverage_plot"]

_X = ("true_value", "p_control", "p_treatment")


def coverage_plot(
    results: CoverageResult | Sequence[CoverageResult],
    *,
    x: str = "true_value",
    title: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Draw the exact coverage of one or more interval methods on one axis.

    Parameters
    ----------
    results : CoverageResult or sequence of CoverageResult
        From :func:`rctkit.coverage`; several methods are drawn on one axis, one line
        (sorted by ``x``) and marker each, labelled by method.
    x : {"true_value", "p_control", "p_treatment"}, optional
        The horizontal axis: the true effect (default), or a true risk.
    title : str, optional
        The title; by default the measure and the arm sizes of the first result.
    path : str or Path, optional
        Where to save the figure (the format from the suffix: ``.png``, ``.svg``, ``.pdf``).

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot; a dashed line marks the nominal level.

    Raises
    ------
    InvalidInputError
        If ``results`` holds anything but coverage results, results of different nominal
        levels, or ``x``, ``title`` or ``path`` is of the wrong kind.

    Examples
    --------
    >>> import numpy as np
    >>> import rctkit as rk
    >>> from rctkit.plots import coverage_plot
    >>> p0 = np.linspace(0.05, 0.85, 17)
    >>> runs = [rk.coverage(m, measure="risk_difference", n_treatment=20, n_control=20,
    ...                     p_grid=p0, effect=0.1) for m in ("wald", "newcombe")]
    >>> figure = coverage_plot(runs, x="p_control")
    >>> len(figure.axes[0].lines)
    3
    """
    runs = results_of(results, CoverageResult)
    x = check_choice(x, "x", _X)
    check_title_and_path(title, path)
    levels = {r.confidence_level for r in runs}
    if len(levels) != 1:
        raise InvalidInputError(
            f"`results` must share one confidence level (got {sorted(levels)})"
        )
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in tests
        raise ImportError("plots need matplotlib: pip install 'rctkit[plot]'") from exc

    first = runs[0]
    level = levels.pop()
    with rc_context({"text.usetex": False}):
        figure = Figure(figsize=(6.0, 4.0), layout="constrained")
        ax = figure.add_subplot()
        for i, run in enumerate(runs):
            xs = np.asarray(getattr(run, x), dtype=float)
            order = np.argsort(xs, kind="stable")
            ax.plot(
                xs[order],
                run.coverage[order],
                marker=MARKERS[i % len(MARKERS)],
                markersize=3.5,
                linewidth=1.0,
                label=escape_text(run.method),
            )
        ax.axhline(level, color="0.3", linestyle="--", linewidth=0.8)
        measure_label = MEASURE_LABELS.get(first.measure, first.measure)
        x_label = {
            "true_value": f"True {measure_label.lower()}",
            "p_control": "True risk, control",
            "p_treatment": "True risk, treatment",
        }[x]
        ax.set_xlabel(escape_text(x_label), **LITERAL)
        ax.set_ylabel(f"Exact coverage (nominal {100 * level:g}%)", **LITERAL)
        if first.measure != "risk_difference" and x == "true_value":
            ax.set_xscale("log")
        heading = (
            title
            if title is not None
            else f"{measure_label}, {first.n_treatment} vs {first.n_control} per arm"
        )
        finish(figure, ax, title=heading, legend="Method", path=path)
    return figure

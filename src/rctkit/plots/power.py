"""The power curve: the power of one or more tests against the arm size or a true risk.

Exact power saw-tooths in n (a discrete test's attained size jumps as n grows); the curve
shows the teeth, and a dashed line marks the power wanted. Built without pyplot, every label
plain text, like the other figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rctkit._validation import check_choice, check_real
from rctkit.errors import InvalidInputError
from rctkit.formatting import escape_text
from rctkit.plots._common import (
    LITERAL,
    MARKERS,
    check_title_and_path,
    finish,
    results_of,
)
from rctkit.results import PowerResult

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["power_plot"]

_X = ("n_control", "n_treatment", "total", "p_treatment", "p_control")
_X_LABELS = {
    "n_control": "Participants in the control arm",
    "n_treatment": "Participants in the treatment arm",
    "total": "Participants in the trial",
    "p_treatment": "True risk, treatment",
    "p_control": "True risk, control",
}


def _label(result: PowerResult) -> str:
    return f"{result.test} ({'exact' if result.exact else 'approximate'})"


def power_plot(
    results: PowerResult | Sequence[PowerResult],
    *,
    x: str = "n_control",
    target: float | None = 0.8,
    title: str | None = None,
    path: str | Path | None = None,
) -> Figure:
    """Draw power curves: one line per test (exact and approximate apart).

    Parameters
    ----------
    results : PowerResult or sequence of PowerResult
        From :func:`rctkit.power` (or :func:`rctkit.evaluate.evaluate`), typically one per
        arm size and test. Results are grouped into lines by test and by exact or
        approximate, each line sorted by ``x``.
    x : {"n_control", "n_treatment", "total", "p_treatment", "p_control"}, optional
        The horizontal axis: an arm size (default the control arm's), the trial's total, or
        a true risk.
    target : float or None, optional
        The power wanted, drawn as a dashed line (default 0.8); None draws none.
    title : str, optional
        The title; by default the risks, or the arm sizes, held fixed by the first result.
    path : str or Path, optional
        Where to save the figure (the format from the suffix: ``.png``, ``.svg``, ``.pdf``).

    Returns
    -------
    matplotlib.figure.Figure
        Built without pyplot.

    Raises
    ------
    InvalidInputError
        If ``results`` holds anything but power results, or ``x``, ``target``, ``title`` or
        ``path`` is bad.

    Examples
    --------
    >>> import rctkit as rk
    >>> from rctkit.plots import power_plot
    >>> runs = [rk.power(test=t, p_treatment=0.29, p_control=0.38, n_treatment=n,
    ...                  n_control=n) for t in ("chi2", "fisher") for n in range(50, 251, 50)]
    >>> figure = power_plot(runs)
    >>> len(figure.axes[0].lines)  # two tests and the target line
    3
    """
    runs = results_of(results, PowerResult)
    x = check_choice(x, "x", _X)
    check_title_and_path(title, path)
    if target is not None:
        target = check_real(target, "target")
        if not 0.0 < target < 1.0:
            raise InvalidInputError(
                f"`target` must lie strictly between 0 and 1, or be None (got {target!r})"
            )
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in tests
        raise ImportError("plots need matplotlib: pip install 'rctkit[plot]'") from exc

    lines: dict[str, list[PowerResult]] = {}
    for run in runs:
        lines.setdefault(_label(run), []).append(run)
    first = runs[0]
    with rc_context({"text.usetex": False}):
        figure = Figure(figsize=(6.0, 4.0), layout="constrained")
        ax = figure.add_subplot()
        for i, (label, group) in enumerate(lines.items()):
            xs = np.array(
                [r.n_treatment + r.n_control if x == "total" else getattr(r, x) for r in group],
                dtype=float,
            )
            ys = np.array([r.power for r in group])
            order = np.argsort(xs, kind="stable")
            ax.plot(
                xs[order],
                ys[order],
                marker=MARKERS[i % len(MARKERS)] if len(group) <= 60 else None,
                markersize=3.0,
                linewidth=1.0,
                label=escape_text(label),
            )
        if target is not None:
            ax.axhline(target, color="0.3", linestyle="--", linewidth=0.8)
        ax.set_xlabel(escape_text(_X_LABELS[x]), **LITERAL)
        ax.set_ylabel(f"Power (alpha {first.alpha:g})", **LITERAL)
        ax.set_ylim(0.0, 1.0)
        if title is None:
            title = (
                f"Risks {first.p_treatment:g} (treatment) vs {first.p_control:g} (control)"
                if x in ("n_control", "n_treatment", "total")
                else f"{first.n_treatment} vs {first.n_control} per arm"
            )
        finish(figure, ax, title=title, legend="Test", path=path)
    return figure

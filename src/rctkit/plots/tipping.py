"""The tipping-point plot: the grid of completed tables as a heat map, with the boundary
where the conclusion changes.

Like the other figures, it is a ``matplotlib.figure.Figure`` built without pyplot (unless
an axis is passed in), and every label is drawn as plain text (no mathtext, never TeX).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from rctkit._validation import check_choice
from rctkit.errors import InvalidInputError
from rctkit.formatting import escape_text
from rctkit.results import MEASURE_LABELS, short_number
from rctkit.results.tipping import TippingPointResult, p_at_alpha

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["tipping_point_plot"]

_LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}


def _boundary_xy(result: TippingPointResult) -> tuple[list[float], list[float]]:
    """The cell edges between cells whose conclusions differ, as one polyline with nan
    breaks (x is the control count j, y the treatment count i)."""
    xs: list[float] = []
    ys: list[float] = []
    for (i, j), (k, _) in result.boundary:
        if k == i + 1:  # neighbours in i: a horizontal edge at i + 0.5
            xs += [j - 0.5, j + 0.5, np.nan]
            ys += [i + 0.5, i + 0.5, np.nan]
        else:  # neighbours in j: a vertical edge at j + 0.5
            xs += [j + 0.5, j + 0.5, np.nan]
            ys += [i - 0.5, i + 0.5, np.nan]
    return xs, ys


def tipping_point_plot(
    result: TippingPointResult,
    *,
    ax: Axes | None = None,
    quantity: str = "pvalue",
    annotate: bool = True,
) -> Figure:
    """Draw a tipping-point analysis as a heat map of its grid.

    Parameters
    ----------
    result : TippingPointResult
        From :func:`rctkit.tipping_point`.
    ax : matplotlib.axes.Axes, optional
        The axis to draw on; by default a new figure (built without pyplot).
    quantity : {"pvalue", "estimate"}, optional
        The colour of each cell: its p-value (default; the colour scale is centred on
        ``alpha``) or its effect estimate.
    annotate : bool, optional
        Write each cell's value in it (default True; p-values by
        :func:`rctkit.formatting.format_p`, never rounded across ``alpha``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure of the axis. The horizontal axis is ``j``, the missing control
        participants given the event; the vertical axis is ``i``, the missing treatment
        participants given the event (0 at the bottom). Cells where the conclusion does not
        hold are hatched, a thick black line runs along the cell edges where it changes,
        and a white diamond marks the observed case: it is drawn where the missing
        participants of each arm have that arm's observed risk (``i = m1 e1 / n1``,
        ``j = m0 e0 / n0``), the completion the complete-case analysis assumes on average.

    Raises
    ------
    InvalidInputError
        If ``result`` is not a TippingPointResult or ``quantity`` is not one allowed.

    Examples
    --------
    >>> import rctkit as rk
    >>> from rctkit.io import example_trial
    >>> from rctkit.plots import tipping_point_plot
    >>> figure = tipping_point_plot(rk.tipping_point(example_trial()))
    >>> figure.axes[0].get_xlabel()
    'Control: events among the 4 missing (j)'
    """
    if not isinstance(result, TippingPointResult):
        raise InvalidInputError(
            f"`result` must be a TippingPointResult (got {type(result).__name__})"
        )
    quantity = check_choice(quantity, "quantity", ("pvalue", "estimate"))
    try:
        from matplotlib import rc_context
        from matplotlib.colors import TwoSlopeNorm
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in tests
        raise ImportError("plots need matplotlib: pip install 'rctkit[plot]'") from exc

    m1, m0 = result.missing
    values = result.pvalue if quantity == "pvalue" else result.estimate
    with rc_context({"text.usetex": False}):
        if ax is None:
            figure = Figure(figsize=(3.0 + 0.8 * (m0 + 1), 2.4 + 0.5 * (m1 + 1)))
            figure.set_layout_engine("constrained")
            ax = figure.add_subplot()
        else:
            figure = ax.get_figure()  # type: ignore[assignment]
        if quantity == "pvalue":
            top = max(float(np.nanmax(values)), result.alpha * 1.0001)
            norm = TwoSlopeNorm(vcenter=result.alpha, vmin=0.0, vmax=top)
            image = ax.imshow(values, origin="lower", cmap="RdBu", norm=norm, aspect="auto")
            bar_label = f"p-value ({escape_text(result.test)})"
        else:
            image = ax.imshow(values, origin="lower", cmap="viridis", aspect="auto")
            bar_label = MEASURE_LABELS.get(result.measure, result.measure)
        colorbar = figure.colorbar(image, ax=ax)
        colorbar.set_label(escape_text(bar_label), **_LITERAL)
        fails = np.argwhere(~result.holds)
        for i, j in fails:
            ax.add_patch(_hatch(float(j), float(i)))
        if annotate:
            for i in range(m1 + 1):
                for j in range(m0 + 1):
                    v = float(values[i, j])
                    text = (
                        p_at_alpha(v, result.alpha, prefix=False)
                        if quantity == "pvalue"
                        else short_number(v)
                    )
                    ax.text(
                        j,
                        i,
                        text,
                        ha="center",
                        va="center",
                        fontsize=8,
                        bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none"},
                        **_LITERAL,
                    )
        xs, ys = _boundary_xy(result)
        ax.plot(xs, ys, color="black", linewidth=2.5, label="Where the conclusion changes")
        obs = result.observed
        ax.plot(
            [m0 * obs.control_events / obs.control_total],
            [m1 * obs.treatment_events / obs.treatment_total],
            marker="D",
            markersize=8,
            markerfacecolor="white",
            markeredgecolor="black",
            linestyle="none",
            label="Observed case (missing at the arm's observed risk)",
        )
        ax.set_xticks(range(m0 + 1))
        ax.set_yticks(range(m1 + 1))
        ax.set_xlim(-0.5, m0 + 0.5)
        ax.set_ylim(-0.5, m1 + 0.5)
        ax.set_xlabel(f"Control: events among the {m0} missing (j)", **_LITERAL)
        ax.set_ylabel(f"Treatment: events among\nthe {m1} missing (i)", **_LITERAL)
        title = "Tipping-point analysis"
        if result.outcome:
            title = f"{title}: {escape_text(result.outcome)}"
        ax.set_title(title, fontsize=10, **_LITERAL)
        legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=7)
        for text_item in legend.get_texts():
            text_item.set(**_LITERAL)
    return figure


def _hatch(x: float, y: float) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x - 0.5, y - 0.5), 1.0, 1.0, fill=False, hatch="//", edgecolor="0.35", linewidth=0
    )

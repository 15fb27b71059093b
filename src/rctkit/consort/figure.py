"""The CONSORT diagram as a matplotlib figure (matplotlib imported when called)."""

from __future__ import annotations

import math
import numbers
from typing import Any

from rctkit.consort.boxes import _flow
from rctkit.consort.layout import _FONT, _INK, _head, _layout, _Rect, _Text
from rctkit.errors import InvalidInputError
from rctkit.model import Trial


def _check_dpi(dpi: Any) -> float:
    if isinstance(dpi, bool) or not isinstance(dpi, numbers.Real) or not 0 < float(dpi) < math.inf:
        raise InvalidInputError(f"`dpi` must be a positive finite number (got {dpi!r})")
    return float(dpi)


def consort_figure(trial: Trial, *, dpi: float = 100.0) -> Any:
    """The CONSORT flow diagram as a matplotlib figure, laid out as :func:`consort_svg`.

    Parameters
    ----------
    trial : Trial
        The trial.
    dpi : float, optional
        Dots per inch; the figure's size in inches is its size in pixels (as in the SVG)
        divided by 100, whatever ``dpi`` is, so that text keeps its place.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not registered with ``matplotlib.pyplot`` (no window opens); save it with
        ``fig.savefig("consort.png")`` or ``.pdf``.

    Raises
    ------
    InvalidInputError
        If ``trial`` is not a :class:`~rctkit.Trial` or ``dpi`` is not a positive number.
    ImportError
        If matplotlib is not installed (``pip install "rctkit[plot]"``).

    Notes
    -----
    Every label is drawn as literal text (``parse_math=False``, ``usetex=False``): "$x$"
    shows its dollar signs, whatever ``rcParams["text.usetex"]`` says. Labels are on one
    line, control characters shown as U+FFFD (:func:`~rctkit.formatting.one_line`).

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> fig = consort_figure(example_trial())
    >>> fig.get_size_inches().round(2)
    array([8.3 , 4.95])
    """
    flow = _flow(trial)
    dpi = _check_dpi(dpi)
    try:
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyBboxPatch, Polygon, Rectangle
    except ImportError as exc:
        raise ImportError(
            'consort_figure needs matplotlib; install it with `pip install "rctkit[plot]"` '
            "(consort_svg draws the same diagram without it)"
        ) from exc
    layout = _layout(flow)
    scale = 100.0  # layout pixels per inch
    fig = Figure(figsize=(layout.width / scale, layout.height / scale), dpi=dpi)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)
    ax.set_axis_off()
    points = _FONT * 72.0 / scale
    for shape in layout.shapes:
        if isinstance(shape, _Rect):
            patch: Any
            if shape.rounded:
                patch = FancyBboxPatch(
                    (shape.x, shape.y),
                    shape.w,
                    shape.h,
                    boxstyle="round,pad=0,rounding_size=8",
                    facecolor=shape.fill,
                    edgecolor=_INK,
                    linewidth=0.9,
                )
            else:
                patch = Rectangle(
                    (shape.x, shape.y),
                    shape.w,
                    shape.h,
                    facecolor=shape.fill,
                    edgecolor=_INK,
                    linewidth=0.9,
                )
            ax.add_patch(patch)
        elif isinstance(shape, _Text):
            ax.text(
                shape.x,
                shape.y,
                shape.text,
                ha="center" if shape.anchor == "middle" else "left",
                va="baseline",
                fontsize=points,
                fontweight="bold" if shape.bold else "normal",
                family=["DejaVu Sans", "sans-serif"],  # the widths _text_width estimates
                # Labels are text: "$x$" is not mathtext, and no rcParams can make it TeX.
                parse_math=False,
                usetex=False,
            )
        else:
            xs = [p[0] for p in shape.points]
            ys = [p[1] for p in shape.points]
            ax.plot(xs, ys, color=_INK, linewidth=0.9, solid_capstyle="butt")
            if shape.arrow:
                ax.add_patch(Polygon(_head(shape), closed=True, facecolor=_INK, edgecolor=_INK))
    return fig

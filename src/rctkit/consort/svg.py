"""The CONSORT diagram as SVG text."""

from __future__ import annotations

import math

from rctkit.consort.boxes import _flow
from rctkit.consort.layout import (
    _FONT,
    _FONT_FAMILY,
    _HEAD_LENGTH,
    _INK,
    _head,
    _layout,
    _Rect,
    _Text,
)
from rctkit.formatting import escape_xml
from rctkit.model import Trial


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def consort_svg(trial: Trial) -> str:
    """The CONSORT flow diagram as SVG text.

    The two-arm layout of the CONSORT 2010 template: "Assessed for eligibility" on top with
    the exclusion box (and its reasons) to the side, "Randomized", then a column per arm
    (treatment on the left) with the allocation, follow-up and analysis boxes, and the stage
    labels on the left. Counts not reported read "not reported"; counts fixed by the flow's
    arithmetic are filled in as in :func:`consort_text`. The analysis boxes list the trial's
    populations with each arm's count after "Analysed" and the exclusions, and grow to hold
    them.

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    str
        A standalone ``<svg>`` element (no XML declaration, so it can be inlined in HTML);
        every text goes through :func:`~rctkit.formatting.escape_xml`, so a label shows as
        its literal text (on one line, control characters as U+FFFD). Write it to a
        ``.svg`` file in UTF-8.

    Notes
    -----
    The SVG is built as text, with no dependency. Text is wrapped to fit its box by an
    estimate of its width (0.6 font sizes per character, the average advance of DejaVu Sans
    and Verdana, the fonts asked for first; narrower fonts leave more room).

    Examples
    --------
    >>> import xml.etree.ElementTree as ET
    >>> from rctkit.trialfile import example_trial
    >>> svg = consort_svg(example_trial())
    >>> ET.fromstring(svg).tag
    '{http://www.w3.org/2000/svg}svg'
    """
    layout = _layout(_flow(trial))
    w, h = _fmt(layout.width), _fmt(layout.height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" font-family="{escape_xml(_FONT_FAMILY)}" '
        f'font-size="{_fmt(_FONT)}">',
        f"<title>{escape_xml(layout.title)}</title>",
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
    ]
    for shape in layout.shapes:
        if isinstance(shape, _Rect):
            radius = ' rx="8" ry="8"' if shape.rounded else ""
            out.append(
                f'<rect x="{_fmt(shape.x)}" y="{_fmt(shape.y)}" width="{_fmt(shape.w)}" '
                f'height="{_fmt(shape.h)}"{radius} fill="{shape.fill}" stroke="{_INK}" '
                f'stroke-width="1.2"/>'
            )
        elif isinstance(shape, _Text):
            weight = ' font-weight="bold"' if shape.bold else ""
            anchor = ' text-anchor="middle"' if shape.anchor == "middle" else ""
            out.append(
                f'<text x="{_fmt(shape.x)}" y="{_fmt(shape.y)}"{anchor}{weight} '
                f'xml:space="preserve">{escape_xml(shape.text)}</text>'
            )
        else:
            points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in shape.points)
            if shape.arrow:
                # Stop the line at the arrowhead's base so its end does not poke through.
                (x0, y0), (x1, y1) = shape.points[-2], shape.points[-1]
                length = math.hypot(x1 - x0, y1 - y0)
                cut = (length - _HEAD_LENGTH) / length
                end = (x0 + cut * (x1 - x0), y0 + cut * (y1 - y0))
                kept = (*shape.points[:-1], end)
                points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in kept)
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{_INK}" stroke-width="1.2"/>'
            )
            if shape.arrow:
                head = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in _head(shape))
                out.append(f'<polygon points="{head}" fill="{_INK}"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"

"""The CONSORT diagram's geometry: boxes, text and arrows in pixels, text widths, wrapping."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

import attrs

from rctkit.consort.boxes import _ALLOCATION, _ENROLLMENT, _NO_REASONS, _STAGES, _Entry, _Flow

_FONT = 13.0  # font size, px
_LINE = 17.0  # line height, px
_PAD = 8.0  # padding inside boxes
_BULLET = 14.0  # indent of a bullet
_MARGIN = 12.0
_SIDE_W = 104.0  # the stage labels' column
_GAP = 22.0  # between the stage labels and the columns
_COL_W = 320.0  # each arm's column
_COL_GAP = 40.0
_V_GAP = 30.0  # between rows; holds an arrow
_FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
_LABEL_FILL = "#cfe2f3"
_INK = "#000000"


@attrs.frozen
class _Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str = "#ffffff"
    rounded: bool = False


@attrs.frozen
class _Text:
    x: float
    y: float  # the baseline
    text: str
    anchor: str = "start"  # or "middle"
    bold: bool = False


@attrs.frozen
class _Line:
    points: tuple[tuple[float, float], ...]
    arrow: bool = False  # an arrowhead at the last point


@attrs.frozen
class _Layout:
    width: float
    height: float
    shapes: tuple[_Rect | _Text | _Line, ...]
    title: str


_NARROW = frozenset(" \u00a0ijlftrI.,:;'!|()[]{}/\\-")
_WIDE = frozenset("mwMW@%&")


def _char_width(char: str) -> float:
    """Estimated advance of ``char`` in font sizes (classes of DejaVu Sans's advances)."""
    if char in _NARROW:
        return 0.36
    if char in _WIDE:
        return 0.95
    if char.isascii() and char.islower():
        return 0.62
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    return 0.72  # capitals, digits, symbols and other scripts


def _text_width(text: str, bold: bool = False) -> float:
    """Estimated width of ``text`` in pixels, with 4% to spare for a wider fallback font."""
    return 1.04 * _FONT * (1.12 if bold else 1.0) * sum(_char_width(c) for c in text)


def _wrap(text: str, width: float, bold: bool) -> list[str]:
    """Greedy word wrap to ``width`` pixels; no-break spaces hold, over-long words are cut."""

    def fits(line: str) -> bool:
        return _text_width(line, bold) <= width

    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
        elif fits(word):
            lines.append(line)
            line = word
        else:  # too long for any line: cut it, filling the current line first
            while len(candidate) > 1 and not fits(candidate):
                cut = 1
                while fits(candidate[: cut + 1]):
                    cut += 1
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            line = candidate
    lines.append(line)
    return lines


def _entry_items(entry: _Entry, level: int) -> list[tuple[int, str, bool]]:
    """(indent level, text, bold) items of one entry: its heading, then its reasons."""
    bullet = "\u2022 " if level else ""
    items = [(level, bullet + entry.heading(), level == 0)]
    items += [
        (level + 1, f"\u2013 {r.reason} (n\u00a0=\u00a0{r.count})", False) for r in entry.reasons
    ]
    if entry.reasons_missing:
        items.append((level + 1, f"\u2013 {_NO_REASONS}", False))
    return items


def _wrap_items(
    items: Sequence[tuple[int, str, bool]], width: float
) -> list[tuple[float, str, bool]]:
    """Wrap items to ``width`` px: (x offset, line, bold), hanging after a bullet or dash."""
    lines: list[tuple[float, str, bool]] = []
    for level, text, bold in items:
        offset = level * _BULLET
        hang = _text_width(text[:2], bold) if level else 0.0
        first, *rest = _wrap(text, width - offset, bold)
        lines.append((offset, first, bold))
        if rest:
            more = _wrap(" ".join(rest), width - offset - hang, bold)
            lines += [(offset + hang, line, bold) for line in more]
    return lines


def _box_height(n_lines: int) -> float:
    return 2 * _PAD + n_lines * _LINE - (_LINE - _FONT) + 2.0


def _text_box(
    shapes: list[_Rect | _Text | _Line],
    x: float,
    y: float,
    w: float,
    h: float,
    lines: Sequence[tuple[float, str, bool]],
    *,
    centre: bool = False,
    fill: str = "#ffffff",
    rounded: bool = False,
) -> None:
    """A box with ``lines`` centred in it, or from its top-left corner (``centre=False``)."""
    shapes.append(_Rect(x, y, w, h, fill, rounded))
    top = y + _PAD + _FONT + ((h - _box_height(len(lines))) / 2 if centre else 0.0)
    for i, (offset, text, bold) in enumerate(lines):
        baseline = top + i * _LINE
        if centre:
            shapes.append(_Text(x + w / 2, baseline, text, "middle", bold))
        else:
            shapes.append(_Text(x + _PAD + offset, baseline, text, "start", bold))


def _layout(flow: _Flow) -> _Layout:
    shapes: list[_Rect | _Text | _Line] = []
    x_left = _MARGIN + _SIDE_W + _GAP
    x_right = x_left + _COL_W + _COL_GAP
    right_edge = x_right + _COL_W
    centre = (x_left + right_edge) / 2
    width = right_edge + _MARGIN

    # Enrollment: assessed, the exclusion box to the right, randomized.
    def centred(entry: _Entry, max_w: float) -> tuple[float, list[tuple[float, str, bool]]]:
        text = entry.heading()
        w = min(max_w, max(200.0, _text_width(text, True) + 2 * _PAD + 16))
        return w, _wrap_items([(0, text, True)], w - 2 * _PAD)

    y = _MARGIN
    w_assessed, assessed = centred(flow.assessed, 2 * _COL_W)
    h_assessed = _box_height(len(assessed))
    _text_box(shapes, centre - w_assessed / 2, y, w_assessed, h_assessed, assessed, centre=True)
    enrol_top = y
    y += h_assessed

    x_excl = centre + 30.0
    w_excl = right_edge - x_excl
    excluded = _wrap_items(_entry_items(flow.excluded, 0), w_excl - 2 * _PAD)
    h_excl = _box_height(len(excluded))
    y_excl = y + _V_GAP / 2 + 4
    _text_box(shapes, x_excl, y_excl, w_excl, h_excl, excluded)
    shapes.append(_Line(((centre, y_excl + h_excl / 2), (x_excl, y_excl + h_excl / 2)), True))

    y_rand = y_excl + h_excl + _V_GAP / 2 + 4
    shapes.append(_Line(((centre, y), (centre, y_rand)), True))
    w_rand, randomized = centred(flow.randomized, 2 * _COL_W)
    h_rand = _box_height(len(randomized))
    _text_box(shapes, centre - w_rand / 2, y_rand, w_rand, h_rand, randomized, centre=True)
    y = y_rand + h_rand
    rows = [(_ENROLLMENT, enrol_top, y)]

    # Split into the two columns.
    y_split = y + _V_GAP / 2
    mid_left, mid_right = x_left + _COL_W / 2, x_right + _COL_W / 2
    shapes.append(_Line(((centre, y), (centre, y_split))))
    shapes.append(_Line(((mid_left, y_split), (mid_right, y_split))))
    y = y_split + _V_GAP / 2 + 4
    shapes.append(_Line(((mid_left, y_split), (mid_left, y)), True))
    shapes.append(_Line(((mid_right, y_split), (mid_right, y)), True))

    for stage, attr in _STAGES:
        if stage != _ALLOCATION:
            for mid in (mid_left, mid_right):
                shapes.append(_Line(((mid, y), (mid, y + _V_GAP)), True))
            y += _V_GAP
        columns = []
        for arm in flow.arms:
            entries: tuple[_Entry, ...] = getattr(arm, attr)
            items: list[tuple[int, str, bool]] = []
            for i, entry in enumerate(entries):
                # Allocation and analysis: one heading with bulleted sub-boxes (as in the
                # template); follow-up: two headings of equal rank.
                level = 1 if i and attr != "follow_up" else 0
                if attr == "allocation" and i == 0:
                    entry = attrs.evolve(entry, label=f"Allocated to {arm.label}")
                items += _entry_items(entry, level)
            if attr == "analysis":
                # The analysis populations: headings of the same rank as "Analysed".
                for entry in arm.populations:
                    items += _entry_items(entry, 0)
            columns.append(_wrap_items(items, _COL_W - 2 * _PAD))
        h = max(_box_height(len(lines)) for lines in columns)
        for x, lines in zip((x_left, x_right), columns, strict=True):
            _text_box(shapes, x, y, _COL_W, h, lines)
        rows.append((stage, y, y + h))
        y += h

    for stage, top, bottom in rows:
        lines = _wrap_items([(0, stage, True)], _SIDE_W - 2 * _PAD)
        _text_box(
            shapes,
            _MARGIN,
            top,
            _SIDE_W,
            bottom - top,
            lines,
            centre=True,
            fill=_LABEL_FILL,
            rounded=True,
        )
    return _Layout(width, y + _MARGIN, tuple(shapes), f"CONSORT flow diagram: {flow.title}")


_HEAD_LENGTH = 8.0
_HEAD_WIDTH = 6.0


def _head(line: _Line) -> tuple[tuple[float, float], ...]:
    """The triangle of an arrowhead at the end of ``line``."""
    (x0, y0), (x1, y1) = line.points[-2], line.points[-1]
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    bx, by = x1 - _HEAD_LENGTH * ux, y1 - _HEAD_LENGTH * uy
    half = _HEAD_WIDTH / 2
    return ((x1, y1), (bx - half * uy, by + half * ux), (bx + half * uy, by - half * ux))

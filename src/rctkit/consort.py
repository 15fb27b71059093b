"""The CONSORT participant flow: its consistency rules, and the flow as text, table and diagram.

A :class:`~rctkit.Trial` holds the flow: the enrolment box (assessed for eligibility, excluded
with reasons) and, per arm, allocated, received, did not receive, lost to follow-up,
discontinued, analysed and excluded from analysis, each list of reasons with counts.
:func:`flow_problems` states the arithmetic every flow obeys; :func:`consort` wraps a trial
for display: plain text, Markdown, an SVG diagram in the two-arm layout of the CONSORT 2010
flow diagram template, and a matplotlib figure with the same layout.

The boxes are worded as in the CONSORT 2010 template ("Enrollment", "Randomized",
"Follow-Up", "Analysed"), so that the diagram reads as the one journals ask for.

References
----------
.. [1] Schulz KF, Altman DG, Moher D, for the CONSORT Group. CONSORT 2010 Statement: updated
   guidelines for reporting parallel group randomised trials. BMJ 2010;340:c332.
.. [2] Hopewell S, Chan AW, Collins GS, et al. CONSORT 2025 statement: updated guideline for
   reporting randomised trials. BMJ 2025;388:e081123.
"""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import attrs

from rctkit.errors import InvalidInputError
from rctkit.model import Reason, Trial, flow_problems, total_of

__all__ = [
    "ConsortFlow",
    "consort",
    "consort_figure",
    "consort_markdown",
    "consort_svg",
    "consort_text",
    "flow_problems",
]

NOT_REPORTED = "not reported"

# Wording of the boxes, as in the CONSORT 2010 flow diagram template.
_ENROLLMENT = "Enrollment"
_ASSESSED = "Assessed for eligibility"
_EXCLUDED = "Excluded"
_RANDOMIZED = "Randomized"
_ALLOCATION = "Allocation"
_ALLOCATED = "Allocated"
_RECEIVED = "Received allocated intervention"
_DID_NOT_RECEIVE = "Did not receive allocated intervention"
_FOLLOW_UP = "Follow-Up"
_LOST = "Lost to follow-up"
_DISCONTINUED = "Discontinued intervention"
_ANALYSIS = "Analysis"
_ANALYSED = "Analysed"
_EXCLUDED_FROM_ANALYSIS = "Excluded from analysis"
_NO_REASONS = "reasons not reported"
# The stages below randomization and the attribute of _ArmFlow holding each.
_STAGES = ((_ALLOCATION, "allocation"), (_FOLLOW_UP, "follow_up"), (_ANALYSIS, "analysis"))


# --------------------------------------------------------------------------------------------
# The flow as boxes: counts given, or derived where the arithmetic fixes them
# --------------------------------------------------------------------------------------------


@attrs.frozen
class _Entry:
    """One count of the flow: a label, the count (None when not reported) and the reasons."""

    label: str
    count: int | None
    reasons: tuple[Reason, ...] = ()
    reasons_missing: bool = False  # a positive count whose reasons were not given

    def heading(self) -> str:
        """The heading, "Label (n = 12)" or "Label: not reported"; no-break spaces hold."""
        if self.count is None:
            return f"{self.label}:\u00a0{NOT_REPORTED}"
        return f"{self.label} (n\u00a0=\u00a0{self.count})"

    def numbers(self) -> list[int]:
        out = [] if self.count is None else [self.count]
        return out + [r.count for r in self.reasons]


def _sum_or_none(reasons: tuple[Reason, ...]) -> int | None:
    return total_of(reasons) if reasons else None


def _split(
    allocated: int,
    label: str,
    count: int | None,
    rest_label: str,
    rest: tuple[Reason, ...],
) -> tuple[_Entry, _Entry]:
    """A box and its complement within the allocated participants; one fixes the other."""
    rest_count = _sum_or_none(rest)
    if count is None and rest_count is not None and rest_count <= allocated:
        count = allocated - rest_count
    if rest_count is None and count is not None and count <= allocated:
        rest_count = allocated - count
    missing = not rest and bool(rest_count)
    return (_Entry(label, count), _Entry(rest_label, rest_count, rest, missing))


@attrs.frozen
class _ArmFlow:
    label: str
    allocation: tuple[_Entry, ...]
    follow_up: tuple[_Entry, ...]
    analysis: tuple[_Entry, ...]


@attrs.frozen
class _Flow:
    title: str
    assessed: _Entry
    excluded: _Entry
    randomized: _Entry
    arms: tuple[_ArmFlow, _ArmFlow]

    def numbers(self) -> list[int]:
        out = self.assessed.numbers() + self.excluded.numbers() + self.randomized.numbers()
        for arm in self.arms:
            for entry in arm.allocation + arm.follow_up + arm.analysis:
                out += entry.numbers()
        return out


def _clean(text: str) -> str:
    """``text`` on one line, without the control characters that XML and tables refuse."""
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029\ufffe\uffff" else c
        for c in text
    )
    return re.sub(r"[ \t\n\r\f\v]+", " ", text).strip()


def _clean_reasons(reasons: tuple[Reason, ...]) -> tuple[Reason, ...]:
    return tuple(Reason(_clean(r.reason), r.count) for r in reasons)


def _flow(trial: Trial) -> _Flow:
    """The boxes of ``trial``'s flow, with the counts that the arithmetic fixes filled in."""
    trial = _trial(trial)
    randomized = sum(arm.allocated for arm in trial.arms)
    enrolment = trial.enrolment
    assessed = None if enrolment is None else enrolment.assessed
    reasons = () if enrolment is None else _clean_reasons(enrolment.excluded)
    excluded = _sum_or_none(reasons)
    if excluded is None and assessed is not None and assessed >= randomized:
        excluded = assessed - randomized
    arms = []
    for arm in trial.arms:
        received, not_received = _split(
            arm.allocated,
            _RECEIVED,
            arm.received,
            _DID_NOT_RECEIVE,
            _clean_reasons(arm.did_not_receive),
        )
        analysed, not_analysed = _split(
            arm.allocated,
            _ANALYSED,
            arm.analysed,
            _EXCLUDED_FROM_ANALYSIS,
            _clean_reasons(arm.excluded_from_analysis),
        )
        lost, discontinued = (
            _clean_reasons(arm.lost_to_follow_up),
            _clean_reasons(arm.discontinued),
        )
        arms.append(
            _ArmFlow(
                label=_clean(arm.label),
                allocation=(_Entry(_ALLOCATED, arm.allocated), received, not_received),
                follow_up=(
                    _Entry(_LOST, _sum_or_none(lost), lost),
                    _Entry(_DISCONTINUED, _sum_or_none(discontinued), discontinued),
                ),
                analysis=(analysed, not_analysed),
            )
        )
    return _Flow(
        title=_clean(trial.title),
        assessed=_Entry(_ASSESSED, assessed),
        excluded=_Entry(_EXCLUDED, excluded, reasons, not reasons and bool(excluded)),
        randomized=_Entry(_RANDOMIZED, randomized),
        arms=(arms[0], arms[1]),
    )


# --------------------------------------------------------------------------------------------
# Text and Markdown
# --------------------------------------------------------------------------------------------

_WIDTH = 88


def _text_lines(entry: _Entry, indent: int) -> list[str]:
    lines = [(indent, entry.heading())]
    lines += [(indent + 2, f"- {r.reason} (n\u00a0=\u00a0{r.count})") for r in entry.reasons]
    if entry.reasons_missing:
        lines.append((indent + 2, f"- {_NO_REASONS}"))
    out = []
    for level, text in lines:
        hang = level + 2 if text.startswith("- ") else level + 4
        wrapped = textwrap.wrap(
            text,
            _WIDTH,
            initial_indent=" " * level,
            subsequent_indent=" " * hang,
            break_on_hyphens=False,
        )
        out += [w.replace("\u00a0", " ") for w in wrapped]
    return out


def consort_text(trial: Trial) -> str:
    """The participant flow as plain text, stage by stage and arm by arm.

    Counts that the trial does not give are printed as "not reported". A count that the
    arithmetic of the flow fixes is filled in (see Notes).

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    str
        The flow, lines of at most 88 characters, ending with a newline.

    Notes
    -----
    Filled-in counts: excluded = assessed - randomized when the reasons are not given; did
    not receive = allocated - received, and the reverse; excluded from analysis = allocated -
    analysed, and the reverse (the intention-to-treat convention of :func:`flow_problems`).
    Reasons that were not given for a positive count are shown as "reasons not reported".

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(consort_text(example_trial()))  # doctest: +ELLIPSIS
    Participant flow (CONSORT): CORE: peer-supported self-management after crisis care
    <BLANKLINE>
    Enrollment
      Assessed for eligibility: not reported
      Excluded: not reported
      Randomized (n = 441)
    <BLANKLINE>
    Allocation
      Peer-supported self-management
        Allocated (n = 221)
        Received allocated intervention: not reported
    ...
    Analysis
      Peer-supported self-management
        Analysed (n = 218)
        Excluded from analysis (n = 3)
          - reasons not reported
    ...
    """
    flow = _flow(trial)
    lines = [f"Participant flow (CONSORT): {flow.title}", "", _ENROLLMENT]
    for entry in (flow.assessed, flow.excluded, flow.randomized):
        lines += _text_lines(entry, 2)
    for stage, attr in _STAGES:
        lines += ["", stage]
        for arm in flow.arms:
            lines.append(f"  {arm.label}")
            for entry in getattr(arm, attr):
                lines += _text_lines(entry, 4)
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape the characters that Markdown (and the HTML inside it) would interpret."""
    for char in "\\`*_[]#|":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _md_cell(entry: _Entry) -> str:
    if entry.count is None:
        return NOT_REPORTED
    cell = str(entry.count)
    if entry.reasons:
        cell += " (" + "; ".join(f"{_md(r.reason)}: {r.count}" for r in entry.reasons) + ")"
    elif entry.reasons_missing:
        cell += f" ({_NO_REASONS})"
    return cell


def consort_markdown(trial: Trial) -> str:
    """The participant flow in Markdown: the enrolment as a list, then a table of the arms.

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    str
        Markdown (a bulleted list and a pipe table), ending with a newline. Reasons follow
        their count in parentheses; missing counts read "not reported". Counts are filled in
        as in :func:`consort_text`.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(consort_markdown(example_trial()))  # doctest: +ELLIPSIS
    **Enrollment**
    <BLANKLINE>
    - Assessed for eligibility: not reported
    - Excluded: not reported
    - Randomized: 441
    <BLANKLINE>
    | | Peer-supported self-management | Workbook by post (control) |
    |---|---|---|
    | **Allocation** | | |
    | Allocated | 221 | 220 |
    ...
    | Excluded from analysis | 3 (reasons not reported) | 4 (reasons not reported) |
    """
    flow = _flow(trial)
    lines = [f"**{_ENROLLMENT}**", ""]
    lines.append(f"- {_ASSESSED}: {_md_cell(flow.assessed)}")
    lines.append(f"- {_EXCLUDED}: {_md_cell(flow.excluded)}")
    lines.append(f"- {_RANDOMIZED}: {_md_cell(flow.randomized)}")
    lines.append("")
    treatment, control = flow.arms
    lines.append(f"| | {_md(treatment.label)} | {_md(control.label)} |")
    lines.append("|---|---|---|")
    for stage, attr in _STAGES:
        lines.append(f"| **{stage}** | | |")
        for t, c in zip(getattr(treatment, attr), getattr(control, attr), strict=True):
            lines.append(f"| {t.label} | {_md_cell(t)} | {_md_cell(c)} |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The diagram: a layout of shapes in pixels, drawn as SVG text or with matplotlib
# --------------------------------------------------------------------------------------------

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


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def consort_svg(trial: Trial) -> str:
    """The CONSORT flow diagram as SVG text.

    The two-arm layout of the CONSORT 2010 template: "Assessed for eligibility" on top with
    the exclusion box (and its reasons) to the side, "Randomized", then a column per arm
    (treatment on the left) with the allocation, follow-up and analysis boxes, and the stage
    labels on the left. Counts not reported read "not reported"; counts fixed by the flow's
    arithmetic are filled in as in :func:`consort_text`.

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    str
        A standalone ``<svg>`` element (no XML declaration, so it can be inlined in HTML);
        every text is XML-escaped. Write it to a ``.svg`` file in UTF-8.

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
        f'viewBox="0 0 {w} {h}" role="img" font-family={quoteattr(_FONT_FAMILY)} '
        f'font-size="{_fmt(_FONT)}">',
        f"<title>{escape(layout.title)}</title>",
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
                f'xml:space="preserve">{escape(shape.text)}</text>'
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
        A figure not registered with :mod:`matplotlib.pyplot` (no window opens); save it with
        ``fig.savefig("consort.png")`` or ``.pdf``.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install "rctkit[plot]"``).

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> fig = consort_figure(example_trial())
    >>> fig.get_size_inches().round(2)
    array([8.3 , 4.95])
    """
    flow = _flow(trial)
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
            )
        else:
            xs = [p[0] for p in shape.points]
            ys = [p[1] for p in shape.points]
            ax.plot(xs, ys, color=_INK, linewidth=0.9, solid_capstyle="butt")
            if shape.arrow:
                ax.add_patch(Polygon(_head(shape), closed=True, facecolor=_INK, edgecolor=_INK))
    return fig


# --------------------------------------------------------------------------------------------
# The notebook object
# --------------------------------------------------------------------------------------------


def _trial(value: Any) -> Trial:
    if not isinstance(value, Trial):
        raise InvalidInputError(f"`trial` must be a Trial (got {type(value).__name__})")
    return value


@attrs.frozen(repr=False)
class ConsortFlow:
    """A trial's CONSORT participant flow, for display.

    In a notebook it shows as the flow diagram (SVG). Build it with :func:`consort`.

    Parameters
    ----------
    trial : Trial
        The trial.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> flow = consort(example_trial())
    >>> flow
    ConsortFlow('CORE: peer-supported self-management after crisis care', randomized=441)
    >>> flow.to_svg().startswith("<svg")
    True
    """

    trial: Trial = attrs.field(converter=_trial)

    def __repr__(self) -> str:
        randomized = sum(arm.allocated for arm in self.trial.arms)
        return f"ConsortFlow({self.trial.title!r}, randomized={randomized})"

    def _repr_html_(self) -> str:
        return self.to_svg()

    def to_svg(self) -> str:
        """The flow diagram as SVG text; see :func:`consort_svg`."""
        return consort_svg(self.trial)

    def to_text(self) -> str:
        """The flow as plain text; see :func:`consort_text`."""
        return consort_text(self.trial)

    def to_markdown(self) -> str:
        """The flow in Markdown; see :func:`consort_markdown`."""
        return consort_markdown(self.trial)

    def figure(self, *, dpi: float = 100.0) -> Any:
        """The flow diagram as a matplotlib figure; see :func:`consort_figure`."""
        return consort_figure(self.trial, dpi=dpi)

    def __str__(self) -> str:
        return self.to_text()


def consort(trial: Trial) -> ConsortFlow:
    """Wrap a trial's participant flow for display (text, Markdown, SVG, matplotlib).

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    ConsortFlow
        Shows as the flow diagram in a notebook.

    Raises
    ------
    InvalidInputError
        If ``trial`` is not a :class:`~rctkit.Trial`.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(consort(example_trial()).to_text().splitlines()[5])
      Randomized (n = 441)
    """
    return ConsortFlow(trial)

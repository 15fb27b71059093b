"""Numbers as journals print them, and the escaper of every output format.

Styles (``STYLES``), each after its journal's instructions to authors (see References):

- ``"plain"``: ``0.67 (95% CI 0.45 to 0.99)``, ``p = 0.046``, ``p < 0.001``, ``10,096``,
  ``64/218 (29%)``.
- ``"lancet"``: mid-dot decimals, ``0·67 (95% CI 0·45–0·99)``, ``p=0·046``, ``p<0·0001``,
  a thin space in numbers of five digits or more (``10 096``, ``1463``), ``64/218 (29·4%)``.
- ``"nejm"``: ``0.67 (95% CI, 0.45 to 0.99)``, ``P=0.05`` (two decimals; three below
  0.01), ``P<0.001``, ``10,096``, ``64/218 (29.4%)``.
- ``"bmj"``: ``0.67 (95% CI 0.45 to 0.99)``, ``P=0.046``, ``P<0.001``, ``10 096``,
  ``64/218 (29%)``.
- ``"jama"``: ``0.67 (95% CI, 0.45–0.99)``, ``P=.05`` (no leading zero; two decimals, three
  below .01), ``P<.001``, ``10,096``, ``64/218 (29.4%)``.

Every style but ``plain`` prints negative numbers with the minus sign U+2212.

Four rules hold in every style:

- a confidence limit never rounds onto the null value (1 for a ratio, 0 for a difference)
  unless it equals it: it gets more digits ("0.59 to 0.997"), see :func:`format_ci`;
- a p-value never rounds across 0.05: 0.0496 prints as "0.0496", never "0.050", and 0.0504
  never as "0.0504" rounded down, see :func:`format_p`;
- no number prints as "−0" or "-0.0": a non-zero number gets the digits that show it, and
  zero has no sign, see :func:`format_number`;
- a non-zero count is never "0%" and a count short of its total never "100%", see
  :func:`format_percent`.

Escapers: every label a user gives (a trial's title, an arm, an outcome, a reason, a note)
reaches a report through one of :func:`escape_text`, :func:`escape_markdown`,
:func:`escape_html`, :func:`escape_xml`, :func:`escape_latex` or :func:`escape_rtf`, so that
it shows as the
literal text and cannot break the table or inject markup. All of them first apply
:func:`one_line` (see there for line breaks and control characters).

References
----------
NEJM: the journal's statistical guidelines for authors (2019), as quoted by Aguinis, Vassar
and Wayant, BMJ Evid Based Med 2021;26:57-62 (PMID 31732498): "p values larger than 0.01
should be reported to two decimal places, and those between 0.01 and 0.001 to three decimal
places; p values smaller than 0.001 should be reported as p<0.001".

JAMA: AMA Manual of Style, 11th ed. (2020), sections 20.8.2 and 19.5: P to two digits after
the decimal point, to three if P < .01 or if rounding to two would change its significance
(".049", not ".05"); "P < .001"; no zero before the decimal point of a P value; "95% CI,
0.45-0.99"; commas in numbers of 1000 or more.

The Lancet: information for authors and house style: a mid-line decimal point ("0·67");
"95% CI 0·45–0·99"; p to two significant figures down to "p<0·0001"; a thin space in numbers
of five digits or more.

The BMJ: instructions for authors (statistics) and house style: exact P values to two
significant figures, "P<0.001"; "95% CI 0.45 to 0.99"; a thin space in numbers of five digits
or more.
"""

from __future__ import annotations

import math
import numbers
import operator
import re
from typing import Any, NamedTuple

from rctkit._validation import check_choice, check_percent_decimals
from rctkit.errors import InvalidInputError

__all__ = [
    "REPLACEMENT_CHARACTER",
    "STYLES",
    "escape_html",
    "escape_latex",
    "escape_markdown",
    "escape_rtf",
    "escape_text",
    "escape_xml",
    "format_ci",
    "format_count",
    "format_estimate",
    "format_number",
    "format_p",
    "format_percent",
    "format_quoted_p",
    "measure_name",
    "null_value",
    "one_line",
]

STYLES = ("plain", "lancet", "nejm", "bmj", "jama")

_THIN = "\u2009"  # thin space: Lancet and BMJ thousands
_MINUS = "\u2212"
_DASH = "\u2013"


class _Style(NamedTuple):
    point: str  # decimal point
    minus: str
    group: str  # thousands separator
    group_from: int  # numbers from this size on are grouped
    ci_comma: bool  # "95% CI, 0.45 to 0.99" (NEJM, JAMA)
    dash: bool  # "0.45–0.99" between non-negative limits
    p_name: str
    p_space: str  # around "=" and "<" after the name: "p = 0.046", "p=0·046"
    p_floor: float
    p_decimals: bool  # two decimals, three below 0.01 (NEJM, JAMA); else 2 significant figures
    p_zero: bool  # leading zero of a p-value
    percent_decimals: int


_STYLES = {
    "plain": _Style(".", "-", ",", 1000, False, False, "p", " ", 1e-3, False, True, 0),
    "lancet": _Style("\u00b7", _MINUS, _THIN, 10000, False, True, "p", "", 1e-4, False, True, 1),
    "nejm": _Style(".", _MINUS, ",", 1000, True, False, "P", "", 1e-3, True, True, 1),
    "bmj": _Style(".", _MINUS, _THIN, 10000, False, False, "P", "", 1e-3, False, True, 0),
    "jama": _Style(".", _MINUS, ",", 1000, True, True, "P", "", 1e-3, True, False, 1),
}

#: p-values are never rounded across this threshold.
_ALPHA = 0.05


def _style(style: str) -> _Style:
    return _STYLES[check_choice(style, "style", STYLES)]


def _digits(value: float, digits: int, avoid: float | None) -> int:
    """The fewest decimals, at least ``digits``, with which ``value`` does not print as zero
    (unless it is zero) nor as ``avoid`` (unless it equals it)."""

    def gap(d: int) -> float:
        """How far ``value`` is from what it would wrongly print as with ``d`` decimals
        (0 when it prints rightly)."""
        rounded = float(f"{value:.{d}f}")
        if rounded == 0 and value != 0:
            return abs(value)
        if avoid is not None and rounded == avoid and value != avoid:
            return abs(value - avoid)
        return 0.0

    d = digits
    while (g := gap(d)) > 0:
        # Jump to about the decimal of the first digit that differs, then step on.
        d = max(d + 1, -math.floor(math.log10(g)) - 1)
    return d


def _fixed(value: float, digits: int, st: _Style) -> str:
    """``value`` with ``digits`` decimals in the style: grouped, its decimal point and minus."""
    sep = "," if abs(value) >= st.group_from else ""
    text = f"{abs(value):{sep}.{digits}f}".replace(",", "\0").replace(".", st.point)
    text = text.replace("\0", st.group)
    return st.minus + text if value < 0 and float(f"{value:.{digits}f}") != 0 else text


def format_number(
    value: float, digits: int = 2, *, style: str = "plain", null: float | None = None
) -> str:
    """Format a number with ``digits`` decimals, or more where fewer would mislead.

    Parameters
    ----------
    value : float
        The number.
    digits : int, optional
        The decimals to print (default 2).
    style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
        The journal style: decimal point, minus sign and thousands separator.
    null : float, optional
        A value that ``value`` must not round onto unless it equals it (1 for a ratio's
        confidence limit).

    Returns
    -------
    str
        The number. A non-zero number that would print as zero (or as ``null``) gets the
        decimals that show it: ``-0.004`` is "-0.004", never "-0.00" or "0.00". Zero has
        no sign. Infinities are "inf" (plain) or "∞"; NaN is "NA".

    Notes
    -----
    Constant time: at most a few more decimals are tried, the first one that differs from
    zero or ``null`` is found by a logarithm.

    Examples
    --------
    >>> format_number(0.6659, style="lancet")
    '0·67'
    >>> format_number(-0.004, 1, style="lancet")
    '−0·004'
    >>> format_number(0.9966, null=1.0)
    '0.997'
    >>> format_number(float("inf"))
    'inf'
    """
    st = _style(style)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 20:
        raise InvalidInputError(f"`digits` must be an integer from 0 to 20 (got {digits!r})")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(f"`value` must be a real number (got {value!r})")
    value = float(value)
    if math.isnan(value):
        return "NA"
    if math.isinf(value):
        text = "inf" if style == "plain" else "\u221e"
        return text if value > 0 else st.minus + text
    return _fixed(value, _digits(value, digits, null), st)


def _as_count(value: Any, name: str) -> int:
    """A non-negative integer of any size (a printed total may exceed ``MAX_COUNT``)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        count = operator.index(value)
    except TypeError:
        raise InvalidInputError(f"`{name}` must be an integer count (got {value!r})") from None
    if count < 0:
        raise InvalidInputError(f"`{name}` must be non-negative (got {name}={count})")
    return count


def format_count(count: int, *, style: str = "plain") -> str:
    """Format a count with the style's thousands separator.

    A comma in numbers of 1000 or more (plain, NEJM, JAMA); a thin space (U+2009) in numbers
    of 10 000 or more (Lancet, BMJ), whose four-digit numbers have none.

    Examples
    --------
    >>> format_count(10096)
    '10,096'
    >>> format_count(10096, style="lancet") == "10\\N{THIN SPACE}096"
    True
    >>> format_count(1463, style="lancet")
    '1463'
    """
    return _fixed(_as_count(count, "count"), 0, _style(style))


def _sep(low: float, high: float, st: _Style) -> str:
    # A dash reads badly between negative numbers ("−0·5–−0·2"); use "to" there.
    return _DASH if st.dash and low >= 0 and high >= 0 else " to "


def format_ci(
    low: float,
    high: float,
    digits: int = 2,
    *,
    level: float = 0.95,
    style: str = "plain",
    label: bool = True,
    null: float | tuple[float | None, float | None] | None = None,
) -> str:
    """Format an interval: "95% CI 0.45 to 0.99", "95% CI 0·45–0·99", "95% CI, 0.45 to 0.99".

    Parameters
    ----------
    low, high : float
        The limits.
    digits : int, optional
        Decimals (default 2); a limit gets more where it would otherwise print as ``null``
        or as zero without being it (see :func:`format_number`).
    level : float, optional
        The confidence level of the label.
    style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
        The journal style.
    label : bool, optional
        Whether to start with "95% CI".
    null : float, optional
        The null value of the measure: 1 for a ratio, 0 for a difference (a limit never
        prints as zero unless it is zero, whatever ``null``); or a pair, one value that each
        limit must not round onto (a non-inferiority or equivalence margin).

    Examples
    --------
    >>> format_ci(0.4463, 0.9936, style="lancet")
    '95% CI 0·45–0·99'
    >>> format_ci(0.4463, 0.9936, style="nejm")
    '95% CI, 0.45 to 0.99'
    >>> format_ci(0.59, 0.9966, null=1.0, label=False)
    '0.59 to 0.997'
    """
    st = _style(style)
    nulls = null if isinstance(null, tuple) else (null, null)
    lo = format_number(low, digits, style=style, null=nulls[0])
    hi = format_number(high, digits, style=style, null=nulls[1])
    body = f"{lo}{_sep(low, high, st)}{hi}"
    if not label:
        return body
    pct = f"{100 * level:g}%"
    return f"{pct} CI, {body}" if st.ci_comma else f"{pct} CI {body}"


def format_estimate(
    estimate: float,
    low: float,
    high: float,
    digits: int = 2,
    *,
    level: float = 0.95,
    style: str = "plain",
    null: float | None = None,
) -> str:
    """Format "estimate (95% CI low to high)"; ``null`` as in :func:`format_ci`.

    Examples
    --------
    >>> format_estimate(0.6659, 0.4463, 0.9936)
    '0.67 (95% CI 0.45 to 0.99)'
    >>> format_estimate(0.76, 0.59, 0.9966, null=1.0, style="jama")
    '0.76 (95% CI, 0.59–0.997)'
    """
    ci = format_ci(low, high, digits, level=level, style=style, null=null)
    return f"{format_number(estimate, digits, style=style)} ({ci})"


def format_percent(
    events: int,
    total: int,
    *,
    style: str = "plain",
    decimals: int | None = None,
    show_total: bool = True,
) -> str:
    """Format "n/N (x%)": the style's thousands separator and decimals, or ``decimals``.

    Parameters
    ----------
    events, total : int
        The count and its denominator.
    style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
        The journal style: whole percentages (plain, BMJ) or one decimal (Lancet, NEJM, JAMA).
    decimals : int, optional
        Decimals of the percentage, from 0 to 6, instead of the style's.
    show_total : bool, optional
        False for "n (x%)".

    Returns
    -------
    str
        A non-zero count is never "0%" (35/10060 is "0.3%") and a count short of its total
        never "100%": the percentage gets the decimals that show it. With ``total`` 0 there
        is no percentage ("0/0").

    Raises
    ------
    InvalidInputError
        If a count is negative or not an integer, ``events`` exceeds ``total``, or
        ``decimals`` is not from 0 to 6.

    Examples
    --------
    >>> format_percent(64, 218)
    '64/218 (29%)'
    >>> format_percent(35, 10060)
    '35/10,060 (0.3%)'
    >>> format_percent(1463, 10060, style="lancet") == "1463/10\\N{THIN SPACE}060 (14·5%)"
    True
    """
    st = _style(style)
    if decimals is not None:  # the message names the report's option
        decimals = check_percent_decimals(decimals)
    events, total = _as_count(events, "events"), _as_count(total, "total")
    if events > total:
        raise InvalidInputError(
            f"`events` must not exceed `total` (got events={events}, total={total})"
        )
    n = _fixed(events, 0, st)
    head = f"{n}/{_fixed(total, 0, st)}" if show_total else n
    if total == 0:
        return head
    pct = 100 * events / total
    d = st.percent_decimals if decimals is None else decimals
    text = _fixed(pct, _digits(pct, d, None if events == total else 100.0), st)
    return f"{head} ({text}%)"


def _p_text(pvalue: float, st: _Style) -> str:
    """The value of an exact p-value in the style, never rounded across 0.05."""
    if st.p_decimals:  # NEJM, JAMA: two decimals, three below 0.01
        d = 3 if pvalue < 0.01 else 2
    elif pvalue >= 0.995:  # two significant figures of 0.995 to 1
        return "1" + st.point + "0"
    else:  # two significant figures
        d = max(2, 1 - math.floor(math.log10(pvalue)))
    while (float(f"{pvalue:.{d}f}") < _ALPHA) != (pvalue < _ALPHA):
        d += 1
    text = f"{pvalue:.{d}f}"
    if not st.p_zero and text.startswith("0."):
        text = text[1:]
    return text.replace(".", st.point)


def format_p(pvalue: float, *, style: str = "plain", prefix: bool = True) -> str:
    """Format a p-value as the style's journal prints it.

    Parameters
    ----------
    pvalue : float
        The p-value, from 0 to 1 (NaN prints as "NA").
    style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
        plain, Lancet and BMJ: two significant figures ("0.046", "0.0012"), down to "<0.001"
        (Lancet "<0·0001"); NEJM and JAMA: two decimals, three below 0.01, down to "<0.001"
        (JAMA ".046", "<.001", no leading zero), and ">0.99" at the top.
    prefix : bool, optional
        True (default) for "p = 0.046" ("p=0·046", "P=0.05", "P=.05"), False for the bare
        value of a table's p column.

    Returns
    -------
    str
        The p-value. It is never rounded across 0.05: a p below 0.05 gets the decimals
        that keep it below ("0.0496", not "0.050"; JAMA ".049", not ".05"), so that a
        printed p reads as significant exactly when the p-value is below 0.05.

    Notes
    -----
    Constant time. The rules are the journals' instructions to authors (see the module's
    References).

    Examples
    --------
    >>> format_p(0.04645)
    'p = 0.046'
    >>> format_p(0.0496)
    'p = 0.0496'
    >>> format_p(0.0496, style="jama")
    'P=.0496'
    >>> format_p(1e-9, style="lancet")
    'p<0·0001'
    >>> format_p(0.0438, style="nejm", prefix=False)
    '0.04'
    """
    st = _style(style)

    def said(relation: str, value: str) -> str:
        sp = st.p_space
        return f"{st.p_name}{sp}{relation}{sp}{value}" if prefix else value

    if isinstance(pvalue, bool) or not isinstance(pvalue, numbers.Real):
        raise InvalidInputError(f"`pvalue` must be a real number (got {pvalue!r})")
    pvalue = float(pvalue)
    if math.isnan(pvalue):
        return said("=", "NA")
    if not 0 <= pvalue <= 1:
        raise InvalidInputError(f"`pvalue` must be from 0 to 1 (got {pvalue!r})")
    if pvalue < st.p_floor:
        floor = f"{st.p_floor:f}".rstrip("0")
        floor = floor if st.p_zero else floor[1:]
        return said("<", "<" * (not prefix) + floor.replace(".", st.point))
    if st.p_decimals and pvalue > 0.99:
        return said(">", ">" * (not prefix) + ("0.99" if st.p_zero else ".99"))
    return said("=", _p_text(pvalue, st))


# -- escapers ------------------------------------------------------------------------------

#: What a control character of a label is shown as: U+FFFD, the Unicode replacement character.
REPLACEMENT_CHARACTER = "\ufffd"

# Every line boundary of str.splitlines (CR LF counts as one), and the tab.
_BREAKS = re.compile("\r\n|[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
# The other C0 and C1 controls and DEL, lone surrogates (they cannot be encoded in UTF-8) and
# U+FFFE, U+FFFF (not characters in XML).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def one_line(text: str) -> str:
    r"""``text`` on one line, with no control character: what every escaper starts with.

    Each line break (LF, CR, CR LF, vertical tab, form feed, U+0085, U+2028, U+2029, the
    separators U+001C to U+001E) and each tab becomes one space: a label is one line of a
    table cell, a heading or a box, in every format. The other control characters (U+0000
    to U+001F, U+007F to U+009F; ESC starts terminal escape sequences), lone surrogates,
    U+FFFE and U+FFFF are shown as U+FFFD (``REPLACEMENT_CHARACTER``), so that they
    are seen rather than silently dropped. Nothing else changes.

    Notes
    -----
    Linear in the length of the text.

    Examples
    --------
    >>> one_line("line1\r\nline2\tx")
    'line1 line2 x'
    >>> one_line("bell\x07") == "bell\N{REPLACEMENT CHARACTER}"
    True
    """
    return _CONTROLS.sub(REPLACEMENT_CHARACTER, _BREAKS.sub(" ", text))


def escape_text(text: str) -> str:
    r"""A label for plain text (a terminal, a ``.txt`` file): :func:`one_line`, nothing more.

    Examples
    --------
    >>> escape_text("\x1b[31mred\nlabel") == "\N{REPLACEMENT CHARACTER}[31mred label"
    True
    """
    return one_line(text)


def escape_html(text: str) -> str:
    """A label for HTML text or an attribute value: ``& < > " '`` as character references.

    After :func:`one_line`. The result is also well-formed XML (see :func:`escape_xml`).

    Examples
    --------
    >>> escape_html("<img src=x onerror=alert(1)> & 'q'")
    '&lt;img src=x onerror=alert(1)&gt; &amp; &#x27;q&#x27;'
    """
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&#x27;")


def escape_xml(text: str) -> str:
    """A label for XML text or an attribute value (the SVG diagram): as :func:`escape_html`.

    The characters that XML 1.0 forbids even as references (most controls, lone surrogates,
    U+FFFE, U+FFFF) are shown as U+FFFD by :func:`one_line`.

    Examples
    --------
    >>> escape_xml('<svg onload=alert(1)> "a"')
    '&lt;svg onload=alert(1)&gt; &quot;a&quot;'
    """
    return escape_html(text)


# What CommonMark or GitHub-flavoured Markdown would read as syntax inside a line: emphasis
# and strikethrough, code, links and images, table cells, headings' closing sequence, math
# (GitHub), and the backslash itself.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#$])")
# At the start of a line: lists, block quotes and setext underlines; numbered lists.
_MARKDOWN_MARKER = re.compile(r"^([-+>=])")
_MARKDOWN_NUMBERED = re.compile(r"^(\d{1,9})([.)])")


def escape_markdown(text: str, *, line_start: bool = False) -> str:
    r"""A label for Markdown (CommonMark and GitHub-flavoured), e.g. in a table cell.

    Parameters
    ----------
    text : str
        The label.
    line_start : bool, optional
        True when the text starts a line (a paragraph, a note), so that a leading ``-``,
        ``+``, ``>``, ``=`` or ``1.`` is escaped too and cannot start a list, a quotation or
        a heading.

    Returns
    -------
    str
        The text after :func:`one_line`, with ``\ ` * _ [ ] | ~ # $`` backslash-escaped and
        ``& < >`` as character references, so that raw HTML, entities, links, emphasis
        and table cells stay text. A line break becomes a space (a break would end a table
        row, and ``<br>`` is not read by every Markdown processor). Leading and trailing
        whitespace is removed: Markdown trims it from cells, four spaces would start a code
        block, and emphasis around the text (a bold caption) must not touch a space.

    Examples
    --------
    >>> print(escape_markdown("**bold** [link](http://x) a|b <b>"))
    \*\*bold\*\* \[link\](http://x) a\|b &lt;b&gt;
    >>> print(escape_markdown("1. not a list", line_start=True))
    1\. not a list
    """
    text = one_line(text).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    if line_start:
        text = _MARKDOWN_MARKER.sub(r"\\\1", text)
        text = _MARKDOWN_NUMBERED.sub(r"\1\\\2", text)
    return text


# LaTeX's special characters, the characters that the OT1 font encoding (LaTeX's default)
# would print as other glyphs (< > | " as ¡ ¿ — ”), the brackets (after a row's \\, "[2cm]"
# would be read as the row's spacing) and the Unicode that pdflatex does not know by default.
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "[": "{[}",
    "]": "{]}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    '"': r"\textquotedblright{}",
    "`": r"\textasciigrave{}",
    "\u00b7": r"\ensuremath{\cdot}",
    "\u2212": r"\ensuremath{-}",
    "\u2013": r"\textendash{}",
    "\u2014": r"\textemdash{}",
    "\u221e": r"\ensuremath{\infty}",
    "\u2264": r"\ensuremath{\leq}",
    "\u2265": r"\ensuremath{\geq}",
    "\u00a0": "~",
    "\u2009": r"\,",
    REPLACEMENT_CHARACTER: "?",
}
_LATEX_CHARS = re.compile("[" + re.escape("".join(_LATEX_SPECIAL)) + "]")
# Pairs that TeX's fonts would merge into another glyph: -- and --- (dashes), '' and ,, (quotes).
# None of the replacements above makes such a pair, so they are split after escaping.
_LATEX_LIGATURES = re.compile(r"(?<=-)(?=-)|(?<=')(?=')|(?<=,)(?=,)")


def escape_latex(text: str) -> str:
    r"""A label for LaTeX text (a table cell, a caption), for pdflatex, xelatex or lualatex.

    After :func:`one_line` (a blank line would end the paragraph inside a table cell), the
    special characters ``\ & % $ # _ { } ~ ^`` are written as text commands, ``[`` and ``]``
    are braced (after a row's ``\\``, a cell starting "[2cm]" would be read as the row's
    spacing), ``< > | "`` and the backtick are written as text commands (the default OT1
    encoding prints other glyphs for them; ``"`` prints as a closing quote), ligatures such
    as ``--`` are broken, and ``· − – — ∞ ≤ ≥`` and the no-break space are written as
    commands that pdflatex knows. The control characters that :func:`one_line` shows as
    U+FFFD are written as ``?``.

    Notes
    -----
    The text is UTF-8; pdflatex reads accented Latin letters with its default ``utf8``
    input encoding. Other scripts (Greek, Cyrillic, CJK) and most symbols need xelatex or
    lualatex, or ``\DeclareUnicodeCharacter`` in the preamble.

    Examples
    --------
    >>> print(escape_latex(r"[2cm] 50% & #1 \input{x} a--b"))
    {[}2cm{]} 50\% \& \#1 \textbackslash{}input\{x\} a-{}-b
    """
    text = _LATEX_CHARS.sub(lambda m: _LATEX_SPECIAL[m.group()], one_line(text))
    return _LATEX_LIGATURES.sub("{}", text)


# RTF's three special characters, and everything outside 7-bit ASCII (an RTF file is ASCII).
_RTF_SPECIAL = re.compile(r"[\\{}]|[^\x00-\x7f]")


def _rtf_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in "\\{}":
        return "\\" + char
    data = char.encode("utf-16-le")  # a character beyond U+FFFF is a surrogate pair
    units = [int.from_bytes(data[i : i + 2], "little") for i in range(0, len(data), 2)]
    # \uN takes a signed 16-bit N; "?" is the fallback a reader without Unicode shows
    return "".join(f"\\u{u - 65536 if u > 32767 else u}?" for u in units)


def escape_rtf(text: str) -> str:
    r"""A label for RTF text (a table cell, a title, a page header).

    After :func:`one_line` (a line break or a tab would be a paragraph mark or a tab stop
    in RTF), the backslash and the braces are escaped (``\\ \{ \}``), so that a label can
    neither start a control word nor open or close a group, and every character outside
    ASCII is written as ``\uN?`` (UTF-16 code units as signed 16-bit numbers, a character
    beyond U+FFFF as its surrogate pair; ``?`` is the fallback of a reader without Unicode,
    under the default ``\uc1``). The result is 7-bit ASCII, as an RTF file must be.

    Notes
    -----
    Linear in the length of the text. A control word followed by a label needs its
    delimiting space from the writer, as always in RTF; the escaped text never starts with
    a space-sensitive character of its own.

    References
    ----------
    Microsoft, *Rich Text Format (RTF) Specification*, version 1.9.1 (2008): "Escaped
    expressions" (``\\``, ``\{``, ``\}``) and "Unicode RTF" (``\uN``, ``\ucN``).

    Examples
    --------
    >>> print(escape_rtf(r"}{\b bold} \par"))
    \}\{\\b bold\} \\par
    >>> print(escape_rtf("0\N{MIDDLE DOT}66 \N{GRINNING FACE}"))
    0\u183?66 \u-10179?\u-8704?
    """
    return _RTF_SPECIAL.sub(_rtf_char, one_line(text))


#: The names a published estimate's ``measure`` may go by, for each crude measure.
_MEASURE_ALIASES = {
    "odds_ratio": ("odds_ratio", "or"),
    "risk_ratio": ("risk_ratio", "rr", "relative_risk", "risk_ratios"),
    "risk_difference": ("risk_difference", "rd", "absolute_risk_difference"),
}


def measure_name(measure: str) -> str | None:
    """The measure a name stands for ("odds_ratio", "risk_ratio" or "risk_difference"), as a
    published estimate may name it ("Relative risk", "OR"), or None for any other measure (a
    hazard ratio, say).

    >>> measure_name("Relative risk"), measure_name("odds ratio")
    ('risk_ratio', 'odds_ratio')
    >>> measure_name("hazard ratio") is None
    True
    """
    key = "_".join(measure.lower().replace("-", " ").split())
    for name, aliases in _MEASURE_ALIASES.items():
        if key in aliases:
            return name
    return None


def format_quoted_p(pvalue: float, *, style: str = "plain") -> str:
    """A published p-value with the paper's own digits in the style's form (its prefix and
    decimal mark): it is a quotation, not rctkit's rounding.

    >>> format_quoted_p(0.0438), format_quoted_p(0.0438, style="jama")
    ('p = 0.0438', 'P=.0438')
    """
    shown = format_p(pvalue, style=style)
    plain = f"{pvalue:g}"
    if "<" in shown or ">" in shown or "e" in plain or not 0.0 < pvalue < 1.0:
        return shown
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    number = format_number(pvalue, decimals, style=style)
    if style == "jama":
        number = number.removeprefix("0")
    start = next(i for i, ch in enumerate(shown) if ch.isdigit() or ch in ".·")
    return shown[:start] + number


def null_value(measure: str) -> float:
    """The null value of a measure: 1 for a ratio (or relative risk), 0 for a difference.

    >>> null_value("risk ratio"), null_value("Relative risk"), null_value("risk_difference")
    (1.0, 1.0, 0.0)
    """
    name = measure_name(measure)
    if name is not None:
        return 0.0 if name == "risk_difference" else 1.0
    lowered = measure.lower()
    return 1.0 if "ratio" in lowered or "relative" in lowered else 0.0

"""Numbers as journals print them, and the escaper of every output format.

Styles: ``"plain"`` (``0.67 (95% CI 0.45 to 0.99)``), ``"lancet"`` (mid-dot decimals,
``0·67 (95% CI 0·45–0·99)``) and ``"nejm"`` (``0.67 (95% CI, 0.45 to 0.99)``).

Escapers: every label a user gives (a trial's title, an arm, an outcome, a reason, a note)
reaches a report through one of :func:`escape_text`, :func:`escape_markdown`,
:func:`escape_html`, :func:`escape_xml` or :func:`escape_latex`, so that it shows as the
literal text and cannot break the table or inject markup. All of them first apply
:func:`one_line` (see there for line breaks and control characters).
"""

from __future__ import annotations

import math
import re

from rctkit._validation import check_choice

__all__ = [
    "REPLACEMENT_CHARACTER",
    "STYLES",
    "escape_html",
    "escape_latex",
    "escape_markdown",
    "escape_text",
    "escape_xml",
    "format_ci",
    "format_estimate",
    "format_number",
    "format_p",
    "format_percent",
    "one_line",
]

STYLES = ("plain", "lancet", "nejm")


def _style(style: str) -> str:
    return check_choice(style, "style", STYLES)


def _decimal(text: str, style: str) -> str:
    text = text.replace("-", "\u2212") if style != "plain" else text
    return text.replace(".", "\u00b7") if style == "lancet" else text


def format_number(value: float, digits: int = 2, *, style: str = "plain") -> str:
    """Format a number with ``digits`` decimals; infinities as "inf" (plain) or "∞".

    Examples
    --------
    >>> format_number(0.6659, style="lancet")
    '0·67'
    >>> format_number(float("inf"))
    'inf'
    """
    _style(style)
    if math.isnan(value):
        return "NA"
    if math.isinf(value):
        text = "inf" if style == "plain" else "\u221e"
        return text if value > 0 else "-" + text
    return _decimal(f"{value:.{digits}f}", style)


def format_ci(
    low: float,
    high: float,
    digits: int = 2,
    *,
    level: float = 0.95,
    style: str = "plain",
    label: bool = True,
) -> str:
    """Format an interval: "95% CI 0.45 to 0.99", "95% CI 0·45–0·99" or "95% CI, 0.45 to 0.99".

    Examples
    --------
    >>> format_ci(0.4463, 0.9936, style="lancet")
    '95% CI 0·45–0·99'
    >>> format_ci(0.4463, 0.9936, style="nejm")
    '95% CI, 0.45 to 0.99'
    """
    _style(style)
    lo = format_number(low, digits, style=style)
    hi = format_number(high, digits, style=style)
    # A Lancet en dash reads badly between negative numbers; use "to" there.
    sep = "\u2013" if style == "lancet" and low >= 0 and high >= 0 else " to "
    body = f"{lo}{sep}{hi}"
    if not label:
        return body
    pct = f"{100 * level:g}%"
    return f"{pct} CI, {body}" if style == "nejm" else f"{pct} CI {body}"


def format_estimate(
    estimate: float,
    low: float,
    high: float,
    digits: int = 2,
    *,
    level: float = 0.95,
    style: str = "plain",
) -> str:
    """Format "estimate (95% CI low to high)".

    Examples
    --------
    >>> format_estimate(0.6659, 0.4463, 0.9936)
    '0.67 (95% CI 0.45 to 0.99)'
    """
    ci = format_ci(low, high, digits, level=level, style=style)
    return f"{format_number(estimate, digits, style=style)} ({ci})"


def format_percent(events: int, total: int, *, style: str = "plain") -> str:
    """Format "n/N (x%)" with whole percentages, as most journals print them.

    Examples
    --------
    >>> format_percent(64, 218)
    '64/218 (29%)'
    """
    return f"{events}/{total} ({format_number(100 * events / total, 0, style=style)}%)"


def format_p(pvalue: float, *, style: str = "plain") -> str:
    """Format a p-value: two significant digits, "<0.001" (plain), "p<0·0001" style floors.

    Examples
    --------
    >>> format_p(0.04645)
    'p = 0.046'
    >>> format_p(1e-9, style="lancet")
    'p<0·0001'
    """
    _style(style)
    if math.isnan(pvalue):
        return "p = NA"
    floor = 0.0001 if style == "lancet" else 0.001
    if pvalue < floor:
        text = f"<{floor:g}"
        return _decimal(f"p{text}", style) if style == "lancet" else f"p {text}"
    if pvalue >= 0.995:
        text = "1.0" if style != "lancet" else "1\u00b70"
        return f"p={text}" if style == "lancet" else f"p = {text}"
    digits = max(2, 1 - math.floor(math.log10(pvalue)))  # two significant digits
    text = f"{pvalue:.{digits}f}"
    if style == "lancet":
        return "p=" + _decimal(text, style)
    return f"p = {text}"


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

"""Numbers as journals print them: estimates, intervals, percentages and p-values.

Styles: ``"plain"`` (``0.67 (95% CI 0.45 to 0.99)``), ``"lancet"`` (mid-dot decimals,
``0·67 (95% CI 0·45–0·99)``) and ``"nejm"`` (``0.67 (95% CI, 0.45 to 0.99)``).
"""

from __future__ import annotations

import math

from rctkit._validation import check_choice

__all__ = ["STYLES", "format_ci", "format_estimate", "format_number", "format_p", "format_percent"]

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

"""The axis of a forest plot: its range from the estimates, readable ticks and their labels.

Ratios get ticks a reader takes in at a glance (0.25 0.5 1 2 4, or 0.1 0.2 0.5 1 2 5 10, or
decades), differences multiples of 1, 2, 2.5 or 5 times a power of ten; both symmetric about
the null value unless the caller gives the limits. Labels are written by
:func:`rctkit.formatting.format_number`, in the report's style.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rctkit.formatting import format_number
from rctkit.results import Estimate

__all__ = ["axis_limits", "null_fraction", "tick_label"]


def _decimals(value: float) -> int:
    """The fewest decimals (up to 6) that write ``value`` exactly."""
    for digits in range(7):
        if abs(round(value, digits) - value) <= 1e-9 * max(1.0, abs(value)):
            return digits
    return 6


_SUPERSCRIPT = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def tick_label(value: float, style: str) -> str:
    exponent = round(math.log10(value)) if value > 0 else 0
    if value > 0 and abs(exponent) > 3 and math.isclose(value, 10.0**exponent):
        return "10" + str(exponent).translate(_SUPERSCRIPT)
    return format_number(value, _decimals(value), style=style)


def _log_ticks(low: float, high: float, symmetric: bool) -> list[float]:
    """Readable ratio ticks covering [low, high] (which holds 1): 0.25 0.5 1 2 4 and the like.

    Powers of two up to 8 either way, then 0.1 0.2 0.5 1 2 5 10, then whole decades (every
    other or third decade past 10^3). With ``symmetric``, as far below 1 as above.
    """
    lo2, hi2 = math.floor(math.log2(low) + 1e-9), math.ceil(math.log2(high) - 1e-9)
    if symmetric:
        k = max(-lo2, hi2, 1)
        lo2, hi2 = -k, k
    if lo2 >= -3 and hi2 <= 3:
        return [2.0**j for j in range(lo2, hi2 + 1)]
    lo10, hi10 = math.floor(math.log10(low) + 1e-9), math.ceil(math.log10(high) - 1e-9)
    if symmetric:
        k = max(-lo10, hi10, 1)
        lo10, hi10 = -k, k
    if lo10 >= -1 and hi10 <= 1:
        ticks = [m * 10.0**e for e in range(lo10, hi10) for m in (1.0, 2.0, 5.0)]
        return [*ticks, 10.0**hi10]
    step = max(1, math.ceil((hi10 - lo10) / 6))
    lo10 = step * math.floor(lo10 / step)
    hi10 = step * math.ceil(hi10 / step)
    return [10.0**e for e in range(lo10, hi10 + 1, step)]


def _linear_ticks(low: float, high: float, symmetric: bool) -> list[float]:
    """Difference ticks: multiples of a step of 1, 2, 2.5 or 5 times a power of ten, at most
    seven, covering [low, high] (which holds 0); with ``symmetric``, as far below 0 as above.
    """
    if symmetric:
        low, high = -max(-low, high), max(-low, high)
    span = high - low
    power = 10.0 ** math.floor(math.log10(span / 6))
    for step in (m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0, 20.0)):
        first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
        if last - first <= 6:
            break
    return [0.0 if k == 0 else k * step for k in range(first, last + 1)]


def _axis_range(
    estimates: Sequence[Estimate | None], scale: float, ratio: bool
) -> tuple[float, float]:
    null = 1.0 if ratio else 0.0
    values = [null]
    for est in estimates:
        if est is None or math.isnan(est.estimate):
            continue
        for v in (est.estimate, *est.ci):
            v *= scale
            if math.isfinite(v) and (v > 0 or not ratio):
                values.append(v)
    low, high = min(values), max(values)
    if ratio:
        low, high = max(low, 1e-12), min(high, 1e12)
        if low == high:  # only the null line: one step either way
            low, high = 0.5, 2.0
    elif low == high:
        low, high = -1.0, 1.0
    return low, high


def axis_limits(
    estimates: Sequence[Estimate | None],
    scale: float,
    ratio: bool,
    limits: tuple[float, float] | None,
) -> tuple[tuple[float, float], list[float]]:
    """The axis limits and ticks: from the data, symmetric about the null, unless given."""
    if limits is None:
        low, high = _axis_range(estimates, scale, ratio)
        if ratio:
            ticks = _log_ticks(low, high, symmetric=True)
        else:
            ticks = _linear_ticks(low, high, symmetric=True)
        return (ticks[0], ticks[-1]), ticks
    if ratio:
        wide = _log_ticks(limits[0], limits[1], symmetric=False)
    else:
        wide = _linear_ticks(limits[0], limits[1], symmetric=False)
    inside = [t for t in wide if limits[0] - 1e-9 <= t <= limits[1] + 1e-9]
    return limits, inside or [1.0 if ratio else 0.0]


def null_fraction(limits: tuple[float, float], ratio: bool) -> float:
    """Where the null line lies across the axis, from 0 (left) to 1 (right)."""
    low, high = (math.log(v) for v in limits) if ratio else limits
    return (0.0 - low) / (high - low)

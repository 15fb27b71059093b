"""Argument checks shared by the public functions.

Each public function validates its arguments in one private helper at its top, built from
these pieces, so that messages read alike everywhere: the parameter in backticks, the rule,
and the value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Collection
from typing import Any

import numpy as np
import numpy.typing as npt

from rctkit.errors import InvalidInputError

IntArray = npt.NDArray[np.int64]

ALTERNATIVES = ("two-sided", "less", "greater")


def as_count(value: Any, name: str) -> int:
    """Return ``value`` as a non-negative Python int, refusing floats, strings and booleans."""
    if isinstance(value, bool | np.bool_):
        raise InvalidInputError(
            f"`{name}` must be an integer count, not a boolean (got {value!r})"
        )
    try:
        count = operator.index(value)
    except TypeError:
        raise InvalidInputError(
            f"`{name}` must be an integer count (got {value!r} of type {type(value).__name__})"
        ) from None
    if count < 0:
        raise InvalidInputError(f"`{name}` must be non-negative (got {name}={count})")
    return count


def check_events_total(events: int, total: int, prefix: str = "") -> None:
    """Check ``0 <= events <= total`` and ``total > 0`` for one arm."""
    if total == 0:
        raise InvalidInputError(f"`{prefix}total` must be positive (got {prefix}total=0)")
    if events > total:
        raise InvalidInputError(
            f"`{prefix}events` must not exceed `{prefix}total` "
            f"(got {prefix}events={events}, {prefix}total={total})"
        )


def check_confidence_level(confidence_level: Any) -> float:
    """Return the level as a float strictly between 0 and 1."""
    if isinstance(confidence_level, bool) or not isinstance(
        confidence_level, int | float | np.floating | np.integer
    ):
        raise InvalidInputError(
            f"`confidence_level` must be a number strictly between 0 and 1 "
            f"(got {confidence_level!r})"
        )
    level = float(confidence_level)
    if not (0.0 < level < 1.0) or math.isnan(level):
        raise InvalidInputError(
            f"`confidence_level` must be strictly between 0 and 1 (got {confidence_level!r})"
        )
    return level


def check_choice(value: Any, name: str, choices: Collection[str]) -> str:
    """Return ``value`` when it is one of ``choices``; otherwise list them in the error."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(f'"{c}"' for c in choices)
        raise InvalidInputError(f"`{name}` must be one of {listed} (got {value!r})")
    return value


def count_array(value: Any, name: str) -> IntArray:
    """Convert an array-like of counts to int64, refusing non-integer and negative entries."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"`{name}` must be an array-like of integer counts ({exc})"
        ) from None
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)):
            bad = arr[arr != np.round(arr)]
            hint = (
                f"; first non-integer value {bad.flat[0]!r}"
                if bad.size
                else "; convert whole-number floats with .astype(int)"
            )
        else:
            hint = ""
        raise InvalidInputError(f"`{name}` must hold integer counts (got dtype {arr.dtype}{hint})")
    if arr.dtype.kind == "u" and arr.dtype.itemsize >= 8 and arr.size and arr.max() > 2**62:
        raise InvalidInputError(f"`{name}` holds counts too large to handle (got {arr.max()})")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and arr.min() < 0:
        where = np.unravel_index(int(np.argmin(arr)), arr.shape)
        raise InvalidInputError(
            f"`{name}` must be non-negative (got {name}[{_index_str(where)}]={arr[where]})"
        )
    return arr


def _index_str(where: tuple[Any, ...]) -> str:
    return ", ".join(str(int(i)) for i in where)


def count_arrays(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Validate and broadcast the four count arrays of a batch of two-arm tables."""
    names = ("treatment_events", "treatment_total", "control_events", "control_total")
    arrays = [
        count_array(v, n)
        for v, n in zip(
            (treatment_events, treatment_total, control_events, control_total), names, strict=True
        )
    ]
    try:
        a, n1, c, n2 = np.broadcast_arrays(*arrays)
    except ValueError:
        shapes = ", ".join(f"{n}{arr.shape}" for n, arr in zip(names, arrays, strict=True))
        raise InvalidInputError(
            f"the count arrays must broadcast to one shape (got {shapes})"
        ) from None
    for events, total, arm in ((a, n1, "treatment"), (c, n2, "control")):
        zero = total == 0
        if np.any(zero):
            where = np.unravel_index(int(np.argmax(zero)), zero.shape)
            raise InvalidInputError(
                f"`{arm}_total` must be positive (got {arm}_total[{_index_str(where)}]=0)"
            )
        over = events > total
        if np.any(over):
            where = np.unravel_index(int(np.argmax(over)), over.shape)
            raise InvalidInputError(
                f"`{arm}_events` must not exceed `{arm}_total` (got {arm}_events"
                f"[{_index_str(where)}]={events[where]}, {arm}_total[{_index_str(where)}]"
                f"={total[where]})"
            )
    return a, n1, c, n2

"""Argument checks shared by the public functions.

Each public function validates its arguments in one private helper at its top, built from
these pieces, so that messages read alike everywhere: the parameter in backticks, the rule,
and the value.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt

from rctkit.errors import InvalidInputError

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ALTERNATIVES = ("two-sided", "less", "greater")

#: The largest count (events or participants in one arm) rctkit accepts: 10^12, over a
#: hundred times the world's population. Every count, and every product of two counts, is
#: then exact in float64 (below 2^53) or within its rounding, and no int64 product of the
#: kernels can overflow; above it float64 would start to drop digits.
MAX_COUNT = 10**12

#: The confidence levels rctkit computes to its documented accuracy: from 1e-6 up to
#: 1 - 1e-10 (a two-sided z of 6.5). Beyond them the normal quantile and the tail sums of the
#: exact methods leave float64's range of accurate values.
MIN_CONFIDENCE_LEVEL = 1e-6
MAX_CONFIDENCE_LEVEL = 1.0 - 1e-10

_T = TypeVar("_T")


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
    if count > MAX_COUNT:
        raise InvalidInputError(_too_large(name, count))
    return count


def _too_large(name: str, count: object) -> str:
    return (
        f"`{name}` must be at most {MAX_COUNT:.0e} (rctkit.MAX_COUNT), the largest count "
        f"computed exactly (got {name}={count})"
    )


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
    if not MIN_CONFIDENCE_LEVEL <= level <= MAX_CONFIDENCE_LEVEL:
        raise InvalidInputError(
            f"`confidence_level` must lie between {MIN_CONFIDENCE_LEVEL:g} and 1 - 1e-10, "
            f"the levels computed to full accuracy (got {confidence_level!r})"
        )
    return level


def check_percent_decimals(value: Any) -> int | None:
    """None (the style's default) or the decimals of a percentage, an integer from 0 to 6."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise InvalidInputError(
            f"`percent_decimals` must be None or an integer from 0 to 6 (got {value!r})"
        )
    if not 0 <= value <= 6:
        raise InvalidInputError(
            f"`percent_decimals` must be from 0 to 6 (got percent_decimals={value})"
        )
    return int(value)


def check_real(value: Any, name: str) -> float:
    """Return ``value`` as a float when it is a finite real number (not a bool or a string)."""
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.floating | np.integer
    ):
        raise InvalidInputError(f"`{name}` must be a finite number (got {value!r})")
    number = float(value)
    if not math.isfinite(number):
        raise InvalidInputError(f"`{name}` must be a finite number (got {name}={value!r})")
    return number


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` when it is True or False (numpy's too); nothing else is taken as one."""
    if not isinstance(value, bool | np.bool_):
        raise InvalidInputError(f"`{name}` must be True or False (got {value!r})")
    return bool(value)


def check_instance(value: Any, name: str, expected: type[_T]) -> _T:
    """Return ``value`` when it is an ``expected``; otherwise name the type expected and got."""
    if not isinstance(value, expected):
        raise InvalidInputError(
            f"`{name}` must be a {expected.__name__} (got {type(value).__name__})"
        )
    return value


def check_choice(value: Any, name: str, choices: Collection[str]) -> str:
    """Return ``value`` when it is one of ``choices``; otherwise list them in the error."""
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(f'"{c}"' for c in choices)
        raise InvalidInputError(f"`{name}` must be one of {listed} (got {value!r})")
    return value


def count_array(value: Any, name: str) -> IntArray:
    """Convert an array-like of counts to int64, refusing non-integer and negative entries,
    counts above :data:`MAX_COUNT`, and masked arrays (whose mask numpy would drop)."""
    if isinstance(value, np.ma.MaskedArray):
        raise InvalidInputError(
            f"`{name}` must not be a masked array: its mask would be ignored (got a "
            f"numpy.ma.MaskedArray with {int(np.sum(np.ma.getmaskarray(value)))} masked entries); "
            f"drop the masked tables or fill them first"
        )
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"`{name}` must be an array-like of integer counts ({exc})"
        ) from None
    if (
        arr.dtype.kind == "O"
        and arr.size
        and all(isinstance(v, int) and not isinstance(v, bool) for v in arr.flat)
    ):
        # Python ints too large for int64.
        biggest = max(arr.flat)
        if biggest > MAX_COUNT:
            raise InvalidInputError(_too_large(name, biggest))
        arr = arr.astype(np.int64)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and arr.size and np.all(np.isfinite(arr)):
            if np.all(arr == np.round(arr)) and arr.max() > MAX_COUNT:
                # e.g. a list holding a Python int above 2^63, which numpy stores as float
                where = np.unravel_index(int(np.argmax(arr)), arr.shape)
                raise InvalidInputError(_too_large(f"{name}{_index_str(where)}", arr[where]))
            bad = arr[arr != np.round(arr)]
            hint = (
                f"; first non-integer value {bad.flat[0]!r}"
                if bad.size
                else "; convert whole-number floats with .astype(int)"
            )
        else:
            hint = ""
        raise InvalidInputError(f"`{name}` must hold integer counts (got dtype {arr.dtype}{hint})")
    if arr.dtype.kind == "u" and arr.size and arr.max() > MAX_COUNT:
        where = np.unravel_index(int(np.argmax(arr)), arr.shape)
        raise InvalidInputError(_too_large(f"{name}{_index_str(where)}", arr[where]))
    arr = arr.astype(np.int64, copy=False)
    if arr.size and arr.min() < 0:
        where = np.unravel_index(int(np.argmin(arr)), arr.shape)
        raise InvalidInputError(
            f"`{name}` must be non-negative (got {name}{_index_str(where)}={arr[where]})"
        )
    if arr.size and arr.max() > MAX_COUNT:
        where = np.unravel_index(int(np.argmax(arr)), arr.shape)
        raise InvalidInputError(_too_large(f"{name}{_index_str(where)}", arr[where]))
    return arr


def _index_str(where: tuple[Any, ...]) -> str:
    """``[i, j]`` for an entry of an array, nothing for a 0-d array (a scalar)."""
    return f"[{', '.join(str(int(i)) for i in where)}]" if where else ""


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
                f"`{arm}_total` must be positive (got {arm}_total{_index_str(where)}=0)"
            )
        over = events > total
        if np.any(over):
            where = np.unravel_index(int(np.argmax(over)), over.shape)
            raise InvalidInputError(
                f"`{arm}_events` must not exceed `{arm}_total` (got {arm}_events"
                f"{_index_str(where)}={events[where]}, {arm}_total{_index_str(where)}"
                f"={total[where]})"
            )
    return a, n1, c, n2


# ---------------------------------------------------------------------------------------------
# Random number generators and resample counts


def check_rng(rng: Any) -> np.random.Generator:
    """Return a generator from ``rng``: None (fresh entropy), a non-negative int seed, or a
    :class:`numpy.random.Generator` (used as it is)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None and (
        isinstance(rng, bool | np.bool_) or not isinstance(rng, int | np.integer)
    ):
        raise InvalidInputError(
            f"`rng` must be None, an integer seed or a numpy.random.Generator "
            f"(got {rng!r} of type {type(rng).__name__})"
        )
    if rng is not None and rng < 0:
        raise InvalidInputError(f"`rng` must be a non-negative integer seed (got rng={rng})")
    return np.random.default_rng(None if rng is None else int(rng))


@overload
def check_n_resamples(
    n_resamples: Any,
    *,
    minimum: int = 1,
    maximum: int | None = None,
    allow_none: Literal[False] = ...,
) -> int: ...


@overload
def check_n_resamples(
    n_resamples: Any, *, minimum: int = 1, maximum: int | None = None, allow_none: bool
) -> int | None: ...


def check_n_resamples(
    n_resamples: Any, *, minimum: int = 1, maximum: int | None = None, allow_none: bool = False
) -> int | None:
    """Return ``n_resamples`` as an int in ``[minimum, maximum]``; booleans and floats are
    refused. With ``allow_none`` None is returned as it is (the caller's limit of infinitely
    many resamples, named in the messages); without it, a count outside the range is refused
    with the range in the message."""
    rule = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
    if allow_none:
        if n_resamples is None:
            return None
        rule += " or None"
    if isinstance(n_resamples, bool | np.bool_):
        raise InvalidInputError(f"`n_resamples` must be {rule} (got {n_resamples!r})")
    try:
        count = operator.index(n_resamples)
    except TypeError:
        raise InvalidInputError(
            f"`n_resamples` must be {rule} (got {n_resamples!r} of type "
            f"{type(n_resamples).__name__})"
        ) from None
    if maximum is not None and not allow_none and not minimum <= count <= maximum:
        raise InvalidInputError(
            f"`n_resamples` must be between {minimum} and {maximum:.0e} (got n_resamples={count})"
        )
    if count < minimum:
        raise InvalidInputError(f"`n_resamples` must be {rule} (got n_resamples={count})")
    if maximum is not None and count > maximum:
        raise InvalidInputError(
            f"`n_resamples` must be at most {maximum:.0e}, beyond which replicate positions are "
            f"no longer exact in float64; use n_resamples=None for the limit "
            f"(got n_resamples={count})"
        )
    return count


# ---------------------------------------------------------------------------------------------
# Participant-level data: missing values, labels, 0/1 outcomes, columns


def is_missing(x: Any) -> bool:
    """Whether one value is missing: None, NaN, pandas.NA or pandas.NaT."""
    if x is None:
        return True
    if isinstance(x, float | np.floating):
        return bool(np.isnan(x))
    # pandas.NA and pandas.NaT, recognised without importing pandas
    return type(x).__name__ in ("NAType", "NaTType")


def missing_mask(arr: npt.NDArray[Any]) -> BoolArray:
    """Elementwise :func:`is_missing` of a 1-D array, vectorised where the dtype allows."""
    kind = arr.dtype.kind
    if kind in "fc":
        return np.asarray(np.isnan(arr), dtype=bool)
    if kind in "mM":
        return np.asarray(np.isnat(arr), dtype=bool)
    if kind == "O":
        try:  # None and NaN, vectorised; pandas.NA makes the comparison raise
            with np.errstate(invalid="ignore"):
                none = np.asarray(arr == None, dtype=np.bool_)  # noqa: E711 (elementwise)
                mask = none | np.asarray(arr != arr, dtype=np.bool_)
            if mask.shape == arr.shape:
                return mask
        except (TypeError, ValueError):
            pass
        return np.fromiter((is_missing(x) for x in arr.tolist()), dtype=bool, count=arr.size)
    return np.zeros(arr.shape, dtype=bool)


def one_dimensional(value: Any, name: str) -> npt.NDArray[Any]:
    """``value`` as a 1-D array (object dtype for lists), refusing other shapes."""
    arr = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=object)
    if arr.ndim != 1:
        raise InvalidInputError(f"`{name}` must be one-dimensional (got shape {arr.shape})")
    return arr


def label_array(value: Any, name: str) -> npt.NDArray[Any]:
    """A 1-D array of labels (any hashable values) without missing values."""
    arr = one_dimensional(value, name)
    refuse_missing(arr, name)
    return arr


def label_codes(labels: npt.NDArray[Any], name: str) -> tuple[list[Any], IntArray]:
    """The distinct labels of a 1-D array in order of first appearance, and each entry's code.

    Labels are told apart as dictionary keys (``1``, ``1.0`` and ``True`` are one label, as
    ``==`` has them); arrays of numbers or strings are coded by ``numpy.unique``. One pass:
    the time grows with the length, not with the number of labels.
    """
    if labels.dtype.kind != "O":
        unique, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return unique[order].tolist(), rank[inverse.reshape(-1)].astype(np.int64)
    index: dict[Any, int] = {}
    items = labels.tolist()
    try:
        codes = np.fromiter(
            (index.setdefault(x, len(index)) for x in items), dtype=np.int64, count=len(items)
        )
    except TypeError:
        i = next(j for j, x in enumerate(items) if not _hashable(x))
        raise InvalidInputError(
            f"`{name}` must hold hashable labels (got {type(items[i]).__name__} "
            f"{items[i]!r} at position {i})"
        ) from None
    return list(index), codes


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def refuse_missing(arr: npt.NDArray[Any], name: str) -> None:
    """Refuse a 1-D array holding missing values (None, NaN, pandas.NA, pandas.NaT), with
    their count and the first one's position: they are never dropped or made a category."""
    missing = missing_mask(arr)
    if missing.any():
        count = int(missing.sum())
        i = int(np.argmax(missing))
        first = arr[i].item() if isinstance(arr[i], np.generic) else arr[i]
        raise InvalidInputError(
            f"`{name}` must not hold missing values (got {count} missing value"
            f"{'s' * (count > 1)}, the first {first!r} at position {i}): drop those "
            "participants or impute them first"
        )


def binary_array(value: Any, name: str) -> IntArray:
    """A 1-D array of 0/1 outcomes as int64: booleans, or numbers equal to 0 or 1.

    Strings, None, NaN and any other value are refused, naming the first one and its position.
    """
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise InvalidInputError(f"`{name}` must be one-dimensional (got shape {arr.shape})")
    if arr.dtype == np.bool_:
        return arr.astype(np.int64)
    if arr.dtype.kind in "OfmM":
        refuse_missing(arr, name)
    if arr.dtype.kind == "O":
        bad = [(i, x) for i, x in enumerate(arr.tolist()) if not _is_binary(x)][:1]
    elif arr.dtype.kind in "iuf":
        mask = ~np.isin(arr, (0, 1))
        bad = [(int(i), arr[i].item()) for i in np.flatnonzero(mask)[:1]]
        if not bad:
            return arr.astype(np.int64)
    else:
        raise InvalidInputError(
            f"`{name}` must hold 0/1 or boolean values (got dtype {arr.dtype})"
        )
    if bad:
        i, x = bad[0]
        raise InvalidInputError(
            f"`{name}` must hold only 0/1 or boolean values (got {x!r} at position {i})"
        )
    return np.asarray([int(x) for x in arr.tolist()], dtype=np.int64)


def _is_binary(x: Any) -> bool:
    """Whether one object is a 0/1 outcome: a boolean or a number equal to 0 or 1."""
    if isinstance(x, str | bytes) or x is None:
        return False
    if x is True or x is False:
        return True
    try:
        return bool(x in (0, 1))
    except (TypeError, ValueError):  # objects without a plain truth value of ==
        return False


def column_names(data: Any) -> list[Hashable]:
    """The columns of a pandas DataFrame or of a mapping of column name to 1-D array."""
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):
        return list(data.columns)
    if isinstance(data, Mapping):
        return list(data.keys())
    raise InvalidInputError(
        "`data` must be a pandas DataFrame or a mapping of column name -> 1-D array "
        f"(got {type(data).__name__})"
    )


def check_column(data: Any, column: Hashable, parameter: str) -> Hashable:
    """Refuse a ``column`` that ``data`` does not have, listing the columns it has."""
    columns = column_names(data)
    if column not in columns:
        shown = ", ".join(repr(c) for c in columns[:10]) + (", ..." if len(columns) > 10 else "")
        raise InvalidInputError(
            f"`{parameter}` must name a column of `data` ({shown}) (got {column!r})"
        )
    return column


def column_list(value: Any, parameter: str) -> tuple[Hashable, ...]:
    """A column name or an iterable of them, as a tuple (a lone string is one name)."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise InvalidInputError(
            f"`{parameter}` must be a column name or a sequence of column names (got {value!r})"
        )
    names = tuple(value)
    if len(set(names)) != len(names):
        raise InvalidInputError(f"`{parameter}` names a column twice (got {names!r})")
    return names


# ---------------------------------------------------------------------------------------------
# Strata


#: The measures a margin may be given on, and the null value of each.
MARGIN_NULLS = {"risk_difference": 0.0, "risk_ratio": 1.0, "odds_ratio": 1.0}


def check_in_range(measure: str, value: float, name: str) -> None:
    """A risk difference strictly between -1 and 1, a ratio strictly between 0 and inf."""
    if measure == "risk_difference" and not -1.0 < value < 1.0:
        raise InvalidInputError(
            f"`{name}` must lie strictly between -1 and 1 for the risk difference "
            f"(got {name}={value!r})"
        )
    if measure != "risk_difference" and not value > 0.0:
        raise InvalidInputError(
            f"`{name}` must be positive for the {measure.replace('_', ' ')} (a ratio; got "
            f"{name}={value!r})"
        )


def _null_words(measure: str) -> str:
    return f"{MARGIN_NULLS[measure]:g}, the {measure.replace('_', ' ')} of no effect"


def check_margin(measure: str, value: Any, higher_is_better: Any) -> tuple[float, bool]:
    """A non-inferiority margin on ``measure``'s scale, on the side of the null that means
    *worse* for ``higher_is_better``; returned with the direction."""
    words = measure.replace("_", " ")
    better = check_bool(higher_is_better, "higher_is_better")
    number = check_real(value, "margin")
    check_in_range(measure, number, "margin")
    null = MARGIN_NULLS[measure]
    if better and not number < null:
        raise InvalidInputError(
            f"`margin` must lie below {_null_words(measure)}, when higher_is_better=True "
            f"(H0: effect <= margin); got margin={value!r}. If a higher {words} is "
            f"worse (the event is harmful), pass higher_is_better=False"
        )
    if not better and not number > null:
        raise InvalidInputError(
            f"`margin` must lie above {_null_words(measure)}, when higher_is_better=False "
            f"(H0: effect >= margin); got margin={value!r}. If a higher {words} is "
            f"better (the event is beneficial), pass higher_is_better=True"
        )
    return number, better


def check_margins(measure: str, margins: Any, name: str = "margins") -> tuple[float, float]:
    """Equivalence margins ``(low, high)`` with ``low < null < high``."""
    if isinstance(margins, str) or not isinstance(margins, Sequence) or len(margins) != 2:
        raise InvalidInputError(
            f"`{name}` must be a pair (low, high) of numbers around the null (got {margins!r})"
        )
    low = check_real(margins[0], f"{name}[0]")
    high = check_real(margins[1], f"{name}[1]")
    check_in_range(measure, low, f"{name}[0]")
    check_in_range(measure, high, f"{name}[1]")
    null = MARGIN_NULLS[measure]
    if not low < null < high:
        raise InvalidInputError(
            f"`{name}` must satisfy low < {null:g} < high, around the "
            f"{measure.replace('_', ' ')} of no effect (got margins=({low!r}, {high!r}))"
        )
    return low, high

"""attrs field helpers shared by the model's classes: counts and non-empty strings."""

from __future__ import annotations

from typing import Any

import attrs

from rctkit._validation import as_count
from rctkit.errors import InvalidInputError


def count_field(name: str) -> Any:
    """An attrs field holding a non-negative int; floats, strings and booleans are refused."""
    return attrs.field(converter=lambda v: as_count(v, name))


def optional_count_field(name: str) -> Any:
    return attrs.field(default=None, converter=lambda v: None if v is None else as_count(v, name))


def nonempty_str(name: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
        if not isinstance(value, str):
            raise InvalidInputError(f"`{name}` must be a string (got {value!r})")

    return check

"""Warnings issued from deep inside the kernels, pointed at the caller's line."""

from __future__ import annotations

import contextlib
import inspect
import os
import warnings
from collections.abc import Iterator
from contextvars import ContextVar

import numpy as np
import numpy.typing as npt

from rctkit.errors import RctkitWarning

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SKIPPED = (_PACKAGE_DIR, os.path.abspath(contextlib.__file__))


def _stacklevel() -> int:
    """Return the stack level of the first frame outside rctkit (as pandas does)."""
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None:
            name = frame.f_code.co_filename
            # attrs' generated methods (a cached property's getter) are rctkit's too
            if not name.startswith("<attrs generated") and not os.path.abspath(name).startswith(
                _SKIPPED
            ):
                break
            frame = frame.f_back
            level += 1
    finally:
        del frame
    return level


def warn(message: str) -> None:
    """Issue an :class:`~rctkit.RctkitWarning` attributed to the user's code."""
    warnings.warn(message, RctkitWarning, stacklevel=_stacklevel())


#: While a batch is processed in chunks, the warnings of the chunks are gathered here (message
#: -> [tables concerned, tables seen]) and issued once at the end.
_PENDING: ContextVar[dict[str, list[int]] | None] = ContextVar("_PENDING", default=None)


@contextlib.contextmanager
def gathered(total: int) -> Iterator[None]:
    """Gather :func:`warn_where` calls made inside, then warn once per message for ``total``."""
    pending: dict[str, list[int]] = {}
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    for message, (count, _) in pending.items():
        _warn_count(count, total, message)


def _warn_count(count: int, size: int, message: str) -> None:
    if size == 1:
        warn(f"the table {message}")
    else:
        plural = "have " + message[4:] if message.startswith("has ") else message
        warn(f"{count} of {size} tables {plural}")


def warn_where(mask: npt.NDArray[np.bool_], message: str) -> None:
    """Warn once when any element of ``mask`` is true, counting the tables concerned.

    ``message`` completes the sentence "... table(s) <message>".
    """
    count = int(np.count_nonzero(mask))
    if count == 0:
        return
    pending = _PENDING.get()
    if pending is not None:
        entry = pending.setdefault(message, [0, 0])
        entry[0] += count
        entry[1] += mask.size
        return
    _warn_count(count, mask.size, message)

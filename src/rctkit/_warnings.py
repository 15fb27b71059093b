"""Warnings issued from deep inside the kernels, pointed at the caller's line."""

from __future__ import annotations

import inspect
import os
import warnings

import numpy as np
import numpy.typing as npt

from rctkit.errors import RctkitWarning

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _stacklevel() -> int:
    """Return the stack level of the first frame outside rctkit (as pandas does)."""
    frame = inspect.currentframe()
    level = 0
    try:
        while frame is not None:
            filename = os.path.abspath(frame.f_code.co_filename)
            if not filename.startswith(_PACKAGE_DIR):
                break
            frame = frame.f_back
            level += 1
    finally:
        del frame
    return level


def warn(message: str) -> None:
    """Issue an :class:`~rctkit.RctkitWarning` attributed to the user's code."""
    warnings.warn(message, RctkitWarning, stacklevel=_stacklevel())


def warn_where(mask: npt.NDArray[np.bool_], message: str) -> None:
    """Warn once when any element of ``mask`` is true, counting the tables concerned.

    ``message`` completes the sentence "... table(s) <message>".
    """
    count = int(np.count_nonzero(mask))
    if count == 0:
        return
    size = mask.size
    if size == 1:
        warn(f"the table {message}")
    else:
        warn(f"{count} of {size} tables {message}")

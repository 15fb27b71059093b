"""``scipy.special``, imported when a function of it is first called.

Importing :mod:`scipy.special` costs about 0.25 s, more than numpy and the whole of rctkit
together, so modules take it from here (``from rctkit import _special as special``) and
``import rctkit`` stays light. The first attribute looked up imports scipy.special and caches
the function here; later look-ups are plain module attributes.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    from scipy import special

    value = getattr(special, name)
    globals()[name] = value
    return value

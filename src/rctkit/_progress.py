"""Progress bars (tqdm), only when a caller asks for one.

tqdm is an optional dependency (the ``progress`` and ``dask`` extras); asking for a bar
without it raises an ImportError that names the extra. Nothing here is shown unless asked.
"""

from __future__ import annotations

from typing import Any

__all__ = ["available", "progress_bar"]


def available() -> bool:
    """Whether tqdm can be imported (the command line shows a bar only then)."""
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return True


def progress_bar(enabled: bool, *, total: int | None, desc: str, unit: str) -> Any:
    """A ``tqdm.auto`` bar, or ``None`` when ``enabled`` is false.

    ``desc`` names the caller in the bar and in the ImportError when tqdm is missing.
    """
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError as exc:
        raise ImportError(
            f'{desc}(progress=True) needs tqdm: pip install "rctkit[progress]"'
        ) from exc
    return tqdm(total=total, unit=unit, desc=desc)

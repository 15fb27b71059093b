"""What every design figure checks and shares: its results, title and path, and plain text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from rctkit.errors import InvalidInputError

__all__ = ["LITERAL", "MARKERS", "check_title_and_path", "finish", "results_of"]

#: Keyword arguments that draw a label as plain text (no mathtext, never TeX).
LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

R = TypeVar("R")


def results_of(results: Any, kind: type[R]) -> list[R]:
    """``results`` as a non-empty list of ``kind``, or InvalidInputError naming it."""
    if isinstance(results, kind):
        return [results]
    if (
        isinstance(results, Sequence)
        and not isinstance(results, str)
        and len(results) > 0
        and all(isinstance(r, kind) for r in results)
    ):
        return list(results)
    raise InvalidInputError(
        f"`results` must be a {kind.__name__} or a non-empty sequence of them "
        f"(got {type(results).__name__})"
    )


def check_title_and_path(title: Any, path: Any) -> None:
    if title is not None and not isinstance(title, str):
        raise InvalidInputError(f"`title` must be a str or None (got {type(title).__name__})")
    if path is not None and not isinstance(path, str | Path):
        raise InvalidInputError(
            f"`path` must be a str, a Path or None (got {type(path).__name__})"
        )


def finish(figure: Any, ax: Any, *, title: str, legend: str, path: str | Path | None) -> None:
    """Set the title and the legend (plain text, escaped) and save the figure if asked."""
    from rctkit.formatting import escape_text

    ax.set_title(escape_text(title), **LITERAL)
    box = ax.legend(title=legend, fontsize=8, title_fontsize=8)
    for text in box.get_texts():
        text.set(**LITERAL)
    if path is not None:
        figure.savefig(Path(path), dpi=200)

"""Exceptions and warnings raised by rctkit."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CostLimitError",
    "InconsistentInputError",
    "InvalidInputError",
    "RctkitError",
    "RctkitWarning",
]


class RctkitError(Exception):
    """Base class of every exception rctkit raises on purpose."""


class InvalidInputError(RctkitError, ValueError):
    """Bad input: counts, labels, shapes, options or a trial file that break a stated rule.

    The message names the parameter, states the rule and shows the offending value.
    """


class CostLimitError(InvalidInputError):
    """A request whose time or memory would pass a stated limit, refused before any work.

    The message gives the cost (the size that was asked for), the limit, and what to use
    instead; the docs' "Limits" page lists every such limit.
    """


class InconsistentInputError(InvalidInputError):
    """Input that breaks several rules at once (a trial file whose counts disagree).

    The message is one line: the first problem, with where it lies, and how many more there
    are; ``problems`` lists every one, in the same form.
    """

    def __init__(self, problems: Sequence[str], prefix: str = "") -> None:
        self.problems = tuple(problems)
        self.prefix = prefix
        more = len(self.problems) - 1
        tail = "" if more < 1 else f" (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(f"{prefix}{self.problems[0] if self.problems else ''}{tail}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problems, self.prefix))


class RctkitWarning(UserWarning):
    """Degenerate but valid data (zero cells, empty margins) or an approximation in use."""

"""Exceptions and warnings raised by rctkit."""

from __future__ import annotations

__all__ = ["CostLimitError", "InvalidInputError", "RctkitError", "RctkitWarning"]


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


class RctkitWarning(UserWarning):
    """Degenerate but valid data (zero cells, empty margins) or an approximation in use."""

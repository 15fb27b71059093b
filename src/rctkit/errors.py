"""Exceptions and warnings raised by rctkit."""

from __future__ import annotations

__all__ = ["InvalidInputError", "RctkitError", "RctkitWarning"]


class RctkitError(Exception):
    """Base class of every exception rctkit raises on purpose."""


class InvalidInputError(RctkitError, ValueError):
    """Bad input: counts, labels, shapes, options or a trial file that break a stated rule.

    The message names the parameter, states the rule and shows the offending value.
    """


class RctkitWarning(UserWarning):
    """Degenerate but valid data (zero cells, empty margins) or an approximation in use."""

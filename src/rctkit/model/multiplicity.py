"""A trial's declared family of hypotheses and the procedure that controls its error rate."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs

from rctkit._validation import check_choice, check_real
from rctkit.errors import InvalidInputError

__all__ = ["PROCEDURES", "Multiplicity"]

#: The procedures a trial may declare: those of :func:`rctkit.adjust_pvalues`, then the
#: hierarchies :func:`rctkit.fixed_sequence` and :func:`rctkit.fallback`.
PROCEDURES: tuple[str, ...] = (
    "bonferroni",
    "holm",
    "hochberg",
    "hommel",
    "bh",
    "by",
    "fixed-sequence",
    "fallback",
)


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInputError(f"`family` must be a list of outcome names (got {value!r})")
    names = tuple(value)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise InvalidInputError(
            f"`family` must name at least one outcome, each a non-empty string (got {value!r})"
        )
    if len(set(names)) != len(names):
        raise InvalidInputError(f"`family` must not name an outcome twice (got {list(names)!r})")
    return names


def _weights(value: Any) -> tuple[float, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInputError(f"`weights` must be a list of numbers (got {value!r})")
    return tuple(check_real(w, "weights") for w in value)


@attrs.frozen
class Multiplicity:
    """A family of outcomes tested together, and the procedure that adjusts their p-values.

    Parameters
    ----------
    family : sequence of str
        The outcomes of the family (names of the trial's outcomes), in the declared order
        (the order of testing for ``"fixed-sequence"`` and ``"fallback"``).
    method : str, optional
        One of :data:`rctkit.model.multiplicity.PROCEDURES`; default ``"holm"``.
    alpha : float, optional
        The family's error rate; default 0.05.
    weights : sequence of float, optional
        The split of ``alpha`` of the fallback procedure, one per outcome of the family,
        non-negative and adding up to at most 1: required with ``"fallback"``, refused
        otherwise.

    Raises
    ------
    InvalidInputError
        If the family is empty or names an outcome twice, or the method, alpha or the weights
        are invalid. A :class:`~rctkit.Trial` also checks that the names are its outcomes'.

    Examples
    --------
    >>> Multiplicity(["death", "falls"], method="hommel").method
    'hommel'
    """

    family: tuple[str, ...] = attrs.field(converter=_names)
    method: str = attrs.field(default="holm", kw_only=True)
    alpha: float = attrs.field(default=0.05, kw_only=True)
    weights: tuple[float, ...] | None = attrs.field(default=None, converter=_weights, kw_only=True)

    def __attrs_post_init__(self) -> None:
        check_choice(self.method, "method", PROCEDURES)
        alpha = check_real(self.alpha, "alpha")
        if not 0 < alpha < 1:
            raise InvalidInputError(
                f"`alpha` must lie strictly between 0 and 1 (got alpha={self.alpha!r})"
            )
        object.__setattr__(self, "alpha", alpha)
        if self.method == "fallback":
            if self.weights is None:
                raise InvalidInputError("`weights` must be given for the fallback procedure")
            if len(self.weights) != len(self.family):
                raise InvalidInputError(
                    f"`weights` must have one weight per outcome of the family (got "
                    f"{len(self.weights)} weights for {len(self.family)} outcomes)"
                )
            if any(w < 0 for w in self.weights):
                raise InvalidInputError(f"`weights` must not be negative (got {self.weights!r})")
            total = math.fsum(self.weights)
            if not 0 < total <= 1 + 1e-12:
                raise InvalidInputError(
                    f"`weights` must add up to more than 0 and at most 1 (got a sum of {total:g})"
                )
        elif self.weights is not None:
            raise InvalidInputError(
                f"`weights` must be given only for the fallback procedure (got method="
                f"{self.method!r})"
            )

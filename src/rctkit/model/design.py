"""The trial's framework (CONSORT 2025 item 9): superiority, non-inferiority or equivalence.

A :class:`Design` names the framework of one outcome (the primary by default), the measure
its margin is on, the margin, which direction is better, and the method of the test.
"""

from __future__ import annotations

from typing import Any

import attrs

from rctkit._validation import MARGIN_NULLS, check_choice, check_margin, check_margins
from rctkit.errors import InvalidInputError

__all__ = ["FRAMEWORKS", "Design"]

#: The frameworks a trial may declare.
FRAMEWORKS = ("superiority", "noninferiority", "equivalence")


def _optional_str(name: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and (not isinstance(value, str) or not value):
            raise InvalidInputError(f"`{name}` must be a non-empty string or None (got {value!r})")

    return check


def _margin(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    return value


@attrs.frozen
class Design:
    """A trial's framework and, for non-inferiority or equivalence, its margin.

    Parameters
    ----------
    framework : {"superiority", "noninferiority", "equivalence"}, optional
        Default "superiority" (no margin).
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}, optional
        The measure the margin is on; required with a margin.
    margin : float or (float, float), optional
        Non-inferiority: one number on the side of the null that means *worse* (below it
        when ``higher_is_better``, above it otherwise), e.g. -0.125 on the risk difference
        of a cure rate. Equivalence: ``(low, high)`` around the null.
    higher_is_better : bool, optional
        Whether the outcome's events are good (a cure) rather than harmful; default False.
        Non-inferiority only.
    method : str, optional
        The test (see :func:`rctkit.noninferiority`); default that function's.
    outcome : str, optional
        The outcome the framework applies to; default the primary outcome.

    Raises
    ------
    InvalidInputError
        If the framework is unknown, a margin is missing, given to a superiority design, or on
        the wrong side of the null, or a measure is unknown.

    Examples
    --------
    >>> d = Design("noninferiority", measure="risk_difference", margin=-0.125,
    ...            higher_is_better=True)
    >>> d.framework, d.margin
    ('noninferiority', -0.125)
    """

    framework: str = attrs.field(default="superiority")
    measure: str | None = attrs.field(default=None, kw_only=True)
    margin: float | tuple[float, float] | None = attrs.field(
        default=None, converter=_margin, kw_only=True
    )
    higher_is_better: bool = attrs.field(default=False, kw_only=True)
    method: str | None = attrs.field(default=None, kw_only=True, validator=_optional_str("method"))
    outcome: str | None = attrs.field(
        default=None, kw_only=True, validator=_optional_str("outcome")
    )

    def __attrs_post_init__(self) -> None:
        check_choice(self.framework, "framework", FRAMEWORKS)
        if not isinstance(self.higher_is_better, bool):
            raise InvalidInputError(
                f"`higher_is_better` must be True or False (got {self.higher_is_better!r})"
            )
        if self.framework == "superiority":
            if self.margin is not None:
                raise InvalidInputError(
                    "`margin` must not be given for a superiority design (got "
                    f"{self.margin!r}); use framework='noninferiority' or 'equivalence'"
                )
            if self.measure is not None:
                check_choice(self.measure, "measure", tuple(MARGIN_NULLS))
            return
        check_choice(self.measure, "measure", tuple(MARGIN_NULLS)) if self.measure else None
        if self.measure is None:
            raise InvalidInputError(
                f"`measure` must be given for a {self.framework} design: the scale of its margin"
            )
        if self.margin is None:
            raise InvalidInputError(f"`margin` must be given for a {self.framework} design")
        if self.framework == "noninferiority":
            margin, _ = check_margin(self.measure, self.margin, self.higher_is_better)
        else:
            margin = check_margins(self.measure, self.margin, name="margin")  # type: ignore[assignment]
        object.__setattr__(self, "margin", margin)

    @property
    def has_margin(self) -> bool:
        """Whether the framework tests against a margin (non-inferiority or equivalence)."""
        return self.framework != "superiority"

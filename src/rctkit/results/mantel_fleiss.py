"""The result of the Mantel-Fleiss criterion: :class:`MantelFleissResult`."""

from __future__ import annotations

import attrs

from rctkit.results._core import Displayed, Row

__all__ = ["MantelFleissResult"]


def _shown(value: float, threshold: float) -> str:
    """``value`` to three significant digits, or more when three would round onto the
    threshold (a failing 4.9996 is never shown as 5)."""
    for digits in range(3, 18):
        text = f"{value:.{digits}g}"
        if float(text) != threshold or value == threshold:
            return text
    return repr(value)  # pragma: no cover - 17 digits always separate distinct floats


@attrs.frozen(repr=False)
class MantelFleissResult(Displayed):
    """The Mantel-Fleiss criterion for the validity of the Mantel-Haenszel approximation.

    Attributes
    ----------
    value : float
        ``min(lower, upper)``: how far the expected total of treatment-arm events lies from
        the nearer end of its possible range.
    lower : float
        ``expected - sum(max(0, m1 - n2))``, the distance from the lowest possible total.
    upper : float
        ``sum(min(n1, m1)) - expected``, the distance to the highest possible total.
    expected : float
        ``sum(n1 m1 / N)``, the expected total under no effect.
    observed : int
        The observed total of treatment-arm events.
    threshold : float
        The criterion's bound, 5.
    passed : bool
        True when ``value`` exceeds ``threshold``.
    """

    value: float
    lower: float
    upper: float
    expected: float
    observed: int
    threshold: float = 5.0
    passed: bool = attrs.field(init=False)

    @passed.default
    def _passed(self) -> bool:
        return self.value > self.threshold

    def _title(self) -> str:
        return "Mantel-Fleiss criterion"

    def _rows(self) -> list[Row]:
        value = _shown(self.value, self.threshold)
        verdict = "met" if self.passed else "not met"
        return [
            Row("Criterion", value, f"value={value}"),
            Row(
                "Rule",
                f"> {self.threshold:g}: {verdict}",
                f"passed={self.passed}",
            ),
            Row(
                "Expected (observed) total",
                f"{_shown(self.expected, self.threshold)} ({self.observed})",
            ),
        ]

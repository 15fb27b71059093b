"""Result classes: small, frozen, and good to print.

Scalar functions return :class:`Estimate` and :class:`TestResult`; the vectorised functions in
:mod:`rctkit.batch` return :class:`BatchEstimate` and :class:`BatchTestResult`, whose fields are
arrays of the broadcast shape of the inputs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "BatchEstimate",
    "BatchTestResult",
    "ConfidenceInterval",
    "Estimate",
    "Measure",
    "TestResult",
]

Measure = Literal["odds_ratio", "risk_ratio", "risk_difference", "nnt", "rate_ratio"]

MEASURE_LABELS: dict[str, str] = {
    "odds_ratio": "Odds ratio",
    "risk_ratio": "Risk ratio",
    "risk_difference": "Risk difference",
    "nnt": "Number needed to treat",
    "rate_ratio": "Rate ratio",
}

FloatArray = npt.NDArray[np.float64]


def short_number(value: float | None) -> str:
    """Format a number with four significant digits for a ``repr``."""
    if value is None:
        return "None"
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


def _level_percent(level: float) -> str:
    return f"{100 * level:g}%"


@attrs.frozen
class ConfidenceInterval:
    """A confidence interval; unpacks as ``low, high = ci``.

    Examples
    --------
    >>> low, high = ConfidenceInterval(0.45, 0.99)
    >>> low
    0.45
    """

    low: float = attrs.field(converter=float)
    high: float = attrs.field(converter=float)

    def __iter__(self) -> Iterator[float]:
        yield self.low
        yield self.high

    def __repr__(self) -> str:
        return f"ConfidenceInterval(low={self.low!r}, high={self.high!r})"

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float):
            return False
        return self.low <= value <= self.high


@attrs.frozen
class Estimate:
    """An effect estimate with its confidence interval.

    Attributes
    ----------
    measure : {"odds_ratio", "risk_ratio", "risk_difference", "nnt"}
        The effect measure, treatment compared with control.
    estimate : float
        The point estimate. Ratios may be ``0`` or ``inf``; ``nan`` where the measure is
        undefined (for example an odds ratio with no events in either arm).
    ci : ConfidenceInterval
        The confidence interval at ``confidence_level``.
    confidence_level : float
        The confidence level of ``ci``.
    method : str
        The interval method.
    pvalue : float or None
        The two-sided p-value of the test that goes with the method (Wald z test for "wald",
        for example), or None where the method has none.
    """

    measure: Measure
    estimate: float = attrs.field(converter=float)
    ci: ConfidenceInterval
    confidence_level: float
    method: str
    pvalue: float | None = None

    def __repr__(self) -> str:
        p = "" if self.pvalue is None else f", pvalue={short_number(self.pvalue)}"
        return (
            f"Estimate({self.measure}={short_number(self.estimate)}, "
            f"{_level_percent(self.confidence_level)} CI {short_number(self.ci.low)} to "
            f"{short_number(self.ci.high)}, method={self.method!r}{p})"
        )

    def __float__(self) -> float:
        return self.estimate

    def _repr_html_(self) -> str:
        label = MEASURE_LABELS.get(self.measure, self.measure)
        rows = [
            ("Estimate", short_number(self.estimate)),
            (
                f"{_level_percent(self.confidence_level)} CI",
                f"{short_number(self.ci.low)} to {short_number(self.ci.high)}",
            ),
            ("Method", self.method),
        ]
        if self.pvalue is not None:
            rows.append(("p-value", short_number(self.pvalue)))
        return _html_table(label, rows)


@attrs.frozen
class TestResult:
    """The result of a hypothesis test.

    Attributes
    ----------
    statistic : float or None
        The test statistic (chi-squared, z, ...), or None for tests that have none (Fisher's).
    pvalue : float
        The p-value.
    method : str
        The test.
    alternative : {"two-sided", "less", "greater"}
        The alternative hypothesis.
    """

    __test__ = False  # not a pytest test class

    statistic: float | None
    pvalue: float = attrs.field(converter=float)
    method: str
    alternative: str = "two-sided"

    def __repr__(self) -> str:
        stat = "" if self.statistic is None else f"statistic={short_number(self.statistic)}, "
        return f"TestResult({stat}pvalue={short_number(self.pvalue)}, method={self.method!r})"

    def _repr_html_(self) -> str:
        rows = [("Method", self.method), ("Alternative", self.alternative)]
        if self.statistic is not None:
            rows.append(("Statistic", short_number(self.statistic)))
        rows.append(("p-value", short_number(self.pvalue)))
        return _html_table("Hypothesis test", rows)


def _html_table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


@attrs.frozen(eq=False)
class BatchEstimate:
    """Effect estimates for a batch of tables; the arrays share the inputs' broadcast shape."""

    measure: Measure
    method: str
    confidence_level: float
    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    pvalue: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.estimate.size)

    def __repr__(self) -> str:
        return (
            f"BatchEstimate(measure={self.measure!r}, method={self.method!r}, "
            f"shape={self.estimate.shape})"
        )

    def item(self, index: int | tuple[int, ...] = 0) -> Estimate:
        """Return one table's result as a scalar :class:`Estimate`."""
        pvalue = None if self.pvalue is None else float(self.pvalue.flat[_flat(self, index)])
        i = _flat(self, index)
        return Estimate(
            measure=self.measure,
            estimate=float(self.estimate.flat[i]),
            ci=ConfidenceInterval(float(self.low.flat[i]), float(self.high.flat[i])),
            confidence_level=self.confidence_level,
            method=self.method,
            pvalue=pvalue,
        )


def _flat(result: BatchEstimate | BatchTestResult, index: int | tuple[int, ...]) -> int:
    shape = result.pvalue.shape if isinstance(result, BatchTestResult) else result.estimate.shape
    if isinstance(index, tuple):
        return int(np.ravel_multi_index(index, shape))
    return int(index)


@attrs.frozen(eq=False)
class BatchTestResult:
    """Hypothesis tests for a batch of tables; ``statistic`` is None for tests without one."""

    __test__ = False

    method: str
    alternative: str
    statistic: FloatArray | None
    pvalue: FloatArray

    def __len__(self) -> int:
        return int(self.pvalue.size)

    def __repr__(self) -> str:
        return f"BatchTestResult(method={self.method!r}, shape={self.pvalue.shape})"

    def item(self, index: int | tuple[int, ...] = 0) -> TestResult:
        """Return one table's result as a scalar :class:`TestResult`."""
        i = _flat(self, index)
        stat = None if self.statistic is None else float(self.statistic.flat[i])
        return TestResult(
            statistic=stat,
            pvalue=float(self.pvalue.flat[i]),
            method=self.method,
            alternative=self.alternative,
        )

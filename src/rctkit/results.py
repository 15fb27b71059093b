"""Result classes: small, frozen, and good to print, on one display protocol.

Scalar functions return :class:`Estimate` and :class:`TestResult`; the vectorised functions in
:mod:`rctkit.batch` return :class:`BatchEstimate` and :class:`BatchTestResult`, whose fields are
arrays of the broadcast shape of the inputs.

Every result class derives from :class:`Displayed` and declares its rows once
(:meth:`Displayed._rows`, a list of :class:`Row`) and its title (:meth:`Displayed._title`);
``repr`` (the class's own name and each row's ``text``) and ``_repr_html_`` (a notebook table
of each row's ``label`` and ``value``) are generated from them. Decorate result classes with
``@attrs.frozen(repr=False)`` so that attrs leaves the generated ``repr`` in place.
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
    "Displayed",
    "Estimate",
    "Measure",
    "Row",
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
class Row:
    """One line of a result's display.

    Attributes
    ----------
    label : str
        The row's name in the notebook table, e.g. ``"95% CI"``.
    value : str
        The value as the notebook table shows it.
    text : str or None
        How the row reads inside ``repr``, e.g. ``"pvalue=0.04645"``; None leaves the row out
        of ``repr`` (it is then only in the table).
    """

    label: str
    value: str
    text: str | None = None


class Displayed:
    """The display protocol of every result class: rows and a title, declared once."""

    __slots__ = ()

    def _title(self) -> str:
        """The caption of the notebook table; by default the class's name."""
        return type(self).__name__

    def _rows(self) -> list[Row]:
        """The rows, in the order ``repr`` and the table show them."""
        raise NotImplementedError

    def __repr__(self) -> str:
        texts = ", ".join(row.text for row in self._rows() if row.text is not None)
        return f"{type(self).__name__}({texts})"

    def _repr_html_(self) -> str:
        return html_table(self._title(), [(row.label, row.value) for row in self._rows()])


def html_table(title: str, rows: list[tuple[str, str]]) -> str:
    """A two-column HTML table with a caption; every string is escaped."""
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table><caption>{html.escape(title)}</caption>{body}</table>"


@attrs.frozen(repr=False)
class ConfidenceInterval(Displayed):
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

    def _title(self) -> str:
        return "Confidence interval"

    def _rows(self) -> list[Row]:
        return [
            Row("Low", short_number(self.low), f"low={self.low!r}"),
            Row("High", short_number(self.high), f"high={self.high!r}"),
        ]

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int | float):
            return False
        return self.low <= value <= self.high


@attrs.frozen(repr=False)
class Estimate(Displayed):
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

    def __float__(self) -> float:
        return self.estimate

    def _title(self) -> str:
        return MEASURE_LABELS.get(self.measure, self.measure)

    def _rows(self) -> list[Row]:
        level = f"{_level_percent(self.confidence_level)} CI"
        low, high = short_number(self.ci.low), short_number(self.ci.high)
        estimate = short_number(self.estimate)
        rows = [
            Row("Estimate", estimate, f"{self.measure}={estimate}"),
            Row(level, f"{low} to {high}", f"{level} {low} to {high}"),
            Row("Method", self.method, f"method={self.method!r}"),
        ]
        if self.pvalue is not None:
            p = short_number(self.pvalue)
            rows.append(Row("p-value", p, f"pvalue={p}"))
        return rows


@attrs.frozen(repr=False)
class TestResult(Displayed):
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

    def _title(self) -> str:
        return "Hypothesis test"

    def _rows(self) -> list[Row]:
        rows = []
        if self.statistic is not None:
            stat = short_number(self.statistic)
            rows.append(Row("Statistic", stat, f"statistic={stat}"))
        p = short_number(self.pvalue)
        rows.append(Row("p-value", p, f"pvalue={p}"))
        rows.append(Row("Method", self.method, f"method={self.method!r}"))
        rows.append(Row("Alternative", self.alternative))
        return rows


@attrs.frozen(eq=False, repr=False)
class BatchEstimate(Displayed):
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

    def _title(self) -> str:
        return f"{MEASURE_LABELS.get(self.measure, self.measure)}, batch"

    def _rows(self) -> list[Row]:
        return [
            Row("Measure", self.measure, f"measure={self.measure!r}"),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Confidence level", _level_percent(self.confidence_level)),
            Row("Tables", str(self.estimate.shape), f"shape={self.estimate.shape}"),
        ]

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


@attrs.frozen(eq=False, repr=False)
class BatchTestResult(Displayed):
    """Hypothesis tests for a batch of tables; ``statistic`` is None for tests without one."""

    __test__ = False

    method: str
    alternative: str
    statistic: FloatArray | None
    pvalue: FloatArray

    def __len__(self) -> int:
        return int(self.pvalue.size)

    def _title(self) -> str:
        return "Hypothesis tests, batch"

    def _rows(self) -> list[Row]:
        return [
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Alternative", self.alternative),
            Row("Tables", str(self.pvalue.shape), f"shape={self.pvalue.shape}"),
        ]

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

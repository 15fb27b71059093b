"""The display protocol and the effect and test results (re-exported by :mod:`rctkit.results`).

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

import csv
import html
import io
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs
import numpy as np
import numpy.typing as npt

from rctkit._validation import MARGIN_NULLS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ESTIMATE_COLUMNS",
    "TEST_COLUMNS",
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

#: Each measure's value of no effect, which a displayed limit never rounds onto.
MEASURE_NULLS: dict[str, float] = {**MARGIN_NULLS, "rate_ratio": 1.0}

FloatArray = npt.NDArray[np.float64]


#: The columns of :meth:`Estimate.to_dict` and :meth:`Estimate.to_frame`, in order.
ESTIMATE_COLUMNS: tuple[str, ...] = (
    "outcome",
    "measure",
    "method",
    "estimate",
    "conf_low",
    "conf_high",
    "confidence_level",
    "std_error",
    "pvalue",
)

#: The columns of :meth:`TestResult.to_dict` and :meth:`TestResult.to_frame`, in order.
TEST_COLUMNS: tuple[str, ...] = ("outcome", "method", "alternative", "statistic", "pvalue")


def _optional_float(value: object) -> float | None:
    """None stays None; anything else becomes a float."""
    return None if value is None else float(value)  # type: ignore[arg-type]


def _pandas(what: str) -> Any:
    """Import pandas, or say how to install it (the ``rctkit[pandas]`` extra)."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            f"{what} needs pandas, which is not installed; install it with "
            f'`pip install "rctkit[pandas]"` (or use to_dict(), which needs nothing)'
        ) from exc
    return pandas


def _plain_value(value: object) -> object:
    """A record's value for JSON: nan becomes None (null), an infinite float the string
    "inf" or "-inf" (JSON has no infinity), anything else stays."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def records_json(records: Sequence[Mapping[str, object]], **meta: object) -> str:
    """``records`` as a JSON document ``{**meta, "results": [...]}``: strict JSON (no NaN or
    Infinity tokens: nan is null, an infinite limit "inf" or "-inf"), floats at full
    precision (Python's shortest round-tripping repr)."""
    document = {
        **{k: _plain_value(v) for k, v in meta.items()},
        "results": [{k: _plain_value(v) for k, v in r.items()} for r in records],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def records_csv(records: Sequence[Mapping[str, object]], columns: Sequence[str]) -> str:
    """``records`` as CSV with a header of ``columns``: floats at full precision, None and
    nan as empty fields, infinities as "inf" and "-inf" (no pandas needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        row = []
        for name in columns:
            value = record.get(name)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                row.append("")
            elif isinstance(value, float):
                row.append(
                    repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
                )
            else:
                row.append(str(value))
        writer.writerow(row)
    return out.getvalue()


def records_frame(records: Sequence[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    """A pandas DataFrame of ``records`` (dicts) with ``columns`` in that order.

    A column whose values are all floats or None becomes a float column, None becoming ``nan``;
    an empty list of records gives an empty frame with the columns.
    """
    pandas = _pandas("to_frame")
    data = {name: [record.get(name) for record in records] for name in columns}
    frame: pd.DataFrame = pandas.DataFrame(data, columns=list(columns))
    for name in columns:
        values = data[name]
        if values and all(v is None or isinstance(v, float) for v in values):
            frame[name] = np.array([np.nan if v is None else v for v in values], dtype=float)
    return frame


def short_number(value: float | None, *, apart: tuple[float, ...] = ()) -> str:
    """Format a number with four significant digits for a ``repr``.

    A value that four digits would round onto one of ``apart`` (and is not that value) gets
    as many more digits as it needs to stay apart from it: a p-value of 0.049996 shows as
    0.049996, not 0.05, and a limit of 0.99996 as 0.99996, not 1.
    """
    if value is None:
        return "None"
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    for digits in range(4, 18):
        text = f"{value:.{digits}g}"
        if all(float(text) != mark or value == mark for mark in apart):
            return text
    return repr(value)


def short_p(value: float | None) -> str:
    """A p-value for a ``repr``: four significant digits, never rounded onto 0.05."""
    return short_number(value, apart=(0.05,))


def short_limit(value: float | None, measure: str) -> str:
    """A confidence limit for a ``repr``: never rounded onto the measure's null (0 or 1)."""
    null = MEASURE_NULLS.get(measure)
    return short_number(value, apart=() if null is None else (null,))


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


class OneRow(Displayed):
    """A scalar result whose frame is one row: the columns ``FRAME_COLUMNS`` of its
    ``to_dict``."""

    __slots__ = ()

    #: The columns of :meth:`to_frame`, in order.
    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = ()

    def to_dict(self) -> Mapping[str, object]:
        """The numbers as plain Python values."""
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:
        """The numbers as a pandas DataFrame of one row, the columns of :meth:`to_dict`.

        None (no standard error or p-value, say) becomes ``nan`` in the float columns.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "rctkit[pandas]"``).
        """
        return records_frame([self.to_dict()], self.FRAME_COLUMNS)


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
class Estimate(OneRow):
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
    std_error : float or None
        The standard error from which the interval is built, on the scale on which it is
        built: log scale for the ``"wald"`` and ``"haldane"`` ratios, the risk scale for the
        ``"wald"``, ``"wald-cc"`` and ``"agresti-caffo"`` (adjusted table) differences. None
        where the interval does not come from a standard error (score, exact, mid-p, profile
        likelihood, Firth and Newcombe intervals, numbers needed to treat); ``inf`` where the
        Wald standard error is infinite (a zero cell). Keyword only.
    outcome : str
        The name of the :class:`~rctkit.BinaryOutcome` the estimate is about; ``""`` when it
        has none (or for results built from bare counts). Keyword only. A label: ``==``
        compares the numbers and the method, not the name, so that a scalar result equals the
        :mod:`rctkit.batch` result of the same table.
    two_sided : str or None
        The two-sided rule of the exact conditional interval (``"central"``, ``"minlike"``
        or ``"blaker"``) when the caller chose one with ``two_sided=``; None otherwise.
        Keyword only; like ``outcome``, not compared by ``==``.

    Notes
    -----
    :meth:`to_dict` and :meth:`to_frame` give the numbers in the tidy form of R's
    ``broom::tidy``: one record of plain Python values. Both cost a few microseconds; there is
    no limit.
    """

    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = ESTIMATE_COLUMNS

    measure: Measure
    estimate: float = attrs.field(converter=float)
    ci: ConfidenceInterval
    confidence_level: float
    method: str
    pvalue: float | None = None
    std_error: float | None = attrs.field(default=None, kw_only=True, converter=_optional_float)
    outcome: str = attrs.field(
        default="", kw_only=True, eq=False, validator=attrs.validators.instance_of(str)
    )
    two_sided: str | None = attrs.field(default=None, kw_only=True, eq=False)

    def __float__(self) -> float:
        return self.estimate

    def to_dict(self) -> dict[str, str | float | None]:
        """The numbers as a dict of plain Python ``str``, ``float`` and ``None``.

        Returns
        -------
        dict
            The keys, in this order (``rctkit.results.ESTIMATE_COLUMNS``): ``outcome``,
            ``measure``, ``method``, ``estimate``, ``conf_low``, ``conf_high``,
            ``confidence_level``, ``std_error`` (None where the method has none) and ``pvalue``
            (None where the method has none). The floats are the attributes' values, unrounded.

        Examples
        --------
        >>> import rctkit as rk
        >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216),
        ...                                     name="Readmission")
        >>> d = rk.risk_ratio(core).to_dict()
        >>> d["outcome"], d["measure"], round(d["conf_high"], 4)
        ('Readmission', 'risk_ratio', 0.9971)
        """
        return {
            "outcome": self.outcome,
            "measure": str(self.measure),
            "method": self.method,
            "estimate": float(self.estimate),
            "conf_low": float(self.ci.low),
            "conf_high": float(self.ci.high),
            "confidence_level": float(self.confidence_level),
            "std_error": None if self.std_error is None else float(self.std_error),
            "pvalue": None if self.pvalue is None else float(self.pvalue),
        }

    def _title(self) -> str:
        return MEASURE_LABELS.get(self.measure, self.measure)

    def _rows(self) -> list[Row]:
        level = f"{_level_percent(self.confidence_level)} CI"
        low, high = (short_limit(v, self.measure) for v in self.ci)
        estimate = short_number(self.estimate)
        rows = [
            Row("Estimate", estimate, f"{self.measure}={estimate}"),
            Row(level, f"{low} to {high}", f"{level} {low} to {high}"),
            Row("Method", self.method, f"method={self.method!r}"),
        ]
        if self.two_sided is not None:
            rows.append(Row("Two-sided rule", self.two_sided, f"two_sided={self.two_sided!r}"))
        if self.pvalue is not None:
            p = short_p(self.pvalue)
            rows.append(Row("p-value", p, f"pvalue={p}"))
        if self.std_error is not None:
            rows.append(Row("Standard error", short_number(self.std_error)))
        if self.outcome:
            rows.insert(0, Row("Outcome", self.outcome))
        return rows


@attrs.frozen(repr=False)
class TestResult(OneRow):
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
    outcome : str
        The name of the :class:`~rctkit.BinaryOutcome` tested; ``""`` when it has none.
        Keyword only; a label, not compared by ``==``.
    two_sided : str or None
        How the two-sided p-value of Fisher's test was formed (``"minlike"``, ``"central"``
        or ``"blaker"``) when the caller chose it with ``two_sided=``; None otherwise.
        Keyword only; not compared by ``==``.
    """

    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = TEST_COLUMNS

    __test__ = False  # not a pytest test class

    statistic: float | None
    pvalue: float = attrs.field(converter=float)
    method: str
    alternative: str = "two-sided"
    outcome: str = attrs.field(
        default="", kw_only=True, eq=False, validator=attrs.validators.instance_of(str)
    )
    two_sided: str | None = attrs.field(default=None, kw_only=True, eq=False)

    def to_dict(self) -> dict[str, str | float | None]:
        """The result as a dict of plain Python values.

        Returns
        -------
        dict
            The keys, in this order (``rctkit.results.TEST_COLUMNS``): ``outcome``, ``method``,
            ``alternative``, ``statistic`` (None for tests without one) and ``pvalue``.

        Examples
        --------
        >>> import rctkit as rk
        >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
        >>> rk.hypothesis_test(core, method="fisher").to_dict()["statistic"] is None
        True
        """
        return {
            "outcome": self.outcome,
            "method": self.method,
            "alternative": self.alternative,
            "statistic": None if self.statistic is None else float(self.statistic),
            "pvalue": float(self.pvalue),
        }

    def _title(self) -> str:
        return "Hypothesis test"

    def _rows(self) -> list[Row]:
        rows = []
        if self.statistic is not None:
            stat = short_number(self.statistic)
            rows.append(Row("Statistic", stat, f"statistic={stat}"))
        p = short_p(self.pvalue)
        rows.append(Row("p-value", p, f"pvalue={p}"))
        rows.append(Row("Method", self.method, f"method={self.method!r}"))
        if self.two_sided is not None:
            rows.append(Row("Two-sided rule", self.two_sided, f"two_sided={self.two_sided!r}"))
        rows.append(Row("Alternative", self.alternative))
        if self.outcome:
            rows.insert(0, Row("Outcome", self.outcome))
        return rows


@attrs.frozen(eq=False, repr=False)
class BatchEstimate(Displayed):
    """Effect estimates for a batch of tables; the arrays share the inputs' broadcast shape.

    ``std_error`` (keyword only) is the array of standard errors for the methods that have one,
    as ``Estimate.std_error``, and None for the others.
    """

    measure: Measure
    method: str
    confidence_level: float
    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    pvalue: FloatArray | None = None
    std_error: FloatArray | None = attrs.field(default=None, kw_only=True)

    def __len__(self) -> int:
        return int(self.estimate.size)

    def to_frame(self) -> pd.DataFrame:
        """The results in long form: a pandas DataFrame of one row per table.

        Returns
        -------
        pandas.DataFrame
            Column ``table`` (the table's flat index, in C order, as :meth:`item` takes it),
            then the columns of :meth:`~rctkit.Estimate.to_dict` without ``outcome``: ``measure``,
            ``method``, ``estimate``, ``conf_low``, ``conf_high``, ``confidence_level``,
            ``std_error`` and ``pvalue`` (``nan`` where the method has none).

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "rctkit[pandas]"``).

        Notes
        -----
        The frame is built from the arrays, column by column: about 100 bytes a table, a
        fraction of a second for a million tables. There is no limit beyond memory.

        Examples
        --------
        >>> import rctkit.batch as rkb
        >>> frame = rkb.odds_ratio([64, 10], 218, 83, 216).to_frame()
        >>> list(frame["table"]), len(frame.columns)
        ([0, 1], 9)
        """
        pandas = _pandas("to_frame")
        size = self.estimate.size
        nan = np.full(size, np.nan)

        def column(values: FloatArray | None) -> FloatArray:
            return nan if values is None else np.asarray(values, dtype=np.float64).reshape(-1)

        frame: pd.DataFrame = pandas.DataFrame(
            {
                "table": np.arange(size, dtype=np.int64),
                "measure": np.full(size, self.measure, dtype=object),
                "method": np.full(size, self.method, dtype=object),
                "estimate": column(self.estimate),
                "conf_low": column(self.low),
                "conf_high": column(self.high),
                "confidence_level": np.full(size, float(self.confidence_level)),
                "std_error": column(self.std_error),
                "pvalue": column(self.pvalue),
            }
        )
        return frame

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
        i = _flat(self, index)
        pvalue = None if self.pvalue is None else float(self.pvalue.flat[i])
        std_error = None if self.std_error is None else float(self.std_error.flat[i])
        return Estimate(
            measure=self.measure,
            estimate=float(self.estimate.flat[i]),
            ci=ConfidenceInterval(float(self.low.flat[i]), float(self.high.flat[i])),
            confidence_level=self.confidence_level,
            method=self.method,
            pvalue=pvalue,
            std_error=std_error,
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

    def to_frame(self) -> pd.DataFrame:
        """The results in long form: a pandas DataFrame of one row per table.

        Returns
        -------
        pandas.DataFrame
            Columns ``table`` (the flat index, in C order), ``method``, ``alternative``,
            ``statistic`` (``nan`` for tests without one) and ``pvalue``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "rctkit[pandas]"``).

        Notes
        -----
        Built from the arrays, column by column; no limit beyond memory.
        """
        pandas = _pandas("to_frame")
        size = self.pvalue.size
        statistic = (
            np.full(size, np.nan)
            if self.statistic is None
            else np.asarray(self.statistic, dtype=np.float64).reshape(-1)
        )
        frame: pd.DataFrame = pandas.DataFrame(
            {
                "table": np.arange(size, dtype=np.int64),
                "method": np.full(size, self.method, dtype=object),
                "alternative": np.full(size, self.alternative, dtype=object),
                "statistic": statistic,
                "pvalue": np.asarray(self.pvalue, dtype=np.float64).reshape(-1),
            }
        )
        return frame

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

"""Results of the tests against a margin: :class:`MarginTest` and :class:`BatchMarginTest`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs
import numpy as np
import numpy.typing as npt

from rctkit.results._core import (
    MEASURE_LABELS,
    ConfidenceInterval,
    Displayed,
    FloatArray,
    Measure,
    OneRow,
    Row,
    _level_percent,
    _pandas,
    short_limit,
    short_number,
    short_p,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MARGIN_COLUMNS",
    "BatchMarginTest",
    "Framework",
    "MarginTest",
    "margin_conclusion",
    "margin_hypothesis",
]

# ---------------------------------------------------------------------------------------------
# Tests against a margin

Framework = Literal["noninferiority", "equivalence"]

#: The columns of :meth:`MarginTest.to_dict`, in order.
MARGIN_COLUMNS: tuple[str, ...] = (
    "outcome",
    "framework",
    "measure",
    "method",
    "estimate",
    "conf_low",
    "conf_high",
    "confidence_level",
    "alpha",
    "margin_low",
    "margin_high",
    "higher_is_better",
    "statistic",
    "pvalue",
    "rejected",
)


def _measure_words(measure: str) -> str:
    return MEASURE_LABELS.get(measure, measure).lower()


def _margin_number(value: float) -> str:
    return f"{value:g}"


def _limit_number(value: float, margin: float | None = None) -> str:
    """Four decimals (four significant figures from 1 up), more where the limit would print
    as the margin without being it."""
    if not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    digits = 4
    while True:
        text = f"{value:.{digits}g}" if abs(value) >= 1 or value == 0 else f"{value:.{digits}f}"
        if margin is None or value == margin or float(text) != margin or digits >= 17:
            return text
        digits += 1


def _p_text(pvalue: float) -> str:
    """Two significant figures, more where two would carry p across 0.05 (0.0496 is
    "0.0496", never "0.05")."""
    if math.isnan(pvalue):
        return "nan"
    if pvalue < 0.0001:
        return "< 0.0001"
    digits = 2
    text = f"{pvalue:.{digits}g}"
    while digits < 17 and (float(text) < 0.05) != (pvalue < 0.05):
        digits += 1
        text = f"{pvalue:.{digits}g}"
    return f"= {text}"


def margin_hypothesis(
    framework: str, measure: str, margin: float | tuple[float, float], higher_is_better: bool
) -> str:
    """The null and alternative hypotheses, in words: ``"H0: risk difference <= -0.125 vs
    H1: risk difference > -0.125"``."""
    name = _measure_words(measure)
    if isinstance(margin, tuple):
        low, high = (_margin_number(m) for m in margin)
        return f"H0: {name} <= {low} or {name} >= {high} vs H1: {low} < {name} < {high}"
    m = _margin_number(margin)
    if higher_is_better:
        return f"H0: {name} <= {m} vs H1: {name} > {m}"
    return f"H0: {name} >= {m} vs H1: {name} < {m}"


def margin_conclusion(
    framework: str,
    margin: float | tuple[float, float],
    higher_is_better: bool,
    rejected: bool,
    ci: ConfidenceInterval,
    confidence_level: float,
    pvalue: float,
) -> str:
    """One sentence that states the decision, the interval's limit(s) against the margin(s)
    and the p-value."""
    level = _level_percent(confidence_level)
    if isinstance(margin, tuple):
        low, high = (_margin_number(m) for m in margin)
        interval = f"{_limit_number(ci.low, margin[0])} to {_limit_number(ci.high, margin[1])}"
        if rejected:
            return (
                f"Equivalent within margins of {low} and {high}: the {level} confidence "
                f"interval {interval} lies between them (TOST p {_p_text(pvalue)})."
            )
        return (
            f"Equivalence not shown: the {level} confidence interval {interval} does not lie "
            f"between the margins {low} and {high} (TOST p {_p_text(pvalue)})."
        )
    m = _margin_number(margin)
    side, limit, where = (
        ("lower", ci.low, "above") if higher_is_better else ("upper", ci.high, "below")
    )
    limit_text = f"the {side} {level} confidence limit {_limit_number(limit, margin)}"
    if rejected:
        return (
            f"Non-inferior at a margin of {m}: {limit_text} lies {where} it "
            f"(one-sided p {_p_text(pvalue)})."
        )
    return (
        f"Non-inferiority not shown at a margin of {m}: {limit_text} does not lie {where} it "
        f"(one-sided p {_p_text(pvalue)})."
    )


def _margin_bounds(
    margin: float | tuple[float, float], higher_is_better: bool | None
) -> tuple[float | None, float | None]:
    if isinstance(margin, tuple):
        return float(margin[0]), float(margin[1])
    return (float(margin), None) if higher_is_better else (None, float(margin))


@attrs.frozen(repr=False)
class MarginTest(OneRow):
    """A non-inferiority or equivalence test against a margin, with its matching interval.

    Attributes
    ----------
    framework : {"noninferiority", "equivalence"}
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
    method : str
        ``"mn"``, ``"fm"``, ``"wald"`` or ``"newcombe"``.
    estimate : float
        The point estimate of the effect, treatment against control.
    ci : ConfidenceInterval
        The two-sided interval at ``confidence_level`` that the test inverts.
    confidence_level : float
        The interval's level; each one-sided test is at ``alpha = (1 - confidence_level) / 2``.
    alpha : float
        The level of each one-sided test.
    margin : float or tuple of float
        The non-inferiority margin, or the equivalence margins ``(low, high)``, on the
        measure's scale.
    pvalue : float
        The one-sided p-value (non-inferiority) or the larger of the two one-sided p-values
        (equivalence, TOST).
    statistic : float or None
        The z statistic at the margin (for TOST that of the larger p-value); for
        ``"newcombe"`` the quantile at which the interval's limit touches the margin; None
        where the Wald statistic is undefined (a zero cell of a ratio).
    higher_is_better : bool or None
        The direction of a non-inferiority test; None for equivalence.
    rejected : bool
        Whether the null hypothesis is rejected (``pvalue < alpha``): non-inferiority or
        equivalence shown.
    hypothesis : str
        The hypotheses in words.
    conclusion : str
        One sentence: the decision, the interval's limit against the margin, the p-value.
    outcome : str
        The outcome's name (keyword only; a label, not compared by ``==``).
    """

    FRAME_COLUMNS: ClassVar[tuple[str, ...]] = MARGIN_COLUMNS

    framework: Framework
    measure: Measure
    method: str
    estimate: float = attrs.field(converter=float)
    ci: ConfidenceInterval
    confidence_level: float
    alpha: float
    margin: float | tuple[float, float]
    pvalue: float = attrs.field(converter=float)
    statistic: float | None
    higher_is_better: bool | None
    rejected: bool
    hypothesis: str
    conclusion: str
    outcome: str = attrs.field(
        default="", kw_only=True, eq=False, validator=attrs.validators.instance_of(str)
    )

    def to_dict(self) -> dict[str, str | float | bool | None]:
        """The numbers as a dict of plain Python values.

        Returns
        -------
        dict
            The keys, in this order (``rctkit.results.MARGIN_COLUMNS``): ``outcome``,
            ``framework``, ``measure``, ``method``, ``estimate``, ``conf_low``, ``conf_high``,
            ``confidence_level``, ``alpha``, ``margin_low`` and ``margin_high`` (the margin a
            non-inferiority test must lie above or below, the other None; both for
            equivalence), ``higher_is_better``, ``statistic``, ``pvalue`` and ``rejected``.

        Examples
        --------
        >>> import rctkit as rk
        >>> trial = rk.BinaryOutcome.from_counts(treatment=(245, 356), control=(270, 370))
        >>> d = rk.noninferiority(trial, measure="risk_difference", margin=-0.125,
        ...                       higher_is_better=True).to_dict()
        >>> d["margin_low"], d["margin_high"], d["rejected"]
        (-0.125, None, True)
        """
        low, high = _margin_bounds(self.margin, self.higher_is_better)
        return {
            "outcome": self.outcome,
            "framework": self.framework,
            "measure": str(self.measure),
            "method": self.method,
            "estimate": float(self.estimate),
            "conf_low": float(self.ci.low),
            "conf_high": float(self.ci.high),
            "confidence_level": float(self.confidence_level),
            "alpha": float(self.alpha),
            "margin_low": low,
            "margin_high": high,
            "higher_is_better": self.higher_is_better,
            "statistic": None if self.statistic is None else float(self.statistic),
            "pvalue": float(self.pvalue),
            "rejected": bool(self.rejected),
        }

    def _title(self) -> str:
        kind = "Non-inferiority" if self.framework == "noninferiority" else "Equivalence"
        return f"{kind} test, {_measure_words(self.measure)}"

    def _rows(self) -> list[Row]:
        level = f"{_level_percent(self.confidence_level)} CI"
        low, high = (short_limit(v, self.measure) for v in self.ci)
        estimate = short_number(self.estimate)
        margin = (
            f"{_margin_number(self.margin[0])} to {_margin_number(self.margin[1])}"
            if isinstance(self.margin, tuple)
            else _margin_number(self.margin)
        )
        p = short_p(self.pvalue)
        rows = [
            Row("Hypothesis", self.hypothesis),
            Row("Estimate", estimate, f"{self.measure}={estimate}"),
            Row(level, f"{low} to {high}", f"{level} {low} to {high}"),
            Row("Margin", margin, f"margin={margin}"),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("p-value", p, f"pvalue={p}"),
            Row("Rejected", str(self.rejected), f"rejected={self.rejected}"),
            Row("Conclusion", self.conclusion),
        ]
        if self.statistic is not None:
            rows.insert(5, Row("Statistic", short_number(self.statistic)))
        if self.outcome:
            rows.insert(0, Row("Outcome", self.outcome))
        return rows


@attrs.frozen(eq=False, repr=False)
class BatchMarginTest(Displayed):
    """Tests against a margin for a batch of tables: arrays of the inputs' broadcast shape.

    ``statistic`` is nan where the Wald statistic is undefined; the other fields are as in
    :class:`MarginTest`.
    """

    framework: Framework
    measure: Measure
    method: str
    confidence_level: float
    alpha: float
    margin: float | tuple[float, float]
    higher_is_better: bool | None
    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    statistic: FloatArray
    pvalue: FloatArray
    rejected: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.estimate.size)

    def to_frame(self) -> pd.DataFrame:
        """The results in long form: a pandas DataFrame of one row per table.

        Returns
        -------
        pandas.DataFrame
            Column ``table`` (the flat index, in C order), then the columns of
            :meth:`MarginTest.to_dict` without ``outcome``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "rctkit[pandas]"``).
        """
        pandas = _pandas("to_frame")
        size = self.estimate.size
        low, high = _margin_bounds(self.margin, self.higher_is_better)

        def flat(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.asarray(values).reshape(-1)

        def constant(value: object) -> npt.NDArray[Any]:
            return np.full(size, value if value is not None else None, dtype=object)

        frame: pd.DataFrame = pandas.DataFrame(
            {
                "table": np.arange(size, dtype=np.int64),
                "framework": constant(self.framework),
                "measure": constant(self.measure),
                "method": constant(self.method),
                "estimate": flat(self.estimate),
                "conf_low": flat(self.low),
                "conf_high": flat(self.high),
                "confidence_level": np.full(size, float(self.confidence_level)),
                "alpha": np.full(size, float(self.alpha)),
                "margin_low": np.full(size, np.nan if low is None else low),
                "margin_high": np.full(size, np.nan if high is None else high),
                "higher_is_better": constant(self.higher_is_better),
                "statistic": flat(self.statistic),
                "pvalue": flat(self.pvalue),
                "rejected": flat(self.rejected).astype(bool),
            }
        )
        return frame

    def _title(self) -> str:
        kind = "Non-inferiority" if self.framework == "noninferiority" else "Equivalence"
        return f"{kind} tests, {_measure_words(self.measure)}, batch"

    def _rows(self) -> list[Row]:
        return [
            Row("Framework", self.framework, f"framework={self.framework!r}"),
            Row("Measure", self.measure, f"measure={self.measure!r}"),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Confidence level", _level_percent(self.confidence_level)),
            Row("Tables", str(self.estimate.shape), f"shape={self.estimate.shape}"),
        ]

    def item(self, index: int | tuple[int, ...] = 0) -> MarginTest:
        """Return one table's result as a scalar :class:`MarginTest`."""
        shape = self.estimate.shape
        i = int(np.ravel_multi_index(index, shape)) if isinstance(index, tuple) else int(index)
        ci = ConfidenceInterval(float(self.low.flat[i]), float(self.high.flat[i]))
        stat = float(self.statistic.flat[i])
        pvalue = float(self.pvalue.flat[i])
        rejected = bool(self.rejected.flat[i])
        hib = bool(self.higher_is_better)
        return MarginTest(
            framework=self.framework,
            measure=self.measure,
            method=self.method,
            estimate=float(self.estimate.flat[i]),
            ci=ci,
            confidence_level=self.confidence_level,
            alpha=self.alpha,
            margin=self.margin,
            pvalue=pvalue,
            statistic=None if math.isnan(stat) else stat,
            higher_is_better=self.higher_is_better,
            rejected=rejected,
            hypothesis=margin_hypothesis(self.framework, self.measure, self.margin, hib),
            conclusion=margin_conclusion(
                self.framework, self.margin, hib, rejected, ci, self.confidence_level, pvalue
            ),
        )

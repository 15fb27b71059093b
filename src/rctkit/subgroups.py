"""Subgroup analyses: the effect of treatment in each level of a factor, and the interaction.

:func:`subgroup_analysis` estimates the effect in every level of one or more subgroup factors
(all levels at once, through :mod:`rctkit.batch`) and tests, per factor, that the effect is
the same in every level: the likelihood-ratio test of the treatment x factor interaction in
the logistic model and, for the odds ratio, the Breslow-Day and Tarone homogeneity tests.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import special

from rctkit import batch
from rctkit._validation import (
    check_choice,
    check_column,
    check_confidence_level,
    column_list,
    column_names,
    label_array,
    label_codes,
)
from rctkit.adjusted.glm import newton_logistic
from rctkit.errors import InvalidInputError
from rctkit.formatting import (
    format_ci,
    format_number,
    format_p,
    format_percent,
)
from rctkit.model import BinaryOutcome
from rctkit.results import MEASURE_LABELS, ConfidenceInterval, Displayed, Estimate, Row
from rctkit.results import _pandas as _pandas
from rctkit.results.subgroups import INTERACTION_LABELS, InteractionTest, SubgroupLevel
from rctkit.strata import homogeneity_test, strata_from_arrays
from rctkit.tables import ReportTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["SUBGROUP_NOTE", "SubgroupAnalysis", "subgroup_analysis"]

MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")

#: The warning every display of a subgroup analysis carries.
SUBGROUP_NOTE = (
    "Subgroup analyses are exploratory: whether the effect of treatment differs between "
    "subgroups is judged by the interaction tests, not by within-subgroup p-values (which "
    "are not shown); with several factors, some interaction p-values below 0.05 are "
    "expected by chance."
)

#: The columns of :meth:`SubgroupAnalysis.to_frame`, in order.
SUBGROUP_COLUMNS: tuple[str, ...] = (
    "factor",
    "level",
    "treatment_events",
    "treatment_total",
    "control_events",
    "control_total",
    "measure",
    "method",
    "estimate",
    "conf_low",
    "conf_high",
    "confidence_level",
    "interaction_pvalue",
)

_BATCH = {
    "odds_ratio": batch.odds_ratio,
    "risk_ratio": batch.risk_ratio,
    "risk_difference": batch.risk_difference,
}


@attrs.frozen(repr=False)
class SubgroupAnalysis(Displayed):
    """The effect of treatment in each subgroup, and the tests of interaction per factor.

    Attributes
    ----------
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}
    method : str
        The interval method of every level (as in :mod:`rctkit.batch`).
    confidence_level : float
    arm_labels : (str, str)
        The treatment arm's label, then the control arm's.
    overall : SubgroupLevel
        The effect in all participants (factor ``"Overall"``).
    levels : tuple of SubgroupLevel
        Every level of every factor, factor by factor in the order of ``by``.
    interactions : tuple of InteractionTest
        The headline test of each factor, in the order of ``factors``: the logistic
        likelihood-ratio test of interaction (``method="lr"``).
    homogeneity : tuple of InteractionTest
        For the odds ratio, the Breslow-Day then the Tarone test of each factor; empty for
        the other measures (they test the odds ratio, not the measure shown).
    headline : str
        The method of the headline test, ``"lr"``.
    """

    measure: str
    method: str
    confidence_level: float
    arm_labels: tuple[str, str]
    overall: SubgroupLevel
    levels: tuple[SubgroupLevel, ...]
    interactions: tuple[InteractionTest, ...]
    homogeneity: tuple[InteractionTest, ...] = ()
    headline: str = "lr"

    @property
    def factors(self) -> tuple[str, ...]:
        """The factors' names, in order."""
        return tuple(t.factor for t in self.interactions)

    def levels_of(self, factor: str) -> tuple[SubgroupLevel, ...]:
        """The levels of one factor, in order."""
        if factor not in self.factors:
            raise InvalidInputError(
                f"`factor` must be one of {list(self.factors)} (got {factor!r})"
            )
        return tuple(lv for lv in self.levels if lv.factor == factor)

    def interaction(self, factor: str, method: str | None = None) -> InteractionTest:
        """The interaction test of ``factor``: the headline one, or ``method``'s."""
        self.levels_of(factor)
        method = check_choice(
            self.headline if method is None else method,
            "method",
            tuple(dict.fromkeys(t.method for t in (*self.interactions, *self.homogeneity))),
        )
        for t in (*self.interactions, *self.homogeneity):
            if t.factor == factor and t.method == method:
                return t
        raise AssertionError("unreachable")  # pragma: no cover

    @property
    def notes(self) -> tuple[str, ...]:
        """The footnotes of every display: the warning, the headline test, the other tests."""
        out = [
            SUBGROUP_NOTE,
            f"p for interaction: {INTERACTION_LABELS[self.headline]}, treatment and "
            f"subgroup as main effects against the model with their interaction; it tests "
            f"that the odds ratio is the same in every level.",
        ]
        for t in self.homogeneity:
            shown = format_p(t.pvalue) if t.defined and t.pvalue is not None else t.reason
            out.append(f"{t.factor}: {t.label}, {shown}.")
        for t in self.interactions:
            if not t.defined:
                out.append(f"{t.factor}: no test of interaction ({t.reason}).")
        return tuple(out)

    def _title(self) -> str:
        return f"Subgroup analysis: {MEASURE_LABELS[self.measure].lower()}"

    def _rows(self) -> list[Row]:
        rows = [
            Row("Measure", self.measure, f"measure={self.measure!r}"),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Overall", self._cell(self.overall, "plain"), None),
        ]
        for t in self.interactions:
            p = format_p(t.pvalue, prefix=False) if t.defined and t.pvalue is not None else "-"
            rows.append(Row(f"{t.factor}: p for interaction", p, f"{t.factor}: p_interaction={p}"))
            rows.extend(
                Row(f"{t.factor}: {lv.level}", self._cell(lv, "plain"), None)
                for lv in self.levels_of(t.factor)
            )
        rows.extend(Row("Note", note, None) for note in self.notes)
        return rows

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", note={SUBGROUP_NOTE[:40] + '...'!r})"

    def _cell(self, lv: SubgroupLevel, style: str) -> str:
        est = lv.estimate
        if math.isnan(est.estimate) or math.isnan(est.ci.low) or math.isnan(est.ci.high):
            return "not estimable"
        ratio = self.measure != "risk_difference"
        scale, digits, null = (1.0, 2, 1.0) if ratio else (100.0, 1, 0.0)
        point = format_number(scale * est.estimate, digits, style=style)
        ci = format_ci(
            scale * est.ci.low,
            scale * est.ci.high,
            digits,
            level=self.confidence_level,
            style=style,
            label=False,
            null=null,
        )
        return f"{point} ({ci})"

    def table(self, *, style: str = "plain") -> ReportTable:
        """The analysis as a :class:`~rctkit.tables.ReportTable` (text, Markdown, HTML, ...).

        A row for all participants, then each factor's heading (with its p for interaction)
        and its levels, indented; the notes carry :data:`SUBGROUP_NOTE`.

        Parameters
        ----------
        style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
            The journal style of the numbers.
        """
        pct = f"{100 * self.confidence_level:g}%"
        unit = "" if self.measure != "risk_difference" else ", % points"
        columns = (
            "Subgroup",
            f"{self.arm_labels[0]} n/N (%)",
            f"{self.arm_labels[1]} n/N (%)",
            f"{MEASURE_LABELS[self.measure]}{unit} ({pct} CI)",
            "p for interaction",
        )

        def counts(lv: SubgroupLevel) -> tuple[str, str]:
            return (
                format_percent(lv.treatment_events, lv.treatment_total, style=style),
                format_percent(lv.control_events, lv.control_total, style=style),
            )

        rows: list[tuple[str, ...]] = [
            (self.overall.level, *counts(self.overall), self._cell(self.overall, style), "")
        ]
        for t in self.interactions:
            p = (
                "\u2013"
                if t.pvalue is None or not t.defined
                else format_p(t.pvalue, style=style, prefix=False)
            )
            rows.append((t.factor, "", "", "", p))
            rows.extend(
                (f"\u2003{lv.level}", *counts(lv), self._cell(lv, style), "")
                for lv in self.levels_of(t.factor)
            )
        caption = f"Subgroup analysis: {MEASURE_LABELS[self.measure].lower()} by subgroup"
        return ReportTable(caption=caption, columns=columns, rows=rows, notes=self.notes)

    def to_frame(self) -> pd.DataFrame:
        """The numbers, one row per level (the overall row first), columns
        ``rctkit.subgroups.SUBGROUP_COLUMNS``; ``interaction_pvalue`` is the factor's
        headline test."""
        p = {t.factor: t.pvalue for t in self.interactions}
        records = [
            {
                "factor": lv.factor,
                "level": lv.level,
                "treatment_events": lv.treatment_events,
                "treatment_total": lv.treatment_total,
                "control_events": lv.control_events,
                "control_total": lv.control_total,
                "measure": self.measure,
                "method": self.method,
                "estimate": lv.estimate.estimate,
                "conf_low": lv.estimate.ci.low,
                "conf_high": lv.estimate.ci.high,
                "confidence_level": self.confidence_level,
                "interaction_pvalue": p.get(lv.factor),
            }
            for lv in (self.overall, *self.levels)
        ]
        pandas = _pandas("to_frame")
        frame: pd.DataFrame = pandas.DataFrame(records, columns=list(SUBGROUP_COLUMNS))
        return frame


# -- the interaction test ------------------------------------------------------------------


def _loglik(events: npt.NDArray[np.float64], total: npt.NDArray[np.float64]) -> float:
    """The saturated log-likelihood of binomial cells (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(total > 0, events / np.where(total > 0, total, 1.0), 0.0)
    return float(np.sum(special.xlogy(events, p) + special.xlog1py(total - events, -p)))


def interaction_lr(factor: str, tables: npt.NDArray[np.int64]) -> InteractionTest:
    """The likelihood-ratio test of the treatment x factor interaction in the logistic model.

    ``tables`` has one row ``(a, n1, c, n2)`` per level. Levels with no events or only events
    fit exactly under both models and carry no information: they are left out, and ``df`` is
    the informative levels less one. Fewer than two informative levels: no test.
    """
    a, n1, c, n2 = (tables[:, j].astype(np.float64) for j in range(4))
    events, total = a + c, n1 + n2
    keep = (events > 0) & (events < total)
    k = int(keep.sum())
    if k < 2:
        reason = "one level" if len(tables) < 2 else f"{k} level{'s' * (k != 1)} with information"
        return InteractionTest(factor, "lr", None, 0, None, f"fewer than two levels ({reason})")
    a, n1, c, n2 = a[keep], n1[keep], c[keep], n2[keep]
    full = _loglik(a, n1) + _loglik(c, n2)
    # The main-effects model on grouped data: two rows (event, no event) per level and arm,
    # weighted by their counts.
    arm = np.tile(np.repeat([1.0, 0.0], 2), k)
    y = np.tile([1.0, 0.0], 2 * k)
    weights = np.column_stack([a, n1 - a, c, n2 - c]).reshape(-1)
    level = np.repeat(np.arange(k), 4)
    dummies = (level[:, None] == np.arange(1, k)[None, :]).astype(np.float64)
    X = np.column_stack([np.ones_like(arm), arm, dummies])
    fit = newton_logistic(X, y, weights=weights)
    if not fit.converged[0]:
        return InteractionTest(
            factor,
            "lr",
            None,
            0,
            None,
            "the main-effects model has no finite fit (separation by arm)",
        )
    statistic = max(2.0 * (full - float(fit.loglik[0])), 0.0)
    df = k - 1
    return InteractionTest(factor, "lr", statistic, df, float(special.chdtrc(df, statistic)))


def _homogeneity(factor: str, strata: Sequence[BinaryOutcome]) -> list[InteractionTest]:
    informative = [
        s
        for s in strata
        if 0 < s.treatment.events + s.control.events < s.treatment.total + s.control.total
    ]
    out = []
    for method in ("breslow-day", "tarone"):
        if len(informative) < 2:
            reason = f"fewer than two levels with information ({len(informative)})"
            out.append(InteractionTest(factor, method, None, 0, None, reason))
            continue
        res = homogeneity_test(informative, method=method)
        out.append(
            InteractionTest(factor, method, res.statistic, len(informative) - 1, res.pvalue)
        )
    return out


# -- arguments -----------------------------------------------------------------------------


def _label(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a str (got {type(value).__name__})")
    return value


def _from_mapping(data: Mapping[Any, Any], by: Any) -> dict[str, list[tuple[str, BinaryOutcome]]]:
    factors: dict[str, list[tuple[str, BinaryOutcome]]] = {}
    for factor, levels in data.items():
        name = _label(factor, f"each factor of `data_or_strata` ({factor!r})")
        if not isinstance(levels, Mapping) or not levels:
            raise InvalidInputError(
                f"`data_or_strata[{factor!r}]` must be a non-empty mapping of level -> "
                f"BinaryOutcome (got {levels!r})"
            )
        rows = []
        for level, outcome in levels.items():
            where = f"`data_or_strata[{factor!r}][{level!r}]`"
            _label(level, f"each level of `data_or_strata[{factor!r}]` ({level!r})")
            if not isinstance(outcome, BinaryOutcome):
                raise InvalidInputError(
                    f"{where} must be a BinaryOutcome (got {type(outcome).__name__})"
                )
            rows.append((level, outcome))
        factors[name] = rows
    if not factors:
        raise InvalidInputError("`data_or_strata` must hold at least one factor (got none)")
    if by is not None:
        chosen = [str(f) if isinstance(f, str) else f for f in column_list(by, "by")]
        for f in chosen:
            if f not in factors:
                raise InvalidInputError(
                    f"`by` must name factors of `data_or_strata` ({list(factors)}) (got {f!r})"
                )
        factors = {str(f): factors[str(f)] for f in chosen}
    return factors


def _column(data: Any, name: Hashable, parameter: str) -> npt.NDArray[Any]:
    check_column(data, name, parameter)
    col = data[name]
    to_numpy = getattr(col, "to_numpy", None)
    arr = np.asarray(to_numpy() if callable(to_numpy) else col)
    if arr.ndim != 1:
        raise InvalidInputError(
            f"column {name!r} (`{parameter}`) must be one-dimensional (got shape {arr.shape})"
        )
    return arr


def _from_frame(
    data: Any, by: Any, outcome: Any, arm: Any, treatment: Any
) -> tuple[dict[str, list[tuple[str, BinaryOutcome]]], BinaryOutcome]:
    column_names(data)
    if by is None or outcome is None or arm is None or treatment is None:
        missing = [
            n
            for n, v in (("by", by), ("outcome", outcome), ("arm", arm), ("treatment", treatment))
            if v is None
        ]
        raise InvalidInputError(
            f"with a data frame, `by`, `outcome`, `arm` and `treatment` are required "
            f"(got none for {', '.join(f'`{m}`' for m in missing)})"
        )
    arms = _column(data, arm, "arm")
    values = _column(data, outcome, "outcome")
    factors: dict[str, list[tuple[str, BinaryOutcome]]] = {}
    for name in column_list(by, "by"):
        if name in (arm, outcome):
            raise InvalidInputError(f"`by` must not name the `arm` or `outcome` column ({name!r})")
        labels = _column(data, name, "by")
        strata = strata_from_arrays(arms, values, labels, treatment=treatment)
        # The levels in the order strata_from_arrays gives them (first appearance), sorted
        # where they sort (as the logistic model's dummies), else kept as met.
        levels, _ = label_codes(label_array(labels, "by"), "by")
        try:
            order = sorted(range(len(strata)), key=levels.__getitem__)
        except TypeError:
            order = list(range(len(strata)))
        factors[str(name)] = [(strata[i].name, strata[i]) for i in order]
    overall = BinaryOutcome.from_arrays(arms, values, treatment=treatment)
    return factors, overall


def subgroup_analysis(
    data_or_strata: Any,
    *,
    by: str | Sequence[str] | None = None,
    measure: str = "odds_ratio",
    method: str | None = None,
    outcome: Hashable | None = None,
    arm: Hashable | None = None,
    treatment: Hashable | None = None,
    confidence_level: float = 0.95,
) -> SubgroupAnalysis:
    """The effect of treatment in each subgroup, with the tests of interaction per factor.

    Parameters
    ----------
    data_or_strata : pandas.DataFrame, mapping of column -> array, or mapping of mappings
        Individual participants' data (one row each: the arm, the 0/1 outcome, the subgroup
        factors), or ``{factor: {level: BinaryOutcome}}`` of counts. The levels of every
        factor of a mapping of counts must partition the same participants (the same totals
        and events per arm).
    by : str or sequence of str
        The subgroup factors: columns of the data (required with data), or factors of the
        mapping (default all of them).
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, optional
    method : str, optional
        The interval method of each level, as in :mod:`rctkit.batch`; default ``"wald"``.
    outcome, arm, treatment : optional
        With data: the outcome's and the arm's columns, and the treatment arm's label.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.

    Returns
    -------
    SubgroupAnalysis
        ``.overall``, ``.levels`` (each a :class:`~rctkit.results.SubgroupLevel`),
        ``.interactions`` (the headline test per factor), ``.homogeneity`` (the odds ratio's
        Breslow-Day and Tarone tests), ``.notes``, ``.table()``, ``.to_frame()``.

    Raises
    ------
    InvalidInputError
        For an unknown measure or method, a column not in the data, missing values (never
        dropped), a non-0/1 outcome, a level without both arms (an empty arm), or factors of
        a mapping that do not partition the same participants.

    Notes
    -----
    The estimates of all levels come from one call of :mod:`rctkit.batch`; they carry no
    p-value. The headline test of each factor is the likelihood-ratio test of the logistic
    model with treatment, the factor and their interaction against the model of main
    effects, on ``K - 1`` degrees of freedom for ``K`` levels (R's
    ``anova(glm(y ~ arm + f), glm(y ~ arm * f), test = "LRT")``). The model with the
    interaction is saturated in the factor-by-arm table, so its log-likelihood is that of the
    observed proportions; the main-effects model is fitted by Newton-Raphson on the grouped
    counts (:func:`rctkit.adjusted.newton_logistic`). It tests the odds ratio's
    homogeneity, whatever ``measure`` is shown. Levels with no events or only events carry no
    information and are left out of every test (``df`` counts the others); a factor with
    fewer than two informative levels has no test (``pvalue`` None, ``reason`` says why), and
    so has one whose main-effects model has no finite fit (all events in one arm).

    References
    ----------
    Wang R, Lagakos SW, Ware JH, Hunter DJ, Drazen JM. Statistics in medicine: reporting of
    subgroup analyses in clinical trials. N Engl J Med 2007;357:2189-94.
    Breslow NE, Day NE. Statistical Methods in Cancer Research I. IARC 1980.
    Tarone RE. On heterogeneity tests based on efficient scores. Biometrika 1985;72:91-5.

    Examples
    --------
    >>> import rctkit as rk
    >>> young = rk.BinaryOutcome.from_counts(treatment=(20, 100), control=(30, 100))
    >>> old = rk.BinaryOutcome.from_counts(treatment=(44, 118), control=(53, 116))
    >>> res = subgroup_analysis({"Age": {"<65": young, ">=65": old}})
    >>> [round(lv.estimate.estimate, 3) for lv in res.levels]
    [0.583, 0.707]
    >>> round(res.interaction("Age").pvalue, 3)
    0.652
    """
    measure = check_choice(measure, "measure", MEASURES)
    level = check_confidence_level(confidence_level)
    method = "wald" if method is None else method
    if isinstance(data_or_strata, Mapping) and all(
        isinstance(v, Mapping) for v in data_or_strata.values()
    ):
        for n, v in (("outcome", outcome), ("arm", arm), ("treatment", treatment)):
            if v is not None:
                raise InvalidInputError(
                    f"`{n}` is for individual data; with a mapping of BinaryOutcome it must "
                    f"be None (got {v!r})"
                )
        factors = _from_mapping(data_or_strata, by)
        overall = _check_partition(factors)
    else:
        factors, overall = _from_frame(data_or_strata, by, outcome, arm, treatment)
    names = [(f, lv) for f, rows in factors.items() for lv, _ in rows]
    outcomes = [overall] + [o for rows in factors.values() for _, o in rows]
    tables = np.array([o.as_tuple() for o in outcomes], dtype=np.int64).reshape(-1, 4)
    res = _BATCH[measure](
        tables[:, 0], tables[:, 1], tables[:, 2], tables[:, 3],
        method=method, confidence_level=level,
    )  # fmt: skip

    def one(i: int, factor: str, name: str) -> SubgroupLevel:
        est = Estimate(
            measure,  # type: ignore[arg-type]
            float(res.estimate[i]),
            ConfidenceInterval(float(res.low[i]), float(res.high[i])),
            level,
            res.method,
        )
        a, n1, c, n2 = (int(x) for x in tables[i])
        return SubgroupLevel(factor, name, a, n1, c, n2, est)

    arm_labels = (overall.labels[0], overall.labels[1])
    levels = tuple(one(i + 1, f, lv) for i, (f, lv) in enumerate(names))
    interactions, homogeneity = [], []
    start = 1
    for f, rows in factors.items():
        block = tables[start : start + len(rows)]
        start += len(rows)
        interactions.append(interaction_lr(f, block))
        if measure == "odds_ratio":
            homogeneity.extend(_homogeneity(f, [o for _, o in rows]))
    return SubgroupAnalysis(
        measure=measure,
        method=res.method,
        confidence_level=level,
        arm_labels=arm_labels,
        overall=one(0, "Overall", "All participants"),
        levels=levels,
        interactions=tuple(interactions),
        homogeneity=tuple(homogeneity),
    )


def _check_partition(factors: Mapping[str, list[tuple[str, BinaryOutcome]]]) -> BinaryOutcome:
    sums = {}
    for f, rows in factors.items():
        t = np.sum([o.as_tuple() for _, o in rows], axis=0).astype(int)
        sums[f] = (int(t[0]), int(t[1]), int(t[2]), int(t[3]))
    distinct = set(sums.values())
    if len(distinct) != 1:
        shown = "; ".join(f"{f!r}: {s}" for f, s in sums.items())
        raise InvalidInputError(
            f"the levels of every factor of `data_or_strata` must partition the same "
            f"participants (events and totals per arm; got {shown})"
        )
    a, n1, c, n2 = distinct.pop()
    labels = next(iter(factors.values()))[0][1].labels
    return BinaryOutcome.from_counts(
        treatment=(a, n1), control=(c, n2), name="All participants", labels=labels
    )

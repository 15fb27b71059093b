"""Results of a subgroup analysis: :class:`SubgroupLevel` and :class:`InteractionTest`.

:func:`rctkit.subgroups.subgroup_analysis` returns a
:class:`rctkit.subgroups.SubgroupAnalysis` made of these: the effect in each level of each
factor and, per factor, the tests that the effect is the same in every level.
"""

from __future__ import annotations

import math

import attrs

from rctkit.results._core import Displayed, Estimate, Row, short_limit, short_number, short_p

__all__ = ["InteractionTest", "SubgroupLevel"]

#: The tests of a factor's interaction with treatment, as :class:`InteractionTest.method` names
#: them, and their labels in tables and plots.
INTERACTION_LABELS: dict[str, str] = {
    "lr": "Likelihood-ratio test of treatment x subgroup interaction (logistic model)",
    "breslow-day": "Breslow-Day test of homogeneity of the odds ratio",
    "tarone": "Breslow-Day test with Tarone's correction",
}


@attrs.frozen(repr=False)
class SubgroupLevel(Displayed):
    """The effect of treatment in one level of a subgroup factor (or in everyone).

    Attributes
    ----------
    factor : str
        The factor's name (``"Overall"`` for the row of all participants).
    level : str
        The level's label (``"All participants"`` for the overall row).
    treatment_events, treatment_total, control_events, control_total : int
        Events and participants in each arm of the level.
    estimate : Estimate
        The effect, treatment against control, and its confidence interval. It carries no
        p-value: subgroup analyses are judged by the interaction tests, not by a test within
        each subgroup. Its estimate and limits are nan where the method is undefined (a zero
        cell with ``method="wald"``, say): "not estimable".
    """

    factor: str
    level: str
    treatment_events: int
    treatment_total: int
    control_events: int
    control_total: int
    estimate: Estimate

    def _title(self) -> str:
        return f"{self.factor}: {self.level}"

    def _rows(self) -> list[Row]:
        low, high = self.estimate.ci
        return [
            Row("Factor", self.factor, f"factor={self.factor!r}"),
            Row("Level", self.level, f"level={self.level!r}"),
            Row(
                "Treatment",
                f"{self.treatment_events}/{self.treatment_total}",
                f"treatment={self.treatment_events}/{self.treatment_total}",
            ),
            Row(
                "Control",
                f"{self.control_events}/{self.control_total}",
                f"control={self.control_events}/{self.control_total}",
            ),
            Row(
                self.estimate.measure,
                f"{short_number(self.estimate.estimate)} "
                f"({short_limit(low, self.estimate.measure)} to "
                f"{short_limit(high, self.estimate.measure)})",
                f"{self.estimate.measure}={short_number(self.estimate.estimate)}",
            ),
        ]


@attrs.frozen(repr=False)
class InteractionTest(Displayed):
    """A test that the effect of treatment is the same in every level of one factor.

    Attributes
    ----------
    factor : str
        The factor's name.
    method : {"lr", "breslow-day", "tarone"}
        ``"lr"``: the likelihood-ratio test of the logistic model with the treatment x factor
        interaction against the model of main effects (treatment and factor); the odds ratio
        is the same in every level under the null. ``"breslow-day"`` and ``"tarone"``: the
        homogeneity tests of the odds ratio (:func:`rctkit.homogeneity_test`).
    statistic : float or None
        The chi-squared statistic; None where the test is not defined (see ``reason``).
    df : int
        Degrees of freedom: the levels that carry information (events and non-events in the
        level), minus one; 0 where the test is not defined.
    pvalue : float or None
        The upper tail of the chi-squared distribution on ``df`` degrees of freedom; None
        where the test is not defined.
    reason : str
        Empty, or why the test is not defined: a factor with fewer than two levels that carry
        information, or a main-effects model with no finite fit (separation).
    """

    factor: str
    method: str
    statistic: float | None
    df: int
    pvalue: float | None
    reason: str = ""

    @property
    def label(self) -> str:
        """The test's name as tables print it."""
        return INTERACTION_LABELS.get(self.method, self.method)

    @property
    def defined(self) -> bool:
        """Whether the test has a p-value."""
        return self.pvalue is not None and not math.isnan(self.pvalue)

    def _title(self) -> str:
        return f"{self.label}: {self.factor}"

    def _rows(self) -> list[Row]:
        rows = [
            Row("Factor", self.factor, f"factor={self.factor!r}"),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Statistic", short_number(self.statistic), f"statistic={self.statistic!r}"),
            Row("df", str(self.df), f"df={self.df}"),
            Row("p value", short_p(self.pvalue), f"pvalue={self.pvalue!r}"),
        ]
        if self.reason:
            rows.append(Row("Not defined", self.reason, None))
        return rows

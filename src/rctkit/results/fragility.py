"""The result of :func:`rctkit.fragility_index`: :class:`FragilityResult`."""

from __future__ import annotations

import math
from typing import Literal

import attrs

from rctkit.formatting import format_p
from rctkit.results._core import Displayed, Row, short_number, short_p
from rctkit.results.power import describe_test

__all__ = ["FragilityResult"]

Direction = Literal["to-nonsignificant", "to-significant"]
Table = tuple[int, int, int, int]


def _p_sentence(pvalue: float) -> str:
    """``p = 0.046`` (never rounded across 0.05), or ``p undefined`` for nan."""
    if math.isnan(pvalue):
        return "p undefined"
    return format_p(pvalue)


def _alpha_text(alpha: float) -> str:
    return f"{alpha:g}"


def _changes_words(change: int, arm: str) -> str | None:
    if change == 0:
        return None
    people = "participant" if abs(change) == 1 else "participants"
    if change > 0:
        return f"{change} {arm} {people} from non-event to event"
    return f"{-change} {arm} {people} from event to non-event"


def _table_text(table: Table) -> str:
    a, n1, c, n2 = table
    return f"{a}/{n1} vs {c}/{n2}"


@attrs.frozen(repr=False)
class FragilityResult(Displayed):
    """A fragility index (Walsh et al. 2014) or reverse fragility index (Khan et al. 2020).

    Attributes
    ----------
    index : int or None
        The minimum number of participants whose outcome must change for the test's
        decision at ``alpha`` to reverse, under the rules of ``arm`` and ``variant``; None
        when no permitted change reverses it (``reason`` says why).
    quotient : float or None
        The fragility quotient, ``index`` divided by the number of participants in both
        arms; None with ``index``.
    direction : {"to-nonsignificant", "to-significant"}
        ``"to-nonsignificant"`` for a significant result (p < alpha): the fragility index;
        ``"to-significant"`` for a non-significant one: the reverse fragility index.
    arm : {"treatment", "control", "walsh", "both"}
        The rule for which outcomes may change (see :func:`rctkit.fragility_index`).
    changed_arms : tuple of str
        The arm(s) whose outcomes the minimal change modifies (``("control",)``,
        ``("treatment", "control")``; empty when ``index`` is None).
    treatment_change, control_change : int
        The signed changes of the minimal modification: ``+k`` is k participants changed
        from non-event to event, ``-k`` from event to non-event; 0 when ``index`` is None.
    table, modified_table : tuple of int
        ``(treatment_events, treatment_total, control_events, control_total)`` before and
        after the change; ``modified_table`` is None when ``index`` is None.
    pvalue, modified_pvalue : float
        The p-value of ``table`` and of ``modified_table`` (nan when there is none, or when
        the test is undefined for the table).
    method : str
        The hypothesis test (a method of :func:`rctkit.hypothesis_test`).
    alpha : float
        The significance level: a result is significant when p < alpha.
    variant : {"walsh", "incidence"}
        ``"walsh"``: every change is permitted; ``"incidence"``: only sufficiently likely
        changes (Baer et al. 2021), with threshold ``likelihood``.
    likelihood : float or None
        The threshold q of the incidence variant; None for ``"walsh"``.
    reason : str or None
        Why no change reverses the decision, when ``index`` is None.

    References
    ----------
    Walsh M, Srinathan SK, McAuley DF, et al. The statistical significance of randomized
    controlled trial results is frequently fragile: a case for a Fragility Index. J Clin
    Epidemiol 2014;67:622-8.

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> res = rk.fragility_index(core, method="chi2")
    >>> res.index, res.direction, res.treatment_change, res.control_change
    (1, 'to-nonsignificant', 1, 0)
    >>> round(res.quotient, 5)
    0.0023
    """

    index: int | None
    quotient: float | None
    direction: Direction
    arm: str
    changed_arms: tuple[str, ...]
    treatment_change: int
    control_change: int
    table: Table
    modified_table: Table | None
    pvalue: float
    modified_pvalue: float
    method: str
    alpha: float
    variant: str = "walsh"
    likelihood: float | None = None
    reason: str | None = None

    @property
    def significant(self) -> bool:
        """Whether the original result is significant (p < alpha)."""
        return self.direction == "to-nonsignificant"

    @property
    def name(self) -> str:
        """``"fragility index"`` or ``"reverse fragility index"``."""
        return "fragility index" if self.significant else "reverse fragility index"

    @property
    def conclusion(self) -> str:
        """One sentence: the decision, the minimal change, and the index and quotient."""
        test = describe_test(self.method)
        alpha = _alpha_text(self.alpha)
        before = (
            f"significant at {alpha} ({test}, {_p_sentence(self.pvalue)})"
            if self.significant
            else f"not significant at {alpha} ({test}, {_p_sentence(self.pvalue)})"
        )
        target = "non-significant" if self.significant else "significant"
        if self.index is None or self.modified_table is None:
            return (
                f"The result is {before}; no permitted change of outcomes makes it {target} "
                f"({self.reason}), so the {self.name} is undefined."
            )
        words = [
            w
            for w in (
                _changes_words(self.treatment_change, "treatment"),
                _changes_words(self.control_change, "control"),
            )
            if w is not None
        ]
        quotient = 0.0 if self.quotient is None else self.quotient
        return (
            f"The result is {before}; changing {' and '.join(words)} "
            f"({_table_text(self.modified_table)}) makes it {target} "
            f"({_p_sentence(self.modified_pvalue)}): {self.name} {self.index}, "
            f"fragility quotient {quotient:.2g}."
        )

    def _title(self) -> str:
        return "Reverse fragility index" if not self.significant else "Fragility index"

    def _rows(self) -> list[Row]:
        index = "undefined" if self.index is None else str(self.index)
        rows = [
            Row("Index", index, f"index={self.index}"),
            Row(
                "Quotient", short_number(self.quotient), f"quotient={short_number(self.quotient)}"
            ),
            Row("Direction", self.direction, f"direction={self.direction!r}"),
            Row("Arm rule", self.arm, f"arm={self.arm!r}"),
            Row("Table", _table_text(self.table), None),
            Row(
                "Modified table",
                "none" if self.modified_table is None else _table_text(self.modified_table),
                None,
            ),
            Row("p before", short_p(self.pvalue), f"pvalue={short_p(self.pvalue)}"),
            Row(
                "p after",
                short_p(self.modified_pvalue),
                f"modified_pvalue={short_p(self.modified_pvalue)}",
            ),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Alpha", _alpha_text(self.alpha), f"alpha={_alpha_text(self.alpha)}"),
            Row("Variant", self.variant, f"variant={self.variant!r}"),
        ]
        if self.likelihood is not None:
            rows.append(Row("Likelihood threshold", f"{self.likelihood:g}", None))
        rows.append(Row("Conclusion", self.conclusion, None))
        return rows

"""The vectorised API: every two-arm method over arrays of tables at once.

Each function takes four array-likes of integer counts (treatment events, treatment total,
control events, control total) that broadcast together as numpy arrays do, and returns
arrays of that broadcast shape. The scalar functions (:func:`rctkit.odds_ratio` and the rest)
run the same kernels through the same engine (``rctkit._engine``) on one table, so the two
paths agree exactly.

Examples
--------
>>> import rctkit.batch as rkb
>>> res = rkb.odds_ratio([64, 10], [218, 50], [83, 20], [216, 50])
>>> res.estimate.round(3)
array([0.666, 0.375])
>>> rkb.hypothesis_test([64, 10], [218, 50], [83, 20], [216, 50], method="fisher").pvalue.round(4)
array([0.0539, 0.0486])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rctkit import _engine
from rctkit._kernels.common import EffectKernel
from rctkit.results import BatchEstimate, BatchMarginTest, BatchTestResult

__all__ = [
    "EFFECT_METHODS",
    "TEST_METHODS",
    "equivalence",
    "hypothesis_test",
    "noninferiority",
    "number_needed_to_treat",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
]

#: The interval methods of each effect measure.
EFFECT_METHODS: Mapping[str, Mapping[str, EffectKernel]] = _engine.EFFECT_METHODS

#: The hypothesis tests, with the alternatives each defines.
TEST_METHODS: Mapping[str, tuple[str, ...]] = _engine.TEST_METHODS


def odds_ratio(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    method: str = "wald",
    confidence_level: float = 0.95,
    two_sided: str | None = None,
) -> BatchEstimate:
    """Odds ratios, treatment against control, for a batch of tables.

    Parameters
    ----------
    treatment_events, treatment_total, control_events, control_total : array_like of int
        Counts that broadcast together; events must not exceed totals, totals are positive.
    method : str, optional
        As in :func:`rctkit.odds_ratio`.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    two_sided : {None, "central", "minlike", "blaker"}, optional
        As in :func:`rctkit.odds_ratio` (``method="exact"`` only). ``"minlike"`` and
        ``"blaker"`` are computed table by table; a batch whose summed squared support sizes
        pass 5e8 is refused with CostLimitError.

    Returns
    -------
    BatchEstimate
        Arrays ``estimate``, ``low``, ``high`` and ``pvalue`` of the broadcast shape.

    Raises
    ------
    InvalidInputError
        For counts that are not non-negative integers, events above totals, zero totals,
        shapes that do not broadcast, an unknown method or a level outside (0, 1).

    Examples
    --------
    >>> res = odds_ratio(64, 218, 83, 216)
    >>> print(f"{res.estimate[()]:.4f} ({res.low[()]:.4f} to {res.high[()]:.4f})")
    0.6659 (0.4463 to 0.9936)
    """
    counts = (treatment_events, treatment_total, control_events, control_total)
    return _engine.estimate_batch("odds_ratio", counts, method, confidence_level, two_sided)


def risk_ratio(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    method: str = "wald",
    confidence_level: float = 0.95,
) -> BatchEstimate:
    """Risk ratios, treatment against control, for a batch of tables.

    Parameters and results are as in :func:`odds_ratio`; methods as in
    :func:`rctkit.risk_ratio`.

    Examples
    --------
    >>> risk_ratio([64], [218], [83], [216]).estimate.round(4)
    array([0.764])
    """
    counts = (treatment_events, treatment_total, control_events, control_total)
    return _engine.estimate_batch("risk_ratio", counts, method, confidence_level)


def risk_difference(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    method: str = "wald",
    confidence_level: float = 0.95,
) -> BatchEstimate:
    """Risk differences, treatment minus control, for a batch of tables.

    Parameters and results are as in :func:`odds_ratio`; methods as in
    :func:`rctkit.risk_difference`.

    Examples
    --------
    >>> risk_difference([64], [218], [83], [216]).estimate.round(4)
    array([-0.0907])
    """
    counts = (treatment_events, treatment_total, control_events, control_total)
    return _engine.estimate_batch("risk_difference", counts, method, confidence_level)


def hypothesis_test(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    method: str = "chi2",
    alternative: str = "two-sided",
    measure: str = "risk_difference",
    null_value: float | None = None,
    two_sided: str | None = None,
) -> BatchTestResult:
    """Tests of no difference between the arms, for a batch of tables.

    Parameters
    ----------
    treatment_events, treatment_total, control_events, control_total : array_like of int
        Counts that broadcast together.
    method : str, optional
        As in :func:`rctkit.hypothesis_test`.
    alternative : {"two-sided", "less", "greater"}, optional
        One-sided alternatives refer to the odds ratio (treatment against control) and exist
        only for tests that define them.
    measure, null_value : optional
        As in :func:`rctkit.hypothesis_test`: the effect tested by the score tests ``"mn"``
        and ``"fm"``.
    two_sided : {None, "minlike", "central", "blaker"}, optional
        As in :func:`rctkit.hypothesis_test` (``method="fisher"`` only).

    Returns
    -------
    BatchTestResult
        Arrays ``pvalue`` and ``statistic`` (None for tests without a statistic).

    Examples
    --------
    >>> hypothesis_test([64], [218], [83], [216]).statistic.round(4)
    array([3.9832])
    """
    counts = (treatment_events, treatment_total, control_events, control_total)
    return _engine.test_batch(counts, method, alternative, measure, null_value, two_sided)


def number_needed_to_treat(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    method: str = "newcombe",
    confidence_level: float = 0.95,
    event: str = "harmful",
) -> BatchEstimate:
    """Numbers needed to treat for a batch of tables; see :func:`rctkit.number_needed_to_treat`.

    The signed NNT (positive: benefit, negative: harm) and its limits, from the risk-difference
    interval of ``method``; where the interval passes through infinity, ``low > high``.

    Examples
    --------
    >>> number_needed_to_treat([64], [218], [83], [216]).estimate.round(1)
    array([11.])
    """
    counts = (treatment_events, treatment_total, control_events, control_total)
    return _engine.nnt_batch(counts, method, confidence_level, event)


def noninferiority(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    measure: str,
    margin: float,
    method: str = "mn",
    confidence_level: float = 0.95,
    higher_is_better: bool = False,
) -> BatchMarginTest:
    """Non-inferiority tests for a batch of tables; see :func:`rctkit.noninferiority`.

    Returns
    -------
    BatchMarginTest
        Arrays ``estimate``, ``low``, ``high``, ``statistic``, ``pvalue`` and ``rejected``
        of the broadcast shape.

    Examples
    --------
    >>> res = noninferiority([245, 230], 356, 270, 370, measure="risk_difference",
    ...                      margin=-0.125, higher_is_better=True)
    >>> res.pvalue.round(4), res.rejected
    (array([0.0066, 0.1136]), array([ True, False]))
    """
    counts = (treatment_events, treatment_total, control_events, control_total)
    return _engine.margin_batch(
        "noninferiority",
        counts,
        measure=measure,
        method=method,
        confidence_level=confidence_level,
        bound=margin,
        higher_is_better=higher_is_better,
    )


def equivalence(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    measure: str,
    margins: tuple[float, float],
    method: str = "mn",
    confidence_level: float = 0.95,
) -> BatchMarginTest:
    """Equivalence tests (TOST) for a batch of tables; see :func:`rctkit.equivalence`.

    Examples
    --------
    >>> res = equivalence([245, 200], 356, 270, 370, measure="risk_ratio",
    ...                   margins=(0.8, 1.25), confidence_level=0.90)
    >>> res.rejected
    array([ True, False])
    """
    counts = (treatment_events, treatment_total, control_events, control_total)
    return _engine.margin_batch(
        "equivalence",
        counts,
        measure=measure,
        method=method,
        confidence_level=confidence_level,
        bound=margins,
    )

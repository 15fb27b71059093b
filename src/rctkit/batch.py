"""The vectorised API: every two-arm method over arrays of tables at once.

Each function takes four array-likes of integer counts (treatment events, treatment total,
control events, control total) that broadcast together as numpy arrays do, and returns
arrays of that broadcast shape. The scalar functions (:func:`rctkit.odds_ratio` and the rest)
are these functions applied to a batch of one table, so the two paths agree exactly.

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

from collections.abc import Callable, Mapping
from typing import Any, cast

import numpy as np

from rctkit import _validation, _warnings
from rctkit._kernels import registry
from rctkit._kernels.common import EffectKernel, FloatArray, IntArray
from rctkit.errors import InvalidInputError
from rctkit.results import BatchEstimate, BatchTestResult, Measure

__all__ = [
    "EFFECT_METHODS",
    "TEST_METHODS",
    "hypothesis_test",
    "number_needed_to_treat",
    "odds_ratio",
    "risk_difference",
    "risk_ratio",
]

#: The interval methods of each effect measure.
EFFECT_METHODS: Mapping[str, Mapping[str, EffectKernel]] = registry.EFFECT_METHODS

#: The hypothesis tests, with the alternatives each defines.
TEST_METHODS: Mapping[str, tuple[str, ...]] = registry.TEST_ALTERNATIVES


#: Tables per chunk: large batches are processed in pieces of this many tables, so memory
#: stays bounded (the kernels' temporaries are per chunk) and the work stays in cache.
CHUNK_SIZE = 1 << 16

Tables = tuple[IntArray, IntArray, IntArray, IntArray]


def _chunked(
    tables: Tables, kernel: Callable[[Tables], tuple[FloatArray | None, ...]]
) -> tuple[FloatArray | None, ...]:
    """Apply ``kernel`` to the tables chunk by chunk and reassemble arrays of their shape.

    Outputs that a kernel returns as None (a test without a statistic) stay None.
    """
    shape = tables[0].shape
    size = tables[0].size
    if size <= CHUNK_SIZE:
        return kernel(tables)
    flat = tuple(np.ascontiguousarray(t).reshape(-1) for t in tables)
    outputs: list[FloatArray | None] = []
    with _warnings.gathered(size):
        for start in range(0, size, CHUNK_SIZE):
            stop = min(start + CHUNK_SIZE, size)
            part = kernel(
                (
                    flat[0][start:stop],
                    flat[1][start:stop],
                    flat[2][start:stop],
                    flat[3][start:stop],
                )
            )
            if not outputs:
                outputs = [None if p is None else np.empty(size) for p in part]
            for out, p in zip(outputs, part, strict=True):
                if out is not None and p is not None:
                    out[start:stop] = p
    return tuple(None if out is None else out.reshape(shape) for out in outputs)


def estimate_counts(
    measure: Measure,
    tables: Tables,
    method: str,
    confidence_level: float,
) -> BatchEstimate:
    """Run an effect-measure kernel on validated count arrays (shared by every front end)."""
    kernel = EFFECT_METHODS[measure][method]

    def run(t: Tables) -> tuple[FloatArray | None, ...]:
        r = kernel(*t, confidence_level)
        return (r.estimate, r.low, r.high, r.pvalue)

    estimate, low, high, pvalue = _chunked(tables, run)
    return BatchEstimate(
        measure=measure,
        method=method,
        confidence_level=confidence_level,
        estimate=cast("FloatArray", estimate),
        low=cast("FloatArray", low),
        high=cast("FloatArray", high),
        pvalue=pvalue,
    )


def test_counts(tables: Tables, method: str, alternative: str) -> BatchTestResult:
    """Run a test kernel on validated count arrays (shared by every front end)."""
    kernel = registry.TEST_METHODS[method]
    statistic, pvalue = _chunked(tables, lambda t: kernel(*t, alternative))
    return BatchTestResult(
        method=method,
        alternative=alternative,
        statistic=statistic,
        pvalue=cast("FloatArray", pvalue),
    )


test_counts.__test__ = False  # type: ignore[attr-defined]


def check_effect_options(measure: str, method: Any, confidence_level: Any) -> tuple[str, float]:
    """Validate ``method`` against the measure's set and ``confidence_level``."""
    method = _validation.check_choice(method, "method", EFFECT_METHODS[measure])
    return method, _validation.check_confidence_level(confidence_level)


def check_test_options(method: Any, alternative: Any) -> tuple[str, str]:
    """Validate a test's ``method`` and ``alternative``."""
    method = _validation.check_choice(method, "method", TEST_METHODS)
    alternative = _validation.check_choice(alternative, "alternative", _validation.ALTERNATIVES)
    if alternative not in TEST_METHODS[method]:
        raise InvalidInputError(
            f'`alternative` must be "two-sided" for method="{method}", which has no one-sided '
            f"form (got alternative={alternative!r})"
        )
    return method, alternative


def _effect(
    measure: Measure,
    counts: tuple[Any, Any, Any, Any],
    method: Any,
    confidence_level: Any,
) -> BatchEstimate:
    method, level = check_effect_options(measure, method, confidence_level)
    tables = _validation.count_arrays(*counts)
    return estimate_counts(measure, tables, method, level)


def odds_ratio(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    method: str = "wald",
    confidence_level: float = 0.95,
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
    return _effect("odds_ratio", counts, method, confidence_level)


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
    return _effect("risk_ratio", counts, method, confidence_level)


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
    return _effect("risk_difference", counts, method, confidence_level)


def hypothesis_test(
    treatment_events: Any,
    treatment_total: Any,
    control_events: Any,
    control_total: Any,
    *,
    method: str = "chi2",
    alternative: str = "two-sided",
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

    Returns
    -------
    BatchTestResult
        Arrays ``pvalue`` and ``statistic`` (None for tests without a statistic).

    Examples
    --------
    >>> hypothesis_test([64], [218], [83], [216]).statistic.round(4)
    array([3.9832])
    """
    method, alternative = check_test_options(method, alternative)
    tables = _validation.count_arrays(
        treatment_events, treatment_total, control_events, control_total
    )
    return test_counts(tables, method, alternative)


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
    from rctkit.nnt import number_needed_to_treat_batch

    return number_needed_to_treat_batch(
        treatment_events,
        treatment_total,
        control_events,
        control_total,
        method=method,
        confidence_level=confidence_level,
        event=event,
    )

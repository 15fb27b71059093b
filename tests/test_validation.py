"""One input-validation test per public function: the error names the parameter and value."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rctkit as rk
import rctkit.batch as rkb

SCALAR_EFFECTS: list[Callable[..., rk.Estimate]] = [
    rk.odds_ratio,
    rk.risk_ratio,
    rk.risk_difference,
]
BATCH_EFFECTS: list[Callable[..., rk.BatchEstimate]] = [
    rkb.odds_ratio,
    rkb.risk_ratio,
    rkb.risk_difference,
]


@pytest.mark.parametrize("func", SCALAR_EFFECTS)
def test_scalar_effects_refuse_bad_options(
    func: Callable[..., Any], core: rk.BinaryOutcome
) -> None:
    with pytest.raises(
        rk.InvalidInputError, match=r'`method` must be one of "wald".* \(got \'nope\'\)'
    ):
        func(core, method="nope")
    for level in (0, 1, 1.5, -0.1, float("nan"), "0.95", True):
        with pytest.raises(rk.InvalidInputError, match=r"`confidence_level` must be"):
            func(core, confidence_level=level)
    with pytest.raises(
        rk.InvalidInputError, match=r"`outcome` must be a BinaryOutcome.*got tuple"
    ):
        func((64, 218, 83, 216))
    with pytest.raises(TypeError):
        func(core, "wald")  # options are keyword-only


def test_hypothesis_test_refuses_bad_options(core: rk.BinaryOutcome) -> None:
    with pytest.raises(rk.InvalidInputError, match=r'`method` must be one of "chi2".*got \'t\''):
        rk.hypothesis_test(core, method="t")
    with pytest.raises(rk.InvalidInputError, match=r'`alternative` must be one of "two-sided"'):
        rk.hypothesis_test(core, method="fisher", alternative="both")
    with pytest.raises(
        rk.InvalidInputError, match=r'`alternative` must be "two-sided" for method="chi2"'
    ):
        rk.hypothesis_test(core, method="chi2", alternative="less")
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must be a BinaryOutcome"):
        rk.hypothesis_test(None)  # type: ignore[arg-type]


BAD_COUNTS: list[tuple[tuple[Any, Any, Any, Any], str]] = [
    (
        ([-1], [10], [1], [10]),
        "`treatment_events` must be non-negative (got treatment_events[0]=-1)",
    ),
    (
        ([1], [10], [11], [10]),
        "`control_events` must not exceed `control_total` "
        "(got control_events[0]=11, control_total[0]=10)",
    ),
    (
        ([1, 2], [10, 0], [1], [10]),
        "`treatment_total` must be positive (got treatment_total[1]=0)",
    ),
    (
        ([1.5], [10], [1], [10]),
        "`treatment_events` must hold integer counts (got dtype float64; first non-integer value",
    ),
    (([1.0], [10], [1], [10]), "convert whole-number floats with .astype(int)"),
    (([True], [10], [1], [10]), "`treatment_events` must hold integer counts (got dtype bool"),
    (([1, 2], [10, 10, 10], [1], [10]), "the count arrays must broadcast to one shape"),
    ((["a"], [10], [1], [10]), "`treatment_events` must hold integer counts (got dtype <U1"),
]


@pytest.mark.parametrize("func", BATCH_EFFECTS)
@pytest.mark.parametrize(("counts", "message"), BAD_COUNTS)
def test_batch_effects_refuse_bad_counts(
    func: Callable[..., Any], counts: tuple[Any, Any, Any, Any], message: str
) -> None:
    with pytest.raises(rk.InvalidInputError, match=re.escape(message)):
        func(*counts)


@pytest.mark.parametrize(("counts", "message"), BAD_COUNTS)
def test_batch_test_refuses_bad_counts(counts: tuple[Any, Any, Any, Any], message: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=re.escape(message)):
        rkb.hypothesis_test(*counts)


@pytest.mark.parametrize("func", BATCH_EFFECTS)
def test_batch_effects_refuse_bad_options(func: Callable[..., Any]) -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`method` must be one of"):
        func(1, 10, 2, 10, method="magic")
    with pytest.raises(rk.InvalidInputError, match=r"`confidence_level` must be strictly between"):
        func(1, 10, 2, 10, confidence_level=2.0)


def test_batch_test_refuses_bad_options() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`alternative` must be one of"):
        rkb.hypothesis_test(1, 10, 2, 10, alternative="sideways")


def test_counts_too_large_unsigned() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"must be at most 1e\+12 \(rctkit.MAX_COUNT\)"):
        rkb.odds_ratio(np.array([2**63], dtype=np.uint64), 2**62, 1, 10)

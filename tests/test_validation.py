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


# ---------------------------------------------------------------------------------------------
# Missing values and labels of participant-level data (issue 10)


def test_missing_values_are_counted_and_located() -> None:
    from rctkit._validation import binary_array, label_array

    with pytest.raises(
        rk.InvalidInputError,
        match=r"`arm` must not hold missing values \(got 3 missing values, the first None at "
        r"position 1\): drop those participants or impute them first",
    ):
        label_array(["a", None, "b", float("nan"), np.nan], "arm")
    with pytest.raises(
        rk.InvalidInputError,
        match=r"`outcome` must not hold missing values \(got 1 missing value, the first nan at "
        r"position 2\)",
    ):
        binary_array(np.array([0.0, 1.0, np.nan]), "outcome")
    # None in an object array of outcomes is missing, not "not 0/1".
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must not hold missing values"):
        binary_array([1, None, 0], "outcome")
    # Values that are not missing keep their own message.
    with pytest.raises(rk.InvalidInputError, match=r"only 0/1 or boolean values \(got 2 at"):
        binary_array([1, 2, 0], "outcome")


def test_pandas_missing_values_are_refused() -> None:
    pd = pytest.importorskip("pandas")
    from rctkit._validation import binary_array, label_array

    for value in (pd.NA, pd.NaT):
        with pytest.raises(rk.InvalidInputError, match=r"`stratum` must not hold missing .*1"):
            label_array(np.array(["a", value, "b"], dtype=object), "stratum")
    for outcome in (
        pd.array([1, pd.NA, 0], dtype="Int64"),
        pd.array([True, pd.NA, False], dtype="boolean"),
        np.array([1, pd.NA, 0], dtype=object),
    ):
        with pytest.raises(rk.InvalidInputError, match=r"`outcome` must not hold missing"):
            binary_array(outcome, "outcome")


def test_label_codes_keep_first_appearance() -> None:
    from rctkit._validation import label_codes

    for labels in (
        np.array(["b", "a", "b", "c", "a"]),
        np.array([2, 1, 2, 3, 1]),
        np.array(["b", 1, "b", (3,), 1], dtype=object),
    ):
        levels, codes = label_codes(labels, "stratum")
        assert levels == list(dict.fromkeys(labels.tolist()))
        assert codes.tolist() == [0, 1, 0, 2, 1]
    unhashable = np.empty(3, dtype=object)
    unhashable[:] = ["a", ["b"], "a"]
    with pytest.raises(rk.InvalidInputError, match=r"`stratum` must hold hashable labels .*1\)"):
        label_codes(unhashable, "stratum")

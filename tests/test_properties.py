"""The laws every registered method obeys, checked across all of them at once.

Each method family's own test file checks its numbers against references; this file states
the properties that hold for every interval method and every test, so a method added to the
registry is held to them automatically:

- swapping the arms inverts a ratio (and its interval) and negates a difference;
- the interval contains the estimate (except Agresti-Caffo, centred on its adjusted
  estimate, which can exclude the plain estimate: documented);
- a higher confidence level gives a wider, nested interval;
- limits stay in the parameter space: [0, inf] for ratios, [-1, 1] for the difference;
- the batch path equals the scalar path exactly;
- two-sided p-values lie in [0, 1] and do not change when the arms are swapped.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels.unconditional_ci import LIMIT_XATOL
from tests.strategies import confidence_levels, outcomes

EFFECTS = [
    (measure, method)
    for measure in ("odds_ratio", "risk_ratio", "risk_difference")
    for method in rk.effects.available_methods(measure)
]
TESTS = list(rkb.TEST_METHODS)
#: The exact unconditional intervals cost a supremum over the nuisance risk at every null
#: value searched (seconds at a few hundred per arm): held to the same laws on small tables
#: (tests/test_exact_unconditional.py checks them against SAS, StatXact and R).
EXACT_UNCONDITIONAL = {"santner-snell", "chan-zhang", "agresti-min"}


def _sized(
    data: st.DataObject, method: str, max_total: int, zero_cells: bool = True
) -> rk.BinaryOutcome:
    size = min(max_total, 24) if method in EXACT_UNCONDITIONAL else max_total
    return data.draw(outcomes(max_total=size, zero_cells=zero_cells))


SLOW_TESTS = {"barnard", "boschloo"}


def _estimate(o: rk.BinaryOutcome, measure: str, method: str, level: float = 0.95) -> rk.Estimate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        return getattr(rk, measure)(o, method=method, confidence_level=level)  # type: ignore[no-any-return]


def _approx(x: float, y: float, measure: str) -> bool:
    if math.isinf(x) or math.isinf(y):
        return x == y
    if measure == "risk_difference":
        return abs(x - y) <= 1e-12
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-300)


@pytest.mark.parametrize(("measure", "method"), EFFECTS)
@given(data=st.data())
@settings(max_examples=40)
def test_swapping_arms(measure: str, method: str, data: st.DataObject) -> None:
    o = _sized(data, method, 200, zero_cells=False)
    est = _estimate(o, measure, method)
    swapped = _estimate(o.swap(), measure, method)
    if measure == "risk_difference":
        expected = (-est.estimate, -est.ci.high, -est.ci.low)
    else:
        expected = (1 / est.estimate, 1 / est.ci.high, 1 / est.ci.low)
    got = (swapped.estimate, swapped.ci.low, swapped.ci.high)
    assert all(_approx(g, e, measure) for g, e in zip(got, expected, strict=True)), (got, expected)


@pytest.mark.parametrize(("measure", "method"), EFFECTS)
@given(data=st.data(), l1=confidence_levels, l2=confidence_levels)
@settings(max_examples=40)
def test_nested_and_containing(
    measure: str, method: str, data: st.DataObject, l1: float, l2: float
) -> None:
    o = _sized(data, method, 200, zero_cells=False)
    lo_level, hi_level = sorted((l1, l2))
    narrow = _estimate(o, measure, method, lo_level)
    wide = _estimate(o, measure, method, hi_level)
    slack = 1e-12 if measure == "risk_difference" else 1e-12 * abs(narrow.estimate)
    if method in EXACT_UNCONDITIONAL:
        # Their limits often sit at a jump of the p-value function (where two tables' score
        # statistics tie), located to LIMIT_XATOL from either side: two levels whose limits
        # are the same jump may differ by twice that.
        slack = 2 * LIMIT_XATOL * max(1.0, abs(narrow.ci.high), abs(wide.ci.high))
    assert wide.ci.low <= narrow.ci.low + slack
    assert narrow.ci.high <= wide.ci.high + slack
    bounds = (-1.0, 1.0) if measure == "risk_difference" else (0.0, math.inf)
    assert bounds[0] <= wide.ci.low <= wide.ci.high <= bounds[1]
    if method != "agresti-caffo":
        assert narrow.ci.low - slack <= narrow.estimate <= narrow.ci.high + slack


@pytest.mark.parametrize(("measure", "method"), EFFECTS)
@given(data=st.data())
@settings(max_examples=25)
def test_batch_equals_scalar_with_zero_cells(
    measure: str, method: str, data: st.DataObject
) -> None:
    o = _sized(data, method, 100)
    scalar = _estimate(o, measure, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        counts = [np.array([v, 7]) for v in o.as_tuple()]  # with a second table beside it
        counts[1][1], counts[3][1] = 11, 13
        batch = getattr(rkb, measure)(*counts, method=method).item(0)
    for x, y in zip(
        (batch.estimate, *batch.ci, batch.pvalue),
        (scalar.estimate, *scalar.ci, scalar.pvalue),
        strict=True,
    ):
        assert x == y or (x is not None and y is not None and math.isnan(x) and math.isnan(y))


@pytest.mark.parametrize("method", TESTS)
@given(o=outcomes(max_total=40))
@settings(max_examples=25)
def test_pvalues(method: str, o: rk.BinaryOutcome) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        p = rk.hypothesis_test(o, method=method).pvalue
        p_swapped = rk.hypothesis_test(o.swap(), method=method).pvalue
        batch = rkb.hypothesis_test(*o.as_tuple(), method=method).pvalue[()]
    assert 0.0 <= p <= 1.0
    assert p_swapped == pytest.approx(p, rel=1e-9, abs=1e-300)
    assert batch == p
    alternatives = rkb.TEST_METHODS[method]
    if "less" in alternatives:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rk.RctkitWarning)
            less = rk.hypothesis_test(o, method=method, alternative="less").pvalue
            greater_swapped = rk.hypothesis_test(
                o.swap(), method=method, alternative="greater"
            ).pvalue
        assert 0.0 <= less <= 1.0
        assert greater_swapped == pytest.approx(less, rel=1e-9, abs=1e-300)

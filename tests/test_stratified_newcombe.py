"""The stratified Newcombe interval, Sato's variance and the Mantel-Fleiss criterion.

Reference values come from tests/reference/stratified_newcombe.R (printed output in
tests/reference/stratified_newcombe_r.txt, 17 significant digits): an R implementation of
Yan and Su's (2010) stratified Newcombe interval written apart from rctkit's kernel (its
Wilson limits from ``stats::prop.test(correct = FALSE)``), Sato's (1989) variance from the
formula printed in the SAS PROC FREQ documentation ("Common Risk Difference"), and the
Mantel-Fleiss (1980) criterion from its definition.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from rctkit._kernels.stratified_newcombe import stratified_newcombe
from rctkit.results.mantel_fleiss import MantelFleissResult
from rctkit.trialfile import example_trial
from tests.strategies import confidence_levels, outcomes

Table = tuple[int, int, int, int]

#: The data sets of tests/reference/stratified_newcombe.R: strata (a, n1, c, n2).
SETS: dict[str, list[Table]] = {
    "three": [(10, 50, 20, 50), (15, 40, 18, 35), (3, 12, 1, 14)],
    "sparse": [(0, 5, 2, 6), (1, 4, 3, 5), (2, 3, 0, 4), (1, 6, 1, 6)],
    # The six sites of the simulated CORE data (src/rctkit/data/core_simulated.csv).
    "core_sites": [
        (15, 55, 19, 49),
        (16, 42, 13, 42),
        (10, 42, 20, 43),
        (3, 28, 8, 35),
        (12, 27, 11, 24),
        (8, 24, 12, 23),
    ],
    "zeros": [(0, 10, 0, 12), (0, 8, 3, 9), (5, 5, 4, 6)],
    # The CORE trial as one stratum.
    "one": [(64, 218, 83, 216)],
}

# R (tests/reference/stratified_newcombe.R): (level, estimate, low, high).
NEWCOMBE_R: dict[str, list[tuple[float, float, float, float]]] = {
    "three": [
        (0.95, -0.12859335038363173, -0.25386570865263874, 0.0022405400698876365),
        (0.90, -0.12859335038363173, -0.2344813267701924, -0.018764197630371293),
    ],
    "sparse": [
        (0.95, -0.056293862923697147, -0.31196271941385484, 0.21940184085696091),
        (0.90, -0.056293862923697147, -0.27458405816653453, 0.17668551047791703),
    ],
    "core_sites": [
        (0.95, -0.097834453978116132, -0.18502661693511746, -0.0086698124336506421),
        (0.90, -0.097834453978116132, -0.17127466499214705, -0.022998251126909022),
    ],
    "zeros": [
        (0.95, -0.040482342807924232, -0.27133263518350703, 0.20155945044544882),
        (0.90, -0.040482342807924232, -0.23701495438435558, 0.16315354159442563),
    ],
    "one": [
        (0.95, -0.090681277607883082, -0.17780388578173179, -0.0016404159896514087),
        (0.90, -0.090681277607883082, -0.16406833720392022, -0.015937046528874108),
    ],
}

# R, Sato's variance written from its formula (tests/reference/stratified_newcombe.R):
# (estimate, standard error, low, high) at 95%.
SATO_R: dict[str, tuple[float, float, float, float]] = {
    "three": (
        -0.1285933503836317,
        0.065241531333520703,
        -0.25646440209357368,
        -0.00072229867368972522,
    ),
    "sparse": (-0.056293862923697188, 0.14745135297796072, -0.345293204232203, 0.2327054783848086),
    "core_sites": (
        -0.097834453978116145,
        0.044833367524167486,
        -0.18570623963113209,
        -0.0099626683251002046,
    ),
    "zeros": (
        -0.040482342807924218,
        0.085994346362066182,
        -0.20902816455163692,
        0.12806347893578846,
    ),
    "one": (
        -0.09068127760788311,
        0.045240682035231718,
        -0.17935138503296549,
        -0.0020111701828007256,
    ),
}

# R, the Mantel-Fleiss criterion from its definition (tests/reference/stratified_newcombe.R):
# (value, lower distance, upper distance, passes).
MANTEL_FLEISS_R: dict[str, tuple[float, float, float, bool]] = {
    "three": (32.553846153846152, 34.446153846153848, 32.553846153846152, True),
    "sparse": (4.5440115440115436, 4.5440115440115436, 5.4559884559884564, False),
    "core_sites": (72.417575922895068, 74.582424077104932, 72.417575922895068, True),
    "zeros": (2.4973262032085559, 2.5026737967914441, 2.4973262032085559, False),
    "one": (73.161290322580641, 73.838709677419359, 73.161290322580641, True),
}


def strata_of(tables: list[Table]) -> list[rk.BinaryOutcome]:
    return [
        rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2)) for a, n1, c, n2 in tables
    ]


def newcombe(strata: list[rk.BinaryOutcome], level: float = 0.95) -> rk.Estimate:
    return rk.mantel_haenszel(
        strata, measure="risk_difference", method="newcombe", confidence_level=level
    )


@pytest.mark.parametrize("name", sorted(NEWCOMBE_R))
def test_newcombe_matches_r(name: str) -> None:
    for level, est, low, high in NEWCOMBE_R[name]:
        res = newcombe(strata_of(SETS[name]), level)
        assert res.method == "newcombe"
        assert res.pvalue is None
        assert res.estimate == pytest.approx(est, rel=1e-12, abs=1e-15)
        assert res.ci.low == pytest.approx(low, rel=1e-12)
        assert res.ci.high == pytest.approx(high, rel=1e-12)


@pytest.mark.parametrize("name", sorted(SATO_R))
def test_sato_variance_matches_r_formula(name: str) -> None:
    est, se, low, high = SATO_R[name]
    res = rk.mantel_haenszel(
        strata_of(SETS[name]), measure="risk_difference", method="mh", variance="sato"
    )
    assert res.method == "mh-sato"
    assert res.estimate == pytest.approx(est, rel=1e-12)
    assert res.ci.low == pytest.approx(low, rel=1e-12)
    assert res.ci.high == pytest.approx(high, rel=1e-12)
    z = 1.959963984540054  # qnorm(0.975) in R
    assert (res.ci.high - res.ci.low) / (2 * z) == pytest.approx(se, rel=1e-12)


@pytest.mark.parametrize("name", sorted(MANTEL_FLEISS_R))
def test_mantel_fleiss_matches_r(name: str) -> None:
    value, lower, upper, passes = MANTEL_FLEISS_R[name]
    res = rk.mantel_fleiss(strata_of(SETS[name]))
    assert isinstance(res, MantelFleissResult)
    assert res.value == pytest.approx(value, rel=1e-13)
    assert res.lower == pytest.approx(lower, rel=1e-13)
    assert res.upper == pytest.approx(upper, rel=1e-13)
    assert res.passed is passes
    assert res.observed == sum(t[0] for t in SETS[name])


def test_newcombe_matches_terns_validated_example() -> None:
    # tern's test "prop_strat_nc ... with cmh weights" (insightsengineering/tern,
    # tests/testthat/test-estimate_proportion_diff.R), whose values it calls "externally
    # validated": diff 0.2539, 95% CI 0.0347 to 0.4454 (four decimals). Its data, rebuilt by
    # tests/reference/stratified_newcombe_tern_data.R (output in ..._tern_data.txt):
    tables = [(8, 9, 3, 6), (4, 4, 6, 12), (2, 5, 2, 5), (5, 7, 3, 4), (6, 7, 3, 8), (5, 8, 3, 5)]
    res = newcombe(strata_of(tables))
    assert round(res.estimate, 4) == 0.2539
    assert round(res.ci.low, 4) == 0.0347
    assert round(res.ci.high, 4) == 0.4454


def test_mantel_fleiss_display() -> None:
    res = rk.mantel_fleiss(strata_of(SETS["sparse"]))
    assert repr(res) == "MantelFleissResult(value=4.54, passed=False)"
    assert "&gt; 5: not met" in res._repr_html_()
    # A failing value just under 5 is never shown as 5.
    near = MantelFleissResult(value=4.9996, lower=4.9996, upper=7.0, expected=6.0, observed=6)
    assert repr(near) == "MantelFleissResult(value=4.9996, passed=False)"
    at = MantelFleissResult(value=5.0, lower=5.0, upper=7.0, expected=6.0, observed=6)
    assert repr(at) == "MantelFleissResult(value=5, passed=False)"


def test_single_stratum_is_newcombe_for_core() -> None:
    outcome = example_trial().primary_outcome
    assert outcome is not None
    assert outcome.as_tuple() == SETS["one"][0]
    single = newcombe([outcome])
    plain = rk.risk_difference(outcome, method="newcombe")
    assert single.ci.low == pytest.approx(plain.ci.low, rel=1e-13)
    assert single.ci.high == pytest.approx(plain.ci.high, rel=1e-13)


def test_validation() -> None:
    strata = strata_of(SETS["three"])
    with pytest.raises(
        rk.InvalidInputError,
        match='`method` "newcombe" is defined for measure="risk_difference" only',
    ):
        rk.mantel_haenszel(strata, measure="odds_ratio", method="newcombe")
    with pytest.raises(rk.InvalidInputError, match="`strata` must be a non-empty sequence"):
        rk.mantel_fleiss([])
    with pytest.raises(rk.InvalidInputError, match="`strata` must hold BinaryOutcome"):
        # a 3-tuple: (a, n1, c, n2) count tuples are valid strata since the empty-arm fix
        rk.mantel_fleiss([(1, 2, 3)])  # type: ignore[list-item]


def test_no_events_anywhere() -> None:
    # Every stratum without events: the estimate is 0 and the interval still has width.
    res = newcombe(strata_of([(0, 10, 0, 12), (0, 20, 0, 18)]))
    assert res.estimate == 0.0
    assert -1.0 < res.ci.low < 0.0 < res.ci.high < 1.0


def test_batch_equals_scalar() -> None:
    rng = np.random.default_rng(14)
    n1 = rng.integers(1, 40, size=(50, 4))
    n2 = rng.integers(1, 40, size=(50, 4))
    a = rng.integers(0, n1 + 1)
    c = rng.integers(0, n2 + 1)
    batch = stratified_newcombe(a, n1, c, n2, 0.9)
    for i in range(0, 50, 7):
        one = newcombe(strata_of(list(zip(a[i], n1[i], c[i], n2[i], strict=True))), 0.9)
        assert batch.low[i] == pytest.approx(one.ci.low, rel=1e-14, abs=1e-16)
        assert batch.high[i] == pytest.approx(one.ci.high, rel=1e-14, abs=1e-16)


strata_lists = st.lists(outcomes(max_total=60), min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(outcomes(max_total=300), confidence_levels)
def test_one_stratum_equals_two_arm_newcombe(outcome: rk.BinaryOutcome, level: float) -> None:
    single = newcombe([outcome], level)
    plain = rk.risk_difference(outcome, method="newcombe", confidence_level=level)
    assert single.estimate == pytest.approx(plain.estimate, abs=1e-15)
    assert single.ci.low == pytest.approx(plain.ci.low, rel=1e-12, abs=1e-14)
    assert single.ci.high == pytest.approx(plain.ci.high, rel=1e-12, abs=1e-14)


@settings(max_examples=150, deadline=None)
@given(strata_lists, confidence_levels)
def test_swap_negates_and_contains_the_mh_estimate(
    strata: list[rk.BinaryOutcome], level: float
) -> None:
    res = newcombe(strata, level)
    swapped = newcombe([s.swap() for s in strata], level)
    assert swapped.estimate == pytest.approx(-res.estimate, abs=1e-14)
    assert swapped.ci.low == pytest.approx(-res.ci.high, abs=1e-14)
    assert swapped.ci.high == pytest.approx(-res.ci.low, abs=1e-14)
    mh = rk.mantel_haenszel(strata, measure="risk_difference", method="mh")
    assert res.estimate == pytest.approx(mh.estimate, abs=1e-14)
    assert -1.0 <= res.ci.low <= res.estimate <= res.ci.high <= 1.0
    assert math.isfinite(res.ci.low) and math.isfinite(res.ci.high)


@settings(max_examples=150, deadline=None)
@given(strata_lists)
def test_mantel_fleiss_swap_exchanges_the_distances(strata: list[rk.BinaryOutcome]) -> None:
    res = rk.mantel_fleiss(strata)
    swapped = rk.mantel_fleiss([s.swap() for s in strata])
    assert swapped.lower == pytest.approx(res.upper, abs=1e-9)
    assert swapped.upper == pytest.approx(res.lower, abs=1e-9)
    # The expected total lies in the range of possible totals.
    assert res.lower >= -1e-9 and res.upper >= -1e-9

"""The number needed to treat and Altman's reading of its confidence interval.

References used below:

* Altman DG. Confidence intervals for the number needed to treat. BMJ 1998;317:1309-12: the
  NNT interval is the risk-difference interval inverted, and passes through infinity
  ("NNTB x to infinity to NNTH y") when the latter includes 0.
* Newcombe RG. Rapid response to Altman (BMJ, 5 January 1999,
  https://www.bmj.com/rapid-response/2011/10/27/confidence-intervals-number-needed-treat):
  "a confidence interval for an absolute risk reduction (ARR) from, say, -5% to +25% inverts
  to a confidence interval that goes from a number needed to treat to benefit (NNTB) of 4,
  through infinity to a number needed to treat to harm (NNTH) of 20."
* Barrowman NJ. Missing the point (estimate)? Confidence intervals for the number needed to
  treat. CMAJ 2002;166:1676-7: ARR 16.6% (95% CI 0.9% to 32.2%), NNT 1/0.166 = 6, 95% CI
  1/0.322 = 3.1 to 1/0.009 = 111.1.
* Newcombe RG. Stat Med 1998;17:873-90, Table II, method 10 (the default risk-difference
  method here): example (a) 56/70 - 48/80, 0.0524 to 0.3339; example (d) 5/56 - 0/29,
  -0.0381 to 0.1926.
"""

from __future__ import annotations

import math
import warnings

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk
from rctkit.nnt import (
    NNTConfidenceInterval,
    NNTEstimate,
    nnt_from_risk_difference,
    nnt_limits,
    number_needed_to_treat,
    number_needed_to_treat_batch,
)
from tests.strategies import confidence_levels, outcomes

RD_METHODS = ("wald-cc", "agresti-caffo", "newcombe", "newcombe-cc")


def _rd(estimate: float, low: float, high: float, method: str = "published") -> rk.Estimate:
    return rk.Estimate("risk_difference", estimate, rk.ConfidenceInterval(low, high), 0.95, method)


def _one(a: int, n1: int, c: int, n2: int) -> rk.BinaryOutcome:
    return rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))


# ---------------------------------------------------------------------------------------------
# Published examples


def test_newcombe_rapid_response_through_infinity() -> None:
    # Newcombe, BMJ rapid response to Altman 1998: ARR -5% to +25% -> NNTB 4 to infinity to
    # NNTH 20. With a harmful event the risk difference (treatment - control) is -ARR.
    est = nnt_from_risk_difference(_rd(-0.10, -0.25, 0.05))
    assert est.ci.low == pytest.approx(4.0, rel=1e-14)
    assert est.ci.high == pytest.approx(-20.0, rel=1e-14)
    assert est.through_infinity
    assert est.estimate == pytest.approx(10.0, rel=1e-14)
    assert str(est) == "NNTB 10.0 (95% CI NNTB 4.0 to infinity to NNTH 20.0)"


def test_barrowman_cmaj_example() -> None:
    # Barrowman, CMAJ 2002: ARR 16.6% (0.9% to 32.2%) -> NNT 6 (3.1 to 111.1).
    est = nnt_from_risk_difference(_rd(-0.166, -0.322, -0.009))
    assert est.estimate == pytest.approx(1 / 0.166, rel=1e-14)
    assert est.ci.low == pytest.approx(3.1, abs=0.05)
    assert est.ci.high == pytest.approx(111.1, abs=0.05)
    assert not est.through_infinity
    assert est.direction == "benefit"
    assert str(est) == "NNTB 6.0 (95% CI NNTB 3.1 to 111)"


def test_newcombe_example_a_beneficial_event() -> None:
    # Newcombe 1998 Table II (a), method 10: 56/70 - 48/80 = 0.2 (0.0524 to 0.3339). With a
    # beneficial event: NNTB 5 (1/0.3339 = 2.995 to 1/0.0524 = 19.08), to the table's 4 decimals.
    est = number_needed_to_treat(_one(56, 70, 48, 80), event="beneficial")
    assert est.estimate == pytest.approx(5.0, rel=1e-12)
    assert est.ci.low == pytest.approx(1 / 0.3339, rel=2e-4)
    assert est.ci.high == pytest.approx(1 / 0.0524, rel=1e-3)
    assert str(est) == "NNTB 5.0 (95% CI NNTB 3.0 to 19.1)"
    # The same table with a harmful event is harm throughout.
    harm = number_needed_to_treat(_one(56, 70, 48, 80))
    assert harm.direction == "harm"
    assert (harm.ci.low, harm.ci.high) == (-est.ci.high, -est.ci.low)
    assert str(harm) == "NNTH 5.0 (95% CI NNTH 3.0 to 19.1)"


def test_newcombe_example_d_harmful_event() -> None:
    # Newcombe 1998 Table II (d), method 10: 5/56 - 0/29 = 0.0893 (-0.0381 to 0.1926). More
    # events on treatment: NNTH 11.2 (NNTB 1/0.0381 = 26.2 to infinity to NNTH 1/0.1926 = 5.19).
    est = number_needed_to_treat(_one(5, 56, 0, 29))
    assert est.estimate == pytest.approx(-56 / 5, rel=1e-12)
    assert est.ci.low == pytest.approx(1 / 0.0381, rel=2e-3)
    assert est.ci.high == pytest.approx(-1 / 0.1926, rel=5e-4)
    assert est.through_infinity
    assert str(est) == "NNTH 11.2 (95% CI NNTB 26.2 to infinity to NNTH 5.2)"


# ---------------------------------------------------------------------------------------------
# The inversion, exactly


@pytest.mark.parametrize("method", ["wald", *RD_METHODS])
def test_limits_are_reciprocals_of_the_risk_difference_limits(
    core: rk.BinaryOutcome, method: str
) -> None:
    rd = rk.risk_difference(core, method=method)
    est = number_needed_to_treat(core, method=method)
    # Readmission is harmful: ARR = -RD, NNT = 1/ARR, ci = (1/ARR_high, 1/ARR_low).
    assert est.estimate == 1 / -rd.estimate
    assert est.ci.low == 1 / -rd.ci.low
    assert est.ci.high == 1 / -rd.ci.high
    assert est.risk_difference == rd
    assert est.pvalue == rd.pvalue
    assert est.method == method
    assert est.confidence_level == 0.95


def test_equal_risks_give_an_infinite_nnt() -> None:
    est = number_needed_to_treat(_one(5, 50, 5, 50))
    assert est.estimate == math.inf
    assert est.direction == "none"
    assert est.magnitude == math.inf
    assert est.through_infinity
    assert str(est).startswith("NNT infinite (95% CI NNTB ")


@pytest.mark.parametrize(
    ("limits", "ci", "text"),
    [
        ((-0.2, 0.0), (5.0, math.inf), "NNTB 10.0 (95% CI NNTB 5.0 to infinity)"),
        ((0.0, 0.2), (-math.inf, -5.0), "NNTH 10.0 (95% CI NNTH 5.0 to infinity)"),
    ],
)
def test_a_limit_at_zero_gives_an_infinite_limit(
    limits: tuple[float, float], ci: tuple[float, float], text: str
) -> None:
    sign = -1.0 if limits[0] < 0 else 1.0
    est = nnt_from_risk_difference(_rd(sign * 0.1, *limits))
    assert (est.ci.low, est.ci.high) == ci
    assert not est.through_infinity
    assert str(est) == text


def test_point_interval_at_zero() -> None:
    # The Wald interval of 0/10 against 0/10 is the single point 0: the NNT is infinite.
    with pytest.warns(rk.RctkitWarning, match="every risk at 0 or 1"):
        est = number_needed_to_treat(_one(0, 10, 0, 10), method="wald")
    assert (est.estimate, est.ci.low, est.ci.high) == (math.inf, math.inf, math.inf)
    assert math.inf in est.ci
    assert 1e6 not in est.ci
    assert str(est) == "NNT infinite (95% CI infinite)"


def test_nnt_limits_arrays_and_event() -> None:
    nnt, low, high = nnt_limits([-0.1, 0.1], [-0.25, -0.05], [0.05, 0.25], event="beneficial")
    np.testing.assert_allclose(nnt, [-10.0, 10.0], rtol=1e-15)
    np.testing.assert_allclose(low, [20.0, 4.0], rtol=1e-15)
    np.testing.assert_allclose(high, [-4.0, -20.0], rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# The result classes


def test_interval_membership_through_infinity() -> None:
    ci = NNTConfidenceInterval(4.0, -20.0)
    assert ci.through_infinity
    assert all(v in ci for v in (4.0, 10.0, 1e9, math.inf, -math.inf, -1e9, -20.0))
    assert not any(v in ci for v in (3.9, 1.0, -1.0, -19.9, math.nan, "x"))
    low, high = ci
    assert (low, high) == (4.0, -20.0)
    ordinary = NNTConfidenceInterval(3.1, 111.1)
    assert 50.0 in ordinary
    assert 200.0 not in ordinary
    assert repr(ordinary) == "NNTConfidenceInterval(low=3.1, high=111.1)"


def test_estimate_is_a_frozen_estimate(core: rk.BinaryOutcome) -> None:
    est = number_needed_to_treat(core)
    assert isinstance(est, rk.Estimate)
    assert isinstance(est, NNTEstimate)
    assert est.measure == "nnt"
    assert est.event == "harmful"
    assert float(est) == est.estimate
    assert est.magnitude == abs(est.estimate)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        est.estimate = 1.0  # type: ignore[misc]
    assert repr(est).startswith("NNTEstimate(NNTB 11.0, 95% CI NNTB 5.6 to ")
    html = est._repr_html_()
    assert "Number needed to treat" in html
    assert "NNTB 11.0" in html
    assert est.describe(digits=2).startswith("NNTB 11.03 (95% CI NNTB 5.62 to ")
    assert est == number_needed_to_treat(core)


def test_html_shows_pvalue_when_there_is_one(core: rk.BinaryOutcome) -> None:
    assert "p-value" in number_needed_to_treat(core, method="wald")._repr_html_()


def test_confidence_level_in_text(core: rk.BinaryOutcome) -> None:
    est = number_needed_to_treat(core, confidence_level=0.9)
    assert "(90% CI " in str(est)
    assert est.confidence_level == 0.9


def test_event_is_validated_on_construction() -> None:
    with pytest.raises(ValueError, match="event"):
        NNTEstimate(
            "nnt",
            1.0,
            NNTConfidenceInterval(0.5, 2.0),
            0.95,
            "published",
            event="bad",  # type: ignore[arg-type]
        )


# ---------------------------------------------------------------------------------------------
# Validation


def test_input_validation(core: rk.BinaryOutcome) -> None:
    with pytest.raises(rk.InvalidInputError, match="`outcome` must be a BinaryOutcome"):
        number_needed_to_treat((64, 218, 83, 216))  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match='`method` must be one of "wald"'):
        number_needed_to_treat(core, method="exact")
    with pytest.raises(rk.InvalidInputError, match="`confidence_level` must be strictly"):
        number_needed_to_treat(core, confidence_level=95)
    with pytest.raises(rk.InvalidInputError, match=r"`event` must be one of .*'bad'"):
        number_needed_to_treat(core, event="bad")
    with pytest.raises(rk.InvalidInputError, match="`event` must be one of"):
        number_needed_to_treat_batch(1, 2, 1, 2, event=None)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match="measure='odds_ratio'"):
        nnt_from_risk_difference(rk.odds_ratio(core))
    with pytest.raises(rk.InvalidInputError, match="low <= high"):
        nnt_from_risk_difference(_rd(0.1, 0.2, 0.0))
    with pytest.raises(rk.InvalidInputError, match="in \\[-1, 1\\]"):
        nnt_from_risk_difference(_rd(math.nan, 0.0, 0.2))
    with pytest.raises(rk.InvalidInputError, match="got tuple"):
        nnt_from_risk_difference((0.1, 0.0, 0.2))  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`low` must lie in \[-1, 1\] \(got low=-1.5"):
        nnt_limits(0.1, -1.5, 0.2)
    with pytest.raises(rk.InvalidInputError, match="`risk_difference` must lie in"):
        nnt_limits(math.nan, 0.0, 0.2)
    with pytest.raises(rk.InvalidInputError, match="`low` must not exceed `high`"):
        nnt_limits(0.1, 0.2, 0.0)
    with pytest.raises(rk.InvalidInputError, match="broadcast together"):
        nnt_limits([0.1, 0.2], [0.0, 0.1, 0.0], 0.3)
    with pytest.raises(rk.InvalidInputError, match="broadcast together"):
        nnt_limits("x", 0.0, 0.3)
    with pytest.raises(rk.InvalidInputError, match="`control_total` must be positive"):
        number_needed_to_treat_batch(1, 2, 0, 0)


# ---------------------------------------------------------------------------------------------
# Properties


@given(outcome=outcomes(max_total=300), level=confidence_levels)
def test_swapping_arms_or_event_flips_benefit_and_harm(
    outcome: rk.BinaryOutcome, level: float
) -> None:
    for method in ("newcombe", "agresti-caffo"):
        est = number_needed_to_treat(outcome, method=method, confidence_level=level)
        swapped = number_needed_to_treat(outcome.swap(), method=method, confidence_level=level)
        flipped = number_needed_to_treat(
            outcome, method=method, confidence_level=level, event="beneficial"
        )
        for other in (swapped, flipped):
            if math.isinf(est.estimate):  # equal risks: infinite either way
                assert other.estimate == est.estimate
            else:
                assert other.estimate == pytest.approx(-est.estimate, rel=1e-12)
            assert other.ci.low == pytest.approx(-est.ci.high, rel=1e-12)
            assert other.ci.high == pytest.approx(-est.ci.low, rel=1e-12)
            assert other.through_infinity == est.through_infinity


@given(outcome=outcomes(max_total=300), level=confidence_levels)
def test_interval_contains_estimate(outcome: rk.BinaryOutcome, level: float) -> None:
    for method in ("newcombe", "newcombe-cc"):
        est = number_needed_to_treat(outcome, method=method, confidence_level=level)
        assert est.estimate in est.ci
        rd = est.risk_difference
        assert rd is not None
        assert est.through_infinity == (rd.ci.low < 0 < rd.ci.high)
        if est.through_infinity:
            assert est.ci.low >= 1 and est.ci.high <= -1


@given(
    outcome=outcomes(max_total=300),
    levels=st.lists(confidence_levels, min_size=2, max_size=2, unique=True).map(sorted),
)
def test_higher_level_gives_a_wider_interval(
    outcome: rk.BinaryOutcome, levels: list[float]
) -> None:
    narrow = number_needed_to_treat(outcome, confidence_level=levels[0])
    wide = number_needed_to_treat(outcome, confidence_level=levels[1])
    assert narrow.ci.low in wide.ci
    assert narrow.ci.high in wide.ci
    assert not (narrow.through_infinity and not wide.through_infinity)


@given(tables=st.lists(outcomes(max_total=200), min_size=1, max_size=6), level=confidence_levels)
def test_batch_equals_scalar(tables: list[rk.BinaryOutcome], level: float) -> None:
    counts = np.array([o.as_tuple() for o in tables]).T
    # The kernels' own batch/scalar agreement is tested in test_simple.py; here the NNT layer.
    for method in ("newcombe", "wald-cc"):
        for event in ("harmful", "beneficial"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", rk.RctkitWarning)  # wald-cc, degenerate tables
                res = number_needed_to_treat_batch(
                    *counts, method=method, confidence_level=level, event=event
                )
                ests = [
                    number_needed_to_treat(o, method=method, confidence_level=level, event=event)
                    for o in tables
                ]
            assert res.measure == "nnt"
            for i, est in enumerate(ests):
                item = res.item(i)
                assert (item.estimate, item.ci.low, item.ci.high) == (
                    est.estimate,
                    est.ci.low,
                    est.ci.high,
                )
                assert item.pvalue == est.pvalue

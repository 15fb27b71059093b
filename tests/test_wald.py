"""Wald effect measures and chi-squared/Fisher tests: formulas, zero cells, properties.

The R reference values for many tables live in test_reference_r.py; here the checks are
closed-form identities computed independently with Python's fractions/math, degenerate
cases, and the hypothesis laws.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from scipy import stats

import rctkit as rk
import rctkit._engine
import rctkit.batch as rkb
from tests.strategies import confidence_levels, outcomes


def test_core_wald_odds_ratio_by_hand(core: rk.BinaryOutcome) -> None:
    # Woolf's formula evaluated directly: cells 64, 154, 83, 133.
    log_or = math.log(64 * 133 / (154 * 83))
    se = math.sqrt(1 / 64 + 1 / 154 + 1 / 83 + 1 / 133)
    z = stats.norm.ppf(0.975)
    est = rk.odds_ratio(core)
    assert est.estimate == pytest.approx(math.exp(log_or), rel=1e-14)
    assert est.ci.low == pytest.approx(math.exp(log_or - z * se), rel=1e-14)
    assert est.ci.high == pytest.approx(math.exp(log_or + z * se), rel=1e-14)
    assert est.pvalue == pytest.approx(2 * stats.norm.sf(abs(log_or / se)), rel=1e-12)
    # The brief: crude OR 0.67 (Wald 0.45-0.99, p=0.046).
    assert (round(est.estimate, 2), round(est.ci.low, 2), round(est.ci.high, 2)) == (
        0.67,
        0.45,
        0.99,
    )


def test_core_tests_match_scipy(core: rk.BinaryOutcome) -> None:
    table = np.array([[64, 154], [83, 133]])
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    assert rk.hypothesis_test(core).pvalue == pytest.approx(p, rel=1e-12)
    assert rk.hypothesis_test(core).statistic == pytest.approx(chi2, rel=1e-12)
    _, py, _, _ = stats.chi2_contingency(table, correction=True)
    assert rk.hypothesis_test(core, method="chi2-yates").pvalue == pytest.approx(py, rel=1e-12)
    fisher = stats.fisher_exact(table)
    assert rk.hypothesis_test(core, method="fisher").pvalue == pytest.approx(
        fisher.pvalue, rel=1e-10
    )
    for alt in ("less", "greater"):
        ref = stats.fisher_exact(table, alternative=alt).pvalue
        got = rk.hypothesis_test(core, method="fisher", alternative=alt).pvalue
        assert got == pytest.approx(ref, rel=1e-10)


@pytest.mark.parametrize(
    ("counts", "estimate"),
    [
        ((0, 10, 5, 10), 0.0),
        ((5, 10, 0, 10), math.inf),
        ((10, 10, 5, 10), math.inf),
        ((5, 10, 10, 10), 0.0),
        ((0, 10, 0, 10), math.nan),
        ((10, 10, 10, 10), math.nan),
    ],
)
def test_wald_odds_ratio_zero_cells(counts: tuple[int, int, int, int], estimate: float) -> None:
    a, n1, c, n2 = counts
    outcome = rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
    with pytest.warns(rk.RctkitWarning, match="zero cell"):
        est = rk.odds_ratio(outcome)
    assert tuple(est.ci) == (0.0, math.inf)
    if math.isnan(estimate):
        assert math.isnan(est.estimate)
        assert est.pvalue is not None and math.isnan(est.pvalue)
    else:
        assert est.estimate == estimate
        assert est.pvalue == 1.0


def test_wald_risk_ratio_degenerate() -> None:
    o = rk.BinaryOutcome.from_counts(treatment=(0, 10), control=(3, 10))
    with pytest.warns(rk.RctkitWarning, match="no events in an arm"):
        est = rk.risk_ratio(o)
    assert (est.estimate, *est.ci) == (0.0, 0.0, math.inf)
    full = rk.BinaryOutcome.from_counts(treatment=(10, 10), control=(20, 20))
    est = rk.risk_ratio(full)
    assert (est.estimate, *est.ci, est.pvalue) == (1.0, 1.0, 1.0, 1.0)


def test_wald_risk_difference_degenerate() -> None:
    o = rk.BinaryOutcome.from_counts(treatment=(0, 10), control=(0, 12))
    with pytest.warns(rk.RctkitWarning, match="zero width"):
        est = rk.risk_difference(o)
    assert (est.estimate, *est.ci, est.pvalue) == (0.0, 0.0, 0.0, 1.0)


def test_chi2_empty_margin_is_documented() -> None:
    o = rk.BinaryOutcome.from_counts(treatment=(0, 10), control=(0, 12))
    with pytest.warns(rk.RctkitWarning, match="statistic is 0 and the p-value 1"):
        res = rk.hypothesis_test(o)
    assert (res.statistic, res.pvalue) == (0.0, 1.0)
    assert rk.hypothesis_test(o, method="fisher").pvalue == 1.0


def test_huge_counts_are_finite() -> None:
    n = 1_000_000_000
    o = rk.BinaryOutcome.from_counts(treatment=(n // 2, n), control=(n // 2 + 100_000, n))
    est = rk.odds_ratio(o)
    assert 0 < est.ci.low < est.estimate < est.ci.high < 1
    for method in ("chi2", "chi2-yates", "fisher"):
        p = rk.hypothesis_test(o, method=method).pvalue
        assert 0.0 < p < 1.0
    # Pearson's chi-squared on an exactly balanced huge table is exactly 0.
    even = rk.BinaryOutcome.from_counts(treatment=(n // 2, n), control=(n // 2, n))
    assert rk.hypothesis_test(even).statistic == 0.0


def test_fisher_tiny_pvalue_does_not_underflow() -> None:
    # 0/500 vs 200/500: Fisher's p is about 1e-76; compare with scipy (which sums directly).
    o = rk.BinaryOutcome.from_counts(treatment=(0, 500), control=(200, 500))
    p = rk.hypothesis_test(o, method="fisher").pvalue
    ref = stats.fisher_exact([[0, 500], [200, 300]]).pvalue
    assert p > 0
    assert p == pytest.approx(ref, rel=1e-9)


@given(outcomes(zero_cells=False))
def test_swapping_arms_inverts_and_negates(o: rk.BinaryOutcome) -> None:
    s = o.swap()
    for func in (rk.odds_ratio, rk.risk_ratio):
        est, swapped = func(o), func(s)
        assert swapped.estimate == pytest.approx(1 / est.estimate, rel=1e-12)
        assert swapped.ci.low == pytest.approx(1 / est.ci.high, rel=1e-12)
        assert swapped.ci.high == pytest.approx(1 / est.ci.low, rel=1e-12)
    rd, rd_s = rk.risk_difference(o), rk.risk_difference(s)
    assert rd_s.estimate == pytest.approx(-rd.estimate, abs=1e-14)
    assert rd_s.ci.low == pytest.approx(-rd.ci.high, abs=1e-14)
    for method in ("chi2", "chi2-yates", "fisher"):
        assert rk.hypothesis_test(s, method=method).pvalue == pytest.approx(
            rk.hypothesis_test(o, method=method).pvalue, rel=1e-9
        )


@given(outcomes(zero_cells=False), confidence_levels, confidence_levels)
def test_interval_contains_estimate_and_nests(o: rk.BinaryOutcome, l1: float, l2: float) -> None:
    lo_level, hi_level = sorted((l1, l2))
    for func in (rk.odds_ratio, rk.risk_ratio, rk.risk_difference):
        narrow = func(o, confidence_level=lo_level)
        wide = func(o, confidence_level=hi_level)
        assert narrow.ci.low <= narrow.estimate <= narrow.ci.high
        assert wide.ci.low <= narrow.ci.low and narrow.ci.high <= wide.ci.high
    rd = rk.risk_difference(o)
    assert -1 <= rd.ci.low <= rd.ci.high <= 1


@given(outcomes())
def test_batch_equals_scalar(o: rk.BinaryOutcome) -> None:
    counts = o.as_tuple()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        for name in ("odds_ratio", "risk_ratio", "risk_difference"):
            scalar = getattr(rk, name)(o)
            batch = getattr(rkb, name)(*counts)
            assert batch.item() == scalar or _same_nan(batch.item(), scalar)
        for method in ("chi2", "chi2-yates", "fisher"):
            assert rkb.hypothesis_test(*counts, method=method).item() == rk.hypothesis_test(
                o, method=method
            )


def _same_nan(a: rk.Estimate, b: rk.Estimate) -> bool:
    return math.isnan(a.estimate) and math.isnan(b.estimate) and a.ci == b.ci


def test_fisher_two_sided_matches_direct_enumeration() -> None:
    # Independent check on many small tables: enumerate the hypergeometric support directly
    # and apply R's rule (sum of probabilities <= observed * (1 + 1e-7)).
    rng = np.random.default_rng(1)
    n1 = rng.integers(1, 40, 300)
    n2 = rng.integers(1, 40, 300)
    a = rng.integers(0, n1 + 1)
    c = rng.integers(0, n2 + 1)
    got = rkb.hypothesis_test(a, n1, c, n2, method="fisher").pvalue
    for i in range(300):
        m1 = a[i] + c[i]
        x = np.arange(max(0, n1[i] - (n1[i] + n2[i] - m1)), min(n1[i], m1) + 1)
        d = stats.hypergeom.pmf(x, n1[i] + n2[i], m1, n1[i])
        obs = stats.hypergeom.pmf(a[i], n1[i] + n2[i], m1, n1[i])
        ref = min(1.0, d[d <= obs * (1 + 1e-7)].sum())
        assert got[i] == pytest.approx(ref, rel=1e-9), (a[i], n1[i], c[i], n2[i])


def test_chunked_batch_equals_unchunked(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunking is an implementation detail: results and the single warning must not change.
    rng = np.random.default_rng(7)
    n1 = rng.integers(1, 30, 1000)
    n2 = rng.integers(1, 30, 1000)
    a = rng.integers(0, n1 + 1)
    c = rng.integers(0, n2 + 1)
    with pytest.warns(rk.RctkitWarning) as whole:
        ref = rkb.odds_ratio(a, n1, c, n2)
    monkeypatch.setattr(rctkit._engine, "CHUNK_SIZE", 97)  # moved from rctkit.batch
    with pytest.warns(rk.RctkitWarning) as parts:
        got = rkb.odds_ratio(a, n1, c, n2)
    np.testing.assert_array_equal(got.estimate, ref.estimate)
    np.testing.assert_array_equal(got.low, ref.low)
    assert got.pvalue is not None and ref.pvalue is not None
    np.testing.assert_array_equal(got.pvalue, ref.pvalue)
    assert [str(w.message) for w in parts] == [str(w.message) for w in whole]
    fisher = rkb.hypothesis_test(
        a.reshape(10, 100),
        n1.reshape(10, 100),
        c.reshape(10, 100),
        n2.reshape(10, 100),
        method="fisher",
    )
    assert fisher.pvalue.shape == (10, 100)
    assert fisher.statistic is None

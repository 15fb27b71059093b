"""Stratified analyses against R (stats::mantelhaen.test, epiR 2.0.57) and mpmath.

R values come from tests/reference/strata.R (17 significant digits). R's exact conditional
limits and estimate are found by uniroot at a loose tolerance, so they are checked against an
exact-integer / mpmath computation at 1e-9 instead, and against R only to R's accuracy.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from math import comb
from typing import Any

import mpmath as mp
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import StratifiedTable

import rctkit as rk
from rctkit.strata import cmh_test, homogeneity_test, mantel_haenszel, strata_from_arrays
from tests.strategies import big_strata, outcomes

Table = tuple[int, int, int, int]

MP_DPS = 30  # mpmath digits for every test here (set by tests/conftest.py)

SETS: dict[str, list[Table]] = {
    "three": [(10, 50, 20, 50), (15, 40, 18, 35), (3, 12, 1, 14)],
    "sparse": [(0, 5, 2, 6), (1, 4, 3, 5), (2, 3, 0, 4), (1, 6, 1, 6)],
    "six": [
        (12, 40, 16, 38),
        (9, 35, 14, 37),
        (11, 36, 13, 34),
        (10, 37, 15, 36),
        (12, 35, 13, 36),
        (10, 35, 12, 35),
    ],
}

# R 4.x, tests/reference/strata.R: mantelhaen.test(correct=FALSE / TRUE), and epiR::epi.2by2
# (method="cohort.count"): RR.mh.wald, ARisk.mh.sato, ARisk.mh.green.
R: dict[str, dict[str, Any]] = {
    "three": {
        "cmh": (3.8334896374073963, 0.050238234525034821),
        "cmh_cc": (3.2618594527691291, 0.070908677031637071),
        "or": (0.55067024128686326, 0.3015429414547991, 1.0056203377733088),
        "exact_p": 0.067303333824011824,
        "exact": (0.54817012926296427, 0.28386358145324569, 1.0453719459406672),
        "rr": (0.67868098159509205, 0.45804730538755251, 1.0055901854703821),
        "rd_sato": (-0.1285933503836317, -0.25646440209357368, -0.00072229867368972522),
        "rd_gr": (-0.1285933503836317, -0.25455468876474091, -0.0026320120025224991),
    },
    "sparse": {
        "cmh": (0.15363785832961294, 0.6950828521130421),
        "cmh_cc": (0.0010055767486658038, 0.9747026580223086),
        "or": (0.76609275632076934, 0.19131234988035972, 3.067748170226229),
        "exact_p": 0.7321920503738687,
        "exact": (0.75199803938418963, 0.1291943447263133, 3.9324167370182859),
        "rr": (0.8016311496974482, 0.2551647830070552, 2.5184215963982957),
        "rd_sato": (-0.056293862923697188, -0.345293204232203, 0.2327054783848086),
        "rd_gr": (-0.056293862923697188, -0.29440596436139582, 0.18181823851400147),
    },
    "six": {
        "cmh": (3.9656651588894056, 0.046437172002114842),
        "cmh_cc": (3.5743445066200961, 0.058678603010045259),
        "or": (0.66501891683690195, 0.44573236174342928, 0.9921876841544941),
        "exact_p": 0.055071743608105732,
        "exact": (0.66819608360123373, 0.4391812046469824, 1.0133689923909721),
        "rr": (0.76317106893866604, 0.58473112842145714, 0.99606477602332733),
        "rd_sato": (-0.091077695325174554, -0.1798039194952839, -0.0023514711550651907),
        "rd_gr": (-0.091077695325174554, -0.17961842185617033, -0.002536968794178765),
    },
}


def _strata(name: str) -> list[rk.BinaryOutcome]:
    return [
        rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
        for a, n1, c, n2 in SETS[name]
    ]


def _close(est: rk.Estimate, ref: tuple[float, float, float], rel: float = 1e-10) -> None:
    assert est.estimate == pytest.approx(ref[0], rel=rel)
    assert est.ci.low == pytest.approx(ref[1], rel=rel)
    assert est.ci.high == pytest.approx(ref[2], rel=rel)


@pytest.mark.parametrize("name", list(SETS))
def test_mh_matches_r(name: str) -> None:
    strata = _strata(name)
    r = R[name]
    est = mantel_haenszel(strata)
    _close(est, r["or"])
    assert est.pvalue == pytest.approx(r["cmh"][1], rel=1e-10)
    _close(mantel_haenszel(strata, measure="risk_ratio"), r["rr"])
    _close(mantel_haenszel(strata, measure="risk_difference"), r["rd_sato"])
    _close(
        mantel_haenszel(strata, measure="risk_difference", variance="greenland-robins"),
        r["rd_gr"],
    )
    res = cmh_test(strata)
    assert (res.statistic, res.pvalue) == pytest.approx(r["cmh"], rel=1e-10)
    res = cmh_test(strata, correction=True)
    assert (res.statistic, res.pvalue) == pytest.approx(r["cmh_cc"], rel=1e-10)


@pytest.mark.parametrize("name", list(SETS))
def test_homogeneity_matches_statsmodels(name: str) -> None:
    # statsmodels StratifiedTable.test_equal_odds: Breslow-Day, adjust=True adds Tarone's term.
    strata = _strata(name)
    table = StratifiedTable([np.array(o.table) for o in strata])
    for method, adjust in (("breslow-day", False), ("tarone", True)):
        ref = table.test_equal_odds(adjust=adjust)
        got = homogeneity_test(strata, method=method)
        assert got.statistic == pytest.approx(ref.statistic, rel=1e-9)
        assert got.pvalue == pytest.approx(ref.pvalue, rel=1e-9)


def _exact_reference(tables: list[Table], level: float = 0.95) -> tuple[float, float, float]:
    """Conditional MLE and exact limits from exact integer weights and mpmath (30 digits)."""
    weights = [1]
    low_total = 0
    for a, n1, c, n2 in tables:
        m1 = a + c
        lo, hi = max(0, m1 - n2), min(n1, m1)
        w = [comb(n1, x) * comb(n2, m1 - x) for x in range(lo, hi + 1)]
        new = [0] * (len(weights) + len(w) - 1)
        for i, u in enumerate(weights):
            for j, v in enumerate(w):
                new[i + j] += u * v
        weights = new
        low_total += lo
    t = sum(tab[0] for tab in tables) - low_total
    ws = [mp.mpf(w) for w in weights]

    def moments(log_psi: mp.mpf) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
        terms = [w * mp.e ** (log_psi * k) for k, w in enumerate(ws)]
        total = mp.fsum(terms)
        upper = mp.fsum(terms[t:]) / total
        lower = mp.fsum(terms[: t + 1]) / total
        mean = mp.fsum(k * x for k, x in enumerate(terms)) / total
        return upper, lower, mean

    half = mp.mpf(1 - level) / 2
    # Each function is monotone in log psi (increasing, increasing, decreasing): bisect.
    mle = _bisect(lambda x: moments(x)[2] - t)
    low = _bisect(lambda x: moments(x)[0] - half)
    high = _bisect(lambda x: half - moments(x)[1])
    return float(mp.e**mle), float(mp.e**low), float(mp.e**high)


def _bisect(f: Callable[[mp.mpf], mp.mpf], lo: float = -20.0, hi: float = 20.0) -> mp.mpf:
    """Root of an increasing function by bisection in mpmath (the bracket holds here)."""
    a, b = mp.mpf(lo), mp.mpf(hi)
    assert f(a) < 0 < f(b)
    for _ in range(90):
        mid = (a + b) / 2
        if f(mid) < 0:
            a = mid
        else:
            b = mid
    return (a + b) / 2


@pytest.mark.parametrize("name", list(SETS))
def test_exact_common_or_to_1e9(name: str) -> None:
    est = mantel_haenszel(_strata(name), method="exact")
    ref = _exact_reference(SETS[name])
    _close(est, ref, rel=1e-9)
    # R's p-value is a plain sum (accurate); its estimate and limits come from uniroot and
    # agree only to about 1e-4 (documented looseness), e.g. "three": upper 1.045371946 (R)
    # against 1.045369951 (exact).
    assert est.pvalue == pytest.approx(R[name]["exact_p"], rel=1e-10)
    _close(est, R[name]["exact"], rel=1e-3)


def test_exact_single_stratum_equals_conditional_or() -> None:
    # One stratum: the exact common OR is the conditional MLE of that table; p is Fisher's.
    o = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    est = mantel_haenszel([o], method="exact")
    ref = _exact_reference([(64, 218, 83, 216)])
    _close(est, ref, rel=1e-9)
    assert est.pvalue == pytest.approx(rk.hypothesis_test(o, method="fisher").pvalue, rel=1e-9)


def test_exact_zero_total_events_in_treatment() -> None:
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(0, 10), control=(3, 10)),
        rk.BinaryOutcome.from_counts(treatment=(0, 8), control=(2, 9)),
    ]
    est = mantel_haenszel(strata, method="exact")
    assert est.estimate == 0.0
    assert est.ci.low == 0.0
    assert 0 < est.ci.high < math.inf


def test_mh_zero_numerator_warns_and_is_infinite_interval() -> None:
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(0, 10), control=(3, 10)),
        rk.BinaryOutcome.from_counts(treatment=(0, 8), control=(2, 9)),
    ]
    with pytest.warns(rk.RctkitWarning, match=r"interval is \[0, inf\]"):
        est = mantel_haenszel(strata)
    assert (est.estimate, *est.ci) == (0.0, 0.0, math.inf)


def test_strata_from_arrays_and_validation() -> None:
    rng = np.random.default_rng(3)
    site = rng.integers(0, 3, 300)
    arm = np.where(rng.random(300) < 0.5, "T", "C")
    y = (rng.random(300) < 0.3).astype(int)
    strata = strata_from_arrays(arm, y, site, treatment="T")
    assert len(strata) == 3
    assert sum(s.treatment.total + s.control.total for s in strata) == 300
    # Issue 14: a stratum with one arm only is no longer refused but dropped with a warning
    # (it adds nothing, as in R's mantelhaen.test); tests/test_stratified_defects.py.
    with pytest.warns(rk.RctkitWarning, match=r"one arm only dropped \('b'\)"):
        assert (
            len(strata_from_arrays(["T", "C", "T"], [1, 0, 1], ["a", "a", "b"], treatment="T"))
            == 1
        )
    with pytest.raises(
        rk.InvalidInputError, match=r"must be one-dimensional with the same length"
    ):
        strata_from_arrays(["T", "C"], [1, 0, 1], ["a", "a"], treatment="T")


def test_input_validation() -> None:
    strata = _strata("three")
    with pytest.raises(rk.InvalidInputError, match=r"`strata` must be a non-empty sequence"):
        mantel_haenszel([])
    with pytest.raises(rk.InvalidInputError, match=r"`strata` must be a non-empty sequence"):
        mantel_haenszel(strata[0])  # type: ignore[arg-type]
    # Issue 14: (a, n1, c, n2) count tuples are now accepted (so an arm can be empty); a
    # 3-tuple is still refused.
    with pytest.raises(rk.InvalidInputError, match=r"`strata` must hold BinaryOutcome .*at 1"):
        mantel_haenszel([strata[0], (1, 2, 3)])  # type: ignore[list-item]
    with pytest.raises(rk.InvalidInputError, match=r'`measure` must be one of "odds_ratio"'):
        mantel_haenszel(strata, measure="hazard_ratio")
    with pytest.raises(rk.InvalidInputError, match=r'`method` must be one of "mh", "exact"'):
        mantel_haenszel(strata, method="peto")
    with pytest.raises(rk.InvalidInputError, match=r'"exact" is defined for measure="odds_ratio"'):
        mantel_haenszel(strata, measure="risk_ratio", method="exact")
    with pytest.raises(rk.InvalidInputError, match=r"`confidence_level` must be"):
        mantel_haenszel(strata, confidence_level=95)
    with pytest.raises(rk.InvalidInputError, match=r'`method` must be one of "breslow-day"'):
        homogeneity_test(strata, method="woolf")
    with pytest.raises(rk.InvalidInputError, match=r"`correction` must be True or False"):
        cmh_test(strata, correction="yes")  # type: ignore[arg-type]


@given(st.lists(outcomes(max_total=60, zero_cells=False), min_size=1, max_size=5))
def test_swapping_arms_inverts_and_negates(strata: list[rk.BinaryOutcome]) -> None:
    swapped = [s.swap() for s in strata]
    for measure in ("odds_ratio", "risk_ratio"):
        est = mantel_haenszel(strata, measure=measure)
        other = mantel_haenszel(swapped, measure=measure)
        assert other.estimate == pytest.approx(1 / est.estimate, rel=1e-10)
        assert other.ci.low == pytest.approx(1 / est.ci.high, rel=1e-10)
        assert est.ci.low <= est.estimate <= est.ci.high
    rd = mantel_haenszel(strata, measure="risk_difference", variance="greenland-robins")
    rd_s = mantel_haenszel(swapped, measure="risk_difference", variance="greenland-robins")
    assert rd_s.estimate == pytest.approx(-rd.estimate, abs=1e-12)
    assert rd_s.ci.low == pytest.approx(-rd.ci.high, abs=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        assert cmh_test(swapped).pvalue == pytest.approx(cmh_test(strata).pvalue, rel=1e-9)


# ---------------------------------------------------------------------------------------------
# Issue 10: the exact method at any size, large counts, strata_from_arrays, missing values


def _untruncated(tables: list[Table], level: float = 0.95) -> tuple[float, float, float, float]:
    """The exact conditional estimate, limits and p-value on the full support of T.

    Written apart from rctkit's kernel: log binomial coefficients from scipy's gammaln (not
    the ratios of successive terms), every point of every stratum kept (no window, no
    trimming), one linear-domain convolution with numpy, roots by scipy's brentq in
    log psi. The convolution for the roots is taken at the Mantel-Haenszel estimate (the
    weights times psi_MH^x, a change of scale that leaves the distributions unchanged) so
    that the points the limits need do not underflow; the p-value's at psi = 1.
    """
    from scipy.optimize import brentq
    from scipy.special import gammaln, logsumexp

    def log_comb(n: float, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1))

    def full(log_psi0: float) -> tuple[int, npt.NDArray[np.float64]]:
        dist = np.ones(1)
        t_low = 0
        for a, n1, c, n2 in tables:
            m1 = a + c
            lo, hi = max(0, m1 - n2), min(n1, m1)
            x = np.arange(lo, hi + 1, dtype=np.float64)
            logw = log_comb(n1, x) + log_comb(n2, m1 - x) + log_psi0 * x
            dist = np.convolve(dist, np.exp(logw - logw.max()))
            dist /= dist.max()
            t_low += lo
        with np.errstate(divide="ignore"):
            return sum(tab[0] for tab in tables) - t_low, np.log(dist)

    mh = sum(a * (n2 - c) / (n1 + n2) for a, n1, c, n2 in tables) / sum(
        (n1 - a) * c / (n1 + n2) for a, n1, c, n2 in tables
    )
    t, logc = full(math.log(mh))
    offsets = np.arange(logc.size) - t
    log_half = math.log((1 - level) / 2)

    def tilted(log_psi: float) -> npt.NDArray[np.float64]:
        lp = logc + (log_psi - math.log(mh)) * offsets
        return np.asarray(lp - logsumexp(lp))

    mle = brentq(lambda x: float(np.sum(np.exp(tilted(x)) * offsets)), -5, 5, xtol=1e-14)
    low = brentq(lambda x: float(logsumexp(tilted(x)[t:])) - log_half, -5, 5, xtol=1e-14)
    high = brentq(lambda x: log_half - float(logsumexp(tilted(x)[: t + 1])), -5, 5, xtol=1e-14)
    t, logc = full(0.0)
    d = logc - logsumexp(logc)
    pvalue = float(np.exp(logsumexp(d[d <= d[t] + math.log1p(1e-7)])))
    return math.exp(mle), math.exp(low), math.exp(high), pvalue


def _random_tables(k: int, n: int, p1: float, p2: float, seed: int) -> list[Table]:
    rng = np.random.default_rng(seed)
    return [(int(rng.binomial(n, p1)), n, int(rng.binomial(n, p2)), n) for _ in range(k)]


@pytest.mark.parametrize(
    ("tables", "pvalue_order"),
    [
        # Windows much narrower than the supports (sd ~ 11 of 2001 points), p ~ 5e-4.
        (_random_tables(3, 2000, 0.48, 0.5, seed=3), 5e-4),
        (_random_tables(3, 2000, 0.45, 0.5, seed=1), 4e-9),
        # A strong effect: the observed T lies ~26 standard deviations out, p ~ 1e-153.
        (_random_tables(4, 2000, 0.3, 0.5, seed=2), 1e-153),
        # Issue 10's 1000 strata of 100 (50 per arm): about 13 s before, p ~ 1e-226.
        (_random_tables(1000, 50, 0.3, 0.4, seed=0), 1e-226),
    ],
)
def test_exact_windows_match_the_untruncated_computation(
    tables: list[Table], pvalue_order: float
) -> None:
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2)) for a, n1, c, n2 in tables
    ]
    est = mantel_haenszel(strata, method="exact")
    ref = _untruncated(tables)
    _close(est, ref[:3], rel=1e-9)
    assert est.pvalue == pytest.approx(ref[3], rel=1e-8)
    assert est.pvalue is not None
    assert pvalue_order / 10 < est.pvalue < pvalue_order * 10


def test_exact_rare_events_in_the_largest_arms_reach_the_binomial_limit() -> None:
    # With n1 = n2 = n -> infinity and the events fixed, each stratum's a | m1 is
    # Bin(m1, psi / (1 + psi)), so T | M is Bin(M, psi / (1 + psi)): the conditional MLE is
    # t / (M - t), the exact limits are the Clopper-Pearson limits (beta quantiles) mapped by
    # p / (1 - p), and the p-value is the binomial test's (scipy.stats.binomtest, R's rule).
    # At n = 1e12 the hypergeometric differs from the binomial by O(M^2 / n) < 1e-9. The old
    # kernel's log-gamma differences lost digits here (lower limit 0.07145 for 0.0715122).
    from scipy.stats import beta, binomtest

    n = rk.MAX_COUNT
    tables = [(3, n, 7, n), (5, n, 2, n), (10, n, 12, n)]
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2)) for a, n1, c, n2 in tables
    ]
    t, m = 18, 39
    p_low, p_high = beta.ppf(0.025, t, m - t + 1), beta.ppf(0.975, t + 1, m - t)
    est = mantel_haenszel(strata, method="exact")
    _close(est, (t / (m - t), p_low / (1 - p_low), p_high / (1 - p_high)), rel=1e-8)
    assert est.pvalue == pytest.approx(binomtest(t, m, 0.5).pvalue, rel=1e-8)
    one = mantel_haenszel(strata[:1], method="exact")
    p_low, p_high = beta.ppf(0.025, 3, 8), beta.ppf(0.975, 4, 7)
    _close(one, (3 / 7, p_low / (1 - p_low), p_high / (1 - p_high)), rel=1e-8)


def test_exact_all_but_few_events_at_1e9_is_not_garbage() -> None:
    # Issue 10: at n = 1e9 the old kernel's estimate was off (0.00054 here, outside its own
    # interval; NaN in other tables) because E[T] - t cancelled at t ~ 2e9. By symmetry the
    # non-events b = 5, d = 9 carry the information: b | b + d is about Bin(14, phi/(1 + phi))
    # with phi = 1 / psi, so the MLE is 9/5 and the limits are Clopper-Pearson's for 5 of 14,
    # inverted (error O(14 / 1e9)).
    from scipy.stats import beta

    n = 10**9
    o = rk.BinaryOutcome.from_counts(treatment=(n - 5, n), control=(n - 9, n))
    est = mantel_haenszel([o], method="exact")
    q_low, q_high = beta.ppf(0.025, 5, 10), beta.ppf(0.975, 6, 9)
    _close(est, (9 / 5, (1 - q_high) / q_high, (1 - q_low) / q_low), rel=1e-6)


def test_exact_moderate_events_at_1e9_against_exact_integers() -> None:
    # Exact integer weights comb(n1, x) comb(n2, m1 - x) and mpmath (the reference above).
    tables = [(3, 10**9, 7, 10**9), (2, 5 * 10**8, 6, 10**9), (40, 10**9, 25, 3 * 10**8)]
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2)) for a, n1, c, n2 in tables
    ]
    _close(mantel_haenszel(strata, method="exact"), _exact_reference(tables), rel=1e-9)


def _unconditional_mle(tables: list[Table]) -> float:
    """The common-OR MLE of the unconditional model: sum_k A_k(psi) = sum_k a_k, with A_k the
    root in [max(0, m1 - n2), min(n1, m1)] of A (n2 - m1 + A) = psi (n1 - A)(m1 - A)."""
    from scipy.optimize import brentq

    def fitted(psi: float, n1: int, n2: int, m1: int) -> float:
        lo, hi = max(0, m1 - n2), min(n1, m1)
        return float(
            brentq(lambda x: x * (n2 - m1 + x) - psi * (n1 - x) * (m1 - x), lo, hi, xtol=1e-9)
        )

    t = sum(tab[0] for tab in tables)

    def excess(log_psi: float) -> float:
        psi = math.exp(log_psi)
        return sum(fitted(psi, n1, n2, a + c) for a, n1, c, n2 in tables) - t

    return math.exp(brentq(excess, -5, 5, xtol=1e-13))


def test_exact_one_million_per_arm_completes() -> None:
    # Issue 10: two strata of 1e6 per arm asked numpy for 7.27 TiB (MemoryError). Now about
    # 1 s. No exact reference is computable at this size, so the estimate is checked against
    # the unconditional MLE, which the conditional MLE approaches to O(1/n) (here ~1e-6), and
    # the interval against the Mantel-Haenszel (RBG) interval, which agrees with the exact one
    # to O(se^2) on the log scale (se ~ 0.003).
    tables = [(480_312, 10**6, 519_944, 10**6), (479_650, 10**6, 520_103, 10**6)]
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2)) for a, n1, c, n2 in tables
    ]
    est = mantel_haenszel(strata, method="exact")
    assert est.estimate == pytest.approx(_unconditional_mle(tables), rel=1e-5)
    mh_est = mantel_haenszel(strata)
    assert est.ci.low == pytest.approx(mh_est.ci.low, rel=1e-4)
    assert est.ci.high == pytest.approx(mh_est.ci.high, rel=1e-4)
    # T lies ~56 standard deviations from its mean at psi = 1: below 1e-300, reported as 0
    # (the CMH p-value underflows to 0 too).
    assert est.pvalue == 0.0
    assert mh_est.pvalue == 0.0


def test_exact_refuses_before_working_beyond_its_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    from rctkit._kernels.stratified import exact

    def never(*args: object) -> None:
        raise AssertionError("computed before refusing")

    monkeypatch.setattr(exact, "_distribution", never)
    half = rk.MAX_COUNT // 2
    strata = [rk.BinaryOutcome.from_counts(treatment=(half, 2 * half), control=(half, 2 * half))]
    with pytest.raises(
        rk.CostLimitError,
        match=r"windows of up to 46,540,386 points for these 3 strata, more than the limits "
        r'of 1e\+10 and 1,000,000 .*: use method="mh" or method="mn"',
    ):
        mantel_haenszel(strata * 3, method="exact")
    # Many mid-sized strata: the work (about K^1.5 n) passes the limit before the windows do.
    many = [
        rk.BinaryOutcome.from_counts(treatment=(n // 2, n), control=(n // 2 + 100, n))
        for n in range(10**5, 10**5 + 60)
    ]
    with pytest.raises(rk.CostLimitError, match=r"would take about .* multiply-adds"):
        mantel_haenszel(many, method="exact")


def test_tarone_on_identical_strata_is_zero_not_nan() -> None:
    # Found by the property test below: identical strata make the Breslow-Day sum ~0 and
    # Tarone's correction left it at -2.2e-44, whose chi-squared p-value was nan. The odds
    # ratios are equal, so the statistic is 0 and p = 1 (statsmodels' test_equal_odds gives
    # the same up to rounding).
    strata = [rk.BinaryOutcome.from_counts(treatment=(41, 1000), control=(5, 10))] * 5
    for method in ("breslow-day", "tarone"):
        res = homogeneity_test(strata, method=method)
        assert res.statistic == pytest.approx(0.0, abs=1e-12)
        assert res.pvalue == pytest.approx(1.0, abs=1e-12)


def test_mh_limits_beyond_float64_are_infinite_not_overflow() -> None:
    # Issue 10: math.exp overflowed (OverflowError) when the RBG variance of the log is huge.
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(3, 10**9), control=(0, 1)),
        rk.BinaryOutcome.from_counts(treatment=(0, 2), control=(3, 10**6)),
    ]
    for measure in ("odds_ratio", "risk_ratio"):
        est = mantel_haenszel(strata, measure=measure)
        assert est.ci.high == math.inf
        assert 0.0 <= est.ci.low <= est.estimate


_ENTRY_POINTS: list[tuple[str, dict[str, Any]]] = (
    [
        ("mantel_haenszel", {"measure": m, "method": "mh"})
        for m in ("odds_ratio", "risk_ratio", "risk_difference")
    ]
    + [
        ("mantel_haenszel", {"measure": "risk_difference", "variance": "greenland-robins"}),
        ("mantel_haenszel", {"method": "exact"}),
    ]
    + [
        ("mantel_haenszel", {"measure": m, "method": "mn", "weights": w})
        for m in ("odds_ratio", "risk_ratio", "risk_difference")
        for w in ("ivs", "mh")
    ]
    + [
        ("cmh_test", {}),
        ("cmh_test", {"correction": True}),
        ("homogeneity_test", {}),
        ("homogeneity_test", {"method": "tarone"}),
    ]
)


@settings(max_examples=40, deadline=None)
@given(big_strata())
def test_every_entry_point_at_any_size(strata: list[rk.BinaryOutcome]) -> None:
    # Issue 10: counts up to MAX_COUNT per arm and many strata: nothing but InvalidInputError
    # (CostLimitError included) escapes, no estimate is NaN beside a finite interval, every
    # estimate lies in its interval and every p-value in [0, 1]. The exact method's cost
    # limit is lowered here to keep the test's budget (the refusal path is what is tested).
    from rctkit._kernels.stratified import exact

    functions: dict[str, Callable[..., Any]] = {
        "mantel_haenszel": mantel_haenszel,
        "cmh_test": cmh_test,
        "homogeneity_test": homogeneity_test,
    }
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
        patch.setattr(exact, "MAX_EXACT_WORK", 3 * 10**8)
        warnings.simplefilter("ignore", rk.RctkitWarning)
        for name, options in _ENTRY_POINTS:
            try:
                res = functions[name](strata, **options)
            except rk.InvalidInputError:
                continue
            assert res.pvalue is None or 0.0 <= res.pvalue <= 1.0, (name, options, res)
            if isinstance(res, rk.Estimate):
                low, high = res.ci
                assert not math.isnan(low) and not math.isnan(high), (name, options, res)
                if math.isnan(res.estimate):
                    assert (low, high) in ((0.0, math.inf), (-1.0, 1.0)), (name, options, res)
                else:
                    assert low <= res.estimate <= high, (name, options, res)
            else:
                assert res.statistic >= 0.0, (name, options, res)


def _object_array(values: list[Any]) -> npt.NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _naive_strata(
    arm: list[Any], outcome: list[int], stratum: list[Any], treatment: Any
) -> list[tuple[int, int, int, int]]:
    """The per-stratum masks of the old O(rows x strata) code, as a reference."""
    out = []
    for level in dict.fromkeys(stratum):
        rows = [i for i, s in enumerate(stratum) if s == level]
        t = [outcome[i] for i in rows if arm[i] == treatment]
        c = [outcome[i] for i in rows if arm[i] != treatment]
        out.append((sum(t), len(t), sum(c), len(c)))
    return out


@pytest.mark.parametrize("kind", ["str", "int", "object"])
def test_strata_from_arrays_groups_as_the_masks_did(kind: str) -> None:
    rng = np.random.default_rng(4)
    n = 3000
    codes = rng.integers(0, 300, n)
    labels: Any = {
        "str": np.array([f"site{c:03d}" for c in codes]),
        "int": codes * 7 - 1000,
        "object": _object_array([("s", int(c)) if c % 2 else int(c) for c in codes]),
    }[kind]
    # Both arms in every stratum: alternate the arms within each stratum's rows.
    arm = np.empty(n, dtype=object)
    for c in np.unique(codes):
        rows = np.flatnonzero(codes == c)
        arm[rows] = np.where(np.arange(rows.size) % 2 == 0, "T", "C")
    y = rng.integers(0, 2, n)
    strata = strata_from_arrays(arm, y, labels, treatment="T", name="death")
    expected = _naive_strata(arm.tolist(), y.tolist(), list(labels.tolist()), "T")
    assert [s.as_tuple() for s in strata] == expected
    first = labels.tolist()[0]
    assert strata[0].name == f"death [{first}]"
    assert all(s.labels == ("T", "C") for s in strata)


def test_strata_from_arrays_is_linear_in_rows_and_strata() -> None:
    # Issue 10: 2e5 rows in 5e4 strata took 77-86 s (a mask per stratum); now about 1 s.
    rng = np.random.default_rng(0)
    rows, k = 200_000, 50_000
    stratum = rng.permutation(np.arange(rows) % k)
    order = np.argsort(stratum, kind="stable")
    rank = np.empty(rows, dtype=np.int64)
    rank[order] = np.arange(rows) % (rows // k)
    arm = np.where(rank % 2 == 0, "T", "C")
    y = rng.integers(0, 2, rows)
    strata = strata_from_arrays(arm, y, stratum, treatment="T")
    assert len(strata) == k
    assert strata[0].name == str(stratum[0])
    assert sum(s.treatment.events + s.control.events for s in strata) == y.sum()


def test_strata_from_arrays_refuses_missing_values_everywhere() -> None:
    # Issue 10: a None stratum label silently became a stratum named "None".
    arm, y = ["T", "C", "T", "C"], [1, 0, 0, 1]
    with pytest.raises(
        rk.InvalidInputError,
        match=r"`stratum` must not hold missing values \(got 2 missing values, the first None "
        r"at position 2\)",
    ):
        strata_from_arrays(arm, y, ["a", "a", None, float("nan")], treatment="T")
    with pytest.raises(rk.InvalidInputError, match=r"`stratum` must not hold missing .*nan"):
        strata_from_arrays(arm, y, np.array([1.0, 1.0, 2.0, np.nan]), treatment="T")
    with pytest.raises(rk.InvalidInputError, match=r"`arm` must not hold missing values"):
        strata_from_arrays(["T", None, "T", "C"], y, ["a", "a", "b", "b"], treatment="T")
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must not hold missing values"):
        strata_from_arrays(arm, [1, 0, None, 1], ["a", "a", "b", "b"], treatment="T")
    with pytest.raises(rk.InvalidInputError, match=r"`stratum` must hold hashable labels"):
        strata_from_arrays(arm, y, ["a", "a", ["b"], "b"], treatment="T")


def test_pandas_missing_values_are_refused_not_type_errors() -> None:
    # Issue 10: pandas.NA raised TypeError ("boolean value of NA is ambiguous").
    pd = pytest.importorskip("pandas")
    arm, y, site = ["T", "C", "T", "C"], [1, 0, 0, 1], ["a", "a", "b", "b"]
    cases: list[tuple[str, list[Any], list[Any], Any]] = [
        ("outcome", arm, site, pd.array([1, 0, pd.NA, 1], dtype="Int64")),
        ("outcome", arm, site, pd.array([True, pd.NA, False, True], dtype="boolean")),
        ("outcome", arm, site, pd.Series([1, 0, pd.NA, 1], dtype=object)),
        ("arm", ["T", pd.NA, "T", "C"], site, y),
        ("stratum", arm, ["a", "a", pd.NA, pd.NaT], y),
        ("stratum", arm, pd.Series(["a", "a", None, "b"], dtype="string"), y),
    ]
    for name, arms, strata_labels, outcome in cases:
        with pytest.raises(rk.InvalidInputError, match=rf"`{name}` must not hold missing values"):
            strata_from_arrays(arms, outcome, strata_labels, treatment="T")
        if name != "stratum":
            with pytest.raises(rk.InvalidInputError, match=rf"`{name}` must not hold missing"):
                rk.BinaryOutcome.from_arrays(arms, outcome, treatment="T")


def test_mh_risk_difference_and_cmh_near_independence_at_1e12() -> None:
    """Two strata of 1e12 per arm whose a n2 - c n1 cancels in products near 1e24: the MH
    risk difference and the CMH statistic against exact rational arithmetic (Python's
    fractions), where float64 products were off by up to 1e8 in the numerator."""
    from fractions import Fraction

    tables = [
        (999_999_999_963 - 5, 999_999_999_963, 999_999_999_877 - 9, 999_999_999_877),
        (333_333_333_331, 999_999_999_989, 333_333_333_297, 999_999_999_901),
    ]
    strata = [
        rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2)) for a, n1, c, n2 in tables
    ]
    num = sum(Fraction(a * n2 - c * n1, n1 + n2) for a, n1, c, n2 in tables)
    weight = sum(Fraction(n1 * n2, n1 + n2) for a, n1, c, n2 in tables)
    res = rk.mantel_haenszel(strata, measure="risk_difference")
    assert res.estimate == pytest.approx(float(num / weight), rel=1e-12)
    var = sum(
        Fraction(n1 * n2 * (a + c) * (n1 + n2 - a - c), (n1 + n2) ** 2 * (n1 + n2 - 1))
        for a, n1, c, n2 in tables
    )
    cmh = rk.cmh_test(strata)
    assert cmh.statistic == pytest.approx(float(num * num / var), rel=1e-12)

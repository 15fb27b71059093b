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
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import StratifiedTable

import rctkit as rk
from rctkit.strata import cmh_test, homogeneity_test, mantel_haenszel, strata_from_arrays
from tests.strategies import outcomes

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
    with pytest.raises(rk.InvalidInputError, match=r"stratum 'b': `arm` must hold exactly two"):
        strata_from_arrays(["T", "C", "T"], [1, 0, 1], ["a", "a", "b"], treatment="T")
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
    with pytest.raises(rk.InvalidInputError, match=r"`strata` must hold BinaryOutcome .*at 1"):
        mantel_haenszel([strata[0], (1, 2, 3, 4)])  # type: ignore[list-item]
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

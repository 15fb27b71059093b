"""Closed-form intervals: Haldane odds and risk ratios, Wald-cc, Agresti-Caffo and Newcombe.

References used below:

* Newcombe RG. Stat Med 1998;17:873-90, Table II: 95% intervals for eight example tables
  (a)-(h) by eleven methods, four decimals. Methods 1 (Wald), 2 (Wald-cc), 10 (hybrid score)
  and 11 (hybrid score, continuity corrected) are checked. Provenance, honestly: all of method
  10, and examples (a), (b) and (g) of methods 1, 2 and 11 (with Agresti-Caffo), were checked
  against a second copy (other projects' test suites; the SAS PROC FREQ values quoted by R
  package MKinfer). The remaining entries of methods 1, 2 and 11 were transcribed without a
  second copy of the paper at hand; they agree with the independent mpmath implementation
  below to four decimals, which is the check that carries the weight for them.
* An independent high-precision implementation with mpmath (below): Wilson limits found by
  bisection on the score-test equation, not by the closed form the kernels use.
* R: metafor::escalc(add=1/2, to="all") and stats::prop.test, from
  tests/reference/closed_form_simple.R (output pasted below).
* statsmodels confint_proportions_2indep as a peer.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import mpmath as mp
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep

import rctkit as rk
import rctkit.batch as rkb
from tests.strategies import confidence_levels, outcomes

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

RD_METHODS = ("wald-cc", "agresti-caffo", "newcombe", "newcombe-cc")
RATIO_METHODS = (("odds_ratio", "haldane"), ("risk_ratio", "haldane"))

# Newcombe 1998 Table II: (a, n1, c, n2) of examples (a)-(h).
NEWCOMBE_TABLES = {
    "a": (56, 70, 48, 80),
    "b": (9, 10, 3, 10),
    "c": (6, 7, 2, 7),
    "d": (5, 56, 0, 29),
    "e": (0, 10, 0, 20),
    "f": (0, 10, 0, 10),
    "g": (10, 10, 0, 20),
    "h": (10, 10, 0, 10),
}

# Newcombe 1998 Table II, 95% limits; ">1.0000" in the table (limits beyond 1 before
# truncation) is entered as 1.0, the clipped value.
NEWCOMBE_TABLE_II = {
    # method 1, Wald (rctkit's "wald" kernel, checked here as a transcription control)
    "wald": {
        "a": (0.0575, 0.3425),
        "b": (0.2605, 0.9395),
        "c": (0.1481, 0.9947),
        "d": (0.0146, 0.1640),
        "e": (0.0, 0.0),
        "f": (0.0, 0.0),
        "g": (1.0, 1.0),
        "h": (1.0, 1.0),
    },
    # method 2, Wald with continuity correction
    "wald-cc": {
        "a": (0.0441, 0.3559),
        "b": (0.1605, 1.0),
        "c": (0.0053, 1.0),
        "d": (-0.0116, 0.1901),
        "e": (-0.0750, 0.0750),
        "f": (-0.1000, 0.1000),
        "g": (0.9250, 1.0),
        "h": (0.9000, 1.0),
    },
    # method 10, hybrid score from Wilson intervals
    "newcombe": {
        "a": (0.0524, 0.3339),
        "b": (0.1705, 0.8090),
        "c": (0.0582, 0.8062),
        "d": (-0.0381, 0.1926),
        "e": (-0.1611, 0.2775),
        "f": (-0.2775, 0.2775),
        "g": (0.6791, 1.0),
        "h": (0.6075, 1.0),
    },
    # method 11, hybrid score from continuity-corrected Wilson intervals
    "newcombe-cc": {
        "a": (0.0428, 0.3422),
        "b": (0.1013, 0.8387),
        "c": (-0.0290, 0.8423),
        "d": (-0.0667, 0.2037),
        "e": (-0.2005, 0.3445),
        "f": (-0.3445, 0.3445),
        "g": (0.6014, 1.0),
        "h": (0.5128, 1.0),
    },
}

# Agresti-Caffo 95% limits for Newcombe's examples (a), (b), (g): SAS PROC FREQ values quoted
# in the MKinfer test suite (binomDiffCI(method="agresti-caffo")).
AGRESTI_CAFFO_SAS = {
    "a": (0.0525, 0.3358),
    "b": (0.1600, 0.8400),
    "g": (0.6922, 1.0),
}

# Tables for the high-precision comparisons: ordinary, zero cells, all events, n = 1, large n.
GRID = [
    (64, 218, 83, 216),
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (5, 56, 0, 29),
    (0, 10, 0, 20),
    (0, 10, 0, 10),
    (10, 10, 0, 20),
    (10, 10, 10, 10),
    (0, 15, 15, 15),
    (1, 1, 0, 1),
    (0, 1, 0, 1),
    (1, 1, 1, 1),
    (1, 2, 1, 3),
    (3, 5, 4, 4),
    (1, 1000, 0, 1000),
    (999, 1000, 1000, 1000),
    (500, 1000, 5, 2000),
    (1, 1_000_000, 3, 1_000_000),
    (123_456, 1_000_000, 123_789, 1_000_000),
    (2, 3_000_000, 0, 5),
]
LEVELS = [0.5, 0.95, 0.999]


def _arrays(rows: Sequence[Sequence[float]]) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The first four columns of ``rows`` (a, n1, c, n2) as int64 arrays."""
    a, n1, c, n2 = np.array([row[:4] for row in rows], dtype=np.int64).T
    return a, n1, c, n2


def _one(a: int, n1: int, c: int, n2: int) -> rk.BinaryOutcome:
    return rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))


# ---------------------------------------------------------------------------------------------
# An independent high-precision implementation (mpmath, 30 digits)

MP_DPS = 30  # mpmath digits for every test here (set by tests/conftest.py)


def _mp_z(level: float) -> mp.mpf:
    return mp.sqrt(2) * mp.erfinv(mp.mpf(level))


def _mp_p(z: mp.mpf) -> mp.mpf:
    """Two-sided normal p-value."""
    return mp.erfc(abs(z) / mp.sqrt(2))


def _bisect(f: Callable[[mp.mpf], mp.mpf], lo: mp.mpf, hi: mp.mpf) -> mp.mpf:
    """The root of ``f`` in ``[lo, hi]``, where ``f`` changes sign, to 2**-110."""
    flo = f(lo)
    for _ in range(110):
        mid = (lo + hi) / 2
        fm = f(mid)
        if fm == 0:
            return mid
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def _mp_wilson(x: int, n: int, z: mp.mpf, cc: bool) -> tuple[mp.mpf, mp.mpf]:
    """Limits of the score-test acceptance set ``|x - n pi| - h <= z sqrt(n pi (1 - pi))``.

    ``h`` is 1/2 with the continuity correction (Newcombe 1998a, method 4) and 0 without
    (Wilson 1927). Each limit is found by bisection on the squared equation between 0 (or 1)
    and the point where ``|x - n pi| = h``; with ``x = 0`` the lower limit is 0 and with
    ``x = n`` the upper limit is 1 (the acceptance set reaches the end).
    """
    h = mp.mpf(1) / 2 if cc else mp.mpf(0)
    xm, nm = mp.mpf(x), mp.mpf(n)

    def lower_eq(pi: mp.mpf) -> mp.mpf:
        return (xm - nm * pi - h) ** 2 - z**2 * nm * pi * (1 - pi)

    def upper_eq(pi: mp.mpf) -> mp.mpf:
        return (nm * pi - xm - h) ** 2 - z**2 * nm * pi * (1 - pi)

    low = mp.mpf(0) if x == 0 else _bisect(lower_eq, mp.mpf(0), (xm - h) / nm)
    high = mp.mpf(1) if x == n else _bisect(upper_eq, (xm + h) / nm, mp.mpf(1))
    return low, high


def _mp_clip(x: mp.mpf) -> mp.mpf:
    return min(max(x, mp.mpf(-1)), mp.mpf(1))


def mp_risk_difference(
    method: str, a: int, n1: int, c: int, n2: int, level: float
) -> tuple[float, float, float, float | None]:
    """Estimate, limits and p-value of a risk-difference method, to 30 digits."""
    z = _mp_z(level)
    p1, p2 = mp.mpf(a) / n1, mp.mpf(c) / n2
    d = p1 - p2
    if method in ("newcombe", "newcombe-cc"):
        cc = method == "newcombe-cc"
        l1, u1 = _mp_wilson(a, n1, z, cc)
        l2, u2 = _mp_wilson(c, n2, z, cc)
        low = d - mp.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + mp.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
        return float(d), float(_mp_clip(low)), float(_mp_clip(high)), None
    if method == "wald-cc":
        se = mp.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        corr = (mp.mpf(1) / n1 + mp.mpf(1) / n2) / 2
        excess = max(abs(d) - corr, mp.mpf(0))
        # With se = 0 the statistic is +inf (p = 0) unless there is no excess (p = 1).
        pvalue = _mp_p(excess / se) if se != 0 else mp.mpf(excess == 0)
        low, high = d - z * se - corr, d + z * se + corr
        return float(d), float(_mp_clip(low)), float(_mp_clip(high)), float(pvalue)
    if method == "agresti-caffo":
        q1, q2 = mp.mpf(a + 1) / (n1 + 2), mp.mpf(c + 1) / (n2 + 2)
        se = mp.sqrt(q1 * (1 - q1) / (n1 + 2) + q2 * (1 - q2) / (n2 + 2))
        low, high = q1 - q2 - z * se, q1 - q2 + z * se
        return float(d), float(_mp_clip(low)), float(_mp_clip(high)), float(_mp_p((q1 - q2) / se))
    raise AssertionError(method)


def mp_ratio(
    measure: str, a: int, n1: int, c: int, n2: int, level: float
) -> tuple[float, float, float, float]:
    """Haldane odds ratio (Woolf) or risk ratio (Katz), 0.5 added to every cell, 30 digits."""
    z = _mp_z(level)
    half = mp.mpf(1) / 2
    ha, hb, hc, hd = a + half, n1 - a + half, c + half, n2 - c + half
    if measure == "odds_ratio":
        est = ha * hd / (hb * hc)
        se = mp.sqrt(1 / ha + 1 / hb + 1 / hc + 1 / hd)
    else:
        est = (ha / (n1 + 1)) / (hc / (n2 + 1))
        se = mp.sqrt(1 / ha - mp.mpf(1) / (n1 + 1) + 1 / hc - mp.mpf(1) / (n2 + 1))
    log_est = mp.log(est)
    return (
        float(est),
        float(mp.exp(log_est - z * se)),
        float(mp.exp(log_est + z * se)),
        float(_mp_p(log_est / se)),
    )


def _mp_rows(
    func: Callable[..., tuple[float, float, float, float | None]], key: str, level: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    rows = [func(key, *t, level) for t in GRID]
    est, low, high, p = (np.array(col, dtype=object) for col in zip(*rows, strict=True))
    pvalue = None if p[0] is None else p.astype(float)
    return est.astype(float), low.astype(float), high.astype(float), pvalue


# ---------------------------------------------------------------------------------------------
# Published values


@pytest.mark.parametrize("method", list(NEWCOMBE_TABLE_II))
def test_newcombe_1998_table_ii(method: str) -> None:
    # Newcombe 1998 Table II, methods 1, 2, 10, 11, examples (a)-(h), four decimals.
    published = NEWCOMBE_TABLE_II[method]
    a, n1, c, n2 = _arrays([NEWCOMBE_TABLES[k] for k in published])
    want = np.array(list(published.values()))
    degenerate = method in ("wald", "wald-cc")  # e-h have every risk at 0 or 1
    if degenerate:
        with pytest.warns(rk.RctkitWarning, match="every risk at 0 or 1"):
            res = rkb.risk_difference(a, n1, c, n2, method=method)
    else:
        res = rkb.risk_difference(a, n1, c, n2, method=method)
    np.testing.assert_allclose(res.low, want[:, 0], rtol=0, atol=5e-5)
    np.testing.assert_allclose(res.high, want[:, 1], rtol=0, atol=5e-5)
    np.testing.assert_array_equal(res.estimate, a / n1 - c / n2)


def test_agresti_caffo_sas_values() -> None:
    # SAS PROC FREQ Agresti-Caffo limits for Newcombe's examples (a), (b), (g), four decimals.
    a, n1, c, n2 = _arrays([NEWCOMBE_TABLES[k] for k in AGRESTI_CAFFO_SAS])
    want = np.array(list(AGRESTI_CAFFO_SAS.values()))
    res = rkb.risk_difference(a, n1, c, n2, method="agresti-caffo")
    np.testing.assert_allclose(res.low, want[:, 0], rtol=0, atol=5e-5)
    np.testing.assert_allclose(res.high, want[:, 1], rtol=0, atol=5e-5)


def test_wilson_zero_limits_closed_form() -> None:
    # With no events in both arms, method 10 is -z^2/(n2 + z^2) to z^2/(n1 + z^2)
    # (Wilson 1927 at x = 0); Newcombe 1998 Table II (e): -0.1611 to 0.2775.
    z2 = 1.959963984540054**2
    est = rk.risk_difference(_one(0, 10, 0, 20), method="newcombe")
    assert est.ci.low == pytest.approx(-z2 / (20 + z2), rel=1e-14)
    assert est.ci.high == pytest.approx(z2 / (10 + z2), rel=1e-14)


# ---------------------------------------------------------------------------------------------
# High-precision reference


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("method", RD_METHODS)
def test_risk_difference_matches_mpmath(method: str, level: float) -> None:
    est, low, high, pvalue = _mp_rows(mp_risk_difference, method, level)
    a, n1, c, n2 = _arrays(GRID)
    with np.errstate(all="raise"):
        if method == "wald-cc":
            with pytest.warns(rk.RctkitWarning, match="every risk at 0 or 1"):
                res = rkb.risk_difference(a, n1, c, n2, method=method, confidence_level=level)
        else:
            res = rkb.risk_difference(a, n1, c, n2, method=method, confidence_level=level)
    # Limits are differences of numbers of order 1: near 0 only absolute accuracy (a few ulp of
    # 1) is meaningful, hence atol.
    np.testing.assert_allclose(res.estimate, est, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.low, low, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.high, high, rtol=1e-12, atol=1e-15)
    if pvalue is None:
        assert res.pvalue is None
    else:
        assert res.pvalue is not None
        np.testing.assert_allclose(res.pvalue, pvalue, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("measure", "method"), RATIO_METHODS)
def test_haldane_matches_mpmath(measure: str, method: str, level: float) -> None:
    est, low, high, pvalue = _mp_rows(mp_ratio, measure, level)
    a, n1, c, n2 = _arrays(GRID)
    func = rkb.odds_ratio if measure == "odds_ratio" else rkb.risk_ratio
    res = func(a, n1, c, n2, method=method, confidence_level=level)
    np.testing.assert_allclose(res.estimate, est, rtol=1e-12)
    np.testing.assert_allclose(res.low, low, rtol=1e-12)
    np.testing.assert_allclose(res.high, high, rtol=1e-12)
    assert res.pvalue is not None
    assert pvalue is not None
    # Near p = 1 the p-value is 1 - O(z^2): compare absolutely there.
    np.testing.assert_allclose(res.pvalue, pvalue, rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# R (tests/reference/closed_form_simple.R)

# metafor::escalc(measure="OR", add=1/2, to="all"): (a, n1, c, n2, yi = log OR, vi = var).
METAFOR_OR = [
    (64, 218, 83, 216, -0.40427402655257877, 0.041443052486688829),
    (56, 70, 48, 80, 0.9597682801181211, 0.13805241975588878),
    (9, 10, 3, 10, 2.6079667425452278, 1.1909774436090226),
    (5, 56, 0, 29, 1.8407037284744545, 2.2351339626310827),
    (0, 10, 0, 20, 0.66904962898088494, 4.144018583042973),
    (0, 10, 0, 10, 0, 4.1904761904761898),
    (10, 10, 0, 20, 6.7580945044277314, 4.144018583042973),
    (10, 10, 10, 10, 0, 4.1904761904761907),
    (1, 1, 0, 1, 2.1972245773362196, 5.333333333333333),
    (500, 1000, 5, 2000, 5.8939018322503633, 0.18631531335114399),
]
# metafor::escalc(measure="RR", add=1/2, to="all"): (a, n1, c, n2, yi = log RR, vi = var).
METAFOR_RR = [
    (64, 218, 83, 216, -0.26735578433112417, 0.018305418896646188),
    (56, 70, 48, 80, 0.28444611784008117, 0.011887485690679517),
    (9, 10, 3, 10, 0.99852883011112725, 0.20915926179084068),
    (5, 56, 0, 29, 1.7560413866259754, 2.130940988835726),
    (0, 10, 0, 20, 0.64662716492505279, 3.8614718614718617),
    (0, 10, 0, 10, 0, 3.8181818181818183),
    (10, 10, 0, 20, 3.6911496026484758, 1.9567099567099568),
    (10, 10, 10, 10, 0, 0.0086580086580086424),
    (1, 1, 0, 1, 1.0986122886681096, 1.6666666666666665),
    (500, 1000, 5, 2000, 5.2035070617853627, 0.18231743269224529),
]
# stats::prop.test(correct=TRUE)$conf.int: (a, n1, c, n2, low, high). R shrinks the correction
# to |p1 - p2| when the difference is smaller than (1/n1 + 1/n2)/2; Newcombe's method 2 (and
# rctkit) always uses the full correction. Rows where they differ are marked.
PROP_TEST = [
    (64, 218, 83, 216, -0.18395977782943165, 0.0025972226136654897),
    (56, 70, 48, 80, 0.044112042006180019, 0.35588795799382011),
    (9, 10, 3, 10, 0.16052427977714867, 1),
    (5, 56, 0, 29, -0.01156971029632424, 0.1901411388677528),
    (10, 10, 0, 20, 0.92500000000000004, 1),
    (1, 1, 0, 1, 0, 1),
    (500, 1000, 5, 2000, 0.46568306381149593, 0.52931693618850406),
]
PROP_TEST_SHRUNK = [
    # R: (0, 0); Newcombe 1998 Table II (e) and rctkit: -0.0750 to 0.0750.
    (0, 10, 0, 20, 0.0, 0.0),
    # R: (0, 0); Newcombe 1998 Table II (f) and rctkit: -0.1000 to 0.1000.
    (0, 10, 0, 10, 0.0, 0.0),
]


@pytest.mark.parametrize(
    ("measure", "rows"), [("odds_ratio", METAFOR_OR), ("risk_ratio", METAFOR_RR)]
)
def test_haldane_matches_metafor(measure: str, rows: list[tuple[float, ...]]) -> None:
    a, n1, c, n2 = _arrays(rows)
    yi = np.array([r[4] for r in rows])
    vi = np.array([r[5] for r in rows])
    func = rkb.odds_ratio if measure == "odds_ratio" else rkb.risk_ratio
    res = func(a, n1, c, n2, method="haldane")
    z = 1.959963984540054
    np.testing.assert_allclose(np.log(res.estimate), yi, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.low, np.exp(yi - z * np.sqrt(vi)), rtol=1e-12)
    np.testing.assert_allclose(res.high, np.exp(yi + z * np.sqrt(vi)), rtol=1e-12)


def test_wald_cc_matches_prop_test() -> None:
    a, n1, c, n2 = _arrays(PROP_TEST)
    with pytest.warns(rk.RctkitWarning, match="every risk at 0 or 1"):
        res = rkb.risk_difference(a, n1, c, n2, method="wald-cc")
    np.testing.assert_allclose(res.low, [r[4] for r in PROP_TEST], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(res.high, [r[5] for r in PROP_TEST], rtol=1e-12, atol=1e-15)


def test_wald_cc_differs_from_prop_test_for_small_differences() -> None:
    # Documented disagreement: R's prop.test shrinks the correction; Newcombe's method 2 does not.
    a, n1, c, n2 = _arrays(PROP_TEST_SHRUNK)
    with pytest.warns(rk.RctkitWarning, match="every risk at 0 or 1"):
        res = rkb.risk_difference(a, n1, c, n2, method="wald-cc")
    correction = 0.5 * (1 / n1 + 1 / n2)
    np.testing.assert_allclose(res.low, -correction, rtol=1e-15)
    np.testing.assert_allclose(res.high, correction, rtol=1e-15)
    assert np.all(res.high > np.array([r[5] for r in PROP_TEST_SHRUNK]))


# ---------------------------------------------------------------------------------------------
# statsmodels as a peer


@pytest.mark.parametrize(
    ("method", "sm_method"), [("newcombe", "newcomb"), ("agresti-caffo", "agresti-caffo")]
)
def test_risk_difference_matches_statsmodels(method: str, sm_method: str) -> None:
    a, n1, c, n2 = _arrays(GRID)
    res = rkb.risk_difference(a, n1, c, n2, method=method, confidence_level=0.9)
    low, high = confint_proportions_2indep(a, n1, c, n2, method=sm_method, alpha=0.1)
    # statsmodels does not clip Agresti-Caffo limits to [-1, 1]; rctkit does.
    np.testing.assert_allclose(res.low, np.clip(low, -1, 1), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(res.high, np.clip(high, -1, 1), rtol=1e-10, atol=1e-14)


def test_haldane_odds_ratio_matches_statsmodels() -> None:
    # statsmodels' "logit-adjusted" odds-ratio interval adds 0.5 to every cell, as "haldane".
    a, n1, c, n2 = _arrays(GRID)
    res = rkb.odds_ratio(a, n1, c, n2, method="haldane")
    low, high = confint_proportions_2indep(
        a, n1, c, n2, method="logit-adjusted", compare="odds-ratio"
    )
    np.testing.assert_allclose(res.low, low, rtol=1e-10)
    np.testing.assert_allclose(res.high, high, rtol=1e-10)


def test_haldane_risk_ratio_differs_from_statsmodels_log_adjusted() -> None:
    # Documented disagreement: statsmodels' "log-adjusted" adds 0.5 to the events and the
    # totals, (a + 1/2)/(n1 + 1/2); rctkit adds 0.5 to every cell, (a + 1/2)/(n1 + 1).
    est = rk.risk_ratio(_one(0, 10, 5, 10), method="haldane")
    low, high = confint_proportions_2indep(0, 10, 5, 10, method="log-adjusted", compare="ratio")
    assert est.estimate == pytest.approx((0.5 / 11) / (5.5 / 11), rel=1e-14)
    assert est.ci.low != pytest.approx(low, rel=1e-3)
    assert est.ci.high != pytest.approx(high, rel=1e-3)


# ---------------------------------------------------------------------------------------------
# Zero cells, p-values, scalar API


@pytest.mark.parametrize(
    "table",
    [(0, 10, 4, 10), (10, 10, 4, 10), (0, 10, 0, 12), (10, 10, 12, 12), (0, 1, 1, 1)],
    ids=["zero-one-arm", "all-one-arm", "zero-both", "all-both", "n-one"],
)
@pytest.mark.parametrize("method", ["agresti-caffo", "newcombe", "newcombe-cc"])
def test_zero_cells_risk_difference_finite_without_warning(
    method: str, table: tuple[int, int, int, int]
) -> None:
    est = rk.risk_difference(_one(*table), method=method)
    assert -1 <= est.ci.low < est.ci.high <= 1
    assert math.isfinite(est.estimate)
    if method != "agresti-caffo":
        assert est.ci.low <= est.estimate <= est.ci.high


@pytest.mark.parametrize(
    "table", [(0, 10, 4, 10), (10, 10, 4, 10), (0, 10, 0, 12), (10, 10, 12, 12), (0, 1, 1, 1)]
)
@pytest.mark.parametrize("measure", ["odds_ratio", "risk_ratio"])
def test_zero_cells_haldane_finite_without_warning(
    measure: str, table: tuple[int, int, int, int]
) -> None:
    func = rk.odds_ratio if measure == "odds_ratio" else rk.risk_ratio
    est = func(_one(*table), method="haldane")
    assert 0 < est.ci.low < est.estimate < est.ci.high < math.inf
    assert est.pvalue is not None
    assert 0 < est.pvalue <= 1


def test_haldane_no_events_in_either_arm() -> None:
    # 0.5 added to every cell: OR = (n2 + 1/2)/(n1 + 1/2), RR = (n2 + 1)/(n1 + 1).
    outcome = _one(0, 10, 0, 20)
    assert rk.odds_ratio(outcome, method="haldane").estimate == pytest.approx(20.5 / 10.5)
    assert rk.risk_ratio(outcome, method="haldane").estimate == pytest.approx(21 / 11)


def test_wald_cc_degenerate_warns_and_keeps_the_correction() -> None:
    with pytest.warns(rk.RctkitWarning, match="every risk at 0 or 1"):
        est = rk.risk_difference(_one(0, 10, 0, 10), method="wald-cc")
    assert (est.ci.low, est.ci.high, est.pvalue) == (-0.1, 0.1, 1.0)
    with pytest.warns(rk.RctkitWarning, match="every risk at 0 or 1"):
        est = rk.risk_difference(_one(10, 10, 0, 20), method="wald-cc")
    assert est.pvalue == 0.0


@pytest.mark.parametrize("method", ["wald-cc", "agresti-caffo"])
@given(outcome=outcomes(max_total=60, zero_cells=False), level=confidence_levels)
def test_pvalue_is_dual_to_the_interval(
    method: str, outcome: rk.BinaryOutcome, level: float
) -> None:
    # The p-value is that of the test the interval inverts: below 1 - level exactly when the
    # (unclipped) interval excludes 0. Clipping to [-1, 1] never moves a limit across 0.
    est = rk.risk_difference(outcome, method=method, confidence_level=level)
    assert est.pvalue is not None
    excludes = est.ci.low > 0 or est.ci.high < 0
    margin = abs(est.pvalue - (1 - level))
    if margin > 1e-9:
        assert excludes == (est.pvalue < 1 - level)


def test_newcombe_has_no_pvalue(core: rk.BinaryOutcome) -> None:
    assert rk.risk_difference(core, method="newcombe").pvalue is None
    assert rk.risk_difference(core, method="newcombe-cc").pvalue is None


def test_scalar_api_core(core: rk.BinaryOutcome) -> None:
    # CORE trial: p1 - p2 = 64/218 - 83/216; every method reports the plain difference.
    for method in RD_METHODS:
        est = rk.risk_difference(core, method=method)
        assert est.measure == "risk_difference"
        assert est.method == method
        assert est.estimate == 64 / 218 - 83 / 216
    est = rk.odds_ratio(core, method="haldane")
    assert est.estimate == pytest.approx(64.5 * 133.5 / (154.5 * 83.5), rel=1e-14)


def test_unknown_method_lists_the_new_ones(core: rk.BinaryOutcome) -> None:
    with pytest.raises(rk.InvalidInputError, match='"newcombe-cc"') as info:
        rk.risk_difference(core, method="newcomb")
    assert '"agresti-caffo"' in str(info.value)
    assert "'newcomb'" in str(info.value)


# ---------------------------------------------------------------------------------------------
# Properties


METHODS = [("risk_difference", m) for m in RD_METHODS] + list(RATIO_METHODS)


def _scalar(measure: str, outcome: rk.BinaryOutcome, method: str, level: float) -> rk.Estimate:
    """One method on one outcome, with Wald-cc's degenerate-table warning silenced."""
    func = {"odds_ratio": rk.odds_ratio, "risk_ratio": rk.risk_ratio}.get(
        measure, rk.risk_difference
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        return func(outcome, method=method, confidence_level=level)


# Each property loops over every method inside one hypothesis test, to keep the file fast.


@given(outcome=outcomes(max_total=300), level=confidence_levels)
def test_swapping_arms(outcome: rk.BinaryOutcome, level: float) -> None:
    for measure, method in METHODS:
        est = _scalar(measure, outcome, method, level)
        swapped = _scalar(measure, outcome.swap(), method, level)
        if measure == "risk_difference":
            assert swapped.estimate == -est.estimate
            assert swapped.ci.low == pytest.approx(-est.ci.high, rel=1e-12, abs=1e-15)
            assert swapped.ci.high == pytest.approx(-est.ci.low, rel=1e-12, abs=1e-15)
        else:
            assert swapped.estimate == pytest.approx(1 / est.estimate, rel=1e-12)
            assert swapped.ci.low == pytest.approx(1 / est.ci.high, rel=1e-12)
            assert swapped.ci.high == pytest.approx(1 / est.ci.low, rel=1e-12)
        if est.pvalue is not None:
            assert swapped.pvalue == pytest.approx(est.pvalue, rel=1e-12, abs=1e-300)


@given(
    outcome=outcomes(max_total=300),
    levels=st.lists(confidence_levels, min_size=2, max_size=2, unique=True).map(sorted),
)
def test_nested_in_level_and_within_parameter_space(
    outcome: rk.BinaryOutcome, levels: list[float]
) -> None:
    for measure, method in METHODS:
        narrow = _scalar(measure, outcome, method, levels[0])
        wide = _scalar(measure, outcome, method, levels[1])
        assert wide.ci.low <= narrow.ci.low
        assert narrow.ci.high <= wide.ci.high
        assert narrow.ci.low <= narrow.ci.high
        bounds = (-1.0, 1.0) if measure == "risk_difference" else (0.0, math.inf)
        assert bounds[0] <= wide.ci.low
        assert wide.ci.high <= bounds[1]


@given(outcome=outcomes(max_total=300), level=confidence_levels)
def test_interval_contains_estimate(outcome: rk.BinaryOutcome, level: float) -> None:
    # Agresti-Caffo is centred on the adjusted difference, not the reported one: at 95% and
    # above it contains the plain difference (checked for every table with arms of up to 80),
    # at lower levels it need not (e.g. 0/1 against 1/1 at 90%; documented in the kernel).
    for measure, method in METHODS:
        used = max(level, 0.95) if method == "agresti-caffo" else level
        est = _scalar(measure, outcome, method, used)
        assert est.ci.low <= est.estimate <= est.ci.high


@given(tables=st.lists(outcomes(max_total=200), min_size=1, max_size=6), level=confidence_levels)
def test_batch_equals_scalar(tables: list[rk.BinaryOutcome], level: float) -> None:
    counts = np.array([o.as_tuple() for o in tables]).T
    funcs = {"odds_ratio": rkb.odds_ratio, "risk_ratio": rkb.risk_ratio}
    for measure, method in METHODS:
        func = funcs.get(measure, rkb.risk_difference)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rk.RctkitWarning)
            res = func(*counts, method=method, confidence_level=level)
        for i, outcome in enumerate(tables):
            assert _scalar(measure, outcome, method, level) == res.item(i)

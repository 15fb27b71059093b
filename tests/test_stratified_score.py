"""Stratified Miettinen-Nurminen score intervals (``mantel_haenszel(method="mn")``).

References: an independent mpmath computation from the definitions (below), published
examples (Laud's SAS macro %SCORECI and the R package ratesci, Klingenberg 2014, Lu 2008,
Gart and Nam 1988, Gart 1985, Tang 2020), R's ``mantelhaen.test`` (the score test with
Mantel-Haenszel weights is the CMH test; tests/reference/stratified_score.R), and the
single-table Miettinen-Nurminen intervals (one stratum).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from rctkit._kernels.common import Interval
from rctkit._kernels.stratified_score import stratified_score
from tests.strategies import confidence_levels, outcomes

Table = tuple[int, int, int, int]
Strata = tuple[Table, ...]

MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")
WEIGHTS = ("ivs", "mh")


def kernel(
    strata: Strata,
    measure: str,
    weights: str,
    level: float = 0.95,
    bias_correction: bool = True,
) -> tuple[float, float, float, float]:
    a, n1, c, n2 = (np.array(x, dtype=np.int64) for x in zip(*strata, strict=True))
    res = stratified_score(
        a, n1, c, n2, level, measure=measure, weights=weights, bias_correction=bias_correction
    )
    assert res.pvalue is not None
    return float(res.estimate), float(res.low), float(res.high), float(res.pvalue)


def outcome(t: Table) -> rk.BinaryOutcome:
    return rk.BinaryOutcome.from_counts(treatment=(t[0], t[1]), control=(t[2], t[3]))


# --- An independent reference in mpmath -------------------------------------------------------
#
# Written from the definitions: each stratum's nuisance parameter is fitted under the candidate
# common effect by solving its restricted likelihood equation numerically (no closed forms);
# the stratum scores and variances are pooled with the weights as defined by Miettinen and
# Nurminen / Laud; the estimate and the limits are roots of the pooled statistic found by
# bisection then Anderson-Bjorck, at 30 significant digits.

MP_DPS = 30  # mpmath digits for every test here (set by tests/conftest.py)
EPS = mp.mpf(10) ** -24
EDGE = mp.mpf(10) ** -20


def _root(fn: Callable[[mp.mpf], mp.mpf], lo: mp.mpf, hi: mp.mpf) -> mp.mpf:
    f_lo = fn(lo)
    for _ in range(8):
        mid = (lo + hi) / 2
        f_mid = fn(mid)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return mp.findroot(fn, (lo, hi), solver="anderson", verify=False)


def _ratio(x: int, p: mp.mpf) -> mp.mpf:
    return mp.mpf(0) if x == 0 else x / p


def _argmax(derivative: Callable[[mp.mpf], mp.mpf], lo: mp.mpf, hi: mp.mpf) -> mp.mpf:
    """Maximiser on [lo, hi] of a concave log likelihood with the given derivative."""
    if derivative(lo + EPS) <= 0:
        return lo
    if derivative(hi - EPS) >= 0:
        return hi
    return _root(derivative, lo + EPS, hi - EPS)


def mp_fit(measure: str, t: Table, theta: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
    """The stratum's risks ``(p1, p2)`` fitted under the common effect ``theta``."""
    a, n1, c, n2 = t
    b, d = n1 - a, n2 - c
    if measure == "risk_difference":

        def drd(p2: mp.mpf) -> mp.mpf:
            p1 = p2 + theta
            return _ratio(a, p1) - _ratio(b, 1 - p1) + _ratio(c, p2) - _ratio(d, 1 - p2)

        p2 = _argmax(drd, max(mp.mpf(0), -theta), min(mp.mpf(1), 1 - theta))
        return p2 + theta, p2
    if measure == "risk_ratio":

        def drr(p2: mp.mpf) -> mp.mpf:
            return _ratio(a + c, p2) - _ratio(b * theta, 1 - theta * p2) - _ratio(d, 1 - p2)

        p2 = _argmax(drr, mp.mpf(0), min(mp.mpf(1), 1 / theta))
        return theta * p2, p2

    # Odds ratio: the fit keeps the margins, so it is the fitted treatment-arm events A with
    # A (n2 - m + A) = theta (n1 - A) (m - A) in the range the margins allow.
    m = a + c

    def cross(big_a: mp.mpf) -> mp.mpf:
        return big_a * (n2 - m + big_a) - theta * (n1 - big_a) * (m - big_a)

    big_a = _root(cross, mp.mpf(max(0, m - n2)), mp.mpf(min(n1, m)))
    return big_a / n1, (m - big_a) / n2


def _contributes(measure: str, weights: str, t: Table) -> bool:
    a, n1, c, n2 = t
    empty = a + c == 0 or a + c == n1 + n2
    if measure == "odds_ratio" or weights == "ivs":
        return not empty
    return measure == "risk_difference" or a + c > 0


def mp_z(measure: str, weights: str, strata: Strata, theta: mp.mpf, bcf: bool = True) -> mp.mpf:
    """The pooled statistic sum(w S) / sqrt(sum(w^2 V)) at ``theta``."""
    num = mp.mpf(0)
    var = mp.mpf(0)
    for t in strata:
        if not _contributes(measure, weights, t):
            continue
        a, n1, c, n2 = t
        n = n1 + n2
        lam = mp.mpf(n) / (n - 1) if bcf else mp.mpf(1)
        r1, r2 = mp.mpf(a) / n1, mp.mpf(c) / n2
        p1, p2 = mp_fit(measure, t, theta)
        if measure == "risk_difference":
            s = r1 - r2 - theta
            v = lam * (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        elif measure == "risk_ratio":
            s = r1 - theta * r2
            v = lam * (p1 * (1 - p1) / n1 + theta**2 * p2 * (1 - p2) / n2)
            if weights == "ivs":  # Tang's score, ratesci's default with IVS weights
                s, v = s / p2, v / p2**2
        else:
            s = (r1 - p1) / (p1 * (1 - p1)) - (r2 - p2) / (p2 * (1 - p2))
            v = lam * (1 / (n1 * p1 * (1 - p1)) + 1 / (n2 * p2 * (1 - p2)))
        w = mp.mpf(n1 * n2) / n if weights == "mh" else 1 / v
        num += w * s
        var += w * w * v
    return num / mp.sqrt(var)


@functools.cache
def mp_interval(
    measure: str, weights: str, strata: Strata, level: float = 0.95, bcf: bool = True
) -> tuple[mp.mpf, mp.mpf, mp.mpf, mp.mpf]:
    """Estimate, limits and p-value; the data sets used have interior estimates."""
    q = mp.sqrt(2) * mp.erfinv(mp.mpf(level))
    if measure == "risk_difference":

        def g(x: mp.mpf) -> mp.mpf:
            return mp_z(measure, weights, strata, x, bcf)

        lo, hi = -1 + EDGE, 1 - EDGE
        est = _root(g, lo, hi)
        low = _root(lambda x: g(x) - q, lo, est)
        high = _root(lambda x: g(x) + q, est, hi)
        z0 = g(mp.mpf(0))
    else:

        def g(x: mp.mpf) -> mp.mpf:
            return mp_z(measure, weights, strata, mp.exp(x), bcf)

        lo, hi = mp.mpf(-1), mp.mpf(1)
        while g(lo) < q:
            lo -= 1
        while g(hi) > -q:
            hi += 1
        est = _root(g, lo, hi)
        low = _root(lambda x: g(x) - q, lo, est)
        high = _root(lambda x: g(x) + q, est, hi)
        est, low, high = mp.exp(est), mp.exp(low), mp.exp(high)
        z0 = g(mp.mpf(0))
    return est, low, high, mp.erfc(abs(z0) / mp.sqrt(2))


SETS: dict[str, Strata] = {
    # Laud's SAS macro validation, example 1 (ratesci-sas tests/v_scoreci.sas)
    "ds1": ((25, 33, 4, 17), (34, 50, 17, 25), (28, 50, 15, 25), (52, 67, 22, 33)),
    # Gart and Nam (1988): small treatment arms, rare events
    "gart_nam": ((4, 16, 5, 79), (2, 16, 3, 87), (4, 18, 10, 90), (1, 15, 3, 82)),
    # Mehrotra and Railkar (2000), as in Tang (2020)
    "mehrotra": ((21, 464, 26, 453), (11, 165, 25, 174), (8, 69, 11, 70)),
    # a stratum without events, one with only events, one without treatment events
    "sparse": ((0, 5, 0, 6), (3, 4, 1, 5), (2, 2, 2, 2), (0, 3, 2, 4), (4, 6, 1, 7)),
}


def _close(got: float, want: mp.mpf, rtol: float = 1e-9) -> None:
    assert got == pytest.approx(float(want), rel=rtol, abs=1e-15)


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("name", sorted(SETS))
def test_matches_mpmath(name: str, measure: str, weights: str) -> None:
    est, low, high, p = kernel(SETS[name], measure, weights)
    ref = mp_interval(measure, weights, SETS[name])
    for got, want in zip((est, low, high, p), ref, strict=True):
        _close(got, want)


@pytest.mark.parametrize("level", [0.8, 0.99])
@pytest.mark.parametrize("measure", MEASURES)
def test_other_levels_match_mpmath(measure: str, level: float) -> None:
    for weights in WEIGHTS:
        got = kernel(SETS["gart_nam"], measure, weights, level)
        ref = mp_interval(measure, weights, SETS["gart_nam"], level)
        for g, w in zip(got, ref, strict=True):
            _close(g, w)


def test_without_bias_correction_matches_mpmath() -> None:
    for measure in MEASURES:
        got = kernel(SETS["ds1"], measure, "ivs", bias_correction=False)
        ref = mp_interval(measure, "ivs", SETS["ds1"], 0.95, False)
        for g, w in zip(got, ref, strict=True):
            _close(g, w)


# --- Published examples -------------------------------------------------------------------


def test_laud_sas_macro_example_1() -> None:
    # ratesci-sas jenner-check/t001_scoreci_stratified_rd/expected/output.txt: %SCORECI
    # (WEIGHT=1 i.e. MH, SKEW=FALSE, BCF=TRUE) EST 0.1142057102, L_BOUND 0.0007231903,
    # U_BOUND 0.2297652849, CHI2 3.8917660169, PVAL_2SIDED 0.0485233747. The macro stops its
    # bisection at CONVERGE=1E-10, so the agreement is to about 1e-9 (mpmath agrees with
    # rctkit to 1e-9 relative above).
    est, low, high, p = kernel(SETS["ds1"], "risk_difference", "mh")
    assert est == pytest.approx(0.1142057102, abs=1e-9)
    assert low == pytest.approx(0.0007231903, abs=1e-9)
    assert high == pytest.approx(0.2297652849, abs=1e-9)
    assert p == pytest.approx(0.0485233747, abs=1e-10)


def test_cisapride_hartung_knapp() -> None:
    # Laud 2017 Appendix B data (Hartung and Knapp); the stratified MN interval with MH
    # weights "to be (0.245286, 0.369981) to 6 dps" by ratesci::scoreci(skew = FALSE)
    # (ratesci-sas tests/v_scoreci.sas, example 2).
    x1 = (15, 12, 29, 42, 14, 44, 14, 29, 10, 17, 38, 19, 21)
    x2 = (9, 1, 18, 31, 6, 17, 7, 23, 3, 6, 12, 22, 19)
    n1 = (16, 16, 34, 56, 22, 54, 17, 58, 14, 26, 44, 29, 38)
    n2 = (16, 16, 34, 56, 22, 55, 15, 58, 15, 27, 45, 30, 38)
    strata = tuple(zip(x1, n1, x2, n2, strict=True))
    _, low, high, _ = kernel(strata, "risk_difference", "mh")
    assert round(low, 6) == 0.245286
    assert round(high, 6) == 0.369981


def test_lu_2008() -> None:
    # Lu K (2008), JSM Proceedings 3888-93: CMH-weighted MN interval (0.1963, 0.5381), as
    # reproduced by ratesci-sas tests/v_scoreci.sas example 3a.
    strata = ((3, 5, 1, 15), (4, 10, 3, 10), (18, 35, 2, 25))
    _, low, high, _ = kernel(strata, "risk_difference", "mh")
    assert (round(low, 4), round(high, 4)) == (0.1963, 0.5381)


MYELOMA: Strata = (
    (3, 4, 1, 3), (3, 4, 8, 11), (2, 2, 2, 3), (2, 2, 2, 2), (2, 2, 0, 3), (1, 3, 2, 3),
    (2, 2, 2, 3), (1, 5, 4, 4), (2, 2, 2, 3), (0, 2, 2, 3), (3, 3, 3, 3), (2, 2, 0, 2),
    (1, 4, 1, 5), (2, 3, 2, 4), (2, 4, 4, 6), (4, 12, 3, 9), (1, 2, 2, 3), (3, 3, 1, 4),
    (1, 4, 2, 3), (0, 3, 0, 2), (2, 4, 1, 5),
)  # fmt: skip


def test_klingenberg_myeloma() -> None:
    # Klingenberg (2014) myeloma data, 21 strata (ratesci-sas tests/v_scoreci.sas example
    # 3b), "match vs published MN interval (-0.010, 0.206)". The upper limit agrees; the
    # lower limit here is -0.0997 (-0.100 to 3 dp), which the mpmath reference confirms
    # (test_myeloma_matches_mpmath): the published "-0.010" reads as a transposed "-0.100".
    # The data include a stratum without events (0/3 vs 0/2) and two with only events,
    # which MH weighting keeps, as ratesci and the SAS macro do.
    _, low, high, _ = kernel(MYELOMA, "risk_difference", "mh")
    assert round(high, 3) == 0.206
    assert round(low, 3) == -0.100


def test_myeloma_matches_mpmath() -> None:
    got = kernel(MYELOMA, "risk_difference", "mh")
    for g, w in zip(got, mp_interval("risk_difference", "mh", MYELOMA), strict=True):
        _close(g, w)


def test_klingenberg_adverse_events() -> None:
    # Klingenberg (2014) adverse events, 17 strata, many without events (ratesci-sas
    # tests/v_scoreci.sas example 3c): published MN interval (-0.27%, 0.38%).
    strata = (
        (0, 432, 0, 142), (1, 375, 0, 125), (0, 80, 0, 40), (0, 248, 1, 84),
        (0, 50, 0, 24), (2, 251, 0, 85), (5, 605, 1, 209), (1, 466, 2, 231),
        (4, 525, 0, 175), (1, 80, 0, 40), (1, 375, 0, 124), (0, 189, 0, 59),
        (0, 55, 0, 27), (0, 110, 0, 56), (0, 85, 0, 85), (0, 170, 0, 85),
        (4, 1030, 1, 350),
    )  # fmt: skip
    _, low, high, _ = kernel(strata, "risk_difference", "mh")
    assert (round(100 * low, 2), round(100 * high, 2)) == (-0.27, 0.38)


def test_gart_nam_1988_risk_ratio() -> None:
    # Gart and Nam (1988) stratified risk ratio: (1.35, 5.03), which is Laud's %SCORECI with
    # WEIGHT=3 (inverse variance of Tang's score, no N/(N-1)) and SKEW=FALSE (ratesci-sas
    # tests/v_scoreci.sas): our "ivs" weights without the bias correction.
    _, low, high, _ = kernel(SETS["gart_nam"], "risk_ratio", "ivs", bias_correction=False)
    assert (round(low, 2), round(high, 2)) == (1.35, 5.03)


def test_gart_1985_odds_ratio() -> None:
    # Gart (1985) example 2 without continuity correction: ratesci gives (1.4156, 6.7747)
    # with INV weights, or_bias = FALSE, bcf = FALSE, skew = FALSE (ratesci-sas
    # tests/v_scoreci.sas); without N/(N-1) the INV and IVS weights coincide.
    _, low, high, _ = kernel(SETS["gart_nam"], "odds_ratio", "ivs", bias_correction=False)
    assert (round(low, 4), round(high, 4)) == (1.4156, 6.7747)


def test_tang_2020_risk_ratio() -> None:
    # Tang (2020) score with IVS weights, Mehrotra and Railkar's data: (0.4444, 0.9468)
    # (ratesci tests/testthat/test3.R: rr_tang = TRUE, skew = FALSE, bcf = FALSE).
    _, low, high, _ = kernel(SETS["mehrotra"], "risk_ratio", "ivs", bias_correction=False)
    assert (round(low, 4), round(high, 4)) == (0.4444, 0.9468)


# R 4.x, tests/reference/stratified_score.R: mantelhaen.test(correct = FALSE) p-values.
R_CMH = {
    "ds1": 0.048523374688984863,
    "gart_nam": 0.0039967314985085139,
    "mehrotra": 0.026306328208329233,
    "sparse": 0.13077578192080888,
}


@pytest.mark.parametrize("measure", ["risk_difference", "risk_ratio"])
@pytest.mark.parametrize("name", sorted(R_CMH))
def test_mh_weights_give_the_cmh_test(name: str, measure: str) -> None:
    _, _, _, p = kernel(SETS[name], measure, "mh")
    assert p == pytest.approx(R_CMH[name], rel=1e-12)


def test_mh_weights_give_the_mantel_haenszel_estimates() -> None:
    strata = [outcome(t) for t in SETS["gart_nam"]]
    for measure in ("risk_difference", "risk_ratio"):
        mn = rk.mantel_haenszel(strata, measure=measure, method="mn", weights="mh")
        mh = rk.mantel_haenszel(strata, measure=measure, method="mh")
        assert mn.estimate == pytest.approx(mh.estimate, rel=1e-13)


# --- One stratum: the single-table interval ---------------------------------------------------

SINGLE: list[Table] = [
    (56, 70, 48, 80),
    (5, 56, 0, 29),
    (0, 10, 0, 20),
    (10, 10, 0, 20),
    (0, 16, 15, 72),
    (3, 3, 4, 9),
    (7, 7, 9, 9),
    (2, 11, 5, 5),
    (64, 218, 83, 216),
    (1234, 5000, 40, 200),
]
SINGLE_TABLE = {
    "risk_difference": rk.risk_difference,
    "risk_ratio": rk.risk_ratio,
    "odds_ratio": rk.odds_ratio,
}


def _same(got: float, want: float) -> None:
    if np.isnan(want) or np.isinf(want):
        assert got == want or (np.isnan(got) and np.isnan(want))
    else:
        assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("table", SINGLE)
def test_one_stratum_is_the_single_table_interval(
    table: Table, measure: str, weights: str
) -> None:
    single = SINGLE_TABLE[measure](outcome(table), method="mn")
    got = rk.mantel_haenszel([outcome(table)], measure=measure, method="mn", weights=weights)
    assert got.method == f"mn-{weights}"
    _same(got.estimate, single.estimate)
    _same(got.ci.low, single.ci.low)
    _same(got.ci.high, single.ci.high)
    assert single.pvalue is not None and got.pvalue is not None
    _same(got.pvalue, single.pvalue)


@pytest.mark.parametrize("table", SINGLE)
def test_one_stratum_without_bias_correction_is_mee_and_koopman(table: Table) -> None:
    for measure, single in (
        ("risk_difference", rk.risk_difference(outcome(table), method="mee")),
        ("risk_ratio", rk.risk_ratio(outcome(table), method="koopman")),
    ):
        est, low, high, _ = kernel((table,), measure, "ivs", bias_correction=False)
        _same(est, single.estimate)
        _same(low, single.ci.low)
        _same(high, single.ci.high)


# --- Zero cells -----------------------------------------------------------------------------


def test_ivs_weights_leave_out_strata_without_events_or_with_only_events() -> None:
    base = SETS["ds1"]
    for extra in ((0, 7, 0, 9), (7, 7, 9, 9)):
        for measure in MEASURES:
            with_extra = kernel((*base, extra), measure, "ivs")
            assert with_extra == pytest.approx(kernel(base, measure, "ivs"), rel=1e-12)


def test_mh_weights_keep_informative_empty_margin_strata() -> None:
    base = SETS["ds1"]
    # No events: nothing for the ratios, information (a difference near 0) for the RD.
    none = (0, 7, 0, 9)
    for measure in ("risk_ratio", "odds_ratio"):
        assert kernel((*base, none), measure, "mh") == pytest.approx(
            kernel(base, measure, "mh"), rel=1e-12
        )
    assert (
        kernel((*base, none), "risk_difference", "mh")[0]
        < kernel(base, "risk_difference", "mh")[0]
    )
    # Only events: nothing for the odds ratio; the RD and RR are pulled towards no effect.
    full = (7, 7, 9, 9)
    assert kernel((*base, full), "odds_ratio", "mh") == pytest.approx(
        kernel(base, "odds_ratio", "mh"), rel=1e-12
    )
    strata = (*base, none, full)
    for measure in ("risk_difference", "risk_ratio"):
        for g, w in zip(
            kernel(strata, measure, "mh"), mp_interval(measure, "mh", strata), strict=True
        ):
            _close(g, w)


@pytest.mark.parametrize("weights", WEIGHTS)
def test_limits_at_the_ends(weights: str) -> None:
    # No treatment events anywhere: RR and OR estimate and lower limit 0.
    strata = ((0, 10, 3, 10), (0, 8, 1, 12), (0, 5, 0, 5))
    for measure in ("risk_ratio", "odds_ratio"):
        est, low, high, p = kernel(strata, measure, weights)
        assert (est, low) == (0.0, 0.0)
        assert 0.0 < high < np.inf and 0.0 < p < 1.0
    # No control events: infinite estimate and upper limit.
    swapped = tuple((c, n2, a, n1) for a, n1, c, n2 in strata)
    for measure in ("risk_ratio", "odds_ratio"):
        est, low, high, _ = kernel(swapped, measure, weights)
        assert (est, high) == (np.inf, np.inf)
        assert 0.0 < low < np.inf
    # The odds ratio is 0 also when every stratum has a = 0 or d = 0.
    est, low, high, _ = kernel(((0, 10, 3, 10), (4, 8, 12, 12)), "odds_ratio", weights)
    assert (est, low) == (0.0, 0.0) and np.isfinite(high)
    # Every stratum with risk difference -1: estimate and lower limit -1.
    est, low, high, _ = kernel(((0, 3, 4, 4), (0, 5, 2, 2)), "risk_difference", weights)
    assert (est, low) == (-1.0, -1.0) and -1.0 < high < 0.0


@pytest.mark.parametrize("weights", WEIGHTS)
def test_no_information(weights: str) -> None:
    for measure in ("risk_ratio", "odds_ratio"):
        est, low, high, p = kernel(((0, 10, 0, 20), (0, 5, 0, 5)), measure, weights)
        assert np.isnan(est) and (low, high, p) == (0.0, np.inf, 1.0)
    est, low, high, p = kernel(((3, 3, 4, 4), (0, 5, 0, 5)), "odds_ratio", weights)
    assert np.isnan(est) and (low, high, p) == (0.0, np.inf, 1.0)


def test_ivs_falls_back_to_mh_weights_when_every_stratum_is_left_out() -> None:
    strata = ((0, 10, 0, 20), (0, 5, 0, 5), (3, 3, 4, 4))
    for measure in ("risk_difference", "risk_ratio"):
        # (the estimate is then a root of the statistic rather than the closed form)
        got = kernel(strata, measure, "ivs")
        assert got == pytest.approx(kernel(strata, measure, "mh"), rel=1e-13, abs=1e-15)


# --- The public function ------------------------------------------------------------------


def test_mantel_haenszel_method_mn() -> None:
    strata = [outcome(t) for t in SETS["ds1"]]
    est = rk.mantel_haenszel(strata, measure="risk_difference", method="mn", weights="mh")
    assert est.method == "mn-mh"
    assert est.measure == "risk_difference"
    assert est.confidence_level == 0.95
    low, high = est.ci
    assert (est.estimate, low, high, est.pvalue) == kernel(SETS["ds1"], "risk_difference", "mh")
    default = rk.mantel_haenszel(strata, method="mn")
    assert default.method == "mn-ivs"
    assert default.measure == "odds_ratio"


def test_weights_are_validated() -> None:
    strata = [outcome(t) for t in SETS["ds1"]]
    with pytest.raises(rk.InvalidInputError, match='`weights` must be one of "ivs", "mh"'):
        rk.mantel_haenszel(strata, method="mn", weights="inv")
    with pytest.raises(rk.InvalidInputError, match="`method` must be one of"):
        rk.mantel_haenszel(strata, method="score")


def test_other_methods_are_unchanged_by_weights() -> None:
    strata = [outcome(t) for t in SETS["ds1"]]
    for method in ("mh", "exact"):
        assert rk.mantel_haenszel(strata, method=method, weights="mh") == rk.mantel_haenszel(
            strata, method=method
        )


def test_many_data_sets_at_once() -> None:
    rng = np.random.default_rng(20240611)
    n1 = rng.integers(1, 40, size=(60, 4))
    n2 = rng.integers(1, 40, size=(60, 4))
    a = rng.binomial(n1, 0.3)
    c = rng.binomial(n2, 0.4)
    for measure in MEASURES:
        for weights in WEIGHTS:
            res = stratified_score(a, n1, c, n2, 0.95, measure=measure, weights=weights)
            assert res.estimate.shape == (60,)
            for i in range(0, 60, 7):
                one = stratified_score(
                    a[i], n1[i], c[i], n2[i], 0.95, measure=measure, weights=weights
                )
                _equal(res, i, one)
    # Leading axes of any shape.
    res = stratified_score(
        a.reshape(3, 20, 4), n1.reshape(3, 20, 4), c.reshape(3, 20, 4), n2.reshape(3, 20, 4),
        0.9, measure="risk_ratio", weights="ivs",
    )  # fmt: skip
    flat = stratified_score(a, n1, c, n2, 0.9, measure="risk_ratio", weights="ivs")
    assert res.estimate.shape == (3, 20)
    np.testing.assert_array_equal(res.low.ravel(), flat.low)


def _equal(batch: Interval, i: int, one: Interval) -> None:
    assert batch.pvalue is not None and one.pvalue is not None
    for x, y in (
        (batch.estimate[i], one.estimate),
        (batch.low[i], one.low),
        (batch.high[i], one.high),
        (batch.pvalue[i], one.pvalue),
    ):
        np.testing.assert_array_equal(x, y)


# --- Properties ----------------------------------------------------------------------------

strata_lists = st.lists(outcomes(max_total=40), min_size=1, max_size=4)


def _tables(strata: list[rk.BinaryOutcome]) -> Strata:
    return tuple(s.as_tuple() for s in strata)


@settings(max_examples=60)
@given(strata_lists, st.sampled_from(MEASURES), st.sampled_from(WEIGHTS), confidence_levels)
def test_interval_contains_estimate_within_parameter_space(
    strata: list[rk.BinaryOutcome], measure: str, weights: str, level: float
) -> None:
    est, low, high, p = kernel(_tables(strata), measure, weights, level)
    assert 0.0 <= p <= 1.0
    lo_end, hi_end = (-1.0, 1.0) if measure == "risk_difference" else (0.0, np.inf)
    assert lo_end <= low <= high <= hi_end
    if not np.isnan(est):
        assert low <= est <= high


def _inverse(x: float) -> float:
    return np.inf if x == 0.0 else 1.0 / x


@settings(max_examples=60)
@given(strata_lists, st.sampled_from(MEASURES), st.sampled_from(WEIGHTS))
def test_swapping_arms_inverts(strata: list[rk.BinaryOutcome], measure: str, weights: str) -> None:
    tables = _tables(strata)
    est, low, high, p = kernel(tables, measure, weights)
    s_est, s_low, s_high, s_p = kernel(
        tuple((c, n2, a, n1) for a, n1, c, n2 in tables), measure, weights
    )
    if measure == "risk_difference":
        want = (-est, -high, -low)
    else:
        want = (_inverse(est), _inverse(high), _inverse(low))
    for got, w in zip((s_est, s_low, s_high), want, strict=True):
        if np.isnan(w) or np.isinf(w):
            assert got == w or (np.isnan(got) and np.isnan(w))
        else:
            assert got == pytest.approx(w, rel=1e-9, abs=1e-12)
    assert s_p == pytest.approx(p, rel=1e-9, abs=1e-15)


@settings(max_examples=60)
@given(strata_lists, st.sampled_from(MEASURES), st.sampled_from(WEIGHTS), confidence_levels)
def test_higher_level_gives_nested_interval(
    strata: list[rk.BinaryOutcome], measure: str, weights: str, level: float
) -> None:
    tables = _tables(strata)
    _, low, high, _ = kernel(tables, measure, weights, level)
    _, wide_low, wide_high, _ = kernel(tables, measure, weights, min(0.9995, level + 0.01))
    assert wide_low <= low and high <= wide_high


@settings(max_examples=60)
@given(strata_lists, st.sampled_from(MEASURES), st.sampled_from(WEIGHTS), st.randoms())
def test_order_of_strata_does_not_matter(
    strata: list[rk.BinaryOutcome], measure: str, weights: str, random: object
) -> None:
    tables = list(_tables(strata))
    shuffled = tables.copy()
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    got = kernel(tuple(shuffled), measure, weights)
    for g, w in zip(got, kernel(tuple(tables), measure, weights), strict=True):
        if np.isnan(w) or np.isinf(w):
            assert g == w or (np.isnan(g) and np.isnan(w))
        else:
            assert g == pytest.approx(w, rel=1e-9, abs=1e-12)


@settings(max_examples=25)
@given(st.lists(outcomes(max_total=40), min_size=2, max_size=5), st.sampled_from(WEIGHTS))
def test_batch_equals_scalar_exactly(strata: list[rk.BinaryOutcome], weights: str) -> None:
    # Two-stratum data sets made from consecutive outcomes, solved together and one by one.
    tables = np.array(_tables(strata), dtype=np.int64)
    pairs = np.stack([tables[:-1], tables[1:]], axis=1)  # (B, 2, 4)
    a, n1, c, n2 = (pairs[..., j] for j in range(4))
    for measure in MEASURES:
        batch = stratified_score(a, n1, c, n2, 0.95, measure=measure, weights=weights)
        for i in range(pairs.shape[0]):
            one = rk.mantel_haenszel(
                [outcome((t[0], t[1], t[2], t[3])) for t in pairs[i].tolist()],
                measure=measure,
                method="mn",
                weights=weights,
            )
            low, high = one.ci
            assert batch.pvalue is not None
            np.testing.assert_array_equal(
                [batch.estimate[i], batch.low[i], batch.high[i], batch.pvalue[i]],
                [one.estimate, low, high, one.pvalue],
            )


def exact_cmh_pvalue(tables: Strata) -> mp.mpf:
    """The CMH test without continuity correction, its statistic in exact rationals."""
    num, var = Fraction(0), Fraction(0)
    for a, n1, c, n2 in tables:
        n, m = n1 + n2, a + c
        if 0 < m < n:
            num += a - Fraction(n1 * m, n)
            var += Fraction(n1 * n2 * m * (n - m), n * n * (n - 1))
    if num == 0:
        return mp.mpf(1)
    chi2 = num * num / var
    return mp.erfc(mp.sqrt(mp.mpf(chi2.numerator) / chi2.denominator / 2))


@settings(max_examples=60)
@given(strata_lists)
def test_mh_weights_pvalue_is_the_cmh_test(strata: list[rk.BinaryOutcome]) -> None:
    # statsmodels' StratifiedTable.test_null_odds agrees only to about 1e-9 (it loses digits
    # in far tails), so the reference is the exact statistic.
    tables = _tables(strata)
    want = exact_cmh_pvalue(tables)
    for measure in ("risk_difference", "risk_ratio"):
        _close(kernel(tables, measure, "mh")[3], want)


@settings(max_examples=60)
@given(outcomes(max_total=200), st.sampled_from(MEASURES), confidence_levels)
def test_one_stratum_property(data: rk.BinaryOutcome, measure: str, level: float) -> None:
    # At 1e-10 rather than the 1e-12 of the fixed tables above: where a fitted risk is near
    # 1 the single-table odds-ratio fit takes 1 - p2 by subtraction and keeps only about 11
    # digits (test_single_table_odds_ratio_fit_near_one); this kernel keeps them all.
    single = SINGLE_TABLE[measure](data, method="mn", confidence_level=level)
    got = kernel((data.as_tuple(),), measure, "ivs", level)
    for g, w in zip(got[:3], (single.estimate, *single.ci), strict=True):
        if np.isnan(w) or np.isinf(w):
            assert g == w or (np.isnan(g) and np.isnan(w))
        else:
            assert g == pytest.approx(w, rel=1e-10, abs=1e-15)


def test_single_table_odds_ratio_fit_near_one() -> None:
    # d = 0 and m > n2: near the upper limit the control arm's fitted risk is within 1e-4 of
    # 1. mpmath (30 digits, the reference above) gives 0.000415266723736125833...; the
    # single-table kernel gives 0.000415266723735042 (2.6e-12 relative).
    t: Strata = ((18, 150, 150, 150),)
    q = mp.sqrt(2) * mp.erfinv(mp.mpf(0.5))
    root = _root(lambda x: mp_z("odds_ratio", "ivs", t, mp.exp(x)) + q, mp.mpf(-12), mp.mpf(-5))
    _close(kernel(t, "odds_ratio", "ivs", 0.5)[2], mp.exp(root), rtol=1e-14)

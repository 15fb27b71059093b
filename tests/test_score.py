"""Score intervals: Mee and Miettinen-Nurminen (risk difference), Koopman and
Miettinen-Nurminen (risk ratio), Miettinen-Nurminen (odds ratio).

References, each named beside its numbers: an independent mpmath implementation at 40 digits
(below), an independent base-R implementation (tests/reference/score_intervals.R), Newcombe
(1998) Table II, Fagerland, Lydersen and Laake's examples, Koopman (1984), and statsmodels
where its code is right.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import score
from rctkit.results import BatchEstimate
from tests.strategies import confidence_levels, outcomes

Table = tuple[int, int, int, int]

RD_METHODS = ("mee", "mn")
RR_METHODS = ("koopman", "mn")
OR_METHODS = ("mn",)
ALL_METHODS = (
    [("risk_difference", m) for m in RD_METHODS]
    + [("risk_ratio", m) for m in RR_METHODS]
    + [("odds_ratio", m) for m in OR_METHODS]
)
FUNCTIONS: dict[str, Callable[..., rk.Estimate]] = {
    "risk_difference": rk.risk_difference,
    "risk_ratio": rk.risk_ratio,
    "odds_ratio": rk.odds_ratio,
}
BATCH: dict[str, Callable[..., BatchEstimate]] = {
    "risk_difference": rkb.risk_difference,
    "risk_ratio": rkb.risk_ratio,
    "odds_ratio": rkb.odds_ratio,
}


def outcome(a: int, n1: int, c: int, n2: int) -> rk.BinaryOutcome:
    return rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))


def estimate(
    measure: str, method: str, table: Table, confidence_level: float = 0.95
) -> rk.Estimate:
    return FUNCTIONS[measure](outcome(*table), method=method, confidence_level=confidence_level)


# --- An independent reference in mpmath -------------------------------------------------------
#
# Written from the definitions, not from rctkit's formulas: the nuisance parameter is fitted
# under each candidate effect by solving the restricted likelihood equation numerically (no
# cubic, no quadratic), and each limit is a root of z(effect) -+ z_{0.975} found by mpmath's
# bracketing solver, at 40 significant digits.

MP_DPS = 40  # mpmath digits for every test here (set by tests/conftest.py)
EPS = mp.mpf(10) ** -33  # inside the nuisance parameter's range
EDGE = mp.mpf(10) ** -20  # inside the effect's range


def _term(x: int, p: mp.mpf) -> mp.mpf:
    """``x / p``, taken as 0 when the count is 0 (its term is absent from the likelihood)."""
    return mp.mpf(0) if x == 0 else x / p


def _root(fn: Callable[[mp.mpf], mp.mpf], lo: mp.mpf, hi: mp.mpf) -> mp.mpf:
    """A root of ``fn`` in the bracket (lo, hi): 20 bisections, then Anderson-Bjorck."""
    f_lo = fn(lo)
    for _ in range(20):
        mid = (lo + hi) / 2
        f_mid = fn(mid)
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return mp.findroot(fn, (lo, hi), solver="anderson", verify=False)


def _maximise(score_fn: Callable[[mp.mpf], mp.mpf], lo: mp.mpf, hi: mp.mpf) -> mp.mpf:
    """The maximiser over (lo, hi) of a concave log likelihood whose derivative is score_fn."""
    if score_fn(lo + EPS) <= 0:
        return lo
    if score_fn(hi - EPS) >= 0:
        return hi
    return _root(score_fn, lo + EPS, hi - EPS)


def mp_fit(measure: str, table: Table, theta: mp.mpf) -> tuple[mp.mpf, mp.mpf]:
    """Restricted MLEs ``(p1, p2)`` under effect ``theta``."""
    a, n1, c, n2 = table
    b, d = n1 - a, n2 - c
    if measure == "risk_difference":

        def s_rd(p2: mp.mpf) -> mp.mpf:
            p1 = p2 + theta
            return _term(a, p1) - _term(b, 1 - p1) + _term(c, p2) - _term(d, 1 - p2)

        p2 = _maximise(s_rd, max(mp.mpf(0), -theta), min(mp.mpf(1), 1 - theta))
        return p2 + theta, p2
    if measure == "risk_ratio":

        def s_rr(p2: mp.mpf) -> mp.mpf:
            return _term(a + c, p2) - _term(b, 1 / theta - p2) - _term(d, 1 - p2)

        p2 = _maximise(s_rr, mp.mpf(0), min(mp.mpf(1), 1 / theta))
        return theta * p2, p2

    # Odds ratio, in the control arm's log odds: the fit keeps the events.
    def s_or(lam: mp.mpf) -> mp.mpf:
        return a + c - n1 / (1 + mp.exp(-lam - mp.log(theta))) - n2 / (1 + mp.exp(-lam))

    lam = _root(s_or, mp.mpf(-80), mp.mpf(80))
    return 1 / (1 + mp.exp(-lam - mp.log(theta))), 1 / (1 + mp.exp(-lam))


def mp_z(measure: str, method: str, table: Table, theta: mp.mpf) -> mp.mpf:
    """The signed score statistic at ``theta`` (observed minus fitted, over its sd)."""
    a, n1, c, n2 = table
    n = n1 + n2
    k = mp.mpf(n) / (n - 1) if method == "mn" else mp.mpf(1)
    p1, p2 = mp_fit(measure, table, theta)
    if measure == "risk_difference":
        num = mp.mpf(a) / n1 - mp.mpf(c) / n2 - theta
        var = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    elif measure == "risk_ratio":
        num = mp.mpf(a) / n1 - theta * mp.mpf(c) / n2
        var = p1 * (1 - p1) / n1 + theta**2 * p2 * (1 - p2) / n2
    else:
        num = a - n1 * p1
        var = 1 / (1 / (n1 * p1 * (1 - p1)) + 1 / (n2 * p2 * (1 - p2)))
    return num / mp.sqrt(k * var)


def mp_interval(
    measure: str, method: str, table: Table, level: float = 0.95
) -> tuple[mp.mpf, mp.mpf]:
    """The score interval, by bracketing roots of ``z -+ q`` at 40 digits."""
    a, n1, c, n2 = table
    q = mp.sqrt(2) * mp.erfinv(mp.mpf(level))
    if measure == "risk_difference":
        est = mp.mpf(a) / n1 - mp.mpf(c) / n2

        def f(x: mp.mpf) -> mp.mpf:
            return mp_z(measure, method, table, x)

        low = mp.mpf(-1)
        if est > -1:
            low = _root(lambda x: f(x) - q, -1 + EDGE, est - EDGE)
        high = mp.mpf(1)
        if est < 1:
            high = _root(lambda x: f(x) + q, est + EDGE, 1 - EDGE)
        return low, high

    def g(t: mp.mpf) -> mp.mpf:
        return mp_z(measure, method, table, mp.exp(t))

    b, d = n1 - a, n2 - c
    zero = a == 0 or (measure == "odds_ratio" and d == 0)
    infinite = c == 0 or (measure == "odds_ratio" and b == 0)
    if zero:
        centre = mp.mpf(-40)
    elif infinite:
        centre = mp.mpf(40)
    elif measure == "risk_ratio":
        centre = mp.log((mp.mpf(a) / n1) / (mp.mpf(c) / n2))
    else:
        centre = mp.log(mp.mpf(a * d) / (b * c))
    low = mp.mpf(0)
    if not zero:
        t = centre - 1
        while g(t) < q:
            t -= 1
        low = mp.exp(_root(lambda x: g(x) - q, t, centre - EDGE))
    high = mp.inf
    if not infinite:
        t = centre + 1
        while g(t) > -q:
            t += 1
        high = mp.exp(_root(lambda x: g(x) + q, centre + EDGE, t))
    return low, high


def mp_pvalue(method: str, table: Table) -> mp.mpf:
    """Two-sided p-value of the score test at no effect (a risk difference of 0)."""
    z = mp_z("risk_difference", method, table, mp.mpf(0))
    return mp.erfc(abs(z) / mp.sqrt(2))


# Tables for the mpmath comparison: Newcombe's (1998) eight examples, Fagerland et al.'s,
# Koopman's, the CORE trial, larger and lopsided tables, and one of each zero-cell pattern.
MP_TABLES: list[Table] = [
    (56, 70, 48, 80),
    (9, 10, 3, 10),
    (6, 7, 2, 7),
    (5, 56, 0, 29),
    (0, 10, 0, 20),
    (10, 10, 0, 20),
    (7, 34, 1, 34),
    (0, 16, 15, 72),
    (9, 13, 4, 14),
    (36, 40, 16, 80),
    (64, 218, 83, 216),
    (1, 1000, 0, 1000),
    (1234, 5000, 40, 200),
    (3, 3, 4, 9),
    (2, 11, 5, 5),
    (7, 7, 9, 9),
]


def _defined(measure: str, table: Table) -> bool:
    a, n1, c, n2 = table
    if measure == "risk_ratio":
        return a + c > 0
    if measure == "odds_ratio":
        return 0 < a + c < n1 + n2
    return True


@pytest.mark.parametrize(
    ("measure", "method", "table"),
    # Tables where the measure is undefined are covered by the zero-cell tests.
    [(m, k, t) for m, k in ALL_METHODS for t in MP_TABLES if _defined(m, t)],
)
def test_limits_match_mpmath(measure: str, method: str, table: Table) -> None:
    est = estimate(measure, method, table)
    low, high = mp_interval(measure, method, table)  # mpmath, 40 digits, independent code
    for got, want in ((est.ci.low, low), (est.ci.high, high)):
        if want in (0, mp.inf, -1, 1):
            assert got == float(want)
        else:
            assert got == pytest.approx(float(want), rel=1e-9)


# Issue 10: extreme tables (a huge arm against a tiny one, rare events in 1e9) where the
# restricted risk-difference fit lost relative precision (p2 = p1 - delta cancels, and the
# cubic's two nearby roots left it off by up to 1e-8): the MN limit of 0/802812 vs 0/1 was
# off by 2.5e-7 relative and that of 0/1e9 vs 0/1 by 15%.
EXTREME_TABLES: list[Table] = [
    (0, 802812, 0, 1),
    (0, 1, 0, 802812),
    (5, 802812, 0, 1),
    (1, 802812, 0, 3),
    (0, 10**6, 0, 2),
    (0, 10**9, 0, 1),
    (2, 10**9, 1, 7),
    (10**9 - 1, 10**9, 0, 1),
    (0, 10**6, 3, 5),
    (1, 10**8, 1, 10**8),
    (7, 13, 10**6 - 2, 10**6),
    (1, 2, 999, 10**9),
    # Nearly only events in unequal huge arms: the risk-ratio limits came out inverted
    # (1.0000000250 to 0.9999999802), the fit's 1 - p and p1 - rr p2 cancelling.
    (549_755_813_738, 549_755_813_888, 999_999_965, 10**9),
    (999_999_965, 10**9, 549_755_813_738, 549_755_813_888),
    (10**12 - 150, 10**12, 10**12 - 35, 10**12),
]


def _assert_limits_match(est: rk.Estimate, low: mp.mpf, high: mp.mpf) -> None:
    for got, want in ((est.ci.low, low), (est.ci.high, high)):
        if want in (0, mp.inf, -1, 1):
            assert got == float(want)
        else:
            assert got == pytest.approx(float(want), rel=1e-9)


@pytest.mark.parametrize(
    ("measure", "method", "table"),
    [(m, k, t) for m, k in ALL_METHODS for t in EXTREME_TABLES if _defined(m, t)],
)
def test_extreme_tables_match_mpmath(measure: str, method: str, table: Table) -> None:
    est = estimate(measure, method, table)
    _assert_limits_match(est, *mp_interval(measure, method, table))  # mpmath, 40 digits


def test_no_events_closed_form() -> None:
    """0/n1 vs 0/n2: the restricted fit is p2 = 0, p1 = delta, so the MN upper limit of the
    difference solves n1 delta / (k (1 - delta)) = z^2: delta = k z^2 / (n1 + k z^2) with
    k = N / (N - 1) (closed form, evaluated in mpmath)."""
    z = mp.sqrt(2) * mp.erfinv(mp.mpf("0.95"))
    for n1, n2 in ((802812, 1), (10**9, 1), (10**12, 1), (10**12, 10**12), (3, 10**12)):
        k = mp.mpf(n1 + n2) / (n1 + n2 - 1)
        want = k * z**2 / (n1 + k * z**2)
        got = rkb.risk_difference(0, n1, 0, n2, method="mn").high
        assert float(got) == pytest.approx(float(want), rel=1e-12)


@st.composite
def _lopsided_tables(draw: st.DrawFn) -> Table:
    big = draw(st.integers(10**5, 10**10))
    small = draw(st.integers(1, 50))
    a = draw(st.integers(0, min(big, 20)) | st.integers(big - 20, big).filter(lambda x: x >= 0))
    c = draw(st.integers(0, small))
    if draw(st.booleans()):
        return c, small, a, big
    return a, big, c, small


@settings(max_examples=20, derandomize=True, deadline=None)
@given(_lopsided_tables(), st.sampled_from(ALL_METHODS))
def test_lopsided_tables_match_mpmath(table: Table, measure_method: tuple[str, str]) -> None:
    measure, method = measure_method
    if not _defined(measure, table):
        return
    est = estimate(measure, method, table)
    _assert_limits_match(est, *mp_interval(measure, method, table))  # mpmath, 40 digits


@st.composite
def _huge_tables(draw: st.DrawFn) -> Table:
    """Arms from 1e9 to MAX_COUNT (issue 10), with few, half or nearly all events."""
    table = []
    for _ in range(2):
        total = draw(st.sampled_from([10**9, rk.MAX_COUNT]) | st.integers(10**9, rk.MAX_COUNT))
        few = draw(st.integers(0, 3000))
        events = draw(st.sampled_from([few, total // 2 - few, total - few]))
        table += [events, total]
    return table[0], table[1], table[2], table[3]


@settings(max_examples=30, derandomize=True, deadline=None)
@given(_huge_tables(), st.sampled_from(ALL_METHODS))
def test_huge_tables_match_mpmath(table: Table, measure_method: tuple[str, str]) -> None:
    measure, method = measure_method
    if not _defined(measure, table):
        return
    est = estimate(measure, method, table)
    _assert_limits_match(est, *mp_interval(measure, method, table))  # mpmath, 40 digits
    # The score test at no effect: its ad - bc cancels in products near 1e24 (was off by
    # up to 1e8 in float64, 2.5e-5 of the statistic).
    a, n1, c, n2 = table
    if 0 < a + c < n1 + n2:  # otherwise 0/0, taken as p = 1 (test_risk_difference_zero_cells)
        k_method = "mn" if method == "mn" else "mee"
        assert est.pvalue == pytest.approx(float(mp_pvalue(k_method, table)), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("level", [0.5, 0.999])
@pytest.mark.parametrize(("measure", "method"), ALL_METHODS)
def test_other_levels_match_mpmath(measure: str, method: str, level: float) -> None:
    table = (9, 13, 4, 14)
    est = estimate(measure, method, table, level)
    low, high = mp_interval(measure, method, table, level)  # mpmath, 40 digits
    assert est.ci.low == pytest.approx(float(low), rel=1e-9)
    assert est.ci.high == pytest.approx(float(high), rel=1e-9)


@pytest.mark.parametrize(("measure", "method"), ALL_METHODS)
@pytest.mark.parametrize("table", [(56, 70, 48, 80), (5, 56, 0, 29), (3, 3, 4, 9)])
def test_pvalue_is_the_score_test_at_no_effect(measure: str, method: str, table: Table) -> None:
    est = estimate(measure, method, table)
    assert est.pvalue == pytest.approx(float(mp_pvalue(method, table)), rel=1e-9)  # mpmath


def test_pvalue_is_pearson_chi2_for_mee_and_koopman() -> None:
    # scipy's Pearson chi-squared test without continuity correction.
    table = np.array([[56, 14], [48, 32]])
    pearson = stats.chi2_contingency(table, correction=False).pvalue
    assert estimate("risk_difference", "mee", (56, 70, 48, 80)).pvalue == pytest.approx(
        pearson, rel=1e-12
    )
    assert estimate("risk_ratio", "koopman", (56, 70, 48, 80)).pvalue == pytest.approx(
        pearson, rel=1e-12
    )
    # Miettinen-Nurminen: the "N - 1" chi-squared, Pearson's statistic times (N - 1) / N.
    stat = stats.chi2_contingency(table, correction=False).statistic * 149 / 150
    for measure in ("risk_difference", "risk_ratio", "odds_ratio"):
        assert estimate(measure, "mn", (56, 70, 48, 80)).pvalue == pytest.approx(
            stats.chi2.sf(stat, 1), rel=1e-12
        )


# --- Published values ---------------------------------------------------------------------

# Newcombe RG (1998) Stat Med 17:873-890, Table II: 95% intervals for the eight examples, the
# Mee and the Miettinen-Nurminen columns, to 4 decimals, as transcribed in the test suites of
# the cicalc R package (examples a, b, g) and of the mergeron Python package (all eight).
NEWCOMBE_TABLE_II: list[tuple[Table, tuple[float, float], tuple[float, float]]] = [
    # table, Mee, Miettinen-Nurminen
    ((56, 70, 48, 80), (0.0533, 0.3377), (0.0528, 0.3382)),  # example (a)
    ((9, 10, 3, 10), (0.1821, 0.8370), (0.1700, 0.8406)),  # example (b)
    ((6, 7, 2, 7), (0.0544, 0.8478), (0.0342, 0.8534)),  # example (c)
    ((5, 56, 0, 29), (-0.0313, 0.1926), (-0.0326, 0.1933)),  # example (d)
    ((0, 10, 0, 20), (-0.1611, 0.2775), (-0.1658, 0.2844)),  # example (e)
    ((0, 10, 0, 10), (-0.2775, 0.2775), (-0.2879, 0.2879)),  # example (f)
    ((10, 10, 0, 20), (0.7225, 1.0000), (0.7156, 1.0000)),  # example (g)
    ((10, 10, 0, 10), (0.6777, 1.0000), (0.6636, 1.0000)),  # example (h)
]


@pytest.mark.parametrize(("table", "mee", "mn"), NEWCOMBE_TABLE_II)
def test_newcombe_1998_table_ii(
    table: Table, mee: tuple[float, float], mn: tuple[float, float]
) -> None:
    for method, published in (("mee", mee), ("mn", mn)):
        est = estimate("risk_difference", method, table)
        assert round(est.ci.low, 4) == published[0]
        assert round(est.ci.high, 4) == published[1]


def test_statsmodels_mn_risk_difference_is_off() -> None:
    # statsmodels (0.14.x and 0.15) has a wrong linear coefficient in the cubic for the
    # restricted MLE of the risk difference (count0 where nobs0 belongs; statsmodels issue
    # #10269), so its score interval is wrong whenever the null difference is not 0. On
    # Newcombe's example (a), 56/70 vs 48/80:
    #   confint_proportions_2indep(56, 70, 48, 80, method="score", compare="diff",
    #                              correction=True)  -> (0.052552, 0.344039)
    #   correction=False (Mee)                        -> (0.053051, 0.343572)
    # against Newcombe's Table II (0.0528, 0.3382) and (0.0533, 0.3377), which rctkit, R
    # (tests/reference/score_intervals.R) and mpmath agree on (above).
    from statsmodels.stats.proportion import confint_proportions_2indep

    for correction, method, published in ((True, "mn", 0.3382), (False, "mee", 0.3377)):
        _, sm_high = confint_proportions_2indep(
            56, 70, 48, 80, method="score", compare="diff", correction=correction
        )
        ours = estimate("risk_difference", method, (56, 70, 48, 80))
        assert round(ours.ci.high, 4) == published
        assert abs(sm_high - ours.ci.high) > 5e-3  # statsmodels' upper limit is off


# Fagerland MW, Lydersen S, Laake P (2015) Stat Methods Med Res 24:224-254, examples: the
# epinephrine trial (Perondi et al. 2004), 7/34 vs 1/34, and the CHRNA4 genotype and XFS study
# (Ritland et al. 2007), 0/16 vs 15/72; and, for the odds ratio, the table 9/13 vs 4/14. The
# values as printed by the authors' R package contingencytables (companion to their 2017 book
# Statistical Analysis of Contingency Tables), in its tests/testthat/test-ch4.R.
FAGERLAND: list[tuple[str, str, Table, float, float]] = [
    ("risk_difference", "mee", (7, 34, 1, 34), 0.0284, 0.3439),
    ("risk_difference", "mn", (0, 16, 15, 72), -0.3164, -0.0056),
    ("risk_ratio", "koopman", (7, 34, 1, 34), 1.2209, 42.5757),
    ("risk_ratio", "mn", (7, 34, 1, 34), 1.2086, 43.0330),
    ("odds_ratio", "mn", (9, 13, 4, 14), 1.0934, 28.9419),
]


@pytest.mark.parametrize(("measure", "method", "table", "low", "high"), FAGERLAND)
def test_fagerland_lydersen_laake(
    measure: str, method: str, table: Table, low: float, high: float
) -> None:
    est = estimate(measure, method, table)
    assert round(est.ci.low, 4) == low
    assert round(est.ci.high, 4) == high


def test_koopman_1984_example() -> None:
    # Koopman PAR (1984) Biometrics 40:513-517: 36/40 vs 16/80, 95% interval about 2.94 to
    # 7.15 for the ratio 4.5. R (tests/reference/score_intervals.R): 2.93956919221499,
    # 7.15222343486603.
    est = estimate("risk_ratio", "koopman", (36, 40, 16, 80))
    assert est.estimate == 4.5
    assert (round(est.ci.low, 2), round(est.ci.high, 2)) == (2.94, 7.15)
    assert est.ci.low == pytest.approx(2.93956919221499, rel=1e-9)
    assert est.ci.high == pytest.approx(7.15222343486603, rel=1e-9)


# Base R, tests/reference/score_intervals.R (independent code: uniroot on the restricted
# likelihood equation and on z -+ q): (table, measure, method, low, high).
R_VALUES: list[tuple[Table, str, str, float, float]] = [
    ((56, 70, 48, 80), "risk_difference", "mee", 0.0533338492913252, 0.337729463741141),
    ((56, 70, 48, 80), "risk_difference", "mn", 0.0528297132458447, 0.338172940015868),
    ((56, 70, 48, 80), "risk_ratio", "koopman", 1.0798215063619, 1.67080557801911),
    ((56, 70, 48, 80), "risk_ratio", "mn", 1.07904711953443, 1.67214535908977),
    ((56, 70, 48, 80), "odds_ratio", "mn", 1.28157319326298, 5.5402022221907),
    ((9, 10, 3, 10), "risk_ratio", "mn", 1.32795657348352, 8.69191494901729),
    ((9, 10, 3, 10), "odds_ratio", "mn", 2.02158884835542, 189.621819705883),
    ((7, 34, 1, 34), "risk_difference", "mn", 0.0270416265834468, 0.345291216966224),
    ((7, 34, 1, 34), "odds_ratio", "mn", 1.24662236024517, 56.461575545387),
    ((0, 16, 15, 72), "risk_difference", "mee", -0.315692634193593, -0.00744550819480786),
    ((0, 16, 15, 72), "risk_ratio", "koopman", 0.0, 0.961902051007947),
    ((0, 16, 15, 72), "risk_ratio", "mn", 0.0, 0.971450732451195),
    ((0, 16, 15, 72), "odds_ratio", "mn", 0.0, 0.964888399039285),
    ((64, 218, 83, 216), "risk_difference", "mee", -0.178544743911592, -0.0016314548769772),
    ((64, 218, 83, 216), "risk_ratio", "koopman", 0.584623698107188, 0.995215130897235),
    ((64, 218, 83, 216), "odds_ratio", "mn", 0.446514536971415, 0.993212925222688),
    ((3, 5, 5, 5), "risk_ratio", "koopman", 0.230724281276013, 1.21463341131106),
    ((3, 5, 5, 5), "risk_ratio", "mn", 0.218318009337387, 1.28292601256784),
    ((3, 5, 5, 5), "odds_ratio", "mn", 0.0, 1.97878993764935),
    ((5, 10, 10, 10), "risk_ratio", "koopman", 0.236593090512564, 0.78810941155206),
    ((0, 10, 4, 25), "risk_difference", "mn", -0.349655063836309, 0.137946923179719),
    ((0, 10, 4, 25), "risk_ratio", "mn", 0.0, 2.04678513629151),
]


@pytest.mark.parametrize(("table", "measure", "method", "low", "high"), R_VALUES)
def test_matches_r(table: Table, measure: str, method: str, low: float, high: float) -> None:
    est = estimate(measure, method, table)
    assert est.ci.low == pytest.approx(low, rel=1e-9, abs=0.0)
    assert est.ci.high == pytest.approx(high, rel=1e-9)


# --- statsmodels, where it is right --------------------------------------------------------


@pytest.mark.parametrize("table", [(56, 70, 48, 80), (7, 34, 1, 34), (36, 40, 16, 80)])
def test_ratio_and_odds_ratio_match_statsmodels(table: Table) -> None:
    # statsmodels' risk-ratio score interval (Nam's cubic through numpy.roots) is right when
    # every arm has non-events, to about 1e-10; its odds-ratio interval (brentq) likewise.
    from statsmodels.stats.proportion import confint_proportions_2indep

    for compare, measure, method, correction in (
        ("ratio", "risk_ratio", "koopman", False),
        ("ratio", "risk_ratio", "mn", True),
        ("odds-ratio", "odds_ratio", "mn", True),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels' own 0/0 on the way
            sm_low, sm_high = confint_proportions_2indep(
                *table, method="score", compare=compare, correction=correction
            )
        est = estimate(measure, method, table)
        assert est.ci.low == pytest.approx(float(sm_low), rel=1e-8)
        assert est.ci.high == pytest.approx(float(sm_high), rel=1e-8)


def test_statsmodels_risk_ratio_breaks_when_an_arm_has_only_events() -> None:
    # With every control participant an event (5/10 vs 10/10) statsmodels returns
    # (0.7500, 0.7881) for an estimate of 0.5, an interval that misses its own estimate, and
    # with every participant an event (10/10 vs 10/10) complex numbers: the fitted control
    # risk sits on the boundary p2 = 1 there, which Nam's cubic does not see. rctkit works the
    # boundary out (Wilson's statistic in the treatment arm) and agrees with mpmath and R
    # (0.236593090512564, 0.78810941155206).
    from statsmodels.stats.proportion import confint_proportions_2indep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm_low, sm_high = confint_proportions_2indep(
            5, 10, 10, 10, method="score", compare="ratio", correction=False
        )
    assert not sm_low <= 0.5 <= sm_high  # statsmodels' interval misses the estimate
    est = estimate("risk_ratio", "koopman", (5, 10, 10, 10))
    low, high = mp_interval("risk_ratio", "koopman", (5, 10, 10, 10))  # mpmath
    assert est.ci.low == pytest.approx(float(low), rel=1e-9)
    assert est.ci.high == pytest.approx(float(high), rel=1e-9)
    assert est.ci.low < 0.5 < est.ci.high


# --- Zero cells ---------------------------------------------------------------------------


def _q2(method: str, n: int, level: float = 0.95) -> float:
    """The squared quantile, times N / (N - 1) for Miettinen-Nurminen."""
    q = float(stats.norm.ppf(0.5 + level / 2))
    return q * q * (n / (n - 1) if method == "mn" else 1.0)


@pytest.mark.parametrize("method", RD_METHODS)
def test_risk_difference_zero_cells(method: str) -> None:
    # No events in either arm: estimate 0, limits -q2/(n2 + q2) and q2/(n1 + q2), p = 1.
    est = estimate("risk_difference", method, (0, 10, 0, 20))
    q2 = _q2(method, 30)
    assert est.estimate == 0.0
    assert est.ci.low == pytest.approx(-q2 / (20 + q2), rel=1e-12)
    assert est.ci.high == pytest.approx(q2 / (10 + q2), rel=1e-12)
    assert est.pvalue == 1.0
    # Every participant an event: the same, the arms' sizes swapped.
    est = estimate("risk_difference", method, (10, 10, 20, 20))
    assert est.ci.low == pytest.approx(-q2 / (10 + q2), rel=1e-12)
    assert est.ci.high == pytest.approx(q2 / (20 + q2), rel=1e-12)
    assert est.pvalue == 1.0
    # All events in one arm, none in the other: the estimate is its own limit.
    est = estimate("risk_difference", method, (10, 10, 0, 20))
    assert (est.estimate, est.ci.high) == (1.0, 1.0)
    est = estimate("risk_difference", method, (0, 10, 20, 20))
    assert (est.estimate, est.ci.low) == (-1.0, -1.0)
    # No events in one arm only: ordinary limits (checked against mpmath above).
    est = estimate("risk_difference", method, (0, 10, 4, 25))
    assert -1.0 < est.ci.low < est.estimate < est.ci.high < 1.0


@pytest.mark.parametrize("method", RR_METHODS)
def test_risk_ratio_zero_cells(method: str) -> None:
    # No treatment events: estimate 0, lower limit 0, finite upper; no control events: the
    # mirror image.
    est = estimate("risk_ratio", method, (0, 10, 4, 25))
    assert (est.estimate, est.ci.low) == (0.0, 0.0)
    assert 0.0 < est.ci.high < np.inf
    est = estimate("risk_ratio", method, (4, 25, 0, 10))
    assert (est.estimate, est.ci.high) == (np.inf, np.inf)
    assert 0.0 < est.ci.low < np.inf
    # No events anywhere: the ratio is undefined, no value is rejected, p = 1.
    est = estimate("risk_ratio", method, (0, 10, 0, 20))
    assert math.isnan(est.estimate)
    assert (est.ci.low, est.ci.high, est.pvalue) == (0.0, np.inf, 1.0)
    # Every participant an event: estimate 1 and limits n1/(n1 + q2), 1 + q2/n2.
    est = estimate("risk_ratio", method, (10, 10, 20, 20))
    q2 = _q2(method, 30)
    assert est.estimate == 1.0
    assert est.ci.low == pytest.approx(10 / (10 + q2), rel=1e-12)
    assert est.ci.high == pytest.approx(1 + q2 / 20, rel=1e-12)
    assert est.pvalue == 1.0


@pytest.mark.parametrize(
    "table", [(10, 10, 5, 10), (5, 10, 10, 10), (12, 12, 43, 51), (8, 11, 56, 56), (1, 1, 49, 50)]
)
@pytest.mark.parametrize("method", RR_METHODS)
def test_risk_ratio_with_only_events_in_one_arm_matches_mpmath(method: str, table: Table) -> None:
    # The fitted risk of the all-event arm sits on the boundary (p = 1) over part of the
    # range; the closed form handles both regimes.
    est = estimate("risk_ratio", method, table)
    low, high = mp_interval("risk_ratio", method, table)  # mpmath, 40 digits
    assert est.ci.low == pytest.approx(float(low), rel=1e-9)
    assert est.ci.high == pytest.approx(float(high), rel=1e-9)


@pytest.mark.parametrize(
    "table", [(966, 986, 2, 2169), (5, 2842, 1122, 1644), (0, 1974, 1342, 1872)]
)
def test_risk_ratio_falls_back_to_the_solver_where_the_cubic_is_ill_conditioned(
    table: Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lopsided tables where Nam's cubic loses digits: the Newton correction is not tiny, and
    # the limit is solved for by iteration instead.
    calls: list[int] = []
    solve = score._log_ratio_limits

    def counting(*args: object) -> tuple[np.ndarray, np.ndarray]:
        calls.append(1)
        return solve(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(score, "_log_ratio_limits", counting)
    est = estimate("risk_ratio", "koopman", table)
    assert calls
    low, high = mp_interval("risk_ratio", "koopman", table)  # mpmath, 40 digits
    assert est.ci.low == (0.0 if low == 0 else pytest.approx(float(low), rel=1e-9))
    assert est.ci.high == pytest.approx(float(high), rel=1e-9)


def test_odds_ratio_zero_cells() -> None:
    for table in ((0, 10, 4, 25), (3, 5, 5, 5)):  # a = 0, or d = 0: estimate 0
        est = estimate("odds_ratio", "mn", table)
        assert (est.estimate, est.ci.low) == (0.0, 0.0)
        assert 0.0 < est.ci.high < np.inf
    for table in ((4, 25, 0, 10), (5, 5, 3, 5)):  # c = 0, or b = 0: estimate infinite
        est = estimate("odds_ratio", "mn", table)
        assert (est.estimate, est.ci.high) == (np.inf, np.inf)
        assert 0.0 < est.ci.low < np.inf
    for table in ((0, 10, 0, 20), (10, 10, 20, 20)):  # undefined: no information on it
        est = estimate("odds_ratio", "mn", table)
        assert math.isnan(est.estimate)
        assert (est.ci.low, est.ci.high, est.pvalue) == (0.0, np.inf, 1.0)


def test_zero_cells_give_no_warning() -> None:
    # filterwarnings = error: a warning would fail this test.
    for table in ((0, 10, 0, 20), (10, 10, 20, 20), (0, 10, 20, 20), (10, 10, 0, 5)):
        for measure, method in ALL_METHODS:
            estimate(measure, method, table)


# --- Properties ---------------------------------------------------------------------------


def _inverse(x: float) -> float:
    return math.inf if x == 0.0 else 1.0 / x


@given(outcomes(max_total=300), confidence_levels)
def test_swapping_arms_inverts(data: rk.BinaryOutcome, level: float) -> None:
    swapped = rk.BinaryOutcome(name="swapped", treatment=data.control, control=data.treatment)
    for measure, method in ALL_METHODS:
        est = FUNCTIONS[measure](data, method=method, confidence_level=level)
        rev = FUNCTIONS[measure](swapped, method=method, confidence_level=level)
        if measure == "risk_difference":
            assert est.ci.low == pytest.approx(-rev.ci.high, rel=1e-9, abs=1e-12)
            assert est.ci.high == pytest.approx(-rev.ci.low, rel=1e-9, abs=1e-12)
        else:
            assert est.ci.low == pytest.approx(_inverse(rev.ci.high), rel=1e-9)
            assert est.ci.high == pytest.approx(_inverse(rev.ci.low), rel=1e-9)
        assert est.pvalue == pytest.approx(rev.pvalue, rel=1e-12)


@given(outcomes(max_total=300), confidence_levels)
def test_interval_contains_estimate_within_parameter_space(
    data: rk.BinaryOutcome, level: float
) -> None:
    for measure, method in ALL_METHODS:
        est = FUNCTIONS[measure](data, method=method, confidence_level=level)
        lo, hi = est.ci
        if measure == "risk_difference":
            assert -1.0 <= lo <= est.estimate <= hi <= 1.0
        elif math.isnan(est.estimate):
            assert (lo, hi) == (0.0, np.inf)
        else:
            assert 0.0 <= lo <= est.estimate <= hi <= np.inf
        assert est.pvalue is not None
        assert 0.0 <= est.pvalue <= 1.0


@given(outcomes(max_total=300), confidence_levels, confidence_levels)
def test_higher_level_gives_nested_interval(
    data: rk.BinaryOutcome, level1: float, level2: float
) -> None:
    lower, higher = sorted((level1, level2))
    for measure, method in ALL_METHODS:
        narrow = FUNCTIONS[measure](data, method=method, confidence_level=lower)
        wide = FUNCTIONS[measure](data, method=method, confidence_level=higher)
        # Nested up to the limits' last bits (equal levels give equal limits).
        assert wide.ci.low <= narrow.ci.low or math.isclose(wide.ci.low, narrow.ci.low)
        assert wide.ci.high >= narrow.ci.high or math.isclose(wide.ci.high, narrow.ci.high)


@settings(max_examples=50)  # 5 methods x up to 6 tables x 2 paths per example
@given(st.lists(outcomes(max_total=2000), min_size=1, max_size=6), confidence_levels)
def test_batch_equals_scalar_exactly(data: list[rk.BinaryOutcome], level: float) -> None:
    counts = [np.array(v) for v in zip(*(o.as_tuple() for o in data), strict=True)]
    for measure, method in ALL_METHODS:
        batch = BATCH[measure](*counts, method=method, confidence_level=level)
        for i, o in enumerate(data):
            scalar = FUNCTIONS[measure](o, method=method, confidence_level=level)
            one = batch.item(i)
            np.testing.assert_array_equal(
                [one.estimate, one.ci.low, one.ci.high, one.pvalue],
                [scalar.estimate, scalar.ci.low, scalar.ci.high, scalar.pvalue],
            )


def test_large_batch_matches_scalar_and_covers_all_paths() -> None:
    # Every table with n1, n2 <= 12: all zero-cell patterns, the risk-ratio fallback to the
    # solver, both arm orders.
    grid = np.array(
        [
            (a, n1, c, n2)
            for n1 in range(1, 13)
            for n2 in range(1, 13)
            for a in range(n1 + 1)
            for c in range(n2 + 1)
        ]
    )
    a, n1, c, n2 = grid.T
    rng = np.random.default_rng(20260917)
    pick = rng.choice(len(grid), size=40, replace=False)
    for measure, method in ALL_METHODS:
        batch = BATCH[measure](a, n1, c, n2, method=method)
        assert batch.pvalue is not None
        assert np.all(np.isfinite(batch.pvalue))
        for i in pick:
            scalar = FUNCTIONS[measure](outcome(*map(int, grid[i])), method=method)
            assert (batch.low[i], batch.high[i]) == (scalar.ci.low, scalar.ci.high)


@pytest.mark.parametrize(("measure", "method"), ALL_METHODS)
def test_batch_shapes(measure: str, method: str) -> None:
    # Kernels receive broadcast arrays of any shape: 2-d, 0-d and empty batches keep theirs.
    a = np.array([[56, 7], [0, 10]])
    n1 = np.array([[70, 34], [10, 10]])
    c = np.array([[48, 1], [0, 5]])
    n2 = np.array([[80, 34], [20, 10]])
    grid = BATCH[measure](a, n1, c, n2, method=method)
    flat = BATCH[measure](a.ravel(), n1.ravel(), c.ravel(), n2.ravel(), method=method)
    assert grid.low.shape == grid.high.shape == grid.estimate.shape == (2, 2)
    np.testing.assert_array_equal(grid.low.ravel(), flat.low)
    np.testing.assert_array_equal(grid.high.ravel(), flat.high)
    zero_d = BATCH[measure](56, 70, 48, 80, method=method)
    assert zero_d.low.shape == ()
    assert zero_d.low == flat.low[0]
    empty = np.zeros(0, dtype=np.int64)
    none = BATCH[measure](empty, empty + 1, empty, empty + 1, method=method)
    assert none.low.shape == none.high.shape == (0,)


# --- The solver ---------------------------------------------------------------------------


def test_bracketed_root_solves_to_full_precision() -> None:
    # cos(x) = x at 0.7390851332151607 (Dottie's number), and a root sitting at an end.
    x_in = np.array([0.0, 0.0, 0.2])
    x_out = np.array([1.0, 1.0, 0.5])

    def f(x: np.ndarray, shift: np.ndarray) -> np.ndarray:
        return np.asarray(np.cos(x) - x - shift)

    shift = np.array([0.0, 0.0, np.cos(0.5) - 0.5])
    f_in, f_out = f(x_in, shift), f(x_out, shift)
    guess = np.array([0.7, 0.2, 0.3])
    roots = score._bracketed_root(f, (shift,), x_in, f_in, x_out, f_out, guess, 1e-17)
    assert roots[:2] == pytest.approx(0.7390851332151607, rel=1e-15)
    assert roots[2] == 0.5

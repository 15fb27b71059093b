"""Conditional odds-ratio methods: exact (Cornfield / conditional MLE), mid-p, Fisher mid-p test.

References: an independent high-precision computation with mpmath (exact integer weights,
full support, mp.dps = 50, mp.findroot), R's fisher.test and epitools (numbers produced by
tests/reference/conditional_r.R), and published values from Fagerland, Lydersen & Laake.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import conditional

from .strategies import confidence_levels, outcomes

Table = tuple[int, int, int, int]

# --------------------------------------------------------------------------------------
# The mpmath reference: Fisher's noncentral hypergeometric distribution summed over its
# whole support with exact integer weights C(n1, x) C(n2, m1 - x), at 50 digits.
# --------------------------------------------------------------------------------------


def _weights(table: Table) -> tuple[int, int, dict[int, int]]:
    a, n1, c, n2 = table
    m1 = a + c
    lo, hi = max(0, m1 - n2), min(n1, m1)
    return lo, hi, {x: math.comb(n1, x) * math.comb(n2, m1 - x) for x in range(lo, hi + 1)}


def _findroot(f: Callable[[Any], Any]) -> Any:
    """Bracket the increasing function ``f`` of log psi, then mp.findroot inside."""
    lo, hi = mp.mpf(-1), mp.mpf(1)
    while f(lo) > 0:
        lo *= 2
    while f(hi) < 0:
        hi *= 2
    for solver in ("anderson", "illinois", "bisect"):
        try:
            return mp.findroot(f, (lo, hi), solver=solver)
        except ValueError:
            continue
    raise AssertionError("mpmath reference did not converge")


@functools.cache
def mp_interval(table: Table, level: float, kind: str) -> tuple[float, float, float]:
    """(estimate, low, high): conditional MLE + Cornfield limits, or MUE + mid-p limits."""
    a = table[0]
    with mp.workdps(50):
        lo, hi, w = _weights(table)
        q = (1 - mp.mpf(level)) / 2

        def terms(t: mp.mpf) -> tuple[dict[int, mp.mpf], mp.mpf]:
            psi = mp.exp(t)
            out = {x: v * psi**x for x, v in w.items()}
            return out, mp.fsum(out.values())

        def tail(t: mp.mpf, keep: object, half: bool = False) -> mp.mpf:
            p, total = terms(t)
            s = mp.fsum(v for x, v in p.items() if keep(x))  # type: ignore[operator]
            return (s + p[a] / 2 if half else s) / total

        def mean_minus_a(t: mp.mpf) -> mp.mpf:
            p, total = terms(t)
            return mp.fsum(x * v for x, v in p.items()) / total - a

        def upper(t: mp.mpf) -> mp.mpf:  # P(X > a) + P(X = a) / 2
            return tail(t, lambda x: x > a, half=True)

        def lower(t: mp.mpf) -> mp.mpf:  # P(X < a) + P(X = a) / 2
            return tail(t, lambda x: x < a, half=True)

        def est_f(t: mp.mpf) -> mp.mpf:
            if kind == "exact":
                return mean_minus_a(t)
            return mp.log(upper(t)) - mp.log(lower(t))

        def low_f(t: mp.mpf) -> mp.mpf:
            p = tail(t, lambda x: x >= a) if kind == "exact" else upper(t)
            return mp.log(p) - mp.log(q)

        def high_f(t: mp.mpf) -> mp.mpf:
            p = tail(t, lambda x: x <= a) if kind == "exact" else lower(t)
            return mp.log(q) - mp.log(p)

        if lo == hi:
            return math.nan, 0.0, math.inf
        est = 0.0 if a == lo else math.inf if a == hi else float(mp.exp(_findroot(est_f)))
        low = 0.0 if a == lo else float(mp.exp(_findroot(low_f)))
        high = math.inf if a == hi else float(mp.exp(_findroot(high_f)))
    return est, low, high


def exact_midp_pvalue(table: Table, alternative: str) -> float:
    """Mid-p value in exact rational arithmetic (ties between tables are exact here)."""
    a = table[0]
    _, _, w = _weights(table)
    total = sum(w.values())
    f = {x: Fraction(v, total) for x, v in w.items()}
    if alternative == "less":
        p = sum((f[x] for x in f if x < a), Fraction(0)) + f[a] / 2
    elif alternative == "greater":
        p = sum((f[x] for x in f if x > a), Fraction(0)) + f[a] / 2
    else:
        p = sum((f[x] for x in f if f[x] < f[a]), Fraction(0))
        p += sum((f[x] for x in f if f[x] == f[a]), Fraction(0)) / 2
    with mp.workdps(50):
        return float(mp.mpf(p.numerator) / p.denominator)


def run(table: Table, method: str, level: float = 0.95) -> rk.Estimate:
    a, n1, c, n2 = table
    outcome = rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
    return rk.odds_ratio(outcome, method=method, confidence_level=level)


def midp_p(table: Table, alternative: str) -> float:
    a, n1, c, n2 = table
    outcome = rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
    return rk.hypothesis_test(outcome, method="fisher-midp", alternative=alternative).pvalue


def assert_ratio_close(actual: float, expected: float, rtol: float) -> None:
    if expected == 0.0 or math.isinf(expected) or math.isnan(expected):
        assert actual == expected or (math.isnan(actual) and math.isnan(expected))
    else:
        assert actual == pytest.approx(expected, rel=rtol)


# --------------------------------------------------------------------------------------
# Against the high-precision reference
# --------------------------------------------------------------------------------------

REFERENCE_TABLES: list[Table] = [
    (3, 4, 1, 4),  # tea tasting
    (9, 13, 4, 14),  # Lampasona 2013
    (7, 34, 1, 34),  # Perondi 2004
    (0, 16, 15, 72),  # Ritland 2007: a = 0
    (64, 218, 83, 216),  # CORE trial
    (2, 14, 1, 11),
    (1, 1000, 20, 1000),  # rare events, large arms
    (20, 20, 3, 25),  # b = 0
    (5, 30, 0, 12),  # c = 0
    (4, 10, 8, 8),  # d = 0
    (37, 41, 9, 46),
    (1, 2, 1, 2),  # observed table at the mode
    (300, 1000, 250, 1000),  # window narrower than the support (checked truncation)
]


REFERENCE_CASES = [
    (table, level)
    for table in REFERENCE_TABLES
    for level in ((0.95,) if sum(table) > 1000 else (0.95, 0.9, 0.999))
]


@pytest.mark.parametrize("method", ["exact", "midp"])
@pytest.mark.parametrize(("table", "level"), REFERENCE_CASES)
def test_interval_matches_mpmath(table: Table, level: float, method: str) -> None:
    # mpmath, mp.dps = 50, whole support (this file's mp_interval)
    est = run(table, method, level)
    ref = mp_interval(table, level, method)
    for actual, expected in zip((est.estimate, est.ci.low, est.ci.high), ref, strict=True):
        assert_ratio_close(actual, expected, rtol=1e-12)


@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
@pytest.mark.parametrize("table", [*REFERENCE_TABLES[:-1], (150, 150, 0, 150), (140, 150, 5, 160)])
def test_midp_pvalue_matches_exact_arithmetic(table: Table, alternative: str) -> None:
    # exact rational arithmetic (this file's exact_midp_pvalue)
    assert midp_p(table, alternative) == pytest.approx(
        exact_midp_pvalue(table, alternative), rel=1e-12
    )


def test_far_tail_pvalues_keep_their_digits() -> None:
    # 150/150 vs 0/150: Fisher's p = 2 / C(300, 150) ~ 2.1e-89, exact arithmetic.
    table = (150, 150, 0, 150)
    c300 = math.comb(300, 150)
    assert run(table, "exact").pvalue == pytest.approx(2 / c300, rel=1e-9)
    # the mirror table x = 0 ties with the observed one: mid-p = 1 / C(300, 150)
    assert run(table, "midp").pvalue == pytest.approx(1 / c300, rel=1e-12)
    assert midp_p(table, "greater") == pytest.approx(0.5 / c300, rel=1e-12)
    assert midp_p(table, "less") == pytest.approx(1 - 0.5 / c300, rel=1e-15)


def test_large_table_is_solved_on_a_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # rk against its own whole-support solve: the window (about z + 12 sd either side of a)
    # is much narrower than the support of these tables and must not change the roots
    # (300/1000 vs 250/1000, also windowed, is checked against mpmath above).
    a, n1, c, n2 = (np.array(v) for v in ([500, 50000], [100000] * 2, [300, 30000], [100000] * 2))
    windowed = conditional._solve(a, n1, c, n2, conditional._exact_equations(0.95), 0.95)
    monkeypatch.setattr(conditional, "_WINDOW_MIN", 10**9)
    whole = conditional._solve(a, n1, c, n2, conditional._exact_equations(0.95), 0.95)
    for x, y in zip(windowed, whole, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-13, atol=0)


def test_window_widening_and_chunks_do_not_change_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # rk against itself: a one-point first window (widened fourfold until the neglected
    # terms are bounded below 4e-18 of their sums) and chunks of one table.
    tables = [(300, 1000, 250, 1000), (30, 100, 25, 100), (3, 4, 1, 4), (0, 50, 10, 50)]
    a, n1, c, n2 = (np.array(v) for v in zip(*tables, strict=True))
    for equations in (conditional._exact_equations(0.95), conditional._midp_equations(0.95)):
        default = conditional._solve(a, n1, c, n2, equations, 0.95)
        with monkeypatch.context() as m:
            m.setattr(conditional, "_WINDOW_SPAN", 0.0)
            m.setattr(conditional, "_WINDOW_SDS", 0.0)
            m.setattr(conditional, "_WINDOW_MIN", 1)
            narrow = conditional._solve(a, n1, c, n2, equations, 0.95)
        with monkeypatch.context() as m:
            m.setattr(conditional, "_CHUNK_CELLS", 1)
            chunked = conditional._solve(a, n1, c, n2, equations, 0.95)
        for x, y, z in zip(default, narrow, chunked, strict=True):
            np.testing.assert_allclose(y, x, rtol=1e-14)
            np.testing.assert_array_equal(z, x)


# --------------------------------------------------------------------------------------
# Against R and published values
# --------------------------------------------------------------------------------------

# R 4.2.2 fisher.test (tests/reference/conditional_r.R): estimate, conf.int, p.value.
# fisher.test finds each value with uniroot's default tolerance, 1.2e-4 on psi when psi < 1
# and on 1/psi when psi > 1, so it is loose: the tea table's upper limit is 621.93 in R and
# 626.24 exactly (0.69% off), Perondi's 396.19 for 396.99 (0.20%); mpmath agrees with rk.
R_FISHER = {
    (3, 4, 1, 4): (6.408308867, 0.2117329153, 621.9337505, 0.4857142857),
    (9, 13, 4, 14): (5.232650611, 0.8472081717, 40.44656271, 0.05698264559),
    (7, 34, 1, 34): (8.328450003, 0.9732477196, 396.1877899, 0.0544001305),
    (0, 16, 15, 72): (0.0, 0.0, 1.140894878, 0.06286666463),
    (64, 218, 83, 216): (0.6665772142, 0.437171232, 1.013104957, 0.05391374516),
    (2, 14, 1, 11): (1.634065352, 0.07446429886, 107.9370609, 1.0),
}

# R 4.2.2 epitools 0.5-10.1 or.midp (median-unbiased estimate, mid-p limits; uniroot with
# the default tolerance over (0, 1000), so also loose: tea upper 306.63 vs 308.56 exactly).
# or.midp fails with an error when a cell is zero (Ritland).
EPITOOLS_MIDP = {
    (3, 4, 1, 4): (6.212981184, 0.3100508137, 306.6338538),
    (9, 13, 4, 14): (5.133976724, 1.022554511, 31.49879927),
    (7, 34, 1, 34): (7.492484788, 1.188571358, 199.5737385),
    (64, 218, 83, 216): (0.6668636876, 0.4455936827, 0.9944912672),
    (2, 14, 1, 11): (1.551620267, 0.1101919171, 53.79013266),
}
R_UNIROOT_TOL = 1.3e-4


def within_uniroot_tolerance(actual: float, r_value: float) -> bool:
    """R's uniroot stops within its tolerance of psi (psi <= 1) or of 1/psi (psi > 1)."""
    if r_value in (0.0, math.inf):
        return actual == r_value
    if r_value <= 1.0:
        return abs(actual - r_value) <= R_UNIROOT_TOL
    return abs(1.0 / actual - 1.0 / r_value) <= R_UNIROOT_TOL


@pytest.mark.parametrize("table", list(R_FISHER))
def test_exact_matches_r_fisher_test(table: Table) -> None:
    est = run(table, "exact")
    r_est, r_low, r_high, r_p = R_FISHER[table]
    for actual, r_value in ((est.estimate, r_est), (est.ci.low, r_low), (est.ci.high, r_high)):
        assert within_uniroot_tolerance(actual, r_value)
    assert est.pvalue == pytest.approx(r_p, rel=1e-9)


@pytest.mark.parametrize("table", list(EPITOOLS_MIDP))
def test_midp_matches_epitools(table: Table) -> None:
    est = run(table, "midp")
    for actual, r_value in zip(
        (est.estimate, est.ci.low, est.ci.high), EPITOOLS_MIDP[table], strict=True
    ):
        assert within_uniroot_tolerance(actual, r_value)


@pytest.mark.parametrize(
    ("table", "alternative", "expected"),
    [
        # R 4.2.2 epitools tab2by2.test midp.exact (twice the smaller one-sided mid-p): equal
        # to rk's two-sided mid-p only when the mirror table ties with the observed one.
        ((3, 4, 1, 4), "two-sided", 0.2571428571),
        # Agresti's tea table: null probabilities (1, 16, 36, 16, 1) / 70, so the one-sided
        # mid-p is 1/70 + 16/140 = 9/70 (Agresti, Categorical Data Analysis, tea tasting).
        ((3, 4, 1, 4), "greater", 9 / 70),
        # Fagerland, Lydersen & Laake 2017 (R package contingencytables, chapter 4 tests):
        # Ritland et al. 2007, Fisher mid-P test P = 0.04466 (epitools doubling: 0.03641).
        ((0, 16, 15, 72), "two-sided", 0.04466),
    ],
)
def test_midp_test_published_values(table: Table, alternative: str, expected: float) -> None:
    assert midp_p(table, alternative) == pytest.approx(expected, abs=5e-6)


def test_published_midp_intervals() -> None:
    # Fagerland, Lydersen & Laake 2017 (contingencytables chapter 4 tests), 4 decimals:
    # tea tasting, Cornfield mid-P CI 0.3101 to 308.5568.
    est = run((3, 4, 1, 4), "midp")
    assert est.ci.low == pytest.approx(0.3101, abs=5e-5)
    assert est.ci.high == pytest.approx(308.5568, abs=5e-5)
    # Lampasona 2013: 1.0226 to 31.5025. The package's test file lists this interval under
    # Cornfield_exact_conditional_CI_2x2, but it is the mid-P interval (epitools 1.0226 to
    # 31.499, mpmath 1.02255 to 31.50249); the exact interval is 0.8472 to 40.4466 (R
    # fisher.test and mpmath).
    est = run((9, 13, 4, 14), "midp")
    assert est.ci.low == pytest.approx(1.0226, abs=5e-5)
    assert est.ci.high == pytest.approx(31.5025, abs=5e-5)
    # Ritland 2007, Fisher exact test P = 0.06287 (same source).
    assert run((0, 16, 15, 72), "exact").pvalue == pytest.approx(0.06287, abs=5e-6)


# --------------------------------------------------------------------------------------
# Zero cells and empty margins: no correction, no warning (filterwarnings = error)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["exact", "midp"])
def test_zero_cells(method: str) -> None:
    # a = 0: estimate and lower limit 0, finite upper limit
    est = run((0, 20, 5, 20), method)
    assert (est.estimate, est.ci.low) == (0.0, 0.0)
    assert 0.0 < est.ci.high < math.inf
    # d = 0 (every control had the event): also the lowest support point
    est = run((4, 10, 8, 8), method)
    assert (est.estimate, est.ci.low) == (0.0, 0.0)
    assert math.isfinite(est.ci.high)
    # b = 0 and c = 0: estimate and upper limit infinite, finite positive lower limit
    for table in [(20, 20, 3, 25), (5, 30, 0, 12)]:
        est = run(table, method)
        assert (est.estimate, est.ci.high) == (math.inf, math.inf)
        assert 0.0 < est.ci.low < math.inf
    # all events in one arm, none in the other: 0 < lower limit, upper infinite
    est = run((10, 10, 0, 10), method)
    assert est.ci.high == math.inf and est.ci.low > 1.0


@pytest.mark.parametrize("method", ["exact", "midp"])
@pytest.mark.parametrize("table", [(0, 5, 0, 7), (5, 5, 7, 7), (0, 1, 0, 1)])
def test_empty_margin_is_degenerate(table: Table, method: str) -> None:
    est = run(table, method)
    assert math.isnan(est.estimate)
    assert (est.ci.low, est.ci.high, est.pvalue) == (0.0, math.inf, 1.0)
    for alternative in ("two-sided", "less", "greater"):
        assert midp_p(table, alternative) == 1.0


# --------------------------------------------------------------------------------------
# Public API and vectorised path
# --------------------------------------------------------------------------------------


def test_registered_in_public_api(core: rk.BinaryOutcome) -> None:
    est = rk.odds_ratio(core, method="exact")
    assert (est.measure, est.method, est.confidence_level) == ("odds_ratio", "exact", 0.95)
    assert est.pvalue == pytest.approx(R_FISHER[(64, 218, 83, 216)][3], rel=1e-9)
    assert rk.odds_ratio(core, method="midp").method == "midp"
    res = rk.hypothesis_test(core, method="fisher-midp", alternative="less")
    assert res.statistic is None and res.method == "fisher-midp"
    assert set(rkb.TEST_METHODS["fisher-midp"]) == {"two-sided", "less", "greater"}


def test_invalid_alternative_is_refused(core: rk.BinaryOutcome) -> None:
    with pytest.raises(rk.InvalidInputError, match="alternative"):
        rk.hypothesis_test(core, method="fisher-midp", alternative="both")


def test_batch_shapes_and_broadcasting() -> None:
    res = rkb.odds_ratio([[3, 9], [0, 64]], [[4, 13], [16, 218]], [1, 4], [4, 14], method="exact")
    assert res.estimate.shape == res.low.shape == res.high.shape == (2, 2)
    assert res.pvalue is not None and res.pvalue.shape == (2, 2)
    assert res.high[0, 0] == run((3, 4, 1, 4), "exact").ci.high
    p = rkb.hypothesis_test([3, 0], [4, 16], [1, 15], [4, 72], method="fisher-midp").pvalue
    assert p.shape == (2,)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

methods = st.sampled_from(["exact", "midp"])


def _counts(o: rk.BinaryOutcome) -> Table:
    return (o.treatment.events, o.treatment.total, o.control.events, o.control.total)


def _inverse(x: float) -> float:
    return math.inf if x == 0.0 else 1.0 / x


@settings(max_examples=60)
@given(outcome=outcomes(max_total=200), method=methods)
def test_swapping_arms_inverts(outcome: rk.BinaryOutcome, method: str) -> None:
    a, n1, c, n2 = _counts(outcome)
    one, two = run((a, n1, c, n2), method), run((c, n2, a, n1), method)
    assert_ratio_close(two.estimate, _inverse(one.estimate), rtol=1e-9)
    assert_ratio_close(two.ci.low, _inverse(one.ci.high), rtol=1e-9)
    assert_ratio_close(two.ci.high, _inverse(one.ci.low), rtol=1e-9)
    assert two.pvalue == pytest.approx(one.pvalue, rel=1e-9)


@settings(max_examples=60)
@given(outcome=outcomes(max_total=300), method=methods, level=confidence_levels)
def test_interval_contains_estimate_and_lies_in_range(
    outcome: rk.BinaryOutcome, method: str, level: float
) -> None:
    est = run(_counts(outcome), method, level)
    assert 0.0 <= est.ci.low <= est.ci.high <= math.inf
    assert est.pvalue is not None and 0.0 <= est.pvalue <= 1.0
    if not math.isnan(est.estimate):
        assert est.ci.low <= est.estimate <= est.ci.high


@settings(max_examples=40)
@given(
    outcome=outcomes(max_total=300),
    method=methods,
    levels=st.tuples(confidence_levels, confidence_levels).filter(lambda p: p[0] < p[1]),
)
def test_higher_level_is_wider(
    outcome: rk.BinaryOutcome, method: str, levels: tuple[float, float]
) -> None:
    narrow, wide = (run(_counts(outcome), method, level) for level in levels)
    assert wide.ci.low <= narrow.ci.low
    assert narrow.ci.high <= wide.ci.high


@settings(max_examples=40)
@given(outcome=outcomes(max_total=300), level=confidence_levels)
def test_midp_interval_inside_exact(outcome: rk.BinaryOutcome, level: float) -> None:
    exact, midp = (run(_counts(outcome), m, level) for m in ("exact", "midp"))
    assert exact.ci.low <= midp.ci.low
    assert midp.ci.high <= exact.ci.high
    if not math.isnan(exact.estimate):
        assert midp.pvalue is not None and exact.pvalue is not None
        assert exact.pvalue / 2 <= midp.pvalue <= exact.pvalue


@settings(max_examples=40)
@given(outcome=outcomes(max_total=300), level=confidence_levels)
def test_limits_invert_the_one_sided_tests(outcome: rk.BinaryOutcome, level: float) -> None:
    # The interval excludes OR = 1 on one side exactly when that one-sided p is below
    # (1 - level) / 2 (Fisher's one-sided test for exact, the one-sided mid-p for midp).
    table = _counts(outcome)
    q = (1 - level) / 2
    a, n1, c, n2 = table
    o = rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
    for method, test in (("exact", "fisher"), ("midp", "fisher-midp")):
        est = run(table, method, level)
        p_greater = rk.hypothesis_test(o, method=test, alternative="greater").pvalue
        p_less = rk.hypothesis_test(o, method=test, alternative="less").pvalue
        if not math.isnan(est.estimate) and abs(p_greater - q) > 1e-9 * q:
            assert (est.ci.low > 1.0) == (p_greater < q)
        if not math.isnan(est.estimate) and abs(p_less - q) > 1e-9 * q:
            assert (est.ci.high < 1.0) == (p_less < q)


@settings(max_examples=60)
@given(outcome=outcomes(max_total=500))
def test_one_sided_midp_add_to_one(outcome: rk.BinaryOutcome) -> None:
    table = _counts(outcome)
    if table[0] + table[2] in (0, table[1] + table[3]):
        return
    assert midp_p(table, "less") + midp_p(table, "greater") == pytest.approx(1.0, rel=1e-12)


@settings(max_examples=30)
@given(
    tables=st.lists(outcomes(max_total=300), min_size=1, max_size=6),
    method=methods,
    level=confidence_levels,
)
def test_batch_equals_scalar_exactly(
    tables: list[rk.BinaryOutcome], method: str, level: float
) -> None:
    counts = [_counts(o) for o in tables]
    a, n1, c, n2 = (np.array(v) for v in zip(*counts, strict=True))
    res = rkb.odds_ratio(a, n1, c, n2, method=method, confidence_level=level)
    p = rkb.hypothesis_test(a, n1, c, n2, method="fisher-midp", alternative="less").pvalue
    assert res.pvalue is not None
    for i, table in enumerate(counts):
        est = run(table, method, level)
        got = (res.estimate[i], res.low[i], res.high[i], res.pvalue[i])
        want = (est.estimate, est.ci.low, est.ci.high, est.pvalue)
        np.testing.assert_array_equal(np.array(got), np.array(want))
        assert p[i] == midp_p(table, "less")


# --------------------------------------------------------------------------------------
# Large tables: the Euler-Maclaurin grid sums (rctkit._kernels.hypergeom_sums)
# --------------------------------------------------------------------------------------


@functools.cache
def mp_window_interval(table: Table, level: float, kind: str) -> tuple[float, float, float]:
    """(estimate, low, high) as :func:`mp_interval`, summing 20 sd either side of ``a``.

    For tables too large for exact integer weights over the whole support: log weights by
    mp.loggamma at 30 digits; terms beyond 20 sd weigh less than exp(-100) of the sum.
    """
    a, n1, c, n2 = table
    m1 = a + c
    b, d = n1 - a, n2 - c
    with mp.workdps(30):
        sd = 1 / mp.sqrt(mp.mpf(1) / a + mp.mpf(1) / b + mp.mpf(1) / c + mp.mpf(1) / d)
        reach = int(20 * sd)
        xs = range(max(0, m1 - n2, a - reach), min(n1, m1, a + reach) + 1)

        def log_w(x: int) -> Any:
            return -(
                mp.loggamma(x + 1)
                + mp.loggamma(n1 - x + 1)
                + mp.loggamma(m1 - x + 1)
                + mp.loggamma(n2 - m1 + x + 1)
            )

        base = log_w(a)
        w = {x: mp.exp(log_w(x) - base) for x in xs}
        q = (1 - mp.mpf(level)) / 2

        up = [w[x] for x in xs if x > a]
        down = [w[x] for x in reversed(xs) if x < a]

        def sums(t: Any) -> tuple[Any, Any, Any, Any]:
            """P(X > a), P(X = a), P(X < a) and E(X) - a, all times the same total."""
            r, mean = mp.exp(t), mp.mpf(0)
            totals = []
            for side, ratio, sign in ((up, r, 1), (down, 1 / r, -1)):
                power, total = mp.mpf(1), mp.mpf(0)
                for k, v in enumerate(side, start=1):
                    power *= ratio
                    total += v * power
                    mean += sign * k * v * power
                totals.append(total)
            return totals[0], w[a], totals[1], mean

        def est_f(t: Any) -> Any:
            above, at, below, mean = sums(t)
            if kind == "exact":
                return mean / (above + at + below)
            return mp.log(above + at / 2) - mp.log(below + at / 2)

        def low_f(t: Any) -> Any:
            above, at, below, _ = sums(t)
            upper = above + at if kind == "exact" else above + at / 2
            return mp.log(upper / (above + at + below)) - mp.log(q)

        def high_f(t: Any) -> Any:
            above, at, below, _ = sums(t)
            lower = below + at if kind == "exact" else below + at / 2
            return mp.log(q) - mp.log(lower / (above + at + below))

        return tuple(float(mp.exp(_findroot(f))) for f in (est_f, low_f, high_f))  # type: ignore[return-value]


#: Every cell at least 1e5: solved on the Euler-Maclaurin grid.
LARGE_TABLE: Table = (100_000, 300_000, 120_000, 300_000)


@pytest.mark.parametrize("method", ["exact", "midp"])
def test_large_table_matches_mpmath(method: str) -> None:
    # mpmath, 30 digits, 20 sd either side of a (this file's mp_window_interval)
    a, n1, c, n2 = (np.array([v]) for v in LARGE_TABLE)
    equations = (
        conditional._exact_equations(0.95)
        if method == "exact"
        else conditional._midp_equations(0.95)
    )
    est = run(LARGE_TABLE, method)
    ref = mp_window_interval(LARGE_TABLE, 0.95, method)
    for actual, expected in zip((est.estimate, est.ci.low, est.ci.high), ref, strict=True):
        assert actual == pytest.approx(expected, rel=1e-12)
    # and it was the grid that solved all three equations
    roots = np.full(3, np.nan)
    left = conditional._solve_smooth(*_smooth_inputs(a, n1, c, n2, equations), roots)
    assert left.size == 0 and np.all(np.isfinite(roots))


def _smooth_inputs(
    a: np.ndarray, n1: np.ndarray, c: np.ndarray, n2: np.ndarray, equations: Any
) -> tuple[Any, Any, Any, Any, Any, Any, Any]:
    """The arguments _solve passes to _solve_smooth, rebuilt for one table."""
    fa, fn1, fc, fn2 = (v.astype(np.float64) for v in (a, n1, c, n2))
    m1 = fa + fc
    lo, hi = np.maximum(0.0, m1 - fn2), np.minimum(fn1, m1)
    tab = conditional._Tables(
        fa, fn1, m1, fn2, (hi - fa).astype(np.int64), (fa - lo).astype(np.int64)
    )
    n_eq = len(equations)
    with np.errstate(divide="ignore"):
        rows = conditional._Rows(
            by_distance=np.array([e.by_distance for e in equations]),
            log_alpha0=np.log([e.alpha0 for e in equations]),
            log_beta0=np.log([e.beta0 for e in equations]),
            target=np.array([e.target for e in equations]),
        )
    ha, hb, hc, hd = fa + 0.5, fn1 - fa + 0.5, fc + 0.5, fn2 - fc + 0.5
    se = np.sqrt(1 / ha + 1 / hb + 1 / hc + 1 / hd)
    z = 1.959963984540054
    start = np.log(ha * hd / (hb * hc)) + np.array([np.sign(e.target) * z for e in equations]) * se
    half = np.repeat(np.ceil((z + 12) / se + 40).astype(np.int64), n_eq)
    table_of = np.zeros(n_eq, dtype=np.int64)
    return tab, rows, table_of, np.arange(n_eq), start, 1 / se, half


@pytest.mark.parametrize("n", [10**6, 10**9])
@pytest.mark.parametrize("method", ["exact", "midp"])
def test_grid_sums_equal_term_by_term_sums(
    n: int, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rk against its own term-by-term solve (the grid switched off), 1e6 and 1e9 per arm
    table = (3 * n // 10, n, 35 * n // 100, n)
    a, n1, c, n2 = (np.array([v]) for v in table)
    equations = (
        conditional._exact_equations(0.95)
        if method == "exact"
        else conditional._midp_equations(0.95)
    )
    grid = conditional._solve(a, n1, c, n2, equations, 0.95)
    monkeypatch.setattr(conditional, "_SMOOTH_MIN_CELL", math.inf)
    direct = conditional._solve(a, n1, c, n2, equations, 0.95)
    for x, y in zip(grid, direct, strict=True):
        # log psi, absolute: about 1e-14 relative in psi
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-13)


def test_small_cells_are_summed_term_by_term() -> None:
    # A huge trial with one small cell stays off the grid (the window would reach the edge
    # of the support): rows come back unsolved from _solve_smooth.
    a, n1, c, n2 = (np.array([v]) for v in (50, 10**9, 80, 10**9))
    roots = np.full(3, np.nan)
    left = conditional._solve_smooth(
        *_smooth_inputs(a, n1, c, n2, conditional._exact_equations(0.95)), roots
    )
    assert left.size == 3 and np.all(np.isnan(roots))

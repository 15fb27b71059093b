"""Unconditional exact tests: Barnard's (pooled and unpooled Wald) and Boschloo's.

References used below:

* An independent exact reference (below): the rejection region built with exact rational
  arithmetic (``fractions.Fraction``) and exact integer coefficients of the p-value
  polynomial, whose supremum over ``pi`` in [0, 1] is certified by branch and bound on its
  Bernstein coefficients (de Casteljau subdivision: on any interval the polynomial lies below
  its largest Bernstein coefficient), then evaluated with mpmath at 40 digits.
* Published examples: Mehta & Senchaudhuri (2003), the vaccine trial (7/15 vs 12/15),
  one-sided Barnard p = 0.0341; Fagerland, Lydersen & Laake, R package contingencytables
  (the book "Statistical Analysis of Contingency Tables", 2017, companion code), the lady
  tasting tea, Suissa-Shuster test P = 0.28916 with the Berger-Boos correction gamma = 1e-4.
* scipy.stats.barnard_exact / boschloo_exact (scipy 1.17.1), live and pasted.
* Closed forms: a table as extreme as possible has p = sup pi^n (1 - pi)^n = 4^-n.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from math import comb

import mpmath as mp
import numpy as np
import numpy.typing as npt
import pytest
import scipy.stats as sps
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import unconditional
from tests.strategies import outcomes

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

ALTERNATIVES = ("two-sided", "less", "greater")
METHODS = ("barnard", "boschloo")


def _counts(*values: int) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    a, n1, c, n2 = (np.array([v], dtype=np.int64) for v in values)
    return a, n1, c, n2


def _test(method: str, table: tuple[int, int, int, int], alternative: str) -> tuple[float, float]:
    res = rkb.hypothesis_test(*table, method=method, alternative=alternative)
    assert res.statistic is not None
    return float(res.statistic[()]), float(res.pvalue[()])


# --------------------------------------------------------------------------------------------
# The exact reference


def _bernstein_supremum(h: list[Fraction]) -> tuple[float, float]:
    """Certified ``max_pi sum_s h_s C(N, s) pi^s (1-pi)^(N-s)``: returns (argmax, max).

    Branch and bound over intervals of pi: an interval's Bernstein coefficients bound the
    polynomial there from above and its end coefficients are its values at the ends. Intervals
    whose bound is within 1e-14 (relative) of the best value found are dropped.
    """
    coef = np.array([float(x) for x in h])
    best, where = (coef[0], 0.0) if coef[0] >= coef[-1] else (coef[-1], 1.0)
    boxes, lows, width = coef[None, :], np.array([0.0]), 1.0
    while boxes.shape[0]:
        keep = boxes.max(axis=1) > best * (1.0 + 1e-14)
        boxes, lows = boxes[keep], lows[keep]
        if not boxes.shape[0]:
            break
        # de Casteljau at the midpoint of every interval at once.
        left, right, cur = [boxes[:, 0]], [boxes[:, -1]], boxes
        while cur.shape[1] > 1:
            cur = 0.5 * (cur[:, 1:] + cur[:, :-1])
            left.append(cur[:, 0])
            right.append(cur[:, -1])
        width /= 2.0
        mid = left[-1]
        i = int(np.argmax(mid))
        if mid[i] > best:
            best, where = float(mid[i]), float(lows[i] + width)
        boxes = np.concatenate([np.stack(left, axis=1), np.stack(right[::-1], axis=1)])
        lows = np.concatenate([lows, lows + width])
        assert width > 1e-30, "branch and bound did not converge"
    return where, best


def exact_reference(method: str, table: tuple[int, int, int, int], alternative: str) -> mp.mpf:
    """The p-value from exact rational regions and the certified supremum (independent code)."""
    a, n1, c, n2 = table
    n = n1 + n2
    if method == "boschloo" and alternative == "two-sided":
        less = exact_reference(method, table, "less")
        greater = exact_reference(method, table, "greater")
        return min(2 * min(less, greater), mp.mpf(1))

    def fisher_tail(x1: int, x2: int, side: str) -> Fraction:
        s = x1 + x2
        xs = range(0, x1 + 1) if side == "less" else range(x1, n1 + 1)
        return Fraction(sum(comb(n1, j) * comb(n2, s - j) for j in xs if s >= j), comb(n, s))

    def wald(x1: int, x2: int) -> Fraction | float:
        # A number ordered as Z: sign(D) D^2 over the variance's numerator.
        s, d = x1 + x2, x1 * n2 - x2 * n1
        if d == 0:
            return Fraction(0)
        if method == "barnard":
            return Fraction(d * abs(d), s * (n - s))
        den = x1 * (n1 - x1) * n2**3 + x2 * (n2 - x2) * n1**3
        return Fraction(d * abs(d), den) if den else math.copysign(math.inf, d)

    def extreme(x1: int, x2: int) -> bool:
        if method == "boschloo":
            return fisher_tail(x1, x2, alternative) <= fisher_tail(a, c, alternative)
        z, z0 = wald(x1, x2), wald(a, c)
        if alternative == "less":
            return z <= z0
        if alternative == "greater":
            return z >= z0
        return (-z if z < 0 else z) >= (-z0 if z0 < 0 else z0)

    weight = [0] * (n + 1)
    for x1 in range(n1 + 1):
        for x2 in range(n2 + 1):
            if extreme(x1, x2):
                weight[x1 + x2] += comb(n1, x1) * comb(n2, x2)
    h = [Fraction(w, comb(n, s)) for s, w in enumerate(weight)]
    where, _ = _bernstein_supremum(h)
    with mp.workdps(40):
        pi = mp.mpf(where)
        return mp.fsum(w * pi**s * (1 - pi) ** (n - s) for s, w in enumerate(weight))


SMALL_TABLES = [
    (7, 15, 12, 15),  # the vaccine trial (Mehta & Senchaudhuri 2003)
    (3, 4, 1, 4),  # the lady tasting tea
    (3, 5, 1, 7),
    (0, 10, 5, 10),
    (1, 4, 0, 7),
    (2, 5, 2, 6),
    (6, 18, 4, 4),
    (4, 7, 3, 3),
    (12, 13, 8, 18),
    (0, 1, 0, 1),
    (1, 1, 0, 1),
    (5, 12, 5, 12),
    (9, 14, 2, 11),
    (0, 9, 9, 9),
    (1, 14, 1, 2),
    (10, 17, 6, 18),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("table", SMALL_TABLES)
def test_matches_exact_reference(method: str, table: tuple[int, int, int, int]) -> None:
    for alternative in ALTERNATIVES:
        expected = float(exact_reference(method, table, alternative))
        _, pvalue = _test(method, table, alternative)
        assert pvalue == pytest.approx(expected, rel=1e-9, abs=0.0), alternative


def test_reference_certifies_a_bimodal_supremum() -> None:
    # A p-value function with two separated peaks (h_s large near both ends): the certified
    # maximum is the larger peak, not the first one found.
    h = [Fraction(1 if s in (2, 3, 17, 18) else 0) for s in range(21)]
    where, best = _bernstein_supremum(h)
    grid = np.linspace(0.0, 1.0, 200_001)
    values = np.zeros_like(grid)
    for s in range(21):
        values += float(h[s]) * comb(20, s) * grid**s * (1 - grid) ** (20 - s)
    assert best == pytest.approx(values.max(), rel=1e-9)
    assert 0.0 < where < 1.0


# --------------------------------------------------------------------------------------------
# Published examples


def test_mehta_senchaudhuri_vaccine_example() -> None:
    # Mehta & Senchaudhuri (2003), vaccine trial: 7 of 15 vaccinated and 12 of 15 given
    # placebo infected; Barnard's one-sided p-value 0.0341 (four decimals). scipy gives
    # 0.034077 (its documentation example): floating-point rounding drops the table (3, 8),
    # whose Z equals the observed Z exactly; with it the supremum is 0.034109. Both round to
    # the published 0.0341.
    statistic, pvalue = _test("barnard", (7, 15, 12, 15), "less")
    assert statistic == pytest.approx(-1.894, abs=5e-4)  # scipy documentation: -1.894
    assert round(pvalue, 4) == 0.0341
    assert pvalue == pytest.approx(float(exact_reference("barnard", (7, 15, 12, 15), "less")))


def test_lady_tasting_tea_suissa_shuster() -> None:
    # contingencytables (Fagerland, Lydersen & Laake), Exact_unconditional_test_2x2(tea):
    # "The Suissa-Shuster exact unconditional test: P = 0.28916", computed with the
    # Berger-Boos correction gamma = 0.0001 (the supremum over a 99.99% interval for pi, plus
    # gamma). The supremum here lies at pi = 1/2, inside that interval, so the uncorrected
    # p-value is 0.28916 - 0.0001 = 0.28906 to five decimals.
    _, pvalue = _test("barnard", (3, 4, 1, 4), "two-sided")
    assert abs(pvalue + 1e-4 - 0.28916) < 5e-6
    # Exactly: the region is the 8 tables with |Z| >= sqrt(2): 74/256 at pi = 1/2.
    assert pvalue == pytest.approx(74 / 256, rel=1e-12)


def test_scipy_boschloo_documentation_example() -> None:
    # scipy.stats.boschloo_exact documentation: [[74, 31], [43, 32]] (arms in columns),
    # "greater": statistic 0.0483, p-value 0.0355.
    statistic, pvalue = _test("boschloo", (74, 117, 31, 63), "greater")
    assert round(statistic, 4) == 0.0483
    assert round(pvalue, 4) == 0.0356  # 0.035564...; scipy's page prints 0.0355 (truncated)
    assert pvalue == pytest.approx(0.03556406430154675, rel=1e-9)  # scipy 1.17.1, live value


def test_extreme_tables_do_not_underflow() -> None:
    # 0/n against n/n is the only table as extreme as itself for Barnard and for Boschloo
    # (one-sided), so p = max_pi pi^n (1 - pi)^n = 4^-n, at pi = 1/2.
    for n in (200, 500):
        for method in METHODS:
            _, pvalue = _test(method, (0, n, n, n), "less")
            assert pvalue == pytest.approx(4.0**-n, rel=1e-9)
            _, pvalue = _test(method, (n, n, 0, n), "greater")
            assert pvalue == pytest.approx(4.0**-n, rel=1e-9)
    # Two-sided: both 0/n-vs-n/n tables, so 2 * 4^-n for either test.
    _, pvalue = _test("barnard", (0, 500, 500, 500), "two-sided")
    assert pvalue == pytest.approx(2 * 4.0**-500, rel=1e-9)


# --------------------------------------------------------------------------------------------
# scipy


# The CORE trial (64/218 vs 83/216) from scipy 1.17.1, barnard_exact / boschloo_exact on
# [[64, 83], [154, 133]] with the default n=32. For these tables scipy's region has no lost
# ties and its local search reaches the supremum.
CORE_SCIPY = {
    ("barnard", "two-sided"): (-1.9958045190930436, 0.04893571694033536),
    ("barnard", "less"): (-1.9958045190930436, 0.02460231276458066),
    ("barnard", "greater"): (-1.9958045190930436, 1.0),
    ("boschloo", "two-sided"): (0.029004837867649888, 0.04920462552916136),
    ("boschloo", "less"): (0.029004837867649888, 0.02460231276458068),
    ("boschloo", "greater"): (0.9820944500634072, 0.977656582773243),
}


@pytest.mark.parametrize(("method", "alternative"), list(CORE_SCIPY))
def test_core_trial_matches_scipy(method: str, alternative: str) -> None:
    statistic, pvalue = _test(method, (64, 218, 83, 216), alternative)
    expected_statistic, expected_pvalue = CORE_SCIPY[method, alternative]
    assert statistic == pytest.approx(expected_statistic, rel=1e-12)
    assert pvalue == pytest.approx(expected_pvalue, rel=1e-9)


def test_core_trial_against_dense_grid() -> None:
    # An independent float computation for the CORE table: the region on the rectangular
    # sample space with scipy's statistic (no ties arise here), a 20001-point grid in pi,
    # then a bounded scalar search around the best grid point.
    from scipy import optimize

    a, n1, c, n2 = 64, 218, 83, 216
    n = n1 + n2
    x1 = np.arange(n1 + 1)[:, None]
    x2 = np.arange(n2 + 1)[None, :]
    pooled = (x1 + x2) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (x1 / n1 - x2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = np.where(x1 * n2 == x2 * n1, 0.0, z)
    region = np.abs(z) >= abs(z[a, c])
    # Coefficients C(n1, x1) C(n2, x2) of the region, gathered by s = x1 + x2 (log scale).
    log_comb = sps.binom.logpmf(x1, n1, 0.5) + sps.binom.logpmf(x2, n2, 0.5) + n * math.log(2)
    s_all = np.arange(n + 1)
    log_w = np.full(n + 1, -np.inf)
    np.logaddexp.at(log_w, (x1 + x2)[region], log_comb[region])

    def log_prob(p: FloatArray) -> FloatArray:
        terms = log_w + s_all * np.log(p)[:, None] + (n - s_all) * np.log1p(-p)[:, None]
        return np.asarray(np.logaddexp.reduce(terms, axis=1))

    grid = np.linspace(1e-6, 1.0 - 1e-6, 20_001)
    best = grid[int(np.argmax(log_prob(grid)))]
    res = optimize.minimize_scalar(
        lambda p: -float(log_prob(np.array([p]))[0]),
        bounds=(best - 1e-4, best + 1e-4),
        method="bounded",
        options={"xatol": 1e-12},
    )
    _, pvalue = _test("barnard", (a, n1, c, n2), "two-sided")
    assert pvalue == pytest.approx(math.exp(-res.fun), rel=1e-9)


SCIPY_TABLES = [
    (6, 18, 4, 4),
    (5, 11, 12, 15),
    (21, 24, 2, 14),
    (1, 14, 1, 2),
    (10, 24, 1, 7),
    (0, 3, 2, 9),
    (13, 20, 4, 17),
    (2, 30, 9, 25),
]


@pytest.mark.parametrize("table", SCIPY_TABLES)
def test_never_below_scipy(table: tuple[int, int, int, int]) -> None:
    # scipy's p-value is P_pi(R) at the pi its search stops at, for a region R that at most
    # loses exactly tied tables to rounding (scipy compares floating-point statistics). Ours
    # is the supremum over the full region, so it is never smaller; Boschloo's regions agree
    # (scipy's ordering tolerance 1e-13; ours decides near-ties exactly) and the values agree
    # to 1e-9.
    a, n1, c, n2 = table
    scipy_table = [[a, c], [n1 - a, n2 - c]]
    for alternative in ALTERNATIVES:
        ours = _test("barnard", table, alternative)
        theirs = sps.barnard_exact(scipy_table, alternative=alternative)
        assert ours[0] == pytest.approx(theirs.statistic, rel=1e-12)
        assert ours[1] >= theirs.pvalue * (1 - 1e-12)
        ours = _test("boschloo", table, alternative)
        theirs_b = sps.boschloo_exact(scipy_table, alternative=alternative)
        assert ours[0] == pytest.approx(theirs_b.statistic, rel=1e-12)
        assert ours[1] == pytest.approx(theirs_b.pvalue, rel=1e-9)


def test_boschloo_ties_near_one_are_exact() -> None:
    # Issue 12: 1/17 against 16/17, "greater". The observed one-sided Fisher p-value is
    # 1 - 1/C(34, 17) = 1 - 4.3e-10; a relative tie tolerance of 1e-9 merged it with the
    # tables whose Fisher p-value is exactly 1 and gave p = 1. With exact ties (the exact
    # rational reference above, and tests/reference/exact_unconditional_brute.py, mpmath and
    # fractions: 0.999984741211) the p-value is 0.999985.
    _, pvalue = _test("boschloo", (1, 17, 16, 17), "greater")
    expected = float(exact_reference("boschloo", (1, 17, 16, 17), "greater"))
    assert pvalue == pytest.approx(expected, rel=1e-9)
    assert round(pvalue, 6) == 0.999985
    # The mirror image and its "less" test are the same test.
    _, mirrored = _test("boschloo", (16, 17, 1, 17), "less")
    assert mirrored == pytest.approx(pvalue, rel=1e-12)


@pytest.mark.parametrize(
    "table", [(1, 17, 16, 17), (0, 12, 11, 12), (2, 20, 17, 19), (1, 9, 8, 10), (3, 6, 3, 6)]
)
def test_boschloo_exact_ties_both_sides(table: tuple[int, int, int, int]) -> None:
    for alternative in ALTERNATIVES:
        _, pvalue = _test("boschloo", table, alternative)
        expected = float(exact_reference("boschloo", table, alternative))
        assert pvalue == pytest.approx(expected, rel=1e-9), alternative


def test_scipy_loses_tied_tables() -> None:
    # 3/5 vs 1/7, two-sided: the table 2/5 vs 6/7 has |Z| = |Z_obs| in exact arithmetic
    # (Z = -1.65615734242164980 against 1.65615734242165 in floating point), so scipy drops
    # it and reports 0.161799 (scipy 1.17.1). The exact reference includes it: 0.164904.
    _, pvalue = _test("barnard", (3, 5, 1, 7), "two-sided")
    theirs = sps.barnard_exact([[3, 1], [2, 6]]).pvalue
    assert theirs == pytest.approx(0.16179930302546447, rel=1e-9)
    assert pvalue == pytest.approx(float(exact_reference("barnard", (3, 5, 1, 7), "two-sided")))
    assert pvalue > theirs * 1.01


# Tables where scipy 1.17.1 (n=32) stops at a local maximum: with scipy's own region the
# supremum is ours (no ties are involved), and it lies near pi = 1 (0.994, 0.992, 0.988 by
# the exact reference's branch and bound), where a narrow spike from the diagonals with few
# non-events is missed by 32 Sobol points.
SCIPY_MISSES = {
    (9, 81, 26, 147): 0.10092816773367859,
    (25, 65, 49, 103): 0.13723006431870005,
    (49, 72, 119, 149): 0.03287633072480669,
}


@pytest.mark.parametrize("table", list(SCIPY_MISSES))
def test_scipy_misses_the_supremum(table: tuple[int, int, int, int]) -> None:
    a, n1, c, n2 = table
    _, pvalue = _test("barnard", table, "less")
    assert pvalue == pytest.approx(float(exact_reference("barnard", table, "less")), rel=1e-9)
    theirs = sps.barnard_exact([[a, c], [n1 - a, n2 - c]], alternative="less").pvalue
    assert theirs == pytest.approx(SCIPY_MISSES[table], rel=1e-6)
    assert pvalue > 1.1 * theirs


@pytest.mark.parametrize("table", [(3, 5, 1, 7), (0, 10, 5, 10), (9, 14, 2, 11), (0, 4, 5, 5)])
def test_unpooled_matches_exact_reference_and_scipy(table: tuple[int, int, int, int]) -> None:
    a, n1, c, n2 = table
    for alternative in ALTERNATIVES:
        statistic, pvalue = unconditional.barnard_unpooled(*_counts(*table), alternative)
        assert statistic is not None
        expected = float(exact_reference("barnard-unpooled", table, alternative))
        assert float(pvalue[0]) == pytest.approx(expected, rel=1e-9)
        theirs = sps.barnard_exact([[a, c], [n1 - a, n2 - c]], alternative, pooled=False)
        assert float(statistic[0]) == pytest.approx(theirs.statistic, rel=1e-12)
        # scipy loses the tied table here too for 3/5 vs 1/7 (two-sided): 0.1618 vs 0.1649.
        assert float(pvalue[0]) >= theirs.pvalue * (1 - 1e-12)


def test_unpooled_infinite_statistic() -> None:
    # 0/4 vs 5/5: no variance in either arm, Z = -inf (as scipy); only tables with Z = -inf
    # (0/4 vs 5/5) are as extreme, p = max pi^5 (1 - pi)^4.
    statistic, pvalue = unconditional.barnard_unpooled(*_counts(0, 4, 5, 5), "less")
    assert statistic is not None
    assert statistic[0] == -np.inf
    assert pvalue[0] == pytest.approx((5 / 9) ** 5 * (4 / 9) ** 4, rel=1e-9)


# --------------------------------------------------------------------------------------------
# Degenerate tables, API, batches


@pytest.mark.parametrize("table", [(0, 5, 0, 7), (5, 5, 7, 7), (0, 1, 0, 1), (300, 300, 2, 2)])
def test_no_events_or_only_events(table: tuple[int, int, int, int]) -> None:
    for alternative in ALTERNATIVES:
        assert _test("barnard", table, alternative) == (0.0, 1.0)
        assert _test("boschloo", table, alternative) == (1.0, 1.0)


def test_registered_with_all_alternatives(core: rk.BinaryOutcome) -> None:
    for method in METHODS:
        assert rkb.TEST_METHODS[method] == ALTERNATIVES
    res = rk.hypothesis_test(core, method="barnard")
    assert res.method == "barnard"
    assert res.pvalue == pytest.approx(0.04893571694033536, rel=1e-9)  # scipy, as above
    res = rk.hypothesis_test(core, method="boschloo", alternative="less")
    assert res.pvalue == pytest.approx(0.02460231276458068, rel=1e-9)


def test_batch_shape_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(20240611)
    n1 = rng.integers(1, 60, size=(3, 4))
    n2 = rng.integers(1, 60, size=(3, 4))
    a = rng.integers(0, n1 + 1)
    c = rng.integers(0, n2 + 1)
    n1[0, 0], n2[0, 0], a[0, 0], c[0, 0] = 218, 216, 64, 83
    for method in METHODS:
        whole = rkb.hypothesis_test(a, n1, c, n2, method=method)
        assert whole.pvalue.shape == (3, 4)
        # Tiny blocks force chunking over tables, rows of the sample space and the grid.
        monkeypatch.setattr(unconditional, "BLOCK_CELLS", 997)
        blocked = rkb.hypothesis_test(a, n1, c, n2, method=method)
        monkeypatch.undo()
        np.testing.assert_array_equal(blocked.pvalue, whole.pvalue)
        for idx in np.ndindex(a.shape):
            one = rkb.hypothesis_test(a[idx], n1[idx], c[idx], n2[idx], method=method)
            assert one.pvalue[()] == whole.pvalue[idx]


def test_empty_batch() -> None:
    for method in METHODS:
        res = rkb.hypothesis_test(
            np.zeros(0, dtype=int),
            np.ones(0, dtype=int),
            np.zeros(0, dtype=int),
            np.ones(0, dtype=int),
            method=method,
        )
        assert res.pvalue.shape == (0,)


# --------------------------------------------------------------------------------------------
# Properties


@settings(max_examples=20)
@given(outcomes(max_total=40))
def test_properties(outcome: rk.BinaryOutcome) -> None:
    t, c = outcome.treatment, outcome.control
    table = (t.events, t.total, c.events, c.total)
    swapped = (c.events, c.total, t.events, t.total)
    for method in METHODS:
        p = {alt: _test(method, table, alt) for alt in ALTERNATIVES}
        q = {alt: _test(method, swapped, alt) for alt in ALTERNATIVES}
        for alt in ALTERNATIVES:
            assert 0.0 <= p[alt][1] <= 1.0
        # Swapping the arms swaps "less" and "greater" and leaves "two-sided".
        assert q["less"][1] == pytest.approx(p["greater"][1], rel=1e-10)
        assert q["greater"][1] == pytest.approx(p["less"][1], rel=1e-10)
        assert q["two-sided"][1] == pytest.approx(p["two-sided"][1], rel=1e-10)
        if method == "barnard":
            assert q["less"][0] == pytest.approx(-p["less"][0], rel=1e-12, abs=1e-15)
            # The two-sided region holds the one-sided region of the observed direction.
            side = "less" if p["less"][0] <= 0 else "greater"
            assert p["two-sided"][1] >= p[side][1] * (1 - 1e-12)
        else:
            # Boschloo never exceeds Fisher's one-sided p-value (its own statistic).
            for alt in ("less", "greater"):
                assert p[alt][1] <= p[alt][0] * (1 + 1e-9)
                fisher = rkb.hypothesis_test(*table, method="fisher", alternative=alt)
                assert p[alt][0] == pytest.approx(float(fisher.pvalue[()]), rel=1e-9)


@settings(max_examples=15)
@given(st.lists(outcomes(max_total=30), min_size=1, max_size=4))
def test_batch_equals_scalar(tables: list[rk.BinaryOutcome]) -> None:
    a, n1, c, n2 = (
        np.array([getattr(getattr(o, arm), f) for o in tables])
        for arm, f in (
            ("treatment", "events"),
            ("treatment", "total"),
            ("control", "events"),
            ("control", "total"),
        )
    )
    for method in METHODS:
        for alt in ALTERNATIVES:
            batch = rkb.hypothesis_test(a, n1, c, n2, method=method, alternative=alt)
            for i, o in enumerate(tables):
                one = rk.hypothesis_test(o, method=method, alternative=alt)
                assert one.pvalue == batch.pvalue[i]
                assert batch.statistic is not None
                assert one.statistic == batch.statistic[i]


def test_huge_tables_are_refused_with_an_explanation() -> None:
    # N = 2e9 would take hours: refused with the limit and the alternatives named.
    import rctkit as rk

    n = 1_000_000_000
    o = rk.BinaryOutcome.from_counts(treatment=(n // 2, n), control=(n // 2 + 100_000, n))
    for method in ("barnard", "boschloo"):
        with pytest.raises(
            rk.CostLimitError, match=r"at most 10000 participants \(got 2000000000\)"
        ):
            rk.hypothesis_test(o, method=method)


# ---------------------------------------------------------------------------------------------
# The cost of a batch (issue 10)


def test_cost_model_counts_sample_space_and_grid() -> None:
    """(N + 1)(n1 + 1) cells of sample space plus G (N + 1) of nuisance grid, by hand:
    N = 100, n1 = 50: 101 * 51 + 160 * 101 = 21311; N = 20: 21 * 11 + 72 * 21 = 1743
    (G = max(64, ceil(16 sqrt(N))): 160 and 72)."""
    n1, n2 = np.array([50, 10]), np.array([50, 10])
    assert unconditional.cost_cells(n1, n2) == 21311 + 1743
    assert unconditional.cost_cells(n1, n2, passes=2) == 2 * (21311 + 1743)
    # Broadcast margins count once per table.
    assert unconditional.cost_cells(np.array([50]), np.array([50, 50, 50])) == 3 * 21311


@pytest.mark.parametrize("sizes", [(5000, 5000), (9999, 1), (1, 9999)])
def test_one_table_at_the_size_limit_is_within_the_budget(sizes: tuple[int, int]) -> None:
    n1, n2 = (np.array([s]) for s in sizes)
    for test, passes in (("barnard", 1), ("boschloo", 2)):
        unconditional.check_cost(n1, n2, test, passes)  # no CostLimitError
        assert unconditional.cost_cells(n1, n2, passes) <= unconditional.MAX_BATCH_CELLS


@pytest.mark.parametrize(
    ("method", "alternative"),
    [("barnard", "two-sided"), ("barnard-unpooled", "less"), ("boschloo", "greater")],
)
def test_a_batch_beyond_the_budget_is_refused_before_any_work(
    method: str, alternative: str
) -> None:
    """Issue 10: batches had no bound (50,000 tables of 120 took 115 s, 200,000 would take
    about 8 minutes). 200,000 tables of 60 participants cost 61 * 31 + 124 * 61 = 9455 cells
    each, 1.9e9 in all: refused for the whole batch, although each chunk of 65,536 tables
    (6.2e8 cells) is within the budget."""
    a = np.full(200_000, 10)
    n = np.full(200_000, 30)
    with pytest.raises(rk.CostLimitError) as info:
        rkb.hypothesis_test(a, n, a + 1, n, method=method, alternative=alternative)
    message = str(info.value)
    assert "of these 200000 tables would cost about 1.9e+09 cells" in message
    assert "the limit for one call is 1e+09 cells" in message
    assert 'method="fisher" or "fisher-midp"' in message and "smaller batches" in message


def test_two_sided_boschloo_counts_both_passes() -> None:
    # 100,000 tables of 60 participants: 9.5e8 cells, 1.9e9 for the two one-sided passes.
    a, n = np.full(100_000, 10), np.full(100_000, 30)
    with pytest.raises(rk.CostLimitError, match=r"Boschloo's test of these 100000 tables"):
        rkb.hypothesis_test(a, n, a + 1, n, method="boschloo")


MAX = rk.MAX_COUNT
LARGE_TABLES = [
    (0, MAX, 0, MAX),
    (MAX, MAX, MAX, MAX),
    (1, MAX, 0, MAX),
    (MAX // 2, MAX, MAX // 2 + 12345, MAX),
    (5, MAX, 7, 20),
    (3, 9, 999_999_999_999, MAX),
    (0, 1, 1, 1),
]


@pytest.mark.parametrize("table", LARGE_TABLES)
def test_every_test_method_at_max_count_answers_or_refuses(
    table: tuple[int, int, int, int],
) -> None:
    """``hypothesis_test`` with every method and alternative, counts up to MAX_COUNT: a
    p-value in [0, 1], or for the unconditional tests beyond their size a CostLimitError."""
    a, n1, c, n2 = table
    outcome = rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
    for method, alternatives in rkb.TEST_METHODS.items():
        for alternative in alternatives:
            if method in ("barnard", "barnard-unpooled", "boschloo") and n1 + n2 > 10_000:
                with pytest.raises(rk.CostLimitError, match="at most 10000 participants"):
                    rk.hypothesis_test(outcome, method=method, alternative=alternative)
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", rk.RctkitWarning)
                result = rk.hypothesis_test(outcome, method=method, alternative=alternative)
            assert 0.0 <= result.pvalue <= 1.0, (method, alternative)

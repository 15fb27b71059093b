"""The count-based bootstrap (rctkit.bootstrap).

References used below, all computed in this file independently of the module:

* Brute-force exact bootstrap: the product of the two binomial distributions in exact rational
  arithmetic (``fractions.Fraction``, ``math.comb``), with the statistic as a Fraction, sorted,
  and the inverse distribution function read off exactly.
* The full (n1 + 1) x (n2 + 1) grid of resampled counts with scipy's binomial pmf, without
  truncation, for the CORE table (too large for Fractions to be quick).
* The jackknife acceleration by leaving out each of the individual 0/1 observations in turn,
  following scipy.stats._resampling._bca_interval (scipy 1.17) line by line.
* scipy.stats.bootstrap itself: (i) on the same replicate set (``bootstrap_result`` with
  ``n_resamples=0``) it must give the same interval; (ii) on the individual CORE data with its
  own resamples it must agree within Monte Carlo error.

Monte Carlo results are checked against the exact bootstrap with bounds derived from B: the
type-7 quantile at level q of B replicates lies between order statistics m = floor((B-1)q) + 1
and m + 1, and #{X* < Q(r)} ~ Bin(B, pi) with pi <= r, so P(X*_(m) < Q(r)) <=
P(Bin(B, r) >= m) = I_r(m, B - m + 1); r is chosen as the beta quantile making that delta
(and symmetrically above). Every bound uses delta = 1e-8 and the union over all bounds in this
file stays below 1e-6; the generators are seeded, so the tests are deterministic anyway.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import re
import types
import warnings
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

import rctkit as rk
from rctkit.bootstrap import BootstrapEstimate, acceleration, bootstrap
from tests.strategies import outcomes

FloatArray = npt.NDArray[np.float64]
Table = tuple[int, int, int, int]

CORE: Table = (64, 218, 83, 216)  # Johnson et al., Lancet 2018 (CORE trial), readmission
SMALL: Table = (3, 7, 5, 9)
MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")
DELTA = 1e-8


def outcome(table: Table) -> rk.BinaryOutcome:
    a, n1, c, n2 = table
    return rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))


# ---------------------------------------------------------------------------------------------
# Independent references


def fraction_statistic(measure: str, a: int, n1: int, c: int, n2: int) -> Fraction | None:
    """The plug-in measure as an exact rational; None when undefined, math.inf as a marker."""
    b, d = n1 - a, n2 - c
    if measure == "risk_difference":
        return Fraction(a, n1) - Fraction(c, n2)
    num, den = (a * d, b * c) if measure == "odds_ratio" else (a * n2, c * n1)
    if den == 0:
        return None if num == 0 else Fraction(10**30)  # stands for inf; floats to 1e30
    return Fraction(num, den)


def brute_force_exact(
    measure: str, table: Table
) -> tuple[list[tuple[Fraction, Fraction]], Fraction]:
    """Sorted (value, probability) of the defined replicates, and the undefined probability."""
    a, n1, c, n2 = table
    p1, p2 = Fraction(a, n1), Fraction(c, n2)
    pairs: list[tuple[Fraction, Fraction]] = []
    undefined = Fraction(0)
    for i in range(n1 + 1):
        pi = math.comb(n1, i) * p1**i * (1 - p1) ** (n1 - i)
        for j in range(n2 + 1):
            pj = math.comb(n2, j) * p2**j * (1 - p2) ** (n2 - j)
            value = fraction_statistic(measure, i, n1, j, n2)
            if value is None:
                undefined += pi * pj
            else:
                pairs.append((value, pi * pj))
    pairs.sort()
    return pairs, undefined


def fraction_quantile(pairs: list[tuple[Fraction, Fraction]], level: float) -> float:
    """inf{x : F(x) >= level} with F the distribution conditional on a defined value."""
    total = sum(p for _, p in pairs)
    target = Fraction(level) * total
    cumulative = Fraction(0)
    for value, p in pairs:
        cumulative += p
        if cumulative >= target:
            return math.inf if value == 10**30 else float(value)
    raise AssertionError("level above 1")


def distance_to_cdf(pairs: list[tuple[Fraction, Fraction]], level: float) -> float:
    """How close ``level`` is to a value of the distribution function (floats can't resolve
    a quantile whose level sits on a jump of F)."""
    total = sum(p for _, p in pairs)
    cumulative = Fraction(0)
    best = math.inf
    for _, p in pairs:
        cumulative += p
        best = min(best, abs(float(cumulative / total) - level))
    return best


def grid_distribution(measure: str, table: Table) -> tuple[FloatArray, FloatArray]:
    """Every pair (a*, c*) of the full grid with scipy's binomial pmf; sorted defined values."""
    a, n1, c, n2 = table
    i = np.arange(n1 + 1, dtype=np.float64)[:, None]
    j = np.arange(n2 + 1, dtype=np.float64)[None, :]
    prob = stats.binom.pmf(i, n1, a / n1) * stats.binom.pmf(j, n2, c / n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "odds_ratio":
            values = i * (n2 - j) / ((n1 - i) * j)
        elif measure == "risk_ratio":
            values = (i * n2) / (j * n1)
        else:
            values = (i * n2 - j * n1) / (n1 * n2)
    values, prob = np.broadcast_arrays(values, prob)
    keep = ~np.isnan(values)
    order = np.argsort(values[keep], kind="stable")
    return values[keep][order], prob[keep][order] / prob[keep].sum()


def grid_quantile(dist: tuple[FloatArray, FloatArray], level: float) -> float:
    values, prob = dist
    cdf = np.cumsum(prob)
    return float(values[min(int(np.searchsorted(cdf, level, side="left")), values.size - 1)])


def individual_data(table: Table) -> tuple[FloatArray, FloatArray]:
    a, n1, c, n2 = table
    x = np.r_[np.ones(a), np.zeros(n1 - a)]
    y = np.r_[np.ones(c), np.zeros(n2 - c)]
    return x, y


def odds_ratio_of_samples(x: FloatArray, y: FloatArray, axis: int = -1) -> FloatArray:
    """The plug-in odds ratio of two 0/1 samples (the statistic handed to scipy)."""
    a, c = x.sum(axis=axis), y.sum(axis=axis)
    b, d = x.shape[axis] - a, y.shape[axis] - c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((a * d) / (b * c), dtype=np.float64)


def brute_force_acceleration(measure: str, table: Table) -> float:
    """scipy.stats._resampling._bca_interval's jackknife on the individual 0/1 data."""
    x, y = individual_data(table)
    samples = [x, y]

    def stat(s0: FloatArray, s1: FloatArray) -> float:
        a, c = int(s0.sum()), int(s1.sum())
        value = fraction_statistic(measure, a, s0.size, c, s1.size)
        assert value is not None
        return math.inf if value == 10**30 else float(value)

    nums, dens = [], []
    for k, sample in enumerate(samples):
        theta_i = []
        for i in range(sample.size):
            left_out = np.delete(sample, i)
            args = [left_out, samples[1]] if k == 0 else [samples[0], left_out]
            theta_i.append(stat(*args))
        theta = np.array(theta_i)
        n = float(theta.size)
        with np.errstate(invalid="ignore"):
            u = (n - 1) * (theta.mean() - theta)
        nums.append(np.sum(u**3) / n**3)
        dens.append(np.sum(u**2) / n**2)
    return float(1 / 6 * sum(nums) / sum(dens) ** 1.5)


def bca_levels(z0: float, accel: float, level: float) -> tuple[float, float]:
    """Efron and Tibshirani 1993, eq. 14.10."""
    alpha = (1 - level) / 2
    z = special.ndtri(alpha)
    low = special.ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z)))
    high = special.ndtr(z0 + (z0 - z) / (1 - accel * (z0 - z)))
    return float(low), float(high)


def order_statistic_levels(q_low: float, q_high: float, B: int) -> tuple[float, float]:
    """Levels r, s such that the type-7 quantile of B replicates at any level in
    [q_low, q_high] lies in [Q(r), Q(s)] with probability at least 1 - 2 * DELTA."""
    m_low = math.floor((B - 1) * q_low) + 1
    m_high = min(math.floor((B - 1) * q_high) + 2, B)
    r = stats.beta.ppf(DELTA, m_low, B - m_low + 1)
    s = stats.beta.ppf(1 - DELTA, m_high, B - m_high + 1)
    return float(r), float(s)


@contextlib.contextmanager
def warns_all(*patterns: str) -> Iterator[None]:
    """Expect RctkitWarnings matching every pattern (and no other warning)."""
    with pytest.warns(rk.RctkitWarning) as record:
        yield
    messages = [str(w.message) for w in record]
    for pattern in patterns:
        assert any(re.search(pattern, m) for m in messages), (pattern, messages)


def quiet_bootstrap(table: rk.BinaryOutcome, **kwargs: Any) -> BootstrapEstimate:
    """The bootstrap with its RctkitWarnings silenced (for the property tests)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        return bootstrap(table, **kwargs)


# ---------------------------------------------------------------------------------------------
# The exact bootstrap against brute force


@pytest.mark.parametrize("measure", MEASURES)
def test_exact_distribution_matches_brute_force(measure: str) -> None:
    _, undefined = brute_force_exact(measure, SMALL)
    if undefined:
        with pytest.warns(rk.RctkitWarning, match="undefined"):
            res = bootstrap(outcome(SMALL), measure=measure, n_resamples=None)
    else:
        res = bootstrap(outcome(SMALL), measure=measure, n_resamples=None)
    # No tail of these binomials is below 1e-20: the whole 8 x 10 grid is enumerated.
    assert res.values.size == 8 * 10
    assert res.truncated_mass == 0.0
    assert res.undefined == pytest.approx(float(undefined), rel=1e-12, abs=0)
    assert float(np.sum(res.weights)) == pytest.approx(1.0, rel=1e-14)
    expected = {
        (i, j): math.comb(7, i)
        * math.comb(9, j)
        * Fraction(3, 7) ** i
        * Fraction(4, 7) ** (7 - i)
        * Fraction(5, 9) ** j
        * Fraction(4, 9) ** (9 - j)
        for i in range(8)
        for j in range(10)
    }
    for i, j, w in zip(res.treatment_events, res.control_events, res.weights, strict=True):
        assert w == pytest.approx(float(expected[int(i), int(j)]), rel=1e-12)
    estimate = fraction_statistic(measure, *SMALL)
    assert estimate is not None
    assert res.estimate == float(estimate)


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("level", [0.8, 0.95])
def test_exact_percentile_and_basic_match_brute_force(measure: str, level: float) -> None:
    pairs, _ = brute_force_exact(measure, SMALL)
    alpha = (1 - level) / 2
    for q in (alpha, 1 - alpha):
        assert distance_to_cdf(pairs, q) > 1e-9  # the quantile is well defined in floats
    low, high = fraction_quantile(pairs, alpha), fraction_quantile(pairs, 1 - alpha)
    res = quiet_bootstrap(
        outcome(SMALL), measure=measure, n_resamples=None, confidence_level=level
    )
    assert tuple(res.ci) == (low, high)
    basic = quiet_bootstrap(
        outcome(SMALL),
        measure=measure,
        method="basic",
        n_resamples=None,
        confidence_level=level,
    )
    est = res.estimate
    lo_range, hi_range = (-1.0, 1.0) if measure == "risk_difference" else (0.0, math.inf)
    expected_basic = (
        max(2 * est - high if math.isfinite(high) else -math.inf, lo_range),
        min(2 * est - low, hi_range),
    )
    assert tuple(basic.ci) == pytest.approx(expected_basic, rel=1e-14)


@pytest.mark.parametrize("measure", MEASURES)
def test_exact_bca_matches_brute_force(measure: str) -> None:
    pairs, _ = brute_force_exact(measure, SMALL)
    estimate = fraction_statistic(measure, *SMALL)
    assert estimate is not None
    total = sum(p for _, p in pairs)
    below = sum(p for v, p in pairs if v < estimate)
    at_or_below = sum(p for v, p in pairs if v <= estimate)
    z0 = float(special.ndtri(float((below + at_or_below) / (2 * total))))
    accel = brute_force_acceleration(measure, SMALL)
    levels = bca_levels(z0, accel, 0.95)
    for q in levels:
        assert distance_to_cdf(pairs, q) > 1e-9
    res = quiet_bootstrap(outcome(SMALL), measure=measure, method="bca", n_resamples=None)
    assert res.bias_correction == pytest.approx(z0, rel=1e-12)
    assert res.acceleration == pytest.approx(accel, rel=1e-12)
    assert tuple(res.ci) == (
        fraction_quantile(pairs, levels[0]),
        fraction_quantile(pairs, levels[1]),
    )


def test_exact_standard_error_matches_brute_force() -> None:
    pairs, _ = brute_force_exact("risk_difference", SMALL)
    mean = sum(v * p for v, p in pairs)
    variance = sum((v - mean) ** 2 * p for v, p in pairs)
    res = bootstrap(outcome(SMALL), measure="risk_difference", n_resamples=None)
    assert res.standard_error == pytest.approx(math.sqrt(variance), rel=1e-12)
    # An odds ratio with positive probability of a zero-count control arm has infinite spread.
    with pytest.warns(rk.RctkitWarning, match="undefined"):
        assert bootstrap(outcome(SMALL), n_resamples=None).standard_error == math.inf


@pytest.mark.parametrize("measure", MEASURES)
def test_exact_core_matches_full_grid(measure: str) -> None:
    grid = grid_distribution(measure, CORE)
    res = bootstrap(outcome(CORE), measure=measure, n_resamples=None)
    expected = (grid_quantile(grid, 0.025), grid_quantile(grid, 0.975))
    assert tuple(res.ci) == pytest.approx(expected, rel=1e-15)
    assert 0 < res.truncated_mass < 1e-19


def test_acceleration_closed_form_matches_jackknife() -> None:
    for table in (SMALL, CORE, (1, 5, 4, 5), (10, 11, 2, 30)):
        for measure in MEASURES:
            expected = brute_force_acceleration(measure, table)
            assert acceleration(measure, *table) == pytest.approx(
                expected, rel=1e-10, abs=1e-15, nan_ok=True
            )
    # 10/11: leaving out the one treatment non-event makes the odds ratio infinite.
    assert math.isnan(acceleration("odds_ratio", 10, 11, 2, 30))


# ---------------------------------------------------------------------------------------------
# Monte Carlo: same replicates as scipy, and convergence to the exact bootstrap


@pytest.mark.parametrize("method", ["percentile", "basic", "bca"])
@pytest.mark.parametrize("level", [0.9, 0.95])
def test_same_replicates_same_interval_as_scipy(method: str, level: float) -> None:
    """scipy.stats.bootstrap handed our replicates (n_resamples=0) gives our interval."""
    res = bootstrap(
        outcome(CORE), method=method, n_resamples=20_000, confidence_level=level, rng=11
    )
    previous = types.SimpleNamespace(bootstrap_distribution=res.replicates())
    theirs = stats.bootstrap(
        individual_data(CORE),
        odds_ratio_of_samples,
        n_resamples=0,
        bootstrap_result=previous,
        method=method,
        confidence_level=level,
        vectorized=True,
    )
    ci = theirs.confidence_interval
    # BCa: the acceleration is summed in another order, which moves the levels by ~1e-16.
    rel = 1e-9 if method == "bca" else 1e-14
    assert tuple(res.ci) == pytest.approx((ci.low, ci.high), rel=rel)
    assert res.standard_error == pytest.approx(theirs.standard_error, rel=1e-10)


def test_infinite_replicates_take_the_limit() -> None:
    """With infinite replicates scipy and numpy interpolate to nan; rctkit takes the limit."""
    res = quiet_bootstrap(outcome((9, 10, 5, 10)), n_resamples=999, rng=3, confidence_level=0.9)
    replicates = res.replicates()
    assert np.isinf(replicates).any()
    finite = np.where(np.isinf(replicates), 1e300, replicates)
    expected = np.quantile(finite[~np.isnan(finite)], [0.05, 0.95])
    expected = np.where(expected > 1e290, np.inf, expected)
    assert tuple(res.ci) == tuple(expected)


@pytest.mark.parametrize(
    ("measure", "seed"), [("odds_ratio", 1), ("risk_ratio", 2), ("risk_difference", 3)]
)
def test_monte_carlo_percentile_converges_to_exact(measure: str, seed: int) -> None:
    B = 100_000
    grid = grid_distribution(measure, CORE)
    res = bootstrap(outcome(CORE), measure=measure, n_resamples=B, rng=seed)
    assert int(np.sum(res.weights)) == B
    for limit, q in zip(res.ci, (0.025, 0.975), strict=True):
        r, s = order_statistic_levels(q, q, B)
        assert grid_quantile(grid, r) <= limit <= grid_quantile(grid, s)


def bca_bounds(
    grid: tuple[FloatArray, FloatArray], estimate: float, accel: float, B: int
) -> list[tuple[float, float]]:
    """Where a Monte Carlo BCa interval from B replicates must lie: z0's Monte Carlo error
    from binomial bounds on #{X* < est} and #{X* <= est}, then the order-statistic bounds."""
    values, prob = grid
    shares = []
    for p in (prob[values < estimate].sum(), prob[values <= estimate].sum()):
        shares.append((stats.binom.ppf(DELTA, B, p), stats.binom.isf(DELTA, B, p)))
    z0_range = [special.ndtri((shares[0][k] + shares[1][k]) / (2 * B)) for k in (0, 1)]
    level_sets = [bca_levels(z0, accel, 0.95) for z0 in z0_range]
    bounds = []
    for side in (0, 1):
        q_low = min(lv[side] for lv in level_sets)
        q_high = max(lv[side] for lv in level_sets)
        r, s = order_statistic_levels(q_low, q_high, B)
        bounds.append((grid_quantile(grid, r), grid_quantile(grid, s)))
    return bounds


def test_bca_agrees_with_scipy_within_monte_carlo_error() -> None:
    grid = grid_distribution("odds_ratio", CORE)
    estimate = 64 * 133 / (154 * 83)
    accel = brute_force_acceleration("odds_ratio", CORE)
    assert abs(accel) * 3 < 1  # the BCa levels are then increasing in z0
    ours = bootstrap(outcome(CORE), method="bca", n_resamples=100_000, rng=5)
    for limit, (lo, hi) in zip(ours.ci, bca_bounds(grid, estimate, accel, 100_000), strict=True):
        assert lo <= limit <= hi
    B = 20_000
    theirs = stats.bootstrap(
        individual_data(CORE),
        odds_ratio_of_samples,
        n_resamples=B,
        method="bca",
        vectorized=True,
        rng=np.random.default_rng(6),
    )
    ci = theirs.confidence_interval
    for limit, (lo, hi) in zip(
        (ci.low, ci.high), bca_bounds(grid, estimate, accel, B), strict=True
    ):
        assert lo <= limit <= hi
    # And so the two agree within the sum of their Monte Carlo bounds.


def test_multinomial_histogram_has_binomial_margins() -> None:
    B = 200_000
    res = bootstrap(outcome(CORE), measure="risk_difference", n_resamples=B, rng=8)
    for events, n, p in (
        (res.treatment_events, 218, 64 / 218),
        (res.control_events, 216, 83 / 216),
    ):
        counts = np.bincount(events, weights=res.weights, minlength=n + 1)
        expected = B * stats.binom.pmf(np.arange(n + 1), n, p)
        keep = expected >= 5  # pool the tails into one cell each
        first, last = np.flatnonzero(keep)[[0, -1]]
        obs = np.r_[counts[:first].sum(), counts[keep], counts[last + 1 :].sum()]
        exp = np.r_[expected[:first].sum(), expected[keep], expected[last + 1 :].sum()]
        exp *= obs.sum() / exp.sum()
        assert stats.chisquare(obs, exp).pvalue > 1e-6


def test_per_draw_path_for_huge_arms() -> None:
    """Far more pairs than resamples: the resamples are drawn one by one, same distribution."""
    table = (6000, 20000, 7000, 20000)
    B = 3000
    res = bootstrap(outcome(table), measure="risk_difference", n_resamples=B, rng=4)
    assert res.truncated_mass == 0.0
    assert int(np.sum(res.weights)) == B
    exact = bootstrap(outcome(table), measure="risk_difference", n_resamples=None)
    dist = (np.sort(exact.values), exact.probabilities[np.argsort(exact.values)])
    for limit, q in zip(res.ci, (0.025, 0.975), strict=True):
        r, s = order_statistic_levels(q, q, B)
        assert grid_quantile(dist, r) <= limit <= grid_quantile(dist, s)


# ---------------------------------------------------------------------------------------------
# Random numbers


def test_seed_reproducible_and_rng_kinds() -> None:
    core = outcome(CORE)
    first = bootstrap(core, method="bca", rng=123)
    assert bootstrap(core, method="bca", rng=123) == first
    assert bootstrap(core, method="bca", rng=np.int64(123)) == first
    assert bootstrap(core, method="bca", rng=np.random.default_rng(123)) == first
    generator = np.random.default_rng(9)
    one, two = bootstrap(core, rng=generator), bootstrap(core, rng=generator)
    assert not np.array_equal(one.weights, two.weights)  # the generator moved on
    fresh = bootstrap(core, rng=None)
    assert int(np.sum(fresh.weights)) == 9999
    assert bootstrap(core, n_resamples=None, rng=5) == bootstrap(core, n_resamples=None)


# ---------------------------------------------------------------------------------------------
# The result


def test_result_object() -> None:
    res = bootstrap(outcome(CORE), measure="risk_ratio", n_resamples=1000, rng=1)
    assert isinstance(res, rk.Estimate)
    assert res.pvalue is None
    assert res.measure == "risk_ratio"
    assert res.method == "percentile"
    assert res.n_resamples == 1000
    assert res.replicates().shape == (1000,)
    np.testing.assert_array_equal(
        np.sort(res.replicates()),
        np.sort(np.repeat(res.values, np.asarray(res.weights, dtype=np.int64))),
    )
    assert res.probabilities.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="read-only"):
        res.values[0] = 1.0
    low, high = res.ci
    assert low < res.estimate < high
    assert repr(res).startswith("BootstrapEstimate(risk_ratio=0.764, 95% CI ")
    assert "n_resamples=1000" in repr(res)
    assert "Resamples" in res._repr_html_()
    assert hash(res) == hash(
        bootstrap(outcome(CORE), measure="risk_ratio", n_resamples=1000, rng=1)
    )
    assert pickle.loads(pickle.dumps(res)) == res
    exact = bootstrap(outcome(CORE), n_resamples=None)
    assert exact.n_resamples is None
    assert "exact" in repr(exact)
    with pytest.raises(rk.RctkitError, match="no finite set of replicates"):
        exact.replicates()


def test_estimate_is_the_plug_in_estimate() -> None:
    core = outcome(CORE)
    # Woolf's estimate is the same formula, ad / bc, to the last bit.
    assert bootstrap(core, n_resamples=None).estimate == rk.odds_ratio(core).estimate
    assert bootstrap(core, measure="risk_ratio", n_resamples=None).estimate == pytest.approx(
        rk.risk_ratio(core).estimate, rel=1e-15
    )
    assert bootstrap(core, measure="risk_difference", n_resamples=None).estimate == (
        pytest.approx(rk.risk_difference(core).estimate, rel=1e-15)
    )


# ---------------------------------------------------------------------------------------------
# Zero cells and degenerate cases


def test_no_events_in_one_arm() -> None:
    table = outcome((0, 10, 3, 10))
    with warns_all("never varies", "undefined"):
        res = bootstrap(table, n_resamples=None)
    # Every defined replicate has a* = 0: the odds ratio is 0 throughout.
    assert tuple(res.ci) == (0.0, 0.0)
    assert res.undefined == pytest.approx(0.7**10, rel=1e-12)  # P(c* = 0)
    with pytest.warns(rk.RctkitWarning, match="never varies"):
        rd = bootstrap(table, measure="risk_difference", n_resamples=None)
    assert -1 <= rd.ci.low <= rd.ci.high <= 0


def test_no_events_in_either_arm() -> None:
    with warns_all("never varies", "undefined"):
        res = bootstrap(outcome((0, 10, 0, 12)), n_resamples=500, rng=1)
    assert math.isnan(res.estimate)
    assert math.isnan(res.ci.low) and math.isnan(res.ci.high)
    assert res.undefined == 1.0
    with pytest.warns(rk.RctkitWarning, match="never varies"):
        rd = bootstrap(outcome((0, 10, 0, 12)), measure="risk_difference", n_resamples=500, rng=1)
    assert tuple(rd.ci) == (0.0, 0.0)


def test_bca_undefined_when_a_left_out_table_is_infinite() -> None:
    # 9/10 against 5/10: leaving out the one treatment non-event makes the odds ratio infinite.
    with warns_all("BCa interval is undefined"):
        res = bootstrap(outcome((9, 10, 5, 10)), method="bca", n_resamples=999, rng=1)
    assert math.isnan(res.ci.low) and math.isnan(res.ci.high)
    assert res.acceleration is not None and math.isnan(res.acceleration)


def test_basic_interval_clipped_with_warning() -> None:
    with warns_all("clipped", "undefined"):
        res = bootstrap(outcome((1, 5, 4, 5)), method="basic", n_resamples=None)
    assert res.ci.low == 0.0


def test_exact_bootstrap_refuses_enormous_arms() -> None:
    huge = outcome((3_000_000, 10_000_000, 4_000_000, 10_000_000))
    with pytest.raises(rk.InvalidInputError, match="n_resamples"):
        bootstrap(huge, n_resamples=None)


# ---------------------------------------------------------------------------------------------
# Input validation


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"measure": "nnt"}, r"`measure` must be one of .* \(got 'nnt'\)"),
        ({"method": "studentized"}, r"`method` must be one of .* \(got 'studentized'\)"),
        ({"n_resamples": 0}, r"`n_resamples` must be an integer of at least 2 or None .*=0"),
        ({"n_resamples": 1}, r"`n_resamples` must be an integer of at least 2 or None .*=1"),
        ({"n_resamples": -5}, r"`n_resamples` .*-5"),
        (
            {"n_resamples": 99.0},
            r"`n_resamples` must be an integer of at least 2 or None \(got 99.0",
        ),
        ({"n_resamples": True}, r"`n_resamples` .*True"),
        ({"n_resamples": "100"}, r"`n_resamples` .*'100'"),
        ({"n_resamples": 10**16}, r"`n_resamples` must be at most 1e\+15, .*=10000000000000000"),
        ({"confidence_level": 95}, r"`confidence_level` must be strictly between 0 and 1"),
        ({"confidence_level": 1.0}, r"`confidence_level`.*1.0"),
        ({"rng": "seed"}, r"`rng` must be None, an integer seed or a numpy.random.Generator"),
        ({"rng": 1.5}, r"`rng` .*1.5"),
        ({"rng": -1}, r"`rng` must be a non-negative integer seed \(got rng=-1\)"),
        ({"rng": np.random.RandomState(0)}, r"`rng` .*RandomState"),
    ],
)
def test_input_validation(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=match):
        bootstrap(outcome(CORE), **kwargs)  # type: ignore[arg-type]


def test_outcome_must_be_binary_outcome() -> None:
    with pytest.raises(rk.InvalidInputError, match="`outcome` must be a BinaryOutcome"):
        bootstrap((64, 218, 83, 216))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Properties

LEVELS = st.sampled_from([0.8, 0.9, 0.95, 0.99])


@given(outcomes(max_total=25), LEVELS)
def test_exact_swap_inverts_ratios_and_negates_difference(
    table: rk.BinaryOutcome, level: float
) -> None:
    swapped = rk.BinaryOutcome(name="", treatment=table.control, control=table.treatment)
    for measure in MEASURES:
        res = quiet_bootstrap(table, measure=measure, n_resamples=None, confidence_level=level)
        swap = quiet_bootstrap(swapped, measure=measure, n_resamples=None, confidence_level=level)
        if math.isnan(res.estimate):
            assert math.isnan(swap.estimate)
            continue
        if measure == "risk_difference":
            assert swap.ci.low == pytest.approx(-res.ci.high, abs=1e-15)
            assert swap.ci.high == pytest.approx(-res.ci.low, abs=1e-15)
        else:
            with np.errstate(divide="ignore"):
                inverse = (1 / np.float64(res.ci.high), 1 / np.float64(res.ci.low))
            assert swap.ci.low == pytest.approx(inverse[0], rel=1e-14)
            assert swap.ci.high == pytest.approx(inverse[1], rel=1e-14)
        assert swap.undefined == pytest.approx(res.undefined, rel=1e-12)


@given(outcomes(max_total=40), LEVELS, LEVELS, st.sampled_from([None, 200]))
def test_higher_level_gives_nested_interval(
    table: rk.BinaryOutcome, level1: float, level2: float, n_resamples: int | None
) -> None:
    low_level, high_level = sorted((level1, level2))
    for method in ("percentile", "basic"):
        narrow = quiet_bootstrap(
            table, method=method, n_resamples=n_resamples, confidence_level=low_level, rng=1
        )
        wide = quiet_bootstrap(
            table, method=method, n_resamples=n_resamples, confidence_level=high_level, rng=1
        )
        if math.isnan(narrow.estimate):
            continue
        assert wide.ci.low <= narrow.ci.low and narrow.ci.high <= wide.ci.high


@given(
    outcomes(max_total=40),
    st.sampled_from(["percentile", "basic", "bca"]),
    st.sampled_from([None, 300]),
)
def test_limits_within_parameter_space(
    table: rk.BinaryOutcome, method: str, n_resamples: int | None
) -> None:
    for measure in MEASURES:
        res = quiet_bootstrap(
            table, measure=measure, method=method, n_resamples=n_resamples, rng=2
        )
        low, high = res.ci
        if math.isnan(low) or math.isnan(high):
            # Only where the measure is undefined, or BCa's constants are.
            assert math.isnan(res.estimate) or method == "bca"
            continue
        bounds = (-1.0, 1.0) if measure == "risk_difference" else (0.0, math.inf)
        assert bounds[0] <= low <= high <= bounds[1]


@given(outcomes(max_total=60), st.integers(min_value=2, max_value=3000))
def test_monte_carlo_percentile_is_type7_quantile_of_replicates(
    table: rk.BinaryOutcome, n_resamples: int
) -> None:
    res = quiet_bootstrap(table, measure="risk_difference", n_resamples=n_resamples, rng=7)
    alpha = (1 - 0.95) / 2  # as scipy.stats.bootstrap forms it (0.025000000000000022)
    expected = stats.quantile(res.replicates(), np.array([alpha, 1 - alpha]))
    assert tuple(res.ci) == tuple(expected)


def test_method_table_refuses_a_duplicate() -> None:
    from rctkit.bootstrap import _core

    assert _core.METHODS == ("percentile", "basic", "bca")
    with pytest.raises(rk.RctkitError, match="registered twice"):
        _core._register("bca", _core._bca, "BCa")
    assert len(_core._METHODS) == 3


def test_html_has_the_resamples_row() -> None:
    res = bootstrap(outcome(CORE), n_resamples=1000, rng=1)
    assert "<th style='text-align:left'>Resamples</th><td>1,000</td>" in res._repr_html_()
    exact = bootstrap(outcome(CORE), n_resamples=None)
    assert repr(exact).endswith("method='percentile', exact)")

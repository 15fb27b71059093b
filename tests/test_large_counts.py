"""Counts up to ``MAX_COUNT``: no overflow, no silent wrong answer, refusal above it.

References:
- ``tests/reference/large_counts.csv``, written by ``tests/reference/large_counts.py``: mpmath
  (60 digits) hypergeometric log probabilities, tails summed term by term, and R's
  definition of Fisher's two-sided p-value, for tables of 1e9 to 1e12 per arm.
- Closed forms evaluated here in mpmath: Woolf's and Katz's log intervals, the Wald
  risk-difference interval and Pearson's chi-squared p-value.

Issue 10's repros: Fisher p = 1 for 4,999,900,000/1e10 vs 5,000,100,000/1e10 (int64
overflow of the mode), the bootstrap interval -0.236 to -0.236 for 3,333,333,333/1e10 vs
5e9/1e10 (int64 overflow of the pair codes), counts from 2^62 accepted, masked arrays
unmasked, ``n_resamples=1`` and ``confidence_level=0.9999999999999999``.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import math
import warnings
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import hypergeom
from rctkit._kernels.common import cross_difference
from rctkit._kernels.registry import EFFECT_METHODS, TEST_METHODS

MP_DPS = 40
MAX = rk.MAX_COUNT
REFERENCE = Path(__file__).parent / "reference" / "large_counts.csv"
#: Barnard's and Boschloo's tests enumerate the whole table space: refused at these sizes.
UNCONDITIONAL = ("barnard", "barnard-unpooled", "boschloo")


@functools.cache
def _reference_module() -> Any:
    """``tests/reference/large_counts.py``, imported without keeping its mpmath precision."""
    spec = importlib.util.spec_from_file_location(
        "large_counts_reference", REFERENCE.with_suffix(".py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mpmath.workdps(mpmath.mp.dps):
        spec.loader.exec_module(module)
    return module


def _reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open() as handle:
        return list(csv.DictReader(handle))


def _rel(value: float, ref: float) -> float:
    return abs(value - ref) / abs(ref) if ref else abs(value)


@pytest.mark.parametrize(
    "row", _reference_rows(), ids=lambda r: f"{r['a']}/{r['n1']}-{r['c']}/{r['n2']}"
)
def test_hypergeometric_kernel_matches_mpmath(row: dict[str, str]) -> None:
    """Log probability, both tails and Fisher's two-sided p against the mpmath reference."""
    a, n1, c, n2 = (int(row[k]) for k in ("a", "n1", "c", "n2"))
    n, m1 = np.array(n1 + n2), np.array(a + c)
    x, draws = np.array(a), np.array(n1)
    log_pmf = float(hypergeom.logpmf(x, n, m1, draws))
    assert abs(log_pmf - float(row["log_pmf"])) <= 1e-11 * max(1.0, abs(float(row["log_pmf"])))
    for value, ref in (
        (float(hypergeom.lower_tail(x, n, m1, draws)), mpmath.mpf(row["lower"])),
        (float(hypergeom.upper_tail(x, n, m1, draws)), mpmath.mpf(row["upper"])),
        (
            float(rkb.hypothesis_test(a, n1, c, n2, method="fisher").pvalue),
            mpmath.mpf(row["fisher"]),
        ),
    ):
        if ref < 1e-320:  # below float64's smallest subnormal: the right answer is 0
            assert value == 0.0
        else:
            assert _rel(value, float(ref)) <= 1e-10


@pytest.mark.parametrize(
    "row", _reference_rows(), ids=lambda r: f"{r['a']}/{r['n1']}-{r['c']}/{r['n2']}"
)
def test_conditional_pvalues_agree_with_fisher(row: dict[str, str]) -> None:
    """The exact odds-ratio p-value is Fisher's, and the mid-p ones are Fisher's less half the
    probability of the tables tied with the observed one: the observed table itself and, with
    equal arms, its mirror image ``m1 - a`` (the null distribution is then symmetric); no
    other table of these is within 1e-7 of it."""
    a, n1, c, n2 = (int(row[k]) for k in ("a", "n1", "c", "n2"))
    fisher = float(mpmath.mpf(row["fisher"]))
    if fisher < 1e-300 or fisher == 1.0:
        return
    tied = 2 if n1 == n2 and 2 * a != a + c else 1
    half = 0.5 * tied * float(mpmath.exp(mpmath.mpf(row["log_pmf"])))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        exact = rkb.odds_ratio(a, n1, c, n2, method="exact")
        midp = rkb.odds_ratio(a, n1, c, n2, method="midp")
        test_midp = rkb.hypothesis_test(a, n1, c, n2, method="fisher-midp")
    assert exact.pvalue is not None and midp.pvalue is not None
    assert _rel(float(exact.pvalue), fisher) <= 1e-10
    assert _rel(float(midp.pvalue), fisher - half) <= 1e-9
    assert _rel(float(test_midp.pvalue), fisher - half) <= 1e-9


def test_issue_repro_fisher_past_int64() -> None:
    """4,999,900,000/1e10 vs 5,000,100,000/1e10: Fisher p was 1 (int64 overflow of the mode).

    mpmath (``large_counts.csv``): 0.0046779416538286...; Yates's chi-squared, which Fisher's
    test approaches at this size, gives 0.0047 too.
    """
    res = rk.hypothesis_test(
        rk.BinaryOutcome.from_counts(
            treatment=(4_999_900_000, 10**10), control=(5_000_100_000, 10**10)
        ),
        method="fisher",
    )
    assert res.pvalue == pytest.approx(0.0046779416538286494897, rel=1e-10)


def test_issue_repro_bootstrap_past_int64() -> None:
    """3,333,333,333/1e10 vs 5e9/1e10: the OR interval was -0.236 to -0.236 (overflowed pair
    codes). Now it lies around Woolf's interval (0.49997 to 0.50003)."""
    outcome = rk.BinaryOutcome.from_counts(
        treatment=(3_333_333_333, 10**10), control=(5 * 10**9, 10**10)
    )
    res = rk.bootstrap(outcome, n_resamples=2000, rng=1)
    woolf = rk.odds_ratio(outcome, method="wald")
    assert 0 < res.ci.low < woolf.estimate < res.ci.high
    assert res.ci.low == pytest.approx(woolf.ci.low, rel=2e-5)
    assert res.ci.high == pytest.approx(woolf.ci.high, rel=2e-5)
    # the pairs of 1e12-sized arms pass 2^63 as codes: drawn as pairs
    big = rk.BinaryOutcome.from_counts(treatment=(MAX // 3, MAX), control=(MAX // 2, MAX))
    res = rk.bootstrap(big, n_resamples=500, rng=2)
    assert 0.49999 < res.ci.low < 0.5 < res.ci.high < 0.50001


def test_exact_bootstrap_refuses_before_paying() -> None:
    big = rk.BinaryOutcome.from_counts(treatment=(MAX // 3, MAX), control=(MAX // 2, MAX))
    with pytest.raises(rk.CostLimitError, match=r"would enumerate .* pairs"):
        rk.bootstrap(big, n_resamples=None)


def test_too_few_resamples() -> None:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    with pytest.raises(
        rk.InvalidInputError, match=r"`n_resamples` must be an integer of at least 2"
    ):
        rk.bootstrap(core, n_resamples=1)
    with pytest.warns(rk.RctkitWarning, match=r"n_resamples=20 is too few for a 0.95 interval"):
        rk.bootstrap(core, n_resamples=20, rng=1)


@pytest.mark.parametrize(
    "value",
    [MAX + 1, 2**62, 2**62 + 1, 2**63 - 1, 2**63, 2**64, 10**30],
)
def test_counts_above_max_count_are_refused(value: int) -> None:
    msg = r"must be at most 1e\+12 \(rctkit.MAX_COUNT\)"
    with pytest.raises(rk.InvalidInputError, match=msg):
        rk.Counts(1, value)
    with pytest.raises(rk.InvalidInputError, match=msg):
        rkb.odds_ratio(1, [10, value], 1, 10)
    if value < 2**64:
        with pytest.raises(rk.InvalidInputError, match=msg):
            rkb.hypothesis_test(np.array([value], dtype=np.uint64), MAX, 1, 10)
    if value < 2**63:
        with pytest.raises(rk.InvalidInputError, match=msg):
            rkb.risk_ratio(1, np.array([value], dtype=np.int64), 1, 10)


def test_max_count_itself_is_accepted() -> None:
    res = rkb.risk_difference(MAX, MAX, 0, MAX, method="newcombe")
    assert float(res.estimate) == 1.0


def test_masked_arrays_are_refused() -> None:
    events = np.ma.masked_array([1, 2, 3], mask=[False, True, False])
    with pytest.raises(
        rk.InvalidInputError, match=r"`treatment_events` must not be a masked array.*1 masked"
    ):
        rkb.odds_ratio(events, 10, 1, 10)


@pytest.mark.parametrize("level", [0.9999999999999999, 1 - 1e-12, 1e-7, 5e-324])
def test_confidence_level_outside_the_accurate_range(level: float) -> None:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    for method in ("exact", "midp"):
        with pytest.raises(
            rk.InvalidInputError, match=r"`confidence_level` must lie between 1e-06 and 1 - 1e-10"
        ):
            rk.odds_ratio(core, method=method, confidence_level=level)
    with pytest.raises(rk.InvalidInputError, match=r"`confidence_level`"):
        rk.risk_difference(core, method="newcombe", confidence_level=level)


@pytest.mark.parametrize("level", [1e-6, 0.5, 0.999, 1 - 1e-10])
def test_confidence_levels_at_the_edges_are_finite(level: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        for measure, methods in EFFECT_METHODS.items():
            for method in methods:
                for table in ((64, 218, 83, 216), (0, 10, 0, 10), (10, 10, 0, 10)):
                    res = getattr(rkb, measure)(*table, method=method, confidence_level=level)
                    assert not np.isnan(res.low) and not np.isnan(res.high), (measure, method)


# ---------------------------------------------------------------------------------------------
# The property suite: any table up to MAX_COUNT per arm


@st.composite
def big_arm(draw: st.DrawFn) -> tuple[int, int]:
    total = draw(st.sampled_from([10**9, 2**39, MAX]) | st.integers(10**9, MAX))
    shape = draw(st.sampled_from(["zero", "few", "half", "all-but-few", "all", "any"]))
    few = draw(st.integers(0, 10**4))
    events = {
        "zero": 0,
        "few": few,
        "half": total // 2 + few - 5000,
        "all-but-few": total - few,
        "all": total,
        "any": draw(st.integers(0, total)),
    }[shape]
    return events, total


def _woolf(a: int, n1: int, c: int, n2: int, level: float) -> tuple[mpmath.mpf, ...]:
    b, d = n1 - a, n2 - c
    z = mpmath.sqrt(2) * mpmath.erfinv(level)
    log_or = mpmath.log(mpmath.mpf(a) * d / (mpmath.mpf(b) * c))
    se = mpmath.sqrt(mpmath.mpf(1) / a + mpmath.mpf(1) / b + mpmath.mpf(1) / c + mpmath.mpf(1) / d)
    return tuple(mpmath.exp(v) for v in (log_or, log_or - z * se, log_or + z * se))


def _katz(a: int, n1: int, c: int, n2: int, level: float) -> tuple[mpmath.mpf, ...]:
    z = mpmath.sqrt(2) * mpmath.erfinv(level)
    log_rr = mpmath.log((mpmath.mpf(a) / n1) / (mpmath.mpf(c) / n2))
    se = mpmath.sqrt(
        mpmath.mpf(1) / a - mpmath.mpf(1) / n1 + mpmath.mpf(1) / c - mpmath.mpf(1) / n2
    )
    return tuple(mpmath.exp(v) for v in (log_rr, log_rr - z * se, log_rr + z * se))


def _wald_rd(a: int, n1: int, c: int, n2: int, level: float) -> tuple[mpmath.mpf, ...]:
    z = mpmath.sqrt(2) * mpmath.erfinv(level)
    p1, p2 = mpmath.mpf(a) / n1, mpmath.mpf(c) / n2
    se = mpmath.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return p1 - p2, p1 - p2 - z * se, p1 - p2 + z * se


def _haldane_or(a: int, n1: int, c: int, n2: int, level: float) -> tuple[mpmath.mpf, ...]:
    h = mpmath.mpf(1) / 2
    return _woolf_cells(a + h, n1 - a + h, c + h, n2 - c + h, level)


def _woolf_cells(
    a: mpmath.mpf, b: mpmath.mpf, c: mpmath.mpf, d: mpmath.mpf, level: float
) -> tuple[mpmath.mpf, ...]:
    z = mpmath.sqrt(2) * mpmath.erfinv(level)
    log_or = mpmath.log(a * d / (b * c))
    se = mpmath.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return tuple(mpmath.exp(v) for v in (log_or, log_or - z * se, log_or + z * se))


def _agresti_caffo(a: int, n1: int, c: int, n2: int, level: float) -> tuple[mpmath.mpf, ...]:
    """Wald's interval for the difference after one success and one failure per arm; the
    estimate stays the observed difference."""
    z = mpmath.sqrt(2) * mpmath.erfinv(level)
    p1, p2 = mpmath.mpf(a + 1) / (n1 + 2), mpmath.mpf(c + 1) / (n2 + 2)
    se = mpmath.sqrt(p1 * (1 - p1) / (n1 + 2) + p2 * (1 - p2) / (n2 + 2))
    return mpmath.mpf(a) / n1 - mpmath.mpf(c) / n2, p1 - p2 - z * se, p1 - p2 + z * se


def _newcombe(a: int, n1: int, c: int, n2: int, level: float) -> tuple[mpmath.mpf, ...]:
    """Newcombe's hybrid score interval (method 10) from each arm's Wilson limits."""
    z = mpmath.sqrt(2) * mpmath.erfinv(level)

    def wilson(x: int, n: int) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
        p = mpmath.mpf(x) / n
        centre = p + z**2 / (2 * n)
        half = z * mpmath.sqrt(p * (1 - p) / n + z**2 / (4 * mpmath.mpf(n) ** 2))
        return p, (centre - half) / (1 + z**2 / n), (centre + half) / (1 + z**2 / n)

    (p1, l1, u1), (p2, l2, u2) = wilson(a, n1), wilson(c, n2)
    d = p1 - p2
    return (
        d,
        d - mpmath.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + mpmath.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def _pearson_p(a: int, n1: int, c: int, n2: int) -> mpmath.mpf:
    n, m1 = mpmath.mpf(n1 + n2), mpmath.mpf(a + c)
    stat = (
        n * (mpmath.mpf(a) * (n2 - c) - mpmath.mpf(c) * (n1 - a)) ** 2 / (n1 * n2 * m1 * (n - m1))
    )
    return mpmath.erfc(mpmath.sqrt(stat / 2))


#: Interval methods refused above about 520 per arm (tests/test_exact_unconditional.py).
EXACT_UNCONDITIONAL_INTERVALS = ("santner-snell", "chan-zhang", "agresti-min")


@settings(max_examples=60, derandomize=True, deadline=None)
@given(big_arm(), big_arm())
def test_every_method_at_any_size_is_sane_and_matches_closed_forms(
    t: tuple[int, int], c: tuple[int, int]
) -> None:
    """No exception but a documented refusal; limits ordered around the estimate; p-values
    in [0, 1]; and the closed-form methods within 1e-9 of mpmath (relative for ratios and
    p-values, absolute for the difference)."""
    (a, n1), (cc, n2) = t, c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        for measure, methods in EFFECT_METHODS.items():
            for method in methods:
                if method in EXACT_UNCONDITIONAL_INTERVALS:
                    with pytest.raises(rk.CostLimitError, match="exact unconditional"):
                        getattr(rkb, measure)(a, n1, cc, n2, method=method)
                    continue
                res = getattr(rkb, measure)(a, n1, cc, n2, method=method)
                est, low, high = float(res.estimate), float(res.low), float(res.high)
                assert not (math.isnan(low) or math.isnan(high)), (measure, method)
                assert low <= high, (measure, method)
                if not math.isnan(est):
                    assert (
                        low <= est + 1e-12 * abs(est) + 1e-300
                        and est <= high + 1e-12 * abs(high) + 1e-300
                    ), (
                        measure,
                        method,
                        est,
                        low,
                        high,
                    )
        for method in TEST_METHODS:
            if method in UNCONDITIONAL:
                with pytest.raises(rk.CostLimitError, match="at most 10000 participants"):
                    rkb.hypothesis_test(a, n1, cc, n2, method=method)
                continue
            p = float(rkb.hypothesis_test(a, n1, cc, n2, method=method).pvalue)
            assert 0.0 <= p <= 1.0, method
    if 0 < a < n1 and 0 < cc < n2:
        checks = (
            ("odds_ratio", "wald", _woolf, True),
            ("odds_ratio", "haldane", _haldane_or, True),
            ("risk_ratio", "wald", _katz, True),
            ("risk_difference", "wald", _wald_rd, False),
            ("risk_difference", "agresti-caffo", _agresti_caffo, False),
            ("risk_difference", "newcombe", _newcombe, False),
        )
        for measure, method, closed_form, relative in checks:
            res = getattr(rkb, measure)(a, n1, cc, n2, method=method)
            for value, ref in zip(
                (res.estimate, res.low, res.high), closed_form(a, n1, cc, n2, 0.95), strict=True
            ):
                err = (
                    _rel(float(value), float(ref)) if relative else abs(float(value) - float(ref))
                )
                assert err <= 1e-9, (measure, method, value, ref)
        ref_p = _pearson_p(a, n1, cc, n2)
        p = float(rkb.hypothesis_test(a, n1, cc, n2, method="chi2").pvalue)
        if ref_p > 1e-300:
            assert _rel(p, float(ref_p)) <= 1e-9


@settings(max_examples=25, derandomize=True, deadline=None)
@given(
    st.integers(10**9, MAX), st.integers(0, 3000), st.integers(0, 3000), st.integers(10**9, MAX)
)
def test_fisher_rare_events_match_mpmath(n1: int, a: int, c: int, n2: int) -> None:
    """Rare events in huge arms: Fisher's two-sided p against the mpmath reference's own
    definition (R's), summed term by term."""
    with mpmath.workdps(40):
        expected = _reference_module().fisher_two_sided(a, n1, c, n2)
    p = float(rkb.hypothesis_test(a, n1, c, n2, method="fisher").pvalue)
    if expected < 1e-300:
        assert p < 1e-290
    else:
        assert _rel(p, float(expected)) <= 1e-9


@pytest.mark.parametrize("sds", [-25, -12, -6, 6, 12])
def test_far_tails_of_huge_tables_match_mpmath(sds: int) -> None:
    """A table some standard deviations from its mode, 1e8 per arm and 6e7 events: the tail
    below it is summed term by term, cut where the terms (log-concave, so falling at least
    geometrically) drop below e^-45 of the first (at 1e12 per arm the cut took a table 10 SD
    out from 0.9 s to 0.02 s). Reference: ``tests/reference/large_counts.py``'s mpmath sums
    (40 digits), term by term to 1e-40."""
    n1 = n2 = 10**8
    m1 = 6 * 10**7
    sd = math.sqrt(m1 * (2 * n1 - m1) / (4 * (2 * n1)))
    a = m1 // 2 + int(sds * sd)
    n = n1 + n2
    ref = _reference_module()
    with mpmath.workdps(40):
        want_lower = ref.lower_tail(a, n, m1, n1)
        want_upper = ref.upper_tail(a, n, m1, n1)
    args = (np.array(a), np.array(n), np.array(m1), np.array(n1))
    for got, want in (
        (float(hypergeom.lower_tail(*args)), want_lower),
        (float(hypergeom.upper_tail(*args)), want_upper),
    ):
        assert _rel(got, float(want)) <= 1e-10


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(3 * 10**9, MAX), st.integers(1, MAX), st.data())
def test_cross_difference_is_correctly_rounded(n1: int, n2: int, data: st.DataObject) -> None:
    """``ad - bc`` from two products near 1e24 that cancel: the correctly rounded value of the
    exact integer (Python's), where float64 products were off by up to 1e8."""
    a = data.draw(st.integers(0, n1))
    near = a * n2 // n1  # the control events that make the table nearly independent
    c = data.draw(st.sampled_from([near, min(near + 1, n2), near - 1 if near else 0]))
    c = data.draw(st.integers(0, n2)) if data.draw(st.booleans()) else c
    got = cross_difference(np.array([a]), np.array([n1]), np.array([c]), np.array([n2]))
    assert float(got[0]) == float(a * n2 - c * n1)


def test_chi2_and_lr_near_independence_at_1e12() -> None:
    """(1e12 - 5)/1e12 vs (1e12 - 9)/1e12: ad - bc = 4e12 from products near 1e24. Pearson's
    statistic and G^2 against mpmath at 60 digits (closed forms)."""
    a, n1, c, n2 = MAX - 5, MAX, MAX - 9, MAX
    with mpmath.workdps(60):
        n, m1 = mpmath.mpf(n1 + n2), mpmath.mpf(a + c)
        m0 = n - m1
        cells = ((a, n1 * m1 / n), (n1 - a, n1 * m0 / n), (c, n2 * m1 / n), (n2 - c, n2 * m0 / n))
        g2 = 2 * sum(o * mpmath.log(o / e) for o, e in cells)
        x2 = n * mpmath.mpf(a * (n2 - c) - (n1 - a) * c) ** 2 / (n1 * n2 * m1 * m0)
        want_lr, want_chi2 = (
            float(mpmath.erfc(mpmath.sqrt(g2 / 2))),
            float(mpmath.erfc(mpmath.sqrt(x2 / 2))),
        )
    lr = rkb.hypothesis_test(a, n1, c, n2, method="lr")
    assert lr.statistic is not None
    assert float(lr.statistic) == pytest.approx(float(g2), rel=1e-12)  # was 1.15891 vs 1.15894
    assert float(lr.pvalue) == pytest.approx(want_lr, rel=1e-12)
    chi2 = rkb.hypothesis_test(a, n1, c, n2, method="chi2")
    assert float(chi2.pvalue) == pytest.approx(want_chi2, rel=1e-12)

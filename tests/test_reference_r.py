"""rctkit's Wald effect measures and chi-squared / Yates / Fisher tests against R.

Every expected number comes from ``reference/two_by_two_r.csv``, written by
``reference/two_by_two.R`` (R 4.2.2; epitools 0.5-10.1): the Woolf odds ratio, Katz log risk
ratio and Wald risk difference computed from their formulas in R (the OR and RR cross-checked
in that script against ``epitools::oddsratio.wald`` / ``riskratio.wald`` to 1e-13), the Wald
z-test p-values ``2 * pnorm(-|z|)``, ``chisq.test(correct = FALSE / TRUE)`` and
``fisher.test`` (two-sided, "less", "greater"). Regenerate with

    Rscript tests/reference/two_by_two.R > tests/reference/two_by_two_r.csv

Values are compared at a relative tolerance of 1e-8 with no absolute floor, except for a
quantity whose exact value is 0 (checked in integer arithmetic): R may leave rounding residue
there (``chisq.test(correct = TRUE)`` gives 6.9e-31 for 1/1 vs 5/10, where the corrected
difference ``|x - E| - 0.5`` is exactly 0 but ``E`` is not a float), which no relative
tolerance can accept, so those get an absolute floor of 1e-24.

Where rctkit's documented answer for a degenerate table differs from R's (R's arithmetic gives
NaN), rctkit's documented answer and its RctkitWarning are tested and R's value is named in a
comment beside the check.
"""

from __future__ import annotations

import contextlib
import csv
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

import rctkit as rk
import rctkit.batch as rkb

CSV_PATH = Path(__file__).parent / "reference" / "two_by_two_r.csv"

RTOL = 1e-8
#: Absolute floor used only where the exact value is 0 (see the module docstring).
ZERO_FLOOR = 1e-24

LEVELS = (0.95, 0.90)


def _number(text: str) -> float:
    # R writes NaN, NA, Inf and -Inf; float() reads all but NA.
    return math.nan if text == "NA" else float(text)


def _read_rows() -> list[dict[str, float]]:
    with CSV_PATH.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = []
        for record in reader:
            row = {k: _number(v) for k, v in record.items() if k != "epitools_check"}
            for key in ("a", "n1", "c", "n2"):
                row[key] = int(record[key])
            rows.append(row)
    return rows


ROWS = _read_rows()
IDS = [f"{r['a']}/{r['n1']}-{r['c']}/{r['n2']}" for r in ROWS]


def _counts(row: dict[str, float]) -> tuple[int, int, int, int]:
    return int(row["a"]), int(row["n1"]), int(row["c"]), int(row["n2"])


def _outcome(row: dict[str, float]) -> rk.BinaryOutcome:
    a, n1, c, n2 = _counts(row)
    return rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))


def _check(name: str, actual: float | None, expected: float, *, exact_zero: bool = False) -> None:
    """Assert ``actual`` equals R's ``expected`` to RTOL; nan matches nan, inf matches inf."""
    assert actual is not None, f"{name}: rctkit gave None, R gave {expected!r}"
    if math.isnan(expected) or math.isnan(actual):
        assert math.isnan(expected), f"{name}: rctkit {actual!r} vs R {expected!r}"
        assert math.isnan(actual), f"{name}: rctkit {actual!r} vs R {expected!r}"
        return
    if math.isinf(expected) or math.isinf(actual):
        assert actual == expected, f"{name}: {actual!r} vs R {expected!r}"
        return
    atol = ZERO_FLOOR if exact_zero else 0.0
    assert abs(actual - expected) <= RTOL * abs(expected) + atol, (
        f"{name}: rctkit {actual!r} vs R {expected!r} "
        f"(relative difference {abs(actual - expected) / abs(expected):.3g})"
    )


@contextlib.contextmanager
def _warns_if(condition: bool) -> Iterator[None]:
    """Expect an RctkitWarning when ``condition`` holds; otherwise any warning is an error."""
    if condition:
        with pytest.warns(rk.RctkitWarning):
            yield
    else:
        yield


def _level_key(level: float) -> str:
    return "95" if level == 0.95 else "90"


# --- Degenerate tables, in integer arithmetic ---------------------------------------------


def _or_zero_cell(a: int, n1: int, c: int, n2: int) -> bool:
    return a == 0 or a == n1 or c == 0 or c == n2


def _rr_zero_cell(a: int, n1: int, c: int, n2: int) -> bool:
    return a == 0 or c == 0


def _rd_degenerate(a: int, n1: int, c: int, n2: int) -> bool:
    # Both observed risks are 0 or 1: the Wald standard error is 0.
    return a in (0, n1) and c in (0, n2)


def _empty_margin(a: int, n1: int, c: int, n2: int) -> bool:
    return a + c in (0, n1 + n2)


# --- Odds ratio (Woolf) ---------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_odds_ratio_wald(row: dict[str, float], level: float) -> None:
    a, n1, c, n2 = _counts(row)
    zero = _or_zero_cell(a, n1, c, n2)
    with _warns_if(zero):
        est = rk.odds_ratio(_outcome(row), confidence_level=level)
    key = _level_key(level)
    # R's estimate (a*d)/(b*c) is 0, Inf or NaN with a zero cell, as rctkit documents.
    _check("estimate", est.estimate, row["or"])
    if zero:
        # rctkit documents [0, inf] and p = 1 (nan when the estimate is nan). R's formula gives
        # [0, NaN] (a = 0 or d = 0) or [NaN, Inf] (b = 0 or c = 0), NaN for two zero cells,
        # and p NaN; see the or_lo/or_hi/or_p columns of the CSV.
        assert (est.ci.low, est.ci.high) == (0.0, math.inf)
        if math.isnan(row["or"]):
            assert est.pvalue is not None
            assert math.isnan(est.pvalue)  # R: NaN too
        else:
            assert est.pvalue == 1.0  # R: NaN
        return
    _check("low", est.ci.low, row[f"or_lo{key}"])
    _check("high", est.ci.high, row[f"or_hi{key}"])
    _check("pvalue", est.pvalue, row["or_p"])


# --- Risk ratio (Katz) ----------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_risk_ratio_wald(row: dict[str, float], level: float) -> None:
    a, n1, c, n2 = _counts(row)
    zero = _rr_zero_cell(a, n1, c, n2)
    with _warns_if(zero):
        est = rk.risk_ratio(_outcome(row), confidence_level=level)
    key = _level_key(level)
    _check("estimate", est.estimate, row["rr"])
    if zero:
        # rctkit documents [0, inf] and p = 1 (nan with no events in either arm). R's formula
        # gives [0, NaN] (a = 0) or [NaN, Inf] (c = 0), and p NaN.
        assert (est.ci.low, est.ci.high) == (0.0, math.inf)
        if math.isnan(row["rr"]):
            assert est.pvalue is not None
            assert math.isnan(est.pvalue)  # R: NaN too
        else:
            assert est.pvalue == 1.0  # R: NaN
        return
    _check("low", est.ci.low, row[f"rr_lo{key}"])
    _check("high", est.ci.high, row[f"rr_hi{key}"])
    if a == n1 and c == n2:
        # Everyone had the event in both arms: log RR = 0 and SE = 0. R's z = 0/0 gives p NaN;
        # rctkit takes z = 0 there (risk_ratio.wald sets the statistic to 0 where SE = 0), so
        # p = 1. The interval [1, 1] agrees with R (checked above).
        assert est.pvalue == 1.0  # R: NaN
        return
    _check("pvalue", est.pvalue, row["rr_p"])


# --- Risk difference (Wald) -----------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_risk_difference_wald(row: dict[str, float], level: float) -> None:
    a, n1, c, n2 = _counts(row)
    degenerate = _rd_degenerate(a, n1, c, n2)
    with _warns_if(degenerate):
        est = rk.risk_difference(_outcome(row), confidence_level=level)
    key = _level_key(level)
    exact_zero = a * n2 == c * n1
    _check("estimate", est.estimate, row["rd"], exact_zero=exact_zero)
    # With SE = 0 the interval is [RD, RD] in R as in rctkit.
    _check("low", est.ci.low, row[f"rd_lo{key}"])
    _check("high", est.ci.high, row[f"rd_hi{key}"])
    if degenerate and exact_zero:
        # Equal risks of 0 or 1 in both arms: R's z = 0/0 gives p NaN; rctkit takes z = 0
        # (risk_difference.wald) and gives p = 1.
        assert est.pvalue == 1.0  # R: NaN
        return
    # With SE = 0 and RD = +-1, z is infinite and p = 0 in R as in rctkit.
    _check("pvalue", est.pvalue, row["rd_p"])


# --- Chi-squared tests ----------------------------------------------------------------------


@pytest.mark.parametrize(("method", "column"), [("chi2", "chi2"), ("chi2-yates", "yates")])
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_chi2(row: dict[str, float], method: str, column: str) -> None:
    a, n1, c, n2 = _counts(row)
    empty = _empty_margin(a, n1, c, n2)
    with _warns_if(empty):
        res = rk.hypothesis_test(_outcome(row), method=method)
    if empty:
        # rctkit documents statistic 0 and p-value 1 (with a warning) when no participant, or
        # every participant, had the event; R's chisq.test gives X-squared = NaN, p NaN.
        assert math.isnan(row[f"{column}_stat"])
        assert (res.statistic, res.pvalue) == (0.0, 1.0)
        return
    # The statistic is exactly 0 when |ad - bc| = 0 (Pearson) or when Yates's correction
    # min(0.5, |ad - bc| / N) swallows the whole difference (|ad - bc| <= N / 2).
    cross = abs(a * (n2 - c) - (n1 - a) * c)
    exact_zero = cross == 0 if method == "chi2" else 2 * cross <= n1 + n2
    _check("statistic", res.statistic, row[f"{column}_stat"], exact_zero=exact_zero)
    _check("pvalue", res.pvalue, row[f"{column}_p"])


# --- Fisher's exact test --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alternative", "column"),
    [("two-sided", "fisher_p"), ("less", "fisher_less_p"), ("greater", "fisher_greater_p")],
)
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_fisher(row: dict[str, float], alternative: str, column: str) -> None:
    # fisher.test gives a p-value for every table, empty margins included (p = 1 there).
    res = rk.hypothesis_test(_outcome(row), method="fisher", alternative=alternative)
    assert res.statistic is None
    _check("pvalue", res.pvalue, row[column])


# --- The batch API on all rows at once equals the scalar API exactly ------------------------

BATCH_COUNTS = tuple(
    np.array([row[k] for row in ROWS], dtype=np.int64) for k in ("a", "n1", "c", "n2")
)

Predicate = Callable[[int, int, int, int], bool]
BatchEffect = Callable[..., rk.BatchEstimate]
ScalarEffect = Callable[..., rk.Estimate]


def _any_row(predicate: Predicate) -> bool:
    return any(predicate(*_counts(row)) for row in ROWS)


EFFECT_CASES: list[tuple[str, BatchEffect, ScalarEffect, Predicate]] = [
    ("odds_ratio", rkb.odds_ratio, rk.odds_ratio, _or_zero_cell),
    ("risk_ratio", rkb.risk_ratio, rk.risk_ratio, _rr_zero_cell),
    ("risk_difference", rkb.risk_difference, rk.risk_difference, _rd_degenerate),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(
    ("batch_fn", "scalar_fn", "degenerate"),
    [case[1:] for case in EFFECT_CASES],
    ids=[case[0] for case in EFFECT_CASES],
)
def test_batch_effects_equal_scalar(
    batch_fn: BatchEffect, scalar_fn: ScalarEffect, degenerate: Predicate, level: float
) -> None:
    with _warns_if(_any_row(degenerate)):
        res = batch_fn(*BATCH_COUNTS, confidence_level=level)
    assert res.pvalue is not None
    for i, row in enumerate(ROWS):
        with _warns_if(degenerate(*_counts(row))):
            est = scalar_fn(_outcome(row), confidence_level=level)
        np.testing.assert_array_equal(
            [res.estimate[i], res.low[i], res.high[i], res.pvalue[i]],
            [est.estimate, est.ci.low, est.ci.high, est.pvalue],
            err_msg=IDS[i],
        )


@pytest.mark.parametrize(
    ("method", "alternative"),
    [
        ("chi2", "two-sided"),
        ("chi2-yates", "two-sided"),
        ("fisher", "two-sided"),
        ("fisher", "less"),
        ("fisher", "greater"),
    ],
)
def test_batch_tests_equal_scalar(method: str, alternative: str) -> None:
    chi2 = method.startswith("chi2")
    with _warns_if(chi2 and _any_row(_empty_margin)):
        res = rkb.hypothesis_test(*BATCH_COUNTS, method=method, alternative=alternative)
    for i, row in enumerate(ROWS):
        with _warns_if(chi2 and _empty_margin(*_counts(row))):
            one = rk.hypothesis_test(_outcome(row), method=method, alternative=alternative)
        if chi2:
            assert res.statistic is not None
            assert res.statistic[i] == one.statistic, IDS[i]
        else:
            assert res.statistic is None
            assert one.statistic is None
        assert res.pvalue[i] == one.pvalue, IDS[i]


def test_reference_table_covers_the_cases() -> None:
    """The R table holds the cases the comparison is meant to exercise."""
    counts = {_counts(row) for row in ROWS}
    assert len(ROWS) >= 36
    assert (64, 218, 83, 216) in counts  # the CORE trial
    assert any(n1 + n2 >= 1_000_000 for _, n1, _, n2 in counts)
    cases: tuple[Predicate, ...] = (
        lambda a, n1, c, n2: a == 0 and c > 0,
        lambda a, n1, c, n2: c == 0 and a > 0,
        lambda a, n1, c, n2: a == n1 and c < n2,
        lambda a, n1, c, n2: c == n2 and a < n1,
        lambda a, n1, c, n2: a == 0 and c == 0,
        lambda a, n1, c, n2: a == n1 and c == n2,
        lambda a, n1, c, n2: n1 == 1 or n2 == 1,
    )
    for predicate in cases:
        assert any(predicate(*t) for t in counts)
    # Every table was cross-checked against epitools, or the script said why not.
    with CSV_PATH.open(newline="") as handle:
        assert {r["epitools_check"] for r in csv.DictReader(handle)} == {"agree"}

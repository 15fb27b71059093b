"""Matched exact conditional tests and intervals: ``two_sided="central" | "minlike" | "blaker"``.

References (the source beside each check):

- ``tests/reference/two_sided_rules.csv``: exact rational p-values and mpmath bisection limits
  (``tests/reference/two_sided_rules.py``, independent of rctkit);
- ``tests/reference/two_sided_rules_r.txt``: R exact2x2 1.7.0 (Fay 2010), from
  ``tests/reference/two_sided_rules.R``; its limits are rounded to 4 decimals by
  ``exact2x2CI``.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import conditional_rules
from tests.strategies import outcomes

REFERENCE = Path(__file__).parent / "reference"
RULES = ("central", "minlike", "blaker")


def _read(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open() as handle:
        return list(csv.DictReader(handle))


def _outcome(row: dict[str, str]) -> rk.BinaryOutcome:
    return rk.BinaryOutcome.from_counts(
        treatment=(int(row["a"]), int(row["n1"])), control=(int(row["c"]), int(row["n2"]))
    )


@pytest.mark.parametrize("row", _read("two_sided_rules.csv"), ids=lambda r: "-".join(r.values()))
def test_against_mpmath_reference(row: dict[str, str]) -> None:
    # Reference: tests/reference/two_sided_rules.py (exact fractions; mpmath bisection).
    rule = row["two_sided"]
    est = rk.odds_ratio(_outcome(row), method="exact", two_sided=rule)
    assert est.pvalue == pytest.approx(float(row["pvalue"]), rel=1e-12)
    test = rk.hypothesis_test(_outcome(row), method="fisher", two_sided=rule)
    assert test.pvalue == pytest.approx(float(row["pvalue"]), rel=1e-12)
    for got, want in ((est.ci.low, float(row["low"])), (est.ci.high, float(row["high"]))):
        if math.isinf(want) or want == 0.0:
            assert got == want
        else:
            assert got == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize(
    "row", _read("two_sided_rules_r.txt"), ids=lambda r: "-".join(r.values())[:40]
)
def test_against_r_exact2x2(row: dict[str, str]) -> None:
    # Reference: R exact2x2(tab, tsmethod=...) (tests/reference/two_sided_rules_r.txt).
    rule = row["tsmethod"]
    est = rk.odds_ratio(_outcome(row), method="exact", two_sided=rule)
    assert est.pvalue == pytest.approx(float(row["pvalue"]), rel=1e-12)
    if rule == "central":
        # R's central interval is fisher.test's, whose uniroot stops within 1e-4 relative
        # (documented in rctkit._kernels.conditional.exact) and fails on the extreme tables
        # (999/1000 vs 3/1000: 8402 to 4.5e15, where rctkit's Cornfield limits, checked
        # against mpmath in tests/test_conditional.py, are about 31828 to 1.3e7); the central
        # limits here are checked against tests/reference/two_sided_rules.csv above.
        return
    for got, want in ((est.ci.low, float(row["low"])), (est.ci.high, float(row["high"]))):
        if math.isinf(want) or want == 0.0:
            assert got == want
        else:
            # exact2x2CI locates its limits to within tol = 1e-5 and then rounds them to 4
            # decimals (half a unit of the last digit): its stated precision.
            assert abs(got - want) <= 0.5e-4 + 1e-5


def _grid() -> tuple[np.ndarray, ...]:
    arms = [(n, x) for n in range(1, 13) for x in range(n + 1)]
    tables = np.array([(a, n1, c, n2) for n1, a in arms for n2, c in arms])
    return tuple(tables.T)


@pytest.mark.parametrize("rule", RULES)
def test_test_and_interval_match_on_every_small_table(rule: str) -> None:
    # The law: at alpha = 0.05 the test of OR = 1 rejects exactly when the 95% interval
    # excludes 1, for every table with n1, n2 <= 12 (8100 tables), no exceptions.
    a, n1, c, n2 = _grid()
    est = rkb.odds_ratio(a, n1, c, n2, method="exact", two_sided=rule)
    test = rkb.hypothesis_test(a, n1, c, n2, method="fisher", two_sided=rule)
    rejects = test.pvalue <= 0.05
    excludes = (est.low > 1.0) | (est.high < 1.0)
    assert est.pvalue is not None
    assert np.array_equal(est.pvalue, test.pvalue)
    bad = np.flatnonzero(rejects != excludes)
    assert bad.size == 0, [(a[i], n1[i], c[i], n2[i]) for i in bad[:10]]


def test_the_defaults_do_not_match() -> None:
    # Fisher's default (minlike) p-value and the default (central, Cornfield) interval
    # disagree about OR = 1 on some small tables: 340 of the 8100 with n1, n2 <= 12 by the
    # exact-fraction count of tests/reference/two_sided_rules.py (two_sided_rules_output.txt).
    a, n1, c, n2 = _grid()
    est = rkb.odds_ratio(a, n1, c, n2, method="exact")
    test = rkb.hypothesis_test(a, n1, c, n2, method="fisher")
    disagree = (test.pvalue <= 0.05) != ((est.low > 1.0) | (est.high < 1.0))
    assert int(np.count_nonzero(disagree)) == 340


@given(outcomes(max_total=40), st.floats(min_value=-4.0, max_value=4.0), st.sampled_from(RULES))
def test_interval_contains_every_odds_ratio_not_rejected(
    outcome: rk.BinaryOutcome, log_or: float, rule: str
) -> None:
    # At any psi0: the test of OR = psi0 does not reject at 0.05 => psi0 is in the interval
    # (the interval encloses the set not rejected). For "central" also the converse.
    a, n1, c, n2 = (np.array([v]) for v in outcome.as_tuple())
    p = float(conditional_rules.pvalue(a, n1, c, n2, rule, log_or)[0])
    est = rk.odds_ratio(outcome, method="exact", two_sided=rule)
    low, high = math.log(est.ci.low) if est.ci.low > 0 else -math.inf, math.log(est.ci.high)
    if p > 0.05 + 1e-12:
        assert low - 1e-9 <= log_or <= high + 1e-9
    if rule == "central" and p < 0.05 - 1e-12:
        assert not (low + 1e-9 < log_or < high - 1e-9)


@given(outcomes(max_total=30), st.sampled_from(RULES))
def test_scalar_equals_batch(outcome: rk.BinaryOutcome, rule: str) -> None:
    est = rk.odds_ratio(outcome, method="exact", two_sided=rule)
    batch = rkb.odds_ratio(*outcome.as_tuple(), method="exact", two_sided=rule)
    assert (est.ci.low, est.ci.high) == (float(batch.low), float(batch.high))
    assert est.pvalue == float(np.asarray(batch.pvalue))


def test_defaults_unchanged() -> None:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    default = rk.odds_ratio(core, method="exact")
    central = rk.odds_ratio(core, method="exact", two_sided="central")
    assert (default.estimate, default.ci) == (central.estimate, central.ci)
    assert default.two_sided is None and central.two_sided == "central"
    fisher = rk.hypothesis_test(core, method="fisher")
    minlike = rk.hypothesis_test(core, method="fisher", two_sided="minlike")
    assert fisher.pvalue == minlike.pvalue
    # Central p: twice the smaller one-sided p (R exact2x2 tsmethod="central": 0.0580096757352998).
    central_p = rk.hypothesis_test(core, method="fisher", two_sided="central").pvalue
    assert central_p == pytest.approx(0.0580096757352998, rel=1e-12)


def test_input_validation() -> None:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    with pytest.raises(rk.InvalidInputError, match="`two_sided` applies only to method='exact'"):
        rk.odds_ratio(core, method="wald", two_sided="minlike")
    with pytest.raises(rk.InvalidInputError, match="`two_sided` must be one of"):
        rk.odds_ratio(core, method="exact", two_sided="fisher")
    with pytest.raises(rk.InvalidInputError, match="`two_sided` applies only to method='fisher'"):
        rk.hypothesis_test(core, method="chi2", two_sided="blaker")
    with pytest.raises(rk.InvalidInputError, match="needs alternative"):
        rk.hypothesis_test(core, method="fisher", alternative="less", two_sided="blaker")
    with pytest.raises(rk.InvalidInputError, match="`two_sided` applies only"):
        rkb.odds_ratio(1, 5, 2, 5, method="midp", two_sided="central")
    big = rk.BinaryOutcome.from_counts(treatment=(2500, 5000), control=(2500, 5000))
    with pytest.raises(rk.CostLimitError, match="at most 2000"):
        rk.odds_ratio(big, method="exact", two_sided="blaker")
    with pytest.raises(rk.CostLimitError, match="at most 2000"):
        rk.hypothesis_test(big, method="fisher", two_sided="blaker")
    # The central rule is vectorised and has no limit.
    assert rk.hypothesis_test(big, method="fisher", two_sided="central").pvalue == 1.0

"""Exact unconditional intervals for the risk difference and ratio, and their p-values.

References used below (named beside each number):

* SAS/STAT PROC FREQ: ``RISKDIFF(CL=EXACT)`` (Santner-Snell), ``EXACT RISKDIFF(METHOD=SCORE)``
  (Chan-Zhang), the score relative-risk limits and Barnard's test, as quoted in the exact2x2
  package's validation file inst/slowTests/test_SAS.R (exact2x2 1.7.0, github.com/cran/exact2x2).
* StatXact 11, as quoted in exact2x2's inst/slowTests/test_StatXact.R.
* R exact2x2 1.7.0 ``uncondExact2x2`` (Fay & Hunsberger 2021), live:
  tests/reference/exact_unconditional.R, output in tests/reference/exact_unconditional_r.txt.
* An mpmath brute force written apart from the kernels:
  tests/reference/exact_unconditional_brute.py (its printed output is in
  tests/reference/exact_unconditional_brute.txt).

exact2x2 estimates ``p2 - p1`` and ``p2 / p1`` (group 2 minus group 1): its call
``uncondExact2x2(x1, n1, x2, n2)`` is rctkit's table with treatment ``x2/n2`` and control
``x1/n1``. The published tables are written below in rctkit's order ``(a, n1, c, n2)``.
"""

from __future__ import annotations

import ast
import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import unconditional
from rctkit._kernels import unconditional_ci as uci
from rctkit.errors import CostLimitError, InvalidInputError

REFERENCE = Path(__file__).parent / "reference"

#: method name, measure, kernel, statistic, two-sided rule.
SPECS = (
    ("santner-snell", "risk_difference", uci.santner_snell, "difference", "central"),
    ("chan-zhang", "risk_difference", uci.chan_zhang_rd, "score", "central"),
    ("agresti-min", "risk_difference", uci.agresti_min_rd, "score", "absolute"),
    ("chan-zhang", "risk_ratio", uci.chan_zhang_rr, "score", "central"),
    ("agresti-min", "risk_ratio", uci.agresti_min_rr, "score", "absolute"),
)
KERNELS = {(name, measure): (kernel, stat, rule) for name, measure, kernel, stat, rule in SPECS}


def _ci(method: str, measure: str, table: tuple[int, int, int, int]) -> tuple[float, ...]:
    outcome = rk.BinaryOutcome.from_counts(treatment=table[:2], control=table[2:])
    function = rk.risk_difference if measure == "risk_difference" else rk.risk_ratio
    est = function(outcome, method=method)
    assert est.pvalue is not None
    return est.estimate, est.ci.low, est.ci.high, est.pvalue


# --------------------------------------------------------------------------------------------
# Published values


@pytest.mark.parametrize(
    ("method", "measure", "table", "expected"),
    [
        # SAS PROC FREQ, RISKDIFF(CL=EXACT), 10/35 vs 24/61 and 4/12 vs 9/11 (test_SAS.R).
        ("santner-snell", "risk_difference", (24, 61, 10, 35), (-0.1016, 0.3079)),
        ("santner-snell", "risk_difference", (9, 11, 4, 12), (0.0683, 0.7923)),
        # SAS EXACT RISKDIFF(METHOD=SCORE).
        ("chan-zhang", "risk_difference", (24, 61, 10, 35), (-0.0992, 0.2949)),
        ("chan-zhang", "risk_difference", (9, 11, 4, 12), (0.0616, 0.7968)),
    ],
)
def test_sas_limits(
    method: str, measure: str, table: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    _, low, high, _ = _ci(method, measure, table)
    assert (round(low, 4), round(high, 4)) == expected


@pytest.mark.parametrize(
    ("table", "sas", "r_fine"),
    [((24, 61, 10, 35), 0.7663, 0.7663519752), ((9, 11, 4, 12), 1.0964, 1.096454715)],
)
def test_sas_score_ratio_lower_limits(
    table: tuple[int, int, int, int], sas: float, r_fine: float
) -> None:
    # Disagreement: SAS prints 0.7663 and 1.0964; ours are 0.766352 and 1.096455, which
    # round to 0.7664 and 1.0965. exact2x2 1.7.0 agrees with ours, to 1e-8 with 2000 nuisance
    # points (exact_unconditional_r.txt) and to 5e-6 with its default 100
    # (/tmp run: 0.7663521776, 1.096459636), so SAS's last digit comes from its own search,
    # about 5e-6 lower; the upper limits (3.0005, 10.8647) agree at SAS's precision.
    _, low, _, _ = _ci("chan-zhang", "risk_ratio", table)
    assert low == pytest.approx(r_fine, abs=1e-7)  # exact2x2 1.7.0, nPgrid = 2000
    assert 0.0 < low - sas < 1e-4  # SAS, printed to 4 decimals


@pytest.mark.parametrize(
    ("method", "measure", "table", "pvalue", "limits", "digits"),
    [
        # StatXact 11 (test_StatXact.R): difference, central (Chan-Zhang).
        ("chan-zhang", "risk_difference", (6, 13, 2, 7), 0.5569, (-0.3108, 0.5787), (4, 4)),
        ("chan-zhang", "risk_difference", (13, 13, 0, 7), 4.758e-06, (0.5904, 1.0), (9, 4)),
        ("chan-zhang", "risk_ratio", (11, 13, 2, 7), 0.02064, (1.078, 29.1), (5, 3)),
        # StatXact 11: the two-sided score test inverted (Agresti-Min).
        ("agresti-min", "risk_difference", (6, 13, 2, 7), 0.5374, (-0.3079, 0.5542), (4, 4)),
        ("agresti-min", "risk_ratio", (11, 13, 2, 7), 0.0134, (1.14, 14.45), (4, 2)),
    ],
)
def test_statxact(
    method: str,
    measure: str,
    table: tuple[int, int, int, int],
    pvalue: float,
    limits: tuple[float, float],
    digits: tuple[int, int],
) -> None:
    _, low, high, p = _ci(method, measure, table)
    assert round(p, digits[0]) == pvalue
    if measure == "risk_ratio" and limits[1] == 29.1:
        assert (round(low, 3), round(high, 1)) == limits
    else:
        assert (round(low, digits[1]), round(high, digits[1])) == limits


def test_statxact_agresti_min_upper_limit_of_13_13_vs_0_7() -> None:
    # StatXact 11 prints (0.6088, 0.6101) for 13/13 against 0/7; the estimate is 1 and the
    # |score| test does not reject any difference in [0.6088, 1], so the upper limit is 1.
    # exact2x2's authors note the same ("StatXact appears to be wrong").
    est, low, high, p = _ci("agresti-min", "risk_difference", (13, 13, 0, 7))
    assert est == 1.0
    assert round(low, 4) == 0.6088  # StatXact 11
    assert high == 1.0
    assert round(p, 8) == 2.44e-06  # StatXact 11


def test_berger_boos_statxact() -> None:
    # StatXact 11 with gamma = 1e-6 (test_StatXact.R): 2/7 vs 6/13 central score p 0.5569,
    # 0/7 vs 13/13 6.758e-06, ratio 2/7 vs 11/13 0.02064.
    def p(table: tuple[int, int, int, int], measure: str) -> float:
        null = 0.0 if measure == "risk_difference" else 1.0
        return float(
            uci.exact_unconditional_pvalue(
                *table, measure=measure, null_value=null, berger_boos=1e-6
            )
        )

    assert round(p((6, 13, 2, 7), "risk_difference"), 4) == 0.5569
    assert round(p((13, 13, 0, 7), "risk_difference"), 9) == 6.758e-06
    assert round(p((11, 13, 2, 7), "risk_ratio"), 5) == 0.02064


def test_berger_boos_exact2x2() -> None:
    # Disagreement: StatXact 11 (test_StatXact.R) prints 0.3012 for 10/35 vs 24/61 with
    # gamma = 1e-6; exact2x2 1.7.0 gives 0.3034299224 (exact_unconditional_bb_r.txt), with
    # the same confidence set as ours (two Clopper-Pearson intervals at 1 - gamma/2), and so
    # do we. StatXact's confidence set for the nuisance parameter is evidently another.
    p = uci.exact_unconditional_pvalue(
        24, 61, 10, 35, measure="risk_difference", null_value=0.0, berger_boos=1e-6
    )
    assert float(p) == pytest.approx(0.3034299224, rel=1e-9)  # exact2x2 1.7.0


def test_sas_barnard_pvalues() -> None:
    # SAS (test_SAS.R): Barnard's test, 4/12 vs 9/11: "greater" (exact2x2's p2 > p1) 0.0120
    # and two-sided 0.0215; 10/35 vs 24/61 two-sided 0.4063. The score test at no difference
    # is Barnard's pooled test.
    def p(table: tuple[int, int, int, int], alternative: str, two_sided: str) -> float:
        value = uci.exact_unconditional_pvalue(
            *table,
            measure="risk_difference",
            null_value=0.0,
            alternative=alternative,
            two_sided=two_sided,
        )
        return float(value)

    assert round(p((9, 11, 4, 12), "greater", "central"), 4) == 0.0120
    assert round(p((9, 11, 4, 12), "two-sided", "absolute"), 4) == 0.0215
    assert round(p((24, 61, 10, 35), "two-sided", "absolute"), 4) == 0.4063


# --------------------------------------------------------------------------------------------
# R exact2x2 and the brute force


def _r_rows() -> list[dict[str, str]]:
    with (REFERENCE / "exact_unconditional_r.txt").open() as f:
        return list(csv.DictReader(f))


#: Disagreements with exact2x2, each explained:
#: * Agresti-Min for the ratio: exact2x2 conditions on the table not being (0, 0); rctkit
#:   leaves that table out of every tail without conditioning (methods page). The p-values
#:   at ratio 1 differ (9/11 vs 4/12: exact2x2 0.020998, ours 0.021501 = SAS's Barnard
#:   0.0215); the limits agree.
#: * Santner-Snell for 0/10 against 4/10: exact2x2 compares floating-point differences, so
#:   tables with equal differences (0.6 - 0.2 != 0.4 in binary) are not tied and drop out of
#:   the tails; its p-value 0.0857 and upper limit 0.0527 are too small. The brute force with
#:   exact integer ties gives our one-sided p-value 0.0576591 (test_brute_force_pvalues).
#:   Likewise 15/40 against 8/35 (x1 35 - x2 40 ties often): exact2x2 p 0.2045 and lower
#:   limit -0.0797; the brute force's one-sided p-value is 0.1084387 (central 0.2169, ours),
#:   and our lower limit is -0.0837.
R_P_DIFFERS = {
    ("9", "11", "4", "12", "agresti-min", "risk_ratio"),
    ("5", "5", "2", "6", "agresti-min", "risk_ratio"),
    ("0", "10", "4", "10", "santner-snell", "risk_difference"),
    ("15", "40", "8", "35", "santner-snell", "risk_difference"),
}
R_LIMITS_DIFFER = {
    ("0", "10", "4", "10", "santner-snell", "risk_difference"),
    ("15", "40", "8", "35", "santner-snell", "risk_difference"),
}


@pytest.mark.parametrize("row", _r_rows(), ids=lambda r: "-".join(list(r.values())[:6]))
def test_matches_exact2x2(row: dict[str, str]) -> None:
    table = (int(row["a"]), int(row["n1"]), int(row["c"]), int(row["n2"]))
    _, low, high, p = _ci(row["method"], row["measure"], table)
    key = (row["a"], row["n1"], row["c"], row["n2"], row["method"], row["measure"])
    # exact2x2 maximises over 2000 nuisance points, so its p-values are at most the supremum
    # (ours refines the grid's peaks): ours is never below, and above by at most 5e-5.
    if key not in R_P_DIFFERS:
        theirs = float(row["pvalue"])
        assert theirs * (1 - 1e-9) <= p <= theirs * (1 + 5e-5)
    if key in R_LIMITS_DIFFER:
        return
    # exact2x2 finds its limits to about 2e-6 (its root search on a grid).
    for ours, r_value in ((low, float(row["low"])), (high, float(row["high"]))):
        if math.isinf(r_value) or r_value == 0.0:
            assert ours == r_value
        else:
            assert ours == pytest.approx(r_value, rel=5e-6, abs=5e-6)


BruteCase = tuple[str, str, int, int, int, int, str, str]


def _brute() -> dict[BruteCase, float]:
    out: dict[BruteCase, float] = {}
    for line in (REFERENCE / "exact_unconditional_brute.txt").read_text().splitlines():
        if line.startswith("("):
            key, value = line.rsplit(": ", 1)
            out[ast.literal_eval(key)] = float(value)
    return out


def test_brute_force_pvalues() -> None:
    cases = _brute()
    assert len(cases) >= 8
    for (measure, statistic, a, n1, c, n2, delta, kind), expected in cases.items():
        full = "risk_difference" if measure == "rd" else "risk_ratio"
        two_sided = "absolute" if kind == "absolute" else "central"
        alternative = "two-sided" if kind == "absolute" else kind
        p = uci.exact_unconditional_pvalue(
            a,
            n1,
            c,
            n2,
            measure=full,
            null_value=float(delta),
            alternative=alternative,
            two_sided=two_sided,
            statistic=statistic,
        )
        assert float(p) == pytest.approx(expected, rel=1e-7), (measure, a, n1, c, n2, delta)


# --------------------------------------------------------------------------------------------
# The interval is the set of nulls the matching test does not reject


RD_NULLS = np.round(np.concatenate([np.linspace(-0.95, 0.95, 20), [0.0]]), 6)
RR_NULLS = (0.05, 0.1, 0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0, 10.0, 20.0)


def _check_duality(table: tuple[int, int, int, int], level: float = 0.95) -> None:
    """Santner-Snell: excluded exactly when the central p-value is <= alpha.

    Its one-sided p-values are monotone in the null value (the region does not move). The
    score tests (Chan-Zhang, Agresti-Min) are checked one way only, excluded => rejected:
    their p-value functions are not monotone, the set not rejected can have holes (1/4
    against 1/5, Chan-Zhang at -0.55: p = 0.04995; 0/3 against 1/7, Agresti-Min at 0.45),
    and the interval is its hull, so a null value inside may be rejected.
    """
    alpha = 1.0 - level
    for _, measure, kernel, statistic, rule in SPECS:
        a, n1, c, n2 = (np.array([v], dtype=np.int64) for v in table)
        res = kernel(a, n1, c, n2, level)
        low, high = float(res.low[0]), float(res.high[0])
        nulls = RD_NULLS if measure == "risk_difference" else RR_NULLS
        for null in nulls:
            p = float(
                uci.exact_unconditional_pvalue(
                    *table,
                    measure=measure,
                    null_value=float(null),
                    statistic=statistic,
                    two_sided=rule,
                )
            )
            excluded = null < low or null > high
            # Only exact ties may go either way: a p-value equal to alpha, or a null value at
            # a limit (found to 1e-9; the p-value functions jump at rational nulls such as
            # 0.25 for 1/6 against 3/6, where the limit is 0.25 - 1e-16).
            at_limit = min(abs(null - low), abs(null - high)) <= 1e-8 * max(1.0, abs(null))
            if abs(p - alpha) <= 1e-9 or at_limit:
                continue
            if statistic == "difference":
                assert excluded == (p <= alpha), (kernel.__name__, table, null, low, high, p)
            elif excluded:
                assert p <= alpha, (kernel.__name__, table, null, low, high, p)


SMALL = [
    (a, n1, c, n2) for n1 in (1, 2) for n2 in (1, 2) for a in range(n1 + 1) for c in range(n2 + 1)
]


@pytest.mark.parametrize("table", SMALL)
def test_interval_is_the_set_not_rejected_small(table: tuple[int, int, int, int]) -> None:
    _check_duality(table)


@settings(max_examples=8)
@given(
    n1=st.integers(1, 8),
    n2=st.integers(1, 8),
    data=st.data(),
)
def test_interval_is_the_set_not_rejected(n1: int, n2: int, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, n1))
    c = data.draw(st.integers(0, n2))
    _check_duality((a, n1, c, n2))


def test_score_holes_and_islands() -> None:
    # Chan-Zhang, 1/4 against 1/5: -0.55 lies inside the hull but is rejected.
    est = rk.risk_difference(
        rk.BinaryOutcome.from_counts(treatment=(1, 4), control=(1, 5)), method="chan-zhang"
    )
    assert est.ci.low < -0.55 < est.ci.high
    p = uci.exact_unconditional_pvalue(1, 4, 1, 5, measure="risk_difference", null_value=-0.55)
    assert float(p) < 0.05
    # The |z| test's p-value is not monotone in the null value. 0/3 against 1/7: the interval
    # (hull) contains 0.45, where p = 0.0488 <= 0.05 (a hole in the set not rejected).
    est = rk.risk_difference(
        rk.BinaryOutcome.from_counts(treatment=(0, 3), control=(1, 7)), method="agresti-min"
    )
    assert est.ci.low < 0.45 < est.ci.high
    p = uci.exact_unconditional_pvalue(
        0, 3, 1, 7, measure="risk_difference", null_value=0.45, two_sided="absolute"
    )
    assert float(p) == pytest.approx(0.048795696, rel=1e-6)
    # 1/17 against 16/17: not rejected on (-0.6000, -10/17] beyond a hole at -0.6098; the
    # interval's upper limit is -10/17 = -0.588235, as exact2x2's (exact_unconditional_r.txt).
    est = rk.risk_difference(
        rk.BinaryOutcome.from_counts(treatment=(1, 17), control=(16, 17)), method="agresti-min"
    )
    assert est.ci.high == pytest.approx(-10 / 17, abs=1e-8)
    p = uci.exact_unconditional_pvalue(
        1, 17, 16, 17, measure="risk_difference", null_value=-0.6098, two_sided="absolute"
    )
    assert float(p) < 0.05


# --------------------------------------------------------------------------------------------
# Laws


@settings(max_examples=6)
@given(n1=st.integers(1, 12), n2=st.integers(1, 12), data=st.data())
def test_laws(n1: int, n2: int, data: st.DataObject) -> None:
    a = data.draw(st.integers(0, n1))
    c = data.draw(st.integers(0, n2))
    # Exchanging the arms negates the difference and inverts the ratio.
    for name, measure, kernel, _, _ in SPECS:
        one = kernel(np.array([a]), np.array([n1]), np.array([c]), np.array([n2]), 0.95)
        two = kernel(np.array([c]), np.array([n2]), np.array([a]), np.array([n1]), 0.95)
        if measure == "risk_difference":
            assert float(one.low[0]) == pytest.approx(-float(two.high[0]), abs=1e-8), name
            assert float(one.high[0]) == pytest.approx(-float(two.low[0]), abs=1e-8), name
            assert one.low[0] <= one.estimate[0] <= one.high[0]
        elif a + c > 0:
            lo, hi = float(two.low[0]), float(two.high[0])
            inv_hi = math.inf if lo == 0.0 else 1.0 / lo
            inv_lo = 0.0 if math.isinf(hi) else 1.0 / hi
            assert float(one.low[0]) == pytest.approx(inv_lo, rel=1e-7), name
            assert float(one.high[0]) == pytest.approx(inv_hi, rel=1e-7), name
        assert one.pvalue is not None and two.pvalue is not None
        assert float(one.pvalue[0]) == pytest.approx(float(two.pvalue[0]), rel=1e-9)
    # At no difference the |score| test is Barnard's pooled two-sided test.
    if 0 < a + c < n1 + n2:
        p = uci.exact_unconditional_pvalue(
            a, n1, c, n2, measure="risk_difference", null_value=0.0, two_sided="absolute"
        )
        _, barnard = unconditional.barnard(
            np.array([a]), np.array([n1]), np.array([c]), np.array([n2]), "two-sided"
        )
        assert float(p) == pytest.approx(float(barnard[0]), rel=1e-9)


def test_tails_and_central_rule() -> None:
    def p(alternative: str, gamma: float = 0.0) -> float:
        value = uci.exact_unconditional_pvalue(
            3,
            9,
            5,
            8,
            measure="risk_difference",
            null_value=0.1,
            alternative=alternative,
            berger_boos=gamma,
        )
        return float(value)

    less, greater, central = p("less"), p("greater"), p("two-sided")
    assert central == min(1.0, 2.0 * min(less, greater))
    # Berger-Boos never gives less than gamma and never more than gamma above the full search.
    bb = p("less", 1e-3)
    assert 1e-3 <= bb <= less + 1e-3 + 1e-12


def test_vectorised_equals_scalar() -> None:
    res = rkb.risk_difference([2, 5, 0], [6, 7, 4], [4, 1, 3], [5, 6, 4], method="chan-zhang")
    for i, table in enumerate(((2, 6, 4, 5), (5, 7, 1, 6), (0, 4, 3, 4))):
        _, low, high, _ = _ci("chan-zhang", "risk_difference", table)
        assert (res.low[i], res.high[i]) == (low, high)


def test_no_events_in_either_arm_ratio() -> None:
    est, low, high, p = _ci("chan-zhang", "risk_ratio", (0, 5, 0, 7))
    assert math.isnan(est) and (low, high, p) == (0.0, math.inf, 1.0)
    est, low, high, _ = _ci("agresti-min", "risk_ratio", (0, 5, 3, 7))
    assert est == 0.0 and low == 0.0 and 0.0 < high < math.inf


def test_validation() -> None:
    with pytest.raises(InvalidInputError, match="`measure` must be one of"):
        uci.exact_unconditional_pvalue(1, 2, 1, 2, measure="odds_ratio", null_value=1.0)
    with pytest.raises(InvalidInputError, match='`statistic` "difference"'):
        uci.exact_unconditional_pvalue(
            1, 2, 1, 2, measure="risk_ratio", null_value=1.0, statistic="difference"
        )
    with pytest.raises(InvalidInputError, match=r"`null_value` must be in \[-1, 1\]"):
        uci.exact_unconditional_pvalue(1, 2, 1, 2, measure="risk_difference", null_value=1.5)
    with pytest.raises(InvalidInputError, match="`null_value` must be positive"):
        uci.exact_unconditional_pvalue(1, 2, 1, 2, measure="risk_ratio", null_value=0.0)
    with pytest.raises(InvalidInputError, match="`berger_boos` must be in"):
        uci.exact_unconditional_pvalue(
            1, 2, 1, 2, measure="risk_ratio", null_value=1.0, berger_boos=1.0
        )
    with pytest.raises(InvalidInputError, match="`alternative` must be one of"):
        uci.exact_unconditional_pvalue(
            1, 2, 1, 2, measure="risk_ratio", null_value=1.0, alternative="both"
        )


def test_cost_limit() -> None:
    outcome = rk.BinaryOutcome.from_counts(treatment=(300, 1000), control=(280, 1000))
    with pytest.raises(CostLimitError, match="exact unconditional intervals"):
        rk.risk_difference(outcome, method="chan-zhang")
    assert uci.cost_cells(np.array([1000]), np.array([1000])) > uci.MAX_CELLS

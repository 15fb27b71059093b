"""Non-inferiority and equivalence tests against a margin (rctkit.margins, _kernels/margin.py).

References, each named beside its numbers:

* the REPROVE trial example of the issue (245/356 against 270/370, margin -0.125 on the risk
  difference, higher is better): Miettinen-Nurminen one-sided p 0.006582 and
  Farrington-Manning 0.006550, to 1e-6;
* statsmodels' ``test_proportions_2indep`` (method "score"), which disagrees (its
  constrained MLE is wrong: statsmodels issue 10269);
* R: DescrTab2's ``farrington.manning`` (tests/reference/margins_descrtab2.R), FM on the
  risk difference, to 1e-9;
* an mpmath brute force at 50 digits, tests/reference/margins_mpmath.py, written apart from
  the kernels: the constrained MLE by solving the likelihood equation numerically, then the
  FM and MN statistics and one-sided p-values for RD, RR and OR (its printed table is
  :data:`MPMATH`, compared to 1e-9);
* the law that a test rejects exactly when its matching interval excludes the margin
  (hypothesis, every method and measure).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import margin as kernel
from rctkit.results import MARGIN_COLUMNS
from tests.strategies import margin_measures, margin_values, outcomes

REPROVE = rk.BinaryOutcome.from_counts(treatment=(245, 356), control=(270, 370), name="Cure")

METHODS = {
    "risk_difference": ("mn", "fm", "wald", "newcombe"),
    "risk_ratio": ("mn", "fm", "wald"),
    "odds_ratio": ("mn", "fm", "wald"),
}

#: tests/reference/margins_mpmath.py, as printed: a, n1, c, n2, measure, value, z_fm,
#: p_fm_greater, z_mn, p_mn_greater (one-sided, H1: effect > value).
MPMATH = [
    (
        245,
        356,
        270,
        370,
        "risk_difference",
        -0.125,
        2.48102344827188,
        0.0065502877419691,
        2.47931416563821,
        0.00658176522567937,
    ),
    (
        245,
        356,
        270,
        370,
        "risk_ratio",
        0.8,
        3.35349107513522,
        0.000398994936406302,
        3.35118071242547,
        0.000402338862453372,
    ),
    (
        245,
        356,
        270,
        370,
        "odds_ratio",
        0.7,
        0.948201043525611,
        0.171513558012407,
        0.947547787475953,
        0.171679858725874,
    ),
    (
        64,
        218,
        83,
        216,
        "risk_difference",
        0.05,
        -3.09556303934221,
        0.999017801944021,
        -3.09199466577646,
        0.999005917891141,
    ),
    (
        64,
        218,
        83,
        216,
        "risk_ratio",
        1.2,
        -3.36679855942598,
        0.999619768923684,
        -3.36291752233258,
        0.999614382989274,
    ),
    (
        64,
        218,
        83,
        216,
        "odds_ratio",
        1.3,
        -3.29643731227623,
        0.999510402677897,
        -3.29263738327567,
        0.999503738031564,
    ),
    (
        7,
        25,
        3,
        30,
        "risk_difference",
        -0.1,
        2.61034736791504,
        0.00452251625288534,
        2.58650807982069,
        0.00484769486300519,
    ),
    (
        7,
        25,
        3,
        30,
        "risk_ratio",
        0.5,
        3.12880357819851,
        0.000877597980105341,
        3.10022943101484,
        0.000966853970089555,
    ),
    (
        7,
        25,
        3,
        30,
        "odds_ratio",
        0.4,
        3.20948079475752,
        0.000664874648540177,
        3.18016985390729,
        0.000735943753841416,
    ),
    (
        190,
        200,
        180,
        210,
        "risk_difference",
        0.1,
        -0.248055055668479,
        0.597954095329218,
        -0.247752364822762,
        0.597836993333664,
    ),
    (
        190,
        200,
        180,
        210,
        "risk_ratio",
        1.1,
        0.234008984126733,
        0.407489001982962,
        0.233723433094041,
        0.407599847281621,
    ),
    (
        190,
        200,
        180,
        210,
        "odds_ratio",
        2.5,
        0.623801082021205,
        0.2663791144826,
        0.623039884566199,
        0.266629156180251,
    ),
]


# ---------------------------------------------------------------------------------------------
# Published and independent references


@pytest.mark.parametrize(("method", "expected"), [("mn", 0.006582), ("fm", 0.006550)])
def test_reprove_example(method: str, expected: float) -> None:
    # The REPROVE example: one-sided p to 1e-6 (MN 0.006582, FM 0.006550).
    res = rk.noninferiority(
        REPROVE, measure="risk_difference", margin=-0.125, method=method, higher_is_better=True
    )
    assert res.pvalue == pytest.approx(expected, abs=1e-6)
    assert res.rejected
    # The matching lower limit: the MN (or Mee's) interval, and at the level 1 - 2p it sits
    # on the margin.
    interval = "mn" if method == "mn" else "mee"
    assert res.ci == rk.risk_difference(REPROVE, method=interval).ci
    at_p = rk.risk_difference(REPROVE, method=interval, confidence_level=1 - 2 * res.pvalue)
    assert at_p.ci.low == pytest.approx(-0.125, abs=1e-9)
    assert res.ci.low > -0.125


def test_statsmodels_score_test_disagrees() -> None:
    # statsmodels 0.14/0.15 test_proportions_2indep(method="score") gives 0.006919 for the
    # REPROVE example, against 0.006582 (MN) and 0.006550 (FM): its constrained MLE under a
    # non-zero difference is wrong (statsmodels issue 10269; tests/test_score.py documents
    # the same fault in its MN interval). The disagreement is asserted, not hidden.
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    sm = proportion.test_proportions_2indep(
        245, 356, 270, 370, value=-0.125, method="score", compare="diff", alternative="larger"
    )
    assert sm.pvalue == pytest.approx(0.006919, abs=1e-6)
    ours = rk.noninferiority(
        REPROVE, measure="risk_difference", margin=-0.125, higher_is_better=True
    )
    assert abs(sm.pvalue - ours.pvalue) > 3e-4


@pytest.mark.parametrize("row", MPMATH, ids=lambda r: f"{r[0]}/{r[1]}-{r[2]}/{r[3]}-{r[4]}")
def test_mpmath_brute_force(row: tuple[Any, ...]) -> None:
    # tests/reference/margins_mpmath.py (constrained MLE solved numerically in mpmath).
    a, n1, c, n2, measure, value, z_fm, p_fm, z_mn, p_mn = row
    outcome = rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
    for method, z, p in (("fm", z_fm, p_fm), ("mn", z_mn, p_mn)):
        res = rk.hypothesis_test(
            outcome, method=method, measure=measure, null_value=value, alternative="greater"
        )
        assert res.statistic == pytest.approx(z, rel=1e-9)
        assert res.pvalue == pytest.approx(p, rel=1e-9)
        less = rk.hypothesis_test(
            outcome, method=method, measure=measure, null_value=value, alternative="less"
        )
        assert less.pvalue == pytest.approx(1.0 - p, rel=1e-9)
        null = kernel.NULL[measure]
        if value != null:
            better = value < null
            ni = rk.noninferiority(
                outcome, measure=measure, margin=value, method=method, higher_is_better=better
            )
            assert ni.pvalue == pytest.approx(p if better else 1.0 - p, rel=1e-9)
            assert ni.statistic == pytest.approx(z, rel=1e-9)


#: tests/reference/margins_descrtab2.R: R, DescrTab2's farrington.manning() (its own closed-form
#: cubic) at commit f157380: a, n1, c, n2, delta, alternative, z, p.
DESCRTAB2 = [
    (245, 356, 270, 370, -0.125, "greater", 2.48102344827188, 0.00655028774196909),
    (64, 218, 83, 216, 0.05, "less", -3.09556303934221, 0.000982198055979261),
    (7, 25, 3, 30, -0.1, "greater", 2.61034736791504, 0.00452251625288536),
    (190, 200, 180, 210, 0.1, "less", -0.248055055668477, 0.402045904670783),
    (40, 60, 35, 60, -0.3, "greater", 4.49972775925392, 3.40202721682559e-06),
]


@pytest.mark.parametrize("row", DESCRTAB2, ids=lambda r: f"{r[0]}/{r[1]}-{r[2]}/{r[3]}")
def test_r_descrtab2_farrington_manning(row: tuple[Any, ...]) -> None:
    a, n1, c, n2, delta, alternative, z, p = row
    outcome = rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))
    res = rk.hypothesis_test(outcome, method="fm", null_value=delta, alternative=alternative)
    assert res.statistic == pytest.approx(z, rel=1e-9)
    assert res.pvalue == pytest.approx(p, rel=1e-9)
    ni = rk.noninferiority(
        outcome,
        measure="risk_difference",
        margin=delta,
        method="fm",
        higher_is_better=alternative == "greater",
    )
    assert ni.pvalue == pytest.approx(p, rel=1e-9)


# ---------------------------------------------------------------------------------------------
# The law: the test rejects exactly when the matching interval excludes the margin


def _tie(limit: float, bound: float) -> bool:
    """Within rounding of an exact tie (the solvers' tolerance is near 1e-15)."""
    return math.isclose(limit, bound, rel_tol=1e-9, abs_tol=1e-12)


@given(
    outcome=outcomes(max_total=300),
    measure=margin_measures,
    data=st.data(),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_rejects_exactly_when_the_interval_excludes_the_margin(
    outcome: rk.BinaryOutcome, measure: str, data: st.DataObject, level: float
) -> None:
    better = data.draw(st.booleans())
    value = data.draw(margin_values(measure, "below" if better else "above"))
    low = data.draw(margin_values(measure, "below"))
    high = data.draw(margin_values(measure, "above"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        for method in METHODS[measure]:
            ni = rk.noninferiority(
                outcome,
                measure=measure,
                margin=value,
                method=method,
                confidence_level=level,
                higher_is_better=better,
            )
            limit = ni.ci.low if better else ni.ci.high
            beyond = limit > value if better else limit < value
            assert ni.rejected == (ni.pvalue < ni.alpha)
            assert ni.rejected == beyond or _tie(limit, value), (method, ni)
            eq = rk.equivalence(
                outcome,
                measure=measure,
                margins=(low, high),
                method=method,
                confidence_level=level,
            )
            inside = eq.ci.low > low and eq.ci.high < high
            assert eq.rejected == inside or _tie(eq.ci.low, low) or _tie(eq.ci.high, high), (
                method,
                eq,
            )


@given(outcome=outcomes(max_total=200), measure=margin_measures, data=st.data())
def test_tost_pvalue_is_the_larger_one_sided_pvalue(
    outcome: rk.BinaryOutcome, measure: str, data: st.DataObject
) -> None:
    low = data.draw(margin_values(measure, "below"))
    high = data.draw(margin_values(measure, "above"))
    for method in ("mn", "fm"):
        eq = rk.equivalence(outcome, measure=measure, margins=(low, high), method=method)
        lower = rk.noninferiority(
            outcome, measure=measure, margin=low, method=method, higher_is_better=True
        )
        upper = rk.noninferiority(outcome, measure=measure, margin=high, method=method)
        assert eq.pvalue == max(lower.pvalue, upper.pvalue)
        assert eq.rejected == (lower.rejected and upper.rejected)


@given(outcome=outcomes(max_total=300), data=st.data())
def test_newcombe_pvalue_is_the_level_at_which_the_limit_touches_the_margin(
    outcome: rk.BinaryOutcome, data: st.DataObject
) -> None:
    better = data.draw(st.booleans())
    value = data.draw(margin_values("risk_difference", "below" if better else "above"))
    ni = rk.noninferiority(
        outcome,
        measure="risk_difference",
        margin=value,
        method="newcombe",
        higher_is_better=better,
    )
    if not 1e-9 < ni.pvalue < 0.5 - 1e-9:
        return
    level = 1.0 - 2.0 * ni.pvalue
    ci = rk.risk_difference(outcome, method="newcombe", confidence_level=level).ci
    assert (ci.low if better else ci.high) == pytest.approx(value, abs=1e-9)


def test_level_rule_for_tost_at_five_percent() -> None:
    # TOST at alpha 0.05 is read off the 90% interval: confidence_level=0.90.
    eq = rk.equivalence(
        REPROVE, measure="risk_difference", margins=(-0.125, 0.125), confidence_level=0.90
    )
    assert eq.alpha == pytest.approx(0.05)
    assert eq.ci == rk.risk_difference(REPROVE, method="mn", confidence_level=0.90).ci
    assert "90% confidence interval" in eq.conclusion


# ---------------------------------------------------------------------------------------------
# Score tests in hypothesis_test


def test_score_tests_of_no_effect_are_the_chi_squared_tests(core: rk.BinaryOutcome) -> None:
    # At no effect, FM is Pearson's chi-squared test and MN the "N - 1" chi-squared test.
    fm = rk.hypothesis_test(core, method="fm")
    assert fm.pvalue == pytest.approx(rk.hypothesis_test(core).pvalue, rel=1e-12)
    assert fm.statistic is not None
    assert fm.statistic**2 == pytest.approx(rk.hypothesis_test(core).statistic, rel=1e-12)
    mn = rk.hypothesis_test(core, method="mn")
    assert mn.pvalue == pytest.approx(rk.risk_difference(core, method="mn").pvalue, rel=1e-12)
    for measure in ("risk_ratio", "odds_ratio"):
        other = rk.hypothesis_test(core, method="mn", measure=measure)
        assert other.pvalue == pytest.approx(mn.pvalue, rel=1e-12)


def test_null_value_needs_a_score_test(core: rk.BinaryOutcome) -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`null_value` must be None for method='chi2'"):
        rk.hypothesis_test(core, null_value=0.1)
    with pytest.raises(rk.InvalidInputError, match=r"`null_value` must lie strictly between"):
        rk.hypothesis_test(core, method="mn", null_value=1.5)
    with pytest.raises(rk.InvalidInputError, match=r"`null_value` must be positive"):
        rk.hypothesis_test(core, method="mn", measure="risk_ratio", null_value=0)
    with pytest.raises(rk.InvalidInputError, match=r"`measure` must be one of"):
        rk.hypothesis_test(core, method="mn", measure="nnt")
    with pytest.raises(rk.InvalidInputError, match=r"`null_value` must be a finite number"):
        rk.hypothesis_test(core, method="fm", null_value="0.1")  # type: ignore[arg-type]


def test_hypothesis_test_batch_equals_scalar(core: rk.BinaryOutcome) -> None:
    batch = rkb.hypothesis_test(
        [64, 20],
        [218, 50],
        [83, 30],
        [216, 60],
        method="fm",
        measure="odds_ratio",
        null_value=1.5,
        alternative="less",
    )
    one = rk.hypothesis_test(
        core, method="fm", measure="odds_ratio", null_value=1.5, alternative="less"
    )
    assert batch.item(0) == one


# ---------------------------------------------------------------------------------------------
# The batch path, results and display


@given(
    tables=st.lists(outcomes(max_total=100), min_size=1, max_size=5),
    measure=margin_measures,
    data=st.data(),
)
def test_batch_equals_scalar(
    tables: list[rk.BinaryOutcome], measure: str, data: st.DataObject
) -> None:
    value = data.draw(margin_values(measure, "above"))
    method = data.draw(st.sampled_from(METHODS[measure]))
    counts = np.array([t.as_tuple() for t in tables]).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        batch = rkb.noninferiority(*counts, measure=measure, margin=value, method=method)
        for i, t in enumerate(tables):
            one = rk.noninferiority(t, measure=measure, margin=value, method=method)
            got, expected = batch.item(i).to_dict(), one.to_dict()
            expected["outcome"] = ""
            assert got.keys() == expected.keys()
            for key, x in expected.items():
                y = got[key]
                same = (x is None and y is None) or x == y
                nans = (
                    isinstance(x, float)
                    and isinstance(y, float)
                    and math.isnan(x)
                    and math.isnan(y)
                )
                assert same or nans, key


def test_display_and_tidy() -> None:
    res = rk.noninferiority(
        REPROVE, measure="risk_difference", margin=-0.125, higher_is_better=True
    )
    assert repr(res).startswith("MarginTest(risk_difference=-0.04")
    assert "Conclusion" in res._repr_html_()
    d = res.to_dict()
    assert tuple(d) == MARGIN_COLUMNS
    assert d["outcome"] == "Cure"
    assert res.hypothesis == "H0: risk difference <= -0.125 vs H1: risk difference > -0.125"
    assert res.conclusion.startswith("Non-inferior at a margin of -0.125: the lower 95%")
    harmful = rk.noninferiority(REPROVE, measure="risk_ratio", margin=1.02)
    assert harmful.hypothesis == "H0: risk ratio >= 1.02 vs H1: risk ratio < 1.02"
    assert harmful.conclusion.startswith("Non-inferiority not shown at a margin of 1.02")
    assert "upper 95% confidence limit" in harmful.conclusion
    eq = rk.equivalence(REPROVE, measure="odds_ratio", margins=(0.5, 2.0))
    assert eq.hypothesis.endswith("H1: 0.5 < odds ratio < 2")
    assert eq.to_dict()["margin_low"] == 0.5
    assert eq.to_dict()["higher_is_better"] is None
    frame = rkb.equivalence(
        [245, 200], 356, 270, 370, measure="risk_ratio", margins=(0.8, 1.25)
    ).to_frame()
    assert list(frame.columns) == ["table", *MARGIN_COLUMNS[1:]]
    assert frame["rejected"].dtype == bool


def test_wald_ratio_with_a_zero_cell_has_no_statistic() -> None:
    outcome = rk.BinaryOutcome.from_counts(treatment=(0, 40), control=(5, 40))
    with pytest.warns(rk.RctkitWarning, match=r"no events in an arm"):
        res = rk.noninferiority(outcome, measure="risk_ratio", margin=1.5, method="wald")
    assert res.statistic is None
    assert res.pvalue == 1.0
    assert not res.rejected


# ---------------------------------------------------------------------------------------------
# Input validation


def test_input_validation() -> None:
    def ni(**kw: Any) -> rk.MarginTest:
        args: dict[str, Any] = {"measure": "risk_difference", "margin": 0.1, **kw}
        return rk.noninferiority(REPROVE, **args)

    with pytest.raises(rk.InvalidInputError, match=r"must lie above 0.*higher_is_better=True"):
        ni(margin=-0.1)
    with pytest.raises(rk.InvalidInputError, match=r"must lie below 1.*higher_is_better=False"):
        ni(measure="risk_ratio", margin=1.2, higher_is_better=True)
    with pytest.raises(rk.InvalidInputError, match=r'"newcombe" is defined for the risk diff'):
        ni(measure="odds_ratio", margin=1.2, method="newcombe")
    with pytest.raises(rk.InvalidInputError, match=r"`method` must be one of"):
        ni(method="score")
    with pytest.raises(rk.InvalidInputError, match=r"`measure` must be one of"):
        ni(measure="nnt")
    with pytest.raises(rk.InvalidInputError, match=r"`margin` must be a finite number"):
        ni(margin=float("nan"))
    with pytest.raises(rk.InvalidInputError, match=r"strictly between -1 and 1"):
        ni(margin=1.0)
    with pytest.raises(rk.InvalidInputError, match=r"`higher_is_better` must be True or False"):
        ni(higher_is_better="yes")
    with pytest.raises(rk.InvalidInputError, match=r"`confidence_level`"):
        ni(confidence_level=1.5)
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must be a BinaryOutcome"):
        rk.noninferiority((1, 2), measure="risk_difference", margin=0.1)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`margins` must satisfy low < 1 < high"):
        rk.equivalence(REPROVE, measure="risk_ratio", margins=(1.1, 1.25))
    with pytest.raises(rk.InvalidInputError, match=r"`margins` must be a pair"):
        rk.equivalence(REPROVE, measure="risk_ratio", margins=0.8)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`treatment_total` must be positive"):
        rkb.noninferiority(1, 0, 1, 2, measure="risk_difference", margin=0.1)


def test_conclusion_never_rounds_a_limit_onto_the_margin_or_p_across_005() -> None:
    """The sentence's limit gets digits until it differs from the margin, and its p-value
    until it stays on its side of 0.05 (formatting rules of the report)."""
    from rctkit.results.margins import margin_conclusion

    ci = rk.ConfidenceInterval(-0.124996, 0.03)
    text = margin_conclusion("noninferiority", -0.125, True, True, ci, 0.95, 0.0496)
    assert "limit -0.124996 " in text and "p = 0.0496" in text
    equivalence = margin_conclusion(
        "equivalence",
        (-0.125, 0.125),
        False,
        True,
        rk.ConfidenceInterval(-0.124996, 0.1249961),
        0.95,
        0.04996,
    )
    assert "-0.124996 to 0.124996" in equivalence and "p = 0.04996" in equivalence

"""Subgroup analyses: rk.subgroup_analysis, its result's displays, and the subgroup forest plot.

Reference values are R's (tests/reference/subgroups.R, output in subgroups_r.txt) on the
simulated six-site CORE data set, by site and by the age and prior-admission bands derived
below exactly as the R script derives them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit.adjusted import load_core_simulated
from rctkit.subgroups import SUBGROUP_NOTE, SubgroupAnalysis, subgroup_analysis
from tests.strategies import outcomes

# From tests/reference/subgroups_r.txt (R 'tests/reference/subgroups.R': glm with
# glm.control(epsilon=1e-15), anova(..., test='LRT'), metafor::rma.mh $BD/$TA, and the
# Woolf, Katz and Wald formulas written in R). Each value is R's, printed to 15 digits.
R_LRT = {  # factor: (deviance, df, p) from anova(glm(~ treat + g), glm(~ treat * g))
    "site": (5.51240966832779, 5, 0.356587034510611),
    "age_band": (2.66495481466086, 2, 0.263822854344946),
    "prior_band": (2.97531002680796, 2, 0.225901771538285),
}
R_HOMOGENEITY = {  # factor: (Breslow-Day, p, Tarone, p) from metafor::rma.mh
    "site": (5.50062497512106, 0.357877354926231, 5.50008832804215, 0.357936195457569),
    "age_band": (2.65964242995802, 0.264524550099675, 2.65932386546773, 0.264566687519694),
    "prior_band": (2.96375881874217, 0.227210265755909, 2.96370971191013, 0.227215844612578),
}
R_LEVELS = {  # (factor, level): (counts a n1 c n2, OR Woolf, RR Katz, RD Wald) in R
    ("site", "A"): (
        (15, 55, 19, 49),
        (0.592105263157895, 0.259208024276817, 1.35253776821691),
        (0.703349282296651, 0.40304310903056, 1.22741265592437),
        (-0.115027829313544, -0.295208450543761, 0.0651527919166737),
    ),
    ("site", "B"): (
        (16, 42, 13, 42),
        (1.37278106508876, 0.556338639166777, 3.38737545802798),
        (1.23076923076923, 0.679625311091147, 2.22886475045531),
        (0.0714285714285714, -0.131344719237503, 0.274201862094646),
    ),
    ("site", "C"): (
        (10, 42, 20, 43),
        (0.359375, 0.141916015323694, 0.910048033200645),
        (0.511904761904762, 0.272957165382414, 0.960027866986538),
        (-0.227021040974529, -0.424042194059713, -0.0299998878893459),
    ),
    ("site", "D"): (
        (3, 28, 8, 35),
        (0.405, 0.096524886492575, 1.69930269757548),
        (0.46875, 0.136966616782483, 1.60423443070765),
        (-0.121428571428571, -0.301643460955417, 0.058786318098274),
    ),
    ("site", "E"): (
        (12, 27, 11, 24),
        (0.945454545454545, 0.313156994136489, 2.85442865482054),
        (0.96969696969697, 0.529096967366719, 1.77720204619459),
        (-0.0138888888888889, -0.287507696102686, 0.259729918324908),
    ),
    ("site", "F"): (
        (8, 24, 12, 23),
        (0.458333333333333, 0.14100225155065, 1.48983042564384),
        (0.638888888888889, 0.321121116339548, 1.27110610787139),
        (-0.188405797101449, -0.466335857392154, 0.0895242631892555),
    ),
    ("age_band", "18-39"): (
        (34, 96, 46, 119),
        (0.870266479663394, 0.498227984260188, 1.52011482604759),
        (0.916213768115942, 0.64408633371432, 1.30331544848077),
        (-0.0323879551820728, -0.162032157262755, 0.0972562468986092),
    ),
    ("age_band", "40-59"): (
        (25, 108, 34, 87),
        (0.469525159461375, 0.252373866687371, 0.873521011746899),
        (0.592320261437909, 0.384408791653998, 0.912682799475779),
        (-0.159323116219668, -0.289091558016256, -0.0295546744230801),
    ),
    ("age_band", "60+"): (
        (5, 14, 3, 10),
        (1.2962962962963, 0.227736692156659, 7.37862692163619),
        (1.19047619047619, 0.366142765039763, 3.87071299889482),
        (0.0571428571428572, -0.321893183328601, 0.436178897614315),
    ),
    ("prior_band", "0-1"): (
        (28, 115, 24, 99),
        (1.00574712643678, 0.537475991899632, 1.88199528459075),
        (1.00434782608696, 0.624967868742146, 1.61402626633559),
        (0.0010540184453228, -0.114181327158157, 0.116289364048803),
    ),
    ("prior_band", "2-3"): (
        (27, 88, 45, 94),
        (0.481967213114754, 0.262541976809073, 0.884781920746072),
        (0.640909090909091, 0.439032000717392, 0.935613946452001),
        (-0.171905222437137, -0.311484187749195, -0.0323262571250799),
    ),
    ("prior_band", "4+"): (
        (9, 15, 14, 23),
        (0.964285714285714, 0.255090086771579, 3.6451708121772),
        (0.985714285714286, 0.581733984925155, 1.6702353278986),
        (-0.0086956521739131, -0.326885894390117, 0.309494590042291),
    ),
}


def core_data() -> dict[str, Any]:
    data = load_core_simulated()
    age = data["age"]
    prior = data["prior_admissions"]
    data["age_band"] = np.where(age < 40, "18-39", np.where(age < 60, "40-59", "60+"))
    data["prior_band"] = np.where(prior <= 1, "0-1", np.where(prior <= 3, "2-3", "4+"))
    return data


FACTORS = ["site", "age_band", "prior_band"]


@pytest.fixture(scope="module")
def core() -> dict[str, Any]:
    return core_data()


def analyse(data: Any, measure: str = "odds_ratio", **kwargs: Any) -> SubgroupAnalysis:
    return subgroup_analysis(
        data,
        by=FACTORS,
        measure=measure,
        outcome="readmitted",
        arm="arm",
        treatment="peer_support",
        **kwargs,
    )


# -- against R ------------------------------------------------------------------------------


def test_interaction_lrt_matches_r_glm_anova(core: dict[str, Any]) -> None:
    res = analyse(core)
    assert res.headline == "lr"
    for test in res.interactions:
        deviance, df, p = R_LRT[test.factor]  # R glm + anova(test="LRT")
        assert test.method == "lr"
        assert test.df == df
        assert test.statistic == pytest.approx(deviance, rel=1e-9, abs=1e-10)
        assert test.pvalue == pytest.approx(p, rel=1e-9)


def test_breslow_day_and_tarone_match_r_metafor(core: dict[str, Any]) -> None:
    res = analyse(core)
    for factor in FACTORS:
        bd, bd_p, ta, ta_p = R_HOMOGENEITY[factor]  # metafor::rma.mh $BD, $BDp, $TA, $TAp
        got_bd = res.interaction(factor, "breslow-day")
        got_ta = res.interaction(factor, "tarone")
        assert got_bd.statistic == pytest.approx(bd, rel=1e-9)
        assert got_bd.pvalue == pytest.approx(bd_p, rel=1e-9)
        assert got_ta.statistic == pytest.approx(ta, rel=1e-9)
        assert got_ta.pvalue == pytest.approx(ta_p, rel=1e-9)


@pytest.mark.parametrize(
    ("measure", "index"), [("odds_ratio", 1), ("risk_ratio", 2), ("risk_difference", 3)]
)
def test_level_estimates_match_r(core: dict[str, Any], measure: str, index: int) -> None:
    res = analyse(core, measure=measure)
    assert len(res.levels) == len(R_LEVELS)
    for lv in res.levels:
        ref = R_LEVELS[(lv.factor, lv.level)]
        # counts tabulated in R
        assert (lv.treatment_events, lv.treatment_total, lv.control_events, lv.control_total) == (
            ref[0]
        )
        est, low, high = ref[index]  # type: ignore[misc]  # Woolf OR, Katz RR, Wald RD by their formulas in R
        assert lv.estimate.estimate == pytest.approx(est, rel=1e-9, abs=1e-12)
        assert lv.estimate.ci.low == pytest.approx(low, rel=1e-9, abs=1e-12)
        assert lv.estimate.ci.high == pytest.approx(high, rel=1e-9, abs=1e-12)
        assert lv.estimate.pvalue is None
    # The overall row: CORE's own counts, 64/218 vs 83/216.
    o = res.overall
    assert (o.treatment_events, o.treatment_total, o.control_events, o.control_total) == (
        64,
        218,
        83,
        216,
    )


def test_counts_input_gives_the_same_analysis(core: dict[str, Any]) -> None:
    res = analyse(core)
    mapping = {
        f: {
            lv.level: rk.BinaryOutcome.from_counts(
                treatment=(lv.treatment_events, lv.treatment_total),
                control=(lv.control_events, lv.control_total),
                labels=("peer_support", "control"),
            )
            for lv in res.levels_of(f)
        }
        for f in FACTORS
    }
    again = subgroup_analysis(mapping)
    assert again.levels == res.levels
    assert again.overall == res.overall
    assert again.interactions == res.interactions
    assert again.homogeneity == res.homogeneity
    assert subgroup_analysis(mapping, by="site").factors == ("site",)


def test_a_pandas_frame_gives_the_same_analysis(core: dict[str, Any]) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(core)
    assert analyse(frame) == analyse(core)


def test_other_measures_have_no_homogeneity_tests(core: dict[str, Any]) -> None:
    res = analyse(core, measure="risk_difference")
    assert res.homogeneity == ()
    assert [t.method for t in res.interactions] == ["lr"] * 3


# -- degenerate data ---------------------------------------------------------------------


def test_a_level_without_information_is_left_out_of_the_tests() -> None:
    a = rk.BinaryOutcome.from_counts(treatment=(10, 50), control=(20, 50))
    b = rk.BinaryOutcome.from_counts(treatment=(15, 40), control=(18, 35))
    empty = rk.BinaryOutcome.from_counts(treatment=(0, 10), control=(0, 12))
    with pytest.warns(rk.RctkitWarning, match="zero cell"):
        with_empty = subgroup_analysis({"g": {"a": a, "b": b, "c": empty}})
    without = subgroup_analysis({"g": {"a": a, "b": b}})
    assert with_empty.interactions[0].df == 1
    assert with_empty.interactions[0].statistic == pytest.approx(
        without.interactions[0].statistic, rel=1e-12
    )
    # Woolf's interval is undefined with a zero cell: "not estimable" in the table.
    assert math.isnan(with_empty.levels[2].estimate.estimate)
    assert "not estimable" in with_empty.table().to_text()


def test_separation_by_arm_has_no_interaction_test() -> None:
    a = rk.BinaryOutcome.from_counts(treatment=(5, 20), control=(0, 20))
    b = rk.BinaryOutcome.from_counts(treatment=(8, 20), control=(0, 20))
    with pytest.warns(rk.RctkitWarning, match="zero cell"):
        res = subgroup_analysis({"g": {"a": a, "b": b}})
    test = res.interactions[0]
    assert test.pvalue is None and test.statistic is None and not test.defined
    assert "separation" in test.reason
    assert "no test of interaction" in " ".join(res.notes)


@given(outcomes(max_total=60, zero_cells=False))
def test_a_factor_with_one_level_has_no_interaction_test(outcome: rk.BinaryOutcome) -> None:
    res = subgroup_analysis({"f": {"only": outcome}})
    for test in (*res.interactions, *res.homogeneity):
        assert test.pvalue is None
        assert test.statistic is None
        assert test.df == 0
        assert "fewer than two levels" in test.reason
    assert res.levels[0].estimate == res.overall.estimate


# -- laws -------------------------------------------------------------------------------


@given(
    st.lists(outcomes(max_total=80, zero_cells=False), min_size=1, max_size=5),
    st.sampled_from(["odds_ratio", "risk_ratio", "risk_difference"]),
)
def test_batch_equals_scalar_per_level(strata: list[rk.BinaryOutcome], measure: str) -> None:
    levels = {f"L{i}": s for i, s in enumerate(strata)}
    res = subgroup_analysis({"f": levels}, measure=measure, by=None)
    scalar = {"odds_ratio": rk.odds_ratio, "risk_ratio": rk.risk_ratio}.get(
        measure, rk.risk_difference
    )
    for lv, s in zip(res.levels, strata, strict=True):
        est = scalar(s, method="wald")
        assert lv.estimate.estimate == pytest.approx(est.estimate, rel=1e-12, abs=1e-15)
        assert lv.estimate.ci.low == pytest.approx(est.ci.low, rel=1e-12, abs=1e-15)
        assert lv.estimate.ci.high == pytest.approx(est.ci.high, rel=1e-12, abs=1e-15)


def swap(o: rk.BinaryOutcome) -> rk.BinaryOutcome:
    return rk.BinaryOutcome(name=o.name, treatment=o.control, control=o.treatment)


@given(st.lists(outcomes(max_total=80, zero_cells=False), min_size=2, max_size=5))
def test_swapping_arms_inverts_the_ratios_and_keeps_the_tests(
    strata: list[rk.BinaryOutcome],
) -> None:
    res = subgroup_analysis({"f": {f"L{i}": s for i, s in enumerate(strata)}})
    swapped = subgroup_analysis({"f": {f"L{i}": swap(s) for i, s in enumerate(strata)}})
    for a, b in zip(res.levels, swapped.levels, strict=True):
        assert a.estimate.estimate == pytest.approx(1 / b.estimate.estimate, rel=1e-9)
        assert a.estimate.ci.low == pytest.approx(1 / b.estimate.ci.high, rel=1e-9)
    t, u = res.interactions[0], swapped.interactions[0]
    if t.defined:
        assert t.statistic == pytest.approx(u.statistic, rel=1e-7, abs=1e-9)
    for x, y in zip(res.homogeneity, swapped.homogeneity, strict=True):
        if x.defined:
            assert x.statistic == pytest.approx(y.statistic, rel=1e-7, abs=1e-9)


@given(st.lists(outcomes(max_total=80, zero_cells=False), min_size=1, max_size=4))
def test_each_level_interval_contains_its_estimate(strata: list[rk.BinaryOutcome]) -> None:
    res = subgroup_analysis({"f": {f"L{i}": s for i, s in enumerate(strata)}})
    for lv in (res.overall, *res.levels):
        assert lv.estimate.ci.low <= lv.estimate.estimate <= lv.estimate.ci.high


def test_the_levels_come_from_one_batch_call(core: dict[str, Any]) -> None:
    res = analyse(core)
    rows = [res.overall, *res.levels]
    got = rkb.odds_ratio(
        [r.treatment_events for r in rows],
        [r.treatment_total for r in rows],
        [r.control_events for r in rows],
        [r.control_total for r in rows],
    )
    assert np.array_equal(got.estimate, [r.estimate.estimate for r in rows])


# -- displays ---------------------------------------------------------------------------


def test_every_display_carries_the_warning(core: dict[str, Any]) -> None:
    res = analyse(core)
    assert SUBGROUP_NOTE.startswith("Subgroup analyses")
    assert "interaction tests, not by within-subgroup p-values" in SUBGROUP_NOTE
    assert res.notes[0] == SUBGROUP_NOTE
    assert "Subgroup analyses" in repr(res)
    assert "within-subgroup p-values" in res._repr_html_()
    table = res.table()
    for text in (table.to_text(), table.to_markdown(), table.to_html()):
        assert "within-subgroup p-values" in text
    # The headline p per factor is in the table, in the journal's form (R: 0.357, 0.264, 0.226).
    assert [r[-1] for r in table.rows if r[0] in FACTORS] == ["0.36", "0.26", "0.23"]
    assert "0·36" in res.table(style="lancet").to_text()


def test_labels_are_escaped() -> None:
    a = rk.BinaryOutcome.from_counts(treatment=(10, 50), control=(20, 50))
    b = rk.BinaryOutcome.from_counts(treatment=(15, 40), control=(18, 35))
    res = subgroup_analysis({"<b>x</b>": {"<i>": a, "|y|": b}})
    html = res.table().to_html()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>x</b>" not in res._repr_html_()


def test_to_frame(core: dict[str, Any]) -> None:
    pytest.importorskip("pandas")
    frame = analyse(core).to_frame()
    assert len(frame) == 1 + len(R_LEVELS)
    assert frame["interaction_pvalue"].iloc[1] == pytest.approx(R_LRT["site"][2], rel=1e-9)


# -- validation -------------------------------------------------------------------------


def test_bad_input_is_refused(core: dict[str, Any]) -> None:
    with pytest.raises(rk.InvalidInputError, match="`measure`"):
        analyse(core, measure="hazard_ratio")
    with pytest.raises(rk.InvalidInputError, match="`method`"):
        analyse(core, method="nonsense")
    with pytest.raises(rk.InvalidInputError, match="`confidence_level`"):
        analyse(core, confidence_level=1.5)
    with pytest.raises(rk.InvalidInputError, match="`by`"):
        subgroup_analysis(
            core, by="nope", outcome="readmitted", arm="arm", treatment="peer_support"
        )
    with pytest.raises(rk.InvalidInputError, match="`treatment`"):
        subgroup_analysis(core, by="site", outcome="readmitted", arm="arm")
    with pytest.raises(rk.InvalidInputError, match="`treatment`"):
        subgroup_analysis(core, by="site", outcome="readmitted", arm="arm", treatment="x")
    with pytest.raises(rk.InvalidInputError, match="`outcome`"):
        subgroup_analysis(core, by="site", outcome="age", arm="arm", treatment="peer_support")
    a = rk.BinaryOutcome.from_counts(treatment=(10, 50), control=(20, 50))
    b = rk.BinaryOutcome.from_counts(treatment=(15, 40), control=(18, 35))
    with pytest.raises(rk.InvalidInputError, match="partition the same participants"):
        subgroup_analysis({"f": {"a": a, "b": b}, "g": {"a": a}})
    with pytest.raises(rk.InvalidInputError, match="must be a BinaryOutcome"):
        subgroup_analysis({"f": {"a": (1, 2)}})
    with pytest.raises(rk.InvalidInputError, match="`by`"):
        subgroup_analysis({"f": {"a": a}}, by="g")
    with pytest.raises(rk.InvalidInputError, match="`arm`"):
        subgroup_analysis({"f": {"a": a}}, arm="arm")


# -- the plot ---------------------------------------------------------------------------


def test_subgroup_forest_plot(core: dict[str, Any], tmp_path: Any) -> None:
    pytest.importorskip("matplotlib")
    from rctkit.plots import subgroup_forest_plot
    from rctkit.trialfile import example_trial

    res = analyse(core)
    fig = subgroup_forest_plot(res, style="lancet", path=tmp_path / "s.png")
    texts = [t.get_text() for t in fig.texts]
    assert "p for interaction" in texts and "Subgroup" in texts
    assert "0·36" in texts and "site" in texts  # R: p = 0.357 for site
    assert "15/55" in texts and "All participants" in texts
    assert "\u2013" not in texts  # no within-subgroup p-value, not even a dash
    assert (tmp_path / "s.png").stat().st_size > 0
    with pytest.raises(rk.InvalidInputError, match="`result`"):
        subgroup_forest_plot(example_trial())  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match="`favours`"):
        subgroup_forest_plot(res, favours="x")  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match="`style`"):
        subgroup_forest_plot(res, style="apa")


def test_levels_are_sorted_where_they_sort() -> None:
    # Numbers sort as numbers (10 after 3), as the logistic model's dummies are coded.
    data = {
        "arm": np.array(["t", "c"] * 8),
        "y": np.array([1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1]),
        "g": np.array([3, 3, 1, 1, 2, 2, 10, 10, 1, 1, 2, 2, 3, 3, 10, 10]),
    }
    res = subgroup_analysis(data, by="g", outcome="y", arm="arm", treatment="t", method="mn")
    assert [lv.level for lv in res.levels] == ["1", "2", "3", "10"]

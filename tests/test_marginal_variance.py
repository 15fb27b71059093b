"""Variances of marginal_effect: Ge et al. (2011), Ge with HC0, the stacked sandwich, and Ye et
al. (2023) with its strata term for stratified randomisation.

References, each named beside its numbers:

- beeca 0.2.0 (CRAN, LGPL-3; R 4.2.2) on its own example data ``trial01`` (267 participants with
  an outcome; ``tests/reference/beeca_trial01.csv``), script
  ``tests/reference/marginal_variance_beeca.R``, output
  ``tests/reference/marginal_variance_beeca.txt``: ``get_marginal_effect(method="Ge",
  type="model-based")``, ``(method="Ge", type="HC0")``, ``(method="Ye")`` and ``(method="Ye",
  strata="bl_cov_c2")``. The model-based Ge value is also given by the R code of Ge et al.'s
  paper (same script) and by beeca's stored SAS outputs (the %Margins macro and Ge's SAS
  macro). beeca's own tests check its Ye values against RobinCar's ``robincar_glm``; its
  stored RobinCar-matched variance for trial01 is 0.003706813.
  R's ``glm`` stops at epsilon 1e-8, so its coefficients (and the Ge values) agree to about
  1e-8 relative; the Ye values to 1e-12.
- Coverage: ``tests/reference/marginal_variance_coverage.py`` (truth by mpmath quadrature),
  a smaller run here with a binomial band that can fail.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import rctkit as rk
from rctkit.adjusted import load_core_simulated, marginal_effect

REFERENCE = Path(__file__).parent / "reference"
MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")


def _trial01() -> dict[str, Any]:
    with open(REFERENCE / "beeca_trial01.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    data: dict[str, Any] = {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}
    data["bl_cov_c2"] = data["bl_cov_c2"].astype(np.int64)
    return data


TRIAL01 = _trial01()
FIT1: dict[str, Any] = {
    "outcome": "aval",
    "arm": "trtp",
    "treatment": 1.0,
    "covariates": ["bl_cov"],
}
FIT2: dict[str, Any] = {**FIT1, "factors": ["bl_cov_c2"]}

# beeca 0.2.0, tests/reference/marginal_variance_beeca.txt: (estimate, SE) for contrasts
# diff, logrr, logor (our risk_difference, log risk_ratio, log odds_ratio).
BEECA_FIT1 = {
    "ge": [
        (-0.068363988085174, 0.0607164131987227),
        (-0.151104095349126, 0.134931661659757),
        (-0.276313643247238, 0.24617529353939),
    ],
    "ge-hc0": [
        (-0.068363988085174, 0.0607685299218463),
        (-0.151104095349126, 0.135015948004378),
        (-0.276313643247238, 0.246376845723603),
    ],
    "ye": [
        (-0.068363988085174, 0.0608836014124669),
        (-0.151104095349126, 0.135274974612581),
        (-0.276313643247238, 0.246843720697636),
    ],
}
# beeca, fit2 = aval ~ trtp + bl_cov + bl_cov_c2, method="Ye", strata="bl_cov_c2"
BEECA_FIT2_YE_STRATA = [
    (-0.0663846054039281, 0.060537683110817),
    (-0.146745645999957, 0.13444645711906),
    (-0.268298559328506, 0.245373636352607),
]
# beeca, fit2, method="Ye" without strata
BEECA_FIT2_YE = [0.0605464201123719, 0.13446843459632, 0.245408244864569]


def _on_scale(measure: str, estimate: float) -> float:
    return estimate if measure == "risk_difference" else math.log(estimate)


@pytest.mark.parametrize("variance", ["ge", "ge-hc0", "ye"])
@pytest.mark.parametrize("k", range(3))
def test_trial01_matches_beeca(variance: str, k: int) -> None:
    measure = MEASURES[k]
    est = marginal_effect(TRIAL01, **FIT1, measure=measure, variance=variance)
    ref_est, ref_se = BEECA_FIT1[variance][k]
    rtol = 1e-11 if variance == "ye" else 2e-8  # glm epsilon 1e-8 in R (module docstring)
    assert _on_scale(measure, est.estimate) == pytest.approx(ref_est, rel=1e-8)
    assert est.std_error == pytest.approx(ref_se, rel=rtol)
    # the model-based (Ge) SE rides along whatever the variance: beeca's "model-based"
    assert est.model_std_error == pytest.approx(BEECA_FIT1["ge"][k][1], rel=2e-8)
    assert est.variance == variance


def test_trial01_ge_matches_paper_code_and_sas() -> None:
    est = marginal_effect(TRIAL01, **FIT1, variance="ge")
    # Ge et al.'s paper code in R: se 0.0607164131987227; beeca's stored SAS outputs:
    # %Margins StdErr 0.0607164133982669, Ge's SAS macro se 0.0607164177398757 (SAS converges
    # less tightly: agreement to about 1e-7)
    assert est.std_error == pytest.approx(0.0607164131987227, rel=2e-8)
    assert est.std_error == pytest.approx(0.0607164133982669, rel=1e-7)
    assert est.std_error == pytest.approx(0.0607164177398757, rel=1e-6)
    # beeca's tests: the Ye variance of the difference, RobinCar-matched, 0.003706813 (9 d.p.)
    ye = marginal_effect(TRIAL01, **FIT1, variance="ye")
    assert round(ye.std_error**2, 9) == 0.003706813
    # risks: beeca's counterfactual means 0.419108268447712, 0.487472256532886
    assert ye.risk_treatment == pytest.approx(0.419108268447712, rel=1e-8)
    assert ye.risk_control == pytest.approx(0.487472256532886, rel=1e-8)


@pytest.mark.parametrize("k", range(3))
def test_trial01_ye_strata_matches_beeca(k: int) -> None:
    measure = MEASURES[k]
    est = marginal_effect(
        TRIAL01, **FIT2, measure=measure, variance="ye", randomisation_strata="bl_cov_c2"
    )
    ref_est, ref_se = BEECA_FIT2_YE_STRATA[k]
    assert _on_scale(measure, est.estimate) == pytest.approx(ref_est, rel=1e-8)
    assert est.std_error == pytest.approx(ref_se, rel=1e-11)
    plain = marginal_effect(TRIAL01, **FIT2, measure=measure, variance="ye")
    assert plain.std_error == pytest.approx(BEECA_FIT2_YE[k], rel=1e-11)
    assert est.randomisation_strata == ("bl_cov_c2",)
    assert "stratified" in est.variance_note


def test_old_names_are_aliases() -> None:
    model = marginal_effect(TRIAL01, **FIT1, variance="model")
    ge = marginal_effect(TRIAL01, **FIT1, variance="ge")
    assert model.std_error == ge.std_error == model.model_std_error
    assert model.variance == "model" and ge.variance == "ge"
    assert model.variance_note == ge.variance_note and "model-based" in ge.variance_note
    # the default stays the stacked sandwich: Ge-HC0 plus the covariates' variability
    default = marginal_effect(TRIAL01, **FIT1)
    assert default.variance == "sandwich"
    assert default.std_error == marginal_effect(TRIAL01, **FIT1, variance="sandwich").std_error
    assert "sampling variability of the covariates" in default.variance_note


def test_sandwich_and_ye_agree_in_a_large_trial() -> None:
    # the same asymptotic variance under simple randomisation: the simulated CORE trial (434
    # analysed), within 1%
    data = load_core_simulated()
    model: dict[str, Any] = {
        "outcome": "readmitted",
        "arm": "arm",
        "treatment": "peer_support",
        "covariates": ["prior_admissions", "age"],
        "factors": ["site"],
    }
    ye = marginal_effect(data, **model, variance="ye")
    sandwich = marginal_effect(data, **model, variance="sandwich")
    assert ye.std_error == pytest.approx(sandwich.std_error, rel=0.01)


def test_one_stratum_adds_nothing() -> None:
    # one stratum: its mean residual in each arm is 0 (the score equations of the intercept and
    # the arm), so the strata term vanishes
    data = {**TRIAL01, "all": np.zeros(TRIAL01["aval"].size, dtype=np.int64)}
    with_term = marginal_effect(data, **FIT1, variance="ye", randomisation_strata="all")
    plain = marginal_effect(data, **FIT1, variance="ye")
    assert with_term.std_error == pytest.approx(plain.std_error, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), k=st.integers(0, 2))
def test_strata_term_never_adds_variance_and_arms_swap(seed: int, k: int) -> None:
    # the strata term sum_z P(z) R_z Omega R_z is positive semi-definite: every contrast's
    # variance can only fall; swapping the arms negates the difference and keeps every SE
    rng = np.random.default_rng(seed)
    n = 120
    s = rng.integers(0, 3, n)
    x = rng.normal(size=n)
    a = rng.permutation(np.arange(n) % 2)
    y = (rng.random(n) < 1 / (1 + np.exp(-(-0.3 + 0.5 * a + x + 0.8 * s)))).astype(np.int64)
    y[:2], a[:2], y[2:4], a[2:4] = (0, 1), (1, 1), (0, 1), (0, 0)  # no arm without both outcomes
    data = {"y": y, "a": a, "x": x, "s": s}
    model: dict[str, Any] = {"outcome": "y", "arm": "a", "covariates": ["x"]}
    measure = MEASURES[k]
    strat = marginal_effect(
        data, **model, treatment=1, measure=measure, variance="ye", randomisation_strata="s"
    )
    plain = marginal_effect(data, **model, treatment=1, measure=measure, variance="ye")
    assert strat.std_error <= plain.std_error * (1 + 1e-12)
    for variance in ("ge", "ge-hc0", "sandwich", "ye"):
        kwargs: dict[str, Any] = {"randomisation_strata": "s"} if variance == "ye" else {}
        one = marginal_effect(
            data, **model, treatment=1, measure=measure, variance=variance, **kwargs
        )
        other = marginal_effect(
            data, **model, treatment=0, measure=measure, variance=variance, **kwargs
        )
        assert _on_scale(measure, one.estimate) == pytest.approx(
            -_on_scale(measure, other.estimate), abs=1e-10
        )
        assert one.std_error == pytest.approx(other.std_error, rel=1e-9)
        # a test and its interval agree: p < 0.05 exactly when the 95% interval excludes the null
        null = 0.0 if measure == "risk_difference" else 1.0
        assert (one.pvalue is not None) and (one.pvalue < 0.05) == (
            not one.ci.low <= null <= one.ci.high
        )


def test_bad_input() -> None:
    with pytest.raises(rk.InvalidInputError, match="`variance` must be one of"):
        marginal_effect(TRIAL01, **FIT1, variance="hc3")
    with pytest.raises(rk.InvalidInputError, match='`randomisation_strata` needs method="delta"'):
        marginal_effect(TRIAL01, **FIT1, variance="ge", randomisation_strata="bl_cov_c2")
    with pytest.raises(rk.InvalidInputError, match="`randomisation_strata` needs"):
        marginal_effect(TRIAL01, **FIT1, method="bootstrap", randomisation_strata="bl_cov_c2")
    with pytest.raises(rk.InvalidInputError, match="'nope', which is not in `data`"):
        marginal_effect(TRIAL01, **FIT1, variance="ye", randomisation_strata="nope")
    with pytest.raises(rk.InvalidInputError, match="at least one column"):
        marginal_effect(TRIAL01, **FIT1, variance="ye", randomisation_strata=[])
    gappy = {**TRIAL01, "st": np.where(np.arange(267) == 5, np.nan, 1.0)}
    with pytest.raises(rk.InvalidInputError, match=r"known for every participant \(got 1 missing"):
        marginal_effect(gappy, **FIT1, variance="ye", randomisation_strata="st")
    short = {**TRIAL01, "st": np.ones(10)}
    with pytest.raises(
        rk.InvalidInputError, match=r"one value per row of `data` \(267\) \(got 10"
    ):
        marginal_effect(short, **FIT1, variance="ye", randomisation_strata="st")


def test_strata_with_dropped_rows_and_two_columns() -> None:
    # rows dropped for a missing covariate are dropped from the strata too; two columns make
    # their joint levels (here the same partition as one combined column)
    data = {k: v.copy() for k, v in TRIAL01.items()}
    data["bl_cov"][[3, 50]] = np.nan
    data["half"] = (np.arange(267) % 2).astype(np.int64)
    data["joint"] = data["bl_cov_c2"] * 2 + data["half"]
    with pytest.warns(UserWarning, match="2 of 267 rows dropped"):
        two = marginal_effect(
            data, **FIT1, variance="ye", randomisation_strata=["bl_cov_c2", "half"], missing="drop"
        )
    with pytest.warns(UserWarning, match="2 of 267 rows dropped"):
        one = marginal_effect(
            data, **FIT1, variance="ye", randomisation_strata="joint", missing="drop"
        )
    assert two.n_used == 265 and two.std_error == pytest.approx(one.std_error, rel=1e-13)
    assert two.randomisation_strata == ("bl_cov_c2", "half")


def test_display_shows_the_comparison() -> None:
    est = marginal_effect(TRIAL01, **FIT2, variance="ye", randomisation_strata="bl_cov_c2")
    table = est._repr_html_()
    assert "Model-based SE (Ge)" in table and "Randomisation strata" in table
    assert "bl_cov_c2" in table and "Variance note" in table and "variance='ye'" in repr(est)
    ge = marginal_effect(TRIAL01, **FIT1, variance="ge")
    assert "Model-based SE (Ge)" not in ge._repr_html_()
    # a column name a user chose is escaped in the table
    odd = {**TRIAL01, "<b>": TRIAL01["bl_cov_c2"]}
    shown = marginal_effect(odd, **FIT1, variance="ye", randomisation_strata="<b>")._repr_html_()
    assert "&lt;b&gt;" in shown and "<b>" not in shown
    boot = marginal_effect(TRIAL01, **FIT1, method="bootstrap", n_resamples=50, rng=1)
    assert math.isnan(boot.model_std_error) and boot.variance_note == ""


def _coverage_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "marginal_variance_coverage", REFERENCE / "marginal_variance_coverage.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_under_stratified_randomisation() -> None:
    # 300 simulated trials (tests/reference/marginal_variance_coverage.py, the docs' 2000 in
    # small); each interval's coverage must lie in the central 99.9% of Binomial(300, 0.95)
    coverage = _coverage_module()
    truth = coverage.true_risk_difference()
    assert truth == pytest.approx(0.1134897737, abs=1e-10)  # the script's printed output
    n = 300
    low, high = stats.binom.ppf([0.0005, 0.9995], n, 0.95)
    result = coverage.simulate(n, seed=14, models=["model with the strata", "strata left out"])
    for model, rows in result.items():
        for name in ("ge", "ye", "ye + strata"):
            if model == "strata left out" and name != "ye + strata":
                continue  # valid but conservative there: the strata term is what they lack
            cover, total, _ = rows[name]
            assert total == n and low <= cover <= high, (model, name, cover)
    # leaving the strata out of the model, the strata term narrows the intervals
    left_out = result["strata left out"]
    assert left_out["ye + strata"][2] < left_out["ye"][2]


def test_an_arm_of_one_gives_nan_not_a_crash() -> None:
    # one treated participant (Firth makes the fit possible): Ye's sample covariances of that
    # arm are undefined, so the SE, interval and p-value are nan (documented); Ge still has one
    rng = np.random.default_rng(0)
    n = 40
    a = np.zeros(n, dtype=np.int64)
    a[0] = 1
    data = {
        "y": rng.integers(0, 2, n),
        "a": a,
        "x": rng.normal(size=n),
        "s": rng.integers(0, 2, n),
    }
    model: dict[str, Any] = {"outcome": "y", "arm": "a", "treatment": 1, "covariates": ["x"]}
    ye = marginal_effect(data, **model, variance="ye", randomisation_strata="s", firth=True)
    assert math.isnan(ye.std_error) and ye.pvalue is not None and math.isnan(ye.pvalue)
    assert math.isnan(ye.ci.low) and math.isnan(ye.ci.high)
    assert math.isfinite(ye.model_std_error) and math.isfinite(ye.estimate)

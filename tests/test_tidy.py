"""Tidy numeric results: standard errors, outcome names, to_dict / to_frame, compare_methods."""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk
import rctkit.batch as rkb
from rctkit.results import ESTIMATE_COLUMNS, TEST_COLUMNS
from rctkit.tidy import COMPARE_COLUMNS

from . import strategies

Z95 = 1.959963984540054  # qnorm(0.975) in R

# The CORE table (Johnson et al., Lancet 2018): 64/218 on treatment, 83/216 on control.
A, N1, C, N2 = 64, 218, 83, 216
B, D = N1 - A, N2 - C


# ---------------------------------------------------------------------------------------------
# Standard errors, against their closed forms written here from the papers' formulas


@pytest.mark.parametrize(
    ("measure", "method", "expected"),
    [
        # Woolf 1955: sqrt(1/a + 1/b + 1/c + 1/d) on the log-odds scale.
        ("odds_ratio", "wald", math.sqrt(1 / A + 1 / B + 1 / C + 1 / D)),
        # The same on the table with 0.5 added to every cell (Haldane 1956).
        (
            "odds_ratio",
            "haldane",
            math.sqrt(1 / (A + 0.5) + 1 / (B + 0.5) + 1 / (C + 0.5) + 1 / (D + 0.5)),
        ),
        # Katz et al. 1978: sqrt(1/a - 1/n1 + 1/c - 1/n2) on the log scale.
        ("risk_ratio", "wald", math.sqrt(1 / A - 1 / N1 + 1 / C - 1 / N2)),
        # Katz on a' = a + 1/2, n1' = n1 + 1 (RevMan's "add 1/2 to every cell").
        (
            "risk_ratio",
            "haldane",
            math.sqrt(1 / (A + 0.5) - 1 / (N1 + 1) + 1 / (C + 0.5) - 1 / (N2 + 1)),
        ),
        # Unpooled binomial SE of p1 - p2.
        (
            "risk_difference",
            "wald",
            math.sqrt((A / N1) * (1 - A / N1) / N1 + (C / N2) * (1 - C / N2) / N2),
        ),
        (
            "risk_difference",
            "wald-cc",
            math.sqrt((A / N1) * (1 - A / N1) / N1 + (C / N2) * (1 - C / N2) / N2),
        ),
        # Agresti and Caffo 2000: one success and one failure added to each arm.
        (
            "risk_difference",
            "agresti-caffo",
            math.sqrt(
                ((A + 1) / (N1 + 2)) * (1 - (A + 1) / (N1 + 2)) / (N1 + 2)
                + ((C + 1) / (N2 + 2)) * (1 - (C + 1) / (N2 + 2)) / (N2 + 2)
            ),
        ),
    ],
)
def test_std_error_is_the_closed_form(
    core: rk.BinaryOutcome, measure: str, method: str, expected: float
) -> None:
    est = getattr(rk, measure)(core, method=method)
    assert est.std_error == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize(("measure", "method"), [("odds_ratio", "wald"), ("risk_ratio", "wald")])
def test_ratio_interval_is_built_from_the_std_error_on_the_log_scale(
    core: rk.BinaryOutcome, measure: str, method: str
) -> None:
    est = getattr(rk, measure)(core, method=method)
    assert est.std_error is not None
    half = Z95 * est.std_error
    assert est.ci.low == pytest.approx(math.exp(math.log(est.estimate) - half), rel=1e-13)
    assert est.ci.high == pytest.approx(math.exp(math.log(est.estimate) + half), rel=1e-13)


def test_std_error_is_none_where_the_interval_has_none(core: rk.BinaryOutcome) -> None:
    with_se = {
        "odds_ratio": {"wald", "haldane"},
        "risk_ratio": {"wald", "haldane"},
        "risk_difference": {"wald", "wald-cc", "agresti-caffo"},
    }
    for measure, methods in with_se.items():
        for method in rk.effects.available_methods(measure):  # type: ignore[arg-type]
            est = getattr(rk, measure)(core, method=method)
            assert (est.std_error is not None) == (method in methods), (measure, method)
    assert rk.number_needed_to_treat(core, method="wald").std_error is None


def test_std_error_is_infinite_with_a_zero_cell() -> None:
    zero = rk.BinaryOutcome.from_counts(treatment=(0, 50), control=(5, 50))
    with pytest.warns(rk.RctkitWarning, match="zero cell"):
        est = rk.odds_ratio(zero)
    assert est.std_error == math.inf
    assert tuple(est.ci) == (0.0, math.inf)


def test_batch_std_error_equals_scalar() -> None:
    res = rkb.risk_ratio([[64, 10], [3, 200]], 218, 83, 216)
    assert res.std_error is not None
    for i in range(4):
        t = (int(np.ravel([[64, 10], [3, 200]])[i]), 218)
        scalar = rk.risk_ratio(rk.BinaryOutcome.from_counts(treatment=t, control=(83, 216)))
        assert res.std_error.flat[i] == scalar.std_error
    assert rkb.risk_difference(64, 218, 83, 216, method="newcombe").std_error is None


# ---------------------------------------------------------------------------------------------
# Outcome names


def test_results_name_their_outcome(core: rk.BinaryOutcome) -> None:
    name = "Readmission within 1 year"
    assert rk.odds_ratio(core).outcome == name
    assert rk.risk_ratio(core, method="mn").outcome == name
    assert rk.risk_difference(core, method="newcombe").outcome == name
    assert rk.number_needed_to_treat(core).outcome == name
    assert rk.hypothesis_test(core, method="fisher").outcome == name
    unnamed = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    assert rk.odds_ratio(unnamed).outcome == ""
    assert rkb.odds_ratio(64, 218, 83, 216).item().outcome == ""


def test_new_fields_keep_the_positional_constructor() -> None:
    ci = rk.ConfidenceInterval(-0.25, 0.05)
    est = rk.Estimate("risk_difference", -0.05, ci, 0.95, "published", 0.2)
    assert (est.pvalue, est.std_error, est.outcome) == (0.2, None, "")
    assert rk.TestResult(3.0, 0.08, "chi2", "two-sided").outcome == ""
    with pytest.raises(TypeError):
        rk.Estimate("risk_difference", -0.05, ci, 0.95, "published", 0.2, 0.1)  # type: ignore[call-arg]


# ---------------------------------------------------------------------------------------------
# to_dict and to_frame


def _same(x: Any, y: Any) -> bool:
    """Equal, with nan equal to nan and None equal to nan (a frame's missing number)."""
    x = math.nan if x is None else x
    y = math.nan if y is None else y
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return bool(x == y)


def test_estimate_to_dict_is_plain_and_exact(core: rk.BinaryOutcome) -> None:
    est = rk.odds_ratio(core)
    d = est.to_dict()
    assert tuple(d) == ESTIMATE_COLUMNS
    assert d == {
        "outcome": "Readmission within 1 year",
        "measure": "odds_ratio",
        "method": "wald",
        "estimate": est.estimate,
        "conf_low": est.ci.low,
        "conf_high": est.ci.high,
        "confidence_level": 0.95,
        "std_error": est.std_error,
        "pvalue": est.pvalue,
    }
    assert all(type(v) in (str, float) for v in d.values())
    # Woolf's interval for CORE from R (tests/reference/two_by_two.R -> two_by_two_r.csv).
    assert d["conf_low"] == pytest.approx(0.44631631108974723, rel=1e-12)
    assert d["conf_high"] == pytest.approx(0.99362576556782278, rel=1e-12)
    assert d["pvalue"] == pytest.approx(0.046449662264551814, rel=1e-10)


def test_to_dict_gives_none_where_the_method_has_no_number(core: rk.BinaryOutcome) -> None:
    d = rk.risk_difference(core, method="newcombe").to_dict()
    assert d["pvalue"] is None
    assert d["std_error"] is None


@given(st.data(), strategies.effect_methods, strategies.confidence_levels)
def test_to_dict_and_to_frame_round_trip(
    data: st.DataObject, measure_method: tuple[str, str], level: float
) -> None:
    measure, method = measure_method
    # the exact unconditional intervals cost seconds on large tables: small ones for them
    slow = method in ("santner-snell", "chan-zhang", "agresti-min")
    outcome = data.draw(strategies.outcomes(max_total=24) if slow else strategies.outcomes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        est = getattr(rk, measure)(outcome, method=method, confidence_level=level)
    d = est.to_dict()
    rebuilt = rk.Estimate(
        d["measure"],
        d["estimate"],
        rk.ConfidenceInterval(d["conf_low"], d["conf_high"]),
        d["confidence_level"],
        d["method"],
        d["pvalue"],
        std_error=d["std_error"],
        outcome=d["outcome"],
    )
    assert all(_same(a, b) for a, b in zip(rebuilt.to_dict().values(), d.values(), strict=True))
    frame = est.to_frame()
    assert list(frame.columns) == list(ESTIMATE_COLUMNS)
    assert len(frame) == 1
    for name in ESTIMATE_COLUMNS:
        assert _same(frame[name].iloc[0], d[name]), name


def test_estimate_to_frame_columns_are_numeric(core: rk.BinaryOutcome) -> None:
    frame = rk.risk_difference(core, method="newcombe").to_frame()
    for name in ("estimate", "conf_low", "conf_high", "confidence_level", "std_error", "pvalue"):
        assert frame[name].dtype == np.float64, name
    assert math.isnan(frame["pvalue"].iloc[0])


def test_test_result_to_dict_and_frame(core: rk.BinaryOutcome) -> None:
    res = rk.hypothesis_test(core)
    d = res.to_dict()
    assert tuple(d) == TEST_COLUMNS
    assert d["statistic"] == res.statistic
    assert d["pvalue"] == res.pvalue
    # Pearson's chi-squared for CORE from R's chisq.test(correct=FALSE)
    # (tests/reference/two_by_two.R -> two_by_two_r.csv).
    assert d["statistic"] == pytest.approx(3.9832356784322211, rel=1e-12)
    assert d["pvalue"] == pytest.approx(0.045955204729101966, rel=1e-10)
    frame = rk.hypothesis_test(core, method="fisher").to_frame()
    assert list(frame.columns) == list(TEST_COLUMNS)
    assert math.isnan(frame["statistic"].iloc[0])
    assert frame["pvalue"].iloc[0] == rk.hypothesis_test(core, method="fisher").pvalue


@pytest.mark.parametrize(
    ("function", "method"),
    [(rkb.odds_ratio, "wald"), (rkb.risk_ratio, "koopman"), (rkb.risk_difference, "newcombe")],
)
def test_batch_estimate_to_frame_is_long_form(function: Any, method: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)  # the zero cells, for Wald
        res = function([[64, 10, 0], [3, 200, 218]], 218, 83, 216, method=method)
        items = [res.item(i) for i in range(6)]
    frame = res.to_frame()
    assert len(frame) == 6
    assert list(frame["table"]) == list(range(6))
    assert list(frame.columns) == ["table", *ESTIMATE_COLUMNS[1:]]
    for i, item in enumerate(items):
        d = item.to_dict()
        for name in ESTIMATE_COLUMNS[1:]:
            assert _same(frame[name].iloc[i], d[name]), (i, name)


def test_batch_test_result_to_frame() -> None:
    res = rkb.hypothesis_test([64, 10, 30], 218, 83, 216, method="chi2")
    frame = res.to_frame()
    assert list(frame.columns) == ["table", "method", "alternative", "statistic", "pvalue"]
    for i in range(3):
        d = res.item(i).to_dict()
        assert frame["statistic"].iloc[i] == d["statistic"]
        assert frame["pvalue"].iloc[i] == d["pvalue"]
    fisher = rkb.hypothesis_test([64, 10], 218, 83, 216, method="fisher").to_frame()
    assert fisher["statistic"].isna().all()


# ---------------------------------------------------------------------------------------------
# Without pandas


@pytest.fixture
def no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes `import pandas` raise ImportError.
    monkeypatch.setitem(sys.modules, "pandas", None)


@pytest.mark.usefixtures("no_pandas")
def test_to_frame_without_pandas_names_the_extra(core: rk.BinaryOutcome) -> None:
    calls: list[Callable[[], object]] = [
        rk.odds_ratio(core).to_frame,
        rk.hypothesis_test(core).to_frame,
        rkb.odds_ratio([64, 10], 218, 83, 216).to_frame,
        rkb.hypothesis_test([64, 10], 218, 83, 216).to_frame,
        lambda: rk.compare_methods(core, measure="risk_ratio"),
    ]
    for call in calls:
        with pytest.raises(ImportError, match=r"needs pandas.*rctkit\[pandas\]"):
            call()
    # to_dict needs nothing.
    assert rk.odds_ratio(core).to_dict()["method"] == "wald"


# ---------------------------------------------------------------------------------------------
# compare_methods


def test_compare_methods_equals_each_function(core: rk.BinaryOutcome) -> None:
    frame = rk.compare_methods(core)
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    functions = {
        "odds_ratio": rk.odds_ratio,
        "risk_ratio": rk.risk_ratio,
        "risk_difference": rk.risk_difference,
        "nnt": rk.number_needed_to_treat,
    }
    seen = set()
    for measure, function in functions.items():
        methods = rk.effects.available_methods(
            "risk_difference" if measure == "nnt" else measure  # type: ignore[arg-type]
        )
        for method in methods:
            rows = frame[(frame["measure"] == measure) & (frame["method"] == method)]
            assert len(rows) == 1, (measure, method)
            d = function(core, method=method).to_dict()
            for name in ESTIMATE_COLUMNS:
                assert _same(rows[name].iloc[0], d[name]), (measure, method, name)
            assert math.isnan(rows["statistic"].iloc[0])
            assert rows["note"].iloc[0] == ""
            seen.add((measure, method))
    tests = frame[frame["measure"] == "test"]
    assert list(tests["method"]) == list(rk._engine.TEST_METHODS)
    for _, row in tests.iterrows():
        res = rk.hypothesis_test(core, method=row["method"])
        assert _same(row["statistic"], res.statistic)
        assert row["pvalue"] == res.pvalue
        assert math.isnan(row["estimate"])
    assert len(frame) == len(seen) + len(tests)
    # Labels are the registry's, as reports print them.
    wald = frame[(frame["measure"] == "odds_ratio") & (frame["method"] == "wald")]
    assert wald["label"].iloc[0] == "Wald (Woolf logit)"


def test_compare_methods_one_measure_and_level(core: rk.BinaryOutcome) -> None:
    frame = rk.compare_methods(core, measure="odds_ratio", confidence_level=0.9)
    assert list(frame["method"]) == list(rk.effects.available_methods("odds_ratio"))
    assert set(frame["measure"]) == {"odds_ratio"}
    exact = rk.odds_ratio(core, method="exact", confidence_level=0.9)
    row = frame[frame["method"] == "exact"]
    assert row["conf_low"].iloc[0] == exact.ci.low
    assert (frame["confidence_level"] == 0.9).all()


def test_compare_methods_refused_method_is_a_row_with_a_note() -> None:
    # 12,000 participants: Barnard's and Boschloo's tests are refused for their cost.
    big = rk.BinaryOutcome.from_counts(treatment=(0, 6000), control=(5, 6000), name="Death")
    frame = rk.compare_methods(big, measure="test")
    for method in ("barnard", "barnard-unpooled", "boschloo"):
        row = frame[frame["method"] == method]
        assert math.isnan(row["pvalue"].iloc[0])
        assert row["note"].iloc[0].startswith("refused: ")
        assert "10000" in row["note"].iloc[0]
    fisher = frame[frame["method"] == "fisher"]
    assert fisher["pvalue"].iloc[0] == rk.hypothesis_test(big, method="fisher").pvalue
    assert fisher["note"].iloc[0] == ""


def test_compare_methods_gathers_warnings_into_the_note() -> None:
    zero = rk.BinaryOutcome.from_counts(treatment=(0, 40), control=(6, 40), name="Death")
    # filterwarnings = error: a warning escaping would fail this test.
    frame = rk.compare_methods(zero)
    wald = frame[(frame["measure"] == "odds_ratio") & (frame["method"] == "wald")]
    note = wald["note"].iloc[0]
    assert "zero cell" in note
    assert note.count("zero cell") == 1
    assert wald["conf_high"].iloc[0] == math.inf
    mn = frame[(frame["measure"] == "odds_ratio") & (frame["method"] == "mn")]
    assert mn["note"].iloc[0] == ""


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"measure": "hazard_ratio"}, "`measure`"),
        ({"confidence_level": 1.5}, "`confidence_level`"),
    ],
)
def test_compare_methods_validates(
    core: rk.BinaryOutcome, kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(rk.InvalidInputError, match=match):
        rk.compare_methods(core, **kwargs)


def test_compare_methods_refuses_counts() -> None:
    with pytest.raises(rk.InvalidInputError, match="`outcome` must be a BinaryOutcome"):
        rk.compare_methods((64, 218, 83, 216))  # type: ignore[arg-type]


@given(strategies.outcomes(max_total=24), st.sampled_from(["odds_ratio", "risk_difference"]))
def test_compare_methods_rows_equal_the_functions(outcome: rk.BinaryOutcome, measure: str) -> None:
    frame = rk.compare_methods(outcome, measure=measure)
    function = getattr(rk, measure)
    for _, row in frame.iterrows():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rk.RctkitWarning)
            d = function(outcome, method=row["method"]).to_dict()
        for name in ESTIMATE_COLUMNS:
            assert _same(row[name], d[name]), (row["method"], name)


def test_frames_concatenate(core: rk.BinaryOutcome) -> None:
    # Long form: frames of several results stack into one table.
    frames = [rk.odds_ratio(core).to_frame(), rk.risk_ratio(core, method="mn").to_frame()]
    both = pd.concat(frames, ignore_index=True)
    assert list(both["measure"]) == ["odds_ratio", "risk_ratio"]
    assert attrs.has(rk.Estimate)

"""rctkit.tipping_point: the tipping-point analysis of missing outcomes.

References:

* a pure-Python brute force, tests/reference/tipping_bruteforce.py, written apart from the
  kernels (exact Fraction risk differences, Newcombe's and Woolf's intervals written out
  with ``math``, p-values from ``scipy.stats.chi2_contingency(correction=False)`` and
  ``scipy.stats.fisher_exact``, one table at a time); its output
  (tests/reference/tipping_bruteforce.txt) is compared to 1e-12;
* R (base chisq.test and fisher.test), tests/reference/tipping_core.R, for CORE's grid;
* hypothesis properties: swapping the arms mirrors the grid, and every cell equals the
  scalar API on the completed table.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from rctkit.io import example_trial
from rctkit.plots import tipping_point_plot

BRUTE = Path(__file__).parent / "reference" / "tipping_bruteforce.txt"


def _brute() -> dict[str, tuple[dict[str, float], dict[tuple[int, int], dict[str, float]]]]:
    """The brute force's output: per case its header and its cells by (i, j)."""
    cases: dict[str, tuple[dict[str, float], dict[tuple[int, int], dict[str, float]]]] = {}
    for line in BRUTE.read_text().splitlines():
        if line.startswith("case "):
            name = line.split()[1]
            head = {k: float(v) for k, v in re.findall(r"(\w+)=(\S+)", line)}
            cases[name] = (head, {})
        else:
            name, i, j, *rest = line.split()
            cell = {k: float(v) for k, v in (r.split("=") for r in rest)}
            cases[name][1][(int(i), int(j))] = cell
    return cases


BRUTE_CASES = _brute()
#: The cases' tables, as in tests/reference/tipping_bruteforce.py CASES.
TABLES = {
    "core": (64, 218, 83, 216, 3, 4),
    "small": (3, 30, 12, 30, 5, 5),
    "null": (10, 40, 11, 40, 2, 3),
    "zero": (0, 12, 5, 12, 2, 1),
}


def _outcome(e1: int, n1: int, e0: int, n0: int) -> rk.BinaryOutcome:
    return rk.BinaryOutcome.from_counts(treatment=(e1, n1), control=(e0, n0))


@pytest.mark.parametrize("name", sorted(TABLES))
def test_grid_matches_bruteforce_newcombe_chi2(name: str) -> None:
    # Reference: tests/reference/tipping_bruteforce.py (Fraction RD, math Newcombe,
    # scipy.stats.chi2_contingency p).
    e1, n1, e0, n0, m1, m0 = TABLES[name]
    head, cells = BRUTE_CASES[name]
    res = rk.tipping_point(_outcome(e1, n1, e0, n0), missing=(m1, m0), alpha=head["alpha"])
    assert res.pvalue.shape == (m1 + 1, m0 + 1)
    assert res.observed.pvalue == pytest.approx(head["observed_p"], rel=1e-12)
    assert res.observed.estimate == pytest.approx(head["observed_rd"], abs=1e-15)
    for (i, j), ref in cells.items():
        assert res.estimate[i, j] == pytest.approx(ref["rd"], abs=1e-15)
        assert res.low[i, j] == pytest.approx(ref["low"], abs=1e-12)
        assert res.high[i, j] == pytest.approx(ref["high"], abs=1e-12)
        assert res.pvalue[i, j] == pytest.approx(ref["chi2_p"], rel=1e-12)
        assert bool(res.holds[i, j]) == bool(ref["holds"])


@pytest.mark.parametrize("name", sorted(TABLES))
def test_grid_matches_bruteforce_woolf_fisher(name: str) -> None:
    # Reference: tests/reference/tipping_bruteforce.py (math Woolf, scipy.stats.fisher_exact).
    e1, n1, e0, n0, m1, m0 = TABLES[name]
    head, cells = BRUTE_CASES[name]
    with warnings.catch_warnings():
        if name == "zero":  # Woolf's interval is [0, inf] for a zero cell, with a warning
            warnings.simplefilter("ignore", rk.RctkitWarning)
        res = rk.tipping_point(
            _outcome(e1, n1, e0, n0),
            missing=(m1, m0),
            measure="odds_ratio",
            method="wald",
            test="fisher",
            alpha=head["alpha"],
        )
    for (i, j), ref in cells.items():
        assert res.pvalue[i, j] == pytest.approx(ref["fisher_p"], rel=1e-12)
        if not math.isnan(ref["or"]):  # zero cells: the brute force leaves Woolf out
            assert res.estimate[i, j] == pytest.approx(ref["or"], rel=1e-12)
            assert res.low[i, j] == pytest.approx(ref["or_low"], rel=1e-12)
            assert res.high[i, j] == pytest.approx(ref["or_high"], rel=1e-12)


def test_core_trial_from_the_model() -> None:
    trial = example_trial()
    assert trial.missing() == (3, 4)  # 221 - 218, 220 - 216 (src/rctkit/data/core.toml)
    assert trial.missing(trial.outcomes[0].name) == (3, 4)
    res = rk.tipping_point(trial)
    assert res.missing == (3, 4)
    assert res.shape == (4, 5) == res.holds.shape
    assert res.outcome == "Readmission to acute care within 1 year"
    # Brute force: observed chi2 p = 0.045955..., significant, lower risk with treatment.
    assert res.conclusion.startswith("significant at alpha = 0.05, lower risk with treatment")
    assert "p = 0.046" in res.conclusion
    # Brute force: holds exactly where j >= i + 1 (the crude p crosses 0.05 on that line).
    ii, jj = np.indices((4, 5))
    np.testing.assert_array_equal(res.holds, jj >= ii + 1)
    assert res.tipping_points == ((0, 0), (1, 1), (2, 2), (3, 3))
    assert ((0, 0), (0, 1)) in res.boundary
    assert not res.robust
    # Harmful event: the best case for treatment is (0, 4), the worst (3, 0).
    assert (res.best_case.imputed_treatment, res.best_case.imputed_control) == (0, 4)
    assert (res.best_case.treatment_events, res.best_case.control_events) == (64, 87)
    assert (res.worst_case.treatment_events, res.worst_case.control_events) == (67, 83)
    assert res.best_case.holds and not res.worst_case.holds
    assert res.worst_case.pvalue == pytest.approx(BRUTE_CASES["core"][1][(3, 0)]["chi2_p"])
    assert (res.observed.treatment_total, res.observed.control_total) == (218, 216)
    assert res.observed.imputed_treatment is None
    assert res.sentence.startswith(
        "The conclusion holds in 10 of the 20 completions; it tips if none of the 4 missing "
        "control participants had the event; or if 1 of the 4 missing control participants "
        "had the event and at least 1 of the 3 missing treatment participants did;"
    )
    text = res.grid_text()
    assert "0.051*" in text and "0.040 " in text  # p never rounded onto 0.05
    assert "holds=10/20" in repr(res)
    assert "<table" in res._repr_html_()


def test_higher_is_better_swaps_corners() -> None:
    res = rk.tipping_point(_outcome(20, 40, 10, 40), missing=(2, 3), higher_is_better=True)
    assert (res.best_case.imputed_treatment, res.best_case.imputed_control) == (2, 0)
    assert (res.worst_case.imputed_treatment, res.worst_case.imputed_control) == (0, 3)


def test_nothing_missing_is_a_one_by_one_grid() -> None:
    res = rk.tipping_point(_outcome(64, 218, 83, 216), missing=(0, 0))
    assert res.shape == (1, 1)
    assert res.holds.tolist() == [[True]]
    assert res.pvalue[0, 0] == res.observed.pvalue
    assert res.tipping_points == () and res.boundary == ()
    assert res.sentence.startswith("No outcome is missing")
    trial = attrs.evolve(
        example_trial(),
        arms=tuple(attrs.evolve(a, analysed=None) for a in example_trial().arms),
    )
    # Allocated 221/220 against totals 218/216 still: a trial without `analysed`.
    assert trial.missing() == (3, 4)


def test_not_significant_observed_case() -> None:
    res = rk.tipping_point(_outcome(10, 40, 11, 40), missing=(2, 3))
    assert res.conclusion.startswith("not significant")
    assert res.robust  # brute force "null": holds in all 12 cells
    assert "whatever the outcomes" in res.sentence


def test_to_frame_long_form() -> None:
    pytest.importorskip("pandas")
    res = rk.tipping_point(example_trial())
    frame = res.to_frame()
    assert list(frame.columns) == list(rk.results.TIPPING_COLUMNS)
    assert len(frame) == 20
    row = frame.iloc[6]  # C order: (1, 1)
    assert (row["imputed_treatment"], row["imputed_control"]) == (1, 1)
    assert (row["treatment_events"], row["treatment_total"]) == (65, 221)
    assert row["pvalue"] == res.pvalue[1, 1]


def test_cell_accessor() -> None:
    res = rk.tipping_point(example_trial())
    cell = res.cell(2, 3)
    assert (cell.treatment_events, cell.control_events) == (66, 86)
    assert cell.pvalue == res.pvalue[2, 3]
    with pytest.raises(rk.InvalidInputError, match=r"`\(i, j\)` must lie in the grid"):
        res.cell(4, 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"missing": (-1, 2)}, r"`missing\[0\]` must be non-negative"),
        ({"missing": (1.5, 2)}, r"`missing\[0\]` must be an integer count"),
        ({"missing": (1, True)}, r"`missing\[1\]` must be an integer count, not a boolean"),
        ({"missing": 3}, r"`missing` must be a pair"),
        ({"missing": (1, 2, 3)}, r"`missing` must be a pair"),
        ({"missing": (1, 1), "alpha": 1.5}, r"`alpha` must lie strictly between 0 and 1"),
        ({"missing": (1, 1), "test": "t"}, r"`test` must be one of"),
        ({"missing": (1, 1), "measure": "nnt"}, r"`measure` must be one of"),
        ({"missing": (1, 1), "method": "nope"}, r"method"),
        ({"missing": (1, 1), "higher_is_better": 1}, r"`higher_is_better` must be True"),
    ],
)
def test_bad_input(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=match):
        rk.tipping_point(_outcome(3, 10, 4, 10), **kwargs)  # type: ignore[arg-type]


def test_outcome_without_missing_counts_is_refused() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`missing` must be given for a Binary"):
        rk.tipping_point(_outcome(3, 10, 4, 10))
    with pytest.raises(rk.InvalidInputError, match=r"`outcome_or_trial` must be a Binary"):
        rk.tipping_point((3, 10, 4, 10))  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must name one of"):
        example_trial().missing("Death")


@st.composite
def _cases(draw: st.DrawFn) -> tuple[rk.BinaryOutcome, tuple[int, int]]:
    n1 = draw(st.integers(1, 60))
    n0 = draw(st.integers(1, 60))
    outcome = _outcome(draw(st.integers(0, n1)), n1, draw(st.integers(0, n0)), n0)
    return outcome, (draw(st.integers(0, 4)), draw(st.integers(0, 4)))


@pytest.mark.filterwarnings("ignore::rctkit.errors.RctkitWarning")  # degenerate tables
@settings(max_examples=40, deadline=None)
@given(_cases())
def test_swapping_arms_mirrors_the_grid(case: tuple[rk.BinaryOutcome, tuple[int, int]]) -> None:
    outcome, (m1, m0) = case
    swapped = rk.BinaryOutcome("outcome", treatment=outcome.control, control=outcome.treatment)
    a = rk.tipping_point(outcome, missing=(m1, m0))
    b = rk.tipping_point(swapped, missing=(m0, m1))
    np.testing.assert_allclose(b.estimate, -a.estimate.T, rtol=0, atol=1e-15)
    np.testing.assert_allclose(b.low, -a.high.T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.pvalue, a.pvalue.T, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(b.holds, a.holds.T)


@pytest.mark.filterwarnings("ignore::rctkit.errors.RctkitWarning")  # degenerate tables
@settings(max_examples=25, deadline=None)
@given(_cases(), st.sampled_from(["risk_difference", "risk_ratio", "odds_ratio"]))
def test_each_cell_equals_the_scalar_api(
    case: tuple[rk.BinaryOutcome, tuple[int, int]], measure: str
) -> None:
    outcome, (m1, m0) = case
    res = rk.tipping_point(outcome, missing=(m1, m0), measure=measure, method="mn")
    scalar = {"risk_difference": rk.risk_difference, "risk_ratio": rk.risk_ratio}.get(
        measure, rk.odds_ratio
    )
    for i in range(m1 + 1):
        for j in range(m0 + 1):
            cell = res.cell(i, j)
            table = _outcome(
                cell.treatment_events, cell.treatment_total,
                cell.control_events, cell.control_total,
            )  # fmt: skip
            est = scalar(table, method="mn")
            np.testing.assert_equal(
                (cell.estimate, *cell.ci), (est.estimate, est.ci.low, est.ci.high)
            )
            assert cell.pvalue == rk.hypothesis_test(table).pvalue


def test_plot_draws_grid_marker_and_boundary() -> None:
    pytest.importorskip("matplotlib")
    res = rk.tipping_point(example_trial())
    figure = tipping_point_plot(res)
    ax = figure.axes[0]
    assert ax.get_xlabel().startswith("Control")
    assert len(ax.images) == 1
    assert len(ax.lines) >= 2  # the boundary and the observed-case marker
    figure = tipping_point_plot(res, quantity="estimate")
    array = figure.axes[0].images[0].get_array()
    assert array is not None and array.shape == (4, 5)
    with pytest.raises(rk.InvalidInputError, match=r"`quantity` must be one of"):
        tipping_point_plot(res, quantity="odds")
    with pytest.raises(rk.InvalidInputError, match=r"`result` must be a TippingPointResult"):
        tipping_point_plot(1)  # type: ignore[arg-type]


def test_p_never_prints_across_alpha() -> None:
    from rctkit.results.tipping import p_at_alpha

    assert p_at_alpha(0.04596, 0.05) == "p = 0.046"
    assert p_at_alpha(0.0996, 0.1) == "p = 0.0996"  # format_p alone prints 0.10
    assert p_at_alpha(0.1004, 0.1004, prefix=False) == "0.1004"
    assert p_at_alpha(0.0004, 0.1) == "p < 0.001"


def test_cli_tipping_prints_grid_and_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    from rctkit.cli import main

    assert main(["tipping"]) == 0
    out = capsys.readouterr().out
    assert "missing 3 treatment, 4 control" in out
    assert "0       0.051*   0.040" in out  # brute force: chi2 p of (0, 0) and (0, 1)
    assert "The conclusion holds in 10 of the 20 completions" in out
    assert main(["tipping", "--measure", "odds"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rctkit: error: `measure` must be one of")
    # The same grid from the shipped trial file, named on the command line.
    from importlib.resources import as_file, files

    with as_file(files("rctkit.data") / "core.toml") as path:
        assert main(["tipping", str(path)]) == 0
    assert capsys.readouterr().out == out


def test_core_grid_matches_r() -> None:
    # Reference: R 4 base, tests/reference/tipping_core.R (chisq.test(correct = FALSE),
    # fisher.test), output in tests/reference/tipping_core_r.txt.
    lines = (BRUTE.parent / "tipping_core_r.txt").read_text().split("\n")
    chi2 = rk.tipping_point(example_trial())
    fisher = rk.tipping_point(example_trial(), test="fisher")
    for line in filter(None, lines):
        i, j, p_chi2, p_fisher = line.split()
        assert chi2.pvalue[int(i), int(j)] == pytest.approx(float(p_chi2), rel=1e-12)
        assert fisher.pvalue[int(i), int(j)] == pytest.approx(float(p_fisher), rel=1e-12)

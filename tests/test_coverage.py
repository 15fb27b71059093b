"""Exact coverage of interval methods (rctkit.coverage, rctkit.results.coverage).

References, each named beside its numbers:

* a pure-Python brute force, tests/reference/coverage_bruteforce.py, written apart from the
  kernels: Wald's and Newcombe's hybrid score risk-difference intervals in plain ``math``,
  the binomial weights as exact fractions, summed table by table; its printed output
  (tests/reference/coverage_bruteforce.txt) is compared to 1e-12;
* a Monte Carlo check: tables simulated with a seeded numpy generator, whose coverage must
  lie within the binomial 99.9% band around the exact value;
* the guarantee of exact intervals (the conditional exact odds-ratio interval and
  Santner-Snell's exact unconditional interval cover at least the nominal level at every
  true value) and the published qualitative findings of Newcombe (1998) and Fagerland,
  Lydersen and Laake (2015): Wald undercovers badly in small arms, the Newcombe and
  Miettinen-Nurminen intervals stay close to nominal.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction
from pathlib import Path

import attrs
import numpy as np
import pytest

import rctkit as rk
import rctkit.batch as rkb
from rctkit.results import COVERAGE_COLUMNS

BRUTE = Path(__file__).parent / "reference" / "coverage_bruteforce.txt"


def _brute_rows() -> list[tuple[str, int, int, float, float, float, float, float]]:
    rows = []
    for line in BRUTE.read_text(encoding="utf-8").splitlines()[1:]:
        name, n1, n0, p1, p0, cov, below, above = line.split()
        rows.append(
            (
                name,
                int(n1),
                int(n0),
                float(Fraction(p1)),
                float(Fraction(p0)),
                float(cov),
                float(below),
                float(above),
            )
        )
    return rows


@pytest.mark.parametrize("method", ["wald", "newcombe"])
@pytest.mark.parametrize("arms", [(7, 8), (5, 5)])
def test_matches_brute_force(method: str, arms: tuple[int, int]) -> None:
    # Reference: tests/reference/coverage_bruteforce.py (fractions, plain-math intervals).
    rows = [r for r in _brute_rows() if r[0] == method and (r[1], r[2]) == arms]
    assert len(rows) == 6
    grid = [(r[3], r[4]) for r in rows]
    result = rk.coverage(
        method, measure="risk_difference", n_treatment=arms[0], n_control=arms[1], p_grid=grid
    )
    np.testing.assert_allclose(result.coverage, [r[5] for r in rows], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.below, [r[6] for r in rows], rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.above, [r[7] for r in rows], rtol=0, atol=1e-12)


def test_probabilities_add_up_and_tails_are_named() -> None:
    grid = [(0.3, 0.1), (0.1, 0.3), (0.4, 0.4), (0.0, 0.0), (1.0, 0.2)]
    r = rk.coverage("wald", measure="risk_difference", n_treatment=12, n_control=9, p_grid=grid)
    total = r.coverage + r.below + r.above + r.undefined
    np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-12)
    # theta > 0: mesial is below (towards 0), distal above; theta < 0 the other way round.
    assert r.mesial[0] == r.below[0] and r.distal[0] == r.above[0]
    assert r.mesial[1] == r.above[1] and r.distal[1] == r.below[1]
    # theta at the null: neither is defined.
    assert math.isnan(r.mesial[2]) and math.isnan(r.distal[2])
    # Both risks 0: only the table 0/12 vs 0/9 occurs; Wald's interval is [0, 0], of zero
    # width at theta: never covering, counted as undefined.
    assert r.coverage[3] == 0.0 and r.undefined[3] == 1.0


def test_monte_carlo_within_band() -> None:
    # Reference: simulation with a seeded generator; the exact value must lie within the
    # binomial 99.9% band (z = 3.29) of the simulated proportion.
    n1, n0, p1, p0, sims = 30, 25, 0.35, 0.2, 200_000
    rng = np.random.default_rng(20261206)
    x1 = rng.binomial(n1, p1, sims)
    x0 = rng.binomial(n0, p0, sims)
    for measure, method, theta in (
        ("risk_difference", "mn", p1 - p0),
        ("risk_ratio", "koopman", p1 / p0),
        ("odds_ratio", "wald", (p1 / (1 - p1)) / (p0 / (1 - p0))),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rk.RctkitWarning)
            ci = getattr(rkb, measure)(x1, n1, x0, n0, method=method)
        simulated = float(np.mean((ci.low <= theta) & (theta <= ci.high) & (ci.low < ci.high)))
        exact = rk.coverage(
            method, measure=measure, n_treatment=n1, n_control=n0, p_grid=[(p1, p0)]
        )
        c = float(exact.coverage[0])
        assert abs(simulated - c) <= 3.29 * math.sqrt(c * (1 - c) / sims), (measure, c)


#: 17 x 17 true risks from 0.02 to 0.98 in each arm: near 0 and 1 is where Wald fails.
GRID_20 = [(p1, p0) for p1 in np.linspace(0.02, 0.98, 17) for p0 in np.linspace(0.02, 0.98, 17)]


def test_wald_undercovers_and_score_methods_do_not() -> None:
    # Newcombe (1998), Fagerland, Lydersen and Laake (2015): at 20 per arm Wald's minimum
    # coverage is far below 95%, Newcombe's and Miettinen-Nurminen's stay close to it.
    kwargs = {"measure": "risk_difference", "n_treatment": 20, "n_control": 20}
    wald = rk.coverage("wald", p_grid=GRID_20, **kwargs)  # type: ignore[arg-type]
    assert wald.minimum < 0.7
    assert wald.mean < 0.93
    assert wald.proportion_below_nominal > 0.9
    for method in ("newcombe", "mn"):
        r = rk.coverage(method, p_grid=GRID_20, **kwargs)  # type: ignore[arg-type]
        assert r.minimum > 0.85, method
        assert abs(r.mean - 0.95) < 0.01, method


def test_exact_intervals_cover_at_least_nominal() -> None:
    # The guarantee of exact intervals: coverage >= nominal at every true value.
    grid = [(0.1, 0.5), (0.3, 0.3), (0.6, 0.2), (0.85, 0.7), (0.45, 0.9)]
    ss = rk.coverage(
        "santner-snell", measure="risk_difference", n_treatment=5, n_control=5, p_grid=grid
    )
    assert ss.minimum >= 0.95
    exact_or = rk.coverage(
        "exact",
        measure="odds_ratio",
        n_treatment=10,
        n_control=10,
        p_grid=np.linspace(0.05, 0.95, 19),
        effect=2.0,
    )
    assert exact_or.minimum >= 0.95
    assert exact_or.proportion_below_nominal == 0.0


@pytest.mark.parametrize(
    ("measure", "effect", "p1"),
    [
        ("risk_difference", 0.1, lambda p0: p0 + 0.1),
        ("risk_ratio", 1.5, lambda p0: 1.5 * p0),
        ("odds_ratio", 3.0, lambda p0: 3 * p0 / (1 - p0) / (1 + 3 * p0 / (1 - p0))),
    ],
)
def test_effect_form_equals_pairs_form(measure: str, effect: float, p1: object) -> None:
    p0 = np.array([0.1, 0.25, 0.4, 0.6])
    pairs = np.column_stack([p1(p0), p0])  # type: ignore[operator]
    method = "mn"
    a = rk.coverage(method, measure=measure, n_treatment=15, n_control=12, p_grid=pairs)
    b = rk.coverage(
        method, measure=measure, n_treatment=15, n_control=12, p_grid=p0, effect=effect
    )
    np.testing.assert_allclose(a.coverage, b.coverage, rtol=0, atol=1e-12)
    np.testing.assert_allclose(b.true_value, effect, rtol=1e-12)


def test_display_and_frame() -> None:
    r = rk.coverage(
        "newcombe", measure="risk_difference", n_treatment=10, n_control=10, p_grid=[(0.2, 0.1)]
    )
    assert repr(r).startswith("CoverageResult(measure='risk_difference', method='newcombe'")
    assert "Minimum coverage" in r._repr_html_()
    frame = r.to_frame()
    assert list(frame.columns) == list(COVERAGE_COLUMNS)
    assert len(frame) == len(r) == 1
    assert frame["coverage"].iloc[0] == r.coverage[0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"measure": "nnt"}, "`measure` must be one of"),
        ({"method": "koopman"}, "`method` must be one of"),
        ({"n_treatment": 2.5}, "`n_treatment` must be an integer count"),
        ({"n_control": 0}, "`n_control` must be at least 1"),
        ({"p_grid": [(0.2, 1.2)]}, "`p_grid` must hold risks between 0 and 1"),
        ({"p_grid": [0.2, 0.3]}, r"`p_grid` must be a sequence of \(p_treatment, p_control\)"),
        ({"p_grid": "0.2"}, "`p_grid` must be a sequence"),
        ({"p_grid": []}, r"`p_grid` must be a sequence"),
        ({"p_grid": [0.5, 0.95], "effect": 0.1}, "makes a treatment risk outside"),
        ({"confidence_level": 1.0}, "confidence_level"),
        ({"measure": "risk_ratio", "method": "wald", "p_grid": [(0.2, 0.0)]}, "risks of 0"),
        ({"measure": "odds_ratio", "method": "wald", "p_grid": [(1.0, 0.3)]}, "0 or 1"),
        ({"measure": "risk_ratio", "method": "wald", "p_grid": [0.2], "effect": -1.0}, "positive"),
        ({"n_treatment": 3000, "n_control": 3000}, "over the limit"),
    ],
)
def test_invalid_input(kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {
        "measure": "risk_difference",
        "n_treatment": 5,
        "n_control": 5,
        "p_grid": [(0.2, 0.1)],
    }
    arguments.update(kwargs)
    method = arguments.pop("method", "wald")
    with pytest.raises(rk.InvalidInputError, match=match):
        rk.coverage(method, **arguments)  # type: ignore[arg-type]


def test_coverage_plot(tmp_path: Path) -> None:
    from rctkit.plots import coverage_plot

    p0 = np.linspace(0.05, 0.85, 9)
    runs = [
        rk.coverage(m, measure="risk_ratio", n_treatment=10, n_control=10, p_grid=p0, effect=1.1)
        for m in ("wald", "koopman")
    ]
    runs = [runs[0], attrs.evolve(runs[1], method="$\\bad{x}$")]
    out = tmp_path / "coverage.svg"
    figure = coverage_plot(runs, x="p_control", title="A $title$", path=out)
    ax = figure.axes[0]
    assert len(ax.lines) == 3  # two methods and the nominal line
    assert np.all(np.asarray(ax.lines[-1].get_ydata()) == 0.95)
    assert ax.get_title() == "A $title$"
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["wald", "$\\bad{x}$"]
    assert out.stat().st_size > 0
    with pytest.raises(rk.InvalidInputError, match="`results` must be a CoverageResult"):
        coverage_plot([])
    with pytest.raises(rk.InvalidInputError, match="`x` must be one of"):
        coverage_plot(runs, x="estimate")

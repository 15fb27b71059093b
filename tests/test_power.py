"""Power, sample size and type I error (rctkit.power), against independent references.

References (kept under tests/reference/ with their printed output):
- power_bruteforce.py / power_bruteforce.txt: every table enumerated in fractions, Fisher's and
  Pearson's tests decided exactly (standard library only).
- power_exact2x2.R / power_exact2x2_r.txt: R exact2x2 1.7.0 power2x2 (Fisher's exact test).
- power_prop_test.R / power_prop_test_r.txt: base R power.prop.test (normal approximation).
- power_farrington_manning.R / power_farrington_manning_r.txt: Farrington-Manning approximate
  non-inferiority power, written in R from the paper (restricted MLE by uniroot).
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np
import pytest

import rctkit as rk
from rctkit.cli import main
from rctkit.power import _approximate

CORE = {"p_treatment": 0.29, "p_control": 0.38}

# power_bruteforce.txt: n1 n0 p1 p0 alpha fisher_power chi2_power
BRUTE = [
    (10, 10, 0.2, 0.7, 0.05, 0.4255598904956335, 0.6216319804260723),
    (8, 10, 0.1, 0.6, 0.05, 0.5136419186470697, 0.6756045714515262),
    (10, 7, 0.5, 0.5, 0.05, 0.0325927734375, 0.052886962890625),
    (6, 9, 0.3, 0.9, 0.1, 0.7269565236543, 0.89119999413567),
]


@pytest.mark.parametrize(("n1", "n0", "p1", "p0", "alpha", "fisher", "chi2"), BRUTE)
def test_exact_power_equals_the_fraction_brute_force(
    n1: int, n0: int, p1: float, p0: float, alpha: float, fisher: float, chi2: float
) -> None:
    design = {"p_treatment": p1, "p_control": p0, "n_treatment": n1, "n_control": n0}
    got_f = rk.power(test="fisher", alpha=alpha, **design).power  # type: ignore[arg-type]
    got_c = rk.power(test="chi2", alpha=alpha, **design).power  # type: ignore[arg-type]
    assert got_f == pytest.approx(fisher, abs=1e-12)
    assert got_c == pytest.approx(chi2, abs=1e-12)


def test_size_at_equal_risks_is_the_power_there() -> None:
    # power_bruteforce.txt, 10 vs 7 at 0.5 and 0.5: the null itself.
    res = rk.power(test="fisher", p_treatment=0.5, p_control=0.5, n_treatment=10, n_control=7)
    assert res.size == pytest.approx(0.0325927734375, abs=1e-12)
    assert res.power == pytest.approx(res.size, abs=1e-15)


# power_exact2x2_r.txt (R exact2x2 1.7.0 power2x2, tsmethod "minlike", errbound 0)
EXACT2X2 = [
    # strict, n_treatment, n_control, p_treatment, p_control, alpha, power
    (True, 220, 220, 0.29, 0.38, 0.05, 0.477736478385520),
    (True, 60, 40, 0.50, 0.20, 0.05, 0.862567666509410),
    (True, 100, 100, 0.10, 0.25, 0.01, 0.528145089032788),
    (False, 220, 220, 0.29, 0.38, 0.05, 0.477712336973813),
    (False, 60, 40, 0.50, 0.20, 0.05, 0.832874533732402),
    (False, 100, 100, 0.10, 0.25, 0.01, 0.528145076791946),
]


@pytest.mark.parametrize(("strict", "n1", "n0", "p1", "p0", "alpha", "expected"), EXACT2X2)
def test_fisher_power_matches_r_exact2x2(
    strict: bool, n1: int, n0: int, p1: float, p0: float, alpha: float, expected: float
) -> None:
    # strict=FALSE in power2x2 is the one-sided test at alpha / 2 in the direction of p1 - p0.
    if strict:
        res = rk.power(
            test="fisher",
            p_treatment=p1,
            p_control=p0,
            n_treatment=n1,
            n_control=n0,
            alpha=alpha,
        )
    else:
        res = rk.power(
            test="fisher",
            p_treatment=p1,
            p_control=p0,
            n_treatment=n1,
            n_control=n0,
            alpha=alpha / 2,
            alternative="less" if p1 < p0 else "greater",
        )
    assert res.power == pytest.approx(expected, abs=1e-12)


# power_prop_test_r.txt (base R power.prop.test)
PROP_TEST = [
    (220, 0.38, 0.29, 0.05, 0.515995885893831),
    (50, 0.50, 0.75, 0.05, 0.740165901331388),
    (100, 0.20, 0.10, 0.01, 0.273766797342773),
    (30, 0.60, 0.30, 0.05, 0.653158600643372),
    (500, 0.15, 0.10, 0.05, 0.667030628606175),
]


@pytest.mark.parametrize(("n", "p1", "p2", "alpha", "expected"), PROP_TEST)
def test_approximate_power_matches_r_power_prop_test(
    n: int, p1: float, p2: float, alpha: float, expected: float
) -> None:
    res = rk.power(
        test="chi2",
        p_treatment=p1,
        p_control=p2,
        n_treatment=n,
        n_control=n,
        alpha=alpha,
        exact=False,
    )
    assert res.power == pytest.approx(expected, abs=1e-12)


def test_approximate_one_sided_power_matches_r() -> None:
    # power_prop_test_r.txt: alternative = "one.sided", 0.639326390315257
    res = rk.power(
        test="fisher",
        p_treatment=0.29,
        p_control=0.38,
        n_treatment=220,
        n_control=220,
        exact=False,
        alternative="less",
    )
    assert res.power == pytest.approx(0.639326390315257, abs=1e-12)


@pytest.mark.parametrize(
    ("p1", "p2", "target", "n_r"),
    [
        (0.38, 0.29, 0.8, 430.5560164698),
        (0.50, 0.75, 0.9, 76.7069301141),
        (0.20, 0.10, 0.8, 198.9634132838),
    ],
)
def test_approximate_sample_size_is_r_rounded_up(
    p1: float, p2: float, target: float, n_r: float
) -> None:
    # power_prop_test_r.txt: the unrounded n per arm of power.prop.test
    res = rk.sample_size(test="chi2", p_treatment=p1, p_control=p2, power=target, exact=False)
    assert res.n_control == res.n_treatment == math.ceil(n_r)
    assert res.total == 2 * math.ceil(n_r)


def test_continuity_correction_is_fleiss() -> None:
    # Fleiss, Levin and Paik (2003) eq. 4.14: n' = n/4 (1 + sqrt(1 + 4/(n |d|)))^2 with n
    # the uncorrected size (power.prop.test's 430.556 for 38% vs 29%) gives the corrected
    # size at which the corrected power equals the uncorrected power at n.
    n, d = 430.5560164698, 0.09
    n_cc = n / 4 * (1 + math.sqrt(1 + 4 / (n * d))) ** 2
    # Power is a continuous function of n here, so evaluate it between integers by formula.
    plain = _approximate(
        "chi2", 0.38, 0.29, np.array([n]), np.array([n]), 0.05, None, "two-sided", False, False
    )
    corrected = _approximate(
        "chi2",
        0.38,
        0.29,
        np.array([n_cc]),
        np.array([n_cc]),
        0.05,
        None,
        "two-sided",
        False,
        True,
    )
    assert corrected[0] == pytest.approx(plain[0], abs=1e-12)
    assert plain[0] == pytest.approx(0.8, abs=1e-9)


# power_farrington_manning_r.txt
FM = [
    (0.30, 0.30, 200, 200, 0.10, 0.025, 0.589118013939190),
    (0.20, 0.25, 150, 100, 0.05, 0.050, 0.595155195862873),
    (0.60, 0.55, 300, 300, 0.10, 0.025, 0.238069676974410),
]


@pytest.mark.parametrize(("p1", "p0", "n1", "n0", "margin", "alpha", "expected"), FM)
def test_approximate_noninferiority_power_matches_farrington_manning_in_r(
    p1: float, p0: float, n1: int, n0: int, margin: float, alpha: float, expected: float
) -> None:
    res = rk.power(
        test="fm",
        p_treatment=p1,
        p_control=p0,
        n_treatment=n1,
        n_control=n0,
        margin=margin,
        alpha=alpha,
        exact=False,
    )
    assert res.power == pytest.approx(expected, abs=1e-12)


def test_type_one_error_is_a_grid_maximum() -> None:
    res = rk.type_one_error(test="chi2", n_treatment=10, n_control=7, p_grid=[0.2, 0.5, 0.8])
    at_half = rk.power(test="chi2", p_treatment=0.5, p_control=0.5, n_treatment=10, n_control=7)
    # power_bruteforce.txt: 10 vs 7 at 0.5, chi-squared 0.052886962890625
    assert at_half.power == pytest.approx(0.052886962890625, abs=1e-12)
    assert res.size >= at_half.power - 1e-15
    assert res.n_grid == 3
    fisher = rk.type_one_error(test="fisher", n_treatment=20, n_control=20)
    assert fisher.size <= 0.05  # Fisher's test is conservative at every risk
    assert fisher.n_grid == 1001


def test_noninferiority_power_and_size() -> None:
    # H0: RD >= 0.1 (harmful event), true risks equal: the test should often reject.
    res = rk.power(
        test="mn",
        p_treatment=0.3,
        p_control=0.3,
        n_treatment=200,
        n_control=200,
        margin=0.1,
        alpha=0.025,
    )
    approx = rk.power(
        test="fm",
        p_treatment=0.3,
        p_control=0.3,
        n_treatment=200,
        n_control=200,
        margin=0.1,
        alpha=0.025,
        exact=False,
    )
    assert 0.5 < res.power < 0.9
    assert abs(res.power - approx.power) < 0.03
    assert res.size < 0.04
    eq = rk.power(
        test="mn",
        p_treatment=0.3,
        p_control=0.3,
        n_treatment=200,
        n_control=200,
        margin=(-0.1, 0.1),
        alpha=0.05,
    )
    assert eq.power < res.power + 1e-12


def test_farrington_manning_reduces_to_the_pooled_formula_at_zero_margin_limit() -> None:
    # A tiny margin: the restricted MLE under d = margin tends to the pooled risk.
    fm = _approximate(
        "fm",
        0.29,
        0.38,
        np.array([220.0]),
        np.array([220.0]),
        0.025,
        1e-9,
        "two-sided",
        False,
        False,
    )
    plain = _approximate(
        "chi2",
        0.29,
        0.38,
        np.array([220.0]),
        np.array([220.0]),
        0.05,
        None,
        "two-sided",
        False,
        False,
    )
    assert fm[0] == pytest.approx(plain[0], abs=1e-6)


def test_sample_size_exact_saw_tooth() -> None:
    res = rk.sample_size(test="fisher", p_treatment=0.2, p_control=0.6, window=30)
    assert res.n_first <= res.n_stable <= res.n_stable_bound + 1
    assert res.n_stable_bound == res.n_first + 30
    assert res.power >= 0.8
    before = rk.power(
        test="fisher",
        p_treatment=0.2,
        p_control=0.6,
        n_treatment=res.n_first - 1,
        n_control=res.n_first - 1,
    )
    assert before.power < 0.8
    for n in range(res.n_stable, res.n_stable_bound + 1):
        p = rk.power(test="fisher", p_treatment=0.2, p_control=0.6, n_treatment=n, n_control=n)
        assert p.power >= 0.8


def test_sample_size_dropout_and_allocation() -> None:
    res = rk.sample_size(
        test="chi2", p_treatment=0.29, p_control=0.38, exact=False, allocation=2.0, dropout=0.1
    )
    n0 = res.n_stable
    assert res.n_control == math.ceil(n0 / 0.9)
    assert res.n_treatment == math.ceil(math.ceil(2 * n0) / 0.9)
    assert "allowing for 10% drop-out" in res.sentence
    assert res.sentence.startswith(f"A total of {res.total} participants")


def test_sentences_and_display() -> None:
    res = rk.power(test="fisher", p_treatment=0.29, p_control=0.38, n_treatment=20, n_control=20)
    assert "Fisher's exact test at two-sided alpha 0.05" in res.sentence
    assert repr(res).startswith("PowerResult(power=")
    assert "<table>" in res._repr_html_()
    assert "TypeOneErrorResult(size=" in repr(
        rk.type_one_error(test="chi2", n_treatment=5, n_control=5)
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"test": "nope"}, "`test` must be one of"),
        ({"p_treatment": 1.5}, "`p_treatment` must lie in"),
        ({"n_control": 0}, "`n_control` must be at least 1"),
        ({"n_treatment": 2.5}, "`n_treatment` must be an integer"),
        ({"alpha": 0.7}, "`alpha` must lie strictly between 0 and 0.5"),
        ({"test": "chi2", "alternative": "less"}, "`alternative` must be one of"),
        ({"test": "fisher", "margin": 0.1}, "`test` must be one of"),
        ({"test": "mn", "margin": -0.1}, "`margin` must lie above"),
        ({"test": "mn", "margin": 2.0, "measure": "risk_ratio", "exact": False}, "`measure`"),
    ],
)
def test_power_refuses_bad_input(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"test": "fisher", "n_treatment": 10, "n_control": 10, **CORE}
    args.update(kwargs)
    with pytest.raises(rk.InvalidInputError, match=match):
        rk.power(**args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"power": 1.0}, "`power` must lie strictly between 0 and 1"),
        ({"dropout": 1.0}, r"`dropout` must lie in \[0, 1\)"),
        ({"allocation": 0}, r"`allocation` must lie in \(0, 100\]"),
        ({"max_n": 5, "exact": False}, "no control arm up to `max_n`=5"),
        ({"max_n": 5}, "no control arm up to `max_n`=5"),
    ],
)
def test_sample_size_refuses_bad_input(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"test": "chi2", **CORE}
    args.update(kwargs)
    with pytest.raises(rk.InvalidInputError, match=match):
        rk.sample_size(**args)  # type: ignore[arg-type]


def test_type_one_error_refuses_a_bad_grid() -> None:
    with pytest.raises(rk.InvalidInputError, match="`p_grid` must be"):
        rk.type_one_error(test="chi2", n_treatment=5, n_control=5, p_grid=[1.5])


def test_cli_power(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["power", "0.2", "0.7", "--n", "10", "--test", "fisher"]) == 0
    out = capsys.readouterr().out
    # power_bruteforce.txt: 10 vs 10 at 0.2 and 0.7, Fisher 0.4255598904956335
    assert out.startswith("Power 0.4256")
    assert "Fisher's exact test" in out


def test_cli_power_asymptotic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["power", "0.38", "0.29", "--n", "220", "--asymptotic"]) == 0
    # power_prop_test_r.txt: 0.515995885893831
    assert capsys.readouterr().out.startswith("Power 0.5160")


def test_cli_samplesize(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["samplesize", "0.38", "0.29", "--power", "0.8", "--asymptotic", "--dropout", "0.1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    # power_prop_test_r.txt: n = 430.556 per arm -> 431; / 0.9 -> 479
    assert out.startswith("Treatment 479, control 479, total 958")
    assert "allowing for 10% drop-out" in out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["power", "0.3", "1.4", "--n", "20"], "`p_control` must lie in [0, 1]"),
        (["power", "0.3", "0.4", "--n", "20", "--test", "foo"], "`test` must be one of"),
        (["power", "0.3", "0.4"], "--n"),
        (["samplesize", "0.3", "0.4", "--dropout", "1"], "`dropout` must lie in [0, 1)"),
        (["samplesize", "0.3", "x"], "invalid float value"),
    ],
)
def test_cli_design_errors_exit_2_with_one_line(
    argv: list[str], match: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("rctkit: error: ")
    assert match in err


def test_exact_enumeration_has_a_cost_limit(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(rk.CostLimitError, match="over the limit of 4,000,000"):
        rk.power(test="chi2", p_treatment=0.3, p_control=0.4, n_treatment=10_000, n_control=10_000)
    assert main(["power", "0.3", "0.4", "--n", "100000000"]) == 2
    assert "use exact=False" in capsys.readouterr().err


def test_approximate_power_beyond_the_limit_has_no_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    res = rk.power(
        test="chi2",
        p_treatment=0.3,
        p_control=0.31,
        n_treatment=10_000,
        n_control=10_000,
        exact=False,
    )
    assert math.isnan(res.size)
    assert 0.0 < res.power < 1.0
    assert res.sentence.endswith("(control).")


def test_fisher_has_its_own_cost_limit() -> None:
    with pytest.raises(rk.CostLimitError, match="MAX_FISHER_COST"):
        rk.power(test="fisher", p_treatment=0.3, p_control=0.4, n_treatment=1000, n_control=1000)


def test_sample_size_progress_bar_counts_the_exact_powers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    kwargs: dict[str, Any] = {"test": "chi2", "p_treatment": 0.2, "p_control": 0.5, "window": 5}
    quiet = rk.sample_size(**kwargs)
    assert capsys.readouterr().err == ""
    shown = rk.sample_size(**kwargs, progress=True)
    assert shown == quiet
    err = capsys.readouterr().err
    assert "rctkit.sample_size" in err
    assert "n_control=" in err


def test_an_interrupted_sample_size_search_keeps_its_powers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rkp = importlib.import_module("rctkit.power")

    original = rkp._exact_power
    calls: list[int] = []

    def stop_after_three(*args: Any) -> float:
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(args[1][1])
        return float(original(*args))

    monkeypatch.setattr(rkp, "_exact_power", stop_after_three)
    with pytest.raises(rk.SampleSizeInterrupted, match="after 3 exact powers") as info:
        rk.sample_size(test="chi2", p_treatment=0.2, p_control=0.5)
    assert isinstance(info.value, KeyboardInterrupt)
    assert list(info.value.powers) == calls
    for n, value in info.value.powers.items():
        assert value == original("chi2", (n, n), 0.2, 0.5, 0.05, None, "risk_difference", False)


def test_cli_samplesize_progress_and_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["samplesize", "0.5", "0.2", "--test", "chi2"]
    assert main([*argv, "--no-progress"]) == 0
    plain = capsys.readouterr()
    assert plain.err == ""
    assert main([*argv, "--progress"]) == 0
    shown = capsys.readouterr()
    assert shown.out == plain.out
    assert "rctkit.sample_size" in shown.err

    rkp = importlib.import_module("rctkit.power")

    def interrupt(*args: Any) -> float:
        raise KeyboardInterrupt

    monkeypatch.setattr(rkp, "_exact_power", interrupt)
    assert main(argv) == 130
    err = capsys.readouterr().err
    assert err == "rctkit: sample-size search interrupted after 0 exact powers (see `.powers`)\n"


def test_cli_power_unequal_arms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["power", "0.29", "0.38", "--n", "300", "--n-control", "150"]) == 0
    out = capsys.readouterr().out
    expected = rk.power(
        test="chi2", p_treatment=0.29, p_control=0.38, n_treatment=300, n_control=150
    )
    assert out.startswith(f"Power {expected.power:.4f}")


def test_power_plot(tmp_path: Any) -> None:
    pytest.importorskip("matplotlib")
    import attrs

    from rctkit.plots import power_plot

    runs = [
        rk.power(test=t, p_treatment=0.2, p_control=0.5, n_treatment=n, n_control=n, exact=e)
        for t, e in (("chi2", True), ("fisher", True), ("chi2", False))
        for n in (40, 20, 30)
    ]
    runs[-1] = attrs.evolve(runs[-1], test="$\\bad{x}$")
    out = tmp_path / "power.svg"
    figure = power_plot(runs, target=0.9, title="A $title$", path=out)
    ax = figure.axes[0]
    assert len(ax.lines) == 5  # chi2, fisher, approximate chi2, the renamed one, the target
    # Each line is sorted by n and carries its own test's powers.
    xs, ys = ax.lines[0].get_xdata(), ax.lines[0].get_ydata()
    assert np.asarray(xs).tolist() == [20, 30, 40]
    assert np.asarray(ys).tolist() == [runs[1].power, runs[2].power, runs[0].power]
    assert np.all(np.asarray(ax.lines[-1].get_ydata()) == 0.9)
    assert ax.get_title() == "A $title$"
    legend = ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [
        "chi2 (exact)",
        "fisher (exact)",
        "chi2 (approximate)",
        "$\\bad{x}$ (approximate)",
    ]
    assert out.stat().st_size > 0
    total = power_plot(runs[:3], x="total", target=None)
    assert np.asarray(total.axes[0].lines[0].get_xdata()).tolist() == [40, 60, 80]
    assert len(total.axes[0].lines) == 1
    with pytest.raises(rk.InvalidInputError, match="`results` must be a PowerResult"):
        power_plot([])
    with pytest.raises(rk.InvalidInputError, match="`x` must be one of"):
        power_plot(runs, x="alpha")
    with pytest.raises(rk.InvalidInputError, match="`target` must lie strictly between"):
        power_plot(runs, target=1.5)


def test_simulated_power_falls_in_the_binomial_band() -> None:
    # Reference: Monte Carlo with a seeded generator and scipy's own tests, one table at a
    # time (scipy.stats.fisher_exact; chi2_contingency without correction). The exact power
    # must lie within the 99.9% binomial band (z = 3.29) of the simulated proportion.
    from scipy import stats as st

    rng = np.random.default_rng(20261206)
    sims, n1, n0, p1, p0 = 4000, 30, 25, 0.2, 0.55
    x1, x0 = rng.binomial(n1, p1, sims), rng.binomial(n0, p0, sims)
    cache: dict[tuple[int, int], tuple[float, float]] = {}
    for a, c in zip(x1.tolist(), x0.tolist(), strict=True):
        if (a, c) not in cache:
            table = [[a, n1 - a], [c, n0 - c]]
            fisher = st.fisher_exact(table).pvalue
            margins_zero = a + c in (0, n1 + n0)
            chi2 = 1.0 if margins_zero else st.chi2_contingency(table, correction=False).pvalue
            cache[a, c] = (float(fisher), float(chi2))
    pvalues = np.array([cache[a, c] for a, c in zip(x1.tolist(), x0.tolist(), strict=True)])
    for column, test in enumerate(("fisher", "chi2")):
        simulated = float(np.mean(pvalues[:, column] <= 0.05))
        exact = rk.power(
            test=test, p_treatment=p1, p_control=p0, n_treatment=n1, n_control=n0
        ).power
        assert abs(simulated - exact) <= 3.29 * math.sqrt(exact * (1 - exact) / sims), test

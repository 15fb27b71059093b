"""The forest plot: a journal's columns, typography, axis and squares, drawn outside pyplot.

Reference values are written apart from rctkit: the Wald risk ratio and its variance
(closed form: var log RR = 1/a - 1/n1 + 1/c - 1/n2), the normal quantile from
``statistics.NormalDist``, and the text as :mod:`rctkit.formatting` prints those numbers.
"""

from __future__ import annotations

import io
import math
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from statistics import NormalDist
from typing import Any

import matplotlib
import pytest
from hypothesis import given, settings

import rctkit as rk
import rctkit.plots.forest
from rctkit.formatting import format_ci, format_number
from rctkit.plots import MAX_ROWS, forest_plot
from rctkit.trialfile import example_trial
from tests.strategies import outcomes

Z95 = NormalDist().inv_cdf(0.975)


def _texts(fig: Any) -> list[str]:
    """Every text the figure draws: columns, headers, favours labels."""
    ax = fig.axes[0]
    return [t.get_text() for t in [*fig.texts, *ax.texts]]


def _ticks(fig: Any) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_xticklabels()]


def _squares(fig: Any) -> Any:
    return next(c for c in fig.axes[0].collections if c.get_gid() == "forest-squares")


def _square_rows(fig: Any) -> list[int]:
    """The rows (0 at the top) that have a square, in drawing order."""
    return [int(y) for _, y in _squares(fig).get_offsets()]


def _wald_rr(a: int, n1: int, c: int, n2: int) -> tuple[float, float, float, float]:
    """Risk ratio, its 95% Wald limits and var(log RR), in closed form."""
    rr = (a / n1) / (c / n2)
    var = 1 / a - 1 / n1 + 1 / c - 1 / n2
    half = Z95 * math.sqrt(var)
    return rr, rr * math.exp(-half), rr * math.exp(half), var


# Several outcomes of one (made-up) trial, one with a zero cell: no pulmonary embolism with
# the treatment, so the Wald interval of the risk ratio is [0, inf].
MULTI = {
    "Death": ((120, 1000), (150, 1000)),
    "Stroke": ((12, 1000), (15, 1000)),
    "Pulmonary embolism": ((0, 1000), (4, 1000)),
    "Myocardial infarction": ((30, 990), (20, 995)),
}


def multi_trial() -> rk.Trial:
    arms = (rk.Arm("Tranexamic acid", 1000, short="TXA"), rk.Arm("Placebo", 1000))
    return rk.Trial(
        "Several outcomes",
        arms,
        outcomes=[rk.BinaryOutcome(name=k, treatment=t, control=c) for k, (t, c) in MULTI.items()],
    )


def _multi_plot(**kwargs: Any) -> Any:
    return forest_plot(multi_trial(), measure="risk_ratio", **kwargs)


# -- columns and typography ----------------------------------------------------------------


def test_core_columns_hold_counts_estimate_and_p() -> None:
    fig = forest_plot(example_trial(), measure="risk_ratio")
    texts = _texts(fig)
    rr, low, high, _ = _wald_rr(64, 218, 83, 216)
    # RR 0.764 (0.588 to 0.9966) by the closed form; chi-squared p = 0.046 (the report's test).
    # The upper limit is not printed as 1.00, the null value, but with one more digit.
    expected = f"{format_number(rr)} ({format_ci(low, high, label=False, null=1.0)})"
    assert expected == "0.76 (0.59 to 0.997)"
    for cell in (
        "Readmission to acute care within 1 year",
        "64/218",
        "83/216",
        expected,
        "0.046",
        "Outcome",
        "Peer support",
        "Control",
        "Risk ratio",
        "(95% CI)",
        "p value",
    ):
        assert cell in texts
    assert "n/N" in texts


def test_favours_labels_name_the_arms() -> None:
    fig = forest_plot(example_trial())
    texts = _texts(fig)
    assert "\u2190 Favours Peer support" in texts
    assert "Favours Control \u2192" in texts
    fig = forest_plot(example_trial(), favours=("Favours workbook", "Favours peers"))
    assert {"\u2190 Favours workbook", "Favours peers \u2192"} <= set(_texts(fig))


def test_lancet_style_has_mid_dots_in_cells_and_ticks() -> None:
    fig = forest_plot(example_trial(), style="lancet")  # odds ratio 0.67 (0.45-0.99)
    assert _ticks(fig) == ["0\u00b725", "0\u00b75", "1", "2", "4"]
    texts = _texts(fig)
    estimate = next(t for t in texts if t.startswith("0\u00b767"))
    assert "." not in estimate and "\u2013" in estimate  # 0·67 (0·45–0·99)
    assert "0\u00b7046" in texts
    numbers = [t for t in [*texts, *_ticks(fig)] if t[:1].isdigit() and "/" not in t]
    assert numbers and not any("." in t for t in numbers)


def test_plain_style_has_points() -> None:
    fig = forest_plot(example_trial())
    assert _ticks(fig) == ["0.25", "0.5", "1", "2", "4"]
    assert "0.046" in _texts(fig)


def test_risk_difference_is_linear_in_percentage_points() -> None:
    fig = forest_plot(example_trial(), measure="risk_difference")
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    # Newcombe RD -9.1 (-17.8 to -0.2) points: symmetric ticks about 0 covering -17.8
    ticks = [float(t) for t in _ticks(fig)]
    assert ticks[0] == -ticks[-1] and 0.0 in ticks and ticks[0] <= -17.8
    assert "Risk difference, % points" in _texts(fig)
    assert any(t.startswith("-9.1 (-17.8 to -0.2") for t in _texts(fig))


def test_several_outcomes_with_a_zero_cell() -> None:
    fig = _multi_plot()
    texts = _texts(fig)
    for name, ((a, n1), (c, n2)) in MULTI.items():
        assert name in texts
        # plain style: a comma from 1000 on (Python's own grouping, written apart)
        assert f"{a:,}/{n1:,}" in texts and f"{c:,}/{n2:,}" in texts
    # The zero cell: as in the report, Koopman's interval instead of Wald's [0, inf]; RR 0
    # has no square on the log axis, and its interval runs off the left end.
    cell = next(t for t in texts if t.startswith("0.00 ("))
    assert cell.endswith(")*") and "inf" not in cell
    assert (
        "* With a zero cell the Wald interval is undefined: Koopman asymptotic score interval "
        "instead." in texts
    )
    assert sum(t.endswith("*") for t in texts) == 1
    assert _ticks(fig) == ["0.25", "0.5", "1", "2", "4"]
    ax = fig.axes[0]
    arrows = [line for line in ax.get_lines() if line.get_marker() in ("<", ">")]
    assert [(line.get_marker(), line.get_ydata()[0]) for line in arrows] == [("<", 2)]
    assert sorted(_square_rows(fig)) == [0, 1, 3]


def test_a_named_wald_method_is_kept_with_a_zero_cell() -> None:
    with pytest.warns(rk.RctkitWarning, match="zero cell|no events"):
        fig = _multi_plot(methods={"risk_ratio": "wald"})
    texts = _texts(fig)
    # Wald's interval [0, inf]: arrows to both ends, no square, no footnote.
    assert "0.00 (0.00 to inf)" in texts
    assert not any("*" in t for t in texts)
    ax = fig.axes[0]
    arrows = [line for line in ax.get_lines() if line.get_marker() in ("<", ">")]
    assert {(line.get_marker(), line.get_ydata()[0]) for line in arrows} == {("<", 2), (">", 2)}
    assert sorted(_square_rows(fig)) == [0, 1, 3]


def test_square_area_is_proportional_to_information() -> None:
    fig = _multi_plot()
    areas = dict(zip(_square_rows(fig), _squares(fig).get_sizes(), strict=True))
    names = list(MULTI)
    rows = sorted(areas)  # the zero-cell row (2) has no square
    assert rows == [0, 1, 3]
    info = {i: 1 / _wald_rr(*MULTI[names[i]][0], *MULTI[names[i]][1])[3] for i in rows}
    assert sorted(rows, key=areas.__getitem__) == sorted(rows, key=info.__getitem__)
    top = max(rows, key=info.__getitem__)  # Death: 1/var = 1/(1/120 - 1/1000 + ...)
    for row in rows:
        expected = areas[top] * info[row] / info[top]
        assert areas[row] == pytest.approx(max(expected, 3.0**2), rel=1e-9)


# -- subgroups -----------------------------------------------------------------------------


def test_subgroup_rows_headings_and_estimates() -> None:
    young = rk.BinaryOutcome(name="x", treatment=(50, 600), control=(70, 600))
    old = rk.BinaryOutcome(name="y", treatment=(70, 400), control=(80, 400))
    whole = rk.BinaryOutcome(name="z", treatment=(120, 1000), control=(150, 1000))
    published = rk.risk_ratio(whole)
    fig = forest_plot(
        example_trial(),
        measure="risk_ratio",
        subgroups={"Age": {"<65 years": young, "65 years or older": old}, "Model": published},
    )
    labels = {t.get_text(): t for t in fig.texts}
    assert labels["Age"].get_fontweight() == "bold"
    assert labels["<65 years"].get_position()[0] > labels["Age"].get_position()[0]
    assert "50/600" in labels and "80/400" in labels
    rr, low, high, _ = _wald_rr(50, 600, 70, 600)
    assert f"{format_number(rr)} ({format_ci(low, high, label=False, null=1.0)})" in labels
    assert "\u2013" in labels  # the Estimate row has no counts
    # rows: the outcome, the heading (no square), two subgroups, the Estimate
    assert sorted(_square_rows(fig)) == [0, 2, 3, 4]


def test_subgroups_are_checked() -> None:
    trial = example_trial()
    odds = rk.odds_ratio(rk.BinaryOutcome(name="z", treatment=(12, 100), control=(15, 100)))
    with pytest.raises(rk.InvalidInputError, match=r"`subgroups\['A'\]` must be an Estimate of"):
        forest_plot(trial, measure="risk_ratio", subgroups={"A": odds})
    with pytest.raises(rk.InvalidInputError, match=r"`confidence_level` 0.9 \(got 0.95\)"):
        forest_plot(trial, confidence_level=0.9, subgroups={"A": odds})
    with pytest.raises(rk.InvalidInputError, match=r"`subgroups\['A'\]\['b'\]` must be a Bin"):
        forest_plot(trial, subgroups={"A": {"b": 3}})
    with pytest.raises(rk.InvalidInputError, match=r"`subgroups` must be a mapping"):
        forest_plot(trial, subgroups=[odds])  # type: ignore[arg-type]


def test_too_many_rows_are_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("rows computed before the limit was checked")

    monkeypatch.setattr(rctkit.plots.forest, "_rows", no_work)
    odds = rk.odds_ratio(rk.BinaryOutcome(name="z", treatment=(12, 100), control=(15, 100)))
    rows = {f"row {i}": odds for i in range(MAX_ROWS)}  # 200 + the outcome = 201
    with pytest.raises(rk.CostLimitError, match=r"201 rows is over the limit of 200 rows"):
        forest_plot(example_trial(), subgroups=rows)


def test_the_largest_plot_allowed_is_drawn() -> None:
    odds = rk.odds_ratio(rk.BinaryOutcome(name="z", treatment=(12, 100), control=(15, 100)))
    rows = {f"row {i}": odds for i in range(MAX_ROWS - 1)}
    fig = forest_plot(example_trial(), subgroups=rows)
    assert len(_square_rows(fig)) == MAX_ROWS


# -- options -------------------------------------------------------------------------------


def test_outcomes_choose_rows_in_order() -> None:
    fig = forest_plot(multi_trial(), outcomes=["Stroke", "Death"])  # no zero cell: no warning
    texts = _texts(fig)
    assert "Pulmonary embolism" not in texts
    ys = {t.get_text(): t.get_position()[1] for t in fig.texts}
    assert ys["Stroke"] > ys["Death"]  # drawn top to bottom in the order given


def test_xlim_clips_intervals_with_arrows() -> None:
    fig = forest_plot(example_trial(), xlim=(0.5, 2.0))  # OR interval 0.45 to 0.99
    ax = fig.axes[0]
    assert ax.get_xlim() == pytest.approx((0.5, 2.0))
    assert _ticks(fig) == ["0.5", "1", "2"]
    assert [line.get_marker() for line in ax.get_lines() if line.get_marker() == "<"] == ["<"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"measure": "hazard_ratio"}, r'`measure` must be one of "odds_ratio"'),
        ({"outcomes": ["Death"]}, r"`outcomes` must name outcomes of the trial"),
        ({"outcomes": "Death"}, r"`outcomes` must be a sequence of outcome names"),
        ({"favours": "left"}, r"`favours` must be two strings"),
        ({"xlim": (1.5, 3.0)}, r"`xlim` must be two finite numbers with 0 < low < 1 < high"),
        ({"xlim": (0.5, math.inf)}, r"`xlim` must be two finite numbers"),
        ({"measure": "risk_difference", "xlim": (0, 5)}, r"with low < 0 < high"),
        ({"style": "apa"}, r"`style` must be one of"),
        ({"path": 3}, r"`path` must be a str, a Path or None"),
    ],
)
def test_options_are_checked(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=match):
        forest_plot(example_trial(), **kwargs)


# -- files and pyplot ----------------------------------------------------------------------


@pytest.mark.parametrize("measure", ["odds_ratio", "risk_ratio", "risk_difference"])
def test_saves_png_svg_and_pdf(measure: str, tmp_path: Path) -> None:
    png = tmp_path / "forest.png"
    fig = forest_plot(example_trial(), measure=measure, path=png)
    assert png.read_bytes().startswith(b"\x89PNG")
    svg = tmp_path / "forest.svg"
    forest_plot(example_trial(), measure=measure, path=svg)
    ET.parse(svg)  # well-formed
    pdf = io.BytesIO()
    fig.savefig(pdf, format="pdf")
    assert pdf.getvalue().startswith(b"%PDF")
    assert fig.axes[0].get_xscale() == ("linear" if measure == "risk_difference" else "log")


def test_pyplot_registry_and_backend_untouched() -> None:
    import matplotlib.pyplot as plt

    backend = dict.__getitem__(matplotlib.rcParams, "backend")
    before = plt.get_fignums()
    fig = _multi_plot(style="lancet")
    fig.savefig(io.BytesIO(), format="png")
    assert plt.get_fignums() == before
    assert dict.__getitem__(matplotlib.rcParams, "backend") == backend


def test_never_imports_pyplot_or_chooses_a_backend(tmp_path: Path) -> None:
    # A fresh interpreter: drawing and saving must not import pyplot (which would resolve
    # and fix the backend) nor set rcParams["backend"].
    script = (
        "import sys, matplotlib\n"
        "before = dict.__getitem__(matplotlib.rcParams, 'backend')\n"
        "from rctkit.plots import forest_plot\n"
        "from rctkit.trialfile import example_trial\n"
        f"forest_plot(example_trial(), path={str(tmp_path / 'f.png')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert dict.__getitem__(matplotlib.rcParams, 'backend') is before, 'backend set'\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert (tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")


# -- properties ----------------------------------------------------------------------------


@settings(max_examples=25)
@given(outcome=outcomes(max_total=2000))
def test_axis_holds_every_finite_limit(outcome: rk.BinaryOutcome) -> None:
    arms = (rk.Arm("A", outcome.treatment.total), rk.Arm("B", outcome.control.total))
    trial = rk.Trial("t", arms, outcomes=[outcome])
    for measure in ("risk_ratio", "risk_difference"):
        with warnings.catch_warnings():  # zero cells warn; the axis is what is checked here
            warnings.simplefilter("ignore", rk.RctkitWarning)
            fig = forest_plot(trial, measure=measure, methods={"risk_ratio": "koopman"})
        low, high = fig.axes[0].get_xlim()
        scale = 100.0 if measure == "risk_difference" else 1.0
        method = "koopman" if measure == "risk_ratio" else "newcombe"
        est = getattr(rk, measure)(outcome, method=method)
        for value in (est.estimate, *est.ci):
            value *= scale
            if math.isfinite(value) and (value > 0 or measure == "risk_difference"):
                # 1e-12 relative slack on either side, whatever the sign (a difference of -100
                # percentage points sits exactly on an axis limit of -100)
                slack = 1e-12 * abs(value)
                assert low <= value + slack and value - slack <= high
        if measure == "risk_ratio":
            assert low * high == pytest.approx(1.0)  # symmetric about 1 on the log axis
        else:
            assert low == -high


def test_usetex_in_rcparams_reaches_no_text() -> None:
    # With usetex on, the tick labels too would go to LaTeX ("0·5" and "−" would stop it, and
    # so would a machine without the cm-super fonts); every text is drawn by matplotlib.
    with matplotlib.rc_context({"text.usetex": True}):
        fig = forest_plot(example_trial(), style="lancet", measure="risk_difference")
        texts = [*fig.texts, *fig.axes[0].texts, *fig.axes[0].get_xticklabels()]
        assert all(t.get_usetex() is False for t in texts)
        fig.savefig(io.BytesIO(), format="png")


def _boxes(fig: Any) -> list[tuple[str, Any]]:
    fig.draw_without_rendering()
    texts = [*fig.texts, *fig.axes[0].texts, *fig.axes[0].get_xticklabels()]
    return [(t.get_text(), t.get_window_extent()) for t in texts if t.get_text()]


@pytest.mark.parametrize("style", ["plain", "lancet", "nejm"])
@pytest.mark.parametrize("xlim", [None, (0.9, 8.0), (0.125, 1.1)])
def test_texts_inside_the_figure_and_apart(style: str, xlim: tuple[float, float] | None) -> None:
    arms = (
        rk.Arm("Peer-supported self-management, a long arm name", 1000),
        rk.Arm("Placebo", 1000, short="An even longer name for the control arm of it"),
    )
    names = ["Death", "A long outcome name that takes a lot of room", "Stroke"]
    rows = [MULTI["Death"], MULTI["Stroke"], MULTI["Myocardial infarction"]]
    pairs = zip(names, rows, strict=True)
    outcomes = [rk.BinaryOutcome(name=n, treatment=t, control=c) for n, (t, c) in pairs]
    trial = rk.Trial("t", arms, outcomes=outcomes)
    fig = forest_plot(trial, style=style, xlim=xlim)
    boxes = _boxes(fig)
    width, height = fig.bbox.width, fig.bbox.height
    for text, box in boxes:
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height, text
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)


@pytest.mark.parametrize("xlim", [(0.95, 8.0), (0.125, 1.05)])
def test_long_favours_labels_stay_inside_narrow_columns(xlim: tuple[float, float]) -> None:
    arms = (rk.Arm("A", 100), rk.Arm("B", 100))
    trial = rk.Trial(
        "t", arms, outcomes=[rk.BinaryOutcome(name="D", treatment=(9, 100), control=(12, 100))]
    )
    favours = ("Favours the experimental arm, by a long way", "Favours the usual care arm, by far")
    fig = forest_plot(trial, xlim=xlim, favours=favours)
    width = fig.bbox.width
    for text, box in _boxes(fig):
        assert box.x0 >= 0 and box.x1 <= width, text

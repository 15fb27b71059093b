"""The trial's framework (superiority, non-inferiority, equivalence) in the model, the trial
file, the report, the forest plot and the command line (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

import rctkit as rk
from rctkit.io import example_trial, parse_trial

#: REPROVE (Torres A, et al. Lancet Infect Dis 2018;18:285-95): clinical cure at the
#: test-of-cure visit in the clinically modified ITT population, 245/356 (68.8%) with
#: ceftazidime-avibactam vs 270/370 (73.0%) with meropenem; non-inferiority margin -12.5
#: percentage points. The arms below are that population (the randomised counts are not
#: needed for the test).
REPROVE = """
[trial]
title = "REPROVE"
citation = "Torres A, et al. Lancet Infect Dis 2018;18:285-95"

[[arms]]
label = "Ceftazidime-avibactam"
role = "treatment"
allocated = 356

[[arms]]
label = "Meropenem"
role = "control"
allocated = 370

[[outcomes]]
name = "Clinical cure"
events = [245, 270]
totals = [356, 370]

[design]
framework = "noninferiority"
measure = "risk_difference"
margin = -0.125
higher_is_better = true
"""


def test_design_defaults_to_superiority() -> None:
    trial = example_trial()
    assert trial.design == rk.Design()
    assert trial.design.framework == "superiority" and not trial.design.has_margin


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"framework": "sup"}, "`framework` must be one of"),
        ({"framework": "noninferiority", "margin": -0.1}, "`measure` must be given"),
        ({"framework": "noninferiority", "measure": "risk_difference"}, "`margin` must be given"),
        (
            {"framework": "noninferiority", "measure": "risk_difference", "margin": -0.1},
            "must lie above the null value 0 when the events are harmful",
        ),
        (
            {
                "framework": "noninferiority",
                "measure": "risk_ratio",
                "margin": 1.2,
                "higher_is_better": True,
            },
            "must lie below the null value 1 when higher is better",
        ),
        (
            {"framework": "noninferiority", "measure": "risk_difference", "margin": 1.5},
            "strictly between -1 and 1",
        ),
        (
            {"framework": "noninferiority", "measure": "odds_ratio", "margin": -2.0},
            "positive finite ratio",
        ),
        (
            {"framework": "equivalence", "measure": "risk_difference", "margin": (0.1, 0.2)},
            "low < 0 < high",
        ),
        ({"framework": "superiority", "margin": 0.1}, "must not be given for a superiority"),
        (
            {"framework": "noninferiority", "measure": "hazard", "margin": 1.2},
            "`measure` must be one of",
        ),
    ],
)
def test_bad_designs_are_refused(kwargs: dict[str, object], match: str) -> None:
    framework = kwargs.pop("framework")
    with pytest.raises(rk.InvalidInputError, match=match):
        rk.Design(framework, **kwargs)  # type: ignore[arg-type]


def test_trial_file_declares_the_framework() -> None:
    trial = parse_trial(REPROVE)
    design = trial.design
    assert design.framework == "noninferiority" and design.measure == "risk_difference"
    assert design.margin == -0.125 and design.higher_is_better
    assert trial.design_outcome is trial.outcomes[0]
    equivalence = REPROVE.replace('"noninferiority"', '"equivalence"').replace(
        "margin = -0.125\nhigher_is_better = true", "margin = [-0.1, 0.1]"
    )
    assert parse_trial(equivalence).design.margin == (-0.1, 0.1)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("margin = -0.125", "margin = 0.125"), "`design`: `margin` must lie below the null"),
        (("margin = -0.125", 'margin = "x"'), "`design.margin` must be"),
        (('framework = "noninferiority"', 'framework = "better"'), "`framework` must be one"),
        (("higher_is_better = true", "higher_is_better = true\nfoo = 1"), "`design.foo` is not"),
        (("higher_is_better = true", 'higher_is_better = true\noutcome = "Death"'), "unknown outcome"),
    ],
)
def test_trial_file_design_errors_name_the_key(edit: tuple[str, str], message: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=message):
        parse_trial(REPROVE.replace(*edit))


def test_forest_plot_draws_the_margin(tmp_path: Path) -> None:
    from rctkit.plots import forest_plot

    trial = parse_trial(REPROVE)
    figure = forest_plot(trial, measure="risk_difference")
    ax = figure.axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in dashed] == [pytest.approx(-12.5)]
    assert ax.get_xlim()[0] <= -12.5
    assert "Margin" in [t.get_text() for t in ax.texts]
    # not on another measure's axis, unless given
    assert not [
        line
        for line in forest_plot(trial, measure="risk_ratio").axes[0].get_lines()
        if line.get_linestyle() == "--"
    ]
    ratio = forest_plot(trial, measure="risk_ratio", margin=0.8).axes[0]
    assert [line.get_xdata()[0] for line in ratio.get_lines() if line.get_linestyle() == "--"] == [
        pytest.approx(0.8)
    ]
    with pytest.raises(rk.InvalidInputError, match="margin"):
        forest_plot(trial, measure="risk_ratio", margin="x")

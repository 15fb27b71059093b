"""Trial files: the shipped CORE example and the error messages for broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

import rctkit as rk
from rctkit.trialfile import example_trial, load_trial, parse_trial

MINIMAL = """
[trial]
title = "T"

[[arms]]
label = "A"
role = "treatment"
allocated = 10
analysed = 9

[[arms]]
label = "B"
role = "control"
allocated = 10

[[outcomes]]
name = "Death"
events = [1, 3]
totals = [9, 10]
"""


def test_core_example_matches_the_paper() -> None:
    trial = example_trial("core")
    assert [a.allocated for a in trial.arms] == [221, 220]
    assert [a.analysed for a in trial.arms] == [218, 216]
    primary = trial.primary_outcome
    assert primary is not None
    assert primary.as_tuple() == (64, 218, 83, 216)
    assert sum(e.events or 0 for e in trial.adverse_events) == 71
    published = trial.published[primary.name]
    assert (published.estimate, published.low, published.high) == (0.66, 0.43, 0.99)


def test_minimal_file(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(MINIMAL)
    trial = load_trial(path)
    assert trial.arms[0].label == "A"
    assert trial.outcomes[0].control == rk.Counts(3, 10)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("allocated = 10\nanalysed = 9", "allocated = 10.5\nanalysed = 9"),
            "`arms[1].allocated` must be an integer (got 10.5)",
        ),
        (
            ('role = "control"', 'role = "placebo"'),
            '`arms[2].role` must be "treatment" or "control"',
        ),
        (("events = [1, 3]", "events = [1]"), "`outcomes[1].events` must be two integers"),
        (
            ("totals = [9, 10]", "totals = [9, 11]"),
            "the 'B' denominator must not exceed the arm's allocated count (got 11 > 10)",
        ),
        (
            ("events = [1, 3]", "events = [10, 3]"),
            "`outcomes[1]`: `treatment`: `events` must not exceed",
        ),
        (('title = "T"', 'title = "T"\ncolour = "red"'), "`trial.colour` is not a known key"),
        (('[trial]\ntitle = "T"', "[trial]"), "`trial.title` is required but missing"),
    ],
)
def test_broken_files_name_the_key_path(edit: tuple[str, str], message: str) -> None:
    old, new = edit
    assert old in MINIMAL
    with pytest.raises(rk.InvalidInputError) as info:
        parse_trial(MINIMAL.replace(old, new), source="t.toml")
    assert message in str(info.value)
    assert str(info.value).startswith("t.toml: ")


def test_malformed_toml_gives_the_line() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"malformed TOML: .*line 3"):
        parse_trial('[trial]\ntitle = "T"\nx = = 1\n')


def test_example_trial_refuses_unknown_names() -> None:
    with pytest.raises(rk.InvalidInputError, match=r'`name` must be one of "core" \(got \'x\'\)'):
        example_trial("x")

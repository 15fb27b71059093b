"""Trial files: the shipped CORE example and the error messages for broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

import rctkit as rk
from rctkit.errors import InconsistentInputError
from rctkit.io.trialfile import MAX_NESTING
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


# ---------------------------------------------------------------------------------------------
# Issue 10: no traceback, no hang, no silent acceptance
# ---------------------------------------------------------------------------------------------


def test_inconsistent_counts_give_key_paths_and_every_problem() -> None:
    text = MINIMAL.replace("analysed = 9", "analysed = 11\nreceived = 12").replace(
        "totals = [9, 10]", "totals = [9, 11]"
    )
    with pytest.raises(InconsistentInputError) as info:
        parse_trial(text, source="t.toml")
    # counts checked by hand: received 12 > allocated 10, analysed 11 > 10, total 11 > 10
    assert info.value.problems == (
        "`arms[1]`: `received` must not exceed `allocated` (got received=12, allocated=10)",
        "`arms[1]`: `analysed` must not exceed `allocated` (got analysed=11, allocated=10)",
        "`outcomes[1].totals`: outcome 'Death': the 'B' denominator must not exceed the arm's "
        "allocated count (got 11 > 10)",
    )
    assert str(info.value) == (
        "t.toml: `arms[1]`: `received` must not exceed `allocated` (got received=12, "
        "allocated=10) (and 2 more problems)"
    )
    assert isinstance(info.value, rk.InvalidInputError)


def test_key_paths_follow_the_file_order_of_the_arms() -> None:
    # the control arm is written first in the file: its problems are at arms[1]
    first, second = MINIMAL.split("[[arms]]")[1:3]
    second, outcomes = second.split("[[outcomes]]")
    text = (
        MINIMAL.split("[[arms]]")[0]
        + "[[arms]]"
        + second.replace("allocated = 10", "allocated = 10\nreceived = 11")
        + "[[arms]]"
        + first
        + "[[outcomes]]"
        + outcomes
    )
    with pytest.raises(InconsistentInputError) as info:
        parse_trial(text)
    assert info.value.problems == (
        "`arms[1]`: `received` must not exceed `allocated` (got received=11, allocated=10)",
    )


def test_adverse_event_naming_no_arm_has_its_key_path() -> None:
    text = MINIMAL + '\n[[adverse_events]]\nterm = "SAE"\narm = "C"\nevents = 1\n'
    with pytest.raises(InconsistentInputError, match=r"`adverse_events\[1\]\.arm`: adverse"):
        parse_trial(text)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("exposure = nan", "`exposure` must be a positive finite number (got nan)"),
        ("exposure = -1.0", "`exposure` must be a positive finite number (got -1.0)"),
        ("exposure = 0", "`exposure` must be a positive finite number (got 0.0)"),
        ("exposure = inf", "`exposure` must be a positive finite number (got inf)"),
    ],
)
def test_adverse_event_exposure_must_be_positive_and_finite(extra: str, message: str) -> None:
    text = MINIMAL + f'\n[[adverse_events]]\nterm = "SAE"\narm = "A"\nevents = 1\n{extra}\n'
    with pytest.raises(rk.InvalidInputError) as info:
        parse_trial(text)
    assert message in str(info.value)
    assert "`adverse_events[1]`" in str(info.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("odds_ratio", 0.5, 0.9, 0.1), "`low` <= `estimate` <= `high` must hold"),
        (("odds_ratio", 0.5, 0.1, 0.9, 1.5), r"`pvalue` must lie in \[0, 1\] \(got 1.5\)"),
        (("odds_ratio", 0.5, 0.1, 0.9, -0.01), r"`pvalue` must lie in \[0, 1\]"),
        (("risk_ratio", 0.5, 0.0, 0.9), r"`low` of a ratio \('risk_ratio'\) must be positive"),
        (("hazard ratio", 0.5, -1.0, 0.9), "must be positive"),
        (("odds_ratio", float("nan"), 0.1, 0.9), r"`estimate` must be finite \(got nan\)"),
        (("odds_ratio", 0.5, 0.1, float("inf")), r"`high` must be finite \(got inf\)"),
        (("odds_ratio", "0.5", 0.1, 0.9), r"`estimate` must be a number \(got '0.5'\)"),
        (("", 0.5, 0.1, 0.9), "`measure` must not be empty"),
    ],
)
def test_published_estimate_rules(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=message):
        rk.PublishedEstimate(*args)  # type: ignore[arg-type]


def test_published_estimates_in_range_are_kept() -> None:
    # a difference may be negative; p = 0 and p = 1 are allowed; low = estimate = high
    est = rk.PublishedEstimate("risk_difference", -0.05, -0.25, 0.05, pvalue=0.0)
    assert (est.estimate, est.low, est.high, est.pvalue) == (-0.05, -0.25, 0.05, 0.0)
    assert rk.PublishedEstimate("odds_ratio", 1.0, 1.0, 1.0, pvalue=1.0).pvalue == 1.0


def test_parse_trial_refuses_long_texts_and_non_strings() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`text` must be at most 1,048,576"):
        parse_trial(MINIMAL + "#" * (1 << 20))
    with pytest.raises(rk.InvalidInputError, match=r"`text` must be a string \(got bytes\)"):
        parse_trial(MINIMAL.encode())  # type: ignore[arg-type]


def test_long_values_are_shown_short() -> None:
    with pytest.raises(rk.InvalidInputError) as info:
        parse_trial(MINIMAL.replace('role = "control"', 'role = "' + "x" * 100_000 + '"'))
    message = str(info.value)
    assert "(100,000 chars)" in message and len(message) < 300
    with pytest.raises(rk.InvalidInputError) as info:
        parse_trial(MINIMAL.replace("events = [1, 3]", "events = [[[[[1]]]], 2, 3, 4, 5, 6]"))
    assert "(got [[[...]], 2, 3, 4, ...])" in str(info.value)


def test_a_utf8_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_trial(path).arms[0].label == "A"


def test_names_that_find_things_must_be_unique() -> None:
    twice = MINIMAL + '\n[[outcomes]]\nname = "Death"\nevents = [0, 0]\ntotals = [9, 10]\n'
    with pytest.raises(rk.InvalidInputError, match=r"`outcomes\[2\]\.name` must differ from "):
        parse_trial(twice)
    with pytest.raises(rk.InvalidInputError, match=r"`arms\[2\]\.label` must differ from "):
        parse_trial(MINIMAL.replace('label = "B"', 'label = "A"'))


def test_nesting_is_bounded_before_the_toml_reader_recurses() -> None:
    # 64 levels are read (and then refused by the format); 65 are refused before reading,
    # whatever the interpreter's recursion limit; brackets in strings and comments do not count
    ok = "x = " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\n"
    with pytest.raises(rk.InvalidInputError, match="`x` is not a known key"):
        parse_trial(ok)
    deep = MINIMAL + "x = " + "[" * 65 + "]" * 65 + "\n"
    with pytest.raises(rk.InvalidInputError, match=r"nested more than 64 deep at line 20"):
        parse_trial(deep)
    hidden = "# " + "[" * 100 + '\nx = "' + "{" * 100 + "\"\ny = '''\n" + "[" * 100 + "'''\n"
    with pytest.raises(rk.InvalidInputError, match="`x` is not a known key"):
        parse_trial(hidden)

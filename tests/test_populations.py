"""Analysis populations (issue 11): an outcome whose denominator is its own population, harms
over the safety population, and the rules that check every denominator against its population.

Counts are those of a two-arm trial of our own making, laid out as a trial paper gives them:
randomised 120 vs 118, the primary outcome known for 110 vs 108 (the full analysis set),
deaths known for everyone randomised, and a safety population of all who received a dose
(118 vs 117).
"""

from __future__ import annotations

import pytest

import rctkit as rk
from rctkit.io import parse_trial
from rctkit.model.trial import trial_problems
from rctkit.report import render_text

ARMS = (
    rk.Arm("Drug", allocated=120, analysed=110),
    rk.Arm("Placebo", allocated=118, analysed=108),
)
POPULATIONS = (
    rk.Population("full analysis set", 110, 108),
    rk.Population("randomised", 120, 118),
    rk.Population("safety", 118, 117, "all who received a dose"),
)


def _trial(**changes: object) -> rk.Trial:
    fields: dict[str, object] = {
        "title": "Populations",
        "arms": ARMS,
        "outcomes": (
            rk.BinaryOutcome.from_counts(treatment=(30, 110), control=(45, 108), name="Relapse"),
            rk.BinaryOutcome.from_counts(treatment=(6, 120), control=(9, 118), name="Death"),
        ),
        "adverse_events": (
            rk.AdverseEvent("Nausea", "Drug", participants=20, events=25),
            rk.AdverseEvent("Nausea", "Placebo", participants=8, events=9),
        ),
        "populations": POPULATIONS,
        "outcome_populations": {"Relapse": "full analysis set", "Death": "randomised"},
        "safety_population": "safety",
    }
    fields.update(changes)
    return rk.Trial(**fields)  # type: ignore[arg-type]


def test_an_outcome_known_for_more_than_the_primary_is_accepted_in_its_population() -> None:
    trial = _trial()
    assert trial.outcome_population("Death") == POPULATIONS[1]
    assert trial.outcome_population("Relapse") == POPULATIONS[0]
    # Without its population, 120 deaths' denominators exceed the 110 analysed: refused.
    with pytest.raises(
        rk.InvalidInputError,
        match=r"outcome 'Death': the 'Drug' denominator must not exceed the arm's analysed count "
        r"\(got 120 > 110\)",
    ):
        _trial(outcome_populations={"Relapse": "full analysis set"})


def test_a_denominator_above_its_population_is_refused() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"population 'full analysis set' count"):
        _trial(outcome_populations={"Relapse": "full analysis set", "Death": "full analysis set"})


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        (
            {"populations": (*POPULATIONS, rk.Population("safety", 1, 1))},
            r"population 'safety' is given twice",
        ),
        (
            {"populations": (rk.Population("randomised", 121, 118),), "outcome_populations": {}},
            r"population 'randomised': the 'Drug' count must not exceed the arm's allocated count "
            r"\(got 121 > 120\)",
        ),
        ({"safety_population": "treated"}, r"`safety_population` must name one of"),
        ({"outcome_populations": {"Relapse": "ITT"}}, r"population 'ITT' is not one of"),
        ({"outcome_populations": {"Cure": "safety"}}, r"names an unknown outcome 'Cure'"),
    ],
)
def test_population_rules(changes: dict[str, object], match: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=match):
        _trial(**changes)


def test_harms_are_counted_over_the_safety_population() -> None:
    trial = _trial()
    assert trial.harms_denominators == (118, 117)
    row = rk.report(trial).harms()[0]
    assert row.totals == (118, 117)
    # the risk difference of 20/118 vs 8/117, as the scalar API gives it
    expected = rk.risk_difference(
        rk.BinaryOutcome.from_counts(treatment=(20, 118), control=(8, 117)), method="newcombe"
    )
    assert row.risk_difference is not None
    assert row.risk_difference.estimate == expected.estimate
    markdown = rk.report(trial).to_markdown()
    for out in (" ".join(render_text(trial).split()), markdown):  # the same notes in each
        assert (
            "Participants: with at least one event, of the safety population (118 vs 117)" in out
        )
        assert "Analysed in: Relapse: full analysis set (110 vs 108); Death: randomised" in out
    # without a safety population the analysed counts stay the denominators
    assert _trial(safety_population=None).harms_denominators == (110, 108)


def test_participants_above_the_safety_population_are_refused() -> None:
    # 119 participants with a rash of 118 in the safety population (and 120 allocated): the
    # trial is refused when it is built, before any harms table.
    records = (
        rk.AdverseEvent("Rash", "Drug", participants=119),
        rk.AdverseEvent("Rash", "Placebo", participants=117),  # all of them: accepted
    )
    with pytest.raises(rk.InvalidInputError) as info:
        _trial(adverse_events=records)
    assert str(info.value) == (
        "the trial is inconsistent:\n- adverse event 'Rash': `participants` in arm 'Drug' must "
        "not exceed the arm's population 'safety' count (got participants=119, "
        "population 'safety'=118)"
    )
    where = trial_problems(
        ARMS, adverse_events=records, populations=POPULATIONS, safety_population="safety"
    )
    assert [w for w, _ in where] == [("adverse_events", 0, "participants")]


def test_participants_above_the_analysed_count_are_refused_without_a_safety_population() -> None:
    # Without a safety population the harms' denominator is the arm's analysed count (110).
    records = (rk.AdverseEvent("Rash", "Drug", participants=111),)
    with pytest.raises(
        rk.InvalidInputError,
        match=r"adverse event 'Rash': `participants` in arm 'Drug' must not exceed the arm's "
        r"analysed count \(got participants=111, analysed=110\)",
    ):
        _trial(adverse_events=records, safety_population=None)
    assert _trial(adverse_events=records).harms_denominators == (118, 117)  # within safety


def test_a_denominator_above_its_own_population_is_located() -> None:
    # Deaths over everyone randomised (120 vs 118) said to be analysed in the safety
    # population (118 vs 117): both arms' denominators are too large.
    with pytest.raises(rk.InvalidInputError) as info:
        _trial(outcome_populations={"Relapse": "full analysis set", "Death": "safety"})
    assert str(info.value).splitlines()[1:] == [
        "- outcome 'Death': the 'Drug' denominator must not exceed the arm's population "
        "'safety' count (got 120 > 118)",
        "- outcome 'Death': the 'Placebo' denominator must not exceed the arm's population "
        "'safety' count (got 118 > 117)",
    ]


def test_a_population_above_its_arm_is_located() -> None:
    populations = (rk.Population("randomised", 121, 119),)
    where = trial_problems(ARMS, populations=populations)
    assert where == [
        (
            ("populations", 0),
            "population 'randomised': the 'Drug' count must not exceed the arm's allocated "
            "count (got 121 > 120)",
        ),
        (
            ("populations", 0),
            "population 'randomised': the 'Placebo' count must not exceed the arm's allocated "
            "count (got 119 > 118)",
        ),
    ]


TRIAL_FILE = """
[trial]
title = "Populations"

[[arms]]
label = "Drug"
role = "treatment"
allocated = 120
analysed = 110

[[arms]]
label = "Placebo"
role = "control"
allocated = 118
analysed = 108

[[populations]]
name = "randomised"
counts = [120, 118]

[[populations]]
name = "safety"
counts = [118, 117]
safety = true

[[outcomes]]
name = "Relapse"
events = [30, 45]
totals = [110, 108]

[[outcomes]]
name = "Death"
events = [6, 9]
totals = [120, 118]
population = "randomised"
"""


def test_trial_files_give_populations() -> None:
    trial = parse_trial(TRIAL_FILE)
    assert trial.outcome_populations == {"Death": "randomised"}
    assert trial.safety_population == "safety"
    assert [p.name for p in trial.populations] == ["randomised", "safety"]


def test_trial_file_population_errors_give_the_key_path() -> None:
    text = TRIAL_FILE.replace('population = "randomised"', 'population = "ITT"')
    with pytest.raises(rk.InvalidInputError, match=r"`outcomes\[2\]\.population`: .*'ITT'"):
        parse_trial(text)
    text = TRIAL_FILE.replace("counts = [120, 118]", "counts = [121, 118]")
    with pytest.raises(rk.InvalidInputError, match=r"`populations\[1\]`: population 'randomised'"):
        parse_trial(text)
    text = TRIAL_FILE.replace("counts = [118, 117]\nsafety = true", "counts = [1, 2]\nsafe = 1")
    with pytest.raises(rk.InvalidInputError, match=r"`populations\[2\]\.safe` is not a known key"):
        parse_trial(text)


def file_problems(text: str) -> tuple[str, ...]:
    """The problems a trial file is refused with, each with its key path."""
    with pytest.raises(rk.InconsistentInputError) as info:
        parse_trial(text)
    return info.value.problems


# One test per rule of the denominators, each with a trial file that breaks it.


def test_trial_file_outcome_above_its_population() -> None:
    text = TRIAL_FILE.replace('population = "randomised"', 'population = "safety"')
    assert file_problems(text) == (
        "`outcomes[2].totals`: outcome 'Death': the 'Drug' denominator must not exceed the "
        "arm's population 'safety' count (got 120 > 118)",
        "`outcomes[2].totals`: outcome 'Death': the 'Placebo' denominator must not exceed the "
        "arm's population 'safety' count (got 118 > 117)",
    )


def test_trial_file_adverse_event_above_the_safety_population() -> None:
    events = """
[[adverse_events]]
term = "Rash"
arm = "Drug"
participants = 118

[[adverse_events]]
term = "Rash"
arm = "Placebo"
participants = 118
"""
    # 118 of 118 in the drug arm is accepted; 118 of 117 in the placebo arm is not, although
    # it is within the arm's 118 allocated.
    assert file_problems(TRIAL_FILE + events) == (
        "`adverse_events[2].participants`: adverse event 'Rash': `participants` in arm "
        "'Placebo' must not exceed the arm's population 'safety' count (got participants=118, "
        "population 'safety'=117)",
    )
    accepted = parse_trial(TRIAL_FILE + events.replace("118\n", "117\n"))
    assert [e.participants for e in accepted.adverse_events] == [117, 117]


def test_trial_file_population_above_the_allocated_count() -> None:
    text = TRIAL_FILE.replace("counts = [118, 117]", "counts = [118, 119]")
    assert file_problems(text) == (
        "`populations[2]`: population 'safety': the 'Placebo' count must not exceed the arm's "
        "allocated count (got 119 > 118)",
    )

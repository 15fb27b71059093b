"""The data model: construction, validation messages, from_arrays, the Trial's checks."""

from __future__ import annotations

import re

import numpy as np
import pytest

import rctkit as rk


def test_counts_basic() -> None:
    c = rk.Counts(64, 218)
    assert (c.events, c.total, c.non_events) == (64, 218, 154)
    assert c.risk == 64 / 218
    assert str(c) == "64/218 (29.4%)"


@pytest.mark.parametrize(
    ("events", "total", "message"),
    [
        (-1, 10, "`events` must be non-negative (got events=-1)"),
        (1, -10, "`total` must be non-negative (got total=-10)"),
        (11, 10, "`events` must not exceed `total` (got events=11, total=10)"),
        (0, 0, "`total` must be positive (got total=0)"),
        (1.0, 10, "`events` must be an integer count (got 1.0 of type float)"),
        (1, 10.5, "`total` must be an integer count (got 10.5 of type float)"),
        ("3", 10, "`events` must be an integer count (got '3' of type str)"),
        (True, 10, "`events` must be an integer count, not a boolean (got True)"),
    ],
)
def test_counts_refuses_bad_input(events: object, total: object, message: str) -> None:
    with pytest.raises(rk.InvalidInputError, match=re.escape(message)):
        rk.Counts(events, total)  # type: ignore[arg-type]


def test_counts_accepts_numpy_integers() -> None:
    assert rk.Counts(np.int64(3), np.int32(10)) == rk.Counts(3, 10)


def test_invalid_input_error_is_value_error() -> None:
    assert issubclass(rk.InvalidInputError, ValueError)
    assert issubclass(rk.InvalidInputError, rk.RctkitError)
    assert issubclass(rk.RctkitWarning, UserWarning)


def test_binary_outcome_from_counts(core: rk.BinaryOutcome) -> None:
    assert core.treatment == rk.Counts(64, 218)
    assert core.control == rk.Counts(83, 216)
    assert core.table == ((64, 154), (83, 133))
    assert core.swap().treatment == core.control
    assert core.swap().swap() == core


def test_binary_outcome_names_arm_in_errors() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`control`: `events` must not exceed"):
        rk.BinaryOutcome.from_counts(treatment=(1, 2), control=(5, 4))
    with pytest.raises(rk.InvalidInputError, match=r"`treatment` must be Counts or an"):
        rk.BinaryOutcome.from_counts(treatment=5, control=(5, 4))  # type: ignore[arg-type]


def test_from_arrays_counts_and_labels() -> None:
    arm = ["peer", "usual", "peer", "usual", "peer"]
    outcome = [1, 0, 0, 1, 1]
    o = rk.BinaryOutcome.from_arrays(arm, outcome, treatment="peer", name="readmitted")
    assert o.treatment == rk.Counts(2, 3)
    assert o.control == rk.Counts(1, 2)
    assert o.labels == ("peer", "usual")
    assert o.name == "readmitted"


def test_from_arrays_any_hashable_labels_and_bools() -> None:
    o = rk.BinaryOutcome.from_arrays(
        np.array([2, 1, 2, 1]), np.array([True, False, True, True]), treatment=1
    )
    assert o.treatment == rk.Counts(1, 2)
    assert o.control == rk.Counts(2, 2)
    assert o.labels == ("1", "2")


def test_from_arrays_matches_counts_on_core_data() -> None:
    # The CORE table expanded to 434 participants, shuffled with a seeded generator.
    rng = np.random.default_rng(20180804)
    arm = np.array(["peer"] * 218 + ["control"] * 216)
    y = np.array([1] * 64 + [0] * 154 + [1] * 83 + [0] * 133)
    order = rng.permutation(arm.size)
    o = rk.BinaryOutcome.from_arrays(arm[order], y[order], treatment="peer")
    assert o.as_tuple() == (64, 218, 83, 216)


@pytest.mark.parametrize(
    ("arm", "outcome", "treatment", "message"),
    [
        (
            ["a", "b"],
            [1, 0, 1],
            "a",
            r"`arm` and `outcome` must have the same length \(got 2 and 3\)",
        ),
        (["a", "b", "c"], [1, 0, 1], "a", r"`arm` must hold exactly two distinct labels \(got 3"),
        (["a", "a"], [1, 0], "a", r"`arm` must hold exactly two distinct labels \(got 1"),
        (
            ["a", "b"],
            [1, np.nan],
            "a",
            r"`outcome` must not hold missing values \(got 1 missing value, the first nan at "
            r"position 1\)",
        ),
        (["a", "b"], [1, 2], "a", r"`outcome` must hold only 0/1 or boolean values \(got 2 at"),
        (["a", "b"], ["1", "0"], "a", r"`outcome` must hold 0/1 or boolean values \(got dtype"),
        (
            ["a", None],
            [1, 0],
            "a",
            r"`arm` must not hold missing values \(got 1 missing value, the first None at "
            r"position 1\)",
        ),
        (["a", "b"], [1, 0], "c", r"`treatment` must be one of the labels in `arm`"),
        ([["a"], ["b"]], [1, 0], "a", r"`arm` must be one-dimensional"),
    ],
)
def test_from_arrays_refuses_bad_input(
    arm: object, outcome: object, treatment: str, message: str
) -> None:
    with pytest.raises(rk.InvalidInputError, match=message):
        rk.BinaryOutcome.from_arrays(arm, outcome, treatment=treatment)  # type: ignore[arg-type]


def test_outcome_labels_validated() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`labels` must be two different strings"):
        rk.BinaryOutcome("x", (1, 2), (1, 2), labels=("A", "A"))


def _arms(analysed: tuple[int, int] = (218, 216)) -> tuple[rk.Arm, rk.Arm]:
    return (
        rk.Arm("Peer support", allocated=221, analysed=analysed[0]),
        rk.Arm("Control", allocated=220, analysed=analysed[1]),
    )


def test_trial_lists_every_inconsistency_at_once(core: rk.BinaryOutcome) -> None:
    big = rk.BinaryOutcome.from_counts(treatment=(64, 219), control=(83, 217), name="big")
    event = rk.AdverseEvent(term="SAE", arm="Nobody", events=3)
    with pytest.raises(rk.InvalidInputError) as info:
        rk.Trial("T", arms=_arms(), outcomes=[big], adverse_events=[event], primary="other")
    text = str(info.value)
    assert "denominator must not exceed the arm's analysed count (got 219 > 218)" in text
    assert "(got 217 > 216)" in text
    assert "`primary` must name one of the outcomes" in text
    assert "`arm` must be one of" in text


def test_trial_analysed_not_above_allocated() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`analysed` must not exceed `allocated`"):
        rk.Trial("T", arms=_arms((300, 216)))


def test_trial_primary_outcome(core: rk.BinaryOutcome) -> None:
    trial = rk.Trial("T", arms=_arms(), outcomes=[core])
    assert trial.primary_outcome is core
    assert trial.treatment.label == "Peer support"


def test_adverse_event_rules() -> None:
    with pytest.raises(rk.InvalidInputError, match=r"give `participants`, `events` or both"):
        rk.AdverseEvent(term="SAE", arm="A")
    with pytest.raises(rk.InvalidInputError, match=r"`events` must be at least `participants`"):
        rk.AdverseEvent(term="SAE", arm="A", participants=5, events=3)
    with pytest.raises(rk.InvalidInputError, match=r"`participants` must be non-negative"):
        rk.AdverseEvent(term="SAE", arm="A", participants=-5)


def test_from_dataframe_reads_columns_and_names_missing_ones() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"group": ["peer", "usual", "peer", "usual"], "readmitted": [True, False, False, True]}
    )
    o = rk.BinaryOutcome.from_dataframe(
        frame, arm="group", outcome="readmitted", treatment="usual"
    )
    assert o.treatment == rk.Counts(1, 2)
    assert o.name == "readmitted"
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must name a column of `data`"):
        rk.BinaryOutcome.from_dataframe(frame, arm="group", outcome="died", treatment="peer")
    frame = pd.DataFrame({"group": ["peer", "usual"], "readmitted": [1.0, float("nan")]})
    with pytest.raises(rk.InvalidInputError, match=r"`outcome` must not hold missing values"):
        rk.BinaryOutcome.from_dataframe(frame, arm="group", outcome="readmitted", treatment="peer")

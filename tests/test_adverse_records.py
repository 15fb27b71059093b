"""AdverseEventRecords: validation, and the Trial's check against its safety population."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rctkit as rk
from rctkit.errors import InvalidInputError
from rctkit.model import AdverseEventRecords
from rctkit.model.trial import trial_problems


def records(**changes: Any) -> AdverseEventRecords:
    fields: dict[str, Any] = {
        "participants": ("a", "b", "c"),
        "participant_arm": [0, 0, 1],
        "event_participant": [0, 0, 2],
        "socs": ("SOC",),
        "terms": ("PT 1", "PT 2"),
        "event_soc": [0, 0, 0],
        "event_term": [0, 1, 1],
        "exposure_days": [10.0, np.nan, 3.0],
        "serious": np.array([True, False, False]),
        "related": np.array([False, False, True]),
        "grade": [1, 0, 3],
    }
    fields.update(changes)
    return AdverseEventRecords(**fields)


def test_counts_and_repr() -> None:
    r = records()
    assert r.n_participants == (2, 1) and r.n_events == 3
    assert repr(r) == (
        "AdverseEventRecords(2 + 1 participants, 3 events, 1 system organ classes, 2 terms)"
    )


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"participants": ("a", "a", "c")}, "`participants` must not repeat"),
        ({"participants": ("a", "", "c")}, "`participants` entries must be non-empty"),
        ({"participants": "abc"}, "`participants` must be a sequence of str"),
        ({"participant_arm": [0, 1]}, r"`participant_arm` must have one entry per participant"),
        ({"participant_arm": [0, 2, 1]}, r"`participant_arm` must hold 0 \(treatment\) or 1"),
        ({"event_participant": [0, 3, 1]}, r"`event_participant` codes must index"),
        ({"event_term": [0, 2, 1]}, r"`event_term` codes must index `terms` \(0 to 1; got 2\)"),
        ({"event_soc": [0, 0]}, r"`event_soc` must have one entry per event \(3; got 2\)"),
        ({"event_soc": [0.0, 0.0, 0.0]}, r"`event_soc` must hold integer codes"),
        ({"exposure_days": [1.0, -1.0, 2.0]}, r"`exposure_days` must be finite and >= 0"),
        ({"serious": [1, 0, 0]}, r"`serious` must be boolean"),
        ({"grade": [1, 6, 0]}, r"`grade` must be 0 \(unknown\) or 1 to 5"),
        ({"grade": [4, 0, 0], "severity_scale": "severity"}, r"severity scale must be 0 to 3"),
        ({"severity_scale": "ctcae"}, r"`severity_scale` must be 'grade' or 'severity'"),
    ],
)
def test_validation(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        records(**changes)


def test_trial_checks_the_records_against_the_safety_population() -> None:
    arms = (rk.Arm("Drug", 3), rk.Arm("Placebo", 2))
    safety = rk.Population("safety", 2, 1)
    trial = rk.Trial(
        "T",
        arms,
        populations=[safety],
        safety_population="safety",
        adverse_event_records=records(),
    )
    assert trial.adverse_event_records is not None
    wrong = rk.Population("safety", 3, 1)
    located = trial_problems(
        arms, populations=[wrong], safety_population="safety", adverse_event_records=records()
    )
    assert located == [
        (
            ("adverse_event_records", "participants"),
            "`adverse_event_records` must hold the safety population 'safety' per arm "
            "(got 2 + 1 participants, population 3 + 1)",
        )
    ]
    with pytest.raises(InvalidInputError, match="must hold the safety population"):
        rk.Trial(
            "T",
            arms,
            populations=[wrong],
            safety_population="safety",
            adverse_event_records=records(),
        )
    # Without a safety population there is nothing to check the records against.
    assert rk.Trial("T", arms, adverse_event_records=records()).safety_population is None
    with pytest.raises(InvalidInputError, match="must be AdverseEventRecords or None"):
        rk.Trial("T", arms, adverse_event_records="records")  # type: ignore[arg-type]

"""The crude estimates of one outcome as a report prints them, and the methods chosen.

:func:`summarise_outcome` computes an outcome's risk difference, risk ratio, odds ratio and
tests with the report's methods; a default that the data leave undefined (Wald's interval
with a zero cell) gives way to one that is defined, while a method the caller names is kept.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from rctkit import _warnings, effects, hypothesis_tests
from rctkit._engine import DEFAULT_METHODS, TEST_METHODS, ZERO_CELL_METHODS, wald_undefined
from rctkit._validation import check_choice, check_instance
from rctkit.errors import InvalidInputError, RctkitWarning
from rctkit.formatting import measure_name
from rctkit.model import BinaryOutcome
from rctkit.results import Estimate, TestResult

__all__ = [
    "DEFAULT_METHODS",
    "ZERO_CELL_METHODS",
    "OutcomeSummary",
    "check_methods",
    "crude_beside",
    "methods_switched",
    "summarise_outcome",
]

_T = TypeVar("_T")


def check_methods(methods: Any, name: str = "methods") -> dict[str, str]:
    """Check a mapping of measure (or ``"test"``) to method, as given to a report: every key
    one of :data:`DEFAULT_METHODS`' and every method one of its measure's; returned as given
    (the defaults fill in later, so that a default can give way where the data leave it
    undefined while a method the caller named is kept)."""
    if not isinstance(methods, Mapping):
        raise InvalidInputError(
            f"`{name}` must be a mapping of measure to method (got {methods!r})"
        )
    unknown = set(methods) - set(DEFAULT_METHODS)
    if unknown:
        listed = ", ".join(f'"{k}"' for k in DEFAULT_METHODS)
        raise InvalidInputError(
            f"`{name}` keys must be among {listed} (got {sorted(unknown)[0]!r})"
        )
    merged = {**DEFAULT_METHODS, **methods}
    for measure in ("odds_ratio", "risk_ratio", "risk_difference"):
        check_choice(merged[measure], f"{name}[{measure!r}]", effects.available_methods(measure))
    check_choice(merged["test"], f"{name}['test']", tuple(TEST_METHODS))
    # Kept as given (the defaults fill in later), so that a default can give way where the
    # data leave it undefined while a method the caller named is kept.
    return dict(methods)


@attrs.frozen
class OutcomeSummary:
    """Everything the report prints for one outcome."""

    outcome: BinaryOutcome
    odds_ratio: Estimate
    risk_ratio: Estimate
    risk_difference: Estimate
    test: TestResult
    fisher: TestResult


def summarise_outcome(
    outcome: BinaryOutcome,
    *,
    confidence_level: float = 0.95,
    methods: Mapping[str, str] = MappingProxyType({}),
) -> OutcomeSummary:
    """Compute the crude effects and tests of one outcome.

    Examples
    --------
    >>> import rctkit as rk
    >>> s = summarise_outcome(rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216)))
    >>> round(s.odds_ratio.estimate, 2), round(s.fisher.pvalue, 3)
    (0.67, 0.054)
    """
    outcome = check_instance(outcome, "outcome", BinaryOutcome)
    m = {**DEFAULT_METHODS, **methods}
    # A default that the data leave undefined gives way to one that is defined: with a zero
    # cell Wald's (Woolf's, Katz's) interval is [0, inf] and its p-value 1, so the score
    # interval (Miettinen-Nurminen; Koopman for the risk ratio) is used instead, and the
    # report says so. A method the caller named is kept as asked.
    a, n1, c, n2 = outcome.as_tuple()
    for measure, instead in ZERO_CELL_METHODS.items():
        if (
            measure not in methods
            and m[measure] == "wald"
            and wald_undefined(measure, a, n1, c, n2)
        ):
            m[measure] = instead
    level = confidence_level
    where = f"outcome {outcome.name!r}, " if outcome.name else ""
    said: dict[str, None] = {}  # each warning once, in order, naming outcome and method

    def labelled(label: str, compute: Callable[[], _T]) -> _T:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RctkitWarning)
            result = compute()
        for w in caught:
            if issubclass(w.category, RctkitWarning):
                said[f"{where}{label}: {w.message}"] = None
            else:  # not rctkit's: passed on as it came
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return result

    summary = OutcomeSummary(
        outcome=outcome,
        odds_ratio=labelled(
            f"odds ratio ({m['odds_ratio']})",
            lambda: effects.odds_ratio(outcome, method=m["odds_ratio"], confidence_level=level),
        ),
        risk_ratio=labelled(
            f"risk ratio ({m['risk_ratio']})",
            lambda: effects.risk_ratio(outcome, method=m["risk_ratio"], confidence_level=level),
        ),
        risk_difference=labelled(
            f"risk difference ({m['risk_difference']})",
            lambda: effects.risk_difference(
                outcome, method=m["risk_difference"], confidence_level=level
            ),
        ),
        test=labelled(
            f"test ({m['test']})",
            lambda: hypothesis_tests.hypothesis_test(outcome, method=m["test"]),
        ),
        fisher=labelled(
            "test (fisher)", lambda: hypothesis_tests.hypothesis_test(outcome, method="fisher")
        ),
    )
    for message in said:
        _warnings.warn(message)
    return summary


def crude_beside(s: OutcomeSummary, published: Any) -> tuple[str, Estimate, float] | None:
    """The crude estimate of the published measure: its name, the estimate and the scale to
    print it on (a published risk difference above 1 in size is in percentage points)."""
    name = measure_name(published.measure)
    if name is None:
        return None
    est: Estimate = getattr(s, name)
    scale = 100.0 if name == "risk_difference" and abs(published.estimate) > 1.0 else 1.0
    return name, est, scale


def methods_switched(s: OutcomeSummary, methods: Mapping[str, str]) -> list[str]:
    """The measures of ``s`` computed with another method than ``methods`` names."""
    return [
        f"{measure.replace('_', ' ')}: {getattr(s, measure).method}"
        for measure in ("odds_ratio", "risk_ratio")
        if getattr(s, measure).method != methods[measure]
    ]

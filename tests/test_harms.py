"""Harms rows and the exact conditional rate ratio: arguments, large counts, big trials.

References used below:

* ``tests/reference/rate_ratio.csv``, written by ``tests/reference/rate_ratio.py``: mpmath at
  50 digits, sharing no code with rctkit or scipy (binomial tails as beta integrals by
  tanh-sinh quadrature, limits by bracketed root finding, the far tail of R's two-sided rule
  by bisection on log probabilities). The script checks itself against R's ``poisson.test``
  (the values in ``tests/test_report.py``) and against term-by-term sums.
* Closed forms, evaluated here in mpmath: with no events in one arm the Clopper-Pearson
  limit solves ``p^k = q`` (or ``(1 - p)^k = q``), so ``RR = scale / expm1(-log(q) / k)``
  (or ``scale * expm1(-log(q) / k)``).
* The scalar functions themselves (``rk.risk_difference``, ``rk.risk_ratio``,
  ``rk.hypothesis_test``, :func:`rate_ratio`): the harms rows must equal them exactly.
"""

from __future__ import annotations

import csv
import math
import warnings
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from rctkit.harms import HarmsRow, harms_rows, rate_ratio
from tests.strategies import rate_ratio_inputs

REFERENCE = Path(__file__).parent / "reference" / "rate_ratio.csv"
MAX = rk.MAX_COUNT


def _rel(value: float, ref: Any) -> float:
    ref = mpmath.mpf(ref)
    return float(abs(mpmath.mpf(value) - ref) / abs(ref)) if ref else abs(value)


def _reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open() as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------------------------------------
# The rate ratio against references


@pytest.mark.parametrize(
    "row", _reference_rows(), ids=lambda r: f"{r['e1']}-{r['e2']}-{r['alternative']}"
)
def test_rate_ratio_matches_mpmath_reference(row: dict[str, str]) -> None:
    """Limits and p-value within 1e-9 of mpmath, counts from 3 to 2e12 (reference CSV)."""
    e1, e2 = int(row["e1"]), int(row["e2"])
    t1, t2, level = float(row["t1"]), float(row["t2"]), float(row["level"])
    est = rate_ratio((e1, e2), (t1, t2), confidence_level=level, alternative=row["alternative"])
    if e2:
        exact = Fraction(e1) * Fraction(t2) / (Fraction(e2) * Fraction(t1))
        assert _rel(est.estimate, mpmath.mpf(exact.numerator) / exact.denominator) <= 1e-15
    else:
        assert est.estimate == math.inf
    for value, ref in ((est.ci.low, row["low"]), (est.ci.high, row["high"])):
        if float(ref) in (0.0, math.inf):
            assert value == float(ref)
        else:
            assert _rel(value, ref) <= 1e-9, (value, ref)
    ref_p = mpmath.mpf(row["pvalue"])
    assert est.pvalue is not None
    if ref_p > 1e-300:
        assert _rel(est.pvalue, ref_p) <= 1e-9, (est.pvalue, ref_p)
    else:
        assert est.pvalue <= 1e-300


@pytest.mark.parametrize("k", [1, 7, 10**6, 10**9, MAX])
@pytest.mark.parametrize("level", [0.95, 0.999, 1 - 1e-10])
def test_rate_ratio_with_no_events_in_one_arm_matches_closed_form(k: int, level: float) -> None:
    """Issue 10: all events in one arm at MAX_COUNT lost five digits to ``1 - p``."""
    q = (1 - mpmath.mpf(level)) / 2
    scale = mpmath.mpf(3.5) / mpmath.mpf(2.0)
    edge = mpmath.expm1(-mpmath.log(q) / k)
    only_treatment = rate_ratio((k, 0), (2.0, 3.5), confidence_level=level)
    assert _rel(only_treatment.ci.low, scale / edge) <= 1e-12
    assert only_treatment.ci.high == math.inf and only_treatment.estimate == math.inf
    only_control = rate_ratio((0, k), (2.0, 3.5), confidence_level=level)
    assert _rel(only_control.ci.high, scale * edge) <= 1e-12
    assert only_control.ci.low == 0.0 and only_control.estimate == 0.0


def test_rate_ratio_with_no_events_at_all() -> None:
    est = rate_ratio((0, 0), (10.0, 20.0))
    assert math.isnan(est.estimate)
    assert (est.ci.low, est.ci.high, est.pvalue) == (0.0, math.inf, 1.0)


# ---------------------------------------------------------------------------------------------
# The rate ratio: properties


@settings(max_examples=150, derandomize=True, deadline=None)
@given(rate_ratio_inputs(), st.sampled_from([0.5, 0.9, 0.95, 0.999]))
def test_rate_ratio_properties(case: tuple[int, int, float, float], level: float) -> None:
    """The interval holds the estimate, is wider at a higher level, and swapping the arms
    inverts it and keeps the p-value, at any counts up to MAX_COUNT."""
    e1, e2, t1, t2 = case
    est = rate_ratio((e1, e2), (t1, t2), confidence_level=level)
    wider = rate_ratio((e1, e2), (t1, t2), confidence_level=1 - (1 - level) / 2)
    swapped = rate_ratio((e2, e1), (t2, t1), confidence_level=level)
    low, high, p = est.ci.low, est.ci.high, est.pvalue
    assert p is not None and swapped.pvalue is not None
    assert 0.0 <= p <= 1.0
    assert 0.0 <= low <= high and not math.isnan(low) and not math.isnan(high)
    assert wider.ci.low <= low and high <= wider.ci.high
    if e1 + e2 == 0:
        return
    assert low <= est.estimate * (1 + 1e-12) and est.estimate <= high * (1 + 1e-12)
    assert _rel(swapped.ci.low, 1 / high if high else math.inf) <= 1e-12 or (
        high == math.inf and swapped.ci.low == 0.0
    )
    assert _rel(swapped.ci.high, 1 / low if low else math.inf) <= 1e-12 or (
        low == 0.0 and swapped.ci.high == math.inf
    )
    assert abs(swapped.pvalue - p) <= 1e-9 * max(p, 1e-300)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(rate_ratio_inputs(), st.sampled_from([0.8, 0.95]))
def test_one_sided_rate_ratio(case: tuple[int, int, float, float], level: float) -> None:
    """A one-sided interval keeps the two-sided interval's limit at twice the error rate, and
    "less" for the arms in one order is "greater" for the other order."""
    e1, e2, t1, t2 = case
    less = rate_ratio((e1, e2), (t1, t2), confidence_level=level, alternative="less")
    greater = rate_ratio((e1, e2), (t1, t2), confidence_level=level, alternative="greater")
    two = rate_ratio((e1, e2), (t1, t2), confidence_level=2 * level - 1)
    assert less.ci.low == 0.0 and greater.ci.high == math.inf
    assert less.ci.high == two.ci.high and greater.ci.low == two.ci.low
    assert less.pvalue is not None and greater.pvalue is not None
    if e1 + e2 == 0:
        assert less.pvalue == greater.pvalue == 1.0
        return
    # P(X <= e1) + P(X >= e1) = 1 + P(X = e1) >= 1.
    assert less.pvalue + greater.pvalue >= 1.0 - 1e-12
    mirrored = rate_ratio((e2, e1), (t2, t1), confidence_level=level, alternative="greater")
    assert mirrored.pvalue is not None
    assert abs(mirrored.pvalue - less.pvalue) <= 1e-9 * max(less.pvalue, 1e-300)


# ---------------------------------------------------------------------------------------------
# The rate ratio: arguments


@pytest.mark.parametrize(
    ("events", "exposure", "level", "match"),
    [
        ((3,), (1.0, 1.0), 0.95, r"`events` must be a pair \(treatment, control\) \(got \(3,\)\)"),
        ("34", (1.0, 1.0), 0.95, r"`events` must be a pair"),
        ((3, 4), 5.0, 0.95, r"`exposure` must be a pair .*\(got 5.0\)"),
        ((3.0, 4), (1.0, 1.0), 0.95, r"`events\[0\]` must be an integer count"),
        ((3, -1), (1.0, 1.0), 0.95, r"`events\[1\]` must be non-negative"),
        ((3, MAX + 1), (1.0, 1.0), 0.95, r"`events\[1\]` must be at most 1e\+12"),
        ((3, 4), (True, 1.0), 0.95, r"`exposure` must be positive, finite .*got True"),
        ((3, 4), ("1", 1.0), 0.95, r"`exposure` must be positive, finite .*got '1'"),
        ((3, 4), (None, 1.0), 0.95, r"`exposure` must be positive, finite .*got None"),
        ((3, 4), (0.0, 1.0), 0.95, r"`exposure` must be positive and finite .*exposure\[0\]=0"),
        ((3, 4), (1.0, -2.0), 0.95, r"`exposure` must be positive .*exposure\[1\]=-2.0"),
        ((3, 4), (1.0, math.inf), 0.95, r"`exposure` must be positive and finite"),
        ((3, 4), (math.nan, 1.0), 0.95, r"`exposure` must be positive and finite"),
        ((3, 4), (1e-310, 1.0), 0.95, r"`exposure` of the two arms must differ by .* 1e\+100"),
        ((3, 4), (1e300, 1e-300), 0.95, r"`exposure` of the two arms must differ"),
        ((3, 4), (1.0, 1.0), 0.0, r"`confidence_level` must be strictly between 0 and 1"),
        ((3, 4), (1.0, 1.0), 1.0, r"`confidence_level` must be strictly between 0 and 1"),
        ((3, 4), (1.0, 1.0), math.nan, r"`confidence_level` must be strictly between"),
        ((3, 4), (1.0, 1.0), True, r"`confidence_level` must be a number"),
        ((3, 4), (1.0, 1.0), 1e-9, r"`confidence_level` must lie between 1e-06"),
    ],
)
def test_rate_ratio_refuses_bad_arguments(
    events: Any, exposure: Any, level: Any, match: str
) -> None:
    """Issue 10: a bad argument raises InvalidInputError naming it (before: IndexError,
    TypeError, a silent True -> 1.0, or an infinite interval from an overflowed rate)."""
    with pytest.raises(rk.InvalidInputError, match=match):
        rate_ratio(events, exposure, confidence_level=level)


@pytest.mark.parametrize("alternative", ["two_sided", "lower", None, 1])
def test_rate_ratio_refuses_unknown_alternatives(alternative: Any) -> None:
    with pytest.raises(
        rk.InvalidInputError, match=r'`alternative` must be one of "two-sided", "less", "greater"'
    ):
        rate_ratio((3, 4), (1.0, 1.0), alternative=alternative)


def test_rate_ratio_accepts_integer_and_numpy_exposures() -> None:
    plain = rate_ratio((29, 42), (100.0, 100.0))
    assert rate_ratio((29, 42), (100, np.float32(100.0))) == plain
    assert rate_ratio((np.int64(29), 42), [np.float64(100.0), 100]) == plain


# ---------------------------------------------------------------------------------------------
# Harms rows


def _random_trial(terms: int, seed: int, total: int = 400) -> rk.Trial:
    """A trial with ``terms`` adverse-event terms: some missing in an arm, some without
    participants, events or exposure, counts from 0 to the whole arm."""
    rng = np.random.default_rng(seed)
    arms = (rk.Arm("Drug", allocated=total, analysed=total - 10), rk.Arm("Placebo", total))
    records = []
    for i in range(terms):
        for arm, n in (("Drug", total - 10), ("Placebo", total)):
            if rng.random() < 0.03:
                continue
            many = rng.random() < 0.3
            people = int(rng.integers(0, n + 1)) if many else int(rng.integers(0, 8))
            with_people, with_events = rng.random() < 0.95, rng.random() < 0.8
            if not (with_people or with_events):
                continue
            records.append(
                rk.AdverseEvent(
                    f"Term {i}",
                    arm,
                    participants=people if with_people else None,
                    events=people + int(rng.integers(0, 5)) if with_events else None,
                    category=f"SOC {i % 7}",
                    exposure=float(rng.uniform(1.0, 500.0)) if rng.random() < 0.7 else None,
                    serious=bool(rng.random() < 0.1),
                )
            )
    return rk.Trial("Random", arms=arms, adverse_events=records)


def _same(got: Any, expected: Any) -> bool:
    """Equal estimates, nan equal to nan (bit for bit otherwise)."""
    if got is None or expected is None:
        return got is expected
    fields = ("estimate", "confidence_level", "pvalue")
    values = [getattr(got, f) for f in fields] + [got.ci.low, got.ci.high]
    refs = [getattr(expected, f) for f in fields] + [expected.ci.low, expected.ci.high]
    same_numbers = all(
        (v is None and r is None) or v == r or (math.isnan(v) and math.isnan(r))
        for v, r in zip(values, refs, strict=True)
    )
    return bool(same_numbers and (got.measure, got.method) == (expected.measure, expected.method))


def _check_row_against_scalar_api(row: HarmsRow, level: float) -> None:
    (p1, p2), (n1, n2) = row.participants, row.totals
    if p1 is not None and p2 is not None:
        assert n1 is not None and n2 is not None
        outcome = rk.BinaryOutcome.from_counts(treatment=(p1, n1), control=(p2, n2))
        rd = rk.risk_difference(outcome, method="newcombe", confidence_level=level)
        assert _same(row.risk_difference, rd)
        # The library's default risk ratio (Katz's log), and Koopman's score interval where
        # an arm has no participant with the event (Katz's is then [0, inf]).
        rr_method = "koopman" if 0 in (p1, p2) else "wald"
        rr = rk.risk_ratio(outcome, method=rr_method, confidence_level=level)
        assert _same(row.risk_ratio, rr)
        assert row.pvalue == rk.hypothesis_test(outcome, method="fisher").pvalue
    else:
        assert row.risk_difference is None and row.risk_ratio is None and row.pvalue is None
    (e1, e2), (t1, t2) = row.events, row.exposure
    if None in (e1, e2, t1, t2):
        assert row.rate_ratio is None
    else:
        expected = rate_ratio((e1, e2), (t1, t2), confidence_level=level)  # type: ignore[arg-type]
        assert _same(row.rate_ratio, expected)


@pytest.mark.parametrize("level", [0.95, 0.8])
def test_harms_rows_equal_the_scalar_functions(level: float) -> None:
    """The rows are computed over arrays; every number equals the scalar API's exactly."""
    trial = _random_trial(300, seed=11)
    rows = harms_rows(trial, confidence_level=level)
    assert 290 <= len(rows) <= 300  # a term with no record in either arm has no row
    keys = [(r.category.lower(), r.term.lower()) for r in rows]
    assert keys == sorted(keys)
    for row in rows:
        _check_row_against_scalar_api(row, level)
    assert {r.risk_ratio.method for r in rows if r.risk_ratio is not None} == {"wald", "koopman"}


def test_a_named_risk_ratio_method_is_used_for_every_row() -> None:
    trial = _random_trial(100, seed=3)
    rows = harms_rows(trial, rr_method="koopman", rd_method="wald")
    ratios = [r.risk_ratio for r in rows if r.risk_ratio is not None]
    differences = [r.risk_difference for r in rows if r.risk_difference is not None]
    assert ratios and {e.method for e in ratios} == {"koopman"}
    assert {e.method for e in differences} == {"wald"}
    with pytest.raises(rk.InvalidInputError, match="rr_method"):
        harms_rows(trial, rr_method="newcombe")


def test_harms_rows_of_20000_records_complete() -> None:
    """Issue 10: 20,000 adverse-event records took 81 s (a scan of every record per term, and
    one scalar computation per row); the grouping is now linear and the rows are computed
    as arrays."""
    trial = _random_trial(10_000, seed=5, total=5000)
    rows = harms_rows(trial)
    assert len(trial.adverse_events) > 18_000
    assert len(rows) > 9_900
    for row in rows[::997]:
        _check_row_against_scalar_api(row, 0.95)


def test_harms_rows_at_max_count() -> None:
    """Arms of MAX_COUNT participants: no exception, p-values in [0, 1], limits ordered."""
    arms = (rk.Arm("Drug", allocated=MAX), rk.Arm("Placebo", allocated=MAX))
    pairs = [(0, 0), (MAX, MAX), (0, MAX), (1, MAX - 1), (MAX // 2, MAX // 2 + 999), (5, 7)]
    records = []
    for i, (x1, x2) in enumerate(pairs):
        for arm, x, t in (("Drug", x1, 1e9), ("Placebo", x2, 2.5e9)):
            records.append(rk.AdverseEvent(f"T{i}", arm, participants=x, events=x, exposure=t))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        rows = harms_rows(rk.Trial("Huge", arms=arms, adverse_events=records))
    for row in rows:
        assert row.pvalue is not None and 0.0 <= row.pvalue <= 1.0
        for est in (row.risk_difference, row.risk_ratio, row.rate_ratio):
            assert est is not None
            assert est.ci.low <= est.ci.high
            assert est.pvalue is None or 0.0 <= est.pvalue <= 1.0


def _trial_with(*records: rk.AdverseEvent, analysed: int | None = 98) -> rk.Trial:
    arms = (rk.Arm("Drug", allocated=100, analysed=analysed), rk.Arm("Placebo", allocated=100))
    return rk.Trial("T", arms=arms, adverse_events=list(records))


def _ae(arm: str, **kwargs: Any) -> rk.AdverseEvent:
    fields: dict[str, Any] = {"participants": 3, "events": 4, "exposure": 50.0}
    fields.update(kwargs)
    return rk.AdverseEvent("Rash", arm, **fields)


def test_harms_rows_refuses_an_empty_arm() -> None:
    """An arm with no one analysed cannot be compared (never nan rows with numpy warnings)."""
    trial = _trial_with(_ae("Drug", participants=0, events=0), _ae("Placebo"), analysed=0)
    with pytest.raises(
        rk.InvalidInputError,
        match=r"adverse event 'Rash': the risks need participants in both arms "
        r"\(got analysed=0 in arm 'Drug'\)",
    ):
        harms_rows(trial)


def test_harms_rows_refuses_bad_arguments() -> None:
    trial = _trial_with(_ae("Drug"), _ae("Placebo"))
    with pytest.raises(rk.InvalidInputError, match=r"`trial` must be a Trial \(got dict\)"):
        harms_rows({})  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`confidence_level` must be strictly"):
        harms_rows(trial, confidence_level=0.0)
    # Checked even when the trial has no adverse events (before: accepted unseen).
    with pytest.raises(rk.InvalidInputError, match=r'`rd_method` must be one of "wald"'):
        harms_rows(_trial_with(), rd_method="magic")


@pytest.mark.parametrize("exposure", [True, -1.0, 0.0, math.inf, math.nan, "5"])
def test_adverse_event_exposure_is_checked_by_the_model(exposure: object) -> None:
    """A bad exposure is refused when the record is made, before any harms table."""
    with pytest.raises(
        rk.InvalidInputError, match=r"adverse event 'Rash': `exposure` must be a positive finite"
    ):
        _ae("Drug", exposure=exposure)


@pytest.mark.parametrize(
    ("records", "match"),
    [
        (
            (_ae("Drug", participants=99, events=99), _ae("Placebo")),
            r"adverse event 'Rash': `participants` in arm 'Drug' must not exceed the arm's "
            r"analysed count \(got participants=99, analysed=98\)",
        ),
        (
            # A single record is checked too (before: shown as 101%).
            (_ae("Placebo", participants=101, events=None),),
            r"`participants` in arm 'Placebo' must not exceed the arm's allocated count",
        ),
        (
            (_ae("Drug", exposure=1e-200), _ae("Placebo")),
            r"adverse event 'Rash': `exposure` of the two arms must differ",
        ),
    ],
)
def test_harms_rows_refuses_inconsistent_records(
    records: tuple[rk.AdverseEvent, ...], match: str
) -> None:
    with pytest.raises(rk.InvalidInputError, match=match):
        harms_rows(_trial_with(*records))

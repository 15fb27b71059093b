"""The fragility index and its reverse (rctkit.fragility).

References, each named beside its numbers:

* a brute force written apart from rctkit, tests/reference/fragility_bruteforce.py: pure
  Python loops over every reachable table, one scipy.stats.fisher_exact or
  chi2_contingency(correction=False) call per table; its output
  (tests/reference/fragility_bruteforce.txt, 2,256 indices: 70 random tables x {fisher,
  chi2} x alpha {0.05, 0.01, 0.1} x arm {both, walsh, treatment, control}, the incidence
  variant at q {0, 0.1, 0.3, 0.5}, and the CORE trial) must be matched exactly;
* R: the ``fragility`` package 1.6.1 (Lin 2021), ``frag.study.iter`` over the
  modify0/modify1 grids, Fisher and chisq.test (Yates, rctkit "chi2-yates"), and the
  ``fragilityindex`` package 0.1.0 (Walsh's rule, Fisher), tests/reference/fragility_r.R
  with its output tests/reference/fragility_r.txt (15 tables, alpha 0.05 and 0.01);
* a published p-value: Yang & Berdine (2019, Southwest Respir Crit Care Chron 7:57-60),
  3/50 vs 12/50 deaths, Fisher p = 0.023.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk
from rctkit.errors import InvalidInputError, RctkitWarning
from tests.strategies import outcomes

REFERENCE = Path(__file__).parent / "reference"
CORE = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216), name="Readmission")


def _outcome(table: Any) -> rk.BinaryOutcome:
    a, n1, c, n2 = (int(v) for v in table)
    return rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2))


def _quiet(outcome: rk.BinaryOutcome, **kwargs: Any) -> rk.FragilityResult:
    """The index, without rctkit's warning about a zero margin in the original table."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RctkitWarning)
        return rk.fragility_index(outcome, **kwargs)


def _bruteforce() -> list[dict[str, Any]]:
    with open(REFERENCE / "fragility_bruteforce.txt") as f:
        return [json.loads(line) for line in f]


def test_equals_brute_force_on_every_table_and_choice() -> None:
    # tests/reference/fragility_bruteforce.py (scipy per table, pure Python loops)
    rows = _bruteforce()
    assert len(rows) == 2256
    wrong = []
    for row in rows:
        kwargs: dict[str, Any] = {
            "method": row["method"],
            "alpha": row["alpha"],
            "arm": row["arm"],
        }
        if row["q"] is not None:
            kwargs.update(variant="incidence", likelihood=row["q"])
        res = _quiet(_outcome(row["table"]), **kwargs)
        if res.index != row["index"]:
            wrong.append((row, res.index))
    assert wrong == []


def _r_rows() -> list[dict[str, str]]:
    with open(REFERENCE / "fragility_r.txt") as f:
        return list(csv.DictReader(f))


def test_equals_r_fragility_packages() -> None:
    # R fragility 1.6.1 frag.study.iter and fragilityindex 0.1.0 fragility.index
    # (tests/reference/fragility_r.R, output fragility_r.txt)
    rows = _r_rows()
    assert len(rows) == 253
    assert {r["package"] for r in rows} == {"fragility", "fragilityindex"}
    for row in rows:
        table = (row[k] for k in ("treatment_events", "treatment_total"))
        outcome = _outcome(
            (*table, row["control_events"], row["control_total"]),
        )
        res = _quiet(outcome, method=row["method"], alpha=float(row["alpha"]), arm=row["arm"])
        want = None if row["index"] == "NA" else int(row["index"])
        assert res.index == want, row
        if row["pvalue"] != "NA":
            assert res.pvalue == pytest.approx(float(row["pvalue"]), rel=1e-9), row


def test_core_trial() -> None:
    # CORE, 64/218 vs 83/216. Fisher p = 0.05391 (R fisher.test, fragility_r.txt): not
    # significant, reverse fragility index 1 under every rule (R fragility; brute force).
    res = rk.fragility_index(CORE)
    assert res.direction == "to-significant"
    assert res.pvalue == pytest.approx(0.05391374516, rel=1e-9)  # R fisher.test
    assert res.index == 1
    assert res.quotient == pytest.approx(1 / 434)
    assert res.modified_pvalue < 0.05
    # Pearson chi-squared (no correction) p = 0.046: significant, fragility index 1; at
    # alpha 0.01 the reverse index is 6 (brute force, scipy chi2_contingency).
    chi2 = rk.fragility_index(CORE, method="chi2")
    assert (chi2.direction, chi2.index) == ("to-nonsignificant", 1)
    assert chi2.modified_pvalue >= 0.05
    assert rk.fragility_index(CORE, method="chi2", alpha=0.01).index == 6
    # Fisher at alpha 0.01: 7 (R fragility; brute force).
    assert rk.fragility_index(CORE, alpha=0.01).index == 7


def test_published_example() -> None:
    # Yang & Berdine 2019: 3/50 vs 12/50 deaths, Fisher p = 0.023 (published, two decimals).
    outcome = rk.BinaryOutcome.from_counts(treatment=(3, 50), control=(12, 50))
    res = rk.fragility_index(outcome, arm="walsh")
    assert round(res.pvalue, 3) == 0.023
    # Walsh's rule adds events to the arm with fewer events (treatment): 1 change
    # (R fragilityindex 0.1.0 and fragility 1.6.1, fragility_r.txt).
    assert (res.index, res.changed_arms, res.treatment_change) == (1, ("treatment",), 1)
    assert res.modified_table == (4, 50, 12, 50)
    # Changing only the control arm needs 2 (R fragility, modify0 = "both").
    assert rk.fragility_index(outcome, arm="control").index == 2


def test_result_fields_and_sentence() -> None:
    outcome = rk.BinaryOutcome.from_counts(treatment=(3, 50), control=(12, 50))
    res = rk.fragility_index(outcome, arm="control")
    assert res.control_change == -2 and res.treatment_change == 0
    assert res.modified_table == (3, 50, 10, 50)
    assert res.significant and res.name == "fragility index"
    assert res.conclusion == (
        "The result is significant at 0.05 (Fisher's exact test, p = 0.023); changing 2 "
        "control participants from event to non-event (3/50 vs 10/50) makes it "
        "non-significant (p = 0.071): fragility index 2, fragility quotient 0.02."
    )
    assert repr(res).startswith("FragilityResult(index=2, quotient=0.02, direction=")
    assert "Fragility index" in res._repr_html_()


def test_p_never_rounds_across_alpha_in_the_sentence() -> None:
    # 64/218 vs 84/216: Fisher p = 0.0427; the sentence keeps p below 0.05.
    res = rk.fragility_index(CORE)
    assert "p = 0.054)" in res.conclusion
    assert "(p = 0.04" in res.conclusion


def test_no_change_can_reverse() -> None:
    # 0/3 vs 0/3: Fisher p = 1, and no table with three per arm is significant at 0.05
    # (the most extreme, 0/3 vs 3/3, has p = 0.1).
    outcome = rk.BinaryOutcome.from_counts(treatment=(0, 3), control=(0, 3))
    res = rk.fragility_index(outcome)
    assert res.index is None and res.quotient is None and res.modified_table is None
    assert math.isnan(res.modified_pvalue)
    assert res.changed_arms == ()
    assert res.reason is not None and "significant" in res.reason
    assert "reverse fragility index is undefined" in res.conclusion
    # Walsh's rule with the arm with fewer events at the higher risk: 40/60 vs 100/210 is
    # significant and adding events to the treatment arm only strengthens it (R fragility: NA).
    walsh = rk.fragility_index(_outcome((40, 60, 100, 210)), arm="walsh")
    assert walsh.index is None and walsh.direction == "to-nonsignificant"


def test_incidence_variant() -> None:
    # With q = 0 every change is sufficiently likely: the unconstrained index.
    plain = rk.fragility_index(CORE, alpha=0.01)
    zero = rk.fragility_index(CORE, alpha=0.01, variant="incidence", likelihood=0.0)
    assert zero.index == plain.index == 7
    # q = 0.35 > 64/218 and 83/216: no non-event may become an event; only events may be
    # removed, so the reverse index comes from removing treatment events.
    res = rk.fragility_index(CORE, alpha=0.01, variant="incidence", likelihood=0.35)
    assert res.treatment_change <= 0 and res.control_change <= 0
    assert res.index is not None and res.index >= 7
    assert res.likelihood == 0.35 and res.variant == "incidence"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "nope"}, "`method` must be one of"),
        ({"alpha": 0.0}, r"`alpha` must lie strictly between 0 and 1 \(got alpha=0.0\)"),
        ({"alpha": 1.5}, "`alpha` must lie strictly"),
        ({"alpha": "0.05"}, "`alpha` must be a finite number"),
        ({"arm": "left"}, "`arm` must be one of"),
        ({"variant": "x"}, "`variant` must be one of"),
        ({"likelihood": 0.1}, '`likelihood` applies only to variant="incidence"'),
        ({"variant": "incidence"}, "`likelihood` .* is required"),
        ({"variant": "incidence", "likelihood": 1.5}, "`likelihood` must lie between 0 and 1"),
    ],
)
def test_invalid_input(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        rk.fragility_index(CORE, **kwargs)


def test_outcome_must_be_binary_outcome() -> None:
    with pytest.raises(InvalidInputError, match="`outcome` must be a BinaryOutcome"):
        rk.fragility_index((64, 218, 83, 216))  # type: ignore[arg-type]


small = outcomes(max_total=25)
methods = st.sampled_from(["fisher", "chi2", "chi2-yates", "fisher-midp"])
alphas = st.sampled_from([0.01, 0.05, 0.1])


@given(small, methods, alphas)
def test_swapping_arms_keeps_the_index(
    outcome: rk.BinaryOutcome, method: str, alpha: float
) -> None:
    swapped = rk.BinaryOutcome(name="s", treatment=outcome.control, control=outcome.treatment)
    a = _quiet(outcome, method=method, alpha=alpha)
    b = _quiet(swapped, method=method, alpha=alpha)
    assert a.index == b.index
    t = _quiet(outcome, method=method, alpha=alpha, arm="treatment")
    c = _quiet(swapped, method=method, alpha=alpha, arm="control")
    assert t.index == c.index


@given(small, methods, alphas)
def test_both_is_the_minimum_and_the_modified_table_reverses(
    outcome: rk.BinaryOutcome, method: str, alpha: float
) -> None:
    both = _quiet(outcome, method=method, alpha=alpha)
    for arm in ("walsh", "treatment", "control"):
        other = _quiet(outcome, method=method, alpha=alpha, arm=arm)
        assert other.direction == both.direction
        if other.index is not None:
            assert both.index is not None and both.index <= other.index
    if both.modified_table is None:
        return
    a, n1, c, n2 = both.modified_table
    assert abs(a - outcome.treatment.events) + abs(c - outcome.control.events) == both.index
    assert both.quotient == both.index / (n1 + n2)
    # batch equals scalar: the reported p is the scalar test of the modified table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RctkitWarning)
        p = rk.hypothesis_test(_outcome(both.modified_table), method=method).pvalue
    assert p == both.modified_pvalue
    assert (p < alpha) != both.significant


@given(small, st.sampled_from(["fisher", "chi2"]), st.floats(0.0, 0.5), st.floats(0.0, 0.5))
def test_incidence_index_grows_with_the_threshold(
    outcome: rk.BinaryOutcome, method: str, q1: float, q2: float
) -> None:
    # A larger q permits fewer changes (nested sets), so the index cannot fall.
    low, high = sorted((q1, q2))
    a = _quiet(outcome, method=method, variant="incidence", likelihood=low)
    b = _quiet(outcome, method=method, variant="incidence", likelihood=high)
    inf = math.inf
    assert (inf if a.index is None else a.index) <= (inf if b.index is None else b.index)

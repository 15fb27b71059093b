"""The exact unconditional non-inferiority test (Chan 1998; method="exact"): the supremum over
the nuisance risk of the tail of tables ordered by the Farrington-Manning score, with the
Chan-Zhang interval that inverts it (issue 12)."""

from __future__ import annotations

import pytest

import rctkit as rk

#: R's exact2x2 1.7.0, uncondExact2x2(method="score"), control arm first (its parameter is
#: group 2 against group 1): tests/reference/margins_exact.R, output in margins_exact_r.txt.
#: exact2x2 maximises over a grid of the nuisance risk; rctkit refines each local maximum by
#: root finding, so its supremum is never below R's and exceeds it by at most the grid's
#: shortfall (here under 2e-6): the test asserts R <= rctkit <= R + 1e-5.
R_EXACT2X2 = [
    ((18, 20), (17, 21), "risk_difference", -0.2, True, 0.0127647142792),
    ((245, 356), (270, 370), "risk_difference", -0.125, True, 0.00682091161696),
    ((9, 11), (4, 12), "risk_ratio", 0.8, True, 0.00218348111645),
    ((18, 20), (17, 21), "risk_difference", 0.2, False, 0.206084718948),
]


@pytest.mark.parametrize(("t", "c", "measure", "margin", "better", "expected"), R_EXACT2X2)
def test_exact_noninferiority_matches_exact2x2(
    t: tuple[int, int],
    c: tuple[int, int],
    measure: str,
    margin: float,
    better: bool,
    expected: float,
) -> None:
    outcome = rk.BinaryOutcome.from_counts(treatment=t, control=c)
    result = rk.noninferiority(
        outcome, measure=measure, margin=margin, method="exact", higher_is_better=better
    )
    assert expected <= result.pvalue <= expected + 1e-5
    # the interval is Chan and Zhang's, whose tails are each at alpha = (1 - level) / 2
    same = getattr(rk, measure)(outcome, method="chan-zhang")
    assert result.ci == same.ci


@pytest.mark.parametrize(("a", "c"), [(a, c) for a in range(0, 9, 2) for c in range(0, 9, 3)])
def test_an_excluded_margin_is_rejected(a: int, c: int) -> None:
    """Chan and Zhang's interval is the hull of the null values the exact score test does not
    reject (its p-value is not monotone, so the set can have holes): a margin the interval
    excludes is rejected. (The converse can fail inside a hole, which is documented.)"""
    outcome = rk.BinaryOutcome.from_counts(treatment=(a, 8), control=(c, 9))
    for margin in (-0.3, -0.15):
        r = rk.noninferiority(
            outcome,
            measure="risk_difference",
            margin=margin,
            method="exact",
            higher_is_better=True,
        )
        if r.ci.low > margin:
            assert r.rejected, (a, c, margin, r)


def test_exact_equivalence_and_report() -> None:
    outcome = rk.BinaryOutcome.from_counts(treatment=(245, 356), control=(270, 370))
    result = rk.equivalence(
        outcome, measure="risk_difference", margins=(-0.15, 0.15), method="exact"
    )
    assert result.rejected and result.pvalue < 0.025
    with pytest.raises(rk.InvalidInputError, match="`method` must be one of"):
        rk.noninferiority(
            outcome, measure="odds_ratio", margin=0.8, method="exact", higher_is_better=True
        )

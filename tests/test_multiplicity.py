"""Multiplicity: adjust_pvalues against R's p.adjust, the hierarchies against closed testing.

Reference values:

- ``R_PADJUST``: R 4.2.2 ``stats::p.adjust`` (tests/reference/padjust.R, its printed output in
  tests/reference/padjust_r.txt, pasted below unchanged).
- ``HIERARCHY``: an exact brute-force closed test over every intersection hypothesis, in
  rational arithmetic (tests/reference/hierarchy_closed_testing.py, output in
  tests/reference/hierarchy_closed_testing.txt, pasted below unchanged).

statsmodels ``multipletests`` is not in the test environment, so it is not a reference here.
"""

from __future__ import annotations

import ast
import importlib.util
import math
from fractions import Fraction
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk
from rctkit.errors import InvalidInputError
from rctkit.io import parse_trial
from rctkit.multiplicity import METHODS
from tests.strategies import pvalue_families, weighted_families

nan = float("nan")

REFERENCE = Path(__file__).resolve().parent / "reference"


def _literal(filename: str, name: str) -> Any:
    """The Python literal ``name = ...`` printed by a reference script, read back unchanged."""
    text = (REFERENCE / filename).read_text(encoding="utf-8")
    body = text[text.index(f"{name} = ") + len(name) + 3 :]
    return ast.literal_eval(body.replace("nan", "None"))


def _floats(values: list[float | None]) -> list[float]:
    return [nan if v is None else float(v) for v in values]


#: R 4.2.2 ``p.adjust`` (tests/reference/padjust.R; its output tests/reference/padjust_r.txt):
#: per case, "p" and the adjusted p-values of each method.
R_PADJUST: dict[str, dict[str, list[float]]] = {
    case: {key: _floats(values) for key, values in methods.items()}
    for case, methods in _literal("padjust_r.txt", "R_PADJUST").items()
}
#: Brute-force closed testing in rational arithmetic (tests/reference/hierarchy_closed_testing.py;
#: its output tests/reference/hierarchy_closed_testing.txt): (p, weights, adjusted p).
HIERARCHY: dict[str, tuple[list[float], list[float], list[float]]] = _literal(
    "hierarchy_closed_testing.txt", "HIERARCHY"
)


def test_a_few_reference_values_by_hand() -> None:
    # R 4.2.2: p.adjust(c(0.0465, 0.012, 0.30, 0.0496, 0.81), "hommel")
    #   = 0.1395 0.0600 0.6000 0.1488 0.8100 (padjust_r.txt, case core_like).
    assert R_PADJUST["core_like"]["hommel"] == pytest.approx([0.1395, 0.06, 0.6, 0.1488, 0.81])
    # Closed testing: fallback p = (0.01, 0.03, 0.02), w = (1/2, 1/4, 1/4) -> 1/50, 1/25, 1/25.
    assert HIERARCHY["fallback_three"][2] == pytest.approx([0.02, 0.04, 0.04])


R_METHODS = ("bonferroni", "holm", "hochberg", "hommel", "bh", "by")


@pytest.mark.parametrize("case", sorted(R_PADJUST))
@pytest.mark.parametrize("method", R_METHODS)
def test_adjust_pvalues_equals_r_p_adjust(case: str, method: str) -> None:
    ref = R_PADJUST[case]
    result = rk.adjust_pvalues(ref["p"], method=method)
    expected = np.array(ref[method])
    np.testing.assert_array_equal(np.isnan(result.adjusted), np.isnan(expected))
    np.testing.assert_allclose(result.adjusted, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.pvalues, np.array(ref["p"]))
    assert result.method == method


def test_fdr_is_another_name_for_bh() -> None:
    p = R_PADJUST["random15"]["p"]
    result = rk.adjust_pvalues(p, method="fdr")
    assert result.method == "bh"
    np.testing.assert_array_equal(result.adjusted, rk.adjust_pvalues(p, method="bh").adjusted)


def test_nan_is_left_out_of_n_and_never_rejected() -> None:
    # R: p.adjust(c(0.01, NA, 0.04, 0.03), "holm") = 0.03, NA, 0.06, 0.06 (n = 3).
    result = rk.adjust_pvalues([0.01, nan, 0.04, 0.03], method="holm")
    assert math.isnan(result.adjusted[1])
    assert result.rejected.tolist() == [True, False, False, False]


def test_empty_and_single() -> None:
    assert len(rk.adjust_pvalues([])) == 0
    one = rk.adjust_pvalues([0.03], method="bonferroni")
    assert one.adjusted.tolist() == [0.03]  # R: p.adjust(0.03, "bonferroni") = 0.03


@pytest.mark.parametrize("case", sorted(HIERARCHY))
def test_fallback_equals_closed_testing(case: str) -> None:
    p, w, expected = HIERARCHY[case]
    result = rk.fallback(p, weights=w)
    np.testing.assert_allclose(result.adjusted, expected, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(result.rejected, np.array(expected) <= 0.05)


def test_fixed_sequence_equals_closed_testing() -> None:
    p, _, expected = HIERARCHY["fixed_sequence"]
    result = rk.fixed_sequence(p)
    np.testing.assert_allclose(result.adjusted, expected, rtol=0, atol=0)
    # 0.01, 0.04, 0.03 are rejected; the procedure stops at 0.2, so 0.001 is not.
    assert result.rejected.tolist() == [True, True, True, False, False]


def _wiens_decisions(p: list[float], w: list[float], alpha: float) -> list[bool]:
    """Wiens (2003) as written: alpha_i = w_i alpha + alpha_{i-1} when H_{i-1} is rejected."""
    out, carried = [], 0.0
    for pi, wi in zip(p, w, strict=True):
        level = wi * alpha + carried
        rejected = level > 0 and pi <= level  # a level of 0 rejects nothing, even p = 0
        out.append(rejected)
        carried = level if rejected else 0.0
    return out


@given(weighted_families(), st.sampled_from([0.01, 0.025, 0.05, 0.1]))
def test_fallback_decisions_are_wiens_procedure(
    family: tuple[list[float], list[float]], alpha: float
) -> None:
    p, w = family
    result = rk.fallback(p, weights=w, alpha=alpha)
    expected = _wiens_decisions(p, w, alpha)
    # Exactly on a boundary, p / w <= alpha and p <= w alpha may round apart.
    boundary = [
        wi > 0 and math.isclose(pi / wi, alpha, rel_tol=1e-9) for pi, wi in zip(p, w, strict=True)
    ]
    if not any(boundary):
        assert result.rejected.tolist() == expected
    assert np.all(result.adjusted >= np.asarray(p) - 1e-15)
    assert np.all(result.adjusted <= 1)


@given(pvalue_families)
def test_fixed_sequence_is_fallback_with_all_weight_first(p: list[float]) -> None:
    w = [1.0] + [0.0] * (len(p) - 1)
    fixed = rk.fixed_sequence(p)
    np.testing.assert_array_equal(fixed.adjusted, rk.fallback(p, weights=w).adjusted)
    np.testing.assert_array_equal(fixed.adjusted, np.maximum.accumulate(p))


@given(pvalue_families)
def test_adjusted_is_at_least_raw_and_monotone(p: list[float]) -> None:
    raw = np.asarray(p)
    order = np.argsort(raw, kind="stable")
    for method in METHODS:
        adj = rk.adjust_pvalues(p, method=method).adjusted
        assert np.all(adj >= raw) and np.all(adj <= 1)
        assert np.all(np.diff(adj[order]) >= 0), method


@given(pvalue_families)
def test_the_ordering_of_the_procedures(p: list[float]) -> None:
    adj = {m: rk.adjust_pvalues(p, method=m).adjusted for m in METHODS}
    tol = 1e-12
    assert np.all(adj["holm"] <= adj["bonferroni"] + tol)
    assert np.all(adj["hochberg"] <= adj["holm"] + tol)
    assert np.all(adj["hommel"] <= adj["hochberg"] + tol)
    assert np.all(adj["by"] >= adj["bh"] - tol)
    assert np.all(adj["bh"] <= adj["hochberg"] + tol)


@given(pvalue_families, st.randoms(use_true_random=False))
def test_permutation_invariance(p: list[float], rnd: object) -> None:
    perm = list(range(len(p)))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    shuffled = [p[i] for i in perm]
    for method in METHODS:
        adj = rk.adjust_pvalues(p, method=method).adjusted
        np.testing.assert_allclose(
            rk.adjust_pvalues(shuffled, method=method).adjusted, adj[perm], rtol=0, atol=1e-15
        )


def test_hommel_brute_force_closed_simes() -> None:
    # Hommel = the closed test of Simes tests; brute force over every intersection.
    p = R_PADJUST["random8"]["p"]
    m = len(p)
    adj = [0.0] * m
    for size in range(1, m + 1):
        for subset in combinations(range(m), size):
            ps = sorted(p[j] for j in subset)
            simes = min(1.0, min(size * ps[k] / (k + 1) for k in range(size)))
            for j in subset:
                adj[j] = max(adj[j], simes)
    np.testing.assert_allclose(
        rk.adjust_pvalues(p, method="hommel").adjusted, adj, rtol=1e-12, atol=1e-15
    )


def test_names_mapping_and_frame() -> None:
    result = rk.adjust_pvalues({"readmission": 0.012, "death": 0.0465}, method="bonferroni")
    assert result.names == ("readmission", "death")
    assert result.to_dict() == {"readmission": 0.024, "death": 0.093}
    named = rk.adjust_pvalues([0.012, 0.0465], names=["a", "b"])
    assert named.names == ("a", "b")
    assert repr(named) == (
        "MultiplicityResult(method='holm', alpha=0.05, adjusted={'a': 0.024, 'b': 0.0465})"
    )
    assert "<table>" in named._repr_html_()
    pytest.importorskip("pandas")
    frame = result.to_frame()
    assert list(frame["hypothesis"]) == ["readmission", "death"]
    assert list(frame["rejected"]) == [True, False]
    assert frame["weight"].isna().all()


def test_html_escapes_names() -> None:
    html = rk.adjust_pvalues({"<b>x</b>": 0.01})._repr_html_()
    assert "<b>x" not in html and "&lt;b&gt;x" in html


def test_the_display_follows_the_journal_rules() -> None:
    # 0.0496 must not print as 0.050.
    result = rk.adjust_pvalues([0.0496], method="holm")
    assert "p 0.0496, adjusted 0.0496, rejected" in result._repr_html_()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rk.adjust_pvalues([0.1, 1.2]), r"`pvalues` must lie between 0 and 1 \(got 1.2\)"),
        (lambda: rk.adjust_pvalues([0.1, -0.01]), r"`pvalues` must lie between 0 and 1"),
        (lambda: rk.adjust_pvalues([0.1, "0.2"]), r"`pvalues` must hold real numbers"),  # type: ignore[list-item]
        (lambda: rk.adjust_pvalues([True]), r"`pvalues` must hold real numbers"),
        (lambda: rk.adjust_pvalues([[0.1, 0.2]]), r"`pvalues` must be one-dimensional"),  # type: ignore[list-item]
        (lambda: rk.adjust_pvalues(0.1), r"`pvalues` must be one-dimensional"),  # type: ignore[arg-type]
        (lambda: rk.adjust_pvalues([0.1], method="sidak"), r"`method` must be one of"),
        (lambda: rk.adjust_pvalues([0.1], alpha=1.0), r"`alpha` must lie strictly between"),
        (lambda: rk.adjust_pvalues([0.1], names=["a", "b"]), r"`names` must have one name"),
        (lambda: rk.adjust_pvalues([0.1, 0.2], names=["a", "a"]), r"`names` must be distinct"),
        (lambda: rk.adjust_pvalues({"a": 0.1}, names=["a"]), r"`names` must be None"),
        (lambda: rk.fixed_sequence([0.1, nan]), r"`pvalues` must not hold NaN"),
        (lambda: rk.fallback([0.1, 0.2], weights=[0.5]), r"`weights` must have one weight"),
        (lambda: rk.fallback([0.1, 0.2], weights=[0.9, 0.2]), r"`weights` must add up"),
        (lambda: rk.fallback([0.1, 0.2], weights=[1.5, -0.5]), r"`weights` must not be negative"),
        (lambda: rk.fallback([0.1], weights=[nan]), r"`weights` must be a finite number"),
    ],
)
def test_invalid_input(call: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        call()  # type: ignore[operator]


def _closed_testing() -> Any:
    """The brute-force closed test of tests/reference/hierarchy_closed_testing.py."""
    spec = importlib.util.spec_from_file_location(
        "hierarchy_closed_testing", REFERENCE / "hierarchy_closed_testing.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CLOSED_TESTING = _closed_testing()


@given(weighted_families())
def test_fallback_equals_brute_force_closed_testing(
    family: tuple[list[float], list[float]],
) -> None:
    p, w = family
    p, w = p[:6], w[:6]  # 2^6 intersections at most
    if sum(w) == 0:
        w[0] = 0.5
    exact = CLOSED_TESTING.adjusted([Fraction(x) for x in p], [Fraction(x) for x in w])
    np.testing.assert_allclose(
        rk.fallback(p, weights=w).adjusted, [float(x) for x in exact], rtol=1e-12, atol=1e-300
    )


# -- a trial's declared family ------------------------------------------------------------------

TRIAL_TOML = """
[trial]
title = "A trial with secondary outcomes"

[[arms]]
label = "Treatment"
role = "treatment"
allocated = 221

[[arms]]
label = "Control"
role = "control"
allocated = 220

[[outcomes]]
name = "Readmission"
primary = true
events = [64, 83]
totals = [218, 216]

[[outcomes]]
name = "Death <1 year>"
events = [10, 21]
totals = [218, 216]

[[outcomes]]
name = "Falls"
events = [30, 33]
totals = [218, 216]
"""


def _trial(section: str) -> rk.Trial:
    return parse_trial(TRIAL_TOML + section)


def test_a_trial_file_declares_the_family_and_the_report_adjusts() -> None:
    trial = _trial('[multiplicity]\nfamily = ["Death <1 year>", "Falls"]\nmethod = "hommel"\n')
    assert trial.multiplicity == rk.Multiplicity(["Death <1 year>", "Falls"], method="hommel")
    report = rk.TrialReport(trial)
    raw = {o.name: rk.hypothesis_test(o, method="chi2").pvalue for o in trial.outcomes}
    expected = rk.adjust_pvalues([raw["Death <1 year>"], raw["Falls"]], method="hommel").adjusted
    note = report.outcome_table().notes[-1]
    assert note.startswith("P adjusted for multiplicity (Hommel procedure, family-wise alpha")
    assert f"Death <1 year> {rk.formatting.format_p(expected[0], prefix=False)}" in note
    html = report.to_html()
    assert "Death &lt;1 year&gt; " in html and "Hommel procedure" in html


def test_the_note_follows_the_journal_style() -> None:
    family = rk.Multiplicity(["a", "b"], method="bonferroni", alpha=0.025)
    note = rk.multiplicity.multiplicity_note(family, {"a": 0.0124, "b": 0.5}, style="lancet")
    # Bonferroni: 2 x 0.0124 = 0.0248 and 2 x 0.5 = 1 (hand arithmetic); the p-values by the
    # Lancet rules of format_p, alpha with the style's decimal point.
    assert note == (
        "P adjusted for multiplicity (Bonferroni procedure, family-wise alpha 0·025): "
        "a 0·025; b 1·0."
    )


def test_a_trial_without_a_family_has_no_note() -> None:
    notes = rk.TrialReport(_trial("")).outcome_table().notes
    assert not any("multiplicity" in n for n in notes)


def test_a_hierarchy_in_the_trial_file() -> None:
    trial = _trial(
        '[multiplicity]\nfamily = ["Readmission", "Death <1 year>", "Falls"]\n'
        'method = "fallback"\nweights = [0.8, 0.1, 0.1]\nalpha = 0.025\n'
    )
    assert trial.multiplicity is not None
    raw = {"Readmission": 0.01, "Death <1 year>": nan, "Falls": 0.001}
    result = rk.multiplicity.trial_adjustment(trial.multiplicity, raw)
    # NaN counts as 1 in a hierarchy: Death is not rejected, Falls keeps its own level.
    assert result.rejected.tolist() == [True, False, True]


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ('family = ["Nope"]', r"`multiplicity.family` names an unknown outcome 'Nope'"),
        ('family = ["Falls"]\nmethod = "sidak"', r"`method` must be one of"),
        ('family = ["Falls"]\nmethod = "fallback"', r"`weights` must be given"),
        ('family = ["Falls"]\nweights = [1]', r"`weights` must be given only for the fallback"),
        ('family = ["Falls", "Falls"]', r"`family` must not name an outcome twice"),
        ("family = []", r"`family` must name at least one outcome"),
        ("family = [1]", r"`multiplicity.family\[1\]` must be a string"),
        ('family = ["Falls"]\nalpha = 2', r"`alpha` must lie strictly between 0 and 1"),
        ('family = ["Falls"]\nsize = 2', r"`multiplicity.size` is not a known key"),
        (
            'family = ["Falls", "Readmission"]\nmethod = "fallback"\nweights = [0.9, 0.2]',
            r"`weights` must add up",
        ),
    ],
)
def test_a_bad_multiplicity_section_is_refused(section: str, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        _trial("[multiplicity]\n" + section + "\n")


_toml_values = st.one_of(
    st.sampled_from(['"Falls"', '"Readmission"', '"Nope"', "1", "0.5", "nan", "inf", "true"]),
    st.sampled_from(['"holm"', '"fallback"', '"fixed-sequence"', '"hommel"', '"x"', "-1"]),
)


@given(
    st.dictionaries(
        st.sampled_from(["family", "method", "alpha", "weights"]),
        st.one_of(
            _toml_values, st.lists(_toml_values, max_size=3).map(lambda v: f"[{', '.join(v)}]")
        ),
    )
)
def test_any_multiplicity_section_is_read_or_refused_cleanly(table: dict[str, str]) -> None:
    section = "[multiplicity]\n" + "".join(f"{k} = {v}\n" for k, v in table.items())
    try:
        trial = _trial(section)
    except InvalidInputError:
        return
    assert trial.multiplicity is not None
    rk.TrialReport(trial).outcome_table()

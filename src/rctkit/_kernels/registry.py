"""Every method of rctkit, once, with its metadata: one :class:`MethodSpec` line each.

A :class:`Registry` holds the specs of one family (two-arm intervals, tests, ...) by measure
and name, in the order they were registered, which is the order in which methods are listed in
errors, the docs and ``--methods all``. Registering the same measure and name twice raises at
import. The engine, the command line, the reports and the plots look methods and their labels
up here; adding a method is one kernel in its family file and one line below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import attrs

from rctkit._kernels import (
    closed_form,
    conditional,
    likelihood,
    margin,
    pvalues,
    score,
    unconditional,
)
from rctkit._kernels import mantel_haenszel as mh
from rctkit._kernels import unconditional_ci as uci
from rctkit._kernels.common import EffectKernel, TestKernel
from rctkit._kernels.stratified.exact import exact_common_or
from rctkit._kernels.stratified_newcombe import stratified_newcombe
from rctkit._kernels.stratified_score import stratified_score
from rctkit.errors import RctkitError

__all__ = [
    "EFFECTS",
    "EFFECT_METHODS",
    "MEASURES",
    "STRATIFIED",
    "TESTS",
    "TEST_ALTERNATIVES",
    "TEST_METHODS",
    "MethodSpec",
    "Registry",
    "label",
]

#: The two-arm effect measures, in the order they are listed.
MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")

ALL_ALTERNATIVES = ("two-sided", "less", "greater")


@attrs.frozen
class MethodSpec:
    """One method: what it estimates or tests, its name, its kernel and how it is labelled.

    Attributes
    ----------
    measure : str
        ``"odds_ratio"``, ``"risk_ratio"``, ``"risk_difference"``, or ``"test"`` for a
        hypothesis test.
    name : str
        The ``method=`` string, e.g. ``"mn"``.
    kernel : callable
        The vectorised kernel.
    alternatives : tuple of str
        The alternatives the method defines (tests); intervals are two-sided.
    label : str
        How reports, plots and the command line name the method.
    """

    measure: str
    name: str
    kernel: Callable[..., Any] = attrs.field(eq=False)
    alternatives: tuple[str, ...] = ("two-sided",)
    label: str = ""


class Registry:
    """The specs of one family of methods, by measure and name; duplicates are refused."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._specs: dict[str, dict[str, MethodSpec]] = {}

    def register(self, spec: MethodSpec) -> MethodSpec:
        """Add ``spec``; a second spec with the same measure and name raises RctkitError."""
        methods = self._specs.setdefault(spec.measure, {})
        if spec.name in methods:
            raise RctkitError(
                f"{self.family} method {spec.measure}/{spec.name!r} is registered twice"
            )
        methods[spec.name] = spec
        return spec

    def get(self, measure: str, name: str) -> MethodSpec:
        """The spec of ``name`` for ``measure`` (KeyError when there is none)."""
        return self._specs[measure][name]

    def names(self, measure: str) -> tuple[str, ...]:
        """The method names of ``measure``, in registration order."""
        return tuple(self._specs.get(measure, {}))

    def specs(self, measure: str) -> tuple[MethodSpec, ...]:
        """The specs of ``measure``, in registration order."""
        return tuple(self._specs.get(measure, {}).values())

    def measures(self) -> tuple[str, ...]:
        """The measures with at least one method."""
        return tuple(self._specs)

    def __iter__(self) -> Iterator[MethodSpec]:
        for methods in self._specs.values():
            yield from methods.values()


#: Two-arm interval methods.
EFFECTS = Registry("interval")
#: Hypothesis tests of no difference (measure ``"test"``).
TESTS = Registry("test")
#: The methods of ``mantel_haenszel``, by the measure they pool: the ``"mh"`` kernel returns
#: the Mantel-Haenszel estimate and its variance, the others an ``Interval``.
STRATIFIED = Registry("stratified")


def _effect(measure: str, name: str, kernel: EffectKernel, label: str) -> None:
    EFFECTS.register(MethodSpec(measure, name, kernel, label=label))


def _test(name: str, kernel: TestKernel, label: str, alternatives: tuple[str, ...]) -> None:
    TESTS.register(MethodSpec("test", name, kernel, alternatives, label))


# fmt: off
_effect("odds_ratio", "wald", closed_form.wald_or, "Wald (Woolf logit)")
_effect("odds_ratio", "haldane", closed_form.haldane_odds_ratio,
        "Woolf with 0.5 added to every cell")
_effect("odds_ratio", "mn", score.mn_or, "Miettinen-Nurminen score")
_effect("odds_ratio", "exact", conditional.exact, "Conditional exact (Cornfield)")
_effect("odds_ratio", "midp", conditional.midp, "Conditional mid-p")
_effect("odds_ratio", "profile", likelihood.profile, "Profile likelihood")
_effect("odds_ratio", "firth", likelihood.firth, "Firth penalised likelihood")

_effect("risk_ratio", "wald", closed_form.wald_rr, "Wald (Katz log)")
_effect("risk_ratio", "haldane", closed_form.haldane_risk_ratio,
        "Katz with 0.5 added to every cell")
_effect("risk_ratio", "koopman", score.koopman_rr, "Koopman asymptotic score")
_effect("risk_ratio", "mn", score.mn_rr, "Miettinen-Nurminen score")
_effect("risk_ratio", "chan-zhang", uci.chan_zhang_rr,
        "Chan-Zhang exact unconditional score (tail method)")
_effect("risk_ratio", "agresti-min", uci.agresti_min_rr,
        "Agresti-Min exact unconditional score (two-sided test inverted)")

_effect("risk_difference", "wald", closed_form.wald_rd, "Wald")
_effect("risk_difference", "wald-cc", closed_form.wald_cc, "Wald with continuity correction")
_effect("risk_difference", "agresti-caffo", closed_form.agresti_caffo, "Agresti-Caffo")
_effect("risk_difference", "newcombe", closed_form.newcombe, "Newcombe hybrid score")
_effect("risk_difference", "newcombe-cc", closed_form.newcombe_cc,
        "Newcombe hybrid score, continuity corrected")
_effect("risk_difference", "mee", score.mee_rd, "Mee score")
_effect("risk_difference", "mn", score.mn_rd, "Miettinen-Nurminen score")
_effect("risk_difference", "santner-snell", uci.santner_snell,
        "Santner-Snell exact unconditional (tail method)")
_effect("risk_difference", "chan-zhang", uci.chan_zhang_rd,
        "Chan-Zhang exact unconditional score (tail method)")
_effect("risk_difference", "agresti-min", uci.agresti_min_rd,
        "Agresti-Min exact unconditional score (two-sided test inverted)")

_test("chi2", pvalues.chi2, "Pearson's chi-squared test", ("two-sided",))
_test("chi2-yates", pvalues.chi2_yates, "the chi-squared test with Yates's correction",
      ("two-sided",))
_test("fisher", pvalues.fisher, "Fisher's exact test", ALL_ALTERNATIVES)
_test("fisher-midp", conditional.fisher_midp, "Fisher's mid-p test", ALL_ALTERNATIVES)
_test("wald", likelihood.wald_test, "the Wald test of the logistic model", ALL_ALTERNATIVES)
_test("lr", likelihood.lr_test, "the likelihood-ratio test", ALL_ALTERNATIVES)
_test("barnard", unconditional.barnard, "Barnard's exact test", ALL_ALTERNATIVES)
_test("barnard-unpooled", unconditional.barnard_unpooled,
      "Barnard's exact test (unpooled Wald statistic)", ALL_ALTERNATIVES)
_test("boschloo", unconditional.boschloo, "Boschloo's exact test", ALL_ALTERNATIVES)
_test("mn", margin.mn_test, "the Miettinen-Nurminen score test", ALL_ALTERNATIVES)
_test("fm", margin.fm_test, "the Farrington-Manning score test", ALL_ALTERNATIVES)

for _measure, _pooled in (
    ("odds_ratio", mh.odds_ratio),
    ("risk_ratio", mh.risk_ratio),
    ("risk_difference", mh.risk_difference),
):
    STRATIFIED.register(MethodSpec(_measure, "mh", _pooled, label="Mantel-Haenszel"))
    if _measure == "odds_ratio":
        STRATIFIED.register(MethodSpec(_measure, "exact", exact_common_or,
                                       label="Exact conditional (common odds ratio)"))
    STRATIFIED.register(MethodSpec(_measure, "mn", stratified_score,
                                   label="Miettinen-Nurminen stratified score"))
STRATIFIED.register(MethodSpec("risk_difference", "newcombe", stratified_newcombe,
                               label="Stratified Newcombe (Yan-Su)"))
# fmt: on


def label(measure: str, name: str) -> str:
    """The label of a two-arm interval method or (``measure="test"``) a test."""
    registry = TESTS if measure == "test" else EFFECTS
    return registry.get(measure, name).label


#: measure -> method name -> kernel, for the front ends.
EFFECT_METHODS: dict[str, dict[str, EffectKernel]] = {
    m: {s.name: s.kernel for s in EFFECTS.specs(m)} for m in MEASURES
}
#: test name -> kernel.
TEST_METHODS: dict[str, TestKernel] = {s.name: s.kernel for s in TESTS.specs("test")}
#: test name -> the alternatives it defines.
TEST_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    s.name: s.alternatives for s in TESTS.specs("test")
}

"""Every method of rctkit, once: measure, name, kernel, alternatives and a label.

Three registries hold :class:`MethodSpec` lines, in the order in which methods are listed (in
errors, docs and ``--methods all``):

* :data:`EFFECTS`: the two-arm interval methods, by measure;
* :data:`TESTS`: the hypothesis tests (measure ``"test"``), with the alternatives each
  defines;
* :data:`STRATIFIED`: the methods of ``mantel_haenszel``, by measure (the ``"mh"`` kernel
  returns the Mantel-Haenszel estimate and the variance, the others an ``Interval``).

A registry refuses a second method of the same measure and name, so a clash fails at import.
The mappings ``MEASURES``, ``EFFECT_METHODS``, ``TEST_METHODS`` and ``TEST_ALTERNATIVES``
are views of them for the scalar and batch front ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from rctkit._kernels import closed_form as _cf
from rctkit._kernels import conditional, likelihood, pvalues, score, unconditional
from rctkit._kernels import mantel_haenszel as _mh
from rctkit._kernels.common import EffectKernel, TestKernel
from rctkit._kernels.stratified.exact import exact_common_or
from rctkit._kernels.stratified_score import stratified_score

__all__ = [
    "EFFECTS",
    "EFFECT_METHODS",
    "MEASURES",
    "MEASURE_LABELS",
    "STRATIFIED",
    "TESTS",
    "TEST_ALTERNATIVES",
    "TEST_METHODS",
    "MethodSpec",
    "Registry",
]

_ALL = ("two-sided", "less", "greater")


@attrs.frozen
class MethodSpec:
    """One method: what it estimates or tests, its name, its kernel and how to call it.

    ``measure`` is ``"odds_ratio"``, ``"risk_ratio"`` or ``"risk_difference"`` (for a
    stratified method, the measure it pools), or ``"test"`` for a hypothesis test.
    ``alternatives`` are those the method defines; ``label`` is its human-readable name.
    """

    measure: str
    name: str
    kernel: Callable[..., Any]
    alternatives: tuple[str, ...] = ("two-sided",)
    label: str = ""


class Registry:
    """Method specifications by measure and name, in registration order."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._specs: dict[str, dict[str, MethodSpec]] = {}

    def register(self, spec: MethodSpec) -> MethodSpec:
        """Add ``spec``; a second method of the same measure and name is an error."""
        by_name = self._specs.setdefault(spec.measure, {})
        if spec.name in by_name:
            raise RuntimeError(
                f"{self.title}: method {spec.name!r} of measure {spec.measure!r} is "
                "registered twice"
            )
        by_name[spec.name] = spec
        return spec

    def get(self, measure: str, name: str) -> MethodSpec:
        """The specification of ``name`` for ``measure`` (KeyError if unknown)."""
        return self._specs[measure][name]

    def names(self, measure: str) -> tuple[str, ...]:
        """The names registered for ``measure``, in registration order."""
        return tuple(self._specs.get(measure, {}))

    def specs(self, measure: str) -> tuple[MethodSpec, ...]:
        """The specifications registered for ``measure``, in registration order."""
        return tuple(self._specs.get(measure, {}).values())

    def measures(self) -> tuple[str, ...]:
        """The measures with at least one method, in registration order."""
        return tuple(self._specs)


#: The order in which measures are listed.
MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")

#: How the measures are printed (CLI, plots and reports).
MEASURE_LABELS = {
    "odds_ratio": "Odds ratio",
    "risk_ratio": "Risk ratio",
    "risk_difference": "Risk difference",
}

EFFECTS = Registry("effect methods")
TESTS = Registry("tests")
STRATIFIED = Registry("stratified methods")

_OR, _RR, _RD = MEASURES
for _spec in (
    MethodSpec(_OR, "wald", _cf.wald_or, label="Wald (Woolf logit)"),
    MethodSpec(_OR, "haldane", _cf.haldane_odds_ratio, label="Haldane-Anscombe (0.5 added)"),
    MethodSpec(_OR, "mn", score.mn_or, label="Miettinen-Nurminen score"),
    MethodSpec(_OR, "exact", conditional.exact, label="Exact conditional (Cornfield)"),
    MethodSpec(_OR, "midp", conditional.midp, label="Conditional mid-p"),
    MethodSpec(_OR, "profile", likelihood.profile, label="Profile likelihood"),
    MethodSpec(_OR, "firth", likelihood.firth, label="Firth penalised likelihood"),
    MethodSpec(_RR, "wald", _cf.wald_rr, label="Wald (Katz log)"),
    MethodSpec(_RR, "haldane", _cf.haldane_risk_ratio, label="Katz log, 0.5 added"),
    MethodSpec(_RR, "koopman", score.koopman_rr, label="Koopman score"),
    MethodSpec(_RR, "mn", score.mn_rr, label="Miettinen-Nurminen score"),
    MethodSpec(_RD, "wald", _cf.wald_rd, label="Wald"),
    MethodSpec(_RD, "wald-cc", _cf.wald_cc, label="Wald with continuity correction"),
    MethodSpec(_RD, "agresti-caffo", _cf.agresti_caffo, label="Agresti-Caffo"),
    MethodSpec(_RD, "newcombe", _cf.newcombe, label="Newcombe hybrid score"),
    MethodSpec(
        _RD, "newcombe-cc", _cf.newcombe_cc, label="Newcombe hybrid score, continuity-corrected"
    ),
    MethodSpec(_RD, "mee", score.mee_rd, label="Mee score"),
    MethodSpec(_RD, "mn", score.mn_rd, label="Miettinen-Nurminen score"),
):
    EFFECTS.register(_spec)

for _spec in (
    MethodSpec("test", "chi2", pvalues.chi2, label="Pearson's chi-squared test"),
    MethodSpec(
        "test", "chi2-yates", pvalues.chi2_yates, label="Chi-squared test with Yates's correction"
    ),
    MethodSpec("test", "fisher", pvalues.fisher, _ALL, label="Fisher's exact test"),
    MethodSpec("test", "fisher-midp", conditional.fisher_midp, _ALL, label="Fisher's mid-p test"),
    MethodSpec("test", "wald", likelihood.wald_test, _ALL, label="Wald test (logistic model)"),
    MethodSpec("test", "lr", likelihood.lr_test, _ALL, label="Likelihood-ratio test"),
    MethodSpec("test", "barnard", unconditional.barnard, _ALL, label="Barnard's exact test"),
    MethodSpec("test", "boschloo", unconditional.boschloo, _ALL, label="Boschloo's exact test"),
):
    TESTS.register(_spec)

#: The "mh" kernel of each measure is its Mantel-Haenszel estimator (estimate, variance).
_MH = {_OR: _mh.odds_ratio, _RR: _mh.risk_ratio, _RD: _mh.risk_difference}
for _measure in MEASURES:
    STRATIFIED.register(MethodSpec(_measure, "mh", _MH[_measure], label="Mantel-Haenszel"))
    if _measure == _OR:
        STRATIFIED.register(
            MethodSpec(_measure, "exact", exact_common_or, label="Exact conditional (common OR)")
        )
    STRATIFIED.register(
        MethodSpec(_measure, "mn", stratified_score, label="Miettinen-Nurminen stratified score")
    )

EFFECT_METHODS: dict[str, dict[str, EffectKernel]] = {
    m: {s.name: s.kernel for s in EFFECTS.specs(m)} for m in MEASURES
}
TEST_METHODS: dict[str, TestKernel] = {s.name: s.kernel for s in TESTS.specs("test")}
TEST_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    s.name: s.alternatives for s in TESTS.specs("test")
}

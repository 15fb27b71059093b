"""The method registry: one spec per method, duplicates refused, labels for every method."""

from __future__ import annotations

import pytest

import rctkit as rk
import rctkit.batch as rkb
from rctkit._kernels import registry


def test_duplicate_registration_is_refused() -> None:
    reg = registry.Registry("interval")
    spec = registry.MethodSpec("odds_ratio", "wald", registry.EFFECT_METHODS["odds_ratio"]["wald"])
    reg.register(spec)
    with pytest.raises(rk.RctkitError, match=r"odds_ratio/'wald' is registered twice"):
        reg.register(spec)


def test_every_method_has_a_label_and_the_front_ends_list_the_registry() -> None:
    for spec in [*registry.EFFECTS, *registry.TESTS]:
        assert spec.label, spec
    for measure in registry.MEASURES:
        assert tuple(rkb.EFFECT_METHODS[measure]) == registry.EFFECTS.names(measure)
    assert tuple(rkb.TEST_METHODS) == registry.TESTS.names("test")
    assert rkb.TEST_METHODS["chi2"] == ("two-sided",)


def test_barnard_unpooled_is_a_registered_test() -> None:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    res = rk.hypothesis_test(core, method="barnard-unpooled")
    assert res.method == "barnard-unpooled" and 0.0 < res.pvalue < 1.0
    assert registry.label("test", "barnard-unpooled").startswith("Barnard")

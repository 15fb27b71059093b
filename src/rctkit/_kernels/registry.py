"""Every kernel by measure and method name, gathered from the kernel modules.

Each kernel module exports ``EFFECTS`` (measure -> method -> kernel) and/or ``TESTS``
(method -> kernel) with ``TEST_ALTERNATIVES`` (method -> the alternatives it defines). This
module merges them; :mod:`rctkit.batch` and the scalar API look methods up here only.
"""

from __future__ import annotations

from types import ModuleType

from rctkit._kernels import (
    conditional,
    likelihood,
    odds_ratio,
    pvalues,
    risk_difference,
    risk_ratio,
    score,
    simple,
    unconditional,
)
from rctkit._kernels.common import EffectKernel, TestKernel

_MODULES: tuple[ModuleType, ...] = (
    odds_ratio,
    risk_ratio,
    risk_difference,
    pvalues,
    simple,
    score,
    conditional,
    likelihood,
    pvalues,
    unconditional,
)

#: The order in which methods are listed (in errors, docs and ``--methods all``).
MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")

EFFECT_METHODS: dict[str, dict[str, EffectKernel]] = {m: {} for m in MEASURES}
TEST_METHODS: dict[str, TestKernel] = {}
TEST_ALTERNATIVES: dict[str, tuple[str, ...]] = {}

for _module in _MODULES:
    for _measure, _kernels in getattr(_module, "EFFECTS", {}).items():
        EFFECT_METHODS[_measure].update(_kernels)
    TEST_METHODS.update(getattr(_module, "TESTS", {}))
    TEST_ALTERNATIVES.update(getattr(_module, "TEST_ALTERNATIVES", {}))

"""Placeholder: kernels of this family are added here (see registry.py)."""

from __future__ import annotations

from rctkit._kernels.common import EffectKernel, TestKernel

EFFECTS: dict[str, dict[str, EffectKernel]] = {}
TESTS: dict[str, TestKernel] = {}
TEST_ALTERNATIVES: dict[str, tuple[str, ...]] = {}

"""Test configuration: hypothesis profiles and the CORE outcome fixture."""

from __future__ import annotations

import os
from collections.abc import Iterator

import mpmath
import pytest
from hypothesis import HealthCheck, settings

import rctkit as rk

settings.register_profile(
    "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _mpmath_precision(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test at its module's ``MP_DPS`` digits of mpmath precision, then restore.

    mpmath's precision is global: a module that set it at import would get whatever the
    module imported last, or a test before it, had left.
    """
    dps = getattr(request.module, "MP_DPS", None)
    if dps is None:
        yield
        return
    with mpmath.workdps(dps):
        yield


@pytest.fixture
def core() -> rk.BinaryOutcome:
    """The CORE trial's primary outcome (Johnson et al., Lancet 2018;392:409-18)."""
    return rk.BinaryOutcome.from_counts(
        treatment=(64, 218), control=(83, 216), name="Readmission within 1 year"
    )

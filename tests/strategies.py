"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

import rctkit as rk


@st.composite
def arm_counts(draw: st.DrawFn, max_total: int = 500, min_total: int = 1) -> rk.Counts:
    """One arm's counts: any ``0 <= events <= total`` with ``total >= min_total``."""
    total = draw(st.integers(min_value=min_total, max_value=max_total))
    events = draw(st.integers(min_value=0, max_value=total))
    return rk.Counts(events, total)


@st.composite
def outcomes(
    draw: st.DrawFn, max_total: int = 500, min_total: int = 1, zero_cells: bool = True
) -> rk.BinaryOutcome:
    """A two-arm outcome; with ``zero_cells=False`` every cell of the 2x2 table is positive."""
    if zero_cells:
        t = draw(arm_counts(max_total, min_total))
        c = draw(arm_counts(max_total, min_total))
    else:
        t = draw(arm_counts(max_total, max(min_total, 2)).filter(lambda x: 0 < x.events < x.total))
        c = draw(arm_counts(max_total, max(min_total, 2)).filter(lambda x: 0 < x.events < x.total))
    return rk.BinaryOutcome(name="outcome", treatment=t, control=c)


confidence_levels = st.floats(min_value=0.5, max_value=0.999, allow_nan=False)


@st.composite
def adjusted_trials(draw: st.DrawFn) -> dict[str, Any]:
    """Participant-level data for the adjusted models: 20 to 300 participants in two arms
    ("T", "C"), outcome ``y``, up to three numeric covariates ``x0``... each of a scale from
    1e-300 to 1e300, and up to two factors ``g0``... of 2 to 40 levels."""
    n = draw(st.integers(min_value=20, max_value=300))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    exponents = draw(st.lists(st.integers(min_value=-300, max_value=300), max_size=3))
    levels = draw(st.lists(st.integers(min_value=2, max_value=40), max_size=2))
    effect = draw(st.floats(min_value=-1.5, max_value=1.5))
    rng = np.random.default_rng(seed)
    arm = rng.permutation(np.arange(n) % 2)
    data: dict[str, Any] = {"arm": np.where(arm == 1, "T", "C")}
    eta = -0.3 + effect * arm
    for j, exponent in enumerate(exponents):
        x = rng.normal(size=n)
        eta = eta + 0.5 * x
        data[f"x{j}"] = x * 10.0**exponent
    for j, k in enumerate(levels):
        g = rng.integers(0, k, size=n)
        eta = eta + rng.normal(0.0, 0.5, size=k)[g]
        data[f"g{j}"] = np.array([f"l{i:02d}" for i in range(k)])[g]
    data["y"] = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.int64)
    return data

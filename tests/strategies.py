"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

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
def rate_ratio_inputs(draw: st.DrawFn) -> tuple[int, int, float, float]:
    """Two arms' event counts (0 to MAX_COUNT, small ones likely) and person-time exposures."""
    counts = st.integers(0, 50) | st.integers(0, rk.MAX_COUNT) | st.sampled_from([0, rk.MAX_COUNT])
    exposures = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
    return draw(counts), draw(counts), draw(exposures), draw(exposures)

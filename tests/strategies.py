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


#: Arm sizes from one participant up to rctkit.MAX_COUNT, the sizes where rounding bites.
_BIG_TOTALS = [1, 2, 10, 1000, 10**6, 10**9, 2**39, 10**12]


@st.composite
def big_arm_counts(draw: st.DrawFn) -> rk.Counts:
    """One arm of any size up to ``MAX_COUNT``, with none, few, half, all-but-few, all or any
    of its participants having the event."""
    total = draw(st.sampled_from(_BIG_TOTALS) | st.integers(1, rk.MAX_COUNT))
    few = draw(st.integers(0, 10))
    events = {
        "zero": 0,
        "few": min(few, total),
        "half": total // 2,
        "all-but-few": max(total - few, 0),
        "all": total,
        "any": draw(st.integers(0, total)),
    }[draw(st.sampled_from(["zero", "few", "half", "all-but-few", "all", "any"]))]
    return rk.Counts(events, total)


@st.composite
def big_strata(draw: st.DrawFn, max_strata: int = 40) -> list[rk.BinaryOutcome]:
    """Stratified data: 1 to ``max_strata`` strata of any size up to ``MAX_COUNT`` per arm
    (often with repeated tables, as strata of a design)."""
    distinct = draw(
        st.lists(st.tuples(big_arm_counts(), big_arm_counts()), min_size=1, max_size=6)
    )
    picks = draw(st.lists(st.integers(0, len(distinct) - 1), min_size=1, max_size=max_strata))
    return [
        rk.BinaryOutcome(name="outcome", treatment=distinct[i][0], control=distinct[i][1])
        for i in picks
    ]

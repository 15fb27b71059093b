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


# Characters that some output format reads as syntax, line breaks, control characters, and
# the non-ASCII text that a label may hold.
_LABEL_SPECIALS = (
    "<>&\"'|\\`*_[]{}()#$%^~!-+=.:;/ 019"
    "\n\r\t\v\f\x00\x07\x1b\x7f\x85\x9f\u2028\u2029\ud800\ufffe"
    "\u00a0\u00e9\u2013\u2014\u2212\u00b7\u2264\u2265\u221e"
)

#: A label (a title, an arm, an outcome, a reason): any text, weighted towards the characters
#: that an escaper has to handle.
labels = st.text(
    alphabet=st.sampled_from(_LABEL_SPECIALS) | st.characters(), min_size=1, max_size=40
)

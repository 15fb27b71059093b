"""Figures (matplotlib, the ``rctkit[plot]`` extra): the forest plot of a trial's outcomes.

:func:`forest_plot` returns a ``matplotlib.figure.Figure`` built without pyplot.
"""

from __future__ import annotations

from rctkit.plots.forest import MAX_ROWS, forest_plot

__all__ = ["MAX_ROWS", "forest_plot"]

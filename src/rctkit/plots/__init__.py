"""Figures (matplotlib, the ``rctkit[plot]`` extra): the forest plot of a trial's outcomes, the
subgroup forest plot, and the coverage plot of interval methods.

:func:`forest_plot`, :func:`subgroup_forest_plot` and :func:`coverage_plot` return a
``matplotlib.figure.Figure`` built without pyplot.
"""

from __future__ import annotations

from rctkit.plots.coverage import coverage_plot
from rctkit.plots.forest import MAX_ROWS, forest_plot
from rctkit.plots.subgroups import subgroup_forest_plot

__all__ = ["MAX_ROWS", "coverage_plot", "forest_plot", "subgroup_forest_plot"]

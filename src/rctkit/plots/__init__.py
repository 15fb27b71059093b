"""Figures (matplotlib, the ``rctkit[plot]`` extra): the forest plot of a trial's outcomes, the
subgroup forest plot, the coverage plot of interval methods, the power curve of tests and the
tipping-point plot of missing outcomes.

:func:`forest_plot`, :func:`subgroup_forest_plot`, :func:`coverage_plot`, :func:`power_plot`
and :func:`tipping_point_plot` return a
``matplotlib.figure.Figure`` built without pyplot.
"""

from __future__ import annotations

from rctkit.plots.coverage import coverage_plot
from rctkit.plots.forest import MAX_ROWS, forest_plot
from rctkit.plots.power import power_plot
from rctkit.plots.subgroups import subgroup_forest_plot
from rctkit.plots.tipping import tipping_point_plot

__all__ = [
    "MAX_ROWS",
    "coverage_plot",
    "forest_plot",
    "power_plot",
    "subgroup_forest_plot",
    "tipping_point_plot",
]

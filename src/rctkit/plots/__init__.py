"""Figures (matplotlib, the ``rctkit[plot]`` extra): the forest plot of a trial's outcomes,
the coverage plot of interval methods and the power curve of tests.

:func:`forest_plot`, :func:`coverage_plot` and :func:`power_plot` return a
``matplotlib.figure.Figure`` built without pyplot.
"""

from __future__ import annotations

from rctkit.plots.coverage import coverage_plot
from rctkit.plots.forest import MAX_ROWS, forest_plot
from rctkit.plots.power import power_plot

__all__ = ["MAX_ROWS", "coverage_plot", "forest_plot", "power_plot"]

"""Figures: the forest plot renders and saves as PNG and SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest

import rctkit as rk
from rctkit.plots import forest_plot
from rctkit.trialfile import example_trial

matplotlib.use("Agg")


@pytest.mark.parametrize("measure", ["odds_ratio", "risk_ratio", "risk_difference"])
def test_forest_plot_saves_png_and_svg(measure: str, tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    png = tmp_path / "forest.png"
    fig = forest_plot(example_trial(), measure=measure, path=png)
    assert png.read_bytes().startswith(b"\x89PNG")
    svg = tmp_path / "forest.svg"
    fig.savefig(svg)
    ET.parse(svg)  # well-formed
    assert fig.axes[0].get_xscale() == ("linear" if measure == "risk_difference" else "log")
    plt.close(fig)


def test_forest_plot_refuses_unknown_measure() -> None:
    with pytest.raises(rk.InvalidInputError, match=r'`measure` must be one of "odds_ratio"'):
        forest_plot(example_trial(), measure="hazard_ratio")

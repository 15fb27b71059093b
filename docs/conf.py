"""Sphinx configuration for the rctkit documentation."""

from __future__ import annotations

import sys
from pathlib import Path

import rctkit

# The figures in the docs are drawn by rctkit itself at every build.
sys.path.insert(0, str(Path(__file__).parent))
from make_figures import make_figures

make_figures()

project = "rctkit"
author = "rctkit developers"
copyright = "2026, rctkit developers"
release = rctkit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
]

autosummary_generate = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
intersphinx_mapping: dict[str, tuple[str, None]] = {}

exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
nitpicky = False

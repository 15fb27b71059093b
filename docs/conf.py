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
    # Copies MathJax 3 into _static/mathjax: no page loads a script from a CDN.
    "sphinx-mathjax-offline",
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
# MathJax from the site itself (copied there by sphinx-mathjax-offline), never from a CDN.
mathjax_path = "mathjax/tex-chtml.js"

# A cross-reference that resolves to nothing fails the build (make docs runs with -W).
nitpicky = True

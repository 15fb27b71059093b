"""The documentation: every public name in the API reference, and a site that reads offline.

The Sphinx build itself (``make docs``, with ``-W`` and ``nitpicky``) fails on a dead
cross-reference; these tests check what the build cannot: that no public name is missing from
docs/api.rst, and that no page loads a script from the network (MathJax included).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import shutil
import struct
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

import rctkit
from rctkit.trialfile import example_trial

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: The modules whose ``__all__`` is public API, each documented in docs/api.rst.
PUBLIC_MODULES = (
    "rctkit",
    "rctkit.batch",
    "rctkit.harms",
    "rctkit.io",
    "rctkit.consort",
    "rctkit.plots",
    "rctkit.formatting",
    "rctkit.adjusted",
    "rctkit.bootstrap",
    "rctkit.margins",
    "rctkit.multiplicity",
    "rctkit.evaluate",
    "rctkit.fragility",
    "rctkit.tipping",
    "rctkit.subgroups",
    "rctkit.ae_tables",
    "rctkit.ae_severity",
)

_DIRECTIVE = re.compile(r"^\.\. (?:py:)?(?P<kind>[a-z]+)::\s*(?P<target>\S+)\s*$")
_OPTION = re.compile(r"^\s+:(?P<name>[a-z-]+):\s*(?P<value>.*)$")
_DESCRIBED = {
    "autoclass",
    "autofunction",
    "autoexception",
    "autodata",
    "autoattribute",
    "automethod",
    "class",
    "function",
    "exception",
    "data",
    "attribute",
    "method",
}


def documented_names(text: str) -> set[str]:
    """The fully qualified names that an API page describes (autodoc and py directives).

    Follows ``module`` / ``currentmodule`` as Sphinx does: a dotted target starting with
    ``rctkit`` is absolute, anything else is relative to the current module. The members
    listed in an ``automodule``'s ``:members:`` option count as described.
    """
    names: set[str] = set()
    current = ""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if match is None:
            continue
        kind, target = match["kind"], match["target"]
        if kind in {"module", "currentmodule"}:
            current = "" if target == "None" else target
            continue
        if kind == "automodule":
            names.add(target)
            for member in _members_option(lines[index + 1 :]):
                names.add(f"{target}.{member}")
            continue
        if kind in _DESCRIBED:
            absolute = target.startswith("rctkit.") or not current
            names.add(target if absolute else f"{current}.{target}")
    return names


def _members_option(lines: list[str]) -> list[str]:
    """The names in a directive's ``:members:`` option (which may continue on more lines)."""
    members: list[str] = []
    inside = False
    for line in lines:
        if not line.startswith(" "):
            break
        option = _OPTION.match(line)
        if option is not None:
            inside = option["name"] == "members"
            if inside:
                members.extend(option["value"].split(","))
        elif inside:
            members.extend(line.split(","))
    return [member.strip() for member in members if member.strip()]


def resolve(name: str) -> Any:
    """The object a dotted name refers to, by attribute first, by import where needed.

    ``rctkit.bootstrap`` is the function (the package binds it over the subpackage);
    ``rctkit.bootstrap.METHODS`` is then found by importing the module ``rctkit.bootstrap``.
    """
    parts = name.split(".")
    obj: Any = importlib.import_module(parts[0])
    for depth in range(1, len(parts)):
        try:
            obj = getattr(obj, parts[depth])
        except AttributeError:
            obj = getattr(importlib.import_module(".".join(parts[:depth])), parts[depth])
    return obj


def _is_shared_object(obj: object) -> bool:
    """Whether identity says that two names are one thing (not a shared small int or str)."""
    return isinstance(obj, (type, types.FunctionType, types.ModuleType))


def missing_from(text: str) -> list[str]:
    """Every ``module.name`` of the public modules' ``__all__`` that ``text`` does not describe.

    A name counts as described when the page describes it under that path, or, for a class or
    function exported in two places, describes the same object under its other path.
    """
    described = documented_names(text)
    objects = []
    for name in described:
        try:
            objects.append(resolve(name))
        except (AttributeError, ImportError):
            continue  # a dead name fails the Sphinx build; it documents nothing here
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            full = f"{module_name}.{name}"
            if full in described:
                continue
            obj = getattr(module, name)
            if _is_shared_object(obj) and any(obj is other for other in objects):
                continue
            missing.append(full)
    return missing


def test_every_public_name_is_in_the_api_reference() -> None:
    assert missing_from((DOCS / "api.rst").read_text(encoding="utf-8")) == []


def test_the_check_finds_a_missing_name() -> None:
    """The check above can fail: remove one name from the page and it is reported."""
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    assert ".. autofunction:: rctkit.harms.rate_ratio\n" in text
    text = text.replace(".. autofunction:: rctkit.harms.rate_ratio\n", "")
    assert missing_from(text) == ["rctkit.harms.rate_ratio"]


def test_documented_names_follows_the_current_module() -> None:
    text = """
.. currentmodule:: rctkit

.. autofunction:: odds_ratio
.. autoclass:: rctkit.harms.HarmsRow

.. py:module:: rctkit.io

.. autodata:: EXAMPLES
   :no-value:

.. automodule:: rctkit.formatting
   :members: format_p, one_line,
             escape_latex
"""
    assert documented_names(text) == {
        "rctkit.odds_ratio",
        "rctkit.harms.HarmsRow",
        "rctkit.io.EXAMPLES",
        "rctkit.formatting",
        "rctkit.formatting.format_p",
        "rctkit.formatting.one_line",
        "rctkit.formatting.escape_latex",
    }


def test_resolve_prefers_the_attribute_and_imports_when_needed() -> None:
    assert resolve("rctkit.bootstrap") is rctkit.bootstrap
    assert resolve("rctkit.bootstrap.METHODS") == ("percentile", "basic", "bca")


# --- offline: no page loads a script from the network ----------------------------------------

_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def remote_scripts(html: str) -> list[str]:
    """The ``src`` of every ``<script>`` in a page that is fetched from another host."""
    return [src for src in _SCRIPT_SRC.findall(html) if _REMOTE.match(src)]


def test_remote_scripts_recognises_a_cdn() -> None:
    page = (
        '<script src="_static/doctools.js?v=1"></script>'
        '<script defer="defer" src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js">'
        "</script><script src='//example.org/a.js'></script>"
    )
    assert remote_scripts(page) == [
        "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js",
        "//example.org/a.js",
    ]


def _conf_settings() -> dict[str, Any]:
    """The literal settings of docs/conf.py, read without running it (it draws figures)."""
    settings: dict[str, Any] = {}
    tree = ast.parse((DOCS / "conf.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    try:
                        settings[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        continue
    return settings


def test_conf_serves_mathjax_from_the_site_and_is_nitpicky() -> None:
    settings = _conf_settings()
    assert settings["nitpicky"] is True
    assert "sphinx-mathjax-offline" in settings["extensions"]
    assert not _REMOTE.match(settings["mathjax_path"])


def test_a_page_with_math_loads_no_remote_script(tmp_path: Path) -> None:
    """Build a page with math using the docs' extensions and MathJax setting."""
    pytest.importorskip("sphinx", reason="Sphinx is in the docs extra (make docs)")
    from sphinx.cmd.build import build_main

    settings = _conf_settings()
    source = tmp_path / "source"
    source.mkdir()
    conf = {"extensions": settings["extensions"], "mathjax_path": settings["mathjax_path"]}
    (source / "conf.py").write_text(
        "\n".join(f"{key} = {value!r}" for key, value in conf.items()), encoding="utf-8"
    )
    (source / "index.rst").write_text(
        "Math\n====\n\nThe odds ratio :math:`\\psi = ad/(bc)`.\n", encoding="utf-8"
    )
    out = tmp_path / "html"
    assert build_main(["-q", "-W", "-b", "html", str(source), str(out)]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "mathjax" in page.lower()
    assert remote_scripts(page) == []
    assert (out / "_static" / settings["mathjax_path"]).is_file()


def test_the_built_docs_load_no_remote_script() -> None:
    """Every page of the last ``make docs`` build (.ci/run runs this after it)."""
    html = DOCS / "_build" / "html"
    if not (html / "index.html").is_file():
        pytest.skip("the docs are not built here (make docs builds them)")
    pages = sorted(html.rglob("*.html"))
    found = {
        str(page.relative_to(html)): remote_scripts(page.read_text(encoding="utf-8"))
        for page in pages
    }
    assert {page: srcs for page, srcs in found.items() if srcs} == {}
    assert (html / "_static" / _conf_settings()["mathjax_path"]).is_file()


# --- the screenshot of the standalone HTML report -------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG, read from its IHDR chunk (the first, by the standard)."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_png_size_reads_the_header() -> None:
    header = _PNG_SIGNATURE + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 1100, 7)
    assert png_size(header + b"\x08\x02\x00\x00\x00") == (1100, 7)
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a" + header[6:])


def _make_figures_module() -> types.ModuleType:
    """docs/make_figures.py, imported from its file (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_figures", DOCS / "make_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_html_report_screenshot_is_a_picture_of_the_whole_page(tmp_path: Path) -> None:
    """Headless Chromium draws the standalone page; the blank space below it is cut off."""
    if shutil.which("chromium") is None and shutil.which("chromium-browser") is None:
        pytest.skip("Chromium is not installed (.ci/run installs it with apt-get)")
    pytest.importorskip("PIL", reason="Pillow comes with matplotlib (the plot extra)")
    figures = _make_figures_module()
    page = tmp_path / "report.html"
    page.write_text(rctkit.report(example_trial()).to_html(standalone=True), encoding="utf-8")
    png = tmp_path / "report.png"
    start = time.perf_counter()
    figures._html_picture(page, png)
    assert time.perf_counter() - start < 20
    width, height = png_size(png.read_bytes())
    window_width, window_height = figures.HTML_WINDOW
    assert width == window_width >= 800
    # The report (CONSORT diagram and three tables) is taller than wide, and not cut off.
    assert 800 < height < window_height


# --- the README's examples are doctests ------------------------------------------------------

_FENCE = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks_not_run(markdown: str) -> list[str]:
    """The ```python blocks of a Markdown text that are not doctests (so nothing runs them).

    A block runs as a doctest (``--doctest-glob=README.md``) when its first line is a
    ``>>>`` prompt; its last output must be followed by a blank line, or the closing fence
    would be read as part of the expected output.
    """
    bad = []
    for block in _FENCE.finditer(markdown):
        if block["lang"] not in {"python", "py", "pycon"}:
            continue
        body = block["body"]
        if not body.startswith(">>> ") or not body.endswith("\n\n"):
            bad.append(body)
    return bad


def test_the_readme_python_blocks_are_doctests() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```python\n>>> " in readme
    assert python_blocks_not_run(readme) == []


def test_the_readme_check_finds_a_block_that_does_not_run() -> None:
    text = "Text\n\n```python\nimport rctkit as rk\nrk.odds_ratio(core)  # 0.67\n```\n"
    text += "\n```python\n>>> 1 + 1\n2\n\n```\n\n```python\n>>> 1 + 1\n2\n```\n"
    assert python_blocks_not_run(text) == [
        "import rctkit as rk\nrk.odds_ratio(core)  # 0.67\n",
        ">>> 1 + 1\n2\n",
    ]


def test_the_readme_is_collected_as_a_doctest() -> None:
    """pyproject's pytest settings run README.md with the rest of the suite."""
    pytest_settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    options = pytest_settings["tool"]["pytest"]["ini_options"]
    assert "README.md" in options["testpaths"]
    assert "--doctest-glob=README.md" in options["addopts"]

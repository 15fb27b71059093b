"""The layout's rules, checked on the source: no import cycle, no module over 800 lines.

Imports are read from the syntax tree of every module under ``src/rctkit``, including imports
inside functions (a lazy import that goes back up a layer still makes a circle). Imports under
``if TYPE_CHECKING:`` are left out: they never run. A package's ``__init__`` counts as a module
of its own, so a module that imports its package's ``__init__`` (``from rctkit import x`` for a
name that is not a submodule) ties itself to everything that ``__init__`` imports.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "rctkit"
MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The rctkit modules that ``module`` imports, anywhere in its body."""
    found: set[str] = set()
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "rctkit":
                    found.add(_existing(alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != "rctkit":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else _existing(base))
    found.discard(module)
    return found


def _existing(name: str) -> str:
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def import_graph() -> dict[str, set[str]]:
    graph = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[name] = _imports(tree, name, path.name == "__init__.py")
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_planted_cycle() -> None:
    # The check must be able to fail: a lazy import inside a function closes a circle.
    graph = import_graph()
    tree = ast.parse("def f():\n    from rctkit.report import TrialReport\n")
    planted = dict(graph)
    planted["rctkit.model.trial"] = graph["rctkit.model.trial"] | _imports(
        tree, "rctkit.model.trial", False
    )
    assert any("rctkit.model.trial" in c and "rctkit.report" in c for c in cycles(planted))


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert found == [], f"import cycles among rctkit modules: {found}"


def test_the_model_imports_no_report_or_rendering() -> None:
    graph = import_graph()
    for name in graph:
        if name == "rctkit.model" or name.startswith("rctkit.model."):
            upward = {
                m
                for m in graph[name]
                if not (m.startswith("rctkit.model") or m.startswith("rctkit._validation"))
                and m not in ("rctkit.errors", "rctkit._warnings")
            }
            assert upward == set(), f"{name} imports {upward}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_800_lines(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines"


#: The floors of the house, from the bottom (docs: "How rctkit is built"). A module imports
#: modules of its own floor or below; a module that matches no floor fails the test, so that a
#: new module is given its place deliberately.
LAYERS: tuple[tuple[str, ...], ...] = (
    (
        "rctkit.errors",
        "rctkit._validation",
        "rctkit._warnings",
        "rctkit._special",
        "rctkit._version",
        "rctkit._progress",
    ),
    ("rctkit.results", "rctkit.formatting"),
    ("rctkit.model",),
    ("rctkit.trialfile", "rctkit.io", "rctkit.data"),
    ("rctkit._kernels",),
    ("rctkit._engine",),
    (
        "rctkit.effects",
        "rctkit.hypothesis_tests",
        "rctkit.nnt",
        "rctkit.strata",
        "rctkit.mantel_fleiss",
        "rctkit.batch",
        "rctkit.tidy",
        "rctkit.margins",
        "rctkit.multiplicity",
    ),
    (
        "rctkit.bootstrap",
        "rctkit.adjusted",
        "rctkit.coverage",
        "rctkit.power",
        "rctkit.fragility",
        "rctkit.tipping",
    ),
    (
        "rctkit.harms",
        "rctkit.summary",
        "rctkit.evaluate",
        "rctkit.ae_counts",
        "rctkit.ae_rates",
    ),
    (
        "rctkit.consort",
        "rctkit.tables",
        "rctkit.rtf",
        "rctkit.subgroups",
        "rctkit.ae_tables",
        "rctkit.ae_severity",
    ),
    ("rctkit.report",),
    ("rctkit.plots", "rctkit.cli"),
    ("rctkit", "rctkit.__main__"),  # python -m rctkit runs the command line
)


def floor_of(module: str) -> int:
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if prefix == "rctkit" and module != "rctkit":
                continue
            if module == prefix or module.startswith(prefix + "."):
                return level
    raise LookupError(module)


def test_every_module_has_a_floor() -> None:
    missing = []
    for name in MODULES:
        try:
            floor_of(name)
        except LookupError:
            missing.append(name)
    assert missing == [], f"modules with no floor in LAYERS: {missing}"


def test_imports_go_down() -> None:
    upward = [
        f"{a} (floor {floor_of(a)}) imports {b} (floor {floor_of(b)})"
        for a, targets in import_graph().items()
        for b in sorted(targets)
        if floor_of(b) > floor_of(a)
    ]
    assert upward == [], "\n".join(upward)

"""The dependency rule: model <- presets, export, probe <- ui, cli; nothing below ui imports Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import pgplanner

PACKAGE = Path(pgplanner.__file__).parent
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2")
# What each layer may import from pgplanner itself.
ALLOWED = {
    "model": {"model"},
    "presets": {"model", "presets", "assets"},
    "present": {"model", "present"},
    "export": {"model", "export", "presets", "assets", "present"},
    "probe": {"model", "probe"},
}


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "resources" not in p.parts]


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _imports(path: Path) -> list[tuple[str, int]]:
    """Absolute names of what ``path`` imports (relative imports resolved against the package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["pgplanner", *path.relative_to(PACKAGE).parent.parts]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.append((module, node.lineno))
            if node.module is None:  # from . import budget
                found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


@pytest.mark.parametrize(
    "path", [p for p in _modules() if _layer(p) != "ui"], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_no_qt_below_ui(path):
    offending = [f"{name} (line {line})" for name, line in _imports(path) if name.split(".")[0] in QT_MODULES]
    assert not offending, f"{path.name} imports Qt: {offending}"


@pytest.mark.parametrize(
    "path", [p for p in _modules() if _layer(p) in ALLOWED], ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_layers_only_import_downwards(path):
    layer = _layer(path)
    used = {name.split(".")[1] for name, _ in _imports(path) if name.startswith("pgplanner.") and name.count(".") >= 1}
    assert used <= ALLOWED[layer], f"{layer} may not import {sorted(used - ALLOWED[layer])}"


def test_headless_commands_never_load_qt():
    """Importing everything below ui and running a plan leaves Qt unloaded (a fresh interpreter)."""
    code = (
        "import sys, pgplanner.cli, pgplanner.model, pgplanner.present.plain;"
        "pgplanner.cli.main(['plan', '--json']);"
        f"loaded = [m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}];"
        "sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _module_name(path: Path) -> str:
    parts = ["pgplanner", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, modules: set[str]) -> set[str]:
    """The pgplanner modules ``path`` imports when it runs, in functions too (an import there closes a
    cycle as surely, only later); imports under ``if TYPE_CHECKING:`` never run and do not count.
    ``from . import x`` imports the module x, not the package that is already being imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            node.body = []
    package = _module_name(path).split(".") if path.name == "__init__.py" else _module_name(path).split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] if node.level else [])
            module = ".".join(part for part in (base, node.module or "") if part)
            submodules = {f"{module}.{alias.name}" for alias in node.names} & modules
            names |= submodules if node.module is None and submodules else {module, *submodules}
    found = set()
    for name in names:
        parts = name.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        if parts:
            found.add(".".join(parts))
    return found - {_module_name(path)}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` as the modules along it (first one repeated at the end), or []."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" once every path from it is explored
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return [*path[path.index(imported) :], imported]
            if imported not in state and (found := visit(imported)):
                return found
        path.pop()
        state[module] = "done"
        return []

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return []


def test_no_import_cycles():
    """No module imports one that imports it back, directly or through others, even from inside a
    function (the window once did: app -> main_window -> export_dialog -> render -> app)."""
    paths = {_module_name(p): p for p in _modules()}
    graph = {name: _runtime_imports(path, set(paths)) for name, path in paths.items()}
    assert graph["pgplanner.ui.render"], "the import graph lost the window's modules"  # the check sees something
    assert _cycle(graph) == [], " -> ".join(_cycle(graph))


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycle(graph) in (["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"])
    assert _cycle({"a": {"b"}, "b": set()}) == []

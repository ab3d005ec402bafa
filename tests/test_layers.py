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

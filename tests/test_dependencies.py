"""Every package pgplanner imports is declared in pyproject.toml (CI installs from it, in a fresh venv)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pgplanner

PACKAGE = Path(pgplanner.__file__).parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"
# import name -> distribution name, where they differ
DISTRIBUTION = {
    "PySide6": "PySide6-Essentials",
    "shiboken6": "PySide6-Essentials",
    "annotated_types": "annotated-types",
    "pydantic_core": "pydantic-core",
}


def _imported_top_level() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        if "resources" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(PACKAGE)))
    return found


def _declared() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    return {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in requirements}


def test_every_import_is_declared():
    declared = _declared()
    third_party = {
        name: where
        for name, where in _imported_top_level().items()
        if name not in sys.stdlib_module_names and name != "pgplanner"
    }
    missing = {
        name: where for name, where in third_party.items() if DISTRIBUTION.get(name, name).lower() not in declared
    }
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"

"""Loading the scripts in packaging/ by path.

packaging/ is a folder of scripts, not a package: a package named ``packaging`` would shadow the PyPI
library of that name for everything run from the checkout (pip, pytest, hatchling).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

PACKAGING = Path(__file__).resolve().parent.parent.parent / "packaging"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"pgplanner_packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None, f"packaging/{name}.py is missing"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

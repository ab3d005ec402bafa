"""Start-up builds and imports only what the first paint needs (issue: start-up within 1.5x a bare window).

The Server menu's dialogs and psycopg, the provider presets, the export bundle and the HTML report load
when first used; the latency plot is built when a plan first has latency to draw. A fresh interpreter
opens the window as the program does and lists what it loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

LOADED_ON_FIRST_USE = (
    "pgplanner.ui.server",
    "psycopg",
    "pgplanner.presets",
    "pgplanner.export",
    "pgplanner.present.report",
    "pgplanner.probe",
)
LATER = tuple(f"{name}." for name in LOADED_ON_FIRST_USE)  # their submodules
# The errors the command line's main() catches for every command (the module imports no driver), and the
# stop signals the window and every command listen for (a module without imports of its own).
AT_START = ("pgplanner.probe", "pgplanner.probe.session", "pgplanner.probe.signals")

# The `pgplanner` command without arguments, closing its window once shown (the smoke tests' hook).
OPEN_THE_WINDOW = """
import json, sys
from pgplanner.cli import main
assert main([]) == 0
from PySide6.QtWidgets import QApplication
from pgplanner.ui.main_window import MainWindow
window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
print(json.dumps({"modules": sorted(sys.modules), "latency_plot_built": window._latency_plot is not None}))
"""


def test_the_window_opens_without_what_it_loads_on_first_use(tmp_path):
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PGPLANNER_SETTINGS": str(tmp_path / "settings.ini"),
        "PGPLANNER_QUIT_AFTER": "0.2",
    }
    done = subprocess.run([sys.executable, "-c", OPEN_THE_WINDOW], capture_output=True, text=True, env=env, check=True)
    opened = json.loads(done.stdout.splitlines()[-1])
    early = [
        name
        for name in opened["modules"]
        if (name in LOADED_ON_FIRST_USE or name.startswith(LATER)) and name not in AT_START
    ]
    assert early == []
    assert not opened["latency_plot_built"]

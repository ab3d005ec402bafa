"""``pgplanner screenshot``: the window, rendered offscreen to a PNG, for READMEs and bug reports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..model import Scenario

DEFAULT_SIZE = (1280, 800)


def save_screenshot(scenario: Scenario, out: Path, size: tuple[int, int] = DEFAULT_SIZE) -> Path:
    """Render the window for ``scenario`` at ``size`` and write it to ``out`` (PNG)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from .application import application
    from .main_window import MainWindow

    app = application()
    # A throwaway store: a screenshot must not read or overwrite the user's last session and geometry.
    with tempfile.TemporaryDirectory(prefix="pgplanner-screenshot-") as scratch:
        window = MainWindow(QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat))
        window.document.new(scenario)
        window.document.recompute()
        window.resize(*size)
        window.show()
        app.processEvents()
        image = window.grab()
        window.close()
    if not image.save(str(out), "PNG"):
        raise OSError(f"{out}: cannot write the PNG")
    return out

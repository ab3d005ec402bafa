"""``pgplanner screenshot``: the window, rendered offscreen to a PNG, for READMEs and bug reports."""

from __future__ import annotations

import os
from pathlib import Path

from ..model import Scenario

DEFAULT_SIZE = (1280, 800)


def save_screenshot(scenario: Scenario, out: Path, size: tuple[int, int] = DEFAULT_SIZE) -> Path:
    """Render the window for ``scenario`` at ``size`` and write it to ``out`` (PNG)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings

    from .app import application
    from .main_window import MainWindow

    app = application()
    window = MainWindow(QSettings())  # a throwaway store: a screenshot must not touch the user's settings
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

"""``pgplanner screenshot``: the window, rendered offscreen to a PNG, for READMEs and bug reports."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..export.atomic import write_file_atomically
from ..model import Scenario

DEFAULT_SIZE = (1280, 800)


def save_screenshot(scenario: Scenario, out: Path, size: tuple[int, int] = DEFAULT_SIZE) -> Path:
    """Render the window for ``scenario`` at ``size`` and write it to ``out`` (PNG)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QIODevice, QSettings

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
    png = QBuffer()
    png.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(png, "PNG"):
        raise OSError(f"{out}: cannot encode the PNG")
    write_file_atomically(out, bytes(png.data().data()))
    return out

"""Starting the window: the hooks smoke tests use, around the application object and the main window."""

from __future__ import annotations

import os

from PySide6.QtCore import QTimer

from .application import application, settings
from .main_window import MainWindow

# PGPLANNER_QUIT_AFTER: seconds after which the window closes itself (bundle smoke tests).


def run() -> int:
    app = application()
    window = MainWindow(settings())
    window.restore_session()
    window.show()
    quit_after = os.environ.get("PGPLANNER_QUIT_AFTER")
    if quit_after:
        QTimer.singleShot(int(float(quit_after) * 1000), window.close)
    return app.exec()

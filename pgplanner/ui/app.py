"""Starting the window: the application object, settings, and the hooks smoke tests use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QSettings, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..assets import resource
from .main_window import MainWindow

ORGANIZATION = APPLICATION = "pgplanner"
# PGPLANNER_SETTINGS: an INI file to use instead of the platform's settings store (tests, portable use).
# PGPLANNER_QUIT_AFTER: seconds after which the window closes itself (bundle smoke tests).


# The offscreen platform says this on every show(); it means nothing for an offscreen window.
HARMLESS_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def _filter_messages(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message not in HARMLESS_MESSAGES:
        sys.stderr.write(f"{message}\n")


def application() -> QApplication:
    if QApplication.instance() is None:
        qInstallMessageHandler(_filter_messages)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("pgplanner")
    icon = resource("icons", "pgplanner.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def settings() -> QSettings:
    path = os.environ.get("PGPLANNER_SETTINGS")
    if path:
        return QSettings(str(Path(path)), QSettings.Format.IniFormat)
    return QSettings(ORGANIZATION, APPLICATION)


def run() -> int:
    app = application()
    window = MainWindow(settings())
    window.restore_session()
    window.show()
    quit_after = os.environ.get("PGPLANNER_QUIT_AFTER")
    if quit_after:
        QTimer.singleShot(int(float(quit_after) * 1000), window.close)
    return app.exec()

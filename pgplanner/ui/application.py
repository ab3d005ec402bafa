"""The one QApplication and the settings store, without a window: the offscreen renderers (plots for a
bundle, screenshots) use them too, so this module imports nothing of the window."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..assets import resource

ORGANIZATION = APPLICATION = "pgplanner"
# PGPLANNER_SETTINGS: an INI file to use instead of the platform's settings store (tests, portable use).


# The offscreen platform says this on every show(); it means nothing for an offscreen window.
HARMLESS_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def _filter_messages(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message not in HARMLESS_MESSAGES:
        sys.stderr.write(f"{message}\n")


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        qInstallMessageHandler(_filter_messages)
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication), "a window needs a QApplication, not a QCoreApplication"
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

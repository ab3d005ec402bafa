"""The ``app`` fixture: a real window in the offscreen platform, with its own settings file.

The offscreen platform's one screen is 800x600 unless told otherwise; the window fits its default size to
the screen, so the cases run on a common desktop instead: one 1920x1200 screen (desktop.json).
"""

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from .adapter import open_app

if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).with_name('desktop.json')}"


@pytest.fixture
def app(qtbot, tmp_path):
    palette, style = QApplication.palette(), QApplication.style().name()
    yield open_app(qtbot, tmp_path / "settings.ini")
    # A test that switched the desktop to dark leaves it as it was. Only then: setting a style or palette,
    # even the same, polishes every widget the worker still holds, seconds after a few hundred tests.
    if QApplication.style().name() != style:
        QApplication.setStyle(style)
    if QApplication.palette() != palette:
        QApplication.setPalette(palette)

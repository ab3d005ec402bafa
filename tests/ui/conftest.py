"""The ``app`` fixture: a real window in the offscreen platform, with its own settings file."""

import pytest
from PySide6.QtWidgets import QApplication

from .adapter import open_app


@pytest.fixture
def app(qtbot, tmp_path):
    palette, style = QApplication.palette(), QApplication.style().name()
    yield open_app(qtbot, tmp_path / "settings.ini")
    QApplication.setStyle(style)  # a test that switched the desktop to dark leaves it as it was
    QApplication.setPalette(palette)

"""The ``app`` fixture: a real window in the offscreen platform, with its own settings file."""

import pytest

from .adapter import open_app


@pytest.fixture
def app(qtbot, tmp_path):
    return open_app(qtbot, tmp_path / "settings.ini")

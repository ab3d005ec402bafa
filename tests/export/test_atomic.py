"""The one atomic writer (scenario files, reports, screenshots and bundles): whole or nothing, modes as
an ordinary write would give them, and an existing file never damaged."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from pgplanner.export import atomic
from pgplanner.export.atomic import write_file_atomically, write_tree_atomically


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield 0o022
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_has_the_mode_the_umask_gives(tmp_path: Path, umask_022):
    write_file_atomically(tmp_path / "plan.html", "<p>é</p>")
    write_file_atomically(tmp_path / "raise.sh", b"#!/bin/sh\n", executable=True)
    assert (tmp_path / "plan.html").read_bytes() == "<p>é</p>".encode()
    assert (mode(tmp_path / "plan.html"), mode(tmp_path / "raise.sh")) == (0o644, 0o755)


def test_a_replaced_file_keeps_its_mode(tmp_path: Path, umask_022):
    target = tmp_path / "scenario.json"
    target.write_text("old")
    target.chmod(0o600)
    write_file_atomically(target, "new")
    assert (target.read_text(), mode(target)) == ("new", 0o600)


def test_without_replace_an_existing_file_is_refused_and_kept(tmp_path: Path):
    target = tmp_path / "bundle.zip"
    target.write_bytes(b"someone else's")
    with pytest.raises(FileExistsError):
        write_file_atomically(target, b"ours", replace=False)
    assert target.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.zip"]


def test_a_full_disk_leaves_the_old_file_and_no_staging_copy(tmp_path: Path, monkeypatch):
    target = tmp_path / "scenario.json"
    target.write_text("old")

    def full(path, data, **kwargs):
        path.write_bytes(data[:1])  # a partial write, as a full disk leaves it
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(atomic, "_write_durably", full)
    with pytest.raises(OSError, match="No space left"):
        write_file_atomically(target, "new and longer")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.json"]


def test_a_tree_is_written_whole_with_executables_marked(tmp_path: Path, umask_022):
    write_tree_atomically(
        {"a/b.conf": b"x = 1\n", "os/raise.sh": b"#!/bin/sh\n"},
        tmp_path / "out",
        executable=lambda path: path.endswith(".sh"),
    )
    assert (tmp_path / "out/a/b.conf").read_bytes() == b"x = 1\n"
    assert (mode(tmp_path / "out"), mode(tmp_path / "out/a/b.conf"), mode(tmp_path / "out/os/raise.sh")) == (
        0o755,
        0o644,
        0o755,
    )
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_tree_replaces_the_old_one_and_leaves_nothing_aside(tmp_path: Path):
    write_tree_atomically({"old.txt": b"old"}, tmp_path / "out")
    write_tree_atomically({"new.txt": b"new"}, tmp_path / "out", replace=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]

"""Writing files whole or not at all: a crash, a full disk or a refused permission never leaves half a
file or half a folder behind, and never damages what was there.

Everything is staged beside the target (a hidden sibling, so the final rename stays on one
filesystem), flushed to disk, and only then renamed into place. New files get the mode an ordinary
write would give (666 or 777, less the umask), so colleagues can read them whenever the user's umask
says they may; a replaced file keeps its mode. Scenario files, reports and bundles all go through here.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path


def write_file_atomically(
    path: str | os.PathLike[str], data: str | bytes, *, replace: bool = True, executable: bool = False
) -> None:
    """Write ``data`` (text as UTF-8) to ``path``, all of it or nothing.

    With ``replace`` an existing file is replaced in one step; without it an existing file (even
    one that appears while writing) raises FileExistsError and is left alone.
    """
    path = Path(path)
    staged = _stage_file(path, data.encode() if isinstance(data, str) else data, executable)
    _publish(staged, path, replace=replace)


def write_tree_atomically(
    files: Mapping[str, bytes],
    target: str | os.PathLike[str],
    *,
    replace: bool = False,
    executable: Callable[[str], bool] = lambda path: False,
) -> None:
    """Write a folder holding ``files`` (by relative path) at ``target``, all of them or none.

    With ``replace`` an existing folder at ``target`` is swapped out (put back if the swap fails);
    without it a folder that appears meanwhile raises OSError (EEXIST or ENOTEMPTY) and is left alone.
    """
    target = Path(target)
    staged = _sibling(target, lambda path: path.mkdir())
    try:
        for name, data in sorted(files.items()):
            destination = staged / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            _write_durably(destination, data, executable=executable(name))
    except BaseException:
        _remove(staged)
        raise
    _publish(staged, target, replace=replace)


def _stage_file(path: Path, data: bytes, executable: bool) -> Path:
    mode = 0o777 if executable else 0o666
    staged = _sibling(path, lambda candidate: candidate.touch(mode, exist_ok=False))
    try:
        _write_durably(staged, data, executable=executable)
        if path.is_file():
            os.chmod(staged, stat.S_IMODE(path.stat().st_mode))  # a replaced file keeps its mode
    except BaseException:
        _remove(staged)
        raise
    return staged


def _sibling(target: Path, create: Callable[[Path], None]) -> Path:
    """A new hidden sibling of ``target``, made by ``create`` with the user's umask (mkstemp would make it private)."""
    while True:
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            create(candidate)
        except FileExistsError:
            continue
        return candidate


def _write_durably(path: Path, data: bytes, *, executable: bool = False) -> None:
    """Write and flush to disk, so the rename never publishes a file the kernel has not stored."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o777 if executable else 0o666)
    with open(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _publish(staged: Path, target: Path, *, replace: bool) -> None:
    """Rename what was staged into place; on any failure the staged copy goes and the target is as it was."""
    try:
        _move_into_place(staged, target, replace=replace)
    except BaseException:
        _remove(staged)
        raise


def _move_into_place(staged: Path, target: Path, *, replace: bool) -> None:
    if not replace:
        if staged.is_dir():
            os.rename(staged, target)  # fails on a non-empty directory that appeared meanwhile
        else:
            _link_no_clobber(staged, target)
        return
    if staged.is_file():
        os.replace(staged, target)  # one atomic step for a file
        return
    # A directory cannot be swapped in one step: move the old one aside, put it back on failure.
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    old = aside / "previous"
    os.rename(target, old)
    try:
        os.rename(staged, target)
    except BaseException:
        os.rename(old, target)
        _remove(aside)
        raise
    _remove(aside)


def _link_no_clobber(staged: Path, target: Path) -> None:
    try:
        os.link(staged, target)  # refuses, atomically, when the target appeared meanwhile
    except OSError as error:
        if error.errno == errno.EEXIST:
            raise
        if target.exists():  # a filesystem without hard links: check, then rename
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.rename(staged, target)
        return
    staged.unlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)

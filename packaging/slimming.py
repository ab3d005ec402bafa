"""The mechanics of trimming a PyInstaller Analysis; the spec decides what goes and says why.

Dropping a Qt plugin from the Analysis after the fact would leave behind the host libraries that only
that plugin linked (the GTK theme plugin alone drags in GTK, cairo and pango), so ``drop`` also removes
the libraries nothing kept still needs. ``strip_interpreter`` shrinks the interpreter's own binaries: a
pyenv-built Python is compiled with -g (libpython is 22 MiB with its debug information, 6 MiB without).
Only those are stripped: the wheels' binaries are already stripped and rewritten by auditwheel's
patchelf, and strip can break such files (NixOS/patchelf#10, pypa/manylinux#119).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from fnmatch import fnmatch
from pathlib import Path

from PyInstaller.depend import bindepend

Entry = tuple[str, str, str]  # PyInstaller TOC entry: (name in the bundle, source path, type code)
REPORT_NAMES = 40  # a folder with more dropped files than this is reported by count (the translations)


def matches(entry: Entry, patterns: Iterable[str]) -> bool:
    """Whether the entry's place in the bundle matches a glob (``/``-separated on every platform)."""
    name = entry[0].replace("\\", "/")  # Windows TOC names use backslashes
    return any(fnmatch(name, pattern) for pattern in patterns)


def drop(
    binaries: Sequence[Entry], datas: Sequence[Entry], patterns: Sequence[str]
) -> tuple[list[Entry], list[Entry], list[Entry]]:
    """``(binaries, datas, dropped)``: what matches ``patterns`` goes, with the libraries only it needed
    and the links PyInstaller made to any of them."""
    gone = [entry for entry in binaries if matches(entry, patterns)]
    kept = [entry for entry in binaries if not matches(entry, patterns)]
    # Resolve every link against the folders the binaries come from, as the bundle will (Windows needs it).
    search = sorted({os.path.dirname(_source(entry)) for entry in binaries})
    needed_by_gone = _closure((_source(entry) for entry in gone), search)
    roots = [_source(entry) for entry in kept if _source(entry) not in needed_by_gone]
    orphans = needed_by_gone - _closure(roots, search) - set(roots)
    gone += [entry for entry in kept if _source(entry) in orphans]
    gone_names = {entry[0] for entry in gone}
    # A SYMLINK entry's source is its target's place in the bundle.
    gone += [e for e in datas if matches(e, patterns) or (e[2] == "SYMLINK" and e[1] in gone_names)]
    leave_out = set(gone)
    return [e for e in binaries if e not in leave_out], [e for e in datas if e not in leave_out], gone


def report(dropped: Sequence[Entry]) -> None:
    """Say on stderr what the bundle leaves out and what that saves, so every build shows it."""
    folders: dict[str, list[tuple[str, int]]] = {}
    for name, source, kind in dropped:
        place = Path(name)
        size = 0 if kind == "SYMLINK" else os.path.getsize(source)
        folders.setdefault(place.parent.as_posix(), []).append((place.name, size))
    total = sum(size for files in folders.values() for _, size in files)
    print(f"slimming: left out {len(dropped)} files, {total / 2**20:.1f} MiB", file=sys.stderr)
    for folder, files in sorted(folders.items()):
        names = ", ".join(sorted(name for name, _ in files)) if len(files) <= REPORT_NAMES else f"{len(files)} files"
        where = "top level" if folder == "." else f"{folder}/"
        print(f"  {sum(size for _, size in files) / 2**20:5.1f} MiB  {where}: {names}", file=sys.stderr)


def _source(entry: Entry) -> str:
    return os.path.realpath(entry[1])


def _closure(paths: Iterable[str], search: list[str]) -> set[str]:
    """Every library the given binaries link, directly or through each other (resolved paths)."""
    found: set[str] = set()
    pending = list(paths)
    while pending:
        for _, resolved in bindepend.get_imports(pending.pop(), search):
            if resolved and (real := os.path.realpath(resolved)) not in found:
                found.add(real)
                pending.append(real)
    return found


def strip_interpreter(binaries: Sequence[Entry], workdir: Path) -> list[Entry]:
    """The binaries, with libpython and the standard library's extension modules replaced by copies
    without debug information (``strip --strip-debug`` keeps every symbol)."""
    folders = {os.path.realpath(sysconfig.get_config_var(name)) for name in ("LIBDIR", "DESTSHARED")}
    out = []
    for name, source, kind in binaries:
        if os.path.dirname(os.path.realpath(source)) in folders:
            copy = workdir / "stripped" / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["strip", "--strip-debug", "-o", str(copy), source], check=True)  # binutils
            source = str(copy)
        out.append((name, source, kind))
    return out

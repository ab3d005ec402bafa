"""Build pgplanner's desktop bundle for this platform, and with --smoke, run the frozen program's tests.

    python packaging/build.py           # dist/pgplanner/ (on macOS also dist/pgplanner.app)
    python packaging/build.py --smoke   # the same, then tests/packaging and tests/bundle against it

It runs PyInstaller (``pip install pyinstaller``; nothing is installed for you) on pgplanner.spec,
then reports the bundle's size and file count, measured rather than assumed. On Linux it also refuses
a bundle whose Qt plugins link a library that neither the bundle nor PyInstaller's list of
libraries every system provides (libc, libGL, libxcb, libwayland-*) accounts for: such a plugin fails
to load on the user's machine ("could not load the Qt platform plugin xcb"), and the fix is to
install the library on the build machine so the bundle can carry it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "packaging" / "pgplanner.spec"
DIST = REPO / "dist"
WORK = REPO / "build" / "pyinstaller"
BUNDLE = DIST / "pgplanner"
# The program the smoke tests run: on Windows the console twin, so its output can be read.
PROGRAM = BUNDLE / ("pgplanner-cli.exe" if sys.platform.startswith("win") else "pgplanner")
ELF_MAGIC = b"\x7fELF"


def build() -> float:
    """Run PyInstaller on the spec; the seconds it took."""
    started = time.monotonic()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    subprocess.run([*command, "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)], check=True, cwd=REPO)
    return time.monotonic() - started


def size_and_count(folder: Path) -> tuple[int, int]:
    """Bytes and files in ``folder`` (symbolic links count as files of their own small size)."""
    total = count = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            total += os.lstat(os.path.join(parent, name)).st_size
            count += 1
    return total, count


def missing_libraries(folder: Path) -> dict[str, set[str]]:
    """Libraries the bundle's binaries link but cannot find, that PyInstaller would have bundled."""
    from PyInstaller.depend import bindepend, dylib

    missing: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or not _is_elf(path):
            continue
        for name, resolved in bindepend.get_imports(str(path)):
            if resolved is None and dylib.include_library(name):
                missing.setdefault(name, set()).add(path.relative_to(folder).as_posix())
    return missing


def _is_elf(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == ELF_MAGIC


def smoke() -> int:
    """The packaging tests and the frozen program's tests against the program just built; pytest's status."""
    env = {**os.environ, "PGPLANNER_BUNDLE": str(PROGRAM)}
    command = [sys.executable, "-m", "pytest", "-q", "tests/packaging", "tests/bundle"]
    return subprocess.run(command, cwd=REPO, env=env).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="then run tests/packaging and tests/bundle against it")
    args = parser.parse_args(argv)

    seconds = build()
    size, files = size_and_count(BUNDLE)
    print(f"{BUNDLE.relative_to(REPO)}: {size / 2**20:.1f} MiB in {files} files, built in {seconds:.0f} s")
    if sys.platform.startswith("linux"):
        missing = missing_libraries(BUNDLE)
        for name, users in sorted(missing.items()):
            print(f"missing {name}, needed by {', '.join(sorted(users))}", file=sys.stderr)
        if missing:
            print("install them on the build machine and build again (README: The desktop bundle)", file=sys.stderr)
            return 1
    return smoke() if args.smoke else 0


if __name__ == "__main__":
    sys.exit(main())

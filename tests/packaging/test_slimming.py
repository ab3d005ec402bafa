"""Dropping files from a bundle takes the libraries only they needed, and nothing another file needs.

The link graph is made up (monkeypatched over PyInstaller's resolver), so the rule is tested on its
own; the real bundle is tested by tests/bundle.
"""

from __future__ import annotations

import _json
import sys
from pathlib import Path

import numpy
import pytest

from .scripts import load

pytest.importorskip("PyInstaller", reason="packaging/build.py's tool (pip install pyinstaller)")
slimming = load("slimming")

LINKS = {
    "/qt/plugins/themes/libgtk-theme.so": ["/usr/lib/libgtk.so", "/qt/lib/libQtGui.so"],
    "/usr/lib/libgtk.so": ["/usr/lib/libcairo.so", "/usr/lib/libglib.so"],
    "/qt/plugins/platforms/libxcb.so": ["/qt/lib/libQtGui.so", "/usr/lib/libglib.so"],
    "/qt/lib/libQtGui.so": [],
    "/usr/lib/libcairo.so": [],
    "/usr/lib/libglib.so": [],
}


@pytest.fixture(autouse=True)
def made_up_links(monkeypatch):
    def get_imports(path, search_paths=None):
        return {(target.rsplit("/", 1)[1], target) for target in LINKS[path]}

    monkeypatch.setattr(slimming.bindepend, "get_imports", get_imports)


def _entry(path: str) -> tuple[str, str, str]:
    name = path.removeprefix("/usr/lib/").removeprefix("/")
    return (name, path, "BINARY")


def test_drop_takes_what_only_the_dropped_files_linked():
    binaries = [_entry(path) for path in LINKS]
    links = [("libQtGui.so", "qt/lib/libQtGui.so", "SYMLINK"), ("libgtk.so.0", "libgtk.so", "SYMLINK")]
    data = [("qt/translations/qt_de.qm", "/qt/translations/qt_de.qm", "DATA"), *links]
    kept, kept_data, dropped = slimming.drop(binaries, data, ["qt/plugins/themes/*", "qt/translations/*"])

    assert {source for _, source, _ in kept} == {
        "/qt/plugins/platforms/libxcb.so",
        "/qt/lib/libQtGui.so",  # the xcb plugin needs it too
        "/usr/lib/libglib.so",  # and this
    }
    assert kept_data == [links[0]]  # the link to a dropped library goes with it
    assert {name for name, _, _ in dropped} == {
        "qt/plugins/themes/libgtk-theme.so",
        "libgtk.so",
        "libcairo.so",
        "qt/translations/qt_de.qm",
        "libgtk.so.0",
    }


def test_matching_uses_forward_slashes_on_every_platform():
    assert slimming.matches(("PySide6\\Qt\\translations\\qt_de.qm", "", "DATA"), ["PySide6/Qt/translations/*"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the spec strips on Linux only")
def test_strip_interpreter_copies_only_the_interpreters_binaries(tmp_path):
    standard = ("lib-dynload/_json.so", _json.__file__, "EXTENSION")
    wheel = ("numpy/_core/_multiarray_umath.so", numpy._core._multiarray_umath.__file__, "EXTENSION")
    stripped, untouched = slimming.strip_interpreter([standard, wheel], tmp_path)
    assert untouched == wheel
    assert (stripped[0], stripped[2]) == (standard[0], standard[2])
    assert Path(stripped[1]).is_relative_to(tmp_path)
    assert 0 < Path(stripped[1]).stat().st_size <= Path(standard[1]).stat().st_size

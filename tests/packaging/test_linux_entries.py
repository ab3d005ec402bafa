"""The desktop entry and AppStream metainfo: valid for the freedesktop tools, and consistent with the
package (command, version, licence) and with the bundle's id."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import pgplanner

from ..integration.real import missing

REPO = Path(__file__).resolve().parent.parent.parent
LINUX = REPO / "resources" / "linux"
APP_ID = "io.github.pgplanner"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(DESKTOP.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_entry_starts_the_installed_command():
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Exec"] in PROJECT["scripts"]
    assert entry["Icon"] == APP_ID  # installed as hicolor/scalable/apps/io.github.pgplanner.svg
    assert entry["Terminal"] == "false"


def test_metainfo_names_the_desktop_entry_version_and_licence():
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP.name
    assert component.findtext("project_license") == PROJECT["license"]
    newest = component.find("releases/release")
    assert newest is not None and newest.get("version") == pgplanner.__version__


def test_the_bundle_uses_the_same_id():
    spec = (REPO / "packaging" / "pgplanner.spec").read_text()
    assert re.search(r'^APP_ID = "([^"]+)"', spec, re.MULTILINE).group(1) == APP_ID


@pytest.mark.parametrize(
    ("tool", "args", "path", "package"),
    [
        ("desktop-file-validate", [], DESKTOP, "desktop-file-utils"),
        ("appstreamcli", ["validate", "--no-net", "--pedantic"], METAINFO, "appstream"),
    ],
    ids=["desktop-file-validate", "appstreamcli"],
)
def test_freedesktop_tools_accept_the_files(tool, args, path, package):
    program = shutil.which(tool)
    if program is None:
        missing(f"{tool} not found; apt-get install {package}")
    done = subprocess.run([program, *args, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stdout.lower() + done.stderr.lower()

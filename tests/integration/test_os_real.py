"""Kernel files against the real Linux kernel, and the syntax of the files no test here can run."""

from __future__ import annotations

import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pgplanner.export.bundle import bundle_files
from pgplanner.model import PLATFORMS

from . import real
from .helpers import plan_with

pytestmark = pytest.mark.integration

SCENARIOS = {
    "default": {},
    "1,000 connections": {"max_connections": 1000, "clients": 5000},
    "tiny machine, many connections": {"ram": "256MB", "max_connections": 5000},
}
SYSCTL_LINE = re.compile(r"^[a-z][a-z0-9_.-]*[a-z0-9]( = |=)\"?\d+\"?$")


def _files(**inputs):
    return bundle_files(plan_with(**inputs), platforms=PLATFORMS)


@pytest.fixture(scope="module")
def linux_kernel() -> Path:
    proc_sys = Path("/proc/sys")
    if not sys.platform.startswith("linux") or not proc_sys.is_dir():
        pytest.skip("needs a Linux kernel (/proc/sys)")
    return proc_sys


@pytest.mark.parametrize("inputs", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_every_linux_sysctl_exists_in_this_kernel(linux_kernel: Path, inputs):
    result = plan_with(**inputs)
    written = {
        line.split("=")[0].strip()
        for path, data in bundle_files(result, platforms=["linux"]).items()
        if path.startswith("os/linux/sysctl")
        for line in data.decode().splitlines()
        if line and not line.startswith("#")
    }
    planned = {s.name for s in result.kernel_settings if s.platform == "linux" and s.where == "sysctl"}
    assert written <= planned
    for key in planned:
        assert (linux_kernel / key.replace(".", "/")).is_file(), f"{key} is not a sysctl of this kernel"


def test_raise_script_dry_run_reads_this_kernel_and_changes_nothing(linux_kernel: Path, tmp_path: Path):
    if shutil.which("sysctl") is None:
        real.missing("sysctl (procps) not found")
    for path, data in _files(**SCENARIOS["tiny machine, many connections"]).items():
        if path.startswith("os/linux/"):
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_bytes(data)
    before = {key: (linux_kernel / key).read_text() for key in ("fs/file-max", "net/core/somaxconn")}
    done = subprocess.run(
        ["sh", str(tmp_path / "os/linux/raise-limits.sh"), "--dry-run"], capture_output=True, text=True, check=True
    )
    for key in ("fs.file-max", "net.core.somaxconn"):
        assert re.search(rf"^(ok|raise)\s+{re.escape(key)}\b", done.stdout, re.M), done.stdout
    assert {key: (linux_kernel / key).read_text() for key in before} == before


@pytest.mark.parametrize("inputs", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_sysctl_and_loader_files_are_key_value_lines(inputs):
    for path, data in _files(**inputs).items():
        if path.endswith((".conf",)) and ("sysctl" in path or "loader" in path):
            lines = [line for line in data.decode().splitlines() if line and not line.startswith("#")]
            assert all(SYSCTL_LINE.match(line) for line in lines), (path, lines)


@pytest.mark.parametrize("inputs", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_launchd_plist_and_registry_file_parse(inputs):
    files = _files(platform="windows", **inputs)
    plist = plistlib.loads(files["os/macos/org.pgplanner.limits.plist"])
    assert plist["RunAtLoad"] is True and plist["ProgramArguments"][0] == "/bin/sh"
    subprocess.run(["sh", "-n"], input=plist["ProgramArguments"][2], text=True, check=True)
    reg = files.get("os/windows/desktop-heap.reg")
    if reg is not None:
        assert reg.startswith(b"\xff\xfe")
        assert reg[2:].decode("utf-16-le").startswith("Windows Registry Editor Version 5.00\r\n")


def test_shell_scripts_parse():
    for path, data in _files(**SCENARIOS["1,000 connections"]).items():
        if path.endswith(".sh"):
            subprocess.run(["sh", "-n"], input=data.decode(), text=True, check=True)

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
from .helpers import conf_values, export_for, plan_with

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


def test_transparent_huge_pages_file_names_a_file_this_kernel_has(linux_kernel: Path):
    text = _files(**SCENARIOS["default"])["os/linux/tmpfiles.d/90-pgplanner-thp.conf"].decode()
    [line] = [line for line in text.splitlines() if line and not line.startswith("#")]
    kind, path, *_, value = line.split()
    assert kind == "w" and Path(path).is_file()
    assert f"[{value}]" in Path(path).read_text() or value in Path(path).read_text().split()


# The DBA review's panel (reference/dba_review.md): a 1 GB VPS, and large boxes whose shared_buffers sit in
# huge pages; the reviewer measured 66,970 (64 cores / 512 GB) and 100,308 (96 cores / 768 GB) on 18.6.
PANEL = {
    "1 GB VPS": {"cores": 1, "ram": "1GB", "storage": "hdd", "app_instances": 2, "pool_per_instance": 5},
    "16 cores, 64 GB": {"cores": 16, "ram": "64GB", "storage": "nvme", "profile": "oltp", "replicas": 2},
    "64 cores, 512 GB": {"cores": 64, "ram": "512GB", "profile": "analytics", "work_mem": "256MB"},
    "96 cores, 768 GB, 5,000 clients": {
        "cores": 96, "ram": "768GB", "storage": "nvme", "profile": "oltp", "clients": 5000, "work_mem": "16MB",
        "replicas": 2,
    },
}  # fmt: skip


@pytest.mark.parametrize("inputs", PANEL.values(), ids=PANEL.keys())
def test_the_huge_page_floor_covers_the_server_s_own_count(runner, workdir, cluster, server_major, inputs):
    """vm.nr_hugepages, written as a floor beside huge_pages = on, is at least what ``postgres -C
    shared_memory_size_in_huge_pages`` says for the same postgresql.conf (and within 10 % of it); below the
    reservation size huge_pages stays try and no pages are reserved."""
    result = plan_with(pg_version=server_major, **inputs)
    assert not [w.code for w in result.warnings if w.blocking]
    bundle = export_for(runner, workdir, result, platforms=["linux"])
    conf = conf_values((bundle / "postgresql" / "postgresql.conf").read_text())
    floors = conf_values((bundle / "os" / "linux" / "sysctl-minimums.conf").read_text())
    cluster.include(bundle / "postgresql" / "postgresql.conf")
    server = int(cluster.show("shared_memory_size_in_huge_pages"))
    planned = result.kernel["linux"]["vm.nr_hugepages"]
    print(f"PostgreSQL {server_major}, {inputs}: server {server} huge pages, planned {planned}, {conf['huge_pages']}")
    assert server <= planned <= server * 1.1
    if conf["huge_pages"] == "on":
        assert int(floors["vm.nr_hugepages"]) == planned
    else:
        assert conf["huge_pages"] == "try" and "vm.nr_hugepages" not in floors
        cluster.start()  # small enough for this machine: it starts with the bundle as written
        assert cluster.sql("SHOW huge_pages") == [("try",)]


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

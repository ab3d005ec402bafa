"""Detecting this machine: psutil for the real numbers, cgroup files for a container's limits."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from pgplanner.model import Scenario
from pgplanner.probe.machine import cgroup_cpu_limit, cgroup_memory_limit, detect, guess_storage


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize(
    "files, limit",
    [
        ({"memory.max": "max\n"}, None),
        ({"memory.max": "4294967296\n"}, 4 * 2**30),
        ({"memory/memory.limit_in_bytes": "9223372036854771712\n"}, None),  # cgroup v1 "unlimited"
        ({"memory/memory.limit_in_bytes": "2147483648\n"}, 2 * 2**30),
        ({}, None),
    ],
)
def test_cgroup_memory_limit(tmp_path, files, limit):
    for name, text in files.items():
        write(tmp_path, name, text)
    assert cgroup_memory_limit(tmp_path) == limit


@pytest.mark.parametrize(
    "files, cpus",
    [
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
        ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2.0),
        ({}, None),
    ],
)
def test_cgroup_cpu_limit(tmp_path, files, cpus):
    for name, text in files.items():
        write(tmp_path, name, text)
    assert cgroup_cpu_limit(tmp_path) == cpus


def test_a_container_limit_wins_over_the_host(tmp_path):
    write(tmp_path, "memory.max", str(2**30))
    write(tmp_path, "cpu.max", "100000 100000")
    machine = detect(root=tmp_path)
    assert machine.ram == 2**30
    assert machine.cores == 1
    assert any("container memory limit" in note for note in machine.notes)


def test_the_real_machine(tmp_path):
    machine = detect(root=tmp_path)  # no cgroup files here: the host's own figures
    assert machine.ram == psutil.virtual_memory().total
    assert 1 <= machine.cores <= (psutil.cpu_count() or 1)
    assert machine.platform == "linux"
    Scenario().with_changes(**machine.changes())  # what it found is a valid scenario


def test_storage_from_mountinfo(tmp_path):
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        "22 1 0:21 / / rw,relatime - ext4 /dev/nvme0n1p2 rw\n30 22 0:30 / /data rw,relatime - xfs /dev/sdb1 rw\n"
    )
    assert guess_storage(mountinfo, Path("/")) == "nvme"
    assert guess_storage(mountinfo, Path("/tmp/x")) == "nvme"
    assert guess_storage(tmp_path / "missing", Path("/")) is None

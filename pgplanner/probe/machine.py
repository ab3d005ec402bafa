"""What this machine is: physical cores, RAM and storage, as a planner should count them.

Inside a container the host's numbers mislead: a cgroup memory limit or CPU quota is what
PostgreSQL will actually get, so both are respected and said. Storage is guessed from the block
device that holds the current directory's filesystem (Linux: rotational flag, nvme name).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..model.units import human_size

CGROUP = Path("/sys/fs/cgroup")
NO_LIMIT = 1 << 60  # cgroup v1 reports "no limit" as a huge number


@dataclass(frozen=True)
class Machine:
    cores: int
    ram: int
    storage: str | None  # hdd / ssd / nvme, or None when it cannot be told
    platform: str
    notes: list[str] = field(default_factory=list)

    def changes(self) -> dict[str, object]:
        """The Scenario inputs this machine fills (by flat name)."""
        found: dict[str, object] = {"cores": self.cores, "ram": self.ram, "platform": self.platform}
        if self.storage:
            found["storage"] = self.storage
        return found


def detect(root: Path = CGROUP, mounts: Path = Path("/proc/self/mountinfo")) -> Machine:
    import psutil  # imported here: only the "Detect this machine" action needs it

    notes = []
    physical = psutil.cpu_count(logical=False)
    logical = psutil.cpu_count(logical=True) or 1
    cores = physical or logical
    notes.append(f"{cores} physical cores ({logical} logical)" if physical else f"{logical} CPUs (physical unknown)")
    quota = cgroup_cpu_limit(root)
    if quota is not None and quota < cores:
        cores = max(1, math.floor(quota))
        notes.append(f"container CPU quota: {quota:g} CPUs")

    ram = psutil.virtual_memory().total
    notes.append(f"{human_size(ram)} RAM")
    limit = cgroup_memory_limit(root)
    if limit is not None and limit < ram:
        ram = limit
        notes.append(f"container memory limit: {human_size(limit)}")

    storage = guess_storage(mounts)
    notes.append(f"storage looks like {storage}" if storage else "storage type unknown (kept as is)")
    return Machine(cores=cores, ram=ram, storage=storage, platform=platform_name(), notes=notes)


def platform_name() -> str:
    if sys.platform.startswith("darwin"):
        return "macos"
    if sys.platform.startswith("freebsd"):
        return "freebsd"
    if sys.platform.startswith("win"):
        return "windows"
    return "linux"


def cgroup_memory_limit(root: Path = CGROUP) -> int | None:
    """The memory limit of this process's cgroup (v2 memory.max or v1 limit_in_bytes), if any."""
    for path in (root / "memory.max", root / "memory" / "memory.limit_in_bytes"):
        text = _read(path)
        if text and text != "max" and text.isdigit() and int(text) < NO_LIMIT:
            return int(text)
    return None


def cgroup_cpu_limit(root: Path = CGROUP) -> float | None:
    """CPUs allowed by a cgroup quota (v2 cpu.max "quota period", v1 cfs_quota_us/cfs_period_us)."""
    text = _read(root / "cpu.max")
    if text:
        quota, _, period = text.partition(" ")
        if quota != "max" and quota.isdigit() and period.isdigit():
            return int(quota) / int(period)
    v1_quota, v1_period = _read(root / "cpu" / "cpu.cfs_quota_us"), _read(root / "cpu" / "cpu.cfs_period_us")
    if v1_quota and v1_period and v1_quota.lstrip("-").isdigit() and int(v1_quota) > 0 and v1_period.isdigit():
        return int(v1_quota) / int(v1_period)
    return None


def guess_storage(mounts: Path = Path("/proc/self/mountinfo"), where: Path | None = None) -> str | None:
    """hdd, ssd or nvme for the device holding ``where`` (Linux); macOS machines are SSD; else None."""
    if sys.platform == "darwin":
        return "ssd"
    device = _block_device(mounts, (where or Path.cwd()).resolve())
    if device is None:
        return None
    if device.startswith("nvme"):
        return "nvme"
    rotational = _read(Path("/sys/block") / _disk_of(device) / "queue" / "rotational")
    if rotational == "1":
        return "hdd"
    return "ssd" if rotational == "0" else None


def _block_device(mounts: Path, where: Path) -> str | None:
    """The /dev name mounted at the longest mount point containing ``where``."""
    best, best_len = None, -1
    for line in (_read(mounts) or "").splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        mount_point = fields[4]
        source = line.split(" - ", 1)[1].split()[1]
        inside = str(where) == mount_point or str(where).startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) > best_len and source.startswith("/dev/"):
            best, best_len = source.removeprefix("/dev/"), len(mount_point)
    return best


def _disk_of(partition: str) -> str:
    """sda1 -> sda, vda -> vda (nvme names are handled before this)."""
    return partition.rstrip("0123456789") or partition


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None

"""Kernel and OS limits per platform, computed here and rendered by the export.

Facts from reference/kernel_pooler.md: Linux and FreeBSD use POSIX semaphores (no SysV tuning), macOS
needs SEMMNI/SEMMNS; huge pages are sized from the shared memory the server will allocate; seed 000
observed about 32 file descriptors per backend; PgBouncer needs max_client_conn plus its server
connections in descriptors; Windows services run out of non-interactive desktop heap.

Settings are either exact values to write or minimums ("raise to at least"): a minimum must never
lower a larger value the system already has, and the export says so beside it.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .concurrency import Pooling
from .derivation import Derivation, n
from .memory import MemoryBasis
from .rounding import next_power_of_two, round_up_readable
from .shared_memory import shared_memory_estimate
from .units import KB, MB, human_size
from .versions import DEFAULT_MAX_FILES_PER_PROCESS, semaphores

Where = Literal["sysctl", "loader.conf", "systemd", "limits.conf", "registry"]
PLATFORMS = ("linux", "macos", "freebsd", "windows")

FDS_PER_BACKEND = 32  # seed 000: "Each PostgreSQL process seems to use 32 fds"
FD_MARGIN = 1.1  # seed 000: "with some margin in case it grows"
OTHER_SYSTEM_FILES = 4096  # "plus some for other uses (like logging in)"
OTHER_USER_PROCESSES = 256  # shells, cron, the pooler and tools under the postgres user
OTHER_SYSTEM_PROCESSES = 1024
PROCESS_MARGIN = 1.25
PG_FD_MINFREE = 48  # fd.c: PostgreSQL refuses to start with fewer free descriptors than this
PGBOUNCER_FIXED_FDS = 10 + 16  # check_limits()'s 10, plus listening and admin sockets
HUGE_PAGE = 2 * MB
# Windows: a 2011 report lost backends near 500 connections with the then-default 512 kB
# non-interactive desktop heap, about 1 kB per process; 768 kB is today's default.
DESKTOP_HEAP_KB_PER_PROCESS = 1.0
DESKTOP_HEAP_DEFAULT_KB = 768
# The least an unmodified system has, so that a minimum at or below it is never written (writing it
# would lower the limit): systemd's DefaultTasksMax (15 % of the default pid_max) and soft
# RLIMIT_NOFILE, Linux 5.4+'s SOMAXCONN, the BSD/macOS listen queue default; macOS (xnu
# bsd/conf/param.c, sem_internal.h) before its RAM scaling, the lower of x86_64 and arm64:
# maxfiles 3 x OPEN_MAX, maxfilesperproc OPEN_MAX, maxproc 1,000, maxprocperuid 1,044 / 2, and
# System V semaphore limits of 1 MB / sizeof(struct sem) = 87,381 each.
STOCK = {
    "systemd.TasksMax": 4915,
    "linux.nofile": 1024,
    "linux.somaxconn": 4096,
    "bsd.somaxconn": 128,
    "macos.maxfiles": 30720,
    "macos.maxfilesperproc": 10240,
    "macos.maxproc": 1000,
    "macos.maxprocperuid": 522,
    "macos.sysv_semaphores": 87381,
}
# Linux sizes two limits from memory at boot: fs.file-max = RAM in kB / 10 (fs/file_table.c) and the
# default RLIMIT_NPROC = threads-max / 2 = RAM / 256 kB (kernel/fork.c, 16 kB stacks). The kernel
# counts only the RAM it manages, so the floor takes 90 % of the plan's RAM.
LINUX_RAM_SEEN = 0.9
LINUX_RAM_PER_FILE = 10 * KB
LINUX_RAM_PER_PROCESS = 256 * KB


class KernelSetting(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: str
    name: str
    value: int
    where: Where
    minimum: bool  # raise to at least this; never lower an existing larger value
    derivation: Derivation
    stock: int | None = None  # the least an unmodified system has, where documented (see STOCK)

    @property
    def needed(self) -> bool:
        """False for a minimum the stock system already meets: writing it would only lower the limit."""
        return not (self.minimum and self.stock is not None and self.value <= self.stock)


def kernel_settings(
    version: int,
    max_connections: int,
    wal_senders: int,
    basis: MemoryBasis,
    pooling: Pooling,
) -> list[KernelSetting]:
    """Every platform's settings for this plan."""
    sems = semaphores(version, max_connections, wal_senders)
    processes = sems.processes
    pgbouncer_fds = _pgbouncer_fds(pooling)
    pgbouncer_nofile, pgbouncer_why = _pgbouncer_nofile(pooling)
    process_why = f"{n(sems.count)} server process slots + postmaster = {n(processes)}"

    files = round_up_readable(processes * FDS_PER_BACKEND * FD_MARGIN + pgbouncer_fds + OTHER_SYSTEM_FILES)
    files_why = Derivation(
        formula="open files = processes x 32 fds x 1.1 + PgBouncer descriptors + 4,096 for the rest of the system",
        calculation=f"{n(processes)} x 32 x 1.1 + {n(pgbouncer_fds)} + 4,096 -> {n(files)}",
        note="seed 000 observed about 32 descriptors per backend",
    )
    pg_nofile = next_power_of_two(DEFAULT_MAX_FILES_PER_PROCESS + PG_FD_MINFREE)
    pg_nofile_why = Derivation(
        formula="per-process descriptors = max_files_per_process + 48 kept free, next power of two",
        calculation=f"{DEFAULT_MAX_FILES_PER_PROCESS} + {PG_FD_MINFREE} -> {n(pg_nofile)}",
    )
    per_user = round_up_readable(processes * PROCESS_MARGIN + OTHER_USER_PROCESSES)
    per_user_why = Derivation(
        formula="processes of the postgres user = server processes x 1.25 + 256 others",
        calculation=f"{process_why}; x 1.25 + 256 -> {n(per_user)}",
    )
    system_procs = round_up_readable(per_user + OTHER_SYSTEM_PROCESSES)
    system_procs_why = Derivation(
        formula="processes system-wide = postgres user's limit + 1,024 for everything else",
        calculation=f"{n(per_user)} + 1,024 -> {n(system_procs)}",
    )
    backlog = min(2 * max_connections, 10_000)
    backlog_why = Derivation(
        formula="listen queue = 2 x max_connections (PostgreSQL's listen() backlog, capped at 10,000)",
        calculation=f"2 x {n(max_connections)} = {n(backlog)}",
    )
    per_proc_files = max(pg_nofile, pgbouncer_nofile)
    per_proc_why = Derivation(
        formula="descriptors per process = the larger of PostgreSQL's and PgBouncer's needs",
        calculation=f"max({n(pg_nofile)}, {n(pgbouncer_nofile)}) = {n(per_proc_files)}",
    )

    settings: list[KernelSetting] = []

    def add(
        platform: str, name: str, value: int, where: Where, minimum: bool, why: Derivation, stock: int | None = None
    ) -> None:
        settings.append(
            KernelSetting(
                platform=platform, name=name, value=value, where=where, minimum=minimum, derivation=why, stock=stock
            )
        )

    # Linux: POSIX semaphores, no SysV tuning (PostgreSQL 10+).
    shm, shm_why = shared_memory_estimate(version, basis.shared_buffers, max_connections, wal_senders)
    hugepages = math.ceil(shm / HUGE_PAGE)
    add(
        "linux",
        "vm.overcommit_memory",
        2,
        "sysctl",
        False,
        Derivation(
            formula="strict overcommit: allocations fail instead of the OOM killer ending the postmaster",
            calculation="2",
            note="PostgreSQL docs, Linux Memory Overcommit",
        ),
    )
    ratio = min(100, max(50, math.ceil(100 * (basis.ram - basis.os_overhead) / basis.ram)))
    add(
        "linux",
        "vm.overcommit_ratio",
        ratio,
        "sysctl",
        False,
        Derivation(
            formula="overcommit_ratio = (RAM - OS overhead) / RAM, between 50 and 100",
            calculation=(
                f"({human_size(basis.ram)} - {human_size(basis.os_overhead)}) / {human_size(basis.ram)} -> {ratio} %"
            ),
            note="with overcommit_memory = 2 the commit limit is swap + RAM x ratio",
        ),
    )
    add(
        "linux",
        "vm.nr_hugepages",
        hugepages,
        "sysctl",
        False,
        Derivation(
            formula=f"huge pages = shared memory / 2 MB, rounded up; {shm_why.formula}",
            calculation=f"{shm_why.calculation}; / 2 MB -> {n(hugepages)}",
            note=shm_why.note,
        ),
    )
    linux_ram = basis.ram * LINUX_RAM_SEEN
    add("linux", "fs.file-max", files, "sysctl", True, files_why, int(linux_ram // LINUX_RAM_PER_FILE))
    add("linux", "net.core.somaxconn", backlog, "sysctl", True, backlog_why, STOCK["linux.somaxconn"])
    nofile_stock = STOCK["linux.nofile"]
    add("linux", "systemd.postgresql.LimitNOFILE", pg_nofile, "systemd", True, pg_nofile_why, nofile_stock)
    add("linux", "systemd.postgresql.TasksMax", per_user, "systemd", True, per_user_why, STOCK["systemd.TasksMax"])
    add("linux", "limits.postgres.nofile", pg_nofile, "limits.conf", True, pg_nofile_why, nofile_stock)
    nproc_stock = int(linux_ram // LINUX_RAM_PER_PROCESS)
    add("linux", "limits.postgres.nproc", per_user, "limits.conf", True, per_user_why, nproc_stock)
    if pooling.active:
        add("linux", "systemd.pgbouncer.LimitNOFILE", pgbouncer_nofile, "systemd", True, pgbouncer_why, nofile_stock)

    # macOS: System V semaphores; file and process limits through sysctl and launchd.
    sysv = STOCK["macos.sysv_semaphores"]
    add("macos", "kern.sysv.semmni", sems.semmni, "sysctl", True, sems.derivation, sysv)
    add("macos", "kern.sysv.semmns", sems.semmns, "sysctl", True, sems.derivation, sysv)
    add(
        "macos",
        "kern.sysv.semmsl",
        17,
        "sysctl",
        True,
        Derivation(formula="semaphores per set = 16 + 1 magic number", calculation="17"),
        sysv,
    )
    add("macos", "kern.maxfiles", files, "sysctl", True, files_why, STOCK["macos.maxfiles"])
    add("macos", "kern.maxfilesperproc", per_proc_files, "sysctl", True, per_proc_why, STOCK["macos.maxfilesperproc"])
    add("macos", "kern.maxproc", system_procs, "sysctl", True, system_procs_why, STOCK["macos.maxproc"])
    add("macos", "kern.maxprocperuid", per_user, "sysctl", True, per_user_why, STOCK["macos.maxprocperuid"])
    add("macos", "kern.ipc.somaxconn", backlog, "sysctl", True, backlog_why, STOCK["bsd.somaxconn"])

    # FreeBSD: POSIX semaphores; maxproc is a boot-time tunable.
    add("freebsd", "kern.maxfiles", files, "sysctl", True, files_why)
    add("freebsd", "kern.maxfilesperproc", per_proc_files, "sysctl", True, per_proc_why)
    add("freebsd", "kern.maxproc", system_procs, "loader.conf", True, system_procs_why)
    add("freebsd", "kern.maxprocperuid", per_user, "sysctl", True, per_user_why)
    add("freebsd", "kern.ipc.soacceptqueue", backlog, "sysctl", True, backlog_why, STOCK["bsd.somaxconn"])

    # Windows: the service's non-interactive desktop heap (third SharedSection value, in kB).
    heap = max(DESKTOP_HEAP_DEFAULT_KB, math.ceil(processes * DESKTOP_HEAP_KB_PER_PROCESS * PROCESS_MARGIN / 256) * 256)
    add(
        "windows",
        "desktop_heap.non_interactive_kb",
        heap,
        "registry",
        True,
        Derivation(
            formula="desktop heap = processes x ~1 kB x 1.25, in steps of 256 kB, at least the default 768 kB",
            calculation=f"{process_why}; x 1 kB x 1.25 -> {n(heap)} kB",
            note="heuristic: a 2011 report failed near 500 backends at 512 kB",
        ),
        DESKTOP_HEAP_DEFAULT_KB,
    )
    return settings


def _pgbouncer_fds(pooling: Pooling) -> int:
    if not pooling.active:
        return 0
    return pooling.max_client_conn + pooling.server_connections_max + PGBOUNCER_FIXED_FDS


def _pgbouncer_nofile(pooling: Pooling) -> tuple[int, Derivation]:
    need = _pgbouncer_fds(pooling)
    value = round_up_readable(need * FD_MARGIN)
    return value, Derivation(
        formula="PgBouncer descriptors = max_client_conn + pools x (pool + reserve) + 26, + 10 %",
        calculation=(
            f"{n(pooling.max_client_conn)} + {pooling.pools} x ({pooling.pool_size} + {pooling.reserve_pool}) + 26"
            f" = {n(need)} -> {n(value)}"
        ),
        note="PgBouncer config.md, max_client_conn; 10 for check_limits(), 16 for sockets",
    )

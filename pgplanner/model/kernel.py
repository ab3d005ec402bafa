"""Kernel and OS limits per platform, computed here and rendered by the export.

Facts from reference/kernel_pooler.md: Linux and FreeBSD use POSIX semaphores (no SysV tuning), macOS
needs SEMMNI/SEMMNS; huge pages are sized from the shared memory the server will allocate; the OS X article
observed about 32 file descriptors per backend; PgBouncer needs max_client_conn plus its server
connections in descriptors; Windows services run out of non-interactive desktop heap.

Settings are either exact values to write or minimums ("raise to at least"): a minimum must never
lower a larger value the system already has, and the export says so beside it.
"""

from __future__ import annotations

import math
from typing import Literal, NamedTuple

from .concurrency import Pooling
from .derivation import Derivation, exact, n, rounded
from .memory import MemoryBasis
from .rounding import next_power_of_two, round_up_readable
from .shared_memory import shared_memory_estimate
from .sources import (
    OS_X_ARTICLE,
    PG_CONNECTIONS,
    PG_HUGE_PAGES,
    PG_KERNEL_RESOURCES,
    PG_OVERCOMMIT,
    PG_RESOURCE_CONSUMPTION,
    PGBOUNCER_CONFIG,
    PGPLANNER_RULE,
)
from .units import KB, MB, human_size
from .versions import (
    DEFAULT_MAX_FILES_PER_PROCESS,
    SEMAPHORE_SET_SIZE,
    SEMAPHORES_PER_SET,
    Semaphores,
)

Where = Literal["sysctl", "loader.conf", "systemd", "limits.conf", "registry"]
PLATFORMS = ("linux", "macos", "freebsd", "windows")

FDS_PER_BACKEND = 32  # the OS X article: "Each PostgreSQL process seems to use 32 fds"
FD_MARGIN = 1.1  # the same: "with some margin in case it grows"
OTHER_SYSTEM_FILES = 4096  # "plus some for other uses (like logging in)"
OTHER_USER_PROCESSES = 256  # shells, cron, the pooler and tools under the postgres user
OTHER_SYSTEM_PROCESSES = 1024
PROCESS_MARGIN = 1.25
PG_FD_MINFREE = 48  # fd.c: PostgreSQL refuses to start with fewer free descriptors than this
PGBOUNCER_CHECK_LIMITS_FDS = 10  # PgBouncer's check_limits() counts 10 descriptors for itself
PGBOUNCER_SOCKET_FDS = 16  # listening and admin sockets
PGBOUNCER_FIXED_FDS = PGBOUNCER_CHECK_LIMITS_FDS + PGBOUNCER_SOCKET_FDS
HUGE_PAGE = 2 * MB
LISTEN_BACKLOG_PER_CONNECTION = 2  # PostgreSQL's listen() backlog: 2 x MaxConnections (pqcomm.c)
LISTEN_BACKLOG_MAX = 10_000
OVERCOMMIT_RATIO_RANGE = (50, 100)
# Windows: a 2011 report lost backends near 500 connections with the then-default 512 kB
# non-interactive desktop heap, about 1 kB per process; 768 kB is today's default.
DESKTOP_HEAP_KB_PER_PROCESS = 1.0
DESKTOP_HEAP_DEFAULT_KB = 768
DESKTOP_HEAP_STEP_KB = 256
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


class KernelSetting(NamedTuple):
    """Immutable; a named tuple, as :class:`Derivation`, because plan() makes two dozen per tick. The Plan
    writes it out as an object (``plan --json`` ``kernel_settings``) with :meth:`as_json`."""

    platform: str
    name: str
    value: int
    where: Where
    minimum: bool  # raise to at least this; never lower an existing larger value
    derivation: Derivation
    stock: int | None = None  # the least an unmodified system has, where documented (see STOCK)

    def as_json(self) -> dict[str, object]:
        return {**self._asdict(), "derivation": self.derivation.as_json()}

    @property
    def needed(self) -> bool:
        """False for a minimum the stock system already meets: writing it would only lower the limit."""
        return not (self.minimum and self.stock is not None and self.value <= self.stock)


# The settings whose value and explanation depend on constants only, made once rather than per plan.
PG_NOFILE = next_power_of_two(DEFAULT_MAX_FILES_PER_PROCESS + PG_FD_MINFREE)
PG_NOFILE_WHY = Derivation(
    formula=f"per-process descriptors = max_files_per_process + {PG_FD_MINFREE} kept free, next power of two",
    calculation=rounded(
        f"{n(DEFAULT_MAX_FILES_PER_PROCESS)} + {PG_FD_MINFREE}",
        DEFAULT_MAX_FILES_PER_PROCESS + PG_FD_MINFREE,
        PG_NOFILE,
        "up",
        n,
    ).replace("rounded up to", "next power of two:"),
    inputs={"max_files_per_process": n(DEFAULT_MAX_FILES_PER_PROCESS)},
    source=PG_RESOURCE_CONSUMPTION,
)
OVERCOMMIT_MEMORY_WHY = Derivation(
    formula="strict overcommit: allocations fail instead of the OOM killer ending the postmaster",
    calculation="2",
    source=PG_OVERCOMMIT,
)
SEMMSL_WHY = Derivation(
    formula="semaphores per set = usable semaphores + 1 magic number",
    calculation=f"{SEMAPHORES_PER_SET} + 1 = {SEMAPHORE_SET_SIZE}",
    source=PG_KERNEL_RESOURCES,
)


def kernel_settings(
    version: int,
    max_connections: int,
    wal_senders: int,
    basis: MemoryBasis,
    pooling: Pooling,
    sems: Semaphores,
) -> list[KernelSetting]:
    """Every platform's settings for this plan (``sems``: the semaphores of the same plan)."""
    workers = (basis.server.max_worker_processes, basis.server.autovacuum_workers)
    processes = sems.processes
    pgbouncer_fds = _pgbouncer_fds(pooling)
    pgbouncer_nofile, pgbouncer_why = _pgbouncer_nofile(pooling)
    process_why = f"{n(sems.count)} + 1 = {n(processes)}"
    processes_inputs = {"server processes (slots + postmaster)": n(processes)}

    files_exact = processes * FDS_PER_BACKEND * FD_MARGIN + pgbouncer_fds + OTHER_SYSTEM_FILES
    files = round_up_readable(files_exact)
    files_why = Derivation(
        formula=(
            f"open files = server processes x {FDS_PER_BACKEND} descriptors x {FD_MARGIN:g} + PgBouncer descriptors"
            f" + {n(OTHER_SYSTEM_FILES)} for the rest of the system"
        ),
        calculation=(
            f"processes {process_why}; "
            + rounded(
                f"{n(processes)} x {FDS_PER_BACKEND} x {FD_MARGIN:g} + {n(pgbouncer_fds)} + {n(OTHER_SYSTEM_FILES)}",
                files_exact,
                files,
                "up to a readable number",
            )
        ),
        inputs={**processes_inputs, "PgBouncer descriptors": n(pgbouncer_fds)},
        source=OS_X_ARTICLE,
    )
    per_user_exact = processes * PROCESS_MARGIN + OTHER_USER_PROCESSES
    per_user = round_up_readable(per_user_exact)
    per_user_why = Derivation(
        formula=(
            f"processes of the postgres user = server processes x {PROCESS_MARGIN:g} + {OTHER_USER_PROCESSES} others"
        ),
        calculation=f"processes {process_why}; "
        + rounded(
            f"{n(processes)} x {PROCESS_MARGIN:g} + {OTHER_USER_PROCESSES}",
            per_user_exact,
            per_user,
            "up to a readable number",
        ),
        inputs=processes_inputs,
        source=PG_KERNEL_RESOURCES,
    )
    system_procs = round_up_readable(per_user + OTHER_SYSTEM_PROCESSES)
    system_procs_why = Derivation(
        formula=f"processes system-wide = postgres user's limit + {n(OTHER_SYSTEM_PROCESSES)} for everything else",
        calculation=rounded(
            f"{n(per_user)} + {n(OTHER_SYSTEM_PROCESSES)}",
            per_user + OTHER_SYSTEM_PROCESSES,
            system_procs,
            "up to a readable number",
        ),
        inputs={"postgres user's processes": n(per_user)},
        source=PG_KERNEL_RESOURCES,
    )
    backlog = min(LISTEN_BACKLOG_PER_CONNECTION * max_connections, LISTEN_BACKLOG_MAX)
    wanted_backlog = LISTEN_BACKLOG_PER_CONNECTION * max_connections
    backlog_calc = f"{LISTEN_BACKLOG_PER_CONNECTION} x {n(max_connections)} = {n(wanted_backlog)}"
    if backlog < wanted_backlog:
        backlog_calc += f", capped at {n(LISTEN_BACKLOG_MAX)}"
    backlog_why = Derivation(
        formula=(
            f"listen queue = {LISTEN_BACKLOG_PER_CONNECTION} x max_connections (PostgreSQL's listen() backlog), "
            f"at most {n(LISTEN_BACKLOG_MAX)}"
        ),
        calculation=backlog_calc,
        inputs={"max_connections": n(max_connections)},
        source=PG_CONNECTIONS,
    )
    per_proc_files = max(PG_NOFILE, pgbouncer_nofile)
    per_proc_why = Derivation(
        formula="descriptors per process = the larger of PostgreSQL's and PgBouncer's needs",
        calculation=f"max({n(PG_NOFILE)}, {n(pgbouncer_nofile)}) = {n(per_proc_files)}",
        inputs={"PostgreSQL": n(PG_NOFILE), "PgBouncer": n(pgbouncer_nofile)},
        source=PG_RESOURCE_CONSUMPTION,
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
    shm, shm_why = shared_memory_estimate(
        version, basis.shared_buffers, max_connections, wal_senders, *workers,
        locks=basis.server.max_locks_per_transaction,
    )  # fmt: skip
    hugepages_exact = shm / HUGE_PAGE
    hugepages = math.ceil(hugepages_exact)
    add(
        "linux",
        "vm.overcommit_memory",
        2,
        "sysctl",
        False,
        OVERCOMMIT_MEMORY_WHY,
    )
    low, high = OVERCOMMIT_RATIO_RANGE
    ratio_exact = 100 * (basis.ram - basis.os_overhead) / basis.ram
    ratio = min(high, max(low, math.ceil(ratio_exact)))
    ratio_calc = rounded(
        f"({human_size(basis.ram)} - {human_size(basis.os_overhead)}) / {human_size(basis.ram)}",
        ratio_exact,
        math.ceil(ratio_exact),
        "up",
        lambda v: f"{exact(v)} %",
    )
    if ratio != math.ceil(ratio_exact):
        ratio_calc += f", kept within {low}..{high}: {ratio} %"
    add(
        "linux",
        "vm.overcommit_ratio",
        ratio,
        "sysctl",
        False,
        Derivation(
            formula=f"overcommit_ratio = (RAM - OS overhead) / RAM, in per cent, between {low} and {high}",
            calculation=ratio_calc,
            inputs={"RAM": human_size(basis.ram), "OS overhead": human_size(basis.os_overhead)},
            source=PG_OVERCOMMIT,
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
            formula=f"huge pages = shared memory / {human_size(HUGE_PAGE)}, rounded up; {shm_why.formula}",
            calculation=f"{shm_why.calculation}; "
            + rounded(f"{human_size(shm)} / {human_size(HUGE_PAGE)}", hugepages_exact, hugepages, "up"),
            inputs=shm_why.inputs,
            source=PG_HUGE_PAGES,
            note=shm_why.note,
        ),
    )
    linux_ram = basis.ram * LINUX_RAM_SEEN
    add("linux", "fs.file-max", files, "sysctl", True, files_why, int(linux_ram // LINUX_RAM_PER_FILE))
    add("linux", "net.core.somaxconn", backlog, "sysctl", True, backlog_why, STOCK["linux.somaxconn"])
    nofile_stock = STOCK["linux.nofile"]
    add("linux", "systemd.postgresql.LimitNOFILE", PG_NOFILE, "systemd", True, PG_NOFILE_WHY, nofile_stock)
    add("linux", "systemd.postgresql.TasksMax", per_user, "systemd", True, per_user_why, STOCK["systemd.TasksMax"])
    add("linux", "limits.postgres.nofile", PG_NOFILE, "limits.conf", True, PG_NOFILE_WHY, nofile_stock)
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
        SEMAPHORE_SET_SIZE,
        "sysctl",
        True,
        SEMMSL_WHY,
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
    heap_exact = processes * DESKTOP_HEAP_KB_PER_PROCESS * PROCESS_MARGIN
    heap_steps = math.ceil(heap_exact / DESKTOP_HEAP_STEP_KB) * DESKTOP_HEAP_STEP_KB
    heap = max(DESKTOP_HEAP_DEFAULT_KB, heap_steps)
    heap_calc = rounded(
        f"{n(processes)} x {DESKTOP_HEAP_KB_PER_PROCESS:g} x {PROCESS_MARGIN:g}",
        heap_exact,
        heap_steps,
        f"up to a multiple of {DESKTOP_HEAP_STEP_KB}",
    )
    if heap > heap_steps:
        heap_calc += f", at least the default {DESKTOP_HEAP_DEFAULT_KB}"
    add(
        "windows",
        "desktop_heap.non_interactive_kb",
        heap,
        "registry",
        True,
        Derivation(
            formula=(
                f"desktop heap = processes x ~{DESKTOP_HEAP_KB_PER_PROCESS:g} kB x {PROCESS_MARGIN:g}, "
                f"in steps of {DESKTOP_HEAP_STEP_KB} kB, at least the default {DESKTOP_HEAP_DEFAULT_KB} kB"
            ),
            calculation=f"processes {process_why}; {heap_calc}",
            inputs=processes_inputs,
            source=PGPLANNER_RULE,
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
    wanted = need * FD_MARGIN
    value = round_up_readable(wanted)
    return value, Derivation(
        formula=(
            f"PgBouncer descriptors = max_client_conn + pools x (pool + reserve) + {PGBOUNCER_FIXED_FDS}, "
            f"x {FD_MARGIN:g}"
        ),
        calculation=(
            f"{n(pooling.max_client_conn)} + {pooling.pools} x ({pooling.pool_size} + {pooling.reserve_pool})"
            f" + {PGBOUNCER_FIXED_FDS} = {n(need)}; "
            + rounded(f"{n(need)} x {FD_MARGIN:g}", wanted, value, "up to a readable number")
        ),
        inputs={
            "max_client_conn": n(pooling.max_client_conn),
            "pools": str(pooling.pools),
            "pool size": str(pooling.pool_size),
            "reserve pool": str(pooling.reserve_pool),
        },
        source=PGBOUNCER_CONFIG,
        note=f"{PGBOUNCER_CHECK_LIMITS_FDS} for check_limits(), {PGBOUNCER_SOCKET_FDS} for sockets",
    )

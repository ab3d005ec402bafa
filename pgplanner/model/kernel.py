"""Kernel and OS limits per platform, computed here and rendered by the export.

Facts from reference/kernel_pooler.md: Linux and FreeBSD use POSIX semaphores (no SysV tuning), macOS
needs SEMMNI/SEMMNS; huge pages are sized from the shared memory the server will allocate; the OS X article
observed about 32 file descriptors per backend; PgBouncer needs max_client_conn plus its server
connections in descriptors; Windows services run out of non-interactive desktop heap.

Settings are either exact values to write or minimums ("raise to at least"): a minimum must never
lower a larger value the system already has, and the export says so beside it. A setting the plan
decides not to write (strict overcommit that was not chosen, huge pages below the size pgplanner
reserves them from, a desktop's swappiness) still carries its value and says why it is left out.

Linux memory policy (reference/dba_review.md F1, F6, F16): overcommit stays the kernel's heuristic
unless strict is chosen, and strict is never written on a desktop or a small machine; its ratio is
taken against RAM minus the huge pages, as the kernel's CommitLimit = (RAM - huge pages) x ratio +
swap. vm.nr_hugepages is a floor (raise-limits.sh only raises it); swappiness, the dirty-page
thresholds and transparent huge pages are set for a dedicated server.
"""

from __future__ import annotations

import functools
import math
from typing import Literal, NamedTuple

from .concurrency import Pooling
from .construct import new_tuple
from .defaults import STRICT_OVERCOMMIT_MIN_RAM
from .derivation import Derivation, capped, exact, n, percent, rounded
from .memory import HUGE_PAGE, MemoryBasis, huge_pages_absent_because
from .rounding import next_power_of_two, round_up_readable
from .scenario import Scenario
from .shared_memory import shared_memory_estimate
from .sources import (
    AUTOBASE_SYSCTL,
    DALIBO_OVERCOMMIT,
    LINUX_OVERCOMMIT,
    LINUX_THP,
    LINUX_VM_SYSCTL,
    OS_X_ARTICLE,
    PG_CONNECTIONS,
    PG_HUGE_PAGES,
    PG_KERNEL_RESOURCES,
    PG_OVERCOMMIT,
    PG_RESOURCE_CONSUMPTION,
    PGBOUNCER_CONFIG,
    PGBOUNCER_LISTEN_BACKLOG,
    PGPLANNER_RULE,
)
from .units import GB, KB, MB, human_size
from .versions import (
    DEFAULT_MAX_FILES_PER_PROCESS,
    SEMAPHORE_SET_SIZE,
    SEMAPHORES_PER_SET,
    Semaphores,
)

Where = Literal["sysctl", "loader.conf", "systemd", "limits.conf", "registry", "tmpfiles"]
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
LISTEN_BACKLOG_PER_CONNECTION = 2  # PostgreSQL's listen() backlog: 2 x MaxConnections (pqcomm.c)
# The largest listen backlog every kernel keeps: older Linux kernels and the BSDs hold it in 16 bits.
LISTEN_BACKLOG_MAX = 65_535
# Linux vm.swappiness for a dedicated server (kernel default 60): Dalibo writes 10, autobase 1; swap then
# stays an emergency margin rather than where idle backends go.
SWAPPINESS = 10
# Dirty page cache: the kernel starts background writeback at 10 % and throttles writers at 20 % of the
# memory it could reclaim (vm.rst: dirty_background_ratio, dirty_ratio), 77 GB / 154 GB on a 768 GB box;
# a checkpoint's fsync then meets that backlog at once. Bytes sized from what the storage writes instead:
# background writeback after a quarter of a second of writes, writers throttled at one second.
STORAGE_WRITES_PER_SECOND = {"hdd": 128 * MB, "network": 256 * MB, "ssd": 512 * MB, "nvme": 2 * GB}
DIRTY_BACKGROUND_SECONDS = 0.25
DIRTY_SECONDS = 1
KERNEL_DIRTY_BACKGROUND_RATIO = 0.10
KERNEL_DIRTY_RATIO = 0.20
# Transparent huge pages: with "madvise" only programs that ask get them; PostgreSQL never asks.
THP = "madvise"
THP_PATH = "/sys/kernel/mm/transparent_hugepage/enabled"
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
    value: int | str  # a number, or a word where the kernel takes one (transparent huge pages: madvise)
    where: Where
    minimum: bool  # raise to at least this; never lower an existing larger value
    derivation: Derivation
    stock: int | None = None  # the least an unmodified system has, where documented (see STOCK)
    skip: str = ""  # why the plan leaves it unwritten (a comment takes its place), e.g. overcommit not strict

    def as_json(self) -> dict[str, object]:
        return {**self._asdict(), "derivation": self.derivation.as_json()}

    @property
    def number(self) -> int:
        """The value of a setting that is a count or a size (every one but transparent huge pages)."""
        if not isinstance(self.value, int):
            raise TypeError(f"{self.name} is {self.value!r}, not a number")
        return self.value

    @property
    def needed(self) -> bool:
        """False for a setting the plan leaves out, and for a minimum the stock system already meets:
        writing it would only lower the limit."""
        if self.skip:
            return False
        at_stock = isinstance(self.value, int) and self.stock is not None and self.value <= self.stock
        return not (self.minimum and at_stock)


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
SEMMSL_WHY = Derivation(
    formula="semaphores per set = usable semaphores + 1 magic number",
    calculation=f"{SEMAPHORES_PER_SET} + 1 = {SEMAPHORE_SET_SIZE}",
    source=PG_KERNEL_RESOURCES,
)


# The settings that are the same in every plan.
LINUX_SYSTEMD_NOFILE = KernelSetting(
    "linux", "systemd.postgresql.LimitNOFILE", PG_NOFILE, "systemd", True, PG_NOFILE_WHY, STOCK["linux.nofile"]
)
LINUX_LIMITS_NOFILE = KernelSetting(
    "linux", "limits.postgres.nofile", PG_NOFILE, "limits.conf", True, PG_NOFILE_WHY, STOCK["linux.nofile"]
)
MACOS_SEMMSL = KernelSetting(
    "macos", "kern.sysv.semmsl", SEMAPHORE_SET_SIZE, "sysctl", True, SEMMSL_WHY, STOCK["macos.sysv_semaphores"]
)


# What vm.nr_hugepages says when the plan does not reserve huge pages: the reason, then the pages to reserve.
_HUGEPAGES_ON = " huge pages and set huge_pages = on"


def kernel_settings(
    scenario: Scenario,
    max_connections: int,
    wal_senders: int,
    basis: MemoryBasis,
    pooling: Pooling,
    sems: Semaphores,
) -> list[KernelSetting]:
    """Every platform's settings for this plan (``sems``: the semaphores of the same plan).

    Values are computed here; each explanation is written when first read (a slider tick reads none)."""
    server = basis.server
    count, processes = sems.count, sems.processes
    later, new, KS = Derivation.later, new_tuple, KernelSetting
    pgbouncer_fds = _pgbouncer_fds(pooling)
    pgbouncer_nofile = round_up_readable(pgbouncer_fds * FD_MARGIN) if pgbouncer_fds else 0

    files_exact = processes * FDS_PER_BACKEND * FD_MARGIN + pgbouncer_fds + OTHER_SYSTEM_FILES
    files = round_up_readable(files_exact)
    files_why = later(_files_why, count, pgbouncer_fds, files_exact, files)
    per_user_exact = processes * PROCESS_MARGIN + OTHER_USER_PROCESSES
    per_user = round_up_readable(per_user_exact)
    per_user_why = later(_per_user_why, count, per_user_exact, per_user)
    system_procs = round_up_readable(per_user + OTHER_SYSTEM_PROCESSES)
    system_procs_why = later(_system_procs_why, per_user, system_procs)
    backlog, backlog_why = listen_backlog(max_connections, pooling)
    per_proc_files = max(PG_NOFILE, pgbouncer_nofile)
    per_proc_why = later(_per_proc_why, pgbouncer_nofile, per_proc_files)

    # Linux: POSIX semaphores, no SysV tuning (PostgreSQL 10+); memory policy, then limits.
    shm, shm_why = shared_memory_estimate(
        scenario.hardware.pg_version, basis.shared_buffers, max_connections, wal_senders,
        server.max_worker_processes, server.autovacuum_workers, locks=server.max_locks_per_transaction,
    )  # fmt: skip
    hugepages_exact = shm / HUGE_PAGE
    hugepages = math.ceil(hugepages_exact)
    reserved = hugepages * HUGE_PAGE if basis.huge_pages else 0
    hugepages_why = later(_hugepages_why, shm, shm_why, hugepages_exact, hugepages)
    hugepages_skip = (
        ""
        if basis.huge_pages
        else _hugepages_skip(huge_pages_absent_because(scenario)) + f"{hugepages:,}" + _HUGEPAGES_ON
    )
    linux_ram = basis.ram * LINUX_RAM_SEEN
    settings = _linux_memory(scenario, basis, reserved)
    settings += (
        new(KS, ("linux", "vm.nr_hugepages", hugepages, "sysctl", True, hugepages_why, 0, hugepages_skip)),
        new(KS, ("linux", "fs.file-max", files, "sysctl", True, files_why, int(linux_ram // LINUX_RAM_PER_FILE), "")),
        new(KS, ("linux", "net.core.somaxconn", backlog, "sysctl", True, backlog_why, STOCK["linux.somaxconn"], "")),
        LINUX_SYSTEMD_NOFILE,
        new(KS, ("linux", "systemd.postgresql.TasksMax", per_user, "systemd", True, per_user_why,
                 STOCK["systemd.TasksMax"], "")),
        LINUX_LIMITS_NOFILE,
        new(KS, ("linux", "limits.postgres.nproc", per_user, "limits.conf", True, per_user_why,
                 int(linux_ram // LINUX_RAM_PER_PROCESS), "")),
    )  # fmt: skip
    if pooling.active:
        pgbouncer_why = later(_pgbouncer_nofile_why, pooling, pgbouncer_fds, pgbouncer_nofile)
        settings.append(
            new(KS, ("linux", "systemd.pgbouncer.LimitNOFILE", pgbouncer_nofile, "systemd", True, pgbouncer_why,
                     STOCK["linux.nofile"], ""))
        )  # fmt: skip

    # macOS: System V semaphores; file and process limits through sysctl and launchd.
    sysv, sems_why = STOCK["macos.sysv_semaphores"], sems.derivation
    settings += (
        new(KS, ("macos", "kern.sysv.semmni", sems.semmni, "sysctl", True, sems_why, sysv, "")),
        new(KS, ("macos", "kern.sysv.semmns", sems.semmns, "sysctl", True, sems_why, sysv, "")),
        MACOS_SEMMSL,
        new(KS, ("macos", "kern.maxfiles", files, "sysctl", True, files_why, STOCK["macos.maxfiles"], "")),
        new(KS, ("macos", "kern.maxfilesperproc", per_proc_files, "sysctl", True, per_proc_why,
                 STOCK["macos.maxfilesperproc"], "")),
        new(KS, ("macos", "kern.maxproc", system_procs, "sysctl", True, system_procs_why, STOCK["macos.maxproc"], "")),
        new(KS, ("macos", "kern.maxprocperuid", per_user, "sysctl", True, per_user_why, STOCK["macos.maxprocperuid"],
                 "")),
        new(KS, ("macos", "kern.ipc.somaxconn", backlog, "sysctl", True, backlog_why, STOCK["bsd.somaxconn"], "")),
        # FreeBSD: POSIX semaphores; maxproc is a boot-time tunable.
        new(KS, ("freebsd", "kern.maxfiles", files, "sysctl", True, files_why, None, "")),
        new(KS, ("freebsd", "kern.maxfilesperproc", per_proc_files, "sysctl", True, per_proc_why, None, "")),
        new(KS, ("freebsd", "kern.maxproc", system_procs, "loader.conf", True, system_procs_why, None, "")),
        new(KS, ("freebsd", "kern.maxprocperuid", per_user, "sysctl", True, per_user_why, None, "")),
        new(KS, ("freebsd", "kern.ipc.soacceptqueue", backlog, "sysctl", True, backlog_why, STOCK["bsd.somaxconn"],
                 "")),
    )  # fmt: skip

    # Windows: the service's non-interactive desktop heap (third SharedSection value, in kB).
    heap_exact = processes * DESKTOP_HEAP_KB_PER_PROCESS * PROCESS_MARGIN
    heap_steps = math.ceil(heap_exact / DESKTOP_HEAP_STEP_KB) * DESKTOP_HEAP_STEP_KB
    heap = max(DESKTOP_HEAP_DEFAULT_KB, heap_steps)
    heap_why = later(_heap_why, count, heap_exact, heap_steps, heap)
    settings.append(
        new(KS, ("windows", "desktop_heap.non_interactive_kb", heap, "registry", True, heap_why,
                 DESKTOP_HEAP_DEFAULT_KB, ""))
    )  # fmt: skip
    return settings


@functools.cache  # a handful of reasons (provider, platform, desktop, small shared_buffers)
def _hugepages_skip(reason: str) -> str:
    """The text before the page count of vm.nr_hugepages' skip, for a plan that reserves none."""
    return (
        f"not reserved ({reason}); huge_pages = try then runs on 4 kB pages, whose page tables the memory plan "
        "counts. To use huge pages anyway, reserve at least "
    )


def _processes_why(count: int) -> str:
    """Server processes: every semaphore's slot and the postmaster."""
    return f"processes {n(count)} + 1 = {n(count + 1)}"


def _processes_inputs(count: int) -> dict[str, str]:
    return {"server processes (slots + postmaster)": n(count + 1)}


def _files_why(count: int, pgbouncer_fds: int, files_exact: float, files: int) -> Derivation:
    return Derivation(
        formula=(
            f"open files = server processes x {FDS_PER_BACKEND} descriptors x {FD_MARGIN:g} + PgBouncer descriptors"
            f" + {n(OTHER_SYSTEM_FILES)} for the rest of the system"
        ),
        calculation=(
            f"{_processes_why(count)}; "
            + rounded(
                f"{n(count + 1)} x {FDS_PER_BACKEND} x {FD_MARGIN:g} + {n(pgbouncer_fds)} + {n(OTHER_SYSTEM_FILES)}",
                files_exact,
                files,
                "up to a readable number",
            )
        ),
        inputs={**_processes_inputs(count), "PgBouncer descriptors": n(pgbouncer_fds)},
        source=OS_X_ARTICLE,
    )


def _per_user_why(count: int, per_user_exact: float, per_user: int) -> Derivation:
    return Derivation(
        formula=(
            f"processes of the postgres user = server processes x {PROCESS_MARGIN:g} + {OTHER_USER_PROCESSES} others"
        ),
        calculation=f"{_processes_why(count)}; "
        + rounded(
            f"{n(count + 1)} x {PROCESS_MARGIN:g} + {OTHER_USER_PROCESSES}",
            per_user_exact,
            per_user,
            "up to a readable number",
        ),
        inputs=_processes_inputs(count),
        source=PG_KERNEL_RESOURCES,
    )


def _system_procs_why(per_user: int, system_procs: int) -> Derivation:
    return Derivation(
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


def _per_proc_why(pgbouncer_nofile: int, per_proc_files: int) -> Derivation:
    return Derivation(
        formula="descriptors per process = the larger of PostgreSQL's and PgBouncer's needs",
        calculation=f"max({n(PG_NOFILE)}, {n(pgbouncer_nofile)}) = {n(per_proc_files)}",
        inputs={"PostgreSQL": n(PG_NOFILE), "PgBouncer": n(pgbouncer_nofile)},
        source=PG_RESOURCE_CONSUMPTION,
    )


HUGEPAGES_NOTE = (
    "a floor: raise-limits.sh raises it only where /proc/sys/vm/nr_hugepages is lower, so a larger "
    "reservation (another cluster, a JVM) stays; add their pages if they share the pool"
)


def _hugepages_why(shm: int, shm_why: Derivation, hugepages_exact: float, hugepages: int) -> Derivation:
    return Derivation(
        formula=f"huge pages = shared memory / {human_size(HUGE_PAGE)}, rounded up; {shm_why.formula}",
        calculation=f"{shm_why.calculation}; "
        + rounded(f"{human_size(shm)} / {human_size(HUGE_PAGE)}", hugepages_exact, hugepages, "up"),
        inputs=shm_why.inputs,
        source=PG_HUGE_PAGES,
        note=f"{shm_why.note}; {HUGEPAGES_NOTE}",
    )


def _heap_why(count: int, heap_exact: float, heap_steps: int, heap: int) -> Derivation:
    heap_calc = rounded(
        f"{n(count + 1)} x {DESKTOP_HEAP_KB_PER_PROCESS:g} x {PROCESS_MARGIN:g}",
        heap_exact,
        heap_steps,
        f"up to a multiple of {DESKTOP_HEAP_STEP_KB}",
    )
    if heap > heap_steps:
        heap_calc += f", at least the default {DESKTOP_HEAP_DEFAULT_KB}"
    return Derivation(
        formula=(
            f"desktop heap = processes x ~{DESKTOP_HEAP_KB_PER_PROCESS:g} kB x {PROCESS_MARGIN:g}, "
            f"in steps of {DESKTOP_HEAP_STEP_KB} kB, at least the default {DESKTOP_HEAP_DEFAULT_KB} kB"
        ),
        calculation=f"{_processes_why(count)}; {heap_calc}",
        inputs=_processes_inputs(count),
        source=PGPLANNER_RULE,
        note="heuristic: a 2011 report failed near 500 backends at 512 kB",
    )


def _pgbouncer_fds(pooling: Pooling) -> int:
    if not pooling.active:
        return 0
    return pooling.max_client_conn + pooling.server_connections_max + PGBOUNCER_FIXED_FDS


def _pgbouncer_nofile_why(pooling: Pooling, need: int, value: int) -> Derivation:
    """PgBouncer's descriptor limit (``value``) from the descriptors it needs (``need``)."""
    wanted = need * FD_MARGIN
    return Derivation(
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


def listen_backlog(max_connections: int, pooling: Pooling) -> tuple[int, Derivation]:
    """The listen queue the kernel must allow (somaxconn): the larger of the pooler's backlog and PostgreSQL's.

    With a pooler every client connects to it, and after a pooler restart all of them reconnect at
    once: its listen_backlog should hold max_client_conn. PostgreSQL asks listen() for 2 x max_connections.
    """
    postgres = LISTEN_BACKLOG_PER_CONNECTION * max_connections
    pooler = pooling.max_client_conn if pooling.active else 0
    wanted = max(postgres, pooler)
    value = min(wanted, LISTEN_BACKLOG_MAX)
    return value, Derivation.later(_listen_backlog_why, max_connections, pooling, pooler, wanted)


def _listen_backlog_why(max_connections: int, pooling: Pooling, pooler: int, wanted: int) -> Derivation:
    asked = f"{LISTEN_BACKLOG_PER_CONNECTION} x {n(max_connections)}"
    if pooling.active:
        asked = f"max({n(pooler)}, {asked})"
    calculation = capped(asked, wanted, at_most=LISTEN_BACKLOG_MAX, show=n)
    inputs = {"max_connections": n(max_connections)}
    if pooling.active:
        inputs = {"max_client_conn": n(pooling.max_client_conn), **inputs}
    formula = f"listen queue = {LISTEN_BACKLOG_PER_CONNECTION} x max_connections (PostgreSQL's listen() backlog)"
    if pooling.active:
        formula = (
            "listen queue = the larger of max_client_conn (the pooler's listen_backlog: every client reconnecting "
            f"at once after a pooler restart) and {LISTEN_BACKLOG_PER_CONNECTION} x max_connections (PostgreSQL's)"
        )
    return Derivation(
        formula=f"{formula}, at most {n(LISTEN_BACKLOG_MAX)}",
        calculation=calculation,
        inputs=inputs,
        source=f"{PGBOUNCER_LISTEN_BACKLOG}; {PG_CONNECTIONS}" if pooling.active else PG_CONNECTIONS,
        note="the kernel silently caps every listen() backlog at this value" if pooling.active else "",
    )


def strict_refused(scenario: Scenario) -> str:
    """Why strict overcommit is never written on this machine, or "" where it may be."""
    return _refusal(scenario.workload.profile == "desktop", scenario.hardware.ram < STRICT_OVERCOMMIT_MIN_RAM)


def overcommit_strict(scenario: Scenario) -> tuple[bool, str]:
    """Whether strict overcommit is written, and why not when it was asked for."""
    hw = scenario.hardware
    return _strict(hw.overcommit, scenario.workload.profile == "desktop", hw.ram < STRICT_OVERCOMMIT_MIN_RAM)


@functools.cache  # two facts: written once each, not per plan
def _refusal(desktop: bool, small: bool) -> str:
    """Why strict overcommit is refused on a desktop or a machine ``small``er than STRICT_OVERCOMMIT_MIN_RAM."""
    if desktop:
        return (
            "this is a desktop: browsers, IDEs and JVMs reserve far more memory than they touch and would fail under it"
        )
    if small:
        return (
            f"below {human_size(STRICT_OVERCOMMIT_MIN_RAM)} of RAM the fixed commitments of sshd, systemd, the "
            "pooler and every backend take most of the limit and fork() starts to fail"
        )
    return ""


def _strict(chosen: str | None, desktop: bool, small: bool) -> tuple[bool, str]:
    if chosen != "strict":
        return False, ""
    refused = _refusal(desktop, small)
    return (False, f"strict was asked for, but {refused}") if refused else (True, "")


SERVER_ONLY = "a desktop's kernel also serves its other programs: left as it is"
SWAPPINESS_WHY = Derivation(
    formula=f"vm.swappiness = {SWAPPINESS} (the kernel's default is 60)",
    calculation=str(SWAPPINESS),
    source=f"{DALIBO_OVERCOMMIT}; {LINUX_VM_SYSCTL}",
    note=(
        "the kernel drops page cache before it swaps out idle backends; swap stays an emergency margin "
        "(autobase writes 1)"
    ),
)
THP_WHY = Derivation(
    formula=f"transparent huge pages = {THP}: only programs that ask for them get them",
    calculation=THP,
    source=LINUX_THP,
    note=(
        "PostgreSQL never asks, so its backends run without khugepaged's compaction stalls and memory "
        "bloat; 'always', some distributions' default, gives them to every process"
    ),
)
STRICT_WHY = Derivation(
    formula=(
        "vm.overcommit_memory = 2, strict: an allocation beyond the commit limit fails, so PostgreSQL "
        "reports an error instead of the OOM killer ending a process"
    ),
    calculation="2",
    inputs={"overcommit": "strict"},
    source=PG_OVERCOMMIT,
    note="it makes the OOM killer less likely, not impossible; every program on the machine shares the limit",
)


def _linux_memory(scenario: Scenario, basis: MemoryBasis, reserved: int) -> list[KernelSetting]:
    """Overcommit, swappiness, dirty-page thresholds and transparent huge pages (``reserved``: bytes of
    huge pages the plan reserves)."""
    hw = scenario.hardware
    desktop = scenario.workload.profile == "desktop"
    storage, ram = hw.storage, hw.ram
    small = ram < STRICT_OVERCOMMIT_MIN_RAM
    mode, swappiness, thp = _linux_policy(hw.overcommit, desktop, small)
    refused = "" if mode.value == 2 else _refusal(desktop, small)
    value, why, skip = _overcommit_ratio(basis, hw.swap, reserved, mode.value == 2, refused)
    server_only = SERVER_ONLY if desktop else ""
    return [
        mode,
        new_tuple(KernelSetting, ("linux", "vm.overcommit_ratio", value, "sysctl", False, why, None, skip)),
        swappiness,
        _dirty(storage, ram, "vm.dirty_background_bytes", DIRTY_BACKGROUND_SECONDS, KERNEL_DIRTY_BACKGROUND_RATIO,
               server_only),
        _dirty(storage, ram, "vm.dirty_bytes", DIRTY_SECONDS, KERNEL_DIRTY_RATIO, server_only),
        thp,
    ]  # fmt: skip


@functools.cache  # three discrete facts: made once per combination, not per slider tick
def _linux_policy(chosen: str | None, desktop: bool, small: bool) -> tuple[KernelSetting, KernelSetting, KernelSetting]:
    """vm.overcommit_memory, vm.swappiness and transparent huge pages (``small``: RAM below
    STRICT_OVERCOMMIT_MIN_RAM)."""
    strict, refused = _strict(chosen, desktop, small)
    if strict:
        mode_why = STRICT_WHY
    else:
        advice = (
            "when memory runs out the OOM killer ends a process: the PostgreSQL drop-in keeps the postmaster out "
            "of its reach (OOMScoreAdjust=-1000); strict (--overcommit strict) is the choice for a dedicated server"
        )
        mode_why = Derivation(
            formula="vm.overcommit_memory = 0, the kernel's heuristic (its default)",
            calculation="0",
            inputs={"overcommit": chosen or "auto"},
            source=PG_OVERCOMMIT,
            note=f"{refused}; {advice}" if refused else advice,
        )
    server_only = SERVER_ONLY if desktop else ""
    return (
        KernelSetting("linux", "vm.overcommit_memory", 2 if strict else 0, "sysctl", False, mode_why),
        KernelSetting("linux", "vm.swappiness", SWAPPINESS, "sysctl", False, SWAPPINESS_WHY, None, server_only),
        KernelSetting("linux", THP_PATH, THP, "tmpfiles", False, THP_WHY, None, server_only),
    )


def _overcommit_ratio(
    basis: MemoryBasis, swap: int, reserved: int, strict: bool, refused: str
) -> tuple[int, Derivation, str]:
    """The share of RAM outside the huge pages that may be committed: all of it but the OS reserve (``refused``: why
    strict is never written on this machine, see :func:`strict_refused`).

    The kernel's limit is CommitLimit = (RAM - huge pages) x overcommit_ratio / 100 + swap
    (mm/util.c vm_commit_limit()); huge pages are outside it, so the ratio is taken against RAM less them.
    """
    ram, reserve = basis.ram, basis.os_overhead
    outside = ram - reserved
    exact_ratio = 100 * (outside - reserve) / outside if outside > 0 else 0.0
    floored = math.floor(exact_ratio)
    ratio = min(max(floored, 0), 100)
    why = Derivation.later(_overcommit_ratio_why, ram, swap, reserve, reserved, exact_ratio, ratio)
    skip = ""
    if not strict:
        skip = "no effect while vm.overcommit_memory = 0; " + (
            f"strict is not written here: {refused}" if refused else f"with --overcommit strict it would be {ratio}"
        )
    return ratio, why, skip


def _overcommit_ratio_why(
    ram: int, swap: int, reserve: int, reserved: int, exact_ratio: float, ratio: int
) -> Derivation:
    outside = ram - reserved
    floored = math.floor(exact_ratio)
    limit = outside * ratio / 100 + swap
    sizes = f"{human_size(ram)} - {human_size(reserved)}"
    if outside > 0:
        calculation = rounded(
            f"({sizes} - {human_size(reserve)}) / ({sizes})", exact_ratio, floored, "down", lambda v: f"{exact(v)} %"
        )
        if ratio != floored:  # the OS reserve is larger than the RAM the huge pages leave
            calculation += ", at least 0 %"
        calculation += f"; commit limit = ({sizes}) x {ratio} % + {human_size(swap)} = {human_size(limit)}"
    else:
        calculation = f"the huge pages take all of the RAM ({sizes} leaves nothing): 0 %"
    swap_note = (
        f"swap {human_size(swap)}"
        if swap
        else "no swap: every allocation beyond the limit fails at once; 1-2 GB of swap is the usual margin"
    )
    return Derivation(
        formula=(
            "overcommit_ratio = (RAM - huge pages - OS reserve) / (RAM - huge pages), in per cent, rounded down; "
            "the kernel's commit limit is (RAM - huge pages) x ratio + swap"
        ),
        calculation=calculation,
        inputs={
            "RAM": human_size(ram),
            "huge pages": human_size(reserved),
            "OS reserve": human_size(reserve),
            "swap": human_size(swap),
        },
        source=f"{LINUX_OVERCOMMIT}; {DALIBO_OVERCOMMIT}",
        note=f"{swap_note}; the kernel applies the ratio to the RAM it manages (MemTotal), a little less than this",
    )


def _dirty(storage: str, ram: int, name: str, seconds: float, ratio: float, server_only: str) -> KernelSetting:
    """A dirty-page threshold in bytes: ``seconds`` of the storage's writes, unless the kernel's ratio is lower
    (``server_only``: why a desktop leaves it out)."""
    value = int(STORAGE_WRITES_PER_SECOND[storage] * seconds)
    kernel_default = ram * ratio
    why = Derivation.later(_dirty_why, storage, ram, name, seconds, ratio, value, kernel_default)
    skip = server_only
    if not skip and value >= kernel_default:
        skip = f"the kernel's {_ratio_name(name)} ({percent(ratio)} of at most {human_size(ram)}) is already lower"
    return new_tuple(KernelSetting, ("linux", name, value, "sysctl", False, why, None, skip))


def _dirty_why(
    storage: str, ram: int, name: str, seconds: float, ratio: float, value: int, kernel_default: float
) -> Derivation:
    rate = STORAGE_WRITES_PER_SECOND[storage]
    ratio_name = _ratio_name(name)
    return Derivation(
        formula=(
            f"{name} = {exact(seconds)} s of the storage's writes, instead of {ratio_name} = {percent(ratio)} of "
            "reclaimable memory"
        ),
        calculation=f"{storage}: {human_size(rate)} per second x {exact(seconds)} = {human_size(value)}",
        inputs={"storage": storage, "RAM": human_size(ram)},
        source=f"{LINUX_VM_SYSCTL}; {AUTOBASE_SYSCTL}",
        note=(
            f"{percent(ratio)} of {human_size(ram)} is up to {human_size(kernel_default)} of dirty pages, which a "
            "checkpoint's fsync would then meet at once; autobase writes 64 MB and 512 MB"
        ),
    )


def _ratio_name(name: str) -> str:
    """The kernel's ratio a dirty-page threshold in bytes replaces: vm.dirty_bytes -> vm.dirty_ratio."""
    return name.replace("_bytes", "_ratio")

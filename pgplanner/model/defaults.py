"""How pgplanner fills an input left on "auto": the constants, stated once, and the rule in words.

The Scenario's fields show these rules as their "auto" text, and the model computes with the same
constants, so the words beside an input and the arithmetic behind it cannot drift apart.
"""

from __future__ import annotations

from .derivation import percent, steps
from .units import GB, MB, human_size
from .versions import DEFAULT_AUTOVACUUM_MAX_WORKERS, DEFAULT_MAX_WORKER_PROCESSES

# Active connections per core by workload (PostgreSQL wiki, Number Of Database Connections; the
# max_connections article): CPU-bound work keeps 2 per core busy, I/O-bound work waits and needs 4.
CORE_MULTIPLIER = {"cpu": 2, "mixed": 3, "io": 4}
# Queries waiting on I/O at once: spinning disks and network volumes keep more of them waiting, fast
# NVMe "adds less" (PostgreSQL wiki, Number Of Database Connections; the max_connections article).
# Zero would mean the active set is fully cached.
DISK_CONCURRENCY = {"hdd": 4, "network": 4, "ssd": 2, "nvme": 1}
SHARED_BUFFERS_SHARE = 0.25
# The memory the OS keeps (kernel, page descriptors, sshd, systemd, journald, agents): a floor plus a
# share of RAM. AWS RDS subtracts "memory reserved for the operating system and the RDS processes" from
# each instance's RAM (DBInstanceClassMemory) and sets max_connections to DBInstanceClassMemory / 9531392;
# it does not publish the amount, so six observed max_connections give it back (RAM, max_connections:
# reference/providers.md, section 1).
RDS_BYTES_PER_CONNECTION = 9_531_392
RDS_OBSERVED = ((2 * GB, 198), (4 * GB, 413), (8 * GB, 856), (8 * GB, 823), (32 * GB, 3429), (32 * GB, 3484))
RDS_OS_KEPT = tuple((ram, ram - seen * RDS_BYTES_PER_CONNECTION) for ram, seen in RDS_OBSERVED)
# The least-squares line through them (230 MB + 3.44 % of RAM), rounded up to a floor of 256 MB and a
# share of 3.5 %: a little more than RDS keeps, never less.
OS_RESERVE_FLOOR = 256 * MB
OS_RESERVE_SHARE = 0.035
# A desktop shares its RAM with browsers, IDEs and containers: a quarter of it is kept for them, as
# pgtune's desktop profile counts on no more than a quarter of RAM as cache (effective_cache_size).
DESKTOP_OS_RESERVE_SHARE = 0.25
# A typical connection is mostly idle and now and then holds one work_mem allocation. 5/32 of
# work_mem on top of a 10 MB base gives the article's 10, 15 and 20 MB at work_mem 4, 32 and 64 MB.
WORK_MEM_TYPICAL_SHARE = (5, 32)
# Strict overcommit (vm.overcommit_memory = 2) makes every allocation beyond the commit limit fail, for
# every program on the machine. pgplanner writes it only when asked, and never on a desktop (browsers,
# IDEs and JVMs reserve far more than they touch) nor below this RAM, where sshd, systemd, the pooler and
# each backend's fixed commitments take most of the limit (1 GB, the reviewer's case, left ~370 MB).
STRICT_OVERCOMMIT_MIN_RAM = 4 * GB
RESERVE_SHARE = 0.25  # the process model article's budget: pool 24, reserve 6
CLIENT_HEADROOM = 1.2
MIN_MAX_CLIENT_CONN = 100  # PgBouncer's own default
# The server settings that drive memory (pgtune's rules; PostgreSQL's defaults from guc_tables.c):
# hash_mem_multiplier is the release's default, which 15 raised from 1.0 to 2.0;
HASH_MEM_MULTIPLIER_RAISED_IN = 15
HASH_MEM_MULTIPLIER_DEFAULT_BEFORE, HASH_MEM_MULTIPLIER_DEFAULT_SINCE = 1.0, 2.0
# parallel workers per gather: half the cores, at most 4 ("no clear evidence that each new worker gives a
# big benefit"); autovacuum workers by cores, since busier machines have more tables to vacuum at once;
PARALLEL_PER_GATHER_CAP = 4
AUTOVACUUM_WORKERS_BY_CORES = ((32, 5), (16, 4))
# maintenance_work_mem: RAM / 16 (analytics RAM / 8), between PostgreSQL's default 64 MB and 2 GB.
MAINTENANCE_DIVISOR = 16
MAINTENANCE_DIVISOR_BY_PROFILE = {"analytics": 8}
MAINTENANCE_FLOOR = 64 * MB
MAINTENANCE_CAP = 2 * GB

WORKLOAD_RULE = "cores x " + ", ".join(str(m) for m in CORE_MULTIPLIER.values())
DISK_CONCURRENCY_RULE = "from storage: " + ", ".join(f"{kind} {value}" for kind, value in DISK_CONCURRENCY.items())
SHARED_BUFFERS_RULE = f"{percent(SHARED_BUFFERS_SHARE)} of RAM"
OS_RESERVE_RULE = f"{OS_RESERVE_FLOOR // MB} MB + {percent(OS_RESERVE_SHARE)} of RAM"


def line_through(points: tuple[tuple[int, int], ...]) -> tuple[float, float]:
    """(intercept, slope) of the least-squares line through ``points``."""
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum((x - mean_x) ** 2 for x, _ in points)
    return mean_y - slope * mean_x, slope


def _rds_os_note() -> str:
    """ "RDS keeps 248 MB at 2 GB, ...; the least-squares line through those is 230 MB + 3.44 % of RAM, ..."."""
    kept: dict[int, list[int]] = {}
    for ram, amount in RDS_OS_KEPT:
        kept.setdefault(ram, []).append(amount)
    seen = [
        f"{' to '.join(human_size(a) for a in sorted({min(amounts), max(amounts)}))} at {human_size(ram)}"
        for ram, amounts in kept.items()
    ]
    floor, share = line_through(RDS_OS_KEPT)
    return (
        f"RDS keeps {', '.join(seen[:-1])} and {seen[-1]} for the OS and its agents (back-calculated from observed "
        f"max_connections); the least-squares line through those is {human_size(floor)} + {percent(round(share, 4))}"
        f" of RAM, rounded up to {OS_RESERVE_RULE}"
    )


RDS_OS_RESERVE_NOTE = _rds_os_note()
DESKTOP_OS_RESERVE_RULE = f"{OS_RESERVE_FLOOR // MB} MB + {percent(DESKTOP_OS_RESERVE_SHARE)} of RAM"
OS_OVERHEAD_RULE = f"{OS_RESERVE_RULE}; on a desktop {DESKTOP_OS_RESERVE_RULE}"
# Manual maintenance (VACUUM, CREATE INDEX, ALTER TABLE, pg_restore jobs) is run by people and migrations,
# over the admin connections of the budget: each may hold maintenance_work_mem.
MAINTENANCE_JOBS_RULE = "the admin connections"
OVERCOMMIT_RULE = (
    f"heuristic, the kernel's default; strict only when chosen, never on a desktop nor below "
    f"{STRICT_OVERCOMMIT_MIN_RAM // GB} GB of RAM"
)
PER_CONNECTION_RULE = f"backend base + {WORK_MEM_TYPICAL_SHARE[0]}/{WORK_MEM_TYPICAL_SHARE[1]} x work_mem"
RESERVE_RULE = f"{percent(RESERVE_SHARE)} of the pool"
MAX_CLIENT_CONN_RULE = f"client demand + {percent(CLIENT_HEADROOM - 1)}, at least {MIN_MAX_CLIENT_CONN}"
HASH_MEM_MULTIPLIER_RULE = (
    f"the version's default: {HASH_MEM_MULTIPLIER_DEFAULT_BEFORE:.1f} before {HASH_MEM_MULTIPLIER_RAISED_IN}, "
    f"{HASH_MEM_MULTIPLIER_DEFAULT_SINCE:.1f} from {HASH_MEM_MULTIPLIER_RAISED_IN}"
)
PARALLEL_PER_GATHER_RULE = (
    f"half the cores, at most {PARALLEL_PER_GATHER_CAP} (analytics: no cap), at most max_parallel_workers"
)
AUTOVACUUM_WORKERS_RULE = steps(DEFAULT_AUTOVACUUM_MAX_WORKERS, AUTOVACUUM_WORKERS_BY_CORES, "cores")
MAINTENANCE_RULE = (
    f"RAM / {MAINTENANCE_DIVISOR} ("
    + ", ".join(f"{profile} RAM / {divisor}" for profile, divisor in MAINTENANCE_DIVISOR_BY_PROFILE.items())
    + f"), {human_size(MAINTENANCE_FLOOR)} to {human_size(MAINTENANCE_CAP)}"
)

# --- The server-settings inputs of postgresql.conf (work_mem, the WAL disk, background workers) ---------
# work_mem: the largest value at which the worst case still fits in RAM (the memory model's safe
# work_mem), at most what one sort or hash of the profile's queries needs: web and OLTP queries sort a
# few rows, analytics hashes and sorts millions (pgplanner's rule; pgtune and timescaledb-tune are
# compared in the setting's note), never below the server's own default, below which ordinary sorts spill.
WORK_MEM_CEILING = {"web": 32 * MB, "oltp": 64 * MB, "mixed": 256 * MB, "analytics": 1 * GB, "desktop": 32 * MB}
WORK_MEM_DEFAULT = 4 * MB  # PostgreSQL's default
# The disk holding pg_wal, when not given: the data disk, with room for the data twice (an unknown data
# size taken as 3 x RAM, the top of pgtune's default range), and at least what a VPS of that RAM comes
# with: 20 GB per GB of RAM up to 100 GB (DigitalOcean's Basic Droplets: 1 GB of RAM with 25 GB of SSD).
WAL_DISK_PER_DATA = 2
UNKNOWN_DATA_PER_RAM = 3
WAL_DISK_PER_RAM = 20
WAL_DISK_VPS_MAX = 100 * GB
# Background worker slots: the logical replication launcher and PostgreSQL's default
# max_logical_replication_workers are taken from max_worker_processes, beside the parallel workers
# (postgresql.conf.sample: "taken from max_worker_processes"); extensions keep theirs too.
LOGICAL_REPLICATION_LAUNCHER = 1
LOGICAL_REPLICATION_WORKERS = 4  # max_logical_replication_workers' default, which pgplanner keeps
EXTENSION_WORKERS_DEFAULT = 2  # pg_cron's launcher and pg_prewarm's autoprewarm, say

WORK_MEM_RULE = (
    "the largest that keeps the worst case in RAM (safe work_mem), at most "
    + ", ".join(f"{profile} {human_size(size)}" for profile, size in WORK_MEM_CEILING.items())
    + f", at least PostgreSQL's default {human_size(WORK_MEM_DEFAULT)}"
)
WAL_DISK_RULE = (
    f"data size (unknown: RAM x {UNKNOWN_DATA_PER_RAM}) x {WAL_DISK_PER_DATA}, at least RAM x {WAL_DISK_PER_RAM} up "
    f"to {human_size(WAL_DISK_VPS_MAX)}"
)
MAX_WORKER_PROCESSES_RULE = (
    f"max_parallel_workers + {LOGICAL_REPLICATION_LAUNCHER} logical replication launcher + "
    f"{LOGICAL_REPLICATION_WORKERS} logical replication workers + extension workers, at least PostgreSQL's "
    f"default {DEFAULT_MAX_WORKER_PROCESSES}"
)
LISTEN_RULE = (
    "localhost when only a pooler on this server (or, on a desktop, its own programs) connects and no replica "
    "streams from it; else all"
)
# The library postgresql.conf preloads (shared_preload_libraries): its shared memory counts in the huge pages.
PRELOADED_LIBRARY = "pg_stat_statements"
# The share of clients a pinning pooler (RDS Proxy) ties to one backend for their whole session, by what
# the database client sends on its own. RDS Proxy multiplexes PostgreSQL's extended query protocol,
# protocol-level prepared statements included (AWS Database Blog, "Amazon RDS Proxy multiplexing support
# for PostgreSQL Extended Query Protocol"); what pins is on AWS's PostgreSQL list ("Avoiding pinning an
# RDS Proxy"): SET, SQL-level PREPARE/EXECUTE/DEALLOCATE/DISCARD, temporary objects, cursors, LISTEN,
# LOAD, nextval/setval, advisory lock functions. A plain client (pgJDBC's defaults, pgx, psycopg 2)
# sends none of it, so it pins only through the application's own session state; a stateful one sends
# it itself on every connection (Active Record's SETs, asyncpg's reset query, psycopg 3's DEALLOCATE ALL).
PINNED_SHARE = {"unknown": 0.0, "plain": 0.0, "stateful": 1.0}
PINNED_SHARE_RULE = (
    "from the client kind: "
    + ", ".join(f"{kind} {percent(share)}" for kind, share in PINNED_SHARE.items())
    + "; 100 % with session state"
)

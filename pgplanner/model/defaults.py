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
# 0.5 GB x sqrt(RAM in GB) reproduces the max_connections article's three examples: 16 GB -> 2 GB,
# 64 GB -> 4 GB, 256 GB -> 8 GB; it grows slower than RAM, as kernel and tooling needs do.
OS_OVERHEAD_GB_PER_SQRT_GB = 0.5
# A typical connection is mostly idle and now and then holds one work_mem allocation. 5/32 of
# work_mem on top of a 10 MB base gives the article's 10, 15 and 20 MB at work_mem 4, 32 and 64 MB.
WORK_MEM_TYPICAL_SHARE = (5, 32)
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
OS_OVERHEAD_RULE = f"{OS_OVERHEAD_GB_PER_SQRT_GB:g} GB x sqrt(RAM in GB)"
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
MAX_WORKER_PROCESSES_RULE = f"the cores, at least PostgreSQL's default {DEFAULT_MAX_WORKER_PROCESSES}"
AUTOVACUUM_WORKERS_RULE = steps(DEFAULT_AUTOVACUUM_MAX_WORKERS, AUTOVACUUM_WORKERS_BY_CORES, "cores")
MAINTENANCE_RULE = (
    f"RAM / {MAINTENANCE_DIVISOR} ("
    + ", ".join(f"{profile} RAM / {divisor}" for profile, divisor in MAINTENANCE_DIVISOR_BY_PROFILE.items())
    + f"), {human_size(MAINTENANCE_FLOOR)} to {human_size(MAINTENANCE_CAP)}"
)

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

"""The server settings that drive memory and processes, with every "auto" resolved.

hash_mem_multiplier, the parallel workers, the autovacuum workers and their memory are inputs because
they change what a connection (or the server as a whole) can allocate at once. The memory model and
the settings recommenders both read them from here, so the worst case and the postgresql.conf that
is written agree by construction.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

from .defaults import (
    AUTOVACUUM_WORKERS_BY_CORES,
    AUTOVACUUM_WORKERS_RULE,
    HASH_MEM_MULTIPLIER_DEFAULT_BEFORE,
    HASH_MEM_MULTIPLIER_DEFAULT_SINCE,
    HASH_MEM_MULTIPLIER_RAISED_IN,
    LOGICAL_REPLICATION_LAUNCHER,
    LOGICAL_REPLICATION_WORKERS,
    MAINTENANCE_CAP,
    MAINTENANCE_DIVISOR,
    MAINTENANCE_DIVISOR_BY_PROFILE,
    MAINTENANCE_FLOOR,
    MAX_WORKER_PROCESSES_RULE,
    PARALLEL_PER_GATHER_CAP,
)
from .derivation import Derivation, capped, exact, n, rounded
from .scenario import Scenario
from .sources import PG_AUTOVACUUM, PG_BACKGROUND_WORKERS, PG_LOCKS, PG_RESOURCE_CONSUMPTION, PGTUNE
from .units import GB, KB, MB, human_size
from .versions import DEFAULT_AUTOVACUUM_MAX_WORKERS, DEFAULT_MAX_WORKER_PROCESSES

HASH_MEM_MULTIPLIER_NOTE = (
    f"{HASH_MEM_MULTIPLIER_RAISED_IN} raised the default from {HASH_MEM_MULTIPLIER_DEFAULT_BEFORE:.1f} to "
    f"{HASH_MEM_MULTIPLIER_DEFAULT_SINCE:.1f}"
)
MAX_WORKER_PROCESSES_FORMULA = f"max_worker_processes = {MAX_WORKER_PROCESSES_RULE}"
# Other slots of max_worker_processes than the parallel workers: the logical replication launcher and workers.
REPLICATION_SLOTS = LOGICAL_REPLICATION_LAUNCHER + LOGICAL_REPLICATION_WORKERS
MAX_PARALLEL_WORKERS_FORMULA = (
    "max_parallel_workers = cores (none on one core), at most max_worker_processes - "
    f"{REPLICATION_SLOTS} logical replication slots - extension workers"
)
AUTOVACUUM_WORKERS_FORMULA = f"autovacuum_max_workers = {AUTOVACUUM_WORKERS_RULE}"
PER_GATHER_FORMULA_ANALYTICS = "max_parallel_workers_per_gather = ceil(cores / 2), at most max_parallel_workers"
PER_GATHER_FORMULA = (
    f"max_parallel_workers_per_gather = ceil(cores / 2), at most {PARALLEL_PER_GATHER_CAP} and at most "
    "max_parallel_workers"
)
# Before 17, VACUUM stores at most 1 GB of dead tuple IDs whatever autovacuum_work_mem says
# (vacuumlazy.c MAXDEADITEMS), 6 bytes each: ~179 M dead rows per pass. 17 keeps them in a TID store
# (a radix tree) that needs far less memory per dead row and has no such limit (17 release notes: "New
# memory management system for VACUUM, which reduces memory consumption"); 1 GB then goes further still.
AUTOVACUUM_WORK_MEM_CAP = 1 * GB
TID_STORE_FROM = 17
DEAD_TUPLE_ID = 6  # bytes per dead tuple ID in the array VACUUM used before 17 (ItemPointerData)
AUTOVACUUM_WORK_MEM_FORMULA = (
    f"autovacuum_work_mem = maintenance_work_mem, at most {human_size(AUTOVACUUM_WORK_MEM_CAP)}"
)
DEAD_ROWS_BEFORE_TID_STORE = f"~{round(AUTOVACUUM_WORK_MEM_CAP / DEAD_TUPLE_ID / 1_000_000)} M"  # ~179 M
AUTOVACUUM_WORK_MEM_NOTE = {
    False: (
        f"VACUUM before {TID_STORE_FROM} never stores more than {human_size(AUTOVACUUM_WORK_MEM_CAP)} of dead "
        f"tuple IDs, {DEAD_TUPLE_ID} bytes each: {DEAD_ROWS_BEFORE_TID_STORE} dead rows per pass"
    ),
    True: (
        f"from {TID_STORE_FROM} VACUUM keeps dead tuple IDs in a TID store that needs far less memory per dead "
        f"row than the {DEAD_TUPLE_ID} bytes of earlier releases, so {human_size(AUTOVACUUM_WORK_MEM_CAP)} covers "
        f"more than the {DEAD_ROWS_BEFORE_TID_STORE} rows it held before; the cap keeps the autovacuum line of the "
        "memory budget small"
    ),
}
# The lock table holds max_locks_per_transaction x (backends + prepared transactions) locks (PostgreSQL's
# default 64); a partition is locked with its indexes: the partition and, say, three indexes.
DEFAULT_MAX_LOCKS_PER_TRANSACTION = 64
LOCKS_PER_PARTITION = 4
MAX_LOCKS_FORMULA = (
    f"max_locks_per_transaction = partitions per query x {LOCKS_PER_PARTITION} (a partition and 3 indexes), "
    f"rounded up to a multiple of {DEFAULT_MAX_LOCKS_PER_TRANSACTION}"
)
# On Windows before 18 a "long" is 32 bits, so kB-sized memory settings stop at INT_MAX kB (guc.h
# MAX_KILOBYTES): 2 GB - 1 kB. pgtune writes 2 GB - 1 MB for the same reason.
WINDOWS_MEMORY_LIMIT_BEFORE = 18
WINDOWS_MEMORY_MAX = 2 * GB - 1 * MB


class ServerBasis(NamedTuple):
    """The server settings the memory figures depend on, resolved. A named tuple: cheaper than a frozen dataclass to
    create at import and to build on every plan()."""

    hash_mem_multiplier: float
    parallel_workers_per_gather: int
    max_worker_processes: int
    max_parallel_workers: int
    autovacuum_workers: int
    maintenance_work_mem: int
    autovacuum_work_mem: int
    derivations: dict[str, Derivation]
    max_locks_per_transaction: int = DEFAULT_MAX_LOCKS_PER_TRANSACTION  # sizes the shared lock table


def memory_limit(scenario: Scenario) -> int | None:
    """The largest kB-sized memory setting the server accepts, or None when it is practically unbounded."""
    hw = scenario.hardware
    if hw.platform == "windows" and hw.pg_version < WINDOWS_MEMORY_LIMIT_BEFORE:
        return WINDOWS_MEMORY_MAX
    return None


@functools.cache
def _maintenance_formula(divisor: int, cap: int) -> str:
    """Made once per divisor and cap (a few), not on every plan()."""
    return f"maintenance_work_mem = RAM / {divisor}, between {human_size(MAINTENANCE_FLOOR)} and {human_size(cap)}"


def server_basis(scenario: Scenario) -> ServerBasis:
    """The settings, "auto" resolved; their derivations are written when first read (by the settings' "why")."""
    hw, mem = scenario.hardware, scenario.memory
    version, cores, ram = hw.pg_version, hw.cores, hw.ram
    # hash_mem_multiplier and the worker counts, "auto" resolved: each from its own cache below (the whole
    # combination seldom recurs), on a few discrete inputs.
    d: dict[str, Derivation] = {}
    hmm = mem.hash_mem_multiplier
    if hmm is None:
        hmm, d["hash_mem_multiplier"] = _default_hash_mem_multiplier(version)
    workers, extension = mem.max_worker_processes, mem.extension_workers
    if workers is None:
        workers, d["max_worker_processes"] = _auto_worker_processes(cores, extension)
    parallel, d["max_parallel_workers"] = _parallel_workers(cores, workers, extension)
    per_gather = mem.parallel_workers_per_gather
    if per_gather is None:
        per_gather, d["parallel_workers_per_gather"] = _auto_per_gather(cores, scenario.workload.profile, parallel)
    autovacuum = mem.autovacuum_workers
    if autovacuum is None:
        autovacuum, d["autovacuum_workers"] = _auto_autovacuum_workers(cores)

    limit = memory_limit(scenario)
    maintenance = mem.maintenance_work_mem
    later = Derivation.later
    if maintenance is None:
        profile = scenario.workload.profile
        divisor = MAINTENANCE_DIVISOR_BY_PROFILE.get(profile, MAINTENANCE_DIVISOR)
        raw: float = ram / divisor
        cap = MAINTENANCE_CAP if limit is None else min(MAINTENANCE_CAP, limit)
        bounded = min(max(raw, float(MAINTENANCE_FLOOR)), float(cap))
        maintenance = int(bounded) // MB * MB
        d["maintenance_work_mem"] = later(_maintenance_why, ram, divisor, raw, cap, maintenance, profile)
    elif limit is not None and maintenance > limit:
        d["maintenance_work_mem"] = later(_maintenance_lowered_why, maintenance, limit)
        maintenance = limit
    d["autovacuum_work_mem"] = later(_autovacuum_work_mem_why, maintenance, version >= TID_STORE_FROM)
    locks, locks_found = DEFAULT_MAX_LOCKS_PER_TRANSACTION, _max_locks(scenario.workload.partitions)
    if locks_found is not None:
        locks, d["max_locks_per_transaction"] = locks_found
    return ServerBasis(
        hmm, per_gather, workers, parallel, autovacuum, maintenance, min(maintenance, AUTOVACUUM_WORK_MEM_CAP), d, locks
    )


def _maintenance_why(ram: int, divisor: int, raw: float, cap: int, maintenance: int, profile: str) -> Derivation:
    return Derivation(
        formula=_maintenance_formula(divisor, cap),
        calculation=capped(
            f"{human_size(ram)} / {divisor}",
            raw,
            at_least=MAINTENANCE_FLOOR,
            at_most=cap,
            show=human_size,
            result=maintenance,
            direction="down to whole MB",
        ),
        inputs={"RAM": human_size(ram), "profile": profile},
        source=PGTUNE,
        note="whole MB",
    )


def _maintenance_lowered_why(maintenance: int, limit: int) -> Derivation:
    lowered = capped(human_size(maintenance), maintenance, at_most=limit, show=human_size)
    return Derivation(
        formula="maintenance_work_mem = given, at most what the server accepts",
        calculation=f"given: {human_size(maintenance)}; {lowered}",
        inputs={"maintenance_work_mem": human_size(maintenance)},
        source=PG_RESOURCE_CONSUMPTION,
        note=f"on Windows PostgreSQL before {WINDOWS_MEMORY_LIMIT_BEFORE} stops at 2 GB",
    )


def _autovacuum_work_mem_why(maintenance: int, tid_store: bool) -> Derivation:
    return Derivation(
        formula=AUTOVACUUM_WORK_MEM_FORMULA,
        calculation=capped(human_size(maintenance), maintenance, at_most=AUTOVACUUM_WORK_MEM_CAP, show=human_size),
        inputs={"maintenance_work_mem": human_size(maintenance)},
        source=PG_AUTOVACUUM,
        note=AUTOVACUUM_WORK_MEM_NOTE[tid_store],
    )


@functools.lru_cache(maxsize=64)
def _max_locks(partitions: int) -> tuple[int, Derivation] | None:
    """max_locks_per_transaction for ``partitions`` touched at once; None while the default suffices."""
    wanted = partitions * LOCKS_PER_PARTITION
    if wanted <= DEFAULT_MAX_LOCKS_PER_TRANSACTION:
        return None
    value = math.ceil(wanted / DEFAULT_MAX_LOCKS_PER_TRANSACTION) * DEFAULT_MAX_LOCKS_PER_TRANSACTION
    return value, Derivation.later(_max_locks_why, partitions, value)


def _max_locks_why(partitions: int, value: int) -> Derivation:
    wanted = partitions * LOCKS_PER_PARTITION
    step = f"rounded up to a multiple of {DEFAULT_MAX_LOCKS_PER_TRANSACTION}"
    return Derivation(
        formula=MAX_LOCKS_FORMULA,
        calculation=rounded(f"{n(partitions)} x {LOCKS_PER_PARTITION}", wanted, value, step),
        inputs={"partitions per query": n(partitions)},
        source=PG_LOCKS,
        note=(
            "a query that the planner cannot prune locks every partition and its indexes until the transaction "
            'ends; past the lock table\'s room it fails with "out of shared memory" (hint: increase '
            "max_locks_per_transaction); the table is shared memory, which the huge pages count"
        ),
    )


# Each worker figure of server_basis from the few inputs it depends on: the combinations of all of them are many (a
# fresh scenario seldom finds its own), those of each figure few. Their derivations are written when first read.


def _parallel_wanted(cores: int) -> int:
    return cores if cores > 1 else 0  # on one core a parallel worker only competes with its leader


@functools.cache
def _default_hash_mem_multiplier(version: int) -> tuple[float, Derivation]:
    raised = version >= HASH_MEM_MULTIPLIER_RAISED_IN
    hmm = HASH_MEM_MULTIPLIER_DEFAULT_SINCE if raised else HASH_MEM_MULTIPLIER_DEFAULT_BEFORE
    return hmm, Derivation.later(_hash_mem_multiplier_why, version, hmm)


@functools.lru_cache(maxsize=256)
def _auto_worker_processes(cores: int, extension: int) -> tuple[int, Derivation]:
    wanted = _parallel_wanted(cores)
    workers = max(DEFAULT_MAX_WORKER_PROCESSES, wanted + REPLICATION_SLOTS + extension)
    return workers, Derivation.later(_max_worker_processes_why, wanted, extension, workers)


@functools.lru_cache(maxsize=256)
def _parallel_workers(cores: int, workers: int, extension: int) -> tuple[int, Derivation]:
    wanted = _parallel_wanted(cores)
    parallel = max(0, min(wanted, workers - REPLICATION_SLOTS - extension))
    return parallel, Derivation.later(_max_parallel_workers_why, cores, wanted, workers, extension)


@functools.lru_cache(maxsize=256)
def _auto_per_gather(cores: int, profile: str, parallel: int) -> tuple[int, Derivation]:
    half = math.ceil(cores / 2)
    caps = (parallel,) if profile == "analytics" else (PARALLEL_PER_GATHER_CAP, parallel)
    return min(half, *caps), Derivation.later(_per_gather_why, cores, profile, half, caps)


@functools.lru_cache(maxsize=256)
def _auto_autovacuum_workers(cores: int) -> tuple[int, Derivation]:
    by_cores = (w for least, w in AUTOVACUUM_WORKERS_BY_CORES if cores >= least)
    autovacuum = next(by_cores, DEFAULT_AUTOVACUUM_MAX_WORKERS)
    return autovacuum, Derivation.later(_autovacuum_workers_why, cores, autovacuum)


# The derivations of the worker figures, each written from the figures it shows when it is first read.


def _hash_mem_multiplier_why(version: int, hmm: float) -> Derivation:
    return Derivation(
        formula="hash_mem_multiplier = the version's default",
        calculation=f"PostgreSQL {version}: {exact(hmm)}",
        inputs={"PostgreSQL": str(version)},
        source=PG_RESOURCE_CONSUMPTION,
        note=HASH_MEM_MULTIPLIER_NOTE,
    )


def _max_worker_processes_why(wanted: int, extension: int, workers: int) -> Derivation:
    return Derivation(
        formula=MAX_WORKER_PROCESSES_FORMULA,
        calculation=(
            f"max({wanted} + {LOGICAL_REPLICATION_LAUNCHER} + {LOGICAL_REPLICATION_WORKERS} + {extension}, "
            f"{DEFAULT_MAX_WORKER_PROCESSES}) = {workers}"
        ),
        inputs={"max_parallel_workers": str(wanted), "extension workers": str(extension)},
        source=PG_BACKGROUND_WORKERS,
        note=(
            "parallel queries can then never take the slots logical replication and extensions need "
            '("out of background worker slots")'
        ),
    )


def _max_parallel_workers_why(cores: int, wanted: int, workers: int, extension: int) -> Derivation:
    others = REPLICATION_SLOTS + extension
    return Derivation(
        formula=MAX_PARALLEL_WORKERS_FORMULA,
        calculation=capped(
            f"min({wanted}, {workers} - {REPLICATION_SLOTS} - {extension})", min(wanted, workers - others), at_least=0
        ),
        inputs={"cores": str(cores), "max_worker_processes": str(workers), "extension workers": str(extension)},
        source=PG_RESOURCE_CONSUMPTION,
        note="more parallel workers than cores only queue for CPU",
    )


def _per_gather_why(cores: int, profile: str, half: int, caps: tuple[int, ...]) -> Derivation:
    return Derivation(
        formula=PER_GATHER_FORMULA_ANALYTICS if profile == "analytics" else PER_GATHER_FORMULA,
        calculation=capped(f"ceil({cores} / 2)", half, at_most=caps),
        inputs={"cores": str(cores), "profile": profile},
        source=PGTUNE,
    )


def _autovacuum_workers_why(cores: int, autovacuum: int) -> Derivation:
    return Derivation(
        formula=AUTOVACUUM_WORKERS_FORMULA,
        calculation=f"{cores} {'core' if cores == 1 else 'cores'}: {autovacuum}",
        inputs={"cores": str(cores)},
        source=PGTUNE,
    )


def kilobytes(size: int) -> int:
    """``size`` rounded down to whole kB, the unit of PostgreSQL's memory settings."""
    return size // KB * KB

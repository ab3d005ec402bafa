"""The server settings that drive memory and processes, with every "auto" resolved.

hash_mem_multiplier, the parallel workers, the autovacuum workers and their memory are inputs because
they change what a connection (or the server as a whole) can allocate at once. The memory model and
the settings recommenders both read them from here, so the worst case and the postgresql.conf that
is written agree by construction.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from .derivation import Derivation, exact
from .scenario import Scenario
from .sources import PG_AUTOVACUUM, PG_RESOURCE_CONSUMPTION, PGTUNE
from .units import GB, MB, human_size
from .versions import DEFAULT_AUTOVACUUM_MAX_WORKERS, DEFAULT_MAX_WORKER_PROCESSES

# PostgreSQL's defaults, per release (guc_tables.c of each branch).
HASH_MEM_MULTIPLIER_DEFAULT = {13: 1.0, 14: 1.0}  # 15 raised it to 2.0
HASH_MEM_MULTIPLIER_DEFAULT_FROM_15 = 2.0
# pgtune's steps for autovacuum_max_workers: busier machines have more tables to vacuum at once.
AUTOVACUUM_WORKERS_BY_CORES = ((32, 5), (16, 4))
PARALLEL_PER_GATHER_CAP = 4  # pgtune: "no clear evidence that each new worker gives a big benefit"
# maintenance_work_mem: RAM / 16 (analytics RAM / 8), between PostgreSQL's default 64 MB and 2 GB.
MAINTENANCE_SHARE = {"analytics": 1 / 8}
MAINTENANCE_SHARE_DEFAULT = 1 / 16
MAINTENANCE_FLOOR = 64 * MB
MAINTENANCE_CAP = 2 * GB
# Before 17, VACUUM stores at most 1 GB of dead tuple IDs whatever autovacuum_work_mem says
# (vacuumlazy.c MAXDEADITEMS); 17's TID store has no such limit, but 1 GB still holds ~100 M dead rows.
AUTOVACUUM_WORK_MEM_CAP = 1 * GB
# On Windows before 18 a "long" is 32 bits, so kB-sized memory settings stop at INT_MAX kB (guc.h
# MAX_KILOBYTES): 2 GB - 1 kB. pgtune writes 2 GB - 1 MB for the same reason.
WINDOWS_MEMORY_LIMIT_BEFORE = 18
WINDOWS_MEMORY_MAX = 2 * GB - 1 * MB


@dataclass(frozen=True)
class ServerBasis:
    hash_mem_multiplier: float
    parallel_workers_per_gather: int
    max_worker_processes: int
    max_parallel_workers: int
    autovacuum_workers: int
    maintenance_work_mem: int
    autovacuum_work_mem: int
    derivations: dict[str, Derivation]


def memory_limit(scenario: Scenario) -> int | None:
    """The largest kB-sized memory setting the server accepts, or None when it is practically unbounded."""
    hw = scenario.hardware
    if hw.platform == "windows" and hw.pg_version < WINDOWS_MEMORY_LIMIT_BEFORE:
        return WINDOWS_MEMORY_MAX
    return None


def server_basis(scenario: Scenario) -> ServerBasis:
    hw, mem, profile = scenario.hardware, scenario.memory, scenario.workload.profile
    hmm, workers, parallel, per_gather, autovacuum, processes_why = _processes(
        hw.pg_version,
        hw.cores,
        profile,
        mem.hash_mem_multiplier,
        mem.max_worker_processes,
        mem.parallel_workers_per_gather,
        mem.autovacuum_workers,
    )
    d = dict(processes_why)

    limit = memory_limit(scenario)
    maintenance = mem.maintenance_work_mem
    if maintenance is None:
        share = MAINTENANCE_SHARE.get(profile, MAINTENANCE_SHARE_DEFAULT)
        raw: float = hw.ram * share
        cap = MAINTENANCE_CAP if limit is None else min(MAINTENANCE_CAP, limit)
        maintenance = int(min(max(raw, float(MAINTENANCE_FLOOR)), float(cap))) // MB * MB
        d["maintenance_work_mem"] = Derivation(
            formula=f"maintenance_work_mem = RAM x 1/{round(1 / share)}, between 64 MB and {human_size(cap)}",
            calculation=f"{human_size(hw.ram)} / {round(1 / share)} = {human_size(raw)} -> {human_size(maintenance)}",
            inputs={"RAM": human_size(hw.ram), "profile": profile},
            source=PGTUNE,
            note="whole MB",
        )
    elif limit is not None and maintenance > limit:
        d["maintenance_work_mem"] = Derivation(
            formula="maintenance_work_mem = given, at most what the server accepts",
            calculation=f"given: {human_size(maintenance)} -> {human_size(limit)}",
            inputs={"maintenance_work_mem": human_size(maintenance)},
            source=PG_RESOURCE_CONSUMPTION,
            note=f"on Windows PostgreSQL before {WINDOWS_MEMORY_LIMIT_BEFORE} stops at 2 GB",
        )
        maintenance = limit
    autovacuum_mem = min(maintenance, AUTOVACUUM_WORK_MEM_CAP)
    d["autovacuum_work_mem"] = Derivation(
        formula="autovacuum_work_mem = maintenance_work_mem, at most 1 GB",
        calculation=f"min({human_size(maintenance)}, 1 GB) = {human_size(autovacuum_mem)}",
        inputs={"maintenance_work_mem": human_size(maintenance)},
        source=PG_AUTOVACUUM,
        note="VACUUM before 17 never stores more than 1 GB of dead tuple IDs; 1 GB is ~180 M of them",
    )
    return ServerBasis(hmm, per_gather, workers, parallel, autovacuum, maintenance, autovacuum_mem, d)


@functools.lru_cache(maxsize=256)  # bounded: a given hash_mem_multiplier is a real number
def _processes(
    version: int,
    cores: int,
    profile: str,
    hmm: float | None,
    workers: int | None,
    per_gather: int | None,
    autovacuum: int | None,
) -> tuple[float, int, int, int, int, dict[str, Derivation]]:
    """hash_mem_multiplier and the worker counts, "auto" resolved, with their explanations.

    They depend on a few discrete inputs only (release, cores, profile and the values given), so each
    combination is worked out once rather than on every slider tick. The explanations are shared
    between plans, so the caller copies the dict before adding to it.
    """
    d: dict[str, Derivation] = {}

    if hmm is None:
        hmm = HASH_MEM_MULTIPLIER_DEFAULT.get(version, HASH_MEM_MULTIPLIER_DEFAULT_FROM_15)
        d["hash_mem_multiplier"] = Derivation(
            formula="hash_mem_multiplier = the version's default",
            calculation=f"PostgreSQL {version}: {exact(hmm)}",
            inputs={"PostgreSQL": str(version)},
            source=PG_RESOURCE_CONSUMPTION,
            note="15 raised the default from 1.0 to 2.0",
        )

    if workers is None:
        workers = max(DEFAULT_MAX_WORKER_PROCESSES, cores)
        d["max_worker_processes"] = Derivation(
            formula="max_worker_processes = cores, at least the default 8",
            calculation=f"max({cores}, {DEFAULT_MAX_WORKER_PROCESSES}) = {workers}",
            inputs={"cores": str(cores)},
            source=PG_RESOURCE_CONSUMPTION,
        )
    parallel = min(cores, workers)
    d["max_parallel_workers"] = Derivation(
        formula="max_parallel_workers = cores, at most max_worker_processes",
        calculation=f"min({cores}, {workers}) = {parallel}",
        inputs={"cores": str(cores), "max_worker_processes": str(workers)},
        source=PG_RESOURCE_CONSUMPTION,
        note="more parallel workers than cores only queue for CPU",
    )

    if per_gather is None:
        half = math.ceil(cores / 2)
        capped = half if profile == "analytics" else min(half, PARALLEL_PER_GATHER_CAP)
        per_gather = min(capped, parallel)
        capped_at = "" if profile == "analytics" else f", at most {PARALLEL_PER_GATHER_CAP}"
        d["parallel_workers_per_gather"] = Derivation(
            formula=f"max_parallel_workers_per_gather = ceil(cores / 2){capped_at}, at most max_parallel_workers",
            calculation=f"ceil({cores} / 2) = {half} -> {per_gather}",
            inputs={"cores": str(cores), "profile": profile},
            source=PGTUNE,
        )

    if autovacuum is None:
        by_cores = (w for least, w in AUTOVACUUM_WORKERS_BY_CORES if cores >= least)
        autovacuum = next(by_cores, DEFAULT_AUTOVACUUM_MAX_WORKERS)
        d["autovacuum_workers"] = Derivation(
            formula="autovacuum_max_workers = 3; 4 from 16 cores; 5 from 32 cores",
            calculation=f"{cores} cores -> {autovacuum}",
            inputs={"cores": str(cores)},
            source=PGTUNE,
        )

    return hmm, workers, parallel, per_gather, autovacuum, d

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

from .defaults import (
    AUTOVACUUM_WORKERS_BY_CORES,
    AUTOVACUUM_WORKERS_RULE,
    HASH_MEM_MULTIPLIER_DEFAULT_BEFORE,
    HASH_MEM_MULTIPLIER_DEFAULT_SINCE,
    HASH_MEM_MULTIPLIER_RAISED_IN,
    MAINTENANCE_CAP,
    MAINTENANCE_DIVISOR,
    MAINTENANCE_DIVISOR_BY_PROFILE,
    MAINTENANCE_FLOOR,
    PARALLEL_PER_GATHER_CAP,
)
from .derivation import Derivation, capped, exact
from .scenario import Scenario
from .sources import PG_AUTOVACUUM, PG_RESOURCE_CONSUMPTION, PGTUNE
from .units import GB, MB, human_size
from .versions import DEFAULT_AUTOVACUUM_MAX_WORKERS, DEFAULT_MAX_WORKER_PROCESSES

HASH_MEM_MULTIPLIER_NOTE = (
    f"{HASH_MEM_MULTIPLIER_RAISED_IN} raised the default from {HASH_MEM_MULTIPLIER_DEFAULT_BEFORE:.1f} to "
    f"{HASH_MEM_MULTIPLIER_DEFAULT_SINCE:.1f}"
)
MAX_WORKER_PROCESSES_FORMULA = f"max_worker_processes = cores, at least the default {DEFAULT_MAX_WORKER_PROCESSES}"
AUTOVACUUM_WORKERS_FORMULA = f"autovacuum_max_workers = {AUTOVACUUM_WORKERS_RULE}"
PER_GATHER_FORMULA_ANALYTICS = "max_parallel_workers_per_gather = ceil(cores / 2), at most max_parallel_workers"
PER_GATHER_FORMULA = (
    f"max_parallel_workers_per_gather = ceil(cores / 2), at most {PARALLEL_PER_GATHER_CAP} and at most "
    "max_parallel_workers"
)
# Before 17, VACUUM stores at most 1 GB of dead tuple IDs whatever autovacuum_work_mem says
# (vacuumlazy.c MAXDEADITEMS); 17's TID store has no such limit, but 1 GB still holds ~100 M dead rows.
AUTOVACUUM_WORK_MEM_CAP = 1 * GB
AUTOVACUUM_WORK_MEM_FORMULA = (
    f"autovacuum_work_mem = maintenance_work_mem, at most {human_size(AUTOVACUUM_WORK_MEM_CAP)}"
)
AUTOVACUUM_WORK_MEM_NOTE = (
    f"VACUUM before 17 never stores more than {human_size(AUTOVACUUM_WORK_MEM_CAP)} of dead tuple IDs; "
    f"{human_size(AUTOVACUUM_WORK_MEM_CAP)} is ~180 M of them"
)
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


@functools.cache
def _maintenance_formula(divisor: int, cap: int) -> str:
    """Made once per divisor and cap (a few), not on every plan()."""
    return f"maintenance_work_mem = RAM / {divisor}, between {human_size(MAINTENANCE_FLOOR)} and {human_size(cap)}"


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
        divisor = MAINTENANCE_DIVISOR_BY_PROFILE.get(profile, MAINTENANCE_DIVISOR)
        raw: float = hw.ram / divisor
        cap = MAINTENANCE_CAP if limit is None else min(MAINTENANCE_CAP, limit)
        bounded = min(max(raw, float(MAINTENANCE_FLOOR)), float(cap))
        maintenance = int(bounded) // MB * MB
        d["maintenance_work_mem"] = Derivation(
            formula=_maintenance_formula(divisor, cap),
            calculation=capped(
                f"{human_size(hw.ram)} / {divisor}",
                raw,
                at_least=MAINTENANCE_FLOOR,
                at_most=cap,
                show=human_size,
                result=maintenance,
                direction="down to whole MB",
            ),
            inputs={"RAM": human_size(hw.ram), "profile": profile},
            source=PGTUNE,
            note="whole MB",
        )
    elif limit is not None and maintenance > limit:
        lowered = capped(human_size(maintenance), maintenance, at_most=limit, show=human_size)
        d["maintenance_work_mem"] = Derivation(
            formula="maintenance_work_mem = given, at most what the server accepts",
            calculation=f"given: {human_size(maintenance)}; {lowered}",
            inputs={"maintenance_work_mem": human_size(maintenance)},
            source=PG_RESOURCE_CONSUMPTION,
            note=f"on Windows PostgreSQL before {WINDOWS_MEMORY_LIMIT_BEFORE} stops at 2 GB",
        )
        maintenance = limit
    autovacuum_mem = min(maintenance, AUTOVACUUM_WORK_MEM_CAP)
    d["autovacuum_work_mem"] = Derivation(
        formula=AUTOVACUUM_WORK_MEM_FORMULA,
        calculation=capped(human_size(maintenance), maintenance, at_most=AUTOVACUUM_WORK_MEM_CAP, show=human_size),
        inputs={"maintenance_work_mem": human_size(maintenance)},
        source=PG_AUTOVACUUM,
        note=AUTOVACUUM_WORK_MEM_NOTE,
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
        raised = version >= HASH_MEM_MULTIPLIER_RAISED_IN
        hmm = HASH_MEM_MULTIPLIER_DEFAULT_SINCE if raised else HASH_MEM_MULTIPLIER_DEFAULT_BEFORE
        d["hash_mem_multiplier"] = Derivation(
            formula="hash_mem_multiplier = the version's default",
            calculation=f"PostgreSQL {version}: {exact(hmm)}",
            inputs={"PostgreSQL": str(version)},
            source=PG_RESOURCE_CONSUMPTION,
            note=HASH_MEM_MULTIPLIER_NOTE,
        )

    if workers is None:
        workers = max(DEFAULT_MAX_WORKER_PROCESSES, cores)
        d["max_worker_processes"] = Derivation(
            formula=MAX_WORKER_PROCESSES_FORMULA,
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
        caps = (parallel,) if profile == "analytics" else (PARALLEL_PER_GATHER_CAP, parallel)
        per_gather = min(half, *caps)
        d["parallel_workers_per_gather"] = Derivation(
            formula=PER_GATHER_FORMULA_ANALYTICS if profile == "analytics" else PER_GATHER_FORMULA,
            calculation=capped(f"ceil({cores} / 2)", half, at_most=caps),
            inputs={"cores": str(cores), "profile": profile},
            source=PGTUNE,
        )

    if autovacuum is None:
        by_cores = (w for least, w in AUTOVACUUM_WORKERS_BY_CORES if cores >= least)
        autovacuum = next(by_cores, DEFAULT_AUTOVACUUM_MAX_WORKERS)
        d["autovacuum_workers"] = Derivation(
            formula=AUTOVACUUM_WORKERS_FORMULA,
            calculation=f"{cores} {'core' if cores == 1 else 'cores'}: {autovacuum}",
            inputs={"cores": str(cores)},
            source=PGTUNE,
        )

    return hmm, workers, parallel, per_gather, autovacuum, d

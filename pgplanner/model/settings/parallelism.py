"""Parallelism: background worker slots and how many of them one query or index build may use."""

from __future__ import annotations

import math

from ..defaults import PARALLEL_PER_GATHER_CAP
from ..derivation import Derivation, capped
from ..server import REPLICATION_SLOTS
from ..sources import PG_RESOURCE_CONSUMPTION, PGTUNE
from ..versions import DEFAULT_MAX_WORKER_PROCESSES
from .base import Declaration, Made, Parameter, SettingsInput, explain

DECLARED = Declaration(
    "parallelism",
    "Parallelism",
    {
        "max_worker_processes": Parameter(13, "restart"),
        "max_parallel_workers": Parameter(13, "reload"),
        "max_parallel_workers_per_gather": Parameter(13, "reload"),
        "max_parallel_maintenance_workers": Parameter(13, "reload"),
    },
)

PGTUNE_PARALLEL_FROM_CORES = 4  # pgtune writes no parallel settings below 4 CPUs
# PostgreSQL's defaults for the parallel workers of one query and of one index build (guc_tables.c).
DEFAULT_PARALLEL_PER_GATHER = 2
DEFAULT_PARALLEL_MAINTENANCE = 2
FEW_CORES = (
    f"pgtune leaves the defaults ({DEFAULT_MAX_WORKER_PROCESSES} workers, {DEFAULT_PARALLEL_PER_GATHER} per gather) "
    f"below {PGTUNE_PARALLEL_FROM_CORES} cores; pgplanner sizes them to the cores (none on one core, where a worker "
    "only competes with its leader), since more parallel workers than cores only queue for CPU and multiply the "
    "worst-case memory"
)
FEW_WORKER_SLOTS = (
    f"pgtune leaves PostgreSQL's {DEFAULT_MAX_WORKER_PROCESSES} below {PGTUNE_PARALLEL_FROM_CORES} cores, slots that "
    "parallel queries, logical replication and extensions take from one another; pgplanner counts each of them"
)
WORKER_SLOTS_DIFFER = (
    "pgtune sets max_worker_processes = max_parallel_workers = the cores, so parallel queries can take every slot "
    'that logical replication and extensions need ("out of background worker slots"); pgplanner keeps '
    f"{REPLICATION_SLOTS} slots for logical replication and the extension workers beside the parallel workers"
)
MAINTENANCE_FORMULA = (
    f"max_parallel_maintenance_workers = ceil(cores / 2), at most {PARALLEL_PER_GATHER_CAP} and at most "
    "max_parallel_workers"
)


def recommend(inp: SettingsInput) -> Made:
    """Made per plan: the cores and the worker counts make too many combinations for a cache to hit, and
    every explanation that costs more than the server model's own is written when read."""
    server, scenario = inp.basis.server, inp.scenario
    cores, version = scenario.hardware.cores, scenario.hardware.pg_version
    d = server.derivations
    few = cores < PGTUNE_PARALLEL_FROM_CORES
    workers, max_parallel = server.max_worker_processes, server.max_parallel_workers
    per_gather = server.parallel_workers_per_gather
    derived = d.get("max_worker_processes")
    if derived is not None:
        worker_how = derived
        worker_differs = ""
        if workers != (cores if not few else DEFAULT_MAX_WORKER_PROCESSES):  # pgtune's
            worker_differs = WORKER_SLOTS_DIFFER if not few else FEW_WORKER_SLOTS
    else:
        worker_how = Derivation.later(_given_workers, workers)
        worker_differs = "pgplanner writes the max_worker_processes you gave; pgtune sets it to the cores"
    parallel_differs = FEW_CORES if few else ""
    if not few and max_parallel < cores:
        parallel_differs = (
            "pgtune sets it to the cores; here the max_worker_processes given leaves fewer slots once logical "
            "replication and the extension workers have theirs"
        )
    gather = d.get("parallel_workers_per_gather")
    gather_differs = FEW_CORES if few and per_gather != DEFAULT_PARALLEL_PER_GATHER else ""
    if scenario.memory.parallel_workers_per_gather is not None:
        gather_differs = "pgplanner writes the parallel workers per gather you gave; pgtune derives them from the cores"
    half = math.ceil(cores / 2)
    maintenance = min(half, PARALLEL_PER_GATHER_CAP, max_parallel)
    setting = DECLARED.setting
    return [
        setting(version, "max_worker_processes", str(workers), worker_how, worker_differs),
        setting(version, "max_parallel_workers", str(max_parallel), d["max_parallel_workers"], parallel_differs),
        setting(version, "max_parallel_workers_per_gather", str(per_gather),
                Derivation.later(_per_gather, gather, per_gather, cores), gather_differs),
        setting(version, "max_parallel_maintenance_workers", str(maintenance),
                Derivation.later(_maintenance, cores, half, max_parallel),
                FEW_CORES if few and maintenance != DEFAULT_PARALLEL_MAINTENANCE else ""),
    ]  # fmt: skip


def _given_workers(workers: int) -> Derivation:
    """The explanation of a max_worker_processes the user gave."""
    shown = str(workers)
    return explain("max_worker_processes", f"given: {shown}", inputs={"max_worker_processes": shown},
                   source=PG_RESOURCE_CONSUMPTION)  # fmt: skip


def _per_gather(gather: Derivation | None, per_gather: int, cores: int) -> Derivation:
    """The workers of one query: the server model's derivation, or the count given."""
    formula, calculation = (
        (gather.formula, gather.calculation) if gather else ("max_parallel_workers_per_gather", f"given: {per_gather}")
    )
    return explain(formula, calculation,
                   "each worker is another process with its own work_mem per node: the worst case per "
                   "connection counts 1 + this many processes",
                   inputs={"cores": str(cores)}, source=PGTUNE if gather else PG_RESOURCE_CONSUMPTION)  # fmt: skip


def _maintenance(cores: int, half: int, max_parallel: int) -> Derivation:
    """The workers of one index build: half the cores, bounded."""
    calculation = capped(f"ceil({cores} / 2)", half, at_most=(PARALLEL_PER_GATHER_CAP, max_parallel))
    return explain(MAINTENANCE_FORMULA, calculation, "workers of one CREATE INDEX share its maintenance_work_mem",
                   inputs={"cores": str(cores), "max_parallel_workers": str(max_parallel)},
                   source=PGTUNE)  # fmt: skip

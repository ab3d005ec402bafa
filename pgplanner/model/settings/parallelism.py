"""Parallelism: background worker slots and how many of them one query or index build may use."""

from __future__ import annotations

import math

from ..defaults import PARALLEL_PER_GATHER_CAP
from ..derivation import capped
from ..sources import PG_RESOURCE_CONSUMPTION
from ..versions import DEFAULT_MAX_WORKER_PROCESSES
from .base import Declaration, Parameter, Setting, SettingsInput, carried, explain, present

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
    f"below {PGTUNE_PARALLEL_FROM_CORES} cores; pgplanner sizes them to the cores, since more parallel workers than "
    "cores only queue for CPU and multiply the worst-case memory"
)
MAINTENANCE_FORMULA = (
    f"max_parallel_maintenance_workers = ceil(cores / 2), at most {PARALLEL_PER_GATHER_CAP} and at most "
    "max_parallel_workers"
)


def recommend(inp: SettingsInput) -> list[Setting]:
    server, cores = inp.basis.server, inp.scenario.hardware.cores
    d = server.derivations
    few = cores < PGTUNE_PARALLEL_FROM_CORES
    derived = d.get("max_worker_processes")
    worker_differs = ""
    if derived is not None:
        worker_how = carried(derived)
    else:
        given_workers = str(server.max_worker_processes)
        worker_how = explain(
            "max_worker_processes",
            f"given: {given_workers}",
            inputs={"max_worker_processes": given_workers},
            source=PG_RESOURCE_CONSUMPTION,
        )
        worker_differs = "pgplanner writes the max_worker_processes you gave; pgtune sets it to the cores"
    if derived is not None and not few and cores < DEFAULT_MAX_WORKER_PROCESSES:
        worker_differs = (
            f"pgtune sets it to the {cores} cores, below PostgreSQL's default {DEFAULT_MAX_WORKER_PROCESSES}; "
            f"pgplanner never goes below {DEFAULT_MAX_WORKER_PROCESSES}, because logical replication workers and "
            "extensions take these slots too"
        )
    parallel_differs = FEW_CORES if few else ""
    if server.max_parallel_workers < cores:
        parallel_differs = "pgtune sets it to the cores; here max_worker_processes, which it cannot exceed, is lower"
    per_gather = server.parallel_workers_per_gather
    gather = d.get("parallel_workers_per_gather")
    gather_formula, gather_calculation = (
        (gather.formula, gather.calculation) if gather else ("max_parallel_workers_per_gather", f"given: {per_gather}")
    )
    gather_differs = FEW_CORES if few and per_gather != DEFAULT_PARALLEL_PER_GATHER else ""
    if inp.scenario.memory.parallel_workers_per_gather is not None:
        gather_differs = "pgplanner writes the parallel workers per gather you gave; pgtune derives them from the cores"
    half = math.ceil(cores / 2)
    caps = (PARALLEL_PER_GATHER_CAP, server.max_parallel_workers)
    maintenance = min(half, *caps)
    memory, parallel = inp.derivations["memory.worst_case_per_connection_bytes"], d["max_parallel_workers"]
    version, setting = inp.version, DECLARED.setting
    return present([
        setting(version, "max_worker_processes", str(server.max_worker_processes), worker_how, worker_differs),
        setting(version, "max_parallel_workers", str(server.max_parallel_workers), carried(parallel),
                parallel_differs),
        setting(version, "max_parallel_workers_per_gather", str(per_gather),
                explain(gather_formula, gather_calculation,
                        f"each worker multiplies the heaviest query's memory: {memory.calculation}",
                        inputs={"cores": str(cores)}, source=PG_RESOURCE_CONSUMPTION),
                gather_differs),
        setting(version, "max_parallel_maintenance_workers", str(maintenance),
                explain(MAINTENANCE_FORMULA, capped(f"ceil({cores} / 2)", half, at_most=caps),
                        "workers of one CREATE INDEX share its maintenance_work_mem",
                        inputs={"cores": str(cores), "max_parallel_workers": str(server.max_parallel_workers)},
                        source=PG_RESOURCE_CONSUMPTION),
                FEW_CORES if few and maintenance != DEFAULT_PARALLEL_MAINTENANCE else ""),
    ])  # fmt: skip

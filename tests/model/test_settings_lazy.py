"""A setting's explanation written when first read (Derivation.later) reads as one written at once.

The recommenders defer their text to the first read, and some cache whole settings per combination of
inputs: a deferred text must not see values of a later plan (a closure reading a loop variable late, or
the plan's derivations dict after plan() went on filling it). Plans made and left unread while others are
planned must read as the same scenarios planned afresh and read at once.
"""

from __future__ import annotations

from pgplanner.model import Plan, Scenario, plan

from ..benchmarks.bench_plan import clear_model_caches

CHANGES = (
    {},
    {"ram": "4TB", "cores": 96, "data_size": "10TB", "replicas": 2, "profile": "analytics", "pg_version": 18},
    {"ram": "512MB", "cores": 1, "platform": "windows", "pg_version": 13, "profile": "desktop"},
    {"work_mem": "4GB", "maintenance_work_mem": "8GB", "shared_buffers": "2GB", "platform": "windows"},
    {"hash_mem_multiplier": 3, "parallel_workers_per_gather": 6, "max_worker_processes": 12, "autovacuum_workers": 7},
    {"wal_disk": "20GB", "replicas": 1, "data_size": "100MB", "storage": "hdd", "platform": "freebsd"},
)


def _read(planned: Plan) -> list[tuple[str, dict[str, object]]]:
    return [(s.name, s.derivation.as_json()) for s in planned.settings]


def test_settings_read_late_read_as_planned_afresh_and_read_at_once() -> None:
    scenarios = [Scenario().with_changes(**changes) for changes in CHANGES]
    unread = [plan(scenario) for scenario in scenarios]
    for scenario in reversed(scenarios):  # other plans in between, through the same caches
        plan(scenario.with_changes(cores=scenario.hardware.cores + 1))
    late = [_read(planned) for planned in unread]
    clear_model_caches()
    assert late == [_read(plan(scenario)) for scenario in scenarios]

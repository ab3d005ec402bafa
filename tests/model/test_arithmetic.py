"""The arithmetic beyond the seeds' examples: defaults, caps, sizing of the pooler and the budget."""

import pytest

from pgplanner.model import Scenario, budget, plan
from pgplanner.model.units import GB, MB, human_size

from .helpers import line, plan_for


def test_default_scenario_is_a_sensible_plan():
    result = plan(Scenario())
    assert result.productive_target == 10
    assert result.pool_size == 10
    assert result.max_connections_required <= result.max_connections < result.ram_ceiling
    assert not [w for w in result.warnings if w.severity == "error"]


@pytest.mark.parametrize("storage, disk", [("hdd", 4), ("network", 4), ("ssd", 2), ("nvme", 1)])
def test_disk_concurrency_follows_storage(storage, disk):
    assert plan_for(cores=8, storage=storage).productive_target == 16 + disk


def test_productive_target_is_capped_at_cores_x_4():
    result = plan_for(cores=4, workload="io", disk_concurrency=8)
    assert result.productive_target == 16
    assert "capped" in result.derivations["productive_target"].note


def test_pool_splits_across_databases_and_users():
    result = plan_for(cores=8, disk_concurrency=2, databases=2, users=3)
    assert result.pools == 6
    assert result.pool_size == 3  # ceil(18 / 6)
    assert line(result, "pool") == 18


def test_reserve_pool_defaults_to_a_quarter():
    assert plan_for(pool_size=24).reserve_pool == 6
    assert plan_for(pool_size=10).reserve_pool == 3


def test_without_a_pooler_every_client_is_a_backend():
    result = plan_for(pooler="none", app_instances=30, pool_per_instance=10)
    assert line(result, "direct_clients") == 300
    assert line(result, "pool") == 0
    assert result.pooler_capacity_tps is None
    assert "DEMAND_WITHOUT_POOLER" in {w.code for w in result.warnings}


def test_max_client_conn_covers_demand():
    assert plan_for(clients=1000).max_client_conn == 1200
    assert plan_for(clients=10, app_instances=0).max_client_conn == 100


@pytest.mark.parametrize("required, recommended", [(21, 30), (40, 50), (83, 100), (178, 225), (1000, 1200)])
def test_recommendation_adds_headroom_and_rounds(required, recommended):
    assert budget.recommended(required)[0] == recommended


def test_given_max_connections_is_evaluated_not_replaced():
    result = plan_for(max_connections=500)
    assert result.max_connections == 500
    assert result.max_connections_recommended < 500
    # 500 backends + 4 parallel workers at once (2 per gather, at most max_parallel_workers = 4 cores),
    # each 10 MB + 8 MB of page tables (4 GB of shared_buffers / 4 kB x 8 B, no huge pages below 8 GB)
    # + 4 MB x 4 sort nodes + 4 MB x 2 x 1 hash node = 42 MB
    assert result.memory.worst_case_bytes == (500 + 4) * 42 * MB


def test_safe_work_mem_fits_the_worst_case():
    result = plan_for(max_connections=200, ram="16GB", work_mem="256MB", hash_nodes=1, hash_mem_multiplier=2)
    safe = result.memory.safe_work_mem_bytes
    # 4 sort nodes + 1 hash node x 2, in 200 backends and the 4 parallel workers that may run at once
    # (2 per gather, at most max_parallel_workers = 4 cores), each also holding 8 MB of page tables
    # (4 GB / 4 kB x 8 B); safe is rounded down to whole MB
    worst_at_safe = (200 + 4) * (10 * MB + 8 * MB + safe * (4 + 1 * 2))
    assert worst_at_safe <= result.memory.worst_case_available_bytes
    one_mb_more = (200 + 4) * (10 * MB + 8 * MB + (safe + MB) * (4 + 1 * 2))
    assert one_mb_more > result.memory.worst_case_available_bytes
    assert "WORST_CASE_OVER_RAM" in {w.code for w in result.warnings}
    assert human_size(safe) in next(w.message for w in result.warnings if w.code == "WORST_CASE_OVER_RAM")


@pytest.mark.parametrize(
    ("shared_buffers", "code", "numbers"),
    [
        ("2GB", "SHARED_BUFFERS_OVER_RAM", ("2 GB", "1 GB")),
        # OS reserve on 1 GB: 256 MB + 1,024 MB x 0.035 = 291.84 MB; 800 MB + 291.84 MB = 1,091.84 MB >= 1 GB
        ("800MB", "NO_MEMORY_FOR_CONNECTIONS", ("800 MB", "292 MB", "1 GB")),
    ],
)
def test_no_memory_left_is_a_blocking_error_naming_the_numbers(shared_buffers, code, numbers):
    result = plan_for(ram="1GB", shared_buffers=shared_buffers)
    assert result.ram_ceiling == 0
    assert result.memory.safe_work_mem_bytes is None
    found = next(w for w in result.warnings if w.code == code)
    assert found.blocking and "shared_buffers" in found.message and "RAM" in found.message
    assert all(number in found.message for number in numbers), found.message
    assert "shared_buffers" in found.settings  # the export marks the value it is written as


@pytest.mark.parametrize(
    ("version", "reserved", "message"),
    [
        # PostgreSQL 18.6 itself: "superuser_reserved_connections" (6) plus "reserved_connections" (4)
        # must be less than "max_connections" (10)
        (
            18,
            {"superuser_reserved": 6, "reserved_connections": 4},
            "(6 + 4 = 10) must be less than max_connections (10)",
        ),
        (15, {"superuser_reserved": 10}, "superuser_reserved_connections (10) must be less than max_connections (10)"),
    ],
)
def test_reserved_slots_filling_max_connections_block(version, reserved, message):
    result = plan_for(pg_version=version, max_connections=10, **reserved)
    found = next(w for w in result.warnings if w.code == "RESERVED_SLOTS_FILL_MAX_CONNECTIONS")
    assert found.blocking and message in found.message


def test_max_connections_plus_other_backends_beyond_postgresql_blocks():
    """PostgreSQL 15 counts max_connections + 3 autovacuum + 1 launcher + 11 workers (the bundle's: 4 parallel +
    5 logical replication + 2 extension workers) + 10 WAL senders."""
    result = plan_for(pg_version=15, max_connections=262_143)
    found = next(w for w in result.warnings if w.code == "TOO_MANY_BACKENDS")
    assert "262,168 backends" in found.message and "at most 262,118" in found.message
    assert not any(w.code == "TOO_MANY_BACKENDS" for w in plan_for(pg_version=15, max_connections=262_118).warnings)


def test_shared_buffers_above_40_percent_warns():
    assert "SHARED_BUFFERS_HIGH" in {w.code for w in plan_for(ram="16GB", shared_buffers="8GB").warnings}


def test_warnings_come_errors_first():
    result = plan_for(max_connections=3000, ram="4GB", pooler="none", app_instances=100)
    severities = [w.severity for w in result.warnings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def test_every_output_explains_itself():
    result = plan_for(cores=16, ram="64GB")
    for key in (
        "ram_ceiling",
        "productive_target",
        "pool_size",
        "max_connections_required",
        "max_connections_recommended",
        "max_connections",
        "memory.worst_case_bytes",
        "memory.heavy_fraction_bytes",
        "memory.safe_work_mem_bytes",
        "pooler_capacity_tps",
    ):
        derivation = result.derivations[key]
        assert derivation.formula and derivation.calculation, key
    assert "64 GB" in result.derivations["memory.available_bytes"].calculation


def test_large_memory_curve_does_not_overflow():
    result = plan_for(ram="64TB", per_connection_memory="1MB", work_mem="64GB", sort_nodes=64, backend_memory="1GB")
    assert result.memory_curve.worst_case[-1] > 64 * GB * 1000


def test_a_budget_beyond_postgresql_is_capped_and_blocks():
    """PostgreSQL's max_connections cannot pass 262,143 (found by the window's load test)."""
    result = plan_for(pooler="none", app_instances=100_000, pool_per_instance=10)
    assert result.max_connections_required == 1_000_000 + 3 + 2 + 3
    assert result.max_connections == 262_143
    assert "BUDGET_BEYOND_POSTGRESQL" in {w.code for w in result.warnings if w.severity == "error"}


def test_reserved_slots_must_leave_room():
    """PostgreSQL refuses to start unless superuser_reserved + reserved_connections < max_connections."""
    assert "RESERVED_SLOTS_FILL_MAX_CONNECTIONS" in {w.code for w in plan_for(max_connections=3).warnings}
    fits = plan_for(max_connections=10, superuser_reserved=3, reserved_connections=6)
    assert "RESERVED_SLOTS_FILL_MAX_CONNECTIONS" not in {w.code for w in fits.warnings}
    full = plan_for(max_connections=10, superuser_reserved=3, reserved_connections=7)
    assert "RESERVED_SLOTS_FILL_MAX_CONNECTIONS" in {w.code for w in full.warnings}


def test_a_pool_never_has_more_backends_than_clients():
    """256 cores x 2 + 2 = 514 productive, but only 200 clients (issue 10: a pool of 514 for 200)."""
    result = plan_for(cores=256, ram="64GB")
    assert result.client_demand == 200
    assert (result.pool_size, result.reserve_pool) == (200, 0)
    small = plan_for(cores=16, clients=30)  # productive 34 > 30 clients: pool 30, no reserve left over
    assert (small.pool_size, small.reserve_pool) == (30, 0)

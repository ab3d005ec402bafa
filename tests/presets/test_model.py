"""What a preset changes in the Plan: the hardware, the limits, the budget and the warnings."""

from __future__ import annotations

import pytest

from pgplanner.model import Scenario, plan
from pgplanner.presets import apply_preset
from tests.model.helpers import line


def planned(catalog, preset: str, **inputs: object):
    return plan(apply_preset(Scenario(), catalog.find(preset)).with_changes(**inputs))


def codes(result) -> set[str]:
    return {w.code for w in result.warnings}


def test_a_preset_fixes_cores_and_ram_and_keeps_the_rest(catalog):
    before = Scenario().with_changes(listeners=12, work_mem="16MB")
    scenario = apply_preset(before, catalog.find("aws-rds/db.m6g.xlarge"))
    assert (scenario.hardware.cores, scenario.hardware.ram) == (4, 16 * 1024**3)
    assert scenario.workload.listeners == 12 and scenario.memory.work_mem == 16 * 1024**2
    assert scenario.provider.id == "aws-rds/db.m6g.xlarge"


def test_heroku_standard_0_with_a_requirement_of_150(catalog):
    # 4 pool + 1 reserve + 137 listeners + 3 monitoring + 2 admin + 3 superuser_reserved = 150
    result = planned(catalog, "heroku/standard-0", listeners=137)
    assert result.max_connections_required == 150
    assert result.max_connections == 120 == result.provider.max_connections
    error = next(w for w in result.warnings if w.code == "PROVIDER_HARD_LIMIT")
    assert error.severity == "error"
    assert "pooler" in error.message.lower() or "PgBouncer" in error.message
    assert "bigger plan" in error.message


def test_within_a_hard_limit_there_is_no_error(catalog):
    assert "PROVIDER_HARD_LIMIT" not in codes(planned(catalog, "heroku/standard-0"))


def test_a_changeable_default_is_advice_not_an_error(catalog):
    result = planned(catalog, "aws-rds/db.t3.micro")
    assert "PROVIDER_HARD_LIMIT" not in codes(result)
    assert "PROVIDER_DEFAULT_DIFFERS" in codes(result)


def test_provider_pooler_on_a_plan_without_one(catalog):
    assert "PROVIDER_POOLER_NOT_OFFERED" in codes(planned(catalog, "render/pro-8gb", pooler="provider"))


@pytest.mark.parametrize(
    "preset, mode, offered",
    [
        ("heroku/standard-2", "session", False),
        ("aws-rds/db.r6g.large", "session", False),
        ("supabase/small", "session", True),
        ("azure-flexible/d2ds_v5", "statement", True),
    ],
)
def test_pool_mode_the_provider_pooler_does_not_offer(catalog, preset, mode, offered):
    result = planned(catalog, preset, pooler="provider", pool_mode=mode)
    assert ("PROVIDER_POOL_MODE_NOT_OFFERED" not in codes(result)) == offered


def test_provider_pooler_client_cap(catalog):
    assert "PROVIDER_POOLER_CLIENT_LIMIT" in codes(planned(catalog, "supabase/micro", pooler="provider", clients=500))
    assert "PROVIDER_POOLER_CLIENT_LIMIT" not in codes(planned(catalog, "supabase/xl", pooler="provider", clients=500))


def test_provider_reserved_slots_count_in_the_budget(catalog):
    result = planned(catalog, "aws-aurora/db.r6g.large")
    assert line(result, "provider_reserved.automation") == 3  # AWS automation
    assert line(result, "superuser_reserved") == 3  # and PostgreSQL's own
    assert result.max_connections_required == sum(
        b.connections for b in result.budget if b.counts_against == "max_connections"
    )


@pytest.mark.parametrize(
    "preset, reserved", [("azure-flexible/d2ds_v5", 15), ("neon/2cu", 7), ("digitalocean/gd-2vcpu-8gb", 3)]
)
def test_a_total_that_holds_the_superuser_slots_is_counted_once(catalog, preset, reserved):
    result = planned(catalog, preset, pg_version=17, reserved_connections=5)
    assert sum(b.connections for b in result.budget if b.key.startswith("provider_reserved.")) == reserved
    assert line(result, "superuser_reserved") == 0
    assert line(result, "reserved_connections") == 0


def test_the_memory_curve_marks_the_provider_limit(catalog):
    assert planned(catalog, "neon/1cu").memory_curve.marks["provider_limit"] == 419


def test_the_provider_pooler_pool_is_its_default_pool_size_capped_by_its_clients(catalog):
    """Neon 1 CU: max_connections 419, its PgBouncer's default_pool_size 0.9 x 419 = 377 (Neon's docs)."""
    many = planned(catalog, "neon/1cu", pooler="provider", clients=1000)
    assert (many.pool_size, many.reserve_pool) == (377, 0)
    few = planned(catalog, "neon/1cu", pooler="provider", clients=50)
    assert few.pool_size == 50  # a pool never opens more backends than it has clients
    pool_line = next(b for b in few.budget if b.key == "pool")
    assert "default_pool_size 377" in pool_line.why and "max_client_conn 10,000" in pool_line.why


def test_a_plan_that_fixes_max_connections_is_not_judged_by_it(catalog):
    """Neon 1 CU fixes 419 connections on 4 GB (RAM ceiling 192): no blocking error the user cannot act on."""
    result = planned(catalog, "neon/1cu", pooler="provider", clients=20)
    found = codes(result)
    assert not found & {"BUDGET_OVER_RAM_CEILING", "MAX_CONNECTIONS_HIGH", "HEAVY_FRACTION_OVER_RAM"}
    assert not any(w.blocking for w in result.warnings)
    [fixed] = [w for w in result.warnings if w.code == "PROVIDER_FIXES_MAX_CONNECTIONS"]
    assert "fixes max_connections at 419" in fixed.message and "What you decide" in fixed.message
    # the same server self-managed, where the user sets max_connections 419, is an error
    own = plan(Scenario().with_changes(cores=1, ram="4GB", max_connections=419))
    assert "BUDGET_OVER_RAM_CEILING" in codes(own)


@pytest.mark.parametrize(("max_connections", "refused"), [(24, True), (25, False), (60_000, False), (60_001, True)])
def test_aiven_refuses_max_connections_outside_25_to_60000(catalog, max_connections, refused):
    """pg.max_connections: min 25, max 60000 (aiven-docs static/includes/config-pg.md, 2026-08)."""
    result = planned(catalog, "aiven/startup-4", max_connections=max_connections)
    assert ("PROVIDER_REFUSES_MAX_CONNECTIONS" in codes(result)) == refused


def test_the_aiven_developer_plan_keeps_its_own_15(catalog):
    """Below the settable range, but it is the plan's default: nothing is set, nothing refused."""
    assert "PROVIDER_REFUSES_MAX_CONNECTIONS" not in codes(planned(catalog, "aiven/developer", clients=5))


def test_a_small_budget_on_aiven_is_raised_to_what_aiven_accepts(catalog):
    result = planned(catalog, "aiven/startup-4", pooler="none", clients=2, monitoring=0, admin=0)
    assert result.max_connections_recommended < 25 and result.max_connections == 25


def test_a_plan_s_settable_range_is_its_own(catalog):
    """Aiven: pg.max_connections 25 to 60,000 on paid plans; Free is fixed at 20 (pg-free-tier.md, 2026-08-07).
    Aurora Serverless v2 with a 0.5 ACU minimum: capped at 2,000 (setting-capacity.md, 2023-06-10)."""
    assert catalog.find("aiven/startup-4").plan.max_connections_settable == (25, 60_000)
    assert catalog.find("aiven/free").plan.max_connections_settable is None  # fixed: nothing to set
    assert catalog.find("aws-aurora/serverless-v2-0.5-8acu").plan.max_connections_settable == (1, 2000)
    assert catalog.find("aws-aurora/serverless-v2-1-8acu").plan.max_connections_settable is None
    big = planned(catalog, "aws-aurora/serverless-v2-0.5-8acu", pooler="none", clients=2500)
    assert big.max_connections == 2000 < big.max_connections_recommended


def test_replicas_need_the_primary_s_settings_at_least(catalog):
    """PostgreSQL docs (Hot Standby): max_connections, max_prepared_transactions, max_locks_per_transaction,
    max_wal_senders and max_worker_processes must be at least the primary's on a standby."""
    result = planned(catalog, "aws-rds/db.r6g.large", replicas=2)
    [warning] = [w for w in result.warnings if w.code == "REPLICA_SETTINGS_AT_LEAST_PRIMARY"]
    for name in ("max_connections", "max_worker_processes", "max_prepared_transactions", "max_locks_per_transaction",
                 "max_wal_senders"):  # fmt: skip
        assert name in warning.message
    assert f"max_connections {result.max_connections}" in warning.message
    assert f"max_wal_senders {result.max_wal_senders}" in warning.message
    assert "REPLICA_SETTINGS_AT_LEAST_PRIMARY" not in codes(planned(catalog, "aws-rds/db.r6g.large"))
    assert "REPLICA_SETTINGS_AT_LEAST_PRIMARY" in codes(planned(catalog, "neon/1cu", replica_pools=20))

"""Every worked example, budget and table of the user's seed documents, as table tests.

Seed 001 prints its results after dividing by 1000 ("10GB / 10MB = ~1000", "44GB / 15MB = ~2900");
pgplanner counts in PostgreSQL's 1024-based units, so the exact values are 1,024, 3,003 and 9,420.
Each is also checked to be within 4 % of the seed's rounded figure.
"""

from __future__ import annotations

import pytest

from pgplanner.model.units import GB, MB

from .helpers import in_gb, in_mb, line, plan_for, relative_throughput

WORKED_EXAMPLES = [
    # seed 001 "Worked examples": cores, RAM, shared_buffers, OS, per connection, disk
    #   -> available, RAM ceiling (exact; seed's ~), productive target
    ("small", 4, "16GB", "4GB", "2GB", "10MB", 2, 10 * GB, 1024, 1000, 10),
    ("medium", 16, "64GB", "16GB", "4GB", "15MB", 4, 44 * GB, 3003, 2900, 36),
    ("large", 64, "256GB", "64GB", "8GB", "20MB", 8, 184 * GB, 9420, 9200, 136),
]


@pytest.mark.parametrize(
    "name, cores, ram, shared_buffers, os_overhead, per_connection, disk, available, ceiling, seed_ceiling, productive",
    WORKED_EXAMPLES,
)
def test_worked_example(
    name, cores, ram, shared_buffers, os_overhead, per_connection, disk, available, ceiling, seed_ceiling, productive
):
    result = plan_for(
        cores=cores,
        ram=ram,
        shared_buffers=shared_buffers,
        os_overhead=os_overhead,
        per_connection_memory=per_connection,
        disk_concurrency=disk,
    )
    assert result.memory.available_bytes == available
    assert result.ram_ceiling == ceiling
    assert abs(result.ram_ceiling - seed_ceiling) / seed_ceiling < 0.04
    assert result.productive_target == productive


@pytest.mark.parametrize(
    "ram, shared_buffers_gb, os_reserve_mb",
    # the seed writes "OS overhead ≈ 2 / 4 / 8 GB" (given above); the default reserve is sourced instead:
    # 256 MB + 3.5 % of RAM, after what AWS RDS keeps for the OS and its agents
    [
        ("16GB", 4, 256 + 16 * 1024 * 0.035),
        ("64GB", 16, 256 + 64 * 1024 * 0.035),
        ("256GB", 64, 256 + 256 * 1024 * 0.035),
    ],
)
def test_worked_examples_memory_split_is_the_default(ram, shared_buffers_gb, os_reserve_mb):
    """shared_buffers 25 % of RAM, as the seed splits it; the OS reserve by its own rule."""
    memory = plan_for(ram=ram).memory
    assert memory.shared_buffers_bytes == shared_buffers_gb * GB
    assert memory.os_overhead_bytes == int(os_reserve_mb * MB)


@pytest.mark.parametrize("work_mem, per_connection_mb", [("4MB", 10.625), ("32MB", 15), ("64MB", 20)])
def test_typical_memory_per_connection_follows_work_mem(work_mem, per_connection_mb):
    """Seed 001: ~10 MB at work_mem 4 MB, ~15 MB at 32 MB, ~20 MB at 64 MB (10 MB backend base)."""
    assert in_mb(plan_for(work_mem=work_mem).memory.per_connection_bytes) == per_connection_mb


def test_worst_case_for_1000_connections():
    """Seed 001: 1000 x (10MB + 64MB x 4) = 1000 x 266MB = 266GB: the full model without hash nodes or parallelism."""
    result = plan_for(
        max_connections=1000,
        backend_memory="10MB",
        work_mem="64MB",
        sort_nodes=4,
        hash_nodes=0,
        parallel_workers_per_gather=0,
        ram="512GB",
    )
    assert result.memory.worst_case_per_connection_bytes == 266 * MB
    assert in_mb(result.memory.worst_case_bytes) == 266_000


def test_twenty_percent_heavy_takes_53_gb():
    """Seed 001: a spike that activates 20 % of those connections with complex queries consumes 53 GB."""
    result = plan_for(
        max_connections=1000,
        work_mem="64MB",
        sort_nodes=4,
        hash_nodes=0,
        parallel_workers_per_gather=0,
        heavy_fraction=0.2,
        ram="512GB",
    )
    typical_rest = 1000 * 0.8 * result.memory.per_connection_bytes
    assert in_mb(result.memory.heavy_fraction_bytes - typical_rest) == pytest.approx(53_200)


def test_1000_connections_exceed_a_16_gb_server():
    result = plan_for(max_connections=1000, work_mem="64MB", ram="16GB")
    codes = {w.code for w in result.warnings}
    assert {"WORST_CASE_OVER_RAM", "BUDGET_OVER_RAM_CEILING", "MAX_CONNECTIONS_HIGH"} <= codes


@pytest.mark.parametrize("multiple, seed_share", [(1, 1.00), (2, 0.97), (3, 0.90), (5, 0.75), (10, 0.55)])
def test_throughput_falls_past_the_peak_like_seed_001(multiple, seed_share):
    """Seed 001's table, relative to its peak: 100 -> 100 %, 200 -> 97 %, 300 -> 90 %, 500 -> 75 %, 1000 -> 55 %."""
    result = plan_for(cores=16)
    peak = result.throughput.peak
    assert relative_throughput(result, multiple * peak) == pytest.approx(seed_share, abs=0.02)


def test_sixteen_cores_peak_between_32_and_48():
    """Seed 003: a 16-core Postgres peaks around 32-48 active backends."""
    result = plan_for(cores=16)
    curve = result.throughput
    assert 32 <= curve.connections[curve.direct.argmax()] <= 48


def test_sixteen_cores_follow_seed_003_table():
    """Seed 003: linear to 32, plateau 32-50, flat or declining 50-200, dropping 200-1000."""
    result = plan_for(cores=16)
    assert relative_throughput(result, 8) == pytest.approx(relative_throughput(result, 16) / 2, rel=0.01)
    assert all(relative_throughput(result, n) >= 0.93 for n in (32, 40, 50))
    assert relative_throughput(result, 200) < relative_throughput(result, 50)
    assert relative_throughput(result, 1000) < relative_throughput(result, 200)


@pytest.mark.parametrize("workload, productive", [("cpu", 10), ("mixed", 14), ("io", 16)])
def test_four_cores_serve_10_to_20(workload, productive):
    """Seed 001: for a 4-core server approximately 10-20 connections can be productively active."""
    result = plan_for(cores=4, disk_concurrency=2, workload=workload)
    assert result.productive_target == productive
    assert result.pool_size_range == (8, 16)


def test_pool_of_30_at_20_ms_serves_1500_tps():
    """Seed 001: 500 application connections share 30 backends; 30 x 20 ms transactions -> 1,500 tps."""
    result = plan_for(clients=500, app_instances=0, pool_size=30, txn_ms=20)
    assert result.pooler_capacity_tps == pytest.approx(1500)
    assert result.max_client_conn >= 500


def test_typical_production_configuration_totals_40():
    """Seed 001: pool 30 + admin/superuser 5 + monitoring 3 + replication slots 2 = 40."""
    result = plan_for(pool_size=30, reserve_pool=0, admin=2, superuser_reserved=3, monitoring=3, replicas=2)
    assert sum(b.connections for b in result.budget) == 40
    # From PostgreSQL 12 the two WAL senders have their own slots:
    assert result.max_connections_required == 38
    assert line(result, "replication") == 2
    assert next(b for b in result.budget if b.key == "replication").counts_against == "max_wal_senders"


def test_mixed_workload_needs_more_than_50():
    """Seed 001: 50 listeners, 10 batch workers, 3 replicas and 5 monitoring agents are 68 connections
    before the application pool; max_connections = 50 will not work, ~150 with a 30-connection pool is
    realistic."""
    inputs = dict(pool_size=30, reserve_pool=0, listeners=50, batch_workers=10, replicas=3, monitoring=5, admin=0)
    result = plan_for(**inputs)
    others = sum(b.connections for b in result.budget if b.key not in ("pool", "superuser_reserved"))
    assert others == 68
    assert 100 < result.max_connections <= 150
    too_low = plan_for(**inputs, max_connections=50)
    assert "MAX_CONNECTIONS_BELOW_REQUIRED" in {w.code for w in too_low.warnings}


def test_seed_003_budget_is_83_and_100_is_fine():
    """Seed 003: pool_size 24, reserve 6, 2 replicas each with pool_size 20, superuser_reserved 3,
    admin/monitoring 10: 24 + 6 + 40 + 3 + 10 = 83; max_connections = 100 is fine."""
    result = plan_for(
        cores=8, pool_size=24, reserve_pool=6, replicas=2, replica_pools=40, superuser_reserved=3, admin=5, monitoring=5
    )
    assert [line(result, k) for k in ("pool", "reserve_pool", "replica_pools", "superuser_reserved")] == [24, 6, 40, 3]
    assert line(result, "admin") + line(result, "monitoring") == 10
    assert result.max_connections_required == 83
    assert result.max_connections == 100


@pytest.mark.parametrize("instances, per_instance, demand", [(1, 8, 8), (10, 8, 80), (5, 20, 100)])
def test_client_demand_multiplies_instances(instances, per_instance, demand):
    """Seed 001: Django with 4 Gunicorn workers x 2 threads = 8 per instance, 80 for 10 instances;
    5 microservices with a pool of 20 each = 100."""
    assert plan_for(app_instances=instances, pool_per_instance=per_instance).client_demand == demand


@pytest.mark.parametrize("invocations", [100, 500, 2000])
def test_serverless_without_pooler_opens_a_backend_per_invocation(invocations):
    """Seed 001: 100 / 500 / 2000 concurrent invocations x 1 connection each; no max_connections solves it."""
    result = plan_for(pooler="none", app_instances=0, serverless_peak=invocations)
    assert line(result, "serverless") == invocations
    assert "SERVERLESS_WITHOUT_POOLER" in {w.code for w in result.warnings if w.severity == "error"}


def test_serverless_through_a_pooler_is_fine():
    result = plan_for(pooler="pgbouncer", app_instances=0, serverless_peak=2000)
    assert result.max_client_conn >= 2000
    assert result.max_connections < 100
    assert "SERVERLESS_WITHOUT_POOLER" not in {w.code for w in result.warnings}


def test_transaction_pooling_breaks_session_state_and_listen():
    """Seed 001: PREPARE, SET, temp tables, advisory locks and LISTEN do not survive transaction pooling."""
    result = plan_for(pool_mode="transaction", session_state=True, listeners=5)
    codes = {w.code for w in result.warnings}
    assert {"SESSION_STATE_IN_TRANSACTION_POOL", "LISTEN_NEEDS_DIRECT_CONNECTIONS"} <= codes
    assert line(result, "listeners") == 5
    session = plan_for(pool_mode="session", session_state=True, listeners=5)
    assert not {"SESSION_STATE_IN_TRANSACTION_POOL", "LISTEN_NEEDS_DIRECT_CONNECTIONS"} & {
        w.code for w in session.warnings
    }


def test_thousand_backends_take_five_to_ten_gb_of_private_memory():
    """Seed 003: on a 16-core machine 1,000 backends at ~5-10 MB are ~5-10 GB of private memory."""
    for backend, expected_gb in (("5MB", 4.88), ("10MB", 9.77)):
        result = plan_for(cores=16, ram="64GB", max_connections=1000, per_connection_memory=backend)
        curve = result.memory_curve
        fixed = result.memory.shared_buffers_bytes + result.memory.os_overhead_bytes
        at_1000 = float(curve.typical[abs(curve.connections - 1000).argmin()]) - fixed
        per_connection = at_1000 / curve.connections[abs(curve.connections - 1000).argmin()]
        assert in_gb(per_connection * 1000) == pytest.approx(expected_gb, abs=0.01)


def test_thousand_connections_on_macos_need_processes_and_files():
    """Seed 000: 1000 connections on OS X needed at least 1000 processes per user (maxproc 2000) and
    about 35,000 descriptors (32 per backend with a margin), plus some for other uses."""
    result = plan_for(platform="macos", max_connections=1000, pooler="none", app_instances=0)
    mac = result.kernel["macos"]
    assert 1000 < mac["kern.maxprocperuid"] <= 2000 <= mac["kern.maxproc"]
    assert 35_000 <= mac["kern.maxfiles"] <= 45_000
    assert mac["kern.sysv.semmns"] >= 1000  # macOS uses System V semaphores, one per backend

"""The latency model's calibration measured for real: `measure --pooler-dsn --isolated` through a real
PgBouncer in transaction mode in front of PostgreSQL, and the plan of the scenario it saves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pgplanner.model import plan
from pgplanner.model.serialization import read_scenario_file
from pgplanner.probe.sweep import ISOLATED_SHARE, POOLED_CLIENTS, SCRATCH_PREFIX
from tests.cli.runner import run

from . import real
from .test_probe_real import dsn

pytestmark = pytest.mark.integration
POOL = 2
SHORT = ("--duration", "1", "--warmup", "0")


@contextmanager
def pgbouncer(runner: real.Runner, cluster: real.Cluster, workdir: Path, binary: Path, entry: str) -> Iterator[str]:
    """PgBouncer in front of the cluster (transaction mode, pool size 2, the database ``entry``): its DSN."""
    sockets = workdir / "pgbouncer-sockets"
    sockets.mkdir()
    users = workdir / "userlist.txt"
    users.write_text(f'"{real.SERVER_USER}" ""\n')
    port = real.free_port()
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        f"[databases]\n{entry} = host={cluster.sockets} port={real.PG_PORT}\n[pgbouncer]\nlisten_port = {port}\n"
        f"listen_addr =\nunix_socket_dir = {sockets}\nauth_type = trust\nauth_file = {users}\n"
        f"admin_users = {real.SERVER_USER}\npool_mode = transaction\ndefault_pool_size = {POOL}\n"
        "max_client_conn = 100\nserver_reset_query =\n"
    )
    runner.hand_over(workdir)
    with real.pgbouncer(runner, binary, ini, sockets, port, ""):
        yield f"host={sockets} port={port} user={real.SERVER_USER} dbname=postgres"


@pytest.fixture
def pooled(runner: real.Runner, cluster: real.Cluster, workdir: Path, pgbouncer_bin: Path) -> Iterator[str]:
    """PostgreSQL and PgBouncer in front of it, reaching any database: the pooler's DSN."""
    cluster.start()
    with pgbouncer(runner, cluster, workdir, pgbouncer_bin, "*") as found:
        yield found


@pytest.mark.parametrize("pg_bin", real.server_ids(18), indirect=True)
def test_measure_through_pgbouncer_calibrates_the_latency_model(cluster, pooled, tmp_path):
    saved = tmp_path / "measured.json"
    result = run("measure", "--dsn", dsn(cluster), "--clients", "1,2,3", *SHORT, "--pooler-dsn", pooled,
                 "--isolated", "--json", "--save", str(saved))  # fmt: skip
    assert result.status == 0, result.stderr
    report = result.json()
    through = report["pooled"]
    assert through["pool_size"] == POOL and through["pool_size_seen"]  # the server connections PgBouncer opened
    assert through["clients"] == POOLED_CLIENTS and through["tps"] > 0
    assert 0 < through["latency_ms"]["p50"] <= through["latency_ms"]["p99"]
    isolated = report["isolated"]
    assert isolated["through_pooler"] and isolated["rate"] == round(ISOLATED_SHARE * through["tps"], 1)
    assert isolated["latency_ms"]["avg"] > 0 and isolated["tps"] > 0
    assert report["latency_calibration"] == {
        "isolated_ms": isolated["latency_ms"]["avg"],
        "isolated_tps": isolated["tps"],
        "pooled": {"pool_size": POOL, "tps": through["tps"]},
    }
    text = run("measure", "--dsn", dsn(cluster), "--clients", "1", *SHORT, "--pooler-dsn", pooled, "--pool-size", "2")
    assert text.status == 0, text.stderr
    assert "through the pooler (pool size 2; 32 clients)" in text.stdout
    assert not scratch_databases(cluster)

    scenario = read_scenario_file(saved)
    assert scenario.latency_calibration is not None and scenario.latency_calibration.pooled is not None
    fitted = plan(scenario).throughput.fit_lambda_tps  # the measured transaction is pgbench's: its time is 1 / X(1)
    assert fitted is not None
    demand = 0.5 * through["tps"]
    latency = plan(scenario.with_changes(pool_size=POOL, demand_tps=demand, txn_ms=1000 / fitted)).latency
    assert latency is not None and latency.at_pool_size is not None
    assert latency.capacity_scale != 1 and latency.at_pool_size.stable
    assert latency.at_pool_size.mean_ms is not None and latency.at_pool_size.mean_ms >= 0


def scratch_databases(cluster: real.Cluster) -> list[tuple]:
    return cluster.sql(f"SELECT datname FROM pg_database WHERE datname LIKE '{SCRATCH_PREFIX}%'")


def test_a_pooler_that_does_not_answer_is_named_before_anything_starts(cluster, tmp_path):
    cluster.start()
    unreachable = f"host={tmp_path} port=1 user={real.SERVER_USER} dbname=postgres"
    result = run("measure", "--dsn", dsn(cluster), "--clients", "1", *SHORT, "--pooler-dsn", unreachable)
    assert result.status == 3
    assert result.stderr.splitlines()[-1].startswith("pgplanner: --pooler-dsn: cannot connect")
    assert "initialising" not in result.stderr and not scratch_databases(cluster)


@pytest.mark.parametrize("pg_bin", real.server_ids(18), indirect=True)
def test_a_pooler_without_an_entry_for_any_database_is_named_before_the_sweep(runner, cluster, workdir, pgbouncer_bin):
    """PgBouncer that knows only the database 'postgres' cannot reach the scratch database measure makes."""
    cluster.start()
    with pgbouncer(runner, cluster, workdir, pgbouncer_bin, "postgres") as only_postgres:
        result = run("measure", "--dsn", dsn(cluster), "--clients", "1", *SHORT, "--pooler-dsn", only_postgres)
    assert result.status == 3
    last = result.stderr.splitlines()[-1]
    assert last.startswith("pgplanner: --pooler-dsn: cannot connect") and "'* = host=...'" in last, last
    assert "1 client:" not in result.stderr  # no run wasted before the pooler was found wanting
    assert not scratch_databases(cluster)

"""PgBouncer at scale, session pools and the network inputs: each figure checked by hand.

The DBA review (issue 18): at 5,000 clients one single-threaded PgBouncer is not enough, its listen queue
stays at 128, and a session pool of 18 for 400 clients was only advice, though 377 of them are
disconnected after query_wait_timeout.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pgplanner.model import Derivation, Scenario
from pgplanner.model.pgbouncer import pooler_config

from .helpers import line, plan_for

BIG = {"cores": 96, "ram": "768GB", "storage": "nvme", "profile": "oltp", "clients": 5000}


def codes(result) -> set[str]:
    return {w.code for w in result.warnings}


def test_five_thousand_clients_get_three_processes_sharing_the_port():
    """5,000 clients / 2,000 per process = 2.5, rounded up to 3; the load, 193 backends / 20 ms = 9,650 tps, needs
    one. Each process gets 193 / 3 = 64.3, rounded up to 65 backends and 6,000 / 3 = 2,000 clients."""
    result = plan_for(**BIG)
    assert result.pooler_processes == 3
    assert result.pools == 3 and result.pool_size == 65
    assert result.server_connections == 3 * 65
    assert result.max_client_conn == 2000 and result.max_client_conn_total == 6000
    assert line(result, "pool") == 195 and line(result, "reserve_pool") == 3 * 17
    assert result.listen_backlog == 2000  # each process holds all its clients reconnecting at once
    assert "PGBOUNCER_PROCESSES_SHORT" not in codes(result)


def test_the_load_alone_can_ask_for_processes():
    """A demand of 120,000 tps needs 120,000 / 50,000 = 2.4, rounded up to 3 processes, with few clients."""
    result = plan_for(cores=32, clients=500, demand_tps=120_000, txn_ms=0.2)
    assert result.pooler_processes == 3


def test_a_small_plan_keeps_one_process_and_its_ini_of_old():
    result = plan_for()
    assert result.pooler_processes == 1 and result.pools == 1
    assert result.max_client_conn == result.max_client_conn_total == 250  # 200 x 1.2 = 240, rounded up to 250


def test_cores_and_platforms_cap_the_processes_and_say_so():
    """Half the cores stay with PostgreSQL: 4 cores run 2 processes where 3 are needed. On macOS so_reuseport
    hands every connection to one process, so one runs."""
    small = plan_for(cores=4, clients=5000)
    assert (small.pooler_processes, small.pooler_processes_needed) == (2, 3)
    assert "PGBOUNCER_PROCESSES_SHORT" in codes(small)
    mac = plan_for(clients=5000, platform="macos")
    assert mac.pooler_processes == 1
    [short] = [w for w in mac.warnings if w.code == "PGBOUNCER_PROCESSES_SHORT"]
    assert "on macOS so_reuseport" in short.message


def test_other_poolers_run_one_process():
    assert plan_for(pooler="pgcat", clients=5000).pooler_processes == 1
    assert plan_for(pooler="none", clients=5000).pooler_processes == 1


def test_a_session_pool_is_sized_to_the_sessions():
    """Session pooling gives every connected client a backend: 400 clients, one pool of 400."""
    result = plan_for(pool_mode="session", clients=400)
    assert result.pool_size == 400 and result.clients_without_backend == 0
    assert result.max_connections >= 400
    assert "SESSION_POOL_TOO_SMALL" not in codes(result)


def test_a_session_pool_smaller_than_its_clients_is_an_error():
    """The review's case: 400 clients, a pool of 18 and a reserve of 5: 400 - 23 = 377 wait, then are disconnected."""
    result = plan_for(pool_mode="session", clients=400, pool_size=18, reserve_pool=5)
    assert result.clients_without_backend == 377
    [error] = [w for w in result.warnings if w.code == "SESSION_POOL_TOO_SMALL"]
    assert error.severity == "error"
    assert "377 wait and are disconnected after query_wait_timeout (120 s)" in error.message
    assert "default_pool_size" in error.settings  # an export written anyway marks the line


def test_transaction_pooling_leaves_no_client_without_a_backend():
    assert plan_for(clients=400, pool_size=18).clients_without_backend == 0


def test_clients_beyond_every_process_are_refused():
    result = plan_for(**BIG, max_client_conn=1000)
    [error] = [w for w in result.warnings if w.code == "CLIENTS_OVER_MAX_CLIENT_CONN"]
    assert "accepts 3 x 1,000" in error.message


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("10.0.1.0/24", "10.0.1.0/24"),
        (" 10.0.1.0/24 , samenet ", "10.0.1.0/24,samenet"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("10.0.0.7", "10.0.0.7/32"),
        ("LOCALHOST", "localhost"),
    ],
)
def test_networks_are_read_as_pg_hba_conf_takes_them(typed, kept):
    assert Scenario().with_changes(app_network=typed).workload.app_network == kept


@pytest.mark.parametrize("typed", ["10.0.1.5/24", "10.0.1.0/33", "somewhere", "localhost,10.0.0.0/8", ","])
def test_a_network_that_is_not_one_is_refused(typed):
    with pytest.raises(ValidationError, match="app_network"):
        Scenario().with_changes(app_network=typed)


def test_the_networks_resolve_from_the_profile_and_the_inputs():
    assert plan_for().network.app_hosts == ("samenet",)
    assert plan_for(profile="desktop").network.app_hosts == ()
    assert plan_for(app_network="localhost").network.app_hosts == ()
    assert plan_for(replica_network="10.0.2.0/24").network.replica_hosts == ("10.0.2.0/24",)
    # the connections that bypass a pooler: 5 listeners + 3 batch workers; without one, every client too
    assert plan_for(listeners=5, batch_workers=3).network.remote_clients == 8
    assert plan_for(pooler="none", clients=40, listeners=5).network.remote_clients == 45


def test_pgbouncer_listens_where_its_clients_are():
    assert plan_for().pooler_config.listen_addr == "*"
    assert plan_for(app_network="localhost").pooler_config.listen_addr == "127.0.0.1,::1"


def test_a_managed_plan_points_the_pooler_at_its_endpoint_over_tls():
    from pgplanner.model import plan

    from ..scenarios import preset

    result = plan(preset("aws-rds/db.m6i.2xlarge"))
    assert result.pooler_config.server_host == "ENDPOINT.invalid"
    assert result.pooler_config.server_tls_sslmode == "require"
    given = plan(preset("aws-rds/db.m6i.2xlarge", server_host="db1.abc.eu-west-1.rds.amazonaws.com"))
    assert given.pooler_config.server_host == "db1.abc.eu-west-1.rds.amazonaws.com"
    assert plan_for().pooler_config.server_host == "127.0.0.1"
    assert plan_for().pooler_config.server_tls_sslmode == ""


def test_idle_transaction_timeout_follows_postgresql_s_own():
    """PgBouncer ends a client idle in a transaction at the limit postgresql.conf sets for the same sessions."""
    for profile in ("web", "oltp", "mixed", "analytics", "desktop"):
        result = plan_for(profile=profile)
        written = {s.name: s.value for s in result.settings}.get("idle_in_transaction_session_timeout")
        seconds = result.pooler_config.idle_transaction_timeout
        if written is None:
            assert seconds == 0
        else:
            number, unit = int(written.rstrip("minsh")), written.lstrip("0123456789")
            assert seconds == number * {"s": 1, "min": 60, "h": 3600}[unit]


@pytest.mark.parametrize(
    "written, seconds", [("1min", 60), ("5min", 300), ("10min", 600), ("30s", 30), ("1500", 2), ("1h", 3600)]
)
def test_idle_transaction_timeout_reads_postgresql_s_units(written, seconds):
    """postgresql.conf's units (a bare number is milliseconds) in PgBouncer's seconds, rounded up."""
    config, derivations = pooler_config(
        Scenario(), ("samenet",), ("127.0.0.1", Derivation("server", "127.0.0.1")), written
    )
    assert config.idle_transaction_timeout == seconds
    assert derivations["pooler_config.idle_transaction_timeout"].calculation == f"{written}: {seconds:,} s"

"""postgresql/pg_hba.conf: the superuser locally by peer, every other login by SCRAM, the pooler over the
loopback, and the standbys and the connections that bypass the pooler from their networks."""

from __future__ import annotations

import pytest

from pgplanner.export.pg_hba import render_pg_hba
from pgplanner.model import Derivation

from .helpers import plan_for

TYPES = {"local": 4, "host": 5}  # fields of a local line (no address) and of a host line


def rules(text: str) -> list[tuple[str, ...]]:
    """The active lines, split into their fields as PostgreSQL reads them."""
    found = [tuple(line.split()) for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for fields in found:
        assert len(fields) == TYPES[fields[0]], fields
    return found


def test_every_password_is_scram_and_the_superuser_comes_in_by_peer():
    found = rules(render_pg_hba(plan_for()))
    assert found[0] == ("local", "all", "postgres", "peer")
    assert {fields[-1] for fields in found} == {"peer", "scram-sha-256"}
    assert all(fields[2] == "postgres" for fields in found if fields[-1] == "peer")
    assert not any(method in fields for fields in found for method in ("trust", "md5", "password"))


def test_the_pooler_on_this_server_comes_over_the_loopback():
    found = rules(render_pg_hba(plan_for()))
    assert ("host", "all", "all", "127.0.0.1/32", "scram-sha-256") in found
    assert ("host", "all", "all", "::1/128", "scram-sha-256") in found


def test_replicas_get_replication_lines_from_their_network():
    found = rules(render_pg_hba(plan_for(replicas=2, replica_network="10.0.2.0/24,10.0.3.0/24")))
    replication = [f for f in found if f[0] == "host" and f[1] == "replication"]
    assert replication == [
        ("host", "replication", "all", "10.0.2.0/24", "scram-sha-256"),
        ("host", "replication", "all", "10.0.3.0/24", "scram-sha-256"),
    ]
    assert not [f for f in rules(render_pg_hba(plan_for())) if f[0] == "host" and f[1] == "replication"]


def test_connections_that_bypass_the_pooler_come_from_the_application_network():
    """5 LISTEN listeners cannot use a transaction pool: they connect straight, from the application hosts."""
    text = render_pg_hba(plan_for(listeners=5, app_network="10.0.1.0/24"))
    assert ("host", "all", "all", "10.0.1.0/24", "scram-sha-256") in rules(text)
    assert "LISTEN listeners" in text
    pooled_only = rules(render_pg_hba(plan_for(app_network="10.0.1.0/24", monitoring=0)))
    assert not [f for f in pooled_only if f[0] == "host" and f[3] == "10.0.1.0/24"]


def test_without_a_pooler_every_client_comes_from_the_application_network():
    found = rules(render_pg_hba(plan_for(pooler="none", app_network="10.0.1.0/24")))
    assert ("host", "all", "all", "10.0.1.0/24", "scram-sha-256") in found


def test_monitoring_from_the_network_is_kept_to_pg_monitor():
    """A LISTEN listener makes the server listen beyond localhost; remote agents then come in as pg_monitor."""
    found = rules(render_pg_hba(plan_for(app_network="10.0.1.0/24", monitoring=2, listeners=1)))
    assert ("host", "all", "+pg_monitor", "10.0.1.0/24", "scram-sha-256") in found


def test_the_application_on_this_server_needs_no_network_line():
    found = rules(render_pg_hba(plan_for(app_network="localhost", listeners=5)))
    assert all(f[0] == "local" or f[3] in ("127.0.0.1/32", "::1/128") for f in found)


def test_samenet_is_named_and_how_to_narrow_it():
    text = render_pg_hba(plan_for(listeners=1))
    assert ("host", "all", "all", "samenet", "scram-sha-256") in rules(text)
    assert "--app-network" in text


@pytest.mark.parametrize("inputs", [{}, {"replicas": 2, "listeners": 3}, {"pooler": "none"}])
def test_no_network_line_where_postgresql_listens_on_localhost_only(inputs):
    """pg_hba.conf and listen_addresses agree: a server that listens on localhost gets no line it cannot use."""
    result = plan_for(**inputs)
    listen = {s.name: s.value for s in result.settings}.get("listen_addresses", "*").strip("'")
    hosts = [f for f in rules(render_pg_hba(result)) if f[0] == "host" and f[3] not in ("127.0.0.1/32", "::1/128")]
    assert (not hosts) if listen == "localhost" else True


def test_a_server_on_localhost_gets_no_network_line():
    """listen_addresses = localhost (postgresql.conf) leaves nothing for a host line from a network to match."""
    from pgplanner.model.settings import Setting

    result = plan_for(replicas=2, listeners=5)
    local = Setting("listen_addresses", "localhost", "connections", "restart", Derivation("listen", "localhost"))
    others = tuple(s for s in result.settings if s.name != "listen_addresses")
    listening_locally = result.model_copy(update={"settings": (*others, local)})
    text = render_pg_hba(listening_locally)
    assert [f for f in rules(text) if f[0] == "host" and f[3] not in ("127.0.0.1/32", "::1/128")] == []
    assert "listen_addresses = localhost" in text

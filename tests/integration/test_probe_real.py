"""pgplanner probe against a real server: what it reports is what SHOW and pg_stat_activity say."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pgplanner.probe.server import ServerError, connect, probe
from tests.cli.runner import run

from . import real

pytestmark = pytest.mark.integration


def dsn(cluster: real.Cluster, **extra: object) -> str:
    params = {"host": cluster.sockets, "port": real.PG_PORT, "user": real.SERVER_USER, "dbname": "postgres", **extra}
    return " ".join(f"{key}={value}" for key, value in params.items())


@pytest.fixture(scope="module")
def probed(runner: real.Runner, pg_bin: Path, template: Path) -> Iterator[tuple[real.Cluster, str]]:
    """A server with settings of its own for the probe to report, started once per version for this module."""
    with runner.workdir() as folder, real.cluster(runner, pg_bin, template, folder) as made:
        made.include(_snippet(made, "max_connections = 57\nwork_mem = '12MB'\nsuperuser_reserved_connections = 4\n"))
        made.start()
        yield made, (made.data / "pg_hba.conf").read_text()


@pytest.fixture
def server(probed: tuple[real.Cluster, str]) -> real.Cluster:
    made, hba = probed
    made.reset(hba)  # initdb's roles and pg_hba.conf, and no client left from the test before
    return made


def _snippet(cluster: real.Cluster, text: str):
    path = cluster.data.parent / "probe.conf"
    path.write_text(text)
    cluster.runner.hand_over(path)
    return path


def test_probe_reports_what_show_says(server, server_major):
    result = run("probe", "--dsn", dsn(server), "--json")
    assert result.status == 0, result.stderr
    report = result.json()
    assert report["server"]["major"] == server_major
    for name in ("max_connections", "work_mem", "shared_buffers", "superuser_reserved_connections", "huge_pages"):
        assert report["settings"][name] == server.sql(f"SHOW {name}")[0][0]
    assert report["settings"]["max_connections"] == "57"
    assert report["connections"]["max_connections"] == 57
    assert report["scenario"]["memory"]["work_mem"] == "12MB"
    assert report["scenario"]["workload"]["superuser_reserved"] == 4
    assert report["scenario"]["hardware"]["pg_version"] == server_major
    assert report["memory"]["own_backend_contexts_bytes"] > 100_000  # 14+ has pg_backend_memory_contexts
    assert report["memory"]["local_backends"]["uss_median_bytes"] > 0  # the server runs here


def test_probe_counts_connections_by_state_and_sees_the_peak(server):
    idle = server.connect(autocommit=True, application_name="app-idle")
    in_transaction = server.connect(application_name="app-tx")
    in_transaction.execute("SELECT 1")  # psycopg opened a transaction and leaves it open
    busy = server.connect(autocommit=True, application_name="app-busy")
    try:
        with connect(dsn(server)) as conn:
            busy.execute("SELECT 1")
            report = probe(conn, watch=0.6)
        use = report.connections
        assert use.by_state.get("idle") == 2 and use.idle_in_transaction == 1  # busy is idle again by now
        assert use.total == 3 and use.by_user == {real.SERVER_USER: 3}
        assert {"app-idle", "app-tx", "app-busy"} <= set(use.by_application)
        assert use.samples > 1 and use.peak_total == 3
        assert use.free_slots == 57 - 4 - 3 - 1  # max_connections - superuser reserved - in use - the probe
    finally:
        for conn in (idle, in_transaction, busy):
            conn.close()


def test_probe_text_puts_the_server_beside_the_plan(server):
    result = run("probe", "--dsn", dsn(server), "--watch", "0.5", "--cores", "8")
    assert result.status == 0, result.stderr
    first = result.stdout.splitlines()[1]
    assert first.startswith("your server: max_connections 57; at most 0 active while watched")
    assert "the plan:" in first
    assert "cores, RAM and storage from this machine" in result.stdout


@pytest.mark.parametrize(
    ("make_dsn", "expected"),
    [
        (lambda c: dsn(c, host="/nonexistent-socket-dir"), "cannot connect"),
        (lambda c: "host=/tmp port", "--dsn is not a connection string"),
        (lambda c: dsn(c, dbname="no_such_db"), 'database "no_such_db" does not exist'),
    ],
    ids=["unreachable", "malformed", "no database"],
)
def test_faults_are_one_line_and_exit_2(server, make_dsn, expected):
    result = run("probe", "--dsn", make_dsn(server))
    assert result.status == 2
    assert result.stderr.count("\n") == 1 and expected in result.stderr


def password_role(server: real.Cluster, name: str, password: str, *, createdb: bool = False) -> None:
    """A role that must give its password (scram-sha-256 on the socket; everyone else stays trusted)."""
    server.sql(f"CREATE ROLE {name} LOGIN {'CREATEDB ' if createdb else ''}PASSWORD '{password}'")
    hba = server.data / "pg_hba.conf"
    hba.write_text(f"local all {name} scram-sha-256\n" + hba.read_text())
    server.sql("SELECT pg_reload_conf()")


def test_wrong_password_is_named_and_never_repeated(server):
    password_role(server, "planner", "right-secret")
    wrong = run("probe", "--dsn", dsn(server, user="planner", password="wrong-secret"))
    assert wrong.status == 2 and "password authentication failed" in wrong.stderr
    assert "wrong-secret" not in wrong.stderr + wrong.stdout
    right = run("probe", "--dsn", dsn(server, user="planner", password="right-secret"), "--json")
    assert right.status == 0, right.stderr
    assert "right-secret" not in right.stdout + right.stderr
    with pytest.raises(ServerError, match="password authentication failed"):
        connect(dsn(server, user="planner", password="wrong-secret"))


def test_a_long_watch_can_be_stopped_with_what_was_seen(server):
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    with connect(dsn(server)) as conn:
        report = probe(conn, watch=60, stop=stop)
    assert time.monotonic() - started < 10
    assert report.connections.samples > 1 and 0 < report.connections.watched_seconds < 10

"""pgplanner probe against a real server: what it reports is what SHOW and pg_stat_activity say."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pgplanner.probe.server import probe
from pgplanner.probe.session import ServerError, Session, connect
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
    # The plan beside the server is the user's own (no option given: work_mem auto, PostgreSQL's default of 3
    # reserved slots) on the server's version: the server's 12MB and 4 show against it, they do not become it.
    assert report["scenario"]["memory"]["work_mem"] is None
    assert report["scenario"]["workload"]["superuser_reserved"] == 3
    assert report["scenario"]["hardware"]["pg_version"] == server_major
    assert report["memory"]["own_backend_contexts_bytes"] > 100_000  # 14+ has pg_backend_memory_contexts
    assert report["memory"]["local_backends"]["uss_median_bytes"] > 0  # the server runs here


def test_probe_counts_connections_by_state_and_sees_the_peak(server):
    idle = server.connect(autocommit=True, application_name="app-idle")
    in_transaction = server.connect(application_name="app-tx")
    in_transaction.execute("SELECT 1")  # psycopg opened a transaction and leaves it open
    busy = server.connect(autocommit=True, application_name="app-busy")
    try:
        with Session(dsn(server)) as session:
            busy.execute("SELECT 1")
            report = probe(session, watch=0.6)
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
    ("make_dsn", "status", "expected"),
    [
        (lambda c: dsn(c, host="/nonexistent-socket-dir"), 3, "cannot connect"),
        (lambda c: "host=/tmp port", 2, "--dsn is not a connection string"),
        (lambda c: dsn(c, dbname="no_such_db"), 3, 'database "no_such_db" does not exist'),
    ],
    ids=["unreachable", "malformed", "no database"],
)
def test_faults_are_one_line_with_their_status(server, make_dsn, status, expected):
    """Bad input exits 2; a server that cannot be reached or refuses exits 3 (never 1: a plan's errors)."""
    result = run("probe", "--dsn", make_dsn(server))
    assert result.status == status
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
    assert wrong.status == 3 and "password authentication failed" in wrong.stderr
    assert "wrong-secret" not in wrong.stderr + wrong.stdout
    right = run("probe", "--dsn", dsn(server, user="planner", password="right-secret"), "--json")
    assert right.status == 0, right.stderr
    assert "right-secret" not in right.stdout + right.stderr
    with pytest.raises(ServerError, match="password authentication failed"):
        connect(dsn(server, user="planner", password="wrong-secret"))


@real.ON_THE_NEWEST
def test_a_long_watch_can_be_stopped_with_what_was_seen(server):
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    with Session(dsn(server)) as session:
        report = probe(session, watch=60, stop=stop)
    assert time.monotonic() - started < 10
    assert report.connections.samples > 1 and 0 < report.connections.watched_seconds < 10


def make_roles(server: real.Cluster) -> None:
    """monitor: pg_monitor and no superuser; plain: neither (both may create databases, for measure)."""
    server.sql(
        "CREATE ROLE monitor LOGIN CREATEDB IN ROLE pg_monitor",
        "CREATE ROLE plain LOGIN CREATEDB",
    )


def open_sessions(server: real.Cluster, count: int, in_transaction: int = 2) -> list[psycopg.Connection]:
    """``count`` superuser sessions of another application, ``in_transaction`` of them idle in a transaction."""
    sessions = [server.connect(autocommit=True, application_name="the-app") for _ in range(count - in_transaction)]
    for _ in range(in_transaction):
        busy = server.connect(application_name="the-app")
        busy.execute("SELECT 1")  # psycopg opened a transaction and leaves it open
        sessions.append(busy)
    return sessions


def probe_as(server: real.Cluster, user: str, *args: str) -> dict:
    result = run("probe", "--dsn", dsn(server, user=user), "--json", *args)
    assert result.status == 0, result.stderr
    return result.json()


def test_a_pg_monitor_role_counts_what_a_superuser_counts(server):
    make_roles(server)
    sessions = open_sessions(server, 30)
    try:
        superuser, monitor = (probe_as(server, user)["connections"] for user in (real.SERVER_USER, "monitor"))
        plain = probe_as(server, "plain")
        text = run("probe", "--dsn", dsn(server, user="plain")).stdout
    finally:
        for session in sessions:
            session.close()
    assert superuser["total"] == 30 and superuser["by_state"] == {"idle": 28, "idle in transaction": 2}
    for key in ("total", "by_state", "by_user", "by_application", "free_slots", "hidden"):
        assert monitor[key] == superuser[key], key
    assert monitor["by_backend_type"]["client backend"] == 30
    # Without pg_monitor the other role's sessions have no state or type: counted, and said, never zeros.
    seen = plain["connections"]
    assert seen["total"] == 30 and seen["hidden"] == 30 and seen["free_slots"] == superuser["free_slots"]
    assert seen["by_state"] == {} and seen["by_user"] == {real.SERVER_USER: 30}
    assert plain["role"]["reads_all_stats"] is False and "grant it pg_monitor" in " ".join(plain["notes"])
    assert "30 connected now, the state of 30 hidden from this role" in text.splitlines()[1]
    assert "client connections: 30 of 57 (30 of other roles in a state this role cannot see" in text
    processes = next(line for line in text.splitlines() if line.startswith("processes:"))
    assert "None" not in processes and "of a type this role cannot see" in processes


def test_a_role_statement_timeout_of_1ms_cannot_cancel_the_probe(server):
    """pgplanner's own limits travel in the startup packet, above the role's settings."""
    server.sql("CREATE ROLE hasty LOGIN", "ALTER ROLE hasty SET statement_timeout = '1ms'")
    result = run("probe", "--dsn", dsn(server, user="hasty"), "--watch", "0.5")
    assert result.status == 0 and "Traceback" not in result.stderr, result.stderr
    with Session(dsn(server, user="hasty")) as session:
        assert session.one("SHOW statement_timeout")[0] == "10s" and session.one("SHOW lock_timeout")[0] == "2s"
        assert session.one("SHOW transaction_read_only")[0] == "on"  # every transaction of a probe reads only
        with pytest.raises(ServerError, match="read-only transaction"):
            session.rows("CREATE TABLE pgplanner_probe_wrote_this (i int)")


def restart_after(server: real.Cluster, seconds: float, come_back: bool = True) -> threading.Thread:
    def restart() -> None:
        time.sleep(seconds)
        server.stop()
        if come_back:
            server.start()

    thread = threading.Thread(target=restart)
    thread.start()
    return thread


@real.ON_THE_NEWEST
def test_a_watch_survives_a_restart_of_the_server(server):
    with Session(dsn(server)) as session:
        restarting = restart_after(server, 1.5)
        report = probe(session, watch=6)
    restarting.join()
    assert report.fault == "" and report.connections.samples > 1
    back = [note for note in report.notes if "the server went away" in note]
    assert back and "was back" in back[0] and "terminating connection due to administrator command" in back[0]


@real.ON_THE_NEWEST
def test_a_server_gone_for_good_ends_the_watch_with_what_was_seen(server):
    stopping = restart_after(server, 2, come_back=False)
    result = run("probe", "--dsn", dsn(server), "--watch", "5", "--json")
    stopping.join()
    assert result.status == 3, result.stderr
    assert result.stderr.count("\n") == 1 and "went away" in result.stderr and "did not come back" in result.stderr
    report = result.json()  # what was seen before is still printed
    assert report["connections"]["samples"] > 1 and "did not come back" in report["watch_fault"]


@pytest.fixture
def pgplanner_process(server: real.Cluster) -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def start_pgplanner(started: list[subprocess.Popen[str]], *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    command = [sys.executable, "-m", "pgplanner", *args]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started.append(process)
    return process


@real.ON_THE_NEWEST
def test_sigterm_during_a_watch_keeps_what_was_seen(server, pgplanner_process):
    process = start_pgplanner(pgplanner_process, "probe", "--dsn", dsn(server), "--watch", "60", "--json")
    deadline = time.monotonic() + 30
    while not server.sql("SELECT 1 FROM pg_stat_activity WHERE application_name = 'pgplanner'"):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.1)
    time.sleep(1)  # a few samples
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM
    assert err.strip().splitlines()[-1].startswith("pgplanner: stopped by SIGTERM; the watch ended after")
    assert "Traceback" not in err
    seen = json.loads(out)["connections"]
    assert seen["samples"] > 1 and 0 < seen["watched_seconds"] < 60

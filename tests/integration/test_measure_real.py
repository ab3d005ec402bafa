"""pgplanner measure against a real server: a short pgbench sweep gives points and a fit, and whatever
happens (success, too many clients, Ctrl-C, Cancel, the server dying) nothing is left on the server."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

import psutil
import pytest

from pgplanner.model.serialization import read_scenario_file
from pgplanner.probe.pgbench import Cancelled, MeasureError
from pgplanner.probe.sweep import SCRATCH_PREFIX, Note, Point, Progress, Sweep, SweepSpec
from tests.cli.runner import run

from . import real
from .test_probe_real import dsn, make_roles, open_sessions, password_role

pytestmark = pytest.mark.integration
SHORT = ("--duration", "1", "--warmup", "1")


@pytest.fixture
def server(running_server: real.Cluster) -> real.Cluster:
    return running_server


@pytest.fixture
def own_server(cluster: real.Cluster) -> real.Cluster:
    """A server of the test's own, for a test that stops it."""
    cluster.start()
    return cluster


@pytest.fixture
def pgbench(pg_bin: Path) -> Path:
    found = pg_bin / "pgbench"
    if not found.exists():
        real.missing(f"pgbench is not installed beside {pg_bin}")
    return found


def scratch_databases(server: real.Cluster) -> list[str]:
    return [r[0] for r in server.sql(f"SELECT datname FROM pg_database WHERE datname LIKE '{SCRATCH_PREFIX}%'")]


def pgbench_processes(server: real.Cluster) -> list[psutil.Process]:
    """pgbench runs against this test's own server (its socket directory is in pgbench's conninfo argument),
    so another test run on the same machine cannot be mistaken for one left behind."""
    mine = ("pgplanner_scratch_", str(server.sockets))
    return [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if all(part in " ".join(p.info["cmdline"] or []) for part in mine)
    ]


def test_a_short_sweep_gives_points_a_fit_and_saves_them(server, pgbench, tmp_path, server_major):
    saved = tmp_path / "measured.json"
    result = run("measure", "--dsn", dsn(server), "--clients", "1,2,4", *SHORT, "--pgbench", str(pgbench),
                 "--json", "--save", str(saved))  # fmt: skip
    assert result.status == 0, result.stderr
    report = result.json()
    assert [p["clients"] for p in report["points"]] == [1, 2, 4]
    assert all(p["tps"] > 0 for p in report["points"])
    for point in report["points"]:  # pgbench's average, the percentiles from its per-transaction log
        latency = point["latency_ms"]
        assert latency.keys() == {"avg", "p50", "p95", "p99"}
        assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"], latency
        assert latency["avg"] > 0
    assert report["pooled"] is None and report["isolated"] is None and report["latency_calibration"] is None
    assert report["server"]["version"].startswith(str(server_major))
    assert report["pgbench"]["version"].startswith(str(server_major))
    fit = report["fit"]
    assert fit["sigma"] >= 0 and fit["kappa"] >= 0 and fit["lambda"] > 0
    assert fit["rmse"] is None and "too few to judge" in fit["peak_not_measured_because"]  # 3 counts, 3 parameters
    assert report["complete"] is True and any("shares its" in note for note in report["notes"])  # pgbench is local
    scenario = read_scenario_file(saved)
    assert [m.connections for m in scenario.measurements] == [1, 2, 4]
    assert [m.latency_ms.p99 for m in scenario.measurements if m.latency_ms] == [
        p["latency_ms"]["p99"] for p in report["points"]
    ]
    assert "pgbench select-only" in scenario.measured_on
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


def test_pgbench_is_found_next_to_the_server(server, pgbench):
    result = run("measure", "--dsn", dsn(server), "--clients", "1,2,3", *SHORT, "--builtin", "tpcb-like")
    assert result.status == 0, result.stderr
    assert "tpcb-like" in result.stdout and "USL fit" in result.stdout


def test_no_pgbench_anywhere(server, monkeypatch):
    import pgplanner.probe.pgbench as module

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(module, "DEBIAN_SERVERS", Path("/nonexistent"))
    monkeypatch.setattr(module, "_server_bindirs", lambda session: [])
    result = run("measure", "--dsn", dsn(server), "--clients", "1,2", "--duration", "1")
    assert result.status == 3 and "pgbench not found" in result.stderr  # the machine's fault, not the input's


def start_measure(server: real.Cluster, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "pgplanner", "measure", "--dsn", dsn(server), *args]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_a_run(server: real.Cluster, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not any("-T" in p.info["cmdline"] for p in pgbench_processes(server)):  # a run is under way
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.1)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["Ctrl-C", "SIGTERM", "SIGHUP"])
@real.ON_THE_NEWEST
def test_a_signal_mid_sweep_stops_at_once_and_leaves_nothing(server, pgbench, signum):
    """A closed ssh session (SIGHUP), `timeout` or systemd (SIGTERM) clean up exactly as Ctrl-C does."""
    process = start_measure(server, "--clients", "1,2,4", "--duration", "30", "--pgbench", str(pgbench))
    try:
        wait_for_a_run(server, process)
        process.send_signal(signum)
        _, err = process.communicate(timeout=20)  # far less than the 30 s run it interrupted
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signum
    name = signal.Signals(signum).name
    assert (
        err.strip().splitlines()[-1]
        == f"pgplanner: stopped by {name}; pgbench is stopped and the scratch database dropped"
    )
    assert "Traceback" not in err
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


@real.ON_THE_NEWEST
def test_a_stopped_sweep_keeps_the_points_it_measured(server, pgbench, tmp_path):
    saved = tmp_path / "measured.json"
    process = start_measure(server, "--clients", "1,2", "--duration", "2", "--warmup", "0", "--pgbench", str(pgbench),
                            "--save", str(saved))  # fmt: skip
    try:
        assert process.stderr is not None
        for line in process.stderr:  # not a terminal: a line per finished point
            if line.startswith("pgplanner: 1 client:"):
                break
        wait_for_a_run(server, process)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signal.SIGTERM
    assert "(the sweep stopped after 1 of 2 runs)" in out and "fit: needs at least three" in out
    assert [m.connections for m in read_scenario_file(saved).measurements] == [1]
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


@real.ON_THE_NEWEST
def test_cancel_from_another_thread_stops_the_sweep(server, pgbench):
    events: list[object] = []

    def listen(event: object) -> None:
        events.append(event)
        if isinstance(event, Point):
            sweep.cancel()

    sweep = Sweep(dsn(server), SweepSpec(clients=(1, 2, 4), duration=1, warmup=0, pgbench=pgbench), listen)
    with pytest.raises(Cancelled):
        sweep.run()
    assert [e.clients for e in events if isinstance(e, Point)] == [1]
    assert any(isinstance(e, Progress) for e in events)
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


def every_command_line() -> str:
    """What `ps -ef` shows of every process on this machine."""
    lines = []
    for process in psutil.process_iter(["cmdline"]):
        lines.append(" ".join(process.info["cmdline"] or []))
    return "\n".join(lines)


@real.ON_THE_NEWEST
def test_no_secret_reaches_a_command_line(server, pgbench, tmp_path, monkeypatch):
    """The password comes from a ~/.pgpass line for the database pgplanner connects to (not the scratch
    database, which no such line names): pgbench gets it in a pass file of its own, mode 0600, removed
    after; an sslpassword goes into a service file the same way. Neither is ever in an argv."""
    password = "pass:wo\\rd-secret"  # a colon and a backslash, which a pass file escapes
    password_role(server, "measurer", password, createdb=True)
    passfile = tmp_path / "pgpass"
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    passfile.write_text(f"{server.sockets}:{real.PG_PORT}:postgres:measurer:{escaped}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    seen: list[tuple[str, dict[str, str], int]] = []

    def listen(event: object) -> None:
        for process in pgbench_processes(server):
            with contextlib.suppress(psutil.Error):
                line = " ".join(process.info["cmdline"])
                private = re.search(r"passfile=(\S+)", line)
                mode = os.stat(private.group(1)).st_mode & 0o777 if private else 0
                seen.append((every_command_line(), process.environ(), mode))

    spec = SweepSpec(clients=(1, 2, 3), duration=1, warmup=0, pgbench=pgbench)
    result = Sweep(dsn(server, user="measurer", sslpassword="ssl-secret-key"), spec, listen).run()
    assert len(result.points) == 3
    assert seen and all(mode == 0o600 for _, _, mode in seen)
    for command_lines, env, _ in seen:
        assert "wo\\rd-secret" not in command_lines and "ssl-secret-key" not in command_lines
        assert "PGPASSWORD" not in env
    assert not list(Path(tempfile.gettempdir()).glob("pgplanner-*/pgpass"))  # the private directory is gone


@real.ON_THE_NEWEST
def test_pgbench_never_waits_at_a_password_prompt(server, pgbench):
    """In a terminal, with no password known to pgplanner (its own connection is trusted) and one wanted
    for the scratch database: pgbench fails at once with libpq's reason, it never prompts."""
    server.sql("CREATE ROLE measurer LOGIN CREATEDB PASSWORD 'unknown-to-pgplanner'")
    hba = server.data / "pg_hba.conf"
    hba.write_text("local postgres measurer trust\nlocal all measurer scram-sha-256\n" + hba.read_text())
    server.sql("SELECT pg_reload_conf()")
    command = [sys.executable, "-m", "pgplanner", "measure", "--dsn", dsn(server, user="measurer"),
               "--clients", "1,2", "--duration", "1", "--pgbench", str(pgbench)]  # fmt: skip
    status, output = run_in_a_terminal(command, timeout=60)
    assert status == 3, output
    assert "pgbench failed at initialisation: cannot connect: fe_sendauth: no password supplied" in output
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


def run_in_a_terminal(command: list[str], timeout: float) -> tuple[int, str]:
    """``command`` with a pseudo-terminal as its controlling terminal, stdin, stdout and stderr."""
    main_end, terminal = os.openpty()

    def take_the_terminal() -> None:
        os.setsid()
        fcntl.ioctl(terminal, termios.TIOCSCTTY, 0)

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    process = subprocess.Popen(
        command, env=env, stdin=terminal, stdout=terminal, stderr=terminal, preexec_fn=take_the_terminal
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_end], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main_end, 4096)
                except OSError:  # the terminal closed: everyone holding it has exited
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        else:
            raise AssertionError(f"still running after {timeout} s (waiting at a prompt?): {output[-400:]!r}")
        return process.wait(timeout=10), output.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(main_end)


@real.ON_THE_NEWEST
def test_pgbench_s_first_error_is_said_and_the_points_before_it_are_kept(server, pgbench, tmp_path):
    """A script that fails only with two clients: the point at one client is printed and saved, and the
    reason is the server's syntax error, not "Run was aborted"."""
    script = tmp_path / "two.sql"
    script.write_text("\\if :client_id > 0\nSELEC 1;\n\\else\nSELECT 1;\n\\endif\n")
    saved = tmp_path / "measured.json"
    result = run("measure", "--dsn", dsn(server), "--clients", "1,2", "--duration", "1", "--warmup", "0",
                 "--script", str(script), "--pgbench", str(pgbench), "--save", str(saved))  # fmt: skip
    assert result.status == 3
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith('pgplanner: pgbench failed at 2 clients: syntax error at or near "SELEC" (client 1')
    assert "(the sweep stopped after 1 of 2 runs)" in result.stdout
    assert [m.connections for m in read_scenario_file(saved).measurements] == [1]
    assert scratch_databases(server) == []


def test_free_slots_are_counted_as_a_superuser_counts_them(server, pgbench):
    """30 sessions of another role: 100 - 3 reserved - 30 - 1 for pgplanner = 66 free, whether or not the
    role may see those sessions' state (pg_monitor)."""
    make_roles(server)
    sessions = open_sessions(server, 30)
    try:
        said = {
            user: run("measure", "--dsn", dsn(server, user=user), "--clients", "1,67", "--duration", "1")
            for user in (real.SERVER_USER, "monitor", "plain")
        }
    finally:
        for session in sessions:
            session.close()
    for user, result in said.items():
        assert result.status == 3 and result.stderr.count("\n") == 1, user
        expected = "--clients 67: the server has 66 free connection slots (max_connections 100 - 3 reserved - 30 in use"
        assert expected in result.stderr, user
    assert scratch_databases(server) == []


def test_a_pg_monitor_role_measures_through_a_role_timeout_and_a_session_on_template1(server, pgbench):
    """Not a superuser; a role statement_timeout of 200 ms (pgplanner sets its own per session); someone
    connected to template1 (CREATE DATABASE copies template0, which nobody can connect to)."""
    make_roles(server)
    server.sql("ALTER ROLE monitor SET statement_timeout = '200ms'")
    with server.connect(dbname="template1"):
        result = run("measure", "--dsn", dsn(server, user="monitor"), "--clients", "1,2", "--duration", "1",
                     "--warmup", "0", "--pgbench", str(pgbench), "--json")  # fmt: skip
    assert result.status == 0, result.stderr
    assert [p["clients"] for p in result.json()["points"]] == [1, 2]
    assert scratch_databases(server) == []


def test_the_role_s_connection_limit_is_checked_before_the_scratch_database(server, pgbench):
    server.sql("CREATE ROLE limited LOGIN CREATEDB CONNECTION LIMIT 3")
    result = run("measure", "--dsn", dsn(server, user="limited"), "--clients", "1,3", "--duration", "1")
    assert result.status == 3 and result.stderr.count("\n") == 1
    assert "--clients 3: the role limited has CONNECTION LIMIT 3 and 1 sessions open" in result.stderr
    assert "measure at most 2 clients" in result.stderr
    assert scratch_databases(server) == []


@real.ON_THE_NEWEST
def test_another_sweep_running_is_named_before_anything_starts(server, pgbench):
    first = Sweep(dsn(server), SweepSpec(clients=(1,), duration=30, warmup=0, pgbench=pgbench))

    def run_first() -> None:
        with contextlib.suppress(Cancelled):
            first.run()

    running = threading.Thread(target=run_first)
    running.start()
    try:
        deadline = time.monotonic() + 30
        while not any("-T" in p.info["cmdline"] for p in pgbench_processes(server)):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        second = run("measure", "--dsn", dsn(server), "--clients", "1,2", "--duration", "1")
    finally:
        first.cancel()
        running.join(timeout=30)
    assert second.status == 3 and "another pgplanner sweep is running on this server" in second.stderr
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


@real.ON_THE_NEWEST
def test_a_server_dying_mid_sweep_is_named_and_cleaned_up_when_it_returns(own_server, pgbench):
    server = own_server

    def listen(event: object) -> None:
        if isinstance(event, Point):
            server.stop()

    spec = SweepSpec(clients=(1, 2, 4), duration=1, warmup=0, pgbench=pgbench)
    with pytest.raises(MeasureError) as failure:
        Sweep(dsn(server), spec, listen).run()
    message = str(failure.value)
    assert "pgbench failed at 2 clients" in message and "\n" not in message
    assert "drop it when the server is back" in message and SCRATCH_PREFIX in message
    assert pgbench_processes(server) == []
    server.start()
    left = scratch_databases(server)
    assert len(left) == 1
    # The next sweep drops what the dead one left, and says so.
    notes: list[str] = []
    Sweep(dsn(server), spec, lambda e: notes.append(e.text) if isinstance(e, Note) else None).run()
    assert any(left[0] in note for note in notes)
    assert scratch_databases(server) == []

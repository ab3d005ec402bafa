"""pgplanner measure against a real server: a short pgbench sweep gives points and a fit, and whatever
happens (success, too many clients, Ctrl-C, Cancel, the server dying) nothing is left on the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pgplanner.model.serialization import read_scenario_file
from pgplanner.probe.pgbench import SCRATCH_PREFIX, Cancelled, MeasureError, Point, Progress, Sweep, SweepSpec
from tests.cli.runner import run

from . import real
from .test_probe_real import dsn, password_role

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
    assert all(p["tps"] > 0 and p["latency_ms"] > 0 for p in report["points"])
    assert report["server"]["version"].startswith(str(server_major))
    assert report["pgbench"]["version"].startswith(str(server_major))
    fit = report["fit"]
    assert fit["sigma"] >= 0 and fit["kappa"] >= 0 and fit["lambda"] > 0 and fit["rmse"] >= 0
    scenario = read_scenario_file(saved)
    assert [m.connections for m in scenario.measurements] == [1, 2, 4]
    assert "pgbench select-only" in scenario.measured_on
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


def test_pgbench_is_found_next_to_the_server(server, pgbench):
    result = run("measure", "--dsn", dsn(server), "--clients", "1,2,3", *SHORT, "--builtin", "tpcb-like")
    assert result.status == 0, result.stderr
    assert "tpcb-like" in result.stdout and "USL fit" in result.stdout


def test_clients_beyond_the_free_slots_are_refused_before_anything_starts(server, pgbench):
    result = run("measure", "--dsn", dsn(server), "--clients", "1,500", *SHORT, "--pgbench", str(pgbench))
    assert result.status == 2
    assert "--clients 500: the server has 96 free connection slots (max_connections 100 - 3 reserved" in result.stderr
    assert scratch_databases(server) == []


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--pgbench", "/nonexistent/pgbench"), "--pgbench: not an executable file"),
        (("--script", "/nonexistent.sql"), "--script: no such file"),
        (("--clients", "1,x"), "--clients: whole numbers"),
        (("--duration", "0"), "--duration: whole seconds"),
    ],
)
def test_bad_options_exit_2(server, args, expected):
    options = {"--clients": "1,2", "--duration": "1"}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("measure", "--dsn", dsn(server), *[x for kv in options.items() for x in kv])
    assert result.status == 2 and expected in result.stderr and result.stderr.count("\n") == 1


def test_no_pgbench_anywhere(server, monkeypatch):
    import pgplanner.probe.pgbench as module

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(module, "DEBIAN_SERVERS", Path("/nonexistent"))
    monkeypatch.setattr(module, "_server_bindirs", lambda conn: [])
    result = run("measure", "--dsn", dsn(server), "--clients", "1,2", "--duration", "1")
    assert result.status == 2 and "pgbench not found" in result.stderr


def test_ctrl_c_stops_at_once_and_leaves_nothing(server, pgbench):
    command = [sys.executable, "-m", "pgplanner", "measure", "--dsn", dsn(server), "--clients", "1,2,4",
               "--duration", "30", "--pgbench", str(pgbench)]  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[2]))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not any("-T" in p.info["cmdline"] for p in pgbench_processes(server)):  # a run is under way
            assert time.monotonic() < deadline and process.poll() is None, process.communicate()
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)  # far less than the 30 s run it interrupted
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and "interrupted" in err
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


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


def test_the_password_reaches_pgbench_only_through_its_environment(server, pgbench):
    password_role(server, "measurer", "sweep-secret", createdb=True)
    seen: list[str] = []

    def listen(event: object) -> None:
        for process in pgbench_processes(server):
            seen.append(" ".join(process.info["cmdline"]))

    spec = SweepSpec(clients=(1, 2, 3), duration=1, warmup=0, pgbench=pgbench)
    result = Sweep(dsn(server, user="measurer", password="sweep-secret"), spec, listen).run()
    assert len(result.points) == 3
    assert seen and not any("sweep-secret" in line for line in seen)


def test_a_server_dying_mid_sweep_is_named_and_cleaned_up_when_it_returns(own_server, pgbench):
    server = own_server

    def listen(event: object) -> None:
        if isinstance(event, Point):
            server.stop()

    spec = SweepSpec(clients=(1, 2, 4), duration=1, warmup=0, pgbench=pgbench)
    with pytest.raises(MeasureError) as failure:
        Sweep(dsn(server), spec, listen).run()
    message = str(failure.value)
    assert "pgbench failed during 2 clients" in message and "\n" not in message
    assert "drop it when the server is back" in message and SCRATCH_PREFIX in message
    assert pgbench_processes(server) == []
    server.start()
    left = scratch_databases(server)
    assert len(left) == 1
    # The next sweep drops what the dead one left, and says so.
    notes: list[str] = []
    Sweep(dsn(server), spec, lambda e: notes.append(e.label) if isinstance(e, Progress) else None).run()
    assert any(left[0] in note for note in notes)
    assert scratch_databases(server) == []

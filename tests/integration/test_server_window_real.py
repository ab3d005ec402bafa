"""The Server menu against a real PostgreSQL: connect, probe beside the plan, measure in the background
with points arriving on the plot, cancel, and nothing left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui import adapter as a

from . import real
from .test_measure_real import pgbench_processes, scratch_databases
from .test_probe_real import make_roles, password_role, restart_after

pytestmark = [pytest.mark.integration, real.ON_THE_NEWEST]  # the window's dialogs are pgplanner's own


@pytest.fixture
def app(qtbot, tmp_path):
    return a.open_app(qtbot, tmp_path / "settings.ini")


@pytest.fixture
def server(running_server: real.Cluster, monkeypatch) -> real.Cluster:
    if not (running_server.bin / "pgbench").exists():
        real.missing(f"pgbench is not installed beside {running_server.bin}")
    monkeypatch.setenv("PATH", f"{running_server.bin}:{Path('/usr/bin')}")  # this server's own pgbench first
    return running_server


def connect(app: a.App, server: real.Cluster, **extra: str) -> str:
    return a.connect_to_server(app, str(server.sockets), real.PG_PORT, "postgres", real.SERVER_USER, **extra)


def test_probe_shows_the_server_beside_the_plan_and_fills_the_scenario(app, server, server_major):
    assert connect(app, server) == ""
    assert a.connected_server(app).startswith(f"PostgreSQL {server_major}.")
    report = a.probe_server(app, watch_seconds=1)
    assert report.splitlines()[1].startswith("your server: max_connections 100; at most 0 active while watched")
    a.use_probed_values(app)
    assert a.input_value(app, "pg_version") == server_major
    assert a.input_value(app, "shared_buffers") == a.size(server.sql("SHOW shared_buffers")[0][0])


def test_a_sweep_lands_point_by_point_and_is_saved_with_the_scenario(app, server, tmp_path):
    connect(app, server)
    seen: list[int] = []
    plot = app.window.throughput_plot
    original = plot.show_live
    plot.show_live = lambda points, where: (seen.append(len(points)), original(points, where))
    a.start_measuring(app, "1,2,3", seconds=1)
    said = a.wait_for_measurement(app)
    assert seen == [1, 2, 3]  # each point reached the plot as it arrived
    assert said.startswith("3 points saved with the scenario. USL fit:")
    assert [c for c, _ in a.saved_measurements(app)] == [1, 2, 3]
    assert a.throughput_axis(app) == "tps" and [c for c, _ in a.plotted_points(app)] == [1, 2, 3]
    assert "measured on" in a.throughput_key(app)
    a.save_as(app, tmp_path / "measured.json")
    assert '"measured_on": "PostgreSQL' in (tmp_path / "measured.json").read_text()
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


def test_cancel_stops_the_sweep_and_leaves_nothing(app, server):
    connect(app, server)
    a.start_measuring(app, "1,2,4", seconds=30)
    a.w.wait_until(app.qtbot, lambda: any("-T" in p.info["cmdline"] for p in pgbench_processes(server)), 30_000)
    a.cancel_measuring(app)
    said = a.wait_for_measurement(app)
    assert said.startswith("Cancelled")
    assert a.saved_measurements(app) == [] and a.plotted_points(app) == []
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


@pytest.mark.parametrize("how", ["closed", "SIGTERM"])
def test_closing_the_window_mid_sweep_cleans_up(app, server, how):
    """Closed by the user, or its session ended by a signal (a logout, ``kill``): pgbench is stopped and
    the scratch database dropped before the window goes."""
    connect(app, server)
    a.start_measuring(app, "1,2", seconds=30)
    a.w.wait_until(app.qtbot, lambda: any("-T" in p.info["cmdline"] for p in pgbench_processes(server)), 30_000)
    if how == "closed":
        app.window.close()
    else:
        a.stop_with_a_signal_and_start_again(app, how)
    assert scratch_databases(server) == [] and pgbench_processes(server) == []


def test_a_wrong_password_is_said_in_the_dialog(app, server):
    password_role(server, "planner", "right-secret")
    said = a.connect_to_server(app, str(server.sockets), real.PG_PORT, "postgres", "planner", password="wrong")
    assert "password authentication failed" in said and "wrong" not in said.replace("password authentication", "")
    assert not a.server_actions_enabled(app)
    settings = (app.settings_path).read_text() if app.settings_path.exists() else ""
    assert "right-secret" not in settings and "wrong" not in settings


def test_a_cancelled_sweep_keeps_the_points_it_measured(app, server):
    connect(app, server)
    a.start_measuring(app, "1,2,4", seconds=3)
    a.w.wait_until(app.qtbot, lambda: len(a.plotted_points(app)) == 1, 60_000)  # one point is in
    a.cancel_measuring(app)
    said = a.wait_for_measurement(app)
    assert said.startswith("Cancelled: pgbench is stopped and the scratch database dropped.")
    assert "The point measured before is kept with the scenario (Edit > Undo takes it out)." in said
    assert [c for c, _ in a.saved_measurements(app)] == [1]
    assert a.measure_progress_text(app) == "cancelled"  # not the last run's "50 %  2 clients"
    assert scratch_databases(server) == [] and pgbench_processes(server) == []
    a.reopen_measuring(app)  # closed and opened again: a fresh dialog, the cancelled sweep is history
    assert a.measure_progress_text(app) == "0 %" and a.measure_status(app) == ""


def test_a_role_that_cannot_measure_is_told_why_in_one_line(app, server):
    make_roles(server)
    server.sql("ALTER ROLE plain NOCREATEDB")
    assert connect_as(app, server, "plain") == ""
    a.start_measuring(app, "1,2", seconds=1)
    said = a.wait_for_measurement(app)
    assert said.startswith("the role plain may not create databases") and "\n" not in said
    assert a.status_fits(app.window.server.measure_dialog, "measure_status")
    assert scratch_databases(server) == []


def connect_as(app: a.App, server: real.Cluster, user: str) -> str:
    return a.connect_to_server(app, str(server.sockets), real.PG_PORT, "postgres", user)


def test_the_connect_dialog_shows_a_long_reason_whole(app, server):
    said = a.connect_to_server(app, "/nonexistent-socket-directory", real.PG_PORT, "postgres", real.SERVER_USER)
    assert "No such file or directory.\nIs the server running locally" in said  # libpq's two sentences, a line each
    assert a.status_fits(app.window.server.connect_dialog, "connect_status")


def test_a_watch_in_the_window_outlives_a_server_that_went_away(app, server):
    connect(app, server)
    stopping = restart_after(server, 2, come_back=False)
    report = a.probe_server(app, watch_seconds=5)
    stopping.join()
    assert report.splitlines()[1].startswith("your server: max_connections 100; at most 0 active while watched")
    status = a.w.text_of(app.window.server.probe_dialog, "probe_status")
    assert status.startswith("The server went away") and "did not come back" in status

"""A user brings measured throughput into the plan: imported from pgbench's output or a CSV file.

(Measuring a live server from the window is walked against real PostgreSQL in
tests/integration/test_server_window_real.py.)
"""

from pathlib import Path

import numpy as np

from ..adapter import (
    can_clear_measurements,
    clear_measurements,
    connect_status_fits,
    connect_to_server,
    connect_to_unknown_host,
    connection_fails,
    current_curve,
    dots_cut_by_the_plot_edge,
    errors_shown,
    hover,
    import_measurements,
    mark,
    measure_progress_text,
    measure_status,
    measure_status_fits,
    plot_key,
    plotted_points,
    read_card,
    saved_measurements,
    server_actions_enabled,
    set_hardware,
    set_pooler,
    sweep_fails,
    sweep_points_arrive,
    sweep_points_arrive_from,
    throughput_axis,
    throughput_key,
    undo,
    why,
)

PGBENCH_RUNS = Path(__file__).parents[2] / "probe" / "data" / "pgbench15_two_runs.txt"
# Points of the textbook USL with sigma 0.04, kappa 0.0008: the peak is sqrt(0.96 / 0.0008) = 34.6.
USL_CSV = "clients,tps\n" + "\n".join(
    f"{n},{1000 * n / (1 + 0.04 * (n - 1) + 0.0008 * n * (n - 1)):.1f}" for n in (1, 2, 4, 8, 16, 32, 64, 128)
)


def test_imported_points_appear_in_tps_and_move_the_target_to_the_measured_peak(app, tmp_path):
    csv = tmp_path / "sweep.csv"
    csv.write_text(USL_CSV)
    set_hardware(app, cores=4)
    assert read_card(app, "productive target") == 10  # the rule of thumb: 4 x 2 + 2
    import_measurements(app, csv)
    assert throughput_axis(app) == "tps"
    assert [c for c, _ in plotted_points(app)] == [1, 2, 4, 8, 16, 32, 64, 128]
    assert dots_cut_by_the_plot_edge(app, "throughput") == []  # the dot at one client shows whole
    assert read_card(app, "productive target") == 35
    assert read_card(app, "pool size") == 35
    assert mark(app, "throughput", "productive_target") == 35
    assert "measured peak" in why(app, "productive target")
    assert "measured, imported from sweep.csv" in throughput_key(app)
    assert "modelled" in throughput_key(app) and "8 points imported" in throughput_key(app)
    assert saved_measurements(app)[0] == (1, 1000.0)


def test_pgbench_output_imports_too_and_undo_takes_it_back(app):
    import_measurements(app, PGBENCH_RUNS)
    assert plotted_points(app) == [(1, 20724.571757), (4, 28867.44717)]
    assert throughput_axis(app) == "tps"  # two points: drawn, too few to fit
    undo(app)
    assert plotted_points(app) == [] and throughput_axis(app) == "% of peak"


def test_too_few_points_to_fit_lay_the_modelled_curve_through_them_not_under_them(app, tmp_path):
    """One point at one client is not the peak: the model passes through it (it drew the model's peak at
    7,450 tps and so about 750 tps at one client, beside the point measured there)."""
    one = tmp_path / "one.csv"
    one.write_text("clients,tps\n1,7450\n")
    import_measurements(app, one)
    xs, ys = current_curve(app, "throughput", "modelled")
    assert xs[0] == 1 and round(ys[0]) == 7450
    assert "1 active connection: modelled 7,450 tps" in hover(app, "throughput", 1, 7450)
    assert "1 point imported" in throughput_key(app)
    import_measurements(app, PGBENCH_RUNS)  # two points: the curve passes between them (least squares)
    (low, low_tps), (high, high_tps) = plotted_points(app)
    xs, ys = current_curve(app, "throughput", "modelled")
    misses = [np.interp(c, xs, ys) - tps for c, tps in ((low, low_tps), (high, high_tps))]
    assert misses[0] * misses[1] < 0, misses


def test_clearing_measurements_brings_back_the_model(app, tmp_path):
    csv = tmp_path / "sweep.csv"
    csv.write_text(USL_CSV)
    import_measurements(app, csv)
    clear_measurements(app)
    assert saved_measurements(app) == [] and throughput_axis(app) == "% of peak"
    assert "pgbench" not in throughput_key(app) and "modelled" not in throughput_key(app)
    assert not can_clear_measurements(app)  # nothing left to clear


def test_a_broken_points_file_is_one_line_and_changes_nothing(app, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text("clients,tps\n1,100\n2,many\n")
    import_measurements(app, broken)
    assert errors_shown(app) == ["broken.csv, line 3: expected clients,tps (e.g. 8,12345.6), got '2,many'"]
    assert saved_measurements(app) == []


def test_probe_and_measure_wait_for_a_connection_and_an_unreachable_server_says_why(app):
    assert not server_actions_enabled(app)
    said = connect_to_server(app, "/nonexistent-socket-dir", 5432, "postgres", "postgres", password="s3cret")
    assert said.startswith("cannot connect:") and "s3cret" not in said
    assert not server_actions_enabled(app)


def test_a_host_name_nobody_knows_is_said_in_words_without_pythons_error_number(app):
    said = connect_to_unknown_host(app, "no-such-host.invalid")
    assert said == "cannot connect: failed to resolve host 'no-such-host.invalid': Name or service not known"
    assert not server_actions_enabled(app)


LIBPQ_REFUSED = (
    'cannot connect: connection to server at "db.internal.example" (10.0.0.12), port 5432 failed: Connection '
    "refused. Is the server running on that host and accepting TCP/IP connections?"
)


def test_a_long_connection_error_reads_a_sentence_a_line_and_the_dialog_grows_for_it(app):
    said = connection_fails(app, LIBPQ_REFUSED)
    assert said.splitlines() == [
        'cannot connect: connection to server at "db.internal.example" (10.0.0.12), port 5432 failed: Connection '
        "refused.",
        "Is the server running on that host and accepting TCP/IP connections?",
    ]
    assert connect_status_fits(app)


def test_a_sweep_that_stops_says_why_a_sentence_a_line_and_its_progress_bar_says_stopped(app):
    sweep_points_arrive(app, [(1, 9500.0), (2, 17800.0)])
    sweep_fails(app, "pgbench failed: connection refused. Is the server running? Nothing else was written.")
    assert measure_status(app).splitlines() == [
        "pgbench failed: connection refused.",
        "Is the server running?",
        "Nothing else was written.",
    ]
    assert measure_status_fits(app)
    assert measure_progress_text(app) == "stopped"  # not the last run's "50 %  2 clients"


def test_a_sweep_stopped_after_one_point_says_that_point_is_kept_and_undo_takes_it_out(app):
    sweep_points_arrive_from(app, "PostgreSQL 15.18 at db:5432/postgres", [(1, 9500.0)])
    sweep_fails(app, "Cancelled: pgbench is stopped and the scratch database dropped.")
    assert measure_status(app).splitlines() == [
        "Cancelled: pgbench is stopped and the scratch database dropped.",
        "The point measured before is kept with the scenario (Edit > Undo takes it out).",
    ]
    assert saved_measurements(app) == [(1, 9500.0)]
    undo(app)
    assert saved_measurements(app) == []


def test_the_measured_key_keeps_each_entry_whole_and_names_no_pooler_that_is_not_there(app, tmp_path):
    csv = tmp_path / "sweep.csv"
    csv.write_text(USL_CSV)
    set_pooler(app, pooler="none")
    import_measurements(app, csv)
    key = plot_key(app, "throughput")
    assert "measured, imported from sweep.csv" in key and "8 points imported" in key  # each entry on one line
    assert not [entry for entry in key if "pooler" in entry]

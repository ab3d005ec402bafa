"""Words on the charts read as a person writes them."""

from __future__ import annotations

from pgplanner.model import Measurement, Scenario, plan
from pgplanner.present.charts import WINDOW, Frame
from pgplanner.present.charts.throughput import throughput_chart


def _key(points: int) -> list[str]:
    measured = tuple(Measurement(connections=2**i, tps=100.0 * (i + 1)) for i in range(points))
    result = plan(Scenario(measurements=measured))
    frame = Frame(
        400.0, 240.0, lambda text: 7.0 * len(text), 16.0, 500.0, lambda text: 7.0 * len(text), 14.0, 14.0, 14.0
    )
    return [entry.label for entry in throughput_chart(result, frame, None, WINDOW).key]


def test_a_modelled_baseline_beside_measured_points_says_its_curve_is_not_drawn():
    """Its curve is in % of its own peak: on the measured plan's tps axis it cannot be drawn, and the heading
    says so instead of leaving the reader to look for it."""
    measured = tuple(Measurement(connections=2**i, tps=100.0 * (i + 1)) for i in range(5))
    frame = Frame(400.0, 240.0, lambda text: 7.0 * len(text), 16.0, 900.0, lambda text: 7.0 * len(text))
    chart = throughput_chart(plan(Scenario(measurements=measured)), frame, plan(Scenario()), WINDOW)
    assert "baseline curve not drawn: modelled, no tps to plot" in [run.text for line in chart.heading for run in line]
    assert not [series for series in chart.series if series.ghost]


def test_one_measured_point_is_one_point_not_one_points():
    assert "pgbench, 1 point" in _key(1)
    assert "pgbench, 3 points" in _key(3)


def test_a_servers_values_are_said_as_the_window_shows_them():
    """Probe's "Use these values": the server's own strings read as the inputs they set, not as raw text."""
    from pgplanner.present.changes import input_changes

    server = {"ram": "24683664kB", "platform": "linux", "storage": "hdd", "shared_buffers": "128MB", "pg_version": 15}
    # 24,683,664 kB / 1,048,576 kB per GB = 23.54 GB
    assert input_changes(server) == "RAM 23.5 GB, Platform Linux, Storage HDD, shared_buffers 128 MB, PostgreSQL 15"

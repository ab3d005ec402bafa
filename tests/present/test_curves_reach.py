"""Beside a baseline whose axis reaches further, the plan's curves reach the axis' end too, and what the mouse
reads there is the model's value, not the last one the plan's own grid held.

The plan: a 4-core, 16 GB server (``Scenario()``). The baseline: 1,000 direct connections (the bundled
example), whose axes run to 1,500 active connections and 2,815 connections.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pgplanner.model import Scenario, plan
from pgplanner.model.serialization import read_scenario_file
from pgplanner.present.charts import WINDOW, Frame
from pgplanner.present.charts.memory import memory_chart, memory_readout
from pgplanner.present.charts.throughput import throughput_chart, throughput_readout

EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"
FRAME = Frame(600.0, 400.0, lambda text: 7.0 * len(text), 16.0, 700.0, lambda text: 7.0 * len(text), 14.0, 14.0, 14.0)


@pytest.fixture(scope="module")
def small():
    return plan(Scenario())


@pytest.fixture(scope="module")
def direct_1000():
    return plan(read_scenario_file(EXAMPLES / "direct-1000.json"))


@pytest.mark.parametrize("chart", [throughput_chart, memory_chart])
def test_both_plans_curves_run_to_the_axis_end_whichever_is_pinned(chart, small, direct_1000):
    for shown, pinned in ((small, direct_1000), (direct_1000, small)):
        drawn = chart(shown, FRAME, pinned, WINDOW)
        lines = [series for series in drawn.series if series.kind == "line"]
        assert lines
        for series in lines:
            assert series.xs[-1] == pytest.approx(drawn.x.hi), series.key


def test_the_throughput_readout_past_the_plans_own_grid_is_the_default_curve(small, direct_1000):
    """The plan's own curve ends at 240 active connections. At 1,000, by hand: knee 10 (the productive target),
    peak 10 x 1.25 = 12.5, u = 8; x = 1,000 / 12.5 = 80, envelope 80 x 10 / (1 + 8 x 80 + 80^2) = 800 / 7,041
    = 11.4 % (below the ramp 1,000 / 10). Through the pool of 10 it is the curve at 10: x = 0.8,
    0.8 x 10 / (1 + 6.4 + 0.64) = 99.5 %, which reads 100 %."""
    assert small.throughput.connections[-1] < 1000
    readout = throughput_readout(small, direct_1000, WINDOW, 1000)
    assert readout.startswith("1,000 active connections: direct 11 %, through the pooler 100 %")


def test_the_memory_readout_past_the_plans_own_grid_is_the_line(small, direct_1000):
    """The plan's own curve ends at 996 connections. At 2,000, typical = shared_buffers 4 GB + the OS reserve
    869,730,877 bytes + 2,000 x 15,073,280 bytes (one typical connection) = 35,311,258,173 bytes = 32.9 GB."""
    m = small.memory
    assert (m.shared_buffers_bytes, m.os_overhead_bytes, m.per_connection_bytes) == (4 * 2**30, 869_730_877, 15_073_280)
    assert small.memory_curve.connections[-1] < 2000
    assert memory_readout(small, 2000).startswith("2,000 connections: typical 32.9 GB")


def test_the_memory_readout_names_the_pinned_baselines_worst_case_last(small, direct_1000):
    """The baseline (1,000 direct) at 100 connections, by hand: each process 10 MB + 4 sort nodes x 64 MB
    = 266 MB, no parallel workers; held anyway shared_buffers 16 GB + OS 4 GB + 4 autovacuum workers x
    1 GB + 2 maintenance jobs x 2 GB = 28 GB; 28 GB + 100 x 266 MB = 28,672 MB + 26,600 MB = 55,272 MB
    = 54.0 GB, which reads 54 GB."""
    readout = memory_readout(small, 100, direct_1000, WINDOW)
    assert readout.startswith("100 connections: typical")
    assert readout.endswith("; baseline worst case 54 GB")

"""pgbench's per-transaction log read into latency figures: the percentiles from the logged sample, the
average pgbench printed over every transaction, and no log file left behind."""

from pathlib import Path

import numpy as np
import pytest

from pgplanner.model import MeasuredLatency, Scenario
from pgplanner.probe.pgbench import latency_figures, read_transaction_log

# pgbench 15+ with --rate: client_id transaction_no time(us) script_no time_epoch time_us schedule_lag(us);
# the time counts from the scheduled start, so it already holds the lag (reference/latency_experiment.md).
FIRST_THREAD = """0 1 412 0 1733150000 120 30
0 2 388 0 1733150000 650 12
1 1 1500 0 1733150001 10 900
"""
SECOND_THREAD = """2 1 skipped 0 1733150001 500 3000
2 2 700 0 1733150001 900 0
"""


def logged(tmp_path: Path) -> Path:
    prefix = tmp_path / "latency_ab12"
    (tmp_path / "latency_ab12.4242").write_text(FIRST_THREAD)
    (tmp_path / "latency_ab12.4242.1").write_text(SECOND_THREAD)
    (tmp_path / "pgpass").write_text("*:*:*:*:secret\n")  # another file of the private directory: kept
    return prefix


def test_every_thread_s_log_is_read_in_milliseconds_and_removed(tmp_path):
    times = read_transaction_log(logged(tmp_path))
    assert sorted(times) == [0.388, 0.412, 0.7, 1.5]  # the skipped transaction has no latency
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pgpass"]


def test_percentiles_from_the_sample_and_the_average_from_pgbench():
    times = np.arange(1, 101, dtype=float)  # 1 .. 100 ms
    figures = latency_figures(times, 42.0)
    # numpy's linear interpolation between order statistics: p50 50.5, p95 95.05, p99 99.01
    assert figures == MeasuredLatency(avg=42.0, p50=50.5, p95=95.05, p99=99.01)
    assert latency_figures(np.array([]), 0.5) == MeasuredLatency(avg=0.5)
    assert latency_figures(np.array([]), None) is None


def test_a_scenario_saved_before_the_percentiles_still_loads():
    """Files written before measure kept percentiles hold the average alone, as a number."""
    old = Scenario.model_validate({"measurements": [{"connections": 4, "tps": 3000, "latency_ms": 1.33}]})
    assert old.measurements[0].latency_ms == MeasuredLatency(avg=1.33)
    assert (
        Scenario.model_validate({"measurements": [{"connections": 4, "tps": 3000}]}).measurements[0].latency_ms is None
    )
    with pytest.raises(ValueError, match="latency_ms"):
        Scenario.model_validate({"measurements": [{"connections": 4, "tps": 3000, "latency_ms": {"p99": -1}}]})

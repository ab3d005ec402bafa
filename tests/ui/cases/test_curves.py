"""The curves follow the inputs and mark what matters."""

import numpy as np

from ..adapter import (
    budget_bar,
    budget_limit,
    current_curve,
    hover,
    mark,
    read_card,
    set_hardware,
    set_pooler,
    set_workload,
    size,
    slide,
)


def test_throughput_peaks_near_the_productive_target(app):
    set_hardware(app, cores=16)
    x, y = current_curve(app, "throughput", "direct")
    assert 32 <= x[np.argmax(y)] <= 48
    assert mark(app, "throughput", "productive_target") == 34


def test_throughput_through_the_pooler_stays_flat(app):
    set_pooler(app, pool_size=20, reserve_pool=0)
    x, y = current_curve(app, "throughput", "pooled")
    assert np.ptp(y[x >= 20]) == 0
    _, direct = current_curve(app, "throughput", "direct")
    assert direct[-1] < y[-1]


def test_throughput_follows_the_cores_slider(app):
    set_hardware(app, cores=4)
    before = mark(app, "throughput", "productive_target")
    slide(app, "cores", 4)  # 4 -> 16 cores
    assert mark(app, "throughput", "productive_target") == 34 > before


def test_memory_curve_meets_ram_at_the_ceiling(app):
    set_hardware(app, ram="16GB")
    x, typical = current_curve(app, "memory", "typical")
    ceiling = mark(app, "memory", "ram_ceiling")
    at_ceiling = np.interp(ceiling, x, typical)
    assert abs(at_ceiling - size("16GB") / size("1GB")) < 0.05


def test_memory_readout_answers_where_the_mouse_is(app):
    set_hardware(app, ram="16GB")
    # 16 GB RAM - 4 GB shared_buffers - 2 GB OS = 10 GB for 963 connections of 10.6 MB: typical 6 GB + 20 x 10.6 MB
    assert hover(app, "memory", 20, 1).startswith("20 connections: typical 6.21 GB")


def test_budget_bar_stacks_every_line(app):
    set_pooler(app, pool_size=24, reserve_pool=6)
    set_workload(app, listeners=10, monitoring=3, admin=2)
    bar = budget_bar(app)
    assert bar["PgBouncer pool"] == 24 and bar["LISTEN listeners"] == 10
    assert sum(bar.values()) == budget_limit(app) == read_card(app, "max_connections")

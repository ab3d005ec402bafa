"""A DBA who knows the load asks what a client waits: a demand in the Workload group brings the latency
card and plot; without a pooler neither names a pool; measured latencies show beside the model."""

import math

from pgplanner.model import Measurement
from tests.model.test_latency import mmc

from ..adapter import (
    axis_ticks,
    card_baseline,
    card_shown,
    cards_disagreeing_with_model,
    clipped_card_texts,
    compare_tab,
    current_curve,
    dots_cut_by_the_plot_edge,
    hover,
    import_measurements,
    load_scenario,
    mark,
    pin_baseline,
    plot_fits,
    plot_title,
    plots_offered,
    read_caption,
    read_card,
    resize_window,
    set_hardware,
    set_pooler,
    set_workload,
    side_tabs,
    unreadable_words,
    use_dark_palette,
    warnings,
)
from ..adapter import (
    shown_plan as plan_on_screen,
)


def test_a_demand_brings_the_latency_card_and_plot_and_taking_it_away_hides_them(app):
    assert "latency" not in plots_offered(app) and side_tabs(app) == []
    assert not card_shown(app, "Latency p99")
    set_hardware(app, cores=16)
    set_workload(app, txn_ms=10, demand_tps=2000)
    assert "latency" in plots_offered(app) and side_tabs(app) == ["Memory", "Latency"]
    assert read_card(app, "Latency p99") == "46.1 ms"  # Erlang C at 34 backends, 20 Erlangs: 10 ms x ln 100
    assert read_caption(app, "Latency p99") == "pool of 34: mean 10.0 ms · best pool 26"
    assert cards_disagreeing_with_model(app) == []
    assert mark(app, "latency", "pool_size") == 34 and mark(app, "latency", "best_pool") == 26
    xs, ys = current_curve(app, "latency", "pooled.p99_ms")
    assert xs.min() < 21 and all(math.isnan(y) for x, y in zip(xs, ys, strict=True) if x < 21)  # never keep up
    assert not math.isnan(ys[xs == 21][0])  # 21 backends complete 2,100 tps: the curve starts there
    assert "pools smaller than 21 cannot keep up" in plot_title(app, "latency")
    set_workload(app, demand_tps="auto")
    assert "latency" not in plots_offered(app) and side_tabs(app) == [] and not card_shown(app, "Latency p99")


def test_an_unstable_pool_says_so_and_shows_no_latency(app):
    set_hardware(app, cores=16)
    set_workload(app, txn_ms=10, demand_tps=2000)
    set_pooler(app, pool_size=20)
    assert read_card(app, "Latency p99") == "unstable"
    assert "ms" not in read_caption(app, "Latency p99")
    assert "LATENCY_UNSTABLE" in warnings(app)
    assert "pool of 20, or 20 connections without a pooler: unstable" in hover(app, "latency", 20, 10)


def test_without_a_pooler_nothing_names_a_pool(app):
    set_workload(app, demand_tps=300)
    set_pooler(app, pooler="none")
    caption = read_caption(app, "Latency p99")
    assert caption.startswith("no pooler, 200 connections: mean") and "pool " not in caption
    assert mark(app, "latency", "pool_size") is None and mark(app, "latency", "best_pool") is None
    words = plot_title(app, "latency") + hover(app, "latency", 50, 20)
    assert "pool of" not in words and "best pool" not in words
    latency = plan_on_screen(app).to_json_dict()["latency"]
    assert latency["at_pool_size"] is None and latency["best_pool_size"] is None and latency["by_pool_size"] == []


def test_in_a_small_window_latency_is_a_tab_of_its_own(app):
    set_workload(app, demand_tps=300)
    resize_window(app, 1024, 700)
    assert plots_offered(app)[:4] == ["throughput", "memory", "budget", "latency"]
    assert plot_fits(app, "latency")
    assert clipped_card_texts(app) == []
    set_workload(app, demand_tps="auto")
    assert "latency" not in plots_offered(app)
    resize_window(app, 1280, 800)
    set_workload(app, demand_tps=300)
    assert plot_fits(app, "latency") and clipped_card_texts(app) == []


def test_measured_latencies_show_beside_the_model_without_a_demand(app, tmp_path):
    points = ((1, 900), (4, 3300), (8, 5200), (16, 6100), (32, 5400))
    measured = tuple(
        Measurement(connections=c, tps=t, latency_ms={"avg": c / t * 1000, "p99": c / t * 5000}) for c, t in points
    )
    path = tmp_path / "measured.json"
    path.write_text(plan_on_screen(app).scenario.model_copy(update={"measurements": measured}).model_dump_json())
    load_scenario(app, path)
    assert "latency" in plots_offered(app)
    xs, ys = current_curve(app, "latency", "measured.p99")
    assert list(xs) == [1, 4, 8, 16, 32] and ys[0] == 5000 / 900
    assert "measured with 8 busy: average 1.54 ms, p99 7.69 ms" in hover(app, "latency", 8, 1)
    assert dots_cut_by_the_plot_edge(app, "latency") == []  # the dots at one connection show whole


def test_on_a_dark_desktop_the_latency_plot_reads(app):
    set_workload(app, demand_tps=300)
    use_dark_palette(app)
    hover(app, "latency", 10, 20)
    assert unreadable_words(app, "latency") == []


def test_the_compare_tab_and_the_card_say_the_latency_change(app):
    set_hardware(app, cores=16)
    set_workload(app, txn_ms=10, demand_tps=2000)
    pin_baseline(app)
    set_pooler(app, pool_size=22)
    change = mmc(22, 2000, 10)["p99_ms"] - mmc(34, 2000, 10)["p99_ms"]  # Erlang C at 20 Erlangs, by hand
    assert card_baseline(app, "Latency p99") == f"baseline 46.1 ms · +{change:#.3g} ms"
    tab = compare_tab(app)
    assert "Latency p99" in tab and "latency.at_pool_size.p99_ms" not in tab  # named as the card names it
    assert "Latency p99\n46.1 ms\n" in tab  # the headline row: the baseline's p99, then the plan's


# Server > Import Measurements of pgbench's output for one run with one client (its latency average included).
ONE_RUN = """transaction type: <builtin: select only>
scaling factor: 1
number of clients: 1
number of threads: 1
duration: 5 s
latency average = 0.048 ms
tps = 20724.571757 (without initial connection time)
"""


def test_one_measured_point_has_its_axis_numbered(app, tmp_path):
    path = tmp_path / "one-run.txt"
    path.write_text(ONE_RUN)
    import_measurements(app, path)
    assert "latency" in plots_offered(app)
    assert axis_ticks(app, "latency", "bottom") == ["1", "2"]  # the axis runs from 1 to 2 clients
    set_workload(app, demand_tps=300)  # one measurement plus a demand
    assert {"1", "10", "100"} <= set(axis_ticks(app, "latency", "bottom"))

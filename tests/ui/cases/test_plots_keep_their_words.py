"""A DBA pins a plan, tries other hardware, a provider plan, no pooler, huge work_mem, small windows:
every plot keeps its words whole, apart, inside the plot and off the data, and says what its lines are."""

from pathlib import Path

from tests.equations import false_equations

from ..adapter import (
    answer_unsaved_prompts,
    choose_provider_plan,
    hover,
    import_measurements,
    mark,
    mark_label,
    new_scenario,
    pin_baseline,
    plot_key,
    plot_problems,
    plot_split,
    plot_title,
    read_card,
    resize_window,
    set_hardware,
    set_memory,
    set_pooler,
    sweep_fails,
    sweep_points_arrive,
    throughput_axis_words,
)

PLOTS = ("throughput", "memory", "budget")


def test_a_pinned_baseline_leaves_every_word_readable(app):
    pin_baseline(app)
    set_hardware(app, ram="32GB")
    set_pooler(app, pooler="none")
    for width, height in ((1280, 800), (1024, 700), (1600, 1000)):
        resize_window(app, width, height)
        for plot in PLOTS:
            assert plot_problems(app, plot) == [], (plot, width)
    assert mark_label(app, "throughput", "baseline.max_connections") in ("baseline max_connections 30", "baseline 30")
    assert "baseline" in plot_key(app, "memory") and "baseline RAM 16 GB" in plot_key(app, "memory")


def test_memory_labels_on_a_provider_plan_stay_apart_and_inside(app):
    choose_provider_plan(app, "aws-rds/db.r6g.large")
    set_memory(app, work_mem="4MB")
    for width, height in ((1280, 800), (1024, 700)):
        resize_window(app, width, height)
        assert plot_problems(app, "memory") == []
    # 2 cores, 16 GB: 16,384 MB - 4,096 shared_buffers - 829.44 OS reserve (256 MB + 3.5 %) - 3 x 1 GB autovacuum
    # - 2 x 1 GB maintenance jobs = 6,338.56 MB for connections; one process: 10 MB + 8 MB of page tables (4 GB /
    # 4 kB x 8 B: the provider decides about huge pages) + 4 x 4 MB + 2 x 4 MB = 42 MB; (N + 2 parallel workers,
    # max_parallel_workers = 2) x 42 MB <= 6,338.56 MB: N + 2 <= 150.9, N = 148
    assert mark(app, "memory", "worst_fits") == 148
    assert mark_label(app, "memory", "provider_limit").startswith("provider limit ")


def test_without_a_pooler_no_label_hides_the_worst_case(app):
    set_pooler(app, pooler="none")
    for width, height in ((1280, 800), (1024, 700), (1600, 1000)):
        resize_window(app, width, height)
        assert plot_problems(app, "memory") == []


def test_a_worst_case_over_ram_from_the_first_connection_says_so(app):
    set_memory(app, work_mem="512MB")
    # one connection and its 2 parallel workers: 3 x (10 MB + 8 MB page tables + 4 x 512 MB + 2 x 512 MB)
    # = 9.05 GB > 6.19 GB available
    assert mark(app, "memory", "worst_fits") == 1
    assert mark_label(app, "memory", "worst_fits") == "worst case exceeds RAM from 1 connection"
    assert plot_problems(app, "memory") == []


def test_the_memory_plot_says_what_its_worst_case_line_holds_as_the_card_does(app):
    heading = " ".join(plot_title(app, "memory").split())  # the note wraps to the plot's width
    assert "all lines include shared_buffers and the OS; the worst-case card counts connections only" in heading
    assert "worst case (+ autovacuum, maintenance jobs)" in plot_key(app, "memory")
    said = hover(app, "memory", 30, 5)
    # the card's figure at max_connections 30, and the line's: 1.39 GB + 4 GB shared_buffers + 829.44 MB OS
    # reserve + 3 x 1 GB autovacuum + 2 x 1 GB maintenance jobs (the admin connections) = 10,045.44 MB = 9.81 GB
    held = "9.81 GB shared_buffers, OS, autovacuum, maintenance jobs"
    assert f"= {read_card(app, 'worst-case memory')} for connections + {held}" in said
    assert said.startswith("30 connections:") and false_equations(said) == []


def test_the_throughput_axis_forgets_the_measured_thousands(app, tmp_path: Path):
    # (a short plot writes the unit alone)
    sweep_points_arrive(app, [(1, 9500.0), (2, 17800.0), (4, 31000.0)])
    assert throughput_axis_words(app) in ("throughput (tps)", "tps")
    sweep_fails(app)
    assert throughput_axis_words(app) in ("throughput (% of peak)", "% of peak")
    csv = tmp_path / "sweep.csv"
    csv.write_text("clients,tps\n1,9500\n2,17800\n4,31000\n8,42000\n")
    import_measurements(app, csv)
    assert throughput_axis_words(app) in ("throughput (tps)", "tps")
    answer_unsaved_prompts(app, "discard")
    new_scenario(app)
    assert throughput_axis_words(app) in ("throughput (% of peak)", "% of peak")


def test_a_round_trip_through_the_small_window_keeps_the_plots_even_and_whole(app):
    resize_window(app, 1280, 800)
    before = plot_split(app)
    resize_window(app, 1024, 700)
    resize_window(app, 1280, 800)
    throughput, memory = plot_split(app)
    assert abs(throughput - memory) <= 2 and (throughput, memory) == before
    assert "modelled (USL), not measured" in plot_title(app, "throughput")
    assert plot_problems(app, "throughput") == [] and plot_problems(app, "memory") == []

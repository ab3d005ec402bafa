"""A DBA drags the handles and resizes the window: the plots keep a readable data area, take the room
back first, and after a trip through the small window's tabs they sit side by side as before."""

import itertools

from ..adapter import (
    axis_ticks,
    choose_provider_plan,
    clear_baseline,
    details_lines_shown,
    drag_splitter_above_details,
    drag_splitter_between_plots,
    drag_splitter_between_plots_and_budget,
    look_at_plot,
    pin_baseline,
    plot_area,
    plot_height,
    plot_problems,
    plot_split,
    plots_side_by_side,
    readout_whole_on_screen,
    resize_window,
    set_hardware,
    set_workload,
)

# A data area in which four rows of 12-pixel tick text stand well apart: about 90 pixels. The issue saw
# 70 (tick labels printed over one another).
READABLE_DATA_HEIGHT = 90
HANDLE = 7  # the splitter handle between the two plots, in pixels


def evenly_split(app) -> bool:
    left, right = plot_split(app)
    return abs(left - right) <= HANDLE


def test_dragging_the_details_up_leaves_the_plots_readable_and_dragging_back_grows_them(app):
    resize_window(app, 1600, 1000)
    drag_splitter_above_details(app, -800)  # as far up as it goes
    for plot in ("throughput", "memory", "budget"):
        assert plot_area(app, plot)[1] >= (READABLE_DATA_HEIGHT if plot != "budget" else 50), plot
    curve, budget = plot_height(app, "throughput"), plot_height(app, "budget")
    drag_splitter_above_details(app, 300)
    assert plot_height(app, "throughput") - curve > plot_height(app, "budget") - budget  # the curves grow first


def test_dragging_the_budget_up_leaves_the_curves_readable(app):
    resize_window(app, 1600, 1000)
    drag_splitter_between_plots_and_budget(app, -800)
    assert plot_area(app, "throughput")[1] >= READABLE_DATA_HEIGHT
    assert plot_problems(app, "throughput") == []


def test_dragging_the_handle_between_the_plots_to_the_edge_keeps_them_side_by_side(app):
    """On RDS (the throughput heading takes four lines), drag the handle between the plots to the left edge and
    back. The plot got narrower than its heading and axis (both ran past its right edge), and a heading wrapped
    onto more lines than the window's height holds turned both plots into tabs, with no handle left to drag
    back. The handle stops where the plot and the headings still fit."""
    choose_provider_plan(app, "aws-rds/db.r6g.large")
    for width, height in ((1280, 800), (1366, 768)):
        resize_window(app, width, height)
        drag_splitter_between_plots(app, -600)
        assert plots_side_by_side(app), (width, height)
        narrowest, _ = plot_split(app)
        for plot in ("throughput", "memory"):
            assert plot_problems(app, plot) == [], (width, height, plot)
        drag_splitter_between_plots(app, 300)
        assert plot_split(app)[0] > narrowest  # and dragging back widens it


def test_after_the_small_window_the_plots_are_side_by_side_evenly_and_whole(app):
    resize_window(app, 1280, 800)
    resize_window(app, 1024, 700)  # the plots become tabs
    resize_window(app, 1280, 800)
    assert evenly_split(app)
    assert plot_problems(app, "throughput") == []  # the subtitle and the marks are not cut
    assert plot_problems(app, "memory") == []


def test_growing_the_window_step_by_step_from_small_keeps_the_plots_even(app):
    resize_window(app, 1024, 700)
    for step in range(0, 21):  # a window manager resizes in many small steps while the user drags
        resize_window(app, 1024 + 20 * step, 700 + 10 * step)
    assert evenly_split(app)
    assert plot_problems(app, "throughput") == []


def test_at_every_size_each_plot_shows_its_axis_and_readout_whole(app):
    for demand in (None, 2000):  # a demand adds the latency card and plot
        if demand:
            set_workload(app, demand_tps=demand)
        for size in ((1264, 752), (1280, 800), (1024, 700), (1600, 1000), (1280, 720)):
            resize_window(app, *size)
            for plot in ("throughput", "memory", "budget") + (("latency",) if demand else ()):
                assert readout_whole_on_screen(app, plot), (plot, size, demand)
                assert plot_area(app, plot)[1] >= READABLE_DATA_HEIGHT - (40 if plot == "budget" else 0), (plot, size)


def test_back_at_the_size_it_had_the_window_has_the_layout_it_had(app):
    for size in ((1264, 752), (1280, 800), (1600, 1000)):
        resize_window(app, *size)
        side_by_side = plots_side_by_side(app)
        resize_window(app, 1024, 700)
        assert not plots_side_by_side(app)
        resize_window(app, *size)
        assert plots_side_by_side(app) == side_by_side, size
    assert side_by_side and evenly_split(app)


def test_back_from_the_small_window_with_the_latency_tab_in_front_both_plots_are_whole(app):
    resize_window(app, 1280, 800)
    set_workload(app, demand_tps=300)  # a Latency tab appears beside Memory
    resize_window(app, 1024, 700)  # the plots become tabs
    look_at_plot(app, "latency")
    resize_window(app, 1280, 800)
    assert plot_problems(app, "throughput") == []  # not cut at its right edge ("max_connecti...", "1" for 100)
    assert plot_problems(app, "latency") == []
    assert len(axis_ticks(app, "latency")) >= 3  # 0, 50, 100, 150 on a hundred pixels, not 0 and 100 alone
    resize_window(app, 1300, 820)
    assert plot_problems(app, "throughput") == []


def test_with_a_baseline_pinned_after_the_small_window_no_axis_title_runs_over_a_heading(app):
    resize_window(app, 1280, 800)
    pin_baseline(app)  # Ctrl+B
    set_hardware(app, ram="64GB")
    resize_window(app, 1024, 700)  # the plots become tabs
    resize_window(app, 1280, 800)
    for plot in ("throughput", "memory", "budget"):
        assert plot_problems(app, plot) == [], plot


def test_in_the_default_window_the_details_show_a_few_lines_and_their_handle_gives_them_more(app):
    resize_window(app, 1280, 800)
    assert details_lines_shown(app) >= 3  # not one line under the tab bar
    shown = details_lines_shown(app)
    drag_splitter_above_details(app, -300)  # as far up as it goes
    assert details_lines_shown(app) >= shown + 2
    for plot in ("throughput", "memory", "budget"):
        assert plot_area(app, plot)[1] >= (READABLE_DATA_HEIGHT if plot != "budget" else 50), plot


def test_clearing_the_baseline_gives_the_plots_back_their_places_side_by_side(app):
    resize_window(app, 1280, 800)
    set_workload(app, demand_tps=300)  # the latency card: five to a row
    assert plots_side_by_side(app)
    pin_baseline(app)  # every card a line taller: the plots no longer fit side by side
    set_hardware(app, ram="64GB")
    assert not plots_side_by_side(app)
    clear_baseline(app)  # the cards as they were, and the window as it was
    assert plots_side_by_side(app)
    assert readout_whole_on_screen(app, "memory") and readout_whole_on_screen(app, "latency")


def test_a_wide_budget_axis_counts_connections_in_even_whole_steps(app):
    resize_window(app, 1300, 820)  # room for a number every 2.5 connections, which "2, 5, 8, 10" misreported
    numbers = [int(text) for text in axis_ticks(app, "budget", "bottom")]
    steps = {b - a for a, b in itertools.pairwise(numbers)}
    assert len(numbers) >= 3 and len(steps) == 1, numbers

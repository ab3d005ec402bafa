"""A user resizes the window, drags its handles and points at the plots; the layout holds still."""

from ..adapter import (
    clipped_card_texts,
    drag_splitter_between_plots_and_budget,
    move_mouse_over_plot,
    plot_fits,
    plot_height,
    provider_list_shows_whole_titles,
    readout,
    resize_window,
    set_hardware,
    splitter_handles_visible,
    window_size,
)

HINT = "Point at the plot to read its values here."


def test_pointing_at_a_plot_reads_it_without_widening_the_window(app):
    for width, height, across in ((1280, 800, 0.55), (1024, 700, 0.3)):
        resize_window(app, width, height)
        for plot in ("throughput", "memory", "budget"):
            text = move_mouse_over_plot(app, plot, across, 0.5)
            assert text != HINT and ("connections" in text or "max_wal_senders" in text)
            assert window_size(app) == (width, height)


def test_a_new_plan_clears_what_was_read_off_the_old_one(app):
    move_mouse_over_plot(app, "memory", 0.5, 0.5)
    set_hardware(app, ram="64GB")
    assert readout(app, "memory") == HINT


def test_everything_is_readable_at_1024_by_700(app):
    resize_window(app, 1024, 700)
    assert window_size(app) == (1024, 700)
    assert clipped_card_texts(app) == []
    for plot in ("throughput", "memory", "budget"):
        assert plot_fits(app, plot), plot


def test_everything_is_readable_at_1280_by_800_and_1600_by_1000(app):
    for width, height in ((1280, 800), (1600, 1000)):
        resize_window(app, width, height)
        assert clipped_card_texts(app) == []
        for plot in ("throughput", "memory", "budget"):
            assert plot_fits(app, plot), (plot, width)


def test_the_window_does_not_shrink_below_a_readable_size(app):
    resize_window(app, 800, 560)
    assert window_size(app) == (1024, 700)


def test_dragging_the_handle_up_keeps_the_plots_readable(app):
    resize_window(app, 1600, 1000)
    assert splitter_handles_visible(app)
    drag_splitter_between_plots_and_budget(app, -600)
    assert plot_height(app, "throughput") >= 170 and plot_height(app, "memory") >= 170
    assert plot_fits(app, "throughput")


def test_the_provider_list_shows_each_plan_whole(app):
    assert provider_list_shows_whole_titles(app)

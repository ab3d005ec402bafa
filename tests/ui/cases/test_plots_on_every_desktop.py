"""A DBA on a dark desktop, on a light one, and on a HiDPI screen reads every plot: dark plots on a dark
desktop, every word readable (WCAG AA, 4.5:1) on what is under it, and lines of the same weight."""

from pathlib import Path

from ..adapter import (
    contrast,
    line_weights_at_scale,
    move_mouse_over_plot,
    pin_baseline,
    plot_background,
    set_hardware,
    unreadable_words,
    use_dark_palette,
)

PLOTS = ("throughput", "memory", "budget")
BLACK, WHITE = "#000000", "#FFFFFF"


def test_on_a_dark_desktop_the_plots_are_dark_and_every_word_reads(app):
    pin_baseline(app)
    set_hardware(app, ram="32GB")  # the baseline's grey words and curves are on the plots too
    use_dark_palette(app)
    for plot in PLOTS:
        assert contrast(plot_background(app, plot), BLACK) < contrast(plot_background(app, plot), WHITE), plot
        move_mouse_over_plot(app, plot, 0.5, 0.7)  # the readout says something
        assert unreadable_words(app, plot) == [], plot


def test_on_a_light_desktop_every_word_reads(app):
    pin_baseline(app)
    set_hardware(app, ram="32GB")
    for plot in PLOTS:
        assert contrast(plot_background(app, plot), WHITE) < contrast(plot_background(app, plot), BLACK), plot
        move_mouse_over_plot(app, plot, 0.5, 0.7)
        assert unreadable_words(app, plot) == [], plot


def test_at_device_scale_2_marks_and_grid_keep_their_weight(tmp_path: Path):
    weights = line_weights_at_scale(tmp_path, 2)
    assert weights["mark"] >= 1.4  # a 1.5-pixel mark, not a one-device-pixel hairline (0.5 logical)
    assert weights["grid"] >= 0.9

"""A DBA on a HiDPI laptop (scale 2) and in a 1024x700 window: the window fits the screen with its status
bar, the tabs are told apart, a card's change stays readable, and Open and Compare start somewhere useful,
with the bundled examples one step away."""

from pathlib import Path

from ..adapter import (
    card_baseline,
    card_baseline_as_shown,
    compare_examples_offered,
    compare_tab,
    compare_with_example,
    default_window_on_screen,
    details_tab_titles,
    folder_dialogs_start_in,
    headline,
    headline_whole,
    load_scenario,
    open_example,
    pin_baseline,
    resize_window,
    save_as,
    set_hardware,
    set_workload,
)

TITLE_BAR = 30  # a window manager's title bar, in logical pixels (GNOME, KDE, openbox: 24-37)


def test_at_scale_2_the_default_window_fits_the_screen_with_its_status_bar(tmp_path: Path):
    # A 2560x1600 laptop panel at scale 2 is a 1280x800 logical screen: the default 1280x800 window was
    # the whole screen, its status bar under the screen's edge once the title bar was added.
    shown = default_window_on_screen(tmp_path, (2560, 1600), scale=2)
    assert shown["screen"] == [1280, 800]
    width, height = shown["window"]
    assert width <= 1280 and height + TITLE_BAR <= 800
    assert shown["status_bar_bottom"] <= height  # the status bar is inside the window


def test_in_a_small_window_every_tab_has_a_name_of_its_own(app):
    resize_window(app, 1024, 700)
    titles = details_tab_titles(app)
    assert "Budget chart" in titles and "Budget table" in titles
    clashes = [t for t in titles if any(o != t and o.startswith(t) for o in titles)]  # "Budget", "Budget bar"
    assert clashes == [] and len(set(titles)) == len(titles), titles


def test_in_a_small_window_a_card_shows_the_baseline_and_the_change_whole(app):
    set_workload(app, demand_tps=300)  # the latency card too: "baseline 92.8 ms · -0.664 ms"
    resize_window(app, 1024, 700)
    pin_baseline(app)
    set_hardware(app, ram="64GB", cores=32)  # changes too wide for a narrow card beside their baseline
    for card in ("Worst-case memory", "Heavy-fraction memory", "Safe work_mem", "Pooler capacity", "Latency p99"):
        full, shown = card_baseline(app, card), card_baseline_as_shown(app, card)
        figures = full.removeprefix("baseline ").split(" · ")  # "6.18 GB", "+21.8 GB"
        assert len(figures) == 2 and "\u2026" not in shown, (full, shown)  # no number cut ("baseline 6.… · +21.8 GB")
        assert all(figure in shown for figure in figures), (full, shown)


def test_in_a_small_window_the_headline_is_whole_and_still_says_what_blocks(app):
    open_example(app, "direct-1000")  # 1,000 connections with a blocking error: the longest headline
    resize_window(app, 1024, 700)
    assert headline_whole(app), headline(app)
    assert headline(app).startswith("max_connections = 1,000")
    assert headline(app).endswith("· 1 blocking")
    resize_window(app, 1280, 800)  # room again: every word is back
    assert headline_whole(app) and "productive target" in headline(app)


def test_open_starts_in_the_examples_then_in_the_last_folder_used(app, tmp_path: Path):
    examples = folder_dialogs_start_in(app)
    assert (examples / "direct-1000.json").is_file() and (examples / "pgbouncer-100.json").is_file()
    assert examples != Path.cwd()
    save_as(app, tmp_path / "mine.json")
    assert folder_dialogs_start_in(app) == tmp_path
    load_scenario(app, tmp_path / "mine.json")
    assert folder_dialogs_start_in(app) == tmp_path


def test_the_bundled_pair_compares_from_the_compare_menu(app):
    assert {"Direct 1000", "Pgbouncer 100"} <= set(compare_examples_offered(app))
    open_example(app, "pgbouncer-100")
    compare_with_example(app, "direct-1000")
    compared = compare_tab(app)
    assert "max_connections" in compared

"""A user reads the plots: every label is readable, nothing hides the data, and each says what it is."""

from pathlib import Path

from ..adapter import (
    budget_key,
    budget_labels_fit,
    choose_provider_plan,
    copy_card_value,
    current_curve,
    curve_colour,
    input_is_editable,
    mark,
    mark_colour,
    mark_label,
    mark_label_is_above_the_data,
    memory_note,
    memory_view_right,
    memory_view_top,
    plot_title,
    read_caption,
    read_card,
    resize_window,
    save_plot_image,
    set_hardware,
    set_memory,
    set_pooler,
    set_workload,
    size,
)

GB = size("1GB")


def test_mark_labels_sit_above_the_curves(app):
    set_hardware(app, cores=16, ram="64GB")
    for width, height in ((1280, 800), (1024, 700), (1600, 1000)):
        resize_window(app, width, height)
        for name in ("productive_target", "max_connections"):
            assert mark_label_is_above_the_data(app, "throughput", name, data_top=100.5), (name, width)


def test_the_keys_are_outside_the_data_and_the_throughput_plot_says_what_it_is(app):
    title = plot_title(app, "throughput")
    assert "direct to PostgreSQL" in title and "through the pooler" in title
    assert "modelled (USL), not measured" in title
    assert "max_connections is a cap; the danger is all of them active" in title
    assert all(name in plot_title(app, "memory") for name in ("typical", "heavy fraction", "worst case", "RAM"))


def test_a_provider_limit_beyond_the_view_is_an_arrow_at_the_edge_in_its_own_colour(app):
    choose_provider_plan(app, "aws-rds/db.r6g.xlarge")
    assert mark(app, "memory", "provider_limit") == 3484
    assert mark_label(app, "memory", "provider_limit") == "provider limit 3,484 \u2192"
    assert memory_view_right(app) < 3484
    assert mark_colour(app, "throughput", "provider_limit") != curve_colour(app, "throughput", "direct")


def test_the_memory_plot_shows_the_worst_case_at_max_connections_and_where_it_crosses_ram(app):
    # 16 GB RAM - 4 GB shared_buffers - 2 GB OS - 3 autovacuum workers x 1 GB = 7 GB = 7,168 MB for
    # connections. One process of the heaviest query: 10 MB backend + 4 x 4 MB + 1 hash x 2 x 4 MB = 34 MB;
    # a connection and its 2 parallel workers: 102 MB. N connections run N + min(2N, 4 cores) processes:
    # (N + 4) x 34 MB <= 7,168 MB gives N + 4 <= 210.8, so 206 connections.
    assert read_caption(app, "worst-case memory").startswith("(30 + 4 parallel) x 34 MB")
    assert mark(app, "memory", "worst_fits") == 206
    assert mark_label(app, "memory", "worst_fits") == "worst case fits RAM up to 206 \u2192"
    # max_connections 30 is not squashed: it sits in the left half of the view, not at its edge.
    assert 30 / memory_view_right(app) > 0.4
    set_workload(app, max_connections=1500)
    worst_gb = (9 * 1024 + 1504 * 34) / 1024  # 9 GB fixed + 1,504 x 34 MB = 58.9 GB, 3.7 x RAM: drawn
    assert memory_view_top(app) >= worst_gb
    assert memory_note(app) is None


def test_a_huge_worst_case_is_written_at_the_top_edge(app):
    set_memory(app, work_mem="1GB")
    set_workload(app, max_connections=500)
    # 9 GB + (500 + 4 parallel workers) x (10 MB + 4 x 1 GB + 1 x 2 x 1 GB) = 9,216 MB + 504 x 6,154 MB
    # = 3,110,832 MB = 2.97 TB, 185 x RAM
    assert memory_note(app) == "worst case at max_connections 500: 2.97 TB \u2191"
    assert memory_view_top(app) < 200  # drawn up to 4 x RAM (and the label band), not to 2 TB


def test_shared_buffers_above_ram_still_draws_the_plot(app):
    set_hardware(app, ram="4GB")
    set_memory(app, shared_buffers="8GB")
    _x, y = current_curve(app, "memory", "typical")
    assert memory_view_top(app) > y[0] > 8
    assert mark(app, "memory", "worst_fits") == 0
    assert mark_label(app, "memory", "worst_fits") == "worst case exceeds RAM with 0 connections"


def test_no_pooler_greys_the_pooler(app):
    set_pooler(app, pooler="none")
    assert not input_is_editable(app, "pool_size") and not input_is_editable(app, "max_client_conn")
    assert input_is_editable(app, "pooler")
    assert read_card(app, "pool size") == "no pooler"
    assert len(current_curve(app, "throughput", "pooled")[0]) == 0
    assert "no pooler" in plot_title(app, "throughput")
    set_pooler(app, pooler="pgbouncer")
    assert input_is_editable(app, "pool_size")


def test_the_budget_bar_labels_fit_and_its_key_lists_only_what_is_there(app):
    for width, height in ((1280, 800), (1024, 700)):
        resize_window(app, width, height)
        assert budget_labels_fit(app)
    key = budget_key(app)
    assert "Application (direct)" not in key and " 0 " not in key + " "
    assert "spare WAL senders 10" in key.split("  ")  # one entry, never broken across lines


def test_a_plot_can_be_saved_and_a_card_number_copied(app, tmp_path: Path):
    entries = save_plot_image(app, "memory", tmp_path / "memory.png")
    assert entries == ["Export...", "Save as PNG...", "Copy image"]
    assert (tmp_path / "memory.png").read_bytes()[:4] == b"\x89PNG"
    assert copy_card_value(app, "max_connections") == "30"
    assert copy_card_value(app, "worst-case memory") == "1.13 GB"  # (30 + 4 parallel workers) x 34 MB

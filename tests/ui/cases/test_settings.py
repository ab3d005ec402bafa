"""The Settings tab and the server inputs that drive memory, as a user meets them."""

from __future__ import annotations

from ..adapter import (
    input_is_auto,
    input_is_visible,
    input_value,
    read_card,
    set_hardware,
    set_memory,
    set_workload,
    setting_explanation,
    settings_shown,
)


def test_server_inputs_are_folded_away_and_show_what_they_derive(app):
    assert input_is_visible(app, "hash_nodes")  # part of the heaviest query, always in view
    assert not input_is_visible(app, "hash_mem_multiplier")
    set_hardware(app, cores=16, pg_version=14)
    set_memory(app, autovacuum_workers="auto")  # unfolds the section, as a user would
    assert input_is_visible(app, "hash_mem_multiplier")
    assert input_is_auto(app, "hash_mem_multiplier")
    assert input_value(app, "hash_mem_multiplier") == 1.0  # 13-14 default
    assert input_value(app, "parallel_workers_per_gather") == 4  # ceil(16 / 2) = 8, at most 4
    assert input_value(app, "autovacuum_workers") == 4  # 16 cores


def test_every_setting_is_listed_by_group_with_how_it_applies(app):
    set_hardware(app, cores=16, ram="64GB", pg_version=18)
    shown = settings_shown(app)
    assert list(shown) == ["Connections", "Memory", "WAL and checkpoints", "Planner and I/O", "Parallelism",
                           "Autovacuum", "Logging and statistics"]  # fmt: skip
    assert shown["Memory"]["shared_buffers"] == ("16GB", "restart")
    assert shown["Memory"]["maintenance_work_mem"] == ("2GB", "reload")  # 64 GB / 16 = 4 GB, capped at 2 GB
    assert shown["Planner and I/O"]["io_method"] == ("worker", "restart")
    assert shown["Autovacuum"]["autovacuum_max_workers"] == ("4", "reload")  # 16 cores; a reload on 18


def test_a_setting_explains_itself_on_hover_and_click(app):
    set_hardware(app, cores=4, ram="16GB")
    tip, pane = setting_explanation(app, "max_worker_processes")
    assert "max(4 + 1 + 4 + 2, 8) = 11" in tip  # 4 parallel workers, the replication launcher and workers, 2 extension
    assert "Unlike pgtune" in pane and "out of background worker slots" in pane


def test_the_profile_changes_the_wal_and_planner_settings(app):
    set_workload(app, profile="analytics")
    shown = settings_shown(app)
    # pgtune's 16 GB for analytics, kept to a tenth of the disk the 16 GB default machine is taken to have (100 GB)
    assert shown["WAL and checkpoints"]["max_wal_size"] == ("10GB", "reload")
    assert shown["WAL and checkpoints"]["checkpoint_timeout"] == ("30min", "reload")
    assert shown["Planner and I/O"]["default_statistics_target"] == ("500", "reload")
    assert shown["Planner and I/O"]["jit"] == ("on", "reload")


def test_seed_worst_case_with_the_advanced_inputs_unfolded(app):
    """1000 x (10 MB + 64 MB x 4) = 260 GB in 1024-based units, once hash nodes and parallel workers are off
    (and with 64 GB of RAM, whose 16 GB of shared_buffers sit in huge pages: no page tables)."""
    set_hardware(app, ram="64GB")
    set_memory(app, work_mem="64MB", hash_nodes=0, parallel_workers_per_gather=0)
    set_workload(app, max_connections=1000)
    assert read_card(app, "worst-case memory") == "260 GB"
    set_memory(app, parallel_workers_per_gather=1)
    # every worker is another process of the query, but no more than max_parallel_workers (4 cores) at once:
    # (1000 + 4) x 266 MB
    assert read_card(app, "worst-case memory") == "261 GB"

"""The Settings tab and the server inputs that drive memory, as a user meets them."""

from __future__ import annotations

from ..adapter import read_card, set_hardware, set_memory, set_workload, setting_explanation, settings_shown


def test_every_setting_is_listed_by_group_with_how_it_applies(app):
    set_hardware(app, cores=16, ram="64GB", pg_version=18)
    shown = settings_shown(app)
    assert list(shown) == ["Connections", "Memory", "WAL and checkpoints", "Planner and I/O", "Parallelism",
                           "Autovacuum"]  # fmt: skip
    assert shown["Memory"]["shared_buffers"] == ("16GB", "restart")
    assert shown["Memory"]["maintenance_work_mem"] == ("2GB", "reload")  # 64 GB / 16 = 4 GB, capped at 2 GB
    assert shown["Planner and I/O"]["io_method"] == ("worker", "restart")
    assert shown["Autovacuum"]["autovacuum_max_workers"] == ("4", "reload")  # 16 cores; a reload on 18


def test_a_setting_explains_itself_on_hover_and_click(app):
    set_hardware(app, cores=4, ram="16GB")
    tip, pane = setting_explanation(app, "max_worker_processes")
    assert "max(4, 8) = 8" in tip
    assert "Unlike pgtune" in pane and "never goes below 8" in pane


def test_the_profile_changes_the_wal_and_planner_settings(app):
    set_workload(app, profile="analytics")
    shown = settings_shown(app)
    assert shown["WAL and checkpoints"]["max_wal_size"] == ("16GB", "reload")
    assert shown["Planner and I/O"]["default_statistics_target"] == ("500", "reload")
    assert shown["Planner and I/O"]["jit"] == ("on", "reload")


def test_seed_worst_case_with_the_advanced_inputs_unfolded(app):
    """1000 x (10 MB + 64 MB x 4) = 260 GB in 1024-based units, once hash nodes and parallel workers are off."""
    set_hardware(app, ram="16GB")
    set_memory(app, work_mem="64MB", hash_nodes=0, parallel_workers_per_gather=0)
    set_workload(app, max_connections=1000)
    assert read_card(app, "worst-case memory") == "260 GB"
    set_memory(app, parallel_workers_per_gather=1)
    assert read_card(app, "worst-case memory") == "520 GB"  # every worker is another process of the query

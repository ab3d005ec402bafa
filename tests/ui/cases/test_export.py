"""A user previews the config bundle while changing the plan, copies a file and writes the bundle."""

import json

from ..adapter import (
    answer_unsaved_prompts,
    box_complaint,
    browse_for_export_destination,
    choose_export_platforms,
    copy_export_preview,
    errors_shown,
    export_blocking_banner,
    export_files,
    export_full_names_shown,
    export_preview,
    export_status,
    export_to,
    new_scenario,
    open_export,
    save_as,
    set_hardware,
    set_memory,
    set_workload,
    type_value,
)


def test_previews_follow_the_live_plan(app):
    open_export(app)
    set_workload(app, max_connections=250)
    assert "max_connections = 250" in export_preview(app, "postgresql/postgresql.conf")
    set_workload(app, max_connections=300)
    assert "max_connections = 300" in export_preview(app, "postgresql/postgresql.conf")


def test_copy_puts_the_file_on_the_clipboard(app):
    open_export(app)
    text = export_preview(app, "pgbouncer/pgbouncer.ini")
    assert copy_export_preview(app) == text
    assert "pool_mode = transaction" in text


def test_platform_choice_selects_the_os_folders(app):
    set_hardware(app, platform="macos")
    open_export(app)
    assert any(path.startswith("os/macos/") for path in export_files(app))
    choose_export_platforms(app, "all")
    assert {path.split("/")[1] for path in export_files(app) if path.startswith("os/")} == {
        "linux", "macos", "freebsd", "windows"
    }  # fmt: skip


def test_export_writes_a_reloadable_bundle_with_plots(app, tmp_path):
    set_hardware(app, cores=16, ram="64GB")
    open_export(app)
    written = export_to(app, tmp_path / "bundle")
    assert written is not None
    assert json.loads((written / "scenario.json").read_text())["hardware"]["cores"] == 16
    assert sorted(p.name for p in (written / "plots").iterdir()) == ["budget.png", "memory.png", "throughput.png"]


def test_an_existing_bundle_is_replaced_only_when_asked(app, tmp_path):
    open_export(app)
    export_to(app, tmp_path / "bundle")
    set_hardware(app, cores=32)
    export_to(app, tmp_path / "bundle", replace=False)
    assert json.loads((tmp_path / "bundle" / "scenario.json").read_text())["hardware"]["cores"] == 4
    export_to(app, tmp_path / "bundle", replace=True)
    assert json.loads((tmp_path / "bundle" / "scenario.json").read_text())["hardware"]["cores"] == 32


def test_an_unwritable_destination_is_reported_and_nothing_is_written(app, tmp_path):
    open_export(app)
    assert export_to(app, tmp_path / "missing-folder" / "bundle") is None
    assert "does not exist" in errors_shown(app)[-1]
    assert not (tmp_path / "missing-folder").exists()


def test_a_plan_with_blocking_errors_is_named_and_written_only_when_confirmed(app, tmp_path):
    set_workload(app, max_connections=10)  # the budget needs 21
    open_export(app)
    banner = export_blocking_banner(app)
    assert banner is not None and "1 blocking error" in banner
    assert "max_connections 10 is below the 21 the budget needs" in banner
    assert export_to(app, tmp_path / "refused", write_blocked=False) is None
    assert not (tmp_path / "refused").exists()
    assert export_to(app, tmp_path / "confirmed", write_blocked=True) is not None
    set_workload(app, max_connections=30)
    assert export_blocking_banner(app) is None


def test_the_file_list_shows_every_file_whole_and_in_folder_order(app):
    open_export(app)
    choose_export_platforms(app, "all")
    files = export_files(app)
    assert {"plots/throughput.png", "plots/memory.png", "plots/budget.png"} <= set(files)
    folders = [path for path in files if "/" in path]
    assert folders == sorted(folders)
    assert files[: len(files) - len(folders)] == sorted(f for f in files if "/" not in f)
    assert export_full_names_shown(app)


def test_a_plan_with_blocking_errors_is_not_written_unless_confirmed(app, tmp_path):
    """shared_buffers 8 GB on a 4 GB machine: the preview marks it, the banner says why, "No" writes nothing."""
    set_hardware(app, ram="4GB")
    set_memory(app, shared_buffers="8GB")
    open_export(app)
    assert "BLOCKING ERROR SHARED_BUFFERS_OVER_RAM" in export_preview(app, "postgresql/postgresql.conf")
    assert "8 GB" in export_blocking_banner(app)
    assert export_to(app, tmp_path / "bundle", write_blocked=False) is None
    assert list(tmp_path.iterdir()) == []
    assert errors_shown(app) == []


def test_the_application_network_reaches_pg_hba_and_pgbouncer(app):
    """The user types where the application hosts are; pg_hba.conf admits them and PgBouncer listens for them."""
    set_workload(app, listeners=4, app_network="10.0.1.0/24")
    open_export(app)
    assert "10.0.1.0/24" in export_preview(app, "postgresql/pg_hba.conf")
    assert "listen_addr = *" in export_preview(app, "pgbouncer/pgbouncer.ini")
    set_workload(app, app_network="localhost")
    assert "listen_addr = 127.0.0.1,::1" in export_preview(app, "pgbouncer/pgbouncer.ini")


def test_a_network_that_is_not_one_is_refused_in_its_box(app):
    type_value(app, "app_network", "10.0.1.5/24")
    assert "host bits set" in (box_complaint(app, "app_network") or "")
    type_value(app, "app_network", "10.0.1.0/24")
    assert box_complaint(app, "app_network") is None


def test_wrote_speaks_of_the_plan_written_and_goes_with_it(app, tmp_path):
    open_export(app)
    written = export_to(app, tmp_path / "bundle")
    assert export_status(app) == f"Wrote {written}"
    answer_unsaved_prompts(app, "discard")
    new_scenario(app)
    assert export_status(app) == ""  # File > New: that bundle is not this plan's
    export_to(app, tmp_path / "bundle")
    export_to(app, tmp_path / "missing-folder" / "bundle")
    assert "does not exist" in errors_shown(app)[-1]
    assert "Wrote" not in export_status(app)  # no earlier success beside the error


def test_browse_starts_beside_the_scenario_then_where_i_chose_last(app, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    save_as(app, project / "shop.json")
    open_export(app)
    assert browse_for_export_destination(app) == project
    (tmp_path / "bundles").mkdir()
    export_to(app, tmp_path / "bundles" / "shop.zip")
    assert browse_for_export_destination(app) == tmp_path / "bundles"

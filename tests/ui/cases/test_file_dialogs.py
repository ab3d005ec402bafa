"""A user who keeps their work in a few folders: every file dialog of the window starts where they last
chose a file or folder, in this session or the one before, and never in the folder pgplanner was
started from."""

from pathlib import Path

from ..adapter import (
    FILE_DIALOGS,
    export_report,
    export_to,
    file_dialog_starts_in,
    file_dialog_title,
    import_measurements,
    open_example,
    open_export,
    restart,
    save_as,
)


def test_after_exporting_a_report_every_dialog_starts_in_its_folder(app, tmp_path: Path):
    reports = tmp_path / "reports"
    reports.mkdir()
    export_report(app, reports / "plan.html")
    for dialog in FILE_DIALOGS:
        assert file_dialog_starts_in(app, dialog) == reports, dialog


def test_after_importing_measurements_every_dialog_starts_there_even_after_a_restart(app, tmp_path: Path):
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "points.csv").write_text("clients,tps\n1,1000\n2,1900\n4,3500\n8,5600\n")
    import_measurements(app, bench / "points.csv")
    app = restart(app)
    for dialog in FILE_DIALOGS:
        assert file_dialog_starts_in(app, dialog) == bench, dialog


def test_a_bundle_written_elsewhere_moves_the_start_too(app, tmp_path: Path):
    save_as(app, tmp_path / "shop.json")
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    open_export(app)
    export_to(app, bundles / "shop.zip")
    assert file_dialog_starts_in(app, "Open") == bundles
    assert file_dialog_starts_in(app, "Import Measurements") == bundles


def test_on_first_use_the_dialogs_start_in_the_examples_or_the_home_folder(app, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # wherever pgplanner was started from
    examples = file_dialog_starts_in(app, "Open")
    assert (examples / "direct-1000.json").is_file()
    assert file_dialog_starts_in(app, "Compare with Scenario") == examples
    for dialog in FILE_DIALOGS[3:]:
        assert file_dialog_starts_in(app, dialog) == Path.home(), dialog


def test_after_an_example_from_the_menu_open_starts_at_home_not_in_the_program(app, tmp_path: Path, monkeypatch):
    """File > Open Example found the examples; File > Open is then for the user's own files: it starts where
    the user last chose one, else at home, never in the examples' folder inside the program's install."""
    monkeypatch.chdir(tmp_path)
    open_example(app, "direct-1000")
    assert file_dialog_starts_in(app, "Open") == Path.home()
    assert file_dialog_starts_in(app, "Compare with Scenario") == Path.home()
    app = restart(app)
    assert file_dialog_starts_in(app, "Open") == Path.home()  # the next session too
    save_as(app, tmp_path / "shop.json")
    open_example(app, "pgbouncer-100")
    assert file_dialog_starts_in(app, "Open") == tmp_path  # where the user last chose a file themselves


def test_the_dialog_of_compare_with_scenario_says_it_compares_not_that_it_opens(app):
    """Compare > Compare with Scenario... picks the baseline; its title must not read "Open scenario", which
    would let the user fear the plan being edited is replaced."""
    assert file_dialog_title(app, "Open") == "Open scenario"
    title = file_dialog_title(app, "Compare with Scenario")
    assert title.startswith("Compare with scenario") and "baseline" in title

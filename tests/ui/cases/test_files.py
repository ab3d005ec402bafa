"""Scenarios: new, open, save, save as, undo, redo, unsaved-change prompts, the last session."""

import json

from ..adapter import (
    answer_save_dialogs,
    answer_unsaved_prompts,
    can_undo,
    errors_shown,
    input_value,
    is_modified,
    load_scenario,
    new_scenario,
    open_example,
    open_recent,
    open_recent_menu,
    read_card,
    redo,
    restart,
    save,
    save_as,
    set_hardware,
    slide,
    status_message,
    undo,
    window_title,
)


def test_save_and_reopen(app, tmp_path):
    set_hardware(app, cores=16, ram="64GB")
    assert is_modified(app)
    save_as(app, tmp_path / "plan.json")
    assert not is_modified(app)
    assert window_title(app).startswith("plan.json")
    saved = json.loads((tmp_path / "plan.json").read_text())
    assert saved["hardware"]["ram"] == "64GB" and saved["version"] == 1
    new_scenario(app)
    assert read_card(app, "productive target") == 10
    load_scenario(app, tmp_path / "plan.json")
    assert read_card(app, "productive target") == 34


def test_undo_and_redo_edits(app):
    set_hardware(app, cores=16)
    set_hardware(app, cores=32)
    undo(app)
    assert input_value(app, "cores") == 16
    undo(app)
    assert input_value(app, "cores") == 4
    assert not can_undo(app)
    redo(app)
    assert read_card(app, "productive target") == 34


def test_a_slider_drag_is_one_undo_step(app):
    set_hardware(app, cores=4)
    for _ in range(5):
        slide(app, "cores", 1)
    undo(app)
    assert input_value(app, "cores") == 4


def test_unsaved_changes_are_not_lost_silently(app, tmp_path):
    set_hardware(app, cores=16)
    answer_unsaved_prompts(app, "cancel")
    new_scenario(app)
    assert input_value(app, "cores") == 16
    answer_unsaved_prompts(app, "discard")
    new_scenario(app)
    assert input_value(app, "cores") == 4


def test_saving_from_the_prompt(app, tmp_path):
    set_hardware(app, cores=24)
    answer_unsaved_prompts(app, "save")
    answer_save_dialogs(app, tmp_path / "kept.json")
    new_scenario(app)
    assert json.loads((tmp_path / "kept.json").read_text())["hardware"]["cores"] == 24


def test_save_reuses_the_file(app, tmp_path):
    save_as(app, tmp_path / "a.json")
    set_hardware(app, cores=8)
    save(app)
    assert json.loads((tmp_path / "a.json").read_text())["hardware"]["cores"] == 8


def test_a_broken_file_is_refused_and_nothing_changes(app, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"hardware": {"cores": 0}}')
    set_hardware(app, cores=12)
    answer_unsaved_prompts(app, "discard")
    load_scenario(app, broken)
    assert "hardware.cores: must be a whole number from 1 to 1,024" in errors_shown(app)[-1]
    assert input_value(app, "cores") == 12


def test_the_last_session_comes_back(app, tmp_path):
    save_as(app, tmp_path / "mine.json")
    set_hardware(app, cores=48)
    save(app)
    reopened = restart(app)
    assert input_value(reopened, "cores") == 48
    assert window_title(reopened).startswith("mine.json")


def test_an_untitled_scenario_comes_back_too(app):
    """Nothing was discarded (an example, opened and not edited): the next start shows it again."""
    open_example(app, "large-analytics")
    cores = input_value(app, "cores")
    reopened = restart(app)
    assert input_value(reopened, "cores") == cores != 4


def test_open_recent_drops_a_file_deleted_since_and_says_so(app, tmp_path):
    kept, deleted = tmp_path / "kept.json", tmp_path / "deleted.json"
    set_hardware(app, cores=8)
    save_as(app, kept)
    set_hardware(app, cores=16)
    save_as(app, deleted)
    assert open_recent_menu(app) == [str(deleted.resolve()), str(kept.resolve())]
    deleted.unlink()  # gone while the menu is open
    open_recent(app, deleted)
    assert status_message(app) == f"No longer there, removed from Open Recent: {deleted.resolve()}"
    assert errors_shown(app) == []  # no error dialog for a file the menu offered
    assert open_recent_menu(app) == [str(kept.resolve())]
    kept.unlink()  # gone before the menu opens
    assert open_recent_menu(app) == []
    assert status_message(app) == f"No longer there, removed from Open Recent: {kept.resolve()}"

"""A user's files and settings are never overwritten, kept or hidden behind their back."""

import json
import os
import stat

from pgplanner.assets import example_scenarios

from ..adapter import (
    answer_save_dialogs,
    input_value,
    is_modified,
    new_scenario,
    open_example,
    quit_and_start_again,
    read_card,
    save,
    save_as,
    screenshot_from_the_command_line,
    set_hardware,
    size,
    status_message,
    stop_with_a_signal_and_start_again,
    undo,
    user_settings_file,
    window_title,
    windows_that_appear_while_exporting_to,
)
from ..adapter import open_export as open_export_dialog


def test_an_example_opens_as_an_untitled_copy_and_save_asks_where(app, tmp_path):
    shipped = example_scenarios()["small-web-app"]
    before = (shipped.read_bytes(), stat.S_IMODE(shipped.stat().st_mode))
    open_example(app, "small-web-app")
    assert not window_title(app).startswith("small-web-app.json")
    set_hardware(app, cores=24)
    answer_save_dialogs(app, None)  # the user cancels the Save As dialog that Ctrl+S opens
    save(app)
    assert (shipped.read_bytes(), stat.S_IMODE(shipped.stat().st_mode)) == before
    save(app, path_if_asked=tmp_path / "mine.json")
    assert (tmp_path / "mine.json").is_file()


def test_changes_not_saved_when_the_session_is_stopped_come_back_unsaved_and_the_file_stays_as_saved(app, tmp_path):
    """Logging out of the desktop (SIGTERM), a closed ssh session (SIGHUP) or Ctrl-C: nothing is asked and
    nothing lost; the file is not written behind the user's back."""
    mine = tmp_path / "mine.json"
    set_hardware(app, ram="32GB")
    save_as(app, mine)
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        set_hardware(app, ram="64GB")  # not saved
        app = stop_with_a_signal_and_start_again(app, name)
        assert input_value(app, "ram") == size("64GB") and is_modified(app), name
        assert "not saved when the last session was stopped" in status_message(app)
        assert size(json.loads(mine.read_text())["hardware"]["ram"]) == size("32GB")
        undo(app)  # back to the file as saved
        assert input_value(app, "ram") == size("32GB") and not is_modified(app), name


def test_an_untitled_scenario_stopped_by_a_signal_comes_back_though_earlier_changes_were_discarded(app):
    """Discard answered File > New's question earlier in the session; that answer is not one about the
    scenario the user worked on since."""
    set_hardware(app, cores=20)
    new_scenario(app)  # the unsaved-changes question is answered "discard"
    set_hardware(app, cores=24)  # not saved
    app = stop_with_a_signal_and_start_again(app, "SIGTERM")
    assert input_value(app, "cores") == 24


def test_discarded_changes_do_not_come_back_on_the_next_start(app, tmp_path):
    set_hardware(app, cores=20)
    reopened = quit_and_start_again(app, "discard")
    assert input_value(reopened, "cores") == 4
    assert window_title(reopened).startswith("Untitled")


def test_discarding_keeps_the_file_as_it_was_saved(app, tmp_path):
    save_as(app, tmp_path / "mine.json")
    set_hardware(app, cores=20)
    reopened = quit_and_start_again(app, "discard")
    assert window_title(reopened).startswith("mine.json")
    assert input_value(reopened, "cores") == 4


def test_a_saved_scenario_is_readable_by_colleagues_when_the_umask_allows(app, tmp_path):
    old = os.umask(0o022)
    try:
        save_as(app, tmp_path / "shared.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "shared.json").stat().st_mode) == 0o644
    os.chmod(tmp_path / "shared.json", 0o640)  # the user narrowed it: a later save keeps that
    set_hardware(app, cores=8)
    save(app)
    assert stat.S_IMODE((tmp_path / "shared.json").stat().st_mode) == 0o640
    assert read_card(app, "productive target") == 18


def test_a_screenshot_leaves_the_users_last_session_alone(tmp_path):
    settings = user_settings_file(tmp_path)
    settings.parent.mkdir(parents=True)
    settings.write_text("[General]\nlast_path=/home/dba/prod.json\ngeometry=@ByteArray(abc)\n")
    before = (settings.read_bytes(), settings.stat().st_mtime_ns)
    screenshot_from_the_command_line(tmp_path / "shot.png", tmp_path)
    assert (tmp_path / "shot.png").stat().st_size > 10_000
    assert (settings.read_bytes(), settings.stat().st_mtime_ns) == before
    assert sorted(p.name for p in settings.parent.iterdir()) == ["pgplanner.conf"]


def test_exporting_draws_the_plots_without_popping_up_windows(app, tmp_path):
    open_export_dialog(app)
    assert windows_that_appear_while_exporting_to(app, tmp_path / "bundle") == []
    assert (tmp_path / "bundle" / "plots" / "memory.png").is_file()

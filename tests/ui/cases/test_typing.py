"""A user types values into the boxes beside the sliders, presses Enter, and uses the keyboard and wheel."""

from ..adapter import (
    box_complaint,
    box_text,
    choose_provider_plan,
    input_panel_scroll,
    input_value,
    press_keys_in,
    read_card,
    set_hardware,
    size,
    status_message,
    type_value,
    undo,
    wheel_over,
    window_title,
)
from ..adapter import export_files as files_in_export_dialog


def test_enter_applies_a_size(app):
    type_value(app, "ram", "24GB")
    assert input_value(app, "ram") == size("24GB")
    type_value(app, "backend_memory", "16MB")
    assert input_value(app, "backend_memory") == size("16MB")
    assert read_card(app, "safe work_mem") != "none"


def test_a_bare_number_takes_the_unit_the_box_shows(app):
    assert box_text(app, "ram") == "16 GB"
    type_value(app, "ram", "32")
    assert input_value(app, "ram") == size("32GB")
    assert box_text(app, "backend_memory") == "10 MB"
    type_value(app, "backend_memory", "64")
    assert input_value(app, "backend_memory") == size("64MB")


def test_binary_units_are_shown_the_way_the_box_shows_sizes(app):
    type_value(app, "ram", "24GiB")
    assert box_text(app, "ram") == "24 GB"
    type_value(app, "ram", "24GiB")  # the same value again: still normalised, nothing left as typed
    assert box_text(app, "ram") == "24 GB"


def test_a_refused_size_says_why_and_changes_nothing(app):
    for typed, reason in (
        ("abc", "'abc' is not a size"),
        ("-5GB", "'-5GB' is not a size"),
        ("999TB", "must be a size from 256MB to 64TB, such as 16GB (got '999TB')"),
    ):
        type_value(app, "ram", typed)
        assert reason in status_message(app)
        assert reason in box_complaint(app, "ram")
        assert input_value(app, "ram") == size("16GB")
    type_value(app, "ram", "32GB")
    assert box_complaint(app, "ram") is None


def test_a_count_out_of_range_is_refused_with_the_range(app):
    for typed in ("0", "-4", "99999"):
        type_value(app, "cores", typed)
        assert status_message(app) == f"CPU cores: must be a whole number from 1 to 1,024 (got '{typed}')"
        assert input_value(app, "cores") == 4
    type_value(app, "cores", "1024")
    assert input_value(app, "cores") == 1024
    assert box_text(app, "cores") == "1,024 cores"
    type_value(app, "cores", "1")
    assert box_text(app, "cores") == "1 core"


def test_a_refusal_goes_once_the_box_shows_a_value_the_plan_took(app):
    """A typo refused in CPU cores, then a plan that sets the cores (RDS db.r6g.large: 2 vCPU, 2 cores): the box
    shows 2 cores, no longer marked as refused for what was typed before. So too after Undo."""
    type_value(app, "cores", "12 cores1")
    assert box_complaint(app, "cores")
    choose_provider_plan(app, "aws-rds/db.r6g.large")
    assert box_text(app, "cores") == "2 cores"
    assert box_complaint(app, "cores") is None
    undo(app)  # my own 4 cores again
    type_value(app, "cores", "8")
    type_value(app, "cores", "0")
    assert box_complaint(app, "cores")
    undo(app)  # the 8 taken back
    assert box_text(app, "cores") == "4 cores"
    assert box_complaint(app, "cores") is None


def test_window_shortcuts_work_while_a_box_has_the_focus(app):
    set_hardware(app, cores=16)
    press_keys_in(app, "cores", "Ctrl+Z")
    assert input_value(app, "cores") == 4
    press_keys_in(app, "ram", "Ctrl+Shift+Z")
    assert input_value(app, "cores") == 16
    press_keys_in(app, "work_mem", "Ctrl+E")
    assert "postgresql/postgresql.conf" in files_in_export_dialog(app)


def test_the_wheel_scrolls_the_panel_instead_of_changing_what_it_passes_over(app):
    monitoring, storage = input_value(app, "monitoring"), input_value(app, "storage")
    wheel_over(app, "monitoring", -3)
    wheel_over(app, "storage", -3)
    assert (input_value(app, "monitoring"), input_value(app, "storage")) == (monitoring, storage)
    assert input_panel_scroll(app) > 0
    assert not window_title(app).endswith("*")

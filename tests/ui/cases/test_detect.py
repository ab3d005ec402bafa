"""A user asks the window to fill the hardware from this machine."""

import psutil

from pgplanner.probe import machine

from ..adapter import detect_machine, input_value, status_message, undo


def test_detect_fills_cores_and_ram_and_says_what_it_found(app):
    detect_machine(app)
    assert input_value(app, "ram") <= psutil.virtual_memory().total
    assert input_value(app, "cores") >= 1
    assert status_message(app).startswith("Detected: ")
    assert "RAM" in status_message(app)


def test_detect_is_one_undo_step(app):
    before = input_value(app, "ram")
    detect_machine(app)
    undo(app)
    assert input_value(app, "ram") == before


def test_a_container_limit_outside_the_ram_range_is_told_not_raised(app, monkeypatch):
    """A 128 MB container limit is below the smallest RAM the planner takes (256 MB)."""
    found = ["container memory limit: 128 MB"]
    tiny = machine.Machine(cores=2, ram=128 * 1024**2, storage=None, platform="linux", notes=found)
    monkeypatch.setattr(machine, "detect", lambda: tiny)
    before = input_value(app, "ram")
    detect_machine(app)
    assert input_value(app, "ram") == before
    [reported] = app.errors
    assert "nothing was changed" in reported and "RAM" in reported and "128 MB" in reported

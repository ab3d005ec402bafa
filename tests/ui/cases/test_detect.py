"""A user asks the window to fill the hardware from this machine."""

import psutil

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

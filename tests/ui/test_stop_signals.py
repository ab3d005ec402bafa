"""The window ends its session on SIGTERM, SIGHUP or Ctrl-C at once, as a desktop's logout or ``kill`` asks.

Qt's event loop keeps Python from running a signal handler until some Python code runs, which may be
seconds later or never; the window hears the signal through a socket Qt watches. A fresh interpreter starts
the window as the ``pgplanner`` command does and is sent the signal once it listens for it; the unsaved
changes that survive it are walked in tests/ui/cases/test_data_safety.py.
"""

from __future__ import annotations

import configparser
import os
import signal
import subprocess
import sys

# Sends the signal once the window's handler has replaced the default one (which would end the process
# before anything is saved), then lets the command finish as it would.
STOPPED_WINDOW = """
import os, signal, sys, threading, time
SIGNUM = {signum}

def stop_when_listening():
    while signal.getsignal(SIGNUM) in (signal.SIG_DFL, signal.default_int_handler, None):
        time.sleep(0.02)
    time.sleep(0.3)
    os.kill(os.getpid(), SIGNUM)

threading.Thread(target=stop_when_listening, daemon=True).start()
from pgplanner.cli import main
sys.exit(main([]))
"""


def test_a_stop_signal_ends_the_window_with_128_plus_its_number_and_the_session_saved(tmp_path):
    """SIGTERM here; SIGHUP and Ctrl-C take the same path, walked in the window's own process by the case."""
    signum = signal.SIGTERM
    settings = tmp_path / "settings.ini"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PGPLANNER_SETTINGS": str(settings)}
    env.pop("PGPLANNER_QUIT_AFTER", None)
    script = STOPPED_WINDOW.format(signum=int(signum))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 128 + signum, done.stderr  # 143 after SIGTERM, as a shell reports it
    saved = configparser.ConfigParser(interpolation=None)
    saved.read(settings)
    assert saved.has_option("General", "geometry")  # the session was written, as a close writes it
    assert "Traceback" not in done.stderr

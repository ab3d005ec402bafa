"""Starting the window: the hooks smoke tests use, around the application object and the main window."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
from collections.abc import Iterator

from PySide6.QtCore import QSocketNotifier, QTimer

from ..probe.signals import STOP_SIGNALS
from .application import application, settings
from .main_window import MainWindow

# PGPLANNER_QUIT_AFTER: seconds after which the window closes itself (bundle smoke tests).


def run() -> int:
    app = application()
    window = MainWindow(settings())
    window.session_ended.connect(app.exit)
    window.restore_session()
    window.show()
    quit_after = os.environ.get("PGPLANNER_QUIT_AFTER")
    if quit_after:
        QTimer.singleShot(int(float(quit_after) * 1000), window.close)
    with _stop_signals_end(window):
        return app.exec()


@contextlib.contextmanager
def _stop_signals_end(window: MainWindow) -> Iterator[None]:
    """While inside, Ctrl-C, SIGTERM and SIGHUP end the window's session at once (:meth:`MainWindow.end_session`).

    Python runs a signal's handler only between its own bytecodes, which Qt's event loop may not reach for
    seconds; the C handler also writes the signal's number to a socket (``signal.set_wakeup_fd``), and Qt
    watches that socket, so the window hears the signal as soon as it comes.
    """
    heard, told = socket.socketpair()
    told.setblocking(False)
    previous_fd = signal.set_wakeup_fd(told.fileno(), warn_on_full_buffer=False)
    previous = {signum: signal.signal(signum, lambda *_: None) for signum in STOP_SIGNALS}
    notifier = QSocketNotifier(heard.fileno(), QSocketNotifier.Type.Read, window)

    def on_signal() -> None:
        numbers = heard.recv(16)
        if numbers:
            notifier.setEnabled(False)  # the first signal ends the session; another cannot cut that short
            window.end_session(numbers[0])

    notifier.activated.connect(on_signal)
    try:
        yield
    finally:
        notifier.setEnabled(False)
        signal.set_wakeup_fd(previous_fd)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        heard.close()
        told.close()

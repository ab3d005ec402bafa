"""The signals that stop pgplanner, and the status it then exits with.

Ctrl-C (SIGINT), SIGTERM (``timeout``, systemd, ``kill``) and SIGHUP (a closed ssh session or terminal)
stop a command or the window alike: what runs is cleaned up first (pgbench stopped, its scratch database
dropped, the window's unsaved scenario kept), then pgplanner exits 128 + the signal's number, as a shell
reports a process the signal ended (130, 143, 129). Its own module, without imports of its own, so the
window can take it at start-up for nothing.
"""

from __future__ import annotations

import signal

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def stopped_status(signum: int) -> int:
    """The exit status after a stop by ``signum``: 128 + its number."""
    return 128 + signum

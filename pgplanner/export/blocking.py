"""Plans with blocking errors: refused by the export, or written with each error where it matters.

A plan with an error-severity warning cannot work as configured (PostgreSQL refuses to start, or the
machine cannot hold it). ``export_bundle`` refuses such a plan with one line per error; when the user
insists (``--allow-blocking``), the bundle names the errors at the top of README.md
(:func:`pgplanner.present.markdown.blocking_banner`) and beside every value an error concerns, in the
comment syntax of the file that holds it. Which values: the settings the error's ``concerns`` (output
paths) are written as, ``PlanWarning.settings``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import PlanWarning
from ..model.serialization import InputError
from ..present import blocking_line

COMMENT_MARKERS = {".conf": "#", ".ini": "#", ".toml": "#", ".sh": "#", ".sql": "--"}
# "name = value" (postgresql.conf, pgbouncer.ini, sysctl files) and "ALTER SYSTEM SET name = value;"
_SETTING_LINE = re.compile(r"^\s*(?:ALTER SYSTEM SET\s+)?([A-Za-z_][\w.]*)\s*=", re.IGNORECASE)


class BlockingPlan(InputError):
    """The export's refusal: one line per blocking error, and what to do."""

    def __init__(self, errors: Sequence[PlanWarning]) -> None:
        lines = [blocking_line(w) for w in errors]
        lines.append("nothing written: fix the inputs, or add --allow-blocking to write the bundle anyway")
        super().__init__("\n".join(lines))
        self.errors = tuple(errors)


def mark_blocked_values(path: str, text: str, errors: Sequence[PlanWarning]) -> str:
    """``text`` with a comment above every line that sets a value one of ``errors`` concerns."""
    marker = next((m for suffix, m in COMMENT_MARKERS.items() if path.endswith(suffix)), None)
    if marker is None or not errors:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        match = _SETTING_LINE.match(line)
        if match:
            out += [f"{marker} BLOCKING ERROR {w.code}: {w.message}\n" for w in errors if match.group(1) in w.settings]
        out.append(line)
    return "".join(out)

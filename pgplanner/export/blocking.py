"""Plans with blocking errors: refused by the export, or written with each error where it matters.

A plan with an error-severity warning cannot work as configured (PostgreSQL refuses to start, or the
machine cannot hold it). ``export_bundle`` refuses such a plan with one line per error; when the user
insists (``--allow-blocking``), the bundle names the errors at the top of README.md and beside every
value an error concerns, in the comment syntax of the file that holds it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Plan
from ..model.checks import PlanWarning
from ..model.serialization import InputError

COMMENT_MARKERS = {".conf": "#", ".ini": "#", ".toml": "#", ".sh": "#", ".sql": "--"}
# "name = value" (postgresql.conf, pgbouncer.ini, sysctl files) and "ALTER SYSTEM SET name = value;"
_SETTING_LINE = re.compile(r"^\s*(?:ALTER SYSTEM SET\s+)?([A-Za-z_][\w.]*)\s*=", re.IGNORECASE)


def blocking_errors(plan: Plan) -> list[PlanWarning]:
    return [w for w in plan.warnings if w.blocking]


class BlockingPlan(InputError):
    """The export's refusal: one line per blocking error, and what to do."""

    def __init__(self, errors: Sequence[PlanWarning]) -> None:
        lines = [f"blocking error {w.code}: {w.message}" for w in errors]
        lines.append("nothing written: fix the inputs, or add --allow-blocking to write the bundle anyway")
        super().__init__("\n".join(lines))
        self.errors = tuple(errors)


def readme_banner(plan: Plan) -> str:
    """The top of README.md for a plan written despite its errors ("" when it has none)."""
    errors = blocking_errors(plan)
    if not errors:
        return ""
    lines = [
        "> **This plan has blocking errors and was written only because it was asked for "
        "(`--allow-blocking`). Do not apply it as it is.**",
        ">",
    ]
    lines += [f"> - **error** `{w.code}`: {w.message}" for w in errors]
    return "\n".join(lines)


def mark_blocked_values(path: str, text: str, errors: Sequence[PlanWarning]) -> str:
    """``text`` with a comment above every line that sets a value one of ``errors`` concerns."""
    marker = next((m for suffix, m in COMMENT_MARKERS.items() if path.endswith(suffix)), None)
    if marker is None or not errors:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        match = _SETTING_LINE.match(line)
        if match:
            out += [f"{marker} BLOCKING ERROR {w.code}: {w.message}\n" for w in errors if match.group(1) in w.concerns]
        out.append(line)
    return "".join(out)

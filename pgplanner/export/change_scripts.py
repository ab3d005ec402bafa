"""changes.sql and rollback.sql: what brings a live server to the plan, and what puts it back.

changes.sql writes ALTER SYSTEM for every setting that differs (postgresql.auto.conf, above
postgresql.conf and conf.d), reloads, and lists the settings that need a restart. rollback.sql, run
after it, returns each of those settings to what the server was configured with when it was read:
a value ALTER SYSTEM had written is written again, any other is RESET so that postgresql.conf or the
default rules again; a value already waiting for a restart counts as configured. Both go to one folder
with the scenario and plan they were made from, written whole or not at all by the bundle writer.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..model import Plan
from ..model.serialization import scenario_to_json
from ..model.server_diff import DiffRow, SettingsDiff, alter_system_set, restore_statement
from .bundle import write_bundle
from .comments import Verbatim, explain

RUN = "Run as a superuser, outside a transaction: psql -X -v ON_ERROR_STOP=1 -f {name}"


@dataclass(frozen=True)
class ReadFrom:
    """Which server the diff was read from, when, and by whom: the scripts' header says it."""

    server: str  # "PostgreSQL 15.14 at db1:5432/app"
    role: str
    read_at: str  # ISO 8601, the server's clock


def render_changes(diff: SettingsDiff, source: ReadFrom) -> str:
    changes = diff.changes
    header = [
        f"pgplanner: the changes that bring {source.server} to the plan: {len(changes)} settings.",
        f"Read {source.read_at} as {source.role}; probe again if its configuration changed since.",
        Verbatim(RUN.format(name="changes.sql")),
        "ALTER SYSTEM writes postgresql.auto.conf, which overrides postgresql.conf and conf.d.",
        "rollback.sql, beside this file, puts every one of them back.",
    ]
    blocks = ["\n".join(explain("--", header))]
    for row in changes:
        was = f"was {_was(row)}; {'needs a restart' if row.context == 'restart' else 'applies on reload'}"
        statement = alter_system_set(row.name, row.plan)
        lines = explain("--", [f"{row.name}: {was}", row.derivation, *([row.note] if row.note else [])])
        lines.append(f"{statement};" if statement else f"-- (an empty list: ALTER SYSTEM RESET {row.name} if wanted)")
        blocks.append("\n".join(lines))
    left = [r for r in diff.differing if not r.changed_by_script]
    if left:
        blocks.append("\n".join(explain("--", ["Not changed here:", *(f"{r.name}: {r.note}" for r in left)])))
    overridden = [(r, o) for r in diff.rows for o in r.overrides]
    if overridden:
        said = [f"{r.name} stays {o.value} for {o.scope} (the plan: {r.plan})" for r, o in overridden]
        blocks.append("\n".join(explain("--", ["Set for a role or database, above ALTER SYSTEM:", *said])))
    blocks.append(_reload_and_restart(diff, "changes.sql"))
    return "\n\n".join(blocks) + "\n"


def render_rollback(diff: SettingsDiff, source: ReadFrom) -> str:
    changes = diff.changes
    header = [
        f"pgplanner: puts {source.server} back as it was configured when read ({source.read_at}), after changes.sql.",
        Verbatim(RUN.format(name="rollback.sql")),
    ]
    blocks = ["\n".join(explain("--", header))]
    for row in changes:
        statement = restore_statement(row)
        why = (
            "ALTER SYSTEM had written it"
            if statement and " SET " in statement
            else "RESET lets postgresql.conf or the default rule again"
        )
        notes = [row.restore.note] if row.restore and row.restore.note else []
        lines = explain("--", [f"{row.name}: was {_was(row)}: {why}", *notes])
        blocks.append("\n".join([*lines, f"{statement};"]))
    blocks.append(_reload_and_restart(diff, "rollback.sql"))
    return "\n\n".join(blocks) + "\n"


def _was(row: DiffRow) -> str:
    server = "unknown" if row.server is None else f"'{row.server}'"
    where = f"{row.source}, {row.source_file}" if row.source_file else row.source
    pending = f", and '{row.pending}' waits for a restart" if row.pending is not None else ""
    return f"{server} ({where}){pending}"


def _reload_and_restart(diff: SettingsDiff, name: str) -> str:
    lines = ["SELECT pg_reload_conf();"]
    restart = diff.restart
    if restart:
        lines += explain("--", [
            f"A restart applies the rest of {name}: {', '.join(restart)}.",
            "Until then, pending_restart is true for each of them:",
        ])  # fmt: skip
        names = ", ".join(f"'{n}'" for n in restart)
        lines.append(f"-- SELECT name, setting, unit, pending_restart FROM pg_settings WHERE name IN ({names});")
    else:
        lines.append("-- A reload applies every one of them; no restart is needed.")
    return "\n".join(lines)


def change_files(diff: SettingsDiff, plan: Plan, source: ReadFrom) -> dict[str, bytes]:
    """The folder's files: the two scripts, and the scenario and plan they bring the server to."""
    return {
        "changes.sql": render_changes(diff, source).encode(),
        "rollback.sql": render_rollback(diff, source).encode(),
        "scenario.json": scenario_to_json(plan.scenario).encode(),
        "plan.json": (json.dumps(plan.to_json_dict(), indent=2) + "\n").encode(),
    }


def write_changes(
    diff: SettingsDiff, plan: Plan, source: ReadFrom, target: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Write the folder whole or not at all; an existing one is replaced only with ``force`` (and only
    when pgplanner wrote it: it holds scenario.json and plan.json)."""
    return write_bundle(change_files(diff, plan, source), target, force=force)

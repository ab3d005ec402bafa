"""The plan's settings beside a live server's, as people read them: the CLI's table, its JSON, the window's rows.

Equal values are counted, not listed. A value is shown as PostgreSQL prints it (SHOW), in quotes when
spaces at its ends matter (``'%m [%p] '``), and a value the probing role could not read is said to
be unknown, never blank.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from ..model.server_diff import DiffRow, Override, SettingsDiff, restore_statement

UNKNOWN = "unknown"


def shown(value: str | None) -> str:
    """A value as a cell shows it: quoted when empty or when it starts or ends with a space."""
    if value is None:
        return UNKNOWN
    return f"'{value}'" if value != value.strip() or not value else value


def source_words(row: DiffRow) -> str:
    """``ALTER SYSTEM (postgresql.auto.conf:3)``, ``default``, ``database override``: the file by its name
    (its path is in the JSON and the scripts)."""
    return f"{row.source} ({PurePath(row.source_file).name})" if row.source_file else row.source


def applies(row: DiffRow) -> str:
    """``restart``, ``restart (pending)`` when a restart is already awaited, or ``reload``."""
    return f"{row.context} (pending)" if row.pending_restart else row.context


def headline(diff: SettingsDiff) -> str:
    """``settings: 15 of 42 differ from the plan, 27 equal; 5 of them need a restart (1 pending already)``."""
    differing, restart = diff.differing, diff.restart
    pending = sum(r.pending_restart for r in differing)
    text = f"settings: {len(differing)} of {len(diff.rows)} differ from the plan, {diff.equal} equal"
    if restart:
        text += f"; {len(restart)} of them need a restart"
        text += f" ({pending} already waiting for one)" if pending else ""
    return text


def override_words(override: Override, plan: str) -> str:
    return f"{override.scope}: {shown(override.value)} (the plan: {shown(plan)})"


def diff_text(diff: SettingsDiff) -> str:
    lines = [headline(diff)]
    rows = diff.differing
    if rows:
        table = [("setting", "your server", "source", "the plan", "applies")]
        table += [(r.name, shown(r.server), source_words(r), shown(r.plan), applies(r)) for r in rows]
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        for cells in table:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    overridden = [(r, o) for r in diff.rows for o in r.overrides]
    if overridden:
        lines.append(
            "set for a role or database, above the server-wide value (ALTER ROLE/DATABASE ... RESET drops it):"
        )
        lines += [f"  {r.name} for {override_words(o, r.plan)}" for r, o in overridden]
    notes = [f"  {r.name}: {r.note}" for r in rows if r.note]
    if notes or diff.notes:
        lines.append("notes:")
        lines += notes + [f"  {note}" for note in diff.notes]
    if rows:
        lines.append("why the plan's values:")
        lines += [f"  {r.name} = {shown(r.plan)}: {r.derivation}" for r in rows]
    return "\n".join(lines) + "\n"


def row_json(row: DiffRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "server": row.server,
        "plan": row.plan,
        "source": row.source,
        "source_file": row.source_file,
        "context": row.context,
        "pending_restart": row.pending_restart,
        "pending": row.pending,
        "derivation": row.derivation.as_json(),
        "group": row.setting.group,
        "overrides": [{"role": o.role, "database": o.database, "value": o.value} for o in row.overrides],
        "rollback": restore_statement(row),
        "note": row.note or None,
    }


def diff_json(diff: SettingsDiff) -> list[dict[str, Any]]:
    """The ``diff`` list: every setting that differs (equal ones are counted in :func:`summary_json`)."""
    return [row_json(r) for r in diff.differing]


def summary_json(diff: SettingsDiff) -> dict[str, Any]:
    return {
        "compared": len(diff.rows),
        "differ": len(diff.differing),
        "equal": diff.equal,
        "restart": list(diff.restart),
        "pending_restart": [r.name for r in diff.rows if r.pending_restart],
        "not_changed_by_script": [r.name for r in diff.differing if not r.changed_by_script],
        "overrides": [
            {"name": r.name, "role": o.role, "database": o.database, "value": o.value, "plan": r.plan}
            for r in diff.rows
            for o in r.overrides
        ],
        "notes": list(diff.notes),
    }

"""postgresql/alter_system.sql: the same settings as ALTER SYSTEM statements, for a running server.

ALTER SYSTEM writes postgresql.auto.conf, cannot run inside a transaction block, and most of these
settings only take effect after a restart, so the script says which ones and ends with a query that
shows what is still pending.
"""

from __future__ import annotations

from itertools import groupby

from ..model import Plan
from .comments import explain
from .server_settings import group_title, server_settings


def render_alter_system(plan: Plan) -> str:
    settings = server_settings(plan)
    restart = [s.name for s in settings if s.restart]
    reload = [s.name for s in settings if not s.restart]
    header = explain(
        "--",
        [
            f"pgplanner: the plan's settings for PostgreSQL {plan.scenario.hardware.pg_version} as ALTER SYSTEM.",
            "Run as a superuser outside a transaction: psql -X -v ON_ERROR_STOP=1 -f alter_system.sql",
            "The values go to postgresql.auto.conf and override postgresql.conf and conf.d.",
            f"Need a restart: {', '.join(restart)}. A reload is enough for: {', '.join(reload) or 'none'}.",
        ],
    )
    blocks = ["\n".join(header)]
    for group, members in groupby(settings, key=lambda s: s.group):
        blocks.append(f"-- {'=' * 10} {group_title(group)} {'=' * 10}")
        for setting in members:
            when = "needs a restart" if setting.restart else "applies on reload"
            lines = explain("--", [*setting.reasons, when])
            blocks.append("\n".join([*lines, f"ALTER SYSTEM SET {setting.name} = {setting.sql};"]))
    names = ", ".join(f"'{s.name}'" for s in settings)
    blocks.append(
        "\n".join(
            [
                "SELECT pg_reload_conf();",
                "-- pending_restart is true for each value that waits for the restart:",
                f"SELECT name, setting, unit, pending_restart FROM pg_settings WHERE name IN ({names}) ORDER BY name;",
            ]
        )
    )
    return "\n\n".join(blocks) + "\n"

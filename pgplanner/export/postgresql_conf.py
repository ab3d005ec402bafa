"""postgresql/postgresql.conf: a snippet for conf.d with every setting the plan decides, by group."""

from __future__ import annotations

from itertools import groupby

from ..model import Plan
from .comments import explain, named
from .server_settings import assumed_defaults, group_title, server_settings


def render_postgresql_conf(plan: Plan) -> str:
    version = plan.scenario.hardware.pg_version
    settings = server_settings(plan)
    restart = [s.name for s in settings if s.restart]
    header = explain(
        "#",
        [
            f"pgplanner: the whole tuned configuration{named(plan)} for PostgreSQL {version}.",
            "Copy into the directory postgresql.conf includes (include_dir = 'conf.d'; Debian: "
            f"/etc/postgresql/{version}/main/conf.d/pgplanner.conf); later lines win, and ALTER SYSTEM "
            "(postgresql.auto.conf) overrides both.",
            f"Restart after the first install: {', '.join(restart)} are read only at server start; "
            "the others apply on reload.",
            assumed_defaults(version),
        ],
    )
    blocks = ["\n".join(header)]
    for group, members in groupby(settings, key=lambda s: s.group):
        blocks.append(f"# {'=' * 10} {group_title(group)} {'=' * 10}")
        for setting in members:
            when = "restart" if setting.restart else "reload"
            lines = explain("#", [*setting.reasons, f"takes effect after a {when}"])
            blocks.append("\n".join([*lines, f"{setting.name} = {setting.value}"]))
    return "\n\n".join(blocks) + "\n"

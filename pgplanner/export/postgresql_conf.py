"""postgresql/postgresql.conf: a snippet for conf.d with the plan's connection and memory settings."""

from __future__ import annotations

from ..model import Plan
from .comments import explain, named
from .server_settings import assumed_defaults, server_settings


def render_postgresql_conf(plan: Plan) -> str:
    version = plan.scenario.hardware.pg_version
    header = explain(
        "#",
        [
            f"pgplanner: connection and memory settings{named(plan)} for PostgreSQL {version}.",
            "Copy into the directory postgresql.conf includes (include_dir = 'conf.d'; Debian: "
            f"/etc/postgresql/{version}/main/conf.d/pgplanner.conf); later lines win, and ALTER SYSTEM "
            "(postgresql.auto.conf) overrides both.",
            "Restart after the first install: every setting here except work_mem is read only at server start.",
            assumed_defaults(version),
        ],
    )
    blocks = ["\n".join(header)]
    for setting in server_settings(plan):
        when = "restart" if setting.restart else "reload"
        lines = explain("#", [*setting.reasons, f"takes effect after a {when}"])
        blocks.append("\n".join([*lines, f"{setting.name} = {setting.value}"]))
    return "\n\n".join(blocks) + "\n"

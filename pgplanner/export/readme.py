"""README.md of the bundle: what the plan says, what to apply where and in which order.

The reader is the DBA who opens the bundle on the server: the answer first (max_connections, pool,
memory), the budget that adds up to it, the warnings, then the steps in order, each pointing at a file
of this bundle, and finally how every number was reached.
"""

from __future__ import annotations

from collections.abc import Collection

from ..model import Plan
from ..present import markdown

FILE_ROLES = {
    "README.md": "this file",
    "scenario.json": "the inputs; reload them with `pgplanner plan --scenario scenario.json`",
    "report.html": "the plan as one page to read, forward or print: plots, settings and every reason",
    "plan.json": "the whole plan as `pgplanner plan --json` prints it",
    "postgresql/postgresql.conf": "the whole tuned configuration by group, each value explained (for `conf.d`)",
    "postgresql/alter_system.sql": "the same settings as ALTER SYSTEM for a running server",
    "pgbouncer/pgbouncer.ini": "PgBouncer sized as the budget says",
    "pgbouncer/userlist.txt.example": "the auth_file format, without secrets",
    "pgcat/pgcat.toml": "PgCat sized as the budget says",
}
FOLDER_ROLES = {
    "os/": "kernel and OS limits; the folder's README.md says how to apply them",
    "provider/": "the managed service's own way to apply the plan",
    "plots/": "the plan's charts",
}


def render_readme(plan: Plan, paths: Collection[str]) -> str:
    sections = [
        markdown.blocking_banner(plan),
        markdown.summary(plan),
        markdown.budget(plan),
        markdown.warnings(plan),
        _steps(plan, paths),
        _files(paths),
        markdown.derivations(plan),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _steps(plan: Plan, paths: Collection[str]) -> str:
    steps = []
    for folder in sorted({p.split("/")[1] for p in paths if p.startswith("os/")}):
        steps.append(
            f"Kernel and OS limits for {folder}: follow `os/{folder}/README.md` (as root; some need a reboot)."
        )
    steps.append(
        "PostgreSQL: copy `postgresql/postgresql.conf` into the server's `conf.d` (or run "
        "`postgresql/alter_system.sql` as a superuser), then restart: max_connections, shared_buffers and the "
        "reserved slots are read only at start."
    )
    if "pgbouncer/pgbouncer.ini" in paths:
        steps.append(
            "PgBouncer: install `pgbouncer/pgbouncer.ini`, create `userlist.txt` from the example with real SCRAM "
            "secrets, restart PgBouncer and point the application at port 6432."
        )
    if "pgcat/pgcat.toml" in paths:
        steps.append("PgCat: install `pgcat/pgcat.toml` with real names and passwords, restart PgCat.")
    provider = next((p for p in paths if p.startswith("provider/") and p.endswith("README.md")), None)
    if provider:
        steps.append(f"Managed service: follow `{provider}` instead of editing server files.")
    steps.append("Check: `SHOW max_connections;` and, with a pooler, `SHOW POOLS;` on its admin console.")
    return "## Apply in this order\n\n" + "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))


def _files(paths: Collection[str]) -> str:
    lines = ["## Files", ""]
    for path in sorted(paths):
        role = FILE_ROLES.get(path) or next((r for prefix, r in FOLDER_ROLES.items() if path.startswith(prefix)), None)
        lines.append(f"- `{path}`" + (f": {role}" if role else ""))
    return "\n".join(lines)

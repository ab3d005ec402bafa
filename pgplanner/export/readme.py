"""README.md of the bundle: what the plan says, what to apply where and in which order.

The reader is the DBA who opens the bundle on the server: the answer first (max_connections, pool,
memory), the budget that adds up to it, the warnings, then the steps in order, each pointing at a file
of this bundle, and finally how every number was reached.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ..model import Plan
from ..model.network import ENDPOINT_PLACEHOLDER
from ..present import markdown

FILE_ROLES = {
    "README.md": "this file",
    "scenario.json": "the inputs; reload them with `pgplanner plan --scenario scenario.json`",
    "report.html": "the plan as one page to read, forward or print: plots, settings and every reason",
    "plan.json": "the whole plan as `pgplanner plan --json` prints it",
    "postgresql/postgresql.conf": "the whole tuned configuration by group, each value explained (for `conf.d`)",
    "postgresql/alter_system.sql": "the same settings as ALTER SYSTEM for a running server",
    "postgresql/pg_hba.conf": "who may connect from where: the pooler, the application hosts, the standbys",
    "pgbouncer/pgbouncer.ini": "PgBouncer sized as the budget says",
    "pgbouncer/userlist.txt.example": "the auth_file format, without secrets, and how to fill it",
    "pgbouncer/pgbouncer@.service": "the systemd template unit that runs each PgBouncer process",
    "pgbouncer/README.md": "how to start the PgBouncer processes that share the port",
    "pgbouncer/pgbouncer.service.d/90-pgplanner.conf": "PgBouncer's file limit on its own host",
    "pgcat/pgcat.toml": "PgCat sized as the budget says",
}
PROCESS_INI = re.compile(r"^pgbouncer/pgbouncer-(\d+)\.ini$")
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
    provider = next((p for p in paths if p.startswith("provider/") and p.endswith("README.md")), None)
    if provider:
        steps.append(
            f"Managed service: follow `{provider}`. The provider takes only its own parameter settings: there is no "
            "postgresql.conf to copy, no ALTER SYSTEM (your user is no superuser), no pg_hba.conf and no kernel "
            "setting to apply, so this bundle has none."
        )
    for folder in sorted({p.split("/")[1] for p in paths if p.startswith("os/")}):
        steps.append(
            f"Kernel and OS limits for {folder}: follow `os/{folder}/README.md` (as root; some need a reboot)."
        )
    if "postgresql/postgresql.conf" in paths:
        steps.append(
            "PostgreSQL: copy `postgresql/postgresql.conf` into the server's `conf.d` (or run "
            "`postgresql/alter_system.sql` as a superuser), then restart: max_connections, shared_buffers and the "
            "reserved slots are read only at start."
        )
    if "postgresql/pg_hba.conf" in paths:
        steps.append(
            "Access: install `postgresql/pg_hba.conf` over the server's (`SHOW hba_file;`), check it with "
            "`SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL;` and reload. Set the "
            "passwords of roles still holding an md5 hash again first: its lines take SCRAM only."
        )
    steps += _pooler_steps(plan, paths)
    steps.append("Check: `SHOW max_connections;` and, with a pooler, `SHOW POOLS;` on its admin console.")
    return "## Apply in this order\n\n" + "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))


def _pooler_steps(plan: Plan, paths: Collection[str]) -> list[str]:
    config = plan.pooler_config
    where = " on a host of your own, in front of the managed server" if plan.scenario.provider else ""
    endpoint = (
        f" It points at `{ENDPOINT_PLACEHOLDER}`: export again with `--server-host <endpoint>` (or edit `[databases]`)."
        if config.server_host == ENDPOINT_PLACEHOLDER
        else ""
    )
    steps = []
    if "pgbouncer/pgbouncer.ini" in paths:
        limit = (
            " and its file limit, `pgbouncer/pgbouncer.service.d/`, under `/etc/systemd/system/`"
            if "pgbouncer/pgbouncer.service.d/90-pgplanner.conf" in paths
            else ""
        )
        steps.append(
            f"PgBouncer{where}: install `pgbouncer/pgbouncer.ini` in `/etc/pgbouncer/`{limit}, create "
            "`userlist.txt` as `userlist.txt.example` says, restart PgBouncer and point the application at port "
            f"{config.listen_port}.{endpoint}"
        )
    elif "pgbouncer/README.md" in paths:
        steps.append(
            f"PgBouncer{where}: {plan.pooler_processes} processes share port {config.listen_port}; follow "
            f"`pgbouncer/README.md` to install their ini files and start them, then point the application at the "
            f"port.{endpoint}"
        )
    if "pgcat/pgcat.toml" in paths:
        steps.append(
            f"PgCat {where}: install `pgcat/pgcat.toml` with real names and passwords, restart PgCat.{endpoint}"
        )
    return steps


def _files(paths: Collection[str]) -> str:
    lines = ["## Files", ""]
    for path in sorted(paths):
        process = PROCESS_INI.match(path)
        role = (
            FILE_ROLES.get(path)
            or (
                f"PgBouncer process {process.group(1)}: its pools, share of the clients and socket" if process else None
            )
            or next((r for prefix, r in FOLDER_ROLES.items() if path.startswith(prefix)), None)
        )
        lines.append(f"- `{path}`" + (f": {role}" if role else ""))
    return "\n".join(lines)

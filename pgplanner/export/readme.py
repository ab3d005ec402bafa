"""README.md of the bundle: what the plan says, what to apply where and in which order.

The reader is the DBA who opens the bundle on the server: the answer first (max_connections, pool,
memory), the budget that adds up to it, the warnings, then the steps in order, each pointing at a file
of this bundle, and finally how every number was reached.
"""

from __future__ import annotations

from collections.abc import Collection

from ..model import Plan, human_size
from ..model.derivation import n
from .blocking import readme_banner
from .report import POOLER_LABEL

FILE_ROLES = {
    "README.md": "this file",
    "scenario.json": "the inputs; reload them with `pgplanner plan --scenario scenario.json`",
    "plan.json": "the whole plan as `pgplanner plan --json` prints it",
    "postgresql/postgresql.conf": "connection and memory settings, a snippet for `conf.d`",
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
        readme_banner(plan),
        _summary(plan),
        _budget(plan),
        _warnings(plan),
        _steps(plan, paths),
        _files(paths),
        _derivations(plan),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _summary(plan: Plan) -> str:
    s, m = plan.scenario, plan.memory
    hw, pooler = s.hardware, s.pooler
    where = s.provider.id if s.provider else f"{hw.platform}, {hw.storage}"
    title = s.name or f"{hw.cores} cores, {human_size(hw.ram)}"
    pooling = POOLER_LABEL[pooler.kind] + (f" in {pooler.mode} mode" if pooler.kind != "none" else "")
    lines = [
        f"# pgplanner bundle: {title}",
        "",
        f"{hw.cores} cores, {human_size(hw.ram)} RAM, PostgreSQL {hw.pg_version} ({where}); {pooling}.",
        "",
        f"- **max_connections = {n(plan.max_connections)}** (the budget requires {n(plan.max_connections_required)}; "
        f"recommended {n(plan.max_connections_recommended)}); max_wal_senders = {plan.max_wal_senders}",
        f"- RAM ceiling {n(plan.ram_ceiling)} connections; productive target {n(plan.productive_target)} active "
        f"connections (pool range {plan.pool_size_range[0]}-{plan.pool_size_range[1]})",
        f"- shared_buffers {human_size(m.shared_buffers_bytes)}, work_mem {human_size(s.memory.work_mem)}; "
        f"worst case {human_size(m.worst_case_bytes)} against {human_size(m.available_bytes)} available",
    ]
    if pooler.kind != "none":
        lines.append(
            f"- pool size {plan.pool_size} x {plan.pools} pool(s), reserve {plan.reserve_pool}, "
            f"max_client_conn {n(plan.max_client_conn)} for {n(plan.client_demand)} clients"
        )
    return "\n".join(lines)


def _budget(plan: Plan) -> str:
    rows = ["## Budget", "", "| Line | Connections | Counts against | Why |", "|---|---:|---|---|"]
    rows += [f"| {b.name} | {n(b.connections)} | {b.counts_against} | {b.why} |" for b in plan.budget]
    rows.append(f"| **required** | **{n(plan.max_connections_required)}** | max_connections | sum of the lines |")
    rows.append(f"| **max_connections** | **{n(plan.max_connections)}** | | with headroom |")
    return "\n".join(rows)


def _warnings(plan: Plan) -> str:
    if not plan.warnings:
        return "## Warnings\n\nNone."
    return "## Warnings\n\n" + "\n".join(f"- **{w.severity}** `{w.code}`: {w.message}" for w in plan.warnings)


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


def _derivations(plan: Plan) -> str:
    return "## How each number was reached\n\n" + "\n".join(f"- {d}" for d in plan.derivations.values())

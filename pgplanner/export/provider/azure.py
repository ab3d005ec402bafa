"""Azure Database for PostgreSQL Flexible Server: server parameters through the az CLI.

max_connections is static (restart) and allowed only in a range (the preset's
max_connections_settable, which the plan already respects); Azure keeps 15 slots
(reserved_connections 5 + superuser_reserved_connections 10) that users cannot change. The built-in
PgBouncer (General Purpose and Memory Optimized tiers) is configured with pgbouncer.* parameters.
"""

from __future__ import annotations

from ...model import Plan
from ...model.derivation import n
from .common import Guide, script, work_mem_kb


def _set(name: str, value: object) -> str:
    return (
        'az postgres flexible-server parameter set --resource-group "$RESOURCE_GROUP" --server-name "$SERVER" '
        f"--name {name} --value {value}"
    )


def _uses_builtin_pgbouncer(plan: Plan) -> bool:
    offer = plan.scenario.provider.pooler if plan.scenario.provider else None
    return plan.scenario.pooler.kind == "provider" and offer is not None and offer.kind == "pgbouncer"


def _apply(plan: Plan) -> str:
    lines = [
        ': "${RESOURCE_GROUP:?set RESOURCE_GROUP}" "${SERVER:?set SERVER to the flexible server name}"',
        _set("max_connections", plan.max_connections),
        _set("work_mem", work_mem_kb(plan)),
    ]
    if _uses_builtin_pgbouncer(plan):
        lines += [
            "# the built-in PgBouncer on port 6432, sized as the plan's pool",
            _set("pgbouncer.enabled", "true"),
            _set("pgbouncer.pool_mode", plan.scenario.pooler.mode),
            _set("pgbouncer.default_pool_size", plan.pool_size),
            _set("pgbouncer.max_client_conn", plan.max_client_conn),
        ]
    lines.append('az postgres flexible-server restart --resource-group "$RESOURCE_GROUP" --name "$SERVER"')
    return script(plan, "Azure Flexible Server parameters (the server restarts)", "\n".join(lines))


def _how(plan: Plan) -> str:
    settable = plan.scenario.provider.max_connections_settable if plan.scenario.provider else None
    clamp = (
        f" Azure accepts max_connections from {n(settable[0])} to {n(settable[1])}; the plan keeps within that."
        if settable is not None and plan.max_connections_recommended != plan.max_connections
        else ""
    )
    pooler = (
        " It also enables the built-in PgBouncer (port 6432) with the plan's pool size and max_client_conn."
        if _uses_builtin_pgbouncer(plan)
        else ""
    )
    return f"""## How to apply

`RESOURCE_GROUP=<rg> SERVER=<name> sh apply.sh` sets the server parameters with
`az postgres flexible-server parameter set` and restarts the server (max_connections is static).{clamp}{pooler}
Azure keeps 15 connections (reserved_connections 5 + superuser_reserved_connections 10) that cannot be
changed: users get max_connections - 15. The default is computed when the server is created and does
not follow a later change of SKU.
"""


FLEXIBLE_SERVER = Guide(how=_how, files=lambda plan: {"apply.sh": _apply(plan)})

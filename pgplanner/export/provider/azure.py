"""Azure Database for PostgreSQL Flexible Server: server parameters through the az CLI.

max_connections is static (restart) and allowed only in a range (the preset's
max_connections_settable, which the plan already respects); the slots Azure keeps and what its
built-in PgBouncer offers are read from the preset. The built-in PgBouncer is configured with
pgbouncer.* parameters.
"""

from __future__ import annotations

from ...model import Plan
from ...model.derivation import n
from .common import Guide, provider_of, script, work_mem_kb


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
    provider = provider_of(plan)
    settable = provider.max_connections_settable
    clamp = (
        f" Azure accepts max_connections from {n(settable[0])} to {n(settable[1])}; the plan keeps within that."
        if settable is not None and plan.max_connections_recommended != plan.max_connections
        else ""
    )
    offer = provider.pooler
    pooler = (
        f" It also enables {offer.name} with the plan's pool size and max_client_conn."
        if _uses_builtin_pgbouncer(plan) and offer is not None
        else ""
    )
    kept = " + ".join(f"{r.name} {n(r.connections or 0)}" for r in provider.reserves)
    users = (
        f"\nAzure keeps {kept} = {n(provider.reserved)} connections: users get "
        f"max_connections - {n(provider.reserved)}."
        if kept
        else ""
    )
    return f"""## How to apply

`RESOURCE_GROUP=<rg> SERVER=<name> sh apply.sh` sets the server parameters with
`az postgres flexible-server parameter set` and restarts the server (max_connections is static).{clamp}{pooler}{users}
"""


FLEXIBLE_SERVER = Guide(
    how=_how,
    files=lambda plan: {"apply.sh": _apply(plan)},
    replicas="set them with `az postgres flexible-server parameter set` on each replica server",
)

"""Hosted providers whose recipe is a CLI call or a note: Heroku, Supabase, Neon, DigitalOcean, Aiven,
Crunchy Bridge, Render, Timescale and Fly Managed Postgres.

Where the plan fixes max_connections (Heroku, Neon, Render, DigitalOcean, Fly Managed Postgres), the
README says it cannot be set and what to do instead: a pooler in front, fewer connections per budget
line, or a bigger plan. The recipes hold only the provider's commands; every fact about the provider
(its pooler, its reserved slots, its limits) is read from the preset, so a corrected preset corrects
the bundle too.
"""

from __future__ import annotations

from ...model import Plan
from ...model.derivation import n, percent
from .common import Guide, pooler_facts, provider_of, script

KEEP_DIRECT = (
    "- Keep LISTEN listeners, batch workers and long transactions on direct connections; they are budget lines "
    "of their own."
)


def _bigger_plan(plan: Plan, command: str = "") -> str:
    """'Or choose a bigger plan', with the rule the provider's limit follows when the preset has one."""
    rule = provider_of(plan).derivations.get("max_connections")
    by_rule = rule is not None and not rule.formula.startswith("max_connections =")  # a formula, not a table row
    follows = f" (max_connections follows the provider's rule: {rule.formula})" if rule and by_rule else ""
    return f"- Or choose a plan with a higher limit{follows}{f': {command}' if command else ''}."


def _reserved_lines(plan: Plan) -> str:
    """The provider's own connections, as the preset names them, for the advice to plan around them."""
    provider = provider_of(plan)
    held = ", ".join(f"{r.name} {n(r.connections or 0)}" for r in provider.reserves)
    return (
        f"- The budget already leaves the provider's own connections out of the application's: {held}." if held else ""
    )


def _heroku(plan: Plan) -> str:
    offer = provider_of(plan).pooler
    if offer is not None:
        pool = (
            "- Pool on the server: `heroku pg:connection-pooling:attach DATABASE_URL --as DATABASE_CONNECTION_POOL "
            f"-a <app>` and point the app at `DATABASE_CONNECTION_POOL_URL` ({pooler_facts(offer)})"
        )
    else:
        pool = f"- Pooler: {pooler_facts(None)} Or pool in the application, smaller per dyno."
    upgrade = "`heroku addons:upgrade <addon> <plan> -a <app>`; `heroku pg:info -a <app>` shows the connections in use"
    return "\n".join((pool, KEEP_DIRECT, _bigger_plan(plan, upgrade)))


def _neon(plan: Plan) -> str:
    offer = provider_of(plan).pooler
    pool = (
        f"- Connect through the `-pooler` hostname: {pooler_facts(offer)}"
        if offer is not None
        else f"- Pooler: {pooler_facts(None)}"
    )
    return "\n".join(line for line in (pool, _reserved_lines(plan), _bigger_plan(plan)) if line)


def _render(plan: Plan) -> str:
    return "\n".join(
        line
        for line in (
            "- Render runs no pooler on this plan: run PgBouncer yourself as a private service with "
            "`pgbouncer/pgbouncer.ini` from this bundle (point `[databases]` at the database's internal host)."
            if provider_of(plan).pooler is None
            else f"- Pooler: {pooler_facts(provider_of(plan).pooler)}",
            _reserved_lines(plan),
            _bigger_plan(plan),
        )
        if line
    )


def _digitalocean(plan: Plan) -> str:
    return "\n".join(
        line
        for line in (
            f"- Create a PgBouncer pool sized as the plan: `apply.sh` runs `doctl databases pool create` with size "
            f"{plan.pool_size} in {plan.scenario.pooler.mode} mode. All pools share the cluster's backends "
            "(max_connections less the provider's own).",
            _reserved_lines(plan),
            _bigger_plan(plan, "`doctl databases resize`"),
        )
        if line
    )


def _digitalocean_pool(plan: Plan) -> str:
    body = f"""
: "${{CLUSTER_ID:?set CLUSTER_ID (doctl databases list)}}" "${{DB:?set DB to the database}}" "${{DB_USER:?set DB_USER}}"
doctl databases pool create "$CLUSTER_ID" pgplanner --db "$DB" --user "$DB_USER" \\
    --size {plan.pool_size} --mode {plan.scenario.pooler.mode}
"""
    return script(plan, "a DigitalOcean connection pool sized as the plan", body)


def _supabase(plan: Plan) -> str:
    provider = provider_of(plan)
    services = " ".join(f"The budget leaves {n(r.connections or 0)} to {r.name}." for r in provider.reserves)
    advice = " ".join(
        f"Keep the application within {percent(g.share)} of max_connections{f' with {g.when}' if g.when else ''}."
        for g in provider.guidance
    )
    return f"""## How to apply

`PROJECT_REF=<ref> sh apply.sh` sets max_connections with the Supabase CLI
(`supabase --experimental postgres-config update`) and restarts the database; the override no longer
follows a later compute resize. Set the poolers' Pool Size (dashboard, Database settings) to
{plan.pool_size}: Supavisor and the dedicated PgBouncer apply it separately, and direct connections +
both pools must stay within max_connections. {services} {advice}
"""


def _supabase_apply(plan: Plan) -> str:
    body = f"""
: "${{PROJECT_REF:?set PROJECT_REF to the project reference}}"
supabase --experimental postgres-config update --project-ref "$PROJECT_REF" \\
    --config max_connections={plan.max_connections}
"""
    return script(plan, "Supabase max_connections override (the database restarts)", body)


def _aiven(plan: Plan) -> str:
    offer = provider_of(plan).pooler
    pool = (
        f" and creates a PgBouncer pool of {plan.pool_size} in {plan.scenario.pooler.mode} mode "
        "(`avn service connection-pool-create`)"
        if _aiven_pools(plan)
        else ""
    )
    missing = "" if offer is not None else f" Pooler: {pooler_facts(None)}"
    return f"""## How to apply

`SERVICE=<name> sh apply.sh` sets `pg.max_connections` with `avn service update` (the service
restarts){pool}.{missing}
"""


def _aiven_pools(plan: Plan) -> bool:
    return plan.scenario.pooler.kind != "none" and provider_of(plan).pooler is not None


def _aiven_apply(plan: Plan) -> str:
    lines = [
        ': "${SERVICE:?set SERVICE to the Aiven service name}"',
        f'avn service update "$SERVICE" -c pg.max_connections={plan.max_connections}',
    ]
    if _aiven_pools(plan):
        lines += [
            ': "${DB:?set DB to the database}" "${DB_USER:?set DB_USER}"',
            'avn service connection-pool-create "$SERVICE" --pool-name pgplanner --dbname "$DB" '
            f'--username "$DB_USER" --pool-size {plan.pool_size} --pool-mode {plan.scenario.pooler.mode}',
        ]
    return script(plan, "Aiven max_connections and a connection pool", "\n".join(lines))


def _crunchy_bridge(plan: Plan) -> str:
    return f"""## How to apply

Set max_connections to {n(plan.max_connections)} in the cluster's configuration parameters (dashboard) and
restart. Pooler: {pooler_facts(provider_of(plan).pooler)}
"""


def _timescale(plan: Plan) -> str:
    offer = provider_of(plan).pooler
    clients = provider_of(plan).derivations.get("pooler_max_client_conn")
    cap = f" ({clients.formula}: {clients.calculation})" if clients else ""
    return f"""## How to apply

Edit max_connections in the service's database parameters in the console: the plan asks for
{n(plan.max_connections)} and pools of {plan.pool_size}. Pooler: {pooler_facts(offer)}{cap}
"""


def _fly_mpg(plan: Plan) -> str:
    offer = provider_of(plan).pooler
    return "\n".join(
        (
            f"- Connect through the pooled URL: {pooler_facts(offer)} Set its pool mode to "
            f"{plan.scenario.pooler.mode} in the dashboard as the plan assumes.",
            KEEP_DIRECT,
            _bigger_plan(plan),
        )
    )


GUIDES: dict[str, Guide] = {
    "heroku": Guide(instead=_heroku),
    "neon": Guide(instead=_neon),
    "render": Guide(instead=_render),
    "digitalocean": Guide(instead=_digitalocean, files=lambda plan: {"apply.sh": _digitalocean_pool(plan)}),
    "supabase": Guide(how=_supabase, files=lambda plan: {"apply.sh": _supabase_apply(plan)}),
    "aiven": Guide(how=_aiven, files=lambda plan: {"apply.sh": _aiven_apply(plan)}),
    "crunchy-bridge": Guide(how=_crunchy_bridge),
    "timescale": Guide(how=_timescale),
    "fly-mpg": Guide(instead=_fly_mpg),
}

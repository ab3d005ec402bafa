"""Hosted providers whose recipe is a CLI call or a note: Heroku, Supabase, Neon, DigitalOcean,
Aiven, Crunchy Bridge, Render and Timescale.

Where the plan fixes max_connections (Heroku, Neon, Render, DigitalOcean without limited-release
access), the README says it cannot be set and what to do instead: a pooler in front, fewer
connections per budget line, or a bigger plan.
"""

from __future__ import annotations

from ...model import Plan
from ...model.derivation import n
from .common import Guide, script


def _heroku(plan: Plan) -> str:
    return (
        "- Pool on the server: `heroku pg:connection-pooling:attach DATABASE_URL --as DATABASE_CONNECTION_POOL "
        "-a <app>` (Standard and up; PgBouncer in transaction mode, up to 10,000 clients) and point the app at "
        "`DATABASE_CONNECTION_POOL_URL`. Essential plans: use the PgBouncer buildpack on each dyno.\n"
        "- Keep LISTEN listeners, batch workers and long transactions on direct connections; they are budget "
        "lines of their own.\n"
        "- Or move to a plan with a higher limit: `heroku addons:upgrade <addon> <plan> -a <app>`. "
        "`heroku pg:info -a <app>` shows the connections in use against the limit."
    )


def _neon(plan: Plan) -> str:
    return (
        "- Connect through the `-pooler` hostname: Neon's PgBouncer in transaction mode, max_client_conn 10,000, "
        "default_pool_size 0.9 x max_connections.\n"
        "- Or choose a larger compute size (max_connections grows with compute units)."
    )


def _render(plan: Plan) -> str:
    return (
        "- Render runs no pooler: run PgBouncer yourself as a private service with `pgbouncer/pgbouncer.ini` from "
        "this bundle (point `[databases]` at the database's internal host).\n"
        "- Plan for about 10 connections fewer than the limit: Render keeps a few.\n"
        "- Or choose a bigger instance type (100 / 200 / 400 / 500 connections from <8 / 8 / 16 / 32 GB)."
    )


def _digitalocean(plan: Plan) -> str:
    return (
        f"- Create a PgBouncer pool sized as the plan: `apply.sh` runs `doctl databases pool create` with size "
        f"{plan.pool_size} in {plan.scenario.pooler.mode} mode. All pools share the cluster's (25 x GB - 3) "
        "backends.\n"
        "- A higher max_connections is a limited-release parameter (ask DigitalOcean); it cannot be lowered "
        "again once set."
    )


def _digitalocean_pool(plan: Plan) -> str:
    body = f"""
: "${{CLUSTER_ID:?set CLUSTER_ID (doctl databases list)}}" "${{DB:?set DB to the database}}" "${{DB_USER:?set DB_USER}}"
doctl databases pool create "$CLUSTER_ID" pgplanner --db "$DB" --user "$DB_USER" \\
    --size {plan.pool_size} --mode {plan.scenario.pooler.mode}
"""
    return script(plan, "a DigitalOcean connection pool sized as the plan", body)


def _supabase(plan: Plan) -> str:
    return f"""## How to apply

`PROJECT_REF=<ref> sh apply.sh` sets max_connections with the Supabase CLI
(`supabase --experimental postgres-config update`; max_connections can only be changed from the CLI)
and restarts the database. The override is fixed: it no longer follows a later compute resize.
Set the poolers' Pool Size (dashboard, Database settings) to {plan.pool_size}: Supavisor and the dedicated
PgBouncer apply it separately, and direct connections + both pools must stay within max_connections.
Supabase's own services (PostgREST, Auth, Storage, Realtime) use some direct connections.
"""


def _supabase_apply(plan: Plan) -> str:
    body = f"""
: "${{PROJECT_REF:?set PROJECT_REF to the project reference}}"
supabase --experimental postgres-config update --project-ref "$PROJECT_REF" \\
    --config max_connections={plan.max_connections}
"""
    return script(plan, "Supabase max_connections override (the database restarts)", body)


def _aiven(plan: Plan) -> str:
    return f"""## How to apply

`SERVICE=<name> sh apply.sh` sets `pg.max_connections` with `avn service update` (the service restarts)
and, when a pooler is planned, creates a PgBouncer pool of {plan.pool_size} in
{plan.scenario.pooler.mode} mode (`avn service connection-pool-create`; not on Free/Hobbyist plans).
Aiven may use some connections to manage the service: leave headroom above the budget.
"""


def _aiven_apply(plan: Plan) -> str:
    lines = [
        ': "${SERVICE:?set SERVICE to the Aiven service name}"',
        f'avn service update "$SERVICE" -c pg.max_connections={plan.max_connections}',
    ]
    if plan.scenario.pooler.kind != "none":
        lines += [
            ': "${DB:?set DB to the database}" "${DB_USER:?set DB_USER}"',
            'avn service connection-pool-create "$SERVICE" --pool-name pgplanner --dbname "$DB" '
            f'--username "$DB_USER" --pool-size {plan.pool_size} --pool-mode {plan.scenario.pooler.mode}',
        ]
    return script(plan, "Aiven max_connections and a connection pool", "\n".join(lines))


def _crunchy_bridge(plan: Plan) -> str:
    return f"""## How to apply

Set max_connections to {n(plan.max_connections)} in the cluster's configuration parameters (dashboard) and
restart; replicas must have the same value or higher. The built-in PgBouncer listens on port 5431 and is
enabled per database with `CREATE EXTENSION crunchy_pooler;` (superuser and replication roles cannot use
it).
"""


def _timescale(plan: Plan) -> str:
    return f"""## How to apply

Edit max_connections in the service's database parameters in the console (25 on the smallest compute,
up to 500 on larger ones); 17 connections are reserved (12 superuser + 5 for Timescale). The pooler's
session pool takes up to max_connections - 17 clients and the transaction pool 20 times that; the plan
asks for max_connections {n(plan.max_connections)} and pools of {plan.pool_size}.
"""


GUIDES: dict[str, Guide] = {
    "heroku": Guide(instead=_heroku),
    "neon": Guide(instead=_neon),
    "render": Guide(instead=_render),
    "digitalocean": Guide(instead=_digitalocean, files=lambda plan: {"apply.sh": _digitalocean_pool(plan)}),
    "supabase": Guide(how=_supabase, files=lambda plan: {"apply.sh": _supabase_apply(plan)}),
    "aiven": Guide(how=_aiven, files=lambda plan: {"apply.sh": _aiven_apply(plan)}),
    "crunchy-bridge": Guide(how=_crunchy_bridge),
    "timescale": Guide(how=_timescale),
}

"""pgcat/pgcat.toml: the same pool sizing for PgCat, whose configuration is TOML.

PgCat sizes pools per user (``pool_size``) and has no reserve pool, so the budget's reserve line stays
unused headroom here. Database and user names are placeholders: the plan knows how many there are,
not what they are called.
"""

from __future__ import annotations

from ..model import Plan
from .comments import explain, named


def render_pgcat_toml(plan: Plan) -> str:
    s, d = plan.scenario, plan.derivations
    pooler = s.pooler
    header = explain(
        "#",
        [
            f"pgplanner: PgCat{named(plan)} for PostgreSQL {s.hardware.pg_version}, {pooler.mode} pooling.",
            "Install as /etc/pgcat.toml and restart pgcat. Replace appdb/app with your database and role, and the "
            "placeholder passwords with real ones (this bundle carries no secrets).",
            f"The plan has {pooler.databases} database(s) x {pooler.users} user(s): repeat the [pools.appdb] "
            "block per database and its users.N block per user, each with the same pool_size.",
            f"PgCat has no reserve pool: the budget's {plan.reserve_pool} reserve connection(s) per pool stay "
            "unused headroom.",
        ],
    )
    config = plan.pooler_config
    host = "0.0.0.0" if config.listen_addr == "*" else config.listen_addr.split(",")[0]
    general = [
        "[general]",
        *explain("#", [d["pooler_config.listen_addr"]]),
        f'host = "{host}"',
        f"port = {config.listen_port}",
        'admin_username = "pgcat"',
        'admin_password = "<set a password>"',
        *explain("#", [d["pooler_config.idle_transaction_timeout"], "PgCat takes it in milliseconds"]),
        f"idle_client_in_transaction_timeout = {config.idle_transaction_timeout * 1000}",
    ]
    mode = "transaction" if pooler.mode == "statement" else pooler.mode  # PgCat has no statement mode
    pool = [
        "[pools.appdb]",
        *explain("#", [_mode_reason(pooler.mode)]),
        f'pool_mode = "{mode}"',
    ]
    user = [
        "[pools.appdb.users.0]",
        'username = "app"',
        'password = "<the role\'s password>"',
        *explain("#", [d["pool_size"], "PgCat opens at most this many server connections for this user"]),
        f"pool_size = {plan.pool_size}",
    ]
    shard = [
        "[pools.appdb.shards.0]",
        *explain("#", [d["pooler_config.server_host"]]),
        f'servers = [["{config.server_host}", {config.server_port}, "primary"]]',
        'database = "appdb"',
    ]
    return "\n\n".join("\n".join(block) for block in (header, general, pool, user, shard)) + "\n"


def _mode_reason(mode: str) -> str:
    if mode == "statement":
        return "PgCat pools per session or per transaction; statement mode maps to transaction here"
    return f"{mode} pooling, as planned"

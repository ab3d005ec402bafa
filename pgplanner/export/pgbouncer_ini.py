"""pgbouncer/pgbouncer.ini and userlist.txt.example: the pooler sized as the plan's budget says.

PgBouncer refuses to start on a key it does not know, and distributions ship old releases (Debian 12
has 1.18). Keys added later are therefore written commented out with the release that added them,
unless the caller states a PgBouncer version that has them.
"""

from __future__ import annotations

from functools import partial

from ..model import Plan
from .comments import Verbatim, explain, named

Version = tuple[int, int]
BASELINE: Version = (1, 18)  # the oldest release the active keys of this file are checked against
KEY_SINCE: dict[str, Version] = {"max_prepared_statements": (1, 21)}
PREPARED_STATEMENTS = 200  # PgBouncer 1.24's own default
RESERVE_POOL_TIMEOUT = 5  # PgBouncer's default, in seconds


def render_pgbouncer_ini(plan: Plan, version: Version | None = None) -> str:
    """The ini for ``version`` (default: the oldest supported, so it starts everywhere)."""
    target = version or BASELINE
    _setting = partial(_key, version=target)
    s, d = plan.scenario, plan.derivations
    pooler = s.pooler
    sections = [
        explain(
            ";;",
            [
                f"pgplanner: PgBouncer{named(plan)} for PostgreSQL {s.hardware.pg_version}, {pooler.mode} pooling, "
                f"{plan.pools} pool(s) ({pooler.databases} database(s) x {pooler.users} user(s)).",
                "Install as /etc/pgbouncer/pgbouncer.ini, create userlist.txt from userlist.txt.example, then "
                "systemctl restart pgbouncer. Every server connection below is a line of the max_connections budget.",
                f"Written for PgBouncer {_dotted(target)}+; keys of later releases are commented with the release "
                "that added them (older releases refuse to start on unknown keys).",
            ],
        ),
        [
            "[databases]",
            *explain(";", ["every database through the fallback entry, to PostgreSQL on this host"]),
            "* = host=127.0.0.1 port=5432",
        ],
        [
            "[pgbouncer]",
            *explain(";", ["clients connect here; add the address your application uses"]),
            "listen_addr = 127.0.0.1",
            "listen_port = 6432",
            "unix_socket_dir = /var/run/postgresql",
            *explain(";", ["SCRAM secrets or passwords per user; the file is not part of this bundle"]),
            "auth_type = scram-sha-256",
            "auth_file = /etc/pgbouncer/userlist.txt",
            "admin_users = postgres",
        ],
        _setting("pool_mode", pooler.mode, [_mode_reason(pooler.mode)]),
        _setting("default_pool_size", plan.pool_size, [d["pool_size"], "server connections per database/user pool"]),
        _setting(
            "reserve_pool_size",
            plan.reserve_pool,
            [d["reserve_pool"], "extra server connections per pool under load"],
        ),
        _setting(
            "reserve_pool_timeout",
            RESERVE_POOL_TIMEOUT,
            ["PgBouncer's default: seconds a client waits before the reserve pool opens"],
        ),
        _setting(
            "max_client_conn",
            plan.max_client_conn,
            [
                d["max_client_conn"],
                "each client is a file descriptor: see LimitNOFILE in os/linux/systemd",
            ],
        ),
        _setting(
            "max_db_connections",
            plan.max_db_connections,
            [d["max_db_connections"]],
        ),
    ]
    if pooler.mode != "session":
        sections.append(
            _setting(
                "max_prepared_statements",
                PREPARED_STATEMENTS,
                [
                    f"PgBouncer 1.24's default: tracks protocol-level prepared statements in {pooler.mode} mode "
                    "(SQL PREPARE still breaks); 0 turns it off"
                ],
            )
        )
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def render_userlist_example(plan: Plan) -> str:
    """The auth_file format with placeholders: the bundle never carries a secret."""
    lines = explain(
        ";;",
        [
            'Format of /etc/pgbouncer/userlist.txt: one line per user, "name" "secret". This example holds no '
            "secrets; replace each placeholder with the role's SCRAM secret from PostgreSQL:",
            Verbatim("SELECT format('\"%s\" \"%s\"', rolname, rolpassword) FROM pg_authid WHERE rolname = 'app';"),
            "Then chmod 640 the file, owned by the user PgBouncer runs as (postgres on Debian).",
            f"The pools: {plan.scenario.pooler.users} user(s); add one line for each, and one for admin_users.",
        ],
    )
    placeholder = "SCRAM-SHA-256$4096:<salt>$<stored key>:<server key>"
    return "\n".join([*lines, f'"app" "{placeholder}"', f'"postgres" "{placeholder}"']) + "\n"


def _key(key: str, value: object, reasons: list, version: Version) -> list[str]:
    since = KEY_SINCE.get(key, BASELINE)
    if since > version:
        reasons = [*reasons, f"needs PgBouncer {_dotted(since)}+: remove the leading ';' there"]
        return [*explain(";", reasons), f";{key} = {value}"]
    return [*explain(";", reasons), f"{key} = {value}"]


def _mode_reason(mode: str) -> str:
    if mode == "session":
        return "session: a client keeps its server connection until it disconnects"
    return (
        f"{mode}: a server connection returns to the pool after each {mode}; SET, LISTEN, session advisory "
        "locks and SQL PREPARE do not survive it"
    )


def _dotted(version: Version) -> str:
    return ".".join(map(str, version))

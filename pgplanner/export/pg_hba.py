"""postgresql/pg_hba.conf: who may connect from where, one line per kind of client, each with its reason.

The first line that matches a connection decides. The postgres superuser logs in locally as the OS
user of the same name (peer: no password to lose); everything else proves a password with SCRAM. A
pooler on this server reaches PostgreSQL over the loopback; the standbys, the connections that
bypass the pooler and remote monitoring come from the networks the Plan resolves (``plan.network``),
and only while the server listens beyond localhost (listen_addresses, as postgresql.conf writes it).
"""

from __future__ import annotations

from ..model import Plan
from ..model.derivation import Derivation, n
from ..model.network import LOOPBACK, SAMENET
from .comments import Verbatim, explain, named

METHOD = "scram-sha-256"
MONITORING_ROLE = "+pg_monitor"  # members of the predefined monitoring role (PostgreSQL 10+)
SUPERUSER = "postgres"
COLUMNS = (8, 14, 14, 24)  # TYPE, DATABASE, USER, ADDRESS widths; METHOD last


Entry = tuple[str, str, str, str, str]  # TYPE, DATABASE, USER, ADDRESS, METHOD


def render_pg_hba(plan: Plan) -> str:
    net, wl, d = plan.network, plan.scenario.workload, plan.derivations
    blocks: list[list[str]] = [
        _header(plan),
        _block(
            ["the postgres superuser on this server, as the OS user postgres (sudo -u postgres psql): no password"],
            [("local", "all", SUPERUSER, "", "peer")],
        ),
        _block(
            ["pg_basebackup and other replication tools run as postgres on this server"],
            [("local", "replication", SUPERUSER, "", "peer")],
        ),
        _block(
            ["every other role over the Unix socket: local monitoring agents, maintenance scripts"],
            [("local", "all", "all", "", METHOD)],
        ),
        _block([_loopback_reason(plan)], [("host", "all", "all", address, METHOD) for address in LOOPBACK]),
    ]
    if not _listens_beyond_localhost(plan):
        blocks.append(explain("#", [LOCAL_ONLY]))
    else:
        if wl.replicas:
            replication = f"streaming replication for the {n(wl.replicas)} standby(s): only roles with REPLICATION"
            entries = [("host", "replication", "all", address, METHOD) for address in net.replica_hosts]
            blocks.append(_block([d["network.replica_hosts"], replication], entries))
        if wl.monitoring and net.app_hosts:
            entries = [("host", "all", MONITORING_ROLE, address, METHOD) for address in net.app_hosts]
            blocks.append(_block(["monitoring agents on other hosts: members of pg_monitor only"], entries))
        if net.remote_clients and net.app_hosts:
            entries = [("host", "all", "all", address, METHOD) for address in net.app_hosts]
            blocks.append(_block([d["network.remote_clients"], d["network.app_hosts"]], entries))
    if any(line.split()[3:4] == [SAMENET] for block in blocks for line in block if not line.startswith("#")):
        blocks.append(explain("#", [NARROW_SAMENET]))
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"


LOCAL_ONLY = (
    "listen_addresses = localhost in this bundle's postgresql.conf: only the lines above can match. Standbys, "
    "application hosts or a pooler elsewhere need listen_addresses = '*' and a host line for their network."
)
NARROW_SAMENET = (
    f"{SAMENET} admits any address of the subnets this server's interfaces are on; name the application hosts' and "
    "the standbys' networks to narrow it (pgplanner --app-network 10.0.1.0/24 --replica-network 10.0.2.0/24)."
)


def _header(plan: Plan) -> list[str]:
    version = plan.scenario.hardware.pg_version
    return [
        *explain(
            "#",
            [
                f"pgplanner: pg_hba.conf{named(plan)} for PostgreSQL {version}. The first line that matches a "
                "connection decides; every password is checked with SCRAM (password_encryption = scram-sha-256 "
                "in postgresql.conf).",
                f"Install over the server's pg_hba.conf (SHOW hba_file; Debian: /etc/postgresql/{version}/main/), "
                "check it, then reload:",
                Verbatim("SELECT line_number, error FROM pg_hba_file_rules WHERE error IS NOT NULL;"),
                Verbatim("SELECT pg_reload_conf();"),
                "Roles whose password was set while password_encryption was md5 keep an md5 hash, which a "
                "scram-sha-256 line refuses: set their password again first (\\password in psql).",
            ],
        ),
        "#",
        _columns("# TYPE", "DATABASE", "USER", "ADDRESS", "METHOD"),
    ]


def _loopback_reason(plan: Plan) -> str:
    who = {"pgbouncer": "PgBouncer", "pgcat": "PgCat"}.get(plan.scenario.pooler.kind)
    if who:
        return f"{who} on this server ([databases] host=127.0.0.1) and local clients over TCP"
    return "clients on this server over TCP (localhost)"


def _block(reasons: list[str | Derivation], entries: list[Entry]) -> list[str]:
    return [*explain("#", reasons), *(_columns(*entry) for entry in entries)]


def _columns(*fields: str) -> str:
    """TYPE, DATABASE, USER and ADDRESS padded to their columns, then METHOD."""
    *padded, method = fields
    return ("".join(field.ljust(width) for field, width in zip(padded, COLUMNS, strict=True)) + method).rstrip()


def _listens_beyond_localhost(plan: Plan) -> bool:
    """listen_addresses as postgresql.conf writes it; a plan that does not write it listens where it is told."""
    value = next((setting.value for setting in plan.settings if setting.name == "listen_addresses"), None)
    return value is None or value.strip("'") not in ("localhost", "127.0.0.1", "::1", "")

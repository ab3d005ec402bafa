"""PgBouncer beyond its pool sizes: how many processes run it, and the settings a DBA writes with a reason.

PgBouncer is single-threaded: one process uses one core, however many the machine has. Past a few
thousand clients, or tens of thousands of transactions a second, one process is the bottleneck, so
the plan runs several on the same port (``so_reuseport = 1``: the kernel spreads new connections over
them), each with its own pools, its own share of the clients and its own socket directory and pid
file. The pool sizes in :mod:`.concurrency` are per process; this module says how many processes.

The other settings are discrete facts, each with its reason: where PgBouncer listens, where it sends
server connections, how long a client may wait or sit idle in a transaction, when server connections
are recycled, and which startup parameters of common drivers it must ignore rather than refuse.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from .derivation import Derivation, capped, exact, n
from .network import LOOPBACK, SERVER_ON_THIS_HOST
from .scenario import Scenario
from .sources import (
    PGBOUNCER_AUTH,
    PGBOUNCER_CONFIG,
    PGBOUNCER_REUSEPORT,
    PGBOUNCER_TIMEOUTS,
    POOLER_BENCHMARK,
)

# One process tops out near 50,000 trivial transactions a second (55-90k measured at 40-500 clients, 36-54k
# at 10,000 clients; a real transaction costs PgBouncer more packets, and TLS more still).
PROCESS_TPS = 50_000
# Clients per process: a restart or a failover makes every client reconnect at once, and one process
# admits them one handshake (TLS, SCRAM) at a time on one core; its throughput also falls as clients grow
# (the benchmark: about 66k tps at 500 clients, 36-54k at 10,000). pgplanner keeps each under 2,000.
CLIENTS_PER_PROCESS = 2_000
# At most one process per this many cores of the database server: PostgreSQL keeps the others.
CORES_PER_PROCESS = 2
# so_reuseport spreads connections over the processes only on these kernels (Linux; FreeBSD's SO_REUSEPORT_LB);
# elsewhere the option lets them bind the port but one gets every connection.
REUSEPORT_PLATFORMS = ("linux", "freebsd")
PLATFORM_NAMES = {"linux": "Linux", "macos": "macOS", "freebsd": "FreeBSD", "windows": "Windows"}
LISTEN_PORT = 6432  # PgBouncer's default port
SERVER_PORT = 5432
# PgBouncer's defaults, kept with their reason (doc/config.md).
QUERY_WAIT_TIMEOUT = 120
SERVER_LIFETIME = 3600
SERVER_IDLE_TIMEOUT = 600
# pgJDBC sends extra_float_digits=3 in every startup packet; PgBouncer refuses a parameter it does not
# track unless told to ignore it.
IGNORED_STARTUP_PARAMETERS = ("extra_float_digits",)
AUTH_TYPE = "scram-sha-256"
# A managed endpoint is reached over the network, and RDS (15+), Azure and Supabase expect TLS: require it.
MANAGED_TLS = "require"

PROCESSES_RULE = (
    f"PgBouncer processes = max(client demand / {n(CLIENTS_PER_PROCESS)}, load / {n(PROCESS_TPS)} tps), "
    f"rounded up, at least 1, at most cores / {CORES_PER_PROCESS}"
)


class Processes(NamedTuple):
    planned: int  # the processes planned
    needed: int  # what the clients and the load ask for, before the platform and the cores cap it
    derivation: Derivation
    needed_derivation: Derivation


def processes(scenario: Scenario, productive: int, demand: int) -> Processes:
    """How many PgBouncer processes share the port for ``demand`` clients; 1 for PgCat (multi-threaded), a
    provider's pooler, or none.

    Not cached: the productive target and the demand make nearly every fresh scenario's combination new."""
    kind = scenario.pooler.kind
    if kind != "pgbouncer":
        return _ONE_PROCESS[kind]
    wl, hw = scenario.workload, scenario.hardware
    txn_ms, demand_tps = wl.txn_ms, wl.demand_tps
    load = demand_tps if demand_tps is not None else productive / (txn_ms / 1000)
    wanted = max(demand / CLIENTS_PER_PROCESS, load / PROCESS_TPS)
    needed = max(1, math.ceil(wanted))
    shown = _Load(productive, demand, txn_ms, demand_tps, load, wanted, needed)  # what the derivations show
    later = Derivation.later
    needed_why = later(_needed_why, shown)
    platform = hw.platform
    if platform not in REUSEPORT_PLATFORMS:
        return Processes(1, needed, later(_on_one_why, shown, platform), needed_why)
    if scenario.provider is not None:
        # PgBouncer runs on a host of its own in front of the managed server: the server's cores do not bound it.
        return Processes(needed, needed, needed_why, needed_why)
    cores = hw.cores
    cap = max(1, cores // CORES_PER_PROCESS)
    return Processes(min(needed, cap), needed, later(_capped_why, shown, cores, cap), needed_why)


def _one_process(reason: str) -> Processes:
    one = Derivation(formula=f"pooler processes: {reason}", calculation="1", source=PGBOUNCER_CONFIG)
    return Processes(1, 1, one, one)


_ONE_PROCESS = {
    kind: _one_process(reason)
    for kind, reason in (
        ("none", "no pooler"),
        ("pgcat", "PgCat is multi-threaded: one process uses every core it needs"),
        ("provider", "the provider runs its pooler"),
    )
}


class _Load(NamedTuple):
    """What the processes needed are worked out from, for their derivations."""

    productive: int
    demand: int
    txn_ms: float
    demand_tps: float | None
    load: float  # transactions a second: the demand given, else the pool's capacity
    wanted: float
    needed: int

    def calculation(self) -> str:
        if self.demand_tps is not None:
            load_text = f"demand {exact(round(self.demand_tps, 3))} tps"
        else:
            load_text = f"the pool's capacity {self.productive} / {self.txn_ms:g} ms = {exact(round(self.load, 3))} tps"
        terms = (
            f"max({n(self.demand)} / {n(CLIENTS_PER_PROCESS)}, {exact(round(self.load, 3))} tps / {n(PROCESS_TPS)} tps)"
        )
        return f"load: {load_text}; " + capped(terms, self.wanted, at_least=1, result=self.needed, direction="up")

    def inputs(self) -> dict[str, str]:
        if self.demand_tps is not None:
            return {"client demand": n(self.demand), "demand": f"{n(self.demand_tps)} tps"}
        return {
            "client demand": n(self.demand),
            "productive target": n(self.productive),
            "transaction time": f"{self.txn_ms:g} ms",
        }


NEEDED_SOURCE = f"{PGBOUNCER_REUSEPORT}; {POOLER_BENCHMARK}"
NEEDED_NOTE = (
    "one single-threaded process per core's worth of clients and load; the load is the demand when given, "
    "else what the pool serves at the productive target"
)


def _needed_why(load: _Load) -> Derivation:
    return Derivation(
        formula="PgBouncer processes needed = max(client demand / "
        f"{n(CLIENTS_PER_PROCESS)}, load / {n(PROCESS_TPS)} tps), rounded up, at least 1",
        calculation=load.calculation(),
        inputs=load.inputs(),
        source=NEEDED_SOURCE,
        note=NEEDED_NOTE,
    )


def _on_one_why(load: _Load, platform: str) -> Derivation:
    name = PLATFORM_NAMES[platform]
    return Derivation(
        formula=f"PgBouncer processes: 1 on {name}",
        calculation=f"{load.needed} needed; 1",
        inputs=load.inputs(),
        source=PGBOUNCER_REUSEPORT,
        note=f"so_reuseport spreads connections over several processes only on "
        f"{' and '.join(PLATFORM_NAMES[p] for p in REUSEPORT_PLATFORMS)}; on {name} one process would take "
        "them all",
    )


def _capped_why(load: _Load, cores: int, cap: int) -> Derivation:
    needed = load.needed
    cap_text = capped(f"{cores} / {CORES_PER_PROCESS}", cores / CORES_PER_PROCESS, at_least=1, result=cap)
    return Derivation(
        formula=PROCESSES_RULE,
        calculation=f"{load.calculation()}; cores cap {cap_text}; " + capped(str(needed), needed, at_most=cap),
        inputs={**load.inputs(), "cores": n(cores)},
        source=NEEDED_SOURCE,
        note=f"{NEEDED_NOTE}; PostgreSQL keeps the other cores",
    )


class PoolerConfig(BaseModel):
    """The pooler's settings beyond its pool sizes, as pgbouncer.ini (and pgcat.toml) write them."""

    # Built by plan() with model_construct from values it typed itself (see plan.Output): no schema at start-up.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    listen_addr: str  # where the pooler listens: the loopback when the application runs on this server, else all
    listen_port: int
    server_host: str  # where it sends server connections: this host or the managed plan's endpoint
    server_port: int
    server_tls_sslmode: str  # "" on this host; TLS to a managed endpoint
    query_wait_timeout: int  # seconds a client may wait for a server connection before it is disconnected
    idle_transaction_timeout: int  # seconds a client may sit idle inside a transaction (0: never ended)
    server_lifetime: int
    server_idle_timeout: int
    ignore_startup_parameters: str
    auth_type: str


def pooler_config(
    scenario: Scenario, app_hosts: tuple[str, ...], server: tuple[str, Derivation], idle_written: str | None
) -> tuple[PoolerConfig, dict[str, Derivation]]:
    """The settings, with their derivations by their path under ``pooler_config``. ``server`` is where the
    pooler sends its server connections (:func:`.network.server_host`); ``idle_written`` is the
    idle_in_transaction_session_timeout postgresql.conf is given (None: not set), which PgBouncer's own follows."""
    managed = scenario.provider is not None
    mode, profile = scenario.pooler.mode, scenario.workload.profile
    config, derivations = _config(managed, app_hosts, server[0], mode, profile, idle_written)
    return config, {**derivations, "pooler_config.server_host": _server_why(*server, managed)}


def _server_why(host: str, why: Derivation, managed: bool) -> Derivation:
    """The endpoint's derivation with a note on how PgBouncer reaches it (written when read: a copy costs more)."""
    if host == SERVER_ON_THIS_HOST:
        return Derivation.later(_noted, why, "PgBouncer on this server reaches PostgreSQL over the loopback")
    if managed:
        return Derivation.later(_noted, why, "the managed endpoint, over TLS (server_tls_sslmode)")
    return why


def _noted(why: Derivation, note: str) -> Derivation:
    return why._replace(note=note)


@lru_cache(maxsize=256)  # a handful of combinations; plan() runs on every slider tick
def _config(
    managed: bool, app_hosts: tuple[str, ...], server_host: str, mode: str, profile: str, idle_written: str | None
) -> tuple[PoolerConfig, dict[str, Derivation]]:
    local_app = not app_hosts
    listen = ",".join(host.split("/")[0] for host in LOOPBACK) if local_app else "*"
    idle, idle_why = _idle_transaction_timeout(mode, profile, idle_written, managed)
    config = PoolerConfig.model_construct(
        listen_addr=listen,
        listen_port=LISTEN_PORT,
        server_host=server_host,
        server_port=SERVER_PORT,
        server_tls_sslmode=MANAGED_TLS if managed else "",
        query_wait_timeout=QUERY_WAIT_TIMEOUT,
        idle_transaction_timeout=idle,
        server_lifetime=SERVER_LIFETIME,
        server_idle_timeout=SERVER_IDLE_TIMEOUT,
        ignore_startup_parameters=",".join(IGNORED_STARTUP_PARAMETERS),
        auth_type=AUTH_TYPE,
    )
    network = "localhost" if local_app else ",".join(app_hosts)
    listen_why = Derivation(
        formula="listen_addr: the loopback when the application runs on this server, else every address",
        calculation=f"application network {network}: {listen}",
        inputs={"application network": network},
        source=PGBOUNCER_CONFIG,
        note=""
        if local_app
        else "PgBouncer cannot bind to a network: let only the application network reach "
        f"port {LISTEN_PORT} (firewall, security group), or write this server's private address",
    )
    derivations = {
        "pooler_config.listen_addr": listen_why,
        "pooler_config.listen_port": _LISTEN_PORT_WHY,
        "pooler_config.server_port": _SERVER_PORT_WHY,
        "pooler_config.server_tls_sslmode": _TLS_WHY[managed],
        "pooler_config.query_wait_timeout": _QUERY_WAIT_WHY,
        "pooler_config.idle_transaction_timeout": idle_why,
        "pooler_config.server_lifetime": _SERVER_LIFETIME_WHY,
        "pooler_config.server_idle_timeout": _SERVER_IDLE_WHY,
        "pooler_config.ignore_startup_parameters": _IGNORE_WHY,
        "pooler_config.auth_type": _AUTH_WHY,
    }
    return config, derivations


IDLE_IN_TRANSACTION = "idle_in_transaction_session_timeout"
_DURATION = re.compile(r"^(\d+)\s*(ms|s|min|h|d)?$")
_SECONDS = {"ms": 0.001, "s": 1, "min": 60, "h": 3600, "d": 86400, None: 0.001}  # a bare number is milliseconds


def _idle_transaction_timeout(mode: str, profile: str, value: str | None, managed: bool) -> tuple[int, Derivation]:
    """PostgreSQL's idle_in_transaction_session_timeout, in seconds: one limit for one kind of session."""
    match = _DURATION.match(value.strip()) if value else None
    seconds = math.ceil(int(match.group(1)) * _SECONDS[match.group(2)]) if match else 0
    formula = f"idle_transaction_timeout = PostgreSQL's {IDLE_IN_TRANSACTION}, in seconds"
    if not seconds:
        return 0, Derivation(
            formula=formula,
            calculation=f"{IDLE_IN_TRANSACTION} not set by this plan: 0 (never)",
            source=PGBOUNCER_TIMEOUTS,
            note="a desktop keeps both at their default: a developer may sit in an open psql transaction"
            if profile == "desktop"
            else "",
        )
    return seconds, Derivation(
        formula=formula,
        calculation=f"{value}: {n(seconds)} s",
        inputs={IDLE_IN_TRANSACTION: value or ""},
        source=PGBOUNCER_TIMEOUTS,
        note=f"in {mode} mode a client idle inside a transaction pins a server connection the other clients wait "
        "for; PgBouncer ends it (and frees the server connection) "
        + (
            "at the limit this plan gives PostgreSQL, which a managed server keeps only if you set it in the "
            "provider's parameters too"
            if managed
            else "at the same limit as PostgreSQL"
        ),
    )


def _constant(name: str, value: object, why: str, source: str = PGBOUNCER_CONFIG) -> Derivation:
    return Derivation(formula=name, calculation=str(value), source=source, note=why)


_LISTEN_PORT_WHY = _constant("listen_port", LISTEN_PORT, "PgBouncer's default port")
_SERVER_PORT_WHY = _constant("port", SERVER_PORT, "PostgreSQL's default port")
_QUERY_WAIT_WHY = _constant(
    "query_wait_timeout",
    QUERY_WAIT_TIMEOUT,
    "PgBouncer's default, in seconds: a client that gets no server connection within it is disconnected, so a "
    "stalled server or a pool too small fails loudly instead of queueing forever",
    PGBOUNCER_TIMEOUTS,
)
_SERVER_LIFETIME_WHY = _constant(
    "server_lifetime",
    SERVER_LIFETIME,
    "PgBouncer's default, in seconds: an unused server connection older than an hour is closed and opened "
    "afresh, which returns a long-lived backend's catalog and plan caches and follows a DNS change after a "
    "failover",
    PGBOUNCER_TIMEOUTS,
)
_SERVER_IDLE_WHY = _constant(
    "server_idle_timeout",
    SERVER_IDLE_TIMEOUT,
    "PgBouncer's default, in seconds: server connections idle for 10 minutes are closed, so the pools and the "
    "reserve shrink back after a burst and their backends' memory returns to the server",
    PGBOUNCER_TIMEOUTS,
)
_IGNORE_WHY = _constant(
    "ignore_startup_parameters",
    ",".join(IGNORED_STARTUP_PARAMETERS),
    "pgJDBC sends extra_float_digits in every startup packet and PgBouncer refuses a connection with a "
    "parameter it does not track; search_path (pgJDBC's currentSchema) and options are not ignored, since that "
    "would drop the client's settings silently: set them per role (ALTER ROLE app SET search_path = ...)",
)
_AUTH_WHY = _constant(
    "auth_type",
    AUTH_TYPE,
    "clients prove their password with SCRAM; auth_file must hold SCRAM secrets (or plain passwords), which "
    "PostgreSQL stores once password_encryption = scram-sha-256 and the password is set again",
    PGBOUNCER_AUTH,
)
_TLS_WHY = {
    False: Derivation(
        formula="server_tls_sslmode: not set",
        calculation="PostgreSQL on this server, reached over the loopback",
        source=PGBOUNCER_CONFIG,
    ),
    True: _constant(
        "server_tls_sslmode",
        MANAGED_TLS,
        "the managed endpoint is reached over the network; RDS from 15, Azure and Supabase expect TLS, and "
        "PgBouncer before 1.20 would otherwise connect in the clear",
    ),
}

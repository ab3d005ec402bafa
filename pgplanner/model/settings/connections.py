"""Connections: where the server listens, max_connections and the slots beside it (from the plan's budget),
how passwords are stored, and how dead or idle-in-transaction sessions are ended."""

from __future__ import annotations

from functools import cache, lru_cache

from ..defaults import LISTEN_RULE
from ..derivation import Derivation, listing
from ..scenario import Scenario, Workload
from ..sources import PG_AUTHENTICATION, PG_CLIENT_DEFAULTS, PG_CONNECTION_SETTINGS, PG_CONNECTIONS
from ..versions import RESERVED_CONNECTIONS_FROM, WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM
from .base import Declaration, Made, Parameter, Setting, SettingsInput, carried, explain, present

DECLARED = Declaration(
    "connections",
    "Connections",
    {
        "max_connections": Parameter(13, "restart"),
        "superuser_reserved_connections": Parameter(13, "restart"),
        "reserved_connections": Parameter(RESERVED_CONNECTIONS_FROM, "restart"),
        "max_wal_senders": Parameter(13, "restart"),
        "listen_addresses": Parameter(13, "restart"),
        "password_encryption": Parameter(13, "reload"),
        "idle_in_transaction_session_timeout": Parameter(13, "reload"),
        "tcp_keepalives_idle": Parameter(13, "reload"),
        "tcp_keepalives_interval": Parameter(13, "reload"),
        "tcp_keepalives_count": Parameter(13, "reload"),
    },
)
# Poolers that run beside the server and reach it over localhost (PgBouncer and PgCat as exported).
LOCAL_POOLERS = ("pgbouncer", "pgcat")
SCRAM_DEFAULT_FROM = 14  # password_encryption defaulted to md5 before 14
# An idle-in-transaction session holds its locks and the xmin horizon (vacuum cannot remove rows it might
# see) and, behind a transaction pooler, a server connection: ended after this long, by profile. A
# desktop's developer may sit in an open psql transaction: left at the default (never).
IDLE_IN_TRANSACTION = {"web": "1min", "oltp": "1min", "mixed": "5min", "analytics": "10min"}
# Keepalives: probe a silent client after 60 s, every 10 s, 6 times: a vanished client (a crashed host, a
# dropped NAT entry) is noticed in 2 minutes instead of the kernel's 2 hours + 9 x 75 s.
KEEPALIVES_IDLE, KEEPALIVES_INTERVAL, KEEPALIVES_COUNT = 60, 10, 6
NO_KEEPALIVES_COUNT = ("windows",)  # PostgreSQL on Windows cannot set the probe count (it must stay 0)
IDLE_FORMULA = (
    f"idle_in_transaction_session_timeout by profile: {listing(IDLE_IN_TRANSACTION)}; a desktop keeps the default 0"
)

DESKTOP_WAL = (
    "pgtune sets wal_level = minimal and max_wal_senders = 0 on a desktop; pgplanner keeps wal_level = replica "
    "so pg_basebackup and a standby keep working, and sizes max_wal_senders from the replicas"
)


def listens_on_localhost(scenario: Scenario) -> bool:
    """The auto rule for listen: only a pooler on this server connects, and no replica streams from it."""
    wl = scenario.workload
    if wl.listen is not None:
        return wl.listen == "localhost"
    if wl.replicas:
        return False
    if wl.profile == "desktop":  # a developer's programs run on the desktop itself
        return True
    outside_pool = wl.listeners + wl.batch_workers + wl.long_transactions
    return scenario.pooler.kind in LOCAL_POOLERS and outside_pool == 0


def recommend(inp: SettingsInput) -> Made:
    scenario = inp.scenario
    hw, wl = scenario.hardware, scenario.workload
    version = hw.pg_version
    return [
        *_budgeted(inp, version, wl),
        *_sessions(version, hw.platform, wl.profile, listens_on_localhost(scenario), wl.listen is not None),
    ]


@cache
def _sessions(version: int, platform: str, profile: str, local: bool, given: bool) -> tuple[Setting, ...]:
    """listen_addresses, password_encryption, the idle-in-transaction timeout and keepalives: discrete facts."""
    setting = DECLARED.setting
    if local:
        listen = explain(
            f"listen_addresses: {LISTEN_RULE}", "given: localhost" if given else "local clients only: localhost",
            "only local clients can connect; monitoring and admin use the Unix socket or localhost; replicas, "
            "direct application hosts or a pooler elsewhere need the network (listen = all)",
            source=PG_CONNECTION_SETTINGS)  # fmt: skip
    else:
        listen = explain(
            f"listen_addresses: {LISTEN_RULE}", "given: all" if given else "clients or replicas from other hosts: *",
            "every interface; pg_hba.conf decides who may connect (only the pooler's, the application hosts' and "
            "the replicas' addresses), or write this server's private address instead of *",
            source=PG_CONNECTION_SETTINGS)  # fmt: skip
    scram = version >= SCRAM_DEFAULT_FROM
    password = explain(
        "password_encryption = scram-sha-256",
        f"the default from {SCRAM_DEFAULT_FROM}" if scram else f"{version} defaults to md5: scram-sha-256",
        "pg_hba.conf's scram-sha-256 lines and PgBouncer's auth_type = scram-sha-256 need SCRAM secrets"
        + ("" if scram else "; passwords set before keep their md5 hash until set again (\\password in psql)"),
        source=PG_AUTHENTICATION)  # fmt: skip
    made = [
        setting(version, "listen_addresses", "localhost" if local else "*", listen),
        setting(version, "password_encryption", "scram-sha-256", password),
    ]
    idle = IDLE_IN_TRANSACTION.get(profile)
    if idle is not None:
        made.append(setting(version, "idle_in_transaction_session_timeout", idle, explain(
            IDLE_FORMULA, f"{profile}: {idle}",
            "a session idle inside a transaction holds its locks, keeps vacuum from removing rows it might see and, "
            "behind a transaction pooler, pins a server connection; set statement_timeout and lock_timeout per role "
            "(ALTER ROLE app SET statement_timeout = '30s'), not server-wide, where they would cut pg_dump and "
            "maintenance short",
            inputs={"profile": profile}, source=PG_CLIENT_DEFAULTS)))  # fmt: skip
    dead = (
        f"a vanished client is noticed after {KEEPALIVES_IDLE} + {KEEPALIVES_COUNT} x {KEEPALIVES_INTERVAL} = "
        f"{KEEPALIVES_IDLE + KEEPALIVES_COUNT * KEEPALIVES_INTERVAL} s instead of the kernel's 2 hours and more, "
        "and its backend and locks are freed; TCP connections only"
    )
    if platform in NO_KEEPALIVES_COUNT:
        dead = f"{dead}; Windows sends its own count of probes"
    for name, value in (("tcp_keepalives_idle", KEEPALIVES_IDLE), ("tcp_keepalives_interval", KEEPALIVES_INTERVAL),
                        ("tcp_keepalives_count", KEEPALIVES_COUNT)):  # fmt: skip
        if name == "tcp_keepalives_count" and platform in NO_KEEPALIVES_COUNT:
            continue
        made.append(setting(version, name, str(value), explain(
            f"{name} = {value}", f"{KEEPALIVES_IDLE} s idle, then a probe every {KEEPALIVES_INTERVAL} s, "
            f"{KEEPALIVES_COUNT} unanswered end it", dead, source=PG_CONNECTION_SETTINGS)))  # fmt: skip
    return tuple(present(made))


def _budgeted(inp: SettingsInput, version: int, wl: Workload) -> Made:
    """max_connections and max_wal_senders from the budget; the reserved slots as given. The explanations of
    the first two are written when read (plan() runs on every slider tick, their text is read on a tab)."""
    d = inp.derivations
    required, recommended = d.get("max_connections_required"), d.get("max_connections_recommended")
    chosen, senders = d["max_connections"], d["max_wal_senders"]
    desktop = wl.profile == "desktop"
    return [
        DECLARED.setting(version, "max_connections", str(inp.max_connections),
                         Derivation.later(_max_connections, required, recommended, chosen)),
        *_reserved(version, wl.superuser_reserved, wl.reserved_connections),
        DECLARED.setting(version, "max_wal_senders", str(inp.max_wal_senders),
                         Derivation.later(_max_wal_senders, senders), DESKTOP_WAL if desktop else ""),
    ]  # fmt: skip


def _max_connections(required: Derivation | None, recommended: Derivation | None, chosen: Derivation) -> Derivation:
    steps = [str(step) for step in (required, recommended) if step is not None]
    return carried(chosen, "; ".join([*steps, *filter(None, [chosen.note])]))


def _max_wal_senders(senders: Derivation) -> Derivation:
    return carried(senders, f"{senders.note}; from PostgreSQL {WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM} WAL senders "
                            "have their own slots, outside max_connections")  # fmt: skip


@lru_cache(maxsize=256)  # given counts: a few per user, but up to 1,000 each
def _reserved(version: int, superuser_reserved: int, reserved_connections: int) -> tuple[Setting | None, ...]:
    """The slots kept for superusers and for pg_use_reserved_connections: given, a few small numbers; explained
    when read, so a new count costs little."""
    superuser, reserved = str(superuser_reserved), str(reserved_connections)
    setting = DECLARED.setting
    return (
        setting(version, "superuser_reserved_connections", superuser, Derivation.later(_superuser, superuser)),
        setting(version, "reserved_connections", reserved, Derivation.later(_reserved_slots, reserved)),
    )  # reserved_connections: None before 16


def _superuser(superuser: str) -> Derivation:
    return explain("superuser_reserved_connections", f"given: {superuser}",
                   "emergency slots only superusers can take; a line of the max_connections budget",
                   inputs={"superuser_reserved_connections": superuser}, source=PG_CONNECTIONS)  # fmt: skip


def _reserved_slots(reserved: str) -> Derivation:
    return explain("reserved_connections", f"given: {reserved}",
                   f"slots for members of pg_use_reserved_connections (PostgreSQL {RESERVED_CONNECTIONS_FROM}+); "
                   "a budget line",
                   inputs={"reserved_connections": reserved}, source=PG_CONNECTIONS)  # fmt: skip

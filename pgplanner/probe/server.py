"""A live server, read-only: its version, the settings the plan depends on, who is connected, memory.

Connections go through psycopg 3, so a DSN is whatever libpq takes (``host=... dbname=...`` or a
``postgresql://`` URI) and PG* environment variables, service files and ~/.pgpass work as they do for
psql. pgplanner never stores or prints a password: the error messages come from libpq, which does not
repeat it, and nothing here writes to disk.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SERVER_SETTINGS = (
    "max_connections",
    "superuser_reserved_connections",
    "reserved_connections",  # 16+
    "shared_buffers",
    "work_mem",
    "hash_mem_multiplier",
    "maintenance_work_mem",
    "autovacuum_work_mem",
    "autovacuum_max_workers",
    "max_wal_senders",
    "max_worker_processes",
    "max_parallel_workers",
    "max_parallel_workers_per_gather",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "temp_buffers",
    "effective_cache_size",
    "huge_pages",
    "huge_pages_status",  # 17+
    "shared_memory_size",  # 15+
)
CONNECT_TIMEOUT = 10  # seconds, unless the DSN or PGCONNECT_TIMEOUT says otherwise
WATCH_INTERVAL = 0.25  # seconds between pg_stat_activity samples
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


class ServerError(Exception):
    """A server that cannot be reached or refuses what pgplanner asks, in one line naming the problem."""


def one_line(error: BaseException) -> str:
    """libpq's multi-line messages (one line per address tried) as one line."""
    text = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    return text or type(error).__name__


def connect(dsn: str, dbname: str | None = None) -> Any:
    """An autocommit psycopg connection, or ServerError with libpq's reason (never the password)."""
    import psycopg  # imported here: only probe and measure need it, and it loads libpq
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params: dict[str, Any] = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as error:
        raise ServerError(f"--dsn is not a connection string or URI: {one_line(error)}") from None
    if dbname is not None:
        params["dbname"] = dbname
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    params.setdefault("application_name", "pgplanner")
    try:
        return psycopg.connect(make_conninfo("", **params), autocommit=True)
    except psycopg.Error as error:
        raise ServerError(f"cannot connect: {one_line(error)}") from None


def describe_connection(conn: Any) -> str:
    """``PostgreSQL 15.14 at /var/run/postgresql:5432/postgres``: what the plot and the report call it."""
    info = conn.info
    return f"PostgreSQL {server_version_text(info.server_version)} at {info.host}:{info.port}/{info.dbname}"


def server_version_text(number: int) -> str:
    """160004 -> "16.4"."""
    return f"{number // 10000}.{number % 10000}"


@dataclass
class ConnectionUse:
    """pg_stat_activity, counted: client backends by state, every process by type, clients by user and app."""

    by_state: dict[str, int]
    by_backend_type: dict[str, int]
    by_user: dict[str, int]
    by_application: dict[str, int]
    total: int  # client backends, this probe not counted
    active: int
    idle_in_transaction: int
    max_connections: int
    reserved: int  # superuser_reserved_connections + reserved_connections
    peak_active: int = 0
    peak_total: int = 0
    samples: int = 1
    watched_seconds: float = 0.0

    @property
    def free_slots(self) -> int:
        """Connections an ordinary role can still open (this probe's own connection counted as used)."""
        return max(0, self.max_connections - self.reserved - self.total - 1)


@dataclass
class ServerReport:
    server: dict[str, Any]
    settings: dict[str, str]
    connections: ConnectionUse
    memory: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    local: bool = False  # the server's processes run on this machine

    def scenario_changes(self) -> dict[str, object]:
        """The Scenario inputs the server tells (by flat name); max_connections stays the plan's to choose."""
        major = self.server["major"]
        changes: dict[str, object] = {}
        if 13 <= major <= 18:
            changes["pg_version"] = major
        for flat, name in (("shared_buffers", "shared_buffers"), ("work_mem", "work_mem")):
            if name in self.settings:
                changes[flat] = self.settings[name]
        changes["superuser_reserved"] = int(self.settings["superuser_reserved_connections"])
        if "reserved_connections" in self.settings:
            changes["reserved_connections"] = int(self.settings["reserved_connections"])
        return changes


def probe(
    conn: Any,
    watch: float = 0.0,
    on_sample: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
) -> ServerReport:
    """Everything pgplanner reads from a live server; with ``watch`` seconds, the peak seen while sampling
    (``stop`` ends the watch early, with what was seen so far)."""
    version = conn.info.server_version
    settings = read_settings(conn)
    use = connection_use(conn, settings)
    started = time.monotonic()
    while watch > 0 and (elapsed := time.monotonic() - started) < watch and not (stop and stop.is_set()):
        if on_sample is not None:
            on_sample(elapsed / watch)
        time.sleep(min(WATCH_INTERVAL, max(0.0, watch - elapsed)))
        now = connection_use(conn, settings)
        use.peak_active, use.peak_total = max(use.peak_active, now.active), max(use.peak_total, now.total)
        use.samples += 1
    use.watched_seconds = round(time.monotonic() - started, 1) if watch > 0 else 0.0
    server = {
        "version": conn.execute("SELECT version()").fetchone()[0],
        "version_num": version,
        "major": version // 10000,
        "host": conn.info.host,
        "port": conn.info.port,
        "database": conn.info.dbname,
        "user": conn.info.user,
        "name": describe_connection(conn),
    }
    local = is_local(conn)
    memory, notes = backend_memory(conn, local)
    return ServerReport(server, settings, use, memory, notes, local)


def read_settings(conn: Any) -> dict[str, str]:
    """The plan's settings as SHOW prints them (current_setting), skipping those this version lacks."""
    rows = conn.execute(
        "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)", [list(SERVER_SETTINGS)]
    ).fetchall()
    found = dict(rows)
    return {name: found[name] for name in SERVER_SETTINGS if name in found}


def connection_use(conn: Any, settings: dict[str, str]) -> ConnectionUse:
    rows = conn.execute(
        "SELECT backend_type, coalesce(state, ''), coalesce(usename, ''), coalesce(application_name, '') "
        "FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
    ).fetchall()
    clients = [r for r in rows if r[0] == "client backend"]
    by_state = Counter(r[1] or "unknown" for r in clients)
    reserved = int(settings.get("superuser_reserved_connections", 0)) + int(settings.get("reserved_connections", 0))
    idle_in_transaction = by_state["idle in transaction"] + by_state["idle in transaction (aborted)"]
    return ConnectionUse(
        by_state=dict(by_state.most_common()),
        by_backend_type=dict(Counter(r[0] for r in rows).most_common()),
        by_user=dict(Counter(r[2] for r in clients).most_common()),
        by_application=dict(Counter(r[3] or "(none)" for r in clients).most_common()),
        total=len(clients),
        active=by_state["active"],
        idle_in_transaction=idle_in_transaction,
        max_connections=int(settings["max_connections"]),
        reserved=reserved,
        peak_active=by_state["active"],
        peak_total=len(clients),
    )


def backend_memory(conn: Any, local: bool) -> tuple[dict[str, Any], list[str]]:
    """This probe's own backend from pg_backend_memory_contexts (14+), and the USS/PSS of every backend
    process when the server runs on this machine (psutil reads /proc/<pid>/smaps_rollup)."""
    import psycopg

    memory: dict[str, Any] = {}
    notes: list[str] = []
    if conn.info.server_version >= 140000:
        try:
            total, used = conn.execute(
                "SELECT sum(total_bytes)::bigint, sum(used_bytes)::bigint FROM pg_backend_memory_contexts"
            ).fetchone()
            memory["own_backend_contexts_bytes"] = int(total)
            memory["own_backend_contexts_used_bytes"] = int(used)
        except psycopg.errors.InsufficientPrivilege:
            notes.append("pg_backend_memory_contexts needs a superuser or pg_read_all_stats")
    else:
        notes.append("pg_backend_memory_contexts needs PostgreSQL 14 or later")
    if not local:
        notes.append(f"per-process memory needs the server's processes on this machine (it is at {conn.info.host})")
        return memory, notes
    found, why = local_backends(conn)
    if found is None:
        notes.append(why)
    else:
        memory["local_backends"] = found
    return memory, notes


def is_local(conn: Any) -> bool:
    """The server is reached on this machine and its backend (this connection's) is a process we can see."""
    import psutil

    host = conn.info.host or ""
    if not (host.startswith("/") or host in LOCAL_HOSTS):
        return False
    own = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        return "postgres" in " ".join(psutil.Process(own).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False  # another PID namespace (a container), or a process we may not read


def local_backends(conn: Any) -> tuple[dict[str, Any] | None, str]:
    """USS and PSS of the server's client backends (psutil reads /proc/<pid>/smaps_rollup)."""
    import psutil

    pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'")]
    sizes = []
    try:
        for pid in pids:
            try:
                full = psutil.Process(pid).memory_full_info()
            except psutil.NoSuchProcess:
                continue  # the connection closed while we looked
            sizes.append((full.uss, full.pss))
    except psutil.AccessDenied:
        return None, "per-process memory: not allowed to read the server's processes (run as its user or root)"
    if not sizes:
        return None, "per-process memory: no client backends to measure"
    uss = sorted(s[0] for s in sizes)
    pss = sorted(s[1] for s in sizes)
    return {
        "backends": len(sizes),
        "uss_median_bytes": uss[len(uss) // 2],
        "uss_max_bytes": uss[-1],
        "pss_median_bytes": pss[len(pss) // 2],
        "pss_max_bytes": pss[-1],
    }, ""

"""A live server, read-only: its version, the settings the plan depends on, who is connected, memory.

Every read goes through a :class:`~.session.Session` (read-only transactions, pgplanner's own
statement_timeout). A role with pg_monitor (or pg_read_all_stats) sees every session as a superuser
does; any other role sees the state and type of its own sessions only, so the others are counted as
connected with their state unknown and the report says what the role cannot see, instead of zeros.
A watch survives a server restart: it reconnects, and says how long the server was away.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .session import ConnectionLost, Privileges, ServerError, Session, describe_connection

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
WATCH_INTERVAL = 0.25  # seconds between pg_stat_activity samples
RECONNECT_INTERVAL = 1.0  # seconds between attempts to reach a server that went away during a watch
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")
HIDDEN_TYPE = "hidden from this role"
NEEDS_STATS_ROLE = "grant it pg_monitor (or pg_read_all_stats) to see them"


@dataclass
class ConnectionUse:
    """pg_stat_activity, counted: client backends by state, every process by type, clients by user and app."""

    by_state: dict[str, int]
    by_backend_type: dict[str, int]
    by_user: dict[str, int]
    by_application: dict[str, int]
    total: int  # client backends, this probe not counted (with ``hidden`` among them)
    active: int
    idle_in_transaction: int
    max_connections: int
    reserved: int  # superuser_reserved_connections + reserved_connections
    # Sessions of other roles whose state and type this role may not read (no pg_read_all_stats):
    # counted as connected, in no state. Parallel workers of other roles look the same, so this is
    # at most the number of their client connections.
    hidden: int = 0
    peak_active: int = 0
    peak_total: int = 0
    samples: int = 1
    watched_seconds: float = 0.0

    @property
    def free_slots(self) -> int:
        """Connections an ordinary role can still open (this probe's own connection counted as used)."""
        return max(0, self.max_connections - self.reserved - self.total - 1)

    def seen(self, later: ConnectionUse) -> None:
        """Take a later sample into the peaks."""
        self.peak_active = max(self.peak_active, later.active)
        self.peak_total = max(self.peak_total, later.total)
        self.samples += 1


@dataclass
class ServerReport:
    server: dict[str, Any]
    settings: dict[str, str]
    connections: ConnectionUse
    memory: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    local: bool = False  # the server's processes run on this machine
    privileges: Privileges | None = None
    # Why a watch ended before its time: the server went away and did not come back, or a query failed
    # (``fault``, one line); or a signal stopped it (``interruption`` holds the KeyboardInterrupt, for
    # the caller's exit status).
    fault: str = ""
    interruption: KeyboardInterrupt | None = field(default=None, repr=False)

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
    session: Session,
    watch: float = 0.0,
    on_sample: Callable[[float], None] | None = None,
    stop: threading.Event | None = None,
) -> ServerReport:
    """Everything pgplanner reads from a live server; with ``watch`` seconds, the peak seen while sampling.

    ``stop`` (or Ctrl-C) ends the watch early with what was seen so far; a server that goes away during
    the watch is reconnected to, and the report says so (``fault`` when it never came back).
    """
    privileges = session.privileges()
    settings = read_settings(session)
    version = session.conn.info.server_version
    info = session.conn.info
    server = {
        "version": session.one("SELECT version()", what="the server's version")[0],
        "version_num": version,
        "major": version // 10000,
        "host": info.host,
        "port": info.port,
        "database": info.dbname,
        "user": info.user,
        "name": describe_connection(session.conn),
    }
    local = is_local(session)
    memory, notes = backend_memory(session, local)
    use = connection_use(session, settings)
    if not privileges.reads_all_stats:
        others = {0: "no session of another role is open now", 1: "1 session of another role is counted as connected"}
        counted = others.get(use.hidden, f"{use.hidden} sessions of other roles are counted as connected")
        notes.append(
            f"the role {privileges.role} sees the state, query and type of its own sessions only ({counted}, "
            f"their state unknown); {NEEDS_STATS_ROLE}"
        )
    report = ServerReport(server, settings, use, memory, notes, local, privileges)
    if watch > 0:
        _watch(session, report, watch, on_sample, stop)
    return report


def _watch(
    session: Session,
    report: ServerReport,
    seconds: float,
    on_sample: Callable[[float], None] | None,
    stop: threading.Event | None,
) -> None:
    """Sample pg_stat_activity for ``seconds`` into the report's peaks, through restarts of the server."""
    use, started = report.connections, time.monotonic()
    away_since: float | None = None  # when the connection broke, while the server is still away
    reason = ""
    try:
        while (elapsed := time.monotonic() - started) < seconds and not (stop and stop.is_set()):
            if on_sample is not None:
                on_sample(elapsed / seconds)
            pause = RECONNECT_INTERVAL if away_since is not None else WATCH_INTERVAL
            _pause(min(pause, seconds - elapsed), stop)
            try:
                if away_since is not None:
                    session.reopen()
                    report.notes.append(
                        f"the server went away {away_since - started:.1f} s into the watch ({reason}) and was back "
                        f"{time.monotonic() - away_since:.1f} s later; the peak covers the time it was up"
                    )
                    away_since = None
                use.seen(connection_use(session, report.settings))
            except ConnectionLost as error:
                away_since, reason = time.monotonic(), str(error).split(": ", 1)[-1]
            except ServerError as error:
                if away_since is None:
                    report.fault = f"the watch ended {time.monotonic() - started:.1f} s in: {error}"
                    break
                reason = str(error).split(": ", 1)[-1]  # still away: try again until the watch ends
    except KeyboardInterrupt as interruption:  # Ctrl-C, or SIGTERM/SIGHUP as the CLI raises them
        report.interruption = interruption
    use.watched_seconds = round(time.monotonic() - started, 1)
    if away_since is not None:
        report.fault = (
            f"the server went away {away_since - started:.1f} s into the {seconds:g} s watch and did not come "
            f"back ({reason}); what was seen before is reported"
        )


def _pause(seconds: float, stop: threading.Event | None) -> None:
    if stop is not None:
        stop.wait(max(0.0, seconds))
    else:
        time.sleep(max(0.0, seconds))


def read_settings(session: Session) -> dict[str, str]:
    """The plan's settings as SHOW prints them (current_setting), skipping those this version lacks."""
    rows = session.rows(
        "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
        [list(SERVER_SETTINGS)],
        what="pg_settings",
    )
    found = dict(rows)
    return {name: found[name] for name in SERVER_SETTINGS if name in found}


def connection_use(session: Session, settings: dict[str, str]) -> ConnectionUse:
    """Client backends by state, user and application. Another role's session that this role may not
    read has no backend_type and no state, but its user and database are visible: it counts as
    connected (hidden). Background processes have no database (the logical replication launcher) or
    no user (the checkpointer, autovacuum)."""
    rows = session.rows(
        "SELECT backend_type, coalesce(state, ''), coalesce(usename, ''), coalesce(application_name, ''), "
        "usesysid IS NOT NULL AND datid IS NOT NULL FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
        what="pg_stat_activity",
    )
    visible = [r for r in rows if r[0] == "client backend"]
    hidden = [r for r in rows if r[0] is None and r[4]]
    clients = visible + hidden
    by_state = Counter(r[1] or "unknown" for r in visible)
    reserved = int(settings.get("superuser_reserved_connections", 0)) + int(settings.get("reserved_connections", 0))
    idle_in_transaction = by_state["idle in transaction"] + by_state["idle in transaction (aborted)"]
    return ConnectionUse(
        by_state=dict(by_state.most_common()),
        by_backend_type=dict(Counter(r[0] or HIDDEN_TYPE for r in rows).most_common()),
        by_user=dict(Counter(r[2] for r in clients).most_common()),
        by_application=dict(Counter(r[3] or "(none)" for r in clients).most_common()),
        total=len(clients),
        active=by_state["active"],
        idle_in_transaction=idle_in_transaction,
        max_connections=int(settings["max_connections"]),
        reserved=reserved,
        hidden=len(hidden),
        peak_active=by_state["active"],
        peak_total=len(clients),
    )


def backend_memory(session: Session, local: bool) -> tuple[dict[str, Any], list[str]]:
    """This probe's own backend from pg_backend_memory_contexts (14+), and the USS/PSS of every backend
    process when the server runs on this machine (psutil reads /proc/<pid>/smaps_rollup)."""
    memory: dict[str, Any] = {}
    notes: list[str] = []
    if session.conn.info.server_version >= 140000:
        rows, why = session.optional_rows(
            "SELECT sum(total_bytes)::bigint, sum(used_bytes)::bigint FROM pg_backend_memory_contexts"
        )
        if rows:
            memory["own_backend_contexts_bytes"] = int(rows[0][0])
            memory["own_backend_contexts_used_bytes"] = int(rows[0][1])
        else:
            notes.append(f"pg_backend_memory_contexts needs a superuser (or pg_read_all_stats on 16+): {why}")
    else:
        notes.append("pg_backend_memory_contexts needs PostgreSQL 14 or later")
    if not local:
        host = session.conn.info.host
        notes.append(f"per-process memory needs the server's processes on this machine (it is at {host})")
        return memory, notes
    found, why = local_backends(session)
    if found is None:
        notes.append(why)
    else:
        memory["local_backends"] = found
    return memory, notes


def is_local(session: Session) -> bool:
    """The server is reached on this machine and its backend (this connection's) is a process we can see."""
    import psutil

    host = session.conn.info.host or ""
    if not (host.startswith("/") or host in LOCAL_HOSTS):
        return False
    own = session.one("SELECT pg_backend_pid()", what="this session's process id")[0]
    try:
        return "postgres" in " ".join(psutil.Process(own).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False  # another PID namespace (a container), or a process we may not read


def local_backends(session: Session) -> tuple[dict[str, Any] | None, str]:
    """USS and PSS of the server's client backends (psutil reads /proc/<pid>/smaps_rollup)."""
    import psutil

    pids = [
        r[0]
        for r in session.rows(
            "SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend'", what="pg_stat_activity"
        )
    ]
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

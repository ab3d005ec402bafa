"""The server's own statistics as findings: what each says, over which window, and what it means for the plan.

``probe`` reads the statistics views into the records below; the rules here turn them into
:class:`Finding` s, each with its numbers, the time it covers (since the view's ``stats_reset``) and,
where a statistic decides a value, a suggestion: an input of the scenario (``work_mem``, ``clients``,
``autovacuum_workers``), a postgresql.conf value no input decides (``max_wal_size``), or a statement
(``ALTER ROLE ... SET work_mem`` when one role owns the spills). What could not be read is a finding
too, saying why (no pg_stat_statements, no pg_monitor), never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .derivation import Derivation, exact, n, percent, rounded
from .plan import Plan
from .sources import (
    CACHE_HIT_ARTICLE,
    PG_AUTOVACUUM,
    PG_WAL,
    SPILL_MEASUREMENT,
)
from .units import MB, format_size, human_size, parse_size

# A sort or hash that wrote B bytes to temporary files stays in memory with about this many times B of
# work_mem (measured 0.7-2.5 x over tables; a narrow tuplestore needs more): the margin keeps it there.
IN_MEMORY_FACTOR = 3
# One role "owns" the spills when it wrote at least this share of the temporary bytes: then ALTER ROLE
# gives its sessions the memory, instead of raising work_mem for every connection the plan counts.
ONE_ROLE_SHARE = 0.9
# A work_mem above this share of the memory the plan leaves for connections is no fix: let it spill.
LARGEST_WORK_MEM_SHARE = 0.25
CACHE_HIT_TARGET = 0.99
# The WAL written is averaged over the statistics' window: a shorter one (a server just started, a reset)
# says nothing about the WAL between two checkpoints, only about the last burst.
SHORTEST_WAL_WINDOW = 3600  # seconds
LARGEST_TABLES = 10  # autovacuum is checked on the largest tables of the probed database
SHOWN_TABLES = 3  # named in the message


@dataclass(frozen=True)
class Window:
    """The time a statistic covers: from its view's ``stats_reset`` (None: never reset) to ``now``."""

    since: datetime | None
    now: datetime

    @property
    def seconds(self) -> float | None:
        return None if self.since is None else max(0.0, (self.now - self.since).total_seconds())

    @property
    def iso(self) -> str | None:
        return None if self.since is None else self.since.isoformat(timespec="seconds")

    def words(self) -> str:
        if self.since is None:
            return "since the statistics began (never reset)"
        return f"since {self.since:%Y-%m-%d %H:%M %Z}".rstrip() + f" ({_duration(self.seconds or 0)})"


@dataclass(frozen=True)
class ServerFacts:
    """The server's own settings the rules weigh the statistics against."""

    work_mem: int | None  # bytes, server-wide; None when this session's own value hides it
    max_wal_size: int  # bytes
    checkpoint_timeout: float  # seconds
    completion_target: float
    autovacuum: bool
    autovacuum_max_workers: int
    vacuum_threshold: int
    vacuum_scale_factor: float
    vacuum_max_threshold: int | None = None  # 18+ (-1: no cap)


@dataclass(frozen=True)
class TempFiles:
    files: int
    bytes: int
    window: Window


@dataclass(frozen=True)
class RoleSpill:
    """pg_stat_statements of one role, the statements that wrote temporary files."""

    role: str
    temp_bytes: int
    statements: int
    heaviest_per_call: float  # temporary bytes per call of its heaviest statement
    heaviest_calls: int
    heaviest_query: str  # normalised text, or "<insufficient privilege>"
    work_mem: int | None = None  # the role's own ALTER ROLE ... SET work_mem, in bytes


@dataclass(frozen=True)
class Spills:
    roles: tuple[RoleSpill, ...]  # largest first
    window: Window


@dataclass(frozen=True)
class Checkpoints:
    timed: int
    requested: int
    window: Window
    wal_bytes: int | None = None  # pg_stat_wal (14+), over its own window
    wal_window: Window | None = None


@dataclass(frozen=True)
class Sessions:
    """Client connections seen (pg_stat_activity), now or at the peak of a watch."""

    connected: int
    active: int
    idle_in_transaction: int
    peak_connected: int
    peak_active: int
    peak_idle_in_transaction: int
    samples: int
    watched_seconds: float
    hidden: int  # sessions of other roles whose state this role cannot see
    max_connections: int


@dataclass(frozen=True)
class TableVacuum:
    name: str
    bytes: int
    rows: float  # pg_class.reltuples, the estimate autovacuum reads too
    dead: int
    base_threshold: float  # autovacuum_vacuum_threshold: the table's own, or the server's
    scale_factor: float  # autovacuum_vacuum_scale_factor: the table's own, or the server's
    enabled: bool  # autovacuum_enabled of the table
    last_autovacuum: datetime | None
    max_threshold: float | None = None  # 18+: autovacuum_vacuum_max_threshold

    @property
    def threshold(self) -> float:
        """The dead rows autovacuum waits for (autovacuum.c, relation_needs_vacanalyze)."""
        wanted = self.base_threshold + self.scale_factor * self.rows
        return wanted if self.max_threshold is None or self.max_threshold < 0 else min(wanted, self.max_threshold)


@dataclass(frozen=True)
class Vacuum:
    database: str
    tables: tuple[TableVacuum, ...]  # the largest, largest first
    workers_running: int | None  # None: this role cannot see them
    now: datetime


@dataclass(frozen=True)
class CacheHits:
    hits: int
    reads: int
    window: Window


@dataclass(frozen=True)
class Statistics:
    """Everything read for the findings; a part that could not be read is None, with why in ``unread``."""

    facts: ServerFacts
    sessions: Sessions
    temp_files: TempFiles | None = None
    spills: Spills | None = None
    checkpoints: Checkpoints | None = None
    vacuum: Vacuum | None = None
    cache: CacheHits | None = None
    unread: tuple[tuple[str, str], ...] = ()  # (what, why)


@dataclass(frozen=True)
class Suggestion:
    """What a finding proposes: scenario inputs by flat name, postgresql.conf values, statements to run."""

    scenario: Mapping[str, object] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)
    sql: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.scenario or self.settings or self.sql)


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    numbers: Mapping[str, float | int | None]
    since: str | None  # ISO 8601: the start of the window the numbers cover
    suggests: Suggestion = field(default_factory=Suggestion)
    derivation: Derivation | None = None  # how a suggested value was worked out


NOT_READ = "NOT_READ"


def findings(stats: Statistics, plan: Plan) -> tuple[Finding, ...]:
    """Every statistic read, as findings in the order a DBA reads them; then what could not be read."""
    found = [
        *(_temp_files(stats.temp_files, stats.facts) if stats.temp_files else ()),
        *(_spills(stats.spills, stats.facts, plan) if stats.spills else ()),
        *(_checkpoints(stats.checkpoints, stats.facts) if stats.checkpoints else ()),
        *_sessions(stats.sessions, plan),
        *(_vacuum(stats.vacuum, stats.facts, plan) if stats.vacuum else ()),
        *(_cache(stats.cache) if stats.cache else ()),
    ]
    found += [Finding(NOT_READ, f"{what}: {why}", {}, None) for what, why in stats.unread]
    return tuple(found)


def _temp_files(temp: TempFiles, facts: ServerFacts) -> list[Finding]:
    numbers = {"temp_files": temp.files, "temp_bytes": temp.bytes, "seconds": temp.window.seconds}
    work_mem = f"work_mem {format_size(facts.work_mem)} on this server" if facts.work_mem else "work_mem"
    if not temp.files:
        message = f"no temporary file written {temp.window.words()}: every sort and hash fit in {work_mem}"
    else:
        message = (
            f"{n(temp.files)} temporary files, {human_size(temp.bytes)}, written {temp.window.words()}: sorts and "
            f"hashes that outgrew {work_mem}"
        )
    return [Finding("TEMP_FILES", message, numbers, temp.window.iso)]


def in_memory_work_mem(per_call: float) -> tuple[int, Derivation]:
    """The work_mem that keeps a statement writing ``per_call`` bytes of temporary files in memory."""
    needed = per_call * IN_MEMORY_FACTOR
    chosen = max(MB, 1 << math.ceil(math.log2(max(needed, 1))))
    return chosen, Derivation(
        formula=f"work_mem that keeps a statement in memory = its temporary bytes per call x {IN_MEMORY_FACTOR}, "
        "rounded up to a power of two",
        calculation=rounded(
            f"{human_size(per_call)} x {IN_MEMORY_FACTOR}", needed, chosen, "up to a power of two", human_size
        ),
        inputs={"temporary bytes per call": human_size(per_call)},
        source=SPILL_MEASUREMENT,
    )


def _spills(spills: Spills, facts: ServerFacts, plan: Plan) -> list[Finding]:
    if not spills.roles:
        return []
    total = sum(r.temp_bytes for r in spills.roles)
    top = spills.roles[0]
    one_role = top.temp_bytes >= ONE_ROLE_SHARE * total
    subject = top if one_role else max(spills.roles, key=lambda r: r.heaviest_per_call)
    work_mem, derivation = in_memory_work_mem(subject.heaviest_per_call)
    numbers: dict[str, float | int | None] = {
        "temp_bytes": total,
        "roles": len(spills.roles),
        "statements": sum(r.statements for r in spills.roles),
        "heaviest_bytes_per_call": subject.heaviest_per_call,
        "heaviest_calls": subject.heaviest_calls,
        "share_of_top_role": top.temp_bytes / total if total else None,
        "work_mem_suggested": work_mem,
    }
    query = subject.heaviest_query.strip().replace("\n", " ")
    query = query if len(query) <= 70 else query[:69] + "…"
    owner = "its" if one_role else f"role {subject.role}'s"
    heaviest = (
        f"{owner} heaviest statement writes {human_size(subject.heaviest_per_call)} per call "
        f"({_calls(subject.heaviest_calls)}: {query})"
    )
    who = (
        f"role {top.role} wrote {percent(round(top.temp_bytes / total, 3))} of the {human_size(total)} of temporary "
        f"files pg_stat_statements counts {spills.window.words()}"
        if one_role
        else f"{n(len(spills.roles))} roles wrote {human_size(total)} of temporary files {spills.window.words()} "
        f"({', '.join(f'{r.role} {human_size(r.temp_bytes)}' for r in spills.roles[:SHOWN_TABLES])})"
    )
    since, largest = spills.window.iso, plan.memory.available_bytes * LARGEST_WORK_MEM_SHARE
    current = subject.work_mem if subject.work_mem is not None else facts.work_mem  # its own, else the server's
    planned = _planned_size(plan, "work_mem")
    if work_mem > largest:
        message = (
            f"{who}; {heaviest}: keeping it in memory takes work_mem {human_size(work_mem)}, more than "
            f"{percent(LARGEST_WORK_MEM_SHARE)} of the {human_size(plan.memory.available_bytes)} the plan leaves for "
            f"connections: let it spill, or give it an index or a smaller result"
        )
        return [Finding("SPILLING_QUERIES", message, numbers, since, derivation=derivation)]
    if current is not None and work_mem <= current:
        message = (
            f"{who}; {heaviest}: work_mem {format_size(work_mem)} keeps it in memory, and its sessions have "
            f"{format_size(current)} already: these statistics predate that (pg_stat_statements_reset() starts again)"
        )
        return [Finding("SPILLING_QUERIES", message, numbers, since, derivation=derivation)]
    if one_role:
        statement = f"ALTER ROLE {quote_identifier(top.role)} SET work_mem = '{format_size(work_mem)}'"
        message = (
            f"{who}; {heaviest}: {statement} keeps its sorts and hashes in memory for its sessions only, where a "
            f"global work_mem would count for every one of the plan's {n(plan.max_connections)} connections"
        )
        return [Finding("SPILLING_QUERIES", message, numbers, since, Suggestion(sql=(statement,)), derivation)]
    if planned is not None and planned >= work_mem:
        message = (
            f"{who}; {heaviest}: work_mem {format_size(work_mem)} keeps it in memory, and the plan's "
            f"{format_size(planned)} does (changes.sql sets it)"
        )
        return [Finding("SPILLING_QUERIES", message, numbers, since, derivation=derivation)]
    message = (
        f"{who}; {heaviest}: work_mem {format_size(work_mem)} keeps it in memory (the plan has "
        f"{format_size(planned) if planned else 'none'}; the worst case grows with it)"
    )
    suggestion = Suggestion(scenario={"work_mem": format_size(work_mem)})
    return [Finding("SPILLING_QUERIES", message, numbers, since, suggestion, derivation)]


def _calls(count: int) -> str:
    return "1 call" if count == 1 else f"{n(count)} calls"


def quote_identifier(name: str) -> str:
    """A role name as SQL takes it: in double quotes, inner quotes doubled (always quoted: never a keyword)."""
    return '"' + name.replace('"', '""') + '"'


def _planned_size(plan: Plan, name: str) -> int | None:
    value = next((s.value for s in plan.settings if s.name == name), None)
    try:
        return parse_size(value) if value else None
    except ValueError:
        return None


def wal_for_checkpoints(per_second: float, facts: ServerFacts) -> tuple[float, int, Derivation]:
    """The max_wal_size under which checkpoint_timeout, not WAL, starts every checkpoint at ``per_second``.

    A checkpoint is requested once the WAL since the last one reaches max_wal_size / (1 +
    checkpoint_completion_target) (xlog.c, CalculateCheckpointSegments)."""
    per_timeout = per_second * facts.checkpoint_timeout
    needed = per_timeout * (1 + facts.completion_target)
    chosen = max(64 * MB, 1 << math.ceil(math.log2(max(needed, 1))))
    return (
        per_timeout,
        chosen,
        Derivation(
            formula="max_wal_size = WAL written per checkpoint_timeout x (1 + checkpoint_completion_target), rounded "
            "up to a power of two",
            calculation=rounded(
                f"{human_size(per_timeout)} x (1 + {exact(facts.completion_target)})",
                needed,
                chosen,
                "up to a power of two",
                human_size,
            ),
            inputs={
                "WAL per second": human_size(per_second),
                "checkpoint_timeout": f"{exact(facts.checkpoint_timeout)} s",
                "checkpoint_completion_target": exact(facts.completion_target),
            },
            source=PG_WAL,
        ),
    )


def _checkpoints(points: Checkpoints, facts: ServerFacts) -> list[Finding]:
    total = points.timed + points.requested
    numbers: dict[str, float | int | None] = {
        "timed": points.timed,
        "requested": points.requested,
        "requested_share": points.requested / total if total else None,
        "max_wal_size": facts.max_wal_size,
        "checkpoint_timeout_seconds": facts.checkpoint_timeout,
    }
    counted = (
        f"{n(points.requested)} of {n(total)} checkpoints requested, {n(points.timed)} timed, {points.window.words()}"
        if total
        else f"no checkpoint {points.window.words()}"
    )
    seconds = points.wal_window.seconds if points.wal_window else None
    if points.wal_bytes is None or not seconds or seconds < SHORTEST_WAL_WINDOW:
        why = (
            "pg_stat_wal needs PostgreSQL 14"
            if points.wal_bytes is None
            else "pg_stat_wal was never reset, so its window is unknown"
            if not seconds
            else f"pg_stat_wal covers {_duration(seconds)}, less than the {_duration(SHORTEST_WAL_WINDOW)} an average "
            "needs"
        )
        message = f"{counted}; the WAL written per checkpoint_timeout cannot be worked out ({why})"
        return [Finding("CHECKPOINTS", message, numbers, points.window.iso)]
    per_timeout, chosen, derivation = wal_for_checkpoints(points.wal_bytes / seconds, facts)
    numbers |= {"wal_bytes": points.wal_bytes, "wal_per_checkpoint_timeout": per_timeout, "max_wal_size_needed": chosen}
    wal = f"{human_size(per_timeout)} of WAL per checkpoint_timeout ({exact(facts.checkpoint_timeout)} s) on average"
    if chosen > facts.max_wal_size and points.requested:
        value = format_size(chosen)
        message = (
            f"{counted}; {wal}: max_wal_size {format_size(facts.max_wal_size)} makes WAL start checkpoints before "
            f"the timeout, each one writing every dirty page again; max_wal_size {value} leaves it to the timeout"
        )
        suggestion = Suggestion(settings={"max_wal_size": value}, sql=(f"ALTER SYSTEM SET max_wal_size = '{value}'",))
        return [Finding("CHECKPOINTS", message, numbers, points.window.iso, suggestion, derivation)]
    if points.requested:
        message = (
            f"{counted}; {wal} fits in max_wal_size {format_size(facts.max_wal_size)}: the requested ones came from "
            "bursts of WAL, CHECKPOINT commands, base backups or CREATE DATABASE (log_checkpoints names each cause)"
        )
    else:
        message = f"{counted}; {wal} fits in max_wal_size {format_size(facts.max_wal_size)}"
    return [Finding("CHECKPOINTS", message, numbers, points.window.iso, derivation=derivation)]


def _sessions(use: Sessions, plan: Plan) -> list[Finding]:
    watched = use.samples > 1
    numbers: dict[str, float | int | None] = {
        "connected": use.connected,
        "active": use.active,
        "idle_in_transaction": use.idle_in_transaction,
        "peak_connected": use.peak_connected,
        "peak_active": use.peak_active,
        "peak_idle_in_transaction": use.peak_idle_in_transaction,
        "samples": use.samples,
        "watched_seconds": use.watched_seconds,
        "hidden": use.hidden,
        "max_connections": use.max_connections,
    }
    hidden = f", the state of {n(use.hidden)} hidden from this role" if use.hidden else ""
    if watched:
        seen = (
            f"at most {n(use.peak_connected)} connected and {n(use.peak_active)} active in "
            f"{exact(use.watched_seconds)} s of watching{hidden}"
        )
    else:
        seen = (
            f"{n(use.connected)} connected and {n(use.active)} active now{hidden} (one look: watching finds the peak)"
        )
    budget = (
        f"max_connections {n(use.max_connections)} on the server, {n(plan.max_connections)} in the plan, whose "
        f"budget counts {n(plan.client_demand)} client connections"
    )
    suggestion = Suggestion()
    if watched and plan.scenario.pooler.kind == "none" and use.peak_connected and not use.hidden:
        suggestion = Suggestion(scenario={"clients": use.peak_connected})
        budget += f": planning for the {n(use.peak_connected)} seen sets the client line and the budget to match"
    elif watched and plan.scenario.pooler.kind != "none":
        budget += f"; behind the pooler, {n(use.peak_active)} active at the peak against a pool of {n(plan.pool_size)}"
    found = [Finding("SESSIONS", f"{seen}; {budget}", numbers, None, suggestion)]
    idle = max(use.idle_in_transaction, use.peak_idle_in_transaction)
    if idle:
        found.append(
            Finding(
                "IDLE_IN_TRANSACTION",
                f"{n(idle)} sessions idle in a transaction{' at the peak' if watched else ' now'}: each holds a "
                "connection slot and its locks, and keeps vacuum from removing rows its snapshot may still see; "
                "idle_in_transaction_session_timeout ends them",
                {"idle_in_transaction": idle},
                None,
            )
        )
    return found


def _vacuum(vacuum: Vacuum, facts: ServerFacts, plan: Plan) -> list[Finding]:
    tables = vacuum.tables
    behind = [t for t in tables if t.dead > t.threshold]
    numbers: dict[str, float | int | None] = {
        "tables_read": len(tables),
        "tables_behind": len(behind),
        "dead_rows_behind": sum(t.dead for t in behind),
        "workers_running": vacuum.workers_running,
        "autovacuum_max_workers": facts.autovacuum_max_workers,
    }
    where = f"the {n(len(tables))} largest tables of database {vacuum.database}"
    if not tables:
        return [Finding("AUTOVACUUM", f"no tables in database {vacuum.database} to check", numbers, None)]
    if not facts.autovacuum:
        message = f"autovacuum is off on this server: dead rows pile up in {where} until a manual VACUUM"
        return [Finding("AUTOVACUUM", message, numbers, None)]
    if not behind:
        message = f"autovacuum keeps up with {where}: none has more dead rows than it waits for"
        return [Finding("AUTOVACUUM", message, numbers, None)]
    shown = "; ".join(_table_words(t, vacuum.now) for t in behind[:SHOWN_TABLES])
    message = (
        f"{n(len(behind))} of {where} have more dead rows than autovacuum waits for (autovacuum_vacuum_threshold "
        f"{n(facts.vacuum_threshold)} + autovacuum_vacuum_scale_factor {exact(facts.vacuum_scale_factor)} x rows): "
        f"{shown}"
    )
    suggestion = Suggestion()
    busy = vacuum.workers_running is not None and vacuum.workers_running >= facts.autovacuum_max_workers
    if busy and any(t.enabled for t in behind):
        workers = facts.autovacuum_max_workers + 1
        suggestion = Suggestion(scenario={"autovacuum_workers": workers})
        message += (
            f"; all {n(facts.autovacuum_max_workers)} workers are busy: one more worker ({n(workers)}) lets it reach "
            "them sooner (the plan counts its memory)"
        )
    elif any(t.enabled for t in behind):
        message += "; a higher autovacuum_vacuum_cost_limit lets each run finish sooner"
    first = behind[0]
    expression = f"{exact(first.base_threshold)} + {exact(first.scale_factor)} x {n(round(first.rows))}"
    calculation = rounded(
        expression,
        first.base_threshold + first.scale_factor * round(first.rows),
        round(first.threshold),
        "to a whole row",
    )
    if first.threshold < first.base_threshold + first.scale_factor * first.rows:
        calculation = f"min({expression}, {n(round(first.max_threshold or 0))}) = {n(round(first.threshold))}"
    derivation = Derivation(
        formula="dead rows autovacuum waits for = autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor x "
        "rows (the table's own values where it sets them; at most autovacuum_vacuum_max_threshold from 18)",
        calculation=f"{first.name}: {calculation}",
        source=PG_AUTOVACUUM,
    )
    return [Finding("AUTOVACUUM", message, numbers, None, suggestion, derivation)]


def _table_words(table: TableVacuum, now: datetime) -> str:
    if not table.enabled:
        last = "autovacuum is off for it (autovacuum_enabled = false)"
    elif table.last_autovacuum is None:
        last = "never autovacuumed"
    else:
        last = f"last autovacuumed {_duration((now - table.last_autovacuum).total_seconds())} ago"
    waits = n(round(table.threshold))
    return f"{table.name} ({human_size(table.bytes)}): {n(table.dead)} dead rows, autovacuum waits for {waits}; {last}"


def _cache(cache: CacheHits) -> list[Finding]:
    looked = cache.hits + cache.reads
    if not looked:
        return []
    ratio = cache.hits / looked
    numbers = {"blks_hit": cache.hits, "blks_read": cache.reads, "ratio": ratio}
    shown = f"{ratio * 100:.1f} %"
    message = (
        f"{shown} of block reads found in shared_buffers {cache.window.words()} ({n(cache.reads)} read from the "
        "OS cache or the disk)"
    )
    if ratio < CACHE_HIT_TARGET:
        message += (
            f": under {percent(CACHE_HIT_TARGET)}, the data read most is larger than shared_buffers (the OS cache may "
            "still hold it: these reads count both)"
        )
    derivation = Derivation(
        formula="cache hit ratio = blks_hit / (blks_hit + blks_read)",
        calculation=f"{n(cache.hits)} / ({n(cache.hits)} + {n(cache.reads)}) = {shown}",
        source=CACHE_HIT_ARTICLE,
    )
    return [Finding("CACHE_HIT_RATIO", message, numbers, cache.window.iso, derivation=derivation)]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"

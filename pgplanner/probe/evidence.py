"""Read the server's statistics views into :class:`~..model.evidence.Statistics`.

Each part is read on its own: a view this release lacks, a module not loaded or a privilege the role
lacks leaves that part out with the reason (``unread``), and the rest is still read. Everything goes
through the probing :class:`~.session.Session`: read-only, its own statement_timeout. The largest
tables are found from pg_class.relpages (no file is stat'ed for the thousands of tables a production
database may have), and only those ten are measured.
"""

from __future__ import annotations

from datetime import datetime

from ..model.evidence import (
    LARGEST_TABLES,
    CacheHits,
    Checkpoints,
    RoleSpill,
    ServerFacts,
    Sessions,
    Spills,
    Statistics,
    TableVacuum,
    TempFiles,
    Vacuum,
    Window,
)
from ..model.server_diff import SESSION_SOURCES, boolean, elements, in_base_unit, unit_size
from .diff import read_overrides
from .server import NEEDS_STATS_ROLE, ServerReport
from .session import Session

CHECKPOINTER_FROM = 17  # pg_stat_checkpointer; pg_stat_bgwriter held the counts before
WAL_STATS_FROM = 14  # pg_stat_wal
STATEMENTS_INFO_FROM = 14  # pg_stat_statements_info (its stats_reset)
MODULE = "pg_stat_statements"

FACTS = (
    "work_mem",
    "max_wal_size",
    "checkpoint_timeout",
    "checkpoint_completion_target",
    "autovacuum",
    "autovacuum_max_workers",
    "autovacuum_vacuum_threshold",
    "autovacuum_vacuum_scale_factor",
    "autovacuum_vacuum_max_threshold",
)

DATABASES = (
    "SELECT coalesce(sum(temp_files), 0)::bigint, coalesce(sum(temp_bytes), 0)::bigint, "
    "coalesce(sum(blks_hit), 0)::bigint, coalesce(sum(blks_read), 0)::bigint, "
    "CASE WHEN bool_and(stats_reset IS NOT NULL) THEN min(stats_reset) END "
    "FROM pg_stat_database WHERE datname IS NOT NULL"
)
# Per role: the temporary blocks of its statements, and its heaviest statement by blocks per call.
SPILLS = """
WITH s AS (
    SELECT userid, temp_blks_written, calls, query, temp_blks_written::float8 / greatest(calls, 1) AS per_call
    FROM {schema}.pg_stat_statements WHERE temp_blks_written > 0
), heaviest AS (
    SELECT DISTINCT ON (userid) userid, per_call, calls, query FROM s ORDER BY userid, per_call DESC
)
SELECT coalesce(r.rolname, s.userid::text), sum(s.temp_blks_written)::bigint, count(*), h.per_call, h.calls,
       coalesce(h.query, '')
FROM s JOIN heaviest h USING (userid) LEFT JOIN pg_roles r ON r.oid = s.userid
GROUP BY 1, h.per_call, h.calls, h.query ORDER BY 2 DESC
"""
TABLES = """
SELECT format('%%I.%%I', t.schemaname, t.relname), pg_total_relation_size(t.relid), c.reltuples, t.n_dead_tup,
       t.last_autovacuum, o.enabled, o.threshold, o.scale
FROM (SELECT oid, reltuples, reloptions FROM pg_class WHERE relkind IN ('r', 'm') ORDER BY relpages DESC LIMIT %s) c
JOIN pg_stat_user_tables t ON t.relid = c.oid
CROSS JOIN LATERAL (
    SELECT max(option_value) FILTER (WHERE option_name = 'autovacuum_enabled') AS enabled,
           max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_threshold') AS threshold,
           max(option_value) FILTER (WHERE option_name = 'autovacuum_vacuum_scale_factor') AS scale
    FROM pg_options_to_table(c.reloptions)
) o
ORDER BY 2 DESC
"""


def read_statistics(session: Session, report: ServerReport) -> Statistics:
    """Every statistic the findings use; a part that cannot be read is None and said in ``unread``."""
    version = session.conn.info.server_version // 10000
    now: datetime = session.one("SELECT now()", what="the server's clock")[0]
    facts = _facts(session)
    unread: list[tuple[str, str]] = []
    temp, cache = _databases(session, now)
    spills = _spills(session, now, version, unread)
    checkpoints = _checkpoints(session, now, version)
    vacuum = _vacuum(session, now, facts, report)
    if report.privileges is not None and not report.privileges.reads_all_stats:
        unread.append(
            (
                "the state of other roles' sessions and the autovacuum workers at work",
                f"the role {report.privileges.role} sees its own sessions only; {NEEDS_STATS_ROLE}",
            )
        )
    return Statistics(facts, _sessions(report), temp, spills, checkpoints, vacuum, cache, tuple(unread))


def _facts(session: Session) -> ServerFacts:
    rows = session.rows(
        "SELECT name, setting, unit, source FROM pg_settings WHERE name = ANY(%s)", [list(FACTS)], what="pg_settings"
    )
    raw = {name: setting for name, setting, _, _ in rows}
    units = {name: unit for name, _, unit, _ in rows}
    own = {name for name, _, _, source in rows if source in SESSION_SOURCES}  # hides the server-wide value

    def measured(name: str) -> float:
        """A memory setting in bytes, a time in seconds, whatever the base unit (8kB pages, MB, s)."""
        size = unit_size(units[name] or "")
        amount = float(raw[name]) * (size[0] if size else 1)
        return amount / 1000 if size and size[1] == "time" else amount

    limit = raw.get("autovacuum_vacuum_max_threshold")  # 18+
    return ServerFacts(
        work_mem=None if "work_mem" in own else int(measured("work_mem")),
        max_wal_size=int(measured("max_wal_size")),
        checkpoint_timeout=measured("checkpoint_timeout"),
        completion_target=float(raw["checkpoint_completion_target"]),
        autovacuum=raw["autovacuum"] == "on",
        autovacuum_max_workers=int(raw["autovacuum_max_workers"]),
        vacuum_threshold=int(raw["autovacuum_vacuum_threshold"]),
        vacuum_scale_factor=float(raw["autovacuum_vacuum_scale_factor"]),
        vacuum_max_threshold=int(limit) if limit is not None else None,
    )


def _databases(session: Session, now: datetime) -> tuple[TempFiles, CacheHits]:
    files, size, hits, reads, since = session.one(DATABASES, what="pg_stat_database")
    window = Window(since, now)
    return TempFiles(int(files), int(size), window), CacheHits(int(hits), int(reads), window)


def _spills(session: Session, now: datetime, version: int, unread: list[tuple[str, str]]) -> Spills | None:
    what = "the statements that spill to disk (pg_stat_statements)"
    found = session.rows(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
        [MODULE],
        what="pg_extension",
    )
    database = session.conn.info.dbname
    if not found:
        shown, _ = session.optional_rows("SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'")
        create = f"CREATE EXTENSION {MODULE}"
        if shown and MODULE not in elements(shown[0][0]):
            why = f"{MODULE} is not in shared_preload_libraries (loading it needs a restart), nor created ({create})"
        elif shown:
            why = f"{MODULE} is loaded but not created in database {database}: {create}"
        else:  # the setting is hidden from a role without pg_read_all_settings
            why = f"{MODULE} is not created in database {database} ({create}; it must be in shared_preload_libraries)"
        unread.append((what, why))
        return None
    from psycopg import sql

    schema = sql.Identifier(found[0][0])
    block = int(session.one("SELECT current_setting('block_size')", what="block_size")[0])
    rows, why = session.optional_rows(sql.SQL(SPILLS).format(schema=schema), what=MODULE)
    if rows is None:
        unread.append((what, why))
        return None
    since = None
    if version >= STATEMENTS_INFO_FROM:
        info, _ = session.optional_rows(sql.SQL("SELECT stats_reset FROM {}.pg_stat_statements_info").format(schema))
        since = info[0][0] if info else None
    own = {o.role: o for o in read_overrides(session, ["work_mem"]) if o.database in (None, database) and o.role}
    roles = tuple(
        RoleSpill(
            role=role,
            temp_bytes=int(blocks) * block,
            statements=int(count),
            heaviest_per_call=float(per_call) * block,
            heaviest_calls=int(calls),
            heaviest_query=query,
            work_mem=_bytes(own[role].value) if role in own else None,
        )
        for role, blocks, count, per_call, calls, query in rows
    )
    return Spills(roles, Window(since, now))


def _bytes(work_mem: str) -> int | None:
    """A role's work_mem as ALTER ROLE wrote it (``64MB``, or kB without a unit), in bytes."""
    kilobytes = in_base_unit(work_mem, "kB")
    return None if kilobytes is None else int(kilobytes * 1024)


def _checkpoints(session: Session, now: datetime, version: int) -> Checkpoints:
    view = (
        "SELECT num_timed, num_requested, stats_reset FROM pg_stat_checkpointer"
        if version >= CHECKPOINTER_FROM
        else "SELECT checkpoints_timed, checkpoints_req, stats_reset FROM pg_stat_bgwriter"
    )
    timed, requested, since = session.one(view, what=view.rsplit(" ", 1)[-1])
    wal_bytes, wal_window = None, None
    if version >= WAL_STATS_FROM:
        wal, wal_since = session.one("SELECT wal_bytes, stats_reset FROM pg_stat_wal", what="pg_stat_wal")
        wal_bytes, wal_window = int(wal), Window(wal_since, now)
    return Checkpoints(int(timed), int(requested), Window(since, now), wal_bytes, wal_window)


def _vacuum(session: Session, now: datetime, facts: ServerFacts, report: ServerReport) -> Vacuum:
    rows = session.rows(TABLES, [LARGEST_TABLES], what="pg_stat_user_tables")
    tables = tuple(
        TableVacuum(
            name=name,
            bytes=int(size or 0),
            rows=max(0.0, float(tuples)),
            dead=int(dead or 0),
            base_threshold=float(threshold) if threshold is not None else facts.vacuum_threshold,
            scale_factor=float(scale) if scale is not None else facts.vacuum_scale_factor,
            enabled=boolean(enabled or "on") is not False,
            last_autovacuum=last,
            max_threshold=facts.vacuum_max_threshold,
        )
        for name, size, tuples, dead, last, enabled, threshold, scale in rows
    )
    running = None
    if report.privileges is None or report.privileges.reads_all_stats:
        running = int(
            session.one(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'",
                what="pg_stat_activity",
            )[0]
        )
    return Vacuum(session.conn.info.dbname, tables, running, now)


def _sessions(report: ServerReport) -> Sessions:
    use = report.connections
    return Sessions(
        connected=use.total,
        active=use.active,
        idle_in_transaction=use.idle_in_transaction,
        peak_connected=use.peak_total,
        peak_active=use.peak_active,
        peak_idle_in_transaction=use.peak_idle_in_transaction,
        samples=use.samples,
        watched_seconds=use.watched_seconds,
        hidden=use.hidden,
        max_connections=use.max_connections,
    )

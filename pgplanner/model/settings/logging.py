"""Logging and statistics: what a DBA wants in the log and in the statistics views from day one.

Checkpoints, slow statements, lock waits, temporary files and long autovacuum runs are the evidence
the other groups' numbers are checked against (max_wal_size, work_mem, the autovacuum budget);
pg_stat_statements and track_io_timing say which queries cost what. All of it is a function of the
release and the profile, made once per combination.
"""

from __future__ import annotations

from functools import cache

from ..defaults import PRELOADED_LIBRARY as LIBRARY
from ..derivation import listing
from ..sources import DEBIAN_POSTGRESQL, PG_LOGGING, PG_STAT_STATEMENTS, PG_STATISTICS
from .base import Declaration, Made, Parameter, Setting, SettingsInput, explain, present

DECLARED = Declaration(
    "logging",
    "Logging and statistics",
    {
        "log_line_prefix": Parameter(13, "reload"),
        "log_checkpoints": Parameter(13, "reload"),
        "log_min_duration_statement": Parameter(13, "reload"),
        "log_lock_waits": Parameter(13, "reload"),
        "log_temp_files": Parameter(13, "reload"),
        "log_autovacuum_min_duration": Parameter(13, "reload"),
        "track_io_timing": Parameter(13, "reload"),
        "shared_preload_libraries": Parameter(13, "restart"),
    },
)

# Time, process, and for sessions user@database: Debian's packaged postgresql.conf line.
LOG_LINE_PREFIX = "%m [%p] %q%u@%d "
# Statements slower than this are logged with their text and duration: what is slow for the profile.
SLOW_STATEMENT = {"web": "500ms", "oltp": "500ms", "mixed": "1s", "analytics": "10s", "desktop": "1s"}
# Temporary files (sorts and hashes beyond work_mem) from this size on; analytics spills by design.
TEMP_FILES = {"analytics": "1GB"}
TEMP_FILES_DEFAULT = "0"
AUTOVACUUM_RUNS = "1min"
DEFAULTS_RAISED_IN = 15  # 15 turned log_checkpoints on and logs autovacuum runs over 10 min
QUERY_ID_FROM = 14  # compute_query_id = auto computes the query id once pg_stat_statements is loaded

SLOW_FORMULA = f"log_min_duration_statement by profile: {listing(SLOW_STATEMENT)}"
TEMP_FILES_FORMULA = f"log_temp_files by profile: {listing(TEMP_FILES)}, else {TEMP_FILES_DEFAULT} (every file)"


def recommend(inp: SettingsInput) -> Made:
    return _by_facts(inp.scenario.hardware.pg_version, inp.scenario.workload.profile)


@cache
def _by_facts(version: int, profile: str) -> tuple[Setting, ...]:
    setting, raised = DECLARED.setting, version >= DEFAULTS_RAISED_IN
    before = "" if raised else f"; off before {DEFAULTS_RAISED_IN}, so {version} needs it written"
    slow, temp = SLOW_STATEMENT[profile], TEMP_FILES.get(profile, TEMP_FILES_DEFAULT)
    query_id = (
        f"compute_query_id = auto (from {QUERY_ID_FROM}) gives each statement its query id in pg_stat_activity"
        if version >= QUERY_ID_FROM
        else f"on {version} the module computes its own query ids"
    )
    return tuple(present([
        setting(version, "log_line_prefix", LOG_LINE_PREFIX, explain(
            f"log_line_prefix = '{LOG_LINE_PREFIX}'", "time with milliseconds, process id, then user@database",
            "the process id ties a log line to pg_stat_activity and to the lines of the same session",
            source=DEBIAN_POSTGRESQL)),
        setting(version, "log_checkpoints", "on", explain(
            "log_checkpoints = on", "one line per checkpoint: what started it (time or wal), buffers written, timing",
            f"the check on max_wal_size and checkpoint_timeout: 'checkpoint starting: wal' means WAL ran out first"
            f"{before}", source=PG_LOGGING)),
        setting(version, "log_min_duration_statement", slow, explain(
            SLOW_FORMULA, f"{profile}: {slow}",
            "each slower statement is logged with its text and duration, which pg_stat_statements' averages hide",
            inputs={"profile": profile}, source=PG_LOGGING)),
        setting(version, "log_lock_waits", "on", explain(
            "log_lock_waits = on", "a wait longer than deadlock_timeout (1 s) is logged with who holds the lock",
            "lock queues behind a long transaction or a migration show up here first", source=PG_LOGGING)),
        setting(version, "log_temp_files", temp, explain(
            TEMP_FILES_FORMULA, f"{profile}: {temp}",
            "a temporary file is a sort or hash that did not fit in work_mem: the evidence for raising it for the "
            "role or query that spills", inputs={"profile": profile}, source=PG_LOGGING)),
        setting(version, "log_autovacuum_min_duration", AUTOVACUUM_RUNS, explain(
            f"log_autovacuum_min_duration = {AUTOVACUUM_RUNS}",
            "every autovacuum or autoanalyze run of a minute or more is logged with what it removed",
            f"the large tables whose vacuum falls behind; {DEFAULTS_RAISED_IN} logs runs over 10 min by default, "
            "earlier releases none", source=PG_LOGGING)),
        setting(version, "track_io_timing", "on", explain(
            "track_io_timing = on", "time spent reading and writing blocks, in pg_stat_statements and EXPLAIN",
            "it reads the clock twice per I/O: pg_test_timing shows whether the clock is cheap here (it is on "
            "current hardware with the tsc clock source)", source=PG_STATISTICS)),
        setting(version, "shared_preload_libraries", LIBRARY, explain(
            f"shared_preload_libraries = '{LIBRARY}'", "statistics of every statement, normalised, since the restart",
            f"then CREATE EXTENSION {LIBRARY}; in the database you query it from; {query_id}; this line replaces any "
            "shared_preload_libraries of postgresql.conf, so list modules already there (timescaledb, pg_cron) here "
            "too, or the server starts without them", source=PG_STAT_STATEMENTS)),
    ]))  # fmt: skip

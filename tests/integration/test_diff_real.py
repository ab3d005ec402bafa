"""probe --diff and the evidence against real servers (15 and 18), staged as a DBA's server would be.

One staged server per version, shared by the tests that only read it: configured with the plan's own
postgresql.conf, then changed in known ways (ALTER SYSTEM applied, ALTER SYSTEM waiting for a restart,
a postgresql.conf line, a role's and a database's override, the command line), pg_stat_statements
loaded from the first start, a role whose query spills to disk, forced checkpoints, a table autovacuum
may not touch, and logins for a pg_monitor-only role and a role with no privileges. The round trip
through changes.sql and rollback.sql restarts its server, so it has its own cluster.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pgplanner.model import Plan, Scenario, plan
from tests.cli.runner import run
from tests.ui import adapter as a

from . import real
from .helpers import export_for

pytestmark = pytest.mark.integration

# The plan compared with: fixed hardware given as options (they win over this machine's, which a probe of
# a local server fills in), small enough for a test cluster.
PLAN = {"cores": 2, "ram": "2GB", "storage": "ssd", "platform": "linux", "pooler": "none", "clients": 20}
SPILLING_QUERY = "SELECT count(*) FROM (SELECT * FROM spill_source ORDER BY k OFFSET 0) s WHERE s IS NOT NULL"
FORCED_CHECKPOINTS = 3


def options(**more: object) -> list[str]:
    return [arg for key, value in {**PLAN, **more}.items() for arg in (f"--{key.replace('_', '-')}", str(value))]


def dsn(cluster: real.Cluster, user: str = real.SERVER_USER, dbname: str = "postgres") -> str:
    return f"host={cluster.sockets} port={real.PG_PORT} user={user} dbname={dbname}"


def planned(major: int) -> Plan:
    return plan(Scenario().with_changes(pg_version=major, **PLAN))


def value_of(result: Plan, name: str) -> str:
    return next(s.value for s in result.settings if s.name == name)


def context(result: Plan, name: str) -> str:
    return next(s.context for s in result.settings if s.name == name)


@dataclass
class Staged:
    cluster: real.Cluster
    plan: Plan
    changed: set[str]  # the settings staged to differ from the plan (the command line's included)
    command_line: set[str]  # of those, the ones the server's command line sets (listen_addresses in tests)

    @property
    def restart(self) -> set[str]:
        """The staged differences that need a restart: max_connections, and a postmaster setting of the
        command line (the server counts it pending too, its file's value differing from the one in force)."""
        return {"max_connections"} | {n for n in self.command_line if context(self.plan, n) == "restart"}


def stage_roles_and_workload(cluster: real.Cluster) -> None:
    cluster.sql(
        "CREATE EXTENSION pg_stat_statements",
        "CREATE ROLE monitor LOGIN IN ROLE pg_monitor",
        "CREATE ROLE plain LOGIN",
        "CREATE ROLE app LOGIN",
        "CREATE ROLE spiller LOGIN",
        "ALTER ROLE app SET work_mem = '64MB'",
        "ALTER DATABASE postgres SET random_page_cost = 3",
        "CREATE TABLE spill_source AS SELECT (random() * 1e9)::int AS k, repeat('x', 100) AS pad "
        "FROM generate_series(1, 300000)",  # 34 MB: spills beyond any work_mem staged here
        "GRANT SELECT ON spill_source TO spiller",
        "CREATE TABLE dead_rows WITH (autovacuum_enabled = false) AS SELECT generate_series(1, 50000) AS i",
        "DELETE FROM dead_rows WHERE i % 2 = 0",
        "ANALYZE spill_source, dead_rows",
        "SELECT pg_stat_statements_reset()",
    )
    with cluster.connect(user="spiller", autocommit=True) as spiller:
        for _ in range(3):
            spiller.execute(SPILLING_QUERY)
    for _ in range(FORCED_CHECKPOINTS):
        cluster.sql("CHECKPOINT")


def wait_for_stats(cluster: real.Cluster, query: str) -> None:
    """Sessions flush their statistics as they end (at most a second later): wait until ``query`` sees them."""
    deadline = time.monotonic() + 10
    while not cluster.sql(query)[0][0]:
        assert time.monotonic() < deadline, f"the statistics never showed: {query}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def staged(runner: real.Runner, pg_bin: Path, template: Path, server_major: int) -> Iterator[Staged]:
    result = planned(server_major)
    with runner.workdir() as folder, real.cluster(runner, pg_bin, template, folder) as cluster:
        bundle = export_for(runner, folder, result)
        cluster.include(bundle / "postgresql" / "postgresql.conf")
        with (cluster.data / "postgresql.conf").open("a") as conf:
            # after the plan's lines: a value of postgresql.conf itself, and the module the evidence reads
            conf.write("checkpoint_completion_target = 0.5\nshared_preload_libraries = 'pg_stat_statements'\n")
        cluster.start()
        maximum = int(value_of(result, "max_connections"))
        cluster.sql(
            "ALTER SYSTEM SET work_mem = '9MB'",  # in force after the reload
            f"ALTER SYSTEM SET max_connections = {maximum + 7}",  # waits for a restart
            "SELECT pg_reload_conf()",
        )
        stage_roles_and_workload(cluster)
        wait_for_stats(cluster, "SELECT sum(temp_files) > 0 FROM pg_stat_database")
        command_line = {
            name for (name,) in cluster.sql("SELECT name FROM pg_settings WHERE source = 'command line'")
        } & {s.name for s in result.settings}
        differ = {n for n in command_line if cluster.sql(f"SHOW {n}")[0][0] != value_of(result, n)}
        yield Staged(cluster, result, {"work_mem", "max_connections", "checkpoint_completion_target"} | differ, differ)


def probed(staged: Staged, user: str, *more: str) -> dict:
    done = run("probe", "--dsn", dsn(staged.cluster, user), "--diff", "--json", *options(), *more)
    assert done.status == 0, done.stderr
    return done.json()


def shown_on_template1(cluster: real.Cluster, name: str) -> str:
    """SHOW in a session no database or role override reaches; tcp_* read as 0 over a socket, so their
    value at the session's start."""
    with cluster.connect(dbname="template1", autocommit=True) as conn:
        if name.startswith("tcp_"):
            return conn.execute("SELECT reset_val FROM pg_settings WHERE name = %s", [name]).fetchone()[0]
        return conn.execute(f"SHOW {name}").fetchone()[0]


def test_the_diff_names_exactly_the_staged_changes_with_the_values_show_reports(staged):
    report = probed(staged, real.SERVER_USER)
    rows = {row["name"]: row for row in report["diff"]}
    assert set(rows) == staged.changed
    summary = report["diff_summary"]
    assert summary["equal"] == len(staged.plan.settings) - len(staged.changed)
    for row in report["diff"]:
        if row["source"] != "command line" and not row["name"].startswith("tcp_"):
            assert row["server"] == shown_on_template1(staged.cluster, row["name"]), row["name"]
        assert row["plan"] == value_of(staged.plan, row["name"])
        assert row["derivation"]["formula"] and row["context"] in ("restart", "reload")
    assert (rows["work_mem"]["server"], rows["work_mem"]["source"]) == ("9MB", "ALTER SYSTEM")
    assert rows["work_mem"]["source_file"].endswith("postgresql.auto.conf:3")
    assert rows["checkpoint_completion_target"]["source"] == "configuration file"
    waiting = rows["max_connections"]
    maximum = int(value_of(staged.plan, "max_connections"))
    assert waiting["server"] == str(maximum) and waiting["pending_restart"] and waiting["pending"] == str(maximum + 7)
    assert summary["restart"] == ["max_connections"]  # the command line's are not for changes.sql
    assert set(summary["pending_restart"]) == staged.restart
    overrides = {(o["name"], o["role"], o["database"], o["value"]) for o in summary["overrides"]}
    assert overrides == {("work_mem", "app", None, "64MB"), ("random_page_cost", None, "postgres", "3")}


def test_a_pg_monitor_role_reads_the_same_diff_and_says_what_it_cannot_know(staged):
    superuser = {row["name"]: row for row in probed(staged, real.SERVER_USER)["diff"]}
    report = probed(staged, "monitor")
    rows = {row["name"]: row for row in report["diff"]}
    # the database override hides the server-wide random_page_cost from a session in that database
    assert set(rows) == staged.changed | {"random_page_cost"}
    assert rows["random_page_cost"]["server"] is None and "database override" in rows["random_page_cost"]["note"]
    for name in staged.changed:
        for key in ("server", "source", "source_file", "pending_restart", "plan"):
            assert rows[name][key] == superuser[name][key], (name, key)
    assert rows["max_connections"]["pending"] is None and "cannot read" in rows["max_connections"]["note"]
    assert "only a superuser" in " ".join(report["diff_summary"]["notes"])


def test_evidence_from_the_staged_workload(staged):
    report = probed(staged, "monitor")
    found = {f["code"]: f for f in report["evidence"]}
    assert found["TEMP_FILES"]["numbers"]["temp_files"] > 0
    spills = found["SPILLING_QUERIES"]
    assert spills["numbers"]["share_of_top_role"] == 1 and "role spiller wrote 100 %" in spills["message"]
    (statement,) = spills["suggests"]["sql"]
    assert statement.startswith('ALTER ROLE "spiller" SET work_mem = ') and not spills["suggests"]["scenario"]
    assert spills["since"] is not None  # pg_stat_statements_info's stats_reset
    checkpoints = found["CHECKPOINTS"]
    assert checkpoints["numbers"]["requested"] >= FORCED_CHECKPOINTS and checkpoints["since"]
    assert "less than the 60 min an average needs" in checkpoints["message"]  # a fresh server: no WAL rate yet
    assert not checkpoints["suggests"]["settings"]
    vacuum = found["AUTOVACUUM"]
    assert vacuum["numbers"]["tables_behind"] == 1 and "public.dead_rows" in vacuum["message"]
    assert "25,000 dead rows, autovacuum waits for 5,050" in vacuum["message"]  # 50 + 0.2 x 25,000
    assert 0 < found["CACHE_HIT_RATIO"]["numbers"]["ratio"] <= 1
    assert "NOT_READ" not in found  # pg_monitor is enough


def test_a_role_without_privileges_is_told_what_it_cannot_read(staged):
    without = {f["code"]: f for f in probed(staged, "plain")["evidence"]}
    assert "grant it pg_monitor" in without["NOT_READ"]["message"]
    assert without["AUTOVACUUM"]["numbers"]["workers_running"] is None  # unknown, never 0
    elsewhere = run("probe", "--dsn", dsn(staged.cluster, "monitor", "template1"), "--json", *options())
    unread = [f["message"] for f in elsewhere.json()["evidence"] if f["code"] == "NOT_READ"]
    assert unread == [
        "the statements that spill to disk (pg_stat_statements): pg_stat_statements is loaded but not created "
        "in database template1: CREATE EXTENSION pg_stat_statements"
    ]


def temp_files(cluster: real.Cluster) -> int:
    return cluster.sql("SELECT temp_files FROM pg_stat_database WHERE datname = 'postgres'")[0][0]


def run_spilling_query(cluster: real.Cluster) -> None:
    with cluster.connect(user="spiller", autocommit=True) as spiller:
        spiller.execute(SPILLING_QUERY)
        spiller.execute("SELECT pg_stat_force_next_flush()")


def test_the_alter_role_line_stops_the_temporary_files(staged):
    """Applied, the suggested work_mem keeps the role's sort in memory: temp_files stops growing."""
    cluster = staged.cluster
    spills = next(f for f in probed(staged, "monitor")["evidence"] if f["code"] == "SPILLING_QUERIES")
    before = temp_files(cluster)
    run_spilling_query(cluster)
    wait_for_stats(cluster, f"SELECT temp_files > {before} FROM pg_stat_database WHERE datname = 'postgres'")
    cluster.sql(spills["suggests"]["sql"][0])
    try:
        spilled = temp_files(cluster)
        run_spilling_query(cluster)
        time.sleep(1.2)  # a flush would have shown by now
        assert temp_files(cluster) == spilled
    finally:
        cluster.sql("ALTER ROLE spiller RESET work_mem")


# --- changes.sql, then rollback.sql, on a server of its own -------------------------------------------


def configuration(cluster: real.Cluster) -> dict[str, tuple]:
    """What the server runs with and what its files hold, as a superuser reads them in template1."""
    with cluster.connect(dbname="template1", autocommit=True) as conn:
        running = conn.execute(  # leaving out what the server works out from the rest (shared_memory_size)
            "SELECT name, setting, source, coalesce(sourcefile LIKE '%%postgresql.auto.conf', false), pending_restart "
            "FROM pg_settings WHERE NOT coalesce('RUNTIME_COMPUTED' = ANY(pg_settings_get_flags(name)), false)"
        ).fetchall()
        files = conn.execute(
            "SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE '%%postgresql.auto.conf'"
        ).fetchall()
    return {name: rest for name, *rest in running} | {f"auto.conf: {name}": [value] for name, value in files}


@pytest.mark.parametrize("user", [real.SERVER_USER, "monitor"])
def test_changes_bring_the_server_to_the_plan_and_rollback_returns_it(cluster, server_major, user):
    """A superuser's diff knows the value waiting for a restart and restores it; a pg_monitor role's diff
    round-trips a server with nothing waiting."""
    cluster.include(_conf_line(cluster, "checkpoint_completion_target = 0.5\n"))
    cluster.start()
    cluster.sql(
        "CREATE ROLE monitor LOGIN IN ROLE pg_monitor",
        "CREATE ROLE app LOGIN",
        "ALTER ROLE app SET work_mem = '48MB'",  # stays: ALTER SYSTEM does not touch it
        "ALTER SYSTEM SET work_mem = '9MB'",
        "ALTER SYSTEM SET jit = off",
    )
    if user == real.SERVER_USER:
        cluster.sql("ALTER SYSTEM SET max_connections = 90")  # waits for the restart
    cluster.sql("SELECT pg_reload_conf()")
    before = configuration(cluster)
    out = cluster.data.parent / "changes"  # where the server user's psql can read it
    done = run("probe", "--dsn", dsn(cluster, user), "--diff", "--out", str(out), *options())
    assert done.status == 0 and f"wrote {out}" in done.stderr, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["changes.sql", "plan.json", "rollback.sql", "scenario.json"]
    cluster.psql_file(out / "changes.sql")
    cluster.restart()
    after = run("probe", "--dsn", dsn(cluster), "--diff", "--json", *options()).json()
    assert [row["name"] for row in after["diff"]] == after["diff_summary"]["not_changed_by_script"]
    assert all(row["source"] == "command line" for row in after["diff"])
    for setting in planned(server_major).settings:
        if setting.name not in after["diff_summary"]["not_changed_by_script"]:
            assert shown_on_template1(cluster, setting.name) == setting.value, setting.name
    cluster.psql_file(out / "rollback.sql")
    cluster.restart()
    restored = configuration(cluster)
    if user == real.SERVER_USER:  # what waited for the restart before is in force now
        assert restored.pop("max_connections") == ["90", "configuration file", True, False]
        assert before.pop("max_connections")[-1] is True
    assert restored == before


def _conf_line(cluster: real.Cluster, text: str) -> Path:
    path = cluster.data.parent / "extra.conf"
    path.write_text(text)
    cluster.runner.hand_over(path)
    return path


# --- the window: Server > Compare with This Plan ------------------------------------------------------


@pytest.fixture
def app(qtbot, tmp_path):
    return a.open_app(qtbot, tmp_path / "settings.ini")


def test_the_window_compares_as_the_command_line_does(app, staged, tmp_path):
    cluster = staged.cluster
    assert a.connect_to_server(app, str(cluster.sockets), real.PG_PORT, "postgres", "monitor") == ""
    a.set_inputs(app, **PLAN)
    sessions = [cluster.connect(autocommit=True, application_name="the-app") for _ in range(2)]
    try:
        said = a.compare_with_plan(app, watch_seconds=1)
    finally:
        for session in sessions:
            session.close()
    assert said.startswith("Compared with PostgreSQL")
    cli = probed(staged, "monitor")
    shown = a.compared_settings(app)
    assert set(shown) == {row["name"] for row in cli["diff"]}
    assert (
        shown["work_mem"]["Your server"] == "9MB"
        and shown["work_mem"]["Source"] == "ALTER SYSTEM (postgresql.auto.conf:3)"
    )
    assert shown["random_page_cost"]["Your server"] == "unknown"
    assert set(a.compared_settings(app, "Needs a restart")) == staged.restart
    assert len(a.compared_settings(app, "All settings")) == len(staged.plan.settings)
    cards = a.evidence_cards(app)
    assert 'ALTER ROLE "spiller" SET work_mem' in cards["spilling_queries"]
    assert "At most 2 connected" in cards["sessions"]
    a.apply_evidence(app, "sessions")  # the watched peak becomes the plan's client connections
    assert a.input_value(app, "clients") == 2
    a.undo(app)
    assert a.input_value(app, "clients") == PLAN["clients"]
    said = a.export_changes(app, tmp_path / "exported")
    assert said.startswith(f"Wrote {tmp_path / 'exported'}: changes.sql")
    rollback = (tmp_path / "exported" / "rollback.sql").read_text()
    assert "ALTER SYSTEM SET work_mem = '9MB';" in rollback
    a.probe_server(app)
    assert "PostgreSQL " in a.probe_status(app) and "pg_version" not in a.probe_status(app)
    assert "superuser_reserved" not in a.probe_status(app)


def test_no_secret_reaches_the_scripts(staged, tmp_path):
    """The DSN's password goes nowhere: not the output, not the folder --out writes."""
    cluster = staged.cluster
    cluster.sql("CREATE ROLE keeper LOGIN IN ROLE pg_monitor PASSWORD 'k33p-it-secret'")
    secret_dsn = dsn(cluster, "keeper") + " password=k33p-it-secret"
    out = tmp_path / "out"
    done = run("probe", "--dsn", secret_dsn, "--diff", "--out", str(out), "--json", *options())
    assert done.status == 0, done.stderr
    written = "".join(p.read_text() for p in out.iterdir())
    assert "k33p-it-secret" not in done.stdout + done.stderr + written
    json.loads(done.stdout)

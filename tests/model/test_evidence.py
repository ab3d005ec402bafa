"""The server's statistics as findings, without a server: each rule against a hand calculation.

- work_mem that keeps a spill in memory: 3 x the temporary bytes per call (pgplanner's measurement: 0.7-2.5 x
  over tables on 15 and 18), rounded up to a power of two: 24.9 MB x 3 = 74.7 MB -> 128 MB.
- max_wal_size under which the timeout starts checkpoints: a checkpoint is requested once WAL reaches
  max_wal_size / (1 + checkpoint_completion_target) (xlog.c): 1 GB per 300 s at 0.9 needs 1.9 GB -> 2 GB.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pgplanner.model import Scenario, plan
from pgplanner.model.evidence import (
    NOT_READ,
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
    findings,
    in_memory_work_mem,
)
from pgplanner.model.units import GB, MB
from tests.equations import false_equations

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DAY = Window(NOW - timedelta(days=1), NOW)
FACTS = ServerFacts(
    work_mem=4 * MB,
    max_wal_size=1 * GB,
    checkpoint_timeout=300,
    completion_target=0.9,
    autovacuum=True,
    autovacuum_max_workers=3,
    vacuum_threshold=50,
    vacuum_scale_factor=0.2,
)
QUIET = Sessions(0, 0, 0, 0, 0, 0, 1, 0.0, 0, 100)


@pytest.fixture(scope="module")
def result():
    return plan(Scenario().with_changes(cores=8, ram="32GB", pooler="none"))


def found(result, **parts) -> dict[str, object]:
    stats = Statistics(FACTS, parts.pop("sessions", QUIET), **parts)
    return {f.code: f for f in findings(stats, result)}


def spill(role: str, per_call_mb: float, total_mb: float, work_mem: int | None = None) -> RoleSpill:
    return RoleSpill(role, int(total_mb * MB), 3, per_call_mb * MB, 40, "SELECT * FROM t ORDER BY $1", work_mem)


def test_the_work_mem_that_keeps_a_spill_in_memory():
    value, derivation = in_memory_work_mem(24.9 * MB)
    assert value == 128 * MB
    assert derivation.calculation == "24.9 MB x 3 = 74.7 MB, rounded up to a power of two: 128 MB"
    assert not false_equations(derivation.calculation)


def test_spills_owned_by_one_role_give_an_alter_role_line(result):
    spills = Spills((spill("reporting", 24.9, 950), spill("app", 1, 50)), DAY)
    finding = found(result, spills=spills)["SPILLING_QUERIES"]
    assert finding.suggests.sql == ("ALTER ROLE \"reporting\" SET work_mem = '128MB'",)
    assert not finding.suggests.scenario  # the plan's work_mem stays: only that role gets more
    assert finding.numbers["share_of_top_role"] == pytest.approx(0.95)
    assert finding.since == "2026-02-28T12:00:00+00:00" and "95 %" in finding.message


def test_spills_across_roles_change_the_plans_work_mem(result):
    finding = found(result, spills=Spills((spill("app", 10, 500), spill("jobs", 2, 400)), DAY))["SPILLING_QUERIES"]
    assert finding.suggests.scenario == {"work_mem": "32MB"}  # 10 MB x 3 = 30 MB -> 32 MB
    assert not finding.suggests.sql


def test_a_spill_too_large_for_memory_is_left_to_spill(result):
    """More than a quarter of what the plan leaves for connections: no suggestion, and why."""
    huge = found(result, spills=Spills((spill("etl", 8 * 1024, 90_000),), DAY))["SPILLING_QUERIES"]
    assert not huge.suggests and "let it spill" in huge.message


def test_a_role_that_has_the_memory_already_is_told_its_statistics_predate_it(result):
    finding = found(result, spills=Spills((spill("reporting", 24.9, 950, work_mem=256 * MB),), DAY))
    assert not finding["SPILLING_QUERIES"].suggests and "predate" in finding["SPILLING_QUERIES"].message


def test_requested_checkpoints_with_wal_beyond_max_wal_size_suggest_a_larger_one():
    day = 86_400
    points = Checkpoints(timed=10, requested=90, window=DAY, wal_bytes=GB * day // 300, wal_window=DAY)
    finding = found(plan(Scenario()), checkpoints=points)["CHECKPOINTS"]
    assert finding.suggests.settings == {"max_wal_size": "2GB"}
    assert finding.suggests.sql == ("ALTER SYSTEM SET max_wal_size = '2GB'",)
    assert finding.derivation.calculation == "1 GB x (1 + 0.9) = 1.9 GB, rounded up to a power of two: 2 GB"
    assert not false_equations(finding.derivation.calculation)


def test_requested_checkpoints_without_the_wal_to_cause_them_are_not_blamed_on_max_wal_size():
    points = Checkpoints(timed=10, requested=3, window=DAY, wal_bytes=100 * MB, wal_window=DAY)
    finding = found(plan(Scenario()), checkpoints=points)["CHECKPOINTS"]
    assert not finding.suggests and "CHECKPOINT commands" in finding.message


def test_a_watched_peak_gives_the_client_connections_to_plan_for(result):
    watched = Sessions(12, 2, 1, 37, 9, 3, 240, 60.0, 0, 100)
    seen = found(result, sessions=watched)
    assert seen["SESSIONS"].suggests.scenario == {"clients": 37}
    assert seen["IDLE_IN_TRANSACTION"].numbers["idle_in_transaction"] == 3
    one_look = found(result, sessions=Sessions(12, 2, 0, 12, 2, 0, 1, 0.0, 0, 100))
    assert not one_look["SESSIONS"].suggests and "IDLE_IN_TRANSACTION" not in one_look


def test_dead_rows_beyond_what_autovacuum_waits_for_are_named(result):
    behind = TableVacuum("public.orders", 5 * GB, 1_000_000, 400_000, 50, 0.2, True, NOW - timedelta(days=2))
    off = TableVacuum("public.audit", 2 * GB, 10_000, 50_000, 50, 0.2, False, None)
    fine = TableVacuum("public.users", GB, 1_000_000, 10, 50, 0.2, True, NOW)
    finding = found(result, vacuum=Vacuum("shop", (behind, off, fine), 3, NOW))["AUTOVACUUM"]
    assert finding.numbers["tables_behind"] == 2
    assert "public.orders (5 GB): 400,000 dead rows, autovacuum waits for 200,050" in finding.message
    assert "autovacuum is off for it" in finding.message
    assert finding.suggests.scenario == {"autovacuum_workers": 4}  # all 3 busy
    assert finding.derivation.calculation == "public.orders: 50 + 0.2 x 1,000,000 = 200,050"
    idle = found(result, vacuum=Vacuum("shop", (behind,), 1, NOW))["AUTOVACUUM"]
    assert not idle.suggests


def test_temporary_files_and_the_cache_hit_ratio_carry_their_window(result):
    seen = found(result, temp_files=TempFiles(120, 3 * GB, DAY), cache=CacheHits(990_000, 10_000, DAY))
    assert seen["TEMP_FILES"].numbers == {"temp_files": 120, "temp_bytes": 3 * GB, "seconds": 86_400.0}
    assert "since 2026-02-28 12:00 UTC (24.0 h)" in seen["TEMP_FILES"].message
    assert seen["CACHE_HIT_RATIO"].derivation.calculation == "990,000 / (990,000 + 10,000) = 99.0 %"
    never = found(result, temp_files=TempFiles(0, 0, Window(None, NOW)))["TEMP_FILES"]
    assert never.since is None and "never reset" in never.message


def test_what_could_not_be_read_is_a_finding_with_the_reason(result):
    seen = found(result, unread=(("the statements that spill to disk (pg_stat_statements)", "not loaded"),))
    assert seen[NOT_READ].message == "the statements that spill to disk (pg_stat_statements): not loaded"

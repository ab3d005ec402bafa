"""The DBA review's panel, bundle by bundle: the postgresql.conf values a DBA expects (tests/model/panel.py),
then every item of the review about postgresql.conf, checked so that none reproduces on any bundle.

The items are the review's findings (reference/dba_review.md): F2 work_mem, F3 WAL and checkpoints,
F4 worker slots, F8 password_encryption on 13, F10 autovacuum, F11 I/O concurrency, F12 13 against 18,
F14 sources and wrong claims, F15 one core, F16 what every DBA adds.
"""

from __future__ import annotations

import pytest

from pgplanner.model import Plan
from pgplanner.model.units import GB, MB, parse_size

from .panel import ABSENT, PANEL, Between, planned

NAMES = list(PANEL)


def written(result: Plan) -> dict[str, str]:
    return {s.name: s.value for s in result.settings}


@pytest.mark.parametrize("name", NAMES)
def test_each_bundle_writes_what_a_dba_expects(name):
    values = written(planned(name))
    wrong = []
    for setting, expected in PANEL[name].expect.items():
        value = values.get(setting)
        if expected is ABSENT:
            ok = value is None
        elif isinstance(expected, Between):
            ok = value is not None and expected.holds(value)
        else:
            ok = value == expected
        if not ok:
            wrong.append(f"{setting} = {value}, expected {expected}")
    assert not wrong, wrong


# What each release writes by default, for the items that changed between 13 and 18 (release notes).
MAINTENANCE_IO_DEFAULT = {13: 10, 14: 10, 15: 10, 16: 10, 17: 10, 18: 16}
EVERY_BUNDLE_WRITES = {
    "checkpoint_timeout", "listen_addresses", "password_encryption", "log_checkpoints", "log_min_duration_statement",
    "log_lock_waits", "log_temp_files", "log_autovacuum_min_duration", "log_line_prefix", "track_io_timing",
    "shared_preload_libraries", "tcp_keepalives_idle", "tcp_keepalives_interval", "autovacuum_vacuum_cost_limit",
}  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_no_item_of_the_review_reproduces(name):
    result = planned(name)
    values, hw, wl = written(result), result.scenario.hardware, result.scenario.workload
    m = result.memory
    # F2: work_mem is the plan's figure (the one the worst case counts) and, on auto, recommended
    assert parse_size(values["work_mem"]) == m.work_mem_bytes
    if result.scenario.memory.work_mem is None and m.safe_work_mem_bytes and m.safe_work_mem_bytes >= 8 * MB:
        assert m.work_mem_bytes > 4 * MB, "safe work_mem of several MB, yet PostgreSQL's 4 MB written"
    # F3: checkpoints from the timeout, WAL sized beside shared_buffers and within the disk
    max_wal, min_wal = parse_size(values["max_wal_size"]), parse_size(values["min_wal_size"])
    assert max_wal >= min(m.shared_buffers_bytes / 8, result.wal_disk_bytes / 10) - GB
    assert max_wal <= result.wal_disk_bytes / 10 or max_wal == 32 * MB
    assert min_wal <= max_wal / 4 or min_wal <= 100 * MB
    assert ("max_slot_wal_keep_size" in values) == (wl.replicas > 0)
    # F4, F15: parallel queries never take every worker slot; none on one core
    workers, parallel = int(values["max_worker_processes"]), int(values["max_parallel_workers"])
    assert workers >= parallel + 5 + result.scenario.memory.extension_workers
    if hw.cores == 1:
        assert parallel == 0 and values["max_parallel_workers_per_gather"] == "0"
    # F8: SCRAM on every release, 13 included
    assert values["password_encryption"] == "scram-sha-256"
    # F10: the shared cost budget grows with the workers
    vacuum = int(values["autovacuum_max_workers"])
    assert int(values["autovacuum_vacuum_cost_limit"]) >= 200 * vacuum // 3
    # F11: never below the release's default; at most what 18's io_max_concurrency lets one process use
    if "maintenance_io_concurrency" in values:
        assert int(values["maintenance_io_concurrency"]) >= MAINTENANCE_IO_DEFAULT[hw.pg_version]
    if hw.pg_version >= 18:
        assert 16 <= int(values["effective_io_concurrency"]) <= 64
    # F12, F16: what every DBA adds, on 13 as on 18
    assert set(values) >= EVERY_BUNDLE_WRITES, EVERY_BUNDLE_WRITES - set(values)
    assert values["log_checkpoints"] == "on" and values["shared_preload_libraries"] == "pg_stat_statements"
    assert ("idle_in_transaction_session_timeout" in values) == (wl.profile != "desktop")


SETTINGS_FROM_PGTUNE = (
    "default_statistics_target", "random_page_cost", "jit", "min_wal_size", "autovacuum_max_workers",
    "max_parallel_maintenance_workers", "maintenance_work_mem",
)  # fmt: skip


def test_sources_are_credited_to_what_they_are():
    """F14: pgtune's tables are pgtune's, not "PostgreSQL docs"; 17's TID store is not claimed to hold 180 M."""
    result = planned("12 PostgreSQL 18, 8 cores 32 GB")
    by_name = {s.name: s.derivation for s in result.settings}
    for name in SETTINGS_FROM_PGTUNE:
        assert by_name[name].source.startswith("pgtune"), (name, by_name[name].source)
    assert by_name["io_workers"].source.startswith("pgtune")
    assert by_name["max_parallel_workers_per_gather"].source.startswith("pgtune")
    assert "timescaledb-tune" in by_name["work_mem"].note and "pgtune writes" in by_name["work_mem"].note
    for version in (13, 17, 18):
        vacuum = {s.name: s for s in planned("12 PostgreSQL 18, 8 cores 32 GB", pg_version=version).settings}
        how, differs = str(vacuum["autovacuum_work_mem"].derivation), vacuum["autovacuum_work_mem"].versus_pgtune
        assert "180 M dead rows since" not in how + differs and "~180 M of them" not in how
        assert ("TID store" in how) == (version >= 17)  # the note of the release at hand
    disk = planned("03 OLTP 4 cores 16 GB").derivations["disk_concurrency"]
    assert disk.source.startswith("pgplanner's planning rule"), disk.source  # the wiki has no SSD figures


def test_the_warehouse_work_mem_is_named_beside_pgtune_s_and_timescaledb_tune_s():
    """F2's figures for the 64-core / 512 GB warehouse at 90 connections: pgtune (512 GB - 128 GB) /
    ((90 + 64) x 3) / 2 x 0.9 (data beyond 3 x RAM) = 383 MB; timescaledb-tune 512 x 400 MB / 90 / 32 = 71 MB."""
    result = planned("06 warehouse 64 cores 512 GB, 4 TB")
    assert result.max_connections == 90
    note = next(s for s in result.settings if s.name == "work_mem").derivation.note
    assert "pgtune writes 383 MB" in note and "timescaledb-tune 71.1 MB" in note

"""The senior DBA's review panel (reference/dba_review.md): the 18 servers of the review, each with the
postgresql.conf values a DBA expects for it, worked out by hand from the rules written beside them.

Read it like the review's table: the bundle's arguments, then the lines of postgresql.conf to find.
A value is the exact text of the line; ``Between(low, high)`` a size a DBA accepts within bounds (where
the memory model decides, e.g. work_mem); ``ABSENT`` a setting that must not be written. The model tests
check the plans (tests/model/test_review_panel.py), the integration tests start PostgreSQL 15 and 18 with
every bundle (tests/integration/test_postgresql_real.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pgplanner.model import Plan, Scenario, plan
from pgplanner.model.units import parse_size
from pgplanner.presets.apply import apply_preset
from pgplanner.presets.catalog import Catalog
from pgplanner.presets.loader import read_files, shipped_files


@dataclass(frozen=True)
class Between:
    """A size the DBA accepts: at least ``low``, at most ``high`` (postgresql.conf spellings)."""

    low: str
    high: str

    def holds(self, value: str) -> bool:
        return parse_size(self.low) <= parse_size(value) <= parse_size(self.high)


ABSENT = None  # the setting is not written (the server's default applies)


@dataclass(frozen=True)
class Bundle:
    inputs: dict[str, Any]
    expect: dict[str, str | Between | None]
    preset: str | None = None
    notes: tuple[str, ...] = field(default=())


# The rules the hand calculations use (the review's words in brackets):
# - workers: max_worker_processes = parallel workers (the cores; none on one core) + 1 logical replication
#   launcher + 4 logical replication workers + 2 extension workers, at least 8 [F4, F15];
# - WAL: the disk, when not given, is max(data x 2 (unknown: RAM x 3 x 2), min(RAM x 20, 100 GB));
#   max_wal_size = min(max(shared_buffers x (oltp/analytics 0.5, web/mixed 0.25, desktop 0.125), pgtune's
#   web 4 / oltp 8 / analytics 16 / mixed 4 / desktop 2 GB), disk / 10); min_wal_size = min(pgtune's
#   1 / 2 / 4 / 1 GB / 100 MB, max_wal_size / 4); max_slot_wal_keep_size = disk / 5 with replicas [F3];
# - autovacuum: cost limit = 200 x workers / 3 x (hdd 1, network 3, ssd 6, nvme 8); scale factors 0.05 /
#   0.05 / 0.02 from 100 GB of data, 0.02 / 0.02 / 0.01 from 1 TB [F10];
# - I/O: 13-17 hdd 2, flash 256; 18 between 16 and 64, on every platform; maintenance = effective /
#   autovacuum workers, at least the default 10 (16 on 18) [F11];
# - work_mem: the safe work_mem, between 4 MB and the profile's web 32 MB / oltp 64 MB / mixed 256 MB /
#   analytics 1 GB / desktop 32 MB [F2].
# fmt: off
PANEL: dict[str, Bundle] = {
    "01 VPS 1 core 1 GB HDD": Bundle(
        {"cores": 1, "ram": "1GB", "storage": "hdd", "profile": "web", "app_instances": 2, "pool_per_instance": 5},
        {
            "max_parallel_workers": "0", "max_parallel_workers_per_gather": "0",  # one core: no parallel workers
            "max_parallel_maintenance_workers": "0",
            "max_worker_processes": "8",  # 0 + 1 + 4 + 2 = 7, at least 8
            "max_wal_size": "2GB",  # disk max(1 GB x 6, 20 GB) = 20 GB; min(max(64 MB, 4 GB), 2 GB)
            "min_wal_size": "512MB",  # min(1 GB, 2 GB / 4)
            "checkpoint_timeout": "15min",
            "max_slot_wal_keep_size": ABSENT,
            "work_mem": Between("4MB", "32MB"),
            "listen_addresses": "localhost",  # PgBouncer on the server is the only client
            "effective_io_concurrency": "16", "maintenance_io_concurrency": "16",  # 18's defaults on a disk
            "autovacuum_vacuum_cost_limit": "200",  # 200 x 3 / 3 x 1
            "autovacuum_vacuum_scale_factor": ABSENT,
        },
    ),
    "02 web 2 cores 4 GB SSD": Bundle(
        {"cores": 2, "ram": "4GB", "storage": "ssd", "profile": "web"},
        {
            "max_parallel_workers": "2", "max_parallel_workers_per_gather": "1",
            "max_worker_processes": "9",  # 2 + 1 + 4 + 2
            "max_wal_size": "4GB",  # disk max(24 GB, 80 GB) = 80 GB; min(max(256 MB, 4 GB), 8 GB)
            "min_wal_size": "1GB",
            "effective_io_concurrency": "64", "maintenance_io_concurrency": "21",  # 64 / 3
            "autovacuum_vacuum_cost_limit": "1200",  # 200 x 3 / 3 x 6
            "work_mem": Between("4MB", "32MB"),
        },
    ),
    "03 OLTP 4 cores 16 GB": Bundle(
        {"cores": 4, "ram": "16GB", "profile": "oltp", "data_size": "50GB"},
        {
            "max_worker_processes": "11", "max_parallel_workers": "4",
            "max_wal_size": "8GB",  # disk max(100 GB, 100 GB); min(max(2 GB, 8 GB), 10 GB)
            "min_wal_size": "2GB",
            "work_mem": Between("16MB", "64MB"),
            "random_page_cost": "1.1",
        },
    ),
    "04 OLTP 16 cores 64 GB NVMe, 2 replicas": Bundle(
        {"cores": 16, "ram": "64GB", "storage": "nvme", "profile": "oltp", "data_size": "200GB",
         "work_mem": "16MB", "replicas": 2},
        {
            "work_mem": "16MB",  # given
            "max_worker_processes": "23", "max_parallel_workers": "16",  # 16 + 1 + 4 + 2
            "max_wal_size": "8GB",  # 16 GB x 0.5 = 8 GB = pgtune's; disk 400 GB
            "max_slot_wal_keep_size": "80GB",  # 400 GB / 5
            "listen_addresses": "*",  # the standbys connect
            "autovacuum_max_workers": "4", "autovacuum_vacuum_cost_limit": "2133",  # 200 x 4 / 3 x 8
            "autovacuum_vacuum_scale_factor": "0.05", "autovacuum_analyze_scale_factor": "0.02",
            "effective_io_concurrency": "64", "maintenance_io_concurrency": "16",  # max(64 / 4, 16)
        },
    ),
    "05 mixed 32 cores 256 GB, 1 TB": Bundle(
        {"cores": 32, "ram": "256GB", "profile": "mixed", "data_size": "1TB", "work_mem": "32MB",
         "workload": "mixed", "replicas": 1},
        {
            "max_wal_size": "16GB",  # 64 GB x 0.25 [the review: 4 GB beside 64 GB of shared_buffers]
            "min_wal_size": "1GB",
            "max_slot_wal_keep_size": "409GB",  # 2 TB / 5 = 409.6 GB, in whole GB
            "max_worker_processes": "39",  # 32 + 1 + 4 + 2
            "autovacuum_max_workers": "5", "autovacuum_vacuum_cost_limit": "2000",  # 200 x 5 / 3 x 6
            "autovacuum_vacuum_scale_factor": "0.02", "autovacuum_vacuum_insert_scale_factor": "0.02",
            "autovacuum_analyze_scale_factor": "0.01",
            "idle_in_transaction_session_timeout": "5min", "log_min_duration_statement": "1s",
        },
    ),
    "06 warehouse 64 cores 512 GB, 4 TB": Bundle(
        {"cores": 64, "ram": "512GB", "profile": "analytics", "data_size": "4TB", "workload": "io",
         "app_instances": 4, "pool_per_instance": 10, "long_transactions": 20},
        {
            # [F2: 4 MB while pgplanner itself printed "Safe work_mem 405 MB"; pgtune ~380 MB]
            "work_mem": Between("256MB", "1GB"),
            "max_wal_size": "64GB",  # 128 GB x 0.5
            "min_wal_size": "4GB",
            "checkpoint_timeout": "30min",
            "max_worker_processes": "71", "max_parallel_workers": "64",
            "listen_addresses": "*",  # reports connect directly
            "log_min_duration_statement": "10s", "log_temp_files": "1GB",
            "default_statistics_target": "500", "jit": "on",
        },
    ),
    "07 OLTP 96 cores 768 GB, 5,000 clients": Bundle(
        {"cores": 96, "ram": "768GB", "storage": "nvme", "profile": "oltp", "data_size": "2TB", "clients": 5000,
         "work_mem": "16MB", "replicas": 2},
        {
            "max_wal_size": "96GB",  # 192 GB x 0.5 [the review: 8 GB beside 192 GB of shared_buffers]
            "min_wal_size": "2GB",
            "max_slot_wal_keep_size": "819GB",  # 4 TB / 5 = 819.2 GB
            "max_worker_processes": "103", "max_parallel_workers": "96",  # [F4: 96 / 96]
            "autovacuum_vacuum_cost_limit": "2666",  # 200 x 5 / 3 x 8 = 2,666.7
            "effective_io_concurrency": "64", "maintenance_io_concurrency": "16",  # [F11: 1,000 per worker]
            "io_workers": "24",  # 96 / 4
        },
    ),
    "08 macOS desktop 8 cores 16 GB": Bundle(
        {"cores": 8, "ram": "16GB", "storage": "nvme", "platform": "macos", "profile": "desktop", "pooler": "none"},
        {
            "listen_addresses": "localhost",  # the developer's own programs
            "checkpoint_timeout": "5min", "max_wal_size": "2GB", "min_wal_size": "100MB",
            "idle_in_transaction_session_timeout": ABSENT,  # a developer may sit in an open transaction
            "effective_io_concurrency": "64",  # 18 prefetches on macOS through its I/O workers
            "work_mem": Between("4MB", "32MB"),
            "wal_level": "replica",
        },
    ),
    "09 Windows 8 cores 32 GB, PostgreSQL 16": Bundle(
        {"cores": 8, "ram": "32GB", "platform": "windows", "profile": "oltp", "pg_version": 16},
        {
            "effective_io_concurrency": ABSENT, "maintenance_io_concurrency": ABSENT,  # no posix_fadvise before 18
            "tcp_keepalives_idle": "60", "tcp_keepalives_count": ABSENT,  # Windows keeps its own count
            "work_mem": Between("4MB", "64MB"),
            "max_worker_processes": "15",
        },
    ),
    "10 AWS RDS db.m6i.2xlarge": Bundle(
        {"profile": "oltp"},
        {"work_mem": Between("4MB", "64MB"), "max_worker_processes": "11"},  # 4 physical cores of 8 vCPU
        preset="aws-rds/db.m6i.2xlarge",
    ),
    "11 PostgreSQL 13, 8 cores 32 GB": Bundle(
        {"cores": 8, "ram": "32GB", "profile": "oltp", "data_size": "100GB", "pg_version": 13},
        {
            # [F12: 13 and 18 got the same file]
            "log_checkpoints": "on", "log_autovacuum_min_duration": "1min",  # off / -1 before 15
            "password_encryption": "scram-sha-256",  # md5 before 14 [F8]
            "effective_io_concurrency": "256", "maintenance_io_concurrency": "85",  # 256 / 3
            "wal_compression": "on", "hash_mem_multiplier": "1",
            "autovacuum_vacuum_scale_factor": "0.05",  # 100 GB of data
        },
    ),
    "12 PostgreSQL 18, 8 cores 32 GB": Bundle(
        {"cores": 8, "ram": "32GB", "profile": "oltp", "data_size": "100GB", "pg_version": 18},
        {
            "effective_io_concurrency": "64", "maintenance_io_concurrency": "21",
            "io_method": "worker", "io_workers": "3",
            "wal_compression": "pglz", "hash_mem_multiplier": "2",
            "work_mem": Between("32MB", "64MB"),  # [F2: safe 62 MB, pgtune ~150 MB, timescaledb-tune ~80 MB]
        },
    ),
    "13 Windows, PostgreSQL 18": Bundle(
        {"cores": 8, "ram": "32GB", "platform": "windows", "profile": "oltp", "pg_version": 18},
        {"effective_io_concurrency": "64", "maintenance_io_concurrency": "21", "io_method": "worker"},
    ),
    "14 no pooler, 200 direct clients": Bundle(
        {"cores": 8, "ram": "32GB", "profile": "oltp", "pooler": "none", "clients": 200},
        {"listen_addresses": "*", "work_mem": Between("4MB", "64MB")},
    ),
    "15 VPS 1 core 512 MB": Bundle(
        {"cores": 1, "ram": "512MB", "profile": "web"},
        {
            # [F3: 1 GB min / 4 GB max WAL on a 512 MB VPS with a 10-20 GB disk]
            "max_wal_size": "1GB",  # disk max(3 GB, 10 GB) = 10 GB; a tenth
            "min_wal_size": "256MB",
            "max_parallel_workers": "0", "max_worker_processes": "8",
        },
    ),
    "16 Linux desktop 8 cores 16 GB": Bundle(
        {"cores": 8, "ram": "16GB", "profile": "desktop"},
        {"listen_addresses": "localhost", "checkpoint_timeout": "5min", "idle_in_transaction_session_timeout": ABSENT},
    ),
    "17 PostgreSQL 15, 16 cores 64 GB": Bundle(
        {"cores": 16, "ram": "64GB", "storage": "nvme", "profile": "oltp", "data_size": "200GB",
         "work_mem": "16MB", "replicas": 2, "pg_version": 15},
        {"effective_io_concurrency": "256", "maintenance_io_concurrency": "64",  # 256 / 4
         "max_slot_wal_keep_size": "80GB", "max_worker_processes": "23"},
    ),
    "18 PostgreSQL 15, 96 cores 768 GB": Bundle(
        {"cores": 96, "ram": "768GB", "storage": "nvme", "profile": "oltp", "data_size": "2TB", "clients": 5000,
         "work_mem": "16MB", "replicas": 2, "pg_version": 15},
        {"effective_io_concurrency": "256", "maintenance_io_concurrency": "51",  # 256 / 5 = 51.2
         "max_wal_size": "96GB", "max_worker_processes": "103"},
    ),
}
# fmt: on


def scenario_of(bundle: Bundle, **changes: Any) -> Scenario:
    """The bundle's Scenario (on its provider plan, if any), with ``changes`` on top."""
    scenario = Scenario().with_changes(**{**bundle.inputs, **changes})
    if bundle.preset is not None:
        scenario = apply_preset(scenario, _catalog().find(bundle.preset))
    return scenario


def planned(name: str, **changes: Any) -> Plan:
    return plan(scenario_of(PANEL[name], **changes))


@cache
def _catalog() -> Catalog:
    """The presets pgplanner ships (not the user's own, which could shadow them)."""
    providers, problems = read_files(shipped_files())
    assert not problems, problems
    return Catalog(providers)

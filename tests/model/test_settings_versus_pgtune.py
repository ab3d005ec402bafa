"""Every recommender against pgtune's published formulas over a grid of RAM x cores x storage x version x
profile x platform (timescaledb-tune's table style).

For each point of the grid and each setting pgtune decides (or leaves at the server's default), either
pgplanner writes the same value, or the setting says why it differs (``versus_pgtune``); the reasons
themselves are asserted in the tables below, one row per kind of difference.
"""

from __future__ import annotations

import itertools
from functools import cache

import pytest

from pgplanner.model import Plan, Scenario, plan
from pgplanner.model.settings import GROUP_TITLES
from pgplanner.model.units import parse_size

from .pgtune_reference import GB, MB, effective, pgtune

RAMS = ("1GB", "8GB", "64GB", "512GB")
CORES = (2, 4, 8, 32)
STORAGES = ("hdd", "ssd", "nvme", "network")
VERSIONS = (13, 15, 17, 18)
PROFILES = ("web", "oltp", "analytics", "mixed", "desktop")
PLATFORMS = ("linux", "macos", "windows")
PGTUNE_SILENT = {"logging"}  # groups of which pgtune writes (and its reference knows) nothing
SIZES = ("shared_buffers", "effective_cache_size", "maintenance_work_mem", "autovacuum_work_mem", "work_mem",
         "temp_buffers", "wal_buffers", "min_wal_size", "max_wal_size")  # fmt: skip


def grid() -> list[dict[str, object]]:
    points = []
    for i, (ram, cores, storage, version, profile) in enumerate(
        itertools.product(RAMS, CORES, STORAGES, VERSIONS, PROFILES)
    ):
        # The platform and the data size (unknown, half the RAM, five times the RAM: pgtune's three buckets)
        # cycle with different periods, so each meets every RAM, core count, version and profile.
        platform = PLATFORMS[i % 3]
        data = (None, parse_size(ram) // 2, parse_size(ram) * 5)[(i // 3) % 3]
        points.append(
            dict(ram=ram, cores=cores, storage=storage, pg_version=version, profile=profile, platform=platform,
                 data_size=data)
        )  # fmt: skip
    return points


@cache
def planned() -> list[tuple[dict[str, object], Plan, dict[str, object]]]:
    rows = []
    for point in grid():
        result = plan(Scenario().with_changes(**point))
        reference = effective(
            ram=parse_size(str(point["ram"])), cores=point["cores"], storage=point["storage"],
            version=point["pg_version"], profile=point["profile"], platform=point["platform"],
            connections=result.max_connections, data_size=point["data_size"],
        )  # fmt: skip
        rows.append((point, result, reference))
    return rows


def as_value(name: str, text: str) -> object:
    """A postgresql.conf value as a comparable Python value."""
    if name in SIZES:
        return parse_size(text)
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@pytest.mark.parametrize("group", list(GROUP_TITLES))
def test_every_difference_from_pgtune_is_explained(group):
    unexplained = []
    compared = 0
    for point, result, reference in planned():
        for s in (s for s in result.settings if s.group == group and s.name in reference):
            compared += 1
            if as_value(s.name, s.value) != reference[s.name] and not s.versus_pgtune:
                unexplained.append(f"{s.name} = {s.value}, pgtune {reference[s.name]} at {point}")
    assert compared > 0 or group in PGTUNE_SILENT
    assert not unexplained, "\n".join(unexplained[:20])


def test_every_setting_pgtune_writes_is_written():
    for point, result, _ in planned():
        ours = {s.name for s in result.settings}
        theirs = set(pgtune(
            ram=parse_size(str(point["ram"])), cores=point["cores"], storage=point["storage"],
            version=point["pg_version"], profile=point["profile"], platform=point["platform"],
            connections=result.max_connections, data_size=point["data_size"],
        ))  # fmt: skip
        assert theirs <= ours, (point, theirs - ours)


def setting_of(result: Plan, name: str):
    return next(s for s in result.settings if s.name == name)


def at(**inputs: object) -> Plan:
    return plan(Scenario().with_changes(**inputs))


# Where pgplanner parts from pgtune, one row per kind of difference: inputs, setting, pgplanner's value,
# pgtune's value (from the reference, by hand), and the words the explanation must contain.
DIFFERENCES = [
    # memory: maintenance_work_mem capped at 2 GB instead of 8 GB (64 GB / 16 = 4 GB)
    (dict(ram="64GB", cores=8), "maintenance_work_mem", "2GB", 4 * GB, "pgtune caps at 8 GB"),
    # memory: below 1 GB of RAM pgtune goes under the server default 64 MB (512 MB / 16 = 32 MB)
    (dict(ram="512MB", cores=2), "maintenance_work_mem", "64MB", 32 * MB, "at least 64 MB"),
    # memory: autovacuum_work_mem 1 GB where pgtune allows 2 GB (maintenance_work_mem 4 GB >= 2 GB)
    (dict(ram="64GB", cores=8), "autovacuum_work_mem", "1GB", 2 * GB, "caps it at 1 GB"),
    # memory: huge_pages try below 2 GB of shared_buffers (8 GB / 4 = 2 GB is the edge; 4 GB -> 1 GB)
    (dict(ram="4GB", cores=4), "huge_pages", "try", "off", "try costs nothing"),
    (dict(ram="64GB", cores=8, platform="macos"), "huge_pages", "try", "off", "equally safe"),
    # memory: effective_cache_size when connections leave less than 3/4 of RAM for the cache
    # (4 GB - OS reserve 256 MB + 4 GB x 0.035 - 200 x 10.625 MB = 4,096 - 399.36 - 2,125 = 1,571.64 MB)
    (dict(ram="4GB", cores=4, max_connections=200), "effective_cache_size", "1571MB", 3 * GB, "leave less"),
    # WAL: wal_buffers is what -1 computes, 1/32 of shared_buffers (256 MB / 32 = 8 MB; pgtune 3 % = 7.68 MB)
    (dict(ram="1GB", cores=2), "wal_buffers", "8MB", 7864 * 1024, "1/32"),
    # WAL: pglz instead of lz4 from 15
    (dict(pg_version=15), "wal_compression", "pglz", "lz4", "--with-lz4"),
    # WAL: a desktop keeps wal_level = replica and its WAL senders
    (dict(profile="desktop"), "wal_level", "replica", "minimal", "pg_basebackup"),
    (dict(profile="desktop"), "max_wal_senders", "10", 0, "pg_basebackup"),
    # planner: io_method worker where pgtune assumes a liburing build, and so io_workers is written
    (dict(pg_version=18, platform="linux"), "io_method", "worker", "io_uring", "without liburing"),
    (dict(pg_version=18, platform="linux", cores=32), "io_workers", "8", 3, "chose io_uring"),
    # planner: maintenance_io_concurrency, the device's 64 on 18 shared by 3 autovacuum workers: 64 / 3 = 21;
    # pgtune leaves 18's default 16
    (dict(pg_version=18, storage="ssd"), "maintenance_io_concurrency", "21", 16, "so they share it"),
    # planner: effective_io_concurrency as 13+ counts it (timescaledb-tune's 256), pgtune's 1000 for nvme is
    # from the spindle-counting table; on 18 at most io_max_concurrency's 64
    (dict(pg_version=17, storage="nvme"), "effective_io_concurrency", "256", 1000, "before 13"),
    (dict(pg_version=18, storage="nvme"), "effective_io_concurrency", "64", 1000, "nominal"),
    # parallelism: worker slots beyond the parallel workers: 4 + 1 launcher + 4 logical replication + 2 extension
    (dict(cores=4), "max_worker_processes", "11", 4, "out of background worker slots"),
    (dict(cores=16), "max_worker_processes", "23", 16, "out of background worker slots"),
    # below 4 cores pgtune leaves PostgreSQL's 8 slots: 2 + 1 + 4 + 2 = 9 here
    (dict(cores=2), "max_worker_processes", "9", 8, "take from one another"),
    # parallelism: below 4 cores pgtune leaves 8 parallel workers and 2 per gather; on one core none
    (dict(cores=2), "max_parallel_workers", "2", 8, "only queue for CPU"),
    (dict(cores=2), "max_parallel_workers_per_gather", "1", 2, "only queue for CPU"),
    (dict(cores=1), "max_parallel_workers", "0", 8, "competes with its leader"),
    (dict(cores=1), "max_parallel_maintenance_workers", "0", 2, "competes with its leader"),
    # WAL: max_wal_size grows with shared_buffers: 768 GB / 4 = 192 GB, x 0.5 for oltp = 96 GB (pgtune 8 GB)
    (dict(ram="768GB", cores=96, profile="oltp"), "max_wal_size", "96GB", 8 * GB, "grows it with shared_buffers"),
    # WAL: a 1 GB machine's disk (1 GB x 20 = 20 GB) bounds it to a tenth, 2 GB, and min_wal_size to 2 GB / 4
    (dict(ram="1GB", cores=1), "max_wal_size", "2GB", 4 * GB, "a tenth of the WAL disk"),
    (dict(ram="1GB", cores=1), "min_wal_size", "512MB", 1 * GB, "a quarter of max_wal_size"),
    # memory: work_mem at most what an OLTP sort needs (64 MB); pgtune: (768 GB - 192 GB) / ((250 connections
    # of the budget + 96 workers) x 3) = 603,979,776 kB / 1,038 = 581,868 kB
    (dict(ram="768GB", cores=96, profile="oltp"), "work_mem", "64MB", 581_868 * 1024, "fits in RAM"),
]


@pytest.mark.parametrize("inputs, name, ours, theirs, why", DIFFERENCES)
def test_each_kind_of_difference_is_explained(inputs, name, ours, theirs, why):
    result = at(**inputs)
    s = setting_of(result, name)
    assert s.value == ours
    hw, wl = result.scenario.hardware, result.scenario.workload
    reference = effective(
        ram=hw.ram, cores=hw.cores, storage=hw.storage, version=hw.pg_version, profile=wl.profile,
        platform=hw.platform, connections=result.max_connections, data_size=hw.data_size,
    )  # fmt: skip
    assert reference[name] == theirs
    assert why in s.versus_pgtune


# Where pgplanner writes what pgtune writes: no "unlike pgtune" note.
SAME = [
    (dict(ram="64GB", cores=16), "shared_buffers", "16GB"),
    (dict(ram="64GB", cores=16, profile="desktop"), "shared_buffers", "4GB"),
    (dict(ram="64GB", cores=16), "effective_cache_size", "48GB"),
    (dict(ram="16GB", cores=16), "maintenance_work_mem", "1GB"),
    (dict(ram="64GB", cores=16), "wal_buffers", "16MB"),
    (dict(profile="oltp"), "max_wal_size", "8GB"),
    (dict(profile="analytics", ram="64GB"), "min_wal_size", "4GB"),
    (dict(profile="oltp", ram="16GB", cores=4), "max_wal_size", "8GB"),  # 4 GB x 0.5 < 8 GB < 100 GB x 0.1
    (dict(profile="analytics"), "default_statistics_target", "500"),
    (dict(profile="analytics", storage="ssd", data_size="1TB", ram="64GB"), "random_page_cost", "4"),
    (dict(storage="hdd", data_size="8GB", ram="64GB"), "random_page_cost", "1.1"),
    (dict(storage="hdd", pg_version=17), "effective_io_concurrency", "2"),
    (dict(cores=1), "max_worker_processes", "8"),  # 0 + 1 + 4 + 2 = 7, at least PostgreSQL's 8, as pgtune leaves
    (dict(profile="web"), "jit", "off"),
    (dict(cores=32), "autovacuum_max_workers", "5"),
    (dict(cores=16), "max_parallel_workers_per_gather", "4"),
    (dict(cores=16, profile="analytics"), "max_parallel_workers_per_gather", "8"),
    (dict(pg_version=18, platform="windows", cores=32), "io_method", "worker"),
    (dict(pg_version=18, platform="windows", cores=32), "io_workers", "8"),
    (dict(pg_version=14), "wal_compression", "on"),
]


@pytest.mark.parametrize("inputs, name, value", SAME)
def test_where_pgtune_agrees_nothing_is_claimed(inputs, name, value):
    s = setting_of(at(**inputs), name)
    assert (s.value, s.versus_pgtune) == (value, "")

"""Planner and I/O: cost constants, statistics, JIT and (on 18) how asynchronous I/O is done."""

from __future__ import annotations

import math

from ..units import human_size
from ..derivation import rounded
from ..sources import PG_ASYNC_IO, PG_QUERY_PLANNING
from .base import Setting, SettingsInput, explain, present, setting

# random_page_cost: 1.1 when random reads are nearly as cheap as sequential ones (flash, or data
# that fits in RAM); PostgreSQL's default 4.0 for spinning disks and for analytics on data larger than
# RAM, where a low value makes the planner choose index scans over much faster sequential scans.
RANDOM_PAGE_COST_CHEAP = 1.1
RANDOM_PAGE_COST_DEFAULT = 4.0
LARGE_DATA_RAM_MULTIPLE = 3  # pgtune's "greater than 3 x RAM"
# Concurrent I/O requests the device sustains (pgtune's table; "network" is its SAN).
IO_CONCURRENCY = {"hdd": 2, "ssd": 200, "network": 300, "nvme": 1000}
# effective_io_concurrency needs posix_fadvise: other platforms accept only 0 before 18.
PREFETCH_PLATFORMS = ("linux", "freebsd")
STATISTICS_TARGET = {"analytics": 500}
STATISTICS_TARGET_DEFAULT = 100
JIT_OFF_PROFILES = ("web", "oltp", "mixed")
IO_METHOD_FROM = 18
IO_WORKERS_DEFAULT, IO_WORKERS_MAX, CORES_PER_IO_WORKER = 3, 32, 4


def data_fits_in_ram(inp: SettingsInput) -> bool | None:
    """True when the data is smaller than RAM, False when it is larger, None when the size is unknown."""
    size = inp.scenario.hardware.data_size
    return None if size is None else size < inp.basis.ram


def recommend(inp: SettingsInput) -> list[Setting]:
    return present([
        _random_page_cost(inp),
        *_io_concurrency(inp),
        _statistics_target(inp),
        _jit(inp),
        *_io_method(inp),
    ])  # fmt: skip


def _random_page_cost(inp: SettingsInput) -> Setting | None:
    hw, profile = inp.scenario.hardware, inp.scenario.workload.profile
    fits = data_fits_in_ram(inp)
    size = "unknown data size" if hw.data_size is None else f"{human_size(hw.data_size)} of data"
    if fits:
        value, why = RANDOM_PAGE_COST_CHEAP, f"{size} fits in {human_size(inp.basis.ram)} of RAM: reads come from cache"
    elif hw.storage == "hdd":
        value, why = RANDOM_PAGE_COST_DEFAULT, "a spinning disk seeks for every random read"
    elif profile == "analytics":
        value, why = RANDOM_PAGE_COST_DEFAULT, "analytics on data beyond RAM: keep sequential scans attractive"
    else:
        value, why = RANDOM_PAGE_COST_CHEAP, f"{hw.storage}: random reads cost about as much as sequential ones"
    how = explain(
        "random_page_cost = 1.1 when the data fits in RAM or lives on flash; 4.0 on HDD and for analytics beyond RAM",
        f"{size}, {hw.storage}, {profile} -> {value:g}",
        why,
        inputs={"data size": size, "storage": hw.storage, "profile": profile},
        source=PG_QUERY_PLANNING,
    )
    return setting(inp, "random_page_cost", f"{value:g}", "planner", how)


def _io_concurrency(inp: SettingsInput) -> list[Setting | None]:
    hw = inp.scenario.hardware
    if hw.platform not in PREFETCH_PLATFORMS:
        return []  # the server's default is the only value it accepts there
    value = IO_CONCURRENCY[hw.storage]
    note = f"prefetching needs posix_fadvise, which {hw.platform} has; on macOS and Windows it is left at its default"
    differs = "pgtune writes it on Linux only; FreeBSD has posix_fadvise too" if hw.platform == "freebsd" else ""
    return [
        setting(inp, "effective_io_concurrency", str(value), "planner",
                explain("effective_io_concurrency by storage: hdd 2, ssd 200, network 300, nvme 1000",
                        f"{hw.storage} -> {value}", note, inputs={"storage": hw.storage, "platform": hw.platform},
                        source=PG_ASYNC_IO), differs),
        setting(inp, "maintenance_io_concurrency", str(value), "planner",
                explain("maintenance_io_concurrency = effective_io_concurrency", str(value),
                        "the same device serves VACUUM, ANALYZE and recovery prefetching",
                        inputs={"storage": hw.storage}, source=PG_ASYNC_IO),
                "pgtune leaves it at the default (10; 16 from 18); the device that serves queries' prefetching "
                "serves VACUUM's and recovery's as well, so pgplanner sets both alike, as pgconfig does"),
    ]  # fmt: skip


def _statistics_target(inp: SettingsInput) -> Setting | None:
    profile = inp.scenario.workload.profile
    value = STATISTICS_TARGET.get(profile, STATISTICS_TARGET_DEFAULT)
    how = explain("default_statistics_target = 100; 500 for analytics", f"{profile} -> {value}",
                  "finer histograms help large ad-hoc queries and cost longer ANALYZE runs",
                  inputs={"profile": profile}, source=PG_QUERY_PLANNING)  # fmt: skip
    return setting(inp, "default_statistics_target", str(value), "planner", how)


def _jit(inp: SettingsInput) -> Setting | None:
    profile = inp.scenario.workload.profile
    value = "off" if profile in JIT_OFF_PROFILES else "on"
    how = explain(
        "jit = off for web, oltp and mixed; on (the default) for analytics and desktop",
        f"{profile} -> {value}",
        "compiling a query pays off only for long CPU-bound queries; on short ones it adds latency",
        inputs={"profile": profile},
        source=PG_QUERY_PLANNING,
    )
    return setting(inp, "jit", value, "planner", how)


def _io_method(inp: SettingsInput) -> list[Setting | None]:
    if inp.version < IO_METHOD_FROM:
        return []
    cores = inp.scenario.hardware.cores
    check = (
        "io_uring needs a server built --with-liburing and a kernel that allows it; check with: "
        "SELECT setting ~ 'with-liburing' FROM pg_config WHERE name = 'CONFIGURE', "
        "and sysctl kernel.io_uring_disabled = 0"
    )
    linux = inp.scenario.hardware.platform == "linux"
    method_differs = (
        "pgtune writes io_uring on Linux, which stops a server built without liburing from starting; worker works "
        "in every build"
        if linux
        else ""
    )
    workers = min(IO_WORKERS_MAX, max(IO_WORKERS_DEFAULT, math.floor(cores / CORES_PER_IO_WORKER)))
    workers_differs = "pgtune leaves io_workers out because it chose io_uring" if linux else ""
    return [
        setting(inp, "io_method", "worker", "planner",
                explain("io_method = worker", "I/O worker processes do the reads", check, source=PG_ASYNC_IO),
                method_differs),
        setting(inp, "io_workers", str(workers), "planner",
                explain("io_workers = cores / 4, between 3 and 32",
                        rounded(f"{cores} / {CORES_PER_IO_WORKER}", cores / CORES_PER_IO_WORKER,
                                cores // CORES_PER_IO_WORKER, "down") + f", between 3 and 32: {workers}",
                        "one I/O worker per four cores keeps their queue short without idle processes",
                        inputs={"cores": str(cores)}, source=PG_ASYNC_IO),
                workers_differs),
    ]  # fmt: skip

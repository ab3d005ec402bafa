"""Planner and I/O: cost constants, statistics, JIT and (on 18) how asynchronous I/O is done."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import get_args

from ..derivation import capped, listing, rounded, steps
from ..scenario import Profile
from ..sources import PG_ASYNC_IO, PG_QUERY_PLANNING
from ..units import human_size
from .base import Declaration, Parameter, Setting, SettingsInput, explain, present

# random_page_cost: 1.1 when random reads are nearly as cheap as sequential ones (flash, or data
# that fits in RAM); PostgreSQL's default 4.0 for spinning disks and for analytics on data larger than
# RAM, where a low value makes the planner choose index scans over much faster sequential scans.
RANDOM_PAGE_COST_CHEAP = 1.1
RANDOM_PAGE_COST_DEFAULT = 4.0
# Concurrent I/O requests the device sustains (pgtune's table; "network" is its SAN).
IO_CONCURRENCY = {"hdd": 2, "ssd": 200, "network": 300, "nvme": 1000}
# PostgreSQL's default maintenance_io_concurrency: 10, and 16 from 18 (guc_tables.c).
MAINTENANCE_IO_CONCURRENCY_DEFAULT = (10, ((18, 16),))
# effective_io_concurrency needs posix_fadvise: other platforms accept only 0 before 18.
PREFETCH_PLATFORMS = ("linux", "freebsd")
STATISTICS_TARGET = {"analytics": 500}
STATISTICS_TARGET_DEFAULT = 100
JIT_OFF_PROFILES = ("web", "oltp", "mixed")
IO_METHOD_FROM = 18
IO_WORKERS_DEFAULT, IO_WORKERS_MAX, CORES_PER_IO_WORKER = 3, 32, 4

DECLARED = Declaration(
    "planner",
    "Planner and I/O",
    {
        "random_page_cost": Parameter(13, "reload"),
        "effective_io_concurrency": Parameter(13, "reload"),
        "maintenance_io_concurrency": Parameter(13, "reload"),
        "default_statistics_target": Parameter(13, "reload"),
        "jit": Parameter(13, "reload"),
        "io_method": Parameter(IO_METHOD_FROM, "restart"),
        "io_workers": Parameter(IO_METHOD_FROM, "reload"),
    },
)

# The formulas, written out from the constants above once, at import.
RANDOM_PAGE_COST_FORMULA = (
    f"random_page_cost = {RANDOM_PAGE_COST_CHEAP:g} when the data fits in RAM or lives on flash; "
    f"{RANDOM_PAGE_COST_DEFAULT:g} on HDD and for analytics beyond RAM"
)
IO_CONCURRENCY_FORMULA = f"effective_io_concurrency by storage: {listing(IO_CONCURRENCY)}"
MAINTENANCE_IO_VERSUS_PGTUNE = (
    f"pgtune leaves it at the default ({steps(*MAINTENANCE_IO_CONCURRENCY_DEFAULT)}); the device that serves "
    "queries' prefetching serves VACUUM's and recovery's as well, so pgplanner sets both alike, as pgconfig does"
)
STATISTICS_TARGET_FORMULA = "; ".join(
    [
        f"default_statistics_target = {STATISTICS_TARGET_DEFAULT}",
        *(f"{value} for {profile}" for profile, value in STATISTICS_TARGET.items()),
    ]
)
JIT_ON_PROFILES = tuple(p for p in get_args(Profile) if p not in JIT_OFF_PROFILES)
JIT_FORMULA = f"jit = off for {', '.join(JIT_OFF_PROFILES)}; on (the default) for {', '.join(JIT_ON_PROFILES)}"
IO_WORKERS_FORMULA = (
    f"io_workers = cores / {CORES_PER_IO_WORKER}, rounded down, between {IO_WORKERS_DEFAULT} (the default) and "
    f"{IO_WORKERS_MAX}"
)


def recommend(inp: SettingsInput) -> list[Setting]:
    hw, profile = inp.scenario.hardware, inp.scenario.workload.profile
    cost = _random_page_cost(hw.pg_version, hw.data_size, inp.basis.ram, hw.storage, profile)
    return [*present([cost]), *_by_facts(hw.pg_version, hw.platform, hw.storage, profile, hw.cores)]


@lru_cache(maxsize=512)  # cores make the combinations many: keep the most recent
def _by_facts(version: int, platform: str, storage: str, profile: str, cores: int) -> tuple[Setting, ...]:
    """The rest of the group: a function of a few discrete facts, made once per combination."""
    return tuple(
        present([
            *_io_concurrency(version, platform, storage),
            _statistics_target(version, profile),
            _jit(version, profile),
            *_io_method(version, platform, cores),
        ])
    )  # fmt: skip


@lru_cache(maxsize=256)
def _random_page_cost(version: int, data_size: int | None, ram: int, storage: str, profile: str) -> Setting | None:
    fits = None if data_size is None else data_size < ram
    size = "unknown data size" if data_size is None else f"{human_size(data_size)} of data"
    if fits:
        value, why = RANDOM_PAGE_COST_CHEAP, f"{size} fits in {human_size(ram)} of RAM: reads come from cache"
    elif storage == "hdd":
        value, why = RANDOM_PAGE_COST_DEFAULT, "a spinning disk seeks for every random read"
    elif profile == "analytics":
        value, why = RANDOM_PAGE_COST_DEFAULT, "analytics on data beyond RAM: keep sequential scans attractive"
    else:
        value, why = RANDOM_PAGE_COST_CHEAP, f"{storage}: random reads cost about as much as sequential ones"
    how = explain(
        RANDOM_PAGE_COST_FORMULA,
        f"{size}, {storage}, {profile}: {value:g}",
        why,
        inputs={"data size": size, "storage": storage, "profile": profile},
        source=PG_QUERY_PLANNING,
    )
    return DECLARED.setting(version, "random_page_cost", f"{value:g}", how)


def _io_concurrency(version: int, platform: str, storage: str) -> list[Setting | None]:
    if platform not in PREFETCH_PLATFORMS:
        return []  # the server's default is the only value it accepts there
    value = IO_CONCURRENCY[storage]
    note = f"prefetching needs posix_fadvise, which {platform} has; on macOS and Windows it is left at its default"
    differs = "pgtune writes it on Linux only; FreeBSD has posix_fadvise too" if platform == "freebsd" else ""
    return [
        DECLARED.setting(version, "effective_io_concurrency", str(value),
                         explain(IO_CONCURRENCY_FORMULA, f"{storage}: {value}", note,
                                 inputs={"storage": storage, "platform": platform}, source=PG_ASYNC_IO),
                         differs),
        DECLARED.setting(version, "maintenance_io_concurrency", str(value),
                explain("maintenance_io_concurrency = effective_io_concurrency",
                        f"effective_io_concurrency: {value}",
                        "the same device serves VACUUM, ANALYZE and recovery prefetching",
                        inputs={"storage": storage}, source=PG_ASYNC_IO),
                MAINTENANCE_IO_VERSUS_PGTUNE),
    ]  # fmt: skip


def _statistics_target(version: int, profile: str) -> Setting | None:
    value = STATISTICS_TARGET.get(profile, STATISTICS_TARGET_DEFAULT)
    how = explain(STATISTICS_TARGET_FORMULA, f"{profile}: {value}",
                  "finer histograms help large ad-hoc queries and cost longer ANALYZE runs",
                  inputs={"profile": profile}, source=PG_QUERY_PLANNING)  # fmt: skip
    return DECLARED.setting(version, "default_statistics_target", str(value), how)


def _jit(version: int, profile: str) -> Setting | None:
    value = "off" if profile in JIT_OFF_PROFILES else "on"
    how = explain(
        JIT_FORMULA,
        f"{profile}: {value}",
        "compiling a query pays off only for long CPU-bound queries; on short ones it adds latency",
        inputs={"profile": profile},
        source=PG_QUERY_PLANNING,
    )
    return DECLARED.setting(version, "jit", value, how)


def _io_method(version: int, platform: str, cores: int) -> list[Setting | None]:
    if version < IO_METHOD_FROM:
        return []
    check = (
        "io_uring needs a server built --with-liburing and a kernel that allows it; check with: "
        "SELECT setting ~ 'with-liburing' FROM pg_config WHERE name = 'CONFIGURE', "
        "and sysctl kernel.io_uring_disabled = 0"
    )
    linux = platform == "linux"
    method_differs = (
        "pgtune writes io_uring on Linux, which stops a server built without liburing from starting; worker works "
        "in every build"
        if linux
        else ""
    )
    per_cores = math.floor(cores / CORES_PER_IO_WORKER)
    workers = min(max(per_cores, IO_WORKERS_DEFAULT), IO_WORKERS_MAX)
    calculation = (
        rounded(f"{cores} / {CORES_PER_IO_WORKER}", cores / CORES_PER_IO_WORKER, per_cores, "down")
        + "; "
        + capped(str(per_cores), per_cores, at_least=IO_WORKERS_DEFAULT, at_most=IO_WORKERS_MAX)
    )
    workers_differs = "pgtune leaves io_workers out because it chose io_uring" if linux else ""
    return [
        DECLARED.setting(version, "io_method", "worker",
                explain("io_method = worker", "I/O worker processes do the reads", check, source=PG_ASYNC_IO),
                method_differs),
        DECLARED.setting(version, "io_workers", str(workers),
                explain(IO_WORKERS_FORMULA, calculation,
                        f"one I/O worker per {CORES_PER_IO_WORKER} cores keeps their queue short without idle "
                        "processes",
                        inputs={"cores": str(cores)}, source=PG_ASYNC_IO),
                workers_differs),
    ]  # fmt: skip

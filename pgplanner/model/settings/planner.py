"""Planner and I/O: cost constants, statistics, JIT and (on 18) how asynchronous I/O is done."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import get_args

from ..derivation import Derivation, capped, listing, rounded
from ..scenario import Profile
from ..sources import PG_18_IO, PG_ASYNC_IO, PGTUNE, TIMESCALEDB_TUNE
from ..units import human_size
from .base import Declaration, Made, Parameter, Setting, SettingsInput, explain, present

# random_page_cost: 1.1 when random reads are nearly as cheap as sequential ones (flash, or data
# that fits in RAM); PostgreSQL's default 4.0 for spinning disks and for analytics on data larger than
# RAM, where a low value makes the planner choose index scans over much faster sequential scans.
RANDOM_PAGE_COST_CHEAP = 1.1
RANDOM_PAGE_COST_DEFAULT = 4.0
# Concurrent prefetch requests per process, as 13 and later count them (13 stopped counting spindles:
# a pre-13 value of 200 became ~1,000): a mirrored pair of spinning disks, and timescaledb-tune's 256
# from 13 on for flash and network volumes (after B. Momjian on pgsql-hackers, 2021).
IO_CONCURRENCY = {"hdd": 2, "ssd": 256, "network": 256, "nvme": 256}
# PostgreSQL's defaults (guc_tables.c): effective_io_concurrency 1 (16 from 18), maintenance_io_concurrency
# 10 (16 from 18). From 18 one process has at most io_max_concurrency I/Os in flight, and its default
# (-1) never goes above 64, so more is nominal there.
IO_DEFAULTS_RAISED_IN = 18
EFFECTIVE_IO_DEFAULT = {False: 1, True: 16}
MAINTENANCE_IO_DEFAULT = {False: 10, True: 16}
IO_MAX_CONCURRENCY = 64
# Before 18 prefetching needs posix_fadvise: other platforms accept only 0. 18 prefetches on every
# platform through its I/O workers (commit 2a5e709 "Enable IO concurrency on all systems").
PREFETCH_PLATFORMS = ("linux", "freebsd")
STATISTICS_TARGET = {"analytics": 500}
STATISTICS_TARGET_DEFAULT = 100
JIT_OFF_PROFILES = ("web", "oltp", "mixed")
IO_METHOD_FROM = 18
PGTUNE_IO_CONCURRENCY = {"hdd": 2, "ssd": 200, "network": 300, "nvme": 1000}  # pgtune's, Linux only
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
RANDOM_PAGE_COSTS_WRITTEN = {cost: f"{cost:g}" for cost in (RANDOM_PAGE_COST_CHEAP, RANDOM_PAGE_COST_DEFAULT)}
RANDOM_PAGE_COST_FORMULA = (
    f"random_page_cost = {RANDOM_PAGE_COST_CHEAP:g} when the data fits in RAM or lives on flash; "
    f"{RANDOM_PAGE_COST_DEFAULT:g} on HDD and for analytics beyond RAM"
)
IO_CONCURRENCY_FORMULA = (
    f"effective_io_concurrency by storage, as 13+ counts requests: {listing(IO_CONCURRENCY)}; from "
    f"{IO_DEFAULTS_RAISED_IN} between its default {EFFECTIVE_IO_DEFAULT[True]} and io_max_concurrency's "
    f"{IO_MAX_CONCURRENCY}"
)
MAINTENANCE_IO_FORMULA = (
    "maintenance_io_concurrency = effective_io_concurrency / autovacuum_max_workers, rounded down, at least the "
    f"default ({MAINTENANCE_IO_DEFAULT[False]}; {MAINTENANCE_IO_DEFAULT[True]} from {IO_DEFAULTS_RAISED_IN})"
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


def recommend(inp: SettingsInput) -> Made:
    hw, profile = inp.scenario.hardware, inp.scenario.workload.profile
    version, platform = hw.pg_version, hw.platform
    cost = _random_page_cost(version, hw.data_size, inp.basis.ram, hw.storage, profile)
    return [
        cost,
        *_io_concurrency(version, platform, hw.storage, inp.basis.server.autovacuum_workers),
        *_by_profile(version, profile),
        *(_io_method(version, platform, hw.cores) if version >= IO_METHOD_FROM else ()),
    ]


@cache
def _by_profile(version: int, profile: str) -> tuple[Setting, ...]:
    """The statistics target and JIT: a function of the release and the profile, made once per combination."""
    return tuple(present([_statistics_target(version, profile), _jit(version, profile)]))


def _random_page_cost(version: int, data_size: int | None, ram: int, storage: str, profile: str) -> Setting | None:
    """Made per plan (RAM and the data size make the combinations many), its explanation written when read."""
    if data_size is not None and data_size < ram:
        why = "fits"
    elif storage == "hdd":
        why = "hdd"
    elif profile == "analytics":
        why = "analytics"
    else:
        why = "flash"
    value = RANDOM_PAGE_COST_DEFAULT if why in ("hdd", "analytics") else RANDOM_PAGE_COST_CHEAP
    how = Derivation.later(_random_page_cost_derivation, data_size, ram, storage, profile, value, why)
    return DECLARED.setting(version, "random_page_cost", RANDOM_PAGE_COSTS_WRITTEN[value], how)


def _random_page_cost_derivation(
    data_size: int | None, ram: int, storage: str, profile: str, value: float, why: str
) -> Derivation:
    """The explanation of random_page_cost, ``why`` the case that chose it: fits, hdd, analytics or flash."""
    size = "unknown data size" if data_size is None else f"{human_size(data_size)} of data"
    reasons = {
        "fits": f"{size} fits in {human_size(ram)} of RAM: reads come from cache",
        "hdd": "a spinning disk seeks for every random read",
        "analytics": "analytics on data beyond RAM: keep sequential scans attractive",
        "flash": f"{storage}: random reads cost about as much as sequential ones",
    }
    return explain(
        RANDOM_PAGE_COST_FORMULA,
        f"{size}, {storage}, {profile}: {value:g}",
        reasons[why],
        inputs={"data size": size, "storage": storage, "profile": profile},
        source=PGTUNE,
    )


@lru_cache(maxsize=256)  # the autovacuum workers, given or from the cores, make the combinations a few hundred
def _io_concurrency(version: int, platform: str, storage: str, vacuum: int) -> tuple[Setting | None, ...]:
    """effective_io_concurrency and maintenance_io_concurrency; their explanations are written when read, so a
    miss (a new count of autovacuum workers) costs little more than a hit."""
    raised = version >= IO_DEFAULTS_RAISED_IN
    if platform not in PREFETCH_PLATFORMS and not raised:
        return ()  # without posix_fadvise the server's default 0 is the only value it accepts before 18
    wanted = IO_CONCURRENCY[storage]
    value = min(max(wanted, EFFECTIVE_IO_DEFAULT[True]), IO_MAX_CONCURRENCY) if raised else wanted
    differs = ""
    if platform == "linux" and value != PGTUNE_IO_CONCURRENCY[storage]:
        differs = (
            f"pgtune writes {PGTUNE_IO_CONCURRENCY[storage]} for {storage}, a table from before 13, when the value "
            "counted spindles"
            + (f"; from {IO_DEFAULTS_RAISED_IN} more than {IO_MAX_CONCURRENCY} is nominal" if raised else "")
        )
    elif platform != "linux" and value != EFFECTIVE_IO_DEFAULT[raised]:
        why = "FreeBSD has posix_fadvise too" if platform == "freebsd" else "18 prefetches through its I/O workers"
        differs = f"pgtune writes it on Linux only; {why}"
    per_worker = value / vacuum
    floor = MAINTENANCE_IO_DEFAULT[raised]
    maintenance = max(int(per_worker), floor)
    maintenance_differs = ""
    if maintenance != floor:
        maintenance_differs = (
            f"pgtune leaves the default {floor}; the device that serves queries' prefetching serves VACUUM's too, "
            f"and each of the {vacuum} autovacuum workers prefetches this much, so they share it"
        )
    return (
        DECLARED.setting(version, "effective_io_concurrency", str(value),
                         Derivation.later(_effective_io, version, platform, storage), differs),
        DECLARED.setting(version, "maintenance_io_concurrency", str(maintenance),
                         Derivation.later(_maintenance_io, version, platform, storage, vacuum, value),
                         maintenance_differs),
    )  # fmt: skip


def _io_inputs(version: int, platform: str, storage: str) -> dict[str, str]:
    return {"storage": storage, "platform": platform, "PostgreSQL": str(version)}


def _effective_io(version: int, platform: str, storage: str) -> Derivation:
    """The explanation of effective_io_concurrency: the storage's table, bounded from 18."""
    wanted = IO_CONCURRENCY[storage]
    raised = version >= IO_DEFAULTS_RAISED_IN
    if raised:
        shown = capped(str(wanted), wanted, at_least=EFFECTIVE_IO_DEFAULT[True], at_most=IO_MAX_CONCURRENCY)
        note = (
            f"how far one process reads ahead; from {IO_DEFAULTS_RAISED_IN} io_max_concurrency (-1: at most "
            f"{IO_MAX_CONCURRENCY}) bounds the I/Os one process has in flight, and with io_method = worker the "
            "I/O workers carry them out"
        )
    else:
        shown = f"{storage}: {wanted}"
        note = (
            "13 counts concurrent requests, no longer spindles (its release notes: a pre-13 200 became ~1,000); "
            f"timescaledb-tune's 256 for flash from 13 on; prefetching needs posix_fadvise, which {platform} has"
        )
    return explain(IO_CONCURRENCY_FORMULA, shown, note, inputs=_io_inputs(version, platform, storage),
                   source=PG_18_IO if raised else TIMESCALEDB_TUNE)  # fmt: skip


def _maintenance_io(version: int, platform: str, storage: str, vacuum: int, value: int) -> Derivation:
    """The explanation of maintenance_io_concurrency: effective_io_concurrency shared by the autovacuum workers."""
    per_worker = value / vacuum
    floor = MAINTENANCE_IO_DEFAULT[version >= IO_DEFAULTS_RAISED_IN]
    shown = (
        rounded(f"{value} / {vacuum}", per_worker, int(per_worker), "down")
        + "; "
        + capped(str(int(per_worker)), int(per_worker), at_least=floor)
    )
    return explain(MAINTENANCE_IO_FORMULA, shown,
                   "VACUUM, ANALYZE and recovery prefetch with it, each autovacuum worker on its own; "
                   "never below the default, which a spinning disk's RAID benefits from most",
                   inputs={**_io_inputs(version, platform, storage), "autovacuum workers": str(vacuum)},
                   source=PG_ASYNC_IO)  # fmt: skip


def _statistics_target(version: int, profile: str) -> Setting | None:
    value = STATISTICS_TARGET.get(profile, STATISTICS_TARGET_DEFAULT)
    how = explain(STATISTICS_TARGET_FORMULA, f"{profile}: {value}",
                  "finer histograms help large ad-hoc queries and cost longer ANALYZE runs",
                  inputs={"profile": profile}, source=PGTUNE)  # fmt: skip
    return DECLARED.setting(version, "default_statistics_target", str(value), how)


def _jit(version: int, profile: str) -> Setting | None:
    value = "off" if profile in JIT_OFF_PROFILES else "on"
    how = explain(
        JIT_FORMULA,
        f"{profile}: {value}",
        "JIT starts when a plan's estimated cost passes jit_above_cost, so a misestimated short OLTP query can pay "
        "tens of milliseconds of compilation; it pays off only for long CPU-bound queries",
        inputs={"profile": profile},
        source=PGTUNE,
    )
    return DECLARED.setting(version, "jit", value, how)


def _io_method(version: int, platform: str, cores: int) -> tuple[Setting | None, ...]:
    """io_method (one per release and platform) and io_workers from the cores, explained when read."""
    per_cores = cores // CORES_PER_IO_WORKER  # floor(cores / 4)
    workers = min(max(per_cores, IO_WORKERS_DEFAULT), IO_WORKERS_MAX)
    workers_differs = "pgtune leaves io_workers out because it chose io_uring" if platform == "linux" else ""
    return (
        _io_method_setting(version, platform),
        DECLARED.setting(version, "io_workers", str(workers),
                         Derivation.later(_io_workers, cores, per_cores), workers_differs),
    )  # fmt: skip


@cache
def _io_method_setting(version: int, platform: str) -> Setting | None:
    method_differs = (
        "pgtune writes io_uring on Linux, which stops a server built without liburing from starting; worker works "
        "in every build"
        if platform == "linux"
        else ""
    )
    check = (
        "io_uring needs a server built --with-liburing and a kernel that allows it; check with: "
        "SELECT setting ~ 'with-liburing' FROM pg_config WHERE name = 'CONFIGURE', "
        "and sysctl kernel.io_uring_disabled = 0"
    )
    how = explain("io_method = worker", "I/O worker processes do the reads", check, source=PG_18_IO)
    return DECLARED.setting(version, "io_method", "worker", how, method_differs)


def _io_workers(cores: int, per_cores: int) -> Derivation:
    calculation = (
        rounded(f"{cores} / {CORES_PER_IO_WORKER}", cores / CORES_PER_IO_WORKER, per_cores, "down")
        + "; "
        + capped(str(per_cores), per_cores, at_least=IO_WORKERS_DEFAULT, at_most=IO_WORKERS_MAX)
    )
    return explain(IO_WORKERS_FORMULA, calculation,
                   "each I/O worker does one synchronous read at a time, so at most io_workers reads are in "
                   "flight across the server whatever effective_io_concurrency says; a fast device under many "
                   "concurrent scans wants more of them (or io_uring, checked as said for io_method)",
                   inputs={"cores": str(cores)}, source=PGTUNE)  # fmt: skip

"""pgtune's published formulas, reproduced here as the reference the recommenders are compared with.

Source: le0pard/pgtune, src/features/configuration/configurationSlice.js at 7caef27 (2026-07-30), as
summarised in reference/tuning_tools.md A1. Memory values are kB there; here they are bytes. Where
pgtune writes nothing the server's default applies, so ``effective()`` fills in PostgreSQL's default
for the release (guc_tables.c of each branch): that is the value the server would run with.

This is test code on purpose: it must stay independent of pgplanner's model.
"""

from __future__ import annotations

import math

KB, MB, GB = 1024, 1024**2, 1024**3

# pgplanner's names for pgtune's options.
DB_TYPE = {"web": "web", "oltp": "oltp", "analytics": "dw", "mixed": "mixed", "desktop": "desktop"}
HD_TYPE = {"hdd": "hdd", "ssd": "ssd", "network": "san", "nvme": "nvme"}
OS_TYPE = {"linux": "linux", "macos": "mac", "windows": "windows"}


def data_bucket(data_size: int | None, ram: int) -> str:
    """pgtune's three data-size choices; an unknown size is its default, 1-3 x RAM."""
    if data_size is None:
        return "mid_ram"
    if data_size < ram:
        return "less_ram"
    return "greater_ram" if data_size > 3 * ram else "mid_ram"


def pgtune(
    *, ram: int, cores: int, storage: str, version: int, profile: str, platform: str, connections: int,
    data_size: int | None = None,
) -> dict[str, object]:  # fmt: skip
    """What pgtune writes for these inputs: name -> value (sizes in bytes)."""
    db, hd, os_ = DB_TYPE[profile], HD_TYPE[storage], OS_TYPE[platform]
    size = data_bucket(data_size, ram)
    ram_kb = ram // KB
    out: dict[str, object] = {"max_connections": connections}

    shared_kb = ram_kb // 16 if db == "desktop" else ram_kb // 4
    out["shared_buffers"] = shared_kb * KB
    out["huge_pages"] = "off" if os_ == "mac" else ("try" if shared_kb * KB >= 2 * GB else "off")
    out["effective_cache_size"] = (ram_kb // 4 if db == "desktop" else ram_kb * 3 // 4) * KB

    mwm_kb = ram_kb // 8 if db == "dw" else ram_kb // 16
    windows_cap = os_ == "windows" and version <= 17
    limit_kb = (2 * GB if windows_cap else 8 * GB) // KB
    if mwm_kb >= limit_kb:
        mwm_kb = limit_kb - MB // KB if windows_cap else limit_kb
    out["maintenance_work_mem"] = mwm_kb * KB

    low, high = {"web": (1, 4), "oltp": (2, 8), "dw": (4, 16), "desktop": (100 / 1024, 2), "mixed": (1, 4)}[db]
    out["min_wal_size"], out["max_wal_size"] = round(low * GB), high * GB
    out["checkpoint_completion_target"] = 0.9

    wal_kb = min(3 * shared_kb // 100, 16 * MB // KB)
    if 14 * MB // KB < wal_kb < 16 * MB // KB:
        wal_kb = 16 * MB // KB
    out["wal_buffers"] = max(wal_kb, 32) * KB

    out["default_statistics_target"] = 500 if db == "dw" else 100
    if size == "less_ram":
        out["random_page_cost"] = 1.1
    elif hd == "hdd" or db == "dw":
        out["random_page_cost"] = 4.0
    else:
        out["random_page_cost"] = 1.1
    if os_ == "linux":
        out["effective_io_concurrency"] = {"hdd": 2, "ssd": 200, "san": 300, "nvme": 1000}[hd]

    workers = 8
    if cores >= 4:
        per_gather = math.ceil(cores / 2)
        if db != "dw":
            per_gather = min(per_gather, 4)
        out["max_worker_processes"] = workers = cores
        out["max_parallel_workers_per_gather"] = per_gather
        out["max_parallel_workers"] = cores
        out["max_parallel_maintenance_workers"] = min(math.ceil(cores / 2), 4)

    work_kb = (ram_kb - shared_kb) / ((connections + workers) * 3)
    work_kb = {"web": work_kb, "oltp": work_kb, "dw": work_kb / 2, "desktop": work_kb / 6, "mixed": work_kb / 2}[db]
    work_kb = math.floor(work_kb)
    if size == "less_ram":
        work_kb = math.floor(work_kb * 1.3)
    elif size == "greater_ram":
        work_kb = math.floor(work_kb * 0.9)
    work_kb = max(work_kb, 4 * MB // KB)
    if windows_cap:
        work_kb = min(work_kb, (2 * GB - MB) // KB)
    out["work_mem"] = work_kb * KB

    if db == "desktop":
        out["wal_level"], out["max_wal_senders"] = "minimal", 0
    if db in ("web", "oltp", "mixed"):
        out["jit"] = "off"
    out["wal_compression"] = "lz4" if version >= 15 else "on"
    if cores >= 32:
        out["autovacuum_max_workers"] = 5
    elif cores >= 16:
        out["autovacuum_max_workers"] = 4
    if mwm_kb * KB >= 2 * GB:
        out["autovacuum_work_mem"] = 2 * GB - MB if windows_cap else 2 * GB
    if version >= 18:
        out["io_method"] = "io_uring" if os_ == "linux" else "worker"
        io_workers = min(32, max(3, cores // 4))
        if out["io_method"] != "io_uring" and io_workers > 3:
            out["io_workers"] = io_workers
    return out


def server_defaults(version: int, maintenance_work_mem: int) -> dict[str, object]:
    """PostgreSQL's defaults for what pgtune may leave out (the values the server then runs with)."""
    return {
        "superuser_reserved_connections": 3,
        "reserved_connections": 0,
        "max_wal_senders": 10,
        "wal_level": "replica",
        "hash_mem_multiplier": 1.0 if version < 15 else 2.0,
        "temp_buffers": 8 * MB,
        "autovacuum_work_mem": maintenance_work_mem,  # -1: use maintenance_work_mem
        "maintenance_io_concurrency": 16 if version >= 18 else 10,
        "jit": "on",
        "max_worker_processes": 8,
        "max_parallel_workers": 8,
        "max_parallel_workers_per_gather": 2,
        "max_parallel_maintenance_workers": 2,
        "autovacuum_max_workers": 3,
        "io_workers": 3,
    }


def effective(**inputs: object) -> dict[str, object]:
    """pgtune's output with the server's defaults for everything it leaves out."""
    written = pgtune(**inputs)  # type: ignore[arg-type]
    return {**server_defaults(int(inputs["version"]), int(written["maintenance_work_mem"])), **written}

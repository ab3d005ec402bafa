"""What pgtune and timescaledb-tune write for the same inputs, for the comparisons in the settings' notes.

pgtune: le0pard/pgtune, src/features/configuration/configurationSlice.js (2026-07); timescaledb-tune:
timescale/timescaledb-tune v0.19.0, pkg/pgtune/memory.go. Sizes are bytes here; both tools count kB.
"""

from __future__ import annotations

import math

from ..units import GB, KB, MB

# pgtune's work_mem: (RAM - its shared_buffers) / ((max_connections + max_worker_processes) x 3), then
# per profile (dw and mixed / 2, desktop / 6), x 1.3 when the data fits in RAM and x 0.9 beyond 3 x RAM,
# at least 4 MB; max_worker_processes is the cores from 4 cores on, else PostgreSQL's 8.
PGTUNE_WORK_MEM_DIVISOR = {"analytics": 2, "mixed": 2, "desktop": 6}
PGTUNE_WORK_MEM_ALLOCATIONS = 3
PGTUNE_WORK_MEM_FLOOR = 4 * MB
PGTUNE_PARALLEL_FROM_CORES = 4
PGTUNE_DEFAULT_WORKERS = 8
PGTUNE_WINDOWS_MEMORY_MAX = 2 * GB - 1 * MB  # on Windows up to 17
# timescaledb-tune's work_mem: RAM in GB x 400 MB / max_connections / round(cores / 2), at least 64 kB.
TSTUNE_WORK_MEM_PER_GB = 400 * MB
TSTUNE_WORK_MEM_FLOOR = 64 * KB

PGTUNE_WORK_MEM_RULE = (
    "(RAM - shared_buffers) / ((max_connections + max_worker_processes) x 3), halved for analytics and mixed"
)
TSTUNE_WORK_MEM_RULE = "RAM in GB x 400 MB / max_connections / half the cores"


def pgtune_work_mem(
    ram: int, cores: int, platform: str, version: int, data_size: int | None, profile: str, max_connections: int
) -> int:
    ram_kb = ram // KB
    shared_kb = ram_kb // 16 if profile == "desktop" else ram_kb // 4
    workers = cores if cores >= PGTUNE_PARALLEL_FROM_CORES else PGTUNE_DEFAULT_WORKERS
    work_kb = math.floor((ram_kb - shared_kb) / ((max_connections + workers) * PGTUNE_WORK_MEM_ALLOCATIONS)
                         / PGTUNE_WORK_MEM_DIVISOR.get(profile, 1))  # fmt: skip
    if data_size is not None and data_size < ram:
        work_kb = math.floor(work_kb * 1.3)
    elif data_size is not None and data_size > 3 * ram:
        work_kb = math.floor(work_kb * 0.9)
    size = max(work_kb * KB, PGTUNE_WORK_MEM_FLOOR)
    if platform == "windows" and version <= 17:
        size = min(size, PGTUNE_WINDOWS_MEMORY_MAX)
    return size


def tstune_work_mem(ram: int, cores: int, max_connections: int) -> int:
    half_cores = math.floor(cores / 2 + 0.5)  # Go's math.Round: halves away from zero
    size = int(ram / GB * (TSTUNE_WORK_MEM_PER_GB / max_connections) / half_cores)
    return max(size, TSTUNE_WORK_MEM_FLOOR) // KB * KB

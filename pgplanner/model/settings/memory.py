"""Memory: shared_buffers, the cache estimate and the per-operation memory settings.

The values come from the same MemoryBasis the worst case is computed from, so the postgresql.conf
that is written and the memory plan can never disagree.
"""

from __future__ import annotations

from functools import cache

from ..derivation import exact, n
from ..memory import HUGE_PAGES_FROM, huge_pages_absent_because
from ..server import AUTOVACUUM_WORK_MEM_CAP, MAINTENANCE_CAP, MAINTENANCE_FLOOR
from ..sources import PG_HUGE_PAGES, PG_QUERY_PLANNING, PG_RESOURCE_CONSUMPTION
from ..units import GB, MB, human_size
from .base import Setting, SettingsInput, accepted_size, carried, conf_size, explain, present, setting, setting_for

# effective_cache_size: what shared_buffers and the OS page cache can hold together, at most 3/4 of
# RAM as pgtune and the PostgreSQL wiki say; a desktop shares its RAM with other programs (RAM / 4).
CACHE_SHARE = 0.75
DESKTOP_CACHE_SHARE = 0.25
BLOCK = 8 * 1024  # shared_buffers is counted in 8 kB pages
PGTUNE_HUGE_PAGES_FROM = 2 * GB  # pgtune writes huge_pages = off below this shared_buffers


def recommend(inp: SettingsInput) -> list[Setting]:
    return present([
        _shared_buffers(inp),
        _effective_cache_size(inp),
        _work_mem(inp),
        _hash_mem_multiplier(inp),
        _maintenance_work_mem(inp),
        _autovacuum_work_mem(inp),
        _temp_buffers(inp),
        _huge_pages(inp),
    ])  # fmt: skip


def _shared_buffers(inp: SettingsInput) -> Setting | None:
    b, mem = inp.basis, inp.scenario.memory
    value, lowered = accepted_size(inp, "shared_buffers", b.shared_buffers // BLOCK * BLOCK)
    available = inp.derivations["memory.available_bytes"]
    notes = "; ".join(filter(None, ["whole 8 kB pages", lowered, f"{available.formula}: {available.calculation}"]))
    how = carried(inp.derivations["memory.shared_buffers_bytes"], notes)
    differs = ""
    if mem.shared_buffers is not None:
        differs = "pgplanner writes the shared_buffers you gave; pgtune always derives it from RAM"
    return setting(inp, "shared_buffers", conf_size(value), "memory", how, differs)  # fmt: skip


def effective_cache_size(inp: SettingsInput) -> tuple[int, str, str]:
    """The cache estimate, its calculation and why it may differ from pgtune's."""
    b = inp.basis
    if inp.scenario.workload.profile == "desktop":
        raw = b.ram * DESKTOP_CACHE_SHARE
        value = max(int(raw), b.shared_buffers // BLOCK * BLOCK)
        calculation = f"{human_size(b.ram)} x {exact(DESKTOP_CACHE_SHARE)} = {human_size(raw)}"
        return value, _at_least_shared_buffers(calculation, raw, value), ""
    ceiling = b.ram * CACHE_SHARE
    left = b.ram - b.os_overhead - inp.max_connections * b.per_connection
    raw = min(ceiling, left)
    value = max(int(raw) // MB * MB, b.shared_buffers // BLOCK * BLOCK)
    calculation = (
        f"min({human_size(b.ram)} x {exact(CACHE_SHARE)}, {human_size(b.ram)} - {human_size(b.os_overhead)} - "
        f"{n(inp.max_connections)} x {human_size(b.per_connection)}) = {human_size(raw)}"
    )
    calculation = _at_least_shared_buffers(calculation, raw, value)
    differs = ""
    if left < ceiling:
        differs = (
            f"pgtune assumes 3/4 of RAM is cache; here {n(inp.max_connections)} connections at "
            f"{human_size(b.per_connection)} each leave less, and an estimate above what can really be cached "
            "makes the planner pick index scans that then read from disk"
        )
    return value, calculation, differs


def _at_least_shared_buffers(calculation: str, raw: float, value: int) -> str:
    if value > raw + MB:
        return f"{calculation}; at least shared_buffers: {human_size(value)}"
    return calculation


def _effective_cache_size(inp: SettingsInput) -> Setting | None:
    value, calculation, differs = effective_cache_size(inp)
    value, lowered = accepted_size(inp, "effective_cache_size", value)
    formula = (
        "effective_cache_size = RAM / 4 on a desktop, at least shared_buffers"
        if inp.scenario.workload.profile == "desktop"
        else "effective_cache_size = RAM - OS overhead - max_connections x typical per connection, at most 3/4 of "
        "RAM, at least shared_buffers"
    )
    note = "; ".join(filter(None, ["a planner estimate only: nothing is allocated", lowered]))
    b = inp.basis
    inputs = {
        "RAM": human_size(b.ram),
        "OS overhead": human_size(b.os_overhead),
        "max_connections": n(inp.max_connections),
        "typical per connection": human_size(b.per_connection),
    }
    how = explain(formula, calculation, note, inputs=inputs, source=PG_QUERY_PLANNING)
    return setting(inp, "effective_cache_size", conf_size(value), "memory", how, differs)  # fmt: skip


def _work_mem(inp: SettingsInput) -> Setting | None:
    mem, d = inp.scenario.memory, inp.derivations
    safe, worst = d["memory.safe_work_mem_bytes"], d["memory.worst_case_bytes"]
    value, lowered = accepted_size(inp, "work_mem", mem.work_mem)
    checks = [lowered, f"{worst.formula}: {worst.calculation}", f"{safe.formula}: {safe.calculation}"]
    note = "; ".join(filter(None, checks))
    how = explain(
        "work_mem, checked against the worst case",
        f"given: {human_size(value)}",
        note,
        inputs={"work_mem": human_size(value)},
        source=PG_RESOURCE_CONSUMPTION,
    )
    differs = (
        "pgtune divides (RAM - shared_buffers) by (max_connections + max_worker_processes) x 3 allocations; "
        "pgplanner writes the work_mem you chose and checks it against the full worst case (sort nodes, hash "
        "nodes x hash_mem_multiplier, parallel workers, autovacuum), which says what is safe"
    )
    return setting(inp, "work_mem", conf_size(value), "memory", how, differs)  # fmt: skip


def _hash_mem_multiplier(inp: SettingsInput) -> Setting | None:
    server = inp.basis.server
    value = f"{server.hash_mem_multiplier:g}"  # as postgresql.conf takes it: no thousands separator
    derived = server.derivations.get("hash_mem_multiplier")
    how = (
        carried(derived)
        if derived
        else explain(
            "hash_mem_multiplier",
            f"given: {value}",
            inputs={"hash_mem_multiplier": value},
            source=PG_RESOURCE_CONSUMPTION,
        )
    )
    return setting(inp, "hash_mem_multiplier", value, "memory", how)


def _maintenance_work_mem(inp: SettingsInput) -> Setting | None:
    b = inp.basis
    value = b.server.maintenance_work_mem
    derived = b.server.derivations.get("maintenance_work_mem")
    how = carried(derived) if derived else explain(
        "maintenance_work_mem", f"given: {human_size(value)}", inputs={"maintenance_work_mem": human_size(value)},
        source=PG_RESOURCE_CONSUMPTION,
    )  # fmt: skip
    return setting(inp, "maintenance_work_mem", conf_size(value), "memory", how, _maintenance_versus_pgtune(inp))


def _maintenance_versus_pgtune(inp: SettingsInput) -> str:
    """Why maintenance_work_mem differs from pgtune's RAM / 16 (RAM / 8 for analytics), capped at 8 GB."""
    if inp.scenario.memory.maintenance_work_mem is not None:
        return "pgplanner writes the maintenance_work_mem you gave; pgtune derives it from RAM"
    pgtune_raw = inp.basis.ram / (8 if inp.scenario.workload.profile == "analytics" else 16)
    if pgtune_raw > MAINTENANCE_CAP:
        return (
            f"pgtune caps at 8 GB; pgplanner at {human_size(MAINTENANCE_CAP)}: every manual VACUUM, CREATE INDEX and "
            "each parallel maintenance worker's leader may take it at once, and index builds gain little beyond it"
        )
    if pgtune_raw < MAINTENANCE_FLOOR:
        return f"pgtune goes below PostgreSQL's own default; pgplanner keeps at least {human_size(MAINTENANCE_FLOOR)}"
    return ""


def _autovacuum_work_mem(inp: SettingsInput) -> Setting | None:
    b = inp.basis
    value = b.server.autovacuum_work_mem
    own, cost = b.server.derivations["autovacuum_work_mem"], inp.derivations["memory.maintenance_bytes"]
    how = carried(own, f"{own.note}; {cost.formula}: {cost.calculation}, a line of the memory budget")
    differs = ""
    if b.server.maintenance_work_mem > AUTOVACUUM_WORK_MEM_CAP:
        differs = (
            "pgtune lets autovacuum use maintenance_work_mem up to 2 GB; pgplanner caps it at 1 GB, all that VACUUM "
            "could use before 17 and ~180 M dead rows since, so the autovacuum line of the memory budget stays small"
        )
    elif _maintenance_versus_pgtune(inp):
        differs = "it follows maintenance_work_mem, which differs from pgtune's as said there"
    return setting(inp, "autovacuum_work_mem", conf_size(value), "memory", how, differs)


def _temp_buffers(inp: SettingsInput) -> Setting | None:
    mem, used = inp.scenario.memory, inp.derivations["memory.temp_buffers_bytes"]
    shown = human_size(mem.temp_buffers)
    how = explain("temp_buffers (default 8 MB)", f"given: {shown}", f"{used.formula}: {used.calculation}",
                  inputs={"temp_buffers": shown}, source=PG_RESOURCE_CONSUMPTION)  # fmt: skip
    return setting(inp, "temp_buffers", conf_size(mem.temp_buffers // BLOCK * BLOCK), "memory", how)


def _huge_pages(inp: SettingsInput) -> Setting | None:
    hw, basis = inp.scenario.hardware, inp.basis
    small = basis.shared_buffers < PGTUNE_HUGE_PAGES_FROM
    reason = "" if basis.huge_pages else huge_pages_absent_because(inp.scenario)
    return _huge_pages_on(hw.pg_version, hw.platform, small, basis.huge_pages, reason)


@cache
def _huge_pages_on(
    version: int, platform: str, small_shared_buffers: bool, reserved: bool, reason: str
) -> Setting | None:
    if reserved:
        how = explain(
            f"huge_pages = on from {human_size(HUGE_PAGES_FROM)} of shared_buffers on a Linux server",
            f"shared_buffers is at least {human_size(HUGE_PAGES_FROM)}: on",
            "os/linux reserves the huge pages (vm.nr_hugepages); a server short of them refuses to start instead of "
            "running on 4 kB pages, whose page tables take shared_buffers / 512 in every backend",
            inputs={"platform": platform},
            source=PG_HUGE_PAGES,
        )
        differs = (
            "pgtune writes try; pgplanner reserves the huge pages and writes on, so that a short or fragmented "
            "reservation fails loudly at start instead of silently costing page-table memory in every backend"
        )
        return setting_for(version, "huge_pages", "on", "memory", how, differs)
    if platform == "linux" and reason.startswith("the provider"):
        note = f"{reason}; the worst case counts each process's page tables"
    elif platform == "linux":
        note = f"no huge pages are reserved: {reason}; the worst case counts each process's page tables"
    elif platform == "windows":
        note = "large pages need the 'Lock pages in memory' right for the service account"
    else:
        note = f"PostgreSQL uses huge pages on Linux and Windows only; on {platform} try is simply ignored"
    how = explain("huge_pages = try", "use huge pages when the OS has them, start without them otherwise", note,
                  inputs={"platform": platform}, source=PG_HUGE_PAGES)  # fmt: skip
    differs = ""
    if platform == "macos":
        differs = "pgtune writes off on macOS; try is equally safe there and keeps one file for every platform"
    elif small_shared_buffers:
        differs = (
            "pgtune writes off below 2 GB of shared_buffers; try costs nothing when no huge pages are reserved and "
            "still saves page-table memory per connection when they are"
        )
    return setting_for(version, "huge_pages", "try", "memory", how, differs)

"""Memory: shared_buffers, the cache estimate and the per-operation memory settings.

The values come from the same MemoryBasis the worst case is computed from, so the postgresql.conf
that is written and the memory plan can never disagree.
"""

from __future__ import annotations

from functools import cache

from ..defaults import MAINTENANCE_CAP, MAINTENANCE_DIVISOR, MAINTENANCE_DIVISOR_BY_PROFILE, MAINTENANCE_FLOOR
from ..derivation import Derivation, capped, exact, n, percent
from ..memory import HUGE_PAGES_FROM, MemoryBasis, huge_pages_absent_because
from ..scenario import Memory
from ..server import AUTOVACUUM_WORK_MEM_CAP, DEAD_ROWS_BEFORE_TID_STORE
from ..sources import PG_HUGE_PAGES, PG_QUERY_PLANNING, PG_RESOURCE_CONSUMPTION
from ..units import GB, MB, human_size
from .base import (
    Declaration,
    Made,
    Parameter,
    Setting,
    SettingsInput,
    accepted_size,
    carried,
    conf_size,
    explain,
    then,
)
from .tools import PGTUNE_WORK_MEM_RULE, TSTUNE_WORK_MEM_RULE, pgtune_work_mem, tstune_work_mem

DECLARED = Declaration(
    "memory",
    "Memory",
    {
        "shared_buffers": Parameter(13, "restart"),
        "huge_pages": Parameter(13, "restart"),
        "effective_cache_size": Parameter(13, "reload"),
        "work_mem": Parameter(13, "reload"),
        "hash_mem_multiplier": Parameter(13, "reload"),
        "maintenance_work_mem": Parameter(13, "reload"),
        "autovacuum_work_mem": Parameter(13, "reload"),
        "temp_buffers": Parameter(13, "reload"),
        "max_locks_per_transaction": Parameter(13, "restart"),
    },
)

# effective_cache_size: what shared_buffers and the OS page cache can hold together, at most 3/4 of
# RAM as pgtune and the PostgreSQL wiki say; a desktop shares its RAM with other programs (RAM / 4).
CACHE_SHARE = 0.75
DESKTOP_CACHE_SHARE = 0.25
BLOCK = 8 * 1024  # shared_buffers is counted in 8 kB pages
PGTUNE_HUGE_PAGES_FROM = 2 * GB  # pgtune writes huge_pages = off below this shared_buffers
PGTUNE_MAINTENANCE_CAP = 8 * GB  # pgtune's maintenance_work_mem never exceeds this
PGTUNE_AUTOVACUUM_WORK_MEM_CAP = 2 * GB  # pgtune leaves autovacuum_work_mem at -1, and caps maintenance below it
# PostgreSQL's default temp_buffers, which is the input's default too.
TEMP_BUFFERS_FORMULA = f"temp_buffers (default {human_size(Memory.model_fields['temp_buffers'].default)})"

CACHE_SHARE_SHOWN = percent(CACHE_SHARE)
DESKTOP_CACHE_FORMULA = (
    f"effective_cache_size = RAM x {exact(DESKTOP_CACHE_SHARE)} on a desktop, at least shared_buffers"
)
CACHE_FORMULA = (
    "effective_cache_size = RAM - OS reserve - max_connections x typical per connection, at most RAM x "
    f"{exact(CACHE_SHARE)}, at least shared_buffers"
)


def recommend(inp: SettingsInput) -> Made:
    version = inp.scenario.hardware.pg_version
    maintenance_differs = _maintenance_versus_pgtune(inp)
    return [
        _shared_buffers(inp, version),
        _effective_cache_size(inp, version),
        _work_mem(inp, version),
        _hash_mem_multiplier(inp, version),
        _maintenance_work_mem(inp, version, maintenance_differs),
        _autovacuum_work_mem(inp, version, maintenance_differs != ""),
        _temp_buffers(inp, version),
        _huge_pages(inp),
        _max_locks(inp, version),
    ]


def _shared_buffers(inp: SettingsInput, version: int) -> Setting | None:
    b, mem = inp.basis, inp.scenario.memory
    value, lowered = accepted_size(inp, "shared_buffers", b.shared_buffers // BLOCK * BLOCK)
    available, derived = inp.derivations["memory.available_bytes"], inp.derivations["memory.shared_buffers_bytes"]
    differs = ""
    if mem.shared_buffers is not None:
        differs = "pgplanner writes the shared_buffers you gave; pgtune always derives it from RAM"
    how = Derivation.later(_shared_buffers_why, derived, available, lowered)
    return DECLARED.setting(version, "shared_buffers", conf_size(value), how, differs)


def _shared_buffers_why(derived: Derivation, available: Derivation, lowered: str) -> Derivation:
    return then(carried(derived, f"whole 8 kB pages; {available.formula}: {available.calculation}"), lowered)


def _cache_estimate(basis: MemoryBasis, connections: int, desktop: bool) -> tuple[int, float, float]:
    """The cache estimate, the figure it was taken from, and what is left beside the connections (the desktop's
    share of RAM for both on a desktop)."""
    at_least = basis.shared_buffers // BLOCK * BLOCK
    ram = basis.ram
    if desktop:
        raw = ram * DESKTOP_CACHE_SHARE
        return max(int(raw), at_least), raw, raw
    left = ram - basis.os_overhead - connections * basis.per_connection
    raw = min(ram * CACHE_SHARE, left)
    return max(int(raw) // MB * MB, at_least), raw, left


def _cache_calculation(basis: MemoryBasis, connections: int, desktop: bool, raw: float, value: int) -> str:
    at_least = basis.shared_buffers // BLOCK * BLOCK
    ram = basis.ram
    if desktop:
        expression = f"{human_size(ram)} x {exact(DESKTOP_CACHE_SHARE)}"
        return capped(expression, raw, at_least=at_least, show=human_size, result=value)
    expression = (
        f"min({human_size(ram)} x {exact(CACHE_SHARE)}, {human_size(ram)} - {human_size(basis.os_overhead)} - "
        f"{n(connections)} x {human_size(basis.per_connection)})"
    )
    return capped(expression, raw, at_least=at_least, show=human_size, result=value, direction="down to whole MB")


def _effective_cache_size(inp: SettingsInput, version: int) -> Setting | None:
    b, connections = inp.basis, inp.max_connections
    desktop = inp.scenario.workload.profile == "desktop"
    estimate, raw, left = _cache_estimate(b, connections, desktop)
    value, lowered = accepted_size(inp, "effective_cache_size", estimate)
    differs = ""
    if not desktop and left < b.ram * CACHE_SHARE:
        differs = (
            f"pgtune assumes {CACHE_SHARE_SHOWN} of RAM is cache; here {n(connections)} connections at "
            f"{human_size(b.per_connection)} each leave less, and an estimate above what can really be cached "
            "makes the planner pick index scans that then read from disk"
        )
    how = Derivation.later(_effective_cache_size_why, b, connections, desktop, raw, estimate, lowered)
    return DECLARED.setting(version, "effective_cache_size", conf_size(value), how, differs)


def _effective_cache_size_why(
    b: MemoryBasis, connections: int, desktop: bool, raw: float, estimate: int, lowered: str
) -> Derivation:
    inputs = {
        "RAM": human_size(b.ram),
        "OS reserve": human_size(b.os_overhead),
        "max_connections": n(connections),
        "typical per connection": human_size(b.per_connection),
        "shared_buffers": human_size(b.shared_buffers),
    }
    formula = DESKTOP_CACHE_FORMULA if desktop else CACHE_FORMULA
    calculation = _cache_calculation(b, connections, desktop, raw, estimate)
    made = explain(formula, calculation, "a planner estimate only: nothing is allocated", inputs=inputs,
                   source=PG_QUERY_PLANNING)  # fmt: skip
    return then(made, lowered)


def _work_mem(inp: SettingsInput, version: int) -> Setting | None:
    scenario, d = inp.scenario, inp.derivations
    value = inp.basis.work_mem
    hw, profile, connections = scenario.hardware, scenario.workload.profile, inp.max_connections
    pgtune = pgtune_work_mem(hw.ram, hw.cores, hw.platform, hw.pg_version, hw.data_size, profile, connections)
    differs = ""
    if value != pgtune and scenario.memory.work_mem is not None:
        differs = "pgplanner writes the work_mem you gave; pgtune derives it from RAM and the connections"
    elif value != pgtune:
        differs = (
            "pgtune divides (RAM - shared_buffers) by (max_connections + max_worker_processes) x 3 allocations; "
            "pgplanner takes the largest work_mem whose full worst case (sort nodes, hash nodes x "
            "hash_mem_multiplier, parallel workers, autovacuum) fits in RAM, at most what the profile's queries need"
        )
    how = Derivation.later(
        _work_mem_why, d["memory.work_mem_bytes"], d["memory.safe_work_mem_bytes"], d["memory.worst_case_bytes"],
        pgtune, hw.ram, hw.cores, connections,
    )  # fmt: skip
    return DECLARED.setting(version, "work_mem", conf_size(value), how, differs)


def _work_mem_why(
    derived: Derivation, safe: Derivation, worst: Derivation, pgtune: int, ram: int, cores: int, connections: int
) -> Derivation:
    others = _other_tools(pgtune, tstune_work_mem(ram, cores, connections))
    checks = f"{safe.formula}: {safe.calculation}; {worst.formula}: {worst.calculation}"
    return derived._replace(note="; ".join(filter(None, [derived.note, checks, others])))


def _other_tools(pgtune: int, tstune: int) -> str:
    """The sentence that names pgtune's work_mem for the same inputs beside timescaledb-tune's."""
    return (
        f"for the same inputs pgtune writes {human_size(pgtune)} ({PGTUNE_WORK_MEM_RULE}) and timescaledb-tune "
        f"{human_size(tstune)} ({TSTUNE_WORK_MEM_RULE}); neither counts hash_mem_multiplier or parallel workers"
    )


def _hash_mem_multiplier(inp: SettingsInput, version: int) -> Setting | None:
    server = inp.basis.server
    value = f"{server.hash_mem_multiplier:.15g}"  # every digit the model counts with; no thousands separator
    derived = server.derivations.get("hash_mem_multiplier")
    how = derived or Derivation.later(_given, "hash_mem_multiplier", value)
    return DECLARED.setting(version, "hash_mem_multiplier", value, how)


def _given(name: str, shown: str) -> Derivation:
    """The explanation of a setting written as the user gave it (a few values per user)."""
    return explain(name, f"given: {shown}", inputs={name: shown}, source=PG_RESOURCE_CONSUMPTION)


def _maintenance_work_mem(inp: SettingsInput, version: int, differs: str) -> Setting | None:
    b = inp.basis
    value = b.server.maintenance_work_mem
    derived = b.server.derivations.get("maintenance_work_mem")
    how = derived or Derivation.later(_given, "maintenance_work_mem", human_size(value))
    return DECLARED.setting(version, "maintenance_work_mem", conf_size(value), how, differs)


def _maintenance_versus_pgtune(inp: SettingsInput) -> str:
    """Why maintenance_work_mem differs from pgtune's (the same share of RAM, capped at 8 GB)."""
    if inp.scenario.memory.maintenance_work_mem is not None:
        return "pgplanner writes the maintenance_work_mem you gave; pgtune derives it from RAM"
    pgtune_raw = inp.basis.ram / MAINTENANCE_DIVISOR_BY_PROFILE.get(inp.scenario.workload.profile, MAINTENANCE_DIVISOR)
    if pgtune_raw > MAINTENANCE_CAP:
        return MAINTENANCE_CAP_VERSUS_PGTUNE
    if pgtune_raw < MAINTENANCE_FLOOR:
        return MAINTENANCE_FLOOR_VERSUS_PGTUNE
    return ""


MAINTENANCE_CAP_VERSUS_PGTUNE = (
    f"pgtune caps at {human_size(PGTUNE_MAINTENANCE_CAP)}; pgplanner at {human_size(MAINTENANCE_CAP)}: every "
    "manual VACUUM, CREATE INDEX and each parallel maintenance worker's leader may take it at once, and index "
    "builds gain little beyond it"
)
MAINTENANCE_FLOOR_VERSUS_PGTUNE = (
    f"pgtune goes below PostgreSQL's own default; pgplanner keeps at least {human_size(MAINTENANCE_FLOOR)}"
)


AUTOVACUUM_VERSUS_PGTUNE = (
    f"pgtune lets autovacuum use maintenance_work_mem up to {human_size(PGTUNE_AUTOVACUUM_WORK_MEM_CAP)}; pgplanner "
    f"caps it at {human_size(AUTOVACUUM_WORK_MEM_CAP)}: all that VACUUM could use before 17 "
    f"({DEAD_ROWS_BEFORE_TID_STORE} dead rows), "
    "and from 17, whose TID store needs far less memory per dead row, far more rows than that; the autovacuum line "
    "of the memory budget stays small"
)


def _autovacuum_work_mem(inp: SettingsInput, version: int, maintenance_differs: bool) -> Setting | None:
    b = inp.basis
    value = b.server.autovacuum_work_mem
    own, cost = b.server.derivations["autovacuum_work_mem"], inp.derivations["memory.maintenance_bytes"]
    differs = ""
    if b.server.maintenance_work_mem > AUTOVACUUM_WORK_MEM_CAP:
        differs = AUTOVACUUM_VERSUS_PGTUNE
    elif maintenance_differs:
        differs = "it follows maintenance_work_mem, which differs from pgtune's as said there"
    how = Derivation.later(_autovacuum_work_mem_why, own, cost)
    return DECLARED.setting(version, "autovacuum_work_mem", conf_size(value), how, differs)


def _autovacuum_work_mem_why(own: Derivation, cost: Derivation) -> Derivation:
    return carried(own, f"{own.note}; {cost.formula}: {cost.calculation}, a line of the memory budget")


def _temp_buffers(inp: SettingsInput, version: int) -> Setting | None:
    size, used = inp.scenario.memory.temp_buffers, inp.derivations["memory.temp_buffers_bytes"]
    how = Derivation.later(_temp_buffers_why, size, used)
    return DECLARED.setting(version, "temp_buffers", conf_size(size // BLOCK * BLOCK), how)


def _temp_buffers_why(size: int, used: Derivation) -> Derivation:
    shown = human_size(size)
    return explain(TEMP_BUFFERS_FORMULA, f"given: {shown}", f"{used.formula}: {used.calculation}",
                   inputs={"temp_buffers": shown}, source=PG_RESOURCE_CONSUMPTION)  # fmt: skip


def _huge_pages(inp: SettingsInput) -> Setting | None:
    hw, basis = inp.scenario.hardware, inp.basis
    small = basis.shared_buffers < PGTUNE_HUGE_PAGES_FROM
    # Only Linux's note says why no huge pages are reserved.
    reason = "" if basis.huge_pages or hw.platform != "linux" else huge_pages_absent_because(inp.scenario)
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
        return DECLARED.setting(version, "huge_pages", "on", how, differs)
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
            f"pgtune writes off below {human_size(PGTUNE_HUGE_PAGES_FROM)} of shared_buffers; try costs nothing when "
            "no huge pages are reserved and still saves page-table memory per connection when they are"
        )
    return DECLARED.setting(version, "huge_pages", "try", how, differs)


def _max_locks(inp: SettingsInput, version: int) -> Setting | None:
    derived = inp.basis.server.derivations.get("max_locks_per_transaction")
    if derived is None:
        return None  # PostgreSQL's 64 covers a transaction that touches few partitions
    value = str(inp.basis.server.max_locks_per_transaction)
    return DECLARED.setting(version, "max_locks_per_transaction", value, derived)

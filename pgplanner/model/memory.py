"""Memory: what the machine can hold, and what the chosen connection count may cost.

The max_connections article's arithmetic: available = RAM - shared_buffers - OS reserve; RAM ceiling =
available / typical memory per connection. Sizes are 1024-based, as PostgreSQL counts them; the article
divides by 1000 and so prints ~2,900 and ~9,200 where these functions give 3,003 and 9,420 (with its
OS figures of 2, 4 and 8 GB given).

The worst case counts what PostgreSQL really allocates: a hash node may take work_mem x
hash_mem_multiplier, every parallel worker of a query is a process with its own base memory, its own
work_mem per node and, unless shared memory sits in guaranteed huge pages, its own page tables for the
shared_buffers it touches; autovacuum workers, manual maintenance jobs, logical decoding and
temporary-table sessions take memory of their own that no connection can use. The article's
``1000 x (10 MB + 64 MB x 4)`` is the case without hash nodes, parallel workers or page tables.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .defaults import (
    DESKTOP_OS_RESERVE_RULE,
    DESKTOP_OS_RESERVE_SHARE,
    MAINTENANCE_JOBS_RULE,
    OS_RESERVE_FLOOR,
    OS_RESERVE_RULE,
    OS_RESERVE_SHARE,
    PER_CONNECTION_RULE,
    RDS_OS_RESERVE_NOTE,
    SHARED_BUFFERS_RULE,
    SHARED_BUFFERS_SHARE,
    WORK_MEM_TYPICAL_SHARE,
)
from .derivation import Derivation, exact, given, n, rounded
from .scenario import Scenario
from .server import ServerBasis, server_basis
from .sources import (
    MAX_CONNECTIONS_ARTICLE,
    PAGE_TABLES,
    PG_HUGE_PAGES,
    PG_LOGICAL_DECODING,
    PG_MAINTENANCE_WORK_MEM,
    PG_RESOURCE_CONSUMPTION,
    PGPLANNER_RULE,
    PGTUNE,
    RDS_OS_RESERVE,
)
from .units import GB, KB, MB, human_size
from .work_mem import resolve_work_mem

# A desktop shares its RAM with other programs: pgtune's RAM / 16 there.
DESKTOP_SHARED_BUFFERS_SHARE = 1 / 16

MIN_WORK_MEM = 64 * KB  # PostgreSQL's lower bound for work_mem

# Page tables: one 8-byte entry per page mapped. A process that touches all of shared_buffers through
# 4 kB pages holds shared_buffers / 512 of them (192 GB: 384 MB); through 2 MB huge pages, 1/262,144.
BASE_PAGE = 4 * KB
HUGE_PAGE = 2 * MB  # x86-64's and arm64's default huge page size (Hugepagesize in /proc/meminfo)
PAGE_TABLE_ENTRY = 8
# From this shared_buffers on, a Linux server reserves huge pages (vm.nr_hugepages, a floor) and asks
# for them with huge_pages = on, so that a short reservation stops the server instead of silently
# falling back to 4 kB pages: one backend's page tables would then reach 16 MB, more than its base
# memory. Below it (pgtune writes off below 2 GB) huge_pages stays try and page tables are counted.
HUGE_PAGES_FROM = 8 * GB
# PostgreSQL's default logical_decoding_work_mem (13+), which pgplanner does not change: what each WAL
# sender decoding for a logical subscriber keeps in memory before it spills changes to disk.
LOGICAL_DECODING_WORK_MEM = 64 * MB


class MemoryBasis(NamedTuple):
    """The scenario's memory inputs with every "auto" resolved. A named tuple: cheaper than a frozen dataclass to create
    at import and to build on every plan()."""

    ram: int
    shared_buffers: int
    os_overhead: int  # the OS reserve
    available: int
    per_connection: int
    worst_per_connection: int
    per_process: int  # one process of the heaviest query: backend base + page tables + its work_mem allocations
    page_tables: int  # one process's page tables for all of shared_buffers (0 in guaranteed huge pages)
    huge_pages: bool  # shared memory in reserved huge pages with huge_pages = on
    maintenance: int  # autovacuum workers x autovacuum_work_mem
    maintenance_jobs: int  # manual VACUUM, CREATE INDEX ... at once
    maintenance_jobs_memory: int  # maintenance jobs x maintenance_work_mem
    logical_decoding: int  # logical subscribers x logical_decoding_work_mem
    temp_buffers: int  # temp-table sessions x temp_buffers
    worst_available: int  # available less every memory line outside the connections
    server: ServerBasis
    derivations: dict[str, Derivation]  # keyed by the JSON path of the plan's figure each explains (memory.*)
    sort_nodes: int
    hash_nodes: int
    # work_mem, "auto" resolved once (what the worst case counts and postgresql.conf writes), and the
    # safe work_mem for the connections judged it was bounded by
    work_mem: int
    safe_work_mem: int | None

    def processes(self, connections: float) -> float:
        """Processes running the heaviest query when ``connections`` do: each connection's backend and its
        parallel workers, of which no more than max_parallel_workers exist at once."""
        return _processes(self.server, connections)

    @property
    def work_mem_nodes(self) -> float:
        """work_mem allocations of the heaviest query in one process: sorts + hashes x hash_mem_multiplier."""
        return self.sort_nodes + self.hash_nodes * self.server.hash_mem_multiplier

    @property
    def outside_connections(self) -> int:
        """What the worst case holds besides the connections: autovacuum, maintenance, decoding, temp tables."""
        return self.maintenance + self.maintenance_jobs_memory + self.logical_decoding + self.temp_buffers

    def lines(self, heavy_fraction: float) -> MemoryLines:
        """The memory curve's three lines as functions of the number of connections."""
        fixed = float(self.shared_buffers + self.os_overhead)  # floats: N x worst case can pass 2**63 bytes
        return MemoryLines(
            fixed,
            fixed + self.outside_connections,
            float(self.per_connection),
            float(self.per_process),
            heavy_fraction,
            self.server.parallel_workers_per_gather,
            self.server.max_parallel_workers,
        )


class MemoryLines(NamedTuple):
    """Memory in use against connections, evaluable at any number of them: the plan's curve is these lines on
    its own grid, and a chart whose axis reaches further (a baseline's) evaluates them there too.

    Every line starts at what the server holds with no connection (shared_buffers and the OS reserve); in the
    worst case autovacuum, manual maintenance, logical decoding and temporary tables hold theirs too.
    """

    fixed: float  # shared_buffers + the OS reserve
    fixed_worst: float  # and what the worst case holds outside the connections
    per_connection: float  # typical
    per_process: float  # one process of the heaviest query
    heavy_fraction: float  # share of connections running the heaviest query at once
    parallel_workers_per_gather: int
    max_parallel_workers: int

    def at(self, connections: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Typical, heavy-fraction and worst-case memory (bytes) at each number of connections.

        Worked out in place, and the processes of the worst case (every connection) and of the heavy fraction in
        one pass over both rows (the same operations in the same order as the formulas, so the same figures):
        plan() draws these on every slider tick, where each numpy call and temporary array costs."""
        share, per_connection, per_process = self.heavy_fraction, self.per_connection, self.per_process
        counts = connections.astype(np.float64)
        typical = counts * per_connection
        typical += self.fixed
        running = np.multiply.outer((1.0, share), counts)  # all connections, and the heavy fraction of them
        processes = running * self.parallel_workers_per_gather  # MemoryBasis.processes, for both rows
        np.minimum(processes, self.max_parallel_workers, out=processes)
        processes += running
        processes *= per_process
        worst, heavy = processes
        worst += self.fixed_worst
        heavy += self.fixed
        light = counts * (1 - share)
        light *= per_connection
        heavy += light
        return typical, heavy, worst


def huge_pages_guaranteed(scenario: Scenario, shared_buffers: int) -> bool:
    """pgplanner reserves huge pages and writes huge_pages = on: a self-managed Linux server (not a
    desktop) with at least HUGE_PAGES_FROM of shared_buffers."""
    return (
        scenario.provider is None
        and scenario.hardware.platform == "linux"
        and scenario.workload.profile != "desktop"
        and shared_buffers >= HUGE_PAGES_FROM
    )


def huge_pages_absent_because(scenario: Scenario) -> str:
    """Why shared memory is not in guaranteed huge pages (for a plan where it is not), as a clause."""
    if scenario.provider is not None:
        return "the provider decides about huge pages"
    platform = scenario.hardware.platform
    if platform == "windows":
        return "on Windows huge_pages = try needs the 'Lock pages in memory' right and falls back to small pages"
    if platform != "linux":
        return "PostgreSQL uses huge pages on Linux and Windows only"
    if scenario.workload.profile == "desktop":
        return "a desktop keeps its RAM for its other programs"
    return f"shared_buffers is below {human_size(HUGE_PAGES_FROM)}, where page tables stay small"


def _processes(server: ServerBasis, connections: float) -> float:
    return connections + min(connections * server.parallel_workers_per_gather, server.max_parallel_workers)


def memory_basis(scenario: Scenario, connections: int) -> MemoryBasis:
    """The memory model for ``connections`` (the connections judged: max_connections, or on a fixed provider
    limit the ones the plan opens): work_mem, when "auto", is the largest that keeps their worst case in RAM,
    bounded by the profile (:mod:`.work_mem`).

    The figures are worked out here; their derivations are written when first read (:meth:`Derivation.later`),
    each from the figures it shows, so a slider tick pays for the arithmetic and not for the prose."""
    mem, wl, ram = scenario.memory, scenario.workload, scenario.hardware.ram
    later = Derivation.later
    derivations = {"memory.ram_bytes": later(_given_size, ram, "RAM")}

    # "auto" values stay exact reals in the arithmetic and are floored only for reporting, so that
    # available memory (and with it the RAM ceiling) never decreases when RAM grows, byte by byte.
    desktop = wl.profile == "desktop"
    given_buffers = mem.shared_buffers
    if given_buffers is None:
        buffers_share = DESKTOP_SHARED_BUFFERS_SHARE if desktop else SHARED_BUFFERS_SHARE
        shared_buffers_exact: float = ram * buffers_share
        shared_buffers = math.floor(shared_buffers_exact)
        derivations["memory.shared_buffers_bytes"] = later(
            _shared_buffers_why, ram, buffers_share, shared_buffers, desktop
        )
    else:
        shared_buffers_exact = given_buffers
        shared_buffers = math.floor(shared_buffers_exact)
        derivations["memory.shared_buffers_bytes"] = later(_given_size, shared_buffers, "shared_buffers")
    given_reserve = mem.os_overhead
    if given_reserve is None:
        os_exact = OS_RESERVE_FLOOR + ram * (DESKTOP_OS_RESERVE_SHARE if desktop else OS_RESERVE_SHARE)
        derivations["memory.os_overhead_bytes"] = later(_os_reserve_why, ram, desktop, os_exact)
    else:
        os_exact = given_reserve
        derivations["memory.os_overhead_bytes"] = later(_given_size, given_reserve, "OS reserve")
    os_overhead = math.floor(os_exact)

    available = math.floor(ram - shared_buffers_exact - os_exact)
    derivations["memory.available_bytes"] = later(_available_why, ram, shared_buffers, os_overhead, available)

    server = server_basis(scenario)
    huge = huge_pages_guaranteed(scenario, shared_buffers)
    page_tables = 0 if huge else shared_buffers // BASE_PAGE * PAGE_TABLE_ENTRY
    derivations["memory.page_tables_bytes"] = later(_page_tables_why, scenario, shared_buffers, huge)
    autovacuum_workers, autovacuum_work_mem = server.autovacuum_workers, server.autovacuum_work_mem
    maintenance = autovacuum_workers * autovacuum_work_mem
    derivations["memory.maintenance_bytes"] = later(
        _maintenance_why, autovacuum_workers, autovacuum_work_mem, maintenance
    )
    given_jobs = mem.maintenance_jobs
    if given_jobs is None:
        jobs = wl.admin
        derivations["memory.maintenance_jobs"] = _maintenance_jobs(jobs)
    else:
        jobs = given_jobs
        derivations["memory.maintenance_jobs"] = later(_given_count, jobs, "manual maintenance jobs")
    maintenance_work_mem = server.maintenance_work_mem
    jobs_memory = jobs * maintenance_work_mem
    derivations["memory.maintenance_jobs_bytes"] = later(
        _maintenance_jobs_memory_why, jobs, maintenance_work_mem, jobs_memory
    )
    senders = wl.logical_senders
    logical = senders * LOGICAL_DECODING_WORK_MEM
    derivations["memory.logical_decoding_bytes"] = _logical_decoding(senders)
    sessions, temp_buffers = mem.temp_table_sessions, mem.temp_buffers
    temp = sessions * temp_buffers
    derivations["memory.temp_buffers_bytes"] = _temp_buffers(sessions, temp_buffers)
    worst_available = available - maintenance - jobs_memory - logical - temp
    derivations["memory.worst_case_available_bytes"] = later(
        _worst_available_why, available, maintenance, jobs_memory, logical, temp, worst_available
    )
    backend, sort_nodes, hash_nodes = mem.backend_memory, mem.sort_nodes, mem.hash_nodes
    hmm, per_gather = server.hash_mem_multiplier, server.parallel_workers_per_gather
    processes = _processes(server, connections)
    safe, derivations["memory.safe_work_mem_bytes"] = _safe_work_mem(
        worst_available, connections, processes, backend, page_tables, server, sort_nodes, hash_nodes
    )
    work_mem, derivations["memory.work_mem_bytes"] = resolve_work_mem(scenario, safe)

    per_process = round(backend + page_tables + work_mem * (sort_nodes + hmm * hash_nodes))

    query = _HeaviestQuery(backend, page_tables, work_mem, sort_nodes, hash_nodes, hmm)
    derivations["memory.per_process_bytes"] = later(_per_process_why, query, per_process)
    worst = per_process * (1 + per_gather)
    derivations["memory.worst_case_per_connection_bytes"] = later(_worst_per_connection_why, query, per_gather, worst)
    given_per_connection = mem.per_connection_memory
    if given_per_connection is None:
        typical_share, parts = WORK_MEM_TYPICAL_SHARE
        per_connection = round(backend + work_mem * typical_share / parts)
        derivations["memory.per_connection_bytes"] = later(_per_connection_why, backend, work_mem, per_connection)
    else:
        per_connection = given_per_connection
        derivations["memory.per_connection_bytes"] = later(_given_size, per_connection, "typical per connection")
    return MemoryBasis(
        ram, shared_buffers, os_overhead, available, per_connection, worst, per_process, page_tables, huge,
        maintenance, jobs, jobs_memory, logical, temp, worst_available, server, derivations, sort_nodes, hash_nodes,
        work_mem, safe,
    )  # fmt: skip


# The derivations of memory_basis, each written from the figures it shows when it is first read.


def _given_size(size: int, name: str) -> Derivation:
    return given(human_size(size), name)


def _given_count(count: int, name: str) -> Derivation:
    return given(n(count), name)


def _shared_buffers_why(ram: int, share: float, shared_buffers: int, desktop: bool) -> Derivation:
    return Derivation(
        formula="shared_buffers = RAM / 16 on a desktop" if desktop else f"shared_buffers = {SHARED_BUFFERS_RULE}",
        calculation=f"{human_size(ram)} x {share:g} = {human_size(shared_buffers)}",
        inputs={"RAM": human_size(ram)},
        source=PGTUNE if desktop else MAX_CONNECTIONS_ARTICLE,
    )


def _os_reserve_why(ram: int, desktop: bool, reserve: float) -> Derivation:
    """The floor plus a share of RAM, exact (floored only where it is shown)."""
    share = DESKTOP_OS_RESERVE_SHARE if desktop else OS_RESERVE_SHARE
    calculation = f"{human_size(OS_RESERVE_FLOOR)} + {human_size(ram)} x {share:g} = {human_size(math.floor(reserve))}"
    if desktop:
        return Derivation(
            formula=f"OS reserve on a desktop = {DESKTOP_OS_RESERVE_RULE}",
            calculation=calculation,
            inputs={"RAM": human_size(ram), "profile": "desktop"},
            source=PGPLANNER_RULE,
            note="browsers, IDEs and containers share a desktop's RAM; pgtune's desktop profile counts on a "
            "quarter of it as cache",
        )
    return Derivation(
        formula=f"OS reserve = {OS_RESERVE_RULE}",
        calculation=calculation,
        inputs={"RAM": human_size(ram)},
        source=RDS_OS_RESERVE,
        note=RDS_OS_RESERVE_NOTE,
    )


def _available_why(ram: int, shared_buffers: int, os_overhead: int, available: int) -> Derivation:
    ram_shown, buffers_shown, os_shown = human_size(ram), human_size(shared_buffers), human_size(os_overhead)
    return Derivation(
        formula="available = RAM - shared_buffers - OS reserve",
        calculation=f"{ram_shown} - {buffers_shown} - {os_shown} = {human_size(available)}",
        inputs={"RAM": ram_shown, "shared_buffers": buffers_shown, "OS": os_shown},
        source=MAX_CONNECTIONS_ARTICLE,
    )


def _page_tables_why(scenario: Scenario, shared_buffers: int, huge: bool) -> Derivation:
    """One process's page tables once it has touched all of shared_buffers."""
    shown = human_size(shared_buffers)
    inputs = {"shared_buffers": shown}
    if huge:
        in_huge = shared_buffers // HUGE_PAGE * PAGE_TABLE_ENTRY
        return Derivation(
            formula="page tables per process = 0: shared memory is in reserved huge pages (huge_pages = on)",
            calculation=(
                f"{shown} / {human_size(HUGE_PAGE)} x {PAGE_TABLE_ENTRY} B = {human_size(in_huge)}, too little to count"
            ),
            inputs=inputs,
            source=PG_HUGE_PAGES,
        )
    tables = shared_buffers // BASE_PAGE * PAGE_TABLE_ENTRY
    return Derivation(
        formula=(
            f"page tables per process = shared_buffers / {human_size(BASE_PAGE)} x {PAGE_TABLE_ENTRY} B (one entry "
            "per page the process touches)"
        ),
        calculation=f"{shown} / {human_size(BASE_PAGE)} x {PAGE_TABLE_ENTRY} B = {human_size(tables)}",
        inputs=inputs,
        source=PAGE_TABLES,
        note=(
            f"huge pages are not guaranteed ({huge_pages_absent_because(scenario)}): a backend or parallel worker "
            "that has read all of shared_buffers holds this much (Apple silicon's 16 kB pages: a quarter)"
        ),
    )


def _maintenance_why(workers: int, work_mem: int, maintenance: int) -> Derivation:
    return Derivation(
        formula="autovacuum memory = autovacuum workers x autovacuum_work_mem",
        calculation=f"{workers} x {human_size(work_mem)} = {human_size(maintenance)}",
        inputs={"autovacuum workers": str(workers), "autovacuum_work_mem": human_size(work_mem)},
        source=PG_RESOURCE_CONSUMPTION,
        note="vacuum allocates it as dead rows accumulate; in the worst case all workers hold it at once",
    )


# The derivations of the few inputs that are counts or settings rather than sizes worked out from RAM: the same
# few recur, and a slider tick keeps them.


@lru_cache(maxsize=256)
def _maintenance_jobs(jobs: int) -> Derivation:
    return Derivation.later(_maintenance_jobs_why, jobs)


@lru_cache(maxsize=256)
def _logical_decoding(senders: int) -> Derivation:
    return Derivation.later(_logical_decoding_why, senders, senders * LOGICAL_DECODING_WORK_MEM)


@lru_cache(maxsize=256)
def _temp_buffers(sessions: int, temp_buffers: int) -> Derivation:
    return Derivation.later(_temp_buffers_why, sessions, temp_buffers, sessions * temp_buffers)


def _maintenance_jobs_why(jobs: int) -> Derivation:
    return Derivation(
        formula=f"manual maintenance jobs = {MAINTENANCE_JOBS_RULE}",
        calculation=n(jobs),
        inputs={"admin connections": n(jobs)},
        source=PGPLANNER_RULE,
        note="people and migrations run VACUUM, CREATE INDEX and ALTER TABLE over the admin slots",
    )


def _maintenance_jobs_memory_why(jobs: int, work_mem: int, jobs_memory: int) -> Derivation:
    return Derivation(
        formula="manual maintenance = maintenance jobs x maintenance_work_mem",
        calculation=f"{n(jobs)} x {human_size(work_mem)} = {human_size(jobs_memory)}",
        inputs={"maintenance jobs": n(jobs), "maintenance_work_mem": human_size(work_mem)},
        source=PG_MAINTENANCE_WORK_MEM,
        note="CREATE INDEX may use all of it (its parallel workers share it); pg_restore -j N runs N such jobs",
    )


def _logical_decoding_why(senders: int, logical: int) -> Derivation:
    return Derivation(
        formula="logical decoding = logical subscribers x logical_decoding_work_mem",
        calculation=f"{n(senders)} x {human_size(LOGICAL_DECODING_WORK_MEM)} = {human_size(logical)}",
        inputs={"logical subscribers": n(senders), "logical_decoding_work_mem": human_size(LOGICAL_DECODING_WORK_MEM)},
        source=PG_LOGICAL_DECODING,
        note=(
            "each WAL sender decoding for a subscriber keeps changes up to this much in memory before spilling "
            "them to disk; 64 MB is PostgreSQL's default, which pgplanner leaves as it is"
        ),
    )


def _temp_buffers_why(sessions: int, temp_buffers: int, temp: int) -> Derivation:
    return Derivation(
        formula="temporary-table buffers = sessions using temp tables x temp_buffers",
        calculation=f"{n(sessions)} x {human_size(temp_buffers)} = {human_size(temp)}",
        inputs={"temp-table sessions": n(sessions), "temp_buffers": human_size(temp_buffers)},
        source=PG_RESOURCE_CONSUMPTION,
        note="a session takes temp_buffers only once it touches a temporary table",
    )


def _worst_available_why(
    available: int, maintenance: int, jobs_memory: int, logical: int, temp: int, worst_available: int
) -> Derivation:
    shown = [human_size(size) for size in (available, maintenance, jobs_memory, logical, temp)]
    return Derivation(
        formula=(
            "available in the worst case = available - autovacuum memory - manual maintenance - logical decoding"
            " - temporary-table buffers"
        ),
        calculation=f"{' - '.join(shown)} = {human_size(worst_available)}",
        inputs=dict(zip(_WORST_AVAILABLE_PARTS, shown, strict=True)),
        source=PGPLANNER_RULE,
    )


_WORST_AVAILABLE_PARTS = (
    "available",
    "autovacuum memory",
    "manual maintenance",
    "logical decoding",
    "temporary-table buffers",
)


class _HeaviestQuery(NamedTuple):
    """What one process running the heaviest query allocates, as the per-process derivations show it."""

    backend: int
    page_tables: int
    work_mem: int
    sort_nodes: int
    hash_nodes: int
    hash_mem_multiplier: float

    def sum_text(self) -> str:
        """``backend + page tables + work_mem x sorts + work_mem x hash_mem_multiplier x hashes``, with the figures."""
        work_mem = human_size(self.work_mem)
        return (
            f"{human_size(self.backend)} + {human_size(self.page_tables)} + {work_mem} x {self.sort_nodes} + "
            f"{work_mem} x {exact(self.hash_mem_multiplier)} x {self.hash_nodes}"
        )

    def inputs(self) -> dict[str, str]:
        return {
            "backend base": human_size(self.backend),
            "page tables": human_size(self.page_tables),
            "work_mem": human_size(self.work_mem),
            "sort nodes": str(self.sort_nodes),
            "hash nodes": str(self.hash_nodes),
            "hash_mem_multiplier": exact(self.hash_mem_multiplier),
        }


def _per_process_why(query: _HeaviestQuery, per_process: int) -> Derivation:
    return Derivation(
        formula=(
            "per process = backend base + page tables + work_mem x sort nodes + work_mem x hash_mem_multiplier x"
            " hash nodes (one backend or parallel worker running the heaviest query)"
        ),
        calculation=f"{query.sum_text()} = {human_size(per_process)}",
        inputs=query.inputs(),
        source=PG_RESOURCE_CONSUMPTION,
    )


def _worst_per_connection_why(query: _HeaviestQuery, per_gather: int, worst: int) -> Derivation:
    return Derivation(
        formula=(
            "worst case per connection = (backend base + page tables + work_mem x sort nodes + work_mem x"
            " hash_mem_multiplier x hash nodes) x (1 + parallel workers per gather)"
        ),
        calculation=f"({query.sum_text()}) x {1 + per_gather} = {human_size(worst)}",
        inputs=query.inputs() | {"parallel workers per gather": str(per_gather)},
        source=PG_RESOURCE_CONSUMPTION,
        note="each parallel worker is a process with its own base memory, page tables and work_mem per node",
    )


def _per_connection_why(backend: int, work_mem: int, per_connection: int) -> Derivation:
    share, parts = WORK_MEM_TYPICAL_SHARE
    return Derivation(
        formula=f"typical per connection = {PER_CONNECTION_RULE}",
        calculation=(
            f"{human_size(backend)} + {human_size(work_mem)} x {share} / {parts} = {human_size(per_connection)}"
        ),
        inputs={"backend base": human_size(backend), "work_mem": human_size(work_mem)},
        source=f"{PGPLANNER_RULE}, fitted to the examples of the {MAX_CONNECTIONS_ARTICLE}",
        note="work_mem 4/32/64 MB gives about 10/15/20 MB per connection",
    )


def ram_ceiling(basis: MemoryBasis) -> tuple[int, Derivation]:
    available, per_connection = basis.available, basis.per_connection
    return max(0, available // per_connection), Derivation.later(_ram_ceiling_why, available, per_connection)


def _ram_ceiling_why(available: int, per_connection: int) -> Derivation:
    ceiling = max(0, available // per_connection)
    expression = f"{human_size(available)} / {human_size(per_connection)}"
    exact_ceiling = available / per_connection
    return Derivation(
        formula="RAM ceiling = available / typical memory per connection, rounded down, at least 0",
        calculation=rounded(expression, exact_ceiling, ceiling, "down")
        if available > 0
        else f"{expression} = {exact(exact_ceiling)}; nothing is left: 0",
        inputs={"available": human_size(available), "per connection": human_size(per_connection)},
        source=MAX_CONNECTIONS_ARTICLE,
        note="" if available > 0 else "nothing is left for connections",
    )


def parallel_workers(basis: MemoryBasis, connections: int) -> tuple[int, Derivation]:
    """Parallel workers running at once when ``connections`` run the heaviest query, at most max_parallel_workers."""
    server = basis.server
    workers = round(min(connections * server.parallel_workers_per_gather, server.max_parallel_workers))
    return workers, Derivation.later(_parallel_workers_why, server, connections, workers)


def _parallel_workers_why(server: ServerBasis, connections: int, workers: int) -> Derivation:
    per_gather = server.parallel_workers_per_gather
    return Derivation(
        formula="parallel workers at once = connections x parallel workers per gather, at most max_parallel_workers",
        calculation=f"min({n(connections)} x {per_gather}, {server.max_parallel_workers}) = {n(workers)}",
        inputs={
            "connections": n(connections),
            "parallel workers per gather": str(per_gather),
            "max_parallel_workers": str(server.max_parallel_workers),
        },
        source=PG_RESOURCE_CONSUMPTION,
        note="each parallel worker is a process with its own base memory and its own work_mem per node",
    )


def worst_case(basis: MemoryBasis, connections: int) -> tuple[int, Derivation]:
    """Every connection runs the heaviest query: its backend, plus parallel workers up to max_parallel_workers."""
    processes = basis.processes(connections)
    total = round(processes * basis.per_process)
    return total, Derivation.later(_worst_case_why, basis, connections, processes, total)


def _worst_case_why(basis: MemoryBasis, connections: int, processes: float, total: int) -> Derivation:
    server = basis.server
    return Derivation(
        formula=(
            "worst case = (connections + parallel workers at once) x per process; parallel workers at once ="
            " connections x parallel workers per gather, at most max_parallel_workers"
        ),
        calculation=(
            f"({n(connections)} + {n(processes - connections)}) x {human_size(basis.per_process)} = {human_size(total)}"
        ),
        inputs={
            "connections": n(connections),
            "parallel workers per gather": str(server.parallel_workers_per_gather),
            "max_parallel_workers": str(server.max_parallel_workers),
            "per process": human_size(basis.per_process),
        },
        source=MAX_CONNECTIONS_ARTICLE,
        note=(
            f"one connection's worst case is {human_size(basis.worst_per_connection)}; available for connections "
            f"in the worst case: {human_size(basis.worst_available)}"
        ),
    )


def heavy_fraction(basis: MemoryBasis, connections: int, fraction: float) -> tuple[int, Derivation]:
    """Connection memory when ``fraction`` of the connections run the heaviest query at once."""
    heavy_connections = connections * fraction
    processes = basis.processes(heavy_connections)
    heavy = round(processes * basis.per_process)
    total = heavy + round(connections * (1 - fraction) * basis.per_connection)
    return total, Derivation.later(_heavy_fraction_why, basis, connections, fraction, processes, heavy, total)


def _heavy_fraction_why(
    basis: MemoryBasis, connections: int, fraction: float, processes: float, heavy: int, total: int
) -> Derivation:
    heavy_connections = connections * fraction
    per_process, per_connection = human_size(basis.per_process), human_size(basis.per_connection)
    return Derivation(
        formula=(
            "heavy fraction = (N x f + parallel workers at once) x per process + N x (1 - f) x typical;"
            " parallel workers at once = N x f x parallel workers per gather, at most max_parallel_workers"
        ),
        calculation=(
            f"({exact(heavy_connections)} + {exact(processes - heavy_connections)}) x {per_process}"
            f" + {n(connections)} x {exact(1 - fraction)} x {per_connection} = {human_size(total)}"
        ),
        inputs={
            "N (connections)": n(connections),
            "f (heavy fraction)": exact(fraction),
            "per process": per_process,
            "typical per connection": per_connection,
        },
        source=PGPLANNER_RULE,
        note=f"the heavy connections alone take {human_size(heavy)}",
    )


def safe_work_mem(basis: MemoryBasis, connections: int, backend_memory: int) -> tuple[int | None, Derivation]:
    """The largest work_mem at which even the worst case of ``connections`` fits in available memory.

    The worst-case formula solved for work_mem: (available in the worst case / processes - backend
    base - page tables) / (sort nodes + hash_mem_multiplier x hash nodes), processes = connections +
    parallel workers.
    """
    return _safe_work_mem(
        basis.worst_available, connections, basis.processes(connections), backend_memory, basis.page_tables,
        basis.server, basis.sort_nodes, basis.hash_nodes,
    )  # fmt: skip


def _safe_work_mem(
    worst_available: int, connections: int, processes: float, backend_memory: int, page_tables: int,
    server: ServerBasis, sort_nodes: int, hash_nodes: int,
) -> tuple[int | None, Derivation]:  # fmt: skip
    if processes <= 0:  # a budget that opens no connection: nothing runs a query, so nothing bounds work_mem
        return None, Derivation.later(_no_safe_work_mem_why, connections)
    hmm = server.hash_mem_multiplier
    per_node = (worst_available / processes - backend_memory - page_tables) / (sort_nodes + hmm * hash_nodes)
    safe = _round_down_readable(per_node) if per_node >= MIN_WORK_MEM else None
    return safe, Derivation.later(
        _safe_work_mem_why, worst_available, connections, processes, backend_memory, page_tables, sort_nodes,
        hash_nodes, hmm, per_node, safe,
    )  # fmt: skip


def _no_safe_work_mem_why(connections: int) -> Derivation:
    return Derivation(
        formula="safe work_mem = (available in the worst case / processes - backend base - page tables) / "
        "(sort nodes + hash_mem_multiplier x hash nodes)",
        calculation="no connections are opened: none",
        inputs={"connections": n(connections)},
        source=PG_RESOURCE_CONSUMPTION,
        note="the budget opens no connection",
    )


def _safe_work_mem_why(
    worst_available: int, connections: int, processes: float, backend_memory: int, page_tables: int, sort_nodes: int,
    hash_nodes: int, hmm: float, per_node: float, safe: int | None,
) -> Derivation:  # fmt: skip
    backend, tables = human_size(backend_memory), human_size(page_tables)
    expression = (
        f"({human_size(worst_available)} / {exact(processes)} - {backend} - {tables}) / "
        f"({sort_nodes} + {exact(hmm)} x {hash_nodes})"
    )
    if safe is not None:
        calculation = rounded(expression, per_node, safe, "down to a readable size", human_size)
        note = ""
    else:
        calculation = f"{expression} = {human_size(per_node)}"
        note = f"below PostgreSQL's {human_size(MIN_WORK_MEM)} minimum: no safe value"
    return Derivation(
        formula=(
            "safe work_mem = (available in the worst case / processes - backend base - page tables) / (sort nodes"
            " + hash_mem_multiplier x hash nodes); processes = connections + parallel workers at once"
        ),
        calculation=calculation,
        inputs={
            "available in the worst case": human_size(worst_available),
            "connections": n(connections),
            "processes": exact(processes),
            "backend base": backend,
            "page tables": tables,
            "sort nodes": str(sort_nodes),
            "hash nodes": str(hash_nodes),
            "hash_mem_multiplier": exact(hmm),
        },
        source=PG_RESOURCE_CONSUMPTION,
        note=note,
    )


def _round_down_readable(size: float) -> int:
    unit = MB if size >= MB else KB
    return int(size // unit) * unit

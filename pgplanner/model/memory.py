"""Memory: what the machine can hold, and what the chosen connection count may cost.

The max_connections article's arithmetic: available = RAM - shared_buffers - OS overhead; RAM ceiling =
available / typical memory per connection. Sizes are 1024-based, as PostgreSQL counts them; the article
divides by 1000 and so prints ~2,900 and ~9,200 where these functions give 3,003 and 9,420.

The worst case counts what PostgreSQL really allocates: a hash node may take work_mem x
hash_mem_multiplier, every parallel worker of a query is a process with its own base memory and its
own work_mem per node, and autovacuum workers and temporary-table sessions take memory of their own
that no connection can use. The article's ``1000 x (10 MB + 64 MB x 4)`` is the case without hash nodes
and without parallel workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .defaults import (
    OS_OVERHEAD_GB_PER_SQRT_GB,
    OS_OVERHEAD_RULE,
    PER_CONNECTION_RULE,
    SHARED_BUFFERS_RULE,
    SHARED_BUFFERS_SHARE,
    WORK_MEM_TYPICAL_SHARE,
)
from .derivation import Derivation, exact, given, n, rounded
from .scenario import Scenario
from .server import ServerBasis, server_basis
from .sources import MAX_CONNECTIONS_ARTICLE, PG_RESOURCE_CONSUMPTION, PGPLANNER_RULE, PGTUNE
from .units import GB, KB, MB, human_size

# A desktop shares its RAM with other programs: pgtune's RAM / 16 there.
DESKTOP_SHARED_BUFFERS_SHARE = 1 / 16

MIN_WORK_MEM = 64 * KB  # PostgreSQL's lower bound for work_mem


@dataclass(frozen=True)
class MemoryBasis:
    """The scenario's memory inputs with every "auto" resolved."""

    ram: int
    shared_buffers: int
    os_overhead: int
    available: int
    per_connection: int
    worst_per_connection: int
    per_process: int  # one process of the heaviest query: backend base + its work_mem allocations
    maintenance: int  # autovacuum workers x autovacuum_work_mem
    temp_buffers: int  # temp-table sessions x temp_buffers
    worst_available: int  # available - maintenance - temp_buffers: what connections have in the worst case
    server: ServerBasis
    derivations: dict[str, Derivation]  # keyed by the field of MemoryFigures each explains
    sort_nodes: int
    hash_nodes: int

    def processes(self, connections: float) -> float:
        """Processes running the heaviest query when ``connections`` do: each connection's backend and its
        parallel workers, of which no more than max_parallel_workers exist at once."""
        parallel = self.server.parallel_workers_per_gather
        return connections + min(connections * parallel, self.server.max_parallel_workers)

    @property
    def work_mem_nodes(self) -> float:
        """work_mem allocations of the heaviest query in one process: sorts + hashes x hash_mem_multiplier."""
        return self.sort_nodes + self.hash_nodes * self.server.hash_mem_multiplier


def memory_basis(scenario: Scenario) -> MemoryBasis:
    mem, ram = scenario.memory, scenario.hardware.ram
    derivations = {"ram_bytes": given(human_size(ram), "RAM")}

    # "auto" values stay exact reals in the arithmetic and are floored only for reporting, so that
    # available memory (and with it the RAM ceiling) never decreases when RAM grows, byte by byte.
    desktop = scenario.workload.profile == "desktop"
    share = DESKTOP_SHARED_BUFFERS_SHARE if desktop else SHARED_BUFFERS_SHARE
    shared_buffers_exact: float = mem.shared_buffers if mem.shared_buffers is not None else ram * share
    shared_buffers = math.floor(shared_buffers_exact)
    if mem.shared_buffers is None:
        derivations["shared_buffers_bytes"] = Derivation(
            formula="shared_buffers = RAM / 16 on a desktop" if desktop else f"shared_buffers = {SHARED_BUFFERS_RULE}",
            calculation=f"{human_size(ram)} x {share:g} = {human_size(shared_buffers)}",
            inputs={"RAM": human_size(ram)},
            source=PGTUNE if desktop else MAX_CONNECTIONS_ARTICLE,
        )
    else:
        derivations["shared_buffers_bytes"] = given(human_size(shared_buffers), "shared_buffers")
    os_exact: float = mem.os_overhead if mem.os_overhead is not None else _os_overhead(ram)
    os_overhead = math.floor(os_exact)
    if mem.os_overhead is None:
        derivations["os_overhead_bytes"] = Derivation(
            formula=f"OS overhead = {OS_OVERHEAD_RULE}",
            calculation=f"{OS_OVERHEAD_GB_PER_SQRT_GB:g} GB x sqrt({exact(ram / GB)}) = {human_size(os_overhead)}",
            inputs={"RAM": human_size(ram)},
            source=f"{PGPLANNER_RULE}, fitted to the examples of the {MAX_CONNECTIONS_ARTICLE}",
            note="16 GB gives 2 GB, 64 GB gives 4 GB, 256 GB gives 8 GB",
        )
    else:
        derivations["os_overhead_bytes"] = given(human_size(os_overhead), "OS overhead")

    available = math.floor(ram - shared_buffers_exact - os_exact)
    derivations["available_bytes"] = Derivation(
        formula="available = RAM - shared_buffers - OS overhead",
        calculation=(
            f"{human_size(ram)} - {human_size(shared_buffers)} - {human_size(os_overhead)} = {human_size(available)}"
        ),
        inputs={"RAM": human_size(ram), "shared_buffers": human_size(shared_buffers), "OS": human_size(os_overhead)},
        source=MAX_CONNECTIONS_ARTICLE,
    )

    server = server_basis(scenario)
    hmm, processes = server.hash_mem_multiplier, 1 + server.parallel_workers_per_gather
    per_process = round(mem.backend_memory + mem.work_mem * (mem.sort_nodes + hmm * mem.hash_nodes))
    derivations["per_process_bytes"] = Derivation(
        formula=(
            "per process = backend base + work_mem x sort nodes + work_mem x hash_mem_multiplier x hash nodes"
            " (one backend or parallel worker running the heaviest query)"
        ),
        calculation=(
            f"{human_size(mem.backend_memory)} + {human_size(mem.work_mem)} x {mem.sort_nodes} + "
            f"{human_size(mem.work_mem)} x {exact(hmm)} x {mem.hash_nodes} = {human_size(per_process)}"
        ),
        inputs={
            "backend base": human_size(mem.backend_memory),
            "work_mem": human_size(mem.work_mem),
            "sort nodes": str(mem.sort_nodes),
            "hash nodes": str(mem.hash_nodes),
            "hash_mem_multiplier": exact(hmm),
        },
        source=PG_RESOURCE_CONSUMPTION,
    )
    worst = per_process * processes
    derivations["worst_case_per_connection_bytes"] = Derivation(
        formula=(
            "worst case per connection = (backend base + work_mem x sort nodes + work_mem x hash_mem_multiplier"
            " x hash nodes) x (1 + parallel workers per gather)"
        ),
        calculation=(
            f"({human_size(mem.backend_memory)} + {human_size(mem.work_mem)} x {mem.sort_nodes} + "
            f"{human_size(mem.work_mem)} x {exact(hmm)} x {mem.hash_nodes}) x {processes} = {human_size(worst)}"
        ),
        inputs={
            "backend base": human_size(mem.backend_memory),
            "work_mem": human_size(mem.work_mem),
            "sort nodes": str(mem.sort_nodes),
            "hash nodes": str(mem.hash_nodes),
            "hash_mem_multiplier": exact(hmm),
            "parallel workers per gather": str(server.parallel_workers_per_gather),
        },
        source=PG_RESOURCE_CONSUMPTION,
        note="each parallel worker is a process with its own base memory and its own work_mem per node",
    )
    maintenance = server.autovacuum_workers * server.autovacuum_work_mem
    derivations["maintenance_bytes"] = Derivation(
        formula="autovacuum memory = autovacuum workers x autovacuum_work_mem",
        calculation=(
            f"{server.autovacuum_workers} x {human_size(server.autovacuum_work_mem)} = {human_size(maintenance)}"
        ),
        inputs={
            "autovacuum workers": str(server.autovacuum_workers),
            "autovacuum_work_mem": human_size(server.autovacuum_work_mem),
        },
        source=PG_RESOURCE_CONSUMPTION,
        note="vacuum allocates it as dead rows accumulate; in the worst case all workers hold it at once",
    )
    temp = mem.temp_table_sessions * mem.temp_buffers
    derivations["temp_buffers_bytes"] = Derivation(
        formula="temporary-table buffers = sessions using temp tables x temp_buffers",
        calculation=f"{n(mem.temp_table_sessions)} x {human_size(mem.temp_buffers)} = {human_size(temp)}",
        inputs={"temp-table sessions": n(mem.temp_table_sessions), "temp_buffers": human_size(mem.temp_buffers)},
        source=PG_RESOURCE_CONSUMPTION,
        note="a session takes temp_buffers only once it touches a temporary table",
    )
    per_connection = mem.per_connection_memory
    if per_connection is None:
        share, parts = WORK_MEM_TYPICAL_SHARE
        per_connection = round(mem.backend_memory + mem.work_mem * share / parts)
        derivations["per_connection_bytes"] = Derivation(
            formula=f"typical per connection = {PER_CONNECTION_RULE}",
            calculation=(
                f"{human_size(mem.backend_memory)} + {human_size(mem.work_mem)} x {share} / {parts}"
                f" = {human_size(per_connection)}"
            ),
            inputs={"backend base": human_size(mem.backend_memory), "work_mem": human_size(mem.work_mem)},
            source=f"{PGPLANNER_RULE}, fitted to the examples of the {MAX_CONNECTIONS_ARTICLE}",
            note="work_mem 4/32/64 MB gives about 10/15/20 MB per connection",
        )
    else:
        derivations["per_connection_bytes"] = given(human_size(per_connection), "typical per connection")
    worst_available = available - maintenance - temp
    derivations["worst_case_available_bytes"] = Derivation(
        formula="available in the worst case = available - autovacuum memory - temporary-table buffers",
        calculation=(
            f"{human_size(available)} - {human_size(maintenance)} - {human_size(temp)} = {human_size(worst_available)}"
        ),
        inputs={
            "available": human_size(available),
            "autovacuum memory": human_size(maintenance),
            "temporary-table buffers": human_size(temp),
        },
        source=PGPLANNER_RULE,
    )
    return MemoryBasis(
        ram, shared_buffers, os_overhead, available, per_connection, worst, per_process, maintenance, temp,
        worst_available,
        server, derivations, mem.sort_nodes, mem.hash_nodes,
    )  # fmt: skip


def ram_ceiling(basis: MemoryBasis) -> tuple[int, Derivation]:
    ceiling = max(0, basis.available // basis.per_connection)
    expression = f"{human_size(basis.available)} / {human_size(basis.per_connection)}"
    exact_ceiling = basis.available / basis.per_connection
    return ceiling, Derivation(
        formula="RAM ceiling = available / typical memory per connection, rounded down, at least 0",
        calculation=rounded(expression, exact_ceiling, ceiling, "down")
        if basis.available > 0
        else f"{expression} = {exact(exact_ceiling)}; nothing is left: 0",
        inputs={"available": human_size(basis.available), "per connection": human_size(basis.per_connection)},
        source=MAX_CONNECTIONS_ARTICLE,
        note="" if basis.available > 0 else "nothing is left for connections",
    )


def parallel_workers(basis: MemoryBasis, connections: int) -> tuple[int, Derivation]:
    """Parallel workers running at once when ``connections`` run the heaviest query, at most max_parallel_workers."""
    server = basis.server
    per_gather = server.parallel_workers_per_gather
    workers = round(basis.processes(connections) - connections)
    return workers, Derivation(
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
    workers = processes - connections
    server = basis.server
    return total, Derivation(
        formula=(
            "worst case = (connections + parallel workers at once) x per process; parallel workers at once ="
            " connections x parallel workers per gather, at most max_parallel_workers"
        ),
        calculation=f"({n(connections)} + {n(workers)}) x {human_size(basis.per_process)} = {human_size(total)}",
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
    rest = round(connections * (1 - fraction) * basis.per_connection)
    return heavy + rest, Derivation(
        formula=(
            "heavy fraction = (N x f + parallel workers at once) x per process + N x (1 - f) x typical;"
            " parallel workers at once = N x f x parallel workers per gather, at most max_parallel_workers"
        ),
        calculation=(
            f"({exact(heavy_connections)} + {exact(processes - heavy_connections)}) x {human_size(basis.per_process)}"
            f" + {n(connections)} x {exact(1 - fraction)} x {human_size(basis.per_connection)}"
            f" = {human_size(heavy + rest)}"
        ),
        inputs={
            "N (connections)": n(connections),
            "f (heavy fraction)": exact(fraction),
            "per process": human_size(basis.per_process),
            "typical per connection": human_size(basis.per_connection),
        },
        source=PGPLANNER_RULE,
        note=f"the heavy connections alone take {human_size(heavy)}",
    )


def safe_work_mem(basis: MemoryBasis, connections: int, backend_memory: int) -> tuple[int | None, Derivation]:
    """The largest work_mem at which even the worst case of ``connections`` fits in available memory.

    The worst-case formula solved for work_mem: (available in the worst case / processes - backend
    base) / (sort nodes + hash_mem_multiplier x hash nodes), processes = connections + parallel workers.
    """
    processes = basis.processes(connections)
    hmm = basis.server.hash_mem_multiplier
    per_node = (basis.worst_available / processes - backend_memory) / basis.work_mem_nodes
    safe = _round_down_readable(per_node) if per_node >= MIN_WORK_MEM else None
    expression = (
        f"({human_size(basis.worst_available)} / {exact(processes)} - {human_size(backend_memory)})"
        f" / ({basis.sort_nodes} + {exact(hmm)} x {basis.hash_nodes})"
    )
    if safe is not None:
        calculation = rounded(expression, per_node, safe, "down to a readable size", human_size)
        note = ""
    else:
        calculation = f"{expression} = {human_size(per_node)}"
        note = f"below PostgreSQL's {human_size(MIN_WORK_MEM)} minimum: no safe value"
    return safe, Derivation(
        formula=(
            "safe work_mem = (available in the worst case / processes - backend base) / (sort nodes +"
            " hash_mem_multiplier x hash nodes); processes = connections + parallel workers at once"
        ),
        calculation=calculation,
        inputs={
            "available in the worst case": human_size(basis.worst_available),
            "connections": n(connections),
            "processes": exact(processes),
            "backend base": human_size(backend_memory),
            "sort nodes": str(basis.sort_nodes),
            "hash nodes": str(basis.hash_nodes),
            "hash_mem_multiplier": exact(hmm),
        },
        source=PG_RESOURCE_CONSUMPTION,
        note=note,
    )


def _os_overhead(ram: int) -> float:
    return OS_OVERHEAD_GB_PER_SQRT_GB * GB * math.sqrt(ram / GB)


def _round_down_readable(size: float) -> int:
    unit = MB if size >= MB else KB
    return int(size // unit) * unit

"""Memory: what the machine can hold, and what the chosen connection count may cost.

Seed 001's arithmetic: available = RAM - shared_buffers - OS overhead; RAM ceiling = available /
typical memory per connection. Sizes are 1024-based, as PostgreSQL counts them; the seed divides by
1000 and so prints ~2,900 and ~9,200 where these functions give 3,003 and 9,420.

The worst case counts what PostgreSQL really allocates: a hash node may take work_mem x
hash_mem_multiplier, every parallel worker of a query is a process with its own base memory and its
own work_mem per node, and autovacuum workers and temporary-table sessions take memory of their own
that no connection can use. Seed 001's ``1000 x (10 MB + 64 MB x 4)`` is the case without hash nodes
and without parallel workers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .derivation import Derivation, n
from .scenario import Scenario
from .server import ServerBasis, server_basis
from .units import GB, KB, MB, human_size

SHARED_BUFFERS_SHARE = 0.25
# A desktop shares its RAM with other programs: pgtune's RAM / 16.
SHARED_BUFFER_SHARES = {"desktop": 1 / 16}
# 0.5 GB x sqrt(RAM in GB) reproduces all three of seed 001's examples: 16 GB -> 2 GB,
# 64 GB -> 4 GB, 256 GB -> 8 GB; it grows slower than RAM, as kernel and tooling needs do.
OS_OVERHEAD_GB_PER_SQRT_GB = 0.5
# A typical connection is mostly idle and now and then holds one work_mem allocation. 5/32 of
# work_mem on top of a 10 MB base gives seed 001's 10, 15 and 20 MB at work_mem 4, 32 and 64 MB.
WORK_MEM_TYPICAL_SHARE = 5 / 32
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
    maintenance: int  # autovacuum workers x autovacuum_work_mem
    temp_buffers: int  # temp-table sessions x temp_buffers
    worst_available: int  # available - maintenance - temp_buffers: what connections have in the worst case
    server: ServerBasis
    derivations: dict[str, Derivation]
    sort_nodes: int
    hash_nodes: int

    @property
    def work_mem_nodes(self) -> float:
        """work_mem allocations of the heaviest query in one process: sorts + hashes x hash_mem_multiplier."""
        return self.sort_nodes + self.hash_nodes * self.server.hash_mem_multiplier


def memory_basis(scenario: Scenario) -> MemoryBasis:
    mem, ram = scenario.memory, scenario.hardware.ram
    derivations = {}

    # "auto" values stay exact reals in the arithmetic and are floored only for reporting, so that
    # available memory (and with it the RAM ceiling) never decreases when RAM grows, byte by byte.
    share = SHARED_BUFFER_SHARES.get(scenario.workload.profile, SHARED_BUFFERS_SHARE)
    shared_buffers_exact: float = mem.shared_buffers if mem.shared_buffers is not None else ram * share
    shared_buffers = math.floor(shared_buffers_exact)
    if mem.shared_buffers is None:
        derivations["shared_buffers"] = Derivation(
            formula="shared_buffers = 25 % of RAM"
            if share == SHARED_BUFFERS_SHARE
            else "shared_buffers = RAM / 16 on a desktop",
            calculation=f"{human_size(ram)} x {share:g} = {human_size(shared_buffers)}",
        )
    os_exact: float = mem.os_overhead if mem.os_overhead is not None else _os_overhead(ram)
    os_overhead = math.floor(os_exact)
    if mem.os_overhead is None:
        derivations["os_overhead"] = Derivation(
            formula="OS overhead = 0.5 GB x sqrt(RAM in GB)",
            calculation=f"0.5 GB x sqrt({ram / GB:g}) = {human_size(os_overhead)}",
            note="fits seed 001: 16 GB -> 2 GB, 64 GB -> 4 GB, 256 GB -> 8 GB",
        )

    available = math.floor(ram - shared_buffers_exact - os_exact)
    derivations["available"] = Derivation(
        formula="available = RAM - shared_buffers - OS overhead",
        calculation=(
            f"{human_size(ram)} - {human_size(shared_buffers)} - {human_size(os_overhead)} = {human_size(available)}"
        ),
    )

    server = server_basis(scenario)
    derivations.update(server.derivations)
    hmm, processes = server.hash_mem_multiplier, 1 + server.parallel_workers_per_gather
    worst = round((mem.backend_memory + mem.work_mem * (mem.sort_nodes + hmm * mem.hash_nodes)) * processes)
    derivations["worst_per_connection"] = Derivation(
        formula=(
            "worst case per connection = (backend base + work_mem x sort nodes + work_mem x hash_mem_multiplier"
            " x hash nodes) x (1 + parallel workers per gather)"
        ),
        calculation=(
            f"({human_size(mem.backend_memory)} + {human_size(mem.work_mem)} x {mem.sort_nodes} + "
            f"{human_size(mem.work_mem)} x {hmm:g} x {mem.hash_nodes}) x {processes} = {human_size(worst)}"
        ),
        note="each parallel worker is a process with its own base memory and its own work_mem per node",
    )
    maintenance = server.autovacuum_workers * server.autovacuum_work_mem
    derivations["maintenance"] = Derivation(
        formula="autovacuum memory = autovacuum workers x autovacuum_work_mem",
        calculation=(
            f"{server.autovacuum_workers} x {human_size(server.autovacuum_work_mem)} = {human_size(maintenance)}"
        ),
        note="vacuum allocates it as dead rows accumulate; in the worst case all workers hold it at once",
    )
    temp = mem.temp_table_sessions * mem.temp_buffers
    derivations["temp_buffers"] = Derivation(
        formula="temporary-table buffers = sessions using temp tables x temp_buffers",
        calculation=f"{n(mem.temp_table_sessions)} x {human_size(mem.temp_buffers)} = {human_size(temp)}",
        note="a session takes temp_buffers only once it touches a temporary table",
    )
    per_connection = mem.per_connection_memory
    if per_connection is None:
        per_connection = round(mem.backend_memory + mem.work_mem * WORK_MEM_TYPICAL_SHARE)
        derivations["per_connection"] = Derivation(
            formula="typical per connection = backend base + 5/32 x work_mem",
            calculation=(
                f"{human_size(mem.backend_memory)} + {human_size(mem.work_mem)} x 5/32 = {human_size(per_connection)}"
            ),
            note="fits seed 001: work_mem 4/32/64 MB -> about 10/15/20 MB per connection",
        )
    else:
        derivations["per_connection"] = Derivation(
            formula="typical per connection: given", calculation=human_size(per_connection)
        )
    worst_available = available - maintenance - temp
    derivations["worst_available"] = Derivation(
        formula="available in the worst case = available - autovacuum memory - temporary-table buffers",
        calculation=(
            f"{human_size(available)} - {human_size(maintenance)} - {human_size(temp)} = {human_size(worst_available)}"
        ),
    )
    return MemoryBasis(
        ram,
        shared_buffers,
        os_overhead,
        available,
        per_connection,
        worst,
        maintenance,
        temp,
        worst_available,
        server,
        derivations,
        mem.sort_nodes,
        mem.hash_nodes,
    )


def ram_ceiling(basis: MemoryBasis) -> tuple[int, Derivation]:
    ceiling = max(0, basis.available // basis.per_connection)
    return ceiling, Derivation(
        formula="RAM ceiling = available / typical memory per connection",
        calculation=f"{human_size(basis.available)} / {human_size(basis.per_connection)} = {n(ceiling)}",
        note="" if basis.available > 0 else "nothing is left for connections",
    )


def worst_case(basis: MemoryBasis, connections: int) -> tuple[int, Derivation]:
    total = connections * basis.worst_per_connection
    return total, Derivation(
        formula="worst case = max_connections x worst case per connection",
        calculation=f"{n(connections)} x {human_size(basis.worst_per_connection)} = {human_size(total)}",
        note=f"available for connections in the worst case: {human_size(basis.worst_available)}",
    )


def heavy_fraction(basis: MemoryBasis, connections: int, fraction: float) -> tuple[int, Derivation]:
    """Connection memory when ``fraction`` of the connections run the heaviest query at once."""
    heavy = round(connections * fraction * basis.worst_per_connection)
    rest = round(connections * (1 - fraction) * basis.per_connection)
    return heavy + rest, Derivation(
        formula="heavy fraction = N x f x worst case per connection + N x (1 - f) x typical",
        calculation=(
            f"{n(connections)} x {fraction:g} x {human_size(basis.worst_per_connection)} + "
            f"{n(connections)} x {1 - fraction:g} x {human_size(basis.per_connection)} = {human_size(heavy + rest)}"
        ),
        note=f"the heavy connections alone take {human_size(heavy)}",
    )


def safe_work_mem(basis: MemoryBasis, connections: int, backend_memory: int) -> tuple[int | None, Derivation]:
    """The largest work_mem at which even the worst case of ``connections`` fits in available memory.

    The worst-case formula solved for work_mem: (available in the worst case / (max_connections x
    processes per query) - backend base) / (sort nodes + hash_mem_multiplier x hash nodes).
    """
    processes = 1 + basis.server.parallel_workers_per_gather
    nodes = basis.work_mem_nodes
    per_node = (basis.worst_available / (connections * processes) - backend_memory) / nodes
    safe = _round_down_readable(per_node) if per_node >= MIN_WORK_MEM else None
    hmm = basis.server.hash_mem_multiplier
    return safe, Derivation(
        formula=(
            "safe work_mem = (available in the worst case / (max_connections x (1 + parallel workers per gather))"
            " - backend base) / (sort nodes + hash_mem_multiplier x hash nodes)"
        ),
        calculation=(
            f"({human_size(basis.worst_available)} / ({n(connections)} x {processes}) - {human_size(backend_memory)})"
            f" / ({basis.sort_nodes} + {hmm:g} x {basis.hash_nodes})"
            f" = {human_size(per_node) if per_node > 0 else 'nothing'}"
        ),
        note="rounded down" if safe is not None else "below PostgreSQL's 64 kB minimum: no safe value",
    )


def _os_overhead(ram: int) -> float:
    return OS_OVERHEAD_GB_PER_SQRT_GB * GB * math.sqrt(ram / GB)


def _round_down_readable(size: float) -> int:
    unit = MB if size >= MB else KB
    return int(size // unit) * unit

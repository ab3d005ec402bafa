"""Memory: what the machine can hold, and what the chosen connection count may cost.

The max_connections article's arithmetic: available = RAM - shared_buffers - OS overhead; RAM ceiling = available /
typical memory per connection; worst case = connections x (backend base + work_mem x sort/hash
nodes). Sizes are 1024-based, as PostgreSQL counts them; the article divides by 1000 and so prints
~2,900 and ~9,200 where these functions give 3,003 and 9,420.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .derivation import Derivation, exact, given, n, rounded
from .defaults import (
    OS_OVERHEAD_GB_PER_SQRT_GB,
    OS_OVERHEAD_RULE,
    PER_CONNECTION_RULE,
    SHARED_BUFFERS_RULE,
    SHARED_BUFFERS_SHARE,
    WORK_MEM_TYPICAL_SHARE,
)
from .scenario import Scenario
from .sources import MAX_CONNECTIONS_ARTICLE, PG_RESOURCE_CONSUMPTION, PGPLANNER_RULE
from .units import GB, KB, MB, human_size

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
    derivations: dict[str, Derivation]  # keyed by the field of MemoryFigures each explains


def memory_basis(scenario: Scenario) -> MemoryBasis:
    mem, ram = scenario.memory, scenario.hardware.ram
    derivations = {"ram_bytes": given(human_size(ram), "RAM")}

    # "auto" values stay exact reals in the arithmetic and are floored only for reporting, so that
    # available memory (and with it the RAM ceiling) never decreases when RAM grows, byte by byte.
    shared_buffers_exact: float = mem.shared_buffers if mem.shared_buffers is not None else ram * SHARED_BUFFERS_SHARE
    shared_buffers = math.floor(shared_buffers_exact)
    if mem.shared_buffers is None:
        derivations["shared_buffers_bytes"] = Derivation(
            formula=f"shared_buffers = {SHARED_BUFFERS_RULE}",
            calculation=f"{human_size(ram)} x {SHARED_BUFFERS_SHARE:g} = {human_size(shared_buffers)}",
            inputs={"RAM": human_size(ram)},
            source=MAX_CONNECTIONS_ARTICLE,
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
            note="16 GB -> 2 GB, 64 GB -> 4 GB, 256 GB -> 8 GB",
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

    worst = mem.backend_memory + mem.work_mem * mem.sort_nodes
    derivations["worst_case_per_connection_bytes"] = Derivation(
        formula="worst case per connection = backend base + work_mem x sort/hash nodes",
        calculation=(
            f"{human_size(mem.backend_memory)} + {human_size(mem.work_mem)} x {mem.sort_nodes} = {human_size(worst)}"
        ),
        inputs={
            "backend base": human_size(mem.backend_memory),
            "work_mem": human_size(mem.work_mem),
            "sort/hash nodes": str(mem.sort_nodes),
        },
        source=PG_RESOURCE_CONSUMPTION,
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
            note="work_mem 4/32/64 MB -> about 10/15/20 MB per connection",
        )
    else:
        derivations["per_connection_bytes"] = given(human_size(per_connection), "typical per connection")
    return MemoryBasis(ram, shared_buffers, os_overhead, available, per_connection, worst, derivations)


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


def worst_case(basis: MemoryBasis, connections: int) -> tuple[int, Derivation]:
    total = connections * basis.worst_per_connection
    return total, Derivation(
        formula="worst case = max_connections x (backend base + work_mem x sort/hash nodes)",
        calculation=f"{n(connections)} x {human_size(basis.worst_per_connection)} = {human_size(total)}",
        inputs={"max_connections": n(connections), "worst case per connection": human_size(basis.worst_per_connection)},
        source=MAX_CONNECTIONS_ARTICLE,
        note=f"available for connections: {human_size(basis.available)}",
    )


def heavy_fraction(basis: MemoryBasis, connections: int, fraction: float) -> tuple[int, Derivation]:
    """Connection memory when ``fraction`` of the connections run the heaviest query at once."""
    heavy = round(connections * fraction * basis.worst_per_connection)
    rest = round(connections * (1 - fraction) * basis.per_connection)
    return heavy + rest, Derivation(
        formula="heavy fraction = N x f x worst case per connection + N x (1 - f) x typical",
        calculation=(
            f"{n(connections)} x {exact(fraction)} x {human_size(basis.worst_per_connection)} + "
            f"{n(connections)} x {exact(1 - fraction)} x {human_size(basis.per_connection)}"
            f" = {human_size(heavy + rest)}"
        ),
        inputs={
            "N (max_connections)": n(connections),
            "f (heavy fraction)": exact(fraction),
            "worst case per connection": human_size(basis.worst_per_connection),
            "typical per connection": human_size(basis.per_connection),
        },
        source=PGPLANNER_RULE,
        note=f"the heavy connections alone take {human_size(heavy)}",
    )


def safe_work_mem(
    basis: MemoryBasis, connections: int, backend_memory: int, sort_nodes: int
) -> tuple[int | None, Derivation]:
    """The largest work_mem at which even the worst case of ``connections`` fits in available memory."""
    per_node = (basis.available / connections - backend_memory) / sort_nodes
    safe = _round_down_readable(per_node) if per_node >= MIN_WORK_MEM else None
    expression = f"({human_size(basis.available)} / {n(connections)} - {human_size(backend_memory)}) / {sort_nodes}"
    if safe is not None:
        calculation = rounded(expression, per_node, safe, "down to a readable size", human_size)
        note = ""
    else:
        calculation = f"{expression} = {human_size(per_node)}"
        note = f"below PostgreSQL's {human_size(MIN_WORK_MEM)} minimum: no safe value"
    return safe, Derivation(
        formula="safe work_mem = (available / max_connections - backend base) / sort/hash nodes",
        calculation=calculation,
        inputs={
            "available": human_size(basis.available),
            "max_connections": n(connections),
            "backend base": human_size(backend_memory),
            "sort/hash nodes": str(sort_nodes),
        },
        source=PG_RESOURCE_CONSUMPTION,
        note=note,
    )
def _os_overhead(ram: int) -> float:
    return OS_OVERHEAD_GB_PER_SQRT_GB * GB * math.sqrt(ram / GB)


def _round_down_readable(size: float) -> int:
    unit = MB if size >= MB else KB
    return int(size // unit) * unit

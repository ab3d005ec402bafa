"""Memory: what the machine can hold, and what the chosen connection count may cost.

Seed 001's arithmetic: available = RAM - shared_buffers - OS overhead; RAM ceiling = available /
typical memory per connection; worst case = connections x (backend base + work_mem x sort/hash
nodes). Sizes are 1024-based, as PostgreSQL counts them; the seed divides by 1000 and so prints
~2,900 and ~9,200 where these functions give 3,003 and 9,420.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .derivation import Derivation, n
from .scenario import Scenario
from .units import GB, KB, MB, human_size

SHARED_BUFFERS_SHARE = 0.25
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
    derivations: dict[str, Derivation]


def memory_basis(scenario: Scenario) -> MemoryBasis:
    mem, ram = scenario.memory, scenario.hardware.ram
    derivations = {}

    # "auto" values stay exact reals in the arithmetic and are floored only for reporting, so that
    # available memory (and with it the RAM ceiling) never decreases when RAM grows, byte by byte.
    shared_buffers_exact: float = mem.shared_buffers if mem.shared_buffers is not None else ram * SHARED_BUFFERS_SHARE
    shared_buffers = math.floor(shared_buffers_exact)
    if mem.shared_buffers is None:
        derivations["shared_buffers"] = Derivation(
            formula="shared_buffers = 25 % of RAM",
            calculation=f"{human_size(ram)} x 0.25 = {human_size(shared_buffers)}",
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

    worst = mem.backend_memory + mem.work_mem * mem.sort_nodes
    derivations["worst_per_connection"] = Derivation(
        formula="worst case per connection = backend base + work_mem x sort/hash nodes",
        calculation=(
            f"{human_size(mem.backend_memory)} + {human_size(mem.work_mem)} x {mem.sort_nodes} = {human_size(worst)}"
        ),
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
    return MemoryBasis(ram, shared_buffers, os_overhead, available, per_connection, worst, derivations)


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
        formula="worst case = max_connections x (backend base + work_mem x sort/hash nodes)",
        calculation=f"{n(connections)} x {human_size(basis.worst_per_connection)} = {human_size(total)}",
        note=f"available for connections: {human_size(basis.available)}",
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


def safe_work_mem(
    basis: MemoryBasis, connections: int, backend_memory: int, sort_nodes: int
) -> tuple[int | None, Derivation]:
    """The largest work_mem at which even the worst case of ``connections`` fits in available memory."""
    per_node = (basis.available / connections - backend_memory) / sort_nodes
    safe = _round_down_readable(per_node) if per_node >= MIN_WORK_MEM else None
    return safe, Derivation(
        formula="safe work_mem = (available / max_connections - backend base) / sort/hash nodes",
        calculation=(
            f"({human_size(basis.available)} / {n(connections)} - {human_size(backend_memory)}) / {sort_nodes}"
            f" = {human_size(per_node) if per_node > 0 else 'nothing'}"
        ),
        note="rounded down" if safe is not None else "below PostgreSQL's 64 kB minimum: no safe value",
    )


def _os_overhead(ram: int) -> float:
    return OS_OVERHEAD_GB_PER_SQRT_GB * GB * math.sqrt(ram / GB)


def _round_down_readable(size: float) -> int:
    unit = MB if size >= MB else KB
    return int(size // unit) * unit

"""The result cards: each shows a headline figure and names the outputs (JSON paths) behind it.

A card's ``outputs`` decide two things: which derivations answer "why this number?", and which
warnings colour it (those whose ``concerns`` meet the outputs). Tests check that every warning rule
meets at least one card, so a blocking error can never go without a red card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..model import Derivation, Plan, PlanWarning, human_size
from ..model.checks import SEVERITY_ORDER, Severity
from ..model.derivation import n


@dataclass(frozen=True)
class CardSpec:
    key: str
    title: str
    value: Callable[[Plan], str]
    caption: Callable[[Plan], str]
    outputs: tuple[str, ...]  # JSON paths, the first being the figure shown
    pooler_only: bool = False  # a pooler's figure: with no pooler it reads "no pooler", greyed


NO_ROOM = "no memory left: shared_buffers + OS take all the RAM"
NO_POOLER = ("no pooler", "clients connect to PostgreSQL directly")


def _available(available: int) -> str:
    """The memory left for connections, never a negative size."""
    return f"available {human_size(available)}" if available > 0 else NO_ROOM


def _tps(plan: Plan) -> str:
    return "no pooler" if plan.pooler_capacity_tps is None else f"{n(round(plan.pooler_capacity_tps))} tps"


def plural(count: int, word: str) -> str:
    """``1 pool``, ``3 pools``."""
    return f"{n(count)} {word}{'s' if count != 1 else ''}"


CARDS = (
    CardSpec(
        "max_connections",
        "max_connections",
        lambda p: n(p.max_connections),
        lambda p: f"required {n(p.max_connections_required)} · recommended {n(p.max_connections_recommended)}",
        (
            "max_connections",
            "max_connections_required",
            "max_connections_recommended",
            "headroom",
            "reserved_slots",
            "max_wal_senders",
            "spare_wal_senders",
        ),
    ),
    CardSpec(
        "ram_ceiling",
        "RAM ceiling",
        lambda p: n(p.ram_ceiling),
        lambda p: (
            f"fit in {human_size(p.memory.available_bytes)} at {human_size(p.memory.per_connection_bytes)} each"
            if p.memory.available_bytes > 0
            else NO_ROOM
        ),
        (
            "ram_ceiling",
            "memory.ram_bytes",
            "memory.shared_buffers_bytes",
            "memory.os_overhead_bytes",
            "memory.available_bytes",
            "memory.per_connection_bytes",
        ),
    ),
    CardSpec(
        "productive_target",
        "Productive target",
        lambda p: n(p.productive_target),
        lambda p: f"active connections · pool range {p.pool_size_range[0]}–{p.pool_size_range[1]}",
        (
            "productive_target",
            "disk_concurrency",
            "pool_size_range",
            "direct_clients",
            "throughput.knee",
            "throughput.peak",
        ),
    ),
    CardSpec(
        "pool_size",
        "Pool size",
        lambda p: n(p.pool_size),
        lambda p: f"{plural(p.pools, 'pool')} · reserve {p.reserve_pool} · max_client_conn {n(p.max_client_conn)}",
        (
            "pool_size",
            "pools",
            "reserve_pool",
            "max_client_conn",
            "client_demand",
            "app_clients",
            "max_db_connections",
        ),
        pooler_only=True,
    ),
    CardSpec(
        "worst_case",
        "Worst-case memory",
        lambda p: human_size(p.memory.worst_case_bytes),
        lambda p: (
            f"{n(p.max_connections)} x {human_size(p.memory.worst_case_per_connection_bytes)}"
            f" · {_available(p.memory.worst_case_available_bytes)}"
        ),
        (
            "memory.worst_case_bytes",
            "memory.worst_case_per_connection_bytes",
            "memory.worst_case_available_bytes",
            "memory.page_tables_bytes",
            "memory.maintenance_bytes",
            "memory.maintenance_jobs",
            "memory.maintenance_jobs_bytes",
            "memory.logical_decoding_bytes",
            "memory.temp_buffers_bytes",
        ),
    ),
    CardSpec(
        "heavy_fraction",
        "Heavy-fraction memory",
        lambda p: human_size(p.memory.heavy_fraction_bytes),
        lambda p: f"{p.scenario.memory.heavy_fraction:.0%} of connections running the heaviest query",
        ("memory.heavy_fraction_bytes",),
    ),
    CardSpec(
        "safe_work_mem",
        "Safe work_mem",
        lambda p: human_size(p.memory.safe_work_mem_bytes) if p.memory.safe_work_mem_bytes else "none",
        lambda p: f"for {n(p.max_connections)} connections · now {human_size(p.scenario.memory.work_mem)}",
        ("memory.safe_work_mem_bytes",),
    ),
    CardSpec(
        "pooler_capacity",
        "Pooler capacity",
        _tps,
        lambda p: f"{n(p.server_connections)} backends at {p.scenario.workload.txn_ms:g} ms per transaction",
        ("pooler_capacity_tps", "server_connections"),
        pooler_only=True,
    ),
)


def inactive(plan: Plan, spec: CardSpec) -> bool:
    """Whether the card's figure does not apply to this plan (a pooler's figure with no pooler)."""
    return spec.pooler_only and plan.scenario.pooler.kind == "none"


def card_texts(plan: Plan, spec: CardSpec) -> tuple[str, str]:
    """The card's value and caption as shown."""
    return NO_POOLER if inactive(plan, spec) else (spec.value(plan), spec.caption(plan))


def concerning(plan: Plan, spec: CardSpec) -> list[PlanWarning]:
    """The plan's warnings whose concerns meet the card's outputs."""
    outputs = set(spec.outputs)
    return [w for w in plan.warnings if outputs.intersection(w.concerns)]


def card_severity(plan: Plan, spec: CardSpec) -> Severity | None:
    """The worst severity among the warnings that concern the card, None when none does."""
    severities: list[Severity] = [w.severity for w in concerning(plan, spec)]
    if not severities:
        return None
    return min(severities, key=SEVERITY_ORDER.__getitem__)


def derivation_groups(plan: Plan) -> list[tuple[str, str, list[tuple[str, Derivation]]]]:
    """(title, shown value, [(paths, derivation)]) per card, then every other derived figure.

    Outputs that share one derivation (the USL shape's u, sigma and kappa) are listed once, their
    paths joined: ``"throughput.shape_u, throughput.sigma"``.
    """
    groups = []
    seen: set[str] = set()
    for spec in CARDS:
        groups.append((spec.title, spec.value(plan), _joined(plan, spec.outputs)))
        seen.update(spec.outputs)
    rest = _joined(plan, tuple(path for path in plan.derivations if path not in seen))
    if rest:
        groups.append(("Other figures", "", rest))
    return groups


def _joined(plan: Plan, paths: tuple[str, ...]) -> list[tuple[str, Derivation]]:
    rows: dict[int, tuple[list[str], Derivation]] = {}
    for path in paths:
        d = plan.derivations.get(path)
        if d is not None:
            rows.setdefault(id(d), ([], d))[0].append(path)
    return [(", ".join(names), d) for names, d in rows.values()]

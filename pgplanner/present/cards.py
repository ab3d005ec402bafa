"""The result cards, made once: :func:`card_views` turns a Plan into finished :class:`CardView` s, and every
view (the window, ``plan``'s text, the bundle's README, the HTML report, a comparison) draws those views;
none reads a Plan's fields to make a card of its own.

A card shows one figure (``value``) with a ``caption``. Its ``outputs`` (JSON paths) decide which
derivations answer "why this number?" and which warnings colour it (those whose ``concerns`` meet them);
tests check that every warning rule meets a card, so a blocking error never goes without a red card.
With no pooler a pooler's card is ``inactive`` ("no pooler"), and no output of the pooler
(:data:`~pgplanner.model.concurrency.POOLER_OUTPUTS`) is shown, explained or compared anywhere.

Captions are true to the numbers beside them. A caption that states arithmetic (``arithmetic``) starts
with it, and the arithmetic gives the value: ``(30 + 4 parallel) x 34 MB`` beside ``1.13 GB``. A
number may carry words after it saying what it counts (``4 parallel``, ``10.6 MB each``), and a
rounding is said (``, rounded down``). tests/equations.py reads every card that way, as each renderer
prints it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from ..model import Derivation, Plan, PlanWarning, human_size
from ..model.checks import SEVERITY_ORDER, Severity
from ..model.concurrency import POOLER_OUTPUTS
from ..model.derivation import n


class Face(NamedTuple):
    """What a card shows for one plan: its value, its caption, and whether the caption is its arithmetic.

    A named tuple, as are the others here: cheaper than a frozen dataclass to create at import and to
    build, and the cards are made again on every slider tick.
    """

    value: str
    caption: str
    arithmetic: bool = False  # the caption's first part (up to " · ") works out to the value


def _always(_plan: Plan) -> bool:
    return True


class CardSpec(NamedTuple):
    key: str
    title: str
    face: Callable[[Plan], Face]
    outputs: tuple[str, ...]  # JSON paths, the first being the figure shown
    pooler_only: bool = False  # a pooler's figure: with no pooler it reads "no pooler", greyed
    shown: Callable[[Plan], bool] = _always  # whether the plan has this card at all (latency: with a demand)

    @property
    def figure(self) -> str:
        """The JSON path of the figure the card shows."""
        return self.outputs[0]


class CardView(NamedTuple):
    """One card as every renderer draws it."""

    key: str
    title: str
    value: str  # as shown: "1.13 GB", "963", "no pooler"
    caption: str
    severity: Severity | None  # the worst warning that concerns the card, None when none does
    inactive: bool  # the figure does not apply to this plan (a pooler's figure with no pooler)
    outputs: tuple[str, ...]  # the JSON paths it stands for in this plan (no pooler's paths without a pooler)
    figure: str  # the JSON path of the figure shown
    arithmetic: bool  # the caption's first part is arithmetic that gives the value (tests/equations.py checks it)


NO_ROOM = "no memory left: shared_buffers + OS take all the RAM"
# The worst case's room is what is left once the memory outside connections is counted too (autovacuum,
# maintenance, decoding, temp buffers): NO_ROOM would blame shared_buffers and the OS alone.
NO_ROOM_FOR_CONNECTIONS = "nothing left for connections"
NO_POOLER = Face("no pooler", "clients connect to PostgreSQL directly")


def plural(count: int, word: str) -> str:
    """``1 pool``, ``3 pools``."""
    return f"{n(count)} {word}{'s' if count != 1 else ''}"


def _fixed_by(plan: Plan) -> str | None:
    """The provider plan that fixes max_connections, if one does: then the memory cards judge the
    connections the plan opens (``memory.judged_connections``), not max_connections."""
    provider = plan.scenario.provider
    return provider.id if provider is not None and provider.hard_limit else None


def judged(plan: Plan) -> str:
    """The connections the memory figures are for: ``30``, or ``13 opened`` on a plan that fixes max_connections."""
    count = n(plan.memory.judged_connections)
    return f"{count} opened" if _fixed_by(plan) else count


def _judged(plan: Plan) -> str:
    """``30 connections``, or on a fixed plan ``the 13 opened``."""
    return f"the {judged(plan)}" if _fixed_by(plan) else f"{judged(plan)} connections"


def _max_connections(plan: Plan) -> Face:
    fixed = _fixed_by(plan)
    required = n(plan.max_connections_required)
    second = f"fixed by {fixed}" if fixed else f"recommended {n(plan.max_connections_recommended)}"
    return Face(n(plan.max_connections), f"required {required} · {second}")


def _ram_ceiling(plan: Plan) -> Face:
    m = plan.memory
    if m.available_bytes <= 0:
        return Face(n(plan.ram_ceiling), NO_ROOM)
    exact = m.available_bytes / m.per_connection_bytes
    rounding = "" if exact == plan.ram_ceiling else ", rounded down"
    caption = f"{human_size(m.available_bytes)} available / {human_size(m.per_connection_bytes)} each{rounding}"
    return Face(n(plan.ram_ceiling), caption, arithmetic=True)


def _productive_target(plan: Plan) -> Face:
    target = n(plan.productive_target)
    if plan.productive_target_measured:
        caption = f"measured peak {plan.throughput.peak:.1f} clients · rule of thumb {n(plan.rule_of_thumb_target)}"
        return Face(target, caption)
    what = "rule of thumb, no measured peak" if plan.throughput.measured_peak_tps is not None else "active connections"
    if not _pooled(plan):
        return Face(target, what)
    low, high = plan.pool_size_range
    return Face(target, f"{what} · pool range {low}–{high}")


def _pool_size(plan: Plan) -> Face:
    if plan.pooler_processes > 1:  # each process has its pools and its share of the clients
        caption = (
            f"{plural(plan.pools, 'pool')} in {plan.pooler_processes} processes · reserve {plan.reserve_pool} · "
            f"{n(plan.max_client_conn)} clients each"
        )
        return Face(n(plan.pool_size), caption)
    caption = f"{plural(plan.pools, 'pool')} · reserve {plan.reserve_pool} · max_client_conn {n(plan.max_client_conn)}"
    return Face(n(plan.pool_size), caption)


def _worst_case(plan: Plan) -> Face:
    m = plan.memory
    processes = f"({judged(plan)} + {n(m.parallel_workers)} parallel)" if m.parallel_workers else judged(plan)
    left = m.worst_case_available_bytes
    # Less than the RAM ceiling's "available": what autovacuum, maintenance jobs, decoding and temp buffers
    # may hold too is out of it (in short words: the caption has two lines).
    held = held_anyway(plan, short=True)
    after = f"{'left ' if len(held) < 2 else ''}after {', '.join(held)}" if held else "available"
    room = f"{human_size(left)} {after}" if left > 0 else NO_ROOM_FOR_CONNECTIONS
    return Face(
        human_size(m.worst_case_bytes), f"{processes} x {human_size(m.per_process_bytes)} · {room}", arithmetic=True
    )


def held_anyway(plan: Plan, short: bool = False) -> list[str]:
    """What the worst case holds besides connections, shared_buffers and the OS: taken out of the memory
    available before the connections' worst case is weighed against it. ``short``: autovacuum and
    maintenance jobs are both "maintenance", logical decoding "decoding"."""
    m = plan.memory
    held = (
        ("autovacuum", "maintenance", m.maintenance_bytes),
        ("maintenance jobs", "maintenance", m.maintenance_jobs_bytes),
        ("logical decoding", "decoding", m.logical_decoding_bytes),
        ("temp buffers", "temp buffers", m.temp_buffers_bytes),
    )
    return list(dict.fromkeys(brief if short else name for name, brief, size in held if size))


def _heavy_fraction(plan: Plan) -> Face:
    share = plan.scenario.memory.heavy_fraction
    return Face(
        human_size(plan.memory.heavy_fraction_bytes), f"{share:.0%} of {_judged(plan)} running the heaviest query"
    )


def _safe_work_mem(plan: Plan) -> Face:
    safe = plan.memory.safe_work_mem_bytes
    value = human_size(safe) if safe else "none"
    return Face(value, f"for {_judged(plan)} · now {human_size(plan.memory.work_mem_bytes)}")


def _pooler_capacity(plan: Plan) -> Face:
    tps = plan.pooler_capacity_tps or 0.0
    shown = round(tps)
    rounding = "" if math.isclose(tps, shown, rel_tol=1e-9) else ", rounded"
    txn = f"{plan.scenario.workload.txn_ms:g} ms"
    caption = f"{n(plan.server_connections)} backends / {txn} per transaction{rounding}"
    return Face(f"{n(shown)} tps", caption, arithmetic=True)


def _latency(plan: Plan) -> Face:
    """p99 at the plan's pool (or, without a pooler, with every client a backend), the mean and the best pool."""
    from .latency import milliseconds

    latency = plan.latency
    assert latency is not None, "the card is shown only with a demand"
    pooled = latency.at_pool_size
    row = pooled if pooled is not None else latency.direct
    if pooled is None:
        where = f"no pooler, {n(row.pool_size)} connections"
    else:
        count = latency.pools or 1
        where = f"{plural(count, 'pool')} of {n(row.pool_size)}" if count > 1 else f"pool of {n(row.pool_size)}"
    best = latency.best_pool_size
    if pooled is None:
        then = ""
    elif best is None:
        then = " · no pool size keeps up"
    else:
        then = " · the best pool" if best == row.pool_size else f" · best pool {n(best)}"
    if not row.stable or row.p99_ms is None or row.mean_ms is None:
        return Face(
            "unstable", f"{where}: demand {n(latency.demand_tps)} tps, capacity {n(round(row.capacity_tps))} tps{then}"
        )
    return Face(milliseconds(row.p99_ms), f"{where}: mean {milliseconds(row.mean_ms)}{then}")


def _has_pooled_latency(plan: Plan) -> bool:
    return plan.latency is not None and plan.latency.at_pool_size is not None


def _has_direct_latency(plan: Plan) -> bool:
    return plan.latency is not None and plan.latency.at_pool_size is None


_LATENCY_FIGURES = ("p99_ms", "mean_ms", "p95_ms", "mean_wait_ms", "p_wait", "utilisation", "capacity_tps",
                    "saturated_tps", "pool_size")  # fmt: skip
_LATENCY_INPUTS = ("latency.demand_tps", "latency.service_ms", "latency.overhead_ms")


CARDS = (
    CardSpec(
        "max_connections",
        "max_connections",
        _max_connections,
        (
            "max_connections",
            "max_connections_required",
            "max_connections_recommended",
            "headroom",
            "reserved_slots",
            "max_wal_senders",
            "spare_wal_senders",
            "max_backends",
        ),
    ),
    CardSpec(
        "ram_ceiling",
        "RAM ceiling",
        _ram_ceiling,
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
        _productive_target,
        (
            "productive_target",
            "rule_of_thumb_target",
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
        _pool_size,
        (
            "pool_size",
            "pools",
            "reserve_pool",
            "max_client_conn",
            "client_demand",
            "app_clients",
            "max_db_connections",
            "server_connections_max",
            "pooler_processes",
            "pooler_processes_needed",
            "max_client_conn_total",
            "clients_without_backend",
            "listen_backlog",
        ),
        pooler_only=True,
    ),
    CardSpec(
        "worst_case",
        "Worst-case memory",
        _worst_case,
        (
            "memory.worst_case_bytes",
            "memory.judged_connections",
            "memory.parallel_workers",
            "memory.per_process_bytes",
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
        _heavy_fraction,
        (
            "memory.heavy_fraction_bytes",
            "memory.judged_connections",
            "memory.opened_connections",
            "memory.heavy_fraction_opened_bytes",
        ),
    ),
    CardSpec(
        "safe_work_mem",
        "Safe work_mem",
        _safe_work_mem,
        ("memory.safe_work_mem_bytes", "memory.judged_connections"),
    ),
    CardSpec(
        "pooler_capacity",
        "Pooler capacity",
        _pooler_capacity,
        ("pooler_capacity_tps", "server_connections"),
        pooler_only=True,
    ),
    CardSpec(
        "latency",
        "Latency p99",
        _latency,
        (
            *(f"latency.at_pool_size.{figure}" for figure in _LATENCY_FIGURES),
            "latency.best_pool_size",
            *_LATENCY_INPUTS,
            "latency.capacity_scale",
            "latency.stable_below",
            "latency.pools",
            "latency.by_pool_size",
        ),
        shown=_has_pooled_latency,
    ),
    CardSpec(
        "latency_direct",
        "Latency p99",
        _latency,
        (*(f"latency.direct.{figure}" for figure in _LATENCY_FIGURES), *_LATENCY_INPUTS),
        shown=_has_direct_latency,
    ),
)


def _pooled(plan: Plan) -> bool:
    return plan.scenario.pooler.kind != "none"


def shown_outputs(plan: Plan, paths: tuple[str, ...]) -> tuple[str, ...]:
    """``paths`` without the pooler's own outputs when the plan has no pooler."""
    return paths if _pooled(plan) else tuple(path for path in paths if path not in POOLER_OUTPUTS)


def card_view(plan: Plan, spec: CardSpec) -> CardView:
    inactive = spec.pooler_only and not _pooled(plan)
    face = NO_POOLER if inactive else spec.face(plan)
    outputs = shown_outputs(plan, spec.outputs)
    return CardView(
        key=spec.key,
        title=spec.title,
        value=face.value,
        caption=face.caption,
        severity=_worst(_concerning(plan, outputs)),
        inactive=inactive,
        outputs=outputs,
        figure=spec.figure,
        arithmetic=face.arithmetic,
    )


def card_views(plan: Plan) -> tuple[CardView, ...]:
    """Every card of ``plan``, in the order the views show them (the latency card only with a demand)."""
    return tuple(card_view(plan, spec) for spec in CARDS if spec.shown(plan))


def _concerning(plan: Plan, outputs: tuple[str, ...]) -> list[PlanWarning]:
    """The plan's warnings whose concerns meet ``outputs``."""
    wanted = set(outputs)
    return [w for w in plan.warnings if wanted.intersection(w.concerns)]


def _worst(warnings: list[PlanWarning]) -> Severity | None:
    severities: list[Severity] = [w.severity for w in warnings]
    if not severities:
        return None
    return min(severities, key=SEVERITY_ORDER.__getitem__)


def derivation_groups(plan: Plan) -> list[tuple[str, str, list[tuple[str, Derivation]]]]:
    """(title, shown value, [(paths, derivation)]) per card, then every other derived figure.

    Outputs that share one derivation (the USL shape's u, sigma and kappa) are listed once, their
    paths joined: ``"throughput.shape_u, throughput.sigma"``. With no pooler the pooler's outputs are left out.
    """
    groups = []
    seen: set[str] = set()
    for spec in CARDS:
        seen.update(spec.outputs)
    for view in card_views(plan):
        groups.append((view.title, view.value, _joined(plan, view.outputs)))
    rest = _joined(plan, shown_outputs(plan, tuple(path for path in plan.derivations if path not in seen)))
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

"""Warnings: what in a plan will hurt, in order of how badly, each with what to do about it.

Every rule is a small function of the computed :class:`Facts`, declared with :func:`rule` and the
outputs it concerns (JSON paths of the Plan, as ``derivations`` uses them); it returns a warning or
None. Views colour and place a warning by its ``concerns``, never by its code. Severities: ``error``
blocks (the plan cannot work as configured: ``pgplanner plan`` exits 1 and ``export`` refuses it),
``warning`` is a real risk, ``info`` is advice. Codes are stable identifiers for tests and scripts;
``numbers`` carries the figures the message quotes. An export written despite a blocking error puts
it beside the settings its concerns are written as (:data:`WRITTEN_SETTINGS`, ``PlanWarning.settings``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .budget import PROVIDER_LINE, BudgetLine
from .concurrency import POOL_RANGE_MULTIPLIERS, Pooling
from .defaults import SHARED_BUFFERS_RULE
from .derivation import n, percent
from .memory import MemoryBasis, heavy_fraction, safe_work_mem, worst_case
from .pinning import avoid_pinning, pinned_share, pinning_pooler
from .scenario import Scenario
from .units import human_size
from .versions import MAX_CONNECTIONS_LIMIT, RESERVED_CONNECTIONS_FROM, has_reserved_connections, max_backends

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
DEMAND_OVER_PRODUCTIVE = 2  # direct clients beyond twice the productive target mean queueing
SHARED_BUFFERS_HIGH_SHARE = 0.4
PRACTICAL_MAX_CONNECTIONS = 500  # the process model article: "the practical range for production OLTP is 200-500"
CONNECTIONS_PER_CORE_HIGH = 10  # pg_gather: avoid max_connections above 10 x CPUs
PGBOUNCER_PROCESS_TPS = 50_000  # one single-threaded PgBouncer tops out around 50-90k trivial tps
WINDOWS_HEAP_PROCESSES = 400

# The settings an output is written as, or set by, spelled as the exported files spell them
# (postgresql.conf, ALTER SYSTEM, pgbouncer.ini, sysctl): where an export written despite a blocking
# error puts the error. Outputs no file writes (ram_ceiling, client_demand ...) have none.
WRITTEN_SETTINGS: dict[str, tuple[str, ...]] = {
    "max_connections": ("max_connections",),
    "reserved_slots": ("superuser_reserved_connections", "reserved_connections"),
    "max_wal_senders": ("max_wal_senders",),
    "memory.shared_buffers_bytes": ("shared_buffers", "vm.nr_hugepages"),
    "memory.safe_work_mem_bytes": ("work_mem",),
    "memory.worst_case_bytes": ("work_mem", "max_connections"),
    "memory.heavy_fraction_bytes": ("work_mem", "max_connections"),
    "pool_size": ("default_pool_size",),
    "reserve_pool": ("reserve_pool_size",),
    "max_client_conn": ("max_client_conn",),
    "max_db_connections": ("max_db_connections",),
}


class PlanWarning(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    message: str
    concerns: tuple[str, ...] = ()  # the outputs it is about, as JSON paths: ("max_connections", ...)
    numbers: dict[str, float] = {}  # the figures the message quotes, by name

    @property
    def blocking(self) -> bool:
        """An error: the plan cannot work as configured, so nothing applies it without being told."""
        return self.severity == "error"

    @property
    def settings(self) -> tuple[str, ...]:
        """The written settings its concerns stand for, as the exported files spell them."""
        names = (name for path in self.concerns for name in WRITTEN_SETTINGS.get(path, ()))
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Facts:
    """What the rules look at: the scenario and the numbers already computed from it."""

    scenario: Scenario
    basis: MemoryBasis
    ram_ceiling: int
    productive_target: int
    pool_range: tuple[int, int]
    pooling: Pooling
    required: int
    recommended: int
    max_connections: int
    max_wal_senders: int
    reserved_slots: int
    worst_case: int
    heavy_fraction: int
    safe_work_mem: int | None
    pooler_tps: float | None
    processes: int
    measured_peak: float | None  # the fitted peak when the measurements reach it
    rule_of_thumb: int  # cores x multiplier + disk, whatever the measurements say
    budget: tuple[BudgetLine, ...] = ()


@dataclass(frozen=True)
class Finding:
    """What a rule found; :func:`evaluate` turns it into a PlanWarning with the rule's concerns."""

    code: str
    severity: Severity
    message: str
    numbers: dict[str, float]


@dataclass(frozen=True)
class Rule:
    check: Callable[[Facts], Finding | None]
    concerns: tuple[str, ...]  # output paths, declared with the rule


RULES: list[Rule] = []


def rule(*concerns: str) -> Callable[[Callable[[Facts], Finding | None]], Callable[[Facts], Finding | None]]:
    """Register a rule with the outputs (JSON paths) its warnings concern."""

    def register(check: Callable[[Facts], Finding | None]) -> Callable[[Facts], Finding | None]:
        RULES.append(Rule(check, concerns))
        return check

    return register


def _warn(code: str, severity: Severity, message: str, **numbers: float) -> Finding:
    return Finding(code, severity, message, numbers)


def _fixed_by_provider(f: Facts) -> bool:
    """A managed plan whose max_connections the user cannot change (Heroku, Neon, ...)."""
    return f.scenario.provider is not None and f.scenario.provider.hard_limit


@dataclass(frozen=True)
class Judged:
    """The connections the memory rules judge, with their worst case, heavy fraction and safe work_mem."""

    connections: int
    worst_case: int
    heavy_fraction: int
    safe_work_mem: int | None
    which: str  # "all 120 connections", "the 40 connections this plan opens"


def _judged(f: Facts) -> Judged:
    """Self-managed: max_connections, which the user sets. On a plan that fixes max_connections the
    user can only act on the connections the plan opens (the budget), so those are judged."""
    if not _fixed_by_provider(f):
        which = f"all {n(f.max_connections)} connections"
        return Judged(f.max_connections, f.worst_case, f.heavy_fraction, f.safe_work_mem, which)
    opened = min(f.required, f.max_connections)
    mem = f.scenario.memory
    return Judged(
        opened,
        worst_case(f.basis, opened)[0],
        heavy_fraction(f.basis, opened, mem.heavy_fraction)[0],
        safe_work_mem(f.basis, opened, mem.backend_memory)[0],
        f"the {n(opened)} connections this plan opens",
    )


@rule("memory.shared_buffers_bytes", "memory.ram_bytes")
def _shared_buffers_over_ram(f: Facts) -> Finding | None:
    if f.basis.shared_buffers < f.basis.ram:
        return None
    return _warn(
        "SHARED_BUFFERS_OVER_RAM",
        "error",
        f"shared_buffers ({human_size(f.basis.shared_buffers)}) is at or above RAM ({human_size(f.basis.ram)}): "
        f"the server cannot allocate it. Lower shared_buffers ({SHARED_BUFFERS_RULE} is the usual start) or add "
        "memory.",
        shared_buffers_bytes=f.basis.shared_buffers,
        ram_bytes=f.basis.ram,
    )


@rule("memory.available_bytes", "ram_ceiling", "memory.shared_buffers_bytes", "memory.os_overhead_bytes")
def _no_memory_left(f: Facts) -> Finding | None:
    if f.basis.available > 0 or f.basis.shared_buffers >= f.basis.ram:
        return None
    taken = f.basis.shared_buffers + f.basis.os_overhead
    return _warn(
        "NO_MEMORY_FOR_CONNECTIONS",
        "error",
        f"shared_buffers and the OS reserve take {human_size(f.basis.shared_buffers)} + "
        f"{human_size(f.basis.os_overhead)} = {human_size(taken)}, at or above RAM ({human_size(f.basis.ram)}): "
        "nothing is left for connections. Lower shared_buffers or add memory.",
        ram_bytes=f.basis.ram,
        shared_buffers_bytes=f.basis.shared_buffers,
        os_overhead_bytes=f.basis.os_overhead,
    )


@rule("max_connections", "ram_ceiling")
def _budget_over_ceiling(f: Facts) -> Finding | None:
    if f.basis.available <= 0 or f.max_connections <= f.ram_ceiling or _fixed_by_provider(f):
        return None
    message = (
        f"max_connections {n(f.max_connections)} is above the RAM ceiling of {n(f.ram_ceiling)}: even typical "
        f"connections would not fit in {human_size(f.basis.available)}."
    )
    if f.required <= f.ram_ceiling:  # slots beyond the budget: idle unless something else opens them
        return _warn(
            "BUDGET_OVER_RAM_CEILING",
            "warning",
            f"{message[:-1]} if all were open; the {n(f.required)} this plan opens fit. Lower max_connections "
            "towards the budget or add memory.",
            max_connections=f.max_connections,
            ram_ceiling=f.ram_ceiling,
        )
    return _warn(
        "BUDGET_OVER_RAM_CEILING",
        "error",
        f"{message} Pool connections or add memory.",
        max_connections=f.max_connections,
        ram_ceiling=f.ram_ceiling,
    )


@rule("memory.worst_case_bytes", "memory.safe_work_mem_bytes", "memory.worst_case_available_bytes")
def _worst_case_over_ram(f: Facts) -> Finding | None:
    judged = _judged(f)
    if f.basis.available <= 0 or judged.worst_case <= f.basis.worst_available:
        return None
    safe = judged.safe_work_mem
    fix = f"set work_mem to at most {human_size(safe)}" if safe else "lower max_connections"
    if _fixed_by_provider(f) and not safe:
        fix = "open fewer connections"
    return _warn(
        "WORST_CASE_OVER_RAM",
        "warning",
        f"If {judged.which} run the heaviest query at once they need "
        f"{human_size(judged.worst_case)}, more than the {human_size(f.basis.worst_available)} available once "
        f"autovacuum, maintenance, logical decoding and temporary tables have theirs: {fix}{_keep_active_low(f)}.",
        worst_case_bytes=judged.worst_case,
        available_bytes=f.basis.worst_available,
        connections=judged.connections,
    )


def _keep_active_low(f: Facts) -> str:
    """A pooler keeps the active connections low; say so only when there is none yet."""
    if f.pooling.active:
        return (
            f"; the pooler opens only {n(f.pooling.server_connections)} backends, so the risk is in the "
            "connections that bypass it"
        )
    return ", or keep active connections low with a pooler"


@rule("memory.heavy_fraction_bytes")
def _heavy_fraction_over_ram(f: Facts) -> Finding | None:
    judged = _judged(f)
    if f.basis.available <= 0 or judged.heavy_fraction <= f.basis.available:
        return None
    share = f.scenario.memory.heavy_fraction
    lower = "work_mem or the connections this plan opens" if _fixed_by_provider(f) else "work_mem or max_connections"
    severity: Severity = "error"
    opened = min(f.required, f.max_connections)
    if opened < judged.connections and heavy_fraction(f.basis, opened, share)[0] <= f.basis.available:
        # Only the slots beyond the budget break it: a risk of raising use later, not a plan that cannot work.
        severity = "warning"
        lower = f"max_connections towards the {n(opened)} connections this plan opens (which fit), or work_mem"
    return _warn(
        "HEAVY_FRACTION_OVER_RAM",
        severity,
        f"With {share:.0%} of {judged.which} running the heaviest query, memory reaches "
        f"{human_size(judged.heavy_fraction)}, above the {human_size(f.basis.available)} available: expect the OOM "
        f"killer. Lower {lower}.",
        heavy_fraction_bytes=judged.heavy_fraction,
        available_bytes=f.basis.available,
        heavy_fraction=share,
        connections=judged.connections,
    )


@rule("max_connections", "ram_ceiling")
def _provider_fixes_max_connections(f: Facts) -> Finding | None:
    provider = f.scenario.provider
    if provider is None or not provider.hard_limit or f.max_connections <= f.ram_ceiling:
        return None
    opened = min(f.required, f.max_connections)
    return _warn(
        "PROVIDER_FIXES_MAX_CONNECTIONS",
        "info",
        f"{provider.id} fixes max_connections at {n(provider.max_connections)}, more than the {n(f.ram_ceiling)} "
        f"connections its {human_size(f.basis.ram)} holds at typical use; you cannot change that, and it is not "
        f"an error of this plan. What you decide: the {n(opened)} connections the budget opens (keep clients on "
        "the pooler), work_mem, and the pool sizes of your applications.",
        max_connections=provider.max_connections,
        ram_ceiling=f.ram_ceiling,
        connections_opened=opened,
    )


@rule("max_connections", "max_connections_required")
def _max_connections_below_required(f: Facts) -> Finding | None:
    if f.max_connections >= f.required:
        return None
    if f.required > MAX_CONNECTIONS_LIMIT:
        return _warn(
            "BUDGET_BEYOND_POSTGRESQL",
            "error",
            f"The budget needs {n(f.required)} connections; PostgreSQL cannot have more than "
            f"{n(MAX_CONNECTIONS_LIMIT)}. Put a pooler in front of the clients.",
            max_connections_required=f.required,
            limit=MAX_CONNECTIONS_LIMIT,
        )
    return _warn(
        "MAX_CONNECTIONS_BELOW_REQUIRED",
        "error",
        f"max_connections {n(f.max_connections)} is below the {n(f.required)} the budget needs: clients will see "
        "'sorry, too many clients already'.",
        max_connections=f.max_connections,
        max_connections_required=f.required,
    )


@rule("max_connections", "reserved_slots")
def _reserved_slots_fill_max_connections(f: Facts) -> Finding | None:
    if f.reserved_slots < f.max_connections:
        return None
    wl, version = f.scenario.workload, f.scenario.hardware.pg_version
    if has_reserved_connections(version):
        names = "superuser_reserved_connections plus reserved_connections"
        shown = f"{wl.superuser_reserved} + {wl.reserved_connections} = {n(f.reserved_slots)}"
    else:
        names, shown = "superuser_reserved_connections", n(f.reserved_slots)
    return _warn(
        "RESERVED_SLOTS_FILL_MAX_CONNECTIONS",
        "error",
        f"{names} ({shown}) must be less than max_connections ({n(f.max_connections)}); "
        f"PostgreSQL {version} refuses to start otherwise. Lower the reserved slots or raise max_connections.",
        reserved=f.reserved_slots,
        max_connections=f.max_connections,
    )


@rule("max_connections", "max_wal_senders")
def _too_many_backends(f: Facts) -> Finding | None:
    version = f.scenario.hardware.pg_version
    slots = max_backends(version, f.max_connections, f.max_wal_senders)
    if slots <= MAX_CONNECTIONS_LIMIT:
        return None
    others = slots - f.max_connections
    return _warn(
        "TOO_MANY_BACKENDS",
        "error",
        f"max_connections ({n(f.max_connections)}) plus the {n(others)} slots of autovacuum, background workers and "
        f"max_wal_senders ({f.max_wal_senders}) make {n(slots)} backends, above PostgreSQL's limit of "
        f"{n(MAX_CONNECTIONS_LIMIT)}: the server refuses max_connections. Set it to at most "
        f"{n(MAX_CONNECTIONS_LIMIT - others)}, better far less with a pooler.",
        max_connections=f.max_connections,
        backends=slots,
        limit=MAX_CONNECTIONS_LIMIT,
    )


@rule("max_connections", "max_connections_required")
def _provider_hard_limit(f: Facts) -> Finding | None:
    provider = f.scenario.provider
    if provider is None or not provider.hard_limit:
        return None
    limit = provider.max_connections
    if f.required > limit:
        pooler = provider.pooler.name if provider.pooler else "PgBouncer"
        return _warn(
            "PROVIDER_HARD_LIMIT",
            "error",
            f"The budget needs {n(f.required)} connections but {provider.id} allows {n(limit)} and cannot be "
            f"raised: put {pooler} in front with a smaller pool, move listeners and batch work to fewer "
            "connections, or choose a bigger plan.",
            max_connections=f.max_connections,
            max_connections_required=f.required,
            limit=limit,
        )
    if f.max_connections > limit:
        return _warn(
            "PROVIDER_HARD_LIMIT",
            "error",
            f"max_connections {n(f.max_connections)} is above the {n(limit)} that {provider.id} allows; the plan "
            "cannot be set higher: plan with its limit or choose a bigger plan.",
            max_connections=f.max_connections,
            max_connections_required=f.required,
            limit=limit,
        )
    return None


@rule("max_connections")
def _provider_refuses_max_connections(f: Facts) -> Finding | None:
    provider = f.scenario.provider
    if provider is None or provider.hard_limit or provider.max_connections_settable is None:
        return None
    low, high = provider.max_connections_settable
    if low <= f.max_connections <= high or f.max_connections == provider.max_connections:
        return None  # the plan's own default needs no setting
    return _warn(
        "PROVIDER_REFUSES_MAX_CONNECTIONS",
        "error",
        f"max_connections {n(f.max_connections)} is outside the {n(low)} to {n(high)} that {provider.id} accepts: "
        f"the provider refuses the setting. Plan with max_connections between {n(low)} and {n(high)}.",
        max_connections=f.max_connections,
        lowest=low,
        highest=high,
    )


@rule("max_connections")
def _provider_default_differs(f: Facts) -> Finding | None:
    provider = f.scenario.provider
    if provider is None or provider.hard_limit or provider.max_connections == f.max_connections:
        return None
    return _warn(
        "PROVIDER_DEFAULT_DIFFERS",
        "info",
        f"{provider.id} defaults to max_connections {n(provider.max_connections)}; this plan sets "
        f"{n(f.max_connections)} through the provider's parameter settings (a restart is needed).",
        provider_default=provider.max_connections,
        max_connections=f.max_connections,
    )


@rule("pool_size", "pooler_capacity_tps")
def _provider_pooler_missing(f: Facts) -> Finding | None:
    if f.scenario.pooler.kind != "provider":
        return None
    provider = f.scenario.provider
    if provider is None:
        return _warn(
            "PROVIDER_POOLER_WITHOUT_PROVIDER",
            "warning",
            "A provider pooler is planned but no provider plan is chosen.",
        )
    if provider.pooler is None:
        return _warn(
            "PROVIDER_POOLER_NOT_OFFERED",
            "warning",
            f"{provider.id} offers no built-in pooler: run PgBouncer yourself.",
        )
    if provider.pooler.modes and f.scenario.pooler.mode not in provider.pooler.modes:
        return _warn(
            "PROVIDER_POOL_MODE_NOT_OFFERED",
            "warning",
            f"{provider.pooler.name} does not offer {f.scenario.pooler.mode} mode "
            f"(it offers {', '.join(provider.pooler.modes)}).",
        )
    return None


@rule("client_demand", "max_client_conn")
def _provider_pooler_clients(f: Facts) -> Finding | None:
    provider = f.scenario.provider
    if f.scenario.pooler.kind != "provider" or provider is None or provider.pooler is None:
        return None
    limit = provider.pooler.max_client_conn
    if limit is None or f.pooling.client_demand <= limit:
        return None
    return _warn(
        "PROVIDER_POOLER_CLIENT_LIMIT",
        "error",
        f"{n(f.pooling.client_demand)} clients but {provider.pooler.name} on {provider.id} accepts {n(limit)}: "
        "the rest are refused. Lower the clients' pool sizes or choose a bigger plan.",
        client_demand=f.pooling.client_demand,
        limit=limit,
    )


@rule("direct_clients", "productive_target")
def _demand_without_pooler(f: Facts) -> Finding | None:
    direct = f.pooling.direct_clients
    if f.pooling.active or direct <= DEMAND_OVER_PRODUCTIVE * f.productive_target:
        return None
    return _warn(
        "DEMAND_WITHOUT_POOLER",
        "warning",
        f"{n(direct)} client connections go straight to PostgreSQL but only about {n(f.productive_target)} can work "
        "at once; the rest queue in the scheduler and on locks. Put PgBouncer in transaction mode in front.",
        direct_clients=direct,
        productive_target=f.productive_target,
    )


@rule("direct_clients", "client_demand", "max_connections_required", "max_connections")
def _serverless_without_pooler(f: Facts) -> Finding | None:
    peak = f.scenario.workload.serverless_peak
    if f.pooling.active or peak == 0:
        return None
    return _warn(
        "SERVERLESS_WITHOUT_POOLER",
        "error",
        f"A serverless peak of {n(peak)} invocations opens {n(peak)} backends at once; no max_connections value "
        "solves this. Use a pooler (PgBouncer, RDS Proxy, Supavisor, Neon's -pooler endpoint, Hyperdrive).",
        serverless_peak=peak,
    )


@rule("pool_size", "max_connections_required")
def _listeners_in_transaction_pool(f: Facts) -> Finding | None:
    listeners = f.scenario.workload.listeners
    if not f.pooling.active or f.scenario.pooler.mode == "session" or listeners == 0:
        return None
    # The budget already counts the listeners as direct connections: this says how to connect them.
    return _warn(
        "LISTEN_NEEDS_DIRECT_CONNECTIONS",
        "info",
        f"The {n(listeners)} LISTEN listeners are budgeted as direct connections, because LISTEN does not work "
        f"through {f.scenario.pooler.mode} pooling: point them at PostgreSQL itself, not at the pooler.",
        listeners=listeners,
    )


@rule("pool_size")
def _session_state_in_transaction_pool(f: Facts) -> Finding | None:
    if not f.pooling.active or f.scenario.pooler.mode == "session" or not f.scenario.workload.session_state:
        return None
    if pinning_pooler(f.scenario) is not None:
        return None  # a pinning pooler keeps the session state: it costs backends instead (see the pinning rule)
    return _warn(
        "SESSION_STATE_IN_TRANSACTION_POOL",
        "warning",
        f"{f.scenario.pooler.mode.capitalize()} pooling hands each transaction a different backend: SET, session "
        "advisory locks, temporary tables and SQL PREPARE break. Use SET LOCAL, pg_advisory_xact_lock and "
        "protocol-level prepared statements (PgBouncer 1.21+ max_prepared_statements), or session mode.",
    )


@rule("client_demand", "server_connections")
def _session_mode_no_multiplexing(f: Facts) -> Finding | None:
    if not f.pooling.active or f.scenario.pooler.mode != "session":
        return None
    if f.pooling.client_demand <= f.pooling.server_connections_max:
        return None
    burst = f.scenario.workload.serverless_peak
    return _warn(
        "SESSION_MODE_QUEUES_CLIENTS",
        "warning" if burst else "info",  # a serverless burst waiting for sessions times out
        f"Session pooling gives each of the {n(f.pooling.client_demand)} clients a backend for its whole session; "
        f"only {n(f.pooling.server_connections_max)} can be connected at once and the rest wait"
        + (f": a burst of {n(burst)} serverless clients times out. Use transaction mode." if burst else "."),
        client_demand=f.pooling.client_demand,
        server_connections_max=f.pooling.server_connections_max,
    )


@rule("client_demand", "max_client_conn")
def _clients_over_max_client_conn(f: Facts) -> Finding | None:
    if not f.pooling.active or f.pooling.client_demand <= f.pooling.max_client_conn:
        return None
    return _warn(
        "CLIENTS_OVER_MAX_CLIENT_CONN",
        "error",
        f"{n(f.pooling.client_demand)} clients but the pooler accepts {n(f.pooling.max_client_conn)} "
        "(max_client_conn): the rest are refused.",
        client_demand=f.pooling.client_demand,
        max_client_conn=f.pooling.max_client_conn,
    )


@rule("server_connections", "pool_size", "pool_size_range")
def _pool_above_range(f: Facts) -> Finding | None:
    high = f.pool_range[1]
    if not f.pooling.active or f.pooling.server_connections <= high:
        return None
    return _warn(
        "POOL_ABOVE_PRODUCTIVE_RANGE",
        "warning",
        f"The pools open {n(f.pooling.server_connections)} backends, above cores x {POOL_RANGE_MULTIPLIERS[1]} = "
        f"{n(high)}: past that, "
        "more active backends add contention, not throughput.",
        server_connections=f.pooling.server_connections,
        pool_size_max=high,
    )


@rule("max_connections")
def _max_connections_high(f: Facts) -> Finding | None:
    limit = max(PRACTICAL_MAX_CONNECTIONS, CONNECTIONS_PER_CORE_HIGH * f.scenario.hardware.cores)
    if f.max_connections <= limit or _fixed_by_provider(f):
        return None
    return _warn(
        "MAX_CONNECTIONS_HIGH",
        "warning",
        f"max_connections {n(f.max_connections)} is above {n(limit)}: every slot costs shared memory and lock-table "
        "space and slows snapshots; "
        + (
            f"lower it towards the {n(f.required)} the budget needs."
            if f.pooling.active
            else "keep active connections low with a pooler."
        ),
        max_connections=f.max_connections,
        limit=limit,
    )


@rule("memory.shared_buffers_bytes")
def _shared_buffers_high(f: Facts) -> Finding | None:
    share = f.basis.shared_buffers / f.basis.ram
    if share <= SHARED_BUFFERS_HIGH_SHARE:
        return None
    return _warn(
        "SHARED_BUFFERS_HIGH",
        "warning",
        f"shared_buffers is {share:.0%} of RAM; above {percent(SHARED_BUFFERS_HIGH_SHARE)} it starves the OS page "
        "cache that PostgreSQL "
        "also relies on.",
        shared_buffers_share=share,
    )


@rule("max_connections_required")
def _reserved_connections_unsupported(f: Facts) -> Finding | None:
    version, reserved = f.scenario.hardware.pg_version, f.scenario.workload.reserved_connections
    if reserved == 0 or has_reserved_connections(version):
        return None
    return _warn(
        "RESERVED_CONNECTIONS_NEEDS_16",
        "warning",
        f"reserved_connections exists from PostgreSQL {RESERVED_CONNECTIONS_FROM}; on {version} the {reserved} "
        "slots are ignored.",
        reserved_connections=reserved,
        pg_version=version,
    )


@rule("pooler_capacity_tps")
def _pgbouncer_single_process(f: Facts) -> Finding | None:
    if f.scenario.pooler.kind != "pgbouncer" or f.pooler_tps is None or f.pooler_tps <= PGBOUNCER_PROCESS_TPS:
        return None
    return _warn(
        "PGBOUNCER_SINGLE_PROCESS",
        "info",
        f"The pool can serve about {n(round(f.pooler_tps))} tps, but one PgBouncer process (single-threaded) tops "
        f"out near {n(PGBOUNCER_PROCESS_TPS)}: run several with so_reuseport.",
        pooler_capacity_tps=f.pooler_tps,
        process_tps=PGBOUNCER_PROCESS_TPS,
    )


@rule("max_connections")
def _windows_desktop_heap(f: Facts) -> Finding | None:
    if f.scenario.hardware.platform != "windows" or f.processes <= WINDOWS_HEAP_PROCESSES:
        return None
    return _warn(
        "WINDOWS_DESKTOP_HEAP",
        "warning",
        f"{n(f.processes)} server processes under a Windows service can exhaust the non-interactive desktop heap "
        "(backends die with 0xC0000142): raise it (see the export) or pool connections.",
        processes=f.processes,
    )


@rule("productive_target", "throughput.peak")
def _measured_peak_differs(f: Facts) -> Finding | None:
    if f.measured_peak is None:
        return None
    ratio = f.measured_peak / f.rule_of_thumb
    if 0.5 <= ratio <= 2:
        return None
    return _warn(
        "MEASURED_PEAK_DIFFERS",
        "info",
        f"Your measurements peak near {n(round(f.measured_peak))} active connections; the rule of thumb says "
        f"{n(f.rule_of_thumb)}. The productive target and the pool follow the measurement.",
        measured_peak=f.measured_peak,
        rule_of_thumb=f.rule_of_thumb,
    )


# Budget lines that are not the application's: the provider's own software and PostgreSQL's reserved slots.
NOT_THE_APPLICATION = ("superuser_reserved", "reserved_connections", "replication")


def _application_share(f: Facts) -> int:
    return sum(
        line.connections
        for line in f.budget
        if line.counts_against == "max_connections"
        and line.key not in NOT_THE_APPLICATION
        and not line.key.startswith(f"{PROVIDER_LINE}.")
    )


@rule("max_connections", "max_connections_required", "pool_size")
def _provider_share_guidance(f: Facts) -> Finding | None:
    """Supabase: commit at most 80 % of max_connections to the pool (40 % with heavy PostgREST use)."""
    provider = f.scenario.provider
    if provider is None or not provider.guidance:
        return None
    app = _application_share(f)
    broken = [g for g in provider.guidance if app > g.share * f.max_connections]
    if not broken:
        return None
    always = next((g for g in broken if not g.when), None)
    cases = [g for g in provider.guidance if g.when and g is not always]
    shown = always or broken[0]
    limit = int(shown.share * f.max_connections)
    others = "; ".join(
        f"with {g.when} at most {percent(g.share)} ({n(int(g.share * f.max_connections))})" for g in cases
    )
    name = provider.provider_name or provider.provider
    case = f" with {shown.when}" if shown.when else ""
    return _warn(
        "PROVIDER_SHARE_GUIDANCE",
        "warning" if always else "info",
        f"The application's connections take {n(app)} of max_connections {n(f.max_connections)}; {name} advises "
        f"at most {percent(shown.share)}{case} ({n(limit)}) so its own services keep theirs"
        + (f" ({others})" if others and always else "")
        + ". Lower the pool sizes or the connections held open, or choose a bigger compute.",
        application=app,
        max_connections=f.max_connections,
        advised=limit,
    )


@rule("pinned_clients", "max_connections_required", "pool_size")
def _provider_pooler_pins(f: Facts) -> Finding | None:
    offer = pinning_pooler(f.scenario)
    if offer is None:
        return None
    what = ", ".join(offer.pins)
    if (
        f.pooling.pinned == 0
        and f.scenario.workload.client_kind == "unknown"
        and f.scenario.pooler.pinned_share is None
    ):
        return _warn(
            "PROVIDER_POOLER_PINNING_UNKNOWN",
            "info",
            f"{offer.name} pins a client to one backend for its whole session on {what}; this plan assumes no "
            "client pins. Say which client the application uses (--client-kind jdbc, prepared or simple) or the "
            f"share that pins (--pinned-share). Settings that avoid pinning: {avoid_pinning(f.scenario)}.",
        )
    if f.pooling.pinned == 0:
        return None
    share = pinned_share(f.scenario)[0]
    advice = avoid_pinning(f.scenario)
    return _warn(
        "PROVIDER_POOLER_PINS",
        "warning",
        f"{offer.name} pins {n(f.pooling.pinned)} of {n(f.pooling.client_demand)} clients ({percent(share)}) to a "
        f"backend each for their whole session ({what}): they cost a backend as in session pooling, and the budget "
        "counts them as pinned sessions." + (f" To keep them multiplexed: {advice}." if advice else ""),
        pinned_clients=f.pooling.pinned,
        client_demand=f.pooling.client_demand,
    )


@rule("pool_size", "max_connections")
def _provider_pools_oversubscribe(f: Facts) -> Finding | None:
    """Neon: every user/database pair gets a pool of 90 % of max_connections; several can ask for more than all."""
    provider = f.scenario.provider
    if f.scenario.pooler.kind != "provider" or provider is None or provider.pooler is None:
        return None
    offer, pools = provider.pooler, f.pooling.pools
    if offer.pins or offer.default_pool_size is None or pools < 2:
        return None
    total = pools * offer.default_pool_size
    if total <= provider.max_connections:
        return None
    return _warn(
        "PROVIDER_POOLS_OVERSUBSCRIBE",
        "warning",
        f"{offer.name} gives each of the {pools} user/database pairs a pool of up to {n(offer.default_pool_size)}: "
        f"together {n(total)}, more than max_connections {n(provider.max_connections)}. Under load the pools take "
        "slots from each other and clients wait or fail; send fewer users and databases through the pooler.",
        pools=pools,
        pool_size=offer.default_pool_size,
        max_connections=provider.max_connections,
    )


@rule("pool_size")
def _provider_pool_mode_default(f: Facts) -> Finding | None:
    provider = f.scenario.provider
    if f.scenario.pooler.kind != "provider" or provider is None or provider.pooler is None:
        return None
    offer, mode = provider.pooler, f.scenario.pooler.mode
    if offer.default_mode is None or offer.default_mode == mode or (offer.modes and mode not in offer.modes):
        return None
    return _warn(
        "PROVIDER_POOL_MODE_DEFAULT",
        "info",
        f"{offer.name} runs in {offer.default_mode} mode until it is switched: set it to {mode} mode in "
        f"{provider.provider_name or provider.provider}'s settings, as this plan assumes.",
    )


# A hot standby keeps shared structures sized by these, so each must be at least the primary's value
# (PostgreSQL docs, High Availability: Hot Standby, Administrator's Overview).
STANDBY_AT_LEAST = (
    "max_connections",
    "max_worker_processes",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "max_wal_senders",
)


@rule("max_connections", "max_wal_senders")
def _replica_settings(f: Facts) -> Finding | None:
    wl = f.scenario.workload
    if wl.replicas == 0 and wl.replica_pools == 0:
        return None
    values = {
        "max_connections": n(f.max_connections),
        "max_worker_processes": n(f.basis.server.max_worker_processes),
        "max_wal_senders": n(f.max_wal_senders),
    }
    planned = ", ".join(f"{name} {value}" for name, value in values.items())
    kept = [name for name in STANDBY_AT_LEAST if name not in values]
    where = f"each of the {wl.replicas} replicas" if wl.replicas else "each read replica"
    return _warn(
        "REPLICA_SETTINGS_AT_LEAST_PRIMARY",
        "info",
        f"A standby needs {', '.join(STANDBY_AT_LEAST)} at least as high as the primary's, or it cannot replay the "
        f"primary's WAL (it refuses to start or pauses recovery): set {planned} on {where}, and "
        f"{' and '.join(kept)} no lower than on the primary. Raise them on the replicas first, lower them on the "
        "primary first.",
        max_connections=f.max_connections,
        max_worker_processes=f.basis.server.max_worker_processes,
        max_wal_senders=f.max_wal_senders,
    )


def evaluate(facts: Facts) -> list[PlanWarning]:
    """All warnings that apply, errors first."""
    found = [
        PlanWarning(code=f.code, severity=f.severity, message=f.message, concerns=r.concerns, numbers=f.numbers)
        for r in RULES
        if (f := r.check(facts)) is not None
    ]
    return sorted(found, key=lambda w: SEVERITY_ORDER[w.severity])

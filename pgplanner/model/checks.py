"""Warnings: what in a plan will hurt, in order of how badly, each with what to do about it.

A rule reads the finished :class:`~pgplanner.model.plan.Plan` (the same figures every view shows) and
returns a :class:`Finding` or None. It is declared with :func:`rule` and the outputs it concerns,
as JSON paths of the Plan (``derivations`` uses the same paths); views colour and place a warning by
its ``concerns``, never by its code. A new rule is written like this::

    @rule("max_connections", "ram_ceiling")  # the outputs it is about: they colour these cards
    def _budget_over_ceiling(plan: Plan) -> Finding | None:
        if plan.max_connections <= plan.ram_ceiling:
            return None
        return _warn(
            "BUDGET_OVER_RAM_CEILING",  # a stable code for tests and scripts
            "error",
            f"max_connections {n(plan.max_connections)} is above the RAM ceiling of ...",
            max_connections=plan.max_connections,  # the figures the message quotes, by name
            ram_ceiling=plan.ram_ceiling,
        )

A rule that can only find something for some poolers, providers, platforms ... says so with ``when``, a test of
the plan's discrete :class:`Facts` (``@rule("pool_size", when=pooled)``): :func:`evaluate` does not call it for
other plans, so its body need not ask again.

A rule computes nothing the Plan does not already hold: when it needs a figure, the figure becomes an
output of the Plan (with its derivation), so the card that shows it and the rule that judges it cannot
disagree. ``plan()`` builds the Plan without warnings, then runs :func:`evaluate` on it.

Severities: ``error`` blocks (the plan cannot work as configured: ``pgplanner plan`` exits 1 and ``export``
refuses it), ``warning`` is a real risk, ``info`` is advice. ``numbers`` carries the figures the
message quotes. An export written despite a blocking error puts it beside the settings its concerns
are written as (:data:`WRITTEN_SETTINGS`, ``PlanWarning.settings``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, NamedTuple, TypedDict

from pydantic import BaseModel, ConfigDict

from .budget import PROVIDER_LINE
from .concurrency import POOL_RANGE_MULTIPLIERS
from .construct import built, new_tuple
from .defaults import SHARED_BUFFERS_RULE
from .derivation import n, percent
from .kernel import strict_refused
from .pgbouncer import PLATFORM_NAMES, QUERY_WAIT_TIMEOUT, REUSEPORT_PLATFORMS
from .pinning import CLIENT_KINDS_TO_NAME, avoid_pinning, pinned_share, pinning_pooler
from .units import human_size
from .versions import MAX_CONNECTIONS_LIMIT, RESERVED_CONNECTIONS_FROM, has_reserved_connections

if TYPE_CHECKING:
    from .plan import Plan
    from .scenario import Platform, PoolerKind

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
DEMAND_OVER_PRODUCTIVE = 2  # direct clients beyond twice the productive target mean queueing
SHARED_BUFFERS_HIGH_SHARE = 0.4
PRACTICAL_MAX_CONNECTIONS = 500  # the process model article: "the practical range for production OLTP is 200-500"
CONNECTIONS_PER_CORE_HIGH = 10  # pg_gather: avoid max_connections above 10 x CPUs
WINDOWS_HEAP_PROCESSES = 400
# A measured peak this far from the rule of thumb (half or twice) is worth saying.
MEASURED_PEAK_RATIO = (0.5, 2)

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
    "max_client_conn_total": ("max_client_conn",),
    "max_db_connections": ("max_db_connections",),
    "pooler_processes": ("so_reuseport",),
    "clients_without_backend": ("default_pool_size",),
}


class PlanWarning(BaseModel):
    # Built by evaluate() from values it typed itself (see construct.built): no schema at start-up.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

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


class Finding(TypedDict):
    """What a rule found: the fields of its PlanWarning, in their order, as a plain dict (the cheapest to build on
    every plan()); :func:`evaluate` gives it the rule's concerns and builds the PlanWarning from it."""

    code: str
    severity: Severity
    message: str
    concerns: tuple[str, ...]  # () until evaluate gives it the rule's
    numbers: dict[str, float]


Check = Callable[["Plan"], Finding | None]


class Facts(NamedTuple):
    """The few discrete facts of a plan that decide whether a rule can apply at all: the rules that can are
    picked once per combination (:func:`_applicable`), so a plan without a pooler or a provider does not ask the
    rules about them."""

    pooler: PoolerKind
    provider: bool  # a provider plan is chosen
    fixed: bool  # ... and it fixes max_connections (hard_limit): the user cannot change it
    platform: Platform
    reserved_connections: bool  # the version has reserved_connections (16 on)
    strict: bool  # --overcommit strict asked for
    measured: bool  # measurements decide the productive target
    latency: bool  # a demand is given, so the plan has latency figures


Gate = Callable[[Facts], bool]


def pooled(facts: Facts) -> bool:
    return facts.pooler != "none"


def unpooled(facts: Facts) -> bool:
    return facts.pooler == "none"


def with_provider(facts: Facts) -> bool:
    return facts.provider


def limit_fixed(facts: Facts) -> bool:
    return facts.fixed


def limit_not_fixed(facts: Facts) -> bool:
    return not facts.fixed


def settable_provider(facts: Facts) -> bool:
    """A provider plan whose max_connections the user sets (within its range)."""
    return facts.provider and not facts.fixed


def provider_pooler(facts: Facts) -> bool:
    """The provider's own pooler, with a provider plan chosen."""
    return facts.pooler == "provider" and facts.provider


class Rule(NamedTuple):
    check: Check
    concerns: tuple[str, ...]  # output paths, declared with the rule
    when: Gate | None  # the facts without which it finds nothing; None: any plan


RULES: list[Rule] = []


def rule(*concerns: str, when: Gate | None = None) -> Callable[[Check], Check]:
    """Register a rule with the outputs (JSON paths) its warnings concern; ``when`` it can apply at all, if not
    always: it runs only on plans whose :class:`Facts` pass, so its body need not ask again."""

    def register(check: Check) -> Check:
        RULES.append(Rule(check, concerns, when))
        return check

    return register


@functools.cache
def _applicable(facts: Facts) -> tuple[tuple[Check, tuple[str, ...]], ...]:
    """The rules (check and concerns) that can apply to plans with ``facts``, in their declared order."""
    return tuple((r.check, r.concerns) for r in RULES if r.when is None or r.when(facts))


def _warn(code: str, severity: Severity, message: str, **numbers: float) -> Finding:
    for name, value in numbers.items():  # floats, as validation makes them: the JSON writes 120.0
        numbers[name] = float(value)
    return {"code": code, "severity": severity, "message": message, "concerns": (), "numbers": numbers}


def _fixed_by_provider(plan: Plan) -> bool:
    """A managed plan whose max_connections the user cannot change (Heroku, Neon, ...)."""
    provider = plan.scenario.provider
    return provider is not None and provider.hard_limit


def _pooled(plan: Plan) -> bool:
    return plan.scenario.pooler.kind != "none"


def _written(plan: Plan, name: str) -> int:
    """A count postgresql.conf is given (``max_worker_processes``), as the bundle writes it.

    Looked for from the end: a name is written once, and the one rule that asks (replicas) asks for a parallelism
    setting, in the last third of the list."""
    for setting in reversed(plan.settings):
        if setting.name == name:
            return int(setting.value)
    raise LookupError(name)


def _judged(plan: Plan) -> str:
    """The connections the memory figures are for, in words: "all 120 connections", "the 13 connections this
    plan opens" (the Plan's ``memory.judged_connections``)."""
    judged = n(plan.memory.judged_connections)
    return f"the {judged} connections this plan opens" if _fixed_by_provider(plan) else f"all {judged} connections"


@rule("memory.shared_buffers_bytes", "memory.ram_bytes")
def _shared_buffers_over_ram(plan: Plan) -> Finding | None:
    m = plan.memory
    if m.shared_buffers_bytes < m.ram_bytes:
        return None
    return _warn(
        "SHARED_BUFFERS_OVER_RAM",
        "error",
        f"shared_buffers ({human_size(m.shared_buffers_bytes)}) is at or above RAM ({human_size(m.ram_bytes)}): "
        f"the server cannot allocate it. Lower shared_buffers ({SHARED_BUFFERS_RULE} is the usual start) or add "
        "memory.",
        shared_buffers_bytes=m.shared_buffers_bytes,
        ram_bytes=m.ram_bytes,
    )


@rule("memory.available_bytes", "ram_ceiling", "memory.shared_buffers_bytes", "memory.os_overhead_bytes")
def _no_memory_left(plan: Plan) -> Finding | None:
    m = plan.memory
    if m.available_bytes > 0 or m.shared_buffers_bytes >= m.ram_bytes:
        return None
    taken = m.shared_buffers_bytes + m.os_overhead_bytes
    return _warn(
        "NO_MEMORY_FOR_CONNECTIONS",
        "error",
        f"shared_buffers and the OS reserve take {human_size(m.shared_buffers_bytes)} + "
        f"{human_size(m.os_overhead_bytes)} = {human_size(taken)}, at or above RAM ({human_size(m.ram_bytes)}): "
        "nothing is left for connections. Lower shared_buffers or add memory.",
        ram_bytes=m.ram_bytes,
        shared_buffers_bytes=m.shared_buffers_bytes,
        os_overhead_bytes=m.os_overhead_bytes,
    )


@rule("max_connections", "ram_ceiling", when=limit_not_fixed)
def _budget_over_ceiling(plan: Plan) -> Finding | None:
    if plan.memory.available_bytes <= 0 or plan.max_connections <= plan.ram_ceiling:
        return None
    over = (
        f"max_connections {n(plan.max_connections)} is above the RAM ceiling of {n(plan.ram_ceiling)}: even typical "
        f"connections would not fit in {human_size(plan.memory.available_bytes)}"
    )
    opened = plan.memory.opened_connections
    if opened <= plan.ram_ceiling:  # only slots beyond the budget break it: idle unless something else opens them
        return _warn(
            "BUDGET_OVER_RAM_CEILING",
            "warning",
            f"{over} if all were open; the {n(opened)} this plan opens fit. Lower max_connections towards the "
            "budget or add memory.",
            max_connections=plan.max_connections,
            ram_ceiling=plan.ram_ceiling,
            connections_opened=opened,
        )
    return _warn(
        "BUDGET_OVER_RAM_CEILING",
        "error",
        f"{over}. Pool connections or add memory.",
        max_connections=plan.max_connections,
        ram_ceiling=plan.ram_ceiling,
    )


@rule("memory.worst_case_bytes", "memory.safe_work_mem_bytes", "memory.worst_case_available_bytes")
def _worst_case_over_ram(plan: Plan) -> Finding | None:
    m = plan.memory
    if m.available_bytes <= 0 or m.worst_case_bytes <= m.worst_case_available_bytes:
        return None
    safe = m.safe_work_mem_bytes
    fix = f"set work_mem to at most {human_size(safe)}" if safe else "lower max_connections"
    if not safe and _fixed_by_provider(plan):
        fix = "open fewer connections"
    return _warn(
        "WORST_CASE_OVER_RAM",
        "warning",
        f"If {_judged(plan)} run the heaviest query at once they need "
        f"{human_size(m.worst_case_bytes)}, more than the {human_size(m.worst_case_available_bytes)} available once "
        f"autovacuum, maintenance, logical decoding and temporary tables have theirs: {fix}{_keep_active_low(plan)}.",
        worst_case_bytes=m.worst_case_bytes,
        available_bytes=m.worst_case_available_bytes,
        connections=m.judged_connections,
    )


def _keep_active_low(plan: Plan) -> str:
    """A pooler keeps the active connections low; say so only when there is none yet."""
    if _pooled(plan):
        return (
            f"; the pooler opens only {n(plan.server_connections)} backends, so the risk is in the "
            "connections that bypass it"
        )
    return ", or keep active connections low with a pooler"


@rule("memory.heavy_fraction_bytes", "memory.heavy_fraction_opened_bytes")
def _heavy_fraction_over_ram(plan: Plan) -> Finding | None:
    m = plan.memory
    if m.available_bytes <= 0 or m.heavy_fraction_bytes <= m.available_bytes:
        return None
    share = plan.scenario.memory.heavy_fraction
    over = (
        f"With {share:.0%} of {_judged(plan)} running the heaviest query, memory reaches "
        f"{human_size(m.heavy_fraction_bytes)}, above the {human_size(m.available_bytes)} available"
    )
    numbers = {
        "heavy_fraction_bytes": m.heavy_fraction_bytes,
        "available_bytes": m.available_bytes,
        "heavy_fraction": share,
        "connections": m.judged_connections,
    }
    opened = m.opened_connections
    if opened < m.judged_connections and m.heavy_fraction_opened_bytes <= m.available_bytes:
        # Only the slots beyond the budget break it: a risk of raising use later, not a plan that cannot work.
        return _warn(
            "HEAVY_FRACTION_OVER_RAM",
            "warning",
            f"{over} if that many were open. The {n(opened)} connections this plan opens need "
            f"{human_size(m.heavy_fraction_opened_bytes)}, which fits: lower max_connections towards them, or "
            "work_mem.",
            **numbers,
            connections_opened=opened,
            heavy_fraction_opened_bytes=m.heavy_fraction_opened_bytes,
        )
    lower = "work_mem or the connections this plan opens" if _fixed_by_provider(plan) else "work_mem or max_connections"
    return _warn("HEAVY_FRACTION_OVER_RAM", "error", f"{over}: expect the OOM killer. Lower {lower}.", **numbers)


@rule("memory.ram_bytes", "memory.os_overhead_bytes", when=lambda facts: facts.strict)
def _strict_overcommit_refused(plan: Plan) -> Finding | None:
    """--overcommit strict asked for, and the Linux settings keep the heuristic: say why, not only in a comment."""
    if plan.kernel.get("linux", {}).get("vm.overcommit_memory") == 2:
        return None
    return _warn(
        "STRICT_OVERCOMMIT_REFUSED",
        "info",
        f"Strict overcommit (--overcommit strict) is not written, because {strict_refused(plan.scenario)}; "
        "vm.overcommit_memory stays 0, the kernel's heuristic.",
        ram_bytes=plan.memory.ram_bytes,
    )


@rule("max_connections", "ram_ceiling", "memory.judged_connections", when=limit_fixed)
def _provider_fixes_max_connections(plan: Plan) -> Finding | None:
    """A plan that fixes max_connections above what this plan opens: the memory figures judge the connections
    opened, and the user reads both counts, so a worst case for 13 is never taken for one for 120."""
    provider = plan.scenario.provider
    opened = plan.memory.judged_connections
    if provider is None or plan.max_connections <= opened:
        return None
    fixed = n(provider.max_connections)
    curve = plan.memory_curve
    all_open = curve.at(plan.max_connections)[2] - float(curve.worst_case[0])
    message = (
        f"{provider.id} fixes max_connections at {fixed}; this plan opens {n(opened)}, and the memory figures "
        f"(worst case {human_size(plan.memory.worst_case_bytes)}, safe work_mem) judge those {n(opened)}: all "
        f"{fixed} running the heaviest query would need {human_size(all_open)} for connections."
    )
    if plan.max_connections > plan.ram_ceiling:
        message += (
            f" {fixed} is more than the {n(plan.ram_ceiling)} connections its {human_size(plan.memory.ram_bytes)} "
            "holds at typical use; you cannot change that, and it is not an error of this plan."
        )
    message += (
        f" What you decide: the {n(opened)} connections the budget opens (keep clients on the pooler), work_mem, "
        "and the pool sizes of your applications."
    )
    return _warn(
        "PROVIDER_FIXES_MAX_CONNECTIONS",
        "info",
        message,
        max_connections=provider.max_connections,
        ram_ceiling=plan.ram_ceiling,
        connections_opened=opened,
        worst_case_all_bytes=all_open,
    )


_LIMIT_SHOWN = n(MAX_CONNECTIONS_LIMIT)  # PostgreSQL's limit as the messages quote it, written once


@rule("max_connections", "max_connections_required")
def _max_connections_below_required(plan: Plan) -> Finding | None:
    required = plan.max_connections_required
    if plan.max_connections >= required:
        return None
    if required > MAX_CONNECTIONS_LIMIT:
        return _warn(
            "BUDGET_BEYOND_POSTGRESQL",
            "error",
            f"The budget needs {n(required)} connections; PostgreSQL cannot have more than "
            f"{_LIMIT_SHOWN}. Put a pooler in front of the clients.",
            max_connections_required=required,
            limit=MAX_CONNECTIONS_LIMIT,
        )
    return _warn(
        "MAX_CONNECTIONS_BELOW_REQUIRED",
        "error",
        f"max_connections {n(plan.max_connections)} is below the {n(required)} the budget needs: clients will see "
        "'sorry, too many clients already'.",
        max_connections=plan.max_connections,
        max_connections_required=required,
    )


@rule("max_connections", "reserved_slots")
def _reserved_slots_fill_max_connections(plan: Plan) -> Finding | None:
    if plan.reserved_slots < plan.max_connections:
        return None
    wl, version = plan.scenario.workload, plan.scenario.hardware.pg_version
    if has_reserved_connections(version):
        names = "superuser_reserved_connections plus reserved_connections"
        shown = f"{wl.superuser_reserved} + {wl.reserved_connections} = {n(plan.reserved_slots)}"
    else:
        names, shown = "superuser_reserved_connections", n(plan.reserved_slots)
    return _warn(
        "RESERVED_SLOTS_FILL_MAX_CONNECTIONS",
        "error",
        f"{names} ({shown}) must be less than max_connections ({n(plan.max_connections)}); "
        f"PostgreSQL {version} refuses to start otherwise. Lower the reserved slots or raise max_connections.",
        reserved=plan.reserved_slots,
        max_connections=plan.max_connections,
    )


@rule("max_connections", "max_wal_senders", "max_backends")
def _too_many_backends(plan: Plan) -> Finding | None:
    if plan.max_backends <= MAX_CONNECTIONS_LIMIT:
        return None
    others = plan.max_backends - plan.max_connections
    return _warn(
        "TOO_MANY_BACKENDS",
        "error",
        f"max_connections ({n(plan.max_connections)}) plus the {n(others)} slots of autovacuum, background workers "
        f"and max_wal_senders ({plan.max_wal_senders}) make {n(plan.max_backends)} backends, above PostgreSQL's "
        f"limit of {_LIMIT_SHOWN}: the server refuses max_connections. Set it to at most "
        f"{n(MAX_CONNECTIONS_LIMIT - others)}, better far less with a pooler.",
        max_connections=plan.max_connections,
        backends=plan.max_backends,
        limit=MAX_CONNECTIONS_LIMIT,
    )


@rule("max_connections", "max_connections_required", when=limit_fixed)
def _provider_hard_limit(plan: Plan) -> Finding | None:
    provider = plan.scenario.provider
    if provider is None:
        return None
    limit, required = provider.max_connections, plan.max_connections_required
    if required > limit:
        pooler = provider.pooler.name if provider.pooler else "PgBouncer"
        return _warn(
            "PROVIDER_HARD_LIMIT",
            "error",
            f"The budget needs {n(required)} connections but {provider.id} allows {n(limit)} and cannot be "
            f"raised: put {pooler} in front with a smaller pool, move listeners and batch work to fewer "
            "connections, or choose a bigger plan.",
            max_connections=plan.max_connections,
            max_connections_required=required,
            limit=limit,
        )
    if plan.max_connections > limit:
        return _warn(
            "PROVIDER_HARD_LIMIT",
            "error",
            f"max_connections {n(plan.max_connections)} is above the {n(limit)} that {provider.id} allows; the plan "
            "cannot be set higher: plan with its limit or choose a bigger plan.",
            max_connections=plan.max_connections,
            max_connections_required=required,
            limit=limit,
        )
    return None


@rule("max_connections", when=settable_provider)
def _provider_refuses_max_connections(plan: Plan) -> Finding | None:
    provider = plan.scenario.provider
    if provider is None or provider.max_connections_settable is None:
        return None
    low, high = provider.max_connections_settable
    if low <= plan.max_connections <= high or plan.max_connections == provider.max_connections:
        return None  # the plan's own default needs no setting
    return _warn(
        "PROVIDER_REFUSES_MAX_CONNECTIONS",
        "error",
        f"max_connections {n(plan.max_connections)} is outside the {n(low)} to {n(high)} that {provider.id} "
        f"accepts: the provider refuses the setting. Plan with max_connections between {n(low)} and {n(high)}.",
        max_connections=plan.max_connections,
        lowest=low,
        highest=high,
    )


@rule("max_connections", when=settable_provider)
def _provider_default_differs(plan: Plan) -> Finding | None:
    provider = plan.scenario.provider
    if provider is None or provider.max_connections == plan.max_connections:
        return None
    return _warn(
        "PROVIDER_DEFAULT_DIFFERS",
        "info",
        f"{provider.id} defaults to max_connections {n(provider.max_connections)}; this plan sets "
        f"{n(plan.max_connections)} through the provider's parameter settings (a restart is needed).",
        provider_default=provider.max_connections,
        max_connections=plan.max_connections,
    )


@rule("pool_size", "pooler_capacity_tps", when=lambda facts: facts.pooler == "provider")
def _provider_pooler_missing(plan: Plan) -> Finding | None:
    pooler = plan.scenario.pooler
    provider = plan.scenario.provider
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
    if provider.pooler.modes and pooler.mode not in provider.pooler.modes:
        return _warn(
            "PROVIDER_POOL_MODE_NOT_OFFERED",
            "warning",
            f"{provider.pooler.name} does not offer {pooler.mode} mode (it offers {', '.join(provider.pooler.modes)}).",
        )
    return None


@rule("client_demand", "max_client_conn", when=provider_pooler)
def _provider_pooler_clients(plan: Plan) -> Finding | None:
    provider = plan.scenario.provider
    if provider is None or provider.pooler is None:
        return None
    limit = provider.pooler.max_client_conn
    if limit is None or plan.client_demand <= limit:
        return None
    return _warn(
        "PROVIDER_POOLER_CLIENT_LIMIT",
        "error",
        f"{n(plan.client_demand)} clients but {provider.pooler.name} on {provider.id} accepts {n(limit)}: "
        "the rest are refused. Lower the clients' pool sizes or choose a bigger plan.",
        client_demand=plan.client_demand,
        limit=limit,
    )


@rule("direct_clients", "productive_target", when=unpooled)
def _demand_without_pooler(plan: Plan) -> Finding | None:
    direct = plan.direct_clients
    if direct <= DEMAND_OVER_PRODUCTIVE * plan.productive_target:
        return None
    return _warn(
        "DEMAND_WITHOUT_POOLER",
        "warning",
        f"{n(direct)} client connections go straight to PostgreSQL but only about {n(plan.productive_target)} can "
        "work at once; the rest queue in the scheduler and on locks. Put PgBouncer in transaction mode in front.",
        direct_clients=direct,
        productive_target=plan.productive_target,
    )


@rule("direct_clients", "client_demand", "max_connections_required", "max_connections", when=unpooled)
def _serverless_without_pooler(plan: Plan) -> Finding | None:
    peak = plan.scenario.workload.serverless_peak
    if peak == 0:
        return None
    return _warn(
        "SERVERLESS_WITHOUT_POOLER",
        "error",
        f"A serverless peak of {n(peak)} invocations opens {n(peak)} backends at once; no max_connections value "
        "solves this. Use a pooler (PgBouncer, RDS Proxy, Supavisor, Neon's -pooler endpoint, Hyperdrive).",
        serverless_peak=peak,
    )


@rule("pool_size", "max_connections_required", when=pooled)
def _listeners_in_transaction_pool(plan: Plan) -> Finding | None:
    listeners, mode = plan.scenario.workload.listeners, plan.scenario.pooler.mode
    if mode == "session" or listeners == 0:
        return None
    # The budget already counts the listeners as direct connections: this says how to connect them.
    return _warn(
        "LISTEN_NEEDS_DIRECT_CONNECTIONS",
        "info",
        f"The {n(listeners)} LISTEN listeners are budgeted as direct connections, because LISTEN does not work "
        f"through {mode} pooling: point them at PostgreSQL itself, not at the pooler.",
        listeners=listeners,
    )


@rule("pool_size", when=pooled)
def _session_state_in_transaction_pool(plan: Plan) -> Finding | None:
    mode = plan.scenario.pooler.mode
    if mode == "session" or not plan.scenario.workload.session_state:
        return None
    if pinning_pooler(plan.scenario) is not None:
        return None  # a pinning pooler keeps the session state: it costs backends instead (see the pinning rule)
    return _warn(
        "SESSION_STATE_IN_TRANSACTION_POOL",
        "warning",
        f"{mode.capitalize()} pooling hands each transaction a different backend: SET, session "
        "advisory locks, temporary tables and SQL PREPARE break. Use SET LOCAL, pg_advisory_xact_lock and "
        "protocol-level prepared statements (PgBouncer 1.21+ max_prepared_statements), or session mode.",
    )


@rule("clients_without_backend", "pool_size", "client_demand", "server_connections_max")
def _session_pool_short(plan: Plan) -> Finding | None:
    """Session pooling cannot multiplex: a client holds its backend until it disconnects, and application
    pools keep their connections for hours. Clients beyond the pools wait and are then disconnected."""
    short = plan.clients_without_backend
    if short == 0:
        return None
    return _warn(
        "SESSION_POOL_TOO_SMALL",
        "error",
        f"Session pooling gives each connected client a backend until it disconnects: the pools hold "
        f"{n(plan.server_connections_max)} of the {n(plan.client_demand)} clients, so {n(short)} wait and are "
        f"disconnected after query_wait_timeout ({QUERY_WAIT_TIMEOUT} s). Use transaction pooling, or a pool as "
        "large as the clients (leave the pool size on auto).",
        clients_without_backend=short,
        client_demand=plan.client_demand,
        server_connections_max=plan.server_connections_max,
    )


@rule("client_demand", "max_client_conn", "max_client_conn_total", when=pooled)
def _clients_over_max_client_conn(plan: Plan) -> Finding | None:
    if plan.client_demand <= plan.max_client_conn_total:
        return None
    processes = plan.pooler_processes
    accepted = f"{n(processes)} x {n(plan.max_client_conn)}" if processes > 1 else n(plan.max_client_conn)
    return _warn(
        "CLIENTS_OVER_MAX_CLIENT_CONN",
        "error",
        f"{n(plan.client_demand)} clients but the pooler accepts {accepted} (max_client_conn): the rest are refused.",
        client_demand=plan.client_demand,
        max_client_conn=plan.max_client_conn_total,
    )


@rule("server_connections", "pool_size", "pool_size_range", "productive_target", when=pooled)
def _pool_above_productive(plan: Plan) -> Finding | None:
    """Past the productive target more active backends add contention, not throughput. The target is the
    measured peak when measurements reach one (then the rule of thumb's range does not apply), else the top
    of the pool range, cores x 4."""
    backends = plan.server_connections
    if plan.productive_target_measured:
        peak = plan.productive_target
        if backends <= peak:
            return None
        return _warn(
            "POOL_ABOVE_MEASURED_PEAK",
            "warning",
            f"The pools open {n(backends)} backends, above the {n(peak)} active connections at which your "
            "measurements peak: past that, throughput falls.",
            server_connections=backends,
            measured_peak=peak,
        )
    high = plan.pool_size_range[1]
    if backends <= high:
        return None
    session = (
        " Session pooling holds a backend per connected client; transaction pooling keeps the busy ones near the "
        "productive target."
        if plan.scenario.pooler.mode == "session"
        else ""
    )
    return _warn(
        "POOL_ABOVE_PRODUCTIVE_RANGE",
        "warning",
        f"The pools open {n(backends)} backends, above cores x {POOL_RANGE_MULTIPLIERS[1]} = {n(high)}: past that, "
        f"more active backends add contention, not throughput.{session}",
        server_connections=backends,
        pool_size_max=high,
    )


@rule("max_connections", when=limit_not_fixed)
def _max_connections_high(plan: Plan) -> Finding | None:
    limit = max(PRACTICAL_MAX_CONNECTIONS, CONNECTIONS_PER_CORE_HIGH * plan.scenario.hardware.cores)
    if plan.max_connections <= limit:
        return None
    return _warn(
        "MAX_CONNECTIONS_HIGH",
        "warning",
        f"max_connections {n(plan.max_connections)} is above {n(limit)}: every slot costs shared memory and "
        "lock-table space and slows snapshots; "
        + (
            f"lower it towards the {n(plan.max_connections_required)} the budget needs."
            if _pooled(plan)
            else "keep active connections low with a pooler."
        ),
        max_connections=plan.max_connections,
        limit=limit,
    )


@rule("memory.shared_buffers_bytes")
def _shared_buffers_high(plan: Plan) -> Finding | None:
    share = plan.memory.shared_buffers_bytes / plan.memory.ram_bytes
    if share <= SHARED_BUFFERS_HIGH_SHARE:
        return None
    return _warn(
        "SHARED_BUFFERS_HIGH",
        "warning",
        f"shared_buffers is {share:.0%} of RAM; above {percent(SHARED_BUFFERS_HIGH_SHARE)} it starves the OS page "
        "cache that PostgreSQL also relies on.",
        shared_buffers_share=share,
    )


@rule("max_connections_required", when=lambda facts: not facts.reserved_connections)
def _reserved_connections_unsupported(plan: Plan) -> Finding | None:
    version, reserved = plan.scenario.hardware.pg_version, plan.scenario.workload.reserved_connections
    if reserved == 0:
        return None
    return _warn(
        "RESERVED_CONNECTIONS_NEEDS_16",
        "warning",
        f"reserved_connections exists from PostgreSQL {RESERVED_CONNECTIONS_FROM}; on {version} the {reserved} "
        "slots are ignored.",
        reserved_connections=reserved,
        pg_version=version,
    )


@rule(
    "pooler_processes", "pooler_processes_needed", "pooler_capacity_tps", when=lambda facts: facts.pooler == "pgbouncer"
)
def _pgbouncer_processes_short(plan: Plan) -> Finding | None:
    """One PgBouncer process uses one core; the clients and the load may need more than the plan can run."""
    needed, planned = plan.pooler_processes_needed, plan.pooler_processes
    if needed <= planned:
        return None
    platform = plan.scenario.hardware.platform
    if platform not in REUSEPORT_PLATFORMS:
        why = f"on {PLATFORM_NAMES[platform]} so_reuseport does not spread connections over several processes"
        fix = "run PgBouncer on a Linux host in front of the server, or use a multi-threaded pooler (PgCat)"
    else:
        why = f"this server's {n(plan.scenario.hardware.cores)} cores leave room for {n(planned)}"
        fix = "run more processes on a host of their own, or use a multi-threaded pooler (PgCat)"
    return _warn(
        "PGBOUNCER_PROCESSES_SHORT",
        "warning",
        f"The clients and the load need {n(needed)} PgBouncer processes (one single-threaded process per core's "
        f"worth), but {why}: {fix}.",
        pooler_processes_needed=needed,
        pooler_processes=planned,
    )


@rule("max_connections", when=lambda facts: facts.platform == "windows")
def _windows_desktop_heap(plan: Plan) -> Finding | None:
    processes = plan.semaphores.processes
    if processes <= WINDOWS_HEAP_PROCESSES:
        return None
    return _warn(
        "WINDOWS_DESKTOP_HEAP",
        "warning",
        f"{n(processes)} server processes under a Windows service can exhaust the non-interactive desktop heap "
        "(backends die with 0xC0000142): raise it (see the export) or pool connections.",
        processes=processes,
    )


@rule("productive_target", "throughput.peak", "rule_of_thumb_target", when=lambda facts: facts.measured)
def _measured_peak_differs(plan: Plan) -> Finding | None:
    peak, thumb = plan.throughput.peak, plan.rule_of_thumb_target
    if MEASURED_PEAK_RATIO[0] <= peak / thumb <= MEASURED_PEAK_RATIO[1]:
        return None
    return _warn(
        "MEASURED_PEAK_DIFFERS",
        "info",
        f"Your measurements peak near {n(plan.productive_target)} active connections; the rule of thumb says "
        f"{n(thumb)}. The productive target and the pool follow the measurement.",
        measured_peak=peak,
        rule_of_thumb=thumb,
    )


# Budget lines that are not the application's: the provider's own software and PostgreSQL's reserved slots.
NOT_THE_APPLICATION = ("superuser_reserved", "reserved_connections", "replication")


def _application_share(plan: Plan) -> int:
    return sum(
        line.connections
        for line in plan.budget
        if line.counts_against == "max_connections"
        and line.key not in NOT_THE_APPLICATION
        and not line.key.startswith(f"{PROVIDER_LINE}.")
    )


@rule("max_connections", "max_connections_required", "pool_size", when=with_provider)
def _provider_share_guidance(plan: Plan) -> Finding | None:
    """Supabase: commit at most 80 % of max_connections to the pool (40 % with heavy PostgREST use)."""
    provider = plan.scenario.provider
    if provider is None or not provider.guidance:
        return None
    app = _application_share(plan)
    broken = [g for g in provider.guidance if app > g.share * plan.max_connections]
    if not broken:
        return None
    always = next((g for g in broken if not g.when), None)
    cases = [g for g in provider.guidance if g.when and g is not always]
    shown = always or broken[0]
    limit = int(shown.share * plan.max_connections)
    others = "; ".join(
        f"with {g.when} at most {percent(g.share)} ({n(int(g.share * plan.max_connections))})" for g in cases
    )
    name = provider.provider_name or provider.provider
    case = f" with {shown.when}" if shown.when else ""
    return _warn(
        "PROVIDER_SHARE_GUIDANCE",
        "warning" if always else "info",
        f"The application's connections take {n(app)} of max_connections {n(plan.max_connections)}; {name} advises "
        f"at most {percent(shown.share)}{case} ({n(limit)}) so its own services keep theirs"
        + (f" ({others})" if others and always else "")
        + ". Lower the pool sizes or the connections held open, or choose a bigger compute.",
        application=app,
        max_connections=plan.max_connections,
        advised=limit,
    )


@rule("pinned_clients", "max_connections_required", "pool_size", when=provider_pooler)
def _provider_pooler_pins(plan: Plan) -> Finding | None:
    offer = pinning_pooler(plan.scenario)
    if offer is None:
        return None
    what = ", ".join(offer.pins)
    if (
        plan.pinned_clients == 0
        and plan.scenario.workload.client_kind == "unknown"
        and plan.scenario.pooler.pinned_share is None
    ):
        return _warn(
            "PROVIDER_POOLER_PINNING_UNKNOWN",
            "info",
            f"{offer.name} pins a client to one backend for its whole session on {what}; this plan assumes no "
            f"client pins. Say which client the application uses (--client-kind {' or '.join(CLIENT_KINDS_TO_NAME)}) "
            f"or the share that pins (--pinned-share). Settings that avoid pinning: {avoid_pinning(plan.scenario)}.",
        )
    if plan.pinned_clients == 0:
        return None
    share = pinned_share(plan.scenario)[0]
    advice = avoid_pinning(plan.scenario)
    return _warn(
        "PROVIDER_POOLER_PINS",
        "warning",
        f"{offer.name} pins {n(plan.pinned_clients)} of {n(plan.client_demand)} clients ({percent(share)}) to a "
        f"backend each for their whole session ({what}): they cost a backend as in session pooling, and the budget "
        "counts them as pinned sessions." + (f" To keep them multiplexed: {advice}." if advice else ""),
        pinned_clients=plan.pinned_clients,
        client_demand=plan.client_demand,
    )


@rule("pool_size", "max_connections", when=provider_pooler)
def _provider_pools_oversubscribe(plan: Plan) -> Finding | None:
    """Neon: every user/database pair gets a pool of 90 % of max_connections; several can ask for more than all."""
    provider = plan.scenario.provider
    if provider is None or provider.pooler is None:
        return None
    offer, pools = provider.pooler, plan.pools
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


@rule("pool_size", when=provider_pooler)
def _provider_pool_mode_default(plan: Plan) -> Finding | None:
    provider = plan.scenario.provider
    if provider is None or provider.pooler is None:
        return None
    offer, mode = provider.pooler, plan.scenario.pooler.mode
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


# Of those, the ones the replica rule's message gives this plan's values for; the others keep the primary's.
STANDBY_PLANNED = ("max_connections", "max_worker_processes", "max_wal_senders")
# The replica rule's constant text, written once (an f-string joins them faster than str.format parses a template).
_STANDBY_NEEDS = (
    f"A standby needs {', '.join(STANDBY_AT_LEAST)} at least as high as the primary's, or it cannot replay the "
    "primary's WAL (it refuses to start or pauses recovery): set"
)
_STANDBY_KEPT = " and ".join(name for name in STANDBY_AT_LEAST if name not in STANDBY_PLANNED)


@rule("max_connections", "max_wal_senders")
def _replica_settings(plan: Plan) -> Finding | None:
    wl = plan.scenario.workload
    if wl.replicas == 0 and wl.replica_pools == 0:
        return None
    connections, workers, senders = plan.max_connections, _written(plan, "max_worker_processes"), plan.max_wal_senders
    where = f"each of the {wl.replicas} replicas" if wl.replicas else "each read replica"
    return _warn(
        "REPLICA_SETTINGS_AT_LEAST_PRIMARY",
        "info",
        f"{_STANDBY_NEEDS} max_connections {n(connections)}, max_worker_processes {n(workers)}, max_wal_senders "
        f"{n(senders)} on {where}, and {_STANDBY_KEPT} no lower than on the primary. Raise them on the replicas "
        "first, lower them on the primary first.",
        max_connections=connections,
        max_worker_processes=workers,
        max_wal_senders=senders,
    )


@rule(
    "latency.at_pool_size.p99_ms", "latency.direct.p99_ms", "latency.best_pool_size", when=lambda facts: facts.latency
)
def _latency_unstable(plan: Plan) -> Finding | None:
    """The demand is more than the backends serving it complete: the queue grows without end."""
    latency = plan.latency
    if latency is None:
        return None
    row = latency.at_pool_size if latency.at_pool_size is not None else latency.direct
    if row.stable:
        return None
    where = (
        f"a pool of {n(row.pool_size)}"
        if latency.at_pool_size is not None
        else f"{n(row.pool_size)} direct connections"
    )
    best = latency.best_pool_size
    advice = (
        f" The smallest pool with nearly the lowest p99 is {n(best)}." if best is not None and latency.pooled else ""
    )
    return _warn(
        "LATENCY_UNSTABLE",
        "warning",
        f"At {n(latency.demand_tps)} tps {where} cannot keep up (it completes at most {n(round(row.capacity_tps))} "
        f"tps{', trusted to ' + percent(latency.stable_below) if latency.stable_below < 1 else ''}): the queue "
        f"grows until clients time out.{advice}",
        demand_tps=latency.demand_tps,
        capacity_tps=row.capacity_tps,
    )


def evaluate(plan: Plan) -> tuple[PlanWarning, ...]:
    """All warnings that apply to ``plan``, errors first, then in the rules' order."""
    scenario = plan.scenario
    hardware, provider = scenario.hardware, scenario.provider
    facts = (
        scenario.pooler.kind,
        provider is not None,
        provider is not None and provider.hard_limit,
        hardware.platform,
        has_reserved_connections(hardware.pg_version),
        hardware.overcommit == "strict",
        plan.productive_target_measured,
        plan.latency is not None,
    )
    rules = _applicable(new_tuple(Facts, facts))
    ranked: tuple[list[PlanWarning], ...] = ([], [], [])  # by SEVERITY_ORDER
    for check, concerns in rules:
        found = check(plan)
        if found is not None:
            found["concerns"] = concerns
            ranked[SEVERITY_ORDER[found["severity"]]].append(built(PlanWarning, **found))
    errors, warnings, infos = ranked
    return (*errors, *warnings, *infos)

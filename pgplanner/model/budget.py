"""The max_connections budget: every kind of connection gets its own line, and the lines add up.

required max_connections = pool + reserve pool + listeners + batch workers + long transactions +
replica pools + monitoring + admin + superuser_reserved (+ reserved_connections), as in the max_connections and
process model articles; recommended = required plus headroom, rounded to a readable number. Streaming replication is
listed too, but from PostgreSQL 12 on it draws from max_wal_senders, not from max_connections.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .concurrency import Pooling
from .construct import built
from .derivation import Derivation, given, n, percent, rounded
from .rounding import round_up_readable
from .scenario import ProviderPlan, ProviderReserve, Scenario
from .sources import PG_CONNECTIONS, PG_REPLICATION, PGPLANNER_RULE, PROCESS_MODEL_ARTICLE
from .versions import (
    DEFAULT_MAX_WAL_SENDERS,
    MAX_CONNECTIONS_LIMIT,
    RESERVED_CONNECTIONS_FROM,
    WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM,
    has_reserved_connections,
    walsenders_outside_max_connections,
)

CountsAgainst = Literal["max_connections", "max_wal_senders"]
HEADROOM_SHARE = 0.2
MIN_HEADROOM = 5
SPARE_WAL_SENDERS = 2  # for pg_basebackup and a standby being rebuilt


class BudgetLine(BaseModel):
    # Built by _line from values typed here (see construct.built): no schema at start-up.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    key: str
    name: str
    connections: int
    counts_against: CountsAgainst
    why: str


@lru_cache(maxsize=512)  # a line is a value: the lines a slider tick leaves as they were (most of them) are made once
def _line(key: str, name: str, connections: int, counts_against: CountsAgainst, why: str) -> BudgetLine:
    return built(BudgetLine, key=key, name=name, connections=connections, counts_against=counts_against, why=why)


POOLER_NAMES = {"pgbouncer": "PgBouncer pool", "pgcat": "PgCat pool", "provider": "Provider pooler pool"}


def _provider_pooler_limits(scenario: Scenario) -> str:
    """'; <name> on <plan>: default_pool_size N, max_client_conn M' for a provider's own pooler."""
    provider = scenario.provider
    if scenario.pooler.kind != "provider" or provider is None or provider.pooler is None:
        return ""
    offer = provider.pooler
    limits = [
        f"{label} {n(value)}"
        for label, value in (("default_pool_size", offer.default_pool_size), ("max_client_conn", offer.max_client_conn))
        if value is not None
    ]
    return f"; {offer.name} on {provider.plan}: " + (", ".join(limits) if limits else "limits not published")


def _pooler_name(scenario: Scenario) -> str:
    provider = scenario.provider
    return provider.pooler.name if provider is not None and provider.pooler is not None else "the pooler"


PROVIDER_LINE = "provider_reserved"  # the key of a provider's reserve lines: provider_reserved.<what holds them>


def provider_reserves(scenario: Scenario, pooling: Pooling) -> list[BudgetLine]:
    """The connections the provider's own software holds, one line per holder, each with its source.

    A plan's reserves are counts (AWS automation 3, Neon's superuser 7, Supabase's services 20 % of the
    compute's max_connections); its pooler's may be a share of the backends the pooler opens (RDS
    Proxy's monitoring connections, outside its MaxDatabaseConnectionsAllowed). A plan saved before
    reserves were itemised has one line of its ``reserved`` total.
    """
    provider = scenario.provider
    if provider is None:
        return []
    lines = []
    reserves = provider.reserves or (
        (ProviderReserve(key="reserved", name=f"{provider.provider} reserved", connections=provider.reserved),)
        if provider.reserved
        else ()
    )
    for reserve in reserves:
        kept = "its superuser_reserved_connections" if reserve.superuser else "its own software"
        why = reserve.why or f"slots {provider.provider} keeps for {kept}"
        lines.append(_reserve_line(reserve, reserve.connections or 0, why))
    offer = provider.pooler
    if scenario.pooler.kind == "provider" and offer is not None:
        backends = pooling.server_connections
        for reserve in offer.reserves:
            if reserve.share is not None:
                count = math.ceil(reserve.share * backends)
                arithmetic = rounded(f"{n(backends)} x {percent(reserve.share)}", reserve.share * backends, count, "up")
                opens = f"{percent(reserve.share)} of the {n(backends)} backends {offer.name} opens"
                why = f"{reserve.why}: {opens}, {arithmetic}"
            else:
                count, why = reserve.connections or 0, reserve.why
            lines.append(_reserve_line(reserve, count, why))
    return [line for line in lines if line.connections]


def _reserve_line(reserve: ProviderReserve, count: int, why: str) -> BudgetLine:
    source = f" ({reserve.source})" if reserve.source else ""
    return _line(f"{PROVIDER_LINE}.{reserve.key}", reserve.name, count, "max_connections", why + source)


# The lines of the connections the workload holds outside the pools, in the budget's order: (the Workload field
# that counts them, which is also the line's key; its name; why it is a line of its own).
WORKLOAD_LINES = (
    ("listeners", "LISTEN listeners", "LISTEN holds a session: never through a transaction pool"),
    ("batch_workers", "Batch workers", "hold a connection for the length of a job"),
    ("long_transactions", "Long transactions", "reports and ETL that cannot return to a pool"),
    (
        "replica_pools",
        "Replica pools",
        "PgBouncer pools on read replicas; a hot standby's max_connections must be at least the primary's",
    ),
    ("monitoring", "Monitoring", "agents and exporters, kept apart from application traffic"),
    ("admin", "Admin", "humans and migrations during an incident"),
)
REPLICATION_OUTSIDE = (
    f"WAL senders have their own slots since PostgreSQL {WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM} (max_wal_senders)"
)
REPLICATION_INSIDE = f"WAL senders count against max_connections before {WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM}"


def budget_lines(scenario: Scenario, pooling: Pooling) -> list[BudgetLine]:
    """Every kind of connection with a count, in the budget's order (the pool's line even when empty).

    The lines are values made once (:func:`_line`); this only picks them, without a helper call per line."""
    wl, version = scenario.workload, scenario.hardware.pg_version
    lines: list[BudgetLine] = []
    append = lines.append
    if pooling.active:
        pools, pool_size, processes = pooling.pools, pooling.pool_size, pooling.processes
        sizes = f"{pools} pools x {pool_size}" if pools > 1 else f"pool_size {pool_size}"
        if processes > 1:
            sizes += f" ({processes} PgBouncer processes, each with its own pools)"
        kind = scenario.pooler.kind
        append(
            _line(
                "pool",
                POOLER_NAMES[kind],
                pooling.pooled_connections,
                "max_connections",
                f"{sizes}: the working backends{_provider_pooler_limits(scenario) if kind == 'provider' else ''}",
            )
        )
        reserve = pools * pooling.reserve_pool
        if reserve:
            why = "opened after reserve_pool_timeout when the pool is exhausted"
            append(_line("reserve_pool", "Reserve pool", reserve, "max_connections", why))
        if pooling.pinned:
            why = (
                f"clients {_pooler_name(scenario)} pins to a backend of their own for the whole session "
                "(see pinned_clients)"
            )
            append(_line("pinned_sessions", "Pinned sessions", pooling.pinned, "max_connections", why))
    else:
        why = "no pooler: every client is a backend"
        append(_line("direct_clients", "Application (direct)", pooling.direct_clients, "max_connections", why))
        if wl.serverless_peak:
            why = "one backend per concurrent invocation"
            append(_line("serverless", "Serverless (direct)", wl.serverless_peak, "max_connections", why))
    for key, name, why in WORKLOAD_LINES:
        count = getattr(wl, key)
        if count:
            append(_line(key, name, count, "max_connections", why))
    provider = scenario.provider
    if provider is None or not provider.reserved_includes_superuser:
        superuser, reserved = wl.superuser_reserved, wl.reserved_connections
        if superuser:
            why = "emergency slots only superusers can take"
            append(_line("superuser_reserved", "superuser_reserved_connections", superuser, "max_connections", why))
        if reserved and has_reserved_connections(version):
            why = "for pg_use_reserved_connections"
            append(_line("reserved_connections", "reserved_connections", reserved, "max_connections", why))
    if provider is not None:
        lines += provider_reserves(scenario, pooling)
    if wl.replicas:
        if walsenders_outside_max_connections(version):
            append(_line("replication", "Streaming replication", wl.replicas, "max_wal_senders", REPLICATION_OUTSIDE))
        else:
            append(_line("replication", "Streaming replication", wl.replicas, "max_connections", REPLICATION_INSIDE))
    if wl.logical_senders:
        why = "one WAL sender per subscription or change-data-capture consumer (max_wal_senders)"
        append(_line("logical_replication", "Logical replication", wl.logical_senders, "max_wal_senders", why))
    return lines


def required(lines: list[BudgetLine]) -> tuple[int, Derivation]:
    counted = [line for line in lines if line.counts_against == "max_connections"]
    total = sum([line.connections for line in counted])
    return total, Derivation.later(_required_why, counted, total)


def _required_why(counted: list[BudgetLine], total: int) -> Derivation:
    return Derivation(
        formula="required max_connections = sum of the budget lines",
        calculation=" + ".join(n(line.connections) for line in counted) + f" = {n(total)}",
        inputs={line.name: n(line.connections) for line in counted},
        source=PROCESS_MODEL_ARTICLE,
    )


def recommended(required_total: int) -> tuple[int, Derivation]:
    headroom = max(MIN_HEADROOM, math.ceil(required_total * HEADROOM_SHARE))
    value = round_up_readable(required_total + headroom)
    return value, Derivation.later(_recommended_why, required_total, headroom, value)


def _recommended_why(required_total: int, headroom: int, value: int) -> Derivation:
    share = required_total * HEADROOM_SHARE
    headroom_text = rounded(f"{n(required_total)} x {HEADROOM_SHARE:g}", share, math.ceil(share), "up")
    if headroom > math.ceil(share):
        headroom_text += f", at least {MIN_HEADROOM}"
    total = rounded(f"{n(required_total)} + {n(headroom)}", required_total + headroom, value, "up to a readable number")
    return Derivation(
        formula=RECOMMENDED_FORMULA,
        calculation=f"headroom {headroom_text}; {total}",
        inputs={"required": n(required_total)},
        source=PROCESS_MODEL_ARTICLE,
        note="headroom absorbs admin access during incidents",
    )


RECOMMENDED_FORMULA = (
    f"recommended = required + headroom ({percent(HEADROOM_SHARE)}, at least {MIN_HEADROOM}), "
    "rounded up to a readable number"
)


def chosen_max_connections(scenario: Scenario, recommended_value: int) -> tuple[int, Derivation]:
    given_value, provider = scenario.workload.max_connections, scenario.provider
    later = Derivation.later
    if given_value is not None:
        return given_value, later(_given_max_connections_why, given_value)
    if provider is not None and provider.hard_limit:
        # A hard limit is the setting itself: the plan neither raises nor lowers it.
        return provider.max_connections, later(_fixed_max_connections_why, provider, recommended_value)
    if provider is not None and provider.max_connections_settable is not None:
        low, high = provider.max_connections_settable
        if not low <= recommended_value <= high:
            value = min(max(recommended_value, low), high)
            return value, later(_settable_max_connections_why, provider, low, high, recommended_value, value)
    if recommended_value > MAX_CONNECTIONS_LIMIT:
        return MAX_CONNECTIONS_LIMIT, later(_limited_max_connections_why, recommended_value)
    return recommended_value, _recommended_max_connections(recommended_value)


def _given_max_connections_why(value: int) -> Derivation:
    return given(n(value), "max_connections (evaluated as is)")


def _fixed_max_connections_why(provider: ProviderPlan, recommended_value: int) -> Derivation:
    return Derivation(
        formula="max_connections = the provider plan's fixed value",
        calculation=f"given by {provider.id}: {n(provider.max_connections)}",
        inputs={"provider plan": provider.id},
        source=provider.source or provider.id,
        note=f"{provider.id} fixes it; the budget alone would recommend {n(recommended_value)}",
    )


def _settable_max_connections_why(
    provider: ProviderPlan, low: int, high: int, recommended_value: int, value: int
) -> Derivation:
    return Derivation(
        formula=f"max_connections = recommended, kept within what {provider.provider} accepts",
        calculation=f"min(max({n(recommended_value)}, {n(low)}), {n(high)}) = {n(value)}",
        inputs={"recommended": n(recommended_value), "settable": f"{n(low)}..{n(high)}"},
        source=provider.source or provider.id,
        note=f"{provider.id} accepts max_connections from {n(low)} to {n(high)}",
    )


def _limited_max_connections_why(recommended_value: int) -> Derivation:
    return Derivation(
        formula="max_connections = PostgreSQL's maximum",
        calculation=f"min({n(recommended_value)}, {n(MAX_CONNECTIONS_LIMIT)}) = {n(MAX_CONNECTIONS_LIMIT)}",
        inputs={"recommended": n(recommended_value)},
        source=PG_CONNECTIONS,
        note="the budget does not fit in any PostgreSQL server",
    )


@lru_cache(maxsize=256)  # the recommended value is a readable number: a few values
def _recommended_max_connections(recommended_value: int) -> Derivation:
    return Derivation.later(_recommended_max_connections_why, recommended_value)


def _recommended_max_connections_why(recommended_value: int) -> Derivation:
    return Derivation(
        formula="max_connections = recommended",
        calculation=n(recommended_value),
        inputs={"recommended": n(recommended_value)},
        source=PGPLANNER_RULE,
    )


def headroom(max_connections: int, required_total: int) -> tuple[int, Derivation]:
    """Slots of max_connections the budget leaves free (negative: the budget does not fit)."""
    return _free("headroom", "max_connections", max_connections, "required", required_total, PROCESS_MODEL_ARTICLE)


def spare_wal_senders(lines: list[BudgetLine], senders: int) -> tuple[int, Derivation]:
    """WAL sender slots no budget line uses (for pg_basebackup and rebuilds)."""
    used = sum([line.connections for line in lines if line.counts_against == "max_wal_senders"])
    return _free("spare WAL senders", "max_wal_senders", senders, "replication", used, PG_REPLICATION)


def _free(name: str, limit_name: str, limit: int, used_name: str, used: int, source: str) -> tuple[int, Derivation]:
    return limit - used, Derivation.later(_free_why, name, limit_name, limit, used_name, used, source)


def _free_why(name: str, limit_name: str, limit: int, used_name: str, used: int, source: str) -> Derivation:
    return Derivation(
        formula=f"{name} = {limit_name} - {used_name}",
        calculation=f"{n(limit)} - {n(used)} = {n(limit - used)}",
        inputs={limit_name: n(limit), used_name: n(used)},
        source=source,
    )


def max_wal_senders(scenario: Scenario) -> tuple[int, Derivation]:
    wl = scenario.workload
    replicas, logical = wl.replicas, wl.logical_senders
    value = max(DEFAULT_MAX_WAL_SENDERS, replicas + logical + SPARE_WAL_SENDERS)
    return value, Derivation.later(_max_wal_senders_why, replicas, logical, value)


def _max_wal_senders_why(replicas: int, logical: int, value: int) -> Derivation:
    return Derivation(
        formula=MAX_WAL_SENDERS_FORMULA,
        calculation=f"max({DEFAULT_MAX_WAL_SENDERS}, {replicas} + {logical} + {SPARE_WAL_SENDERS}) = {value}",
        inputs={"replicas": str(replicas), "logical subscribers": str(logical)},
        source=PG_REPLICATION,
        note=f"{SPARE_WAL_SENDERS} spare senders for pg_basebackup or a standby being rebuilt",
    )


MAX_WAL_SENDERS_FORMULA = (
    f"max_wal_senders = the larger of {DEFAULT_MAX_WAL_SENDERS} (the default)"
    f" and replicas + logical subscribers + {SPARE_WAL_SENDERS}"
)


def reserved_slots(scenario: Scenario) -> tuple[int, Derivation]:
    """Slots of max_connections kept from ordinary users; PostgreSQL refuses to start unless fewer than it.

    The settings as written (superuser_reserved_connections, and reserved_connections from 16), whatever
    a provider keeps on top: the server's own start-up check knows only these two.
    """
    wl = scenario.workload
    superuser, reserved = wl.superuser_reserved, wl.reserved_connections
    if not has_reserved_connections(scenario.hardware.pg_version):
        return superuser, Derivation.later(_superuser_reserved_why, superuser)
    return superuser + reserved, Derivation.later(_reserved_slots_why, superuser, reserved)


def _superuser_reserved_why(superuser: int) -> Derivation:
    return Derivation(
        formula=f"reserved slots = superuser_reserved_connections (reserved_connections exists from "
        f"{RESERVED_CONNECTIONS_FROM})",
        calculation=str(superuser),
        inputs={"superuser_reserved_connections": str(superuser)},
        source=PG_CONNECTIONS,
        note="must be less than max_connections, or the server does not start",
    )


def _reserved_slots_why(superuser: int, reserved: int) -> Derivation:
    return Derivation(
        formula="reserved slots = superuser_reserved_connections + reserved_connections",
        calculation=f"{superuser} + {reserved} = {superuser + reserved}",
        inputs={"superuser_reserved_connections": str(superuser), "reserved_connections": str(reserved)},
        source=PG_CONNECTIONS,
        note="must be less than max_connections, or the server does not start",
    )

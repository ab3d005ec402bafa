"""The max_connections budget: every kind of connection gets its own line, and the lines add up.

required max_connections = pool + reserve pool + listeners + batch workers + long transactions +
replica pools + monitoring + admin + superuser_reserved (+ reserved_connections), as in seeds 001 and
003; recommended = required plus headroom, rounded to a readable number. Streaming replication is
listed too, but from PostgreSQL 12 on it draws from max_wal_senders, not from max_connections.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .concurrency import Pooling
from .derivation import Derivation, n
from .rounding import round_up_readable
from .scenario import Scenario
from .versions import DEFAULT_MAX_WAL_SENDERS, has_reserved_connections, walsenders_outside_max_connections

CountsAgainst = Literal["max_connections", "max_wal_senders"]
HEADROOM_SHARE = 0.2
MIN_HEADROOM = 5
SPARE_WAL_SENDERS = 2  # for pg_basebackup and a standby being rebuilt
MAX_CONNECTIONS_LIMIT = 262_143  # the max_connections GUC's maximum (MAX_BACKENDS, procnumber.h)


class BudgetLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    name: str
    connections: int
    counts_against: CountsAgainst
    why: str


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


def budget_lines(scenario: Scenario, pooling: Pooling) -> list[BudgetLine]:
    wl, version = scenario.workload, scenario.hardware.pg_version
    lines: list[BudgetLine] = []

    def add(
        key: str, name: str, count: int, why: str, against: CountsAgainst = "max_connections", keep: bool = False
    ) -> None:
        if count or keep:
            lines.append(BudgetLine(key=key, name=name, connections=count, counts_against=against, why=why))

    if pooling.active:
        pools = (
            f"{pooling.pools} pools x {pooling.pool_size}" if pooling.pools > 1 else f"pool_size {pooling.pool_size}"
        )
        add(
            "pool",
            POOLER_NAMES[scenario.pooler.kind],
            pooling.server_connections,
            f"{pools}: the working backends{_provider_pooler_limits(scenario)}",
            keep=True,
        )
        add(
            "reserve_pool",
            "Reserve pool",
            pooling.pools * pooling.reserve_pool,
            "opened after reserve_pool_timeout when the pool is exhausted",
        )
    else:
        direct = pooling.client_demand - wl.serverless_peak
        add("direct_clients", "Application (direct)", direct, "no pooler: every client is a backend", keep=True)
        add("serverless", "Serverless (direct)", wl.serverless_peak, "one backend per concurrent invocation")
    add("listeners", "LISTEN listeners", wl.listeners, "LISTEN holds a session: never through a transaction pool")
    add("batch_workers", "Batch workers", wl.batch_workers, "hold a connection for the length of a job")
    add("long_transactions", "Long transactions", wl.long_transactions, "reports and ETL that cannot return to a pool")
    add(
        "replica_pools",
        "Replica pools",
        wl.replica_pools,
        "PgBouncer pools on read replicas; a hot standby's max_connections must be at least the primary's",
    )
    add("monitoring", "Monitoring", wl.monitoring, "agents and exporters, kept apart from application traffic")
    add("admin", "Admin", wl.admin, "humans and migrations during an incident")
    provider = scenario.provider
    if provider is None or not provider.reserved_includes_superuser:
        add(
            "superuser_reserved",
            "superuser_reserved_connections",
            wl.superuser_reserved,
            "emergency slots only superusers can take",
        )
        if has_reserved_connections(version):
            add(
                "reserved_connections",
                "reserved_connections",
                wl.reserved_connections,
                "for pg_use_reserved_connections",
            )
    if provider is not None:
        add(
            "provider_reserved",
            f"{provider.provider} reserved",
            provider.reserved,
            "slots the provider keeps for itself, its superuser_reserved_connections included"
            if provider.reserved_includes_superuser
            else "slots the provider keeps for its own agents",
        )
    if walsenders_outside_max_connections(version):
        add(
            "replication",
            "Streaming replication",
            wl.replicas,
            "WAL senders have their own slots since PostgreSQL 12 (max_wal_senders)",
            "max_wal_senders",
        )
    else:
        add("replication", "Streaming replication", wl.replicas, "WAL senders count against max_connections before 12")
    return lines


def required(lines: list[BudgetLine]) -> tuple[int, Derivation]:
    counted = [line for line in lines if line.counts_against == "max_connections"]
    total = sum(line.connections for line in counted)
    return total, Derivation(
        formula="required max_connections = sum of the budget lines",
        calculation=" + ".join(str(line.connections) for line in counted) + f" = {n(total)}",
    )


def recommended(required_total: int) -> tuple[int, Derivation]:
    headroom = max(MIN_HEADROOM, math.ceil(required_total * HEADROOM_SHARE))
    value = round_up_readable(required_total + headroom)
    return value, Derivation(
        formula="recommended = required + headroom (20 %, at least 5), rounded up to a readable number",
        calculation=f"{n(required_total)} + {n(headroom)} -> {n(value)}",
        note="headroom absorbs admin access during incidents (seed 003)",
    )


def chosen_max_connections(scenario: Scenario, recommended_value: int) -> tuple[int, Derivation]:
    given, provider = scenario.workload.max_connections, scenario.provider
    if given is not None:
        return given, Derivation(formula="max_connections: given, evaluated as is", calculation=n(given))
    if provider is not None and provider.hard_limit:
        # A hard limit is the setting itself: the plan neither raises nor lowers it.
        limit = provider.max_connections
        return limit, Derivation(
            formula="max_connections = the plan's fixed value",
            calculation=n(limit),
            note=f"{provider.id} fixes it; the budget alone would recommend {n(recommended_value)}",
        )
    settable = provider.settable_range if provider is not None else None
    if settable is not None and not settable[0] <= recommended_value <= settable[1]:
        low, high = settable
        value = min(max(recommended_value, low), high)
        return value, Derivation(
            formula=f"max_connections = recommended, within the {n(low)} to {n(high)} {provider.id} accepts",
            calculation=f"min(max({n(recommended_value)}, {n(low)}), {n(high)}) = {n(value)}",
        )
    if recommended_value > MAX_CONNECTIONS_LIMIT:
        return MAX_CONNECTIONS_LIMIT, Derivation(
            formula="max_connections = PostgreSQL's maximum",
            calculation=f"min({n(recommended_value)}, {n(MAX_CONNECTIONS_LIMIT)}) = {n(MAX_CONNECTIONS_LIMIT)}",
            note="the budget does not fit in any PostgreSQL server",
        )
    return recommended_value, Derivation(formula="max_connections = recommended", calculation=n(recommended_value))


def max_wal_senders(scenario: Scenario) -> tuple[int, Derivation]:
    replicas = scenario.workload.replicas
    value = max(DEFAULT_MAX_WAL_SENDERS, replicas + SPARE_WAL_SENDERS)
    return value, Derivation(
        formula="max_wal_senders = max(10, replicas + 2)",
        calculation=f"max(10, {replicas} + 2) = {value}",
        note="2 spare senders for pg_basebackup or a standby being rebuilt",
    )

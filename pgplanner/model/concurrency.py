"""How many connections can work at once, and how the pooler is sized around that.

productive target = cores x multiplier + effective disk concurrency (PostgreSQL wiki, seed 001), where
the multiplier is 2 for CPU-bound, 3 for mixed and 4 for I/O-bound work; the pool stays within
cores x 2 .. cores x 4 (seed 001's pool size formula), so the target is capped at cores x 4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .derivation import Derivation, n
from .rounding import round_up_readable
from .scenario import PoolerOffer, Scenario

CORE_MULTIPLIER = {"cpu": 2, "mixed": 3, "io": 4}
POOL_RANGE_MULTIPLIERS = (2, 4)
# Queries waiting on I/O at once: spinning disks and network volumes keep more of them waiting,
# fast NVMe "adds less" (seed 001). Zero would mean the active set is fully cached.
DISK_CONCURRENCY = {"hdd": 4, "network": 4, "ssd": 2, "nvme": 1}
RESERVE_SHARE = 0.25  # seed 003: pool 24, reserve 6
CLIENT_HEADROOM = 1.2
MIN_MAX_CLIENT_CONN = 100  # PgBouncer's own default


def disk_concurrency(scenario: Scenario) -> tuple[int, Derivation]:
    hw = scenario.hardware
    if hw.disk_concurrency is not None:
        return hw.disk_concurrency, Derivation(formula="disk concurrency: given", calculation=str(hw.disk_concurrency))
    value = DISK_CONCURRENCY[hw.storage]
    return value, Derivation(
        formula="disk concurrency from storage (hdd 4, network 4, ssd 2, nvme 1)",
        calculation=f"{hw.storage} -> {value}",
    )


def pool_size_range(cores: int) -> tuple[int, int]:
    low, high = POOL_RANGE_MULTIPLIERS
    return cores * low, cores * high


def productive_target(scenario: Scenario, disk: int) -> tuple[int, Derivation]:
    cores, kind = scenario.hardware.cores, scenario.workload.kind
    multiplier = CORE_MULTIPLIER[kind]
    raw = cores * multiplier + disk
    cap = pool_size_range(cores)[1]
    target = min(raw, cap)
    return target, Derivation(
        formula="productive target = cores x multiplier + disk concurrency",
        calculation=f"{cores} x {multiplier} + {disk} = {raw}",
        note=f"capped at the pool range maximum, cores x 4 = {cap}" if raw > cap else f"{kind}-bound: x {multiplier}",
    )


@dataclass(frozen=True)
class Pooling:
    """The pooler's sizing: one pool per database and user, each of ``pool_size`` server connections."""

    active: bool  # a pooler is planned
    pools: int
    pool_size: int
    reserve_pool: int
    max_client_conn: int
    client_demand: int
    derivations: dict[str, Derivation]

    @property
    def server_connections(self) -> int:
        """Backends the pooler opens in normal operation (without the reserve)."""
        return self.pools * self.pool_size

    @property
    def server_connections_max(self) -> int:
        return self.pools * (self.pool_size + self.reserve_pool)


def client_demand(scenario: Scenario) -> tuple[int, Derivation]:
    wl = scenario.workload
    if wl.clients is not None:
        demand, calc = wl.clients, f"{n(wl.clients)} (given)"
    else:
        demand = wl.app_instances * wl.pool_per_instance
        calc = f"{n(wl.app_instances)} instances x {n(wl.pool_per_instance)} = {n(demand)}"
    total = demand + wl.serverless_peak
    if wl.serverless_peak:
        calc += f", plus {n(wl.serverless_peak)} serverless = {n(total)}"
    return total, Derivation(
        formula="client demand = app instances x pool per instance (+ serverless peak)", calculation=calc
    )


def pooling(scenario: Scenario, productive: int) -> Pooling:
    pooler = scenario.pooler
    demand, demand_why = client_demand(scenario)
    derivations = {"client_demand": demand_why}
    pools = pooler.databases * pooler.users

    clients_per_pool = max(1, math.ceil(demand / pools))
    pool_size = pooler.pool_size
    offer = _provider_pooler(scenario)
    if pool_size is not None:
        derivations["pool_size"] = Derivation(formula="pool size: given", calculation=str(pool_size))
    elif offer is not None and offer.default_pool_size is not None:
        pool_size = min(offer.default_pool_size, clients_per_pool)
        derivations["pool_size"] = Derivation(
            formula=f"pool size = {offer.name}'s default_pool_size, at most the clients per pool",
            calculation=f"min({n(offer.default_pool_size)}, {n(demand)} clients / {pools}) = {n(pool_size)}",
            note="the provider's pooler setting, not yours to change; it never opens more backends than it has clients",
        )
    else:
        pool_size = max(1, min(math.ceil(productive / pools), clients_per_pool))
        derivations["pool_size"] = Derivation(
            formula="pool size = productive target / (databases x users), at most the clients per pool",
            calculation=f"min({productive} / {pools}, {n(demand)} clients / {pools}) = {pool_size}",
            note="every pool at once keeps the server at its productive target; a pool never has more "
            "backends than clients",
        )

    active = pooler.kind != "none"
    reserve = pooler.reserve_pool or 0
    if active and pooler.reserve_pool is None:
        if offer is not None and offer.default_pool_size is not None:
            derivations["reserve_pool"] = Derivation(
                formula=f"reserve pool: none planned on {offer.name}", calculation="0", note="the provider sizes it"
            )
        else:
            reserve = max(0, min(math.ceil(pool_size * RESERVE_SHARE), clients_per_pool - pool_size))
            derivations["reserve_pool"] = Derivation(
                formula="reserve pool = 25 % of the pool, at most the clients the pool leaves out",
                calculation=f"min({pool_size} x 0.25, {n(clients_per_pool)} - {pool_size}) -> {reserve}",
                note="seed 003: pool 24, reserve 6",
            )

    max_client_conn = pooler.max_client_conn
    if max_client_conn is None:
        max_client_conn = max(MIN_MAX_CLIENT_CONN, round_up_readable(demand * CLIENT_HEADROOM))
        derivations["max_client_conn"] = Derivation(
            formula="max_client_conn = client demand + 20 %, at least 100",
            calculation=f"{n(demand)} x 1.2 -> {n(max_client_conn)}",
        )
    return Pooling(active, pools, pool_size, reserve if active else 0, max_client_conn, demand, derivations)


def _provider_pooler(scenario: Scenario) -> PoolerOffer | None:
    """The provider's own pooler, when the scenario pools through it."""
    if scenario.pooler.kind != "provider" or scenario.provider is None:
        return None
    return scenario.provider.pooler


def pooler_capacity(pooling: Pooling, txn_ms: float) -> tuple[float, Derivation]:
    """Transactions per second the pool can serve: every server connection runs one transaction at a time."""
    tps = pooling.server_connections / (txn_ms / 1000)
    return tps, Derivation(
        formula="pooler capacity = pool size / average transaction time",
        calculation=f"{n(pooling.server_connections)} / {txn_ms:g} ms = {n(round(tps))} tps",
        note="seed 001: 30 backends x 20 ms -> 1,500 tps",
    )

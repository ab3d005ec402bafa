"""How many connections can work at once, and how the pooler is sized around that.

productive target = cores x multiplier + effective disk concurrency (PostgreSQL wiki, seed 001), where
the multiplier is 2 for CPU-bound, 3 for mixed and 4 for I/O-bound work; the pool stays within
cores x 2 .. cores x 4 (seed 001's pool size formula), so the target is capped at cores x 4. When
pgbench measurements of the server reach a peak, the measured peak replaces the rule of thumb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .derivation import Derivation, n
from .rounding import round_up_readable
from .scenario import Scenario
from .throughput import UslFit

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


def rule_of_thumb(scenario: Scenario, disk: int) -> tuple[int, Derivation]:
    """cores x multiplier + disk concurrency, capped at the top of the pool range."""
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


def productive_target(scenario: Scenario, disk: int, fit: UslFit | None = None) -> tuple[int, Derivation]:
    """The measured peak when the measurements reach one, else the rule of thumb.

    A measurement of this server beats a rule drawn from other servers; a fit whose peak lies past
    what was measured is an extrapolation, so the rule of thumb stays and the note says why.
    """
    rule, why = rule_of_thumb(scenario, disk)
    if fit is None:
        return rule, why
    if not fit.shows_peak or fit.peak is None:
        reach = "no peak (kappa = 0)" if fit.peak is None else f"a peak at {fit.peak:.1f}"
        note = (
            f"the measurements up to {n(fit.highest_measured)} clients give {reach}, past what was measured; "
            "measure more clients to let the measurement decide"
        )
        return rule, why.model_copy(update={"note": f"{why.note}; {note}"})
    target = max(1, round(fit.peak))
    return target, Derivation(
        formula="productive target = the measured peak N* = sqrt((1 - sigma) / kappa)",
        calculation=f"sqrt((1 - {fit.sigma:.4g}) / {fit.kappa:.4g}) = {fit.peak:.1f}, rounded to {target}",
        note=f"from {n(fit.points)} measured points; the rule of thumb ({why.calculation}) would say {rule}",
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


def pooling(scenario: Scenario, productive: int, measured: bool = False) -> Pooling:
    """The pools around ``productive`` active backends (``measured``: that target is the measured peak)."""
    pooler = scenario.pooler
    demand, demand_why = client_demand(scenario)
    derivations = {"client_demand": demand_why}
    pools = pooler.databases * pooler.users

    pool_size = pooler.pool_size
    if pool_size is None:
        pool_size = max(1, math.ceil(productive / pools))
        derivations["pool_size"] = Derivation(
            formula="pool size = productive target / (databases x users)",
            calculation=f"{productive} / {pools} = {pool_size}",
            note="every pool at once keeps the server at its productive target"
            + (", the peak pgbench measured" if measured else ""),
        )
    else:
        derivations["pool_size"] = Derivation(formula="pool size: given", calculation=str(pool_size))

    active = pooler.kind != "none"
    reserve = pooler.reserve_pool or 0
    if active and pooler.reserve_pool is None:
        reserve = math.ceil(pool_size * RESERVE_SHARE)
        derivations["reserve_pool"] = Derivation(
            formula="reserve pool = 25 % of the pool",
            calculation=f"{pool_size} x 0.25 = {reserve}",
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


def pooler_capacity(pooling: Pooling, txn_ms: float) -> tuple[float, Derivation]:
    """Transactions per second the pool can serve: every server connection runs one transaction at a time."""
    tps = pooling.server_connections / (txn_ms / 1000)
    return tps, Derivation(
        formula="pooler capacity = pool size / average transaction time",
        calculation=f"{n(pooling.server_connections)} / {txn_ms:g} ms = {n(round(tps))} tps",
        note="seed 001: 30 backends x 20 ms -> 1,500 tps",
    )

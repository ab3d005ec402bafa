"""The plan's ``latency`` section: the queue at the demand for each listed pool size, and without a pooler.

Without a pooler there is no pool to size: only the direct chain (every client a backend) is given,
and the pooled figures (``by_pool_size``, ``at_pool_size``, ``best_pool_size``) are empty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Annotated, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, PlainSerializer, PrivateAttr, SkipValidation

from ..concurrency import Pooling
from ..derivation import Derivation, given, n, percent
from ..scenario import LatencyCalibration, Scenario
from ..sources import FLOW_EQUIVALENT, HIKARI_POOL_SIZING
from ..throughput import Shape, UslFit, UslShape, distinct
from .calibration import calibrate
from .chain import QueueFigures, QueueModel
from .explain import number, row_derivations
from .percentiles import PERCENTILES, response_percentiles
from .rates import ServiceRates

POOL_SIZE_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # the readable pool sizes listed: 1, 2, ..., 10, 12, 15, 20 ...
EVERY_SIZE_UP_TO = 256  # the best pool is searched among every size up to here, then in steps of 1 %
BEST_WITHIN = 0.01  # the best pool is the smallest whose p99 is within 1 % of the lowest


def _as_objects(rows: tuple[QueueFigures, ...]) -> list[dict[str, object]]:
    return [row.as_json() for row in rows]


def _as_object(row: QueueFigures | None) -> dict[str, object] | None:
    return None if row is None else row.as_json()


Rows = Annotated[tuple[QueueFigures, ...], SkipValidation, PlainSerializer(_as_objects, return_type=list)]
Row = Annotated[QueueFigures, SkipValidation, PlainSerializer(QueueFigures.as_json, return_type=dict)]
OptionalRow = Annotated[QueueFigures | None, SkipValidation, PlainSerializer(_as_object, return_type=dict | None)]


class LatencyFigures(BaseModel):
    """The plan's ``latency``: the queue at the demand for each listed pool size, and without a pooler.

    ``pooled_at`` and ``direct_at`` give the same figures at any other sizes (a plot's points). Without
    a pooler ``by_pool_size`` is empty and ``at_pool_size`` and ``best_pool_size`` are None.
    """

    # Built by plan() with model_construct from values it typed itself (see plan.Output): no schema at start-up.
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True, defer_build=True)

    demand_tps: float
    service_ms: float  # the transaction time: a lone transaction's service
    capacity_scale: float | None  # measured through the pooler / direct (1: not measured; None: no pooler)
    overhead_ms: float  # added to every response: the measured latency's excess over the model (0 when not measured)
    stable_below: float  # utilisation from which a pool is called unstable
    pools: int | None  # the demand is split over this many pools; pool sizes are per pool (None: no pooler)
    by_pool_size: Rows
    at_pool_size: OptionalRow  # the plan's pool size; None without a pooler
    direct: Row  # every client a backend
    best_pool_size: int | None  # the smallest pool whose p99 is within BEST_WITHIN of the lowest; None: none keeps up
    _pooled: QueueModel | None = PrivateAttr(None)
    _direct: QueueModel = PrivateAttr()

    @property
    def pooled(self) -> bool:
        """Whether a pooler serves the demand (else only the direct figures exist)."""
        return self._pooled is not None

    def pooled_at(self, sizes: Iterable[int]) -> tuple[QueueFigures, ...]:
        """The figures at other pool sizes (backends per pool); none without a pooler."""
        return self._pooled.figures(sizes) if self._pooled is not None else ()

    def direct_at(self, clients: Iterable[int]) -> tuple[QueueFigures, ...]:
        """The figures without a pooler at other client counts (every client a backend)."""
        return self._direct.figures(clients)

    def keeping_up(self, pooled: bool, lo: int, hi: int) -> np.ndarray:
        """Which pool sizes (``pooled``), or client counts without a pooler, from ``lo`` to ``hi`` keep up with
        the demand. Stability alone, without percentiles: cheap enough for a plot to find where a curve ends."""
        model = self._pooled if pooled else self._direct
        if model is None:
            return np.zeros(max(hi - lo + 1, 0), dtype=bool)
        return model.chain(np.arange(max(lo, 1), hi + 1)).stable


def pool_sizes_listed(top: int, include: Iterable[int]) -> list[int]:
    """Readable pool sizes from 1 to ``top`` (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20 ...), with ``include``."""
    readable = READABLE[: np.searchsorted(READABLE, top, side="right")].tolist()
    return sorted({*readable, *(size for size in include if 1 <= size <= top), top})


def _readable_sizes(highest: int) -> np.ndarray:
    steps = {round(step * 10**power) for power in range(len(str(highest))) for step in POOL_SIZE_STEPS}
    return np.array(sorted(size for size in steps if (size / 10 ** (len(str(size)) - 1)) in POOL_SIZE_STEPS))


READABLE = _readable_sizes(100_000)
# distinct(sort(...)) is np.unique without loading numpy.ma at import (the window's start-up has no demand).
_SEARCH = distinct(
    np.sort(
        np.concatenate((np.arange(1, EVERY_SIZE_UP_TO + 1), np.rint(EVERY_SIZE_UP_TO * 1.01 ** np.arange(1, 1200))))
    )
).astype(np.int64)


class PoolSizing(NamedTuple):
    """What the latency section reads of the pooler's sizing (:class:`~..concurrency.Pooling`)."""

    active: bool
    pools: int
    client_demand: int
    pool_size: int


def latency(
    scenario: Scenario, shape: Shape | UslShape, fit: UslFit | None, productive: int, pooling: Pooling
) -> tuple[LatencyFigures | None, dict[str, Derivation]]:
    """The ``latency`` section at the scenario's demand, with its derivations by JSON path (None: no demand)."""
    demand = scenario.workload.demand_tps
    if demand is None:
        return None, {}
    sizing = PoolSizing(pooling.active, pooling.pools, pooling.client_demand, pooling.pool_size)
    figures, derivations = _latency(
        demand, scenario.workload.txn_ms, scenario.latency_calibration, shape, fit, productive, sizing
    )
    return figures, dict(derivations)


# plan() runs on every slider tick, and most ticks (work_mem, RAM, the budget's lines ...) leave the queue's
# inputs as they were: its figures, immutable, are made once per combination. Every input is a value.
@lru_cache(maxsize=64)
def _latency(
    demand: float,
    txn_ms: float,
    measured: LatencyCalibration | None,
    shape: Shape | UslShape,
    fit: UslFit | None,
    productive: int,
    pooling: PoolSizing,
) -> tuple[LatencyFigures, dict[str, Derivation]]:
    """The ``latency`` section for these inputs (``measured``: the scenario's latency calibration)."""
    fitted = fit is not None
    linear_to = 1.0 if fitted else float(productive)
    plain = ServiceRates(txn_ms / 1000, linear_to, shape, fitted=fitted)
    pools = pooling.pools if pooling.active else 1
    rates = ServiceRates(txn_ms / 1000, linear_to, shape, 1.0, pools, fitted)
    calibration = calibrate(measured, rates, fit, pooling.active)
    rates = calibration.rates
    pooled = QueueModel(demand, rates, calibration.overhead_s, calibration.stable_below)
    direct = QueueModel(demand, plain, calibration.overhead_s)
    clients = max(1, pooling.client_demand)
    derivations = calibration.derivations | {
        "latency.demand_tps": given(f"{n(demand)} tps", "demand"),
        "latency.service_ms": given(f"{txn_ms:g} ms", "transaction time"),
    }
    if not pooling.active:
        direct_row = direct.figures([clients])[0]
        figures = LatencyFigures.model_construct(
            demand_tps=demand,
            service_ms=txn_ms,
            capacity_scale=None,
            overhead_ms=calibration.overhead_s * 1000,
            stable_below=1.0,
            pools=None,
            by_pool_size=(),
            at_pool_size=None,
            direct=direct_row,
            best_pool_size=None,
        )
        figures._direct = direct
        derivations |= row_derivations("latency.direct", direct_row, direct, "every client is a backend")
        return figures, derivations

    per_pool_target = math.ceil(productive / pools)
    top = max(2 * per_pool_target, pooling.pool_size)
    listed = pool_sizes_listed(top, (pooling.pool_size, per_pool_target))
    searched = np.union1d(_SEARCH[: np.searchsorted(_SEARCH, top, side="right")], listed)
    # Without calibration and with one pool, the direct chain is the pooled one at another size: solve once.
    shared = rates == plain and calibration.stable_below == 1
    chains = [pooled.chain(np.union1d(searched, [clients]) if shared else searched)]
    if not shared:
        chains.append(direct.chain(np.array([clients])))
    pw, others, wait_rate, waiter_rate = (
        np.concatenate(parts) for parts in zip(*(c.tails for c in chains), strict=True)
    )
    percentiles = response_percentiles(pw, others, wait_rate, waiter_rate, PERCENTILES)
    split = int(chains[0].stable.sum())
    pooled_chain, at_clients = chains[0], (chains[0] if shared else chains[-1])
    pooled_percentiles = percentiles[:, :split]
    overhead_s = calibration.overhead_s
    stable = pooled_chain.stable & (pooled_chain.sizes <= top)
    p99 = (pooled_percentiles[-1, stable[pooled_chain.stable]] + overhead_s) * 1000
    best, best_why = best_pool(pooled_chain.sizes[stable], p99, pooled)
    by_size = tuple(pooled_chain.rows(pooled_percentiles, overhead_s, {*listed, *([best] if best else [])}))
    at_pool = next(row for row in by_size if row.pool_size == pooling.pool_size)
    direct_row = at_clients.rows(pooled_percentiles if shared else percentiles[:, split:], overhead_s, [clients])[0]
    figures = LatencyFigures.model_construct(
        demand_tps=demand,
        service_ms=txn_ms,
        capacity_scale=rates.scale,
        overhead_ms=overhead_s * 1000,
        stable_below=calibration.stable_below,
        pools=pools,
        by_pool_size=by_size,
        at_pool_size=at_pool,
        direct=direct_row,
        best_pool_size=best,
    )
    figures._pooled, figures._direct = pooled, direct
    derivations |= {
        "latency.pools": Derivation(
            formula="pools = databases x users: the demand is split evenly over them",
            calculation=n(pools),
            inputs={"pools": n(pools)},
        ),
        "latency.by_pool_size": Derivation(
            formula="pool sizes listed: readable sizes from 1 to max(2 x productive target per pool, pool size), "
            "with the pool size, the productive target and the best pool size",
            calculation=f"1 to max(2 x {per_pool_target}, {pooling.pool_size}) = {top}: {len(by_size)} sizes",
            inputs={"productive target per pool": n(per_pool_target), "pool size": n(pooling.pool_size)},
            source=FLOW_EQUIVALENT,
        ),
        "latency.best_pool_size": best_why,
    }
    derivations |= row_derivations("latency.at_pool_size", at_pool, pooled, "the plan's pool size")
    derivations |= row_derivations("latency.direct", direct_row, direct, "every client is a backend")
    return figures, derivations


def best_pool(sizes: np.ndarray, p99_ms: np.ndarray, model: QueueModel) -> tuple[int | None, Derivation]:
    """The smallest pool whose p99 is within BEST_WITHIN of the lowest, among the (stable) sizes searched."""
    formula = (
        f"best pool size = the smallest pool whose modelled p99 at the demand is within {percent(BEST_WITHIN)} of "
        f"the lowest (searched at every size up to {EVERY_SIZE_UP_TO}, then in steps of 1 %); past it more "
        "backends add contention, not speed"
    )
    if not sizes.size:
        return None, Derivation(formula=formula, calculation="none: no pool size keeps up with the demand")
    low = int(np.argmin(p99_ms))
    first = int(np.argmax(p99_ms <= p99_ms[low] * (1 + BEST_WITHIN)))
    best = int(sizes[first])
    return best, Derivation(
        formula=formula,
        calculation=f"lowest p99 {number(p99_ms[low])} ms with {n(int(sizes[low]))} backends per pool; "
        f"{n(best)} give {number(p99_ms[first])} ms",
        inputs={"demand": f"{n(model.demand_tps)} tps"},
        source=f"{HIKARI_POOL_SIZING}; {FLOW_EQUIVALENT}",
    )

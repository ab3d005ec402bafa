"""The queue in front of the pool: how long a client waits for a backend, and its response time.

Clients offer ``demand`` transactions per second (Poisson arrivals); a pool of c backends serves them
in arrival order; with n transactions in service the server completes them at mu(n) per second, the
throughput its curve gives for n busy backends. That is the flow-equivalent server (Menascé): a
birth-death chain with birth rate lambda = demand and death rate mu(min(n, c)).

Service rates. X(n) = n / s while the curve is linear (up to the productive target every backend has
a core; s is the transaction time); past it X(n) = X(k) x curve(n) / curve(k), the curve's own shape
from the last linear point k. With measurements the fitted USL is the curve, scaled so that one
backend alone completes 1 / s (k = 1). With a pool at or below the productive target and nothing
measured, mu(n) = min(n, c) / s: the chain is exactly Erlang C's M/M/c.

The chain, p(n) proportional to the product of lambda / mu(k) for k = 1..n:

- for n >= c every rate is mu(c): the tail is geometric with ratio rho = lambda / mu(c), summed in
  closed form;
- the states below c are enumerated, vectorised, from 0 until past the mode they fall below
  ``TAIL_TOLERANCE`` of the largest and still fall (the rates are unimodal in n, so the states beyond N
  hold at most p(N) r / (1 - r), r the largest lambda / mu past N);
- P(wait) = P(n >= c): an arrival sees the chain's stationary state (PASTA); the mean queue Lq and the
  mean number L give the mean wait Lq / lambda and the mean response L / lambda (Little's law), and
  the mean service (L - Lq) / lambda.

Stable. The capacity of a pool is the most its backends complete: mu(c), or past the curve's peak the
rate at the peak. A pool is stable when the demand is below its capacity (below 1 -
``MEASURED_CAPACITY_MARGIN`` of it when the capacity was measured) and either below mu(c), or, for a
pool larger than the peak whose backends all busy complete less than the demand, when the queue is not
expected to get to where the server falls behind (the first state past the peak with mu(n) <= lambda)
within ``TIP_OVER_HORIZON_S``: the chain's expected first-passage time from its mode, the sum of
P(n <= i) / (lambda p(i)). Its figures are then those of the chain below that state. Without a pooler
every client is a backend (c = clients), which is where this matters: a burst past that state would
never drain.

Response time under FCFS, R = W + S:

- W: an arrival that finds k >= c waits for k - c + 1 departures at the saturated rate mu(c), an
  Erlang(k - c + 1, mu(c)); over the geometric tail that is exactly exponential,
  P(W > t) = P(wait) exp(-(mu(c) - lambda) t);
- S: exact only while every busy backend works at the same speed (the linear region: S is exponential
  with mean s, and R is M/M/c's). Past it a transaction's speed changes with the busy count during its
  service. The approximation used: a transaction that waited starts with every backend busy and is
  served exponentially at the saturated per-backend rate mu(c) / c; the others exponentially with the
  mean that makes the overall mean service the chain's exact (L - Lq) / lambda;
- a percentile solves P(R > t) = 1 - p (a safeguarded Newton iteration on log P(R > t), to
  ``PERCENTILE_TOLERANCE``). It counts queueing and exponential service only: stalls of a shared
  machine (descheduling, I/O hiccups) made the measured p99 3-15 x the mean, against about 4.6 x here.

Calibration (optional, measured): a capacity measured through the pooler scales every service rate of
the pooled chain by ``capacity scale`` = measured / the direct throughput at that pool size; an
isolated transaction's latency (a lone transaction at a low rate) becomes the floor of every response
time: a fixed overhead, isolated latency - a lone transaction's service through the pooler, is added
to each response. A measured capacity is trusted up to ``1 - MEASURED_CAPACITY_MARGIN`` of itself.

Several pools (databases x users) share the server: each gets demand / pools and serves with
mu(n) = X(pools x n) / pools, as if every pool were as busy as this one (exact in the linear region,
where pools do not slow each other down).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, PlainSerializer, PrivateAttr, SkipValidation

from .concurrency import Pooling
from .derivation import Derivation, given, n, percent
from .scenario import LatencyCalibration, Scenario
from .sources import ERLANG_C, FLOW_EQUIVALENT, HIKARI_POOL_SIZING, LATENCY_EXPERIMENT
from .throughput import Shape, UslFit, UslShape

TAIL_TOLERANCE = 1e-15  # states past the mode are enumerated until they fall below this share of the largest
_LOG_TOLERANCE = math.log(TAIL_TOLERANCE)
# Past the curve's peak a pool whose backends, all busy, complete less than the demand is still called
# stable if the queue is not expected to get there within a year of Poisson arrivals (real bursts come
# sooner: the figures say how often, not that it cannot happen).
TIP_OVER_HORIZON_S = 365 * 24 * 3600.0
PERCENTILE_TOLERANCE = 1e-6  # a percentile is solved when Newton's step is below this share (its error then far less)
PERCENTILES = (0.95, 0.99)
BEST_WITHIN = 0.01  # the best pool is the smallest whose p99 is within 1 % of the lowest
# A capacity measured closed-loop through the pooler overstates what an open (Poisson) load gets: in the
# latency experiment a pool of 4 measured 14,431 tps closed-loop but fell behind at 12,788 tps (it served
# 12,566-12,652 tps overloaded, 13 % less), and repeated identical runs differed by 16-23 %.
MEASURED_CAPACITY_MARGIN = 0.15
POOL_SIZE_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)  # the readable pool sizes listed: 1, 2, ..., 10, 12, 15, 20 ...
_NEWTON_ROUNDS = 60
_TINY = 1e-300


class QueueFigures(NamedTuple):
    """One pool size at the demand. Latency figures are None when the pool cannot keep up."""

    pool_size: int  # backends per pool (every client, without a pooler)
    capacity_tps: float  # the most the pools complete per second: at their busiest, or at the curve's peak
    saturated_tps: float  # what they complete with every backend busy (below capacity past the peak)
    utilisation: float  # demand / capacity
    stable: bool  # the queue keeps up: see QueueModel.chain
    p_wait: float | None  # the chance that a transaction waits for a backend
    mean_wait_ms: float | None
    mean_ms: float | None  # response: wait + service + measured overhead
    p95_ms: float | None
    p99_ms: float | None

    def as_json(self) -> dict[str, object]:
        return self._asdict()


@dataclass(frozen=True)
class ServiceRates:
    """The throughput X(n) of n busy backends, and the per-pool death rates mu(n) of the chain."""

    service_s: float  # the transaction time
    linear_to: float  # X(n) = n / s up to here; the curve's shape past it
    shape: Shape | UslShape
    scale: float = 1.0  # capacity measured through the pooler / the direct one
    pools: int = 1
    fitted: bool = False  # the curve is the USL fitted to measurements (then linear_to is 1)
    _at_knee: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_at_knee", float(self.shape.relative(np.array([self.linear_to]))[0]))

    def tps(self, busy: np.ndarray) -> np.ndarray:
        """Transactions per second the whole server completes with ``busy`` backends at work."""
        past = self.shape.relative(busy) * (self.linear_to / self.service_s / self._at_knee)
        return self.scale * np.where(busy <= self.linear_to, busy / self.service_s, past)

    def per_pool(self, busy: np.ndarray) -> np.ndarray:
        """mu(n): one pool's completions per second with n of its backends busy (every pool as busy)."""
        return self.tps(self.pools * busy.astype(float)) / self.pools

    def limits(self, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each pool size: mu with every backend busy; the most it completes (the capacity: at its
        size, or at the curve's peak when it is larger); and at how many busy backends."""
        counts = np.minimum(
            sizes, self._peak_counts[:, None]
        )  # the size itself, then capped at either side of the peak
        rates = self.per_pool(counts)
        best = rates.argmax(axis=0)
        columns = np.arange(sizes.size)
        return rates[0], rates[best, columns], counts[best, columns]

    @functools.cached_property
    def _peak_counts(self) -> np.ndarray:
        """No cap, then the whole busy counts per pool either side of the curve's peak (if it has one)."""
        shape = self.shape
        peak = shape.peak if isinstance(shape, Shape) else shape.fit.peak
        if peak is None:
            return np.array([np.inf])
        below = max(math.floor(peak / self.pools), 1)
        return np.array([np.inf, below, below + 1])

    def ratio(self, busy: int) -> float:
        """curve(busy) / curve(linear_to): how far the curve has gone from its linear part."""
        return float(self.shape.relative(np.array([float(busy)]))[0]) / self._at_knee


@dataclass(frozen=True)
class _Chain:
    """The chain's figures for each pool size (per pool; times in seconds; NaN where unstable), and what
    the response-time percentiles of the stable ones are solved from."""

    sizes: np.ndarray
    capacity: np.ndarray  # total tps
    saturated: np.ndarray  # total tps with every backend busy
    utilisation: np.ndarray
    stable: np.ndarray
    p_wait: np.ndarray
    wait: np.ndarray
    mean: np.ndarray
    # of the stable sizes only: P(wait), the others' mean service, the wait's rate, a waiter's service rate
    tails: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    def rows(self, percentiles: np.ndarray, overhead_s: float, only: Iterable[int] | None = None) -> list[QueueFigures]:
        """QueueFigures per size (``only`` these sizes), given the stable sizes' percentiles (a row per level)."""
        sizes, stable = self.sizes.tolist(), self.stable.tolist()
        wanted = set(only) if only is not None else set(sizes)
        capacity, saturated, utilisation = self.capacity.tolist(), self.saturated.tolist(), self.utilisation.tolist()
        p_wait, wait, mean = self.p_wait.tolist(), self.wait.tolist(), self.mean.tolist()
        p95, p99 = (((percentiles[level] + overhead_s) * 1000).tolist() for level in range(len(PERCENTILES)))
        rows, k = [], 0
        for i, size in enumerate(sizes):
            if size in wanted:
                head = (size, capacity[i], saturated[i], utilisation[i])
                if stable[i]:
                    figures = (p_wait[i], wait[i] * 1000, (mean[i] + overhead_s) * 1000, p95[k], p99[k])
                    rows.append(QueueFigures(*head, True, *figures))
                else:
                    rows.append(QueueFigures(*head, False, None, None, None, None, None))
            k += stable[i]
        return rows


@dataclass(frozen=True)
class QueueModel:
    """The demand, the service rates and what calibration adds: figures for any pool size."""

    demand_tps: float
    rates: ServiceRates
    overhead_s: float = 0.0  # added to every response time (the measured floor)
    stable_below: float = 1.0  # the utilisation at and above which a pool is called unstable

    def figures(self, sizes: Iterable[int]) -> tuple[QueueFigures, ...]:
        """The figures at each pool size (backends per pool; every client, for the direct chain)."""
        chain = self.chain(np.array(sorted(set(sizes)), dtype=np.int64))
        return tuple(chain.rows(response_percentiles(*chain.tails, PERCENTILES), self.overhead_s))

    def chain(self, sizes: np.ndarray) -> _Chain:
        """The chain at each of ``sizes`` (ascending, whole), vectorised over them.

        A pool is stable when the demand is below ``stable_below`` of its capacity and below what its
        backends complete all busy; or, past the curve's peak where they complete less, when the queue is
        not expected to get to where the server falls behind (the first state past the mode with
        mu(n) <= lambda) within TIP_OVER_HORIZON_S (the expected first-passage time of the chain). Its
        figures are then the chain's below that state.
        """
        rates, pools = self.rates, self.rates.pools
        lam = self.demand_tps / pools
        saturated, capacity, _busiest = rates.limits(sizes)
        utilisation = lam / capacity
        stable = utilisation < self.stable_below
        p_wait, wait, mean = (np.full(sizes.size, np.nan) for _ in range(3))
        empty = np.empty(0)
        tails = (empty, empty, empty, empty)
        if stable.any():
            c, mu = sizes[stable], saturated[stable]
            q, lone, falls_behind = self._states(lam, int(c[-1]))
            last = q.size - 1
            below = np.zeros(q.size + 1)  # below[k]: the sum of q(n) for n < k
            np.cumsum(q, out=below[1:])
            below_n = np.zeros(q.size + 1)
            np.cumsum(q * np.arange(q.size), out=below_n[1:])
            keeps_up, reach = mu > lam, c
            if not keeps_up.all():
                # These pools are past the peak and their state falls_behind is within them (keeping up
                # would need mu(c) > lambda): when does the queue get there from the mode? (The expected
                # first-passage time, the sum of below(i + 1) / (lambda q(i)).)
                reach = np.minimum(c, last + 1 if falls_behind is None else falls_behind)
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    steps = below[1:] / (lam * q)
                steps[: int(np.argmax(q))] = 0.0
                passage = np.concatenate(([0.0], np.cumsum(steps)))  # reach is at most last + 1
                keep = keeps_up | (passage[reach] >= TIP_OVER_HORIZON_S)
                stable[stable] = keep
                c, mu, reach, keeps_up = c[keep], mu[keep], reach[keep], keeps_up[keep]
            exact = keeps_up & (c <= last)
            q_c = np.where(exact, q[np.minimum(c, last)], 0.0)
            rho = np.where(exact, lam / mu, 0.0)
            free = 1 - rho
            tail = q_c / free
            cut = np.where(exact, c, np.minimum(reach, last + 1))
            total = below[cut] + tail
            number = below_n[cut] + q_c * (c / free + rho / free**2)
            pw = tail / total
            w = q_c * rho / free**2 / total / lam
            r = number / total / lam
            p_wait[stable], wait[stable], mean[stable] = pw, w, r
            waiter = mu / c  # the per-backend rate with every backend busy: a transaction that waited
            others = np.maximum((r - w - pw / waiter) / np.maximum(1 - pw, 1e-300), 1 / lone)
            tails = (pw, others, np.where(exact, mu - lam, waiter), waiter)  # no wait where nobody waits
        return _Chain(sizes, capacity * pools, saturated * pools, utilisation, stable, p_wait, wait, mean, tails)

    def _states(self, lam: float, top: int) -> tuple[np.ndarray, float, int | None]:
        """q(n) for n = 0..N relative to the largest, mu(1), and where the server falls behind (if it does).

        N is the smallest of: top; the first state past the curve's peak where mu(n) <= lambda (the
        server falls behind there: no pool size's figures look past it); and the first state past the
        mode where q has fallen below TAIL_TOLERANCE (and below what the queue would take
        TIP_OVER_HORIZON_S to reach) and still falls, the states beyond then holding at most
        q(N) r / (1 - r) of the largest, r the largest lambda / mu(n) there.
        """
        offered = lam * self.rates.service_s / self.rates.scale  # in Erlangs: where the mass is while linear
        size = min(top, math.ceil(offered + 12 * math.sqrt(offered) + 64))
        negligible = min(_LOG_TOLERANCE, -math.log(lam * TIP_OVER_HORIZON_S))
        while True:
            mu = self.rates.per_pool(np.arange(1, size + 2))  # one more: the rate just past the last state
            fastest = int(np.argmax(mu))
            behind = np.flatnonzero(mu[fastest:] <= lam)
            if behind.size:  # mu(n) <= lambda from n = fastest + behind[0] + 1 on
                size = fastest + int(behind[0]) + 1
            logq = np.zeros(size + 1)
            np.cumsum(np.log(lam / mu[:size]), out=logq[1:])
            peak = float(logq.max())
            if behind.size or size == top or (mu[size] > lam and logq[-1] - peak < negligible):
                break
            size = min(top, 2 * size)
        return np.exp(logq - peak), float(mu[0]), size if behind.size else None


def response_percentiles(
    p_wait: np.ndarray, others_mean: np.ndarray, wait_rate: np.ndarray, waiter_rate: np.ndarray, levels: Sequence[float]
) -> np.ndarray:
    """The ``levels`` percentiles of R (one row per level), solving P(R > t) = 1 - level for each pool.

    P(R > t) = (1 - P(wait)) exp(-t / others_mean) + P(wait) H(t), H the survival of the sum of two
    exponentials at rates wait_rate and waiter_rate (the wait, then the service), written in logs so
    that nothing underflows. Newton's steps on log P(R > t) stay inside a bracket, halving it whenever a
    step would leave it.
    """
    target = np.log1p(-np.asarray(levels, dtype=float))[:, None]  # one row per level, broadcast over pools
    a, b = np.minimum(wait_rate, waiter_rate), np.maximum(wait_rate, waiter_rate)
    with np.errstate(divide="ignore"):
        log_pw, log_served = np.log(p_wait), np.log1p(-p_wait)
    # There each part of the survival is below the target (a union bound for the two exponentials).
    hi = (math.log(2) - target) * (others_mean + np.where(p_wait > 0, 1 / a + 1 / b, 0.0))
    lo = np.zeros_like(hi)
    t = np.minimum(-target * (others_mean + p_wait * (1 / a + 1 / b)), hi)  # the mean-matched exponential
    constants = (log_pw, log_served, 1 / others_mean, a, b - a, a * b)
    for _ in range(_NEWTON_ROUNDS):
        log_s, slope = _log_survival(t, *constants)
        gap = log_s - target
        above = gap > 0
        lo, hi = np.where(above, t, lo), np.where(above, hi, t)
        step = t - gap / slope
        new = np.where((step >= lo) & (step <= hi), step, (lo + hi) / 2)  # NaN steps fail the test too
        done = np.abs(new - t) <= PERCENTILE_TOLERANCE * new
        t = new
        if done.all():
            break
    return t


def _log_survival(
    t: np.ndarray,
    log_pw: np.ndarray,
    log_served: np.ndarray,
    rate: np.ndarray,
    a: np.ndarray,
    d: np.ndarray,
    ab: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """log P(R > t) and its derivative in t (``rate``: 1 / the others' mean service; a <= b the two
    exponential rates, d = b - a, ab = a b).

    The sum of two exponentials survives t with probability H = exp(-a t) (1 + a t phi(d t)),
    phi(x) = (1 - exp(-x)) / x (1 at 0): no cancellation when a is near b, and d >= 0 keeps expm1 from
    overflowing. d log H / dt = -a b t phi / (1 + a t phi).
    """
    x = d * t
    phi = (_TINY - np.expm1(-x)) / (x + _TINY)  # 1 at x = 0, and x is never negative
    at = a * t
    grow = 1 + at * phi
    first = log_served - t * rate
    log_s = np.logaddexp(first, log_pw - at + np.log(grow))
    share = np.exp(first - log_s)  # of the survival, the part of those that did not wait
    slope = (share - 1) * (ab * t * phi / grow) - share * rate
    return log_s, slope


def _as_objects(rows: tuple[QueueFigures, ...]) -> list[dict[str, object]]:
    return [row.as_json() for row in rows]


Rows = Annotated[tuple[QueueFigures, ...], SkipValidation, PlainSerializer(_as_objects, return_type=list)]
Row = Annotated[QueueFigures, SkipValidation, PlainSerializer(QueueFigures.as_json, return_type=dict)]


class LatencyFigures(BaseModel):
    """The plan's ``latency``: the queue at the demand for each listed pool size, and without a pooler.

    ``pooled_at`` and ``direct_at`` give the same figures at any other sizes (a plot's points).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    demand_tps: float
    service_ms: float  # the transaction time: a lone transaction's service
    capacity_scale: float  # capacity measured through the pooler / the direct one (1 when not measured)
    overhead_ms: float  # added to every response: the measured isolated latency's excess (0 when not measured)
    stable_below: float  # utilisation from which a pool is called unstable
    pools: int  # the demand is split over this many pools; pool sizes are per pool
    by_pool_size: Rows
    at_pool_size: Row  # the plan's pool size
    direct: Row  # every client a backend
    best_pool_size: int | None  # the smallest pool whose p99 is within BEST_WITHIN of the lowest; None: none keeps up
    _pooled: QueueModel = PrivateAttr()
    _direct: QueueModel = PrivateAttr()

    def pooled_at(self, sizes: Iterable[int]) -> tuple[QueueFigures, ...]:
        """The figures at other pool sizes (backends per pool)."""
        return self._pooled.figures(sizes)

    def direct_at(self, clients: Iterable[int]) -> tuple[QueueFigures, ...]:
        """The figures without a pooler at other client counts (every client a backend)."""
        return self._direct.figures(clients)


def unstable_reason(row: QueueFigures, demand_tps: float, stable_below: float) -> str:
    """Why a pool has no latency figures, in words: "unstable: demand 2,000 tps at capacity 2,000 tps"."""
    demand = f"demand {n(demand_tps)} tps"
    if row.utilisation >= 1:
        return f"unstable: {demand} {'at' if row.utilisation == 1 else 'above'} capacity {n(row.capacity_tps)} tps"
    if row.utilisation >= stable_below:
        return (
            f"unstable: {demand} is {percent(round(row.utilisation, 3))} of the measured capacity "
            f"{n(row.capacity_tps)} tps, above the {percent(stable_below)} a measured capacity is trusted to"
        )
    return (
        f"unstable: with all {n(row.pool_size)} backends busy the server completes {n(row.saturated_tps)} tps, "
        f"less than the {demand}, and the queue is expected to get there within a year (the peak is "
        f"{n(row.capacity_tps)} tps)"
    )


def pool_sizes_listed(top: int, include: Iterable[int]) -> list[int]:
    """Readable pool sizes from 1 to ``top`` (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20 ...), with ``include``."""
    readable = _READABLE[: np.searchsorted(_READABLE, top, side="right")].tolist()
    return sorted({*readable, *(size for size in include if 1 <= size <= top), top})


def _readable_sizes(highest: int) -> np.ndarray:
    steps = {round(step * 10**power) for power in range(len(str(highest))) for step in POOL_SIZE_STEPS}
    return np.array(sorted(size for size in steps if (size / 10 ** (len(str(size)) - 1)) in POOL_SIZE_STEPS))


_READABLE = _readable_sizes(100_000)
EVERY_SIZE_UP_TO = 256  # the best pool is searched among every size up to here, then in steps of 1 %
_SEARCH = np.unique(
    np.concatenate((np.arange(1, EVERY_SIZE_UP_TO + 1), np.rint(EVERY_SIZE_UP_TO * 1.01 ** np.arange(1, 1200))))
).astype(np.int64)


def latency(
    scenario: Scenario, shape: Shape | UslShape, fit: UslFit | None, productive: int, pooling: Pooling
) -> tuple[LatencyFigures | None, dict[str, Derivation]]:
    """The ``latency`` section at the scenario's demand, with its derivations by JSON path (None: no demand)."""
    demand = scenario.workload.demand_tps
    if demand is None:
        return None, {}
    txn_ms = scenario.workload.txn_ms
    fitted = fit is not None
    linear_to = 1.0 if fitted else float(productive)
    plain = ServiceRates(txn_ms / 1000, linear_to, shape, fitted=fitted)
    scale, overhead_s, stable_below, derivations = _calibration(scenario.latency_calibration, plain, fit)
    pools = pooling.pools
    rates = ServiceRates(txn_ms / 1000, linear_to, shape, scale, pools, fitted)
    pooled = QueueModel(demand, rates, overhead_s, stable_below)
    direct = QueueModel(demand, plain, overhead_s)
    per_pool_target = math.ceil(productive / pools)
    top = max(2 * per_pool_target, pooling.pool_size)
    listed = pool_sizes_listed(top, (pooling.pool_size, per_pool_target))
    searched = np.union1d(_SEARCH[: np.searchsorted(_SEARCH, top, side="right")], listed)
    clients = max(1, pooling.client_demand)
    # Without calibration and with one pool, the direct chain is the pooled one at another size: solve once.
    shared = rates == plain and stable_below == 1
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
    stable = pooled_chain.stable & (pooled_chain.sizes <= top)
    p99 = (pooled_percentiles[-1, stable[pooled_chain.stable]] + overhead_s) * 1000
    best, best_why = _best(pooled_chain.sizes[stable], p99, pooled)
    by_size = tuple(pooled_chain.rows(pooled_percentiles, overhead_s, {*listed, *([best] if best else [])}))
    at_pool = next(row for row in by_size if row.pool_size == pooling.pool_size)
    direct_row = at_clients.rows(pooled_percentiles if shared else percentiles[:, split:], overhead_s, [clients])[0]
    figures = LatencyFigures(
        demand_tps=demand,
        service_ms=txn_ms,
        capacity_scale=scale,
        overhead_ms=overhead_s * 1000,
        stable_below=stable_below,
        pools=pools,
        by_pool_size=by_size,
        at_pool_size=at_pool,
        direct=direct_row,
        best_pool_size=best,
    )
    figures._pooled, figures._direct = pooled, direct
    derivations |= {
        "latency.demand_tps": given(f"{n(demand)} tps", "demand"),
        "latency.service_ms": given(f"{txn_ms:g} ms", "transaction time"),
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
    derivations |= _row_derivations("latency.at_pool_size", at_pool, pooled, "the plan's pool size")
    derivations |= _row_derivations("latency.direct", direct_row, direct, "every client is a backend")
    return figures, derivations


def _calibration(
    calibration: LatencyCalibration | None, plain: ServiceRates, fit: UslFit | None
) -> tuple[float, float, float, dict[str, Derivation]]:
    """(capacity scale, overhead in seconds, stable_below) from what was measured, with their derivations.

    The measured figures are compared with the direct throughput measured the same way: the fitted curve
    when the scenario carries measurements, else the model's own X(n).
    """
    direct = fit.throughput if fit is not None else plain.tps
    which = "the fitted curve of your measurements" if fit is not None else "the model's, X(n) = n / transaction time"
    pooled = calibration.pooled if calibration is not None else None
    isolated = calibration.isolated_ms if calibration is not None else None
    derivations: dict[str, Derivation] = {}
    scale, stable_below = 1.0, 1.0
    if pooled is None:
        derivations["latency.capacity_scale"] = Derivation(
            formula="capacity scale = 1: no capacity measured through the pooler", calculation="1"
        )
        derivations["latency.stable_below"] = Derivation(
            formula="a pool is stable while the demand is below its capacity", calculation="1", source=FLOW_EQUIVALENT
        )
    else:
        at = float(direct(np.array([float(pooled.pool_size)]))[0])
        scale = pooled.tps / at
        stable_below = 1 - MEASURED_CAPACITY_MARGIN
        derivations["latency.capacity_scale"] = Derivation(
            formula="capacity scale = capacity measured through the pooler / direct throughput at that pool size; "
            "every service rate of the pooled queue is scaled by it",
            calculation=f"{n(pooled.tps)} tps / {_num(at)} tps = {_num(scale, 6)}",
            inputs={"measured through the pooler": f"{n(pooled.tps)} tps at pool size {n(pooled.pool_size)}"},
            source=LATENCY_EXPERIMENT,
            note=f"direct throughput: {which}",
        )
        derivations["latency.stable_below"] = Derivation(
            formula="a measured capacity is trusted up to 1 - margin of itself: a closed-loop measurement through "
            "the pooler overstated what an open (Poisson) load got by up to 13 %",
            calculation=f"1 - {MEASURED_CAPACITY_MARGIN:g} = {stable_below:g}",
            source=LATENCY_EXPERIMENT,
        )
    overhead = 0.0
    if isolated is None:
        derivations["latency.overhead_ms"] = Derivation(
            formula="overhead = 0: no isolated-transaction latency measured", calculation="0"
        )
    else:
        lone = float(direct(np.array([1.0]))[0])
        overhead = max(isolated / 1000 - 1 / (scale * lone), 0.0)
        scaled = f"({_num(scale, 6)} x {_num(lone)} tps)" if pooled is not None else f"{_num(lone)} tps"
        derivations["latency.overhead_ms"] = Derivation(
            formula="overhead = isolated-transaction latency - a lone transaction's service through the pooler, "
            "at least 0; added to every response time, so that with no load the mean response is the isolated "
            "latency (waking a sleeping backend and client, the pooler's hop)",
            calculation=f"max({isolated:g} ms - 1 / {scaled}, 0) = {_num(overhead * 1000)} ms",
            inputs={"isolated-transaction latency": f"{isolated:g} ms"},
            source=LATENCY_EXPERIMENT,
            note=f"a lone transaction's service: {which}",
        )
    return scale, overhead, stable_below, derivations


def _best(sizes: np.ndarray, p99_ms: np.ndarray, model: QueueModel) -> tuple[int | None, Derivation]:
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
        calculation=f"lowest p99 {_num(p99_ms[low])} ms with {n(int(sizes[low]))} backends per pool; "
        f"{n(best)} give {_num(p99_ms[first])} ms",
        inputs={"demand": f"{n(model.demand_tps)} tps"},
        source=f"{HIKARI_POOL_SIZING}; {FLOW_EQUIVALENT}",
    )


def _row_derivations(prefix: str, row: QueueFigures, model: QueueModel, what: str) -> dict[str, Derivation]:
    """How each figure of one pool size was reached, keyed ``<prefix>.<figure>``."""
    rates, demand = model.rates, model.demand_tps
    pools, c = rates.pools, row.pool_size
    busy = pools * c
    s_ms = rates.service_s * 1000
    scaled = rates.scale != 1
    erlang = busy <= rates.linear_to
    curve = (
        "the USL fitted to your measurements, scaled so that one backend alone completes 1 / transaction time"
        if rates.fitted
        else f"busy / transaction time while every backend has a core (up to {n(rates.linear_to)}), the throughput "
        "curve's shape past it"
    ) + (", x capacity scale" if scaled else "")
    best = busy if row.capacity_tps == row.saturated_tps else int(rates.limits(np.array([c]))[2][0]) * pools
    found = {
        "pool_size": Derivation(formula=f"pool size: {what}", calculation=n(c), inputs={"backends": n(c)}),
        "saturated_tps": Derivation(
            formula=f"with all backends busy the server completes X(busy backends): {curve}",
            calculation=_throughput(rates, busy, row.saturated_tps),
            inputs={"busy backends": n(busy), "transaction time": f"{s_ms:g} ms"},
            source=FLOW_EQUIVALENT,
        ),
        "capacity_tps": Derivation(
            formula="capacity = the most the backends complete: X(busy backends) at the pool size, or at the "
            f"curve's peak when the pool is larger; {curve}",
            calculation=_throughput(rates, best, row.capacity_tps),
            inputs={"busy backends": n(best), "transaction time": f"{s_ms:g} ms"},
            source=FLOW_EQUIVALENT,
        ),
        "utilisation": Derivation(
            formula=f"utilisation = demand / capacity; stable below {model.stable_below:g}",
            calculation=f"{n(demand)} / {_num(row.capacity_tps)} = {_num(row.utilisation)}",
            inputs={"demand": f"{n(demand)} tps"},
            source=FLOW_EQUIVALENT,
            note=(
                f"past the curve's peak all {n(c)} backends busy complete only {n(row.saturated_tps)} tps, less than "
                "the demand, but the queue is not expected to get there within a year of Poisson arrivals"
                if row.stable and row.saturated_tps <= demand
                else ""
            ),
        ),
    }
    figures = ("p_wait", "mean_wait_ms", "mean_ms", "p95_ms", "p99_ms")
    if not row.stable:
        reason = unstable_reason(row, demand, model.stable_below)
        none = Derivation(formula="no latency figure: the queue is not stable at this demand", calculation=reason)
        return {f"{prefix}.{key}": d for key, d in found.items()} | {f"{prefix}.{key}": none for key in figures}
    assert row.p_wait is not None and row.mean_wait_ms is not None and row.mean_ms is not None
    lam = demand / pools
    source = ERLANG_C if erlang else FLOW_EQUIVALENT
    per_pool = " per pool" if pools > 1 else ""
    if erlang:
        offered = lam * rates.service_s / rates.scale
        a = f"{n(lam)} tps x {s_ms:g} ms" + (f" / {_num(rates.scale, 6)}" if scaled else "")
        chance = f"a = {a} = {_num(offered)} Erlangs on {n(c)} backends: {_num(row.p_wait)}"
        how = "Erlang C: the chance that all c backends are busy, a = demand x service time"
    else:
        chance = f"all {n(c)} backends busy with probability {_num(row.p_wait)}"
        how = "the chance that all c backends are busy in the birth-death chain with rates mu(n) = X(min(n, c))"
    overhead_ms = model.overhead_s * 1000
    queue = row.mean_wait_ms / 1000 * lam
    service = row.mean_ms - overhead_ms - row.mean_wait_ms
    mean = f"{_num(row.mean_wait_ms)} ms + {_num(service)} ms"
    mean += f" + {_num(overhead_ms)} ms" if overhead_ms else ""
    found |= {
        "p_wait": Derivation(formula=f"P(wait) = {how}", calculation=chance, source=source),
        "mean_wait_ms": Derivation(
            formula=f"mean wait = mean queue / demand{per_pool} (Little's law)",
            calculation=f"{_num(queue)} / {n(lam)} tps = {_num(row.mean_wait_ms)} ms",
            source=source,
        ),
        "mean_ms": Derivation(
            formula="mean response = mean wait + mean service" + (" + overhead" if overhead_ms else ""),
            calculation=f"{mean} = {_num(row.mean_ms)} ms",
            source=source,
            note="mean service = (mean in system - mean queue) / demand (Little's law)",
        ),
    }
    for level, figure in zip(PERCENTILES, ("p95_ms", "p99_ms"), strict=True):
        value = getattr(row, figure)
        text = f"{_num(value - overhead_ms)} ms + {_num(overhead_ms)} ms = {_num(value)} ms" if overhead_ms else ""
        found[figure] = Derivation(
            formula=f"{figure[:3]} = the time t with P(response > t) = {percent(round(1 - level, 2))}: the wait "
            "(exponential at capacity - demand, for those that wait) and then the service (exponential)",
            calculation=text or f"{_num(value)} ms",
            source=source,
            note="counts queueing only: stalls of a shared machine (descheduling, I/O hiccups) make the real tail "
            "longer; in pgplanner's latency experiment the measured p99 was 1.6-16 x this model's",
        )
    return {f"{prefix}.{key}": d for key, d in found.items()}


def _throughput(rates: ServiceRates, busy: int, value: float) -> str:
    """X(busy) with the numbers: busy / s while linear, else the curve's ratio to its last linear point."""
    scaled = f"{_num(rates.scale, 6)} x " if rates.scale != 1 else ""
    s_ms = f"{rates.service_s * 1000:g} ms"
    if busy <= rates.linear_to:
        return f"{scaled}{n(busy)} / {s_ms} = {_num(value)} tps"
    return f"{scaled}{n(rates.linear_to)} / {s_ms} x {_num(rates.ratio(busy), 6)} = {_num(value)} tps"


def _num(value: float, digits: int = 4) -> str:
    """``value`` as printed in an equation: whole numbers exactly, from 1,000 one decimal, else ``digits``
    significant digits (never a whole-looking number for one that is not: "10.0", not "10")."""
    value = float(value)
    if value.is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 1)
    text = f"{value:.{decimals}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text

"""The queue in front of the pool as a birth-death chain (Menascé's flow-equivalent server).

Clients offer ``demand`` transactions per second (Poisson arrivals); a pool of c backends serves them
in arrival order; with n transactions in service the server completes them at mu(n) per second (see
:mod:`.rates`): birth rate lambda = demand, death rate mu(min(n, c)). p(n) is proportional to the
product of lambda / mu(k) for k = 1..n:

- for n >= c every rate is mu(c): the tail is geometric with ratio rho = lambda / mu(c), summed in
  closed form;
- the states below c are enumerated, vectorised, from 0 until past the mode they fall below
  ``TAIL_TOLERANCE`` of the largest and still fall (the rates are unimodal in n, so the states beyond N
  hold at most p(N) r / (1 - r), r the largest lambda / mu past N);
- P(wait) = P(n >= c): an arrival sees the chain's stationary state (PASTA); the mean queue Lq and the
  mean number L give the mean wait Lq / lambda and the mean response L / lambda (Little's law), and
  the mean service (L - Lq) / lambda.

Stable. The capacity of a pool is the most its backends complete: mu(c), or past the curve's peak the
rate at the peak. A pool is stable when the demand is below ``stable_below`` of its capacity (below 1 -
the margin when the capacity was measured) and either below mu(c), or, for a pool larger than the
peak whose backends all busy complete less than the demand, when the queue is not expected to get to
where the server falls behind (the first state past the peak with mu(n) <= lambda) within
``TIP_OVER_HORIZON_S``: the chain's expected first-passage time from its mode, the sum of
P(n <= i) / (lambda p(i)). Its figures are then those of the chain below that state. Without a pooler
every client is a backend (c = clients), which is where this matters: a burst past that state would
never drain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from .percentiles import PERCENTILES, response_percentiles
from .rates import ServiceRates

TAIL_TOLERANCE = 1e-15  # states past the mode are enumerated until they fall below this share of the largest
_LOG_TOLERANCE = math.log(TAIL_TOLERANCE)
# Past the curve's peak a pool whose backends, all busy, complete less than the demand is still called
# stable if the queue is not expected to get there within a year of Poisson arrivals (real bursts come
# sooner: the figures say how often, not that it cannot happen).
TIP_OVER_HORIZON_S = 365 * 24 * 3600.0


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


class _Chain(NamedTuple):
    """The chain's figures for each pool size (per pool; times in seconds; NaN where unstable), and what
    the response-time percentiles of the stable ones are solved from.

    A named tuple, as are the others here: cheaper than a frozen dataclass to create at import and to build on every
    plan().
    """

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


class QueueModel(NamedTuple):
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

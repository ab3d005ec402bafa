"""The service rates of the queue: X(n), what the server completes with n busy backends.

X(n) = n / s while the curve is linear (up to the productive target every backend has a core; s is the
transaction time); past it X(n) = X(k) x curve(n) / curve(k), the curve's own shape from the last
linear point k. With measurements the fitted USL is the curve, scaled so that one backend alone
completes 1 / s (k = 1). With a pool at or below the productive target and nothing measured,
mu(n) = min(n, c) / s: the chain of :mod:`.chain` is then exactly Erlang C's M/M/c.

Several pools (databases x users) share the server: each serves with mu(n) = X(pools x n) / pools, as
if every pool were as busy as this one (exact in the linear region, where pools do not slow each
other down). A capacity measured through the pooler scales every rate (``scale``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from ..throughput import Shape, UslShape


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
        counts = np.minimum(sizes, self._peak_counts[:, None])  # the size itself, then capped either side of the peak
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

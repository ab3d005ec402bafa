"""Every connection busy: the response time of a closed loop (pgbench -c N), as the model sees it.

With N clients that each send their next transaction as soon as the last returns (no think time) and
every client a backend, all N are always in service and the server completes X(N) per second: by
Little's law a transaction takes N / X(N) on average. The model's service is exponential at the
per-backend rate X(N) / N, so the response is exponential: its p-th percentile is the mean x
-ln(1 - p) (x 3.0 for p95, x 4.6 for p99). Measured closed-loop percentiles drawn beside these show
how much longer the real tail is.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .percentiles import PERCENTILES


class ClosedLoop(NamedTuple):
    """Per client count (arrays): throughput and the modelled mean, p95 and p99 response in ms."""

    clients: np.ndarray
    tps: np.ndarray
    mean_ms: np.ndarray
    p95_ms: np.ndarray
    p99_ms: np.ndarray


TAIL_FACTORS = tuple(-math.log(1 - level) for level in PERCENTILES)  # p95, p99 over the mean, exponential


def closed_loop(lam_tps: float, sigma: float, kappa: float, clients: np.ndarray) -> ClosedLoop:
    """The closed loop at each of ``clients`` on the USL X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1))."""
    counts = np.asarray(clients, dtype=float)
    tps = lam_tps * counts / (1 + sigma * (counts - 1) + kappa * counts * (counts - 1))
    mean = counts / tps * 1000
    p95, p99 = (mean * factor for factor in TAIL_FACTORS)
    return ClosedLoop(counts, tps, mean, p95, p99)

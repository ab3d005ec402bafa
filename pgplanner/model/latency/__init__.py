"""Latency: how long a client waits for a backend, and its response time, at the demand it offers.

- :mod:`.rates`: what the server completes with n busy backends, X(n), from the throughput curve;
- :mod:`.chain`: the queue in front of a pool as a birth-death chain (Erlang C's M/M/c up to the
  productive target), its stability and mean figures;
- :mod:`.percentiles`: p95 and p99 of the response time;
- :mod:`.calibration`: what measurements add (the capacity through the pooler, the latency's floor);
- :mod:`.figures`: the plan's ``latency`` section, per pool size and without a pooler, and the best pool;
- :mod:`.closed`: every connection busy (pgbench's closed loop), beside which measured latencies are drawn;
- :mod:`.explain`: each figure's derivation.
"""

from .calibration import ISOLATED_CLIENTS, MEASURED_CAPACITY_MARGIN
from .chain import QueueFigures, QueueModel
from .closed import ClosedLoop, closed_loop
from .explain import unstable_reason
from .figures import BEST_WITHIN, LatencyFigures, latency, pool_sizes_listed
from .percentiles import PERCENTILES

__all__ = [
    "BEST_WITHIN",
    "ISOLATED_CLIENTS",
    "MEASURED_CAPACITY_MARGIN",
    "PERCENTILES",
    "ClosedLoop",
    "LatencyFigures",
    "QueueFigures",
    "QueueModel",
    "closed_loop",
    "latency",
    "pool_sizes_listed",
    "unstable_reason",
]

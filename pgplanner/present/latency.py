"""The latency figures in words: what a client waits at the pool and its response time, at the demand.

One line per pool size (:func:`queue_line`) serves the CLI report, and later the card and the HTML
report; an unstable pool reads "unstable: demand X tps above capacity Y tps" and shows no latency.
"""

from __future__ import annotations

from ..model import Plan
from ..model.derivation import n
from ..model.latency import LatencyFigures, QueueFigures, unstable_reason
from .wrapping import WIDTH, wrap

MODELLED = "modelled queueing only: a busy machine's stalls make the real p99 longer"


def latency_note(latency: LatencyFigures) -> str:
    """What the figures are: the demand, the transaction, what calibrated them, and what they leave out."""
    parts = [f"At {n(latency.demand_tps)} tps of {milliseconds(latency.service_ms)} each"]
    if latency.capacity_scale not in (None, 1):
        parts.append(f"service rates x {latency.capacity_scale:.3g} (the capacity measured through the pooler)")
    if latency.overhead_ms:
        parts.append(f"{milliseconds(latency.overhead_ms)} added to every response (the isolated latency measured)")
    return "; ".join(parts) + f". The figures are {MODELLED}."


def milliseconds(value: float) -> str:
    """A time for people: three significant digits, ``0.805 ms``, ``10.0 ms``, ``2,599 ms``."""
    if value >= 100:
        return f"{n(round(value))} ms"
    return f"{value:#.3g} ms" if value >= 0.001 else "< 0.001 ms"


def share(value: float) -> str:
    """A probability as a percentage people read: ``0.29 %``, ``14 %``, ``< 0.1 %``."""
    if value < 0.001:
        return "< 0.1 %"
    return f"{value * 100:.2g} %"


def queue_line(row: QueueFigures, latency: LatencyFigures) -> str:
    """The figures of one pool size at the demand, or why there are none."""
    if not row.stable:
        return unstable_reason(row, latency.demand_tps, latency.stable_below)
    assert row.mean_ms is not None and row.p99_ms is not None and row.p_wait is not None
    return (
        f"mean {milliseconds(row.mean_ms)}, p99 {milliseconds(row.p99_ms)}; waits {share(row.p_wait)} of the time; "
        f"{share(row.utilisation)} busy"
    )


def latency_section(plan: Plan, width: int = WIDTH) -> str:
    """The plain report's latency paragraph, in lines of at most ``width``; empty without a demand.

    Without a pooler every client is a backend: the direct figures are the whole story, and no pool
    size is named.
    """
    latency = plan.latency
    if latency is None:
        return ""
    direct = f"{n(latency.direct.pool_size)} backends"
    pool = latency.at_pool_size
    if pool is None:
        lines = [f"no pooler, every client a backend ({direct}): {queue_line(latency.direct, latency)}"]
    else:
        count = latency.pools or 1
        if count > 1:
            each = n(latency.demand_tps / count)
            pools = f"{n(count)} pools of {n(pool.pool_size)} ({each} tps each)"
        else:
            pools = f"pool of {n(pool.pool_size)}"
        lines = [
            f"{pools}: {queue_line(pool, latency)}",
            f"without a pooler ({direct}): {queue_line(latency.direct, latency)}",
        ]
        best = latency.best_pool_size
        if best is None:
            lines.append("no pool size keeps up with this demand")
        else:
            row = next(row for row in latency.by_pool_size if row.pool_size == best)
            lines.append(f"best pool for p99, {n(best)}: {queue_line(row, latency)}")
    lines.append(f"({MODELLED})")
    wrapped = [f"Latency at {n(latency.demand_tps)} tps of {latency.service_ms:g} ms each"]
    for line in lines:
        wrapped += wrap(line, "  ", "      ", width)
    return "\n".join(wrapped)

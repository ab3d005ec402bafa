"""How each latency figure was reached, in words built from the same numbers: the derivations of a pool
size's figures, why a pool has none (unstable), and numbers as printed in an equation."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np

from ..derivation import Derivation, n, percent
from ..sources import ERLANG_C, FLOW_EQUIVALENT
from .chain import QueueFigures, QueueModel
from .percentiles import PERCENTILES
from .rates import ServiceRates

LATENCY_FIGURES = ("p_wait", "mean_wait_ms", "mean_ms", "p95_ms", "p99_ms")  # none when the queue is unstable


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


ROW_FIGURES = ("pool_size", "saturated_tps", "capacity_tps", "utilisation", *LATENCY_FIGURES)


def row_derivations(prefix: str, row: QueueFigures, model: QueueModel, what: str) -> dict[str, Derivation]:
    """How each figure of one pool size was reached, keyed ``<prefix>.<figure>``.

    Written when one of them is first read (all at once: they share their numbers): plan() runs on every
    slider tick with a demand, and these take a third of its latency section to write.
    """
    written = functools.cache(lambda: _row_derivations(row, model, what))
    return {f"{prefix}.{key}": Derivation.later(_part, written, key) for key in ROW_FIGURES}


def _part(written: Callable[[], dict[str, Derivation]], key: str) -> Derivation:
    return written()[key]


def _row_derivations(row: QueueFigures, model: QueueModel, what: str) -> dict[str, Derivation]:
    """Each figure's derivation of one pool size, by figure (the keys of ROW_FIGURES, in that order)."""
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
            calculation=f"{n(demand)} / {number(row.capacity_tps)} = {number(row.utilisation)}",
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
    if not row.stable:
        reason = unstable_reason(row, demand, model.stable_below)
        none = Derivation(formula="no latency figure: the queue is not stable at this demand", calculation=reason)
        return found | dict.fromkeys(LATENCY_FIGURES, none)
    assert row.p_wait is not None and row.mean_wait_ms is not None and row.mean_ms is not None
    lam = demand / pools
    source = ERLANG_C if erlang else FLOW_EQUIVALENT
    per_pool = " per pool" if pools > 1 else ""
    if erlang:
        offered = lam * rates.service_s / rates.scale
        a = f"{n(lam)} tps x {s_ms:g} ms" + (f" / {number(rates.scale, 6)}" if scaled else "")
        chance = f"a = {a} = {number(offered)} Erlangs on {n(c)} backends: {number(row.p_wait)}"
        how = "Erlang C: the chance that all c backends are busy, a = demand x service time"
    else:
        chance = f"all {n(c)} backends busy with probability {number(row.p_wait)}"
        how = "the chance that all c backends are busy in the birth-death chain with rates mu(n) = X(min(n, c))"
    overhead_ms = model.overhead_s * 1000
    queue = row.mean_wait_ms / 1000 * lam
    service = row.mean_ms - overhead_ms - row.mean_wait_ms
    mean = f"{number(row.mean_wait_ms)} ms + {number(service)} ms"
    mean += f" + {number(overhead_ms)} ms" if overhead_ms else ""
    found |= {
        "p_wait": Derivation(formula=f"P(wait) = {how}", calculation=chance, source=source),
        "mean_wait_ms": Derivation(
            formula=f"mean wait = mean queue / demand{per_pool} (Little's law)",
            calculation=f"{number(queue)} / {n(lam)} tps = {number(row.mean_wait_ms)} ms",
            source=source,
        ),
        "mean_ms": Derivation(
            formula="mean response = mean wait + mean service" + (" + overhead" if overhead_ms else ""),
            calculation=f"{mean} = {number(row.mean_ms)} ms",
            source=source,
            note="mean service = (mean in system - mean queue) / demand (Little's law)",
        ),
    }
    for level, figure in zip(PERCENTILES, ("p95_ms", "p99_ms"), strict=True):
        value = getattr(row, figure)
        text = (
            f"{number(value - overhead_ms)} ms + {number(overhead_ms)} ms = {number(value)} ms" if overhead_ms else ""
        )
        found[figure] = Derivation(
            formula=f"{figure[:3]} = the time t with P(response > t) = {percent(round(1 - level, 2))}: the wait "
            "(exponential at capacity - demand, for those that wait) and then the service (exponential)",
            calculation=text or f"{number(value)} ms",
            source=source,
            note="counts queueing only: stalls of a shared machine (descheduling, I/O hiccups) make the real tail "
            "longer; in pgplanner's latency experiment the measured p99 was 1.6-16 x this model's",
        )
    return found


def _throughput(rates: ServiceRates, busy: int, value: float) -> str:
    """X(busy) with the numbers: busy / s while linear, else the curve's ratio to its last linear point."""
    scaled = f"{number(rates.scale, 6)} x " if rates.scale != 1 else ""
    s_ms = f"{rates.service_s * 1000:g} ms"
    if busy <= rates.linear_to:
        return f"{scaled}{n(busy)} / {s_ms} = {number(value)} tps"
    return f"{scaled}{n(rates.linear_to)} / {s_ms} x {number(rates.ratio(busy), 6)} = {number(value)} tps"


def number(value: float, digits: int = 4) -> str:
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

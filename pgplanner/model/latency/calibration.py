"""What measurements add to the queue: the capacity through the pooler and the latency's floor.

A capacity measured through the pooler (a saturated closed loop at a pool size) scales every service
rate of the pooled chain by ``capacity scale`` = measured / the direct throughput at that pool size,
measured the same way (the fitted curve of the measurements, else the model's own X(n)). A measured
capacity is trusted up to ``1 - MEASURED_CAPACITY_MARGIN`` of itself.

The isolated-transaction latency (the mean of a short open-loop run at a low rate, ``isolated_tps``)
sets the floor of every response time: the overhead, isolated latency - the mean the model gives for
that run (its queue at that rate, served as the measured transaction is), is added to each response.
It is what the closed loop never shows: waking a sleeping backend and client, the pooler's hop, the
load generator's own timer.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..derivation import Derivation, n
from ..scenario import LatencyCalibration
from ..sources import FLOW_EQUIVALENT, LATENCY_EXPERIMENT
from ..throughput import UslFit
from .chain import QueueModel
from .explain import number
from .rates import ServiceRates

# A capacity measured closed-loop through the pooler overstates what an open (Poisson) load gets: in the
# latency experiment a pool of 4 measured 14,431 tps closed-loop but fell behind at 12,788 tps (it served
# 12,566-12,652 tps overloaded, 13 % less), and repeated identical runs differed by 16-23 %.
MEASURED_CAPACITY_MARGIN = 0.15
# The low-rate run of `pgplanner measure --isolated` uses this many pgbench clients (so that pgbench itself
# never queues a transaction); without a pooler they are that many backends.
ISOLATED_CLIENTS = 32


class Calibration(NamedTuple):
    """What the measurements add to the pooled chain. A named tuple: cheaper than a frozen dataclass to create at import
    and to build on every plan()."""

    rates: ServiceRates  # the pooled chain's rates, scaled to the measured capacity
    overhead_s: float
    stable_below: float
    derivations: dict[str, Derivation]


def calibrate(
    calibration: LatencyCalibration | None, rates: ServiceRates, fit: UslFit | None, pooled: bool
) -> Calibration:
    """The pooled chain's rates, the overhead and the stable limit from what was measured, with derivations.

    ``rates`` are the pooled chain's before calibration. Without a pooler the pooled capacity is left
    out (there is no pool to scale).
    """
    direct = fit.throughput if fit is not None else rates.tps
    which = "the fitted curve of your measurements" if fit is not None else "the model's, X(n) = n / transaction time"
    capacity = calibration.pooled if calibration is not None and pooled else None
    isolated = calibration.isolated_ms if calibration is not None else None
    derivations: dict[str, Derivation] = {}
    scale, stable_below = 1.0, 1.0
    if not pooled:  # no pool to scale: the backends keep up while the demand is below what they complete
        derivations["latency.stable_below"] = Derivation(
            formula="the backends keep up while the demand is below their capacity",
            calculation="1",
            source=FLOW_EQUIVALENT,
        )
    elif capacity is None:
        derivations["latency.capacity_scale"] = Derivation(
            formula="capacity scale = 1: no capacity measured through the pooler", calculation="1"
        )
        derivations["latency.stable_below"] = Derivation(
            formula="a pool is stable while the demand is below its capacity", calculation="1", source=FLOW_EQUIVALENT
        )
    else:
        at = float(direct(np.array([float(capacity.pool_size)]))[0])
        scale = capacity.tps / at
        stable_below = 1 - MEASURED_CAPACITY_MARGIN
        derivations["latency.capacity_scale"] = Derivation(
            formula="capacity scale = capacity measured through the pooler / direct throughput at that pool size; "
            "every service rate of the pooled queue is scaled by it",
            calculation=f"{n(capacity.tps)} tps / {number(at)} tps = {number(scale, 6)}",
            inputs={"measured through the pooler": f"{n(capacity.tps)} tps at pool size {n(capacity.pool_size)}"},
            source=LATENCY_EXPERIMENT,
            note=f"direct throughput: {which}",
        )
        derivations["latency.stable_below"] = Derivation(
            formula="a measured capacity is trusted up to 1 - margin of itself: a closed-loop measurement through "
            "the pooler overstated what an open (Poisson) load got by up to 13 %",
            calculation=f"1 - {MEASURED_CAPACITY_MARGIN:g} = {stable_below:g}",
            source=LATENCY_EXPERIMENT,
        )
    scaled = ServiceRates(rates.service_s, rates.linear_to, rates.shape, scale, rates.pools, rates.fitted)
    overhead = 0.0
    if isolated is None or calibration is None:
        derivations["latency.overhead_ms"] = Derivation(
            formula="overhead = 0: no isolated-transaction latency measured", calculation="0"
        )
    else:
        lone = float(direct(np.array([1.0]))[0])
        overhead, derivations["latency.overhead_ms"] = _overhead(calibration, lone, scaled, scale, which)
    return Calibration(scaled, overhead, stable_below, derivations)


def _overhead(
    calibration: LatencyCalibration, lone_tps: float, rates: ServiceRates, scale: float, which: str
) -> tuple[float, Derivation]:
    """The isolated latency's excess over what the model gives for the run that measured it, in seconds."""
    isolated = calibration.isolated_ms
    assert isolated is not None, "only a measured isolated latency has an excess"
    through = "through the pooler" if calibration.pooled is not None else "straight to PostgreSQL"
    rate = calibration.isolated_tps
    if rate is None:  # a lone transaction: its service alone
        modelled = 1 / (scale * lone_tps)
        shown = f"1 / ({number(scale, 6)} x {number(lone_tps)} tps)" if scale != 1 else f"1 / {number(lone_tps)} tps"
        calculation = f"max({isolated:g} ms - {shown}, 0)"
        what = "a lone transaction's service " + through
    else:
        # The run as the model sees it: the measured transaction (one backend alone completes lone_tps), at
        # the run's rate, on the backends that served it.
        backends = calibration.pooled.pool_size if calibration.pooled is not None else ISOLATED_CLIENTS
        run = ServiceRates(1 / lone_tps, rates.linear_to, rates.shape, scale, 1, rates.fitted)
        row = QueueModel(rate, run).figures([backends])[0]
        modelled = (row.mean_ms if row.mean_ms is not None else 1000 / (scale * lone_tps)) / 1000
        calculation = f"max({isolated:g} ms - {number(modelled * 1000)} ms, 0)"
        what = f"the modelled mean response of that run ({n(rate)} tps on {n(backends)} backends {through})"
    overhead = max(isolated / 1000 - modelled, 0.0)
    return overhead, Derivation(
        formula=f"overhead = isolated-transaction latency - {what}, at least 0; added to every response time, so "
        "that at that load the mean response is the measured one (waking a sleeping backend and client, the "
        "pooler's hop)",
        calculation=f"{calculation} = {number(overhead * 1000)} ms",
        inputs={"isolated-transaction latency": f"{isolated:g} ms"}
        | ({"its rate": f"{n(rate)} tps"} if rate is not None else {}),
        source=LATENCY_EXPERIMENT,
        note=f"the measured transaction's service: {which}",
    )

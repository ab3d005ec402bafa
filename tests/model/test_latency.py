"""The queue in front of the pool: Erlang C below the productive target, the general chain past it,
stability, the best pool size, and the calibrated model against a real PgBouncer experiment.

Expected values come from outside pgplanner.model.latency: Erlang C's closed form and the M/M/c
response-time distribution written out here, a brute-force birth-death chain, an event-by-event
simulation, hand calculations, and the measurements of reference/latency_experiment.md.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import pytest

from pgplanner.model import Measurement, Scenario, plan
from pgplanner.model.latency import QueueFigures, closed_loop, unstable_reason
from pgplanner.model.scenario import LatencyCalibration, PooledCapacity
from pgplanner.present.latency import latency_section
from pgplanner.present.plain import render_report

from ..cli.runner import run

# --- independent references -------------------------------------------------------------------------


def erlang_c(c: int, a: float) -> float:
    """Erlang C's chance of waiting, from its closed form: (a^c / c!) c / (c - a) over the same plus the
    sum of a^k / k! for k < c (in logs, so that large c does not overflow)."""
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(c + 1)]
    top = max(logs)
    last = math.exp(logs[c] - top) * c / (c - a)
    return last / (sum(math.exp(x - top) for x in logs[:c]) + last)


def mmc_survival(t: float, c: int, lam: float, mu: float, waits: float) -> float:
    """P(W + S > t) in M/M/c FCFS: W is 0 with probability 1 - C (``waits`` is C), else exponential at
    c mu - lambda; S is exponential at mu, independent of W."""
    theta = c * mu - lam
    if abs(theta - mu) < 1e-12 * mu:
        queued = (1 + mu * t) * math.exp(-mu * t)
    else:
        queued = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    return (1 - waits) * math.exp(-mu * t) + waits * queued


def percentile(survival, level: float, hi: float) -> float:
    """The t with survival(t) = 1 - level, by bisection."""
    lo = 0.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if survival(mid) > 1 - level else (lo, mid)
    return (lo + hi) / 2


def mmc(c: int, demand: float, service_ms: float) -> dict[str, float]:
    """Erlang C's figures in milliseconds."""
    mu, lam = 1000 / service_ms, demand
    waits = erlang_c(c, lam / mu)
    wait_s = waits / (c * mu - lam)
    tail = 100 * (service_ms / 1000 + 1 / (c * mu - lam))
    return {
        "p_wait": waits,
        "mean_wait_ms": wait_s * 1000,
        "mean_ms": (wait_s + 1 / mu) * 1000,
        "p95_ms": percentile(lambda t: mmc_survival(t, c, lam, mu, waits), 0.95, tail) * 1000,
        "p99_ms": percentile(lambda t: mmc_survival(t, c, lam, mu, waits), 0.99, tail) * 1000,
    }


def latency_at(**inputs: object) -> QueueFigures:
    result = plan(Scenario().with_changes(**inputs))
    assert result.latency is not None
    return result.latency.at_pool_size


# --- the worked example ---------------------------------------------------------------------

EXAMPLE = {"cores": 16, "txn_ms": 10, "demand_tps": 2000}  # 16 cores on SSD: productive target 16 x 2 + 2 = 34


def test_twenty_backends_cannot_serve_twenty_erlangs():
    """2,000 tps x 10 ms = 20 Erlangs; 20 backends complete at most 20 / 10 ms = 2,000 tps: no steady state."""
    row = latency_at(**EXAMPLE, pool_size=20)
    assert row.capacity_tps == 2000 and row.utilisation == 1
    assert not row.stable
    assert (row.p_wait, row.mean_wait_ms, row.mean_ms, row.p95_ms, row.p99_ms) == (None,) * 5
    report = render_report(plan(Scenario().with_changes(**EXAMPLE, pool_size=20)))
    assert "pool of 20: unstable: demand 2,000 tps at capacity 2,000 tps" in report


def test_thirty_four_backends_at_twenty_erlangs_by_hand():
    """c = 34, a = 20: Erlang C = 0.00291 (the closed form); the wait, when there is one, is exponential at
    34 / 10 ms - 2,000 tps = 1,400 per second: mean wait 0.00291 / 1,400 s = 0.00208 ms; mean response
    10 + 0.00208 = 10.002 ms; p99 46.05 ms, a hair above the service's own 10 ms x ln 100 = 46.05 ms."""
    row = latency_at(**EXAMPLE, pool_size=34)
    assert row.stable and row.capacity_tps == 3400
    assert row.utilisation == pytest.approx(20 / 34)
    assert row.p_wait == pytest.approx(0.00291, abs=5e-6)
    assert row.mean_wait_ms == pytest.approx(0.00291 / 1400 * 1000, rel=2e-3)
    assert row.mean_ms == pytest.approx(10.002, abs=5e-4)
    assert row.p99_ms == pytest.approx(10 * math.log(100), rel=1e-3)
    assert row.p99_ms > 10 * math.log(100)
    expected = mmc(34, 2000, 10)
    for figure, value in expected.items():
        assert getattr(row, figure) == pytest.approx(value, rel=1e-6), figure


def test_a_hundred_backends_wait_for_nothing_and_gain_nothing():
    """At 20 Erlangs more than 34 transactions are rarely in service, so 100 backends change almost nothing:
    no wait worth the name, mean 10 ms, p99 that of the service alone, 10 ms x ln 100 = 46.05 ms."""
    row = latency_at(**EXAMPLE, pool_size=100)
    assert row.stable and row.p_wait is not None and row.p_wait < 1e-12
    assert row.mean_ms == pytest.approx(10, rel=1e-3)
    assert row.p99_ms == pytest.approx(10 * math.log(100), rel=1e-3)


def test_the_best_pool_for_twenty_erlangs_is_the_smallest_within_one_percent_of_the_lowest_p99():
    """Erlang C's p99 falls as backends are added; past the productive target (34) the backends slow each
    other, so the lowest p99 is at 34. The smallest pool within 1 % of it, by the closed form: 26."""
    lowest = mmc(34, 2000, 10)["p99_ms"]
    by_hand = next(c for c in range(21, 35) if mmc(c, 2000, 10)["p99_ms"] <= 1.01 * lowest)
    assert by_hand == 26
    result = plan(Scenario().with_changes(**EXAMPLE))
    assert result.latency is not None and result.latency.best_pool_size == by_hand
    beyond = result.latency.pooled_at(range(35, 69))
    assert all(row.p99_ms is not None and row.p99_ms >= lowest for row in beyond)


# --- Erlang C where the model must be exactly it ----------------------------------------------------

ERLANG_CASES = {
    # (inputs, pool size, demand): the pool at or below the productive target, nothing measured
    "c=10, a=8": ({"cores": 4, "txn_ms": 20}, 10, 400),
    "c=34, a=30": ({"cores": 16, "txn_ms": 10}, 34, 3000),
    "c=34, rho 0.997": ({"cores": 16, "txn_ms": 10}, 34, 3390),
    "c=3, a=0.02": ({"cores": 4, "txn_ms": 20}, 3, 1),
    "c=130, a=100": ({"cores": 64, "txn_ms": 5}, 130, 20000),
    # 1.5 M tps would take 30 PgBouncer processes, each with a pool of its own: PgCat keeps it one pool
    "c=2050, a=1500": ({"cores": 1024, "txn_ms": 1, "pooler": "pgcat"}, 2050, 1_500_000),
    "c=1, a=0.5": ({"cores": 2, "txn_ms": 50}, 1, 10),
}


@pytest.mark.parametrize("case", sorted(ERLANG_CASES))
def test_at_or_below_the_productive_target_it_is_erlang_c(case):
    inputs, pool_size, demand = ERLANG_CASES[case]
    row = latency_at(**inputs, pool_size=pool_size, demand_tps=demand)
    expected = mmc(pool_size, demand, inputs["txn_ms"])
    for figure, value in expected.items():
        assert getattr(row, figure) == pytest.approx(value, rel=1e-6, abs=1e-12), figure


def test_the_published_m_m_10_check():
    """reference/latency_experiment.md section 2 checked its chain against Erlang C with c = 10, A = 8 and
    service time 1 s: P(wait) 0.4092, W = 1.2046 s, exact M/M/c p99 4.946 s. Here the service is 20 ms."""
    row = latency_at(cores=4, txn_ms=20, pool_size=10, demand_tps=400)
    assert row.p_wait == pytest.approx(0.4092, abs=5e-5)
    assert row.mean_ms == pytest.approx(1.2046 * 20, abs=0.0005 * 20)
    assert row.p99_ms == pytest.approx(4.946 * 20, abs=0.0005 * 20)


def test_several_pools_split_the_demand():
    """2 databases: two pools of 17, each at 1,000 tps: each is M/M/17 with a = 10."""
    row = latency_at(cores=16, txn_ms=10, demand_tps=2000, databases=2)
    assert row.pool_size == 17
    for figure, value in mmc(17, 1000, 10).items():
        assert getattr(row, figure) == pytest.approx(value, rel=1e-6), figure


# --- the general chain past the productive target ---------------------------------------------------

MEASURED = ((1, 900), (4, 3300), (8, 5200), (16, 6100), (32, 5400), (64, 4100))


def usl_rates(result, service_ms: float):
    """The fitted USL, X(n) = lambda n / (1 + sigma (n - 1) + kappa n (n - 1)), written out here, scaled so
    that one backend alone completes 1 / service time."""
    t = result.throughput
    sigma, kappa = t.sigma, t.kappa

    def rate(n: int) -> float:
        return n / (1 + sigma * (n - 1) + kappa * n * (n - 1)) * 1000 / service_ms

    return rate


def brute_force(lam: float, c: int, rate, states: int) -> tuple[float, float, float]:
    """P(wait), mean wait and mean response (ms) of the birth-death chain on states 0..states - 1,
    summed state by state."""
    p, weights = 1.0, [1.0]
    for k in range(1, states):
        p *= lam / rate(min(k, c))
        weights.append(p)
    total = sum(weights)
    waiting = sum(w for k, w in enumerate(weights) if k >= c) / total
    queue = sum((k - c) * w for k, w in enumerate(weights) if k > c) / total
    number = sum(k * w for k, w in enumerate(weights)) / total
    return waiting, queue / lam * 1000, number / lam * 1000


def years_to_reach(lam: float, rate, state: int) -> float:
    """The expected time (years) for the chain to first reach ``state`` from its most likely state:
    the sum over i of P(n <= i) / (lambda p(i)), p proportional to the product of lambda / rate(k)."""
    weights, p = [1.0], 1.0
    for k in range(1, state):
        p *= lam / rate(k)
        weights.append(p)
    mode = max(range(state), key=weights.__getitem__)
    seconds = sum(sum(weights[: i + 1]) / (lam * weights[i]) for i in range(mode, state))
    return seconds / (365 * 24 * 3600)


PAST_THE_TARGET = [(4, 3000), (8, 5000), (12, 5300), (48, 4500), (300, 3000), (300, 4000)]  # (pool size, demand)


@pytest.mark.parametrize(("pool_size", "demand"), PAST_THE_TARGET)
def test_past_the_target_the_chain_follows_the_measured_curve(pool_size, demand):
    """A curve measured to peak near 20 clients and fall past it. Where every backend of the pool, busy,
    completes more than the demand, the figures are the chain's. Past the peak, where they complete less
    (300 backends: 1,085 tps against 3,000), the pool is stable only if the queue would take more than a
    year to reach the first state where the server falls behind, and its figures are the chain's below
    that state."""
    scenario = Scenario().with_changes(cores=4, txn_ms=1, pool_size=pool_size, demand_tps=demand)
    measured = tuple(Measurement(connections=c, tps=t) for c, t in MEASURED)
    result = plan(scenario.model_copy(update={"measurements": measured}))
    assert result.latency is not None
    row = result.latency.at_pool_size
    rate = usl_rates(result, 1)
    states = 20_000
    if demand >= rate(pool_size):
        peak = max(range(1, pool_size + 1), key=rate)
        behind = next(k for k in range(peak, pool_size + 1) if rate(k) <= demand)
        assert row.stable == (years_to_reach(demand, rate, behind) > 1)
        states = behind
    if row.stable:
        waiting, wait_ms, mean_ms = brute_force(demand, pool_size, rate, states)
        assert row.p_wait == pytest.approx(waiting, rel=1e-9, abs=1e-14)
        assert row.mean_wait_ms == pytest.approx(wait_ms, rel=1e-9, abs=1e-14)
        assert row.mean_ms == pytest.approx(mean_ms, rel=1e-9)


def simulate(lam: float, c: int, rate, arrivals: int, seed: int) -> np.ndarray:
    """Response times (s) of FCFS arrivals to c backends, event by event: with k in service the server
    completes at rate(k) and the one that completes is any of the k alike (exponential service)."""
    rng = np.random.default_rng(seed)
    rates = [0.0] + [rate(k) for k in range(1, c + 1)]
    draws, picks = rng.exponential(size=3 * arrivals), rng.random(size=3 * arrivals)
    now, arrived, i = 0.0, 0, 0
    serving: list[float] = []  # arrival times of the transactions in service
    queue: deque[float] = deque()
    done: list[float] = []
    while arrived < arrivals:
        busy = len(serving)
        total = lam + rates[busy]
        now += draws[i] / total
        if picks[i] * total < lam:
            arrived += 1
            (serving.append if busy < c else queue.append)(now)
        else:
            j = int((picks[i] * total - lam) / rates[busy] * busy)  # the rest of the draw, uniform over them
            done.append(now - serving[j])
            serving[j] = serving[-1]
            serving.pop()
            if queue:
                serving.append(queue.popleft())
        i += 1
    return np.array(done[len(done) // 100 :])


def test_past_the_peak_the_percentiles_match_a_simulation():
    """No pooler, 12 clients on a server whose throughput peaks at 5 busy backends (1 core + 2 for the
    SSD = 4; the peak 25 % past it) and falls after: at 330 tps it is 89 % busy and transactions are served
    slower when many run. The approximation for the service of those who waited is checked against an
    event-by-event simulation of the same chain (the default curve written out: a ramp to 4, then the USL
    envelope x (2 + 8) / (1 + 8 x + x^2) of x = n / 5, joined at 4)."""
    s = 0.010

    def envelope(n: float) -> float:
        x = n / 5
        return x * 10 / (1 + 8 * x + x * x)

    def rate(n: int) -> float:
        return n / s if n <= 4 else 4 / s * envelope(n) / envelope(4)

    result = plan(Scenario().with_changes(cores=1, txn_ms=10, demand_tps=330, pooler="none", clients=12))
    assert result.latency is not None
    row = result.latency.direct
    assert row.pool_size == 12 and row.stable
    assert row.saturated_tps == pytest.approx(rate(12), rel=1e-9)
    times = simulate(330, 12, rate, 120_000, seed=7) * 1000
    assert row.mean_ms == pytest.approx(times.mean(), rel=0.05)
    assert row.p95_ms == pytest.approx(np.percentile(times, 95), rel=0.05)
    assert row.p99_ms == pytest.approx(np.percentile(times, 99), rel=0.08)


def test_without_a_pooler_p99_grows_past_the_peak():
    """3,000 tps of 10 ms on 16 cores (30 Erlangs): a pool of 34 waits often (38 %) but serves at full
    speed; 60 to 120 backends hardly wait, yet each transaction runs slower on the crowded server, and
    p99 is higher. 200 direct backends complete only 2,645 tps all busy, and at 3,000 tps the queue gets
    there: no steady state."""
    result = plan(Scenario().with_changes(cores=16, txn_ms=10, demand_tps=3000, clients=200))
    assert result.latency is not None
    pooled = result.latency.at_pool_size
    assert pooled.pool_size == 34 and pooled.stable and pooled.p99_ms is not None
    crowded = result.latency.direct_at([60, 80, 120])
    assert all(row.stable and row.p99_ms is not None and row.p99_ms > pooled.p99_ms * 1.05 for row in crowded)
    direct = result.latency.direct
    assert direct.pool_size == 200 and not direct.stable
    assert direct.saturated_tps == pytest.approx(2645, abs=1) and direct.utilisation < 1
    assert unstable_reason(direct, 3000, 1).startswith("unstable: with all 200 backends busy the server completes")


def test_past_the_peak_direct_backends_are_stable_until_the_queue_would_get_there():
    """4 cores (productive target 10, peak 12.5), 200 direct clients of 20 ms: all 200 busy complete only
    about 209 tps. At 300 tps (6 Erlangs) the queue would need more than 100 transactions at once to fall
    behind, which Poisson arrivals all but never bring: stable, with a p99 a little above the pool's. At
    450 tps it gets there: unstable, though the pool of 10 still keeps up."""
    calm = plan(Scenario().with_changes(demand_tps=300)).latency
    assert calm is not None
    assert calm.direct.stable and calm.direct.saturated_tps < 300 < calm.direct.capacity_tps
    assert calm.direct.p99_ms is not None and calm.at_pool_size.p99_ms is not None
    assert calm.direct.p99_ms > calm.at_pool_size.p99_ms
    busy = plan(Scenario().with_changes(demand_tps=450)).latency
    assert busy is not None
    assert busy.at_pool_size.stable and not busy.direct.stable
    assert "the queue is expected to get there within a year" in unstable_reason(busy.direct, 450, 1)


def test_a_million_clients_at_a_trickle():
    """The chain is enumerated only where it has mass: a million direct backends at 10 tps is one
    transaction in service now and then, served in the transaction time."""
    result = plan(Scenario().with_changes(pooler="none", clients=1_000_000, app_instances=0, demand_tps=10))
    assert result.latency is not None
    row = result.latency.direct
    assert row.pool_size == 1_000_000 and row.stable
    assert row.mean_ms == pytest.approx(20, rel=1e-9)
    assert row.p99_ms == pytest.approx(20 * math.log(100), rel=1e-6)


# --- stability --------------------------------------------------------------------------------------


@pytest.mark.parametrize("demand", [2000, 2000.5, 5000])
def test_at_or_above_capacity_no_latency_is_given(demand):
    row = latency_at(cores=16, txn_ms=10, pool_size=20, demand_tps=demand)
    assert not row.stable
    assert row.p99_ms is None and row.mean_ms is None


def test_just_below_capacity_the_figures_are_finite_and_large():
    row = latency_at(cores=16, txn_ms=10, pool_size=20, demand_tps=1990)
    assert row.stable and row.mean_ms is not None and row.p99_ms is not None
    assert row.mean_ms > 20 and row.p99_ms > row.mean_ms


def test_unstable_figures_are_null_in_json():
    document = run("plan", "--json", "--cores", "16", "--txn-ms", "10", "--demand-tps", "2000", "--pool-size", "20")
    latency = document.json()["latency"]
    at = latency["at_pool_size"]
    assert at["stable"] is False
    assert [at[key] for key in ("p_wait", "mean_wait_ms", "mean_ms", "p95_ms", "p99_ms")] == [None] * 5
    why = document.json()["derivations"]["latency.at_pool_size.p99_ms"]["calculation"]
    assert why == "unstable: demand 2,000 tps at capacity 2,000 tps"


# --- the JSON contract and the command line ---------------------------------------------------------

ROW_KEYS = {"pool_size", "utilisation", "p_wait", "mean_wait_ms", "mean_ms", "p95_ms", "p99_ms", "stable"}


def test_json_contract():
    document = run("plan", "--json", "--cores", "16", "--txn-ms", "10", "--demand-tps", "2000").json()
    latency = document["latency"]
    assert latency.keys() >= {"demand_tps", "service_ms", "by_pool_size", "direct", "best_pool_size"}
    assert (latency["demand_tps"], latency["service_ms"]) == (2000, 10)
    sizes = [row["pool_size"] for row in latency["by_pool_size"]]
    assert sizes == sorted(sizes) and sizes[0] == 1 and sizes[-1] == 68  # up to 2 x the productive target
    assert {34, latency["best_pool_size"]} <= set(sizes)
    assert {1, 2, 5, 10, 20, 50} <= set(sizes)
    for row in [*latency["by_pool_size"], latency["direct"], latency["at_pool_size"]]:
        assert row.keys() >= ROW_KEYS
    assert latency["direct"]["pool_size"] == 200  # 10 app instances x 20
    for path in ("latency.best_pool_size", "latency.at_pool_size.p99_ms", "latency.direct.mean_ms"):
        assert document["derivations"][path]["calculation"], path
    assert "counts queueing only" in document["derivations"]["latency.at_pool_size.p99_ms"]["note"]


def test_no_demand_no_latency():
    document = run("plan", "--json").json()
    assert document["latency"] is None
    assert not any(path.startswith("latency") for path in document["derivations"])
    assert "Latency at" not in run("plan").stdout


def test_the_option_comes_from_the_model():
    helped = run("plan", "--help").stdout
    assert "--demand-tps TPS" in helped
    bad = run("plan", "--demand-tps", "0")
    assert bad.status == 2
    assert bad.stderr.startswith("pgplanner: --demand-tps:")
    assert "0.01" in bad.stderr


def test_the_report_says_it_counts_queueing_only():
    text = latency_section(plan(Scenario().with_changes(**EXAMPLE)))
    assert text.splitlines()[:2] == [
        "Latency at 2,000 tps of 10 ms each",
        "  pool of 34: mean 10.0 ms, p99 46.1 ms; waits 0.29 % of the time; 59 % busy",
    ]
    assert "queueing only" in text


def test_other_sizes_on_request_match_the_listed_ones():
    """What a plot asks for (pooled_at, direct_at) is the same computation as the listed rows."""
    result = plan(Scenario().with_changes(**EXAMPLE))
    assert result.latency is not None
    listed = {row.pool_size: row for row in result.latency.by_pool_size}
    for row in result.latency.pooled_at(listed):
        assert row == pytest.approx(listed[row.pool_size])
    assert result.latency.direct_at([200])[0] == pytest.approx(result.latency.direct)


# --- calibrated: reference/latency_experiment.md ----------------------------------------------------
# PostgreSQL 18 behind PgBouncer 1.18 (transaction mode) on a 2-CPU machine, pgbench -S.
# T1: closed loop straight to PostgreSQL, (clients, tps).
DIRECT = ((1, 8922), (2, 18760), (3, 16668), (4, 18268), (6, 17463), (8, 17684), (12, 17767), (16, 18681))
# T2: saturated closed loop through PgBouncer, pool size -> tps.
THROUGH_POOLER = {1: 8292, 2: 11977, 4: 14431, 8: 14462}
# T3: one transaction at 500 tps through PgBouncer (pool 1): log mean 0.509 ms.
ISOLATED_MS = 0.509
# T4: pgbench -c 32 --rate: (pool size, offered tps, achieved tps, measured mean ms).
RUNS = (
    (1, 2677, 2681, 0.699), (1, 4461, 4448, 1.081), (1, 6245, 6281, 2.272), (1, 7584, 7586, 17.189),
    (2, 5628, 5634, 0.391), (2, 9380, 9405, 0.843), (2, 13132, 12443, 286.653), (2, 15946, 12447, 2598.561),
    (4, 5480, 5473, 0.464), (4, 9134, 9135, 0.805), (4, 12788, 12652, 58.208), (4, 15528, 12566, 1751.919),
    (8, 5305, 5295, 0.366), (8, 8842, 8833, 0.586), (8, 12379, 12400, 1.239), (8, 15031, 15041, 4.574),
)  # fmt: skip


def calibrated(pool_size: int, demand: float, isolated_ms: float = ISOLATED_MS) -> QueueFigures:
    """The experiment's machine as a scenario: its measured curve, its transaction time (one client's
    fitted rate), the capacity through PgBouncer at this pool size and the isolated latency; 32 clients."""
    base = Scenario().with_changes(cores=2, pool_size=pool_size, clients=32, demand_tps=demand)
    measured = tuple(Measurement(connections=c, tps=t) for c, t in DIRECT)
    fitted = plan(base.model_copy(update={"measurements": measured}))
    assert fitted.throughput.fit_lambda_tps is not None
    scenario = base.with_changes(txn_ms=1000 / fitted.throughput.fit_lambda_tps).model_copy(
        update={
            "measurements": measured,
            "latency_calibration": LatencyCalibration(
                isolated_ms=isolated_ms, pooled=PooledCapacity(pool_size=pool_size, tps=THROUGH_POOLER[pool_size])
            ),
        }
    )
    result = plan(scenario)
    assert result.latency is not None
    return result.latency.at_pool_size


@pytest.fixture(scope="module")
def experiment() -> list[tuple[int, int, int, float, QueueFigures]]:
    return [(c, offered, achieved, mean, calibrated(c, offered)) for c, offered, achieved, mean in RUNS]


def test_every_run_that_fell_behind_is_unstable(experiment):
    """Four runs never kept up (achieved throughput below the offered rate, the backlog growing for the
    whole 20 s: pools of 2 at 13,132 and 15,946 tps, pools of 4 at 12,788 and 15,528 tps). The pool of 4 at
    12,788 tps was at 89 % of its measured capacity: a measured capacity is trusted up to 85 %, so three
    runs that did keep up at 86-104 % are called unstable too (pool 1 at 7,584 tps, whose mean was 17 ms,
    and pool 8 at 12,379 and 15,031 tps)."""
    behind = [(c, offered) for c, offered, achieved, _mean, _row in experiment if achieved < 0.99 * offered]
    assert behind == [(2, 13132), (2, 15946), (4, 12788), (4, 15528)]
    for c, offered, _achieved, _mean, row in experiment:
        if (c, offered) in behind:
            assert not row.stable, (c, offered)
        elif not row.stable:  # kept up, yet too close to a measured capacity to be trusted
            assert offered >= 0.85 * THROUGH_POOLER[c], (c, offered)


def test_the_mean_within_30_percent_for_pools_of_two_and_more_at_30_to_80_percent(experiment):
    """Pools of 2 or more at 30-80 % of the capacity measured through the pooler: six runs. Four are within
    30 %. The other two (pool 2 at 5,628 tps, pool 8 at 5,305 tps) measured a mean below the isolated
    transaction's own latency divided by 1.3 (0.391 and 0.366 ms against 0.509 ms at 500 tps: a busier
    machine kept its processes awake), so no model whose floor is the isolated latency comes within 30 %."""
    window = [
        (c, offered, mean, row)
        for c, offered, _achieved, mean, row in experiment
        if c >= 2 and 0.3 <= offered / THROUGH_POOLER[c] <= 0.8
    ]
    assert [(c, offered) for c, offered, _mean, _row in window] == [
        (2, 5628), (2, 9380), (4, 5480), (4, 9134), (8, 5305), (8, 8842)
    ]  # fmt: skip
    ratios = {}
    for c, offered, mean, row in window:
        assert row.stable and row.mean_ms is not None
        ratios[c, offered] = row.mean_ms / mean
    within = {run for run, ratio in ratios.items() if 0.7 <= ratio <= 1.3}
    assert within == {(2, 9380), (4, 5480), (4, 9134), (8, 8842)}, ratios
    for c, offered, mean, _row in window:
        if (c, offered) not in within:
            assert 1.3 * mean < ISOLATED_MS
            assert ratios[c, offered] < 1.6


def test_no_single_floor_brings_all_six_within_30_percent():
    """Why two of the six miss, whatever the isolated latency: the floor each run needs to come within 30 %
    (measured x 0.7 .. 1.3 minus the modelled queue and service) does not overlap. Pool 4 at 9,134 tps
    needs at least 0.327 ms; pools 2 and 8 at 5,628 and 5,305 tps at most 0.327 and 0.312 ms. The need
    rises with the load, while waking sleeping processes costs less as the load rises: the exponential
    queue under-predicts the waits at 60-80 % (the stalls of a shared 2-CPU machine), so a floor that
    falls with the rate would miss the busier runs by more, not fewer."""
    needed = []
    for c, offered, _achieved, mean in RUNS:
        if c >= 2 and 0.3 <= offered / THROUGH_POOLER[c] <= 0.8:
            row = calibrated(c, offered, isolated_ms=1e-6)  # no floor: the queue and the service alone
            assert row.mean_ms is not None
            needed.append((0.7 * mean - row.mean_ms, 1.3 * mean - row.mean_ms))
    assert len(needed) == 6
    most_needed, least_allowed = max(low for low, _ in needed), min(high for _, high in needed)
    assert most_needed == pytest.approx(0.327, abs=0.002) and least_allowed == pytest.approx(0.312, abs=0.002)
    assert most_needed > least_allowed


# --- without a pooler, the calibration's run, the closed loop, the warning --------------------------


def test_without_a_pooler_no_pool_figure_exists():
    """Every client is a backend: the direct chain is the whole story, and nothing names a pool size."""
    document = run("plan", "--json", "--demand-tps", "300", "--pooler", "none").json()
    latency = document["latency"]
    assert (latency["by_pool_size"], latency["at_pool_size"], latency["best_pool_size"]) == ([], None, None)
    assert (latency["pools"], latency["capacity_scale"]) == (None, None)
    assert latency["direct"]["pool_size"] == 200 and latency["direct"]["stable"]
    assert not [path for path in document["derivations"] if path.startswith(("latency.at_pool", "latency.best"))]
    text = latency_section(plan(Scenario().with_changes(demand_tps=300, pooler="none")))
    assert "pool of" not in text and "best pool" not in text
    assert "no pooler, every client a backend (200 backends): mean 20.5 ms" in text


def test_a_comparison_with_a_plan_without_a_pooler_has_no_pool_latency_on_that_side():
    from pgplanner.model.compare import outputs

    direct = outputs(plan(Scenario().with_changes(demand_tps=300, pooler="none")))
    assert direct["latency.at_pool_size.p99_ms"] is None and direct["latency.best_pool_size"] is None
    assert direct["latency.direct.p99_ms"] is not None
    assert "latency.at_pool_size.p99_ms" not in outputs(plan(Scenario().with_changes(pooler="none")))  # no demand


def test_the_isolated_latency_s_excess_is_over_the_modelled_run_at_its_rate():
    """No measurements, 4 cores, 1 ms transactions: the pooler's measured capacity at a pool of 4 is 3,000 tps
    against 4 / 1 ms = 4,000 direct, so each backend serves 750 per second. The isolated run offered 300 tps
    through that pool of 4: M/M/4 with a = 300 / 750 = 0.4 Erlangs; its modelled mean, by the closed form, is
    C(4, 0.4) / (4 x 750 - 300) + 1 / 750 s. The overhead is the measured 2 ms minus that."""
    calibration = LatencyCalibration(isolated_ms=2.0, isolated_tps=300, pooled=PooledCapacity(pool_size=4, tps=3000))
    scenario = Scenario().with_changes(cores=4, txn_ms=1, pool_size=4, demand_tps=1500)
    latency = plan(scenario.model_copy(update={"latency_calibration": calibration})).latency
    assert latency is not None and latency.capacity_scale == 0.75
    modelled_ms = (erlang_c(4, 0.4) / (4 * 750 - 300) + 1 / 750) * 1000
    assert latency.overhead_ms == pytest.approx(2.0 - modelled_ms, rel=1e-9)
    at = latency.at_pool_size
    assert at is not None and at.mean_ms is not None
    expected = mmc(4, 1500, 1000 / 750)  # the pool at the demand, served at the measured capacity
    assert at.mean_ms == pytest.approx(expected["mean_ms"] + latency.overhead_ms, rel=1e-6)


def test_an_isolated_latency_without_its_rate_is_a_lone_transaction_s():
    """Files saved before the rate was recorded: the excess is over one transaction's service alone."""
    calibration = LatencyCalibration(isolated_ms=2.0, pooled=PooledCapacity(pool_size=4, tps=3000))
    scenario = Scenario().with_changes(cores=4, txn_ms=1, pool_size=4, demand_tps=1500)
    latency = plan(scenario.model_copy(update={"latency_calibration": calibration})).latency
    assert latency is not None and latency.overhead_ms == pytest.approx(2.0 - 1000 / 750, rel=1e-9)


def test_every_connection_busy_is_little_s_law_with_an_exponential_tail():
    """pgbench's closed loop with N clients: each transaction takes N / X(N) (Little's law); the model's
    service is exponential, so p99 = mean x ln 100. X(10) on lambda 1,000, sigma 0.02, kappa 0.001:
    10,000 / (1 + 0.18 + 0.09) = 7,874.0 tps, so 1.27 ms and p99 5.849 ms."""
    loop = closed_loop(1000, 0.02, 0.001, np.array([1, 10]))
    assert loop.tps[1] == pytest.approx(10_000 / 1.27)
    assert loop.mean_ms.tolist() == pytest.approx([1.0, 1.27])
    assert loop.p99_ms[1] == pytest.approx(1.27 * math.log(100))
    assert loop.p95_ms[1] == pytest.approx(1.27 * math.log(20))


def test_a_pool_that_cannot_keep_up_is_a_warning_on_the_latency_card():
    unstable = plan(Scenario().with_changes(**EXAMPLE, pool_size=20))
    warning = next(w for w in unstable.warnings if w.code == "LATENCY_UNSTABLE")
    assert warning.severity == "warning" and "latency.at_pool_size.p99_ms" in warning.concerns
    assert "At 2,000 tps a pool of 20 cannot keep up (it completes at most 2,000 tps)" in warning.message
    assert "The smallest pool with nearly the lowest p99 is 26." in warning.message
    assert "LATENCY_UNSTABLE" not in {w.code for w in plan(Scenario().with_changes(**EXAMPLE)).warnings}
    direct = plan(Scenario().with_changes(demand_tps=600, pooler="none"))
    assert "200 direct connections cannot keep up" in next(
        w.message for w in direct.warnings if w.code == "LATENCY_UNSTABLE"
    )

"""How long plan() takes on varied scenarios: the window recomputes it on every slider tick.

Run: python -m tests.benchmarks.bench_plan [--scenarios N] [--json]
Prints the median and p95 of plan() and, as a baseline measured in the same run, of building the
same Scenario from a dict (the validation every edit pays anyway). The varied scenarios have no
demand; the same scenarios with one (20-110 % of what their pool serves) are timed in the same loop,
and the difference is what the latency section adds. Every timed call plans a scenario no call
before it planned (the demands are sized on other scenarios than the ones timed without, the model's
caches are emptied after sizing them, and the warm-up plans others), so caches are timed as a user's
first visit to a scenario finds them, not as a repeat. The goals: a median of at most 0.5 ms without a
demand, at most 1 ms more with one, on a 2-core machine. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from typing import Any

from pgplanner.model import FIELDS, FieldSpec, Scenario, plan


def random_value(spec: FieldSpec, rng: random.Random) -> Any:
    if spec.auto is not None and rng.random() < 0.5:
        return None
    if spec.kind == "choice":
        return rng.choice(spec.choices)
    if spec.kind == "flag":
        return rng.random() < 0.5
    if spec.kind == "text":  # networks and host names: one a user would type, or auto
        return None if spec.auto is not None else "db.example.com"
    if spec.kind == "number":
        return rng.uniform(spec.lo, spec.hi) if not spec.log else spec.lo * (spec.hi / spec.lo) ** rng.random()
    if spec.kind == "size":
        low = max(spec.lo, 1)
        return int(low * (spec.hi / low) ** rng.random())
    return rng.randint(int(spec.lo), min(int(spec.hi), int(spec.lo) + 200))


def varied_scenarios(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """Scenarios with about half their inputs random, and no demand (the plan without latency)."""
    rng = random.Random(seed)
    base = Scenario()
    documents = []
    for _ in range(count):
        changes = {flat: random_value(spec, rng) for flat, spec in FIELDS.items() if rng.random() < 0.5}
        changes["demand_tps"] = None
        documents.append(base.with_changes(**changes).model_dump())
    return documents


def with_demand(documents: list[dict[str, Any]], seed: int = 2) -> list[dict[str, Any]]:
    """The same scenarios offered 20-110 % of what their pool serves (pools x pool size / transaction time)."""
    rng = random.Random(seed)
    spec = FIELDS["demand_tps"]
    loaded = []
    for document in documents:
        scenario = Scenario.model_validate(document)
        result = plan(scenario)
        serves = result.server_connections / (scenario.workload.txn_ms / 1000)
        demand = min(max(rng.uniform(0.2, 1.1) * serves, spec.lo or 0), spec.hi or serves)
        loaded.append(scenario.with_changes(demand_tps=demand).model_dump())
    return loaded


def clear_model_caches() -> None:
    """Empty every ``functools`` cache in pgplanner, so no timed plan finds its own figures from before."""
    for name, module in list(sys.modules.items()):
        if name.startswith("pgplanner"):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(documents: list[dict[str, Any]], loaded: list[dict[str, Any]]) -> dict[str, float]:
    """Each scenario timed once: validated (the baseline) and planned; beside it one with a demand, planned."""
    plan_ms, baseline_ms, demand_ms = [], [], []
    demanding = [Scenario.model_validate(d) for d in loaded]
    for document, with_one in zip(documents, demanding, strict=True):
        start = time.perf_counter()
        scenario = Scenario.model_validate(document)
        middle = time.perf_counter()
        plan(scenario)
        end = time.perf_counter()
        plan(with_one)
        last = time.perf_counter()
        baseline_ms.append((middle - start) * 1000)
        plan_ms.append((end - middle) * 1000)
        demand_ms.append((last - end) * 1000)
    return {
        "plan_median_ms": statistics.median(plan_ms),
        "plan_p95_ms": percentile(plan_ms, 0.95),
        "baseline_median_ms": statistics.median(baseline_ms),
        "baseline_p95_ms": percentile(baseline_ms, 0.95),
        "ratio_median": statistics.median(plan_ms) / statistics.median(baseline_ms),
        "demand_median_ms": statistics.median(demand_ms),
        "demand_p95_ms": percentile(demand_ms, 0.95),
        "latency_adds_median_ms": statistics.median(demand_ms) - statistics.median(plan_ms),
        "samples": len(plan_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=2500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    documents = varied_scenarios(args.scenarios)
    # with_demand plans each scenario to size its demand: other scenarios than those timed without one.
    loaded = with_demand(varied_scenarios(args.scenarios, seed=3))
    clear_model_caches()
    warm_up = varied_scenarios(50, seed=99)
    for document in warm_up + with_demand(warm_up, seed=98):  # imports and lazy set-up, on other scenarios
        plan(Scenario.model_validate(document))
    figures = measure(documents, loaded)
    if args.json:
        print(json.dumps(figures))
        return
    print(f"plan() over {figures['samples']} varied scenarios, each planned once")
    print(f"  median {figures['plan_median_ms']:.3f} ms, p95 {figures['plan_p95_ms']:.3f} ms (goal: median <= 0.5 ms)")
    print(
        f"  baseline (validating the same Scenario): median {figures['baseline_median_ms']:.3f} ms, "
        f"p95 {figures['baseline_p95_ms']:.3f} ms; plan is {figures['ratio_median']:.1f}x the baseline"
    )
    print(
        f"  with a demand: median {figures['demand_median_ms']:.3f} ms, p95 {figures['demand_p95_ms']:.3f} ms; "
        f"the latency section adds {figures['latency_adds_median_ms']:.3f} ms (goal: <= 1 ms)"
    )


if __name__ == "__main__":
    main()

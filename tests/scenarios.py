"""The scenarios every number, caption and warning is checked over: varied hand-made cases, the
provider plans that behave differently (a fixed max_connections, a provider pooler), measurements, and
the bundled examples a user opens first.
"""

from __future__ import annotations

from pgplanner.assets import example_scenarios
from pgplanner.model import Measurement, Scenario
from pgplanner.model.scenario import LatencyCalibration, PooledCapacity
from pgplanner.model.serialization import read_scenario_file
from pgplanner.presets import apply_preset, load_catalog


def measured(scenario: Scenario, points: tuple[tuple[int, float], ...]) -> Scenario:
    """``scenario`` with pgbench's points (active connections, tps), as a sweep or a CSV import leaves it."""
    return scenario.model_copy(update={"measurements": tuple(Measurement(connections=c, tps=t) for c, t in points)})


def measured_latency(clients: int, tps: float) -> Measurement:
    """A closed-loop point with pgbench's average (clients / tps, Little's law) and a long tail."""
    mean = clients / tps * 1000
    return Measurement(
        connections=clients, tps=tps, latency_ms={"avg": mean, "p50": 0.9 * mean, "p95": 3 * mean, "p99": 6 * mean}
    )


def preset(name: str, **changes: object) -> Scenario:
    catalog, _problems = load_catalog()
    return apply_preset(Scenario().with_changes(**changes), catalog.find(name))


MEASURED = ((1, 900), (4, 3300), (8, 5200), (16, 6100), (32, 5400))  # active connections, tps
# X(N) = 1000 N / (1 + 0.02 (N - 1) + kappa N (N - 1)) with kappa = 0.98 / 19^2: the peak sqrt((1 - 0.02) /
# kappa) is at 19 active connections, past cores x 4 = 16 on 4 cores (issue 21: a CSV peaking at 19).
PEAK_19 = ((1, 1000), (2, 1950), (4, 3661), (8, 6192), (12, 7603), (16, 8199), (19, 8303), (24, 8112), (32, 7419))
CALIBRATION = LatencyCalibration(isolated_ms=0.6, pooled=PooledCapacity(pool_size=4, tps=2900))
SCENARIOS = {
    "defaults": Scenario(),
    "2 cores": Scenario().with_changes(cores=2, ram="4GB"),
    "8 cores mixed": Scenario().with_changes(cores=8, ram="32GB", workload="mixed", work_mem="16MB"),
    "16 cores, seed 001 medium": Scenario().with_changes(cores=16, ram="64GB", work_mem="32MB", storage="network"),
    "32 cores io hdd": Scenario().with_changes(cores=32, ram="128GB", workload="io", storage="hdd"),
    "64 cores, seed 001 large": Scenario().with_changes(cores=64, ram="256GB", work_mem="64MB", storage="hdd"),
    "no pooler": Scenario().with_changes(pooler="none", app_instances=50, pool_per_instance=10),
    "serverless without pooler": Scenario().with_changes(pooler="none", serverless_peak=2000),
    "PostgreSQL 13 with replicas": Scenario().with_changes(pg_version=13, replicas=3, platform="macos"),
    "PostgreSQL 16 reserved": Scenario().with_changes(pg_version=16, reserved_connections=2, platform="windows"),
    "all given": Scenario().with_changes(
        shared_buffers="4GB",
        os_overhead="2GB",
        disk_concurrency=3,
        per_connection_memory="12MB",
        pool_size=20,
        reserve_pool=5,
        max_client_conn=1000,
        clients=700,
        max_connections=500,
    ),
    "session pools": Scenario().with_changes(pool_mode="session", databases=3, users=2, listeners=5),
    "seed 003 budget": Scenario().with_changes(
        cores=8, ram="32GB", pool_size=24, listeners=40, batch_workers=5, monitoring=5, admin=3, superuser_reserved=3
    ),
    "no memory left": Scenario().with_changes(ram="1GB", shared_buffers="900MB"),
    "measured": measured(Scenario(), MEASURED),
    "measured peak at 19 on 4 cores": measured(Scenario(), PEAK_19),
    "measured, no peak yet": measured(Scenario(), ((1, 1000), (2, 1950), (4, 3661))),
    "preset fixed limit, as chosen": preset("heroku/standard-0"),
    "preset hard limit": preset("heroku/standard-0", app_instances=20),
    "preset azure": preset("azure-flexible/d2ds_v5", pooler="provider"),
    "preset neon pooler, few clients": preset("neon/1cu", pooler="provider", clients=50),
    "pool capped by its clients": Scenario().with_changes(cores=64, ram="64GB", clients=30),
    "impossible: shared_buffers over RAM": Scenario().with_changes(ram="4GB", shared_buffers="8GB"),
    # issue 18's memory and OS model: huge pages reserved, strict overcommit with swap, logical decoding,
    # a 1 GB VPS, and a desktop that asked for strict overcommit
    "strict overcommit, huge pages": Scenario().with_changes(
        cores=16, ram="64GB", storage="nvme", overcommit="strict", swap="2GB", logical_senders=2, clients=5000
    ),
    "1 GB VPS": Scenario().with_changes(cores=1, ram="1GB", storage="hdd", app_instances=2, pool_per_instance=5),
    "desktop asking for strict": Scenario().with_changes(profile="desktop", overcommit="strict", maintenance_jobs=3),
    "impossible: reserved slots": Scenario().with_changes(
        pg_version=18, max_connections=10, superuser_reserved=6, reserved_connections=4
    ),
    "demand at the pool": Scenario().with_changes(cores=16, txn_ms=10, demand_tps=3000, databases=2),
    "demand, calibrated": measured(
        Scenario().with_changes(demand_tps=4000, txn_ms=0.5, pool_size=3), MEASURED
    ).model_copy(update={"latency_calibration": CALIBRATION}),
    "demand, no pooler": Scenario().with_changes(demand_tps=300, pooler="none"),
    "demand the pool cannot serve": Scenario().with_changes(cores=16, txn_ms=10, demand_tps=2000, pool_size=20),
    "measured latency, no demand": Scenario().model_copy(
        update={"measurements": tuple(measured_latency(c, t) for c, t in MEASURED)}
    ),
}


EXAMPLES = {f"example {name}": read_scenario_file(path) for name, path in example_scenarios().items()}

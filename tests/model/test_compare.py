"""What differs between two plans, on cases worked out by hand from the seeds' formulas.

Figures cited: seed 001's worst case "1000 x (10MB + 64MB x 4) = 266GB", its productive formula
"(CPU_cores x 2) + effective_disk_concurrency" and its throughput table (55 % of peak at 10 x the
peak, 75 % at 5 x, 90 % at 3 x, 97 % at 2 x).
"""

from __future__ import annotations

import pytest

from pgplanner.assets import example_scenarios
from pgplanner.model import Scenario, plan
from pgplanner.model.compare import HEADLINE, differences, headline
from pgplanner.model.serialization import read_scenario_file
from pgplanner.present.compare import comparison_json, difference_title, headline_rows, render_comparison

MB = 2**20


def _paths(a, b, kind):
    return {d.path: (d.a, d.b) for d in differences(plan(a), plan(b)) if d.kind == kind}


def test_the_same_scenario_differs_in_nothing():
    s = Scenario().with_changes(cores=16, ram="64GB")
    assert differences(plan(s), plan(s)) == []


def test_more_cores_raise_the_productive_target_by_two_per_core():
    # work_mem given: an "auto" one follows the parallel workers that more cores bring
    a = Scenario().with_changes(cores=4, disk_concurrency=2, work_mem="4MB")
    b = Scenario().with_changes(cores=8, disk_concurrency=2, work_mem="4MB")
    assert _paths(a, b, "input") == {"hardware.cores": (4, 8)}
    outputs = _paths(a, b, "output")
    assert outputs["productive_target"] == (4 * 2 + 2, 8 * 2 + 2)  # (cores x 2) + disk concurrency
    assert "ram_ceiling" not in outputs  # RAM did not change, so neither did the ceiling


def test_work_mem_changes_memory_not_connections():
    # the seed's formula: sort nodes only, no hash nodes, no parallel workers, and no page tables (64 GB of
    # RAM: its 16 GB of shared_buffers sit in reserved huge pages)
    a = Scenario().with_changes(max_connections=1000, work_mem="4MB", backend_memory="10MB", sort_nodes=4)
    a = a.with_changes(ram="64GB")
    a = a.with_changes(hash_nodes=0, parallel_workers_per_gather=0)
    b = a.with_changes(work_mem="64MB")
    assert _paths(a, b, "input") == {"memory.work_mem": (4 * MB, 64 * MB)}
    outputs = _paths(a, b, "output")
    # 1000 x (10 MB + 4 MB x 4) and the seed's 1000 x (10MB + 64MB x 4) = 266GB
    assert outputs["memory.worst_case_bytes"] == (1000 * 26 * MB, 1000 * 266 * MB)
    assert "max_connections" not in outputs
    assert _paths(a, b, "setting")["settings.work_mem"] == ("4MB", "64MB")


def _example(name):
    return plan(read_scenario_file(example_scenarios()[name]))


def test_direct_against_pgbouncer_example_pair():
    a, b = _example("direct-1000"), _example("pgbouncer-100")
    found = {d.path: (d.a, d.b) for d in differences(a, b)}
    assert found["pooler.kind"] == ("none", "pgbouncer")
    assert found["workload.max_connections"] == (1000, 100)
    assert found["memory.worst_case_bytes"] == (1000 * 266 * MB, 100 * 266 * MB)  # seed 001: 266 GB at 1000
    assert found["budget.direct_clients"] == (48 * 20, None)  # 48 app instances x 20 each, straight in
    assert found["budget.pool"] == (None, 16 * 2 + 4)  # the pool is the productive target
    assert found["warnings.DEMAND_WITHOUT_POOLER"] == ("warning", None)
    assert a.warnings and not b.warnings


@pytest.mark.parametrize(
    ("times_peak", "expected"),
    [(2, 0.97), (3, 0.90), (5, 0.75), (10, 0.55)],  # seed 001's table, peak 100 active connections
)
def test_throughput_at_max_connections_follows_the_published_table(times_peak, expected):
    # 39 cores x 2 + 2 = 80 active connections at the knee, the peak 25 % past it: 100
    direct = Scenario().with_changes(cores=39, disk_concurrency=2, pooler="none", max_connections=100 * times_peak)
    assert headline(plan(direct))["throughput.at_max_connections"] == pytest.approx(expected, abs=0.025)
    pooled = direct.with_changes(pooler="pgbouncer")  # no more than the pool (80 backends) ever runs
    assert headline(plan(pooled))["throughput.at_max_connections"] >= 0.99


def test_headline_rows_say_the_change_in_the_figure_unit():
    a, b = _example("direct-1000"), _example("pgbouncer-100")
    rows = {r.path: r for r in headline_rows(a, b)}
    assert [r.path for r in headline_rows(a, b)] == list(HEADLINE)
    assert (rows["max_connections"].a, rows["max_connections"].b, rows["max_connections"].change) == (
        "1,000", "100", "-900"
    )  # fmt: skip
    assert rows["productive_target"].change == "±0"
    assert rows["memory.worst_case_bytes"].a == "260 GB"  # 266,000 MB in GB of 1,024 MB
    assert rows["throughput.at_max_connections"].b == "100 % of peak"


def test_comparison_json_and_table_carry_the_same_differences():
    a, b = _example("direct-1000"), _example("pgbouncer-100")
    data = comparison_json(a, b, ("a.json", "b.json"))
    assert set(data) == {"a", "b", "differences"}
    assert data["a"]["blocking"] == 1 and data["b"]["blocking"] == 0
    assert data["a"]["headline"]["max_connections"] == 1000
    text = " ".join(render_comparison(a, b).split())  # a warning's words wrap over lines
    found = differences(a, b)
    assert [d["path"] for d in data["differences"]] == [d.path for d in found]
    for d in found:  # the table names each difference as people read it, never by its JSON path
        assert difference_title(d, a, b) in text and ("." not in d.path or d.path not in text)

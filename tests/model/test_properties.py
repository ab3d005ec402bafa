"""Invariants that hold for every valid Scenario, checked on random ones (hypothesis)."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pgplanner.model import Scenario, plan
from pgplanner.model.serialization import scenario_from_json, scenario_to_json

from .strategies import scenarios

settings.register_profile("pgplanner", max_examples=150, deadline=None)
settings.load_profile("pgplanner")


@given(scenarios())
def test_productive_target_within_pool_range(scenario):
    result = plan(scenario)
    low, high = result.pool_size_range
    assert 1 <= result.productive_target <= high
    assert low <= high


@given(scenarios())
def test_budget_lines_sum_to_the_requirement(scenario):
    result = plan(scenario)
    counted = [b.connections for b in result.budget if b.counts_against == "max_connections"]
    assert sum(counted) == result.max_connections_required
    assert all(b.connections >= 0 for b in result.budget)


@given(scenarios())
def test_recommended_at_least_required(scenario):
    result = plan(scenario)
    assert result.max_connections_recommended >= result.max_connections_required


@given(scenarios(), st.floats(1.0, 8.0))
def test_memory_and_ceiling_monotonic_in_ram(scenario, factor):
    # work_mem held: on auto it grows with RAM, and the ceiling counts each connection at the work_mem written
    scenario = scenario.with_changes(work_mem=plan(scenario).memory.work_mem_bytes)
    ram = scenario.hardware.ram
    bigger_ram = min(round(ram * factor), 64 * 1024**4)
    small, big = plan(scenario), plan(scenario.with_changes(ram=bigger_ram))
    assert big.memory.available_bytes >= small.memory.available_bytes
    assert big.ram_ceiling >= small.ram_ceiling


@given(scenarios(), st.integers(1, 4096))
def test_ram_one_step_at_a_time(scenario, step):
    """Monotonic at byte resolution too: rounding the 'auto' sizes must not make memory shrink."""
    scenario = scenario.with_changes(work_mem=plan(scenario).memory.work_mem_bytes)  # held, as above
    small = plan(scenario)
    big = plan(scenario.with_changes(ram=min(scenario.hardware.ram + step, 64 * 1024**4)))
    assert big.memory.available_bytes >= small.memory.available_bytes
    assert big.ram_ceiling >= small.ram_ceiling


@given(scenarios(), st.floats(1.0, 16.0))
def test_memory_monotonic_in_work_mem(scenario, factor):
    small = plan(scenario)
    work_mem = small.memory.work_mem_bytes  # the given work_mem, or the recommended one
    bigger = min(round(work_mem * factor), 64 * 1024**3)
    big = plan(scenario.with_changes(work_mem=bigger))
    assert big.memory.worst_case_bytes >= small.memory.worst_case_bytes
    assert big.memory.heavy_fraction_bytes >= small.memory.heavy_fraction_bytes
    assert big.ram_ceiling <= small.ram_ceiling


@given(scenarios())
def test_curves_finite_and_non_negative(scenario):
    result = plan(scenario)
    t, m = result.throughput, result.memory_curve
    for values in (t.connections, t.direct, t.pooled, m.connections, m.typical, m.worst_case, m.heavy_fraction):
        assert np.all(np.isfinite(values)) and np.all(values >= 0)
    assert t.connections[0] == 1
    assert t.connections[-1] >= 10 * t.peak
    assert t.connections[-1] > result.max_connections
    assert np.max(t.direct) <= 1.0 + 1e-9
    assert m.connections[0] == 0
    assert m.connections[-1] > max(result.ram_ceiling, result.max_connections)


@given(scenarios())
def test_pooled_curve_flat_past_the_pool(scenario):
    result = plan(scenario)
    t = result.throughput
    past = t.connections >= t.pool_connections
    assert np.ptp(t.pooled[past]) < 1e-9


@given(scenarios())
def test_scenario_json_round_trips(scenario):
    assert scenario_from_json(scenario_to_json(scenario)) == scenario


@given(scenarios())
def test_plan_json_round_trips(scenario):
    document = plan(scenario).to_json_dict()
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    assert Scenario.model_validate(document["scenario"]) == scenario


def _validated_again(made):
    """``made`` (built by plan() without validation) validated from its own fields, nested outputs included."""
    from pydantic import BaseModel

    def again(value):
        if isinstance(value, BaseModel):
            return type(value).model_validate({name: again(getattr(value, name)) for name in type(value).model_fields})
        if isinstance(value, tuple) and value and isinstance(value[0], BaseModel):
            return tuple(again(item) for item in value)
        return value

    return again(made)


@given(scenarios(), st.one_of(st.none(), st.floats(1, 50_000)))
def test_what_plan_builds_unvalidated_is_what_validation_makes(scenario, demand):
    """plan() builds its outputs with model_construct (no schema at start-up): every field must already have
    its declared type, so that validating them changes nothing (3 stays 3, not 3.0) in Python or JSON."""
    result = plan(scenario.with_changes(demand_tps=demand))
    again = _validated_again(result)
    assert repr(again) == repr(result)
    assert again.model_dump_json() == result.model_dump_json()

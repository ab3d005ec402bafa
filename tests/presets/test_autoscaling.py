"""Autoscaling plans by their range: Aurora Serverless v2 by minimum and maximum ACU, Neon by its CU range.

Aurora (aurora-serverless-v2.setting-capacity.md @287c604, 2023-06-10): max_connections follows the maximum
ACU (1: 189, 4: 823, 8: 1,669, 16: 3,360, 32 and up: 5,000) and 'when you specify a minimum capacity of
0.5 ACUs' it is 'capped at 2,000'. Neon (compatibility.md @c088982, 2025-01-06): with autoscaling the value
is the maximum CU's, with compute_size = min(max_compute_size, 8 * min_compute_size); per size as the
connection-pooling page (2026-01-24) gives it. A Neon range runs from 0.25 to 16 CU and 'the difference between
your maximum and minimum cannot exceed 8 CU' (computes.md @068598b, 2026-08-26).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pgplanner.model import Scenario, plan
from pgplanner.presets import UnknownPreset, apply_preset, load_catalog
from tests.cli.runner import run

CATALOG, _ = load_catalog()


@settings(max_examples=60, deadline=None)
@given(
    maximum=st.integers(1, 256).map(lambda halves: halves / 2),
    clients=st.integers(0, 20_000),
    pooler=st.sampled_from(["none", "pgbouncer", "provider"]),
)
def test_a_half_acu_minimum_never_plans_more_than_2000(maximum, clients, pooler):
    preset = CATALOG.find(f"aws-aurora/serverless-v2-0.5-{maximum:g}acu")
    result = plan(apply_preset(Scenario().with_changes(clients=clients, pooler=pooler), preset))
    assert preset.plan.max_connections <= 2000
    assert result.max_connections <= 2000


def test_a_budget_past_the_cap_is_an_honest_error():
    preset = CATALOG.find("aws-aurora/serverless-v2-0.5-64acu")
    result = plan(apply_preset(Scenario().with_changes(pooler="none", clients=3000), preset))
    assert result.max_connections == 2000
    assert "MAX_CONNECTIONS_BELOW_REQUIRED" in {w.code for w in result.warnings if w.blocking}
    asked = plan(apply_preset(Scenario().with_changes(max_connections=3000), preset))
    assert "PROVIDER_REFUSES_MAX_CONNECTIONS" in {w.code for w in asked.warnings}


@pytest.mark.parametrize(
    "name, expected",
    [
        ("serverless-v2-1-1acu", 189),
        ("serverless-v2-1-4acu", 823),
        ("serverless-v2-2-8acu", 1669),
        ("serverless-v2-1-16acu", 3360),
        ("serverless-v2-4-32acu", 5000),
        ("serverless-v2-1-128acu", 5000),
        ("serverless-v2-0.5-32acu", 2000),
        ("serverless-v2-0.5-4acu", 823),  # below the cap anyway
    ],
)
def test_aurora_serverless_by_its_range(name, expected):
    assert CATALOG.find(f"aws-aurora/{name}").plan.max_connections == expected


def test_the_short_names_mean_a_minimum_of_one_acu():
    """The presets shipped before ranges keep their documented values; their label says what they assume."""
    short = CATALOG.find("aws-aurora/serverless-v2-16acu")
    assert short.id == "aws-aurora/serverless-v2-1-16acu" and short.plan.max_connections == 3360
    assert CATALOG.find("aws-aurora/serverless-16acu") is short
    assert (short.plan.scaling.minimum, short.plan.scaling.maximum, short.plan.scaling.unit) == (1, 16, "ACU")


def test_hardware_is_the_maximum():
    """1 ACU is about 2 GiB (aurora-serverless-v2.how-it-works.md); 1 CU = 1 vCPU + 4 GB (Neon)."""
    assert CATALOG.find("aws-aurora/serverless-v2-0.5-16acu").plan.ram == 32 * 1024**3
    neon = CATALOG.find("neon/0.25-4cu").plan
    assert (neon.vcpus, neon.ram) == (4, 16 * 1024**3)


@pytest.mark.parametrize(
    "name, sized_by, expected",
    [
        ("0.25-1cu", 1, 419),
        ("0.25-4cu", 2, 839),  # min(4, 8 x 0.25) = 2 CU
        ("0.5-8cu", 4, 1678),  # min(8, 8 x 0.5) = 4 CU
        ("1-9cu", 8, 3357),
        ("8-16cu", 16, 4000),  # 9 CU and up: 4,000
        ("3-3cu", 3, 1258),
    ],
)
def test_neon_autoscaling_takes_the_maximum_at_most_8_x_the_minimum(name, sized_by, expected):
    preset = CATALOG.find(f"neon/{name}")
    assert preset.plan.max_connections == expected
    assert preset.plan.hard_limit
    low, high = name.removesuffix("cu").split("-")
    assert f"min({high}, 8 x {low}) = {sized_by} CU" in preset.plan.derivations["max_connections"].calculation
    assert preset.plan.pooler.default_pool_size == int(expected * 0.9)  # 90 % per user/database pair


def test_several_pairs_can_oversubscribe_a_neon_pool():
    """Each user/database pair gets a pool of 90 % of max_connections: two of them ask for 180 %."""
    preset = CATALOG.find("neon/1cu")
    result = plan(apply_preset(Scenario().with_changes(pooler="provider", users=2, clients=400), preset))
    [warning] = [w for w in result.warnings if w.code == "PROVIDER_POOLS_OVERSUBSCRIBE"]
    assert "each of the 2 user/database pairs a pool of up to 377" in warning.message
    assert "together 754, more than max_connections 419" in warning.message


@pytest.mark.parametrize(
    "name",
    [
        "aws-aurora/serverless-v2-0.3-16acu",
        "aws-aurora/serverless-v2-8-4acu",
        "aws-aurora/serverless-v2-0.5-512acu",
        "neon/0.3-2cu",
        "neon/1-32cu",
        "neon/1-16cu",  # 15 CU wide: Neon allows at most 8
        "neon/0.25-9cu",
    ],
)
def test_a_range_the_provider_does_not_allow_is_named(name):
    with pytest.raises(UnknownPreset, match="ranges run from"):
        CATALOG.find(name)
    result = run("plan", "--preset", name)
    assert result.status == 2 and result.stderr.count("\n") == 1 and "ranges run from" in result.stderr


def test_any_allowed_range_plans_from_the_command_line():
    document = run("plan", "--json", "--preset", "aws-aurora/serverless-v2-1.5-24acu").json()
    provider = document["provider"]
    assert provider["id"] == "aws-aurora/serverless-v2-1.5-24acu"
    assert provider["scaling"] == {"unit": "ACU", "minimum": 1.5, "maximum": 24.0}
    assert provider["max_connections"] == 5000  # 24 ACU = 48 GiB: 48 GiB / 9,531,392 = 5,407, past the cap


def test_listed_ranges_are_in_the_catalog():
    rows = run("presets", "--json").json()
    ranges = {row["id"]: row["scaling"] for row in rows if row["scaling"]}
    assert ranges["aws-aurora/serverless-v2-0.5-16acu"] == {"unit": "ACU", "minimum": 0.5, "maximum": 16.0}
    assert "neon/0.25-4cu" in ranges

"""Physical cores from vCPUs: the basis per plan, whole cores, at least one."""

from __future__ import annotations

import pytest

from pgplanner.presets.cores import physical_cores


@pytest.mark.parametrize(
    "vcpus, basis, cores",
    [
        (2, "smt", 1),  # db.m5.large: two hyperthreads of one core
        (16, "smt", 8),
        (3, "smt", 1),  # Neon 3 CU: a half core does not count
        (2, "core", 2),  # db.m6g.large: Graviton, no SMT
        (64, "core", 64),
        (0.25, "shared", 1),  # fractional vCPUs: at least one core
        (0.1, "shared", 1),
        (4, "shared", 2),
    ],
)
def test_cores_from_vcpus(vcpus, basis, cores):
    value, why = physical_cores(vcpus, basis)
    assert value == cores
    assert why.calculation.endswith((f"= {cores}", f"rounded down to {cores}"))


@pytest.mark.parametrize(
    "preset, cores",
    [
        ("aws-rds/db.m5.large", 1),
        ("aws-rds/db.m6g.large", 2),
        ("aws-rds/db.t3.micro", 1),
        ("aws-rds/db.t4g.micro", 2),
        ("aws-rds/db.r6i.16xlarge", 32),
        ("aws-rds/db.r7g.16xlarge", 64),
        ("supabase/4xl", 16),
        ("neon/0.25cu", 1),
        ("gcp-cloudsql/db-n1-standard-16", 8),
    ],
)
def test_presets_state_their_cores(catalog, preset, cores):
    found = catalog.find(preset)
    assert found.cores == cores
    assert "cores = max(vCPUs /" in found.plan.derivations["cores"].formula

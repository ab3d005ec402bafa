"""The shipped preset files: valid, sourced, dated, and covering the providers and families promised."""

from __future__ import annotations

import re

import pytest

from pgplanner.presets.loader import read_files, shipped_files

PROVIDERS = {
    "aws-rds", "aws-aurora", "gcp-cloudsql", "azure-flexible", "heroku", "supabase", "neon", "digitalocean",
    "aiven", "crunchy-bridge", "render", "timescale", "fly",
}  # fmt: skip
RDS_FAMILIES = ["t3", "t4g", "m5", "m6g", "m6i", "m7g", "r5", "r6g", "r6i", "r7g"]


def test_every_shipped_file_validates():
    providers, problems = read_files(shipped_files())
    assert problems == []
    assert {p.id for p in providers} == PROVIDERS


def test_each_file_is_named_after_its_provider():
    providers, _ = read_files(shipped_files())
    assert [f"{p.id}.json" for p in providers] == [path.name for path in shipped_files()]


def test_every_row_has_a_source_a_date_and_a_confidence(catalog):
    for preset in catalog:
        plan = preset.plan
        assert plan.source.strip(), preset.id
        assert re.fullmatch(r"\d{4}(-\d{2}){0,2}", plan.as_of), preset.id
        assert plan.confidence in ("high", "medium", "low"), preset.id


def test_every_pooler_names_its_source():
    providers, _ = read_files(shipped_files())
    for provider in providers:
        for pooler in provider.poolers:
            assert pooler.source.startswith("http"), (provider.id, pooler.id)


@pytest.mark.parametrize("family", RDS_FAMILIES)
def test_rds_families_are_covered(catalog, family):
    assert any(p.plan.plan.startswith(f"db.{family}.") for p in catalog if p.plan.provider == "aws-rds")


def test_aurora_includes_serverless_v2(catalog):
    assert catalog.find("aws-aurora/serverless-v2-16acu").plan.max_connections == 3360


@pytest.mark.parametrize(
    "preset, pooler_kind",
    [
        ("aws-rds/db.r6g.large", "rds-proxy"),
        ("supabase/micro", "supavisor"),
        ("neon/1cu", "pgbouncer"),
        ("heroku/standard-2", "pgbouncer"),
        ("azure-flexible/d4ds_v5", "pgbouncer"),
        ("azure-flexible/b2s", None),
        ("render/pro-8gb", None),
    ],
)
def test_poolers_on_offer(catalog, preset, pooler_kind):
    pooler = catalog.find(preset).plan.pooler
    assert (pooler.kind if pooler else None) == pooler_kind


def test_every_figure_is_explained(catalog):
    for preset in catalog:
        derivations = preset.plan.derivations
        assert {"max_connections", "cores"} <= set(derivations), preset.id
        assert str(preset.plan.max_connections) in derivations["max_connections"].calculation.replace(",", "")

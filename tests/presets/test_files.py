"""The shipped preset files: valid, sourced, dated, and covering the providers and families promised."""

from __future__ import annotations

import re

import pytest

from pgplanner.presets.loader import read_files, shipped_files

PROVIDERS = {
    "aws-rds", "aws-aurora", "gcp-cloudsql", "azure-flexible", "heroku", "supabase", "neon", "digitalocean",
    "aiven", "crunchy-bridge", "render", "timescale", "fly", "fly-mpg",
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


def test_provider_facts_of_issue_10(catalog):
    """Checked against the providers' pages (sources and dates in the preset files)."""
    aiven = next(p for p in catalog.providers if p.id == "aiven")
    assert not catalog.find("aiven/startup-4").plan.hard_limit  # pg.max_connections: 25 to 60,000
    assert "25 to 60,000" in aiven.notes
    assert catalog.find("aiven/developer").plan.max_connections == 15
    assert catalog.find("gcp-cloudsql/db-n1-standard-32").plan.max_connections == 1000  # 120 GB and above
    heroku = {name: catalog.find(f"heroku/{name}").plan for name in ("standard-3", "standard-4", "standard-10")}
    assert [round(p.ram / 1024**3, 2) for p in heroku.values()] == [15.25, 30.5, 1024]
    assert all(p.max_connections == 500 and p.hard_limit for p in heroku.values())
    assert catalog.find("crunchy-bridge/hobby-4").plan.pooler.modes == ("transaction",)

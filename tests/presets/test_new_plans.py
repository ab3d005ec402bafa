"""The plans and poolers people pick today are listed, sourced and dated, and plan from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.runner import run

NEW = [
    # Heroku Postgres Advanced (devcenter postgres-advanced-connection-limits, 2026-05-18)
    "heroku/advanced-4g", "heroku/advanced-8g", "heroku/advanced-16g", "heroku/advanced-32g", "heroku/advanced-64g",
    # Heroku Essential (heroku/roadmap#292, 2024-05-17) and the premium-l/xl aliases (characterization page)
    "heroku/essential-0", "heroku/essential-1", "heroku/essential-2", "heroku/premium-l-6", "heroku/shield-xl-9",
    # Fly Managed Postgres (superfly/docs mpg, 2025-08-18; plan table and PgBouncer limits read 2026-12-02)
    "fly-mpg/basic", "fly-mpg/starter", "fly-mpg/launch", "fly-mpg/scale", "fly-mpg/performance",
    # RDS and Aurora classes newer than the June 2023 table
    "aws-rds/db.m7i.large", "aws-rds/db.r7i.2xlarge", "aws-rds/db.m8g.xlarge", "aws-rds/db.r8g.48xlarge",
    "aws-aurora/db.r7i.large", "aws-aurora/db.r8g.4xlarge",
    # Azure v6 SKUs, Cloud SQL Enterprise Plus, Aiven above -64
    "azure-flexible/d4ds_v6", "azure-flexible/e8ads_v6", "azure-flexible/e96ads_v6", "azure-flexible/d192ds_v6",
    "gcp-cloudsql/db-perf-optimized-n-8", "aiven/startup-120",
    # autoscaling ranges
    "aws-aurora/serverless-v2-0.5-16acu", "neon/0.25-2cu",
]  # fmt: skip


@pytest.fixture(scope="module")
def rows():
    listed = run("presets", "--json").json()
    by_name = {row["id"]: row for row in listed}
    by_name |= {f"{row['provider']}/{alias}": row for row in listed for alias in row["aliases"]}
    return by_name


@pytest.mark.parametrize("name", NEW)
def test_listed_with_source_date_and_confidence(rows, name):
    row = rows[name]
    assert row["source"].startswith("https://")
    assert row["as_of"][:4] in {"2023", "2024", "2025", "2026"}
    assert row["confidence"] in {"high", "medium", "low"}


@pytest.mark.parametrize("name", NEW)
def test_plans_from_the_command_line(name):
    """Exit 0, or 1 when the default scenario breaks a real limit of the plan; never bad input, never a trace."""
    result = run("plan", "--json", "--preset", name)
    assert result.status in (0, 1), result.stderr
    document = result.json()
    assert document["provider"]["max_connections"] >= 1
    assert "Traceback" not in result.stderr
    if result.status == 1:  # each blocking error is a line of its own
        errors = [w for w in document["warnings"] if w["severity"] == "error"]
        assert errors and len(result.stderr.strip().splitlines()) >= len(errors)


def test_heroku_advanced_has_no_server_side_pooling(rows):
    """Heroku's pooling page (2026-05-29): server-side pooling 'isn't supported on Heroku Postgres Advanced'."""
    assert rows["heroku/advanced-8g"]["pooler"] is None
    assert rows["heroku/advanced-8g"]["hard_limit"] is True
    assert "leader" in rows["heroku/advanced-8g"]["notes"] and "follower" in rows["heroku/advanced-8g"]["notes"]


def test_fly_managed_postgres_runs_pgbouncer_in_session_mode_by_default(rows):
    pooler = rows["fly-mpg/launch"]["pooler"]
    assert (pooler["kind"], pooler["default_mode"]) == ("pgbouncer", "session")
    assert rows["fly-mpg/launch"]["confidence"] == "low"  # max_connections is not documented: assumed
    document = run("plan", "--json", "--preset", "fly-mpg/launch", "--pooler", "provider").json()
    assert "PROVIDER_POOL_MODE_DEFAULT" in {w["code"] for w in document["warnings"]}


def test_cloud_sql_enterprise_plus_offers_managed_pooling(rows):
    assert rows["gcp-cloudsql/db-perf-optimized-n-8"]["pooler"]["name"] == "Cloud SQL Managed Connection Pooling"
    assert rows["gcp-cloudsql/db-custom-8-32768"]["pooler"] is None  # Enterprise edition: none


def test_supabase_pool_size_per_compute_names_its_source(rows):
    """The dashboard's defaults (POOLING_OPTIMIZATIONS in Supabase's studio, read 2026-12-02): 15 up to Medium."""
    pooler = rows["supabase/micro"]["pooler"]
    assert pooler["default_pool_size"] == 15
    assert "POOLING_OPTIMIZATIONS" in pooler["notes"] and "Low confidence" not in pooler["notes"]


def test_aiven_free_keeps_its_20_and_invents_no_error():
    """Aiven's free tier: 'max_connections limit set to 20' (pg-free-tier.md, 2026-08-07)."""
    result = run("plan", "--json", "--preset", "aiven/free")
    assert result.status == 0, result.stderr
    document = result.json()
    assert document["max_connections"] == 20 == document["provider"]["max_connections"]
    assert not [w for w in document["warnings"] if w["severity"] == "error"]
    assert document["provider"]["max_connections_settable"] is None


def test_presets_json_adds_and_never_removes():
    """The contract is additive: the keys of issue 10 stay, the new ones are documented in the README."""
    row = run("presets", "--json").json()[0]
    assert {
        "id", "provider", "provider_name", "plan", "label", "aliases", "vcpus", "cores", "ram_bytes", "max_connections",
        "hard_limit", "reserved", "pooler", "source", "as_of", "confidence", "notes", "provider_notes",
    } <= set(row)  # fmt: skip
    new = {"reserves", "max_connections_settable", "guidance", "scaling"}
    assert new <= set(row)
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for key in (*new, "default_mode", "pins", "pinned_clients", "client_kind", "pinned_share"):
        assert f"`{key}`" in readme, key

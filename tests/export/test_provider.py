"""provider/<provider>/: the provider's own way to apply the plan, or what to do when it cannot be set."""

from __future__ import annotations

import re
import subprocess

import pytest

from pgplanner.export.provider import GUIDES, render_provider
from pgplanner.model import PoolerOffer, ProviderPlan, Scenario, plan

from .helpers import plan_for


def _with_provider(provider: str, hard_limit: bool = False, pooler: str = "pgbouncer", **plan_fields):
    offer = plan_fields.pop("offer", None)
    fields = {"plan": "some-plan", "vcpus": 2, "ram": "8GB", "max_connections": 400, "hard_limit": hard_limit}
    provider_plan = ProviderPlan(provider=provider, pooler=offer, **fields | plan_fields)
    data = Scenario().with_changes(pooler=pooler).model_dump()
    return plan(Scenario.model_validate({**data, "provider": provider_plan.model_dump()}))


def test_no_provider_no_folder():
    assert render_provider(plan_for()) == {}


@pytest.mark.parametrize("provider", sorted(GUIDES))
def test_every_known_provider_has_a_readme_with_the_values(provider):
    result = _with_provider(provider)
    files = render_provider(result)
    readme = files[f"provider/{provider}/README.md"]
    assert f"`max_connections = {result.max_connections}`" in readme
    assert "required max_connections = sum of the budget lines" in readme
    for name, text in files.items():
        if name.endswith(".sh"):
            assert text.startswith("#!/bin/sh\n")
            assert "set -eu" in text
            subprocess.run(["sh", "-n"], input=text, text=True, check=True)  # parses as POSIX sh


def test_rds_parameter_group_script_and_terraform():
    result = _with_provider("aws-rds")
    files = render_provider(result)
    version = result.scenario.hardware.pg_version
    script = files["provider/aws-rds/apply.sh"]
    assert f"--db-parameter-group-family postgres{version}" in script
    assert f"ParameterName=max_connections,ParameterValue={result.max_connections},ApplyMethod=pending-reboot" in script
    assert "ParameterName=work_mem,ParameterValue=4096,ApplyMethod=immediate" in script
    assert "aws rds reboot-db-instance" in script
    terraform = files["provider/aws-rds/parameter_group.tf"]
    assert 'resource "aws_db_parameter_group" "pgplanner"' in terraform
    assert re.search(rf'name\s+= "max_connections"\s+value\s+= "{result.max_connections}"', terraform)
    assert f'family = "postgres{version}"' in terraform


def test_aurora_uses_the_aurora_family():
    files = render_provider(_with_provider("aws-aurora"))
    assert "aurora-postgresql18" in files["provider/aws-aurora/parameter_group.tf"]


def test_cloud_sql_flags_keep_the_existing_ones_on_request():
    result = _with_provider("gcp-cloudsql")
    script = render_provider(result)["provider/gcp-cloudsql/apply.sh"]
    assert f'flags="max_connections={result.max_connections},work_mem=4096${{EXTRA_FLAGS:+,$EXTRA_FLAGS}}"' in script
    assert "REPLACES every flag" in script


def test_azure_keeps_to_its_range_and_configures_its_pgbouncer():
    """Azure accepts max_connections from 25 to 5,000 (Azure docs, Limits); the model keeps the plan there."""
    offer = PoolerOffer(kind="pgbouncer", name="built-in PgBouncer", modes=("transaction", "session"))
    result = _with_provider("azure-flexible", pooler="provider", offer=offer, max_connections_settable=(25, 5000))
    script = render_provider(result)["provider/azure-flexible/apply.sh"]
    assert f"--name max_connections --value {result.max_connections}" in script
    assert f"--name pgbouncer.default_pool_size --value {result.pool_size}" in script
    assert "az postgres flexible-server restart" in script
    small = _with_provider("azure-flexible", pooler="none")
    assert "pgbouncer.enabled" not in render_provider(small)["provider/azure-flexible/apply.sh"]


@pytest.mark.parametrize("provider", ["heroku", "neon", "render", "digitalocean", "some-new-cloud"])
def test_hard_limits_say_the_value_cannot_be_set_and_what_to_do(provider):
    result = _with_provider(provider, hard_limit=True, max_connections=20)
    readme = render_provider(result)[f"provider/{provider}/README.md"]
    assert "## max_connections cannot be set" in readme
    assert "fixes max_connections at 20; there is no parameter to raise it" in readme
    assert "does not fit" in readme  # the default budget needs 21
    assert "pool" in readme.split("Instead:")[1].lower()


def test_unknown_provider_gets_generic_advice():
    readme = render_provider(_with_provider("fly"))["provider/fly/README.md"]
    assert "no recipe for this provider" in readme


def test_supabase_uses_its_cli():
    result = _with_provider("supabase")
    script = render_provider(result)["provider/supabase/apply.sh"]
    assert f"--config max_connections={result.max_connections}" in script


def _reserve(key: str, name: str, connections: int) -> dict[str, object]:
    return {"key": key, "name": name, "connections": connections, "superuser": True, "source": "https://example.test"}


def test_azure_prose_reads_the_preset_s_reserves():
    """A corrected preset corrects the bundle: the prose holds no figure of its own."""
    reserves = (_reserve("reserved_connections", "R", 6), _reserve("superuser_reserved_connections", "S", 10))
    result = _with_provider(
        "azure-flexible",
        reserved=16,
        reserves=reserves,
        reserved_includes_superuser=True,
        max_connections_settable=(25, 5000),
    )
    readme = render_provider(result)["provider/azure-flexible/README.md"]
    assert "R 6 + S 10 = 16 connections: users get max_connections - 16" in readme
    assert "15" not in readme.split("## How to apply")[1]


def test_hosted_prose_reads_the_pooler_it_is_given():
    offer = PoolerOffer(
        kind="pgbouncer", name="Some Pooler", modes=("transaction",), max_client_conn=1234, notes="Port 7777."
    )
    readme = render_provider(_with_provider("heroku", hard_limit=True, offer=offer))["provider/heroku/README.md"]
    instead = readme.split("Instead:")[1]
    assert "Some Pooler" in instead and "up to 1,234 clients" in instead and "Port 7777." in instead
    assert "10,000" not in readme
    bare = render_provider(_with_provider("heroku", hard_limit=True))["provider/heroku/README.md"]
    assert "none on this plan" in bare.split("Instead:")[1]


def test_digitalocean_prose_no_longer_carries_aiven_s_retired_wording():
    readme = render_provider(_with_provider("digitalocean", hard_limit=True))["provider/digitalocean/README.md"]
    assert "limited-release" not in readme and "cannot be lowered" not in readme


def test_the_readme_lists_the_provider_s_notes_and_reserves():
    reserves = (_reserve("ops", "Operations agent", 4),)
    result = _with_provider(
        "timescale", reserved=4, reserves=reserves, notes="a plan note", provider_notes="a provider note"
    )
    readme = render_provider(result)["provider/timescale/README.md"]
    assert "Kept by the provider: Operations agent, 4 (https://example.test)." in readme
    assert "- Note: a plan note" in readme and "- Note: a provider note" in readme


@pytest.mark.parametrize(
    "provider, where", [("aws-rds", "same custom parameter group"), ("gcp-cloudsql", "same database flags")]
)
def test_replicas_get_the_settings_a_standby_needs(provider, where):
    """PostgreSQL docs (Hot Standby): these must be at least the primary's on a standby."""
    data = Scenario().with_changes(replicas=2).model_dump()
    fields = {"plan": "p", "vcpus": 2, "ram": "8GB", "max_connections": 400, "hard_limit": False}
    scenario = Scenario.model_validate({**data, "provider": ProviderPlan(provider=provider, **fields).model_dump()})
    result = plan(scenario)
    readme = render_provider(result)[f"provider/{provider}/README.md"]
    section = readme.split("## Read replicas")[1]
    assert where in section
    assert f"`max_connections`: {result.max_connections}" in section
    assert f"`max_wal_senders`: {result.max_wal_senders}" in section
    assert "`max_locks_per_transaction`: as on the primary" in section
    assert "## Read replicas" not in render_provider(_with_provider(provider))[f"provider/{provider}/README.md"]


def test_the_bundle_readme_carries_the_replica_warning():
    from pgplanner.export.bundle import bundle_files

    files = bundle_files(plan(Scenario().with_changes(replicas=1)), platforms=("linux",))
    readme = files["README.md"].decode()
    assert "max_locks_per_transaction" in readme and "max_worker_processes" in readme

"""The provider's own connections as budget lines named for what holds them, and the provider's advice on
the application's share."""

from __future__ import annotations

import pytest

from pgplanner.model import ProviderPlan, Scenario, plan
from pgplanner.presets import apply_preset

from .test_model import codes, planned


def lines(result) -> dict[str, int]:
    return {b.name: b.connections for b in result.budget if b.key.startswith("provider_reserved.")}


# (preset, the lines the provider's documentation names, source and date)
RESERVES = [
    ("aws-aurora/db.r6g.large", {"AWS automation": 3}, "Aurora user guide @287c604: 'at least 3 more ... automation'"),
    (
        "azure-flexible/d2ds_v5",
        {"Azure reserved_connections": 5, "Azure superuser_reserved_connections": 10},
        "Azure server parameters (2025-12-29): reserved_connections 5, superuser_reserved_connections 10",
    ),
    ("neon/1cu", {"Neon superuser": 7}, "neon.com connection pooling (2026-01-24): 'Seven connections are reserved'"),
    (
        "timescale/smallest",
        {"Timescale superuser": 12, "Timescale operations": 5},
        "timescale/docs connection-pooling.md (2024-10-23): '12 ... superuser ... another 5 for Timescale operations'",
    ),
    ("digitalocean/db-s-2vcpu-4gb", {"DigitalOcean maintenance": 3}, "DigitalOcean connection pools: 3 reserved"),
    ("render/pro-8gb", {"Render's own connections": 10}, "Render tutorial: 'Plan as if you have ~10 fewer'"),
]


@pytest.mark.parametrize("preset, expected, source", RESERVES, ids=[r[0] for r in RESERVES])
def test_reserves_are_lines_named_for_what_holds_them(catalog, preset, expected, source):
    result = planned(catalog, preset)
    assert lines(result) == expected, source
    assert all(b.why for b in result.budget if b.key.startswith("provider_reserved."))


@pytest.mark.parametrize(
    "preset, max_connections, services",
    [("supabase/nano", 60, 12), ("supabase/micro", 60, 12), ("supabase/large", 160, 32), ("supabase/16xl", 500, 100)],
)
def test_supabase_leaves_its_services_their_share(catalog, preset, max_connections, services):
    """Supabase (connection-management.mdx @1073041): commit at most 80 % of max_connections to the pool; the
    rest is for the Auth server and the other services: 20 % of the compute's max_connections."""
    result = planned(catalog, preset)
    name = "Supabase services (PostgREST authenticator, Auth, Storage, Realtime, replication)"
    assert lines(result) == {name: services}
    assert services == max_connections * 20 // 100
    assert result.max_connections_required == sum(
        b.connections for b in result.budget if b.counts_against == "max_connections"
    )
    services_line = next(b for b in result.budget if b.name == name)
    assert f"{max_connections} x 20 % = {services}" in services_line.why


def test_a_supabase_plan_that_gives_the_application_all_60_fails(catalog):
    """The application's 55 connections on Micro's 60 pass Supabase's 80 % (48): the services have no room."""
    result = planned(catalog, "supabase/micro", max_connections=60, pooler="provider", pool_size=50, clients=500)
    assert "PROVIDER_SHARE_GUIDANCE" in codes(result)
    assert "MAX_CONNECTIONS_BELOW_REQUIRED" in codes(result)  # 50 + 5 + 12 services + 3 superuser > 60
    [advice] = [w for w in result.warnings if w.code == "PROVIDER_SHARE_GUIDANCE"]
    assert advice.severity == "warning"
    assert "55 of max_connections 60" in advice.message and "at most 80 % (48)" in advice.message
    assert "heavy PostgREST use" in advice.message and "at most 40 % (24)" in advice.message


def test_heavy_postgrest_guidance_is_advice_below_80_percent(catalog):
    """Between 40 % and 80 % only the PostgREST-heavy case is broken: advice, not a warning."""
    result = planned(catalog, "supabase/xl", pooler="provider", pool_size=100, clients=500)
    [advice] = [w for w in result.warnings if w.code == "PROVIDER_SHARE_GUIDANCE"]
    assert advice.severity == "info" and "heavy PostgREST use" in advice.message


def test_within_the_guidance_nothing_is_said(catalog):
    assert "PROVIDER_SHARE_GUIDANCE" not in codes(planned(catalog, "supabase/xl"))


def test_rds_proxy_monitoring_is_a_share_of_the_backends_it_opens(catalog):
    """RDS user guide (rds-proxy-managing.md @50e7617): the proxy keeps monitoring connections outside
    MaxDatabaseConnectionsAllowed and AWS advises 30 % headroom: 30 % of its 8 pooled backends, rounded up, is 3."""
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", client_kind="plain")
    assert result.server_connections == 8
    assert lines(result) == {"RDS Proxy monitoring and failover": 3}
    without_proxy = planned(catalog, "aws-rds/db.r6g.large", pooler="pgbouncer")
    assert lines(without_proxy) == {}


def test_a_scenario_saved_before_reserves_were_itemised_keeps_one_line():
    provider = ProviderPlan(
        provider="old", plan="p", vcpus=2, ram="8GB", max_connections=100, hard_limit=False, reserved=4
    )
    result = plan(Scenario().model_copy(update={"provider": provider}))
    assert lines(result) == {"old reserved": 4}


def test_reserves_must_add_up_to_the_total():
    with pytest.raises(ValueError, match="sum of the reserves"):
        ProviderPlan(
            provider="x", plan="p", vcpus=2, ram="8GB", max_connections=100, hard_limit=False, reserved=5,
            reserves=({"key": "a", "name": "A", "connections": 3},),
        )  # fmt: skip


def test_a_user_file_may_itemise_its_reserves(user_presets, catalog):
    from pgplanner.presets import load_catalog

    from .test_user_presets import OWN, write

    own = {k: v for k, v in OWN.items() if k != "reserved"}
    own["reserves"] = [
        {"key": "backup", "name": "Backup agent", "connections": 2, "source": "https://wiki.example/db"},
        {"key": "ha", "name": "HA manager", "connections": 1, "superuser": True, "source": "https://wiki.example/db"},
    ]
    write(user_presets, "onprem.json", own)
    mine, problems = load_catalog()
    assert problems == []
    preset = mine.find("onprem/pg-big")
    assert preset.plan.reserved == 3
    result = plan(apply_preset(Scenario(), preset))
    assert lines(result) == {"Backup agent": 2, "HA manager": 1}

"""Formula providers reproduce their published examples (figures from shared/reference/providers.md)."""

from __future__ import annotations

import pytest

from pgplanner.model.units import GB
from pgplanner.presets.loader import read_files, shipped_files
from pgplanner.presets.rules import Context


@pytest.fixture(scope="module")
def files():
    providers, _ = read_files(shipped_files())
    return {p.id: p for p in providers}


def value(rule, ram_gb: float, max_connections: int = 0) -> int:
    return rule.evaluate(Context(ram=round(ram_gb * GB), max_connections=max_connections))[0]


# RDS: LEAST(DBInstanceClassMemory/9531392, 5000) with the nominal RAM, as providers.md tabulates it.
RDS_NOMINAL = [(1, 112), (2, 225), (4, 450), (8, 901), (16, 1802), (32, 3604), (64, 5000), (512, 5000)]
# Observed values (max_connections x 9531392 is DBInstanceClassMemory), providers.md section 1.
RDS_OBSERVED = [(2, 198), (4, 413), (8, 856), (8, 823), (32, 3429), (32, 3484)]
# Aurora's documented per-class defaults (AuroraPostgreSQL.Managing.md) and Serverless v2 per max ACU.
AURORA_DOCUMENTED = [(4, 420), (4, 405), (16, 1722), (32, 3479), (2, 189), (8, 823), (16, 1669), (32, 3360)]


@pytest.mark.parametrize("ram_gb, nominal", RDS_NOMINAL)
def test_rds_formula_with_nominal_ram(files, ram_gb, nominal):
    assert files["aws-rds"].max_connections_rule.nominal(ram_gb * GB) == nominal


@pytest.mark.parametrize("ram_gb, observed", RDS_OBSERVED)
def test_rds_memory_deduction_fits_the_observations(files, ram_gb, observed):
    assert value(files["aws-rds"].max_connections_rule, ram_gb) == pytest.approx(observed, rel=0.03)


@pytest.mark.parametrize("ram_gb, documented", AURORA_DOCUMENTED)
def test_the_same_deduction_fits_aurora_documented_values(files, ram_gb, documented):
    assert value(files["aws-aurora"].max_connections_rule, ram_gb) == pytest.approx(documented, rel=0.035)


def test_rds_derivation_shows_the_numbers(catalog):
    why = catalog.find("aws-rds/db.t3.micro").plan.derivations["max_connections"]
    assert "LEAST({DBInstanceClassMemory/9531392}, 5000)" in why.formula
    assert "= 86" in why.calculation and "nominal RAM alone would give 112" in why.calculation
    assert "fitted to six observed RDS values" in why.note


@pytest.mark.parametrize(
    "preset, observed",
    [("aws-rds/db.m5.large", 823), ("aws-rds/db.m5.2xlarge", 3429), ("aws-rds/db.r6g.xlarge", 3484)],
)
def test_observed_rds_values_are_kept(catalog, preset, observed):
    plan = catalog.find(preset).plan
    assert plan.max_connections == observed
    assert "the provider's formula gives" in plan.derivations["max_connections"].note


@pytest.mark.parametrize(
    "preset, documented",
    [
        ("aws-aurora/db.t3.medium", 420), ("aws-aurora/db.t4g.medium", 405), ("aws-aurora/db.r5.large", 1600),
        ("aws-aurora/db.r6g.large", 1722), ("aws-aurora/db.r6g.xlarge", 3479), ("aws-aurora/db.x2g.large", 3479),
        ("aws-aurora/serverless-v2-1acu", 189), ("aws-aurora/serverless-v2-4acu", 823),
        ("aws-aurora/serverless-v2-8acu", 1669), ("aws-aurora/serverless-v2-128acu", 5000),
    ],
)  # fmt: skip
def test_aurora_documented_values(catalog, preset, documented):
    assert catalog.find(preset).plan.max_connections == documented


# Neon's table (providers.md section 7, neon.com/docs/connect/connection-pooling): compute size, RAM in GB,
# max_connections.
NEON = [("0.25cu", 1, 104), ("0.5cu", 2, 209), ("1cu", 4, 419), ("2cu", 8, 839), ("3cu", 12, 1258),
        ("4cu", 16, 1678), ("5cu", 20, 2098), ("6cu", 24, 2517), ("7cu", 28, 2937), ("8cu", 32, 3357),
        ("9cu", 36, 4000), ("56cu", 224, 4000)]  # fmt: skip


@pytest.mark.parametrize("plan, ram_gb, limit", NEON)
def test_neon_by_compute_size_capped_at_4000(catalog, plan, ram_gb, limit):
    preset = catalog.find(f"neon/{plan}")
    assert (preset.plan.ram, preset.plan.max_connections) == (ram_gb * GB, limit)


def test_neon_pooler_pool_is_90_percent_of_max_connections(catalog):
    pooler = catalog.find("neon/1cu").plan.pooler
    assert (pooler.default_pool_size, pooler.max_client_conn) == (377, 10000)  # floor(419 x 0.9)


@pytest.mark.parametrize("ram_gb, usable", [(1, 22), (4, 97)])
def test_digitalocean_25_per_gb_less_3(files, ram_gb, usable):
    do = files["digitalocean"]
    assert value(do.max_connections_rule, ram_gb) - do.reserved == usable


# DigitalOcean's plans (providers.md section 8, rows of high and medium confidence): slug, max_connections.
DIGITALOCEAN = [("db-s-1vcpu-1gb", 25), ("db-s-1vcpu-2gb", 50), ("db-s-2vcpu-4gb", 100), ("db-s-4vcpu-8gb", 200),
                ("db-s-6vcpu-16gb", 400), ("db-s-8vcpu-32gb", 800), ("gd-2vcpu-8gb", 200), ("gd-4vcpu-16gb", 400),
                ("gd-8vcpu-32gb", 800), ("so1_5-2vcpu-16gb", 400), ("so1_5-4vcpu-32gb", 800)]  # fmt: skip


@pytest.mark.parametrize("plan, limit", DIGITALOCEAN)
def test_digitalocean_plans(catalog, plan, limit):
    assert catalog.find(f"digitalocean/{plan}").plan.max_connections == limit


@pytest.mark.parametrize("ram_gb, clients", [(4, 5000), (8, 5000), (16, 8000), (64, 32000), (120, 50000)])
def test_aiven_pooler_client_limit(files, ram_gb, clients):
    assert value(files["aiven"].poolers[0].max_client_conn, ram_gb) == clients


@pytest.mark.parametrize(
    "ram_gb, limit", [(0.25, 100), (4, 100), (7.99, 100), (8, 200), (15.9, 200), (16, 400), (32, 500), (1024, 500)]
)
def test_render_bands(files, ram_gb, limit):
    assert value(files["render"].max_connections_rule, ram_gb) == limit


RENDER_PLANS = [("basic-256mb", 100), ("basic-4gb", 100), ("pro-4gb", 100), ("pro-8gb", 200), ("pro-16gb", 400),
                ("pro-32gb", 500), ("accelerated-16gb", 400), ("accelerated-1024gb", 500)]  # fmt: skip


@pytest.mark.parametrize("plan, limit", RENDER_PLANS)
def test_render_plans(catalog, plan, limit):
    assert catalog.find(f"render/{plan}").plan.max_connections == limit


# Cloud SQL's memory table; a band's upper edge is inclusive (30 GB -> 500, google/exposure-notifications-server#364).
# Google's memory table; its top row reads "120 GB and above: 1,000" (so db-n1-standard-32 at 120 GB gets 1,000).
CLOUD_SQL = [(0.6, 25), (1.7, 50), (3.75, 100), (6, 100), (6.5, 200), (7.5, 200), (8, 400), (15, 400), (16, 500),
             (30, 500), (32, 600), (60, 600), (64, 800), (119.9, 800), (120, 1000), (128, 1000),
             (416, 1000)]  # fmt: skip


@pytest.mark.parametrize("ram_gb, limit", CLOUD_SQL)
def test_cloud_sql_bands(files, ram_gb, limit):
    assert value(files["gcp-cloudsql"].max_connections_rule, ram_gb) == limit


def test_timescale_pooler_clients(catalog):
    plan = catalog.find("timescale/0.5cpu-2gb").plan
    assert (plan.max_connections, plan.reserved, plan.pooler.max_client_conn) == (25, 17, 160)  # (25 - 17) x 20


def test_supabase_pooler_clients_follow_compute(catalog):
    clients = {p.plan.plan: p.plan.pooler.max_client_conn for p in catalog if p.plan.provider == "supabase"}
    assert clients == {"nano": 200, "micro": 200, "small": 400, "medium": 600, "large": 800, "xl": 1000,
                       "2xl": 1500, "4xl": 3000, "8xl": 6000, "12xl": 9000, "16xl": 12000}  # fmt: skip

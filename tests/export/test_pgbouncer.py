"""pgbouncer.ini, userlist.txt.example and pgcat.toml: the pool as the budget sizes it."""

from __future__ import annotations

import configparser
import re
import tomllib

import pytest

from pgplanner.export.pgbouncer_ini import render_pgbouncer_ini, render_userlist_example
from pgplanner.export.pgcat_toml import render_pgcat_toml

from .helpers import active, comment_above, plan_for


def _ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(comment_prefixes=(";",), inline_comment_prefixes=None, interpolation=None)
    parser.read_string(text)
    return parser


def test_pool_keys_follow_the_plan():
    result = plan_for(pool_size=20, reserve_pool=5, clients=900, users=2, databases=3)
    ini = _ini(render_pgbouncer_ini(result))
    pgb = ini["pgbouncer"]
    assert pgb["pool_mode"] == "transaction"
    assert pgb["default_pool_size"] == "20"
    assert pgb["reserve_pool_size"] == "5"
    assert pgb["max_client_conn"] == str(result.max_client_conn)
    assert pgb["max_db_connections"] == str(2 * (20 + 5))
    assert ini["databases"]["*"] == "host=127.0.0.1 port=5432"
    assert pgb["auth_type"] == "scram-sha-256"


def test_each_value_is_explained():
    result = plan_for(cores=8)
    text = render_pgbouncer_ini(result)
    assert "pool size = productive target / (databases x users)" in comment_above(text, "default_pool_size", ";")
    assert "reserve pool = 25 % of the pool" in comment_above(text, "reserve_pool_size", ";")
    assert "max_client_conn = client demand + 20 %" in comment_above(text, "max_client_conn", ";")
    above = comment_above(text, "max_db_connections", ";")
    assert f"1 x ({result.pool_size} + {result.reserve_pool}) = {result.pool_size + result.reserve_pool}" in above
    assert "PgBouncer's default" in comment_above(text, "reserve_pool_timeout", ";")


def test_budget_matches_what_pgbouncer_may_open():
    """Every server connection PgBouncer may open is a budget line: pools x (pool + reserve)."""
    result = plan_for(pool_size=12, reserve_pool=3, users=2)
    pgb = _ini(render_pgbouncer_ini(result))["pgbouncer"]
    lines = {b.key: b.connections for b in result.budget}
    assert lines["pool"] + lines["reserve_pool"] == int(pgb["max_db_connections"]) * result.scenario.pooler.databases


@pytest.mark.parametrize("version, commented", [(None, True), ((1, 18), True), ((1, 21), False), ((1, 25), False)])
def test_keys_of_later_releases_only_for_a_version_that_has_them(version, commented):
    text = render_pgbouncer_ini(plan_for(), version)
    assert ("max_prepared_statements" in active(text, ";")) is not commented
    assert (";max_prepared_statements = 200" in text) is commented
    if commented:
        assert "needs PgBouncer 1.21+" in text


def test_session_mode_has_no_prepared_statement_tracking():
    text = render_pgbouncer_ini(plan_for(pool_mode="session"), (1, 25))
    assert "max_prepared_statements" not in text
    assert _ini(text)["pgbouncer"]["pool_mode"] == "session"


def test_userlist_example_is_format_only():
    text = render_userlist_example(plan_for())
    entries = re.findall(r'^"([^"]+)" "([^"]+)"$', text, re.M)
    assert [user for user, _ in entries] == ["app", "postgres"]
    assert all(secret.startswith("SCRAM-SHA-256$4096:<salt>$") for _, secret in entries)
    assert all(line.startswith(";;") or line.startswith('"') for line in text.splitlines())


def test_pgcat_toml_parses_and_sizes_the_pool():
    result = plan_for(pooler="pgcat", pool_size=15)
    config = tomllib.loads(render_pgcat_toml(result))
    pool = config["pools"]["appdb"]
    assert pool["pool_mode"] == "transaction"
    assert pool["users"]["0"]["pool_size"] == 15
    assert pool["shards"]["0"]["servers"] == [["127.0.0.1", 5432, "primary"]]
    assert config["general"]["port"] == 6432


def test_pgcat_has_no_statement_mode():
    config = tomllib.loads(render_pgcat_toml(plan_for(pooler="pgcat", pool_mode="statement")))
    assert config["pools"]["appdb"]["pool_mode"] == "transaction"

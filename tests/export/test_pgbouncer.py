"""pgbouncer.ini, userlist.txt.example and pgcat.toml: the pool as the budget sizes it."""

from __future__ import annotations

import configparser
import re
import tomllib

import pytest

from pgplanner.export.pgbouncer_ini import render_pgbouncer_files, render_pgbouncer_ini, render_userlist_example
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


BIG = {"cores": 96, "ram": "768GB", "storage": "nvme", "profile": "oltp", "clients": 5000}


def test_several_processes_each_get_an_ini_of_their_own():
    """so_reuseport on one port; each process its own socket directory, pid file and peer id (PgBouncer docs,
    so_reuseport: 'Each PgBouncer instance on the same host needs different settings for at least
    unix_socket_dir and pidfile')."""
    result = plan_for(**BIG)
    files = render_pgbouncer_files(result)
    names = sorted(name for name in files if name.endswith(".ini"))
    assert names == ["pgbouncer-1.ini", "pgbouncer-2.ini", "pgbouncer-3.ini"]
    inis = [_ini(files[name])["pgbouncer"] for name in names]
    assert {ini["so_reuseport"] for ini in inis} == {"1"}
    assert {ini["listen_port"] for ini in inis} == {"6432"}
    assert len({ini["unix_socket_dir"] for ini in inis}) == len({ini["pidfile"] for ini in inis}) == 3
    for ini in inis:
        assert ini["pidfile"].startswith(ini["unix_socket_dir"] + "/")
        assert ini["default_pool_size"] == "65" and ini["max_client_conn"] == "2000"
        assert ini["max_db_connections"] == str(65 + 17)
        assert ini["listen_backlog"] == "2000"
    # PgBouncer 1.18 has neither peer_id nor [peers]: commented, active for 1.19+
    assert "peer_id" not in inis[0] and ";peer_id = 1" in files["pgbouncer-1.ini"]
    newer = _ini(render_pgbouncer_ini(result, (1, 19), process=2))
    assert newer["pgbouncer"]["peer_id"] == "2"
    assert dict(newer["peers"]) == {str(i): f"host=/run/pgbouncer-{i}" for i in (1, 2, 3)}


def test_the_systemd_template_starts_each_process_with_its_file_limit():
    result = plan_for(**BIG)
    unit = render_pgbouncer_files(result)["pgbouncer@.service"]
    assert "ExecStart=/usr/sbin/pgbouncer /etc/pgbouncer/pgbouncer-%i.ini" in unit
    assert "RuntimeDirectory=pgbouncer-%i" in unit and "Type=notify" in unit
    nofile = result.kernel["linux"]["systemd.pgbouncer.LimitNOFILE"]
    assert f"LimitNOFILE={nofile}:" in unit
    readme = render_pgbouncer_files(result)["README.md"]
    assert "systemctl enable --now pgbouncer@{1..3}" in readme and "systemctl disable --now pgbouncer" in readme


def test_one_process_keeps_one_ini_and_debian_s_unit():
    files = render_pgbouncer_files(plan_for())
    assert set(files) == {"pgbouncer.ini", "userlist.txt.example"}
    ini = _ini(files["pgbouncer.ini"])["pgbouncer"]
    assert "so_reuseport" not in ini and "pidfile" not in ini
    assert ini["unix_socket_dir"] == "/var/run/postgresql"


def test_timeouts_and_startup_parameters_are_written_with_their_reasons():
    result = plan_for()
    text = render_pgbouncer_ini(result)
    pgb = _ini(text)["pgbouncer"]
    assert pgb["query_wait_timeout"] == "120"  # PgBouncer's defaults, stated
    assert pgb["server_lifetime"] == "3600" and pgb["server_idle_timeout"] == "600"
    assert pgb["ignore_startup_parameters"] == "extra_float_digits"  # pgJDBC sends it
    assert pgb["idle_transaction_timeout"] == str(result.pooler_config.idle_transaction_timeout)
    assert "pins a server connection" in comment_above(text, "idle_transaction_timeout", ";") or (
        "not set by this plan" in comment_above(text, "idle_transaction_timeout", ";")
    )
    assert "pgJDBC" in comment_above(text, "ignore_startup_parameters", ";")
    assert "after a restart or a failover every client reconnects" in comment_above(text, "listen_backlog", ";")


def test_pgbouncer_listens_where_the_clients_are():
    assert _ini(render_pgbouncer_ini(plan_for()))["pgbouncer"]["listen_addr"] == "*"
    local = render_pgbouncer_ini(plan_for(app_network="localhost"))
    assert _ini(local)["pgbouncer"]["listen_addr"] == "127.0.0.1,::1"
    assert "client_tls_sslmode" not in local  # no network clients, no TLS advice
    assert ";client_tls_sslmode = require" in render_pgbouncer_ini(plan_for())


def test_a_managed_plan_points_pgbouncer_at_its_endpoint():
    from pgplanner.model import plan

    from ..scenarios import preset

    result = plan(preset("aws-rds/db.m6i.2xlarge", server_host="db1.abc.eu-west-1.rds.amazonaws.com"))
    ini = _ini(render_pgbouncer_ini(result))
    assert ini["databases"]["*"] == "host=db1.abc.eu-west-1.rds.amazonaws.com port=5432"
    assert ini["pgbouncer"]["server_tls_sslmode"] == "require"
    unknown = render_pgbouncer_ini(plan(preset("aws-rds/db.m6i.2xlarge")))
    assert "* = host=ENDPOINT.invalid port=5432" in unknown
    assert "--server-host" in comment_above(unknown, "*", ";")
    userlist = render_userlist_example(result)
    assert "pg_authid" in userlist and "plain text" in userlist and '"app" "<password>"' in userlist


def test_userlist_says_how_to_get_scram_secrets_on_13():
    """PostgreSQL 13 stores md5 hashes until password_encryption = scram-sha-256 and the password is set again;
    auth_type = scram-sha-256 cannot use them (PgBouncer docs, auth_type)."""
    text = render_userlist_example(plan_for(pg_version=13))
    assert "on this 13 server" in text and "\\password app" in text
    assert "SELECT rolname FROM pg_authid WHERE rolpassword LIKE 'md5%';" in text
    assert "auth_query" in text
    assert "on this 1" not in render_userlist_example(plan_for(pg_version=16))


def test_pgcat_listens_and_connects_as_the_plan_says():
    config = tomllib.loads(render_pgcat_toml(plan_for(pooler="pgcat", app_network="localhost", server_host="db.lan")))
    assert config["general"]["host"] == "127.0.0.1"
    assert config["pools"]["appdb"]["shards"]["0"]["servers"] == [["db.lan", 5432, "primary"]]
    assert tomllib.loads(render_pgcat_toml(plan_for(pooler="pgcat")))["general"]["host"] == "0.0.0.0"

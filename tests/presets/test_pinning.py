"""RDS Proxy pins: the share of pinned clients is an input, derived from what the client sends, and the plan
says what avoids it.

The expectations come from AWS's documentation, not from the code:
- AWS Database Blog, "Amazon RDS Proxy multiplexing support for PostgreSQL Extended Query Protocol": the proxy
  multiplexes the extended query protocol, protocol-level prepared statements included, so a driver on its
  defaults (pgJDBC's extended protocol) no longer pins by that alone.
- AWS RDS user guide, "Avoiding pinning an RDS Proxy", section "Conditions that cause pinning for RDS for
  PostgreSQL" (quoted in psqlodbc#143, 2025-11-17): SET commands; PREPARE, DISCARD, DEALLOCATE or EXECUTE;
  temporary sequences, tables or views; cursors; discarding the session state; LISTEN; LOAD; nextval and
  setval; the advisory lock functions. A pinned session keeps its backend until the client disconnects.
- Drivers that send such statements themselves, on every connection: Active Record's SETs on connect
  (rails#56634, 2026), asyncpg's pool reset query (asyncpg#1153), psycopg 3's DEALLOCATE ALL on rollback
  (psycopg#1105; none with prepare_threshold=None, which prepares nothing). AWS's session pinning filters are
  for MySQL only (rails#56634 cites them as such), so no SET LOCAL advice for PostgreSQL.
"""

from __future__ import annotations

import json

import pytest

from pgplanner.export.provider import render_provider
from pgplanner.model import FIELDS, Scenario
from pgplanner.model.serialization import read_scenario_file, scenario_to_json
from tests.cli.runner import run
from tests.equations import false_equations

from .test_model import codes, planned

CLIENTS = 200  # the default scenario: 10 app instances x 20


def pinned_line(result) -> int:
    return next((b.connections for b in result.budget if b.key == "pinned_sessions"), 0)


def pins_message(result) -> str:
    return next(w.message for w in result.warnings if w.code == "PROVIDER_POOLER_PINS")


@pytest.mark.parametrize(
    "inputs, pinned",
    [
        ({"client_kind": "plain"}, 0),  # queries only, on either protocol: the blog says they multiplex
        ({"client_kind": "stateful"}, CLIENTS),  # its driver sends SET or DEALLOCATE on every connection
        ({"client_kind": "plain", "session_state": True}, CLIENTS),  # the app's SET, temp tables: every session
        ({"client_kind": "stateful", "pinned_share": 0.25}, 50),  # the user's measured share wins
        ({"client_kind": "unknown"}, 0),  # assumed unpinned, and asked about (below)
    ],
)
def test_pinned_clients_follow_what_the_client_sends(catalog, inputs, pinned):
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", **inputs)
    assert result.client_demand == CLIENTS
    assert result.pinned_clients == pinned == pinned_line(result)
    assert result.max_connections_required == sum(
        b.connections for b in result.budget if b.counts_against == "max_connections"
    )


def test_jdbc_defaults_no_longer_pin(catalog):
    """pgJDBC on its defaults speaks the extended query protocol, which the proxy now multiplexes."""
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", client_kind="plain")
    assert result.pinned_clients == 0
    assert not {"PROVIDER_POOLER_PINS", "PROVIDER_POOLER_PINNING_UNKNOWN"} & codes(result)
    assert result.server_connections == result.pool_size  # every client multiplexed through the one pool


def test_pinned_clients_hold_backends_the_pool_does_not_multiplex(catalog):
    """25 % of 200 pinned: 50 pinned sessions; the other 150 share the pool sized to the productive target."""
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", pinned_share=0.25)
    assert (result.pinned_clients, result.pool_size, result.server_connections) == (50, 8, 58)
    assert result.derivations["pinned_clients"].calculation == "200 x 25 % = 50"
    assert not false_equations(result.derivations["pinned_clients"].calculation)


def test_the_warning_names_what_pins_as_aws_lists_it(catalog):
    message = pins_message(planned(catalog, "aws-aurora/db.r6g.large", pooler="provider", client_kind="stateful"))
    assert "pins 200 of 200 clients (100 %)" in message
    assert "SET" in message and "advisory lock functions" in message
    assert "extended query" not in message and "JDBC" not in message


def test_a_stateful_client_is_told_what_each_driver_needs(catalog):
    message = pins_message(planned(catalog, "aws-rds/db.r6g.large", pooler="provider", client_kind="stateful"))
    assert "prepare_threshold=None" in message and "psycopg#1105" in message  # no prepared statements to DEALLOCATE
    assert "rails#56634" in message and "asyncpg#1153" in message  # no driver setting stops them
    # Protocol-level prepared statements multiplex now: the old cures are no longer needed.
    for stale in ("preferQueryMode", "statement_cache_size", "simple_protocol", "prepared_statements: false"):
        assert stale not in message


def test_session_state_advice_is_what_aws_supports_for_postgresql(catalog):
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", client_kind="plain", session_state=True)
    message = pins_message(result)
    assert "initialization query" in message and "pg_advisory_xact_lock" in message
    assert "SET LOCAL" not in message  # AWS documents no such exemption for PostgreSQL
    assert "psycopg" not in message  # a plain client's driver needs nothing


def test_an_unknown_client_is_asked_about(catalog):
    result = planned(catalog, "aws-aurora/db.r6g.large", pooler="provider")
    [info] = [w for w in result.warnings if w.code == "PROVIDER_POOLER_PINNING_UNKNOWN"]
    assert info.severity == "info" and "--client-kind plain or stateful" in info.message
    assert "PROVIDER_POOLER_PINNING_UNKNOWN" not in codes(
        planned(catalog, "aws-aurora/db.r6g.large", pooler="provider", client_kind="plain")
    )


@pytest.mark.parametrize("preset", ["neon/1cu", "supabase/small", "azure-flexible/d2ds_v5"])
def test_poolers_that_do_not_pin_never_count_pinned_sessions(catalog, preset):
    result = planned(catalog, preset, pooler="provider", client_kind="stateful", session_state=True)
    assert result.pinned_clients == 0 == pinned_line(result)
    assert "SESSION_STATE_IN_TRANSACTION_POOL" in codes(result)  # PgBouncer breaks session state instead


def test_session_state_through_rds_proxy_costs_backends_rather_than_breaking(catalog):
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", session_state=True)
    assert "SESSION_STATE_IN_TRANSACTION_POOL" not in codes(result)
    assert "PROVIDER_POOLER_PINS" in codes(result)


def test_the_bundle_sets_max_connections_percent_for_the_proxy(catalog):
    """25 % of 200 pinned (50), a pool of 8 and 30 % headroom on both (ceil(58 x 0.3) = 18): the proxy holds 76."""
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", pinned_share=0.25)
    files = render_provider(result)
    readme, script = files["provider/aws-rds/README.md"], files["provider/aws-rds/apply.sh"]
    percent = -(-100 * 76 // result.max_connections)
    assert f"set MaxConnectionsPercent to {percent}" in readme
    assert f"--connection-pool-config MaxConnectionsPercent={percent}" in script
    assert not false_equations(readme)


def test_the_inputs_are_options_with_their_auto_rule():
    assert FIELDS["client_kind"].choices == ("unknown", "plain", "stateful")
    assert "plain 0 %" in FIELDS["pinned_share"].auto and "stateful 100 %" in FIELDS["pinned_share"].auto
    document = run(
        "plan", "--json", "--preset", "aws-rds/db.m6g.large", "--pooler", "provider", "--client-kind", "stateful"
    ).json()
    assert document["pinned_clients"] == 200
    assert "pinned_clients" in document["derivations"]
    bad = run("plan", "--preset", "aws-rds/db.m6g.large", "--pinned-share", "1.5")
    assert bad.status == 2 and "--pinned-share" in bad.stderr


@pytest.mark.parametrize(
    "old, now",
    [
        ("jdbc", "plain"),  # the extended query protocol multiplexes now
        ("simple", "plain"),
        ("prepared", "unknown"),  # named drivers that pin (psycopg 3, asyncpg, Rails) and one that does not (pgx)
    ],
)
def test_scenarios_saved_with_the_old_client_kinds_still_load(tmp_path, old, now):
    document = json.loads(scenario_to_json(Scenario()))
    document["workload"]["client_kind"] = old
    path = tmp_path / "saved.json"
    path.write_text(json.dumps(document))
    assert read_scenario_file(path).workload.client_kind == now
    assert run("plan", "--json", "--client-kind", old).json()["scenario"]["workload"]["client_kind"] == now

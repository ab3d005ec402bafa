"""RDS Proxy pins: the share of pinned clients is an input, derived from the client kind, and the plan says
which client settings avoid it.

AWS (RDS user guide, rds-proxy-managing.md @50e7617, 2023-06-09): the proxy multiplexes at transaction
boundaries, but the extended query protocol (JDBC's default settings), SET, prepared statements and
temporary tables pin a client to one backend for its session.
"""

from __future__ import annotations

import pytest

from pgplanner.export.provider import render_provider
from pgplanner.model import FIELDS
from tests.cli.runner import run
from tests.equations import false_equations

from .test_model import codes, planned


def pinned_line(result) -> int:
    return next((b.connections for b in result.budget if b.key == "pinned_sessions"), 0)


@pytest.mark.parametrize(
    "inputs, pinned",
    [
        ({"client_kind": "jdbc"}, 200),  # JDBC's defaults use the extended query protocol: every client pins
        ({"client_kind": "prepared"}, 200),
        ({"client_kind": "simple"}, 0),
        ({"client_kind": "simple", "session_state": True}, 200),  # SET, temp tables: every client pins
        ({"client_kind": "jdbc", "pinned_share": 0.25}, 50),  # the user's measured share wins
        ({"client_kind": "unknown"}, 0),
    ],
)
def test_pinned_clients_follow_the_client_kind(catalog, inputs, pinned):
    """The default scenario has 10 app instances x 20 = 200 clients."""
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", **inputs)
    assert result.client_demand == 200
    assert result.pinned_clients == pinned == pinned_line(result)
    assert result.max_connections_required == sum(
        b.connections for b in result.budget if b.counts_against == "max_connections"
    )


def test_pinned_clients_hold_backends_the_pool_does_not_multiplex(catalog):
    """25 % of 200 pinned: 50 pinned sessions; the other 150 share the pool sized to the productive target."""
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", pinned_share=0.25)
    assert (result.pinned_clients, result.pool_size, result.server_connections) == (50, 8, 58)
    assert result.derivations["pinned_clients"].calculation == "200 x 25 % = 50"
    assert not false_equations(result.derivations["pinned_clients"].calculation)


def test_pinning_is_a_warning_that_names_the_settings_that_avoid_it(catalog):
    result = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", client_kind="jdbc")
    [warning] = [w for w in result.warnings if w.code == "PROVIDER_POOLER_PINS"]
    assert warning.severity == "warning"
    assert "pins 200 of 200 clients (100 %)" in warning.message
    assert "preferQueryMode=simple" in warning.message
    prepared = planned(catalog, "aws-rds/db.r6g.large", pooler="provider", client_kind="prepared")
    message = next(w.message for w in prepared.warnings if w.code == "PROVIDER_POOLER_PINS")
    assert "prepare_threshold=None" in message and "statement_cache_size=0" in message


def test_an_unknown_client_is_asked_about(catalog):
    result = planned(catalog, "aws-aurora/db.r6g.large", pooler="provider")
    [info] = [w for w in result.warnings if w.code == "PROVIDER_POOLER_PINNING_UNKNOWN"]
    assert info.severity == "info" and "--client-kind" in info.message
    assert "PROVIDER_POOLER_PINNING_UNKNOWN" not in codes(
        planned(catalog, "aws-aurora/db.r6g.large", pooler="provider", client_kind="simple")
    )


@pytest.mark.parametrize("preset", ["neon/1cu", "supabase/small", "azure-flexible/d2ds_v5"])
def test_poolers_that_do_not_pin_never_count_pinned_sessions(catalog, preset):
    result = planned(catalog, preset, pooler="provider", client_kind="jdbc", session_state=True)
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
    assert FIELDS["client_kind"].choices == ("unknown", "jdbc", "prepared", "simple")
    assert "jdbc 100 %" in FIELDS["pinned_share"].auto and "simple 0 %" in FIELDS["pinned_share"].auto
    document = run(
        "plan", "--json", "--preset", "aws-rds/db.m6g.large", "--pooler", "provider", "--client-kind", "jdbc"
    ).json()
    assert document["pinned_clients"] == 200
    assert "pinned_clients" in document["derivations"]
    bad = run("plan", "--preset", "aws-rds/db.m6g.large", "--pinned-share", "1.5")
    assert bad.status == 2 and "--pinned-share" in bad.stderr

"""Pinning: when a pooler that multiplexes at transaction boundaries ties a client to one backend.

RDS Proxy hands a backend back after each transaction, the extended query protocol and its prepared
statements included, but some statements make a client keep that backend for the rest of its session:
AWS lists SET, SQL-level PREPARE/EXECUTE/DEALLOCATE/DISCARD, temporary objects, cursors, LISTEN, LOAD,
nextval/setval and the advisory lock functions. A pinned client then costs a backend as in session
pooling. Either the application sends such statements (its session state) or its driver does on every
connection (a stateful client). The share of pinned clients is an input; left on auto it follows both
(:data:`.defaults.PINNED_SHARE`), and the plan names what keeps each kind of client unpinned, so it says
what to change rather than only what it costs.
"""

from __future__ import annotations

import math
from typing import get_args

from .defaults import PINNED_SHARE, PINNED_SHARE_RULE
from .derivation import Derivation, n, percent, rounded
from .scenario import ClientKind, PoolerOffer, Scenario

# Where AWS lists what pins on PostgreSQL (section "Conditions that cause pinning for RDS for PostgreSQL").
PINNING_SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-pinning.html"
# What keeps a stateful driver from pinning, each from the report that found it; a plain client sends
# nothing that pins and needs no setting.
AVOID_PINNING_STATEFUL = (
    "Rails: none, Active Record sends SET on connect (rails#56634); "
    "asyncpg: none, its pool's reset query pins (asyncpg#1153); "
    "psycopg 3: prepare_threshold=None (its DEALLOCATE ALL pins, psycopg#1105)"
)
# What the application's own session state can do instead: the proxy's log itself advises moving
# session settings to its initialization query; protocol-level prepared statements multiplex (AWS
# Database Blog); a transaction-level advisory lock does not pin (emmett#328). AWS documents no SET LOCAL
# exemption for PostgreSQL (its session pinning filters are MySQL-only).
AVOID_PINNING_SESSION_STATE = (
    "session settings in the proxy's initialization query, not SET (as its log advises); "
    "pg_advisory_xact_lock, not session advisory locks (emmett#328); "
    "protocol-level prepared statements, not SQL PREPARE (AWS blog); "
    "no temporary tables, cursors or LISTEN"
)
CLIENT_KINDS_TO_NAME = tuple(kind for kind in get_args(ClientKind) if kind != "unknown")


def pinning_pooler(scenario: Scenario) -> PoolerOffer | None:
    """The provider's pooler when the scenario pools through it and it pins rather than multiplexes."""
    provider = scenario.provider
    if scenario.pooler.kind != "provider" or provider is None or provider.pooler is None:
        return None
    return provider.pooler if provider.pooler.pins else None


def pinned_share(scenario: Scenario) -> tuple[float, Derivation]:
    """The share of clients pinned: given, or 100 % with session state, else by the client kind."""
    given_share, kind = scenario.pooler.pinned_share, scenario.workload.client_kind
    if given_share is not None:
        return given_share, Derivation(formula="pinned share: given", calculation=percent(given_share))
    if scenario.workload.session_state:
        share, why = 1.0, "the app keeps session state (SET, temporary tables, SQL PREPARE ...): every client pins"
    else:
        share, why = PINNED_SHARE[kind], f"client kind {kind}"
    return share, Derivation(
        formula=f"pinned share {PINNED_SHARE_RULE}",
        calculation=f"{why}: {percent(share)}",
        inputs={"client kind": kind, "session state": str(scenario.workload.session_state).lower()},
        source=PINNING_SOURCE,
    )


def pinned_clients(scenario: Scenario, demand: int) -> tuple[int, Derivation]:
    """Clients a pinning pooler ties to their own backend (0 with any other pooler)."""
    offer = pinning_pooler(scenario)
    if offer is None:
        return 0, _NOT_PINNED
    share, why = pinned_share(scenario)
    return math.ceil(demand * share), Derivation.later(_pinned_clients_why, offer, demand, share, why)


_NOT_PINNED = Derivation(formula="pinned clients: the pooler does not pin", calculation="0")


def _pinned_clients_why(offer: PoolerOffer, demand: int, share: float, why: Derivation) -> Derivation:
    exact_count = demand * share
    count = math.ceil(exact_count)
    return Derivation(
        formula="pinned clients = client demand x pinned share, rounded up",
        calculation=rounded(f"{n(demand)} x {percent(share)}", exact_count, count, "up"),
        inputs={"client demand": n(demand), "pinned share": f"{percent(share)} ({why.calculation})"},
        source=PINNING_SOURCE,
        note=f"{offer.name} pins on: {', '.join(offer.pins)}; a pinned client holds its backend for the session",
    )


def avoid_pinning(scenario: Scenario) -> str:
    """What keeps this scenario's clients unpinned, in words ("" when nothing it sends pins)."""
    kind, session_state = scenario.workload.client_kind, scenario.workload.session_state
    advice = [AVOID_PINNING_STATEFUL] if kind in ("stateful", "unknown") else []
    if session_state or kind == "unknown":
        advice.append(AVOID_PINNING_SESSION_STATE)
    return "; ".join(advice)

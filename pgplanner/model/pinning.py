"""Pinning: when a pooler that multiplexes at transaction boundaries ties a client to one backend.

RDS Proxy hands a backend back after each transaction, but some of what a client does makes it keep
that backend for the rest of its session: AWS names the extended query protocol (the default of
Java's JDBC driver), SET, prepared statements and temporary tables. A pinned client then costs a
backend as in session pooling. The share of pinned clients is an input; left on auto it follows the
client kind (:data:`.defaults.PINNED_SHARE`), and the settings that keep each kind of client unpinned
are named, so the plan says what to change rather than only what it costs.
"""

from __future__ import annotations

import math

from .defaults import PINNED_SHARE, PINNED_SHARE_RULE
from .derivation import Derivation, n, percent, rounded
from .scenario import ClientKind, PoolerOffer, Scenario

# The drivers' own settings that keep them on the simple query protocol or off server-side prepared
# statements (each driver's documentation), by client kind.
AVOID_PINNING: dict[ClientKind, str] = {
    "jdbc": "pgJDBC: preferQueryMode=simple (its default extended query protocol pins)",
    "prepared": (
        "psycopg 3: prepare_threshold=None; asyncpg: statement_cache_size=0; "
        "pgx: default_query_exec_mode=simple_protocol; Rails: prepared_statements: false"
    ),
    "simple": "",
    "unknown": "",
}
SESSION_STATE_WITHOUT_PINNING = (
    "SET LOCAL inside the transaction (or the proxy's initialization query) instead of SET, "
    "pg_advisory_xact_lock instead of session advisory locks, no temporary tables"
)


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
        share, why = 1.0, "the app keeps session state (SET, temporary tables, SQL PREPARE): every client pins"
    else:
        share, why = PINNED_SHARE[kind], f"client kind {kind}"
    return share, Derivation(
        formula=f"pinned share {PINNED_SHARE_RULE}",
        calculation=f"{why}: {percent(share)}",
        inputs={"client kind": kind, "session state": str(scenario.workload.session_state).lower()},
        source="AWS RDS user guide, RDS Proxy: avoiding pinning",
    )


def pinned_clients(scenario: Scenario, demand: int) -> tuple[int, Derivation]:
    """Clients a pinning pooler ties to their own backend (0 with any other pooler)."""
    offer = pinning_pooler(scenario)
    if offer is None:
        return 0, Derivation(formula="pinned clients: the pooler does not pin", calculation="0")
    share, why = pinned_share(scenario)
    exact_count = demand * share
    count = math.ceil(exact_count)
    return count, Derivation(
        formula="pinned clients = client demand x pinned share, rounded up",
        calculation=rounded(f"{n(demand)} x {percent(share)}", exact_count, count, "up"),
        inputs={"client demand": n(demand), "pinned share": f"{percent(share)} ({why.calculation})"},
        source=offer.source or offer.name,
        note=f"{offer.name} pins on: {', '.join(offer.pins)}; a pinned client holds its backend for the session",
    )


def avoid_pinning(scenario: Scenario) -> str:
    """The client settings that keep this scenario's clients unpinned, in words."""
    advice = [AVOID_PINNING[scenario.workload.client_kind]] if AVOID_PINNING[scenario.workload.client_kind] else []
    if scenario.workload.session_state or scenario.workload.client_kind == "unknown":
        advice.append(SESSION_STATE_WITHOUT_PINNING)
    if scenario.workload.client_kind == "unknown":
        advice += [AVOID_PINNING["jdbc"], AVOID_PINNING["prepared"]]
    return "; ".join(advice)

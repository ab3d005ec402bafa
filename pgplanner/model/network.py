"""Where the clients, the standbys and the pooler's server are: the address inputs and what they resolve to.

pg_hba.conf admits a connection by its source address, and PgBouncer listens where its clients are, so
the plan needs the application hosts' and the standbys' networks. Left on auto they are the server's
own subnets (pg_hba.conf's ``samenet`` keyword: whatever the server's interfaces are on), or this
server alone on a desktop; a CIDR (``10.0.1.0/24``, several separated by commas) narrows them. The
pooler's server is this host, or a managed plan's endpoint, which only the user knows.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from .derivation import Derivation, given, n
from .sources import PG_HBA, PGPLANNER_RULE

if TYPE_CHECKING:
    from .concurrency import Pooling
    from .scenario import Scenario

LOCALHOST = "localhost"  # the application runs on the database server itself
SAMENET = "samenet"  # pg_hba.conf: any address of the subnets the server is directly connected to
HBA_KEYWORDS = (SAMENET, "samehost")
LOOPBACK = ("127.0.0.1/32", "::1/128")
SERVER_ON_THIS_HOST = "127.0.0.1"
# A managed plan's endpoint until the user gives it: a name that cannot resolve, so nothing connects by mistake.
ENDPOINT_PLACEHOLDER = "ENDPOINT.invalid"
HOSTNAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.:-]{0,251}[A-Za-z0-9])?$")

NETWORKS_ACCEPTED = f"CIDRs separated by commas, {SAMENET}, samehost, or {LOCALHOST} alone"
HOST_ACCEPTED = "a host name or an IP address"
APP_NETWORK_RULE = f"the server's own subnets ({SAMENET} in pg_hba.conf); {LOCALHOST} on a desktop"
REPLICA_NETWORK_RULE = f"the server's own subnets ({SAMENET} in pg_hba.conf)"
SERVER_HOST_RULE = f"this server ({SERVER_ON_THIS_HOST}); a managed plan's endpoint, which you give"


def check_networks(value: str | None) -> str | None:
    """A comma-separated list of CIDRs or pg_hba.conf keywords, or ``localhost`` alone; spaces are dropped."""
    if value is None:
        return None
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise ValueError("give a network such as 10.0.1.0/24, samenet or localhost")
    if LOCALHOST in (item.lower() for item in items) and len(items) > 1:
        raise ValueError(f"{LOCALHOST} stands alone: the application runs on the database server")
    cleaned = []
    for item in items:
        if item.lower() in (LOCALHOST, *HBA_KEYWORDS):
            cleaned.append(item.lower())
            continue
        try:
            cleaned.append(str(ipaddress.ip_network(item, strict=True)))
        except ValueError as error:
            raise ValueError(f"{item!r} is not a network: {error}") from None
    return ",".join(cleaned)


def check_host(value: str | None) -> str | None:
    if value is None:
        return None
    host = value.strip()
    if not HOSTNAME.fullmatch(host):
        raise ValueError(f"{value!r} is not a host name or an IP address")
    return host


def app_hosts(scenario: Scenario) -> tuple[tuple[str, ...], Derivation]:
    """The application hosts' networks; empty when the application runs on this server."""
    given_value = scenario.workload.app_network
    if given_value is not None:
        value = () if given_value == LOCALHOST else tuple(given_value.split(","))
        return value, given(given_value, "application network")
    if scenario.workload.profile == "desktop":
        return (), _auto("application network", APP_NETWORK_RULE, f"{LOCALHOST} (a desktop runs its programs itself)")
    return (SAMENET,), _auto("application network", APP_NETWORK_RULE, SAMENET)


def replica_hosts(scenario: Scenario) -> tuple[tuple[str, ...], Derivation]:
    given_value = scenario.workload.replica_network
    if given_value is not None:
        value = () if given_value == LOCALHOST else tuple(given_value.split(","))
        return value, given(given_value, "replica network")
    return (SAMENET,), _auto("replica network", REPLICA_NETWORK_RULE, SAMENET)


def remote_clients(scenario: Scenario, pooling: Pooling) -> tuple[int, Derivation]:
    """Connections from the application hosts straight to PostgreSQL: those a pooler does not carry."""
    wl = scenario.workload
    serverless = 0 if pooling.active else wl.serverless_peak
    return _remote(pooling.direct_clients, serverless, wl.listeners, wl.batch_workers, wl.long_transactions)


REMOTE_PARTS = ("direct clients", "serverless (direct)", "LISTEN listeners", "batch workers", "long transactions")


@lru_cache(maxsize=256)
def _remote(*counts: int) -> tuple[int, Derivation]:
    return sum(counts), Derivation.later(_remote_why, counts)


def _remote_why(counts: tuple[int, ...]) -> Derivation:
    total = sum(counts)
    return Derivation(
        formula="connections from the application hosts to PostgreSQL = " + " + ".join(REMOTE_PARTS),
        calculation=" + ".join(n(v) for v in counts) + f" = {n(total)}",
        inputs={name: n(v) for name, v in zip(REMOTE_PARTS, counts, strict=True)},
        source=PG_HBA,
        note="each needs a pg_hba.conf line for the application network; a pooler on this server connects "
        "over the loopback",
    )


def server_host(scenario: Scenario) -> tuple[str, Derivation]:
    """Where the pooler sends its server connections: this host, or the managed plan's endpoint."""
    given_value = scenario.pooler.server_host
    if given_value is not None:
        return given_value, given(given_value, "server endpoint")
    provider = scenario.provider
    if provider is None:
        return SERVER_ON_THIS_HOST, _auto("server endpoint", SERVER_HOST_RULE, SERVER_ON_THIS_HOST)
    unknown = f"{ENDPOINT_PLACEHOLDER} ({provider.id}'s endpoint is yours to give: --server-host)"
    return ENDPOINT_PLACEHOLDER, _auto("server endpoint", SERVER_HOST_RULE, unknown)


@lru_cache(maxsize=64)
def _auto(name: str, rule: str, value: str) -> Derivation:
    """An address input left on auto: its rule, and what the rule gives here."""
    return Derivation(formula=f"{name} = {rule}", calculation=value, source=PGPLANNER_RULE)

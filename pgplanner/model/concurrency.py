"""How many connections can work at once, and how the pooler is sized around that.

productive target = cores x multiplier + effective disk concurrency (PostgreSQL wiki), where
the multiplier is 2 for CPU-bound, 3 for mixed and 4 for I/O-bound work; the pool stays within
cores x 2 .. cores x 4 (the max_connections article's pool size formula), so the target is capped at cores x 4.
When pgbench measurements of the server reach a peak, the measured peak replaces the rule of thumb.
"""

from __future__ import annotations

import math
from functools import cache, lru_cache
from typing import NamedTuple

from .defaults import (
    CLIENT_HEADROOM,
    CORE_MULTIPLIER,
    DISK_CONCURRENCY,
    DISK_CONCURRENCY_RULE,
    MAX_CLIENT_CONN_RULE,
    MIN_MAX_CLIENT_CONN,
    RESERVE_RULE,
    RESERVE_SHARE,
)
from .derivation import Derivation, capped, exact, given, n, rounded
from .pgbouncer import PoolerConfig
from .pgbouncer import processes as pgbouncer_processes
from .pinning import pinned_clients
from .rounding import round_up_readable
from .scenario import PoolerOffer, Scenario, Workload
from .sources import (
    MAX_CONNECTIONS_ARTICLE,
    PG_WIKI_CONNECTIONS,
    PGBOUNCER_CONFIG,
    PGPLANNER_RULE,
    PROCESS_MODEL_ARTICLE,
    USL_FIT,
)
from .throughput import UslFit

POOL_RANGE_MULTIPLIERS = (2, 4)
# The outputs (JSON paths) that describe the pooler itself. With no pooler they describe nothing that runs,
# so no view shows them (a card says "no pooler", a comparison "no pooler", the derivations leave them out);
# ``plan --json`` keeps them, as the contract has them.
POOLER_OUTPUTS = frozenset(
    {
        "pool_size",
        "pool_size_range",
        "pools",
        "reserve_pool",
        "max_client_conn",
        "max_client_conn_total",
        "max_db_connections",
        "server_connections",
        "server_connections_max",
        "pooler_capacity_tps",
        "pooler_processes",
        "pooler_processes_needed",
        "listen_backlog",
        "clients_without_backend",
        "throughput.pool_connections",
    }
    | {f"pooler_config.{name}" for name in PoolerConfig.model_fields}
)


def disk_concurrency(scenario: Scenario) -> tuple[int, Derivation]:
    hw = scenario.hardware
    if hw.disk_concurrency is not None:
        return hw.disk_concurrency, Derivation.later(given, str(hw.disk_concurrency), "disk concurrency")
    return _disk_concurrency_of(hw.storage)


@cache  # one per kind of storage
def _disk_concurrency_of(storage: str) -> tuple[int, Derivation]:
    value = DISK_CONCURRENCY[storage]
    return value, Derivation(
        formula=f"disk concurrency {DISK_CONCURRENCY_RULE}",
        calculation=f"{storage}: {value}",
        inputs={"storage": storage},
        source=f"{PGPLANNER_RULE}, after the effective spindle count of the {PG_WIKI_CONNECTIONS}",
        note="the wiki counts spindles (0 when the data set is cached) and has no figures for flash; these are ours",
    )


def pool_size_range(cores: int, measured_peak: int | None = None) -> tuple[int, int]:
    """cores x 2 .. cores x 4; with a measured peak, up to that peak (past it throughput falls, whatever the
    cores say), so the range never contradicts a target the measurements set."""
    low, high = POOL_RANGE_MULTIPLIERS
    if measured_peak is not None:
        return min(cores * low, measured_peak), measured_peak
    return cores * low, cores * high


@lru_cache(maxsize=256)  # cores and a measured peak: a few values
def pool_size_range_derivation(cores: int, measured_peak: int | None = None) -> Derivation:
    return Derivation.later(_pool_size_range_why, cores, measured_peak)


def _pool_size_range_why(cores: int, measured_peak: int | None) -> Derivation:
    low, high = POOL_RANGE_MULTIPLIERS
    if measured_peak is not None:
        bottom, top = pool_size_range(cores, measured_peak)
        return Derivation(
            formula=f"pool size range = min(cores x {low}, measured peak) .. the measured peak",
            calculation=f"min({cores} x {low}, {measured_peak}) = {bottom} .. {top}",
            inputs={"cores": str(cores), "measured peak": str(measured_peak)},
            source=MAX_CONNECTIONS_ARTICLE,
            note=f"the measurements peak at {measured_peak} active connections: past that throughput falls, so the "
            f"rule's top, cores x {high} = {cores * high}, gives way to the measurement",
        )
    return Derivation(
        formula=f"pool size range = cores x {low} .. cores x {high}",
        calculation=f"{cores} x {low} = {cores * low} .. {cores} x {high} = {cores * high}",
        inputs={"cores": str(cores)},
        source=MAX_CONNECTIONS_ARTICLE,
    )


def rule_of_thumb(scenario: Scenario, disk: int) -> tuple[int, Derivation]:
    """cores x multiplier + disk concurrency, capped at the top of the pool range."""
    return _rule_of_thumb(scenario.hardware.cores, scenario.workload.kind, disk)


@lru_cache(maxsize=256)  # cores, the kind of work and the storage: a few combinations
def _rule_of_thumb(cores: int, kind: str, disk: int) -> tuple[int, Derivation]:
    raw = cores * CORE_MULTIPLIER[kind] + disk
    cap = cores * POOL_RANGE_MULTIPLIERS[1]  # the top of the pool range
    return min(raw, cap), Derivation.later(_rule_of_thumb_why, cores, kind, disk)


def _rule_of_thumb_why(cores: int, kind: str, disk: int) -> Derivation:
    multiplier = CORE_MULTIPLIER[kind]
    raw = cores * multiplier + disk
    high = POOL_RANGE_MULTIPLIERS[1]
    cap = pool_size_range(cores)[1]
    calculation = f"{cores} x {multiplier} + {disk} = {raw}"
    if raw > cap:
        calculation += f", capped at cores x {high} = {cores} x {high} = {cap}"
    return Derivation(
        formula="productive target = cores x multiplier + disk concurrency",
        calculation=calculation,
        inputs={"cores": str(cores), "workload": f"{kind}-bound: x {multiplier}", "disk concurrency": str(disk)},
        source=PG_WIKI_CONNECTIONS,
        note=f"capped at the pool range maximum, cores x {high}" if raw > cap else "",
    )


def productive_target(thumb: tuple[int, Derivation], fit: UslFit | None = None) -> tuple[int, Derivation]:
    """The measured peak when the measurements reach one, else the rule of thumb (``thumb``, as
    :func:`rule_of_thumb` gives it: plan() needs it on its own as well, so it is worked out once).

    A measurement of this server beats a rule drawn from other servers; a peak the measurements do not
    show (too few counts to judge, under two clients, past what was measured or with nothing measured
    near it) is a guess, so the rule of thumb stays and the note says why.
    """
    rule, why = thumb
    if fit is None:
        return rule, why
    if not fit.shows_peak or fit.peak is None:
        note = f"the measurements give {fit.judgement}: not a measured peak, so the rule of thumb stays"
        return rule, why._replace(note=f"{why.note}; {note}" if why.note else note)
    target = max(1, round(fit.peak))
    sigma, kappa = f"{fit.sigma:.4g}", f"{fit.kappa:.4g}"
    return target, Derivation(
        formula="productive target = the measured peak N* = sqrt((1 - sigma) / kappa)",
        calculation=rounded(f"sqrt((1 - {sigma}) / {kappa})", fit.peak, target, "nearest"),
        inputs={"sigma": sigma, "kappa": kappa, "measured points": n(fit.points)},
        source=USL_FIT,
        note=f"the rule of thumb, {why.formula.split(' = ', 1)[1]}, would say {rule}",
    )


class Pooling(NamedTuple):
    """The pooler's sizing: one pool per database and user in each of its processes, each of ``pool_size``
    server connections. ``pool_size``, ``reserve_pool``, ``max_client_conn`` and ``max_db_connections`` are
    what each PgBouncer process is given (pgbouncer.ini); ``pools`` counts the pools of every process.

    A named tuple: cheaper than a frozen dataclass to create at import and to build on every plan().
    """

    active: bool  # a pooler is planned
    pools: int
    pool_size: int
    reserve_pool: int
    max_client_conn: int
    client_demand: int
    serverless_peak: int
    users: int
    derivations: dict[str, Derivation]
    pinned: int = 0  # clients a pinning pooler (RDS Proxy) ties to their own backend, outside the pools
    processes: int = 1  # PgBouncer processes sharing the port (so_reuseport), each with its own pools
    processes_needed: int = 1  # what the clients and the load ask for, before the platform and the cores cap it
    session: bool = False  # session pooling: every connected client holds a backend

    @property
    def pooled_connections(self) -> int:
        """Backends the pools share among the clients they multiplex."""
        return self.pools * self.pool_size

    @property
    def server_connections(self) -> int:
        """Backends the pooler opens in normal operation (without the reserve): its pools and its pinned clients."""
        return self.pooled_connections + self.pinned

    @property
    def server_connections_max(self) -> int:
        return self.pools * (self.pool_size + self.reserve_pool) + self.pinned

    @property
    def max_db_connections(self) -> int:
        """PgBouncer's per-database cap in each process: every user's pool and reserve (0: no pooler)."""
        return self.users * (self.pool_size + self.reserve_pool) if self.active else 0

    @property
    def max_client_conn_total(self) -> int:
        """Clients the pooler accepts in all: max_client_conn in each process."""
        return self.processes * self.max_client_conn if self.active else 0

    @property
    def listen_backlog(self) -> int:
        """Each process's listen queue: room for all its clients reconnecting at once (0: no pooler)."""
        return self.max_client_conn if self.active else 0

    @property
    def clients_without_backend(self) -> int:
        """In session pooling, the clients the pools cannot give a backend: they wait, then are disconnected."""
        if not (self.active and self.session):
            return 0
        return max(0, self.client_demand - self.server_connections_max)

    @property
    def app_clients(self) -> int:
        """The application's own connections: client demand without the serverless peak."""
        return self.client_demand - self.serverless_peak

    @property
    def direct_clients(self) -> int:
        """Application connections that reach PostgreSQL straight, one backend each (none with a pooler)."""
        return 0 if self.active else self.app_clients


def _client_demand_why(wl: Workload, demand: int) -> Derivation:
    inputs = {"serverless peak": n(wl.serverless_peak)}
    if wl.clients is not None:
        calc = f"given: {n(wl.clients)}"
        inputs["client connections"] = n(wl.clients)
    else:
        calc = f"{n(wl.app_instances)} x {n(wl.pool_per_instance)} = {n(demand)}"
        inputs |= {"app instances": n(wl.app_instances), "pool per instance": n(wl.pool_per_instance)}
    if wl.serverless_peak:
        calc += f"; {n(demand)} + {n(wl.serverless_peak)} = {n(demand + wl.serverless_peak)}"
    return Derivation(
        formula="client demand = app instances x pool per instance (or the clients given) + serverless peak",
        calculation=calc,
        inputs=inputs,
        source=MAX_CONNECTIONS_ARTICLE,
    )


def pooling(scenario: Scenario, productive: int, measured: bool = False) -> Pooling:
    """The pools around ``productive`` active backends (``measured``: that target is the measured peak).

    The sizes are worked out here; their derivations are written when first read (:meth:`Derivation.later`)."""
    pooler, wl = scenario.pooler, scenario.workload
    kind = pooler.kind
    active = kind != "none"
    session = active and pooler.mode == "session"
    later = Derivation.later
    # client demand: the application's connections (given, or instances x their pools) and the serverless peak
    given_clients = wl.clients
    app_demand = given_clients if given_clients is not None else wl.app_instances * wl.pool_per_instance
    serverless = wl.serverless_peak
    demand = app_demand + serverless
    derivations = {"client_demand": later(_client_demand_why, wl, app_demand)}
    fleet = pgbouncer_processes(scenario, productive, demand)
    derivations["pooler_processes"] = fleet.derivation
    derivations["pooler_processes_needed"] = fleet.needed_derivation
    planned = fleet.planned
    databases, users = pooler.databases, pooler.users
    pools = planned * databases * users
    derivations["pools"] = _pools_derivation(planned, databases, users)

    pinned, derivations["pinned_clients"] = pinned_clients(scenario, demand)
    # A pinning pooler multiplexes only the clients it does not pin; its default_pool_size is a cap
    # (RDS Proxy: MaxConnectionsPercent of max_connections), not the pool to plan.
    multiplexed = demand - pinned
    clients_per_pool = max(1, math.ceil(multiplexed / pools))
    given_size = pooler.pool_size
    offer = _provider_pooler(scenario) if kind == "provider" else None
    if given_size is not None:
        pool_size = given_size
        derivations["pool_size"] = later(given, str(given_size), "pool size")
    elif offer is not None and offer.default_pool_size is not None and not offer.pins:
        pool_size = min(offer.default_pool_size, clients_per_pool)
        derivations["pool_size"] = later(_offered_pool_size_why, scenario, offer, demand, multiplexed, pools, pool_size)
    elif session:
        pool_size = clients_per_pool
        derivations["pool_size"] = later(_session_pool_size_why, demand, multiplexed, pools)
    else:
        by_target = max(1, math.ceil(productive / pools))
        pool_size = min(by_target, clients_per_pool)
        sizing = _PoolSizing(productive, pools, planned, demand, multiplexed, pinned, by_target, pool_size)
        derivations["pool_size"] = later(_pool_size_why, sizing, measured)

    given_reserve = pooler.reserve_pool
    reserve = given_reserve or 0
    if not active:
        derivations["reserve_pool"] = _NO_RESERVE_POOL
    elif given_reserve is None and offer is not None and offer.default_pool_size is not None:
        derivations["reserve_pool"] = later(_provider_reserve_pool_why, scenario, offer)
    elif given_reserve is None:
        share = math.ceil(pool_size * RESERVE_SHARE)
        reserve = max(0, min(share, clients_per_pool - pool_size))
        derivations["reserve_pool"] = later(_reserve_pool_why, pool_size, clients_per_pool, share, reserve)
    else:
        derivations["reserve_pool"] = later(given, str(reserve), "reserve pool")

    max_client_conn, derivations["max_client_conn"] = _max_client_conn(pooler.max_client_conn, demand, planned)
    reserved = reserve if active else 0
    needed = fleet.needed

    # The pooling without its derivations, for the writers: no derivation holds the dict that holds it (a cycle that
    # only the garbage collector would free).
    figures = Pooling(
        active, pools, pool_size, reserved, max_client_conn, demand, serverless, users, _NO_DERIVATIONS, pinned,
        planned, needed, session,
    )  # fmt: skip
    derivations["app_clients"] = later(_app_clients_why, figures)
    derivations["direct_clients"] = _NO_DIRECT_CLIENTS if active else later(_direct_clients_why, figures)
    derivations["server_connections"] = later(_server_connections_why, figures)
    derivations["server_connections_max"] = later(_server_connections_max_why, figures)
    if active:
        derivations["max_db_connections"] = later(_max_db_connections_why, figures)
        derivations["max_client_conn_total"] = _clients_accepted(planned, max_client_conn)
        derivations["listen_backlog"] = _listen_backlog(max_client_conn)
        if session:
            derivations["clients_without_backend"] = later(_waiting_why, demand, figures.server_connections_max)
        else:
            derivations["clients_without_backend"] = _NO_WAITING
    else:
        derivations["max_db_connections"] = _NO_MAX_DB_CONNECTIONS
        derivations.update(_NO_FLEET)
    return figures._replace(derivations=derivations)


_NO_DERIVATIONS: dict[str, Derivation] = {}  # never written to
_NO_RESERVE_POOL = Derivation(formula="reserve pool: no pooler", calculation="0")
_NO_MAX_DB_CONNECTIONS = Derivation(formula="max_db_connections: no pooler", calculation="0")


def _pinned_inputs(pinned: int) -> dict[str, str]:
    return {"pinned clients": n(pinned)} if pinned else {}


def _offered_pool_size_why(
    scenario: Scenario, offer: PoolerOffer, demand: int, multiplexed: int, pools: int, pool_size: int
) -> Derivation:
    clients_per_pool, per_pool_text = _clients_per_pool(multiplexed, pools)
    default = offer.default_pool_size
    return Derivation(
        formula=f"pool size = {offer.name}'s default_pool_size, at most the clients per pool",
        calculation=f"{per_pool_text}; min({n(default or 0)}, {n(clients_per_pool)}) = {n(pool_size)}",
        inputs={"default_pool_size": n(default or 0), "client demand": n(demand), "pools": str(pools)},
        source=_provider_source(scenario),
        note="the provider pooler's own default (--pool-size plans another where the provider lets you set it); "
        "it never opens more backends than it has clients",
    )


def _session_pool_size_why(demand: int, multiplexed: int, pools: int) -> Derivation:
    return Derivation(
        formula="pool size = clients per pool (session pooling: each connected client holds a backend)",
        calculation=_clients_per_pool(multiplexed, pools)[1],
        inputs={"client demand": n(demand), "pools": str(pools)},
        source=PGBOUNCER_CONFIG,
        note="session pooling cannot multiplex: application pools hold their connections for hours, so a pool "
        "smaller than its clients leaves the rest waiting until query_wait_timeout disconnects them; "
        "transaction pooling serves the same clients with the productive target",
    )


class _PoolSizing(NamedTuple):
    """What a pool sized by the productive target is worked out from, for its derivation."""

    productive: int
    pools: int
    processes: int
    demand: int
    multiplexed: int  # the clients the pools share: the demand less the pinned clients
    pinned: int
    by_target: int
    pool_size: int


def _pool_size_why(s: _PoolSizing, measured: bool) -> Derivation:
    productive, pools, pinned, pool_size = s.productive, s.pools, s.pinned, s.pool_size
    calculation = rounded(f"{productive} / {pools}", productive / pools, s.by_target, "up")
    if pool_size < s.by_target:
        clients_per_pool, per_pool_text = _clients_per_pool(s.multiplexed, pools)
        calculation += f"; {per_pool_text}; min({s.by_target}, {n(clients_per_pool)}) = {pool_size}"
    return Derivation(
        formula="pool size = productive target / ("
        + ("PgBouncer processes x " if s.processes > 1 else "")
        + "databases x users), rounded up, at least 1, at most the clients per pool",
        calculation=calculation,
        inputs={"productive target": str(productive), "pools": str(pools), "client demand": n(s.demand)}
        | _pinned_inputs(pinned),
        source=PG_WIKI_CONNECTIONS,
        note="every pool at once keeps the server at its productive target"
        + (", the peak pgbench measured" if measured else "")
        + "; a pool never has more backends than clients"
        + (f"; the {n(pinned)} pinned clients hold backends of their own" if pinned else ""),
    )


def _provider_reserve_pool_why(scenario: Scenario, offer: PoolerOffer) -> Derivation:
    return Derivation(
        formula=f"reserve pool: none planned on {offer.name}",
        calculation="0",
        inputs={"pooler": offer.name},
        source=_provider_source(scenario),
        note="the provider sizes it",
    )


def _reserve_pool_why(pool_size: int, clients_per_pool: int, share: int, reserve: int) -> Derivation:
    calculation = rounded(f"{pool_size} x {RESERVE_SHARE:g}", pool_size * RESERVE_SHARE, share, "up")
    if reserve < share:
        left_out = f"max(0, min({share}, {n(clients_per_pool)} - {pool_size})) = {reserve}"
        calculation += f"; at most the clients the pool leaves out: {left_out}"
    return Derivation(
        formula=f"reserve pool = {RESERVE_RULE}, rounded up, at most the clients the pool leaves out",
        calculation=calculation,
        inputs={"pool size": str(pool_size), "clients per pool": n(clients_per_pool)},
        source=PROCESS_MODEL_ARTICLE,
    )


def _app_clients_why(p: Pooling) -> Derivation:
    return Derivation(
        formula="app clients = client demand - serverless peak",
        calculation=f"{n(p.client_demand)} - {n(p.serverless_peak)} = {n(p.app_clients)}",
        inputs={"client demand": n(p.client_demand), "serverless peak": n(p.serverless_peak)},
        source=MAX_CONNECTIONS_ARTICLE,
    )


def _server_connections_why(p: Pooling) -> Derivation:
    pinned = p.pinned
    return Derivation(
        formula="server connections = pools x pool size" + (" + pinned clients" if pinned else ""),
        calculation=f"{p.pools} x {p.pool_size}"
        + (f" + {n(pinned)}" if pinned else "")
        + f" = {n(p.server_connections)}",
        inputs={"pools": str(p.pools), "pool size": str(p.pool_size)} | _pinned_inputs(pinned),
        source=PGBOUNCER_CONFIG,
        note="the backends the pooler keeps busy; the reserve opens only under load",
    )


def _server_connections_max_why(p: Pooling) -> Derivation:
    pinned = p.pinned
    return Derivation(
        formula="server connections at most = pools x (pool size + reserve pool)"
        + (" + pinned clients" if pinned else ""),
        calculation=f"{p.pools} x ({p.pool_size} + {p.reserve_pool})"
        + (f" + {n(pinned)}" if pinned else "")
        + f" = {n(p.server_connections_max)}",
        inputs={"pools": str(p.pools), "pool size": str(p.pool_size), "reserve pool": str(p.reserve_pool)}
        | _pinned_inputs(pinned),
        source=PGBOUNCER_CONFIG,
        note="with every reserve pool open",
    )


def _max_db_connections_why(p: Pooling) -> Derivation:
    per_process = " in each PgBouncer process" if p.processes > 1 else ""
    return Derivation(
        formula="max_db_connections = users x (pool_size + reserve_pool_size)",
        calculation=f"{p.users} x ({p.pool_size} + {p.reserve_pool}) = {n(p.max_db_connections)}",
        inputs={"users": str(p.users), "pool size": str(p.pool_size), "reserve pool": str(p.reserve_pool)},
        source=PGBOUNCER_CONFIG,
        note=f"caps each database{per_process} at its share of the budget",
    )


@lru_cache(maxsize=256)  # processes, databases and users: a few combinations
def _pools_derivation(processes: int, databases: int, users: int) -> Derivation:
    return Derivation.later(_pools_why, processes, databases, users)


def _pools_why(processes: int, databases: int, users: int) -> Derivation:
    pools = processes * databases * users
    if processes == 1:
        return Derivation(
            formula="pools = databases x users (one pool per database and user)",
            calculation=f"{databases} x {users} = {pools}",
            inputs={"databases": str(databases), "users": str(users)},
            source=PGBOUNCER_CONFIG,
        )
    return Derivation(
        formula="pools = PgBouncer processes x databases x users (each process keeps its own pool per database "
        "and user)",
        calculation=f"{processes} x {databases} x {users} = {pools}",
        inputs={"PgBouncer processes": str(processes), "databases": str(databases), "users": str(users)},
        source=PGBOUNCER_CONFIG,
    )


@lru_cache(maxsize=512)  # plan() runs on every slider tick; the same demands recur
def _max_client_conn(given_value: int | None, demand: int, processes: int) -> tuple[int, Derivation]:
    """max_client_conn of each process: the client demand and its headroom, shared by the processes."""
    if given_value is not None:
        return given_value, given(n(given_value), "max_client_conn")
    readable = round_up_readable(demand * CLIENT_HEADROOM)
    value = max(MIN_MAX_CLIENT_CONN, math.ceil(readable / processes))
    return value, Derivation.later(_max_client_conn_why, demand, processes, readable, value)


def _max_client_conn_why(demand: int, processes: int, readable: int, value: int) -> Derivation:
    wanted = demand * CLIENT_HEADROOM
    calculation = rounded(f"{n(demand)} x {CLIENT_HEADROOM:g}", wanted, readable, "up to a readable number")
    if processes > 1:
        per_process = capped(f"{n(readable)} / {processes}", readable / processes, at_least=MIN_MAX_CLIENT_CONN,
                             result=value, direction="up", show=n)  # fmt: skip
        calculation += f"; each of {processes} processes: {per_process}"
    elif readable < MIN_MAX_CLIENT_CONN:
        calculation += f"; at least {MIN_MAX_CLIENT_CONN}"
    return Derivation(
        formula=f"max_client_conn = {MAX_CLIENT_CONN_RULE} (PgBouncer's default)"
        + (", shared by the PgBouncer processes" if processes > 1 else ""),
        calculation=calculation,
        inputs={"client demand": n(demand)} | ({"PgBouncer processes": str(processes)} if processes > 1 else {}),
        source=PGPLANNER_RULE,
        note="the kernel spreads new connections over the processes by a hash of the client's address and port: "
        "the 20 % headroom absorbs the unevenness"
        if processes > 1
        else "",
    )


_NO_POOLER = Derivation(formula="no pooler", calculation="0")
_NO_FLEET = {"max_client_conn_total": _NO_POOLER, "listen_backlog": _NO_POOLER, "clients_without_backend": _NO_POOLER}


@lru_cache(maxsize=256)  # max_client_conn is a readable number: a few values
def _clients_accepted(processes: int, max_client_conn: int) -> Derivation:
    return Derivation.later(_clients_accepted_why, processes, max_client_conn)


@lru_cache(maxsize=256)
def _listen_backlog(max_client_conn: int) -> Derivation:
    return Derivation.later(_listen_backlog_why, max_client_conn)


def _clients_accepted_why(processes: int, max_client_conn: int) -> Derivation:
    return Derivation(
        formula="clients accepted = PgBouncer processes x max_client_conn",
        calculation=f"{processes} x {n(max_client_conn)} = {n(processes * max_client_conn)}",
        inputs={"PgBouncer processes": str(processes), "max_client_conn": n(max_client_conn)},
        source=PGBOUNCER_CONFIG,
    )


def _listen_backlog_why(max_client_conn: int) -> Derivation:
    return Derivation(
        formula="listen_backlog = max_client_conn (each process)",
        calculation=n(max_client_conn),
        inputs={"max_client_conn": n(max_client_conn)},
        source=PGBOUNCER_CONFIG,
        note="after a restart or a failover every client reconnects at once; PgBouncer's default 128 would "
        "drop the rest of the burst. The kernel caps it at net.core.somaxconn, which the kernel settings raise "
        "to at least this",
    )


def _waiting_why(demand: int, server_max: int) -> Derivation:
    return Derivation(
        formula="clients without a backend = client demand - server connections at most (session pooling: "
        "one backend per connected client), at least 0",
        calculation=capped(f"{n(demand)} - {n(server_max)}", demand - server_max, at_least=0, show=n),
        inputs={"client demand": n(demand), "server connections at most": n(server_max)},
        source=PGBOUNCER_CONFIG,
    )


_NO_WAITING = Derivation(
    formula="clients without a backend: none (outside session pooling a backend serves one transaction at a time)",
    calculation="0",
    source=PGBOUNCER_CONFIG,
)


def _provider_pooler(scenario: Scenario) -> PoolerOffer | None:
    """The provider's own pooler, when the scenario pools through it."""
    if scenario.pooler.kind != "provider" or scenario.provider is None:
        return None
    return scenario.provider.pooler


def _clients_per_pool(demand: int, pools: int) -> tuple[int, str]:
    """Clients each pool serves at most (client demand / pools, rounded up, at least 1), with its arithmetic."""
    share = math.ceil(demand / pools)
    text = "clients per pool " + rounded(f"{n(demand)} / {pools}", demand / pools, share, "up")
    return (share, text) if share >= 1 else (1, f"{text}, at least 1")


def _provider_source(scenario: Scenario) -> str:
    provider = scenario.provider
    return (provider.source or provider.id) if provider is not None else ""


_NO_DIRECT_CLIENTS = Derivation(
    formula="direct clients = 0: every client goes through the pooler",
    calculation="0",
    source=PGBOUNCER_CONFIG,
)


def _direct_clients_why(p: Pooling) -> Derivation:
    return Derivation(
        formula="direct clients = app clients (no pooler: each is a backend)",
        calculation=n(p.direct_clients),
        inputs={"app clients": n(p.app_clients)},
        source=MAX_CONNECTIONS_ARTICLE,
    )


def pooler_capacity(pooling: Pooling, txn_ms: float) -> tuple[float | None, Derivation]:
    """Transactions per second the pool can serve: every server connection runs one transaction at a time."""
    if not pooling.active:
        return None, _NO_POOLER_CAPACITY
    connections = pooling.server_connections
    tps = connections / (txn_ms / 1000)
    return tps, Derivation.later(_pooler_capacity_why, connections, txn_ms, tps)


_NO_POOLER_CAPACITY = Derivation(formula="pooler capacity: no pooler is planned", calculation="none")


def _pooler_capacity_why(connections: int, txn_ms: float, tps: float) -> Derivation:
    return Derivation(
        formula="pooler capacity = server connections / average transaction time",
        calculation=f"{n(connections)} / {txn_ms:g} ms = {exact(tps)} tps",
        inputs={"server connections": n(connections), "transaction time": f"{txn_ms:g} ms"},
        source=MAX_CONNECTIONS_ARTICLE,
    )

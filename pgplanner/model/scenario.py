"""The Scenario: everything the user tells pgplanner, as immutable, versioned, JSON-ready data.

Every field carries its range, unit and help (see :mod:`.fields`); every combination of in-range
values is a valid Scenario. Combinations that make no sense together (shared_buffers larger than RAM,
a budget above a provider's hard limit) are not refused here: they become warnings in the Plan, so a
user sliding RAM down never gets stuck with a form the model will not accept.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator

from .defaults import (
    AUTOVACUUM_WORKERS_RULE,
    DISK_CONCURRENCY_RULE,
    EXTENSION_WORKERS_DEFAULT,
    HASH_MEM_MULTIPLIER_RULE,
    LISTEN_RULE,
    MAINTENANCE_JOBS_RULE,
    MAINTENANCE_RULE,
    MAX_CLIENT_CONN_RULE,
    MAX_WORKER_PROCESSES_RULE,
    OS_OVERHEAD_RULE,
    OVERCOMMIT_RULE,
    PARALLEL_PER_GATHER_RULE,
    PER_CONNECTION_RULE,
    PINNED_SHARE_RULE,
    RESERVE_RULE,
    SHARED_BUFFERS_RULE,
    WAL_DISK_RULE,
    WORK_MEM_RULE,
    WORKLOAD_RULE,
)
from .derivation import Derivation
from .fields import FieldSpec, choice, count, flag, number, size, specs_of, text
from .network import (
    APP_NETWORK_RULE,
    HOST_ACCEPTED,
    NETWORKS_ACCEPTED,
    REPLICA_NETWORK_RULE,
    SERVER_HOST_RULE,
    check_host,
    check_networks,
)
from .units import format_size, parse_size
from .versions import MAX_CONNECTIONS_LIMIT

SCENARIO_VERSION: Literal[1] = 1

Storage = Literal["hdd", "ssd", "nvme", "network"]
Platform = Literal["linux", "macos", "freebsd", "windows"]
WorkloadKind = Literal["cpu", "mixed", "io"]
Profile = Literal["web", "oltp", "analytics", "mixed", "desktop"]
PoolerKind = Literal["none", "pgbouncer", "pgcat", "provider"]
PoolMode = Literal["transaction", "session", "statement"]
ClientKind = Literal["unknown", "plain", "stateful"]
# The client kinds before RDS Proxy multiplexed the extended query protocol, as saved scenarios and old
# command lines still say them. JDBC's defaults and the simple protocol send nothing that pins: plain.
# "prepared" named drivers that do (psycopg 3, asyncpg, Rails) beside one that does not (pgx): unknown.
CLIENT_KIND_RENAMED = {"jdbc": "plain", "simple": "plain", "prepared": "unknown"}
Confidence = Literal["high", "medium", "low"]
Listen = Literal["localhost", "all"]
Overcommit = Literal["heuristic", "strict"]


def _to_bytes(value: Any) -> Any:
    """Accept ``"16GB"`` as well as a byte count; leave anything else for the int validator to refuse."""
    if isinstance(value, str) and value.strip().lower() != "auto":
        return parse_size(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _auto_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and value.strip().lower() == "auto" else value


def _client_kind_renamed(value: Any) -> Any:
    return CLIENT_KIND_RENAMED.get(value, value) if isinstance(value, str) else value


Bytes = Annotated[int, BeforeValidator(_to_bytes), PlainSerializer(format_size, return_type=str, when_used="json")]
Auto = BeforeValidator(_auto_to_none)  # "auto" in a file or on the command line means "derive it"
Networks = Annotated[str | None, Auto, AfterValidator(check_networks)]
Host = Annotated[str | None, Auto, AfterValidator(check_host)]


class Frozen(BaseModel):
    """Base of every model object: immutable, strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Hardware(Frozen):
    cores: int = count(4, 1, 1024, "CPU cores", "Physical cores; do not count hyperthreads.", unit="cores", log=True)
    ram: Bytes = size("16GB", "256MB", "64TB", "RAM", "Memory of the database server.", unit="GB")
    storage: Storage = choice("ssd", "Storage", "Where the data lives; sets the default disk concurrency.")
    disk_concurrency: Annotated[int | None, Auto] = count(
        None,
        0,
        256,
        "Disk concurrency",
        "Effective spindle count: queries that wait on I/O at once. 0 when the data set is cached.",
        unit="",
        auto=DISK_CONCURRENCY_RULE,
    )
    platform: Platform = choice("linux", "Platform", "Operating system the server runs on.")
    pg_version: int = count(18, 13, 18, "PostgreSQL", "Major version of the server.", unit="")
    data_size: Annotated[Bytes | None, Auto] = size(
        None,
        "1MB",
        "1024TB",
        "Data size",
        "Size of the databases on disk; compared with RAM it sets the cache and planner settings.",
        unit="GB",
        auto="unknown: taken as between 1 and 3 x RAM",
    )
    wal_disk: Annotated[Bytes | None, Auto] = size(
        None,
        "1GB",
        "1024TB",
        "WAL disk",
        "Size of the file system holding pg_wal (the data disk, unless pg_wal has a volume of its own); "
        "min_wal_size, max_wal_size and max_slot_wal_keep_size stay a share of it.",
        unit="GB",
        auto=WAL_DISK_RULE,
        advanced=True,
    )
    swap: Bytes = size(
        "0B",
        "0B",
        "64TB",
        "Swap",
        "Swap space of the server; under strict overcommit it adds to the commit limit. Cloud VMs usually have none.",
        unit="GB",
    )
    overcommit: Annotated[Overcommit | None, Auto] = choice(
        None,
        "Overcommit",
        "Linux memory overcommit (vm.overcommit_memory): heuristic (0) lets the OOM killer end a process when "
        "memory runs out; strict (2) makes allocations beyond the commit limit fail instead, for every program.",
        auto=OVERCOMMIT_RULE,
        advanced=True,
    )


class Memory(Frozen):
    shared_buffers: Annotated[Bytes | None, Auto] = size(
        None, "128kB", "64TB", "shared_buffers", "PostgreSQL's shared cache.", unit="GB", auto=SHARED_BUFFERS_RULE
    )
    os_overhead: Annotated[Bytes | None, Auto] = size(
        None,
        "0B",
        "64TB",
        "OS reserve",
        "Memory kept for the kernel and the other processes of the machine (on a desktop: its other programs).",
        unit="GB",
        auto=OS_OVERHEAD_RULE,
    )
    backend_memory: Bytes = size(
        "10MB", "1MB", "1GB", "Backend base memory", "Private memory of an idle backend (typically 5-10 MB).", unit="MB"
    )
    work_mem: Annotated[Bytes | None, Auto] = size(
        None, "64kB", "64GB", "work_mem", "Memory per sort or hash node.", unit="MB", auto=WORK_MEM_RULE
    )
    sort_nodes: int = count(
        4,
        1,
        64,
        "Sort nodes",
        "Sorts and other non-hash nodes in the heaviest query; each may use work_mem.",
        unit="nodes",
    )
    hash_nodes: int = count(
        1,
        0,
        64,
        "Hash nodes",
        "Hash joins and hash aggregates in the heaviest query; each may use work_mem x hash_mem_multiplier.",
        unit="nodes",
    )
    per_connection_memory: Annotated[Bytes | None, Auto] = size(
        None,
        "1MB",
        "64GB",
        "Memory per connection",
        "What an average connection holds; overrides the estimate.",
        unit="MB",
        auto=PER_CONNECTION_RULE,
    )
    heavy_fraction: float = number(
        0.2,
        0,
        1,
        "Heavy fraction",
        "Share of connections running the heaviest query at the same time.",
        unit="",
        step=0.05,
    )
    hash_mem_multiplier: Annotated[float | None, Auto] = number(
        None,
        1,
        1000,
        "hash_mem_multiplier",
        "A hash node may use work_mem times this.",
        unit="",
        step=0.5,
        auto=HASH_MEM_MULTIPLIER_RULE,
        advanced=True,
    )
    parallel_workers_per_gather: Annotated[int | None, Auto] = count(
        None,
        0,
        64,
        "Workers per gather",
        "max_parallel_workers_per_gather: each worker of a parallel query takes its own work_mem per node.",
        unit="workers",
        auto=PARALLEL_PER_GATHER_RULE,
        advanced=True,
    )
    max_worker_processes: Annotated[int | None, Auto] = count(
        None,
        1,
        1024,
        "max_worker_processes",
        "Background worker slots: parallel workers, logical replication, extensions.",
        unit="processes",
        auto=MAX_WORKER_PROCESSES_RULE,
        advanced=True,
    )
    extension_workers: int = count(
        EXTENSION_WORKERS_DEFAULT,
        0,
        1000,
        "Extension workers",
        "Background workers of extensions (pg_cron, TimescaleDB, pg_partman, autoprewarm): slots of "
        "max_worker_processes kept beside the parallel workers and logical replication.",
        unit="workers",
        advanced=True,
    )
    autovacuum_workers: Annotated[int | None, Auto] = count(
        None,
        1,
        16,
        "Autovacuum workers",
        "autovacuum_max_workers: each may hold autovacuum_work_mem at once.",
        unit="workers",
        auto=AUTOVACUUM_WORKERS_RULE,
        advanced=True,
    )
    maintenance_work_mem: Annotated[Bytes | None, Auto] = size(
        None,
        "1MB",
        "64GB",
        "maintenance_work_mem",
        "Memory for VACUUM, CREATE INDEX and ALTER TABLE ADD FOREIGN KEY.",
        unit="MB",
        auto=MAINTENANCE_RULE,
        advanced=True,
    )
    maintenance_jobs: Annotated[int | None, Auto] = count(
        None,
        0,
        10_000,
        "Maintenance jobs",
        "Manual VACUUM, CREATE INDEX, ALTER TABLE or pg_restore jobs at once; each may hold maintenance_work_mem.",
        unit="jobs",
        auto=MAINTENANCE_JOBS_RULE,
        advanced=True,
    )
    temp_buffers: Bytes = size(
        "8MB",
        "800kB",
        "64GB",
        "temp_buffers",
        "Per-session cache of temporary tables, taken only by sessions that use them.",
        unit="MB",
        advanced=True,
    )
    temp_table_sessions: int = count(
        0,
        0,
        1_000_000,
        "Temp-table sessions",
        "Sessions that use temporary tables at the same time; each may fill temp_buffers.",
        advanced=True,
    )


class Workload(Frozen):
    kind: WorkloadKind = choice(
        "cpu",
        "Workload",
        f"Where active queries wait: CPU-bound, mixed or I/O-bound gives {WORKLOAD_RULE} productive connections. "
        "It sizes the pool; --profile says what the queries are and tunes the rest of postgresql.conf.",
        flat="workload",
    )
    profile: Profile = choice(
        "web",
        "Profile",
        "What the server runs, as pgtune asks it: web (short queries), oltp (many writes), analytics "
        "(large scans), mixed, or desktop (a developer machine). It sets WAL sizes, statistics, JIT and "
        "parallelism; --workload sizes the connection pool.",
    )
    txn_ms: float = number(
        20,
        0.01,
        3_600_000,
        "Transaction time",
        "Average time a transaction holds a connection on an uncontended server (a pgbench select-only "
        "transaction takes about 0.1 ms).",
        unit="ms",
        step=1,
    )
    demand_tps: Annotated[float | None, Auto] = number(
        None,
        0.01,
        100_000_000,
        "Demand",
        "Transactions per second the application offers at its busiest; with it, pgplanner models the wait "
        "for a backend and the response time (mean, p95, p99) for each pool size.",
        unit="tps",
        step=10,
        log=True,
        auto="none: latency is not modelled",
    )
    app_instances: int = count(10, 0, 100_000, "App instances", "Application processes that open a pool.", unit="")
    pool_per_instance: int = count(20, 0, 10_000, "Pool per instance", "Connections in each app instance's pool.")
    clients: Annotated[int | None, Auto] = count(
        None,
        0,
        1_000_000,
        "Client connections",
        "Total client connections; overrides instances x pool.",
        auto="app instances x pool per instance",
    )
    serverless_peak: int = count(
        0, 0, 1_000_000, "Serverless peak", "Concurrent serverless invocations, one connection each."
    )
    session_state: bool = flag(
        False, "Session state", "The app relies on SET, session advisory locks, temp tables or SQL PREPARE."
    )
    client_kind: Annotated[ClientKind, BeforeValidator(_client_kind_renamed)] = choice(
        "unknown",
        "Database client",
        "Whether the driver or ORM changes session state by itself: plain (it sends queries only, on either "
        "protocol, protocol-level prepared statements included: pgJDBC's defaults, pgx, node-postgres, "
        "psycopg 2, psycopg 3 with prepare_threshold=None), stateful (it sends SET, DEALLOCATE or a reset "
        "query itself: Rails' Active Record, asyncpg's pool, psycopg 3's prepared statements). A pinning "
        "pooler such as RDS Proxy ties a stateful client to one backend.",
    )
    listeners: int = count(0, 0, 100_000, "LISTEN listeners", "Connections held open for LISTEN/NOTIFY.")
    batch_workers: int = count(0, 0, 100_000, "Batch workers", "Background job workers with their own connection.")
    long_transactions: int = count(
        0, 0, 100_000, "Long transactions", "Reports and ETL holding a connection for minutes."
    )
    replicas: int = count(0, 0, 1000, "Streaming replicas", "Standbys streaming WAL from this server.")
    logical_senders: int = count(
        0,
        0,
        1000,
        "Logical subscribers",
        "Subscriptions and change-data-capture consumers decoding WAL, one WAL sender each; each may hold "
        "logical_decoding_work_mem.",
    )
    replica_pools: int = count(
        0, 0, 100_000, "Replica pools", "Total connections of the PgBouncer pools on read replicas."
    )
    monitoring: int = count(
        3, 0, 10_000, "Monitoring agents", "Exporters, pg_stat_statements collectors, health checks."
    )
    admin: int = count(2, 0, 10_000, "Admin connections", "Slots for humans and migrations.")
    superuser_reserved: int = count(
        3,
        0,
        1000,
        "Superuser reserved",
        "superuser_reserved_connections: emergency slots only superusers may use (default 3).",
    )
    reserved_connections: int = count(
        0, 0, 1000, "reserved_connections", "PostgreSQL 16+: slots for pg_use_reserved_connections members."
    )
    max_connections: Annotated[int | None, Auto] = count(
        None,
        1,
        MAX_CONNECTIONS_LIMIT,
        "max_connections",
        "Evaluate this value instead of recommending one.",
        auto="recommended from the budget",
    )
    listen: Annotated[Listen | None, Auto] = choice(
        None,
        "Listen on",
        "Where PostgreSQL's clients connect from: localhost (a pooler or the application on this server) or "
        "all interfaces (application hosts, a pooler elsewhere, replicas); it sets listen_addresses.",
        auto=LISTEN_RULE,
        advanced=True,
    )
    partitions: int = count(
        0,
        0,
        1_000_000,
        "Partitions per query",
        "Partitions (or TimescaleDB chunks) one transaction may touch at once, each locked with its indexes; "
        "it sizes max_locks_per_transaction.",
        unit="partitions",
        advanced=True,
    )
    app_network: Networks = text(
        None,
        "Application network",
        "Where the application hosts connect from: CIDRs separated by commas (10.0.1.0/24), samenet (the "
        "server's own subnets), or localhost when the application runs on this server. PgBouncer listens there "
        "and pg_hba.conf admits the connections that bypass it.",
        unit="CIDR",
        accepts=NETWORKS_ACCEPTED,
        auto=APP_NETWORK_RULE,
        advanced=True,
    )
    replica_network: Networks = text(
        None,
        "Replica network",
        "Where the standbys connect from for streaming replication: CIDRs separated by commas or samenet; "
        "pg_hba.conf admits replication connections from there.",
        unit="CIDR",
        accepts=NETWORKS_ACCEPTED,
        auto=REPLICA_NETWORK_RULE,
        advanced=True,
    )


class Pooler(Frozen):
    kind: PoolerKind = choice("pgbouncer", "Pooler", "Connection pooler in front of PostgreSQL.", flat="pooler")
    mode: PoolMode = choice(
        "transaction", "Pool mode", "When a server connection returns to the pool.", flat="pool_mode"
    )
    pool_size: Annotated[int | None, Auto] = count(
        None, 1, 100_000, "Pool size", "Server connections per database/user pool.", auto="productive target"
    )
    reserve_pool: Annotated[int | None, Auto] = count(
        None, 0, 100_000, "Reserve pool", "Extra server connections per pool under load.", auto=RESERVE_RULE
    )
    max_client_conn: Annotated[int | None, Auto] = count(
        None,
        1,
        10_000_000,
        "max_client_conn",
        "Client connections the pooler accepts.",
        auto=MAX_CLIENT_CONN_RULE,
    )
    databases: int = count(1, 1, 10_000, "Databases", "Databases served through the pooler.", unit="")
    users: int = count(
        1, 1, 10_000, "Users", "Roles connecting through the pooler (one pool per database and user).", unit=""
    )
    pinned_share: Annotated[float | None, Auto] = number(
        None,
        0,
        1,
        "Pinned clients",
        "Share of clients a pinning pooler (RDS Proxy) ties to one backend for the whole session.",
        unit="",
        step=0.05,
        auto=PINNED_SHARE_RULE,
        advanced=True,
    )
    server_host: Host = text(
        None,
        "Server endpoint",
        "The host PgBouncer or PgCat sends its server connections to: this server, or a managed plan's "
        "endpoint (mydb.abc123.eu-west-1.rds.amazonaws.com).",
        unit="HOST",
        accepts=HOST_ACCEPTED,
        auto=SERVER_HOST_RULE,
        advanced=True,
    )


class ProviderReserve(Frozen):
    """Connections a provider's own software holds, named for what holds them (AWS automation, Neon's
    superuser, Supabase's services ...). A plan's reserves are counts; a pooler's may be a share of the
    backends it opens (RDS Proxy's monitoring connections)."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    name: str = Field(min_length=1, max_length=160)
    connections: int | None = Field(None, ge=0, le=100_000)
    share: float | None = Field(None, gt=0, lt=1, description="of the pooler's backends (pooler reserves)")
    superuser: bool = Field(False, description="the provider's superuser_reserved_connections (or part of them)")
    why: str = Field("", description="how the count was reached")
    source: str = ""

    @model_validator(mode="after")
    def _count_or_share(self) -> ProviderReserve:
        if (self.connections is None) == (self.share is None):
            raise ValueError("give exactly one of connections or share")
        return self


class ShareGuidance(Frozen):
    """A provider's own advice on how much of max_connections the application may take (Supabase: 80 %)."""

    share: float = Field(gt=0, le=1)
    when: str = Field("", description="the case it is for ('heavy PostgREST use'); empty: always")
    source: str = ""


class Scaling(Frozen):
    """An autoscaling plan's range (Aurora Serverless ACU, Neon CU): the hardware is taken at the maximum."""

    unit: str = Field(min_length=1, max_length=20)
    minimum: float = Field(ge=0)
    maximum: float = Field(gt=0)


class PoolerOffer(Frozen):
    """The pooler a managed provider runs for its customers."""

    kind: str = Field(description="e.g. pgbouncer, rds-proxy, supavisor")
    name: str
    modes: tuple[PoolMode, ...] = ()
    max_client_conn: int | None = Field(None, ge=1)
    default_pool_size: int | None = Field(None, ge=1)
    default_mode: PoolMode | None = Field(None, description="the mode it runs in until the user changes it")
    # What makes it tie a client to one backend for the session instead of multiplexing (RDS Proxy:
    # SET, prepared statements ...); empty: it multiplexes or breaks, it never pins.
    pins: tuple[str, ...] = ()
    reserves: tuple[ProviderReserve, ...] = ()
    source: str = ""
    notes: str = ""


PROVIDER_FIXES = ("cores", "ram")  # the inputs a provider plan decides (by flat name)


class ProviderPlan(Frozen):
    """A managed plan's fixed facts; the presets package fills this from its data files."""

    provider: str = Field(min_length=1, max_length=100)
    plan: str = Field(min_length=1, max_length=100)
    vcpus: float = Field(gt=0, le=10_000)
    ram: Bytes = Field(ge=0)
    max_connections: int = Field(ge=1, le=MAX_CONNECTIONS_LIMIT)
    hard_limit: bool
    reserved: int = Field(0, ge=0, le=1000, description="slots the provider keeps for itself")
    # Some providers document one total that already holds their superuser_reserved_connections and
    # reserved_connections (Azure: 5 + 10 = 15); the budget then counts that total once, not twice.
    reserved_includes_superuser: bool = False
    # The lowest and highest max_connections the provider accepts when it can be set (Azure: 25..5,000;
    # Aiven: 25..60,000); None: any.
    max_connections_settable: tuple[int, int] | None = None
    # The reserved slots line by line, named for what holds them; empty: one line of ``reserved``.
    reserves: tuple[ProviderReserve, ...] = ()
    guidance: tuple[ShareGuidance, ...] = ()
    scaling: Scaling | None = None
    pooler: PoolerOffer | None = None
    source: str = ""
    as_of: str = ""
    confidence: Confidence = "high"
    notes: str = ""
    provider_name: str = ""
    provider_notes: str = Field("", description="what holds for every plan of the provider")
    # How the preset's figures were reached (max_connections from a formula, cores from vCPUs), so a
    # saved scenario still answers "why this number?" after the preset data changes.
    derivations: dict[str, Derivation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _reserves_add_up(self) -> ProviderPlan:
        if any(r.connections is None for r in self.reserves):
            raise ValueError("a plan's reserves are counts of connections (shares belong to a pooler's reserves)")
        if self.reserves and sum(r.connections or 0 for r in self.reserves) != self.reserved:
            raise ValueError("reserved must be the sum of the reserves' connections")
        return self

    @property
    def id(self) -> str:
        return f"{self.provider}/{self.plan}"


Milliseconds = Annotated[float | None, Field(ge=0, le=1e9)]


class MeasuredLatency(Frozen):
    """The latency pgbench measured at one client count: its average and, from its per-transaction log,
    the 50th, 95th and 99th percentiles (None where not measured, e.g. pgbench output pasted in)."""

    avg: Milliseconds = None
    p50: Milliseconds = None
    p95: Milliseconds = None
    p99: Milliseconds = None


def _average_only(value: object) -> object:
    """A scenario saved before percentiles were measured holds the average alone, as a number."""
    return {"avg": value} if isinstance(value, int | float) and not isinstance(value, bool) else value


class Measurement(Frozen):
    """One measured point, e.g. from pgbench: throughput at a number of active connections, and latency."""

    connections: int = Field(ge=1, le=1_000_000)
    tps: float = Field(ge=0, le=1e12)
    latency_ms: Annotated[MeasuredLatency | None, BeforeValidator(_average_only)] = None


class PooledCapacity(Frozen):
    """Transactions per second measured through the pooler with every client busy (a saturated closed loop)."""

    pool_size: int = Field(ge=1, le=100_000, description="the pooler's pool size during the run")
    tps: float = Field(gt=0, le=1e12)


class LatencyCalibration(Frozen):
    """Measured figures that calibrate the latency model (see :mod:`.latency`).

    Both are measured with the same transaction as ``measurements``: ``isolated_ms`` is the mean latency
    of a short run at a low rate (pgbench --rate ``isolated_tps``) through the pooler (straight to
    PostgreSQL without one), which the closed loop never shows (waking a sleeping backend and client);
    ``pooled`` is the capacity through the pooler, which on a small machine is well below the direct one
    (the pooler competes for the same CPUs). A file without ``isolated_tps`` (saved before it was
    recorded) is read as a lone transaction's latency.
    """

    isolated_ms: float | None = Field(None, gt=0, le=1e9)
    isolated_tps: float | None = Field(None, gt=0, le=1e12, description="the rate of the isolated-latency run")
    pooled: PooledCapacity | None = None


class Scenario(Frozen):
    """What the user plans for. ``Scenario()`` is a small web application on a 4-core, 16 GB server."""

    version: Literal[1] = SCENARIO_VERSION
    name: str = Field("", max_length=200)
    hardware: Hardware = Hardware()
    memory: Memory = Memory()
    workload: Workload = Workload()
    pooler: Pooler = Pooler()
    provider: ProviderPlan | None = None
    measurements: tuple[Measurement, ...] = Field((), max_length=1000)
    # Where the measurements come from, e.g. "PostgreSQL 15.14 on /run/postgresql, pgbench select-only";
    # the plot labels the fitted curve with it.
    measured_on: str = Field("", max_length=300)
    latency_calibration: LatencyCalibration | None = None

    def with_changes(self, **changes: Any) -> Scenario:
        """A validated copy with inputs changed by their flat names, e.g. ``with_changes(cores=16, ram="64GB")``.

        This is the one way an edit becomes a new Scenario, for the window and the CLI alike.
        """
        data = self.model_dump()
        for flat, value in changes.items():
            spec = FIELDS.get(flat)
            if spec is None:
                raise KeyError(f"no input named {flat!r}")
            data[spec.group][spec.name] = value
        return Scenario.model_validate(data)


GROUPS: dict[str, type[Frozen]] = {
    "hardware": Hardware,
    "memory": Memory,
    "workload": Workload,
    "pooler": Pooler,
}

# Every input by its flat name (the CLI option without dashes, the widget's objectName).
FIELDS: dict[str, FieldSpec] = {spec.flat: spec for group, model in GROUPS.items() for spec in specs_of(group, model)}
assert len(FIELDS) == sum(len(m.model_fields) for m in GROUPS.values()), "flat input names must be unique"

"""A pgbench sweep: throughput at each client count, in a scratch database made for it and dropped after.

pgplanner never writes into a database it did not create: it creates ``pgplanner_scratch_<random>``
(from template0, which nobody can be connected to), initialises pgbench's tables there, runs a warm-up
and one pgbench run per client count (and repeat), and drops the database with FORCE at the end,
whatever happened: success, a failed run, Cancel, Ctrl-C, SIGTERM or SIGHUP (the CLI raises those as
KeyboardInterrupt). Everything that can be checked before the scratch database exists is checked
before: the options, the program, the role's right to create databases, free connection slots, the
role's CONNECTION LIMIT, another sweep running. The points measured stay in ``Sweep.result`` when a
sweep fails or is stopped, so nothing measured is lost.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..model import MeasuredLatency
from ..model.latency import ISOLATED_CLIENTS
from ..model.scenario import LatencyCalibration, PooledCapacity
from ..model.serialization import InputError
from ..model.throughput import UslFit, fit_usl
from .pgbench import (
    Cancelled,
    MeasureError,
    Target,
    find_pgbench,
    first_error,
    latency_figures,
    parse_pgbench,
    pgbench_target,
    pgbench_version,
    private_directory,
    read_transaction_log,
    rows_done,
    run_pgbench,
    target_for,
)
from .server import connection_use, is_local, read_settings
from .session import READING, SCRATCH, ServerError, Session, connect, describe_connection, one_line

BUILTINS = ("select-only", "tpcb-like", "simple-update")
SCRATCH_PREFIX = "pgplanner_scratch_"
SCRATCH_COMMENT = "made by pgplanner measure for a pgbench sweep; safe to drop"
OWNER_APPLICATION = "pgplanner measure "  # + the scratch database: the sweep that owns it is alive
MAX_DURATION = 3600
MAX_SCALE = 100_000
MAX_REPEAT = 100
# Planned time of `pgbench -i`, for the progress bar only: its rows arrive in about half a second per
# scale unit on a small machine (100,000 rows each), plus vacuum and the primary keys.
INIT_SECONDS = 1.0
INIT_SECONDS_PER_SCALE = 0.5
LOAD_TIMEOUT_MS = 0  # statement_timeout of `pgbench -i`: none, as pg_dump and pg_restore run
# Each run logs a sample of its transactions (pgbench -l --sampling-rate) for the latency percentiles:
# about this many lines, enough for a p99 from 200 transactions above it, a few hundred kB at most.
LOGGED_TRANSACTIONS = 20_000
GUESSED_TPS = 10_000.0  # before anything was measured (no warm-up), to choose the first sampling rate
MIN_SAMPLING_RATE = 1e-4  # pgbench's --sampling-rate is a fraction above 0
# The capacity through the pooler is a saturated closed loop with this many clients (at least twice the
# pool size), as in the latency experiment; the pooler queues what its pool cannot take.
POOLED_CLIENTS = 32
ISOLATED_SHARE = 0.05  # the isolated-latency run offers this share of the capacity measured (pgbench --rate)


def clients_text(count: int) -> str:
    return f"{count} client" if count == 1 else f"{count} clients"


@dataclass(frozen=True)
class SweepSpec:
    clients: tuple[int, ...]
    duration: int  # seconds per run (pgbench -T)
    builtin: str = "select-only"
    script: Path | None = None
    scale: int = 1
    repeat: int = 1
    warmup: int | None = None  # seconds; default: the duration
    pgbench: Path | None = None
    isolated: bool = False  # also measure a lone transaction's latency: a run at a low --rate
    isolated_rate: float | None = None  # tps of that run; default ISOLATED_SHARE of the capacity measured
    pooled: bool = False  # also measure the capacity through the pooler (Sweep's pooler_dsn)
    pool_size: int | None = None  # the pooler's pool size; default: the server connections it opened

    def check(self) -> None:
        """Input errors (InputError, one line naming the option), before anything touches a server."""
        if not self.clients or any(c < 1 for c in self.clients):
            raise InputError("--clients: give client counts of 1 or more, e.g. 1,2,4,8")
        repeated = sorted({c for c in self.clients if self.clients.count(c) > 1})
        if repeated:
            raise InputError(
                f"--clients: {', '.join(map(str, repeated))} given more than once; give each count once "
                "(--repeat N runs every count N times)"
            )
        if not 1 <= self.duration <= MAX_DURATION:
            raise InputError(f"--duration: whole seconds from 1 to {MAX_DURATION} (got {self.duration})")
        if self.warmup is not None and not 0 <= self.warmup <= MAX_DURATION:
            raise InputError(f"--warmup: whole seconds from 0 to {MAX_DURATION} (got {self.warmup})")
        if self.builtin not in BUILTINS:
            raise InputError(f"--builtin: one of {', '.join(BUILTINS)} (got {self.builtin!r})")
        if not 1 <= self.scale <= MAX_SCALE:
            raise InputError(f"--scale: from 1 to {MAX_SCALE} (got {self.scale})")
        if not 1 <= self.repeat <= MAX_REPEAT:
            raise InputError(f"--repeat: from 1 to {MAX_REPEAT} (got {self.repeat})")
        if self.script is not None and not (self.script.is_file() and os.access(self.script, os.R_OK)):
            raise InputError(f"--script: no such readable file: {self.script}")
        if self.isolated_rate is not None and not 0 < self.isolated_rate <= 1e9:
            raise InputError(f"--isolated-rate: transactions per second above 0 (got {self.isolated_rate:g})")
        if self.isolated_rate is not None and not self.isolated:
            raise InputError("--isolated-rate: give --isolated too (the rate is that run's)")
        if self.pool_size is not None and not 1 <= self.pool_size <= 100_000:
            raise InputError(f"--pool-size: from 1 to 100000 (got {self.pool_size})")
        if self.pool_size is not None and not self.pooled:
            raise InputError("--pool-size: give --pooler-dsn too (it is the pooler's pool size)")

    @property
    def workload(self) -> str:
        return f"script {self.script.name}" if self.script else self.builtin

    @property
    def seconds(self) -> int:
        """Planned run time: warm-up plus every run (and the calibration runs)."""
        runs = self.repeat * len(self.clients) + self.pooled + self.isolated
        return self.warmup_seconds + self.duration * runs

    @property
    def pooled_clients(self) -> int:
        return max(POOLED_CLIENTS, 2 * (self.pool_size or 0))

    @property
    def warmup_seconds(self) -> int:
        return self.duration if self.warmup is None else self.warmup


@dataclass(frozen=True)
class Point:
    clients: int
    tps: float
    latency_ms: MeasuredLatency | None  # pgbench's average and the logged transactions' percentiles
    run: int = 1  # which repeat


@dataclass(frozen=True)
class PooledRun:
    """The capacity through the pooler: a saturated closed loop of ``clients`` at its pool size."""

    pool_size: int
    tps: float
    clients: int
    latency_ms: MeasuredLatency | None
    pool_size_seen: bool  # the pool size is the server connections the pooler opened (not given)


@dataclass(frozen=True)
class IsolatedRun:
    """A lone transaction's latency: a short open-loop run at a low rate (pgbench --rate)."""

    rate: float  # offered, tps
    tps: float  # achieved
    clients: int
    through_pooler: bool
    latency_ms: MeasuredLatency


@dataclass(frozen=True)
class Progress:
    fraction: float  # 0..1 of the planned time
    label: str  # what runs now: "initialising scale 1", "8 clients (run 1 of 2)"


@dataclass(frozen=True)
class Note:
    """Something the user should know about the figures, said once ("pgbench shares the server's CPUs")."""

    text: str


@dataclass
class SweepResult:
    server: str  # PostgreSQL 15.14 at host:port/db
    server_version: str
    pgbench_version: str
    spec: SweepSpec
    points: list[Point] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pooled: PooledRun | None = None
    isolated: IsolatedRun | None = None

    @property
    def calibration(self) -> LatencyCalibration | None:
        """What the latency model takes from the calibration runs (None when neither ran)."""
        if self.pooled is None and self.isolated is None:
            return None
        isolated = self.isolated
        return LatencyCalibration(
            isolated_ms=isolated.latency_ms.avg if isolated is not None else None,
            isolated_tps=isolated.tps if isolated is not None else None,
            pooled=PooledCapacity(pool_size=self.pooled.pool_size, tps=self.pooled.tps) if self.pooled else None,
        )

    @property
    def fit(self) -> UslFit | None:
        return fit_usl([(p.clients, p.tps) for p in self.points])

    @property
    def measured_on(self) -> str:
        return f"{self.server}, pgbench {self.spec.workload}"

    @property
    def complete(self) -> bool:
        return len(self.points) == len(self.spec.clients) * self.spec.repeat


Event = Progress | Point | Note | PooledRun | IsolatedRun
Listener = Callable[[Event], None]


class Sweep:
    """One sweep against one server. ``run()`` blocks; ``cancel()`` may be called from any thread.

    ``result`` holds what was measured so far from the moment the server is known, also after a
    failure or a cancel.
    """

    def __init__(
        self, dsn: str, spec: SweepSpec, listener: Listener | None = None, pooler_dsn: str | None = None
    ) -> None:
        spec.check()
        if spec.pooled and pooler_dsn is None:
            raise InputError("--pooler-dsn: the pooler's address is needed to measure through it")
        self.dsn, self.spec, self.pooler_dsn = dsn, spec, pooler_dsn
        self.listener = listener or (lambda _event: None)
        self.result: SweepResult | None = None
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        """Stop the sweep: the running thread sees this within POLL_SECONDS, stops pgbench and cleans up."""
        self._cancelled.set()

    def run(self) -> SweepResult:
        given = find_pgbench(self.spec.pgbench) if self.spec.pgbench else None
        version = pgbench_version(given, given=True) if given else ""
        with Session(self.dsn, SCRATCH, application_name=OWNER_APPLICATION.strip()) as session:
            pgbench = given or find_pgbench(None, session)
            self.result = SweepResult(
                server=describe_connection(session.conn),
                server_version=session.one("SHOW server_version")[0],
                pgbench_version=version or pgbench_version(pgbench),
                spec=self.spec,
            )
            self._preflight(session)
            for name in drop_leftovers(session):
                self._note(f"dropped {name}, left by a sweep whose server went away")
            with private_directory() as private, self._scratch_database(session) as scratch:
                # Loading pgbench's tables is pgplanner's own work: a role's statement_timeout is for the
                # workload, the runs, and must not cancel the COPY of 100,000 rows per scale unit.
                loading = pgbench_target(session, scratch, private, options=f"-c statement_timeout={LOAD_TIMEOUT_MS}")
                self._private = private
                direct = pgbench_target(session, scratch, private)
                # The pooler reaches the scratch database, or this says so before the sweep's minutes
                through = self._pooler_target(scratch, private) if self.spec.pooled else None
                self._sweep(pgbench, loading, direct)
                if self.spec.pooled or self.spec.isolated:
                    self._calibrate(session, pgbench, scratch, through or direct)
        return self.result

    def _note(self, text: str) -> None:
        assert self.result is not None, "notes follow the connection"
        self.result.notes.append(text)
        self.listener(Note(text))

    def _preflight(self, session: Session) -> None:
        """Refuse what would fail or mislead, before anything is created on the server."""
        if self.pooler_dsn is not None:  # the pooler answers (whether it reaches the scratch database is seen later)
            try:
                connect(self.pooler_dsn, READING, application_name=OWNER_APPLICATION.strip()).close()
            except ServerError as error:
                raise MeasureError(f"--pooler-dsn: {error}") from None
        role = session.privileges()
        if not (role.superuser or role.create_databases):
            raise MeasureError(
                f"the role {role.role} may not create databases: measure runs pgbench in a scratch database "
                f"it creates and drops (ALTER ROLE {role.role} CREATEDB, or connect as a role that has it)"
            )
        running = session.rows(
            "SELECT d.datname FROM pg_database d WHERE d.datname LIKE %s AND EXISTS (SELECT 1 "
            "FROM pg_stat_activity a WHERE a.application_name = %s || d.datname)",
            [SCRATCH_PREFIX + "%", OWNER_APPLICATION],
            what="pg_database",
        )
        if running:
            raise MeasureError(
                f"another pgplanner sweep is running on this server (in {running[0][0]}): two sweeps share the "
                "server's CPUs and each would measure less than it can do; run this one when it has finished"
            )
        wanted = max(self.spec.clients)
        use = connection_use(session, read_settings(session))
        if wanted > use.free_slots:
            hidden = f", {use.hidden} of them other roles' with their state hidden" if use.hidden else ""
            raise MeasureError(
                f"--clients {wanted}: the server has {use.free_slots} free connection slots "
                f"(max_connections {use.max_connections} - {use.reserved} reserved - {use.total} in use{hidden} "
                f"- 1 for pgplanner); measure at most {use.free_slots} clients or raise max_connections"
            )
        if role.connection_limit is not None and not role.superuser:
            mine = session.one(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = current_user", what="pg_stat_activity"
            )[0]
            room = role.connection_limit - mine
            if wanted > room:
                raise MeasureError(
                    f"--clients {wanted}: the role {role.role} has CONNECTION LIMIT {role.connection_limit} and "
                    f"{mine} sessions open (pgplanner's included); measure at most {max(room, 0)} clients or "
                    f"raise it (ALTER ROLE {role.role} CONNECTION LIMIT ...)"
                )
        if is_local(session):
            self._note(
                f"pgbench runs on the server's own machine and shares its {os.cpu_count()} CPUs: the peak measured "
                "is lower, and comes at fewer clients, than with pgbench on another machine"
            )

    @contextlib.contextmanager
    def _scratch_database(self, session: Session) -> Iterator[str]:
        from psycopg import sql

        name = SCRATCH_PREFIX + secrets.token_hex(6)
        session.rows("SELECT set_config('application_name', %s, false)", [OWNER_APPLICATION + name], what="SET")
        # template0 is never in use (it refuses connections), so a session left on template1 cannot
        # make CREATE DATABASE fail; pgbench needs nothing from template1.
        create = sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
        try:
            session.rows(create, what=f"CREATE DATABASE {name}")
        except ServerError as error:
            raise MeasureError(f"cannot create the scratch database: {error}") from None
        try:
            comment = sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), SCRATCH_COMMENT)
            session.rows(comment, what="COMMENT ON DATABASE")
            yield name
        except BaseException as error:
            try:
                _drop(session, name)
            except MeasureError as undropped:
                if isinstance(error, MeasureError):  # both matter: what failed, and what is left behind
                    raise MeasureError(f"{error}; {undropped}") from None
                raise undropped from error
            raise
        _drop(session, name)

    def _sweep(self, pgbench: Path, loading: Target, target: Target) -> None:
        assert self.result is not None, "run() made it"
        spec = self.spec
        initialising = INIT_SECONDS + INIT_SECONDS_PER_SCALE * spec.scale
        self._clock = clock = _Clock(initialising + spec.seconds, self.listener)
        loaded: list[float] = []  # what `pgbench -i` said it has loaded (its output thread appends)

        def tick_init() -> None:
            done = f": {loaded[-1]:.0%} of the rows" if loaded else ""
            clock.tick(f"initialising scale {spec.scale}{done}", initialising, loaded[-1] if loaded else None)

        def on_line(line: str) -> None:
            if (fraction := rows_done(line)) is not None:
                loaded.append(fraction)

        self._pgbench(pgbench, loading, ["-i", "-s", str(spec.scale)], "initialisation", tick_init, on_line)
        clock.done(initialising)
        self._fastest = 0.0  # the most tps seen yet: how many transactions the next run will log
        if spec.warmup_seconds:
            top, seconds = max(spec.clients), spec.warmup_seconds
            label = f"warm-up, {clients_text(top)}"
            output = self._pgbench(
                pgbench, target, self._run_args(top, seconds), label, partial(clock.tick, label, seconds)
            )
            clock.done(seconds)
            self._fastest = max((tps for _, tps, _ in parse_pgbench(output)), default=0.0)
        for repeat in range(1, spec.repeat + 1):
            for clients in spec.clients:
                run = f" (run {repeat} of {spec.repeat})" if spec.repeat > 1 else ""
                label = f"{clients_text(clients)}{run}"
                tps, latency = self._logged_run(pgbench, target, clients, self._run_args(clients, spec.duration), label)
                point = Point(clients, tps, latency, repeat)
                self.result.points.append(point)
                self.listener(point)

    def _logged_run(
        self, pgbench: Path, target: Target, clients: int, args: list[str], label: str
    ) -> tuple[float, MeasuredLatency | None]:
        """One timed run with a sample of its transactions logged: its tps and latency figures."""
        seconds = self.spec.duration
        expected = (self._fastest or GUESSED_TPS) * seconds
        rate = min(max(LOGGED_TRANSACTIONS / expected, MIN_SAMPLING_RATE), 1.0)
        prefix = self._private / f"latency_{secrets.token_hex(4)}"
        logging = ["-l", f"--log-prefix={prefix}", f"--sampling-rate={rate:.6g}"]
        try:
            output = self._pgbench(pgbench, target, [*args, *logging], label, partial(self._clock.tick, label, seconds))
        finally:
            times = read_transaction_log(prefix)  # read, and removed whatever happened
        self._clock.done(seconds)
        parsed = parse_pgbench(output)
        if not parsed:
            raise MeasureError(f"pgbench at {clients_text(clients)} printed no tps; its output: {output[-300:]!r}")
        _, tps, average = parsed[-1]
        self._fastest = max(self._fastest, tps)
        return tps, latency_figures(times, average)

    def _run_args(self, clients: int, seconds: int) -> list[str]:
        workload = ["-f", str(self.spec.script)] if self.spec.script else ["-b", self.spec.builtin]
        threads = max(1, min(clients, os.cpu_count() or 1))
        return ["-n", *workload, "-c", str(clients), "-j", str(threads), "-T", str(seconds)]

    def _calibrate(self, session: Session, pgbench: Path, scratch: str, target: Target) -> None:
        """The latency model's calibration: the capacity through the pooler (a saturated closed loop at its
        pool size), then a lone transaction's latency (a run at a low --rate, through the pooler if given:
        ``target``)."""
        assert self.result is not None, "run() made it"
        spec = self.spec
        if spec.pooled:
            clients = spec.pooled_clients
            label = f"through the pooler, {clients_text(clients)}"
            tps, latency = self._logged_run(pgbench, target, clients, self._run_args(clients, spec.duration), label)
            size = spec.pool_size or self._pool_opened(session, scratch)
            pooled = PooledRun(size, tps, clients, latency, spec.pool_size is None)
            self.result.pooled = pooled
            self.listener(pooled)
        if spec.isolated:
            capacity = (
                self.result.pooled.tps if self.result.pooled else max((p.tps for p in self.result.points), default=0.0)
            )
            rate = spec.isolated_rate or round(ISOLATED_SHARE * capacity, 1)
            if rate <= 0:
                raise MeasureError("--isolated: no capacity measured to choose a low rate from; give --isolated-rate")
            label = f"isolated latency, {rate:,.0f} tps"
            args = [*self._run_args(ISOLATED_CLIENTS, spec.duration), "-R", f"{rate:g}"]
            tps, latency = self._logged_run(pgbench, target, ISOLATED_CLIENTS, args, label)
            if latency is None or latency.avg is None:
                raise MeasureError("pgbench printed no latency average for the isolated-latency run")
            isolated = IsolatedRun(rate, tps, ISOLATED_CLIENTS, spec.pooled, latency)
            self.result.isolated = isolated
            self.listener(isolated)

    def _pooler_target(self, scratch: str, private: Path) -> Target:
        """pgbench's way to the scratch database through the pooler; MeasureError when the pooler does not
        reach it (it needs an entry for any database, such as PgBouncer's ``* = host=...``)."""
        assert self.pooler_dsn is not None, "checked in __init__"
        try:
            conn = connect(self.pooler_dsn, READING, dbname=scratch, application_name=OWNER_APPLICATION.strip())
        except ServerError as error:
            raise MeasureError(
                f"--pooler-dsn: {error} (measure reaches its scratch database {scratch} through the pooler: "
                "give the pooler an entry for any database, e.g. PgBouncer's '* = host=...')"
            ) from None
        try:
            password = conn.info.password
            conn.execute("SELECT 1")
        except Exception as error:  # psycopg's any failure, in one line
            raise MeasureError(f"--pooler-dsn: {one_line(error)}") from None
        finally:
            conn.close()
        return target_for(self.pooler_dsn, password, scratch, private, tag="_pooler", option="--pooler-dsn")

    def _pool_opened(self, session: Session, scratch: str) -> int:
        """The server connections the pooler keeps open to the scratch database after a saturated run: its
        pool size (pgbench's own connections are gone)."""
        count = session.one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
            [scratch],
            what="pg_stat_activity",
        )[0]
        if not count:
            raise MeasureError("the pooler kept no server connection open after the run; give its --pool-size")
        return int(count)

    def _pgbench(
        self,
        pgbench: Path,
        target: Target,
        args: list[str],
        label: str,
        tick: Callable[[], None],
        on_line: Callable[[str], None] = lambda _line: None,
    ) -> str:
        """pgbench's output, or MeasureError with its first real error; Cancelled on cancel."""
        if self._cancelled.is_set():
            raise Cancelled
        finished = run_pgbench(pgbench, args, target, self._cancelled, tick, on_line)
        if finished.returncode != 0:
            raise MeasureError(f"pgbench failed at {label}: {first_error(finished.stderr, finished.returncode)}")
        return finished.stdout


def drop_leftovers(session: Session) -> list[str]:
    """Scratch databases a sweep could not drop because its server went away (pgplanner's name and comment,
    nobody connected, no live sweep owning it): dropped now, so a dead server leaves nothing for long."""
    from psycopg import sql

    rows = session.rows(
        "SELECT d.datname FROM pg_database d WHERE d.datname LIKE %s "
        "AND shobj_description(d.oid, 'pg_database') = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
        "WHERE a.datname = d.datname OR a.application_name = %s || d.datname)",
        [SCRATCH_PREFIX + "%", SCRATCH_COMMENT, OWNER_APPLICATION],
        what="pg_database",
    )
    dropped = []
    for (name,) in rows:
        with contextlib.suppress(ServerError):  # not ours to drop after all (a role without the right)
            session.rows(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)), what="DROP DATABASE")
            dropped.append(name)
    return dropped


def _drop(session: Session, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE) (PostgreSQL 13+ ends the sessions still in it), on a fresh connection
    when the sweep's own one broke; a server that stays down gets the name in the error."""
    from psycopg import sql

    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with contextlib.suppress(ServerError):
        session.rows(statement, what="DROP DATABASE")
        return
    try:
        session.reopen()
        session.rows(statement, what="DROP DATABASE")
    except ServerError as error:
        reason = str(error).split(": ", 1)[-1]
        raise MeasureError(
            f"could not drop the scratch database {name} ({reason}); drop it when the server is back"
        ) from None


class _Clock:
    """Progress by planned time: each finished step moves the base, the running one adds its elapsed time
    (or the share it says it has done)."""

    def __init__(self, total: float, listener: Listener) -> None:
        self.total, self.listener = max(total, 1.0), listener
        self.base = 0.0
        self.started = time.monotonic()

    def tick(self, label: str, seconds: float, done: float | None = None) -> None:
        elapsed = time.monotonic() - self.started
        running = seconds * done if done is not None else min(elapsed, seconds)
        self.listener(Progress(min((self.base + running) / self.total, 0.999), label))

    def done(self, seconds: float) -> None:
        self.base += seconds
        self.started = time.monotonic()

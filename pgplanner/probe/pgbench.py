"""A pgbench sweep: throughput at each client count, in a scratch database made for it and dropped after.

pgplanner never writes into a database it did not create: it creates ``pgplanner_scratch_<random>``,
initialises pgbench's tables there, runs a warm-up and one pgbench run per client count (and repeat),
and drops the database with FORCE at the end, whatever happened: success, a failed run, Cancel or
Ctrl-C. Each pgbench runs in a session of its own and is terminated (then killed) on cancel, so no
pgbench process outlives the sweep. The password reaches pgbench through its environment, never its
command line (which other users can read in ps) and never a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model.throughput import UslFit, fit_usl
from .server import ServerError, connect, describe_connection, one_line, read_settings
from .server import connection_use as read_connection_use

BUILTINS = ("select-only", "tpcb-like", "simple-update")
SCRATCH_PREFIX = "pgplanner_scratch_"
SCRATCH_COMMENT = "made by pgplanner measure for a pgbench sweep; safe to drop"
DEBIAN_SERVERS = Path("/usr/lib/postgresql")
POLL_SECONDS = 0.1
STOP_GRACE = 3.0  # seconds pgbench gets to exit after SIGTERM before SIGKILL
MAX_DURATION = 3600
MAX_SCALE = 100_000
MAX_REPEAT = 100


class MeasureError(ServerError):
    """A sweep that cannot start or cannot go on, in one line."""


class Cancelled(Exception):
    """The sweep was stopped by Cancel or Ctrl-C; the scratch database is gone."""


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

    def check(self) -> None:
        """Input errors, before anything touches a server."""
        if not self.clients or any(c < 1 for c in self.clients):
            raise MeasureError("--clients: give client counts of 1 or more, e.g. 1,2,4,8")
        if not 1 <= self.duration <= MAX_DURATION:
            raise MeasureError(f"--duration: whole seconds from 1 to {MAX_DURATION} (got {self.duration})")
        if self.builtin not in BUILTINS:
            raise MeasureError(f"--builtin: one of {', '.join(BUILTINS)} (got {self.builtin!r})")
        if not 1 <= self.scale <= MAX_SCALE:
            raise MeasureError(f"--scale: from 1 to {MAX_SCALE} (got {self.scale})")
        if not 1 <= self.repeat <= MAX_REPEAT:
            raise MeasureError(f"--repeat: from 1 to {MAX_REPEAT} (got {self.repeat})")
        if self.script is not None and not self.script.is_file():
            raise MeasureError(f"--script: no such file: {self.script}")

    @property
    def workload(self) -> str:
        return f"script {self.script.name}" if self.script else self.builtin

    @property
    def seconds(self) -> int:
        """Planned run time: warm-up plus every run."""
        return self.warmup_seconds + self.duration * self.repeat * len(self.clients)

    @property
    def warmup_seconds(self) -> int:
        return self.duration if self.warmup is None else self.warmup


@dataclass(frozen=True)
class Point:
    clients: int
    tps: float
    latency_ms: float | None
    run: int = 1  # which repeat


@dataclass(frozen=True)
class Progress:
    fraction: float  # 0..1 of the planned time
    label: str  # what runs now: "initialising scale 1", "8 clients (run 1 of 2)"


@dataclass
class SweepResult:
    server: str  # PostgreSQL 15.14 at host:port/db
    server_version: str
    pgbench_version: str
    spec: SweepSpec
    points: list[Point] = field(default_factory=list)

    @property
    def fit(self) -> UslFit | None:
        return fit_usl([(p.clients, p.tps) for p in self.points])

    @property
    def measured_on(self) -> str:
        return f"{self.server}, pgbench {self.spec.workload}"


Listener = Callable[[Progress | Point], None]


def find_pgbench(given: Path | None, conn: Any = None) -> Path:
    """pgbench as given, else next to the server's pg_config (when that is this machine), on PATH, next to
    pg_config on PATH, or in the newest Debian server directory."""
    if given is not None:
        if not (given.is_file() and os.access(given, os.X_OK)):
            raise MeasureError(f"--pgbench: not an executable file: {given}")
        return given
    candidates = [folder / "pgbench" for folder in _server_bindirs(conn)]
    if on_path := shutil.which("pgbench"):
        candidates.append(Path(on_path))
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10).stdout
            candidates.append(Path(bindir.strip()) / "pgbench")
    installed = [p for p in DEBIAN_SERVERS.glob("*/bin/pgbench") if p.parent.parent.name.isdigit()]
    candidates += sorted(installed, key=lambda p: int(p.parent.parent.name), reverse=True)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise MeasureError("pgbench not found: install PostgreSQL's client programs or give --pgbench PATH")


def _server_bindirs(conn: Any) -> list[Path]:
    """The server's own BINDIR (pg_config view; superusers only) and its Debian directory by major."""
    if conn is None:
        return []
    import psycopg

    found = [DEBIAN_SERVERS / str(conn.info.server_version // 10000) / "bin"]
    with contextlib.suppress(psycopg.Error):
        row = conn.execute("SELECT setting FROM pg_config WHERE name = 'BINDIR'").fetchone()
        if row:
            found.insert(0, Path(row[0]))
    return found


def pgbench_version(pgbench: Path) -> str:
    try:
        text = subprocess.run([str(pgbench), "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise MeasureError(f"cannot run {pgbench}: {one_line(error)}") from None
    match = re.search(r"\d+(\.\d+)*", text)
    if not match:
        raise MeasureError(f"{pgbench} does not say its version; is it pgbench?")
    return match.group(0)


TPS = re.compile(r"^tps = ([\d.]+)", re.MULTILINE)
LATENCY = re.compile(r"^latency average = ([\d.]+) ms", re.MULTILINE)
CLIENTS = re.compile(r"^number of clients: (\d+)", re.MULTILINE)


def parse_pgbench(output: str) -> list[tuple[int, float, float | None]]:
    """(clients, tps, latency ms) of every run in pgbench's output (several runs may be pasted together).

    pgbench before 14 prints two tps lines, including and then excluding connection time: the last wins.
    """
    found = []
    for block in re.split(r"(?=^transaction type:)", output, flags=re.MULTILINE):
        clients, tps = CLIENTS.search(block), TPS.findall(block)
        if clients and tps:
            latency = LATENCY.search(block)
            found.append((int(clients.group(1)), float(tps[-1]), float(latency.group(1)) if latency else None))
    return found


def points_from_text(text: str, source: str) -> list[tuple[int, float, float | None]]:
    """Points measured elsewhere: pgbench's output (one or more runs), or CSV lines ``clients,tps``
    (a header line is allowed). One clear line naming the source and line when it is neither."""
    if "transaction type:" in text:
        found = parse_pgbench(text)
        if not found:
            raise MeasureError(f"{source}: pgbench output without a 'number of clients' and a 'tps =' line")
        return found
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        cells = [cell.strip() for cell in line.replace(";", ",").split(",")]
        if not line.strip() or (number == 1 and not cells[0].isdigit()):
            continue  # blank lines and a header
        try:
            clients, tps = int(cells[0]), float(cells[1])
        except (ValueError, IndexError):
            raise MeasureError(
                f"{source}, line {number}: expected clients,tps (e.g. 8,12345.6), got {line!r}"
            ) from None
        if clients < 1 or not 0 <= tps < 1e12:
            raise MeasureError(f"{source}, line {number}: clients must be 1 or more and tps 0 or more")
        found.append((clients, tps, None))
    if not found:
        raise MeasureError(f"{source}: no points (expected pgbench output or CSV lines clients,tps)")
    return found


class Sweep:
    """One sweep against one server. ``run()`` blocks; ``cancel()`` may be called from any thread."""

    def __init__(self, dsn: str, spec: SweepSpec, listener: Listener | None = None) -> None:
        spec.check()
        self.dsn, self.spec = dsn, spec
        self.listener = listener or (lambda _event: None)
        self._cancelled = threading.Event()
        self._process: subprocess.Popen[str] | None = None

    def cancel(self) -> None:
        """Stop the sweep: the running thread sees this within POLL_SECONDS, stops pgbench and cleans up."""
        self._cancelled.set()

    def run(self) -> SweepResult:
        with contextlib.closing(connect(self.dsn)) as conn:
            pgbench = find_pgbench(self.spec.pgbench, conn)
            result = SweepResult(
                server=describe_connection(conn),
                server_version=conn.execute("SHOW server_version").fetchone()[0],
                pgbench_version=pgbench_version(pgbench),
                spec=self.spec,
            )
            self._check_slots(conn)
            for name in drop_leftovers(conn):
                self.listener(Progress(0.0, f"dropped {name}, left by a sweep whose server went away"))
            with self._scratch_database(conn) as scratch:
                self._sweep(pgbench, scratch, result)
        return result

    def _check_slots(self, conn: Any) -> None:
        """Refuse client counts the server has no room for, before anything is created."""
        use = read_connection_use(conn, read_settings(conn))
        wanted = max(self.spec.clients)
        if wanted > use.free_slots:
            raise MeasureError(
                f"--clients {wanted}: the server has {use.free_slots} free connection slots "
                f"(max_connections {use.max_connections} - {use.reserved} reserved - {use.total} in use "
                f"- 1 for pgplanner); measure at most {use.free_slots} clients or raise max_connections"
            )

    @contextlib.contextmanager
    def _scratch_database(self, conn: Any) -> Iterator[str]:
        import psycopg
        from psycopg import sql

        name = SCRATCH_PREFIX + secrets.token_hex(6)
        conn.execute("SELECT set_config('application_name', %s, false)", [OWNER_APPLICATION + name])
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error as error:
            raise MeasureError(f"cannot create the scratch database {name}: {one_line(error)}") from None
        try:
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), SCRATCH_COMMENT))
            yield name
        except BaseException as error:
            self._stop_pgbench()
            try:
                _drop(conn, self.dsn, name)
            except MeasureError as undropped:
                if isinstance(error, MeasureError):  # both matter: what failed, and what is left behind
                    raise MeasureError(f"{error}; {undropped}") from None
                raise undropped from error
            raise
        _drop(conn, self.dsn, name)

    def _sweep(self, pgbench: Path, scratch: str, result: SweepResult) -> None:
        spec = self.spec
        clock = _Clock(spec.seconds, self.listener)
        initialise = ["-i", "-q", "-s", str(spec.scale)]
        self._pgbench(pgbench, scratch, initialise, clock, f"initialising scale {spec.scale}", 0)
        clock.done(0)
        if spec.warmup_seconds:
            top, seconds = max(spec.clients), spec.warmup_seconds
            self._pgbench(pgbench, scratch, self._run_args(top, seconds), clock, f"warm-up, {top} clients", seconds)
            clock.done(seconds)
        for repeat in range(1, spec.repeat + 1):
            for clients in spec.clients:
                run = f" (run {repeat} of {spec.repeat})" if spec.repeat > 1 else ""
                args, label = self._run_args(clients, spec.duration), f"{clients} clients{run}"
                output = self._pgbench(pgbench, scratch, args, clock, label, spec.duration)
                clock.done(spec.duration)
                parsed = parse_pgbench(output)
                if not parsed:
                    raise MeasureError(f"pgbench at {clients} clients printed no tps; its output: {output[-300:]!r}")
                point = Point(clients, parsed[-1][1], parsed[-1][2], repeat)
                result.points.append(point)
                self.listener(point)

    def _run_args(self, clients: int, seconds: int) -> list[str]:
        workload = ["-f", str(self.spec.script)] if self.spec.script else ["-b", self.spec.builtin]
        threads = max(1, min(clients, os.cpu_count() or 1))
        return ["-n", *workload, "-c", str(clients), "-j", str(threads), "-T", str(seconds)]

    def _pgbench(
        self, pgbench: Path, scratch: str, args: Sequence[str], clock: _Clock, label: str, seconds: int
    ) -> str:
        """Run pgbench to the end (reporting progress), or stop it at once on cancel."""
        if self._cancelled.is_set():
            raise Cancelled
        target, env = _pgbench_connection(self.dsn, scratch)
        process = subprocess.Popen(
            [str(pgbench), *args, target],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a terminal's Ctrl-C reaches pgplanner, which stops pgbench itself
        )
        self._process = process
        try:
            out, err = _wait(process, lambda: clock.tick(label, seconds), self._cancelled)
        finally:
            self._process = None
        if self._cancelled.is_set():
            raise Cancelled
        if process.returncode != 0:
            problems = [line for line in err.splitlines() if "error" in line.lower() or "fatal" in line.lower()]
            reason = (problems or err.strip().splitlines() or [f"exit status {process.returncode}"])[-1]
            raise MeasureError(f"pgbench failed during {label}: {reason.removeprefix('pgbench: ')}")
        return out

    def _stop_pgbench(self) -> None:
        process = self._process
        if process is not None and process.poll() is None:
            terminate(process)


def _wait(process: subprocess.Popen[str], tick: Callable[[], None], cancelled: threading.Event) -> tuple[str, str]:
    """Wait for pgbench, ticking the progress; on cancel (or Ctrl-C here) stop it before returning."""
    try:
        while True:
            try:
                return process.communicate(timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:
                if cancelled.is_set():
                    terminate(process)
                    return "", ""
                tick()
    except BaseException:
        terminate(process)
        raise


def terminate(process: subprocess.Popen[str]) -> None:
    """SIGTERM to pgbench's session, SIGKILL after a grace period; reaped either way."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.communicate(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _pgbench_connection(dsn: str, scratch: str) -> tuple[str, dict[str, str]]:
    """pgbench's database argument (a conninfo string naming the scratch database, without the password)
    and its environment (the password, if the DSN had one, as PGPASSWORD)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params: dict[str, Any] = conninfo_to_dict(dsn)
    password = params.pop("password", None)
    params["dbname"] = scratch
    params.setdefault("application_name", "pgplanner-pgbench")
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = str(password)
    return make_conninfo(**params), env


OWNER_APPLICATION = "pgplanner measure "  # + the scratch database: the sweep that owns it is alive


def drop_leftovers(conn: Any) -> list[str]:
    """Scratch databases a sweep could not drop because its server went away (pgplanner's name and comment,
    nobody connected, no live sweep owning it): dropped now, so a dead server leaves nothing for long."""
    import psycopg
    from psycopg import sql

    rows = conn.execute(
        "SELECT d.datname FROM pg_database d WHERE d.datname LIKE %s "
        "AND shobj_description(d.oid, 'pg_database') = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
        "WHERE a.datname = d.datname OR a.application_name = %s || d.datname)",
        [SCRATCH_PREFIX + "%", SCRATCH_COMMENT, OWNER_APPLICATION],
    ).fetchall()
    dropped = []
    for (name,) in rows:
        with contextlib.suppress(psycopg.Error):  # not ours to drop after all (a role without the right)
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            dropped.append(name)
    return dropped


def _drop(conn: Any, dsn: str, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE) (PostgreSQL 13+ ends the sessions still in it), on a fresh connection
    when the sweep's own one broke; a server that stays down gets the name in the error."""
    import psycopg
    from psycopg import sql

    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with contextlib.suppress(psycopg.Error):
        conn.execute(statement)
        return
    try:
        with contextlib.closing(connect(dsn)) as fresh:
            fresh.execute(statement)
    except (ServerError, psycopg.Error) as error:
        raise MeasureError(
            f"could not drop the scratch database {name} ({one_line(error)}); drop it when the server is back"
        ) from None


class _Clock:
    """Progress by planned time: each finished run moves the base, the running one adds its elapsed time."""

    def __init__(self, total: int, listener: Listener) -> None:
        self.total, self.listener = max(total, 1), listener
        self.base = 0.0
        self.started = time.monotonic()

    def tick(self, label: str, seconds: int) -> None:
        running = min(time.monotonic() - self.started, seconds)
        self.listener(Progress(min((self.base + running) / self.total, 0.999), label))

    def done(self, seconds: int) -> None:
        self.base += seconds
        self.started = time.monotonic()

"""The pgbench program: finding it, running it safely, and reading what it prints.

A run never sees a terminal: its stdin is /dev/null and it runs in a session of its own (no
controlling tty), so a password prompt fails at once with libpq's reason instead of waiting for ever,
and a terminal's Ctrl-C reaches pgplanner, which stops pgbench itself (SIGTERM to its session, then
SIGKILL). No secret reaches its command line, which every user can read in ps: the conninfo argument
holds the connection's other parameters, the password libpq actually used (from the DSN, PGPASSWORD
or a ~/.pgpass line for another database) goes into a pass file and the DSN's other secrets
(sslpassword ...) into a service file, both readable by this user only, in a private directory that
is removed with the sweep.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..model import MeasuredLatency
from ..model.serialization import InputError
from .session import SECRET_PARAMETERS, ServerError, Session, one_line, parse_dsn

DEBIAN_SERVERS = Path("/usr/lib/postgresql")
POLL_SECONDS = 0.1
STOP_GRACE = 3.0  # seconds pgbench gets to exit after SIGTERM before SIGKILL
SERVICE = "pgplanner"  # the section of the private service file
PGBENCH_APPLICATION = "pgplanner-pgbench"


class MeasureError(ServerError):
    """pgbench cannot run, or a run failed: one line with pgbench's own first error."""


class Cancelled(Exception):
    """The sweep was stopped by Cancel; pgbench is stopped and the scratch database dropped."""


def find_pgbench(given: Path | None, session: Session | None = None) -> Path:
    """pgbench as given, else next to the server's pg_config (when that is this machine), on PATH, next to
    pg_config on PATH, or in the newest Debian server directory."""
    if given is not None:
        if not (given.is_file() and os.access(given, os.X_OK)):
            raise InputError(f"--pgbench: not an executable file: {given}")
        return given
    candidates = [folder / "pgbench" for folder in _server_bindirs(session)]
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


def _server_bindirs(session: Session | None) -> list[Path]:
    """The server's own BINDIR (pg_config view; superusers only) and its Debian directory by major."""
    if session is None:
        return []
    found = [DEBIAN_SERVERS / str(session.conn.info.server_version // 10000) / "bin"]
    if session.privileges().superuser:  # asked of others, the server would log a permission error
        rows, _ = session.optional_rows("SELECT setting FROM pg_config WHERE name = 'BINDIR'")
        if rows:
            found.insert(0, Path(rows[0][0]))
    return found


VERSION = re.compile(r"^pgbench \(PostgreSQL\) (\d+(?:\.\d+)*)")


def pgbench_version(pgbench: Path, given: bool = False) -> str:
    """``15.14``; an error when the program does not say it is pgbench (bad input when the user named it
    with --pgbench, a fault of the installation when pgplanner found it)."""
    fault = InputError if given else MeasureError
    named = f"--pgbench: {pgbench}" if given else str(pgbench)
    try:
        done = subprocess.run(
            [str(pgbench), "--version"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError) as error:
        raise fault(f"cannot run {named}: {one_line(error)}") from None
    match = VERSION.match(done.stdout.strip())
    if not match:
        raise fault(f"{named} is not pgbench: its --version does not say 'pgbench (PostgreSQL) N'")
    return match.group(1)


@contextlib.contextmanager
def private_directory() -> Iterator[Path]:
    """A directory only this user can enter (mode 0700), removed at the end whatever happened."""
    folder = Path(tempfile.mkdtemp(prefix="pgplanner-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_private(path: Path, text: str) -> None:
    """A file created readable and writable by this user only (never briefly wider)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(text)


@dataclass(frozen=True)
class Target:
    """How pgbench reaches a database: a conninfo argument without secrets, and its environment."""

    conninfo: str
    env: dict[str, str]


def pgbench_target(session: Session, dbname: str, private: Path, options: str = "") -> Target:
    """The DSN's own parameters (pgbench's libpq may be older than pgplanner's and refuse parameters it
    does not know, so only what the user wrote is passed on; PG* variables reach it as they are),
    pointed at ``dbname``, with ``options`` added and the secrets moved into files in ``private``."""
    return target_for(session.dsn, session.conn.info.password, dbname, private, options)


def target_for(
    dsn: str, password: str | None, dbname: str, private: Path, options: str = "", tag: str = "", option: str = "--dsn"
) -> Target:
    """:func:`pgbench_target` for any DSN (the pooler's too, given as ``option``): ``password`` is the one
    libpq used to connect with it; ``tag`` keeps this target's secret files apart from another DSN's."""
    from psycopg.conninfo import make_conninfo

    params = parse_dsn(dsn)
    params.update(dbname=dbname, application_name=PGBENCH_APPLICATION)
    if options:
        params["options"] = f"{params['options']} {options}" if params.get("options") else options
    env = {key: value for key, value in os.environ.items() if key != "PGPASSWORD"}
    params.pop("password", None)
    if password:  # the one libpq used: the DSN's, PGPASSWORD's or a pass file's
        passfile = private / f"pgpass{tag}"
        if not passfile.exists():
            _write_private(passfile, "*:*:*:*:" + password.replace("\\", "\\\\").replace(":", "\\:") + "\n")
        params["passfile"] = str(passfile)
    secrets = {name: params.pop(name) for name in SECRET_PARAMETERS if params.get(name)}
    if secrets:
        if params.get("service") or env.get("PGSERVICE"):
            raise MeasureError(
                f"{option}: put {', '.join(secrets)} in the service file rather than beside service= "
                "(pgplanner passes no secret to pgbench on its command line)"
            )
        # libpq drops a service file value's trailing blanks; no other way keeps these off the command line
        service_file = private / f"pg_service{tag}.conf"
        if not service_file.exists():
            _write_private(service_file, f"[{SERVICE}]\n" + "".join(f"{k}={v}\n" for k, v in secrets.items()))
        params["service"] = SERVICE
        env["PGSERVICEFILE"] = str(service_file)
    return Target(make_conninfo("", **params), env)


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


def run_pgbench(
    pgbench: Path,
    args: Sequence[str],
    target: Target,
    cancelled: threading.Event,
    tick: Callable[[], None] = lambda: None,
    on_line: Callable[[str], None] = lambda _line: None,
) -> Finished:
    """Run pgbench to its end, ticking every POLL_SECONDS and passing each line it prints to ``on_line``
    as it comes; on cancel (or any exception here, Ctrl-C included) stop it first, then raise."""
    process = subprocess.Popen(
        [str(pgbench), *args, target.conninfo],
        env=target.env,
        stdin=subprocess.DEVNULL,  # a password prompt gets no answer and fails at once
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,  # no controlling terminal; a terminal's Ctrl-C reaches pgplanner only
    )
    out: list[str] = []
    err: list[str] = []
    readers = [_reader(process.stdout, out, on_line), _reader(process.stderr, err, on_line)]
    try:
        while True:
            try:
                process.wait(timeout=POLL_SECONDS)
                break
            except subprocess.TimeoutExpired:
                if cancelled.is_set():
                    raise Cancelled from None
                tick()
    except BaseException:
        terminate(process)
        raise
    finally:
        for reader in readers:
            reader.join(timeout=STOP_GRACE)
    return Finished(process.returncode, "".join(out), "".join(err))


def _reader(stream: IO[str] | None, lines: list[str], on_line: Callable[[str], None]) -> threading.Thread:
    """A thread that keeps a pipe drained (pgbench would block on a full one) and passes lines on."""

    def read() -> None:
        assert stream is not None, "run_pgbench opens both pipes"
        for line in stream:
            lines.append(line)
            with contextlib.suppress(Exception):  # a listener's fault must not stop the draining
                on_line(line)
        stream.close()

    thread = threading.Thread(target=read, name="pgbench-output", daemon=True)
    thread.start()
    return thread


def terminate(process: subprocess.Popen[str]) -> None:
    """SIGTERM to pgbench's session, SIGKILL after a grace period; reaped either way."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, None)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# pgbench's messages carry libpq's or the server's reason after one of these; the reason is what matters.
REASON_MARKERS = ("FATAL:", "ERROR:", "failed: ")


def first_error(stderr: str, returncode: int) -> str:
    """pgbench's first error, which is the cause ("too many connections for role", "fe_sendauth: no
    password supplied", a script's syntax error); the later ones ("could not create connection for
    client 1", "Run was aborted") are consequences."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if re.match(r"pgbench: (error|fatal):", line)]
    if not errors:
        return lines[-1] if lines else f"pgbench exited with status {returncode}"
    first = re.sub(r"^pgbench: (error|fatal):\s*", "", errors[0])
    where = ""
    if found := re.match(r"(client \d+) (?:script \d+ )?aborted in command (\d+)", first):
        where = f" ({found.group(1)}, command {found.group(2)} of the script)"
    connecting = first.startswith("connection to ")
    for marker in REASON_MARKERS:
        if marker in first:
            first = first.rsplit(marker, 1)[1]
            break
    return ("cannot connect: " if connecting else "") + " ".join(first.split()) + where


# -i prints "100000 of 100000 tuples (100%) done (elapsed ...)", once per 100,000 rows
ROWS_DONE = re.compile(r"(\d+) of (\d+) tuples \((\d+)%\)")


def rows_done(line: str) -> float | None:
    """The fraction of pgbench_accounts loaded, from one line of ``pgbench -i``."""
    found = ROWS_DONE.search(line)
    return int(found.group(1)) / int(found.group(2)) if found and int(found.group(2)) else None


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


# A per-transaction log line (pgbench -l): client_id transaction_no time script_no time_epoch time_us
# [schedule_lag [retries]]; ``time`` is in microseconds and, with --rate, counted from the scheduled start
# (it already includes the schedule lag). A failed or skipped transaction has a word in its place.
LOG_SUFFIX = re.compile(r"\.\d+(\.\d+)?$")  # <prefix>.<pid> for the first thread, <prefix>.<pid>.<n> for the others


def read_transaction_log(prefix: Path) -> np.ndarray:
    """The latencies (ms) of the transactions pgbench logged with ``--log-prefix=prefix``; its files are
    removed once read (they hold nothing else, and a sweep leaves nothing behind)."""
    files = [f for f in prefix.parent.glob(prefix.name + ".*") if LOG_SUFFIX.fullmatch(f.name[len(prefix.name) :])]
    times: list[float] = []
    for path in files:
        try:
            with path.open(errors="replace") as log:
                for line in log:
                    fields = line.split()
                    if len(fields) >= 3 and fields[2].isdigit():
                        times.append(int(fields[2]) / 1000)
        finally:
            path.unlink(missing_ok=True)
    return np.array(times)


def latency_figures(times_ms: np.ndarray, average_ms: float | None) -> MeasuredLatency | None:
    """pgbench's average (over every transaction) and the logged sample's median, p95 and p99."""
    if not times_ms.size:
        return MeasuredLatency(avg=average_ms) if average_ms is not None else None
    p50, p95, p99 = (float(v) for v in np.percentile(times_ms, [50, 95, 99]))
    average = average_ms if average_ms is not None else float(times_ms.mean())
    return MeasuredLatency(avg=average, p50=round(p50, 4), p95=round(p95, 4), p99=round(p99, 4))

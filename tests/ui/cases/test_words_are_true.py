"""A user reads a figure beside another and can tell what each one is (the walk of the window, fourth)."""

from ..adapter import probe_reads, set_memory


def test_probe_shows_the_server_beside_my_plan_not_beside_its_own_values(app):
    """A fresh PostgreSQL 15 (initdb's 128MB and 4MB) beside a plan of 4 GB and 28 MB: they differ, and
    both columns write sizes the same way."""
    set_memory(app, shared_buffers="4GB", work_mem="28MB")
    initdb = {"max_connections": "100", "superuser_reserved_connections": "3", "shared_buffers": "128MB",
              "work_mem": "4MB", "max_wal_senders": "10"}  # fmt: skip
    text = probe_reads(app, initdb, major=15)
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.startswith("  ")}
    assert rows["shared_buffers"] == ["128", "MB", "4", "GB"]
    assert rows["work_mem"] == ["4", "MB", "28", "MB"]

"""Probe puts the server beside the user's plan: never beside a plan that took the server's values."""

from pgplanner.model import Scenario, plan
from pgplanner.probe.report import found_changes, probe_text, scenario_beside
from pgplanner.probe.server import ConnectionUse, ServerReport


def fresh_15() -> ServerReport:
    """What a fresh PostgreSQL 15 reports: initdb's defaults (shared_buffers 128MB, work_mem 4MB,
    max_connections 100, superuser_reserved_connections 3, max_wal_senders 10; the PostgreSQL 15 manual,
    chapter 20)."""
    settings = {"max_connections": "100", "superuser_reserved_connections": "3", "shared_buffers": "128MB",
                "work_mem": "4MB", "max_wal_senders": "10"}  # fmt: skip
    use = ConnectionUse({}, {}, {}, {}, total=0, active=0, idle_in_transaction=0, max_connections=100, reserved=3)
    return ServerReport({"name": "PostgreSQL 15.18 at db", "major": 15}, settings, use, {})


def row(text: str, name: str) -> list[str]:
    """The words after the setting's name on its line of the side-by-side table."""
    return next(line.split()[1:] for line in text.splitlines() if line.split()[:1] == [name])


def test_the_plan_column_is_the_users_plan_not_the_servers_values():
    """The user plans shared_buffers 4GB and work_mem 28MB; the server has 128MB and 4MB: the rows differ,
    and both columns write a size the same way ("128 MB", not "128MB")."""
    report = fresh_15()
    mine = Scenario().with_changes(shared_buffers="4GB", work_mem="28MB")
    text = probe_text(report, plan(scenario_beside(mine, report)))
    assert row(text, "shared_buffers") == ["128", "MB", "4", "GB"]
    assert row(text, "work_mem") == ["4", "MB", "28", "MB"]
    assert row(text, "max_connections")[0] == "100"


def test_the_plan_beside_is_on_the_servers_release_and_nothing_else_of_it():
    report = fresh_15()
    mine = Scenario().with_changes(shared_buffers="4GB")
    beside = scenario_beside(mine, report)
    assert beside.hardware.pg_version == 15
    assert beside.memory == mine.memory and beside.workload == mine.workload
    # "Use these values" still offers the server's settings, apart from the comparison
    assert found_changes(report)["shared_buffers"] == "128MB"

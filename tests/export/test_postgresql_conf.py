"""postgresql.conf snippet and ALTER SYSTEM: the plan's values, each under its derivation."""

from __future__ import annotations

import re

import pytest

from pgplanner.export.alter_system import render_alter_system
from pgplanner.export.postgresql_conf import render_postgresql_conf
from pgplanner.export.server_settings import server_settings
from pgplanner.model import Scenario, plan

from .helpers import active, comment_above, plan_for, prose, unquoted


def test_snippet_holds_the_planned_values():
    result = plan_for(cores=16, ram="64GB", work_mem="32MB", listeners=20, pg_version=15)
    conf = active(render_postgresql_conf(result))
    assert {name: unquoted(value) for name, value in conf.items()} == {s.name: s.value for s in result.settings}
    # a value that is not a number or a word is quoted, as postgresql.conf needs it; LISTEN clients connect
    # directly, from the application hosts: every interface
    assert (conf["log_line_prefix"], conf["listen_addresses"]) == ("'%m [%p] %q%u@%d '", "'*'")
    assert {
        "max_connections": str(result.max_connections),
        "superuser_reserved_connections": "3",
        "max_wal_senders": "10",
        "shared_buffers": "16GB",
        "huge_pages": "on",  # 16 GB of shared_buffers: os/linux reserves the huge pages
        "work_mem": "32MB",
        "maintenance_work_mem": "2GB",  # 64 GB / 16 = 4 GB, capped at 2 GB
        "autovacuum_max_workers": "4",  # 16 cores
        "wal_compression": "pglz",
    }.items() <= conf.items()


def test_every_value_carries_its_derivation_with_the_numbers():
    result = plan_for(cores=16, ram="64GB", work_mem="32MB", listeners=20, pg_version=15)
    text = render_postgresql_conf(result)
    required = result.max_connections_required
    assert "required max_connections = sum of the budget lines:" in comment_above(text, "max_connections")
    assert f"= {required}" in comment_above(text, "max_connections")
    assert "shared_buffers = 25 % of RAM: 64 GB x 0.25 = 16 GB" in comment_above(text, "shared_buffers")
    work_mem = comment_above(text, "work_mem")
    assert "work_mem, as given (at most what the server accepts): given: 32 MB" in work_mem
    assert "(sort nodes + hash_mem_multiplier x hash nodes)" in work_mem
    assert "Unlike pgtune:" in work_mem
    assert "takes effect after a reload" in work_mem
    assert "takes effect after a restart" in comment_above(text, "max_connections")


@pytest.mark.parametrize("version, has_reserved", [(13, False), (15, False), (16, True), (18, True)])
def test_reserved_connections_only_from_16(version, has_reserved):
    result = plan_for(pg_version=version, reserved_connections=2 if has_reserved else 0)
    conf = active(render_postgresql_conf(result))
    assert ("reserved_connections" in conf) == has_reserved
    if has_reserved:
        assert conf["reserved_connections"] == "2"


def test_given_shared_buffers_is_rounded_to_whole_pages_and_says_given():
    result = plan_for(shared_buffers="1000001kB")
    text = render_postgresql_conf(result)
    assert active(text)["shared_buffers"] == "1000000kB"  # 8 kB pages
    assert "shared_buffers: given: 977 MB" in comment_above(text, "shared_buffers")


@pytest.mark.parametrize(
    "version, check",
    [(15, "postgres -D $PGDATA -C shared_memory_size_in_huge_pages"), (13, "pmap on the postmaster")],
)
def test_huge_pages_comment_follows_the_version(version, check):
    result = plan_for(pg_version=version)
    above = comment_above(render_postgresql_conf(result), "huge_pages")
    assert check in above
    assert f"{result.kernel['linux']['vm.nr_hugepages']:,} huge pages" in above


def test_settings_are_grouped_under_headings():
    text = render_postgresql_conf(plan_for(pg_version=18))
    headings = [line.strip("# =") for line in text.splitlines() if line.startswith("# ==")]
    assert headings == [
        "Connections", "Memory", "WAL and checkpoints", "Planner and I/O", "Parallelism", "Autovacuum",
        "Logging and statistics",
    ]  # fmt: skip


def test_huge_pages_comment_off_linux():
    above = comment_above(render_postgresql_conf(plan_for(platform="macos")), "huge_pages")
    assert "Linux and Windows only" in above


def test_header_states_assumed_server_defaults_by_version():
    assert "autovacuum_worker_slots = 16" in prose(render_postgresql_conf(plan_for(pg_version=18)))
    assert "autovacuum_worker_slots" not in prose(render_postgresql_conf(plan_for(pg_version=17)))


def test_alter_system_sets_the_same_values_and_names_the_restarts():
    result = plan_for(pg_version=16, reserved_connections=1)
    sql = render_alter_system(result)
    statements = dict(re.findall(r"^ALTER SYSTEM SET (\w+) = ('(?:[^']|'')*');$", sql, re.M))
    conf = active(render_postgresql_conf(result))
    assert {name: unquoted(value) for name, value in statements.items()} == {
        name: unquoted(value) for name, value in conf.items()
    }
    restart = next(line for line in sql.splitlines() if line.startswith("-- Need a restart"))
    assert "max_connections" in restart and "work_mem" not in restart.split("A reload")[0]
    assert "SELECT pg_reload_conf();" in sql
    assert "BEGIN" not in sql  # ALTER SYSTEM cannot run in a transaction block
    restarts = {s.name for s in server_settings(result) if s.restart}
    assert restarts == {
        "max_connections",
        "superuser_reserved_connections",
        "reserved_connections",
        "max_wal_senders",
        "shared_buffers",
        "huge_pages",
        "wal_level",
        "wal_buffers",
        "max_worker_processes",
        "autovacuum_max_workers",  # a restart before 18, a reload from 18
        "listen_addresses",
        "shared_preload_libraries",
    }


def test_a_scenario_name_cannot_break_out_of_a_comment():
    hostile = plan(Scenario(name="x\nmax_connections = 1\r\nwork_mem = 1TB"))
    conf_lines = [line for line in render_postgresql_conf(hostile).splitlines() if line and line[0] != "#"]
    assert len(conf_lines) == len(server_settings(hostile))
    sql_lines = [line for line in render_alter_system(hostile).splitlines() if line and not line.startswith("--")]
    assert all(line.startswith(("ALTER SYSTEM SET", "SELECT")) for line in sql_lines)

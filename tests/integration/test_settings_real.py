"""Every setting of a full export, accepted and in effect on the real server.

For each profile (and a spread of cores, storage, platforms' settings and data sizes) the whole
postgresql.conf snippet is included and the server must start with pg_settings showing each value; then
the same plan goes through alter_system.sql on a fresh cluster, a restart, and the same comparison.
The contexts pgplanner states (restart or reload) are checked against pg_settings.context, and every
parameter a settings group declares is checked against the server's own list of parameters.
"""

from __future__ import annotations

import pytest

from pgplanner.model import Plan, parse_size
from pgplanner.model.settings import PARAMETERS

from .helpers import export_for, plan_with

pytestmark = pytest.mark.integration

# RAM stays small enough for this machine to allocate shared_buffers, and large enough that the plan is
# not blocking (the export refuses those); everything else varies.
PROFILES = {
    "web, ssd": {"profile": "web", "cores": 4, "ram": "2GB", "storage": "ssd"},
    "oltp, nvme, 32 cores": {"profile": "oltp", "cores": 32, "ram": "8GB", "storage": "nvme", "data_size": "1GB"},
    "analytics, hdd, big data": {"profile": "analytics", "cores": 16, "ram": "4GB", "storage": "hdd",
                                 "data_size": "100GB"},
    "mixed, network volume": {"profile": "mixed", "cores": 8, "ram": "4GB", "storage": "network",
                              "hash_mem_multiplier": 3, "temp_buffers": "16MB"},
    "desktop, 1 core": {"profile": "desktop", "cores": 1, "ram": "1GB"},
}  # fmt: skip


def described(runner, pg_bin) -> dict[str, str]:
    """name: context of every parameter the server knows, from its own list (``postgres --describe-config``,
    the rows of pg_settings without starting a server)."""
    rows = runner.run(pg_bin / "postgres", "--describe-config").stdout.splitlines()
    return {name: context for name, context, *_ in (row.split("\t") for row in rows if row)}


def test_every_declared_parameter_is_one_the_server_knows(runner, pg_bin, server_major):
    """The declarations' first releases and contexts, against the real 15 and 18: a declared name the
    server lacks (or knows although declared for a later release) fails here, whatever a plan writes."""
    known = described(runner, pg_bin)
    assert "max_connections" in known and len(known) > 250
    for name, parameter in PARAMETERS.items():
        context = parameter.context_in(server_major)
        if context is None:
            assert name not in known, f"{name} is declared from {parameter.since}; {server_major} already has it"
            continue
        assert name in known, f"PostgreSQL {server_major} has no parameter {name}"
        assert (known[name] == "postmaster") == (context == "restart"), (name, known[name], context)


def in_units(setting: str, unit: str | None) -> object:
    """pg_settings' value in bytes for memory, as a number for numbers, else as text."""
    if unit and unit[0].isdigit():
        return int(setting) * parse_size(unit)
    if unit in ("kB", "MB", "B"):
        return int(setting) * parse_size(f"1{unit}")
    try:
        return float(setting)
    except ValueError:
        return setting


def planned_value(value: str) -> object:
    if value[-1] == "B":
        return parse_size(value)
    try:
        return float(value)
    except ValueError:
        return value


def shown(cluster, result: Plan) -> dict[str, object]:
    names = ", ".join(f"'{s.name}'" for s in result.settings)
    rows = cluster.sql(f"SELECT name, setting, unit FROM pg_settings WHERE name IN ({names})")
    return {name: in_units(setting, unit) for name, setting, unit in rows}


def expected(result: Plan) -> dict[str, object]:
    return {s.name: planned_value(s.value) for s in result.settings}


@pytest.mark.parametrize("inputs", PROFILES.values(), ids=PROFILES.keys())
def test_the_whole_snippet_is_in_effect(runner, workdir, cluster, server_major, inputs):
    result = plan_with(pg_version=server_major, **inputs)
    cluster.include(export_for(runner, workdir, result) / "postgresql" / "postgresql.conf")
    cluster.start()
    assert shown(cluster, result) == expected(result)
    contexts = dict(cluster.sql("SELECT name, context FROM pg_settings"))
    for s in result.settings:
        assert (contexts[s.name] == "postmaster") == (s.context == "restart"), (s.name, contexts[s.name])


@pytest.mark.parametrize("inputs", list(PROFILES.values())[1:3], ids=list(PROFILES)[1:3])
def test_the_whole_alter_system_script_is_in_effect_after_its_restart(runner, workdir, cluster, server_major, inputs):
    result = plan_with(pg_version=server_major, **inputs)
    cluster.start()
    cluster.psql_file(export_for(runner, workdir, result) / "postgresql" / "alter_system.sql")
    reloaded = shown(cluster, result)
    for s in result.settings:
        if s.context == "reload":
            assert reloaded[s.name] == planned_value(s.value), s.name
    cluster.restart()
    assert shown(cluster, result) == expected(result)

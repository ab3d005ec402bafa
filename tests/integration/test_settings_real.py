"""Every setting of a full export through ALTER SYSTEM, in effect on the real server; every declared parameter
against the server's own list.

The postgresql.conf path is checked bundle by bundle on the review panel (test_postgresql_real.py); here the
same values go through alter_system.sql on a fresh cluster: the reload applies all but the restart ones, the
restart the rest, and the contexts pgplanner states (restart or reload) match pg_settings.context.
"""

from __future__ import annotations

import pytest

from pgplanner.model.settings import PARAMETERS

from .helpers import export_for, plan_with, settings_in_effect

pytestmark = pytest.mark.integration

# ALTER SYSTEM on two servers a test machine can lend its memory to (the review panel's bundles go through
# postgresql.conf in test_postgresql_real.py): quoted values ('%m [%p] ...', '*'), times and sizes.
PROFILES = {
    "oltp, nvme, 32 cores, partitions": {"profile": "oltp", "cores": 32, "ram": "8GB", "storage": "nvme",
                                         "data_size": "200GB", "replicas": 1, "partitions": 500},
    "analytics, hdd, big data": {"profile": "analytics", "cores": 16, "ram": "4GB", "storage": "hdd",
                                 "data_size": "2TB", "hash_mem_multiplier": 3, "temp_buffers": "16MB"},
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


@pytest.mark.parametrize("inputs", PROFILES.values(), ids=PROFILES.keys())
def test_the_whole_alter_system_script_is_in_effect_after_its_restart(runner, workdir, cluster, server_major, inputs):
    result = plan_with(pg_version=server_major, **inputs)
    cluster.start()
    cluster.psql_file(export_for(runner, workdir, result) / "postgresql" / "alter_system.sql")
    pending = {s.name for s in result.settings if s.context == "restart"}
    assert settings_in_effect(cluster, result, skip=pending) == []  # a reload was enough for the others
    cluster.restart()
    assert settings_in_effect(cluster, result) == []

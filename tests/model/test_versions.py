"""Version rules: semaphore formulas from each release's runtime.sgml, WAL senders, reserved slots."""

import pytest

from pgplanner.model.versions import max_backends, semaphores

from .helpers import line, plan_for


@pytest.mark.parametrize(
    "version, count, semmni, semmns",
    [
        # reference/kernel_pooler.md worked example at the defaults (MC 100, AVW 3, MWS 10, MWP 8)
        (13, 126, 8, 136),
        (14, 127, 8, 136),
        (15, 127, 8, 136),
        (16, 127, 8, 136),
        (17, 128, 8, 136),
        (18, 174, 11, 187),  # postgres -C num_os_semaphores prints 174
    ],
)
def test_semaphores_at_defaults(version, count, semmni, semmns):
    result = semaphores(version, max_connections=100, max_wal_senders=10, workers=8, autovacuum_workers=3)
    assert (result.count, result.semmni, result.semmns) == (count, semmni, semmns)


def test_max_backends_counts_autovacuum_slots_from_18():
    """MaxBackends is what the docs' semaphore count holds besides the auxiliary processes (proc.h): on 17
    the documented 128 less 6 auxiliary processes; on 18 the 174 that postgres -C num_os_semaphores prints
    at these settings, less 6 auxiliary processes and 32 I/O workers. Worked out: 128 - 6 = 122 (= 100
    connections + 3 autovacuum workers + their launcher + 8 workers + 10 WAL senders); 174 - 6 - 32 = 136
    (= 100 + 16 autovacuum_worker_slots + 8 + 10 + 2 special workers)."""
    assert max_backends(17, 100, 10, workers=8, autovacuum_workers=3)[0] == 122
    assert max_backends(18, 100, 10, workers=8, autovacuum_workers=3)[0] == 136


def test_max_backends_counts_the_workers_it_is_given():
    """64 worker processes and 10 autovacuum workers on 15: 262,121 + 10 + 1 + 64 + 10 = 262,206 slots."""
    count, why = max_backends(15, 262_121, 10, workers=64, autovacuum_workers=10)
    assert count == 262_206
    assert why.calculation == "262,121 + 10 + 1 + 64 + 10 = 262,206"


def test_replication_is_outside_max_connections():
    result = plan_for(replicas=3, pg_version=13)
    replication = next(b for b in result.budget if b.key == "replication")
    assert replication.counts_against == "max_wal_senders"
    assert result.max_wal_senders == 10


def test_many_replicas_raise_max_wal_senders():
    assert plan_for(replicas=12).max_wal_senders == 14  # by hand: 12 replicas + 2 spare for pg_basebackup
    assert plan_for(replicas=3).max_wal_senders == 10  # 3 + 2 = 5 is below the default 10, which stays


@pytest.mark.parametrize("version, counted", [(15, 0), (16, 4), (18, 4)])
def test_reserved_connections_from_16(version, counted):
    result = plan_for(pg_version=version, reserved_connections=4)
    assert line(result, "reserved_connections") == counted
    assert ("RESERVED_CONNECTIONS_NEEDS_16" in {w.code for w in result.warnings}) == (counted == 0)

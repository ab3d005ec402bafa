"""What changes with the PostgreSQL major version.

Sources (reference/kernel_pooler.md): runtime.sgml "Managing Kernel Resources" of each release,
postinit.c InitializeMaxBackends and proc.h NUM_AUXILIARY_PROCS. Background workers and autovacuum
workers are the plan's: every function that counts process slots takes them, with no default, so a
caller cannot silently count the server's defaults instead of the settings it writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .derivation import Derivation, n, rounded
from .sources import PG_KERNEL_RESOURCES

# The max_connections GUC's maximum (MAX_BACKENDS, 2^18 - 1: procnumber.h, guc_tables.c).
MAX_CONNECTIONS_LIMIT = 262_143
# From 12 on, WAL senders have their own slots (max_wal_senders) outside max_connections.
WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM = 12
# shared_memory_size and shared_memory_size_in_huge_pages (postgres -C) arrived in 15.
SHARED_MEMORY_SIZE_FROM = 15
# reserved_connections and the pg_use_reserved_connections role arrived in 16.
RESERVED_CONNECTIONS_FROM = 16
# 18 replaced autovacuum_max_workers slots by autovacuum_worker_slots (default 16), added 32 I/O
# worker slots and the num_os_semaphores runtime parameter (postgres -C num_os_semaphores).
AUTOVACUUM_WORKER_SLOTS_FROM = 18
NUM_OS_SEMAPHORES_FROM = 18
# Shared memory that grew: 17 sizes the CLOG, subtransaction and commit-timestamp SLRU buffers from
# shared_buffers (slru.c SimpleLruAutotuneBuffers); 18 adds asynchronous I/O handles (aio_init.c).
SLRU_AUTOTUNE_FROM = 17
AIO_FROM = 18

DEFAULT_MAX_WAL_SENDERS = 10
DEFAULT_MAX_WORKER_PROCESSES = 8
DEFAULT_AUTOVACUUM_MAX_WORKERS = 3
DEFAULT_AUTOVACUUM_WORKER_SLOTS = 16
# 18 counts two special worker processes in MaxBackends (proc.h NUM_SPECIAL_WORKER_PROCS: the
# autovacuum launcher and the slot-sync worker); before 18 only the launcher, as "+ 1".
NUM_SPECIAL_WORKER_PROCS = 2
DEFAULT_MAX_FILES_PER_PROCESS = 1000
# PostgreSQL allocates System V semaphores in sets of 16 usable ones plus one holding a magic number
# (PostgreSQL docs, Managing Kernel Resources: SEMMNI = ceil(semaphores / 16), SEMMNS = SEMMNI x 17).
SEMAPHORES_PER_SET = 16
SEMAPHORE_SET_SIZE = SEMAPHORES_PER_SET + 1

# The constant the documented SEMMNI formula adds to the slot counts, per release:
# 13: autovacuum launcher + 4 auxiliary processes; 14-16: the archiver became auxiliary;
# 17: the WAL summarizer. (16.0-16.3 docs print +5, which the May 2024 back-patch corrected.)
_SEMAPHORE_CONSTANT = {13: 5, 14: 6, 15: 6, 16: 6, 17: 7}
# 18: 2 special workers + 6 auxiliary processes + 32 I/O worker slots (proc.h MAX_IO_WORKERS).
_SEMAPHORE_CONSTANT_18 = 40


def walsenders_outside_max_connections(version: int) -> bool:
    return version >= WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM


def has_shared_memory_size(version: int) -> bool:
    return version >= SHARED_MEMORY_SIZE_FROM


def has_num_os_semaphores(version: int) -> bool:
    return version >= NUM_OS_SEMAPHORES_FROM


def has_reserved_connections(version: int) -> bool:
    return version >= RESERVED_CONNECTIONS_FROM


def autovacuum_slots(version: int, autovacuum_workers: int) -> int:
    """Backend slots kept for autovacuum workers (18 keeps autovacuum_worker_slots, default 16)."""
    if version >= AUTOVACUUM_WORKER_SLOTS_FROM:
        return max(DEFAULT_AUTOVACUUM_WORKER_SLOTS, autovacuum_workers)
    return autovacuum_workers


@dataclass(frozen=True)
class Semaphores:
    """How many semaphores (one per PGPROC slot) a server needs, and the System V limits for them."""

    count: int
    semmni: int
    semmns: int
    derivation: Derivation

    @property
    def processes(self) -> int:
        """Server processes at most: every PGPROC slot can be one, plus the postmaster."""
        return self.count + 1


def semaphores(
    version: int,
    max_connections: int,
    max_wal_senders: int,
    workers: int,
    autovacuum_workers: int,
) -> Semaphores:
    """The documented SEMMNI/SEMMNS formula of ``version`` (also the number of server process slots)."""
    autovacuum = autovacuum_slots(version, autovacuum_workers)
    constant = _SEMAPHORE_CONSTANT_18 if version >= AUTOVACUUM_WORKER_SLOTS_FROM else _SEMAPHORE_CONSTANT[version]
    count = max_connections + autovacuum + max_wal_senders + workers + constant
    sets = math.ceil(count / SEMAPHORES_PER_SET)
    derivation = Derivation.later(
        _semaphores_why, version, max_connections, max_wal_senders, workers, autovacuum, constant, count, sets
    )
    return Semaphores(count, sets, sets * SEMAPHORE_SET_SIZE, derivation)


def _semaphores_why(
    version: int, max_connections: int, max_wal_senders: int, workers: int, autovacuum: int, constant: int,
    count: int, sets: int,
) -> Derivation:  # fmt: skip
    """The explanation of :func:`semaphores`, written when first read."""
    slots = version >= AUTOVACUUM_WORKER_SLOTS_FROM
    autovacuum_name = "autovacuum_worker_slots" if slots else "autovacuum_max_workers"
    name = "num_os_semaphores" if has_num_os_semaphores(version) else "semaphores"
    check = "; check with: postgres -C num_os_semaphores" if has_num_os_semaphores(version) else ""
    return Derivation(
        formula=(
            f"{name} = max_connections + {autovacuum_name} + max_wal_senders + max_worker_processes + {constant}; "
            f"SEMMNI = ceil({name} / {SEMAPHORES_PER_SET}), SEMMNS = SEMMNI x {SEMAPHORE_SET_SIZE}"
        ),
        calculation=(
            f"{n(max_connections)} + {autovacuum} + {max_wal_senders} + {workers} + {constant} = {n(count)}; "
            f"SEMMNI = {rounded(f'{n(count)} / {SEMAPHORES_PER_SET}', count / SEMAPHORES_PER_SET, sets, 'up')}; "
            f"SEMMNS = {n(sets)} x {SEMAPHORE_SET_SIZE} = {n(sets * SEMAPHORE_SET_SIZE)}"
        ),
        inputs={
            "max_connections": n(max_connections),
            autovacuum_name: str(autovacuum),
            "max_wal_senders": str(max_wal_senders),
            "max_worker_processes": str(workers),
        },
        source=f"{PG_KERNEL_RESOURCES} (PostgreSQL {version})",
        note=f"the server defaults are assumed for the other settings{check}",
    )


def max_backends(
    version: int, max_connections: int, max_wal_senders: int, workers: int, autovacuum_workers: int
) -> tuple[int, Derivation]:
    """MaxBackends of InitializeMaxBackends: the slots that size the lock and proc tables.

    PostgreSQL refuses a configuration whose MaxBackends passes MAX_BACKENDS (2^18 - 1): before 18
    the check hooks of max_connections, autovacuum_max_workers, max_worker_processes and
    max_wal_senders reject it ("invalid value for parameter"), from 18 InitializeMaxBackends does.
    """
    count = backend_slots(version, max_connections, max_wal_senders, workers, autovacuum_workers)
    return count, Derivation.later(
        _max_backends_why, version, max_connections, max_wal_senders, workers, autovacuum_workers, count
    )


def backend_slots(
    version: int, max_connections: int, max_wal_senders: int, workers: int, autovacuum_workers: int
) -> int:
    """MaxBackends alone, for a caller that does not file its explanation (see :func:`max_backends`)."""
    extra = _special_workers(version)
    return max_connections + autovacuum_slots(version, autovacuum_workers) + extra + workers + max_wal_senders


def _special_workers(version: int) -> int:
    """Worker slots MaxBackends counts beyond the configured ones: the autovacuum launcher, from 18 also the
    slot-sync worker."""
    return NUM_SPECIAL_WORKER_PROCS if version >= AUTOVACUUM_WORKER_SLOTS_FROM else 1


def _max_backends_why(
    version: int, max_connections: int, max_wal_senders: int, workers: int, autovacuum_workers: int, count: int
) -> Derivation:
    """The explanation of :func:`max_backends`, written when first read."""
    autovacuum, extra = autovacuum_slots(version, autovacuum_workers), _special_workers(version)
    if version >= AUTOVACUUM_WORKER_SLOTS_FROM:
        name, special = "autovacuum_worker_slots", f"{NUM_SPECIAL_WORKER_PROCS} special workers"
    else:
        name, special = "autovacuum_max_workers", "1 autovacuum launcher"
    return Derivation(
        formula=f"MaxBackends = max_connections + {name} + {special} + max_worker_processes + max_wal_senders",
        calculation=f"{n(max_connections)} + {autovacuum} + {extra} + {workers} + {max_wal_senders} = {n(count)}",
        inputs={
            "max_connections": n(max_connections),
            name: str(autovacuum),
            "max_worker_processes": str(workers),
            "max_wal_senders": str(max_wal_senders),
        },
        source=f"PostgreSQL {version} source, postinit.c InitializeMaxBackends",
        note=f"PostgreSQL refuses more than {n(MAX_CONNECTIONS_LIMIT)} (MAX_BACKENDS, 2^18 - 1)",
    )

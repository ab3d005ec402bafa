"""What changes with the PostgreSQL major version.

Sources (reference/kernel_pooler.md): runtime.sgml "Managing Kernel Resources" of each release,
postinit.c InitializeMaxBackends and proc.h NUM_AUXILIARY_PROCS. Background workers and autovacuum
workers are the plan's (their defaults when a caller does not say).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .derivation import Derivation

# From 12 on, WAL senders have their own slots (max_wal_senders) outside max_connections.
WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM = 12
# reserved_connections and the pg_use_reserved_connections role arrived in 16.
RESERVED_CONNECTIONS_FROM = 16
# 18 replaced autovacuum_max_workers slots by autovacuum_worker_slots (default 16).
AUTOVACUUM_WORKER_SLOTS_FROM = 18

DEFAULT_MAX_WAL_SENDERS = 10
DEFAULT_MAX_WORKER_PROCESSES = 8
DEFAULT_AUTOVACUUM_MAX_WORKERS = 3
DEFAULT_AUTOVACUUM_WORKER_SLOTS = 16
DEFAULT_MAX_FILES_PER_PROCESS = 1000
SEMAPHORES_PER_SET = 16  # System V sets hold 16 usable semaphores plus one magic number

# The constant the documented SEMMNI formula adds to the slot counts, per release:
# 13: autovacuum launcher + 4 auxiliary processes; 14-16: the archiver became auxiliary;
# 17: the WAL summarizer. (16.0-16.3 docs print +5, which the May 2024 back-patch corrected.)
_SEMAPHORE_CONSTANT = {13: 5, 14: 6, 15: 6, 16: 6, 17: 7}
# 18: 2 special workers + 6 auxiliary processes + 32 I/O worker slots (proc.h MAX_IO_WORKERS).
_SEMAPHORE_CONSTANT_18 = 40


def walsenders_outside_max_connections(version: int) -> bool:
    return version >= WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM


def has_reserved_connections(version: int) -> bool:
    return version >= RESERVED_CONNECTIONS_FROM


def autovacuum_slots(version: int, autovacuum_workers: int = DEFAULT_AUTOVACUUM_MAX_WORKERS) -> int:
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
    workers: int = DEFAULT_MAX_WORKER_PROCESSES,
    autovacuum_workers: int = DEFAULT_AUTOVACUUM_MAX_WORKERS,
) -> Semaphores:
    """The documented SEMMNI/SEMMNS formula of ``version`` (also the number of server process slots)."""
    autovacuum = autovacuum_slots(version, autovacuum_workers)
    if version >= 18:
        constant = _SEMAPHORE_CONSTANT_18
        formula = "num_os_semaphores = max_connections + autovacuum_worker_slots + max_worker_processes"
        formula += " + max_wal_senders + 40"
    else:
        constant = _SEMAPHORE_CONSTANT[version]
        formula = "semaphores = max_connections + autovacuum_max_workers + max_wal_senders"
        formula += f" + max_worker_processes + {constant}"
    count = max_connections + autovacuum + max_wal_senders + workers + constant
    sets = math.ceil(count / SEMAPHORES_PER_SET)
    derivation = Derivation(
        formula=formula + "; SEMMNI = ceil(semaphores / 16), SEMMNS = SEMMNI x 17",
        calculation=(
            f"{max_connections} + {autovacuum} + {max_wal_senders} + {workers} + {constant} = {count}; "
            f"SEMMNI = {sets}, SEMMNS = {sets * 17}"
        ),
        note=f"PostgreSQL {version} runtime.sgml; check with: postgres -C num_os_semaphores (18+)",
    )
    return Semaphores(count, sets, sets * 17, derivation)


def max_backends(
    version: int,
    max_connections: int,
    max_wal_senders: int,
    workers: int = DEFAULT_MAX_WORKER_PROCESSES,
    autovacuum_workers: int = DEFAULT_AUTOVACUUM_MAX_WORKERS,
) -> int:
    """MaxBackends of InitializeMaxBackends: the slots that size the lock and proc tables."""
    autovacuum = autovacuum_slots(version, autovacuum_workers)
    if version >= 18:
        return max_connections + autovacuum + workers + max_wal_senders + 2
    return max_connections + autovacuum + 1 + workers + max_wal_senders

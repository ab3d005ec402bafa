"""The main shared memory area PostgreSQL 13-18 allocates at start: what vm.nr_hugepages must cover.

``postgres -C shared_memory_size`` (15+) is the truth; this estimate must never fall below it (with
``huge_pages = on`` a server short of huge pages does not start) and should not waste RAM. The base
terms were fitted to that figure on PostgreSQL 15.18 over shared_buffers 16 MB-64 GB and
max_connections 10-10,000 (least squares on relative error). Two later additions are modelled from
their source and checked against PostgreSQL 18.6 over the same grid:

- 17+: the CLOG, subtransaction and commit-timestamp SLRUs size their buffers from shared_buffers
  (``SimpleLruAutotuneBuffers(512, 1024)``: shared_buffers / 512 pages, 16 to 1,024, in banks of 16).
- 18+: asynchronous I/O keeps ``io_max_concurrency`` handles per process (default: shared buffers per
  process, 1 to 64), each with ``io_max_combine_limit`` (16) iovecs and data words (aio_init.c),
  and 32 I/O worker slots join the auxiliary processes.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .construct import new_tuple
from .defaults import PRELOADED_LIBRARY
from .derivation import Derivation, n
from .sources import PGPLANNER_RULE
from .units import KB, MB, human_size
from .versions import AIO_FROM, SLRU_AUTOTUNE_FROM, backend_slots, has_shared_memory_size

BLOCK = 8 * KB  # shared_buffers and SLRU pages
# Fitted on 15.18 (postgres -C shared_memory_size): per process slot (PGPROC, lock tables at
# max_locks_per_transaction 64, predicate locks), per shared buffer (descriptor, buffer table,
# checkpointer queue, I/O condition variable), and what is left over.
SHM_PER_PROCESS = 50_096
SHM_PER_BUFFER = 202.5
SHM_FIXED = 1_174_800
# The estimate x 1.01 stays at or above the server's figure over the grid on 15.18 and 18.6 and
# within 10 % of it from shared_buffers 16 MB up.
SHM_MARGIN = 1.01
# Auxiliary processes with a PGPROC beyond MaxBackends (proc.h NUM_AUXILIARY_PROCS): 13-16: 5;
# 17: + WAL summarizer; 18: 6 + MAX_IO_WORKERS 32.
AUXILIARY_PROCESSES = {13: 5, 14: 5, 15: 5, 16: 5, 17: 6, 18: 38}
WAL_BUFFERS_MIN = 8 * BLOCK  # XLOGChooseNumBuffers: shared_buffers / 32, at least 8 pages,
WAL_BUFFERS_MAX = 16 * MB  # at most one WAL segment
# SLRU buffers that follow shared_buffers (slru.c SimpleLruAutotuneBuffers(512, 1024)).
SLRU_AUTOTUNE_DIVISOR = 512
SLRU_AUTOTUNE_MIN = 16  # SLRU_BANK_SIZE
SLRU_AUTOTUNE_MAX = 1024
# Per autotuned page of all three (transaction, subtransaction, commit timestamp): three 8 kB pages,
# the CLOG's 8 kB of group LSNs, slot control: 33,300 B, measured on 18.6.
SLRU_BYTES_PER_PAGE = 33_300
# The lock table beyond max_locks_per_transaction's default 64: per lock slot, max_locks_per_transaction x
# MaxBackends of them (the LOCK and PROCLOCK hash entries, and 18's fast-path arrays), measured on 15.20 and
# 18.6 at 64 to 10,064 locks and 100 to 1,100 connections: 400-411 B.
DEFAULT_LOCKS = 64
SHM_PER_LOCK_SLOT = 411
# pg_stat_statements, which postgresql.conf preloads: its hash of pg_stat_statements.max (5,000) entries,
# measured as the growth of pg_shmem_allocations on 15.20 and 18.6; 13-14's entries are smaller than 15's,
# 16-17's than 18's.
PRELOADED_SHM = {15: 1_966_080, 18: 2_310_144}
PRELOADED_SHM_BY_VERSION = {version: PRELOADED_SHM[15 if version <= 15 else 18] for version in range(13, 19)}
# Asynchronous I/O handles (aio_init.c AioChooseMaxConcurrency, AioHandle*ShmemSize).
AIO_MAX_CONCURRENCY = 64
AIO_BYTES_PER_HANDLE = 527  # PgAioHandle + 16 x (struct iovec 16 B + uint64 8 B); fitted on 18.6


def _wal_buffers(shared_buffers: int) -> int:
    return min(max(shared_buffers // 32 // BLOCK * BLOCK, WAL_BUFFERS_MIN), WAL_BUFFERS_MAX)


def _slru_pages(buffers: int) -> int:
    pages = min(SLRU_AUTOTUNE_MAX, max(SLRU_AUTOTUNE_MIN, buffers // SLRU_AUTOTUNE_DIVISOR))
    return pages - pages % SLRU_AUTOTUNE_MIN


def shared_memory_estimate(
    version: int, shared_buffers: int, max_connections: int, wal_senders: int, workers: int, autovacuum_workers: int,
    locks: int = DEFAULT_LOCKS,
) -> tuple[int, Derivation]:  # fmt: skip
    """Bytes of the main shared memory area, with the margin that keeps it at or above the server's.

    ``workers`` and ``autovacuum_workers``: the plan's max_worker_processes and autovacuum_max_workers;
    ``locks``: its max_locks_per_transaction.
    """
    buffers = shared_buffers // BLOCK
    backends = backend_slots(version, max_connections, wal_senders, workers, autovacuum_workers)
    processes = backends + AUXILIARY_PROCESSES[version]
    wal_buffers = _wal_buffers(shared_buffers)
    slru_pages = _slru_pages(buffers) if version >= SLRU_AUTOTUNE_FROM else 0  # 16 at least where counted
    concurrency = 0
    if version >= AIO_FROM:
        concurrency = min(max(buffers // processes, 1), AIO_MAX_CONCURRENCY)
    extra_locks = max(locks - DEFAULT_LOCKS, 0)
    # The terms in the order the explanation writes them, summed as sum() does (a term that is 0 adds nothing).
    exact = sum(
        (
            shared_buffers,
            wal_buffers,
            SHM_PER_PROCESS * processes,
            SHM_PER_BUFFER * buffers,
            SHM_FIXED,
            SLRU_BYTES_PER_PAGE * slru_pages,
            AIO_BYTES_PER_HANDLE * processes * concurrency,
            PRELOADED_SHM_BY_VERSION[version],
            SHM_PER_LOCK_SLOT * extra_locks * backends,
        )
    )
    total = math.ceil(exact * SHM_MARGIN)
    terms = new_tuple(
        _Terms,
        (version, shared_buffers, buffers, backends, processes, wal_buffers, slru_pages, concurrency, extra_locks),
    )
    return total, Derivation.later(_explained, terms, total)


class _Terms(NamedTuple):
    """What :func:`shared_memory_estimate` counted, kept to write its explanation when first read."""

    version: int
    shared_buffers: int
    buffers: int
    backends: int
    processes: int
    wal_buffers: int
    slru_pages: int  # 0 before SLRU_AUTOTUNE_FROM
    concurrency: int  # io_max_concurrency; 0 before AIO_FROM
    extra_locks: int  # max_locks_per_transaction above DEFAULT_LOCKS


def _explained(terms: _Terms, total: int) -> Derivation:
    version, processes, buffers = terms.version, terms.processes, terms.buffers
    per_process, per_buffer = f"{SHM_PER_PROCESS / KB:.1f} kB", f"{SHM_PER_BUFFER:g} B"
    parts = [
        (human_size(terms.shared_buffers), "shared_buffers"),
        (human_size(terms.wal_buffers), "wal_buffers"),
        (f"{n(processes)} x {per_process}", f"{per_process} x process slots"),
        (f"{n(buffers)} x {per_buffer}", f"{per_buffer} x buffers"),
        (human_size(SHM_FIXED), human_size(SHM_FIXED)),
    ]
    if terms.slru_pages:
        per_page = f"{SLRU_BYTES_PER_PAGE / KB:.1f} kB"
        parts.append((f"{terms.slru_pages} x {per_page}", f"{per_page} x SLRU pages"))
    if terms.concurrency:
        handle = f"{AIO_BYTES_PER_HANDLE} B"
        parts.append((f"{n(processes)} x {terms.concurrency} x {handle}", f"{handle} x processes x io_max_concurrency"))
    parts.append((human_size(PRELOADED_SHM_BY_VERSION[version]), PRELOADED_LIBRARY))
    if terms.extra_locks:
        parts.append(
            (f"{n(terms.extra_locks)} x {n(terms.backends)} x {SHM_PER_LOCK_SLOT} B",
             f"{SHM_PER_LOCK_SLOT} B x (max_locks_per_transaction - {DEFAULT_LOCKS}) x backends")
        )  # fmt: skip
    check = "; confirm with postgres -C shared_memory_size_in_huge_pages" if has_shared_memory_size(version) else ""
    return Derivation(
        formula=f"shared memory = ({' + '.join(term for _, term in parts)}) x {SHM_MARGIN}",
        calculation=f"({' + '.join(shown for shown, _ in parts)}) x {SHM_MARGIN} = {human_size(total)}",
        inputs={
            "shared_buffers": human_size(terms.shared_buffers),
            "process slots": n(processes),
            "PostgreSQL": str(version),
        },
        source=f"{PGPLANNER_RULE}, fitted to postgres -C shared_memory_size on PostgreSQL 15.18 and 18.6",
        note=f"an estimate at or above the server's figure, within 10 %{check}",
    )

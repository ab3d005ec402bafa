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

from .derivation import Derivation, n
from .sources import PGPLANNER_RULE
from .units import KB, MB, human_size
from .versions import AIO_FROM, SLRU_AUTOTUNE_FROM, has_shared_memory_size, max_backends

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
# Asynchronous I/O handles (aio_init.c AioChooseMaxConcurrency, AioHandle*ShmemSize).
AIO_MAX_CONCURRENCY = 64
AIO_BYTES_PER_HANDLE = 527  # PgAioHandle + 16 x (struct iovec 16 B + uint64 8 B); fitted on 18.6


def _wal_buffers(shared_buffers: int) -> int:
    return min(max(shared_buffers // 32 // BLOCK * BLOCK, WAL_BUFFERS_MIN), WAL_BUFFERS_MAX)


def _slru_pages(buffers: int) -> int:
    pages = min(SLRU_AUTOTUNE_MAX, max(SLRU_AUTOTUNE_MIN, buffers // SLRU_AUTOTUNE_DIVISOR))
    return pages - pages % SLRU_AUTOTUNE_MIN


def shared_memory_estimate(
    version: int, shared_buffers: int, max_connections: int, wal_senders: int, workers: int, autovacuum_workers: int
) -> tuple[int, Derivation]:
    """Bytes of the main shared memory area, with the margin that keeps it at or above the server's.

    ``workers`` and ``autovacuum_workers``: the plan's max_worker_processes and autovacuum_max_workers.
    """
    buffers = shared_buffers // BLOCK
    backends = max_backends(version, max_connections, wal_senders, workers, autovacuum_workers)[0]
    processes = backends + AUXILIARY_PROCESSES[version]
    wal_buffers = _wal_buffers(shared_buffers)
    per_process, per_buffer = f"{SHM_PER_PROCESS / KB:.1f} kB", f"{SHM_PER_BUFFER:g} B"
    parts = [
        (shared_buffers, human_size(shared_buffers), "shared_buffers"),
        (wal_buffers, human_size(wal_buffers), "wal_buffers"),
        (SHM_PER_PROCESS * processes, f"{n(processes)} x {per_process}", f"{per_process} x process slots"),
        (SHM_PER_BUFFER * buffers, f"{n(buffers)} x {per_buffer}", f"{per_buffer} x buffers"),
        (SHM_FIXED, human_size(SHM_FIXED), human_size(SHM_FIXED)),
    ]
    if version >= SLRU_AUTOTUNE_FROM:
        pages, per_page = _slru_pages(buffers), f"{SLRU_BYTES_PER_PAGE / KB:.1f} kB"
        parts.append((SLRU_BYTES_PER_PAGE * pages, f"{pages} x {per_page}", f"{per_page} x SLRU pages"))
    if version >= AIO_FROM:
        concurrency = min(max(buffers // processes, 1), AIO_MAX_CONCURRENCY)
        handle = f"{AIO_BYTES_PER_HANDLE} B"
        parts.append(
            (
                AIO_BYTES_PER_HANDLE * processes * concurrency,
                f"{n(processes)} x {concurrency} x {handle}",
                f"{handle} x processes x io_max_concurrency",
            )
        )
    exact = sum(size for size, _, _ in parts)
    total = math.ceil(exact * SHM_MARGIN)
    check = "; confirm with postgres -C shared_memory_size_in_huge_pages" if has_shared_memory_size(version) else ""
    return total, Derivation(
        formula=f"shared memory = ({' + '.join(term for _, _, term in parts)}) x {SHM_MARGIN}",
        calculation=f"({' + '.join(shown for _, shown, _ in parts)}) x {SHM_MARGIN} = {human_size(total)}",
        inputs={
            "shared_buffers": human_size(shared_buffers),
            "process slots": n(processes),
            "PostgreSQL": str(version),
        },
        source=f"{PGPLANNER_RULE}, fitted to postgres -C shared_memory_size on PostgreSQL 15.18 and 18.6",
        note=f"an estimate at or above the server's figure, within 10 %{check}",
    )

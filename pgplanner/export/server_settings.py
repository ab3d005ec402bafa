"""The PostgreSQL settings a plan decides, with the reasons that go beside them.

postgresql.conf and ALTER SYSTEM write the same values; both read them from here so they can never
disagree. Only settings that exist in the plan's major version are listed (reserved_connections
arrived in 16), and each says whether changing it needs a restart (``postmaster`` context).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Derivation, Plan, format_size, human_size
from ..model.units import KB
from ..model.versions import (
    AUTOVACUUM_WORKER_SLOTS_FROM,
    RESERVED_CONNECTIONS_FROM,
    WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM,
    has_shared_memory_size,
    DEFAULT_AUTOVACUUM_MAX_WORKERS,
    DEFAULT_AUTOVACUUM_WORKER_SLOTS,
    DEFAULT_MAX_FILES_PER_PROCESS,
    DEFAULT_MAX_WORKER_PROCESSES,
    has_reserved_connections,
)
from ..model.derivation import given

BLOCK = 8 * KB  # shared_buffers is counted in 8 kB pages


@dataclass(frozen=True)
class ServerSetting:
    name: str
    value: str  # as postgresql.conf spells it
    reasons: tuple[str | Derivation, ...]
    restart: bool  # postmaster context: read only at server start


def server_settings(plan: Plan) -> list[ServerSetting]:
    """The connection and memory settings of ``plan``, in the order a DBA reads them."""
    s, d = plan.scenario, plan.derivations
    wl, version = s.workload, s.hardware.pg_version
    settings = [
        ServerSetting(
            "max_connections",
            str(plan.max_connections),
            _present(d, "max_connections_required", "max_connections_recommended", "max_connections"),
            restart=True,
        ),
        ServerSetting(
            "superuser_reserved_connections",
            str(wl.superuser_reserved),
            (
                given(str(wl.superuser_reserved), "superuser_reserved_connections"),
                "emergency slots only superusers can take; a line of the max_connections budget",
            ),
            restart=True,
        ),
    ]
    if has_reserved_connections(version):
        settings.append(
            ServerSetting(
                "reserved_connections",
                str(wl.reserved_connections),
                (
                    given(str(wl.reserved_connections), "reserved_connections"),
                    "slots for members of pg_use_reserved_connections "
                    f"(PostgreSQL {RESERVED_CONNECTIONS_FROM}+); a budget line",
                ),
                restart=True,
            )
        )
    settings += [
        ServerSetting(
            "max_wal_senders",
            str(plan.max_wal_senders),
            (
                d["max_wal_senders"],
                f"since PostgreSQL {WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM} WAL senders have their own slots, "
                "outside max_connections",
            ),
            restart=True,
        ),
        ServerSetting(
            "shared_buffers",
            format_size(plan.memory.shared_buffers_bytes // BLOCK * BLOCK),
            (d["memory.shared_buffers_bytes"], d["memory.available_bytes"]),
            restart=True,
        ),
        ServerSetting("huge_pages", "try", _huge_pages_reasons(plan), restart=True),
        ServerSetting(
            "work_mem",
            format_size(s.memory.work_mem // KB * KB),
            (
                given(human_size(s.memory.work_mem), "work_mem"),
                d["memory.worst_case_bytes"],
                d["memory.safe_work_mem_bytes"],
            ),
            restart=False,
        ),
    ]
    return settings


def assumed_defaults(version: int) -> str:
    """The server defaults the kernel limits were computed with (they scale the process count)."""
    autovacuum = (
        f"autovacuum_worker_slots = {DEFAULT_AUTOVACUUM_WORKER_SLOTS}"
        if version >= AUTOVACUUM_WORKER_SLOTS_FROM
        else f"autovacuum_max_workers = {DEFAULT_AUTOVACUUM_MAX_WORKERS}"
    )
    return (
        f"The kernel limits in os/ assume the defaults max_worker_processes = {DEFAULT_MAX_WORKER_PROCESSES}, "
        f"{autovacuum} and max_files_per_process = {DEFAULT_MAX_FILES_PER_PROCESS}; raising those raises them too."
    )


def _present(derivations: dict[str, Derivation], *keys: str) -> tuple[Derivation, ...]:
    return tuple(derivations[key] for key in keys if key in derivations)


def _huge_pages_reasons(plan: Plan) -> tuple[str, ...]:
    platform, version = plan.scenario.hardware.platform, plan.scenario.hardware.pg_version
    if platform == "linux":
        pages = plan.kernel["linux"]["vm.nr_hugepages"]
        check = (
            "postgres -D $PGDATA -C shared_memory_size_in_huge_pages"
            if has_shared_memory_size(version)
            else "pmap on the postmaster's anonymous shared segment (13-14 have no shared_memory_size_in_huge_pages)"
        )
        return (
            f"try: use the {pages:,} huge pages os/linux reserves (vm.nr_hugepages), start without them if missing",
            f"confirm the count with {check}; switch to on once they are reserved to fail loudly instead",
        )
    if platform == "windows":
        return ("try: large pages need the 'Lock pages in memory' right for the service account (os/windows)",)
    return (f"try: huge pages are used on Linux and Windows only; on {platform} try is the safe value",)

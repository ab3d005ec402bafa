"""The PostgreSQL settings a plan decides, with the reasons that go beside them.

postgresql.conf and ALTER SYSTEM write the same values; both read them from the Plan's settings
(the model's recommenders, one per group) so they can never disagree. Only settings that exist in
the plan's major version are there, each says whether changing it needs a restart, and where pgtune
would write something else for the same inputs the comment says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Derivation, Plan
from ..model.settings import GROUP_TITLES, Group
from ..model.settings.base import quoted
from ..model.versions import (
    AUTOVACUUM_WORKER_SLOTS_FROM,
    DEFAULT_AUTOVACUUM_WORKER_SLOTS,
    DEFAULT_MAX_FILES_PER_PROCESS,
    has_shared_memory_size,
)
from ..present.settings import versus_pgtune


@dataclass(frozen=True)
class ServerSetting:
    name: str
    value: str  # as postgresql.conf spells it: quoted where it must be
    group: Group
    reasons: tuple[str | Derivation, ...]
    restart: bool  # postmaster context: read only at server start
    sql: str  # the value as an SQL string literal, for ALTER SYSTEM


def server_settings(plan: Plan) -> list[ServerSetting]:
    """Every setting of ``plan``, grouped, in the order a DBA reads them."""
    settings = []
    for s in plan.settings:
        reasons: list[str | Derivation] = [s.derivation]
        if s.name == "huge_pages":
            reasons += _huge_pages_checks(plan, reserved=s.value == "on")
        if s.versus_pgtune:
            reasons.append(versus_pgtune(s))
        restart = s.context == "restart"
        settings.append(ServerSetting(s.name, s.spelled, s.group, tuple(reasons), restart, quoted(s.value)))
    return settings


def group_title(group: Group) -> str:
    return GROUP_TITLES[group]


def assumed_defaults(version: int) -> str:
    """The server defaults the kernel limits were computed with, beyond the settings written here."""
    slots = ""
    if version >= AUTOVACUUM_WORKER_SLOTS_FROM:
        slots = f"autovacuum_worker_slots = {DEFAULT_AUTOVACUUM_WORKER_SLOTS}, "
    return (
        f"The kernel limits in os/ count the max_worker_processes and autovacuum_max_workers below and assume "
        f"{slots}max_files_per_process = {DEFAULT_MAX_FILES_PER_PROCESS}; raising those raises them too."
    )


def _huge_pages_checks(plan: Plan, reserved: bool) -> tuple[str, ...]:
    platform, version = plan.scenario.hardware.platform, plan.scenario.hardware.pg_version
    if platform != "linux" or plan.scenario.provider is not None:  # a provider runs the kernel
        return ()
    pages = plan.kernel["linux"]["vm.nr_hugepages"]
    check = (
        "postgres -D $PGDATA -C shared_memory_size_in_huge_pages"
        if has_shared_memory_size(version)
        else "pmap on the postmaster's anonymous shared segment (13-14 have no shared_memory_size_in_huge_pages)"
    )
    if reserved:
        return (
            f"os/linux raises vm.nr_hugepages to at least {pages:,} huge pages before PostgreSQL restarts",
            f"confirm the count with {check} and compare it with /proc/sys/vm/nr_hugepages",
        )
    return (
        f"to use huge pages anyway, reserve at least {pages:,} huge pages (vm.nr_hugepages), set huge_pages = on "
        f"and confirm the count with {check}",
    )

"""What a recommended setting is, and the one helper every explanation goes through.

A Setting is written as postgresql.conf takes it (``12GB``, ``0.9``, ``on``), belongs to one group,
says whether a change needs a restart or only a reload, and carries its derivation. Where pgtune
would write something else for the same inputs, ``versus_pgtune`` says why we differ; an empty
string means pgplanner writes what pgtune writes (or what pgtune leaves at the server's default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

from ..derivation import NO_INPUTS, Derivation
from ..memory import MemoryBasis
from ..scenario import Scenario
from ..server import memory_limit
from ..units import KB, format_size, human_size

Group = Literal["connections", "memory", "wal", "planner", "parallelism", "autovacuum"]
Context = Literal["restart", "reload"]

GROUP_TITLES: dict[Group, str] = {
    "connections": "Connections",
    "memory": "Memory",
    "wal": "WAL and checkpoints",
    "planner": "Planner and I/O",
    "parallelism": "Parallelism",
    "autovacuum": "Autovacuum",
}


@dataclass(frozen=True)
class Parameter:
    """A server parameter as the releases 13-18 know it (pg_settings.context, first release)."""

    since: int
    context: Context  # postmaster -> restart; sighup, superuser, user -> reload
    reload_from: int | None = None  # the release from which a restart is no longer needed


# Every parameter pgplanner writes. Sources: pg_settings of each release; the integration tests
# check name, context and acceptance against real PostgreSQL 15 and 18.
PARAMETERS: dict[str, Parameter] = {
    "max_connections": Parameter(13, "restart"),
    "superuser_reserved_connections": Parameter(13, "restart"),
    "reserved_connections": Parameter(16, "restart"),
    "max_wal_senders": Parameter(13, "restart"),
    "shared_buffers": Parameter(13, "restart"),
    "huge_pages": Parameter(13, "restart"),
    "effective_cache_size": Parameter(13, "reload"),
    "work_mem": Parameter(13, "reload"),
    "hash_mem_multiplier": Parameter(13, "reload"),
    "maintenance_work_mem": Parameter(13, "reload"),
    "autovacuum_work_mem": Parameter(13, "reload"),
    "temp_buffers": Parameter(13, "reload"),
    "wal_level": Parameter(13, "restart"),
    "wal_buffers": Parameter(13, "restart"),
    "min_wal_size": Parameter(13, "reload"),
    "max_wal_size": Parameter(13, "reload"),
    "checkpoint_completion_target": Parameter(13, "reload"),
    "wal_compression": Parameter(13, "reload"),
    "random_page_cost": Parameter(13, "reload"),
    "effective_io_concurrency": Parameter(13, "reload"),
    "maintenance_io_concurrency": Parameter(13, "reload"),
    "default_statistics_target": Parameter(13, "reload"),
    "jit": Parameter(13, "reload"),
    "io_method": Parameter(18, "restart"),
    "io_workers": Parameter(18, "reload"),
    "max_worker_processes": Parameter(13, "restart"),
    "max_parallel_workers": Parameter(13, "reload"),
    "max_parallel_workers_per_gather": Parameter(13, "reload"),
    "max_parallel_maintenance_workers": Parameter(13, "reload"),
    "autovacuum_max_workers": Parameter(13, "restart", reload_from=18),  # 18: bounded by autovacuum_worker_slots
}


INT_MAX = 2**31 - 1
PAGE = 8 * KB
# The largest size each memory parameter takes (guc_tables.c): shared_buffers INT_MAX / 2 pages,
# effective_cache_size INT_MAX pages, the kB-sized ones MAX_KILOBYTES = INT_MAX kB (less on Windows
# before 18, see server.memory_limit).
MAX_SIZE = {
    "shared_buffers": INT_MAX // 2 * PAGE,
    "effective_cache_size": INT_MAX * PAGE,
    "temp_buffers": INT_MAX // 2 * PAGE,
    "work_mem": INT_MAX * KB,
    "maintenance_work_mem": INT_MAX * KB,
    "autovacuum_work_mem": INT_MAX * KB,
}
KILOBYTE_SIZED = ("work_mem", "maintenance_work_mem", "autovacuum_work_mem")


class Setting(NamedTuple):
    """One line of postgresql.conf. A named tuple (immutable, and the cheapest object Python makes):
    plan() makes ~30 per slider tick. The Plan writes it out as an object (``plan --json`` ``settings``)."""

    name: str
    value: str  # as postgresql.conf takes it
    group: Group
    context: Context
    derivation: Derivation
    versus_pgtune: str = ""  # why pgtune would write something else; "" when it would not

    def as_json(self) -> dict[str, object]:
        return {**self._asdict(), "derivation": self.derivation.as_json()}


@dataclass(frozen=True)
class SettingsInput:
    """What the recommenders read: the scenario and the figures the plan already worked out."""

    scenario: Scenario
    basis: MemoryBasis
    max_connections: int
    max_wal_senders: int
    derivations: dict[str, Derivation]

    @property
    def version(self) -> int:
        return self.scenario.hardware.pg_version


def _contexts(version: int) -> dict[str, Context]:
    """restart or reload for every parameter ``version`` knows."""
    contexts: dict[str, Context] = {}
    for name, p in PARAMETERS.items():
        if version >= p.since:
            reload = p.context == "reload" or (p.reload_from is not None and version >= p.reload_from)
            contexts[name] = "reload" if reload else "restart"
    return contexts


CONTEXTS = {version: _contexts(version) for version in range(13, 19)}


def explain(
    formula: str, calculation: str, note: str = "", *, inputs: Mapping[str, str] | None = None, source: str = ""
) -> Derivation:
    """The one place a setting's explanation is built (so its shape can change in one place)."""
    return Derivation(formula=formula, calculation=calculation, inputs=inputs or NO_INPUTS, source=source, note=note)


def carried(derivation: Derivation, note: str | None = None) -> Derivation:
    """An explanation the plan already made, restated for a setting (with another note, if given)."""
    return explain(
        derivation.formula,
        derivation.calculation,
        derivation.note if note is None else note,
        inputs=derivation.inputs,
        source=derivation.source,
    )


def setting(
    inp: SettingsInput, name: str, value: str, group: Group, derivation: Derivation, versus_pgtune: str = ""
) -> Setting | None:
    """A Setting, or None when ``inp``'s release does not know the parameter."""
    return setting_for(inp.scenario.hardware.pg_version, name, value, group, derivation, versus_pgtune)


def setting_for(
    version: int, name: str, value: str, group: Group, derivation: Derivation, versus_pgtune: str = ""
) -> Setting | None:
    """:func:`setting` for settings that depend on a few discrete facts only (the release, the profile ...):
    those are made once per combination (``functools.cache``), since plan() runs on every slider tick."""
    context = CONTEXTS[version].get(name)
    return None if context is None else Setting(name, value, group, context, derivation, versus_pgtune)


def accepted_size(inp: SettingsInput, name: str, size: int) -> tuple[int, str]:
    """``size`` at most what the release and platform accept for ``name``, and a note when it was lowered."""
    limit = MAX_SIZE[name]
    platform_limit = memory_limit(inp.scenario) if name in KILOBYTE_SIZED else None
    if platform_limit is not None:
        limit = min(limit, platform_limit)
    if size <= limit:
        return size, ""
    where = f"PostgreSQL {inp.version} on {inp.scenario.hardware.platform}"
    return limit, f"{human_size(size)} lowered to {human_size(limit)}, the most {where} accepts for {name}"


def conf_size(size: float) -> str:
    """A memory size as postgresql.conf takes it, rounded down to whole kB (its smallest unit)."""
    return format_size(int(size) // KB * KB)


def present(settings: list[Setting | None]) -> list[Setting]:
    return [s for s in settings if s is not None]

"""What a recommended setting is, how a group declares the parameters it writes, and the explanation helpers.

A Setting is written as postgresql.conf takes it (``12GB``, ``0.9``, ``on``), belongs to one group,
says whether a change needs a restart or only a reload, and carries its derivation. Where pgtune
would write something else for the same inputs, ``versus_pgtune`` says why we differ; an empty
string means pgplanner writes what pgtune writes (or what pgtune leaves at the server's default).

A group module declares its parameters once and makes every setting through that declaration::

    DECLARED = Declaration("wal", "WAL and checkpoints", {
        "checkpoint_timeout": Parameter(13, "reload"),         # known from 13, a reload applies it
        "io_method": Parameter(18, "restart"),                 # absent before 18: setting() gives None
    })
    DECLARED.setting(version, "checkpoint_timeout", "15min", derivation)   # a misspelt name raises

The derivation's calculation uses :func:`~..derivation.rounded` and :func:`~..derivation.capped` for
every rounding and bound, and its formula is built from the named constants at import time.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Literal, NamedTuple

from ..construct import new_tuple
from ..derivation import NO_INPUTS, Derivation, capped
from ..fields import specs_of
from ..memory import MemoryBasis
from ..scenario import Hardware, Scenario
from ..server import memory_limit
from ..units import KB, format_size, human_size

Group = Literal["connections", "memory", "wal", "planner", "parallelism", "autovacuum", "logging"]
Context = Literal["restart", "reload"]


def _releases() -> range:
    """The PostgreSQL majors a scenario may name (the pg_version input's range)."""
    spec = next(s for s in specs_of("hardware", Hardware) if s.name == "pg_version")
    return range(int(spec.lo or 0), int(spec.hi or 0) + 1)


RELEASES = _releases()


class UnknownParameter(ValueError):
    """A recommender wrote a parameter its group does not declare: a misspelt or undeclared name."""


class Parameter(NamedTuple):
    """A server parameter as the releases know it (pg_settings.context, first release).

    A named tuple, as is :class:`SettingsInput`: cheaper than a frozen dataclass to create at import and to build on
    every plan().
    """

    since: int
    context: Context  # postmaster -> restart; sighup, superuser, user -> reload
    reload_from: int | None = None  # the release from which a restart is no longer needed

    def context_in(self, version: int) -> Context | None:
        """restart or reload in ``version``; None when ``version`` does not know the parameter."""
        if version < self.since:
            return None
        reload = self.context == "reload" or (self.reload_from is not None and version >= self.reload_from)
        return "reload" if reload else "restart"


class Declaration:
    """The parameters one settings group writes, and the only way its recommender makes a Setting.

    Each group module declares ``DECLARED = Declaration(group, title, {name: Parameter(...)})`` and writes
    every setting through ``DECLARED.setting(version, name, ...)``: a name the group does not declare
    raises :class:`UnknownParameter` (a misspelt name fails at once, in every test that plans), and a
    declared name the release does not know yet gives None. The integration tests compare each release's
    declared names and contexts with the real servers' own list (``postgres --describe-config``).
    """

    def __init__(self, group: Group, title: str, parameters: Mapping[str, Parameter]) -> None:
        self.group, self.title = group, title
        self.parameters: Mapping[str, Parameter] = MappingProxyType(dict(parameters))
        # Worked out once: setting() runs about thirty times per plan(), on every slider tick.
        self._contexts = {
            version: {name: c for name, p in parameters.items() if (c := p.context_in(version)) is not None}
            for version in RELEASES
        }

    def names(self, version: int) -> frozenset[str]:
        """The parameters of this group that ``version`` knows."""
        return frozenset(self._contexts[version])

    def setting(
        self, version: int, name: str, value: str, derivation: Derivation, versus_pgtune: str = ""
    ) -> Setting | None:
        """``name = value`` in this group, or None when ``version`` does not know the (declared) parameter.

        Settings that depend on a few discrete facts only (the release, the profile ...) are made once per
        combination by their callers (``functools.cache``), since plan() runs on every slider tick.
        """
        context = self._contexts[version].get(name)
        if context is not None:  # Setting(...) without the named tuple's own __new__, a frame less per setting
            return new_tuple(Setting, (name, value, self.group, context, derivation, versus_pgtune))
        if name not in self.parameters:
            close = difflib.get_close_matches(name, self.parameters, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownParameter(f"{name!r} is not a parameter the {self.group} group declares{hint}")
        return None


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


# A value postgresql.conf takes without quotes: a number with its unit, a word (guc-file.l); anything else
# (spaces, '*', '%', '-') is quoted.
BARE = re.compile(r"[A-Za-z0-9_.]+")


def quoted(value: str) -> str:
    """``value`` between single quotes, each quote doubled (postgresql.conf and SQL agree on that)."""
    return "'" + value.replace("'", "''") + "'"


class Setting(NamedTuple):
    """One line of postgresql.conf. A named tuple (immutable, and the cheapest object Python makes):
    plan() makes ~30 per slider tick. The Plan writes it out as an object (``plan --json`` ``settings``)."""

    name: str
    value: str  # as postgresql.conf takes it
    group: Group
    context: Context
    derivation: Derivation
    versus_pgtune: str = ""  # why pgtune would write something else; "" when it would not

    @property
    def spelled(self) -> str:
        """The value as postgresql.conf spells it: quoted where it must be (``'%m [%p] '``: a trailing space shows)."""
        return self.value if BARE.fullmatch(self.value) else quoted(self.value)

    def as_json(self) -> dict[str, object]:
        return {**self._asdict(), "derivation": self.derivation.as_json()}


class SettingsInput(NamedTuple):
    """What the recommenders read: the scenario and the figures the plan already worked out."""

    scenario: Scenario
    basis: MemoryBasis
    max_connections: int
    max_wal_senders: int
    derivations: dict[str, Derivation]
    wal_disk: int  # the file system holding pg_wal, given or derived (settings.wal.wal_disk)

    @property
    def version(self) -> int:
        return self.scenario.hardware.pg_version


def explain(
    formula: str, calculation: str, note: str = "", *, inputs: Mapping[str, str] | None = None, source: str = ""
) -> Derivation:
    """The one place a setting's explanation is built (so its shape can change in one place)."""
    return Derivation(formula=formula, calculation=calculation, inputs=inputs or NO_INPUTS, source=source, note=note)


def carried(derivation: Derivation, note: str | None = None) -> Derivation:
    """An explanation the plan already made, restated for a setting (with another note, if given).

    Without another note it is the same explanation, kept as it is: one made with ``Derivation.later``
    stays unwritten until someone reads it.
    """
    if note is None:
        return derivation
    return explain(
        derivation.formula,
        derivation.calculation,
        note,
        inputs=derivation.inputs,
        source=derivation.source,
    )


def then(derivation: Derivation, step: str) -> Derivation:
    """``derivation`` with one more step of its calculation (none when ``step`` is empty)."""
    return derivation._replace(calculation=f"{derivation.calculation}; {step}") if step else derivation


def accepted_size(inp: SettingsInput, name: str, size: int) -> tuple[int, str]:
    """``size`` at most what the release and platform accept for ``name``, and the capping step when it bit."""
    limit = MAX_SIZE[name]
    platform_limit = memory_limit(inp.scenario) if name in KILOBYTE_SIZED else None
    if platform_limit is not None:
        limit = min(limit, platform_limit)
    if size <= limit:
        return size, ""
    where = f"PostgreSQL {inp.version} on {inp.scenario.hardware.platform}"
    step = capped(human_size(size), size, at_most=limit, show=human_size)
    return limit, f"{step}, the most {where} accepts for {name}"


def conf_size(size: float) -> str:
    """A memory size as postgresql.conf takes it, rounded down to whole kB (its smallest unit)."""
    return format_size(int(size) // KB * KB)


# What a group's recommend returns: its settings in order, None for each the release does not know (settings.recommend
# leaves those out once, for all groups).
Made = Sequence[Setting | None]


def present(settings: list[Setting | None]) -> list[Setting]:
    return [s for s in settings if s is not None]

"""The plan's settings beside a live server's: which differ, where the server's come from, what puts them back.

What a server reports is read elsewhere (``probe``) into the plain records below; here it is compared,
which is arithmetic: a value as postgresql.conf takes it (``4GB``, ``15min``, ``on``, ``a, b``) and
the server's (pg_settings.setting in the parameter's base unit: 524288 of 8kB) are both brought to the
base unit before they are compared, booleans and enum names by PostgreSQL's own spellings, lists
element by element.

Where a value comes from decides how to put it back after ``changes.sql`` (ALTER SYSTEM) changed it:
a value ALTER SYSTEM had written is written again, any other is RESET so that postgresql.conf or the
default rules again. A value already waiting for a restart is restored too when the files can be read
(pg_file_settings, superusers only); otherwise the row says it could not be.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .derivation import Derivation
from .settings import Setting

# Parameters whose value is a comma-separated list (GUC_LIST_INPUT in guc_tables.c): compared element
# by element, and written to ALTER SYSTEM one literal per element (a quoted list, such as
# shared_preload_libraries, would otherwise take 'a, b' for one library named "a, b").
LIST_PARAMETERS = frozenset(
    {
        "listen_addresses",
        "shared_preload_libraries",
        "session_preload_libraries",
        "local_preload_libraries",
        "search_path",
        "temp_tablespaces",
        "unix_socket_directories",
        "log_destination",
        "DateStyle",
        "debug_io_direct",
        "synchronized_standby_slots",
        "oauth_validator_libraries",
    }
)
# Read as 0 in a session over a Unix socket, whatever the server is set to (the show hooks of
# guc_tables.c ask the session's socket): their value at the session's start (reset_val) is compared.
TCP_PARAMETERS = frozenset(
    {"tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count", "tcp_user_timeout"}
)
AUTO_CONF = "postgresql.auto.conf"

# pg_settings.source -> where the value comes from, as the diff says it. The session-level sources
# (a database's or role's ALTER ... SET, the connection's options) hide the server-wide value.
SOURCES = {
    "default": "default",
    "override": "default",  # a value the server works out at start (wal_buffers = -1)
    "dynamic default": "default",
    "environment variable": "environment variable",
    "configuration file": "configuration file",
    "command line": "command line",
}
SESSION_SOURCES = {
    "database": "database override",
    "user": "role override",
    "database user": "database and role override",
    "client": "connection options",
}
ALTER_SYSTEM = "ALTER SYSTEM"
COMMAND_LINE = "command line"  # postgres -c / pg_ctl -o: wins over every configuration file

BOOLEANS = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}
_MEMORY_UNITS = {"B": 1, "kB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_TIME_UNITS = {"us": 0.001, "ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}
_NUMBER = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*")


@dataclass(frozen=True)
class ServerParameter:
    """One row of pg_settings, read by the probing session."""

    name: str
    setting: str  # in the base unit (pg_settings.setting)
    shown: str  # as SHOW prints it (current_setting)
    unit: str | None  # the base unit: kB, 8kB, MB, ms, s ...
    vartype: str  # bool, integer, real, string, enum
    source: str  # pg_settings.source
    sourcefile: str | None  # None unless the role may read it (pg_read_all_settings) or none applies
    sourceline: int | None
    pending_restart: bool
    reset_val: str
    boot_val: str
    enumvals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Override:
    """An ALTER ROLE / ALTER DATABASE ... SET of a parameter (pg_db_role_setting)."""

    name: str
    value: str
    role: str | None  # None: every role
    database: str | None  # None: every database

    @property
    def scope(self) -> str:
        if self.role and self.database:
            return f"role {self.role} in database {self.database}"
        return f"role {self.role}" if self.role else f"database {self.database}"


@dataclass(frozen=True)
class ConfigFiles:
    """What the configuration files say (pg_file_settings): the value each parameter takes at the next
    start (the last line that names it), and the lines of postgresql.auto.conf (ALTER SYSTEM)."""

    effective: Mapping[str, str]
    auto: Mapping[str, str]


@dataclass(frozen=True)
class ServerSettings:
    """Everything read from the server for a diff."""

    parameters: Mapping[str, ServerParameter]
    overrides: tuple[Override, ...] = ()
    files: ConfigFiles | None = None  # None: pg_file_settings could not be read (``files_unread`` says why)
    files_unread: str = ""
    over_socket: bool = False  # the probing session came over a Unix socket


@dataclass(frozen=True)
class Restore:
    """How rollback.sql puts a setting back: ``ALTER SYSTEM SET name = value``, or RESET (value None)."""

    value: str | None
    note: str = ""  # what could not be known, when it matters


Source = Literal[
    "default",
    "configuration file",
    "ALTER SYSTEM",
    "command line",
    "environment variable",
    "database override",
    "role override",
    "database and role override",
    "connection options",
    "not on this server",
    "unknown",
]


@dataclass(frozen=True)
class DiffRow:
    """One setting the plan writes, beside the server's value."""

    setting: Setting
    server: str | None  # the server-wide value as SHOW prints it; None when it cannot be read here
    source: str  # one of Source
    source_file: str | None  # path:line, when the role may read it
    pending_restart: bool
    pending: str | None  # the value that waits for the restart, when the files can be read
    differs: bool
    overrides: tuple[Override, ...] = ()
    restore: Restore | None = None  # for the rows changes.sql changes
    note: str = ""  # why the server's value is unknown, or why ALTER SYSTEM cannot change it

    @property
    def name(self) -> str:
        return self.setting.name

    @property
    def plan(self) -> str:
        return self.setting.value

    @property
    def context(self) -> str:
        return self.setting.context

    @property
    def derivation(self) -> Derivation:
        return self.setting.derivation

    @property
    def known(self) -> bool:
        return self.source != "not on this server"

    @property
    def changed_by_script(self) -> bool:
        """changes.sql sets it: it differs, the server knows it, and nothing above ALTER SYSTEM fixes it."""
        return self.differs and self.known and self.source != COMMAND_LINE


@dataclass(frozen=True)
class SettingsDiff:
    rows: tuple[DiffRow, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def differing(self) -> tuple[DiffRow, ...]:
        return tuple(r for r in self.rows if r.differs)

    @property
    def equal(self) -> int:
        return sum(not r.differs for r in self.rows)

    @property
    def changes(self) -> tuple[DiffRow, ...]:
        return tuple(r for r in self.rows if r.changed_by_script)

    @property
    def restart(self) -> tuple[str, ...]:
        """The changed settings that take effect only after a restart."""
        return tuple(r.name for r in self.changes if r.context == "restart")

    @property
    def overridden(self) -> tuple[DiffRow, ...]:
        return tuple(r for r in self.rows if r.overrides)


def compare(settings: Sequence[Setting], read: ServerSettings) -> SettingsDiff:
    """Every setting of the plan beside the server's value, in the plan's order."""
    rows = tuple(_row(s, read) for s in settings)
    notes = []
    if read.files is None and any(r.pending_restart for r in rows):
        notes.append(f"the values waiting for a restart could not be read ({read.files_unread})")
    return SettingsDiff(rows, tuple(notes))


def _row(setting: Setting, read: ServerSettings) -> DiffRow:
    overrides = tuple(o for o in read.overrides if o.name == setting.name)
    found = read.parameters.get(setting.name)
    if found is None:
        return DiffRow(
            setting,
            None,
            "not on this server",
            None,
            False,
            None,
            True,
            overrides,
            note=f"this server has no parameter {setting.name}: changes.sql leaves it out",
        )
    server, raw, note = _server_wide(found, read)
    source, source_file = _source(found, read)
    pending = None
    if found.pending_restart and read.files is not None:
        pending = read.files.effective.get(found.name)
    differs = raw is None or not same(setting.value, raw, found)
    if not differs and found.pending_restart:  # equal now; what the restart brings decides
        if read.files is None:
            differs, note = True, f"a value waits for a restart that this role cannot read ({read.files_unread})"
        else:
            differs = pending is not None and not same(setting.value, pending, found)
    if differs and source == COMMAND_LINE:
        note = (
            f"set on the server's command line (postgres -c, pg_ctl -o), which wins over ALTER SYSTEM: "
            f"change {setting.name} where the server is started"
        )
    restore = _restore(found, read, server) if differs and source != COMMAND_LINE else None
    return DiffRow(
        setting, server, source, source_file, found.pending_restart, pending, differs, overrides, restore, note
    )


def _server_wide(found: ServerParameter, read: ServerSettings) -> tuple[str | None, str | None, str]:
    """The server-wide value as SHOW prints it and as a comparable text, or None and why not."""
    if found.source in SESSION_SOURCES:
        if read.files is None:
            why = (
                f"this session's value ({found.shown}) comes from a {SESSION_SOURCES[found.source]}; "
                f"the server-wide value could not be read ({read.files_unread})"
            )
            return None, None, why
        value = read.files.effective.get(found.name)
        if value is None:
            value = show_base(found.boot_val, found.unit)
        return value, value, ""
    if found.name in TCP_PARAMETERS and read.over_socket:  # SHOW says 0 over a socket
        return show_base(found.reset_val, found.unit), found.reset_val, ""
    return found.shown, found.setting, ""


def _source(found: ServerParameter, read: ServerSettings) -> tuple[str, str | None]:
    """Where the server-wide value comes from; behind a session's override, the files tell (a superuser)."""
    if found.source in SESSION_SOURCES and read.files is not None:
        if found.name in read.files.auto:
            return ALTER_SYSTEM, None
        return ("configuration file" if found.name in read.files.effective else "default"), None
    where = f"{found.sourcefile}:{found.sourceline}" if found.sourcefile else None
    if found.source == "configuration file" and found.sourcefile and found.sourcefile.endswith(AUTO_CONF):
        return ALTER_SYSTEM, where
    label = SOURCES.get(found.source) or SESSION_SOURCES.get(found.source) or found.source
    return label, where


def _restore(found: ServerParameter, read: ServerSettings, server: str | None) -> Restore:
    """What rollback.sql writes to put ``found`` back as the configuration files had it."""
    if read.files is not None:
        before = read.files.auto.get(found.name)
        return Restore(before)
    waiting = ""
    if found.pending_restart:
        waiting = (
            "another value already waits for a restart, in a file this role cannot read (pg_file_settings needs a "
            "superuser): this restores the value in force; a superuser's --diff restores the waiting one"
        )
    if found.source in SESSION_SOURCES:
        return Restore(
            None,
            _joined(
                f"the server-wide value before could not be read (this session's came from a "
                f"{SESSION_SOURCES[found.source]}): RESET brings back postgresql.conf's or the default, unless "
                f"ALTER SYSTEM had set it",
                waiting,
            ),
        )
    if found.source == "configuration file":
        if not found.sourcefile:
            return Restore(
                server,
                _joined(
                    "from a configuration file this role may not name (pg_read_all_settings): set back to its value",
                    waiting,
                ),
            )
        if found.sourcefile.endswith(AUTO_CONF):
            return Restore(server, waiting)
    return Restore(None, waiting)


def _joined(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# --- the statements that change a setting and put it back ---------------------------------------------


def literal(text: str) -> str:
    """A string as SQL takes it (standard_conforming_strings: only the quote is doubled)."""
    return "'" + text.replace("'", "''") + "'"


def alter_system_set(name: str, value: str) -> str | None:
    """``ALTER SYSTEM SET name = 'value'``; a list one literal per element (a quoted list such as
    shared_preload_libraries would take 'a, b' for one library). None for an empty list, which ALTER
    SYSTEM cannot write for a quoted list (it writes '""', a library with no name)."""
    if name in LIST_PARAMETERS:
        items = elements(value)
        return f"ALTER SYSTEM SET {name} = {', '.join(map(literal, items))}" if items else None
    return f"ALTER SYSTEM SET {name} = {literal(value)}"


def restore_statement(row: DiffRow) -> str | None:
    """rollback.sql's statement for a row changes.sql changes (None for the others)."""
    if row.restore is None:
        return None
    if row.restore.value is not None:
        written = alter_system_set(row.name, row.restore.value)
        if written is not None:
            return written
    return f"ALTER SYSTEM RESET {row.name}"


# --- values, as PostgreSQL reads them ----------------------------------------------------------


def same(planned: str, setting: str, parameter: ServerParameter) -> bool:
    """Whether the plan's ``planned`` (as postgresql.conf takes it) is the server's ``setting`` (base unit)."""
    a, b = comparable(planned, parameter), comparable(setting, parameter)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return a == b


def comparable(text: str, parameter: ServerParameter) -> object:
    """``text`` as the server holds it: a number in the base unit, a boolean, an enum's name, a list."""
    kind = parameter.vartype
    if kind == "bool":
        return boolean(text)
    if kind in ("integer", "real"):
        number = in_base_unit(text, parameter.unit)
        if number is None:
            return text.strip()
        return float(round(number)) if kind == "integer" else number
    if kind == "enum":
        word = text.strip().lower()
        if word in BOOLEANS and {"on", "off"} <= set(parameter.enumvals):
            return "on" if BOOLEANS[word] else "off"
        return word
    if parameter.name in LIST_PARAMETERS:
        return tuple(elements(text))
    return text


def boolean(text: str) -> bool | str:
    """PostgreSQL's booleans: on/off, true/false, yes/no, 1/0, and any unique prefix of them."""
    word = text.strip().lower()
    if word in BOOLEANS:
        return BOOLEANS[word]
    matches = {value for name, value in BOOLEANS.items() if len(word) >= 2 and name.startswith(word)}
    matches |= {value for name, value in BOOLEANS.items() if len(word) == 1 and word in "tfyn" and name[0] == word}
    return matches.pop() if len(matches) == 1 else word


def in_base_unit(text: str, unit: str | None) -> float | None:
    """``4GB`` in the base unit ``8kB`` (524288.0); a number without a unit is in the base unit already."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    number, written = float(match.group(1)), match.group(2)
    if not written:
        return number
    base = unit_size(unit or "")
    given = _MEMORY_UNITS.get(written) or _TIME_UNITS.get(written)
    if base is None or given is None or (written in _MEMORY_UNITS) != (base[1] == "memory"):
        return None
    return number * given / base[0]


def unit_size(unit: str) -> tuple[float, str] | None:
    """pg_settings.unit (``8kB``, ``16MB``, ``ms``) as a size in bytes or milliseconds, and its kind."""
    match = re.fullmatch(r"(\d*)\s*([A-Za-z]+)", unit)
    if match is None:
        return None
    times = int(match.group(1) or 1)
    name = match.group(2)
    if name in _MEMORY_UNITS:
        return times * _MEMORY_UNITS[name], "memory"
    if name in _TIME_UNITS:
        return times * _TIME_UNITS[name], "time"
    return None


def show_base(value: str, unit: str | None) -> str:
    """A value in the base unit as SHOW prints it: the largest unit that keeps it whole (``60`` s -> ``1min``)."""
    size = unit_size(unit or "")
    try:
        number = int(value)
    except ValueError:
        return value
    if size is None or number <= 0:
        return value
    amount, kind = size
    units = _MEMORY_UNITS if kind == "memory" else _TIME_UNITS
    total = number * amount
    for name, factor in sorted(units.items(), key=lambda item: -item[1]):
        if factor >= 1 and total % factor == 0:
            return f"{int(total // factor)}{name}"
    return f"{number}{unit}"


def elements(text: str) -> list[str]:
    """A list value's elements, unquoted, spaces between them dropped (``a, "b c"`` -> ``a``, ``b c``)."""
    if not text.strip():
        return []
    found: list[str] = []
    current, quoted, at = "", False, 0
    while at < len(text):
        char = text[at]
        if quoted and char == '"' and text[at + 1 : at + 2] == '"':  # "" inside quotes: one quote
            current, at = current + '"', at + 1
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            found.append(current)
            current = ""
        elif quoted or not char.isspace():
            current += char
        at += 1
    return [*found, current]

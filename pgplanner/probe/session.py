"""A session with a live server that is safe to open on production: read-only, with its own time limits.

Connections go through psycopg 3, so a DSN is whatever libpq takes (``host=... dbname=...`` or a
``postgresql://`` URI) and PG* environment variables, service files and ~/.pgpass work as they do for
psql. What pgplanner sets for itself travels in the startup packet (``options=-c ...``), so it wins over
a role's or a database's own settings (a role with ``statement_timeout = 1ms`` cannot cancel the probe)
while a DBA's explicit ``options`` in the DSN still win over pgplanner's:

- reading sessions run every statement in a read-only transaction (``default_transaction_read_only``),
  under their own ``statement_timeout`` and ``lock_timeout``, so a probe can neither write nor wait
  behind a lock for long;
- the one session that makes and drops measure's scratch database is not read-only, with limits long
  enough for CREATE DATABASE.

No part of a DSN is ever echoed: libpq's parse errors quote the offending token (a password included),
so those quotes are blanked; connection errors come from libpq, which does not repeat a password, and
every secret the DSN holds is blanked from them anyway.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model.serialization import InputError

if TYPE_CHECKING:
    from psycopg.abc import Query

CONNECT_TIMEOUT = 10  # seconds, unless the DSN or PGCONNECT_TIMEOUT says otherwise
# The libpq parameters whose values are secrets: never printed, never on a command line.
SECRET_PARAMETERS = ("password", "sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key")
HIDDEN = "…"


class ServerError(Exception):
    """A server that cannot be reached, goes away, or refuses what pgplanner asks: one line naming it."""


class ConnectionLost(ServerError):
    """The connection broke mid-session (the server restarted, a network cut): worth opening again."""


@dataclass(frozen=True)
class Limits:
    """What a pgplanner session sets for itself, whatever the role or database says."""

    statement_ms: int  # statement_timeout
    lock_ms: int  # lock_timeout
    read_only: bool  # default_transaction_read_only

    def options(self) -> str:
        """The ``-c`` switches of libpq's ``options`` parameter."""
        settings = {
            "statement_timeout": self.statement_ms,
            "lock_timeout": self.lock_ms,
            "default_transaction_read_only": "on" if self.read_only else "off",
        }
        return " ".join(f"-c {name}={value}" for name, value in settings.items())


# Reading the catalog and the statistics views takes milliseconds; 10 s is for a server under load.
READING = Limits(statement_ms=10_000, lock_ms=2_000, read_only=True)
# CREATE DATABASE copies template0 (a few MB) and DROP DATABASE ... WITH (FORCE) ends pgbench's sessions.
SCRATCH = Limits(statement_ms=300_000, lock_ms=30_000, read_only=False)


def one_line(error: BaseException) -> str:
    """libpq's multi-line messages (one line per address tried, a hint after the reason) as one line,
    each sentence ended so two of them do not run together."""
    parts = [part.strip() for part in str(error).splitlines() if part.strip()]
    text = ""
    for part in parts:
        if text and not text.endswith((".", ":", ";", "?", "!")):
            text += "."
        text = f"{text} {part}" if text else part
    return text or type(error).__name__


# psycopg's own words before libpq's reason, which say nothing the reason does not
PSYCOPG_PREFIXES = re.compile(r"^(connection is bad|connection failed): ")
# Python's error number before the resolver's reason ("[Errno -2] Name or service not known"): psycopg
# resolves host names itself and quotes socket.gaierror as it prints; the number means nothing to a DBA.
ERRNO = re.compile(r"\[Errno -?\d+\] ")


def _connect_failure(error: BaseException, params: dict[str, Any]) -> ServerError:
    reason = ERRNO.sub("", PSYCOPG_PREFIXES.sub("", redact(one_line(error), params)))
    return ServerError(f"cannot connect: {reason}")


def parse_dsn(dsn: str) -> dict[str, Any]:
    """The DSN's parameters, or InputError naming what is wrong without quoting any of it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        return conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as error:
        raise InputError(f"--dsn is not a connection string or URI: {_unquoted(one_line(error))}") from None


def _unquoted(message: str) -> str:
    """libpq's parse error with every quoted piece of the DSN blanked, save parameter names and
    punctuation (``missing "=" after "port"`` stays, ``invalid percent-encoded token: "hun%zzter2"`` does not)."""
    from psycopg import pq

    names = {option.keyword.decode() for option in pq.Conninfo.get_defaults()}

    def blank(match: re.Match[str]) -> str:
        quoted = match.group(1)
        return match.group(0) if quoted in names or (len(quoted) == 1 and not quoted.isalnum()) else f'"{HIDDEN}"'

    return re.sub(r'"([^"]*)"', blank, message)


def redact(text: str, params: dict[str, Any]) -> str:
    """``text`` with the value of every secret parameter blanked."""
    for name in SECRET_PARAMETERS:
        value = str(params.get(name) or "")
        if value:
            text = text.replace(value, HIDDEN)
    return text


def connect(dsn: str, limits: Limits = READING, dbname: str | None = None, application_name: str = "pgplanner") -> Any:
    """An autocommit psycopg connection under ``limits``, or ServerError with libpq's reason."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    params = parse_dsn(dsn)
    if dbname is not None:
        params["dbname"] = dbname
    params.setdefault("connect_timeout", CONNECT_TIMEOUT)
    params.setdefault("application_name", application_name)
    theirs = params.get("options")
    params["options"] = f"{limits.options()} {theirs}" if theirs else limits.options()
    try:
        return psycopg.connect(make_conninfo("", **params), autocommit=True)
    except psycopg.OperationalError as error:
        if "unsupported startup parameter" not in str(error):
            raise _connect_failure(error, params) from None
    # A pooler that refuses startup options (PgBouncer without ignore_startup_parameters = options):
    # the same limits, set once connected.
    params["options"] = theirs or ""
    try:
        conn = psycopg.connect(make_conninfo("", **params), autocommit=True)
        for name, value in (("statement_timeout", limits.statement_ms), ("lock_timeout", limits.lock_ms),
                            ("default_transaction_read_only", "on" if limits.read_only else "off")):  # fmt: skip
            conn.execute("SELECT set_config(%s, %s, false)", [name, str(value)])
        return conn
    except psycopg.Error as error:
        raise _connect_failure(error, params) from None


def describe_connection(conn: Any) -> str:
    """``PostgreSQL 15.14 at /var/run/postgresql:5432/postgres``: what the plot and the report call it."""
    info = conn.info
    return f"PostgreSQL {server_version_text(info.server_version)} at {info.host}:{info.port}/{info.dbname}"


def server_version_text(number: int) -> str:
    """160004 -> "16.4"."""
    return f"{number // 10000}.{number % 10000}"


def _named(query: Query) -> str:
    """A query's first word, to name it in an error when the caller gave no better name."""
    return query.split()[0] if isinstance(query, str) else "a query"


@dataclass(frozen=True)
class Privileges:
    """What the connected role may see and do (pg_roles is readable by every role)."""

    role: str
    superuser: bool
    create_databases: bool
    connection_limit: int | None  # the role's CONNECTION LIMIT; None when unlimited
    # Members of pg_read_all_stats (pg_monitor includes it) and superusers see the state, query and
    # backend type of every session; any other role sees its own sessions only.
    reads_all_stats: bool


class Session:
    """One connection to a server under ``limits``, opened again on request after the server restarts.

    Every query goes through :meth:`rows`, which turns any failure into one line naming what was read:
    ConnectionLost when the connection broke, ServerError otherwise. :meth:`optional_rows` is for what
    a role may lack the privilege or the extension for: it gives the reason instead of failing.
    """

    def __init__(self, dsn: str, limits: Limits = READING, application_name: str = "pgplanner") -> None:
        self.dsn, self.limits, self.application_name = dsn, limits, application_name
        self.conn: Any = connect(dsn, limits, application_name=application_name)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.close()

    def reopen(self) -> None:
        """A fresh connection in place of a broken one (ServerError while the server is still away)."""
        self.close()
        self.conn = connect(self.dsn, self.limits, application_name=self.application_name)

    @property
    def broken(self) -> bool:
        return bool(self.conn.closed or self.conn.broken)

    def rows(self, query: Query, params: Sequence[object] | None = None, what: str = "") -> list[tuple[Any, ...]]:
        import psycopg

        try:
            cursor = self.conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []
        except psycopg.Error as error:
            raise self._failure(error, what or _named(query)) from None

    def one(self, query: Query, params: Sequence[object] | None = None, what: str = "") -> tuple[Any, ...]:
        found = self.rows(query, params, what)
        if not found:
            raise ServerError(f"{what or _named(query)}: the server returned no row")
        return found[0]

    def optional_rows(
        self, query: Query, params: Sequence[object] | None = None, what: str = ""
    ) -> tuple[list[tuple[Any, ...]] | None, str]:
        """The rows, or None and why: no privilege, or a view or function this server lacks."""
        import psycopg

        try:
            cursor = self.conn.execute(query, params)
            return (cursor.fetchall() if cursor.description else []), ""
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable,
                psycopg.errors.UndefinedFunction, psycopg.errors.ObjectNotInPrerequisiteState) as error:  # fmt: skip
            return None, f"{what}: {one_line(error)}" if what else one_line(error)
        except psycopg.Error as error:
            raise self._failure(error, what or _named(query)) from None

    def _failure(self, error: BaseException, what: str) -> ServerError:
        import psycopg

        reason = redact(one_line(error), parse_dsn(self.dsn))
        if isinstance(error, psycopg.errors.QueryCanceled):
            return ServerError(
                f"{what}: the server cancelled the query ({reason}); pgplanner allows "
                f"{self.limits.statement_ms / 1000:g} s per statement and {self.limits.lock_ms / 1000:g} s per lock"
            )
        if self.broken:
            return ConnectionLost(f"lost the connection to the server while reading {what}: {reason}")
        return ServerError(f"{what}: {reason}")

    def privileges(self) -> Privileges:
        role, superuser, create, limit, stats = self.one(
            "SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolconnlimit, "
            "pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') "
            "FROM pg_roles r WHERE r.rolname = current_user",
            what="the role's privileges (pg_roles)",
        )
        return Privileges(role, bool(superuser), bool(create), None if limit < 0 else int(limit), bool(stats))

"""Read what a diff needs from a live server: pg_settings, the role and database overrides, and (for a
superuser) what the configuration files say.

Every read goes through the probing :class:`~.session.Session` (read-only, its own timeouts). A
pg_monitor role reads everything but the files (pg_file_settings is a superuser's): the diff then says
which values it could not know instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model.server_diff import AUTO_CONF, ConfigFiles, Override, ServerParameter, ServerSettings
from .session import Session

SETTINGS_QUERY = (
    "SELECT name, setting, current_setting(name), unit, vartype, source, sourcefile, sourceline, pending_restart, "
    "reset_val, boot_val, coalesce(enumvals, '{}') FROM pg_settings WHERE name = ANY(%s)"
)
# pg_db_role_setting is readable by every role; setconfig holds name=value texts.
OVERRIDES_QUERY = (
    "SELECT r.rolname, d.datname, s.setconfig FROM pg_db_role_setting s "
    "LEFT JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase"
)
# The lines of every configuration file in the order the server reads them (postgresql.auto.conf last):
# the last line naming a parameter is the value it takes at the next start ("setting could not be applied"
# is how a value waiting for the restart shows there).
FILES_QUERY = "SELECT name, setting, sourcefile FROM pg_file_settings WHERE name = ANY(%s) ORDER BY seqno"


def read_server_settings(session: Session, names: Iterable[str]) -> ServerSettings:
    wanted = sorted(set(names))
    parameters = {
        row[0]: ServerParameter(
            name=row[0],
            setting=row[1] or "",
            shown=row[2] or "",
            unit=row[3],
            vartype=row[4],
            source=row[5],
            sourcefile=row[6],
            sourceline=row[7],
            pending_restart=bool(row[8]),
            reset_val=row[9] or "",
            boot_val=row[10] or "",
            enumvals=tuple(row[11]),
        )
        for row in session.rows(SETTINGS_QUERY, [wanted], what="pg_settings")
    }
    files, why = read_config_files(session, wanted)
    host = session.conn.info.host or ""
    return ServerSettings(
        parameters, read_overrides(session, wanted), files, why, over_socket=host.startswith("/") or host == ""
    )


def read_overrides(session: Session, names: Iterable[str]) -> tuple[Override, ...]:
    """Every ALTER ROLE / ALTER DATABASE ... SET of the named parameters."""
    wanted = set(names)
    found = []
    for role, database, config in session.rows(OVERRIDES_QUERY, what="pg_db_role_setting"):
        for item in config or ():
            name, _, value = item.partition("=")
            if name in wanted:
                found.append(Override(name, value, role, database))
    return tuple(sorted(found, key=lambda o: (o.name, o.role or "", o.database or "")))


def read_config_files(session: Session, names: list[str]) -> tuple[ConfigFiles | None, str]:
    rows, why = session.optional_rows(FILES_QUERY, [names])
    if rows is None:
        return None, "pg_file_settings: only a superuser may read it" if "permission denied" in why else why
    effective = {name: value for name, value, _ in rows}
    auto = {name: value for name, value, file in rows if (file or "").endswith(AUTO_CONF)}
    return ConfigFiles(effective, auto), ""

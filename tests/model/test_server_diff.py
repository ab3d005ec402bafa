"""The plan's settings beside a server's, without a server: values read as PostgreSQL reads them, and what
rollback.sql writes for each place a value can come from.

The expected values are PostgreSQL's documented rules (Setting Parameters: units are kB, MB, GB, TB, us,
ms, s, min, h, d, 1024-based; booleans on/off/true/false/yes/no/1/0 and unique prefixes; enum names
case-insensitive) and its precedence of sources (postgresql.auto.conf over postgresql.conf, the command
line over both); the real servers confirm them in tests/integration/test_diff_real.py.
"""

from __future__ import annotations

import pytest

from pgplanner.model import Scenario, plan
from pgplanner.model.server_diff import (
    ConfigFiles,
    Override,
    ServerParameter,
    ServerSettings,
    alter_system_set,
    compare,
    elements,
    restore_statement,
    same,
    show_base,
)


def parameter(name: str, setting: str, unit: str | None = None, vartype: str = "integer", **more: object):
    values = {
        "shown": setting,
        "source": "default",
        "sourcefile": None,
        "sourceline": None,
        "pending_restart": False,
        "reset_val": setting,
        "boot_val": setting,
        "enumvals": (),
        **more,
    }
    return ServerParameter(name=name, setting=setting, unit=unit, vartype=vartype, **values)


@pytest.mark.parametrize(
    ("planned", "setting", "unit", "vartype", "equal"),
    [
        ("4GB", "524288", "8kB", "integer", True),  # shared_buffers: 4 GiB in 8 kB pages
        ("4GB", "524287", "8kB", "integer", False),
        ("16MB", "2048", "8kB", "integer", True),  # wal_buffers
        ("1GB", "1024", "MB", "integer", True),  # max_wal_size in MB
        ("64MB", "65536", "kB", "integer", True),  # work_mem in kB
        ("15min", "900", "s", "integer", True),  # checkpoint_timeout
        ("1min", "60000", "ms", "integer", True),  # idle_in_transaction_session_timeout
        ("500ms", "500", "ms", "integer", True),
        ("-1", "-1", "kB", "integer", True),  # autovacuum_work_mem: use maintenance_work_mem
        ("100", "100", None, "integer", True),
        ("0.9", "0.9", None, "real", True),
        ("1.1", "1.10000001", None, "real", True),  # within the real's printed precision
        ("1.1", "4", None, "real", False),
        ("on", "on", None, "bool", True),
        ("true", "on", None, "bool", True),
        ("yes", "on", None, "bool", True),
        ("of", "off", None, "bool", True),  # a unique prefix
        ("0", "off", None, "bool", True),
        ("off", "on", None, "bool", False),
    ],
)
def test_values_are_compared_in_the_base_unit(planned, setting, unit, vartype, equal):
    assert same(planned, setting, parameter("p", setting, unit, vartype)) is equal


def test_enum_names_ignore_case_and_take_boolean_spellings_where_on_and_off_are_names():
    huge_pages = parameter("huge_pages", "try", vartype="enum", enumvals=("off", "on", "try"))
    assert same("TRY", "try", huge_pages) and not same("on", "try", huge_pages)
    assert same("true", "on", huge_pages)
    wal_level = parameter("wal_level", "replica", vartype="enum", enumvals=("minimal", "replica", "logical"))
    assert not same("on", "replica", wal_level)


def test_lists_compare_element_by_element():
    libraries = parameter("shared_preload_libraries", "pg_stat_statements, auto_explain", vartype="string")
    assert same("pg_stat_statements,auto_explain", "pg_stat_statements, auto_explain", libraries)
    assert not same("pg_stat_statements", "pg_stat_statements, auto_explain", libraries)
    assert elements('a, "b c" ,d') == ["a", "b c", "d"] and elements("") == []
    prefix = parameter("log_line_prefix", "%m [%p] ", vartype="string")
    assert not same("%m [%p]", "%m [%p] ", prefix)  # a string keeps its spaces


@pytest.mark.parametrize(
    ("setting", "unit", "shown"),
    [
        ("60", "s", "1min"),
        ("90", "s", "90s"),
        ("16384", "8kB", "128MB"),
        ("0", "s", "0"),
        ("-1", "ms", "-1"),
        ("7200000", "ms", "2h"),
        ("5", None, "5"),
    ],
)
def test_a_base_value_is_shown_as_show_prints_it(setting, unit, shown):
    assert show_base(setting, unit) == shown


def test_alter_system_writes_a_list_one_literal_per_element():
    """ALTER SYSTEM SET shared_preload_libraries = 'a, b' would name one library "a, b" (GUC_LIST_QUOTE)."""
    written = alter_system_set("shared_preload_libraries", "a, b")
    assert written == "ALTER SYSTEM SET shared_preload_libraries = 'a', 'b'"
    assert alter_system_set("shared_preload_libraries", "") is None
    assert alter_system_set("log_line_prefix", "%m [%p] it's ") == "ALTER SYSTEM SET log_line_prefix = '%m [%p] it''s '"


# --- a plan against a server read in known ways -------------------------------------------------------


@pytest.fixture(scope="module")
def planned():
    return plan(Scenario().with_changes(pg_version=15, cores=4, ram="16GB", pooler="none"))


def server_like(result, **changed: ServerParameter) -> dict[str, ServerParameter]:
    """Every setting of the plan as the server would hold it equal, then the ``changed`` ones."""
    found = {}
    for s in result.settings:
        vartype = "bool" if s.value in ("on", "off") else "string"
        found[s.name] = parameter(s.name, s.value, vartype=vartype)
    return found | changed


def test_only_what_differs_is_listed_with_where_it_comes_from(planned):
    auto = "/data/postgresql.auto.conf"
    read = ServerSettings(
        server_like(
            planned,
            work_mem=parameter(
                "work_mem", "8192", "kB", shown="8MB", source="configuration file", sourcefile=auto, sourceline=3
            ),
            max_connections=parameter(
                "max_connections", "100", source="configuration file", sourcefile="/data/postgresql.conf", sourceline=65
            ),
            jit=parameter("jit", "on", vartype="bool", source="command line"),
        ),
        overrides=(Override("work_mem", "64MB", "reporting", None),),
    )
    diff = compare(planned.settings, read)
    rows = {r.name: r for r in diff.differing}
    assert set(rows) == {"work_mem", "max_connections", "jit"}
    assert diff.equal == len(planned.settings) - 3
    assert (rows["work_mem"].source, rows["work_mem"].source_file) == ("ALTER SYSTEM", f"{auto}:3")
    assert rows["work_mem"].server == "8MB" and rows["work_mem"].overrides[0].scope == "role reporting"
    assert rows["max_connections"].source == "configuration file"
    # ALTER SYSTEM cannot change what the command line sets: said, and left out of changes.sql
    assert not rows["jit"].changed_by_script and "command line" in rows["jit"].note
    assert [r.name for r in diff.changes] == [n for n in (s.name for s in planned.settings) if n in rows and n != "jit"]
    assert restore_statement(rows["work_mem"]) == "ALTER SYSTEM SET work_mem = '8MB'"  # ALTER SYSTEM had it
    assert restore_statement(rows["max_connections"]) == "ALTER SYSTEM RESET max_connections"  # postgresql.conf
    assert diff.restart == ("max_connections",)


def test_a_superuser_reads_the_files_so_pending_values_and_overridden_ones_are_known(planned):
    """pg_file_settings: the value a restart brings (the last line naming it) and ALTER SYSTEM's lines."""
    value = next(s.value for s in planned.settings if s.name == "max_connections")
    read = ServerSettings(
        server_like(
            planned,
            max_connections=parameter(
                "max_connections",
                value,
                pending_restart=True,
                source="configuration file",
                sourcefile="/data/postgresql.conf",
                sourceline=65,
            ),
            random_page_cost=parameter("random_page_cost", "1.5", vartype="real", source="database"),
        ),
        files=ConfigFiles(
            effective={"max_connections": "500", "random_page_cost": "2"}, auto={"max_connections": "500"}
        ),
    )
    rows = {r.name: r for r in compare(planned.settings, read).differing}
    # equal now, but the restart brings 500: it differs, and rollback.sql writes 500 back
    assert rows["max_connections"].pending == "500" and rows["max_connections"].server == value
    assert restore_statement(rows["max_connections"]) == "ALTER SYSTEM SET max_connections = '500'"
    # behind this session's database override, the files give the server-wide value
    assert rows["random_page_cost"].server == "2" and rows["random_page_cost"].source == "configuration file"
    assert restore_statement(rows["random_page_cost"]) == "ALTER SYSTEM RESET random_page_cost"


def test_a_pg_monitor_role_is_told_what_it_cannot_know(planned):
    value = next(s.value for s in planned.settings if s.name == "max_connections")
    read = ServerSettings(
        server_like(
            planned,
            max_connections=parameter("max_connections", value, pending_restart=True),
            random_page_cost=parameter("random_page_cost", "1.5", vartype="real", source="database"),
        ),
        files=None,
        files_unread="pg_file_settings: only a superuser may read it",
    )
    diff = compare(planned.settings, read)
    rows = {r.name: r for r in diff.differing}
    assert rows["random_page_cost"].server is None and "database override" in rows["random_page_cost"].note
    assert "cannot read" in rows["max_connections"].note and rows["max_connections"].pending is None
    assert "only a superuser" in diff.notes[0]


def test_a_parameter_the_server_lacks_is_named_and_never_written(planned):
    parameters = server_like(planned)
    del parameters["jit"]
    row = next(r for r in compare(planned.settings, ServerSettings(parameters)).rows if r.name == "jit")
    assert row.differs and not row.known and not row.changed_by_script and "no parameter jit" in row.note

"""Exporting a scenario's bundle where the server user can read it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pgplanner.export.bundle import bundle_files, export_bundle
from pgplanner.model import Plan, Scenario, parse_size, plan

from . import real


def plan_with(**inputs: object) -> Plan:
    return plan(Scenario().with_changes(**inputs))


def export_for(runner: real.Runner, workdir: Path, result: Plan, **options: object) -> Path:
    bundle = export_bundle(result, workdir / "bundle", **options)
    runner.hand_over(bundle)
    return bundle


def exported_conf(runner: real.Runner, folder: Path, result: Plan) -> Path:
    """The bundle's postgresql.conf snippet alone, byte for byte (blocking errors marked), where the server
    user can read it: for a test that reads many plans' snippets and nothing else of the bundle."""
    path = folder / "postgresql.conf"
    path.write_bytes(bundle_files(result)["postgresql/postgresql.conf"])
    runner.hand_over(path)
    return path


def conf_values(text: str) -> dict[str, str]:
    """Active ``key = value`` lines of a postgresql.conf snippet, without the quotes of quoted values."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key.strip(): _unquoted(value.strip()) for key, value in pairs}


def _unquoted(value: str) -> str:
    return value[1:-1].replace("''", "'") if len(value) >= 2 and value[0] == value[-1] == "'" else value


# pg_settings counts times in its unit column's unit; postgresql.conf spells them with one (5min, 500ms).
TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
TIME = re.compile(r"(\d+(?:\.\d+)?)(us|ms|s|min|h|d)")
# Values a connection over the test's Unix socket cannot show: the keepalives read 0 there, and the
# tests start the server on a private socket only (-c listen_addresses=''); pg_file_settings shows
# what the file set them to, and whether the server accepted it.
FROM_THE_FILE = ("listen_addresses", "tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")


def in_units(setting: str, unit: str | None) -> object:
    """pg_settings' value in bytes for memory, in seconds for times, as a number for numbers, else as text."""
    if unit and unit[0].isdigit():
        return int(setting) * parse_size(unit)
    if unit in ("kB", "MB", "B"):
        return int(setting) * parse_size(f"1{unit}")
    if unit in TIME_UNITS:
        return float(setting) * TIME_UNITS[unit]
    try:
        return float(setting)
    except ValueError:
        return setting


def planned_value(value: str) -> object:
    """A postgresql.conf value of the plan in the same terms as :func:`in_units`."""
    if TIME.fullmatch(value):
        number, unit = TIME.fullmatch(value).groups()  # type: ignore[union-attr]
        return float(number) * TIME_UNITS[unit]
    if value[-1] == "B":
        return parse_size(value)
    try:
        return float(value)
    except ValueError:
        return value


def settings_in_effect(cluster: real.Cluster, result: Plan, skip: Iterable[str] = ()) -> list[str]:
    """Every setting of ``result`` the running server does not show as planned (or with another context)."""
    left_out = set(skip)
    names = ", ".join(f"'{s.name}'" for s in result.settings)
    rows = cluster.sql(f"SELECT name, setting, unit, context FROM pg_settings WHERE name IN ({names})")
    shown = {name: (in_units(setting, unit), context) for name, setting, unit, context in rows}
    # the last line of the files for each (listen_addresses "could not be applied": the test's -c wins)
    from_file = dict(cluster.sql(f"SELECT name, setting FROM pg_file_settings WHERE name IN ({names}) ORDER BY seqno"))
    wrong = []
    for s in result.settings:
        if s.name in left_out:
            continue
        value, context = shown[s.name]
        if s.name in FROM_THE_FILE:
            value = from_file.get(s.name)
            if value != s.value:
                wrong.append(f"{s.name}: the file gives {value!r}, planned {s.value!r}")
        elif value != planned_value(s.value):
            wrong.append(f"{s.name}: the server shows {value!r}, planned {s.value!r}")
        if (context == "postmaster") != (s.context == "restart"):
            wrong.append(f"{s.name}: pg_settings.context {context}, planned {s.context}")
    return wrong

"""Connections: max_connections and the slots beside it, from the plan's budget."""

from __future__ import annotations

from ..sources import PG_CONNECTIONS
from ..versions import RESERVED_CONNECTIONS_FROM, WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM
from .base import Declaration, Parameter, Setting, SettingsInput, carried, explain, present

DECLARED = Declaration(
    "connections",
    "Connections",
    {
        "max_connections": Parameter(13, "restart"),
        "superuser_reserved_connections": Parameter(13, "restart"),
        "reserved_connections": Parameter(RESERVED_CONNECTIONS_FROM, "restart"),
        "max_wal_senders": Parameter(13, "restart"),
    },
)

DESKTOP_WAL = (
    "pgtune sets wal_level = minimal and max_wal_senders = 0 on a desktop; pgplanner keeps wal_level = replica "
    "so pg_basebackup and a standby keep working, and sizes max_wal_senders from the replicas"
)


def recommend(inp: SettingsInput) -> list[Setting]:
    d, wl = inp.derivations, inp.scenario.workload
    steps = [str(d[key]) for key in ("max_connections_required", "max_connections_recommended") if key in d]
    chosen = d["max_connections"]
    max_connections = carried(chosen, "; ".join([*steps, *filter(None, [chosen.note])]))
    desktop = inp.scenario.workload.profile == "desktop"
    superuser = str(wl.superuser_reserved)
    reserved = str(wl.reserved_connections)
    version, setting = inp.version, DECLARED.setting
    return present([
        setting(version, "max_connections", str(inp.max_connections), max_connections),
        setting(
            version,
            "superuser_reserved_connections",
            superuser,
            explain("superuser_reserved_connections", f"given: {superuser}",
                    "emergency slots only superusers can take; a line of the max_connections budget",
                    inputs={"superuser_reserved_connections": superuser}, source=PG_CONNECTIONS),
        ),
        setting(
            version,
            "reserved_connections",
            reserved,
            explain("reserved_connections", f"given: {reserved}",
                    f"slots for members of pg_use_reserved_connections (PostgreSQL {RESERVED_CONNECTIONS_FROM}+); "
                    "a budget line",
                    inputs={"reserved_connections": reserved}, source=PG_CONNECTIONS),
        ),  # None before 16
        setting(
            version,
            "max_wal_senders",
            str(inp.max_wal_senders),
            carried(d["max_wal_senders"], f"{d['max_wal_senders'].note}; from PostgreSQL "
                    f"{WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM} WAL senders have their own slots, outside "
                    "max_connections"),
            DESKTOP_WAL if desktop else "",
        ),
    ])  # fmt: skip

"""Connections: max_connections and the slots beside it, from the plan's budget."""

from __future__ import annotations

from ..sources import PG_CONNECTIONS
from ..versions import WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM, has_reserved_connections
from .base import Setting, SettingsInput, carried, explain, present, setting

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
    return present([
        setting(inp, "max_connections", str(inp.max_connections), "connections", max_connections),
        setting(
            inp,
            "superuser_reserved_connections",
            superuser,
            "connections",
            explain("superuser_reserved_connections", f"given: {superuser}",
                    "emergency slots only superusers can take; a line of the max_connections budget",
                    inputs={"superuser_reserved_connections": superuser}, source=PG_CONNECTIONS),
        ),
        setting(
            inp,
            "reserved_connections",
            reserved,
            "connections",
            explain("reserved_connections", f"given: {reserved}",
                    "slots for members of pg_use_reserved_connections (PostgreSQL 16+); a budget line",
                    inputs={"reserved_connections": reserved}, source=PG_CONNECTIONS),
        ) if has_reserved_connections(inp.version) else None,
        setting(
            inp,
            "max_wal_senders",
            str(inp.max_wal_senders),
            "connections",
            carried(d["max_wal_senders"], f"{d['max_wal_senders'].note}; from PostgreSQL "
                    f"{WALSENDERS_OUTSIDE_MAX_CONNECTIONS_FROM} WAL senders have their own slots, outside "
                    "max_connections"),
            DESKTOP_WAL if desktop else "",
        ),
    ])  # fmt: skip

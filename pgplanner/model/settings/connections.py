"""Connections: max_connections and the slots beside it, from the plan's budget."""

from __future__ import annotations

from ..versions import has_reserved_connections
from .base import Setting, SettingsInput, explain, present, setting

DESKTOP_WAL = (
    "pgtune sets wal_level = minimal and max_wal_senders = 0 on a desktop; pgplanner keeps wal_level = replica "
    "so pg_basebackup and a standby keep working, and sizes max_wal_senders from the replicas"
)


def recommend(inp: SettingsInput) -> list[Setting]:
    d, wl = inp.derivations, inp.scenario.workload
    chosen = d["max_connections"]
    steps = [str(d[key]) for key in ("max_connections_required", "max_connections_recommended") if key in d]
    max_connections = explain(chosen.formula, chosen.calculation, "; ".join([*steps, *filter(None, [chosen.note])]))
    desktop = inp.scenario.workload.profile == "desktop"
    return present([
        setting(inp, "max_connections", str(inp.max_connections), "connections", max_connections),
        setting(
            inp,
            "superuser_reserved_connections",
            str(wl.superuser_reserved),
            "connections",
            explain("superuser_reserved_connections = given", str(wl.superuser_reserved),
                    "emergency slots only superusers can take; a line of the max_connections budget"),
        ),
        setting(
            inp,
            "reserved_connections",
            str(wl.reserved_connections),
            "connections",
            explain("reserved_connections = given", str(wl.reserved_connections),
                    "slots for members of pg_use_reserved_connections (PostgreSQL 16+); a budget line"),
        ) if has_reserved_connections(inp.version) else None,
        setting(
            inp,
            "max_wal_senders",
            str(inp.max_wal_senders),
            "connections",
            explain(d["max_wal_senders"].formula, d["max_wal_senders"].calculation,
                    "since PostgreSQL 12 WAL senders have their own slots, outside max_connections"),
            DESKTOP_WAL if desktop else "",
        ),
    ])  # fmt: skip

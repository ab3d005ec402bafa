"""Autovacuum: how many workers may vacuum at once, and what their memory costs."""

from __future__ import annotations

from ..sources import PG_AUTOVACUUM
from .base import Setting, SettingsInput, explain, present, setting


def recommend(inp: SettingsInput) -> list[Setting]:
    server = inp.basis.server
    derived = server.derivations.get("autovacuum_workers")
    cost = inp.derivations["memory.maintenance_bytes"]
    workers = str(server.autovacuum_workers)
    how = explain(
        derived.formula if derived else "autovacuum_max_workers",
        derived.calculation if derived else f"given: {workers}",
        f"memory: {cost.calculation}, a line of the memory budget"
        + ("; from 18 a reload applies it, up to autovacuum_worker_slots (16)" if inp.version >= 18 else ""),
        inputs=derived.inputs if derived else {"autovacuum workers": workers},
        source=PG_AUTOVACUUM,
    )
    differs = "" if derived else "pgplanner writes the autovacuum workers you gave; pgtune derives them from the cores"
    return present([setting(inp, "autovacuum_max_workers", str(server.autovacuum_workers), "autovacuum", how, differs)])

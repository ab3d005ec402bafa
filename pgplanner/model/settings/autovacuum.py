"""Autovacuum: how many workers may vacuum at once, and what their memory costs."""

from __future__ import annotations

from .base import Setting, SettingsInput, explain, present, setting


def recommend(inp: SettingsInput) -> list[Setting]:
    server, d = inp.basis.server, inp.derivations
    derived = d.get("autovacuum_workers")
    cost = d["maintenance"]
    how = explain(
        derived.formula if derived else "autovacuum_max_workers = given",
        derived.calculation if derived else str(server.autovacuum_workers),
        f"memory: {cost.calculation}, a line of the memory budget"
        + ("; from 18 a reload applies it, up to autovacuum_worker_slots (16)" if inp.version >= 18 else ""),
    )
    differs = "" if derived else "pgplanner writes the autovacuum workers you gave; pgtune derives them from the cores"
    return present([setting(inp, "autovacuum_max_workers", str(server.autovacuum_workers), "autovacuum", how, differs)])

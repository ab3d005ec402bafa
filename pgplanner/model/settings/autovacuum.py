"""Autovacuum: how many workers may vacuum at once, and what their memory costs."""

from __future__ import annotations

from ..sources import PG_AUTOVACUUM
from ..versions import AUTOVACUUM_WORKER_SLOTS_FROM, DEFAULT_AUTOVACUUM_WORKER_SLOTS
from .base import Declaration, Parameter, Setting, SettingsInput, explain, present

DECLARED = Declaration(
    "autovacuum",
    "Autovacuum",
    {
        # 18 bounds it by autovacuum_worker_slots instead of fixing the slots at start: a reload applies it.
        "autovacuum_max_workers": Parameter(13, "restart", reload_from=AUTOVACUUM_WORKER_SLOTS_FROM),
    },
)
RELOAD_NOTE = (
    f"from {AUTOVACUUM_WORKER_SLOTS_FROM} a reload applies it, up to autovacuum_worker_slots "
    f"({DEFAULT_AUTOVACUUM_WORKER_SLOTS})"
)


def recommend(inp: SettingsInput) -> list[Setting]:
    server = inp.basis.server
    derived = server.derivations.get("autovacuum_workers")
    cost = inp.derivations["memory.maintenance_bytes"]
    workers = str(server.autovacuum_workers)
    reload = inp.version >= AUTOVACUUM_WORKER_SLOTS_FROM
    how = explain(
        derived.formula if derived else "autovacuum_max_workers",
        derived.calculation if derived else f"given: {workers}",
        f"memory: {cost.calculation}, a line of the memory budget" + (f"; {RELOAD_NOTE}" if reload else ""),
        inputs=derived.inputs if derived else {"autovacuum workers": workers},
        source=PG_AUTOVACUUM,
    )
    differs = "" if derived else "pgplanner writes the autovacuum workers you gave; pgtune derives them from the cores"
    return present([DECLARED.setting(inp.version, "autovacuum_max_workers", workers, how, differs)])

"""Autovacuum: how many workers vacuum at once, how fast together, and how soon a large table is due.

The workers share one cost budget (autovacuum_vacuum_cost_limit, balanced among those running), so
more workers alone vacuum no faster: the budget grows with the workers and with what the storage
sustains. Large tables wait for a share of their rows to die before vacuum comes (the scale factors),
so a large data set gets smaller shares.
"""

from __future__ import annotations

from functools import cache

from ..derivation import Derivation, exact, listing, n, rounded
from ..sources import PG_AUTOVACUUM, PG_COST_DELAY, PGTUNE
from ..units import GB, TB, human_size
from ..versions import AUTOVACUUM_WORKER_SLOTS_FROM, DEFAULT_AUTOVACUUM_MAX_WORKERS, DEFAULT_AUTOVACUUM_WORKER_SLOTS
from .base import Declaration, Made, Parameter, Setting, SettingsInput, explain, present

DECLARED = Declaration(
    "autovacuum",
    "Autovacuum",
    {
        # 18 bounds it by autovacuum_worker_slots instead of fixing the slots at start: a reload applies it.
        "autovacuum_max_workers": Parameter(13, "restart", reload_from=AUTOVACUUM_WORKER_SLOTS_FROM),
        "autovacuum_vacuum_cost_limit": Parameter(13, "reload"),
        "autovacuum_naptime": Parameter(13, "reload"),
        "autovacuum_vacuum_scale_factor": Parameter(13, "reload"),
        "autovacuum_vacuum_insert_scale_factor": Parameter(13, "reload"),
        "autovacuum_analyze_scale_factor": Parameter(13, "reload"),
    },
)
RELOAD_NOTE = (
    f"from {AUTOVACUUM_WORKER_SLOTS_FROM} a reload applies it, up to autovacuum_worker_slots "
    f"({DEFAULT_AUTOVACUUM_WORKER_SLOTS})"
)
# The cost budget: PostgreSQL's vacuum_cost_limit (200) is what its default 3 workers share; each
# storage sustains a multiple of that rate per worker (a spinning disk: the default's; flash: several).
DEFAULT_COST_LIMIT = 200
COST_LIMIT_PER_STORAGE = {"hdd": 1, "network": 3, "ssd": 6, "nvme": 8}
CHEAP_MISSES_FROM = 14  # 14 lowered vacuum_cost_page_miss from 10 to 2: reading a page costs a fifth
NAPTIME = "1min"  # PostgreSQL's default, written so the file says it was chosen
# Scale factors (vacuum, insert, analyze) by data size: PostgreSQL's (0.2, 0.2, 0.1) below 100 GB.
DEFAULT_SCALE_FACTORS = (0.2, 0.2, 0.1)
SCALE_FACTORS = ((100 * GB, (0.05, 0.05, 0.02)), (1 * TB, (0.02, 0.02, 0.01)))
TABLE_ROWS = 100_000_000  # the example table of the notes
SCALE_ROWS = ("dead rows", "inserted rows", "changed rows")  # what each scale factor counts
SCALE_NAMES = ("autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor",
               "autovacuum_analyze_scale_factor")  # fmt: skip

COST_LIMIT_FORMULA = (
    f"autovacuum_vacuum_cost_limit = {DEFAULT_COST_LIMIT} x autovacuum_max_workers / "
    f"{DEFAULT_AUTOVACUUM_MAX_WORKERS} x the storage's multiple ({listing(COST_LIMIT_PER_STORAGE)}), rounded down"
)
SCALE_FORMULAS = {
    name: f"{name} by data size: "
    + "; ".join(
        [exact(DEFAULT_SCALE_FACTORS[i]), *(f"{exact(f[i])} from {human_size(least)}" for least, f in SCALE_FACTORS)]
    )
    for i, name in enumerate(SCALE_NAMES)
}


def recommend(inp: SettingsInput) -> Made:
    server, hw = inp.basis.server, inp.scenario.hardware
    version = hw.pg_version
    derived = server.derivations.get("autovacuum_workers")
    workers = server.autovacuum_workers
    cost = inp.derivations["memory.maintenance_bytes"]
    how = Derivation.later(_workers, version, workers, derived, cost)
    differs = "" if derived else "pgplanner writes the autovacuum workers you gave; pgtune derives them from the cores"
    return [
        DECLARED.setting(version, "autovacuum_max_workers", str(workers), how, differs),
        *_by_facts(version, hw.storage, workers),
        *_scale_factors(version, _size_step(hw.data_size)),
    ]


def _workers(version: int, workers: int, derived: Derivation | None, cost: Derivation) -> Derivation:
    """The explanation of autovacuum_max_workers: the server model's derivation, or the count given."""
    reload = version >= AUTOVACUUM_WORKER_SLOTS_FROM
    return explain(
        derived.formula if derived else "autovacuum_max_workers",
        derived.calculation if derived else f"given: {workers}",
        f"memory: {cost.calculation}, a line of the memory budget; the workers share one cost budget, raised with "
        "them below" + (f"; {RELOAD_NOTE}" if reload else ""),
        inputs=derived.inputs if derived else {"autovacuum workers": str(workers)},
        source=PGTUNE if derived else PG_AUTOVACUUM,
    )


@cache
def _by_facts(version: int, storage: str, workers: int) -> tuple[Setting, ...]:
    multiple = COST_LIMIT_PER_STORAGE[storage]
    raw = DEFAULT_COST_LIMIT * workers / DEFAULT_AUTOVACUUM_MAX_WORKERS * multiple
    limit = int(raw)
    shown = rounded(f"{DEFAULT_COST_LIMIT} x {workers} / {DEFAULT_AUTOVACUUM_MAX_WORKERS} x {multiple}", raw, limit,
                    "down")  # fmt: skip
    misses = (
        "a page read from disk costs 2 (10 before 14)" if version >= CHEAP_MISSES_FROM
        else "a page read from disk costs 10 on 13 (2 from 14), so reads use the budget five times faster"
    )  # fmt: skip
    note = (
        f"the budget is shared: running workers split it, so {workers} workers at the default "
        f"{DEFAULT_COST_LIMIT} vacuum no faster than one; with autovacuum_vacuum_cost_delay's 2 ms each credit "
        f"buys a page found in shared_buffers, {misses}, a page dirtied costs 20; check pg_stat_progress_vacuum and "
        "n_dead_tup in pg_stat_user_tables if vacuum falls behind"
    )
    cost = DECLARED.setting(
        version, "autovacuum_vacuum_cost_limit", str(limit),
        explain(COST_LIMIT_FORMULA, shown, note, inputs={"autovacuum workers": str(workers), "storage": storage},
                source=PG_COST_DELAY),
    )  # fmt: skip
    naptime = DECLARED.setting(
        version, "autovacuum_naptime", NAPTIME,
        explain(f"autovacuum_naptime = {NAPTIME} (the default)", "each database is looked at once a minute",
                "a table due for vacuum waits at most that long; timescaledb-tune writes 10s because its hypertables "
                "make thousands of chunks, which pays off only with that many tables", source=PG_AUTOVACUUM),
    )  # fmt: skip
    return tuple(present([cost, naptime]))


def _size_step(data_size: int | None) -> int:
    """Which step of SCALE_FACTORS the data size reaches: 0 below the first (or unknown)."""
    step = 0
    if data_size is not None:
        for least, _ in SCALE_FACTORS:
            if data_size < least:
                break
            step += 1
    return step


@cache
def _scale_factors(version: int, step: int) -> tuple[Setting, ...]:
    if step == 0:
        return ()  # PostgreSQL's defaults suit tables of a data set under 100 GB
    least, factors = SCALE_FACTORS[step - 1]
    made = []
    for name, factor, default, counted in zip(SCALE_NAMES, factors, DEFAULT_SCALE_FACTORS, SCALE_ROWS, strict=True):
        note = (
            f"a table is due once its {counted} pass this share of its rows ({exact(default)} by default): one of "
            f"100 M rows waits for {n(round(TABLE_ROWS * factor))} {counted} instead of "
            f"{n(round(TABLE_ROWS * default))}; "
            f"for the few largest tables set it per table: ALTER TABLE ... SET ({name} = 0.01)"
        )
        how = explain(SCALE_FORMULAS[name], f"at least {human_size(least)} of data: {exact(factor)}", note,
                      inputs={"data size": f"at least {human_size(least)}"}, source=PG_AUTOVACUUM)  # fmt: skip
        made.append(DECLARED.setting(version, name, exact(factor), how))
    return tuple(present(made))

"""Two plans side by side, as data: their headline figures and every input, output and setting that differs.

The argument pgplanner exists to make ("1,000 direct connections against 100 behind PgBouncer") is a
comparison. ``pgplanner compare``, the window's baseline and the HTML report all read it from here;
the words are made by :mod:`pgplanner.present.compare`.

>>> from pgplanner.model import Scenario, plan
>>> a = plan(Scenario().with_changes(cores=4))
>>> b = plan(Scenario().with_changes(cores=8))
>>> [d.path for d in differences(a, b) if d.kind == "input"]
['hardware.cores']
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel

from .concurrency import POOLER_OUTPUTS
from .derivation import Derivation, n, percent
from .latency import QueueFigures
from .plan import Plan
from .scenario import FIELDS
from .sources import USL

Kind = Literal["input", "output", "setting", "kernel", "warning"]

# The figures a comparison leads with, by JSON path (``throughput.at_max_connections`` is computed here).
HEADLINE = (
    "max_connections",
    "ram_ceiling",
    "productive_target",
    "pool_size",
    "memory.worst_case_bytes",
    "memory.heavy_fraction_bytes",
    "throughput.at_max_connections",
)
AT_MAX_CONNECTIONS = "throughput.at_max_connections"
# The latency figures of a pool: with no pooler there is none (only ``latency.direct``), so they are None.
LATENCY_POOL_OUTPUTS = frozenset(
    {"latency.pools", "latency.capacity_scale", "latency.stable_below", "latency.best_pool_size"}
    | {f"latency.at_pool_size.{figure}" for figure in QueueFigures._fields}
)
NO_POOLER_OUTPUTS = POOLER_OUTPUTS | LATENCY_POOL_OUTPUTS  # what a plan without a pooler has no value for

# Plan fields that are not single figures (curves, tables, text) or are compared on their own terms.
_NOT_FIGURES = {
    "scenario",
    "derivations",
    "memory_curve",
    "budget",
    "kernel_settings",
    "kernel",
    "warnings",
    "provider",
    "settings",
    "semaphores",
}


class Difference(NamedTuple):
    """An output or input that differs between two plans. A named tuple: cheaper than a frozen dataclass to create at
    import."""

    kind: Kind
    path: str  # "hardware.cores", "max_connections", "budget.pool", "settings.work_mem", "kernel.linux.fs.file-max"
    a: Any  # the JSON value in plan A, None where A has no such entry
    b: Any

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "a": self.a, "b": self.b}


def throughput_at_max_connections(plan: Plan) -> tuple[float, Derivation]:
    """Throughput, relative to the peak, with every max_connections slot busy.

    Direct connections each run a backend, so the direct curve is read at max_connections; through a
    pooler no more than the pool's backends run at once, so the pooled curve (flat past the pool) is.
    """
    t = plan.throughput
    pooled = plan.scenario.pooler.kind != "none"
    direct, through_pool, _ = t.at(plan.max_connections)
    share = through_pool if pooled else direct
    how = (
        f"through the pooler at most {n(t.pool_connections)} backends run at once"
        if pooled
        else "without a pooler every connection can be an active backend"
    )
    return share, Derivation(
        formula="throughput with all max_connections busy, relative to the peak (the throughput curve read there)",
        calculation=f"{n(plan.max_connections)} busy connections: {percent(round(share, 2))} of peak",
        inputs={"max_connections": n(plan.max_connections), "peak": f"{t.peak:.3g} active connections"},
        source=USL,
        note=how,
    )


def headline(plan: Plan) -> dict[str, float | int | None]:
    """The HEADLINE figures of ``plan`` by path (a pooler's figure is None when there is no pooler)."""
    figures = outputs(plan)
    return {path: figures[path] for path in HEADLINE}


def differences(a: Plan, b: Plan) -> list[Difference]:
    """Every input, output figure, postgresql.conf setting, kernel value and warning that differs."""
    found: list[Difference] = []
    for kind, values in (
        ("input", _inputs),
        ("output", outputs),
        ("setting", _settings),
        ("kernel", _kernel),
        ("warning", _warnings),
    ):
        left, right = values(a), values(b)
        for path in [*left, *(p for p in right if p not in left)]:
            if left.get(path) != right.get(path):
                found.append(Difference(kind, path, left.get(path), right.get(path)))  # type: ignore[arg-type]
    return found


def _inputs(plan: Plan) -> dict[str, Any]:
    s = plan.scenario
    values: dict[str, Any] = {"provider": s.provider.id if s.provider else None}
    for spec in FIELDS.values():
        values[spec.path] = getattr(getattr(s, spec.group), spec.name)
    return values


def outputs(plan: Plan) -> dict[str, Any]:
    """Every single-figure output by JSON path, with the budget's lines as ``budget.<key>``.

    With no pooler the pooler's own outputs (:data:`NO_POOLER_OUTPUTS`) are None: there is no pool to compare.
    """
    values = dict(_figures(plan))
    if plan.scenario.pooler.kind == "none":
        values.pop("latency.at_pool_size", None)
        values.update(dict.fromkeys(POOLER_OUTPUTS | (LATENCY_POOL_OUTPUTS if plan.latency is not None else set())))
    values[AT_MAX_CONNECTIONS] = round(throughput_at_max_connections(plan)[0], 4)
    values.update({f"budget.{line.key}": line.connections for line in plan.budget})
    return values


def _figures(plan: Plan) -> Iterator[tuple[str, Any]]:
    """Every single-figure output by JSON path (``memory.worst_case_bytes``, ``throughput.knee`` ...)."""
    for name in type(plan).model_fields:
        if name in _NOT_FIGURES:
            continue
        value = getattr(plan, name)
        if isinstance(value, BaseModel):
            for field in type(value).model_fields:
                figure = getattr(value, field)
                if hasattr(figure, "_asdict"):  # a row of figures, such as latency.direct: each on its own
                    yield from ((f"{name}.{field}.{key}", item) for key, item in figure._asdict().items())
                elif isinstance(figure, tuple) and (not figure or hasattr(figure[0], "_asdict")):
                    continue  # a table of rows (latency.by_pool_size, empty without a pooler) is drawn, not compared
                elif not isinstance(figure, np.ndarray):  # the curves' arrays are drawn, not compared
                    yield f"{name}.{field}", figure
        else:
            yield name, list(value) if isinstance(value, tuple) else value
    sems = plan.semaphores
    yield "semaphores.num_os_semaphores", sems.num_os_semaphores


def _settings(plan: Plan) -> dict[str, Any]:
    return {f"settings.{s.name}": s.value for s in plan.settings}


def _kernel(plan: Plan) -> dict[str, Any]:
    return {f"kernel.{k.platform}.{k.name}": k.value for k in plan.kernel_settings}


def _warnings(plan: Plan) -> dict[str, Any]:
    return {f"warnings.{w.code}": w.severity for w in plan.warnings}

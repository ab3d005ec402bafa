"""Response time against the backends serving the clients (log scale): modelled at the demand, and
measured beside the model.

At the demand (``--demand-tps``): through a pool of x backends (blue) and, without a pooler, with x
connections each a backend (vermillion), the mean response (solid) and its p99 (dashed); a pool too
small for the demand has no point (it never keeps up). Without a pooler only the direct lines are
drawn and no pool size is named.

Measured: pgbench's closed loop at each client count (every connection busy, so x is the active
connections), its average and p99 as dots beside the model's for the same loop (grey: the fitted curve
by Little's law, N / X(N), and the exponential p99). A plan with neither a demand nor measured
latencies has no latency chart (:func:`has_latency`).

The curves are read at a few dozen sizes (:data:`GRID_POINTS`), so that the chart stays cheap to build
on every slider tick.
"""

from __future__ import annotations

import math

import numpy as np

from ...model import Plan
from ...model.derivation import n
from ...model.latency import LatencyFigures, QueueFigures, closed_loop, unstable_reason
from ..latency import milliseconds
from .layout import MarkAt, XAxis, YAxis, compose
from .names import WINDOW, Names
from .spec import Chart, Frame, KeyEntry, Series

TITLE = "Response time"
X_LABEL = "pool size, or connections without a pooler (log scale)"
X_LABEL_DIRECT = "connections, each a backend (log scale)"  # no pooler: no pool size anywhere
Y_LABELS = ("response time (ms)", "ms")
MODELLED_NOTE = "modelled: queueing only, no stalls"
CLOSED_NOTE = "grey and dots: every connection busy (pgbench's closed loop)"
GRID_POINTS = 28  # sizes the curves are read at, log-spaced (whole numbers)
X_MARGIN = 1.4
TOP_OVER_MARKS = 1.6  # the y axis reaches this far above the p99 at the marked sizes (curves past it are cut)
TOP_HEADROOM = 1.08  # and a little past every measured dot, so none is hidden
POOLED_KEY, DIRECT_KEY = "pool", "no pooler"
CLOSED = "modelled"
# where a curve starts or ends is searched in stretches up to this long (beyond: its grid point)
EDGE_SEARCHED = 4096


def has_latency(plan: Plan) -> bool:
    """Whether the plan has latency to draw: a demand, or measured latencies."""
    return plan.latency is not None or any(m.latency_ms is not None for m in plan.scenario.measurements)


def _grid(highest: float) -> np.ndarray:
    return np.unique(np.rint(np.geomspace(1, max(highest, 2), GRID_POINTS)).astype(np.int64))


def _curve(rows: tuple[QueueFigures, ...], figure: str) -> tuple[np.ndarray, np.ndarray]:
    xs = np.array([row.pool_size for row in rows], dtype=float)
    ys = np.array([np.nan if getattr(row, figure) is None else getattr(row, figure) for row in rows], dtype=float)
    return xs, ys


def _measured(plan: Plan) -> list[tuple[int, float | None, float | None]]:
    """(clients, average ms, p99 ms) of every measured point with a latency."""
    return [
        (m.connections, m.latency_ms.avg, m.latency_ms.p99)
        for m in plan.scenario.measurements
        if m.latency_ms is not None
    ]


def latency_chart(plan: Plan, frame: Frame, baseline: Plan | None = None, names: Names = WINDOW) -> Chart:
    latency = plan.latency
    measured = _measured(plan)
    pooled = latency is not None and latency.pooled
    series: list[Series] = []
    key: list[KeyEntry] = []
    marks: list[MarkAt] = []
    notes: list[str] = []
    tops: list[float] = []  # the p99 at the marked sizes: what the y axis must show
    title = TITLE
    highest = max([m[0] for m in measured], default=1) * X_MARGIN

    if baseline is not None and baseline.latency is not None:
        series.append(_ghost(baseline, names))
        key.append(KeyEntry(f"{names.ghost}: mean", "ghost", "line"))
    if latency is not None:
        title = f"{TITLE} at {n(latency.demand_tps)} tps"
        notes.append(f"{milliseconds(latency.service_ms)} each")
        clients = latency.direct.pool_size
        top_size = max(2 * math.ceil(plan.productive_target / (latency.pools or 1)), plan.pool_size if pooled else 1)
        highest = max(highest, clients * X_MARGIN, top_size * X_MARGIN)
        grid = _grid(highest)
        # Without calibration the chain without a pooler at x connections is the pooled one at pool size x:
        # one pair of lines says both. With a measured capacity through the pooler they part.
        paths = [("pooled", POOLED_KEY)] if pooled else []
        if not pooled or latency.capacity_scale != 1 or latency.stable_below != 1:
            paths.append(("direct", DIRECT_KEY))
        for path, name in paths:
            rows, said = _rows(latency, path == "pooled", grid)
            for figure, dash, label in (("mean_ms", False, "mean"), ("p99_ms", True, "p99")):
                xs, ys = _curve(rows, figure)
                words = f"{name}: {label}" if len(paths) > 1 else label
                series.append(Series(f"{path}.{figure}", words, xs, ys, path, dash=dash))
                key.append(KeyEntry(words, path, "dash" if dash else "line"))
            notes += said
        if pooled:
            marks += _pool_marks(plan, names, tops)
        direct = latency.direct
        texts = (f"{names.plan}no pooler: {n(clients)} connections", f"{names.plan}{n(clients)} connections")
        marks.append(MarkAt("clients", clients, texts, "direct"))
        if direct.p99_ms is not None:
            tops.append(direct.p99_ms)
        notes.append(MODELLED_NOTE)
    marks.append(
        MarkAt(
            "productive_target",
            plan.productive_target,
            (f"{names.plan}target {n(plan.productive_target)}",),
            "productive_target",
        )
    )
    if measured:
        notes.append(CLOSED_NOTE)
        series += _closed_loop(plan, measured, highest, tops)
        if plan.throughput.fit_lambda_tps is not None:
            key += [KeyEntry(f"{CLOSED}: mean", "modelled", "line"), KeyEntry(f"{CLOSED}: p99", "modelled", "dash")]
        avg = [(c, a) for c, a, _ in measured if a is not None]
        p99 = [(c, p) for c, _, p in measured if p is not None]
        if avg:
            series.append(_points("measured.avg", "measured average", avg, "measured"))
            key.append(KeyEntry("measured average", "measured", "dot"))
        if p99:
            series.append(_points("measured.p99", "measured p99", p99, "measured_p99"))
            key.append(KeyEntry("measured p99", "measured_p99", "dot"))
        tops += [value * TOP_HEADROOM / TOP_OVER_MARKS for _, value in avg + p99]
    top = max(tops, default=1.0) * TOP_OVER_MARKS
    return compose(
        name="latency",
        title=title,
        notes=notes,
        key=key,
        frame=frame,
        x=XAxis(X_LABEL if pooled else X_LABEL_DIRECT, 1.0, max(highest, 2.0), log=True),
        y=YAxis(Y_LABELS, 0.0, top, text=_ms_tick, unit="ms"),
        series=series,
        marks=marks,
        readout=lambda x, y: latency_readout(plan, x),
    )


def _ms_tick(value: float) -> str:
    return f"{value:,g}"


def _rows(latency: LatencyFigures, pooled: bool, grid: np.ndarray) -> tuple[tuple[QueueFigures, ...], list[str]]:
    """The figures along the grid through the pool (or without a pooler), with the sizes where the curve
    starts and ends (the fewest backends that keep up; past the curve's peak, the most); and the notes that
    name the sizes that cannot keep up (they have no point)."""
    at = latency.pooled_at if pooled else latency.direct_at
    rows = at(grid)
    stable = [row.stable for row in rows]
    what = ("pools smaller", "pools larger") if pooled else ("fewer connections", "more connections")
    if not any(stable):
        return rows, ["no size drawn keeps up with the demand"]
    first = stable.index(True)
    last = len(stable) - 1 - stable[::-1].index(True)
    edges, notes = [], []
    if first > 0:
        edge = _edge(latency, pooled, rows[first - 1].pool_size + 1, rows[first].pool_size, True)
        edges.append(edge)
        notes.append(f"{what[0]} than {n(edge)} cannot keep up")
    if last < len(rows) - 1:
        edge = _edge(latency, pooled, rows[last].pool_size, rows[last + 1].pool_size - 1, False)
        edges.append(edge)
        notes.append(f"{what[1]} than {n(edge)} cannot keep up (past the peak)")
    added = at([edge for edge in edges if edge not in grid])
    return tuple(sorted((*rows, *added), key=lambda row: row.pool_size)), notes


def _edge(latency: LatencyFigures, pooled: bool, lo: int, hi: int, fewest: bool) -> int:
    """The fewest (or the most) backends from ``lo`` to ``hi`` that keep up; the grid's own point when the
    stretch is too long to search."""
    if hi - lo > EDGE_SEARCHED:
        return hi if fewest else lo
    found = np.flatnonzero(latency.keeping_up(pooled, lo, hi))
    if not found.size:
        return hi if fewest else lo
    return lo + int(found[0] if fewest else found[-1])


def _pool_marks(plan: Plan, names: Names, tops: list[float]) -> list[MarkAt]:
    """The plan's pool size and the best pool for p99 (one mark when they are the same)."""
    latency = plan.latency
    assert latency is not None and latency.at_pool_size is not None, "only a pooled plan has a pool"
    at = latency.at_pool_size
    best = latency.best_pool_size
    state = "" if at.stable else " (unstable)"
    if best == at.pool_size:
        texts = (f"{names.plan}pool {n(at.pool_size)}, the best for p99", f"{names.plan}pool {n(at.pool_size)}")
    else:
        texts = (f"{names.plan}pool {n(at.pool_size)}{state}", f"{names.plan}{n(at.pool_size)}")
    marks = [MarkAt("pool_size", at.pool_size, texts, "pooled")]
    if at.p99_ms is not None:
        tops.append(at.p99_ms)
    if best is not None and best != at.pool_size:
        marks.append(MarkAt("best_pool", best, (f"{names.plan}best pool {n(best)}", f"best {n(best)}"), "best_pool"))
        row = next(row for row in latency.by_pool_size if row.pool_size == best)
        if row.p99_ms is not None:
            tops.append(row.p99_ms)
    return marks


def _closed_loop(plan: Plan, measured: list[tuple[int, float | None, float | None]], highest: float,
                 tops: list[float]) -> list[Series]:  # fmt: skip
    """The model of pgbench's closed loop on the fitted curve: mean N / X(N) and its exponential p99."""
    t = plan.throughput
    if t.fit_lambda_tps is None:  # fewer than three counts measured: no curve to read
        return []
    counts = np.unique(np.concatenate((_grid(min(highest, max(m[0] for m in measured) * X_MARGIN)), [1])))
    loop = closed_loop(t.fit_lambda_tps, t.sigma, t.kappa, counts)
    tops.append(float(loop.p99_ms[-1]) / TOP_OVER_MARKS * TOP_HEADROOM)
    return [
        Series("closed.mean_ms", f"{CLOSED}: mean", loop.clients, loop.mean_ms, "modelled", width=1.5),
        Series("closed.p99_ms", f"{CLOSED}: p99", loop.clients, loop.p99_ms, "modelled", dash=True, width=1.5),
    ]


def _points(key: str, label: str, points: list[tuple[int, float]], colour: str) -> Series:
    xs = np.array([c for c, _ in points], dtype=float)
    ys = np.array([v for _, v in points], dtype=float)
    return Series(key, label, xs, ys, colour, kind="points")


def _ghost(baseline: Plan, names: Names) -> Series:
    """The baseline's mean at the demand: through its pool when it has one, else direct."""
    latency = baseline.latency
    assert latency is not None
    grid = _grid(max(latency.direct.pool_size, 2 * baseline.productive_target) * X_MARGIN)
    rows = latency.pooled_at(grid) if latency.pooled else latency.direct_at(grid)
    xs, ys = _curve(rows, "mean_ms")
    return Series("baseline.mean_ms", names.ghost, xs, ys, "ghost", width=3.5, ghost=True)


def latency_readout(plan: Plan, x: float) -> str:
    """What the latency chart shows at ``x`` backends."""
    size = max(round(x), 1)
    parts = []
    latency = plan.latency
    if latency is not None:
        direct = _figures(latency.direct_at([size])[0], latency)
        pooled = _figures(latency.pooled_at([size])[0], latency) if latency.pooled else None
        if pooled == direct:  # uncalibrated, the pool of x is the chain of x connections: say it once
            parts.append(f"pool of {n(size)}, or {n(size)} connections without a pooler: {direct}")
        else:
            if pooled is not None:
                parts.append(f"pool of {n(size)}: {pooled}")
            parts.append(f"no pooler, {n(size)} connections: {direct}")
    measured = {c: (a, p) for c, a, p in _measured(plan)}
    if size in measured:
        avg, p99 = measured[size]
        shown = ", ".join(f"{name} {milliseconds(v)}" for name, v in (("average", avg), ("p99", p99)) if v is not None)
        t = plan.throughput
        if t.fit_lambda_tps is not None:
            loop = closed_loop(t.fit_lambda_tps, t.sigma, t.kappa, np.array([size]))
            shown += f" (modelled mean {milliseconds(loop.mean_ms[0])}, p99 {milliseconds(loop.p99_ms[0])})"
        parts.append(f"measured with {n(size)} busy: {shown}")
    return "; ".join(parts) or f"{n(size)} connections"


def _figures(row: QueueFigures, latency: LatencyFigures) -> str:
    if not row.stable or row.mean_ms is None or row.p99_ms is None:
        return unstable_reason(row, latency.demand_tps, latency.stable_below)
    return f"mean {milliseconds(row.mean_ms)}, p99 {milliseconds(row.p99_ms)}"

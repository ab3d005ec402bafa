"""Throughput against active connections (log scale), direct and through the pooler.

Without measurements the curves are the model, in % of its peak. With measured points the axis is
tps: the points, the curve fitted to them ("measured on <server>"), and the default model scaled to
the same peak ("modelled"). A pinned baseline's curves are grey behind; each plan has a dot where all
of its max_connections slots are busy.
"""

from __future__ import annotations

import numpy as np

from ...model import Plan
from ...model.compare import throughput_at_max_connections
from ...model.derivation import n
from ..cards import plural
from .layout import MarkAt, XAxis, YAxis, compose
from .names import WINDOW, Names
from .spec import Chart, Frame, KeyEntry, Series

TITLE = "Throughput"
X_LABEL = "active connections (log scale)"
CAP_NOTE = "max_connections is a cap; the danger is all of them active"
MODELLED_NOTE = "modelled (USL), not measured"
FITTED_NOTE = "fitted to your measurements"
TOO_FEW_NOTE = "fewer than 3 points measured: modelled"
NO_POOLER_NOTE = "no pooler"
# A modelled baseline beside measured points: its curve is in % of its own peak, with no tps to draw it in.
UNMEASURED_GHOST_NOTE = "{ghost} curve not drawn: modelled, no tps to plot"
DIRECT = "direct to PostgreSQL"
POOLED = "through the pooler"
IMPORTED = "imported from "  # how the Server menu records points measured elsewhere
LEGEND_CHARS = 34  # a longer key entry would crowd the others
TPS_HEADROOM = 1.05  # the tps axis reaches a little past the highest point


def measured_label(measured_on: str | None) -> str:
    """ "measured on <server>": the host and port only ("PostgreSQL 15.4 at db1:5432/app, pgbench ..."
    -> "db1:5432"), shortened in the middle so the key stays small."""
    server = (measured_on or "").split(", pgbench")[0]
    if not server or server.startswith(IMPORTED):
        return f"measured, {server}" if server else "measured"
    where = server.split(" at ", 1)[1].rsplit("/", 1)[0] if " at " in server else server
    room = LEGEND_CHARS - len("measured on ")
    if len(where) > room:
        where = where[: room // 2 - 1] + "…" + where[-(room - room // 2) :]
    return f"measured on {where}"


def points_label(plan: Plan) -> str:
    """The measured dots' key entry: "pgbench, 8 points" from a sweep, "8 points imported" from a file (a
    CSV need not come from pgbench)."""
    count = plural(len(plan.scenario.measurements), "point")
    return f"{count} imported" if (plan.scenario.measured_on or "").startswith(IMPORTED) else f"pgbench, {count}"


def throughput_scale(plan: Plan) -> float | None:
    """tps per unit of the relative curves when the plan has measured points, else None (% of peak).

    Fitted, the unit is the fitted peak. With too few points to fit, it is the factor that lays the
    modelled curve through the points (least squares: sum(tps x model) / sum(model^2)), so a single point
    at one client sits on the curve rather than being taken for the peak."""
    measured = plan.scenario.measurements
    if not measured:
        return None
    if plan.throughput.measured_peak_tps:
        return plan.throughput.measured_peak_tps
    model = [plan.throughput.at(m.connections)[2] for m in measured]
    weight = sum(share * share for share in model)
    scale = sum(m.tps * share for m, share in zip(measured, model, strict=True)) / weight if weight else 0.0
    return scale if scale > 0 else None


def throughput_chart(plan: Plan, frame: Frame, baseline: Plan | None = None, names: Names = WINDOW) -> Chart:
    t = plan.throughput
    scale = throughput_scale(plan)
    in_tps = scale is not None
    factor = scale if scale is not None else 100.0
    fitted = t.measured_peak_tps is not None
    pooled = plan.scenario.pooler.kind != "none"
    measured = plan.scenario.measurements

    # Both plans' curves reach the axis' end, the farther of their own grids.
    highest = max(float(t.connections[-1]), float(baseline.throughput.connections[-1]) if baseline else 0.0)
    connections, direct, pooled_curve, modelled = t.over(highest)
    series: list[Series] = []
    key: list[KeyEntry] = []
    ghost_factor = _ghost_factor(baseline, in_tps)
    if baseline is not None and ghost_factor:
        b_connections, b_direct, b_pooled, _ = baseline.throughput.over(highest)
        series.append(
            Series("baseline.direct", names.ghost, b_connections, b_direct * ghost_factor, "ghost", False, 3.5, True)
        )
        if baseline.scenario.pooler.kind != "none":
            series.append(
                Series("baseline.pooled", names.ghost, b_connections, b_pooled * ghost_factor, "ghost", True, 3.5, True)
            )
    if in_tps:
        series.append(Series("modelled", "modelled", connections, modelled * factor, "modelled", True, 1.5))
        key.append(KeyEntry(points_label(plan), "measured", "dot"))
    if fitted or not in_tps:
        label = measured_label(t.measured_on) if in_tps else DIRECT
        series.append(Series("direct", label, connections, direct * factor, "direct"))
        key.append(KeyEntry(label, "direct", "line"))
    if pooled:
        series.append(Series("pooled", POOLED, connections, pooled_curve * factor, "pooled", dash=True))
        key.append(KeyEntry(POOLED, "pooled", "dash"))
    if in_tps:
        key.append(KeyEntry("modelled", "modelled", "dash"))
        xs = np.array([m.connections for m in measured], dtype=float)
        series.append(Series("points", "measured", xs, np.array([m.tps for m in measured]), "measured", kind="points"))
    if baseline is not None and ghost_factor:
        key.append(KeyEntry(names.ghost, "ghost", "line"))
    if fitted or not in_tps:
        series.append(_busy_dot(plan, "max_connections", "max_connections", factor))
    if baseline is not None and ghost_factor:
        series.append(_busy_dot(baseline, "baseline.max_connections", "baseline", ghost_factor))

    marks = [
        MarkAt(
            "max_connections",
            plan.max_connections,
            (f"{names.plan}max_connections {n(plan.max_connections)}",),
            "max_connections",
        ),
        MarkAt(
            "productive_target",
            plan.productive_target,
            (f"{names.plan}target {n(plan.productive_target)}",),
            "productive_target",
        ),
    ]
    if plan.provider is not None:
        limit = plan.provider.max_connections
        marks.append(MarkAt("provider_limit", limit, (f"provider limit {n(limit)}",), "provider_limit"))
    if baseline is not None:
        marks.append(_baseline_mark(baseline, names))

    points_top = max((m.tps for m in measured), default=0.0)
    ghost_top = float(baseline.throughput.direct.max()) * ghost_factor if baseline is not None else 0.0
    top = max(factor, points_top, ghost_top) * TPS_HEADROOM if in_tps else 100.0
    notes = [FITTED_NOTE if fitted else TOO_FEW_NOTE if in_tps else MODELLED_NOTE, CAP_NOTE]
    if not pooled:
        notes.append(NO_POOLER_NOTE)
    if baseline is not None and not ghost_factor:
        notes.append(UNMEASURED_GHOST_NOTE.format(ghost=names.ghost))
    unit = "tps" if in_tps else "% of peak"
    return compose(
        name="throughput",
        title=TITLE,
        notes=notes,
        key=key,
        frame=frame,
        x=XAxis(X_LABEL, 1.0, highest, log=True),
        y=YAxis((f"throughput ({unit})", unit), 0.0, top, unit=unit),
        series=series,
        marks=marks,
        readout=lambda x, y: throughput_readout(plan, baseline, names, x),
    )


def _ghost_factor(baseline: Plan | None, in_tps: bool) -> float:
    """The baseline's curves in the axis' unit: % of peak, or tps when the baseline was measured too
    (a modelled baseline has no tps to draw against measured points: 0, not drawn)."""
    if baseline is None:
        return 0.0
    return (baseline.throughput.measured_peak_tps or 0.0) if in_tps else 100.0


def _busy_dot(plan: Plan, key: str, colour: str, factor: float) -> Series:
    """Where the plan runs with every max_connections slot busy (on the pooled curve behind a pooler)."""
    share, _ = throughput_at_max_connections(plan)
    xs, ys = np.array([float(plan.max_connections)]), np.array([share * factor])
    return Series(key, "every max_connections slot busy", xs, ys, colour, kind="points")


def _baseline_mark(baseline: Plan, names: Names) -> MarkAt:
    value = n(baseline.max_connections)
    texts = (f"{names.baseline}max_connections {value}", f"{names.baseline}{value}")
    return MarkAt("baseline.max_connections", baseline.max_connections, texts, "baseline", ghost=True)


def throughput_readout(plan: Plan, baseline: Plan | None, names: Names, x: float) -> str:
    """What the throughput chart shows at ``x`` active connections."""
    t = plan.throughput
    connections = max(x, 1.0)
    direct, pooled, modelled = t.at(connections)
    where = plural(round(connections), "active connection")
    scale = throughput_scale(plan)
    if scale is not None:
        if t.measured_peak_tps is None:
            return f"{where}: modelled {n(round(modelled * scale))} tps (fewer than 3 points measured)"
        text = (
            f"{where}: measured fit {n(round(direct * scale))} tps, through the pooler "
            f"{n(round(pooled * scale))} tps, modelled {n(round(modelled * scale))} tps"
        )
    elif plan.scenario.pooler.kind == "none":
        text = f"{where}: {direct * 100:.0f} % of peak throughput (no pooler)"
    else:
        text = f"{where}: direct {direct * 100:.0f} %, through the pooler {pooled * 100:.0f} %"
    if baseline is not None and scale is None:
        b_direct, b_pooled, _ = baseline.throughput.at(connections)
        share = b_pooled if baseline.scenario.pooler.kind != "none" else b_direct
        text += f"; {names.baseline.rstrip(': ')} {share * 100:.0f} %"
    return text

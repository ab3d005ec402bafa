"""The live curves: throughput, memory and the budget, drawn with pyqtgraph.

Every plot item is created once and updated with ``setData``/``setOpts`` (pyqtgraph's own advice for
live plots); ranges are set explicitly so the axes do not jump while a slider moves. A readout line
under each plot answers "what is here?" as the mouse moves.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import ClassVar, NamedTuple

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QGraphicsItem, QLabel, QVBoxLayout, QWidget

from ..model import Measurement, Plan, human_size
from ..model import plan as plan_of
from ..model.derivation import n
from ..model.units import GB
from . import theme

pg.setConfigOptions(antialias=True, background="w", foreground=theme.INK)

# colour, label format, label height (share of the axis; staggered so close marks stay readable)
MARK_STYLE = {
    "productive_target": (theme.GREEN, "target {}", 0.96),
    "max_connections": (theme.ORANGE, "max_connections {}", 0.86),
    "provider_limit": (theme.VERMILLION, "provider limit {}", 0.76),
    "ram_ceiling": (theme.BLUE, "RAM ceiling {}", 0.96),
    "baseline_max_connections": (theme.GREY, "baseline max_connections {}", 0.66),
}
BASELINE_LEGEND = "baseline (grey)"
GHOST_ALPHA = 140


CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache
AXIS_WIDTH = 62


def _pen(colour: str, width: float = 2, dashed: bool = False) -> pg.QtGui.QPen:
    pen = pg.mkPen(colour, width=width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


class Mark(pg.InfiniteLine):
    """A labelled vertical line at a number of connections (productive target, max_connections ...)."""

    def __init__(self, plot: pg.PlotItem, key: str, log_x: bool = False) -> None:
        colour, self._format, height = MARK_STYLE[key]
        super().__init__(
            angle=90,
            pen=_pen(colour, 1.5, dashed=True),
            label="",
            labelOpts={
                "position": height,
                "color": colour,
                "fill": (255, 255, 255, 220),
                "anchors": [(0, 0.5), (0, 0.5)],
            },
        )
        self._log_x = log_x
        self._placed: tuple[float | None, bool] | None = None
        self.label.setCacheMode(CACHED)
        plot.addItem(self, ignoreBounds=True)

    def place(self, connections: float | None, view: tuple[float, float]) -> None:
        """Move to ``connections`` (hidden for None); the label goes on the side of the line with room."""
        x = None if connections is None else math.log10(max(connections, 1)) if self._log_x else connections
        right_half = x is not None and x > view[0] + 0.6 * (view[1] - view[0])
        if self._placed == (x, right_half):
            return  # moving a labelled line re-lays its text out: only when something changed
        self._placed = (x, right_half)
        self.setVisible(x is not None)
        if x is None:
            return
        self.setValue(x)
        text = self._format.format(n(connections))
        self.label.setFormat(f"{text} " if right_half else f" {text}")
        anchor = (1, 0.5) if right_half else (0, 0.5)
        self.label.anchors = [anchor, anchor]
        self.label.updatePosition()


class ConnectionsLogAxis(pg.AxisItem):
    """A log axis that labels 1, 2, 5, 10, 20, 50 ... as plain counts (1k, 2k ...) instead of 2·10¹."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        decades = range(math.floor(minVal), math.ceil(maxVal) + 1)
        majors = [float(d) for d in decades if minVal <= d <= maxVal]
        minors = [d + math.log10(m) for d in decades for m in (2, 5) if minVal <= d + math.log10(m) <= maxVal]
        return [(1.0, majors), (0.5, minors)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [_short_count(round(10**v)) for v in values]


def _short_count(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1000:
        return f"{value / 1000:g}k"
    return str(value)


class PlotPanel(QWidget):
    """A plot with a readout line under it."""

    def __init__(
        self, name: str, title: str, parent: QWidget | None = None, log_x: bool = False, grid: str = "y"
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"plot_{name}")
        layout = self.column = QVBoxLayout(self)  # the plot, then any key under it, then the readout
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        axes = {"bottom": ConnectionsLogAxis("bottom")} if log_x else None
        self.widget = pg.PlotWidget(title=title, axisItems=axes)
        self.widget.setObjectName(f"plot_{name}_view")
        self.plot: pg.PlotItem = self.widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        # One set of grid lines: a full grid costs a fifth of every repaint while a slider moves.
        self.plot.showGrid(x="x" in grid, y="y" in grid, alpha=0.15)
        self.plot.getAxis("left").setWidth(AXIS_WIDTH)  # a fixed width: new tick labels never relayout the plot
        for side in ("left", "bottom"):
            # Replaying an axis's tick labels costs more than the curves; keep the rendered pixels
            # until the axis itself changes (its range, its size).
            self.plot.getAxis(side).setCacheMode(CACHED)
        self.plot.titleLabel.setCacheMode(CACHED)
        self.readout = QLabel(" ", objectName=f"plot_{name}_readout")
        self.readout.setStyleSheet("color: #444; font-size: 11px;")
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.readout)
        self._proxy = pg.SignalProxy(self.widget.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse)
        self._plan: Plan | None = None

    def _on_mouse(self, event: tuple[QPointF]) -> None:
        if self._plan is None or not self.plot.sceneBoundingRect().contains(event[0]):
            return
        point = self.plot.vb.mapSceneToView(event[0])
        self.readout.setText(self.describe(point.x(), point.y()))

    def describe(self, x: float, y: float) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def show_plan(self, plan: Plan) -> None:
        self._plan = plan
        self.update_items(plan)

    def update_items(self, plan: Plan) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def show_baseline(self, baseline: Plan | None) -> None:
        """Draw a pinned plan's curves as grey ghosts behind the current ones (None: remove them)."""


class Ghosts:
    """A pinned baseline's curves: grey, wide and behind the live ones, in the legend only while shown."""

    def __init__(self, plot: pg.PlotItem, dashed: tuple[bool, ...]) -> None:
        self.plot = plot
        self.curves = []
        for is_dashed in dashed:
            pen = _pen(theme.GHOST, 3.5, dashed=is_dashed)
            pen.setColor(theme.qcolor(theme.GHOST, GHOST_ALPHA))  # behind the live curves, never over them
            curve = pg.PlotDataItem(pen=pen)
            curve.setZValue(-10)
            curve.setVisible(False)
            plot.addItem(curve)
            self.curves.append(curve)
        self._in_legend = False

    def show(self, data: list[tuple[np.ndarray, np.ndarray]] | None) -> None:
        for index, curve in enumerate(self.curves):
            curve.setVisible(data is not None)
            if data is not None:
                curve.setData(*data[index])
        legend = self.plot.legend
        if data is not None and not self._in_legend:
            legend.addItem(self.curves[0], BASELINE_LEGEND)
        elif data is None and self._in_legend:
            legend.removeItem(self.curves[0])
        self._in_legend = data is not None


class ThroughputPlot(PlotPanel):
    """Throughput against active connections (log scale), direct and through the pooler.

    Without measurements the curves are the model, in % of its peak. With measured points (saved in
    the scenario, or arriving one by one from a running sweep) the axis is tps: the points, the fitted
    curve labelled "measured on <server>", and the default model scaled to the same peak, "modelled".
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("throughput", "Throughput vs active connections", parent, log_x=True)
        p = self.plot
        p.setLogMode(x=True, y=False)
        p.setLabel("bottom", "active connections (log scale)")
        self.legend = p.addLegend(offset=(-10, -40), labelTextSize="9pt")
        self.legend.setCacheMode(CACHED)
        self.direct = p.plot(name=DIRECT, pen=_pen(theme.VERMILLION))
        self.pooled = p.plot(name="through the pooler", pen=_pen(theme.BLUE, dashed=True))
        self.modelled = p.plot(pen=_pen(theme.GREY, 1.5, dashed=True))
        self.points = pg.ScatterPlotItem(size=8, pen=pg.mkPen(theme.INK), brush=pg.mkBrush(theme.VERMILLION))
        p.addItem(self.points)
        # With measurements the plot is full of points; their key goes under it instead of over them.
        self.key = QLabel()
        self.key.setObjectName("plot_throughput_key")
        self.key.setWordWrap(True)
        self.key.setStyleSheet("font-size: 11px;")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.column.insertWidget(1, self.key)
        self.key.hide()
        self.marks = {
            key: Mark(p, key, log_x=True)
            for key in ("productive_target", "max_connections", "provider_limit", "baseline_max_connections")
        }
        self.ghosts = Ghosts(p, (False, True))
        self._baseline: Plan | None = None
        self._live: tuple[Measurement, ...] | None = None
        self._live_on = ""
        self._shown: Plan | None = None  # the plan drawn: the document's, or its preview with live points
        self._unit: str | None = None
        p.vb.setMouseEnabled(x=False, y=False)

    def show_live(self, points: Sequence[Measurement], server: str) -> None:
        """Points of a sweep still running: drawn at once, with a provisional fit from three points on."""
        self._live, self._live_on = tuple(points), server
        if self._plan is not None:
            self.update_items(self._plan)

    def clear_live(self) -> None:
        self._live = None
        if self._plan is not None:
            self.update_items(self._plan)

    def update_items(self, plan: Plan) -> None:
        if self._live is not None:  # a preview: the scenario with the sweep's points so far
            plan = plan_of(plan.scenario.model_copy(update={"measurements": self._live, "measured_on": self._live_on}))
        self._shown = plan
        t = plan.throughput
        measured = plan.scenario.measurements
        scale = t.measured_peak_tps or max((m.tps for m in measured), default=0.0)
        in_tps = bool(measured) and scale > 0
        factor = scale if in_tps else 100.0
        self._set_unit("tps" if in_tps else "% of peak")
        fitted = t.measured_peak_tps is not None
        self.legend.setVisible(not in_tps)
        self.key.setVisible(in_tps)
        if in_tps:
            self._show_key(t.measured_on if fitted else None, len(measured))
        self.direct.setData(t.connections, t.direct * factor)
        self.direct.setVisible(fitted or not in_tps)
        self.pooled.setData(t.connections, t.pooled * factor)
        self.modelled.setData(t.connections, t.modelled * factor)
        self.points.setData(x=[math.log10(m.connections) for m in measured], y=[m.tps for m in measured])
        self.points.setVisible(in_tps)
        view = (0.0, math.log10(t.connections[-1]))
        self.plot.setXRange(*view, padding=0.01)
        top = max([factor * 1.05, *(m.tps * 1.1 for m in measured)]) if in_tps else 105
        self.plot.setYRange(0, top, padding=0)
        self.marks["productive_target"].place(plan.productive_target, view)
        self.marks["max_connections"].place(plan.max_connections, view)
        self.marks["provider_limit"].place(plan.provider.max_connections if plan.provider else None, view)
        base = self._baseline
        self.marks["baseline_max_connections"].place(base.max_connections if base else None, view)
        self.ghosts.show(self._ghost_curves(in_tps))

    def show_baseline(self, baseline: Plan | None) -> None:
        self._baseline = baseline
        if self._plan is not None:
            self.update_items(self._plan)
        else:
            self.ghosts.show(self._ghost_curves(in_tps=False))

    def _ghost_curves(self, in_tps: bool) -> list[tuple[np.ndarray, np.ndarray]] | None:
        """The baseline's curves in the axis' unit: % of peak, or tps when the baseline was measured too
        (a modelled baseline has no tps to draw against measured points)."""
        if self._baseline is None:
            return None
        b = self._baseline.throughput
        scale = (b.measured_peak_tps or 0.0) if in_tps else 100.0
        return [(b.connections, b.direct * scale), (b.connections, b.pooled * scale)] if scale else None

    def _set_unit(self, unit: str) -> None:
        if unit != self._unit:
            self._unit = unit
            self.plot.setLabel("left", "throughput", units=unit)
            self.plot.getAxis("left").enableAutoSIPrefix(unit == "tps")

    def _show_key(self, measured_on: str | None, points: int) -> None:
        entries = [
            (theme.VERMILLION, "&#9679;", f"pgbench, {points} points"),
            (theme.VERMILLION, "&#9473;&#9473;", escape(_measured_label(measured_on)) if measured_on else ""),
            (theme.BLUE, "&#9476;&#9476;", "through the pooler"),
            (theme.GREY, "&#9476;&#9476;", "modelled"),
        ]
        self.key.setText(
            " &nbsp; ".join(f"<span style='color:{c}'>{glyph}</span>&nbsp;{text}" for c, glyph, text in entries if text)
        )

    def describe(self, x: float, y: float) -> str:
        plan = self._shown or self._plan
        assert plan is not None, "the readout follows the mouse only once a plan is shown"
        t = plan.throughput
        connections = 10**x
        direct, pooled, modelled = (np.interp(connections, t.connections, v) for v in (t.direct, t.pooled, t.modelled))
        where = f"{n(round(connections))} active connections"
        if self._unit == "tps":
            scale = t.measured_peak_tps or max(m.tps for m in plan.scenario.measurements)
            if t.measured_peak_tps is None:
                return f"{where}: modelled {n(round(modelled * scale))} tps (fewer than 3 points measured)"
            return (
                f"{where}: measured fit {n(round(direct * scale))} tps, through the pooler "
                f"{n(round(pooled * scale))} tps, modelled {n(round(modelled * scale))} tps"
            )
        return f"{where}: direct {direct * 100:.0f} %, through the pooler {pooled * 100:.0f} %"


DIRECT = "direct to PostgreSQL"
LEGEND_CHARS = 34  # a longer legend entry would cover the curves
IMPORTED = "imported from "  # how the Server menu records points measured elsewhere


def _measured_label(measured_on: str | None) -> str:
    """ "measured on <server>": the host and port only ("PostgreSQL 15.4 at db1:5432/app, pgbench ..."
    -> "db1:5432"), shortened in the middle so the legend stays small."""
    server = (measured_on or "").split(", pgbench")[0]
    if not server or server.startswith(IMPORTED):
        return f"measured, {server}" if server else "measured"
    where = server.split(" at ", 1)[1].rsplit("/", 1)[0] if " at " in server else server
    room = LEGEND_CHARS - len("measured on ")
    if len(where) > room:
        where = where[: room // 2 - 1] + "…" + where[-(room - room // 2) :]
    return f"measured on {where}"


class MemoryPlot(PlotPanel):
    """Memory in use against connections, with RAM as the line not to cross."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("memory", "Memory vs connections", parent)
        p = self.plot
        p.setLabel("bottom", "connections")
        p.setLabel("left", "memory", units="GB")
        p.getAxis("left").enableAutoSIPrefix(False)
        p.getAxis("bottom").enableAutoSIPrefix(False)
        p.addLegend(offset=(-10, -8), labelTextSize="9pt").setCacheMode(CACHED)
        self.typical = p.plot(name="typical", pen=_pen(theme.BLUE))
        self.heavy = p.plot(name="heavy fraction", pen=_pen(theme.ORANGE))
        self.worst = p.plot(name="worst case", pen=_pen(theme.VERMILLION, dashed=True))
        self.ram = pg.InfiniteLine(
            angle=0,
            pen=_pen(theme.INK, 1.5),
            label="RAM",
            labelOpts={"position": 0.02, "color": theme.INK, "fill": (255, 255, 255, 220), "anchors": [(0, 1), (0, 1)]},
        )
        p.addItem(self.ram, ignoreBounds=True)
        self.marks = {
            key: Mark(p, key)
            for key in ("ram_ceiling", "max_connections", "provider_limit", "baseline_max_connections")
        }
        self.ghosts = Ghosts(p, (False, False, True))
        self._baseline: Plan | None = None
        p.vb.setMouseEnabled(x=False, y=False)

    def show_baseline(self, baseline: Plan | None) -> None:
        self._baseline = baseline
        c = baseline.memory_curve if baseline else None
        self.ghosts.show([(c.connections, v / GB) for v in (c.typical, c.heavy_fraction, c.worst_case)] if c else None)
        if self._plan is not None:
            self.update_items(self._plan)

    def update_items(self, plan: Plan) -> None:
        c = plan.memory_curve
        x = c.connections
        self.typical.setData(x, c.typical / GB)
        self.heavy.setData(x, c.heavy_fraction / GB)
        self.worst.setData(x, c.worst_case / GB)
        ram = c.ram_bytes / GB
        self.ram.setValue(ram)
        self.ram.label.setFormat(f"RAM {human_size(c.ram_bytes)}")
        view = (0.0, float(x[-1]))
        self.plot.setXRange(*view, padding=0.01)
        self.plot.setYRange(0, ram * 1.6, padding=0)
        base = self._baseline
        for key, mark in self.marks.items():
            mark.place(base.max_connections if base and key == "baseline_max_connections" else c.marks.get(key), view)

    def describe(self, x: float, y: float) -> str:
        c = self._plan.memory_curve
        connections = max(0, round(x))
        typical, heavy, worst = (
            np.interp(connections, c.connections, v) for v in (c.typical, c.heavy_fraction, c.worst_case)
        )
        return (
            f"{n(connections)} connections: typical {human_size(typical)}, heavy fraction {human_size(heavy)}, "
            f"worst case {human_size(worst)} (RAM {human_size(c.ram_bytes)})"
        )


BAR_HEIGHT = 0.85  # of the one unit between the two bars: thick enough to write in
CHAR_PIXELS = 7  # width of a label character at the plot's font size, for "does it fit?"


class Segment(NamedTuple):
    row: str  # which bar: max_connections or max_wal_senders
    start: float
    width: float
    name: str
    key: str  # budget line key (or "headroom"), for the colour
    why: str


class BudgetPlot(PlotPanel):
    """The budget as stacked bars: one against max_connections, one against max_wal_senders."""

    ROWS: ClassVar[dict[str, int]] = {"max_connections": 1, "max_wal_senders": 0}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("budget", "max_connections budget", parent, grid="x")
        p = self.plot
        p.setLabel("bottom", "connections")
        p.getAxis("left").setTicks([[(1, "max_connections"), (0, "max_wal_senders")]])
        p.getAxis("left").setWidth(120)  # room for "max_wal_senders"
        p.showGrid(x=True, y=False, alpha=0.15)
        self.bars = pg.BarGraphItem(x0=[0], y=[1], width=[0], height=BAR_HEIGHT, pen=pg.mkPen("w", width=1), brush="w")
        p.addItem(self.bars)
        # Each limit is a short upright stroke across its own bar only.
        self.limits = {row: p.plot(pen=_pen(theme.ORANGE, 3)) for row in self.ROWS}
        self.baseline_limit = p.plot(pen=_pen(theme.GREY, 3, dashed=True))  # the pinned plan's max_connections
        self._baseline: Plan | None = None
        self.labels: list[pg.TextItem] = []
        self._segments: list[Segment] = []
        self.key = QLabel(objectName="plot_budget_key")
        self.key.setWordWrap(True)
        self.key.setFixedHeight(34)  # two lines; a new text never relayouts the window
        self.key.setStyleSheet("font-size: 11px;")
        self.layout().insertWidget(1, self.key)
        p.vb.setMouseEnabled(x=False, y=False)
        p.setYRange(-BAR_HEIGHT / 2 - 0.05, 1 + BAR_HEIGHT / 2 + 0.05, padding=0)
        self.setMinimumHeight(150)

    def _segments_of(self, plan: Plan) -> list[Segment]:
        """Every bar segment, budget lines first, then the headroom up to each limit."""
        segments, ends = [], dict.fromkeys(self.ROWS, 0.0)
        for line in plan.budget:
            row = line.counts_against
            segments.append(Segment(row, ends[row], line.connections, line.name, line.key, line.why))
            ends[row] += line.connections
        free = {"max_connections": plan.headroom, "max_wal_senders": plan.spare_wal_senders}
        for row, limit in (("max_connections", plan.max_connections), ("max_wal_senders", plan.max_wal_senders)):
            if free[row] > 0:
                name = "headroom" if row == "max_connections" else "spare WAL senders"
                segments.append(Segment(row, ends[row], free[row], name, "headroom", f"up to {row} {n(limit)}"))
        return segments

    def update_items(self, plan: Plan) -> None:
        segments = self._segments_of(plan)
        self._segments = segments
        self.bars.setOpts(
            x0=[s.start for s in segments],
            y=[self.ROWS[s.row] for s in segments],
            width=[s.width for s in segments],
            brushes=[theme.qcolor(theme.BUDGET[s.key]) for s in segments],
        )
        for row, limit in (("max_connections", plan.max_connections), ("max_wal_senders", plan.max_wal_senders)):
            y = self.ROWS[row]
            self.limits[row].setData([limit, limit], [y - BAR_HEIGHT / 2, y + BAR_HEIGHT / 2])
        base = self._baseline
        y = self.ROWS["max_connections"]
        if base is None:
            self.baseline_limit.setData([], [])
        else:
            reach = BAR_HEIGHT / 2 + 0.05  # a little past the bar, so it shows beside the live limit
            self.baseline_limit.setData([base.max_connections] * 2, [y - reach, y + reach])
        # The range stays the live plan's: a baseline ten times larger would squash the bars it is compared with
        # (its stroke is then off to the right; the cards and the Compare tab say its figures).
        widest = max(plan.max_connections, plan.max_connections_required, plan.max_wal_senders, 1)
        self.plot.setXRange(0, widest * 1.04, padding=0)
        self._label(segments, widest)
        self.key.setText(
            " &nbsp; ".join(
                f"<span style='color:{theme.BUDGET[s.key]}'>&#9632;</span>&nbsp;{escape(s.name)}&nbsp;{n(s.width)}"
                for s in segments
            )
        )

    def show_baseline(self, baseline: Plan | None) -> None:
        self._baseline = baseline
        if self._plan is not None:
            self.update_items(self._plan)

    def _label(self, segments: list[Segment], widest: float) -> None:
        """Write inside each segment the longest label that fits; TextItems are reused, never recreated."""
        pixels_per_connection = max(self.plot.vb.width(), 300) / (widest * 1.04)
        texts = []
        for s in segments:
            room = s.width * pixels_per_connection - 8
            fitting = [t for t in (f"{s.name} {n(s.width)}", n(s.width)) if len(t) * CHAR_PIXELS <= room]
            texts.append(fitting[0] if fitting else None)
        shown = [(s, t) for s, t in zip(segments, texts, strict=True) if t]
        while len(self.labels) < len(shown):
            item = pg.TextItem(color="w", anchor=(0.5, 0.5))
            item.setCacheMode(CACHED)
            self.plot.addItem(item, ignoreBounds=True)
            self.labels.append(item)
        for item, (s, text) in zip(self.labels, shown, strict=False):
            item.setColor(theme.INK if s.key in ("headroom", "long_transactions") else "w")
            item.setText(text)
            item.setPos(s.start + s.width / 2, self.ROWS[s.row])
            item.setVisible(True)
        for item in self.labels[len(shown) :]:
            item.setVisible(False)

    def describe(self, x: float, y: float) -> str:
        row = "max_connections" if y > 0.5 else "max_wal_senders"
        for s in self._segments:
            if s.row == row and s.start <= x < s.start + s.width:
                return f"{s.name}: {n(s.width)} connections — {s.why}"
        limit = self._plan.max_connections if row == "max_connections" else self._plan.max_wal_senders
        return f"{row} = {n(limit)}"

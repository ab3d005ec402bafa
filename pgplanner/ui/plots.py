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
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsItem,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..model import Measurement, Plan, human_size
from ..model import plan as plan_of
from ..model.derivation import n
from ..model.units import GB
from . import theme
from .elided import ElidedLabel

pg.setConfigOptions(antialias=True, background="w", foreground=theme.INK)

# colour, label format, label row (0 is the top). Every plot keeps a band above its data with one
# row per label, so labels of close marks never overlap and never cover a curve.
MARK_STYLE = {
    "productive_target": (theme.GREEN, "target {}", 0),
    "max_connections": (theme.ORANGE, "max_connections {}", 1),
    "provider_limit": (theme.PURPLE, "provider limit {}", 2),
    "ram_ceiling": (theme.BLUE, "RAM ceiling {}", 0),
    "worst_fits": (theme.VERMILLION, "worst case fits RAM below {}", 2),
    "baseline_max_connections": (theme.GREY, "baseline {}", 3),  # a row of its own, while pinned
}
BASELINE_KEY = ("baseline (grey)", theme.GHOST, False)
GHOST_ALPHA = 140
LABEL_ROW = 18  # pixels per row of mark labels
LABEL_ROWS = 3


def data_top(view_pixels: float, rows: int = LABEL_ROWS) -> float:
    """The share of a view's height the data may fill, leaving the rows of mark labels above it."""
    return max(0.5, 1 - (rows * LABEL_ROW + 4) / max(view_pixels, 1))


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
        colour, self._format, self._row = MARK_STYLE[key]
        super().__init__(
            angle=90,
            pen=_pen(colour, 1.5, dashed=True),
            label="",
            labelOpts={
                "position": 0.95,
                "color": colour,
                "fill": (255, 255, 255, 220),
                "anchors": [(0, 0.5), (0, 0.5)],
            },
        )
        self._log_x = log_x
        self._line_pen = _pen(colour, 1.5, dashed=True)
        self.connections: float | None = None  # where it marks, even when that is beyond the view
        self.beyond_view = False
        self._placed: tuple[float | None, bool, float | None, float] | None = None
        self.label.setCacheMode(CACHED)
        plot.addItem(self, ignoreBounds=True)

    def place(self, connections: float | None, view: tuple[float, float]) -> None:
        """Move to ``connections`` (hidden for None); the label goes on the side of the line with room.

        A mark beyond the right end of the view is an arrow at the edge, its value written beside it.
        """
        self.connections, self.beyond_view = connections, False
        x = None if connections is None else math.log10(max(connections, 1)) if self._log_x else connections
        beyond = self.beyond_view = x is not None and x > view[1]
        right_half = x is not None and x > view[0] + 0.6 * (view[1] - view[0])
        pixels = self.getViewBox().height() if self.getViewBox() else 200
        position = 1 - (LABEL_ROW * (self._row + 0.5) + 2) / max(pixels, 1)
        placed = (x, right_half, view[1] if beyond else None, position)
        if self._placed == placed:
            return  # moving a labelled line re-lays its text out: only when something changed
        self._placed = placed
        self.setVisible(x is not None)
        if x is None:
            return
        self.setValue(view[1] if beyond else x)
        self.setPen(pg.mkPen(None) if beyond else self._line_pen)
        text = self._format.format(n(connections))
        self.label.setFormat(f"{text} \u2192" if beyond else f"{text} " if right_half else f" {text}")
        anchor = (1, 0.5) if right_half else (0, 0.5)
        self.label.anchors = [anchor, anchor]
        self.label.setPosition(position)  # also re-places the text


class ConnectionsLogAxis(pg.AxisItem):
    """A log axis that labels 1, 2, 5, 10, 20, 50 ... as plain counts (1k, 2k ...) instead of 2·10¹."""

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:
        decades = range(math.floor(minVal), math.ceil(maxVal) + 1)
        majors = [float(d) for d in decades if minVal <= d <= maxVal]
        minors = [d + math.log10(m) for d in decades for m in (2, 5) if minVal <= d + math.log10(m) <= maxVal]
        return [(1.0, majors), (0.5, minors)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [_short_count(round(10**v)) for v in values]


SOLID, DASHED = "\u2501\u2501", "\u2505\u2505"  # the strokes of the key: heavy line, heavy dashes


def _key(entries: list[tuple[str, str, bool]]) -> str:
    """A legend written into the title row: never over the data, and part of every exported image."""
    return " &nbsp; ".join(
        f"<span style='color:{colour}'>{DASHED if dashed else SOLID}</span>&nbsp;{escape(name)}"
        for name, colour, dashed in entries
    )


def _short_count(value: int) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1000:
        return f"{value / 1000:g}k"
    return str(value)


class Readout(ElidedLabel):
    """One line under a plot; a long text is cut with an ellipsis instead of widening the window."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        theme.small_text(self, 11, "#444444")


TITLE_LINE_HEIGHT = 17  # pixels per line of the 9pt title rows
HOVER_HINT = "Point at the plot to read its values here."
MINIMUM_PLOT_HEIGHT = 170  # below this the labels and the data no longer fit


class PlotPanel(QWidget):
    """A plot with a readout line under it; right-click offers to export it or copy it."""

    def __init__(
        self, name: str, title: str, parent: QWidget | None = None, log_x: bool = False, grid: str = "y"
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"plot_{name}")
        self._name, self._title = name, title
        layout = self.column = QVBoxLayout(self)  # the plot, then any key under it, then the readout
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        axes = {"bottom": ConnectionsLogAxis("bottom")} if log_x else None
        self.widget = pg.PlotWidget(axisItems=axes)
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
        self.readout = Readout(f"plot_{name}_readout")
        self.readout.setText(HOVER_HINT)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.readout)
        self.setMinimumHeight(MINIMUM_PLOT_HEIGHT)
        self._proxy = pg.SignalProxy(self.widget.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse)
        self.widget.viewport().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.widget.viewport().customContextMenuRequested.connect(self._show_menu)
        self._plan: Plan | None = None
        self._baseline: Plan | None = None  # a pinned plan, drawn in grey behind this one

    def set_key(self, entries: list[tuple[str, str, bool]], *notes: str) -> None:
        """The title rows: the plot's name and notes, then each curve's colour and name."""
        small = [f"<span style='font-size:8pt; color:#555'>{escape(note)}</span>" for note in notes]
        lines = [f"<b>{escape(self._title)}</b> &nbsp;{small[0]}" if small else f"<b>{escape(self._title)}</b>"]
        lines += [_key(entries)] if entries else []
        lines += small[1:]
        self.plot.setTitle("<br>".join(lines), size="9pt")
        height = TITLE_LINE_HEIGHT * len(lines) + 4
        self.plot.titleLabel.setMaximumHeight(height)  # pyqtgraph fixes both at 30 pixels, one line
        self.plot.layout.setRowFixedHeight(0, height)

    def _on_mouse(self, event: tuple[QPointF]) -> None:
        if self._plan is None or not self.plot.sceneBoundingRect().contains(event[0]):
            return
        point = self.plot.vb.mapSceneToView(event[0])
        self.readout.setText(self.describe(point.x(), point.y()))

    def describe(self, x: float, y: float) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def show_plan(self, plan: Plan) -> None:
        if self._plan is not None and plan is not self._plan:
            self.readout.setText(HOVER_HINT)  # what was read off the old plan is no longer true
        self._plan = plan
        self.update_items(plan)

    def update_items(self, plan: Plan) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._plan is not None:  # the label band is measured in pixels: place everything again
            QTimer.singleShot(0, self, self._replace)

    def _replace(self) -> None:
        self.update_items(self._plan)

    # --- saving ----------------------------------------------------------------------------

    def menu(self) -> QMenu:
        """Right-click: pyqtgraph's exporters (PNG, SVG, CSV ...), a PNG in one step, or the clipboard."""
        menu = QMenu(self)
        menu.addAction("Export...", self.widget.scene().showExportDialog).setObjectName("plot_export")
        menu.addAction("Save as PNG...", self._ask_and_save).setObjectName("plot_save_png")
        menu.addAction("Copy image", self.copy_image).setObjectName("plot_copy")
        return menu

    def _show_menu(self, position) -> None:
        self.menu().popup(self.widget.viewport().mapToGlobal(position))

    def _label_rows(self) -> int:
        """The band above the data: one more row while a baseline is pinned, for its max_connections."""
        return LABEL_ROWS + (self._baseline is not None)

    def save_png(self, path: str) -> None:
        """Write the plot as shown (title and key included) to ``path``; raises OSError when it cannot."""
        if not self.widget.grab().save(path, "PNG"):
            raise OSError(f"{path}: cannot write the PNG")

    def copy_image(self) -> None:
        QGuiApplication.clipboard().setImage(self.widget.grab().toImage())

    def _ask_and_save(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save plot", f"{self._name}.png", "PNG images (*.png)")
        if path:
            try:
                self.save_png(path)
            except OSError as error:
                QMessageBox.warning(self, "Cannot save plot", str(error))


CAP_NOTE = "max_connections is a cap; the danger is all of them active"


class Ghosts:
    """A pinned baseline's curves: grey, wide, translucent and behind the live ones."""

    def __init__(self, plot: pg.PlotItem, dashed: tuple[bool, ...]) -> None:
        self.curves = []
        for is_dashed in dashed:
            pen = _pen(theme.GHOST, 3.5, dashed=is_dashed)
            pen.setColor(theme.qcolor(theme.GHOST, GHOST_ALPHA))
            curve = pg.PlotDataItem(pen=pen)
            curve.setZValue(-10)
            curve.setVisible(False)
            plot.addItem(curve)
            self.curves.append(curve)

    def show(self, data: list[tuple[np.ndarray, np.ndarray]] | None) -> None:
        for index, curve in enumerate(self.curves):
            curve.setVisible(data is not None)
            if data is not None:
                curve.setData(*data[index])


class ThroughputPlot(PlotPanel):
    """Throughput against active connections (log scale), direct and through the pooler.

    Without measurements the curves are the model, in % of its peak. With measured points (saved in
    the scenario, or arriving one by one from a running sweep) the axis is tps: the points, the fitted
    curve labelled "measured on <server>", and the default model scaled to the same peak, "modelled".
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("throughput", "Throughput", parent, log_x=True)
        p = self.plot
        p.setLogMode(x=True, y=False)
        p.setLabel("bottom", "active connections (log scale)")
        self.direct = p.plot(pen=_pen(theme.VERMILLION))
        self.pooled = p.plot(pen=_pen(theme.BLUE, dashed=True))
        self.modelled = p.plot(pen=_pen(theme.GREY, 1.5, dashed=True))
        self.points = pg.ScatterPlotItem(size=8, pen=pg.mkPen(theme.INK), brush=pg.mkBrush(theme.VERMILLION))
        p.addItem(self.points)
        # With measurements the plot is full of points; their key goes under it instead of over them.
        self.key = QLabel()
        self.key.setObjectName("plot_throughput_key")
        self.key.setWordWrap(True)
        theme.small_text(self.key, 11)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.column.insertWidget(1, self.key)
        self.key.hide()
        self.marks = {
            key: Mark(p, key, log_x=True)
            for key in ("productive_target", "max_connections", "provider_limit", "baseline_max_connections")
        }
        self.ghosts = Ghosts(p, (False, True))
        self._live: tuple[Measurement, ...] | None = None
        self._live_on = ""
        self._shown: Plan | None = None  # the plan drawn: the document's, or its preview with live points
        self._unit: str | None = None
        p.vb.setMouseEnabled(x=False, y=False)
        self._key_shown: tuple | None = None

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
        pooled = plan.scenario.pooler.kind != "none"
        self.key.setVisible(in_tps)
        if in_tps:
            self._show_key(t.measured_on if fitted else None, len(measured))
        ghosts = self._ghost_curves(in_tps)
        title = (in_tps, fitted, pooled, ghosts is not None)
        if title != self._key_shown:  # the title rows: what the curves are, and the cap note
            self._key_shown = title
            if in_tps:
                source = "fitted to your measurements" if fitted else "fewer than 3 points measured: modelled"
                entries = []  # the key of the measured points is under the plot
            else:
                source = "modelled (USL), not measured"
                entries = [(DIRECT, theme.VERMILLION, False)]
                entries += [("through the pooler", theme.BLUE, True)] if pooled else [("no pooler", theme.GREY, True)]
                entries += [BASELINE_KEY] if ghosts is not None else []
            self.set_key(entries, source, CAP_NOTE)
        self.direct.setData(t.connections, t.direct * factor)
        self.direct.setVisible(fitted or not in_tps)
        self.pooled.setData(t.connections, t.pooled * factor) if pooled else self.pooled.setData([], [])
        self.modelled.setData(t.connections, t.modelled * factor)
        self.points.setData(x=[math.log10(m.connections) for m in measured], y=[m.tps for m in measured])
        self.points.setVisible(in_tps)
        view = (0.0, math.log10(t.connections[-1]))
        self.plot.setXRange(*view, padding=0.01)
        top = max([factor * 1.05, *(m.tps * 1.1 for m in measured)]) if in_tps else 100
        band = data_top(self.plot.vb.height(), self._label_rows())  # a band for the labels
        self.plot.setYRange(0, top / band, padding=0)
        self.marks["productive_target"].place(plan.productive_target, view)
        self.marks["max_connections"].place(plan.max_connections, view)
        self.marks["provider_limit"].place(plan.provider.max_connections if plan.provider else None, view)
        base = self._baseline
        self.marks["baseline_max_connections"].place(base.max_connections if base else None, view)
        self.ghosts.show(ghosts)

    def show_baseline(self, baseline: Plan | None) -> None:
        """Draw a pinned plan's curves as grey ghosts behind the current ones (None: remove them)."""
        self._baseline = baseline
        if self._plan is not None:
            self.update_items(self._plan)

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
            axis = self.plot.getAxis("left")
            axis.enableAutoSIPrefix(unit == "tps")
            # In % of peak, no ticks above 100 in the label band; tps ticks are pyqtgraph's own.
            axis.setTicks([[(v, str(v)) for v in range(0, 101, 20)]] if unit == "% of peak" else None)

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
        if plan.scenario.pooler.kind == "none":
            return f"{where}: {direct * 100:.0f} % of peak throughput (no pooler)"
        return f"{where}: direct {direct * 100:.0f} %, through the pooler {pooled * 100:.0f} %"


DIRECT = "direct to PostgreSQL"
LEGEND_CHARS = 34  # a longer key entry would not fit beside the others
IMPORTED = "imported from "  # how the Server menu records points measured elsewhere


def _measured_label(measured_on: str | None) -> str:
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


WORST_CASE_SHOWN_UP_TO = 4.0  # x RAM: a worst case above this is written at the top edge, not drawn to scale
MARKS_REACH = 3.0  # a mark within this many times max_connections is drawn in the view, else an edge arrow
MIN_REACH = 1.6  # the view spans at least this many times max_connections
X_MARGIN = 1.25


MEMORY_KEY = [
    ("typical", theme.BLUE, False),
    ("heavy fraction", theme.ORANGE, False),
    ("worst case", theme.VERMILLION, True),
    ("RAM", theme.INK, False),
]


class MemoryPlot(PlotPanel):
    """Memory in use against connections, with RAM as the line not to cross.

    The view spans max_connections (and where the worst case crosses RAM), so a realistic setting is
    not squashed against the axis; the worst case at max_connections is always on the chart, written
    with its value when it is too tall to draw to scale.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("memory", "Memory", parent)
        p = self.plot
        p.setLabel("bottom", "connections")
        p.setLabel("left", "memory", units="GB")
        p.getAxis("left").enableAutoSIPrefix(False)
        p.getAxis("bottom").enableAutoSIPrefix(False)
        self.set_key(MEMORY_KEY)
        self.typical = p.plot(pen=_pen(theme.BLUE))
        self.heavy = p.plot(pen=_pen(theme.ORANGE))
        self.worst = p.plot(pen=_pen(theme.VERMILLION, dashed=True))
        self.ram = pg.InfiniteLine(
            angle=0,
            pen=_pen(theme.INK, 1.5),
            label="RAM",
            # under the line at the left, where the curves start low and the mark labels are above the data
            labelOpts={"position": 0.02, "color": theme.INK, "fill": (255, 255, 255, 220), "anchors": [(0, 0), (0, 0)]},
        )
        p.addItem(self.ram, ignoreBounds=True)
        self.marks = {
            key: Mark(p, key)
            for key in ("ram_ceiling", "max_connections", "provider_limit", "worst_fits", "baseline_max_connections")
        }
        self.ghosts = Ghosts(p, (False, False, True))
        self.worst_note = pg.TextItem(color=theme.VERMILLION, anchor=(1, 0), fill=(255, 255, 255, 220))
        p.addItem(self.worst_note, ignoreBounds=True)
        p.vb.setMouseEnabled(x=False, y=False)

    def update_items(self, plan: Plan) -> None:
        c = plan.memory_curve
        x = c.connections
        self.typical.setData(x, c.typical / GB)
        self.heavy.setData(x, c.heavy_fraction / GB)
        self.worst.setData(x, c.worst_case / GB)
        ram = c.ram_bytes / GB
        self.ram.setValue(ram)
        self.ram.label.setFormat(f"RAM {human_size(c.ram_bytes)}")
        fits = self.worst_fits(plan)
        max_conn = plan.max_connections
        # The view is about max_connections: marks far beyond it are arrows at the edge, so a realistic
        # setting is never squashed against the axis by a distant RAM ceiling.
        near = [m for m in (fits, c.marks.get("ram_ceiling"), c.marks.get("provider_limit")) if m]
        reach = max([MIN_REACH * max_conn, 10] + [m for m in near if m <= MARKS_REACH * max_conn])
        view = (0.0, min(float(x[-1]), reach * X_MARGIN))
        self.plot.setXRange(*view, padding=0.01)
        worst_at_max = float(np.interp(max_conn, x, c.worst_case)) / GB
        top = min(max(ram, worst_at_max, float(np.interp(view[1], x, c.typical)) / GB), WORST_CASE_SHOWN_UP_TO * ram)
        self.plot.setYRange(0, top / data_top(self.plot.vb.height(), self._label_rows()), padding=0)
        self.worst_note.setVisible(worst_at_max > top)
        if worst_at_max > top:
            worst = human_size(worst_at_max * GB)
            self.worst_note.setText(f"worst case at max_connections {n(max_conn)}: {worst} \u2191")
            self.worst_note.setPos(view[1], top)
        base = self._baseline
        where = {"worst_fits": fits, "baseline_max_connections": base.max_connections if base else None}
        for key, mark in self.marks.items():
            mark.place(where[key] if key in where else c.marks.get(key), view)

    def show_baseline(self, baseline: Plan | None) -> None:
        """Draw a pinned plan's curves as grey ghosts behind the current ones (None: remove them)."""
        self._baseline = baseline
        c = baseline.memory_curve if baseline else None
        self.ghosts.show([(c.connections, v / GB) for v in (c.typical, c.heavy_fraction, c.worst_case)] if c else None)
        self.set_key([*MEMORY_KEY, BASELINE_KEY] if baseline else MEMORY_KEY)
        if self._plan is not None:
            self.update_items(self._plan)

    @staticmethod
    def worst_fits(plan: Plan) -> int | None:
        """Connections up to which the worst case stays within RAM (None: it does at every count drawn)."""
        c = plan.memory_curve
        if c.worst_case[-1] <= c.ram_bytes:
            return None
        return int(np.interp(c.ram_bytes, c.worst_case, c.connections)) if c.worst_case[0] < c.ram_bytes else 0

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
LABEL_PADDING = 8  # pixels kept free inside a segment around its label


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
        p.setTitle(f"<b>{self._title}</b>", size="9pt")
        p.setLabel("bottom", "connections")
        p.getAxis("left").setTicks([[(1, "max_connections"), (0, "max_wal_senders")]])
        p.getAxis("left").setWidth(120)  # room for "max_wal_senders"
        p.showGrid(x=True, y=False, alpha=0.15)
        self.bars = pg.BarGraphItem(x0=[0], y=[1], width=[0], height=BAR_HEIGHT, pen=pg.mkPen("w", width=1), brush="w")
        p.addItem(self.bars)
        # Each limit is a short upright stroke across its own bar only.
        self.limits = {row: p.plot(pen=_pen(theme.ORANGE, 3)) for row in self.ROWS}
        self.baseline_limit = p.plot(pen=_pen(theme.GREY, 3, dashed=True))  # the pinned plan's max_connections
        self.labels: list[pg.TextItem] = []
        self._segments: list[Segment] = []
        self.key = QLabel(objectName="plot_budget_key")
        self.key.setWordWrap(True)
        self.key.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.key.setFixedHeight(34)  # two lines; a new text never relayouts the window
        theme.small_text(self.key, 11)
        self.layout().insertWidget(1, self.key)
        p.vb.setMouseEnabled(x=False, y=False)
        p.setYRange(-BAR_HEIGHT / 2 - 0.05, 1 + BAR_HEIGHT / 2 + 0.05, padding=0)
        self.setMinimumHeight(150)

    def _segments_of(self, plan: Plan) -> list[Segment]:
        """Every bar segment with connections in it, budget lines first, then the headroom up to each limit."""
        segments, ends = [], dict.fromkeys(self.ROWS, 0.0)
        for line in plan.budget:
            row = line.counts_against
            if line.connections > 0:
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
        if base is None:
            self.baseline_limit.setData([], [])
        else:
            y, reach = self.ROWS["max_connections"], BAR_HEIGHT / 2 + 0.05  # a little past the bar, beside the limit
            self.baseline_limit.setData([base.max_connections] * 2, [y - reach, y + reach])
        # The range stays the live plan's: a baseline ten times larger would squash the bars it is compared with
        # (its stroke is then off to the right; the cards and the Compare tab say its figures).
        widest = max(plan.max_connections, plan.max_connections_required, plan.max_wal_senders, 1)
        self.plot.setXRange(0, widest * 1.04, padding=0)
        self._label(segments, widest)
        # Spaces inside an item do not break, so a line wraps only between items.
        self.key.setText(
            " &nbsp; ".join(
                f"<span style='color:{theme.BUDGET[s.key]}'>&#9632;</span>&nbsp;"
                + f"{escape(s.name)} {n(s.width)}".replace(" ", "&nbsp;")
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
        metrics = self.fontMetrics()  # a TextItem writes in the application font, as this widget does
        texts = []
        for s in segments:
            room = s.width * pixels_per_connection - LABEL_PADDING
            fitting = [t for t in (f"{s.name} {n(s.width)}", n(s.width)) if metrics.horizontalAdvance(t) <= room]
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

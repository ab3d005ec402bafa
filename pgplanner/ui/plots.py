"""The live charts, drawn with pyqtgraph from the specifications of :mod:`pgplanner.present.charts`.

Nothing here decides what a chart shows or where its words go: each panel measures its frame (the
view box's pixels, the fonts' text widths), asks the chart function for the chart and draws it. Items
are created once and updated with ``setData`` (pyqtgraph's advice for live plots); words sit in the
view box's own pixels, exactly where the specification placed them. Colours come from the theme the
window's palette calls for (a dark palette gets the dark theme), and every pen's width is in logical
pixels, so lines keep their weight on a HiDPI screen. A readout under each plot says what is under
the mouse, in the words of the chart's own readout.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterator, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsLineItem,
    QGraphicsSimpleTextItem,
    QMenu,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ..model import Measurement, Plan
from ..model import plan as plan_of
from ..present.charts import HOVER_HINT, WINDOW, Chart, Frame, KeyEntry, Label, Names, Series
from ..present.charts.budget import budget_chart
from ..present.charts.latency import latency_chart
from ..present.charts.memory import memory_chart
from ..present.charts.spec import DOT_EDGE, DOT_RADIUS
from ..present.charts.throughput import throughput_chart
from .elided import ElidedLabel
from .theme import theme_for

if TYPE_CHECKING:
    from .folders import StartFolders

pg.setConfigOptions(antialias=True)

ChartOf = Callable[[Plan, Frame, Plan | None, Names], Chart]
AXIS_WIDTH = 62
BUDGET_AXIS_WIDTH = 120  # room for "max_wal_senders"
LABEL_PIXELS = 12  # the words on a plot
TITLE_POINTS, NOTE_POINTS = 9, 8
RIGHT_ROOM = 14  # pixels right of the plot area, where the last tick's text may reach
HEADING_MARGIN = 2 + RIGHT_ROOM + 8 + 4  # the plot's margins, the label's own (4 a side) and a little slack
FOCUS_FRAME = 2  # pixels of the highlight colour around a plot that has the keyboard focus
GHOST_ALPHA = 140
TEXT_WIDTHS = 512  # texts whose widths a plot remembers per font (ticks, marks, keys and headings)
HEADING_SEPARATOR = " &nbsp; "  # between two pieces of a heading line
GLYPHS = {"line": "\u2501\u2501", "dash": "\u2505\u2505", "dot": "\u25cf", "box": "\u25a0"}
DEFAULT_FRAME = (400.0, 240.0)  # the view box's size before it is first laid out
CACHED = pg.QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache


def _remembered_widths(metrics: QFontMetricsF) -> Callable[[str], float]:
    """Text widths in one font, each text measured once.

    Placing a chart measures about a hundred texts, mostly the same tick labels and words as the last
    tick's. The cache wraps a Python function, not Qt's method: functools would copy that method's
    ``__doc__``, which makes PySide parse its signature tables at start-up (about 40 ms).
    """

    @functools.lru_cache(maxsize=TEXT_WIDTHS)
    def width(text: str) -> float:
        return metrics.horizontalAdvance(text)

    return width


class Readout(ElidedLabel):
    """One line under a plot; a long text is cut with an ellipsis instead of widening the window."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        font = QFont(self.font())
        font.setPixelSize(11)
        self.setFont(font)


def _qcolour(hex_colour: str, alpha: int = 255) -> QColor:
    colour = QColor(hex_colour)
    colour.setAlpha(alpha)
    return colour


class PlotView(pg.PlotWidget):
    """The plot's own view: Tab reaches it and a frame in the palette's highlight colour says so; the
    menu key (or Shift+F10) opens the plot's menu, as a right-click does."""

    def __init__(self) -> None:
        # pyqtgraph's own view menu is never shown (the panel has its own): not built, which saves start-up.
        super().__init__(enableMenu=False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.hasFocus():
            painter = QPainter(self.viewport())
            pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), FOCUS_FRAME)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            half = FOCUS_FRAME / 2
            painter.drawRect(QRectF(self.viewport().rect()).adjusted(half, half, -half, -half))
            painter.end()

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.viewport().update()


class PlotPanel(QWidget):
    """A chart drawn from its specification, with a readout line under it; right-click exports or copies it."""

    leastHeightChanged = Signal()  # the heading wrapped to more or fewer lines: the window may rearrange

    LEAST_HEIGHT = 170  # below this the labels and the data no longer fit
    # The data area's least height, whatever the heading's lines take: room for four rows of tick text, apart.
    DATA_HEIGHT = 90
    # Its least width, past the axis: room for the log axis' eight ticks (1 to 200) apart. A handle dragged
    # sideways stops there; narrower, the heading and the data ran past the plot's right edge.
    DATA_WIDTH = 160
    # Marks' strokes: under the curves (the data stays on top); a bar chart's limits are drawn over its bars
    RULE_Z = -5
    folders: StartFolders | None = None  # where Save as PNG starts: the window's rule (set by the window)

    def __init__(
        self,
        name: str,
        chart_of: ChartOf,
        parent: QWidget | None = None,
        log_x: bool = False,
        axis_width: int = AXIS_WIDTH,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"plot_{name}")
        self._name, self._chart_of, self._log_x = name, chart_of, log_x
        layout = self.column = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.widget = PlotView()
        self.widget.setObjectName(f"plot_{name}_view")
        self.plot: pg.PlotItem = self.widget.getPlotItem()
        self.plot.hideButtons()
        self.plot.setLogMode(x=log_x, y=False)
        self.plot.layout.setContentsMargins(2, 2, RIGHT_ROOM, 2)
        self.vb: pg.ViewBox = self.plot.vb
        self.vb.setMouseEnabled(x=False, y=False)
        self.vb.enableAutoRange(enable=False)
        self.plot.getAxis("left").setWidth(axis_width)  # a fixed width: new tick labels never relayout the plot
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.enableAutoSIPrefix(False)  # every tick's text comes from the chart: no "k% of peak"
            axis.setCacheMode(CACHED)
        # The chart lets a tick's text reach RIGHT_ROOM pixels past the data area's ends ("1" at the left end
        # of a log axis, "200" at its right); pyqtgraph would leave out any text past the axis itself, and an
        # axis from 1 to 2 clients (one measured point) showed no number at all.
        self.plot.getAxis("bottom").setStyle(hideOverlappingLabels=RIGHT_ROOM)
        self.plot.titleLabel.setCacheMode(CACHED)
        # The heading spans the axis' column too: its lines are as wide as the whole plot.
        self.plot.layout.removeItem(self.plot.titleLabel)
        self.plot.layout.addItem(self.plot.titleLabel, 0, 0, 1, 3)
        self.readout = Readout(f"plot_{name}_readout")
        self.readout.setText(HOVER_HINT)
        layout.addWidget(self.widget, 1)
        layout.addWidget(self.readout)
        self.setMinimumHeight(self.LEAST_HEIGHT)
        self.setMinimumWidth(axis_width + self.DATA_WIDTH + RIGHT_ROOM)
        self._proxy = pg.SignalProxy(self.widget.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse)
        self.widget.viewport().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.widget.viewport().customContextMenuRequested.connect(self._show_menu)
        self.widget.customContextMenuRequested.connect(self._show_menu)  # the menu key, on the focused plot
        self.vb.sigResized.connect(self._resized)
        self._redraw_pending = False
        self._drawing = False
        self._stale = False  # a redraw was skipped while hidden: draw when shown
        self._held = False  # the window is being laid out: draw once it is done (see held_while)
        self._drawn: tuple[Plan | None, Plan | None, Frame | None] = (None, None, None)  # what the last draw was for
        self._heading_height = 0  # pixels, as last laid out
        self._plan: Plan | None = None
        self._baseline: Plan | None = None  # a pinned plan, drawn in grey behind this one
        self.chart: Chart | None = None  # what is drawn now
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.rules: dict[str, QGraphicsLineItem] = {}
        self.labels: list[QGraphicsSimpleTextItem] = []  # reused, never recreated
        self.bars: pg.BarGraphItem | None = None
        self._shown: dict[str, object] = {}  # what was last given to Qt, so that only changes are passed on
        self.theme = theme_for(self.palette())
        self._fonts()
        self._style()

    # --- fonts, colours and pens --------------------------------------------------------------

    def _fonts(self) -> None:
        self.label_font = QFont(self.font())
        self.label_font.setPixelSize(LABEL_PIXELS)
        label_metrics = QFontMetricsF(self.label_font)
        heading = QFont(self.font())
        heading.setPointSize(TITLE_POINTS)
        heading_metrics = QFontMetricsF(heading)
        self._label_width = _remembered_widths(label_metrics)
        self._heading_width = _remembered_widths(heading_metrics)
        self._key_glyph = heading_metrics.horizontalAdvance(GLYPHS["line"] + "\u00a0")
        self._heading_gap = heading_metrics.horizontalAdvance(HEADING_SEPARATOR.replace("&nbsp;", "\u00a0"))
        self._row_height = math.ceil(label_metrics.height()) + 2

    def _scale(self) -> float:
        """Device pixels per logical pixel: a cosmetic pen's width is in device pixels, ours in logical."""
        return self.devicePixelRatioF() or 1.0

    def pen(self, role: str, width: float, dash: bool = False, alpha: int = 255) -> QPen:
        pen = pg.mkPen(_qcolour(self.theme.colour(role), alpha), width=width * self._scale())
        pen.setCosmetic(True)
        if dash:
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def _style(self) -> None:
        """Background, axes, grid and readout in the theme's colours."""
        colour = self.theme.colour
        self.widget.setBackground(colour("paper"))
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(self.pen("ink", 1))
            axis.setTextPen(colour("ink"))
        palette = self.readout.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(colour("muted")))
        self.readout.setPalette(palette)
        self._shown.clear()  # every item takes its new colours at the next draw

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.DevicePixelRatioChange:  # moved to a screen of another scale
            self._style()
            self.redraw()
        return super().event(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and theme_for(self.palette()) is not self.theme:
            self.theme = theme_for(self.palette())
            self._style()
            self.redraw()
        elif event.type() == QEvent.Type.FontChange:
            self._fonts()
            self.redraw()

    # --- showing a plan -----------------------------------------------------------------------

    def show_plan(self, plan: Plan) -> None:
        if self._plan is not None and plan is not self._plan:
            self.readout.setText(HOVER_HINT)  # what was read off the old plan is no longer true
        self._plan = plan
        self.redraw()

    def show_baseline(self, baseline: Plan | None) -> None:
        """Draw a pinned plan in grey behind this one (None: remove it)."""
        self._baseline = baseline
        self.redraw()

    def shown_plan(self) -> Plan | None:
        return self._plan

    def frame(self) -> Frame:
        """The pixels the chart is placed in: the view box, and the fonts' text widths."""
        width, height = self.vb.width(), self.vb.height()
        if width < 10 or height < 10:
            width, height = DEFAULT_FRAME
        heading = self.widget.width() - HEADING_MARGIN  # the widget's, not the plot's: the plot grows with its heading
        return Frame(
            width,
            height,
            self._label_width,
            self._row_height,
            heading,
            self._heading_width,
            RIGHT_ROOM,
            self._key_glyph,
            self._heading_gap,
        )

    def redraw(self) -> None:
        """Draw the chart for the plot as it is now; a hidden plot (behind a tab, or in a window not shown
        yet) draws nothing until it is shown: a slider tick, or the start-up, then costs nothing here."""
        plan = self.shown_plan()
        if plan is None:
            return
        if not self.isVisible() or self._held:
            self._stale = True
            return
        self._stale = False
        self._drawing = True
        frame = self.frame()
        try:
            self.draw(self.chart_for(plan, self._baseline, frame))
        finally:
            self._drawing = False
        self._drawn = (plan, self._baseline, frame)

    @staticmethod
    @contextlib.contextmanager
    def held_while(panels: Sequence[PlotPanel]) -> Iterator[None]:
        """Draw nothing until the block ends, then each stale panel once: showing a window lays it out in
        several passes, each resizing the plots, and only the last size is ever painted."""
        for panel in panels:
            panel._held = True
        try:
            yield
        finally:
            for panel in panels:
                panel._held = False
                if panel._stale:
                    panel.redraw()

    def chart_for(self, plan: Plan, baseline: Plan | None = None, frame: Frame | None = None) -> Chart:
        """The chart of ``plan`` (and a baseline) placed in ``frame``, by default this plot's as it is now."""
        return self._chart_of(plan, frame or self.frame(), baseline, WINDOW)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.redraw()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._resized()  # the heading wraps to the panel's width

    def _resized(self) -> None:
        """The plot changed size: place everything for the new size at once (a picture taken right
        after a resize must not show the old places). A resize caused by drawing itself (a heading
        taller or shorter) is drawn again once that drawing is done."""
        if self._drawing:
            if not self._redraw_pending:
                self._redraw_pending = True
                QTimer.singleShot(0, self, self._redraw_now)
            return
        if self._unchanged():
            return
        self.redraw()

    def _unchanged(self) -> bool:
        """The plan, baseline and frame drawn last are those of now: a resize that kept the view box's size
        (the window settling at start-up sends several) has nothing to place anew."""
        plan, baseline, frame = self._drawn
        return plan is self.shown_plan() and baseline is self._baseline and frame == self.frame()

    def _redraw_now(self) -> None:
        self._redraw_pending = False
        if not self._unchanged():
            self.redraw()

    # --- drawing a chart ----------------------------------------------------------------------

    def _changed(self, key: str, value: object) -> bool:
        if self._shown.get(key) == value:
            return False
        self._shown[key] = value
        return True

    def draw(self, chart: Chart) -> None:
        """Draw ``chart``, placed for this plot's frame: nothing is decided here."""
        self.chart = chart
        self._draw_heading(chart)
        self._draw_axes(chart)
        self._least_height()  # after the axes: the first draw gives the x axis its title, and its height
        shown = set()
        for z, series in enumerate(chart.series):
            self._draw_series(series, z)
            shown.add(series.key)
        for key, item in self.curves.items():
            if key not in shown and item.isVisible():
                item.setData([], [])
                item.setVisible(False)
        self._draw_marks(chart)
        self._draw_labels(chart.labels())

    def _draw_heading(self, chart: Chart) -> None:
        if not self._changed("heading", chart.heading):
            return
        muted = self.theme.colour("muted")
        lines = []
        for line in chart.heading:
            parts = []
            for run in line:
                if run.kind == "title":
                    parts.append(f"<b>{escape(run.text)}</b>")
                elif run.kind == "note":
                    parts.append(f"<span style='font-size:{NOTE_POINTS}pt; color:{muted}'>{escape(run.text)}</span>")
                elif run.kind == "mark" and run.colour is not None:
                    parts.append(f"<span style='color:{self.theme.words(run.colour)}'>{escape(run.text)}</span>")
                elif run.entry is not None:
                    parts.append(self._key_entry(run.entry))
            lines.append(HEADING_SEPARATOR.join(parts))
        html = "<br>".join(lines)
        title = self.plot.titleLabel
        if self._changed("heading_lines", (len(lines), self.theme.name)):
            self.plot.setTitle(html, size=f"{TITLE_POINTS}pt", color=self.theme.colour("ink"), justify="left")
            height = math.ceil(title.item.boundingRect().height()) + 2
            title.setMaximumHeight(height)  # pyqtgraph fixes both at 30 pixels, one line
            self.plot.layout.setRowFixedHeight(0, height)
            self._heading_height = height
        else:  # as many lines as before: new words in place, without laying the plot out again
            title.text = html
            title.item.setHtml(
                f"<span style='color: {self.theme.colour('ink')}; font-size: {TITLE_POINTS}pt'>{html}</span>"
            )
            # The heading's least width is its widest line's: one wrapped for a wider place (the small
            # window's tab) would hold the plot that wide in a narrower one, its right part cut off, and no
            # later resize would shrink it. Narrower words lower it, as setTitle would.
            if title.minimumWidth() > title.itemRect().width() + 0.5:
                title.updateMin()
        # A heading wrapped for an earlier, wider plot may have stretched the plot past the view: fit it
        # again (the view box then reports its new size, and the chart is placed for it).
        view = QRectF(self.widget.viewport().rect())
        if self.plot.geometry() != view:
            self.plot.setGeometry(view)

    def _least_height(self) -> None:
        """A panel never gets lower than its heading, axis and readout plus a readable data area: a
        splitter dragged up stops there instead of squashing the data under a three-line heading."""
        axis = self.plot.getAxis("bottom")
        _, top, _, bottom = self.plot.layout.getContentsMargins()
        needed = (
            self._heading_height
            + self.DATA_HEIGHT
            + math.ceil(axis.height() if axis.isVisible() else 0)
            + math.ceil(top + bottom)
            + self.readout.sizeHint().height()
            + self.column.spacing()
        )
        if max(self.LEAST_HEIGHT, needed) != self.minimumHeight():
            self.setMinimumHeight(max(self.LEAST_HEIGHT, needed))
            self.leastHeightChanged.emit()

    def _key_entry(self, entry: KeyEntry) -> str:
        colour = self.theme.colour(entry.colour)
        return f"<span style='color:{colour}'>{GLYPHS[entry.glyph]}</span>&nbsp;" + escape(entry.label).replace(
            " ", "&nbsp;"
        )

    def _draw_axes(self, chart: Chart) -> None:
        x, y = chart.x, chart.y
        to_view = math.log10 if x.log else float
        if self._changed("range", (x.lo, x.hi, y.lo, y.hi)):
            self.vb.setRange(xRange=(to_view(x.lo), to_view(x.hi)), yRange=(y.lo, y.hi), padding=0)
        if self._changed("x_ticks", x.ticks):
            self.plot.getAxis("bottom").setTicks([[(to_view(v), t) for v, t in x.ticks], []])
        if self._changed("y_ticks", y.ticks):
            self.plot.getAxis("left").setTicks([list(y.ticks), []])
        if self._changed("labels", (x.label, y.label)):
            ink = self.theme.colour("ink")
            self.plot.setLabel("bottom", x.label, color=ink)
            self.plot.setLabel("left", y.label, color=ink)
            # pyqtgraph centres an axis title only when the axis is resized: a longer title put in after
            # the last resize ("throughput (% of peak)" for "% of peak") would reach up over the heading.
            for side in ("left", "bottom"):
                self.plot.getAxis(side).resizeEvent()
        if self._changed("grid", chart.grid):
            self.plot.showGrid(x=chart.grid == "x", y=chart.grid == "y", alpha=0.2)

    def _draw_series(self, series: Series, z: int) -> None:
        item = self.curves.get(series.key)
        if item is None:
            item = self.curves[series.key] = pg.PlotDataItem(connect="finite")
            self.plot.addItem(item)
        style = (series.colour, series.dash, series.width, series.ghost, series.kind, self.theme.name)
        if self._changed(f"series.{series.key}", style):
            alpha = GHOST_ALPHA if series.ghost else 255
            if series.kind == "points":
                edge = self.pen("paper", DOT_EDGE)
                brush = pg.mkBrush(_qcolour(self.theme.colour(series.colour), alpha))
                item.setPen(None)
                item.setSymbol("o")
                item.setSymbolSize(2 * DOT_RADIUS - DOT_EDGE)  # the dot's fill; its outline is centred on its edge
                item.setSymbolPen(edge)
                item.setSymbolBrush(brush)
            else:
                item.setPen(self.pen(series.colour, series.width, series.dash, alpha))
                item.setSymbol(None)
            item.setZValue(-10 if series.ghost else z)
        item.setData(series.xs, series.ys)
        item.setVisible(True)

    def _draw_marks(self, chart: Chart) -> None:
        """Each mark's line where the chart placed it, in the view box's pixels (at ``RULE_Z``)."""
        drawn = set()
        for mark in chart.marks:
            if mark.rule is None:
                continue
            drawn.add(mark.key)
            item = self.rules.get(mark.key)
            if item is None:
                item = self.rules[mark.key] = QGraphicsLineItem(self.vb)
                item.setZValue(self.RULE_Z)
            rule = mark.rule
            if self._changed(f"rule.{mark.key}", (rule.colour, rule.width, rule.dash, rule.ghost)):
                item.setPen(self.pen(rule.colour, rule.width, rule.dash, GHOST_ALPHA if rule.ghost else 255))
            if self._changed(f"line.{mark.key}", (rule.x1, rule.y1, rule.x2, rule.y2)):
                item.setLine(rule.x1, rule.y1, rule.x2, rule.y2)
            item.setVisible(True)
        for key, item in self.rules.items():
            if key not in drawn:
                item.setVisible(False)

    def _draw_labels(self, labels: Sequence[Label]) -> None:
        """Words in the view box's pixels, where the chart placed them."""
        while len(self.labels) < len(labels):
            item = QGraphicsSimpleTextItem(self.vb)
            item.setZValue(20)
            item.setCacheMode(CACHED)
            self.labels.append(item)
        offset = (self._row_height - QFontMetricsF(self.label_font).height()) / 2
        for item, label in zip(self.labels, labels, strict=False):
            ink = self.theme.ink_on(label.on) if label.on else self.theme.words(label.colour)
            if item.text() != label.text:
                item.setText(label.text)
            if item.font() != self.label_font:
                item.setFont(self.label_font)
            if item.brush().color().name().upper() != ink.upper():
                item.setBrush(QColor(ink))
            item.setPos(label.box.x, label.box.y + offset)
            item.setVisible(True)
        for item in self.labels[len(labels) :]:
            item.setVisible(False)

    # --- reading ------------------------------------------------------------------------------

    def _on_mouse(self, event: tuple[QPointF]) -> None:
        if self.chart is None or not self.plot.sceneBoundingRect().contains(event[0]):
            return
        point = self.vb.mapSceneToView(event[0])
        self.readout.setText(self.describe(point.x(), point.y()))

    def describe(self, x: float, y: float) -> str:
        """The readout at view coordinates (x is the logarithm of connections on a log axis)."""
        assert self.chart is not None, "the readout follows the mouse only once a chart is drawn"
        return self.chart.readout(10**x if self._log_x else x, y)

    # --- saving -------------------------------------------------------------------------------

    def menu(self) -> QMenu:
        """Right-click: pyqtgraph's exporters (PNG, SVG, CSV ...), a PNG in one step, or the clipboard."""
        menu = QMenu(self)
        menu.addAction("Export...", self.widget.scene().showExportDialog).setObjectName("plot_export")
        menu.addAction("Save as PNG...", self._ask_and_save).setObjectName("plot_save_png")
        menu.addAction("Copy image", self.copy_image).setObjectName("plot_copy")
        return menu

    def _show_menu(self, position) -> None:
        self.menu().popup(self.widget.viewport().mapToGlobal(position))

    def save_png(self, path: str) -> None:
        """Write the plot as shown (heading and key included) to ``path``; raises OSError when it cannot."""
        if not self.widget.grab().save(path, "PNG"):
            raise OSError(f"{path}: cannot write the PNG")

    def copy_image(self) -> None:
        QGuiApplication.clipboard().setImage(self.widget.grab().toImage())

    def _ask_and_save(self) -> None:
        start = (self.folders.start() if self.folders is not None else Path.home()) / f"{self._name}.png"
        path, _ = QFileDialog.getSaveFileName(self, "Save plot", str(start), "PNG images (*.png)")
        if path:
            try:
                self.save_png(path)
            except OSError as error:
                QMessageBox.warning(self, "Cannot save plot", str(error))
                return
            if self.folders is not None:
                self.folders.chose(Path(path))


class ThroughputPlot(PlotPanel):
    """Throughput against active connections; points of a running sweep land on it as they arrive."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("throughput", throughput_chart, parent, log_x=True)
        self._live: tuple[Measurement, ...] | None = None
        self._live_on = ""
        self._preview: tuple[Plan, tuple[Measurement, ...]] | None = None
        self._preview_plan: Plan | None = None

    def show_live(self, points: Sequence[Measurement], server: str) -> None:
        """Points of a sweep still running: drawn at once, with a provisional fit from three points on."""
        self._live, self._live_on = tuple(points), server
        self.redraw()

    def clear_live(self) -> None:
        self._live = self._preview = None
        self.redraw()

    def shown_plan(self) -> Plan | None:
        """The document's plan, or while a sweep runs, a preview of it with the points measured so far."""
        if self._plan is None or self._live is None:
            return self._plan
        if self._preview is None or self._preview[1] != self._live or self._preview[0] is not self._plan:
            scenario = self._plan.scenario.model_copy(update={"measurements": self._live, "measured_on": self._live_on})
            self._preview = (self._plan, self._live)
            self._preview_plan = plan_of(scenario)
        return self._preview_plan


class MemoryPlot(PlotPanel):
    """Memory in use against connections, with RAM as the line not to cross."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("memory", memory_chart, parent)


class LatencyPlot(PlotPanel):
    """Response time against pool size (and connections) at the demand, with measured latencies beside
    the model's. The window shows it only for a plan with latency to draw (hidden, it draws nothing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("latency", latency_chart, parent, log_x=True)


class BudgetPlot(PlotPanel):
    """The budget as stacked bars: one against max_connections, one against max_wal_senders."""

    LEAST_HEIGHT = 150
    DATA_HEIGHT = 60  # two bars and the words on them
    RULE_Z = 10  # a limit and the line under an over-limit part stay on top of the bars (labels are at 20)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("budget", budget_chart, parent, axis_width=BUDGET_AXIS_WIDTH)

    def draw(self, chart: Chart) -> None:
        self._draw_bars(chart)
        super().draw(chart)

    def _draw_bars(self, chart: Chart) -> None:
        if self.bars is None:
            self.bars = pg.BarGraphItem(x0=[0], y=[1], width=[0], height=chart.bar_height)
            self.plot.addItem(self.bars)
        rows = dict(chart.rows)
        self.bars.setOpts(
            x0=[s.start for s in chart.bars],
            y=[rows[s.row] for s in chart.bars],
            width=[s.width for s in chart.bars],
            height=chart.bar_height,
            brushes=[_qcolour(self.theme.colour(s.colour)) for s in chart.bars],
            pen=self.pen("paper", 1),
        )

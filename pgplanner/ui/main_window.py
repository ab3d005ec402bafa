"""The main window: forms on the left; cards, curves and the details of the plan on the right."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError
from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QSettings, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QSplitter,
    QSplitterHandle,
    QStyle,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..assets import example_scenarios, resource
from ..model import FIELDS, PROVIDER_FIXES, Plan
from ..model import plan as plan_of
from ..model.serialization import InputError, describe, read_scenario_file, scenario_from_json, scenario_to_json
from ..present import CARDS, budget_rows
from ..present.charts import has_latency
from ..present.html import compare_page, derivations_page, headline_html, kernel_html
from ..probe.signals import stopped_status
from . import theme
from .cards import CardGrid
from .document import Document
from .folders import StartFolders
from .forms import Forms
from .headline import Headline
from .mnemonics import with_mnemonics
from .named import named
from .plots import BudgetPlot, LatencyPlot, MemoryPlot, PlotPanel, ThroughputPlot
from .provider_picker import ProviderPicker
from .server_menu import ServerMenu
from .settings_tab import SettingsTab

if TYPE_CHECKING:  # both load on first use, not at start-up
    from ..presets import Preset
    from .export_dialog import ExportDialog

Answer = Literal["save", "discard", "cancel"]
MAX_RECENT = 8
STATUS_MS = 8000  # how long a status-bar message that needs reading stays
TITLE_BAR_ROOM = 140  # pixels of a title bar that are not its title: the icon, three buttons, the margins
# The unsaved changes to a saved file that a stop signal kept (the file's own content is its "last_path").
KEPT_CHANGES = "kept_changes"
KEPT_MESSAGE = "Brought back the changes not saved when the last session was stopped: Undo shows the file as saved"
POOLER_SETTINGS = tuple(f.flat for f in FIELDS.values() if f.group == "pooler" and f.flat != "pooler")
MINIMUM_SIZE = (1024, 700)  # the smallest window in which every card, plot and input stays readable
WARNING_TINT = 45  # alpha of a warning's severity colour behind its text: a tint, the text stays the palette's
# Results area narrower or lower than this: the plots become tabs. It must also be as tall as the plots'
# minimums side by side need (see MainWindow._column_needs), or a plot's readout would be cut off.
COMPACT_BELOW = (720, 560)
# The details tabs' least height in lines of text under their tab bar: warnings, settings, the kernel's lines
# are read there (they scroll; the plots come first).
DETAILS_LINES = 3
RESULTS_GAP = 4  # pixels above the headline, between it, the cards and the plots, and under the details
DEFAULT_SIZE = (1280, 800)
# A window manager's frame around the window (title bar and borders; a title bar is 30-40 pixels on common
# desktops): kept free when the default size is fitted to a screen.
FRAME_ALLOWANCE = (16, 48)
HANDLE_STEP, HANDLE_PAGE = 10, 60  # pixels a focused splitter handle moves per arrow key, per Page Up/Down
FOCUS_MARGIN = 24  # pixels kept in view above and below an input that takes the focus (its row's own margins)


class _Handle(QSplitterHandle):
    """A splitter handle that can be seen: a grey bar with a grip in the middle. The keyboard moves it too:
    Tab reaches it (it turns the highlight colour) and the arrow keys move it, Page Up and Page Down in
    bigger steps."""

    def __init__(self, orientation: Qt.Orientation, parent: QSplitter) -> None:
        super().__init__(orientation, parent)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_Hover)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        if self.hasFocus():
            fill = self.palette().color(QPalette.ColorRole.Highlight)
        else:
            fill = theme.qcolor(theme.LIGHT_GREY if not self.underMouse() else theme.GREY, 160)
        painter.fillRect(self.rect(), fill)
        painter.setPen(theme.qcolor(theme.GREY))
        centre = self.rect().center()
        for step in (-8, 0, 8):  # three grip dots across the handle
            dot = (
                QPoint(centre.x() + step, centre.y())
                if self.orientation() == Qt.Orientation.Vertical
                else QPoint(centre.x(), centre.y() + step)
            )
            painter.drawEllipse(dot, 1, 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {
            Qt.Key.Key_Left: -HANDLE_STEP,
            Qt.Key.Key_Up: -HANDLE_STEP,
            Qt.Key.Key_Right: HANDLE_STEP,
            Qt.Key.Key_Down: HANDLE_STEP,
            Qt.Key.Key_PageUp: -HANDLE_PAGE,
            Qt.Key.Key_PageDown: HANDLE_PAGE,
        }
        step = steps.get(Qt.Key(event.key()))
        if step is None:
            super().keyPressEvent(event)
            return
        position = self.x() if self.orientation() == Qt.Orientation.Horizontal else self.y()
        self.moveSplitter(self.closestLegalPosition(position + step))

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()


class Splitter(QSplitter):
    def createHandle(self) -> QSplitterHandle:
        return _Handle(self.orientation(), self)


SCENARIO_FILTER = "pgplanner scenarios (*.json);;All files (*)"
# The two dialogs that pick a saved scenario say what it is for: Compare's leaves the open scenario as it is.
OPEN_TITLE = "Open scenario"
COMPARE_TITLE = "Compare with scenario (pinned as the baseline)"


def example_title(stem: str) -> str:
    """A bundled example's menu entry: ``pgbouncer-100`` is "Pgbouncer 100"."""
    return stem.replace("-", " ").capitalize()


def example_entries() -> list[tuple[str, str, Path]]:
    """The bundled examples as a submenu's entries: file stem, title with an Alt+letter of its own (the
    letters of the menu bar do not count inside a submenu), path."""
    examples = example_scenarios()
    titles = with_mnemonics([[example_title(stem) for stem in examples]], taken=())[0]
    return [(stem, title, path) for (stem, path), title in zip(examples.items(), titles, strict=True)]


class ShortcutsFirst(QObject):
    """The window's shortcuts win over the editing keys of the box that has the focus.

    A spin box or combo claims Ctrl+Z, Ctrl+E ... for its own line edit; the user, who mostly has a
    box focused, means the window's Undo, Export and so on.
    """

    def __init__(self, actions: list[QAction], parent: QObject) -> None:
        super().__init__(parent)
        self._keys = {sequence.toString() for action in actions for sequence in action.shortcuts()}

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride or not isinstance(event, QKeyEvent):
            return False
        if QKeySequence(event.keyCombination()).toString() in self._keys:
            event.ignore()  # not claimed: the shortcut map gives the key to the window's action
            return True
        return False


class SideTabs(QTabWidget):
    """The tabs beside the throughput plot (memory, and latency when the plan has it), as wide as a plot
    asks to be, so that the two sit side by side evenly."""

    def __init__(self, beside: QWidget) -> None:
        super().__init__()
        self.setObjectName("curves_side")
        self._beside = beside

    def sizeHint(self) -> QSize:
        return self._beside.sizeHint()

    def minimumSizeHint(self) -> QSize:
        """The plot's least size, and the tab bar's height only while it is shown: QTabWidget counts a hidden
        bar too, which took 30 pixels from the details under the plots (see MainWindow._column_needs)."""
        least = super().minimumSizeHint()
        if self.tabBar().isHidden():
            least.setHeight(least.height() - self.tabBar().minimumSizeHint().height())
        return least


def _wide_enough_for_its_title(box: QMessageBox) -> None:
    """A message box as wide as the window manager needs to write its title whole: a short question made the
    box so narrow that openbox wrote "Unsaved chan…s — pgplanner". Measured in a bold face, as title bars
    write, with room for the title bar's icon and buttons."""
    title = box.windowTitle()
    display_name = QGuiApplication.applicationDisplayName()
    if display_name and display_name not in title:
        title = f"{title} \u2014 {display_name}"  # how Qt names a dialog to the window manager
    font = box.font()
    font.setBold(True)
    needed = math.ceil(QFontMetricsF(font).horizontalAdvance(title)) + TITLE_BAR_ROOM
    layout = box.layout()
    if isinstance(layout, QGridLayout):
        spacer = QSpacerItem(needed, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum)
        layout.addItem(spacer, layout.rowCount(), 0, 1, layout.columnCount())


class MainWindow(QMainWindow):
    # A stop signal ended the session (end_session): the status the program exits with, 128 + the signal.
    session_ended = Signal(int)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("main_window")
        self.settings = settings
        self.folders = StartFolders(settings)  # where every file dialog of the window starts
        self.document = Document(self)
        # Dialogs are attributes so tests (and scripts) can answer them without a human.
        self.ask_unsaved: Callable[[], Answer] = self._ask_unsaved
        self.ask_open_path: Callable[[str], Path | None] = self._ask_open_path
        self.ask_save_path: Callable[[], Path | None] = self._ask_save_path
        self.report_error: Callable[[str, str], None] = self._report_error  # (title, one-line reason)
        self.ask_report_path: Callable[[], Path | None] = self._ask_report_path
        self.baseline: Plan | None = None  # a pinned plan, drawn as ghosts and compared with the live one

        self.forms = Forms(self.document)
        self.forms.problem.connect(self._show_problem)
        self.picker = ProviderPicker()
        self.picker.chosen.connect(self.choose_preset)
        self.picker.setTitle(self.forms.provider_title)  # "&Provider plan": Alt+P reaches the plan search
        self.forms.add_group(self.picker, 1)
        self._fixed_by: tuple[str | None, bool] | None = None  # provider, no pooler: what the forms grey
        self._export: ExportDialog | None = None
        self._warnings_shown: tuple | None = None
        self._discarded = False  # the last unsaved-changes prompt was answered "discard"
        self._ending = False  # a stop signal ends the session: no question is asked any more
        self.compact = False  # plots as tabs beside the details (a small window)
        self._needs = 0  # the results' least height with the plots side by side, as last measured so
        self._compact_at = QSize()  # the results' size when the plots last became tabs
        self._cards_height = 0  # the cards' height side by side, as last shown
        self.headline = Headline()
        self.cards = CardGrid()
        self.cards.cardClicked.connect(self.explain)
        self.throughput_plot, self.memory_plot, self.budget_plot = ThroughputPlot(), MemoryPlot(), BudgetPlot()
        for panel in (self.throughput_plot, self.memory_plot, self.budget_plot):
            panel.folders = self.folders
        self._latency_plot: LatencyPlot | None = None  # built when a plan first has latency to draw
        self.latency_shown = False
        self.details = self._build_details()
        self.setCentralWidget(self._build_layout())
        self._build_menus()
        self._shortcuts_first = ShortcutsFirst(self.findChildren(QAction), self)
        self._shortcuts_win_in([self.forms])
        self.forms.built.connect(self._shortcuts_win_in)
        application = QApplication.instance()
        if isinstance(application, QApplication):
            application.focusChanged.connect(self._show_focused_input)
        self.statusBar()

        self.document.planChanged.connect(self.show_plan)
        self.document.stateChanged.connect(self._update_title)
        self.show_plan(self.document.plan)
        self._update_title()
        self._fit_to_screen()

    def _shortcuts_win_in(self, parents: list[QWidget]) -> None:
        """The window's shortcuts win in every box inside ``parents`` (an editable combo's line edit
        takes its focus, so it is watched too)."""
        boxes = (QAbstractSpinBox, QComboBox, QLineEdit)
        for box in (w for parent in parents for kind in boxes for w in parent.findChildren(kind)):
            box.installEventFilter(self._shortcuts_first)

    def _show_focused_input(self, _before: QWidget | None, now: QWidget | None) -> None:
        """An input that takes the focus is scrolled into view in the inputs panel, however it got it (its
        label's Alt+letter, Tab, a click on its half-hidden edge): the user sees what they are about to change."""
        if now is not None and self.forms.isAncestorOf(now):
            self.inputs.ensureWidgetVisible(now, 0, FOCUS_MARGIN)

    # --- layout ---------------------------------------------------------------------------

    def _fit_to_screen(self) -> None:
        """The default size, and the minimum, within the screen's available area less the window frame: on
        a HiDPI screen at scale 2 the logical screen may be no larger than the default, and the status bar
        (where a refused value is explained) must stay on screen."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() - QSize(*FRAME_ALLOWANCE) if screen else QSize(*DEFAULT_SIZE)
        self.setMinimumSize(QSize(*MINIMUM_SIZE).boundedTo(room))
        self.resize(QSize(*DEFAULT_SIZE).boundedTo(room))

    def _build_layout(self) -> QWidget:
        inputs = self.inputs = named(QScrollArea(), "inputs")
        inputs.setWidget(self.forms)
        inputs.setWidgetResizable(True)
        # As narrow as the forms can be, never narrower (the panel scrolls only up and down).
        inputs.setMinimumWidth(self.forms.minimumSizeHint().width() + inputs.verticalScrollBar().sizeHint().width() + 4)
        inputs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # No Tab stop of its own: it draws no focus, so Tab seemed to vanish between the last handle and the first
        # input. The inputs in it keep their stops, and the panel scrolls to the one with the focus.
        inputs.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        curves = named(Splitter(Qt.Orientation.Horizontal), "curves")
        curves.addWidget(self.throughput_plot)
        # Memory, and latency when the plan has it, share the right-hand place: latency beside throughput.
        self.side = SideTabs(self.throughput_plot)
        self.side.setDocumentMode(True)
        self.side.addTab(self.memory_plot, "Memory")
        self._side_tabs(False)
        curves.addWidget(self.side)
        curves.setStretchFactor(0, 1)  # the two plots share a wider or narrower window evenly
        curves.setStretchFactor(1, 1)
        curves.splitterMoved.connect(self._curves_moved)
        # The plots in a splitter of their own above the details: the handle over the details gives and takes
        # room from the plots by their stretch, the curves first (a budget bar needs less height than a curve).
        plots = named(Splitter(Qt.Orientation.Vertical), "plots")
        plots.addWidget(curves)
        plots.addWidget(self.budget_plot)
        plots.setStretchFactor(0, 3)
        plots.setStretchFactor(1, 1)
        lower = named(Splitter(Qt.Orientation.Vertical), "plots_and_details")
        lower.addWidget(plots)
        lower.addWidget(self.details)
        lower.setStretchFactor(0, 5)
        lower.setStretchFactor(1, 2)

        for splitter in (curves, plots, lower):
            splitter.setChildrenCollapsible(False)  # a dragged handle stops at a plot's minimum height
            splitter.setHandleWidth(7)
        self.curves, self.plots, self.plots_and_details = curves, plots, lower
        curves.installEventFilter(self)  # back from the tabs, the plots are split evenly once laid out
        self._even_pending = False
        self._split_that_fits: list[int] = []  # the plots' widths when the handle between them last left room
        self._split_by_hand = False  # the user dragged the handle between the plots since they were split evenly
        results = self.results = named(QWidget(), "results")
        column = QVBoxLayout(results)
        # Little room above and below, and between the rows: every pixel of height goes to the plots and the
        # details (at 1280x800 with a demand, the details' three lines fit beside the plots by 20 pixels).
        side = column.contentsMargins().left()
        column.setContentsMargins(side, RESULTS_GAP, side, RESULTS_GAP)
        column.setSpacing(RESULTS_GAP)
        column.addWidget(self.headline)
        column.addWidget(self.cards)
        column.addWidget(lower, 1)
        results.installEventFilter(self)  # its size decides where the plots go, and the plots' least heights
        for panel in (self.throughput_plot, self.memory_plot, self.budget_plot):
            panel.leastHeightChanged.connect(self._arrange_soon)

        self.splitter = named(Splitter(Qt.Orientation.Horizontal), "main_splitter")
        self.splitter.addWidget(inputs)
        self.splitter.addWidget(results)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([inputs.minimumWidth(), DEFAULT_SIZE[0] - inputs.minimumWidth()])
        return self.splitter

    def _build_details(self) -> QTabWidget:
        tabs = named(QTabWidget(), "details")
        self.warnings = named(QListWidget(), "warnings")
        self.warnings.setWordWrap(True)
        self.derivations = named(QTextBrowser(), "derivations")
        self.budget_table = named(QTreeWidget(), "budget_table")
        self.budget_table.setHeaderLabels(["Budget line", "Connections", "Counts against", "Why"])
        self.budget_table.setRootIsDecorated(False)
        self.kernel = named(QTextBrowser(), "kernel")
        self.compare = QTextBrowser()
        self.compare.setObjectName("compare")
        self.settings_tab = SettingsTab()
        tabs.addTab(self.warnings, "Warnings")
        tabs.addTab(self.derivations, "Why these numbers")
        tabs.addTab(self.budget_table, "Budget table")
        tabs.addTab(self.settings_tab, "Settings")
        tabs.addTab(self.kernel, "Kernel and OS")
        tabs.addTab(self.compare, "Compare")
        tabs.currentChanged.connect(self._show_details)
        tabs.setMinimumHeight(self._details_height(tabs))
        return tabs

    @staticmethod
    def _details_height(tabs: QTabWidget) -> int:
        """A tab bar and :data:`DETAILS_LINES` lines of a list in the tabs' font, with the list's frame."""
        frame = 2 * tabs.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)
        return tabs.tabBar().sizeHint().height() + DETAILS_LINES * tabs.fontMetrics().lineSpacing() + 2 * frame

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.results and event.type() == QEvent.Type.Resize:
            self._arrange(resized=True)
        elif watched is self.curves and event.type() == QEvent.Type.Resize and self._even_pending:
            self._even_curves()
        return False

    def _arrange(self, resized: bool = False) -> None:
        """Side by side when there is room; in a small window each plot is a tab beside the details.

        What side by side needs is measured only while the plots are side by side (in the tabs their
        headings wrap less). A window grown since the plots became tabs tries side by side again: the
        plots, drawn at their new width, say what they need, and go back to tabs if it is too much."""
        area = self.results.size()
        if not self.compact:
            self._needs = self._column_needs()
        elif resized and (area.width() > self._compact_at.width() or area.height() > self._compact_at.height()):
            self._needs = 0  # a trial: measured again once the plots are laid out side by side
        low = max(COMPACT_BELOW[1], self._needs)
        compact = area.width() < COMPACT_BELOW[0] or area.height() < low
        if compact == self.compact:
            return
        if compact and self._split_by_hand:
            # The user's split no longer fits (a narrow plot's heading wraps onto more lines than the height
            # holds): split evenly first, and the tabs only if even that does not fit.
            self._even_pending = True
            self._even_curves()
            QTimer.singleShot(0, self, self._arrange)
            return
        self.compact = compact
        self._compact_at = area
        plots = ((self.throughput_plot, "Throughput"), (self.memory_plot, "Memory"), (self.budget_plot, "Budget chart"))
        if compact:
            for index, (plot, title) in enumerate(plots):
                self.details.insertTab(index, plot, title)
            self.details.setCurrentIndex(0)
        else:
            for plot, _ in plots:
                self.details.removeTab(self.details.indexOf(plot))
            latency = self._latency_plot
            if latency is not None and (tab := self.details.indexOf(latency)) >= 0:
                self.details.removeTab(tab)
            self.curves.insertWidget(0, self.throughput_plot)
            self.side.insertTab(0, self.memory_plot, "Memory")
            if latency is not None:
                self.side.insertTab(1, latency, "Latency")
            self.plots.insertWidget(1, self.budget_plot)
            for plot, _ in plots:
                plot.show()
            self.details.setCurrentWidget(self.warnings)
        self._place_latency(self.latency_shown, moved=True)
        self.plots.setVisible(not compact)
        if not compact:  # back side by side, evenly, once laid out at the new size (the tabs' sizes mean nothing)
            self._even_pending = True
            QTimer.singleShot(0, self, self._even_curves)
            QTimer.singleShot(0, self, self._arrange)  # do they fit, drawn at their width? (a trial may not)
        self.cards.set_compact(compact)

    def _arrange_soon(self) -> None:
        """Arrange again once the plots are drawn: a heading that wrapped may need the small window's tabs."""
        if not self.compact:
            QTimer.singleShot(0, self, self._arrange)

    def _column_needs(self) -> int:
        """The height the results need with the plots side by side: every plot's minimum (which grows with
        its heading's lines), the details', the cards' (as a wide window lays them out) and the spaces
        between."""
        column = self.results.layout()
        assert column is not None
        margins = column.contentsMargins()
        beside = [self.throughput_plot, self.memory_plot] + ([self.latency_plot] if self.latency_shown else [])
        side_bar = self.side.tabBar().sizeHint().height() if self.latency_shown else 0
        plots = max(panel.minimumHeight() for panel in beside) + side_bar + self.budget_plot.minimumHeight()
        return (
            margins.top()
            + margins.bottom()
            + 2 * column.spacing()
            + self.headline.height()
            + self.cards.height_side_by_side()
            + plots
            + self.details.minimumHeight()
            + 2 * self.plots.handleWidth()
        )

    def _even_curves(self) -> None:
        """Split the two plots evenly; until the user drags the handle between them, every resize keeps
        them even (a window manager resizes in many steps, and the first step's split means nothing)."""
        total = sum(self.curves.sizes())
        if total > 0:
            self.curves.setSizes([total - total // 2, total // 2])
            self._split_that_fits = self.curves.sizes()
        self._split_by_hand = False

    def _curves_moved(self) -> None:
        """The user's split stays, as far as the headings fit: a plot dragged narrower wraps its heading onto
        more lines and needs more height, and past what the window has, the plots would turn into tabs (with
        no handle left to drag back). The handle stops at the last split that fitted instead."""
        self._even_pending = False
        self._split_by_hand = True
        if self._column_needs() <= self.results.height():
            self._split_that_fits = self.curves.sizes()
        elif self._split_that_fits:
            self.curves.setSizes(self._split_that_fits)

    @property
    def latency_plot(self) -> LatencyPlot:
        """The latency plot, built on first use: most plans have no latency to draw, and start-up need not pay
        for a fourth plot. It joins the Memory tab beside throughput (hidden until there is latency to draw)."""
        if self._latency_plot is None:
            panel = self._latency_plot = LatencyPlot()
            panel.folders = self.folders
            panel.leastHeightChanged.connect(self._arrange_soon)
            panel.show_baseline(self.baseline)
            if not self.compact:
                self.side.insertTab(1, panel, "Latency")
                self._side_tabs(self.latency_shown)
        return self._latency_plot

    def _side_tabs(self, latency: bool) -> None:
        """The Memory and Latency tabs beside throughput; with no latency to draw, memory alone and no tab bar."""
        if self._latency_plot is not None:
            self.side.setTabVisible(self.side.indexOf(self._latency_plot), latency)
        self.side.tabBar().setVisible(latency)
        # A hidden tab bar must not take the focus: Tab would stop on it, unseen, and go no further.
        self.side.tabBar().setFocusPolicy(Qt.FocusPolicy.TabFocus if latency else Qt.FocusPolicy.NoFocus)

    def _place_latency(self, shown: bool, moved: bool = False) -> None:
        """The latency plot beside throughput (a tab after the budget bar in a small window) while the plan
        has latency to draw (a demand, or measured latencies); it comes to the front when it appears."""
        if shown == self.latency_shown and not moved:
            return
        if not shown and self._latency_plot is None:  # nothing to hide: the plot was never needed
            self.latency_shown = False
            self._side_tabs(False)
            return
        appears = shown and not self.latency_shown
        self.latency_shown = shown
        tab = self.details.indexOf(self.latency_plot)
        if self.compact:
            if shown and tab < 0:
                self.details.insertTab(self.details.indexOf(self.budget_plot) + 1, self.latency_plot, "Latency")
            elif not shown and tab >= 0:
                self.details.removeTab(tab)
        else:
            self._side_tabs(shown)
            if appears or moved:  # latency to the front when it appears; after a move, what was in front
                self.side.setCurrentWidget(self.latency_plot if shown else self.memory_plot)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.menu_actions: dict[str, QAction] = {}

        def action(menu, key: str, text: str, slot, shortcut=None) -> QAction:
            act = named(QAction(text, self), f"action_{key}")
            if shortcut is not None:
                act.setShortcut(shortcut)
            act.triggered.connect(slot)
            menu.addAction(act)
            self.menu_actions[key] = act
            return act

        action(file_menu, "new", "&New", self.new_scenario, QKeySequence.StandardKey.New)
        action(file_menu, "open", "&Open...", self.open_scenario, QKeySequence.StandardKey.Open)
        examples = file_menu.addMenu("Open &Example")
        for name, title, path in example_entries():
            example = examples.addAction(title, partial(self.open_example, path))
            example.setObjectName(f"action_example_{name}")
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        action(file_menu, "save", "&Save", self.save_scenario, QKeySequence.StandardKey.Save)
        action(file_menu, "save_as", "Save &As...", self.save_scenario_as, QKeySequence.StandardKey.SaveAs)
        file_menu.addSeparator()
        action(file_menu, "export", "&Export Bundle...", self.open_export, QKeySequence("Ctrl+E"))
        action(file_menu, "export_report", "Export &Report...", self.export_report, QKeySequence("Ctrl+R"))
        file_menu.addSeparator()
        action(file_menu, "quit", "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit_menu = self.menuBar().addMenu("&Edit")
        undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        undo.setObjectName("action_undo")
        redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        # Both spellings on every platform: a DBA's hands know one or the other.
        redo_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        redo.setShortcuts(redo_keys + [k for k in map(QKeySequence, ("Ctrl+Shift+Z", "Ctrl+Y")) if k not in redo_keys])
        redo.setObjectName("action_redo")
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        self.menu_actions.update(undo=undo, redo=redo)
        edit_menu.addSeparator()
        action(edit_menu, "detect", "&Detect This Machine", self.detect_machine, QKeySequence("Ctrl+D"))

        compare_menu = self.menuBar().addMenu("&Compare")
        action(compare_menu, "pin_baseline", "&Pin as Baseline", self.pin_baseline, QKeySequence("Ctrl+B"))
        action(compare_menu, "compare_with", "Compare with &Scenario...", self.compare_with_scenario)
        examples = compare_menu.addMenu("Compare with &Example")
        for name, title, path in example_entries():
            example = examples.addAction(title, partial(self.compare_with_scenario, path))
            example.setObjectName(f"action_compare_example_{name}")
        action(compare_menu, "clear_baseline", "&Clear Baseline", lambda: self.set_baseline(None))
        self.menu_actions["clear_baseline"].setEnabled(False)
        self.server = ServerMenu(self)  # psycopg loads when it first connects, not at start-up
        self.server.install(self.menuBar())

        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "about", "&About pgplanner", self._about)

    # --- showing the plan -----------------------------------------------------------------

    def show_plan(self, plan: Plan) -> None:
        self.headline.set_wordings(headline_html(plan, theme.words_on(theme.VERMILLION, self.palette()).name()))
        self.cards.show_plan(plan, self.baseline)
        self.picker.show_plan(plan)
        self._lock_fixed_inputs(plan)
        self.throughput_plot.show_plan(plan)
        self.memory_plot.show_plan(plan)
        self.budget_plot.show_plan(plan)
        self._place_latency(has_latency(plan))
        if self._latency_plot is not None:
            self._latency_plot.show_plan(plan)
        self._show_warnings(plan)
        self._show_details()
        self._cards_resized()

    def _cards_resized(self) -> None:
        """Cards taller or lower (a baseline pinned or cleared, the latency card come or gone) change what the
        plots side by side need: arrange again once laid out. Lower cards in the small window's tabs are a
        trial of side by side, as a window grown is (the tabs' own sizes say nothing of it)."""
        height = self.cards.height_side_by_side()
        if height == self._cards_height:
            return
        if self.compact and height < self._cards_height:
            self._needs = 0
        self._cards_height = height
        QTimer.singleShot(0, self, self._arrange)

    def _show_details(self) -> None:
        """Render only the details tab in view; the others catch up when they are shown."""
        plan, tab = self.document.plan, self.details.currentWidget()
        if tab is self.derivations:
            self._show_derivations(plan)
        elif tab is self.budget_table:
            self._show_budget(plan)
        elif tab is self.settings_tab:
            self.settings_tab.show_plan(plan)
        elif tab is self.kernel:
            self._show_kernel(plan)
        elif tab is self.compare:
            self._show_compare(plan)

    def setVisible(self, visible: bool) -> None:
        """Shown, the window is laid out in several passes that each resize the plots: they are drawn once,
        at the size they are painted at, after the last pass."""
        if not visible or self.isVisible():
            super().setVisible(visible)
            return
        panels = [self.throughput_plot, self.memory_plot, self.budget_plot]
        with PlotPanel.held_while(panels + ([self._latency_plot] if self._latency_plot is not None else [])):
            super().setVisible(visible)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a dark desktop, or a light one again
            self.cards.set_theme(theme.theme_for(self.palette()))
            self._warnings_shown = None
            self.show_plan(self.document.plan)

    def _show_warnings(self, plan: Plan) -> None:
        if plan.warnings == self._warnings_shown:
            return  # most slider ticks change no warning: keep the list (and its layout) as it is
        self._warnings_shown = plan.warnings
        self.warnings.clear()
        # The window's palette, not the list's: on a palette change the window hears of it before its children.
        # Its active colours: the plan may change while another window is in front (File > New's question,
        # the Measure dialog), and a desktop that greys a background window's words (GNOME) would leave
        # these grey once the window is in front again.
        palette = self.palette()
        ink = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text)  # on a light tint of its base
        for warning in plan.warnings:
            item = QListWidgetItem(f"{warning.severity.upper()}  {warning.message}")
            item.setData(Qt.ItemDataRole.UserRole, warning.code)
            item.setToolTip(warning.code)
            item.setForeground(ink)
            item.setBackground(theme.qcolor(theme.SEVERITY[warning.severity], WARNING_TINT))
            self.warnings.addItem(item)
        if not plan.warnings:
            self.warnings.addItem("No warnings: this plan holds together.")
        worst = plan.warnings[0].severity if plan.warnings else None
        label = f"Warnings ({len(plan.warnings)})" if plan.warnings else "Warnings"
        tab = self.details.indexOf(self.warnings)
        self.details.setTabText(tab, label)
        colour = QColor()  # no warnings: the tab bar's own colour, as it is in front or behind
        if worst:  # the title in the worst severity's colour, readable on the tab
            colour = theme.words_on(theme.SEVERITY[worst], palette, theme.TAB_LIGHTER)
        self.details.tabBar().setTabTextColor(tab, colour)

    def _show_derivations(self, plan: Plan) -> None:
        scroll = self.derivations.verticalScrollBar().value()
        self.derivations.setHtml(derivations_page(plan, {spec.title: spec.key for spec in CARDS}))
        self.derivations.verticalScrollBar().setValue(scroll)

    def _show_budget(self, plan: Plan) -> None:
        self.budget_table.clear()
        for row in budget_rows(plan):
            QTreeWidgetItem(self.budget_table, [row.name, row.connections, row.counts_against, row.why])
        for column in range(3):
            self.budget_table.resizeColumnToContents(column)

    def _show_kernel(self, plan: Plan) -> None:
        self.kernel.setHtml(kernel_html(plan))

    def _show_compare(self, plan: Plan) -> None:
        if self.baseline is None:
            self.compare.setHtml(
                "<p>No baseline pinned. <b>Compare &gt; Pin as Baseline</b> (Ctrl+B) keeps this plan as it is now: "
                "its curves stay on the plots in grey, the cards show its figures and the change, and this tab "
                "lists every output and setting that differs as you edit. <b>Compare with Scenario...</b> pins a "
                "saved scenario instead.</p>"
            )
            return
        scroll = self.compare.verticalScrollBar().value()
        self.compare.setHtml(compare_page(self.baseline, plan))
        self.compare.verticalScrollBar().setValue(scroll)

    # --- compare and report ---------------------------------------------------------------

    def pin_baseline(self) -> None:
        """Keep the plan on screen as the baseline the next edits are compared with."""
        self.set_baseline(self.document.plan)
        self.statusBar().showMessage("Pinned as baseline: edit away, the grey curves and the Compare tab keep it", 6000)

    def compare_with_scenario(self, path: Path | None = None) -> bool:
        """Pin a saved scenario as the baseline, so two scenarios show side by side."""
        asked = not path  # a bundled example of the Compare menu is not a folder the user chose
        path = path or self.ask_open_path(COMPARE_TITLE)
        if path is None:
            return False
        try:
            scenario = read_scenario_file(path)
        except InputError as error:
            self.report_error("Cannot compare with scenario", str(error))
            return False
        if asked:
            self.folders.chose(path)
        else:
            self.folders.found_examples()
        self.set_baseline(plan_of(scenario))
        return True

    def set_baseline(self, baseline: Plan | None) -> None:
        self.baseline = baseline
        self.menu_actions["clear_baseline"].setEnabled(baseline is not None)
        for panel in (self.throughput_plot, self.memory_plot, self.budget_plot, self._latency_plot):
            if panel is not None:
                panel.show_baseline(baseline)
        self.show_plan(self.document.plan)
        if baseline is not None:
            self.details.setCurrentWidget(self.compare)

    def export_report(self) -> Path | None:
        """Write the plan (and the baseline, when one is pinned) as one self-contained HTML file."""
        path = self.ask_report_path()
        if path is None:
            return None
        from ..export.atomic import write_file_atomically  # the report's modules load on first use
        from ..present.report import render_html_report

        current = self.document.plan
        html = render_html_report(current, self.baseline, ("baseline", self.document.title))
        try:
            write_file_atomically(path, html)
        except OSError as error:
            self.report_error("Cannot write the report", f"{path}: {error.strerror or error}")
            return None
        self.folders.chose(path)
        self.statusBar().showMessage(f"Wrote {path}", 6000)
        return path

    def _ask_report_path(self) -> Path | None:
        stem = self.document.path.stem if self.document.path else "pgplanner-report"
        suggested = str(self.folders.start(self.document.folder) / f"{stem}.html")
        name, _ = QFileDialog.getSaveFileName(self, "Export report", suggested, "HTML report (*.html)")
        return Path(name) if name else None

    def open_export(self) -> ExportDialog:
        """The export dialog (one per window, kept so its destination and choices persist)."""
        if self._export is None:
            from .export_dialog import ExportDialog

            self._export = ExportDialog(
                self.document, self.folders, lambda title, reason: self.report_error(title, reason), self
            )
        self._export.show()
        if QGuiApplication.platformName() != "offscreen":  # offscreen windows have no stacking order
            self._export.raise_()
        return self._export

    def choose_preset(self, preset: Preset | None) -> None:
        """Put the scenario on a provider plan, or back on self-managed hardware (one undo step)."""
        document = self.document
        scenario = document.scenario
        if preset is None:
            # Back on the user's own hardware: what it was before the first plan was chosen (kept in the undo history).
            hardware = document.own_hardware or scenario.hardware
            update = {"provider": None, "hardware": hardware}
            document.replace(scenario.model_copy(update=update), "Back to self-managed", own_hardware=None)
        else:
            from ..presets import apply_preset

            own = scenario.hardware if scenario.provider is None else document.own_hardware
            chosen = f"Choose {preset.provider_name} {preset.plan.plan}"  # the names people know, not the catalog's key
            document.replace(apply_preset(scenario, preset), chosen, own_hardware=own)

    def _lock_fixed_inputs(self, plan: Plan) -> None:
        """Grey what does not apply: inputs a provider plan fixes, and the pooler's with no pooler."""
        provider = plan.scenario.provider.id if plan.scenario.provider else None
        state = (provider, plan.scenario.pooler.kind == "none")
        if state != self._fixed_by:
            self._fixed_by = state
            reasons = dict.fromkeys(POOLER_SETTINGS, "no pooler") if state[1] else {}
            reasons.update(dict.fromkeys(PROVIDER_FIXES, f"Fixed by {provider}") if provider else {})
            chosen = plan.scenario.provider
            cores = chosen.derivations.get("cores") if chosen else None
            if cores is not None and "cores" in reasons:
                reasons["cores"] += f": {cores.calculation} ({cores.note})"
            self.forms.set_fixed(reasons)

    def _show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    def explain(self, key: str) -> None:
        """Show the derivation behind a card (clicking a card does this)."""
        self.details.setCurrentWidget(self.derivations)
        self.derivations.scrollToAnchor(key)

    # --- files ------------------------------------------------------------------------------

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.title}[*] — pgplanner")
        self.setWindowModified(self.document.modified)

    def _may_discard(self) -> bool:
        """True when there are no unsaved changes or the user agreed to save or drop them."""
        if not self.document.modified:
            return True
        answer = self.ask_unsaved()
        if self._ending:  # a stop signal came while the question was open: the session has ended
            return False
        if answer == "save":
            return self.save_scenario()
        self._discarded = answer == "discard"
        return self._discarded

    def new_scenario(self) -> None:
        if self._may_discard():
            self.document.new()

    def open_scenario(self, path: Path | None = None) -> bool:
        if not self._may_discard():
            return False
        path = path or self.ask_open_path(OPEN_TITLE)
        if path is None:
            return False
        try:
            self.document.open(Path(path))
        except InputError as error:
            self.report_error("Cannot open scenario", str(error))
            return False
        self._remember(Path(path))
        self.folders.chose(Path(path))
        return True

    def open_example(self, path: Path) -> bool:
        """An example opens as an untitled copy: Save asks where, and the shipped file is never written."""
        if not self._may_discard():
            return False
        try:
            self.document.new(read_scenario_file(path))
        except InputError as error:
            self.report_error("Cannot open example", str(error))
            return False
        self.folders.found_examples()  # its folder, inside the program, is not one the user chose (see .folders)
        return True

    def save_scenario(self) -> bool:
        if self.document.path is None:
            return self.save_scenario_as()
        return self._save(self.document.path)

    def save_scenario_as(self) -> bool:
        path = self.ask_save_path()
        return path is not None and self._save(path)

    def _save(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as error:
            self.report_error("Cannot save scenario", f"{path}: {error.strerror or error}")
            return False
        self._remember(path)
        self.folders.chose(path)
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def _remember(self, path: Path) -> None:
        recent = [str(path.resolve())] + [p for p in self._recent() if p != str(path.resolve())]
        self.settings.setValue("recent", recent[:MAX_RECENT])

    def _recent(self) -> list[str]:
        value = self.settings.value("recent", [])  # an INI file gives one entry as a string, several as a list
        return [value] if isinstance(value, str) else [str(path) for path in value] if isinstance(value, list) else []

    def _forget(self, paths: list[str]) -> None:
        self.settings.setValue("recent", [p for p in self._recent() if p not in paths])

    def _fill_recent(self) -> None:
        """List the recent files that still exist; the ones gone are dropped, and the status bar says so."""
        gone = [path for path in self._recent() if not Path(path).exists()]
        if gone:
            self._forget(gone)
            self.statusBar().showMessage(self._gone_message(gone), STATUS_MS)
        self.recent_menu.clear()
        for path in self._recent():
            self.recent_menu.addAction(path, partial(self.open_recent, Path(path)))
        self.recent_menu.setEnabled(bool(self._recent()))

    def open_recent(self, path: Path) -> bool:
        """Open a file of Open Recent; one deleted since the menu was filled is dropped from it, and said."""
        if not path.exists():
            self._forget([str(path)])
            self.statusBar().showMessage(self._gone_message([str(path)]), STATUS_MS)
            return False
        return self.open_scenario(path)

    @staticmethod
    def _gone_message(paths: list[str]) -> str:
        names = ", ".join(paths)
        return f"No longer there, removed from Open Recent: {names}"

    def unsaved_question(self) -> tuple[QMessageBox, dict[QPushButton, Answer]]:
        """The "save the changes first?" box and its buttons' answers; each button has an Alt+letter
        (Save, Discard, Cancel; Escape cancels too)."""
        question = f"Save the changes to {self.document.title} first?"
        box = QMessageBox(QMessageBox.Icon.Question, "Unsaved changes", question, parent=self)
        role = QMessageBox.ButtonRole
        answers: dict[QPushButton, Answer] = {
            box.addButton("&Save", role.AcceptRole): "save",
            box.addButton("&Discard", role.DestructiveRole): "discard",
            box.addButton("Ca&ncel", role.RejectRole): "cancel",
        }
        box.setDefaultButton(next(iter(answers)))
        box.setEscapeButton(list(answers)[-1])
        _wide_enough_for_its_title(box)
        return box, answers

    def _ask_unsaved(self) -> Answer:
        box, answers = self.unsaved_question()
        box.exec()
        clicked = box.clickedButton()
        return answers.get(clicked, "cancel") if isinstance(clicked, QPushButton) else "cancel"

    def _report_error(self, title: str, reason: str) -> None:
        QMessageBox.warning(self, title, reason)

    def _ask_open_path(self, title: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self, title, str(self.start_folder()), SCENARIO_FILTER)
        return Path(name) if name else None

    def start_folder(self) -> Path:
        """Where Open and Compare with Scenario start: where the user last chose a file or folder (see
        :mod:`.folders`), at first the bundled examples (the seeds' worked examples, e.g. Direct 1000 and
        Pgbouncer 100) until one was opened from the menu, then the home folder."""
        return self.folders.start_or_examples(resource("examples"))

    def _ask_save_path(self) -> Path | None:
        name = self.document.path.name if self.document.path is not None else "scenario.json"
        suggested = str(self.folders.start(self.document.folder) / name)
        name, _ = QFileDialog.getSaveFileName(self, "Save scenario", suggested, SCENARIO_FILTER)
        return Path(name) if name else None

    # --- machine, session, about ----------------------------------------------------------------

    def detect_machine(self) -> None:
        from ..probe.machine import detect

        machine = detect()
        try:
            detected = self.document.scenario.with_changes(**machine.changes())
        except ValidationError as error:  # e.g. a container memory limit below the smallest RAM planned for
            titles = {spec.path: spec.title for spec in FIELDS.values()}
            problem = describe(error, lambda path: titles.get(path, path))
            self.report_error(
                "Detect This Machine",
                f"This machine's figures cannot be planned for, so nothing was changed. {problem}. "
                f"Found: {'; '.join(machine.notes)}.",
            )
            return
        self.document.replace(detected, "Detect this machine")
        self.statusBar().showMessage("Detected: " + "; ".join(machine.notes), 10000)

    def about_text(self) -> str:
        from .. import __version__
        from ..assets import documentation

        guide = documentation()
        link = (
            f"<a href='{QUrl.fromLocalFile(str(guide)).toString()}'>the documentation (README)</a>"
            if guide
            else "<tt>pgplanner --help</tt>"
        )
        return (
            f"<b>pgplanner {__version__}</b><p>Plans PostgreSQL connections and memory: the RAM ceiling, the "
            "productive target, the max_connections budget, the pooler and the kernel settings.</p>"
            f"<p>How to use it and where every number comes from: {link}.</p>"
        )

    def _about(self) -> None:
        QMessageBox.about(self, "About pgplanner", self.about_text())

    def restore_session(self) -> None:
        """Geometry, splitters and the last scenario (its file, or its unsaved content), with the changes a
        stop signal kept (unsaved again, one Undo from the file as saved)."""
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = self.settings.value("splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        last = self.settings.value("last_path")
        untitled = self.settings.value("last_untitled")
        kept = self.settings.value(KEPT_CHANGES)
        self.settings.remove(KEPT_CHANGES)  # brought back once
        with contextlib.suppress(InputError):  # a vanished or broken file: start fresh instead
            if last and Path(str(last)).is_file():
                self.document.open(Path(str(last)))
            elif untitled:
                self.document.new(scenario_from_json(str(untitled)))
            if kept:
                self.document.replace(scenario_from_json(str(kept)), "Bring back unsaved changes")
                self.statusBar().showMessage(KEPT_MESSAGE, STATUS_MS)

    def end_session(self, signum: int) -> None:
        """A stop signal (the desktop session ends, ``kill``, Ctrl-C in the terminal that started the window)
        closes it without a question: a running sweep is stopped and its scratch database dropped, unsaved
        changes are kept for the next start, and ``session_ended`` gives the status the program exits with,
        128 + the signal's number."""
        self._ending = True
        self._leave(stopped=True)
        self.close()
        self.session_ended.emit(stopped_status(signum))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._ending:  # end_session has left already
            event.accept()
            return
        self._discarded = False
        if not self._may_discard():
            event.ignore()
            return
        self._leave(stopped=False)
        event.accept()

    def _leave(self, stopped: bool) -> None:
        """Stop what runs on a server and remember the session: geometry, splitters, the scenario's file or
        its unsaved content. ``stopped``: a stop signal ended it, and nothing was asked: the unsaved changes
        to a saved file are kept too, and no earlier answer (Discard to File > New) counts."""
        self.server.shutdown()
        # Discarded changes stay discarded: the next start opens the file as saved, or a fresh scenario.
        keep_untitled = self.document.path is None and (stopped or not self._discarded)
        changed = stopped and self.document.path is not None and self.document.modified
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("splitter", self.splitter.saveState())
        self.settings.setValue("last_path", str(self.document.path) if self.document.path else "")
        self.settings.setValue("last_untitled", scenario_to_json(self.document.scenario) if keep_untitled else "")
        self.settings.setValue(KEPT_CHANGES, scenario_to_json(self.document.scenario) if changed else "")
        self.settings.sync()

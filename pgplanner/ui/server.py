"""The Server menu's dialogs: connect to a live PostgreSQL, probe it beside the plan, compare its settings
and statistics with the plan, measure it with pgbench. They load when the menu is first used
(:mod:`.server_menu`), not at start-up.

Everything that talks to a server runs in a worker thread, so the window stays responsive (a
connection attempt may take its whole timeout; a sweep takes minutes). The password lives only in the
Connect dialog's field and the connection string built from it: it is never written to the settings,
the scenario or a log.
"""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QThread, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..model import Measurement, Plan, plan
from ..model.serialization import InputError
from ..model.settings import PARAMETERS
from ..present.changes import input_changes
from ..present.wrapping import sentence_lines
from . import theme
from .mnemonics import letter, with_mnemonics
from .named import named as _named

if TYPE_CHECKING:  # the server's modules (probe, export, evidence) load when the Server menu is first used
    from ..export.change_scripts import ReadFrom
    from ..model.evidence import Finding, Statistics
    from ..model.server_diff import DiffRow, ServerSettings, SettingsDiff
    from ..probe.server import ServerReport
    from ..probe.sweep import Sweep
    from .document import Document
    from .server_menu import ServerMenu

DEFAULT_CLIENTS = "1,2,4,8,16,32,64"


@dataclass(frozen=True)
class Connection:
    """Where to connect; ``password`` stays in memory only."""

    host: str
    port: int
    dbname: str
    user: str
    password: str = ""

    @property
    def dsn(self) -> str:
        from psycopg.conninfo import make_conninfo

        params: dict[str, Any] = {"port": self.port, "dbname": self.dbname, "user": self.user}
        if self.host:
            params["host"] = self.host
        if self.password:
            params["password"] = self.password
        return make_conninfo(**params)

    @property
    def label(self) -> str:
        return f"{self.host or 'local socket'}:{self.port}/{self.dbname}"


class Worker(QThread):
    """Runs one blocking job off the GUI thread; its events and its end arrive as queued signals."""

    progress = Signal(object)  # a Progress, a Point, or a watch fraction
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, job: Callable[[Callable[[object], None]], object], parent: QWidget) -> None:
        super().__init__(parent)
        self._job = job

    def run(self) -> None:
        from ..probe.pgbench import Cancelled
        from ..probe.session import ServerError, one_line

        try:
            self.done.emit(self._job(self.progress.emit))
        except Cancelled:
            self.failed.emit("Cancelled: pgbench is stopped and the scratch database dropped.")
        except (ServerError, InputError) as error:
            self.failed.emit(str(error))
        except Exception as error:  # one line in the dialog rather than a dead thread
            self.failed.emit(one_line(error))


def _spin(name: str, low: int, high: int, value: int, suffix: str = "") -> QSpinBox:
    spin = _named(QSpinBox(), name)
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


def _button(text: str, name: str, enabled: bool = True) -> QPushButton:
    button = _named(QPushButton(text), name)
    button.setEnabled(enabled)
    return button


def _give_letters(labels: Sequence[QLabel], buttons: Iterable[QAbstractButton], taken: Iterable[str] = ()) -> None:
    """Every label (the buddy of its input) and button of a dialog gets an Alt+letter of its own, as the
    window's inputs have (:mod:`.mnemonics`), the labels first; one written with its letter keeps it, and
    ``taken`` (a tab's letters) is left alone."""
    widgets: list[QLabel | QAbstractButton] = [*labels, *buttons]
    used = {*taken, *(found for widget in widgets if (found := letter(widget.text())))}
    unmarked = [widget for widget in widgets if letter(widget.text()) is None]
    for widget, text in zip(unmarked, with_mnemonics([[w.text() for w in unmarked]], used)[0], strict=True):
        widget.setText(text)


def _labelled(form: QFormLayout, rows: Sequence[tuple[str, QWidget]]) -> list[QLabel]:
    """The rows of a dialog's form; their labels, each the buddy of its input."""
    labels = []
    for text, widget in rows:
        label = QLabel(text)
        label.setBuddy(widget)
        form.addRow(label, widget)
        labels.append(label)
    return labels


def _status_label(name: str) -> QLabel:
    label = _named(QLabel(), name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)  # libpq's words, shown as they are (a line per sentence)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _show_status(label: QLabel, text: str, problem: bool = False) -> None:
    """The status line of a dialog; the dialog grows to show all of it (libpq's reasons run to three lines
    at the dialog's width), and never shrinks under the user's hands."""
    label.setStyleSheet(f"color: {theme.VERMILLION};" if problem else "")
    label.setText(sentence_lines(text) if problem else text)
    dialog = label.window()
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
        wanted = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else -1
        wanted = max(wanted, layout.totalMinimumSize().height())
        if wanted > dialog.height():
            dialog.resize(dialog.width(), wanted)


class ConnectDialog(QDialog):
    """Host, port, database, user and a password that is never saved; Connect checks them at once."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connect_dialog")
        self.setWindowTitle("Connect to PostgreSQL")
        self.settings = settings
        self.connection: Connection | None = None
        self.server_name = ""
        self.host = _named(QLineEdit(str(settings.value("server/host", "localhost"))), "server_host")
        self.host.setPlaceholderText("host name, IP address or socket directory (empty: libpq's default)")
        self.port = _spin("server_port", 1, 65535, int(str(settings.value("server/port", 5432))))
        self.dbname = _named(QLineEdit(str(settings.value("server/dbname", "postgres"))), "server_dbname")
        self.user = _named(QLineEdit(str(settings.value("server/user", getpass.getuser()))), "server_user")
        self.password = _named(QLineEdit(), "server_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("not saved; empty uses ~/.pgpass or PGPASSWORD")
        form = QFormLayout()
        labels = _labelled(form, (("Host", self.host), ("Port", self.port), ("Database", self.dbname),
                                  ("User", self.user), ("Password", self.password)))  # fmt: skip
        self.status = _status_label("connect_status")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
        _give_letters(labels, [self.connect_button, buttons.button(QDialogButtonBox.StandardButton.Cancel)])
        self.connect_button.setObjectName("server_connect")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)  # Return connects
        self.connect_button.setDefault(True)
        buttons.accepted.connect(self.try_connect)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._worker: Worker | None = None
        self._wanted: Connection | None = None
        self.setMinimumWidth(460)

    def try_connect(self) -> None:
        wanted = Connection(
            self.host.text().strip(), self.port.value(), self.dbname.text().strip(), self.user.text().strip(),
            self.password.text(),
        )  # fmt: skip
        self.connect_button.setEnabled(False)
        _show_status(self.status, f"Connecting to {wanted.label} ...")
        self._wanted = wanted

        def job(_emit: Callable[[object], None]) -> str:
            from ..probe.session import connect, describe_connection

            with connect(wanted.dsn) as conn:
                return describe_connection(conn)

        # Bound methods of this dialog, so the worker's signals arrive on the GUI thread (a lambda would
        # run on the worker's).
        self._worker = Worker(job, self)
        self._worker.done.connect(self._connected)
        self._worker.failed.connect(self._failed)
        self._worker.start()

    def _connected(self, name: str) -> None:
        wanted = self._wanted
        assert wanted is not None, "a connection attempt sets it"
        self.connection, self.server_name = wanted, name
        for key, value in (("host", wanted.host), ("port", wanted.port), ("dbname", wanted.dbname),
                           ("user", wanted.user)):  # fmt: skip
            self.settings.setValue(f"server/{key}", value)  # never the password
        self.connect_button.setEnabled(True)
        self.accept()

    def _failed(self, reason: str) -> None:
        self.connect_button.setEnabled(True)
        _show_status(self.status, reason, problem=True)

    def done(self, result: int) -> None:
        if self._worker is not None:
            self._worker.wait()
        super().done(result)


class ProbeDialog(QDialog):
    """The server's settings and connection use beside the plan, and "Use these values"."""

    def __init__(self, menu: ServerMenu) -> None:
        super().__init__(menu.window)
        self.setObjectName("probe_dialog")
        self.setWindowTitle(f"Probe {menu.server_name}")
        self.menu = menu
        self.watch = _spin("probe_watch", 0, 3600, 0, " s")
        self.watch.setToolTip("Sample pg_stat_activity this long and report the peak")
        self.run_button = _button("Probe", "probe_run")
        self.run_button.clicked.connect(self.run_probe)
        self.progress = _named(QProgressBar(), "probe_progress")
        self.progress.setMaximum(1000)
        self.progress.setTextVisible(False)
        self.report = _named(QPlainTextEdit(), "probe_report")
        self.report.setReadOnly(True)
        self.report.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.status = _status_label("probe_status")
        self.use_button = _button("Use these values", "probe_use", enabled=False)
        self.use_button.setToolTip("Fill the scenario with the server's version and settings (one undo step)")
        self.use_button.clicked.connect(self.use_values)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.ApplyRole)
        buttons.rejected.connect(self.reject)
        top = QFormLayout()
        _give_letters(_labelled(top, [("Watch for", self.watch)]), [self.run_button, *buttons.buttons()])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.run_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(760, 560)
        self._changes: dict[str, object] = {}
        self._report: ServerReport | None = None  # the last probe's reading, shown beside the plan as it is now
        self._worker: Worker | None = None
        self._stop = threading.Event()
        menu.window.document.planChanged.connect(self._on_plan_changed)

    def run_probe(self) -> None:
        dsn, seconds = self.menu.dsn, float(self.watch.value())
        stop = self._stop = threading.Event()

        def job(emit: Callable[[object], None]) -> tuple[ServerReport, dict[str, object]]:
            from ..probe.report import found_changes
            from ..probe.server import probe
            from ..probe.session import Session

            with Session(dsn) as session:
                report = probe(session, seconds, emit, stop)
            return report, found_changes(report)

        self.run_button.setEnabled(False)
        self.use_button.setEnabled(False)
        _show_status(self.status, f"Watching for {seconds:g} s ..." if seconds else "Reading the server ...")
        self._worker = Worker(job, self)
        self._worker.progress.connect(self._on_sample)
        self._worker.done.connect(self._show)
        self._worker.failed.connect(self._failed)
        self._worker.start()

    def _on_sample(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 1000))

    def _show(self, result: tuple[ServerReport, dict[str, object]]) -> None:
        """The server beside the window's own plan (as it is now, on the server's release): the values
        "Use these values" would fill stay out of it, or every row would match."""
        report, self._changes = result
        self._report = report
        fault = report.fault
        self._show_beside_plan()
        self.progress.setValue(1000)
        self.run_button.setEnabled(True)
        self.use_button.setEnabled(bool(self._changes))
        if fault:  # the server went away during the watch: what was seen is above, the reason here
            _show_status(self.status, fault[0].upper() + fault[1:] + ".", problem=True)
        else:
            _show_status(self.status, "Use these values to plan for this server: " + input_changes(self._changes) + ".")

    def _show_beside_plan(self) -> None:
        from ..probe.report import probe_text

        assert self._report is not None, "a probe's reading is shown only once one came back"
        scroll = self.report.verticalScrollBar().value()
        self.report.setPlainText(probe_text(self._report, plan_beside(self.menu.window.document, self._report)))
        self.report.verticalScrollBar().setValue(scroll)

    def _on_plan_changed(self, _plan: Plan) -> None:
        """The plan column follows the plan (an edit, Undo, "Use these values"): the server's column is
        what was read and stays; a column of the plan as it was would contradict the window."""
        if self._report is not None and self.isVisible():
            self._show_beside_plan()

    def showEvent(self, event) -> None:
        if self._report is not None:
            self._show_beside_plan()  # the plan may have changed while the dialog was closed
        super().showEvent(event)

    def _failed(self, reason: str) -> None:
        self.run_button.setEnabled(True)
        _show_status(self.status, reason, problem=True)

    def use_values(self) -> None:
        document = self.menu.window.document
        document.replace(document.scenario.with_changes(**self._changes), f"Values of {self.menu.server_name}")
        _show_status(self.status, "The scenario now holds the server's values (Edit > Undo takes them back).")

    def done(self, result: int) -> None:
        """Closing ends a watch at once (and waits for the probe's connection to close)."""
        self._stop.set()
        if self._worker is not None:
            self._worker.wait()
        super().done(result)


def plan_beside(document: Document, report: ServerReport) -> Plan:
    """The window's own plan (on the server's release when the scenario names another): what Probe and
    Compare show the server beside."""
    from ..probe.report import scenario_beside

    beside = scenario_beside(document.scenario, report)
    return document.plan if beside is document.scenario else plan(beside)


@dataclass(frozen=True)
class ServerReading:
    """What Compare read from the server: compared again, without the server, whenever the plan changes."""

    report: ServerReport
    settings: ServerSettings
    statistics: Statistics
    source: ReadFrom


def read_for_comparison(
    dsn: str, seconds: float, emit: Callable[[object], None], stop: threading.Event
) -> ServerReading:
    """Every parameter any plan may write (whatever its release) and the statistics, in one read-only session."""
    from ..export.change_scripts import ReadFrom
    from ..probe.diff import read_server_settings
    from ..probe.evidence import read_statistics
    from ..probe.server import probe
    from ..probe.session import ServerError, Session

    with Session(dsn) as session:
        report = probe(session, seconds, emit, stop)
        if report.fault:
            raise ServerError(report.fault)
        settings = read_server_settings(session, PARAMETERS)
        statistics = read_statistics(session, report)
        now = session.one("SELECT now()", what="the server's clock")[0]
    source = ReadFrom(report.server["name"], report.server["user"], now.isoformat(timespec="seconds"))
    return ServerReading(report, settings, statistics, source)


FILTERS = {"Differs": "differs", "Needs a restart": "restart", "All settings": "all"}
COLUMNS = ("Setting", "Your server", "Source", "The plan", "Applies", "Pending restart")


class CompareDialog(QDialog):
    """Server > Compare with This Plan: the plan's settings beside the server's, the server's statistics as
    cards that can apply their suggestion (one undo step), and Export Changes (changes.sql, rollback.sql).

    The server is read once per Compare; the comparison is made again, without the server, whenever the plan
    changes (an applied suggestion shows at once). The plan takes the server's version, never its settings.
    """

    def __init__(self, menu: ServerMenu) -> None:
        super().__init__(menu.window)
        self.setObjectName("compare_dialog")
        self.setWindowTitle(f"Compare {menu.server_name} with this plan")
        self.menu = menu
        self.ask_out_path: Callable[[], Path | None] = self._ask_out_path
        self.watch = _spin("compare_watch", 0, 3600, 0, " s")
        self.watch.setToolTip("Sample pg_stat_activity this long for the peak of sessions")
        self.run_button = _button("&Compare", "compare_run")
        self.run_button.clicked.connect(self.run_compare)
        self.progress = _named(QProgressBar(), "compare_progress")
        self.progress.setMaximum(1000)
        self.progress.setTextVisible(False)
        self.filter = _named(QComboBox(), "compare_filter")
        self.filter.addItems(list(FILTERS))
        self.filter.currentIndexChanged.connect(self._fill_table)
        self.summary = _status_label("compare_summary")
        self.table = _named(QTableWidget(0, len(COLUMNS)), "compare_table")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.cards = QVBoxLayout()
        self.tabs = _named(QTabWidget(), "compare_tabs")
        self.tabs.addTab(self._settings_page(), "&Settings")
        self.tabs.addTab(self._evidence_page(), "E&vidence")
        self.status = _status_label("compare_status")
        self.export_button = _button("&Export Changes...", "compare_export", enabled=False)
        self.export_button.setToolTip("Write changes.sql and rollback.sql to a new folder")
        self.export_button.clicked.connect(self.export_changes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        label = QLabel("&Watch for")
        label.setBuddy(self.watch)
        # Close takes a letter of its own: "&Compare" has the C (the tabs S and V, a card's Apply A, S&how H)
        _give_letters([label], [self.run_button, *buttons.buttons()], taken="svah")
        for widget in (label, self.watch, self.run_button):
            top.addWidget(widget)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(900, 600)
        self.reading: ServerReading | None = None
        self.diff: SettingsDiff | None = None
        self.findings: tuple[Finding, ...] = ()
        self.compared: Plan | None = None
        self._worker: Worker | None = None
        self._stop = threading.Event()
        menu.window.document.planChanged.connect(self._compare)

    def _settings_page(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout()
        label = QLabel("S&how")
        label.setBuddy(self.filter)
        row.addWidget(label)
        row.addWidget(self.filter)
        row.addWidget(self.summary, 1)
        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        return page

    def _evidence_page(self) -> QWidget:
        holder = QWidget()
        holder.setObjectName("compare_evidence")
        self.cards = QVBoxLayout(holder)
        self.cards.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        return scroll

    def run_compare(self) -> None:
        dsn, seconds = self.menu.dsn, float(self.watch.value())
        stop = self._stop = threading.Event()
        self.run_button.setEnabled(False)
        self.progress.setValue(0)
        _show_status(self.status, f"Watching for {seconds:g} s ..." if seconds else "Reading the server ...")
        self._worker = Worker(lambda emit: read_for_comparison(dsn, seconds, emit, stop), self)
        self._worker.progress.connect(self._on_sample)
        self._worker.done.connect(self._read)
        self._worker.failed.connect(self._failed)
        self._worker.start()

    def _on_sample(self, fraction: float) -> None:
        self.progress.setValue(round(fraction * 1000))

    def _read(self, reading: ServerReading) -> None:
        self.reading = reading
        self.progress.setValue(1000)
        self.run_button.setEnabled(True)
        self._compare()

    def _failed(self, reason: str) -> None:
        self.run_button.setEnabled(True)
        _show_status(self.status, reason, problem=True)

    def _compared_plan(self) -> Plan:
        """The window's plan, for the server's release when the scenario names another one."""
        assert self.reading is not None
        return plan_beside(self.menu.window.document, self.reading.report)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._compare()  # the plan may have changed while the dialog was hidden

    def _compare(self, *_: object) -> None:
        """The diff and the findings for the window's plan now (a slider's tick while hidden waits for show)."""
        from ..model.evidence import findings
        from ..model.server_diff import compare

        if self.reading is None or not self.isVisible():
            return
        self.compared = self._compared_plan()
        self.diff = compare(self.compared.settings, self.reading.settings)
        self.findings = findings(self.reading.statistics, self.compared)
        self._fill_table()
        self._fill_cards()
        self.export_button.setEnabled(bool(self.diff.changes))
        self.tabs.setTabText(0, f"&Settings ({len(self.diff.differing)} differ)")
        self.tabs.setTabText(1, f"E&vidence ({len(self.findings)})")
        release = self.compared.scenario.hardware.pg_version
        said = f"Compared with {self.reading.source.server}, read {self.reading.source.read_at}."
        if release != self.menu.window.document.scenario.hardware.pg_version:
            said += f" The plan is made for PostgreSQL {release}, the server's release."
        _show_status(self.status, said)

    def _fill_table(self) -> None:
        from ..present.diff import headline, shown, source_words

        if self.diff is None:
            return
        wanted = FILTERS[self.filter.currentText()]
        rows = [
            r for r in self.diff.rows
            if wanted == "all" or (r.differs and (wanted == "differs" or r.context == "restart"))
        ]  # fmt: skip
        self.summary.setText(headline(self.diff))
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (row.name, shown(row.server), source_words(row), shown(row.plan), row.context,
                     "yes" if row.pending_restart else "")  # fmt: skip
            tip = "\n".join(part for part in (str(row.derivation), row.note, *_override_lines(row)) if part)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                if row.differs and column in (1, 3):
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(index, column, item)
        self.table.resizeColumnsToContents()

    def _fill_cards(self) -> None:
        while self.cards.count() > 1:  # the stretch at the end stays
            item = self.cards.takeAt(0)
            card = item.widget() if item is not None else None
            if card is not None:
                card.setParent(None)  # out of the dialog now (findChild no longer sees it), freed later
                card.deleteLater()
        for finding in self.findings:
            self.cards.insertWidget(self.cards.count() - 1, self._card(finding))

    def _card(self, finding: Finding) -> QFrame:
        from ..present.evidence import suggestion_lines, title

        card = _named(QFrame(), f"evidence_{finding.code.lower()}")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(card)
        heading = QLabel(title(finding))
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        words = [finding.message[0].upper() + finding.message[1:] + "."]
        words += [f"Suggests: {line}" for line in suggestion_lines(finding.suggests, options=False)]
        if finding.derivation is not None and finding.derivation.calculation:
            words.append(f"Why: {finding.derivation}")
        for text in words:
            label = _status_label(f"evidence_text_{finding.code.lower()}")
            label.setText(text)
            layout.addWidget(label)
        if finding.suggests.scenario:
            apply = _button("&Apply to the plan", f"evidence_apply_{finding.code.lower()}")
            apply.setToolTip(f"Plan with {input_changes(finding.suggests.scenario)} (Edit > Undo takes it back)")
            apply.clicked.connect(lambda _=False, chosen=finding: self.apply(chosen))
            row = QHBoxLayout()
            row.addWidget(apply)
            row.addStretch(1)
            layout.addLayout(row)
        return card

    def apply(self, finding: Finding) -> None:
        """A finding's suggestion into the scenario: one undo step; the comparison follows the new plan."""
        from ..present.evidence import title

        document = self.menu.window.document
        changes = dict(finding.suggests.scenario)
        document.replace(document.scenario.with_changes(**changes), f"{title(finding)}: {input_changes(changes)}")
        _show_status(self.status, f"The plan now has {input_changes(changes)} (Edit > Undo takes it back).")

    def export_changes(self) -> None:
        from ..export.change_scripts import write_changes

        if self.diff is None or self.compared is None or self.reading is None:
            return
        path = self.ask_out_path()
        if path is None:
            return
        try:
            written = write_changes(self.diff, self.compared, self.reading.source, path, force=True)
        except InputError as error:
            _show_status(self.status, str(error), problem=True)
            return
        self.menu.window.folders.chose(written)
        _show_status(self.status, f"Wrote {written}: changes.sql ({len(self.diff.changes)} settings) and rollback.sql.")

    def _ask_out_path(self) -> Path | None:
        start = self.menu.window.folders.start(self.menu.window.document.folder) / "pgplanner-changes"
        name, _ = QFileDialog.getSaveFileName(self, "Export changes to a new folder", str(start))
        return Path(name) if name else None

    def done(self, result: int) -> None:
        """Closing ends a watch at once (and waits for the connection to close)."""
        self._stop.set()
        if self._worker is not None:
            self._worker.wait()
        super().done(result)


def _override_lines(row: DiffRow) -> list[str]:
    from ..present.diff import override_words

    return [f"Set for {override_words(o, row.plan)}" for o in row.overrides]


class MeasureDialog(QDialog):
    """A pgbench sweep in the background: progress, Cancel, and each point on the throughput plot."""

    def __init__(self, menu: ServerMenu) -> None:
        from ..probe.sweep import BUILTINS

        super().__init__(menu.window)
        self.setObjectName("measure_dialog")
        self.setWindowTitle(f"Measure {menu.server_name}")
        self.menu = menu
        self._placed = False
        self.clients = _named(QLineEdit(DEFAULT_CLIENTS), "measure_clients")
        self.clients.setToolTip("Client counts, separated by commas; include some past the expected peak")
        self.duration = _spin("measure_duration", 1, 3600, 5, " s")
        self.builtin = _named(QComboBox(), "measure_builtin")
        self.builtin.addItems(list(BUILTINS))
        self.scale = _spin("measure_scale", 1, 100_000, 1)
        self.repeat = _spin("measure_repeat", 1, 100, 1)
        form = QFormLayout()
        labels = _labelled(form, (("Clients", self.clients), ("Seconds per run", self.duration),
                                  ("pgbench script", self.builtin), ("Scale", self.scale),
                                  ("Runs per client count", self.repeat)))  # fmt: skip
        self.progress = _named(QProgressBar(), "measure_progress")
        self.progress.setMaximum(1000)
        self.status = _status_label("measure_status")
        self.start_button = _button("Start", "measure_start")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = _button("Cancel", "measure_cancel", enabled=False)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        _give_letters(
            labels, [self.start_button, self.cancel_button, buttons.button(QDialogButtonBox.StandardButton.Close)]
        )
        layout = QVBoxLayout(self)
        note = QLabel(
            "pgbench runs in a scratch database that pgplanner creates and drops; nothing else on the server "
            "is written. Each point appears on the throughput plot as it is measured."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._sweep: Sweep | None = None
        self._worker: Worker | None = None
        self._busy = False
        self._points: list[Measurement] = []
        self._notes: list[str] = []
        self.setMinimumWidth(480)
        self.start_button.setDefault(True)

    def showEvent(self, event: QShowEvent) -> None:
        """Open over the inputs, bottom left, so the throughput plot the points land on stays in view. Opened
        again after a sweep ended (done, cancelled or stopped), it starts fresh: what that sweep measured is
        in the scenario and on the plot, and its last words would read as news."""
        super().showEvent(event)
        if self._placed and not self.running:
            self.progress.setValue(0)
            self.progress.setFormat("%p %")
            _show_status(self.status, "")
        if not self._placed:
            self._placed = True
            window = self.menu.window.frameGeometry()
            self.move(window.left() + 16, max(window.top(), window.bottom() - self.frameGeometry().height() - 16))

    @property
    def running(self) -> bool:
        """From Start until the sweep's end has been handled here (not merely until the thread returns:
        its done or failed signal is still queued then, and the points are not yet saved)."""
        return self._busy

    def start(self) -> None:
        from ..probe.sweep import Sweep, SweepSpec

        try:
            counts = tuple(int(part) for part in self.clients.text().split(","))
            spec = SweepSpec(
                clients=counts,
                duration=self.duration.value(),
                builtin=self.builtin.currentText(),
                scale=self.scale.value(),
                repeat=self.repeat.value(),
            )
            spec.check()
        except InputError as error:
            _show_status(self.status, _dialog_words(str(error)), problem=True)
            return
        except ValueError:
            _show_status(self.status, "Clients: whole numbers separated by commas, e.g. 1,2,4,8", problem=True)
            return
        self._points, self._notes = [], []
        self.progress.setValue(0)
        self.progress.setFormat("%p %")
        self.setWindowTitle(f"Measure {self.menu.server_name}")
        worker = Worker(lambda _emit: sweep.run(), self)
        sweep = Sweep(self.menu.dsn, spec, worker.progress.emit)
        self._sweep, self._worker = sweep, worker
        worker.progress.connect(self._on_event)
        worker.done.connect(self._finished)
        worker.failed.connect(self._failed)
        self._set_running(True)
        _show_status(self.status, f"Starting: about {spec.seconds} s of pgbench runs ...")
        worker.start()

    def cancel(self) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
            _show_status(self.status, "Cancelling: stopping pgbench and dropping the scratch database ...")

    def _set_running(self, running: bool) -> None:
        self._busy = running
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for widget in (self.clients, self.duration, self.builtin, self.scale, self.repeat):
            widget.setEnabled(not running)

    def _on_event(self, event: object) -> None:
        from ..probe.sweep import Note, Point, Progress, clients_text

        if not self._busy:
            return  # a progress tick queued before the sweep's end was handled
        if isinstance(event, Progress):
            self.progress.setValue(round(event.fraction * 1000))
            self.progress.setFormat(f"%p %  {event.label}")
        elif isinstance(event, Point):
            self._points.append(Measurement(connections=event.clients, tps=event.tps, latency_ms=event.latency_ms))
            self.menu.window.throughput_plot.show_live(self._points, self.menu.server_name)
            _show_status(self.status, f"{clients_text(event.clients)}: {event.tps:,.0f} tps")
        elif isinstance(event, Note):
            self._notes.append(event.text)
            _show_status(self.status, f"Note: {event.text}.")

    def _finished(self, result: Any) -> None:
        from ..probe.report import fit_text

        self._set_running(False)
        self.progress.setValue(1000)
        self.progress.setFormat("done")
        self.menu.window.throughput_plot.clear_live()
        self.menu.store(tuple(self._points), result.measured_on, f"Measured on {result.server}")
        notes = "".join(f" Note: {note}." for note in self._notes)
        _show_status(self.status, f"{len(self._points)} points saved with the scenario. {fit_text(result.fit)}.{notes}")

    def _failed(self, reason: str) -> None:
        """A cancelled or failed sweep: the reason, and the points measured before it kept (one undo step)."""
        self._set_running(False)
        self.progress.setValue(0)
        self.progress.setFormat("cancelled" if reason.startswith("Cancelled") else "stopped")
        self.menu.window.throughput_plot.clear_live()
        reason = reason if reason.endswith(".") else reason + "."
        result = self._sweep.result if self._sweep is not None else None
        if self._points and result is not None:
            self.menu.store(tuple(self._points), result.measured_on, f"Measured on {result.server} (stopped)")
            kept = (
                "The point measured before is kept with the scenario (Edit > Undo takes it out)."
                if len(self._points) == 1
                else f"The {len(self._points)} points measured before are kept with the scenario (Edit > Undo "
                "takes them out)."
            )
            reason += f" {kept}"
        _show_status(self.status, reason, problem=True)

    def done(self, result: int) -> None:
        """Closing the dialog stops a running sweep first (and waits for its clean-up)."""
        if self.running:
            self.cancel()
            self._worker.wait()  # type: ignore[union-attr]
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.done(QDialog.DialogCode.Rejected)
        event.accept()


def _dialog_words(message: str) -> str:
    """An input error as the dialog says it: its fields' names in place of the command line's options."""
    for option, field_name in (("--clients", "Clients"), ("--duration", "Seconds per run"), ("--scale", "Scale"),
                               ("--repeat", "Runs per client count")):  # fmt: skip
        message = message.replace(option, field_name)
    return message


def bring_up(dialog: QDialog) -> None:
    """Show a dialog in front (the menu opens each one, or brings it back)."""
    dialog.show()
    if QGuiApplication.platformName() != "offscreen":  # offscreen windows have no stacking order
        dialog.raise_()

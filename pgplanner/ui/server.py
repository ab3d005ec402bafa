"""The Server menu: connect to a live PostgreSQL, probe it beside the plan, measure it with pgbench.

Everything that talks to a server runs in a worker thread, so the window stays responsive (a
connection attempt may take its whole timeout; a sweep takes minutes). The password lives only in the
Connect dialog's field and the connection string built from it: it is never written to the settings,
the scenario or a log.
"""

from __future__ import annotations

import getpass
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QThread, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFontDatabase, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..model import Measurement, Plan, Scenario, plan
from ..model.serialization import InputError
from ..present.charts import IMPORTED
from ..probe.pgbench import Cancelled, MeasureError, points_from_text
from ..probe.report import fit_text, found_changes, probe_text
from ..probe.server import probe
from ..probe.session import ServerError, Session, connect, describe_connection, one_line
from ..probe.sweep import BUILTINS, Note, Point, Progress, Sweep, SweepSpec, clients_text
from . import theme
from .named import named as _named

if TYPE_CHECKING:
    from .main_window import MainWindow

POINTS_FILTER = "pgbench output or CSV clients,tps (*.txt *.log *.csv);;All files (*)"
DEFAULT_CLIENTS = "1,2,4,8,16,32,64"
MAX_IMPORT_BYTES = 1 << 20


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


def _status_label(name: str) -> QLabel:
    label = _named(QLabel(), name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _show_status(label: QLabel, text: str, problem: bool = False) -> None:
    """The status line of a dialog; the dialog grows to show all of it (libpq's reasons run to three lines
    at the dialog's width), and never shrinks under the user's hands."""
    label.setStyleSheet(f"color: {theme.VERMILLION};" if problem else "")
    label.setText(text)
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
        for text, widget in (("Host", self.host), ("Port", self.port), ("Database", self.dbname),
                             ("User", self.user), ("Password", self.password)):  # fmt: skip
            form.addRow(text, widget)
        self.status = _status_label("connect_status")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.connect_button = buttons.addButton("Connect", QDialogButtonBox.ButtonRole.AcceptRole)
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
        top.addRow("Watch for", self.watch)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.run_button)
        layout.addWidget(self.progress)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(760, 560)
        self._changes: dict[str, object] = {}
        self._worker: Worker | None = None
        self._stop = threading.Event()

    def run_probe(self) -> None:
        dsn, seconds = self.menu.dsn, float(self.watch.value())
        scenario = self.menu.window.document.scenario

        stop = self._stop = threading.Event()

        def job(emit: Callable[[object], None]) -> tuple[str, dict[str, object], str]:
            with Session(dsn) as session:
                report = probe(session, seconds, emit, stop)
            changes = found_changes(report)
            return probe_text(report, plan(scenario.with_changes(**changes))), changes, report.fault

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

    def _show(self, result: tuple[str, dict[str, object], str]) -> None:
        text, self._changes, fault = result
        self.report.setPlainText(text)
        self.progress.setValue(1000)
        self.run_button.setEnabled(True)
        self.use_button.setEnabled(bool(self._changes))
        if fault:  # the server went away during the watch: what was seen is above, the reason here
            _show_status(self.status, fault[0].upper() + fault[1:] + ".", problem=True)
        else:
            _show_status(self.status, "Use these values to plan for this server: " + ", ".join(self._changes))

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


class MeasureDialog(QDialog):
    """A pgbench sweep in the background: progress, Cancel, and each point on the throughput plot."""

    def __init__(self, menu: ServerMenu) -> None:
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
        for text, widget in (("Clients", self.clients), ("Seconds per run", self.duration),
                             ("pgbench script", self.builtin), ("Scale", self.scale),
                             ("Runs per client count", self.repeat)):  # fmt: skip
            form.addRow(text, widget)
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
        """Open over the inputs, bottom left, so the throughput plot the points land on stays in view."""
        super().showEvent(event)
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
                "The point measured before is"
                if len(self._points) == 1
                else f"The {len(self._points)} points measured before are"
            )
            reason += f" {kept} kept with the scenario (Edit > Undo takes them out)."
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


def _bring_up(dialog: QDialog) -> None:
    dialog.show()
    if QGuiApplication.platformName() != "offscreen":  # offscreen windows have no stacking order
        dialog.raise_()


class ServerMenu:
    """Server > Connect..., Probe..., Measure..., Import Measurements..., Clear Measurements."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.connection: Connection | None = None
        self.server_name = ""
        self.ask_import_path: Callable[[], Path | None] = self._ask_import_path
        self.actions: dict[str, QAction] = {}
        self.connect_dialog: ConnectDialog | None = None
        self.probe_dialog: ProbeDialog | None = None
        self.measure_dialog: MeasureDialog | None = None

    @property
    def dsn(self) -> str:
        assert self.connection is not None, "connect first"
        return self.connection.dsn

    def install(self, bar: QMenuBar) -> None:
        menu = bar.addMenu("&Server")
        for key, text, slot in (
            ("server_connect", "&Connect...", self.open_connect),
            ("server_probe", "&Probe...", self.open_probe),
            ("server_measure", "&Measure with pgbench...", self.open_measure),
            ("server_import", "&Import Measurements...", self.import_points),
            ("server_clear", "C&lear Measurements", self.clear_points),
        ):
            action = _named(QAction(text, self.window), f"action_{key}")
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions[key] = action
        self._enable()
        self.window.document.planChanged.connect(self._show_plan)
        self._show_plan(self.window.document.plan)

    def _show_plan(self, plan: Plan) -> None:
        self.actions["server_clear"].setEnabled(bool(plan.scenario.measurements))

    def _enable(self) -> None:
        connected = self.connection is not None
        self.actions["server_probe"].setEnabled(connected)
        self.actions["server_measure"].setEnabled(connected)
        tip = f"Connected to {self.server_name}" if connected else "Server > Connect... first"
        for key in ("server_probe", "server_measure"):
            self.actions[key].setStatusTip(tip)

    def open_connect(self) -> ConnectDialog:
        dialog = ConnectDialog(self.window.settings, self.window)
        dialog.accepted.connect(lambda: self._connected(dialog))
        self.connect_dialog = dialog
        dialog.open()
        return dialog

    def _connected(self, dialog: ConnectDialog) -> None:
        self.connection, self.server_name = dialog.connection, dialog.server_name
        # The dialogs belong to the server they were opened for; a sweep still running keeps its own.
        if self.probe_dialog is not None:
            self.probe_dialog.close()
            self.probe_dialog.deleteLater()
            self.probe_dialog = None
        if self.measure_dialog is not None and not self.measure_dialog.running:
            self.measure_dialog.deleteLater()
            self.measure_dialog = None
        self._enable()
        self.window.statusBar().showMessage(f"Connected to {self.server_name}", 8000)

    def open_probe(self) -> ProbeDialog:
        if self.probe_dialog is None:
            self.probe_dialog = ProbeDialog(self)
        _bring_up(self.probe_dialog)
        return self.probe_dialog

    def open_measure(self) -> MeasureDialog:
        if self.measure_dialog is None:
            self.measure_dialog = MeasureDialog(self)
        _bring_up(self.measure_dialog)
        return self.measure_dialog

    def store(self, points: tuple[Measurement, ...], measured_on: str, text: str) -> None:
        """Measured points into the scenario (one undo step); the plan fits them at once."""
        document = self.window.document
        changed = document.scenario.model_dump()
        changed.update(measurements=[p.model_dump() for p in points], measured_on=measured_on[:300])
        document.replace(Scenario.model_validate(changed), text)

    def import_points(self) -> None:
        path = self.ask_import_path()
        if path is None:
            return
        try:
            with path.open("rb") as stream:
                text = stream.read(MAX_IMPORT_BYTES).decode("utf-8", errors="replace")
            found = points_from_text(text, path.name)
        except OSError as error:
            self.window.report_error("Cannot import measurements", f"{path}: {error.strerror or error}")
            return
        except MeasureError as error:
            self.window.report_error("Cannot import measurements", str(error))
            return
        points = tuple(Measurement(connections=c, tps=t, latency_ms=lat) for c, t, lat in found)
        self.store(points, f"{IMPORTED}{path.name}", f"Import measurements from {path.name}")
        self.window.statusBar().showMessage(f"Imported {len(points)} measured points from {path.name}", 8000)

    def clear_points(self) -> None:
        self.store((), "", "Clear measurements")

    def shutdown(self) -> None:
        """The window is closing: stop a sweep that still runs, so its scratch database is dropped."""
        if self.measure_dialog is not None and self.measure_dialog.running:
            self.measure_dialog.done(QDialog.DialogCode.Rejected)

    def _ask_import_path(self) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.window, "Import measured points", "", POINTS_FILTER)
        return Path(name) if name else None

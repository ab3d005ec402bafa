"""The Server menu: its actions, and the measured points it stores in the scenario.

The dialogs behind it (:mod:`.server`: connect, probe, compare, measure) and psycopg load when an
action is first used, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QMenuBar

from ..model import MeasuredLatency, Measurement, Plan, Scenario
from ..present.charts import IMPORTED
from .named import named

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .server import CompareDialog, ConnectDialog, Connection, MeasureDialog, ProbeDialog

POINTS_FILTER = "pgbench output or CSV clients,tps (*.txt *.log *.csv);;All files (*)"
MAX_IMPORT_BYTES = 1 << 20


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
        self.compare_dialog: CompareDialog | None = None
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
            ("server_compare", "Compare with This P&lan...", self.open_compare),
            ("server_measure", "&Measure with pgbench...", self.open_measure),
            ("server_import", "&Import Measurements...", self.import_points),
            ("server_clear", "C&lear Measurements", self.clear_points),
        ):
            action = named(QAction(text, self.window), f"action_{key}")
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
        tip = f"Connected to {self.server_name}" if connected else "Server > Connect... first"
        for key in ("server_probe", "server_compare", "server_measure"):
            self.actions[key].setEnabled(connected)
            self.actions[key].setStatusTip(tip)

    def open_connect(self) -> ConnectDialog:
        from .server import ConnectDialog

        dialog = ConnectDialog(self.window.settings, self.window)
        dialog.accepted.connect(lambda: self._connected(dialog))
        self.connect_dialog = dialog
        dialog.open()
        return dialog

    def _connected(self, dialog: ConnectDialog) -> None:
        self.connection, self.server_name = dialog.connection, dialog.server_name
        # The dialogs belong to the server they were opened for; a sweep still running keeps its own.
        for stale in (self.probe_dialog, self.compare_dialog):
            if stale is not None:
                stale.close()
                stale.deleteLater()
        self.probe_dialog = self.compare_dialog = None
        if self.measure_dialog is not None and not self.measure_dialog.running:
            self.measure_dialog.deleteLater()
            self.measure_dialog = None
        self._enable()
        self.window.statusBar().showMessage(f"Connected to {self.server_name}", 8000)

    def open_probe(self) -> ProbeDialog:
        from .server import ProbeDialog, bring_up

        if self.probe_dialog is None:
            self.probe_dialog = ProbeDialog(self)
        bring_up(self.probe_dialog)
        return self.probe_dialog

    def open_compare(self) -> CompareDialog:
        from .server import CompareDialog, bring_up

        if self.compare_dialog is None:
            self.compare_dialog = CompareDialog(self)
        bring_up(self.compare_dialog)
        return self.compare_dialog

    def open_measure(self) -> MeasureDialog:
        from .server import MeasureDialog, bring_up

        if self.measure_dialog is None:
            self.measure_dialog = MeasureDialog(self)
        bring_up(self.measure_dialog)
        return self.measure_dialog

    def store(self, points: tuple[Measurement, ...], measured_on: str, text: str) -> None:
        """Measured points into the scenario (one undo step); the plan fits them at once."""
        document = self.window.document
        changed = document.scenario.model_dump()
        changed.update(measurements=[p.model_dump() for p in points], measured_on=measured_on[:300])
        document.replace(Scenario.model_validate(changed), text)

    def import_points(self) -> None:
        from ..probe.pgbench import MeasureError, points_from_text

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
        self.window.folders.chose(path)
        points = tuple(
            Measurement(connections=c, tps=t, latency_ms=None if lat is None else MeasuredLatency(avg=lat))
            for c, t, lat in found
        )
        self.store(points, f"{IMPORTED}{path.name}", f"Import measurements from {path.name}")
        self.window.statusBar().showMessage(f"Imported {len(points)} measured points from {path.name}", 8000)

    def clear_points(self) -> None:
        self.store((), "", "Clear measurements")

    def shutdown(self) -> None:
        """The window is closing: stop a sweep that still runs, so its scratch database is dropped."""
        if self.measure_dialog is not None and self.measure_dialog.running:
            self.measure_dialog.done(QDialog.DialogCode.Rejected)

    def _ask_import_path(self) -> Path | None:
        start = str(self.window.folders.start(self.window.document.folder))
        name, _ = QFileDialog.getOpenFileName(self.window, "Import measured points", start, POINTS_FILTER)
        return Path(name) if name else None

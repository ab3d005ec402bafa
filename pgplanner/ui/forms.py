"""The input forms, grouped as the model is; every row is generated from a FieldSpec.

Edits go to the Document; the forms re-display whatever Plan comes back (including the values
"auto" fields derive), so they can never disagree with the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, cast

from pydantic import ValidationError
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..model import FIELDS, FieldSpec, Plan, parse_size
from ..model.serialization import describe
from .document import Document
from .editors import FieldEditor, tooltip
from .mnemonics import with_mnemonics
from .named import named
from .provider_picker import TITLE as PROVIDER_TITLE  # the group the window inserts second

GROUP_TITLES = {"hardware": "Hardware", "memory": "Memory", "workload": "Workload and budget", "pooler": "Pooler"}
# Inside "Workload and budget", the connections that bypass the pool start here.
BUDGET_STARTS_AT = "listeners"


# "auto" server inputs show the value the settings recommenders wrote (flat name -> setting name, type).
FROM_SETTINGS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "hash_mem_multiplier": ("hash_mem_multiplier", float),
    "parallel_workers_per_gather": ("max_parallel_workers_per_gather", int),
    "max_worker_processes": ("max_worker_processes", int),
    "autovacuum_workers": ("autovacuum_max_workers", int),
    "maintenance_work_mem": ("maintenance_work_mem", parse_size),
    "work_mem": ("work_mem", parse_size),
    "listen": ("listen_addresses", lambda written: "localhost" if written == "localhost" else "all"),
}
SETTING_NAME = re.compile(r"[a-z]+(_[a-z]+)+")  # max_connections, work_mem: a setting, spelled as in the file


def is_setting_name(title: str) -> bool:
    """A setting's own name is shown in a code font, so it reads as the name to look up, not as words."""
    return SETTING_NAME.fullmatch(title) is not None


def derived_values(plan: Plan) -> dict[str, Any]:
    """What each "auto" input currently works out to, by flat name."""
    written = {s.name: s.value for s in plan.settings}
    return {
        **{flat: read(written[name]) for flat, (name, read) in FROM_SETTINGS.items()},
        "disk_concurrency": plan.disk_concurrency,
        "shared_buffers": plan.memory.shared_buffers_bytes,
        "os_overhead": plan.memory.os_overhead_bytes,
        "wal_disk": plan.wal_disk_bytes,
        "maintenance_jobs": plan.memory.maintenance_jobs,
        "overcommit": "strict" if plan.kernel["linux"]["vm.overcommit_memory"] == 2 else "heuristic",
        "per_connection_memory": plan.memory.per_connection_bytes,
        "clients": plan.app_clients,
        "max_connections": plan.max_connections,
        "pool_size": plan.pool_size,
        "reserve_pool": plan.reserve_pool,
        "max_client_conn": plan.max_client_conn,
        "app_network": ",".join(plan.network.app_hosts) or "localhost",
        "replica_network": ",".join(plan.network.replica_hosts) or "localhost",
        "server_host": plan.pooler_config.server_host,
    }


def _chain_within(box: QWidget) -> list[QWidget]:
    """The widgets inside ``box`` that Tab stops at, in the order Tab reaches them."""
    inside: list[QWidget] = []
    widget = box.nextInFocusChain()
    while widget is not None and widget is not box:  # the chain is a ring: it comes back to the box
        if box.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.focusProxy() is None:
            inside.append(widget)
        widget = widget.nextInFocusChain()
    return inside


def _last_in_chain(box: QWidget) -> QWidget:
    return (_chain_within(box) or [box])[-1]


class InputLabel(QLabel):
    """An input's label. Its Alt+letter selects the value in the input's box, to type over, also when the box
    has the focus already: Qt then does nothing, and what the user typed went after "4 cores" (refused)."""

    def event(self, event: QEvent) -> bool:
        buddy = self.buddy()
        if event.type() == QEvent.Type.Shortcut and buddy is not None:
            box = buddy.focusProxy() or buddy
            if box.hasFocus() and isinstance(box, QAbstractSpinBox | QLineEdit):
                box.selectAll()
                return True
        return super().event(event)


class Forms(QWidget):
    """Every input's editor; ``problem`` reports an edit the model refused (it should not happen).

    A group's advanced inputs ("Server settings") are folded away and built when their section first
    opens: the window's first paint needs only the inputs it shows. ``built`` hands the new editors to
    the window, which watches every box.
    """

    problem = Signal(str)
    built = Signal(list)  # the FieldEditors a section made when it first opened

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.editors: dict[str, FieldEditor] = {}  # the inputs built so far, by flat name
        self.labels: list[QLabel] = []  # their labels, made one width by align_labels
        self.groups: dict[str, QGroupBox] = {}
        self._reasons: dict[str, str] = {}  # why inputs are fixed (set_fixed), kept for those built later
        self._titles = self._marked_titles()
        layout = self._column = QVBoxLayout(self)
        for group, title in GROUP_TITLES.items():
            box = named(QGroupBox(title), f"group_{group}")
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            folded: list[tuple[FieldSpec, str | None]] = []  # each advanced input, after which row it goes
            above: str | None = None  # the row just above, by flat name (None: the section's toggle)
            for spec in (s for s in FIELDS.values() if s.group == group):
                if spec.flat == BUDGET_STARTS_AT:
                    form.addRow(QLabel("<b>Connections outside the pool</b>"))
                if spec.advanced:
                    if not folded:
                        self._fold(form, group, folded)
                        above = None
                    folded.append((spec, above))
                else:
                    self._add_editor(form, spec)
                above = spec.flat
            self.groups[group] = box
            layout.addWidget(box)
        layout.addStretch()
        self.align_labels()
        document.planChanged.connect(self.show_plan)
        self.show_plan(document.plan)

    def _marked_titles(self) -> dict[str, str]:
        """Every input's label with its Alt+letter (see :mod:`.mnemonics`), the folded-away inputs last;
        the Provider plan group, which the window inserts, takes its letter first."""
        groups = [
            sorted((s for s in FIELDS.values() if s.group == group), key=lambda s: s.advanced) for group in GROUP_TITLES
        ]
        marked = with_mnemonics([[PROVIDER_TITLE]] + [[spec.title for spec in specs] for specs in groups])
        self.provider_title = marked[0][0]
        return {
            spec.flat: text
            for specs, texts in zip(groups, marked[1:], strict=True)
            for spec, text in zip(specs, texts, strict=True)
        }

    def _add_editor(self, form: QFormLayout, spec: FieldSpec, row: int = -1) -> FieldEditor:
        editor = FieldEditor(spec)
        editor.edited.connect(self._on_edited)
        editor.slid.connect(self._on_slid)
        label = InputLabel(self._titles[spec.flat])
        label.setTextFormat(Qt.TextFormat.PlainText)  # a rich-text label has no Alt+letter mnemonic
        if is_setting_name(spec.title):
            label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        label.setObjectName(f"label_{spec.flat}")
        label.setToolTip(tooltip(spec))
        label.setBuddy(editor)  # the editor hands the focus on to the control that takes a value now
        form.insertRow(row, label, editor)
        self.editors[spec.flat] = editor
        self.labels.append(label)
        return editor

    def _fold(self, form: QFormLayout, group: str, rows: list[tuple[FieldSpec, str | None]]) -> None:
        """A toggle that shows or hides a group's advanced rows (in the same form, so columns stay aligned),
        building them when it is first switched on."""
        toggle = QToolButton()
        toggle.setObjectName(f"advanced_{group}")
        toggle.setText("Server settings")
        toggle.setCheckable(True)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        toggle.setAutoRaise(True)

        def unfold(on: bool) -> None:
            if on and rows[0][0].flat not in self.editors:
                self._build_folded(form, toggle, rows)
            for spec, _ in rows:
                form.setRowVisible(self.editors[spec.flat], on)
            toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

        toggle.toggled.connect(unfold)
        form.addRow(toggle)

    def _build_folded(self, form: QFormLayout, toggle: QToolButton, rows: list[tuple[FieldSpec, str | None]]) -> None:
        """Each advanced row below the row it follows, Tab reaching it there, showing the current plan."""
        made = []
        for spec, above in rows:
            anchor: QWidget = toggle if above is None else self.editors[above]
            row, _ = cast(tuple[int, QFormLayout.ItemRole], form.getWidgetPosition(anchor))  # typed "object"
            editor = self._add_editor(form, spec, row + 1)
            previous = _last_in_chain(anchor)
            for widget in _chain_within(editor):
                QWidget.setTabOrder(previous, widget)
                previous = widget
            made.append(editor)
        self.align_labels()
        self._show_fixed(made)
        self._show_values(self.document.plan, made)
        self.built.emit(made)

    def add_group(self, box: QGroupBox, position: int) -> None:
        """Insert another group (the provider picker) among the model's groups; Tab reaches it where it
        is on screen, after the group above it (made later, it would otherwise come after all of them)."""
        item = self._column.itemAt(position - 1) if position > 0 else None
        above = item.widget() if item is not None else None
        self._column.insertWidget(position, box)
        if above is not None:
            previous = _last_in_chain(above)
            for widget in _chain_within(box):
                QWidget.setTabOrder(previous, widget)
                previous = widget

    def align_labels(self) -> None:
        """One label width in every group, so all sliders start at the same x."""
        widest = max(label.sizeHint().width() for label in self.labels)
        for label in self.labels:
            label.setMinimumWidth(widest)

    def set_fixed(self, reasons: dict[str, str]) -> None:
        """Grey out the inputs that do not apply, each saying why ("fixed by heroku/standard-0",
        "no pooler"); inputs not named are unlocked."""
        self._reasons = reasons
        self._show_fixed(self.editors.values())

    def _show_fixed(self, editors: Iterable[FieldEditor]) -> None:
        for editor in editors:
            reason = self._reasons.get(editor.spec.flat)
            editor.setEnabled(reason is None)
            editor.setToolTip(f"{tooltip(editor.spec)}<br><b>{reason}</b>" if reason else tooltip(editor.spec))

    def show_plan(self, plan: Plan) -> None:
        self._show_values(plan, self.editors.values())

    @staticmethod
    def _show_values(plan: Plan, editors: Iterable[FieldEditor]) -> None:
        derived = derived_values(plan)
        for editor in editors:
            spec = editor.spec
            editor.show_value(getattr(getattr(plan.scenario, spec.group), spec.name), derived.get(spec.flat))

    def _on_edited(self, flat: str, value: Any, sliding: bool = False) -> None:
        editor = self.editors[flat]
        try:
            self.document.edit(sliding=sliding, **{flat: value})
        except ValidationError as error:
            message = describe(error, lambda _path: FIELDS[flat].title)
            if isinstance(value, str):  # say what was typed, not what it was converted to
                message = re.sub(r"\(got .*\)$", f"(got {value!r})", message)
            editor.refuse(message)
            self.problem.emit(message)
            return
        editor.clear_refusal()
        if not sliding:  # show what the model took (``24GiB`` as ``24 GB``), even when nothing changed
            spec, scenario = editor.spec, self.document.scenario
            value = getattr(getattr(scenario, spec.group), spec.name)
            editor.show_value(value, derived_values(self.document.plan).get(flat))

    def _on_slid(self, flat: str, value: Any) -> None:
        self._on_edited(flat, value, sliding=True)

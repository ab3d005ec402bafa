"""The input forms, grouped as the model is; every row is generated from a FieldSpec.

Edits go to the Document; the forms re-display whatever Plan comes back (including the values
"auto" fields derive), so they can never disagree with the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QToolButton, QVBoxLayout, QWidget

from ..model import FIELDS, Plan, parse_size
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


class Forms(QWidget):
    """Every input's editor; ``problem`` reports an edit the model refused (it should not happen)."""

    problem = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.editors: dict[str, FieldEditor] = {}
        self.labels: list[QLabel] = []  # every input's label, made one width by align_labels
        self.groups: dict[str, QGroupBox] = {}
        layout = self._column = QVBoxLayout(self)
        for group, title in GROUP_TITLES.items():
            box = named(QGroupBox(title), f"group_{group}")
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            folded: list[FieldEditor] = []  # the group's advanced inputs, shown when their toggle is on
            for spec in (s for s in FIELDS.values() if s.group == group):
                if spec.flat == BUDGET_STARTS_AT:
                    heading = QLabel("<b>Connections outside the pool</b>")
                    form.addRow(heading)
                if spec.advanced and not folded:
                    self._fold(form, group, folded)
                editor = self._add_editor(form, spec)
                if spec.advanced:
                    folded.append(editor)
                    form.setRowVisible(editor, False)
            self.groups[group] = box
            layout.addWidget(box)
        layout.addStretch()
        self._add_mnemonics()
        self.align_labels()
        document.planChanged.connect(self.show_plan)
        self.show_plan(document.plan)

    def _add_editor(self, form: QFormLayout, spec: Any) -> FieldEditor:
        editor = FieldEditor(spec)
        editor.edited.connect(self._on_edited)
        editor.slid.connect(self._on_slid)
        label = QLabel(spec.title)
        label.setTextFormat(Qt.TextFormat.PlainText)  # a rich-text label has no Alt+letter mnemonic
        if is_setting_name(spec.title):
            label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        label.setObjectName(f"label_{spec.flat}")
        label.setToolTip(tooltip(spec))
        label.setBuddy(editor)  # the editor hands the focus on to the control that takes a value now
        form.addRow(label, editor)
        self.editors[spec.flat] = editor
        self.labels.append(label)
        return editor

    def _add_mnemonics(self) -> None:
        """Alt+letter on every label that can have one (see :mod:`.mnemonics`), the folded-away inputs
        last; the Provider plan group, which the window inserts, takes its letter first."""
        by_group: dict[str, list[tuple[bool, QLabel]]] = {group: [] for group in GROUP_TITLES}
        for label, editor in zip(self.labels, self.editors.values(), strict=True):
            by_group[editor.spec.group].append((editor.spec.advanced, label))
        groups = [[label for _, label in sorted(rows, key=lambda row: row[0])] for rows in by_group.values()]
        marked = with_mnemonics([[PROVIDER_TITLE]] + [[label.text() for label in group] for group in groups])
        self.provider_title = marked[0][0]
        for group, texts in zip(groups, marked[1:], strict=True):
            for label, text in zip(group, texts, strict=True):
                label.setText(text)

    def _fold(self, form: QFormLayout, group: str, rows: list[FieldEditor]) -> None:
        """A toggle that shows or hides a group's advanced rows (in the same form, so columns stay aligned)."""
        toggle = QToolButton()
        toggle.setObjectName(f"advanced_{group}")
        toggle.setText("Server settings")
        toggle.setCheckable(True)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        toggle.setAutoRaise(True)

        def unfold(on: bool) -> None:
            for editor in rows:
                form.setRowVisible(editor, on)
            toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

        toggle.toggled.connect(unfold)
        form.addRow(toggle)

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
        for flat, editor in self.editors.items():
            reason = reasons.get(flat)
            editor.setEnabled(reason is None)
            editor.setToolTip(f"{tooltip(editor.spec)}<br><b>{reason}</b>" if reason else tooltip(editor.spec))

    def show_plan(self, plan: Plan) -> None:
        derived = derived_values(plan)
        data = plan.scenario.model_dump()
        for flat, editor in self.editors.items():
            spec = editor.spec
            editor.show_value(data[spec.group][spec.name], derived.get(flat))

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

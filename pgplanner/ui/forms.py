"""The input forms, grouped as the model is; every row is generated from a FieldSpec.

Edits go to the Document; the forms re-display whatever Plan comes back (including the values
"auto" fields derive), so they can never disagree with the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QToolButton, QVBoxLayout, QWidget

from ..model import FIELDS, Plan, parse_size
from .document import Document
from .editors import FieldEditor, tooltip

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
}


def derived_values(plan: Plan) -> dict[str, Any]:
    """What each "auto" input currently works out to, by flat name."""
    written = {s.name: s.value for s in plan.settings}
    return {
        **{flat: read(written[name]) for flat, (name, read) in FROM_SETTINGS.items()},
        "disk_concurrency": plan.disk_concurrency,
        "shared_buffers": plan.memory.shared_buffers_bytes,
        "os_overhead": plan.memory.os_overhead_bytes,
        "per_connection_memory": plan.memory.per_connection_bytes,
        "clients": plan.app_clients,
        "max_connections": plan.max_connections,
        "pool_size": plan.pool_size,
        "reserve_pool": plan.reserve_pool,
        "max_client_conn": plan.max_client_conn,
    }


class Forms(QWidget):
    """Every input's editor; ``problem`` reports an edit the model refused (it should not happen)."""

    problem = Signal(str)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.editors: dict[str, FieldEditor] = {}
        self.groups: dict[str, QGroupBox] = {}
        layout = QVBoxLayout(self)
        for group, title in GROUP_TITLES.items():
            box = QGroupBox(title, objectName=f"group_{group}")
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            advanced = None
            for spec in (s for s in FIELDS.values() if s.group == group):
                if spec.flat == BUDGET_STARTS_AT:
                    heading = QLabel("<b>Connections outside the pool</b>")
                    form.addRow(heading)
                if spec.advanced and advanced is None:
                    advanced = self._fold(form, group)
                self._add_editor(advanced or form, spec)
            self.groups[group] = box
            layout.addWidget(box)
        layout.addStretch()
        document.planChanged.connect(self.show_plan)
        self.show_plan(document.plan)

    def _add_editor(self, form: QFormLayout, spec: Any) -> None:
        editor = FieldEditor(spec)
        editor.edited.connect(self._on_edited)
        editor.slid.connect(self._on_slid)
        label = QLabel(spec.title)
        label.setToolTip(tooltip(spec))
        label.setBuddy(editor.spin or editor.combo or editor.check or editor)
        form.addRow(label, editor)
        self.editors[spec.flat] = editor

    def _fold(self, form: QFormLayout, group: str) -> QFormLayout:
        """A folded section for a group's advanced inputs, opened by a toggle; its form layout."""
        toggle = QToolButton()
        toggle.setObjectName(f"advanced_{group}")
        toggle.setText("Server settings that drive memory")
        toggle.setCheckable(True)
        toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toggle.setArrowType(Qt.ArrowType.RightArrow)
        toggle.setAutoRaise(True)
        section = QWidget()
        section.setObjectName(f"advanced_{group}_section")
        section.setVisible(False)
        inner = QFormLayout(section)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def unfold(on: bool) -> None:
            section.setVisible(on)
            toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)

        toggle.toggled.connect(unfold)
        form.addRow(toggle)
        form.addRow(section)
        return inner

    def add_group(self, box: QGroupBox, position: int) -> None:
        """Insert another group (the provider picker) among the model's groups."""
        self.layout().insertWidget(position, box)

    def set_fixed(self, flats: set[str], reason: str) -> None:
        """Lock the inputs a provider plan fixes, saying why; an empty set unlocks everything."""
        for flat, editor in self.editors.items():
            fixed = flat in flats
            editor.setEnabled(not fixed)
            editor.setToolTip(f"{tooltip(editor.spec)}<br><b>Fixed by {reason}</b>" if fixed else tooltip(editor.spec))

    def show_plan(self, plan: Plan) -> None:
        derived = derived_values(plan)
        data = plan.scenario.model_dump()
        for flat, editor in self.editors.items():
            spec = editor.spec
            editor.show_value(data[spec.group][spec.name], derived.get(flat))

    def _on_edited(self, flat: str, value: Any, sliding: bool = False) -> None:
        try:
            self.document.edit(sliding=sliding, **{flat: value})
        except ValidationError as error:
            self.problem.emit(f"{FIELDS[flat].title}: {error.errors()[0]['msg']}")
            self.editors[flat].forget()
            self.show_plan(self.document.plan)  # put the editor back on the model's value

    def _on_slid(self, flat: str, value: Any) -> None:
        self._on_edited(flat, value, sliding=True)

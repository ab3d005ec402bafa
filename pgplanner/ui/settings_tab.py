"""The Settings tab: every postgresql.conf setting of the plan, by group, each explaining itself.

A tree of groups and settings (value, and whether a restart or a reload applies it); hovering a
setting shows its explanation, clicking it shows the explanation in the pane beside it, where it
stays (recomputed) while the plan changes.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..model import Plan
from ..model.settings import GROUP_TITLES, Setting

APPLIES = {"restart": "restart", "reload": "reload"}


def explanation_html(setting: Setting) -> str:
    d = setting.derivation
    parts = [
        f"<b>{escape(setting.name)} = {escape(setting.value)}</b> &nbsp;<i>({escape(setting.context)} to apply)</i>",
        f"{escape(d.formula)}:<br><tt>{escape(d.calculation)}</tt>",
    ]
    if d.note:
        parts.append(escape(d.note))
    if setting.versus_pgtune:
        parts.append(f"<i>Unlike pgtune:</i> {escape(setting.versus_pgtune)}.")
    return "<br>".join(parts)


class SettingsTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_tab")
        self.tree = QTreeWidget(objectName="settings_tree")
        self.tree.setHeaderLabels(["Setting", "Value", "Applies on"])
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(self._show_current)
        self.why = QTextBrowser(objectName="settings_why")
        self.why.setPlaceholderText("Click a setting to see how its value was reached.")
        split = QSplitter(Qt.Orientation.Horizontal)  # side by side: the details pane is wide, not tall
        split.addWidget(self.tree)
        split.addWidget(self.why)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._settings: tuple[Setting, ...] = ()
        self._selected: str | None = None

    def show_plan(self, plan: Plan) -> None:
        if plan.settings == self._settings:
            return
        self._settings = plan.settings
        self.tree.blockSignals(True)
        self.tree.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        current = None
        for setting in plan.settings:
            group = groups.get(setting.group)
            if group is None:
                group = groups[setting.group] = QTreeWidgetItem(self.tree, [GROUP_TITLES[setting.group]])
                group.setFirstColumnSpanned(True)
                group.setExpanded(True)
            item = QTreeWidgetItem(group, [setting.name, setting.value, APPLIES[setting.context]])
            item.setData(0, Qt.ItemDataRole.UserRole, setting.name)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tip = explanation_html(setting)
            for column in range(3):
                item.setToolTip(column, tip)
            if setting.name == self._selected:
                current = item
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self.tree.blockSignals(False)
        if current is not None:
            self.tree.setCurrentItem(current)
        self._show_current(self.tree.currentItem())

    def _show_current(self, item: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None = None) -> None:
        name = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        setting = next((s for s in self._settings if s.name == name), None)
        if setting is None:
            return
        self._selected = name
        self.why.setHtml(explanation_html(setting))

"""The Settings tab: every postgresql.conf setting of the plan, by group, each explaining itself.

A tree of groups and settings (value, and whether a restart or a reload applies it); hovering a
setting shows its explanation, clicking it shows the explanation in the pane beside it, where it
stays (recomputed) while the plan changes.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QSplitter, QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ..model import Plan
from ..model.settings import Setting
from ..present import settings_groups, versus_pgtune
from .theme import theme_for


def explanation_html(setting: Setting) -> str:
    d = setting.derivation
    parts = [
        f"<b>{escape(setting.name)} = {escape(setting.value)}</b> &nbsp;<i>({escape(setting.context)} to apply)</i>",
        f"{escape(d.formula)}:<br><tt>{escape(d.calculation)}</tt>",
    ]
    parts += [escape(part) for part in (d.note, f"source: {d.source}" if d.source else "", versus_pgtune(setting))]
    return "<br>".join(part for part in parts if part)


class SettingsTab(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_tab")
        self.tree = QTreeWidget()
        self.tree.setObjectName("settings_tree")
        self.tree.setHeaderLabels(["Setting", "Value", "Applies on"])
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(self._show_current)
        self.why = QTextBrowser()
        self.why.setObjectName("settings_why")
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
        self._hint_colour()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._hint_colour()

    def _hint_colour(self) -> None:
        """The hint in the theme's muted colour: a palette without a placeholder colour of its own (many
        dark ones) leaves Qt's grey for a light base, unreadable on a dark one."""
        palette = self.why.palette()
        palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(theme_for(self.palette()).colour("muted")))
        self.why.setPalette(palette)

    def show_plan(self, plan: Plan) -> None:
        if plan.settings == self._settings:
            return
        self._settings = plan.settings
        self.tree.blockSignals(True)
        self.tree.clear()
        current = None
        for title, rows in settings_groups(plan):
            group = QTreeWidgetItem(self.tree, [title])
            group.setFirstColumnSpanned(True)
            group.setExpanded(True)
            for row in rows:
                item = QTreeWidgetItem(group, [row.name, row.value, row.applies])
                item.setData(0, Qt.ItemDataRole.UserRole, row.name)
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                tip = explanation_html(row.setting)
                for column in range(3):
                    item.setToolTip(column, tip)
                if row.name == self._selected:
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

"""Result cards: the headline numbers, each able to say why it is what it is.

Hovering a card shows its derivations; clicking it asks the window to show them in full. A card
takes the colour of the worst warning whose ``concerns`` meet its outputs (see :mod:`pgplanner.present.cards`),
so a problem is visible at a glance.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ..model import Plan
from ..model.compare import outputs
from ..present import CARDS, CardSpec, card_severity
from ..present.compare import card_baseline
from ..present.html import card_tooltip
from .theme import SEVERITY

CARD_HEIGHT = 84
BASELINE_ROW = 14  # "baseline 1,000 · -900", shown while a baseline is pinned


class Card(QFrame):
    clicked = Signal(str)

    def __init__(self, spec: CardSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"card_{spec.key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        self.title = QLabel(spec.title, objectName=f"card_{spec.key}_title")
        self.value = QLabel(objectName=f"card_{spec.key}_value")
        self.caption = QLabel(objectName=f"card_{spec.key}_caption")
        self.baseline = QLabel()  # "baseline 1,000 · -900" while a baseline is pinned
        self.baseline.setObjectName(f"card_{spec.key}_baseline")
        self.baseline.setStyleSheet("color: #555; font-size: 10px;")
        self.baseline.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.baseline.setFixedHeight(BASELINE_ROW)
        self.baseline.hide()
        self.title.setStyleSheet("color: #555; font-size: 11px;")
        self.value.setStyleSheet("font-size: 22px; font-weight: 600;")
        self.caption.setStyleSheet("color: #555; font-size: 10px;")
        self.caption.setWordWrap(True)
        self.caption.setFixedHeight(28)  # room for two lines
        # Fixed heights and ignored widths: a new number never relayouts the window while a slider moves.
        self.setFixedHeight(CARD_HEIGHT)
        for label in (self.title, self.value, self.baseline, self.caption):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            layout.addWidget(label)
        self._severity: str | None = "unset"

    def show_plan(self, plan: Plan) -> None:
        self.value.setText(self.spec.value(plan))
        self.caption.setText(self.spec.caption(plan))
        self.setToolTip(card_tooltip(plan, self.spec))
        severity = card_severity(plan, self.spec)
        if severity != self._severity:
            self._severity = severity
            edge = SEVERITY[severity] if severity else "#c8c8c8"
            width = 3 if severity else 1
            self.setStyleSheet(
                f"#card_{self.spec.key} {{ background: white; border: 1px solid #c8c8c8; "
                f"border-left: {width + 2}px solid {edge}; border-radius: 4px; }}"
            )

    def show_baseline(self, baseline: Plan | None, now: dict[str, Any], then: dict[str, Any]) -> None:
        if self.baseline.isVisibleTo(self) != (baseline is not None):  # grows a row only on pin and unpin
            self.baseline.setVisible(baseline is not None)
            self.setFixedHeight(CARD_HEIGHT + (BASELINE_ROW if baseline is not None else 0))
        if baseline is not None:
            self.baseline.setText(card_baseline(self.spec, baseline, now, then))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.spec.key)
        super().mouseReleaseEvent(event)


class CardGrid(QWidget):
    cardClicked = Signal(str)

    def __init__(self, columns: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.cards = {spec.key: Card(spec) for spec in CARDS}
        for i, card in enumerate(self.cards.values()):
            layout.addWidget(card, i // columns, i % columns)
            card.clicked.connect(self.cardClicked)
        self._then: tuple[Plan | None, dict[str, Any]] = (None, {})

    def show_plan(self, plan: Plan, baseline: Plan | None = None) -> None:
        """The plan's figures; with a pinned ``baseline``, each card also says the baseline's and the change."""
        now = outputs(plan) if baseline is not None else {}
        if baseline is not None and self._then[0] is not baseline:
            self._then = (baseline, outputs(baseline))  # the baseline stays while the plan changes on every tick
        then = self._then[1]
        for card in self.cards.values():
            card.show_plan(plan)
            card.show_baseline(baseline, now, then)

"""Result cards: the headline numbers, each able to say why it is what it is.

Hovering a card shows its derivations; clicking it asks the window to show them in full. A card
takes the colour of the worst warning that concerns it, so a problem is visible at a glance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget

from ..model import Plan, human_size
from ..model.checks import SEVERITY_ORDER
from ..model.derivation import n
from .theme import INK, SEVERITY


@dataclass(frozen=True)
class CardSpec:
    key: str
    title: str
    value: Callable[[Plan], str]
    caption: Callable[[Plan], str]
    derivations: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    pooler_only: bool = False  # greyed, saying "no pooler", when the scenario has none


_NO_ROOM = "no memory left: shared_buffers + OS take all the RAM"


def _tps(plan: Plan) -> str:
    return "no pooler" if plan.pooler_capacity_tps is None else f"{n(round(plan.pooler_capacity_tps))} tps"


CARDS = (
    CardSpec(
        "max_connections",
        "max_connections",
        lambda p: n(p.max_connections),
        lambda p: f"required {n(p.max_connections_required)} · recommended {n(p.max_connections_recommended)}",
        ("max_connections_required", "max_connections_recommended", "max_connections", "max_wal_senders"),
        ("MAX_CONNECTIONS_BELOW_REQUIRED", "PROVIDER_HARD_LIMIT", "MAX_CONNECTIONS_HIGH", "BUDGET_OVER_RAM_CEILING"),
    ),
    CardSpec(
        "ram_ceiling",
        "RAM ceiling",
        lambda p: n(p.ram_ceiling),
        lambda p: (
            f"fit in {human_size(p.memory.available_bytes)} at {human_size(p.memory.per_connection_bytes)} each"
            if p.memory.available_bytes > 0
            else _NO_ROOM
        ),
        ("shared_buffers", "os_overhead", "available", "per_connection", "ram_ceiling"),
        ("NO_MEMORY_FOR_CONNECTIONS", "BUDGET_OVER_RAM_CEILING"),
    ),
    CardSpec(
        "productive_target",
        "Productive target",
        lambda p: n(p.productive_target),
        lambda p: f"active connections · pool range {p.pool_size_range[0]}–{p.pool_size_range[1]}",
        ("disk_concurrency", "productive_target", "pool_size_range"),
        ("DEMAND_WITHOUT_POOLER", "MEASURED_PEAK_DIFFERS"),
    ),
    CardSpec(
        "pool_size",
        "Pool size",
        lambda p: n(p.pool_size),
        lambda p: (
            f"{p.pools} pool{'s' if p.pools > 1 else ''} · reserve {p.reserve_pool}"
            f" · max_client_conn {n(p.max_client_conn)}"
        ),
        ("client_demand", "pool_size", "reserve_pool", "max_client_conn"),
        ("POOL_ABOVE_PRODUCTIVE_RANGE", "CLIENTS_OVER_MAX_CLIENT_CONN", "SESSION_MODE_QUEUES_CLIENTS"),
        pooler_only=True,
    ),
    CardSpec(
        "worst_case",
        "Worst-case memory",
        lambda p: human_size(p.memory.worst_case_bytes),
        lambda p: (
            f"{n(p.max_connections)} x {human_size(p.memory.worst_case_per_connection_bytes)}"
            + (
                f" · available {human_size(p.memory.available_bytes)}"
                if p.memory.available_bytes > 0
                else f" · {_NO_ROOM}"
            )
        ),
        ("worst_per_connection", "worst_case"),
        ("WORST_CASE_OVER_RAM",),
    ),
    CardSpec(
        "heavy_fraction",
        "Heavy-fraction memory",
        lambda p: human_size(p.memory.heavy_fraction_bytes),
        lambda p: f"{p.scenario.memory.heavy_fraction:.0%} of connections running the heaviest query",
        ("heavy_fraction",),
        ("HEAVY_FRACTION_OVER_RAM",),
    ),
    CardSpec(
        "safe_work_mem",
        "Safe work_mem",
        lambda p: human_size(p.memory.safe_work_mem_bytes) if p.memory.safe_work_mem_bytes else "none",
        lambda p: f"for {n(p.max_connections)} connections · now {human_size(p.scenario.memory.work_mem)}",
        ("safe_work_mem",),
        ("WORST_CASE_OVER_RAM",),
    ),
    CardSpec(
        "pooler_capacity",
        "Pooler capacity",
        _tps,
        lambda p: f"{n(p.pools * p.pool_size)} backends at {p.scenario.workload.txn_ms:g} ms per transaction",
        ("pooler_capacity",),
        ("PGBOUNCER_SINGLE_PROCESS",),
        pooler_only=True,
    ),
)


def derivation_html(plan: Plan, keys: tuple[str, ...]) -> str:
    """The derivations behind a card as rich text: formula, the numbers, and any note."""
    rows = []
    for key in keys:
        d = plan.derivations.get(key)
        if d is None:
            continue
        note = f"<br><i>{escape(d.note)}</i>" if d.note else ""
        rows.append(f"<p><b>{escape(d.formula)}</b><br><tt>{escape(d.calculation)}</tt>{note}</p>")
    return "".join(rows) or "<p>Nothing to derive.</p>"


CARD_HEIGHT = 84
CAPTION_LINE = 14  # pixels per line of a 10px caption
# One style sheet for all cards (a style sheet per label costs start-up time); states are properties.
CARD_STYLE = "".join(
    [
        "Card { background: white; border: 1px solid #c8c8c8; border-left: 3px solid #c8c8c8; border-radius: 4px; }",
        "QLabel[part='title'] { color: #555; font-size: 11px; }",
        "QLabel[part='title'][compact='true'] { font-size: 10px; }",
        f"QLabel[part='value'] {{ font-size: 22px; font-weight: 600; color: {INK}; }}",
        "QLabel[part='value'][inactive='true'] { color: #9a9a9a; }",
        "QLabel[part='caption'] { color: #555; font-size: 10px; }",
        *(f"Card[severity='{s}'] {{ border-left: 5px solid {colour}; }}" for s, colour in SEVERITY.items()),
    ]
)


def _restyle(widget: QWidget, name: str, value: object) -> None:
    """Set a property the style sheet looks at, and apply it."""
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


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
        for label, part in ((self.title, "title"), (self.value, "value"), (self.caption, "caption")):
            label.setProperty("part", part)  # styled by the grid's one style sheet
        self.caption.setWordWrap(True)
        self.caption.setFixedHeight(2 * CAPTION_LINE)  # room for two lines
        # Fixed heights and ignored widths: a new number never relayouts the window while a slider moves.
        self.setFixedHeight(CARD_HEIGHT)
        for label in (self.title, self.value, self.caption):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            layout.addWidget(label)
        self._severity: str | None = "unset"
        self.inactive = False  # a pooler's number while there is no pooler

    def show_plan(self, plan: Plan) -> None:
        inactive = self.spec.pooler_only and plan.scenario.pooler.kind == "none"
        if inactive != self.inactive:  # restyling costs a relayout: only when it changes
            self.inactive = inactive
            _restyle(self.value, "inactive", inactive)
        self.value.setText("no pooler" if inactive else self.spec.value(plan))
        self.caption.setText("clients connect to PostgreSQL directly" if inactive else self.spec.caption(plan))
        self.setToolTip(f"<b>Why {escape(self.spec.title)}?</b>{derivation_html(plan, self.spec.derivations)}")
        concerning = [w.severity for w in plan.warnings if w.code in self.spec.warnings]
        severity = min(concerning, key=SEVERITY_ORDER.__getitem__) if concerning else None
        if severity != self._severity:
            self._severity = severity
            _restyle(self, "severity", severity or "none")

    def set_compact(self, compact: bool) -> None:
        _restyle(self.title, "compact", compact)
        margin = 6 if compact else 10
        self.layout().setContentsMargins(margin, 6, margin, 6)
        self.caption.setFixedHeight(CAPTION_LINE * (3 if compact else 2))
        self.setFixedHeight(CARD_HEIGHT + (CAPTION_LINE if compact else 0))

    def menu(self) -> QMenu:
        """Right-click: copy the number (as shown, e.g. "780 MB") for a ticket or a chat."""
        menu = QMenu(self)
        menu.addAction(f"Copy {self.value.text()}", self.copy_value)
        return menu

    def copy_value(self) -> None:
        QGuiApplication.clipboard().setText(self.value.text())
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu().exec(event.globalPos())

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
        self.setStyleSheet(CARD_STYLE)
        self.cards = {spec.key: Card(spec) for spec in CARDS}
        for i, card in enumerate(self.cards.values()):
            layout.addWidget(card, i // columns, i % columns)
            card.clicked.connect(self.cardClicked)

    def show_plan(self, plan: Plan) -> None:
        for card in self.cards.values():
            card.show_plan(plan)

    def set_compact(self, compact: bool) -> None:
        """Narrow cards: a smaller title and room for a third line of caption."""
        for card in self.cards.values():
            card.set_compact(compact)

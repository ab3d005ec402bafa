"""Result cards: the headline numbers, each able to say why it is what it is.

Hovering a card shows its derivations; clicking it asks the window to show them in full. From the
keyboard a card takes the focus (Tab, then the arrow keys between cards): Enter or Space shows its
derivation and Ctrl+C copies its number. A card takes the colour of the worst warning whose
``concerns`` meet its outputs (see :mod:`pgplanner.present.cards`), so a problem is visible at a glance.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QMenu, QSizePolicy, QVBoxLayout, QWidget

from ..model import Plan
from ..model.compare import outputs
from ..present import CARDS, CardSpec
from ..present.cards import CardView, card_views
from ..present.compare import card_baseline
from ..present.html import card_tooltip
from ..present.palette import SEVERITY, Theme
from .elided import ElidedLabel
from .theme import theme_for

CARD_HEIGHT = 84
CAPTION_LINE = 14  # pixels per line of a 10px caption
BASELINE_ROW = 14  # "baseline 1,000 · -900", shown while a baseline is pinned
ARROWS = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
ACTIVATE = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)


def card_style(theme: Theme) -> str:
    """One style sheet for all cards (a style sheet per label costs start-up time), in the colours of the
    theme the desktop's palette calls for; states are properties. The focused card has a thick border in
    the palette's highlight colour."""
    colour = theme.colour
    edge = colour("grid")
    return "".join(
        [
            f"Card {{ background: {colour('paper')}; border: 1px solid {edge}; border-left: 3px solid {edge};"
            " border-radius: 4px; }",
            f"QLabel[part='title'] {{ color: {colour('muted')}; font-size: 11px; }}",
            "QLabel[part='title'][compact='true'] { font-size: 10px; }",
            f"QLabel[part='value'] {{ font-size: 22px; font-weight: 600; color: {colour('ink')}; }}",
            f"QLabel[part='value'][inactive='true'] {{ color: {colour('modelled')}; }}",
            f"QLabel[part='caption'] {{ color: {colour('muted')}; font-size: 10px; }}",
            f"QLabel[part='baseline'] {{ color: {colour('muted')}; font-size: 10px; }}",
            *(f"Card[severity='{s}'] {{ border-left: 5px solid {colour}; }}" for s, colour in SEVERITY.items()),
            "Card:focus { border: 2px solid palette(highlight); }",
        ]
    )


def _label(name: str, text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    return label


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
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        self.title = _label(f"card_{spec.key}_title", spec.title)
        self.value = _label(f"card_{spec.key}_value")
        self.caption = _label(f"card_{spec.key}_caption")
        # "baseline 1,000 · -900" while pinned ("vs 1,000 · -900" in a narrow card): the figures are never cut
        self.baseline = ElidedLabel(f"card_{spec.key}_baseline", keep_after=" · ")
        self.baseline.setFixedHeight(BASELINE_ROW)
        self.baseline.hide()
        parts = ((self.title, "title"), (self.value, "value"), (self.baseline, "baseline"), (self.caption, "caption"))
        for label, part in parts:
            label.setProperty("part", part)  # styled by the grid's one style sheet
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # never up over the value
        self.caption.setFixedHeight(2 * CAPTION_LINE)  # room for two lines
        # Fixed heights and ignored widths: a new number never relayouts the window while a slider moves.
        self.setFixedHeight(CARD_HEIGHT)
        for label in (self.title, self.value, self.baseline, self.caption):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            layout.addWidget(label)
        self._severity: str | None = "unset"
        self.inactive = False  # a pooler's number while there is no pooler
        self._compact = False
        self._pinned = False

    def show_card(self, plan: Plan, card: CardView) -> None:
        """Draw ``card`` (this card's view of ``plan``, which the tooltip explains)."""
        if card.inactive != self.inactive:  # restyling costs a relayout: only when it changes
            self.inactive = card.inactive
            _restyle(self.value, "inactive", card.inactive)
        self.value.setText(card.value)
        self.caption.setText(card.caption)
        self.setToolTip(card_tooltip(plan, card))
        if card.severity != self._severity:
            self._severity = card.severity
            _restyle(self, "severity", card.severity or "none")

    def set_compact(self, compact: bool) -> None:
        _restyle(self.title, "compact", compact)
        margin = 6 if compact else 10
        self._layout.setContentsMargins(margin, 6, margin, 6)
        self.caption.setFixedHeight(CAPTION_LINE * (3 if compact else 2))
        self._compact = compact
        self._fit()

    def show_baseline(self, baseline: CardView | None, now: dict[str, Any], then: dict[str, Any]) -> None:
        """``baseline``: this card as the pinned plan shows it, None when no baseline is pinned."""
        if self._pinned != (baseline is not None):  # grows a row only on pin and unpin
            self._pinned = baseline is not None
            self.baseline.setVisible(self._pinned)
            self._fit()
        if baseline is not None:
            self.baseline.set_wordings(card_baseline(baseline, now, then))

    def _fit(self) -> None:
        extra = (CAPTION_LINE if self._compact else 0) + (BASELINE_ROW if self._pinned else 0)
        self.setFixedHeight(CARD_HEIGHT + extra)

    def menu(self) -> QMenu:
        """Right-click: copy the number (as shown, e.g. "780 MB") for a ticket or a chat."""
        menu = QMenu(self)
        menu.addAction(f"Copy {self.value.text()}", self.copy_value)
        return menu

    def copy_value(self) -> None:
        QGuiApplication.clipboard().setText(self.value.text())

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.menu().exec(event.globalPos())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in ACTIVATE and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.clicked.emit(self.spec.key)
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_value()
        elif event.key() in ARROWS and isinstance(grid := self.parentWidget(), CardGrid):
            grid.focus_next_to(self, *ARROWS[Qt.Key(event.key())])
        elif event.key() == Qt.Key.Key_Menu or QKeySequence(event.keyCombination()) == QKeySequence("Shift+F10"):
            self.menu().exec(self.mapToGlobal(QPoint(0, self.height())))
        else:
            super().keyPressEvent(event)

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
        self.theme = theme_for(self.palette())
        self.setStyleSheet(card_style(self.theme))
        self.cards = {spec.key: Card(spec, self) for spec in CARDS}
        self._columns = columns
        self._laid_out: tuple[str, ...] = ()
        self._places: dict[str, tuple[int, int]] = {}  # (row, column) of each card shown
        self._compact = False
        for card in self.cards.values():
            card.clicked.connect(self.cardClicked)
            card.hide()  # shown by show_plan when the plan has it
        # The pinned plan's outputs and cards: the baseline stays while the plan changes on every tick.
        self._then: tuple[Plan | None, dict[str, Any], dict[str, CardView]] = (None, {}, {})

    def show_plan(self, plan: Plan, baseline: Plan | None = None) -> None:
        """The plan's cards; with a pinned ``baseline``, each card also says the baseline's figure and the change."""
        now = outputs(plan) if baseline is not None else {}
        if baseline is not None and self._then[0] is not baseline:
            self._then = (baseline, outputs(baseline), {card.key: card for card in card_views(baseline)})
        _, then, pinned = self._then
        views = card_views(plan)
        self._lay_out(tuple(view.key for view in views))
        for view in views:
            card = self.cards[view.key]
            card.show_card(plan, view)
            card.show_baseline(pinned.get(view.key) if baseline is not None else None, now, then)

    def _lay_out(self, keys: tuple[str, ...], force: bool = False) -> None:
        """The plan's cards, the others hidden: in two rows (a fifth column for the latency card) when the
        window is wide, in rows of four when it is small. Laid out again only when that changes (a demand
        set or cleared, the window made small), never on a slider tick."""
        if keys == self._laid_out and not force:
            return
        self._laid_out = keys
        layout = self.layout()
        assert isinstance(layout, QGridLayout)
        columns = self._columns if self._compact else max(self._columns, -(-len(keys) // 2))
        for card in self.cards.values():
            layout.removeWidget(card)
            card.hide()
        self._places = {key: (i // columns, i % columns) for i, key in enumerate(keys)}
        for key, (row, column) in self._places.items():
            layout.addWidget(self.cards[key], row, column)
            self.cards[key].show()
        for column in range(layout.columnCount()):
            layout.setColumnStretch(column, 1 if column < columns else 0)
        narrow = self._compact or columns > self._columns
        for card in self.cards.values():
            card.set_compact(narrow)

    def set_theme(self, theme: Theme) -> None:
        """Dark cards on a dark desktop. The window says when its palette changes: the grid's own palette
        does not follow the desktop's once its style sheet is applied."""
        if theme is not self.theme:
            self.theme = theme
            self.setStyleSheet(card_style(theme))

    def focus_next_to(self, card: Card, rows: int, columns: int) -> None:
        """Move the focus from ``card`` to the card ``rows`` down and ``columns`` across (arrow keys)."""
        row, column = self._places[card.spec.key]
        neighbour = next((key for key, place in self._places.items() if place == (row + rows, column + columns)), None)
        if neighbour is not None:
            self.cards[neighbour].setFocus(Qt.FocusReason.TabFocusReason)

    def height_side_by_side(self) -> int:
        """The grid's height in a wide window (two rows, a fifth column when needed), whatever it is now:
        the window decides from it whether the plots fit beside one another."""
        keys = self._laid_out
        columns = max(self._columns, -(-len(keys) // 2))
        rows = -(-len(keys) // columns)
        pinned = any(card._pinned for card in self.cards.values())
        card = CARD_HEIGHT + (CAPTION_LINE if columns > self._columns else 0) + (BASELINE_ROW if pinned else 0)
        layout = self.layout()
        assert layout is not None
        return rows * card + (rows - 1) * layout.spacing()

    def set_compact(self, compact: bool) -> None:
        """A small window: narrow cards (a smaller title, room for a third line of caption), four to a row.
        A fifth column (the latency card in a wide window) makes them narrow too."""
        self._compact = compact
        self._lay_out(self._laid_out, force=True)

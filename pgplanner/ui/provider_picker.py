"""The "Provider plan" group: pick a managed plan (searchable), see its facts and where they come from.

Choosing a plan replaces the scenario with one on that plan's hardware and limits (one undo step);
"Self-managed" goes back to the hardware the user had before. The forms lock what the plan fixes.
The catalog is read the first time the picker is used, not while the window starts.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QGroupBox,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..model import Plan, human_size
from ..model.derivation import n
from .editors import ComboBox
from .named import named

if TYPE_CHECKING:  # the presets load when the picker is first used, not while the window starts
    from ..presets import Catalog, Preset

SELF_MANAGED = "Self-managed (no provider)"
SEARCH_EXAMPLES = "rds r6g, heroku standard, neon 2 cu"


class _Search(QSortFilterProxyModel):
    """The plans with a word starting with each word typed, in any order (:func:`pgplanner.presets.matches`),
    those whose names hold every word first (:func:`pgplanner.presets.relevance`), else in the list's order."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.query = ""
        self.words: dict[str, str] = {}  # by preset id: what a search matches (title, provider, plan, aliases)
        self.presets: dict[str, Preset] = {}
        self._ranks: dict[str, int] = {}  # by preset id, for the query searched

    def search(self, query: str) -> None:
        from ..presets import relevance

        self.query = query
        self._ranks = {preset_id: relevance(query, preset) for preset_id, preset in self.presets.items()}
        self.invalidate()
        self.sort(0)

    def lessThan(self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex) -> bool:
        ranks = [self._ranks.get(index.data(Qt.ItemDataRole.UserRole), 0) for index in (left, right)]
        return (ranks[0], left.row()) < (ranks[1], right.row())

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        preset_id = self.sourceModel().index(row, 0, parent).data(Qt.ItemDataRole.UserRole)
        if preset_id is None:  # before the list is read, there are no presets (and their module need not load)
            return False
        from ..presets import matches

        return matches(self.query, self.words.get(preset_id, ""))


class _LazyCombo(ComboBox):
    """A combo box that asks for its entries just before the user first needs them."""

    needed = Signal()

    def showPopup(self) -> None:
        self.needed.emit()
        super().showPopup()


def preset_title(preset: Preset) -> str:
    p = preset.plan
    return f"{preset.provider_name} — {p.plan} ({p.vcpus:g} vCPU, {human_size(p.ram)}, max {n(p.max_connections)})"


TITLE = "Provider plan"  # the group's title; the input forms give it its Alt+letter among theirs


class ProviderPicker(QGroupBox):
    """Emits ``chosen(preset)`` for a plan and ``chosen(None)`` for self-managed."""

    chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.setObjectName("group_provider")
        self.catalog: Catalog | None = None
        self._layout = QVBoxLayout(self)
        self.combo = named(_LazyCombo(), "combo_preset")
        self.combo.needed.connect(self.load)
        self.combo.setEditable(True)
        # Plan titles are long; without this the combo (and the whole form) grows to the longest one.
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        self.combo.setMaxVisibleItems(20)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItem(SELF_MANAGED, None)
        self.combo.installEventFilter(self)  # typing a search needs the entries too (the line edit focuses the combo)
        # The search: each word typed starts a word of the plan's, in any order; the popup lists what matches.
        self._search = _Search(self)
        self._search.setSourceModel(self.combo.model())
        completer = self._completer = QCompleter(self._search, self.combo)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.combo.setCompleter(completer)
        search = self.combo.lineEdit()
        assert search is not None  # setEditable(True) made it
        search.setPlaceholderText(f"Search: {SEARCH_EXAMPLES} ...")
        search.textEdited.connect(self._search.search)
        search.returnPressed.connect(self._on_enter)
        search.textChanged.connect(self._forget_unmatched)
        self.combo.activated.connect(self._on_activated)
        self.note = named(QLabel(), "preset_search_note")  # what a search that finds nothing says
        self._unmatched = ""  # the search the note is about: the note goes when the box no longer holds it
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.hide()
        self.facts = named(QLabel(), "preset_facts")
        self.facts.setWordWrap(True)
        self.facts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.facts.setOpenExternalLinks(True)
        self.back = named(QPushButton("Back to self-managed"), "button_self_managed")
        self.back.clicked.connect(lambda: self.chosen.emit(None))
        self._layout.addWidget(self.combo)
        self._layout.addWidget(self.note)
        self._layout.addWidget(self.facts)
        self._layout.addWidget(self.back)

    def load(self) -> Catalog:
        """Read the presets (once): fill the list and say which user files were skipped."""
        if self.catalog is not None:
            return self.catalog
        from ..presets import load_catalog, search_words

        self.catalog, problems = load_catalog()
        self.combo.blockSignals(True)
        for preset in self.catalog:
            title = preset_title(preset)
            self.combo.addItem(title, preset.id)
            self._search.words[preset.id] = f"{title} {search_words(preset)}"
            self._search.presets[preset.id] = preset
        self.combo.blockSignals(False)
        self._search.invalidate()
        # The list (and the search's suggestions) as wide as the longest plan title, not the combo.
        view = self.combo.view()
        widest = max(view.sizeHintForColumn(0), 0) + view.verticalScrollBar().sizeHint().width() + 16
        view.setMinimumWidth(widest)
        popup = self._completer.popup()
        if popup is not None:  # the completer makes its list when first asked
            popup.setMinimumWidth(widest)
        if problems:
            skipped = QLabel("<br>".join(f"Skipped preset file {escape(str(p))}" for p in problems))
            skipped.setWordWrap(True)
            skipped.setStyleSheet("color: #a33;")
            self._layout.addWidget(skipped)
        return self.catalog

    def event(self, event: QEvent) -> bool:
        """The title's Alt+letter (the group's one shortcut) always reaches the plan search. QGroupBox gives the
        focus back to the child that last had it, and after "Back to self-managed" was clicked that is the
        button, hidden since: the focus stayed where it was, and what the user typed for a plan went there."""
        if event.type() == QEvent.Type.Shortcut:
            search = self.combo.lineEdit()
            if self.combo.hasFocus() and search is not None:
                search.selectAll()  # already there: select what the box holds to type over, as from elsewhere
            self.combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn:
            self.load()
        elif (
            isinstance(event, QFocusEvent)
            and event.type() == QEvent.Type.FocusOut
            and event.reason() != Qt.FocusReason.PopupFocusReason  # the suggestions' list is still the search
        ):
            self._put_back_plan_in_effect()
        return False

    def _put_back_plan_in_effect(self) -> None:
        """Leaving the box with a search nothing was chosen from: the box says again which plan is in effect
        (the note about a search that found nothing goes with the search). Either way it shows the head of the
        title, as show_plan leaves it: Alt+P selected the whole title, which put the cursor, and the view, at its
        tail ("...or PostgreSQL — db.r6g.large")."""
        title = self.combo.itemText(self.combo.currentIndex())
        if self.combo.currentText() != title:
            self.combo.setEditText(title)
            self._search.search("")
        search = self.combo.lineEdit()
        if search is not None:
            search.setCursorPosition(0)

    def _on_activated(self, index: int) -> None:
        self.note.hide()
        preset_id = self.combo.itemData(index)
        self.chosen.emit(None if preset_id is None else self.load().find(preset_id))

    def _on_enter(self) -> None:
        """Enter in the search: the first plan found is chosen; when none is found, the picker says so."""
        text = self.combo.currentText().strip()
        if not text or text == self.combo.itemText(self.combo.currentIndex()):
            return  # a plan's own title: the combo has chosen it
        self.load()
        self._search.search(text)
        if self._search.rowCount() == 0:
            self.note.setText(f"No plan matches \u201c{text}\u201d: type words of its name, such as {SEARCH_EXAMPLES}.")
            self._unmatched = self.combo.currentText()
            self.note.show()
            return
        first = self._search.mapToSource(self._search.index(0, 0)).row()
        self.combo.setCurrentIndex(first)
        self._on_activated(first)

    def _forget_unmatched(self, text: str) -> None:
        """The box holds something else now (a new search, or the plan's title after Undo, File > New or
        Back to self-managed): "No plan matches" spoke of what was there before."""
        if text != self._unmatched:
            self._unmatched = ""
            self.note.hide()

    def show_plan(self, plan: Plan) -> None:
        provider = plan.scenario.provider
        if provider is not None:
            self.load()  # the entry to show must exist
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(0, self.combo.findData(provider.id if provider else None)))
        self.combo.blockSignals(False)
        search = self.combo.lineEdit()
        if search is not None:
            search.setCursorPosition(0)  # a long title shows its head (provider and plan), not its tail
        self.back.setVisible(provider is not None)
        if provider is None:
            self.facts.setText("Your own server: every input is yours to set.")
            return
        limit = "a hard limit (cannot be changed)" if provider.hard_limit else "a default you can change (restart)"
        pooler = provider.pooler.name if provider.pooler else "none: run PgBouncer yourself"
        source = escape(provider.source)
        link = f"<a href='{source}'>{source}</a>" if provider.source.startswith("http") else source
        notes = f"<br><i>{escape(provider.notes)}</i>" if provider.notes else ""
        cores = provider.derivations.get("cores")
        rule = (
            f"<br>Cores: {escape(cores.calculation)} ({escape(cores.formula)}; {escape(cores.note)})" if cores else ""
        )
        self.facts.setText(
            f"<b>max_connections {n(provider.max_connections)}</b>: {limit}; reserved {provider.reserved}"
            f"<br>Pooler on offer: {escape(pooler)}"
            f"{rule}<br>Cores and RAM are fixed by the plan; storage is the provider's network volume.{notes}"
            f"<br><small>Source: {link} · as of {escape(provider.as_of)} · confidence {provider.confidence}</small>"
        )

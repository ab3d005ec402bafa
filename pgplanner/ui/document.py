"""The open document: one current Scenario, its Plan, its file, and the undo history.

Data flows one way: a widget edit calls :meth:`Document.edit`, which validates a new Scenario and
pushes it on the undo stack; the Plan is recomputed once per burst of edits (a zero-delay timer
coalesces everything that arrives in one pass of the event loop) and ``planChanged`` tells every
view to re-render from it. Views never hold state of their own, so undo, redo, open and preset
switches need no special cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import EllipsisType
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..model import FIELDS, Hardware, Plan, Scenario, plan
from ..model.serialization import read_scenario_file, scenario_to_json

_MERGE_IDS: dict[str, int] = {}


def _merge_id(key: str) -> int:
    """A stable id per edited field, so a slider drag merges into one undo step."""
    return _MERGE_IDS.setdefault(key, len(_MERGE_IDS) + 1)


@dataclass(frozen=True)
class _State:
    """What one undo step restores: the scenario, and the user's own hardware while a provider plan replaces it
    (so "Back to self-managed" after Undo or Redo finds the hardware of that step, not of another)."""

    scenario: Scenario
    own_hardware: Hardware | None


class _Change(QUndoCommand):
    def __init__(self, document: Document, before: _State, after: _State, text: str, key: str | None) -> None:
        super().__init__(text)
        self._document, self.before, self.after, self._key = document, before, after, key

    def id(self) -> int:
        return _merge_id(self._key) if self._key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _Change) or other.id() != self.id():
            return False
        self.after = other.after
        self.setObsolete(self.after == self.before)  # dragged back to where it started: no undo step
        return True

    def redo(self) -> None:
        self._document._show(self.after)

    def undo(self) -> None:
        self._document._show(self.before)


class Document(QObject):
    planChanged = Signal(object)  # Plan: forms, cards, curves and previews re-render
    stateChanged = Signal()  # file name, modified marker, undo availability

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        # Bound methods, not lambdas: Qt disconnects them when this object goes away.
        self.undo_stack.cleanChanged.connect(self._on_history_changed)
        self.undo_stack.indexChanged.connect(self._on_history_changed)
        self._scenario = Scenario()
        self._own_hardware: Hardware | None = None
        self._plan = plan(self._scenario)
        self.path: Path | None = None
        self._replan = QTimer(self, singleShot=True, interval=0)
        self._replan.timeout.connect(self.recompute)

    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def own_hardware(self) -> Hardware | None:
        """The user's hardware from before a provider plan replaced it (None: not on a plan, or not known)."""
        return self._own_hardware

    @property
    def plan(self) -> Plan:
        return self._plan

    @property
    def settled(self) -> bool:
        """True when the Plan reflects the latest edit (no recompute pending)."""
        return not self._replan.isActive()

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def folder(self) -> Path | None:
        """The folder of the scenario file being edited (None while it is untitled): where a file dialog
        about it starts before the user has chosen another."""
        return self.path.parent if self.path is not None else None

    @property
    def title(self) -> str:
        return self.path.name if self.path else (self._scenario.name or "Untitled")

    def edit(self, *, sliding: bool = False, **changes: Any) -> None:
        """Apply changes by flat input name (``edit(cores=16)``); raises ValidationError if out of range.

        ``sliding`` edits of one input (a slider being moved) merge into a single undo step.
        """
        after = self._scenario.with_changes(**changes)
        if after != self._scenario:
            key = next(iter(changes)) if sliding and len(changes) == 1 else None
            label = ", ".join(FIELDS[flat].title for flat in changes)  # "Change RAM", as the form labels it
            state = self._state
            self.undo_stack.push(_Change(self, state, _State(after, state.own_hardware), f"Change {label}", key))

    def replace(self, scenario: Scenario, text: str, own_hardware: Hardware | EllipsisType | None = ...) -> None:
        """Swap in a whole scenario (a preset, a detected machine) as one undoable step; ``own_hardware``, when
        given, is the user's hardware to remember with it (a provider plan chosen) or None (back on it)."""
        remembered = self._own_hardware if isinstance(own_hardware, EllipsisType) else own_hardware
        if scenario != self._scenario or remembered != self._own_hardware:
            self.undo_stack.push(_Change(self, self._state, _State(scenario, remembered), text, None))

    def new(self, scenario: Scenario | None = None) -> None:
        self._reset(scenario or Scenario(), None)

    def open(self, path: Path) -> None:
        """Load a scenario file; raises InputError with a one-line reason when it is not one."""
        self._reset(read_scenario_file(path), path)

    def save(self, path: Path | None = None) -> Path:
        """Write the scenario (atomically) and mark the document clean; raises OSError on failure."""
        target = path or self.path
        if target is None:
            raise ValueError("no file name yet: use Save As")
        from ..export.atomic import write_file_atomically  # loads on the first save, not at start-up

        write_file_atomically(target, scenario_to_json(self._scenario))
        self.path = target
        self.undo_stack.setClean()
        self.stateChanged.emit()
        return target

    def recompute(self) -> None:
        """Plan the current scenario now (normally the coalescing timer calls this)."""
        self._replan.stop()
        self._plan = plan(self._scenario)
        self.planChanged.emit(self._plan)

    def _on_history_changed(self, *_: object) -> None:
        self.stateChanged.emit()

    @property
    def _state(self) -> _State:
        return _State(self._scenario, self._own_hardware)

    def _reset(self, scenario: Scenario, path: Path | None) -> None:
        self.undo_stack.clear()
        self.path = path
        self._show(_State(scenario, None))
        self.stateChanged.emit()

    def _show(self, state: _State) -> None:
        self._scenario, self._own_hardware = state.scenario, state.own_hardware
        self._replan.start()

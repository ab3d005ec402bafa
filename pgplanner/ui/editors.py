"""One editor per model input, built from its FieldSpec: slider + spin box, combo box or check box.

Editors only report edits (``edited(flat, value)``) and show what they are told (``show``); they
never keep a value of their own. "auto" fields get a check box: while it is ticked the editor shows
the derived value greyed out, and unticking it makes that value explicit.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QSlider,
    QSpinBox,
    QWidget,
)

from ..model import FieldSpec, format_size, human_size, parse_size
from ..model.defaults import CORE_MULTIPLIER
from .steps import nearest_stop, slider_stops

WORKLOADS = {"cpu": "CPU-bound", "mixed": "Mixed", "io": "I/O-bound"}
CHOICE_LABELS = {
    **{kind: f"{label} (cores x {CORE_MULTIPLIER[kind]})" for kind, label in WORKLOADS.items()},
    "hdd": "HDD",
    "ssd": "SSD",
    "nvme": "NVMe",
    "network": "Network volume",
    "linux": "Linux",
    "macos": "macOS",
    "freebsd": "FreeBSD",
    "windows": "Windows",
    "none": "None (direct connections)",
    "pgbouncer": "PgBouncer",
    "pgcat": "PgCat",
    "provider": "Provider's pooler",
    "profile:web": "Web application",
    "profile:oltp": "OLTP (many small writes)",
    "profile:analytics": "Analytics (large scans)",
    "profile:mixed": "Mixed",
    "profile:desktop": "Desktop / development",
    "transaction": "Transaction",
    "session": "Session",
    "statement": "Statement",
}
COMBO_COUNT_LIMIT = 8  # a count with at most this many values (PostgreSQL 13-18) is a combo box


def choice_label(flat: str, value: object) -> str:
    """A choice's words; ``flat:value`` keys tell apart values two inputs share (a mixed profile or workload)."""
    return CHOICE_LABELS.get(f"{flat}:{value}", CHOICE_LABELS.get(str(value), str(value)))


def tooltip(spec: FieldSpec) -> str:
    auto = f"<br><i>auto</i>: {spec.auto}" if spec.auto else ""
    return f"<b>{spec.title}</b><br>{spec.description}<br>Allowed: {spec.allowed()}{auto}"


class SizeBox(QAbstractSpinBox):
    """A spin box for byte sizes: type ``24GB`` or ``512 MB``; the arrows step through slider stops."""

    valueEdited = Signal(object)  # bytes: often beyond a 32-bit int

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec, self._stops, self._value = spec, slider_stops(spec), int(spec.lo)
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.lineEdit().editingFinished.connect(self._commit_text)

    def value(self) -> int:
        return self._value

    def setValue(self, value: int) -> None:
        self._value = int(value)
        self.lineEdit().setText(self.text_for(self._value))

    @staticmethod
    def text_for(size: int) -> str:
        exact = format_size(size)
        number = exact.rstrip("kMGTB")
        return human_size(size) if len(number) > 5 else f"{number} {exact[len(number) :]}"

    def validate(self, text: str, _pos: int) -> QValidator.State:
        try:
            size = parse_size(text)
        except ValueError:
            return QValidator.State.Intermediate
        in_range = self._spec.lo <= size <= self._spec.hi
        return QValidator.State.Acceptable if in_range else QValidator.State.Intermediate

    def fixup(self, _text: str) -> str:
        return self.text_for(self._value)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._value > self._stops[0]:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if self._value < self._stops[-1]:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags

    def stepBy(self, steps: int) -> None:
        index = nearest_stop(self._stops, self._value)
        if (steps > 0 and self._stops[index] <= self._value) or (steps < 0 and self._stops[index] >= self._value):
            index += steps
        self._emit(int(self._stops[max(0, min(len(self._stops) - 1, index))]))

    def _commit_text(self) -> None:
        try:
            size = parse_size(self.lineEdit().text())
        except ValueError:
            self.setValue(self._value)
            return
        if size != self._value and self._spec.lo <= size <= self._spec.hi:
            self._emit(size)

    def _emit(self, size: int) -> None:
        self.setValue(size)
        self.valueEdited.emit(size)


class FieldEditor(QWidget):
    """The editor of one input; ``edited(flat, value)`` carries None when "auto" is chosen.

    Slider moves are reported as ``slid(flat, value)`` instead, so one drag can be one undo step.
    """

    edited = Signal(str, object)
    slid = Signal(str, object)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"field_{spec.flat}")
        self.setToolTip(tooltip(spec))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slider: QSlider | None = None
        self.spin: QSpinBox | QDoubleSpinBox | SizeBox | None = None
        self.combo: QComboBox | None = None
        self.check: QCheckBox | None = None
        self.auto: QCheckBox | None = None
        self._stops: tuple[float, ...] = ()
        self._shown: tuple[Any, Any] | None = None  # what show_value last displayed

        if spec.kind == "choice" or (spec.kind == "count" and spec.hi - spec.lo < COMBO_COUNT_LIMIT):
            self._build_combo(layout)
        elif spec.kind == "flag":
            self.check = QCheckBox(objectName=f"check_{spec.flat}")
            self.check.toggled.connect(lambda on: self.edited.emit(spec.flat, on))
            layout.addWidget(self.check)
            layout.addStretch()
        else:
            self._build_slider_and_spin(layout)
        if spec.auto is not None:
            self.auto = QCheckBox("auto", objectName=f"auto_{spec.flat}")
            self.auto.setToolTip(f"Derive it: {spec.auto}")
            self.auto.toggled.connect(self._on_auto_toggled)
            layout.addWidget(self.auto)

    def _build_combo(self, layout: QHBoxLayout) -> None:
        self.combo = QComboBox(objectName=f"combo_{self.spec.flat}")
        values: list[Any] = list(self.spec.choices) or list(range(int(self.spec.lo), int(self.spec.hi) + 1))
        for value in values:
            self.combo.addItem(choice_label(self.spec.flat, value), value)
        self.combo.activated.connect(lambda i: self.edited.emit(self.spec.flat, self.combo.itemData(i)))
        layout.addWidget(self.combo, 1)

    def _build_slider_and_spin(self, layout: QHBoxLayout) -> None:
        spec = self.spec
        self._stops = slider_stops(spec)
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName=f"slider_{spec.flat}")
        self.slider.setRange(0, len(self._stops) - 1)
        self.slider.setPageStep(max(1, len(self._stops) // 10))
        self.slider.valueChanged.connect(self._on_slider_moved)
        if spec.kind == "size":
            self.spin = SizeBox(spec)
            self.spin.valueEdited.connect(lambda size: self.edited.emit(spec.flat, size))
        elif spec.kind == "count":
            self.spin = QSpinBox()
            self.spin.setRange(int(spec.lo), int(spec.hi))
            self.spin.setGroupSeparatorShown(True)
            self.spin.valueChanged.connect(lambda v: self.edited.emit(spec.flat, v))
        else:
            self.spin = QDoubleSpinBox()
            self.spin.setDecimals(2 if spec.step < 1 else 1)
            self.spin.setRange(spec.lo, spec.hi)
            self.spin.setSingleStep(spec.step)
            self.spin.valueChanged.connect(lambda v: self.edited.emit(spec.flat, v))
        self.spin.setObjectName(f"spin_{spec.flat}")
        self.spin.setKeyboardTracking(False)
        self.spin.setFixedWidth(100)
        self.slider.setMinimumWidth(90)
        if spec.unit and spec.kind != "size" and spec.unit != "connections":
            self.spin.setSuffix(f" {spec.unit}")
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)

    def forget(self) -> None:
        """Drop what was last displayed, so the next show_value redraws (after a refused edit)."""
        self._shown = None

    def show_value(self, value: Any, derived: Any = None) -> None:
        """Display ``value`` (or, when it is None, the ``derived`` value as "auto") without echoing an edit."""
        if self._shown == (value, derived):
            return
        self._shown = (value, derived)
        shown = derived if value is None else value
        widgets = [w for w in (self.slider, self.spin, self.combo, self.check, self.auto) if w is not None]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            if self.auto is not None:
                self.auto.setChecked(value is None)
            for widget in (self.slider, self.spin, self.combo):
                if widget is not None:
                    widget.setEnabled(value is not None or self.auto is None)
            if shown is None:
                return
            if self.combo is not None:
                self.combo.setCurrentIndex(self.combo.findData(shown))
            elif self.check is not None:
                self.check.setChecked(bool(shown))
            else:
                # A derived value can lie outside what may be typed (a huge client demand): show the bound.
                shown = min(max(shown, self.spec.lo), self.spec.hi)
                self.spin.setValue(shown)
                self.slider.setValue(nearest_stop(self._stops, shown))
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def _on_slider_moved(self, index: int) -> None:
        value = self._stops[index]
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.slid.emit(self.spec.flat, value)

    def _on_auto_toggled(self, on: bool) -> None:
        for widget in (self.slider, self.spin, self.combo):
            if widget is not None:
                widget.setEnabled(not on)
        if on:
            self.edited.emit(self.spec.flat, None)
        elif self.spin is not None:
            self.edited.emit(self.spec.flat, self.spin.value())
        elif self.combo is not None:
            self.edited.emit(self.spec.flat, self.combo.currentData())

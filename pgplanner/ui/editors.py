"""One editor per model input, built from its FieldSpec: slider + spin box, combo box or check box.

Editors only report edits (``edited(flat, value)``) and show what they are told (``show``); they
never keep a value of their own. "auto" fields get a check box: while it is ticked the editor shows
the derived value greyed out, and unticking it makes that value explicit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen, QValidator, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QSlider,
    QWidget,
)

from ..model import FieldSpec, format_size, human_size
from ..present.choices import choice_label
from .named import named
from .steps import nearest_stop, slider_stops
from .theme import VERMILLION, qcolor

SPIN_WIDTH = 96
FOCUS_FRAME = 2  # pixels of the highlight colour around a slider that has the keyboard focus
COMBO_COUNT_LIMIT = 8  # a count with at most this many values (PostgreSQL 13-18) is a combo box


def tooltip(spec: FieldSpec) -> str:
    auto = f"<br><i>auto</i>: {spec.auto}" if spec.auto else ""
    return f"<b>{spec.title}</b><br>{spec.description}<br>Allowed: {spec.allowed()}{auto}"


class ValueBox(QAbstractSpinBox):
    """The box beside a slider, for counts, numbers and sizes alike.

    Anything may be typed; Enter (or leaving the box) hands the text to the model, which accepts it
    or says what is wrong; the box never clamps or drops characters on its own. A bare number takes
    the unit the box shows (``16`` in a box showing ``8 GB`` is 16 GB). The arrows step through the
    slider's stops for sizes, and by the field's step otherwise.
    """

    entered = Signal(object)  # the typed text, or a stepped value (sizes are often beyond a 32-bit int)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._spec, self._stops = spec, slider_stops(spec)
        self._lo, self._hi = spec.bounds
        self._value: float = self._lo
        self._unit = "" if spec.kind == "size" or spec.unit == "connections" else spec.unit
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.editingFinished.connect(self._commit_text)

    def value(self) -> float:
        return self._value

    def setValue(self, value: float) -> None:
        self._value = int(value) if self._spec.kind != "number" else value
        self.lineEdit().setText(self.text_for(self._value))

    def text_for(self, value: float) -> str:
        if self._spec.kind == "size":
            exact = format_size(int(value))
            number = exact.rstrip("kMGTB")
            # 10880kB reads better as 10.6 MB, as the cards say it; exact sizes up to four digits stay exact
            return human_size(value) if len(number) > 4 else f"{number} {exact[len(number) :]}"
        shown = f"{int(value):,}" if self._spec.kind == "count" else f"{value:g}"
        plural = len(self._unit) > 2 and self._unit.endswith("s")  # cores, nodes (not ms)
        unit = self._unit[:-1] if value == 1 and plural else self._unit  # 1 core, 2 cores
        return f"{shown} {unit}" if unit else shown

    def model_text(self) -> str:
        """What was typed, as the model reads it: without the shown unit and thousands separators."""
        text = self.lineEdit().text().strip()
        if self._spec.kind == "size":
            if _BARE_NUMBER.fullmatch(text):
                text += self.text_for(self._value).rsplit(" ", 1)[-1]  # the unit the box shows
            return text
        for unit in (self._unit, self._unit[:-1]) if self._unit else ():
            if text.endswith(unit):
                text = text[: -len(unit)].strip()
                break
        return text.replace(",", "")

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        return QValidator.State.Acceptable, text, pos  # the model judges on Enter, with a message that says why

    def fixup(self, _text: str) -> str:
        return self.text_for(self._value)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._value > self._lo:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if self._value < self._hi:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        return flags

    def stepBy(self, steps: int) -> None:
        if self._spec.kind == "size":
            index = nearest_stop(self._stops, self._value)
            if (steps > 0 and self._stops[index] <= self._value) or (steps < 0 and self._stops[index] >= self._value):
                index += steps
            value = self._stops[max(0, min(len(self._stops) - 1, index))]
        else:
            value = min(max(self._value + steps * self._spec.step, self._lo), self._hi)
            value = round(value, 10) if self._spec.kind == "number" else int(value)
        self.setValue(value)
        self.entered.emit(value)

    def _commit_text(self) -> None:
        if self.lineEdit().text() != self.text_for(self._value):
            self.entered.emit(self.model_text())

    def wheelEvent(self, event: QWheelEvent) -> None:
        _wheel_when_focused(self, event, super().wheelEvent)


_BARE_NUMBER = re.compile(r"\d+(\.\d+)?")


def _wheel_when_focused(widget: QWidget, event: QWheelEvent, handle: Callable[[QWheelEvent], None]) -> None:
    """Only the control being edited takes the wheel; over any other the wheel scrolls the panel."""
    if widget.hasFocus():
        handle(event)
    else:
        event.ignore()  # passed on to the scrolling input panel


class Slider(QSlider):
    """A slider that shows plainly when it has the keyboard focus: a frame in the palette's highlight
    colour (most styles only tint the handle)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a wheel passing over does not take the focus

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.hasFocus():
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), FOCUS_FRAME))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 3, 3)
            painter.end()

    def wheelEvent(self, event: QWheelEvent) -> None:
        _wheel_when_focused(self, event, super().wheelEvent)


class ComboBox(QComboBox):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def wheelEvent(self, event: QWheelEvent) -> None:
        _wheel_when_focused(self, event, super().wheelEvent)


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
        self.spin: ValueBox | None = None
        self.combo: QComboBox | None = None
        self.check: QCheckBox | None = None
        self.line: QLineEdit | None = None  # a text input: a network, a host name
        self.auto: QCheckBox | None = None
        self._stops: tuple[float, ...] = ()
        self._shown: tuple[Any, Any] | None = None  # what show_value last displayed

        if spec.kind == "choice" or (spec.kind == "count" and spec.bounds[1] - spec.bounds[0] < COMBO_COUNT_LIMIT):
            self._build_combo(layout)
        elif spec.kind == "flag":
            self.check = named(QCheckBox(), f"check_{spec.flat}")
            self.check.toggled.connect(lambda on: self.edited.emit(spec.flat, on))
            layout.addWidget(self.check)
            layout.addStretch()
        elif spec.kind == "text":
            self.line = QLineEdit()
            self.line.setObjectName(f"line_{spec.flat}")
            self.line.editingFinished.connect(self._on_text_entered)
            layout.addWidget(self.line, 1)
        else:
            self._build_slider_and_spin(layout)
        if spec.auto is not None:
            self.auto = named(QCheckBox("auto"), f"auto_{spec.flat}")
            self.auto.setToolTip(f"Derive it: {spec.auto}")
            self.auto.toggled.connect(self._on_auto_toggled)
            layout.addWidget(self.auto)
        # The label's Alt+letter focuses the editor, which hands the focus on to its box, or to its "auto"
        # box while the value is derived (the box is greyed then). Tab skips the editor itself.
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self._hand_focus_on()

    def _build_combo(self, layout: QHBoxLayout) -> None:
        self.combo = named(ComboBox(), f"combo_{self.spec.flat}")
        values: list[Any] = list(self.spec.choices)
        if not values:  # a count with few values: each one listed
            lo, hi = self.spec.bounds
            values = list(range(int(lo), int(hi) + 1))
        for value in values:
            self.combo.addItem(choice_label(self.spec.flat, value), value)
        self.combo.activated.connect(lambda i: self.edited.emit(self.spec.flat, self.combo.itemData(i)))
        layout.addWidget(self.combo, 1)

    def _build_slider_and_spin(self, layout: QHBoxLayout) -> None:
        spec = self.spec
        self._stops = slider_stops(spec)
        self.slider = named(Slider(Qt.Orientation.Horizontal), f"slider_{spec.flat}")
        self.slider.setRange(0, len(self._stops) - 1)
        self.slider.setPageStep(max(1, len(self._stops) // 10))
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.spin = ValueBox(spec)
        self.spin.setObjectName(f"spin_{spec.flat}")
        self.spin.entered.connect(lambda value: self.edited.emit(spec.flat, value))
        self.spin.setFixedWidth(SPIN_WIDTH)
        self.slider.setMinimumWidth(60)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)

    def refuse(self, message: str) -> None:
        """Mark the box the model refused a value in; its tooltip and the status bar say why."""
        box = self.spin or self.line
        if box is not None:
            palette = box.palette()  # a tinted box keeps its native frame and arrows
            palette.setColor(QPalette.ColorRole.Base, qcolor(VERMILLION, 60))
            box.setPalette(palette)
            box.setProperty("refused", True)
            box.setToolTip(message)
            box.selectAll()

    def clear_refusal(self) -> None:
        """The model took the last value: clear any mark of an earlier refusal, show what it took."""
        self._unmark()
        self._shown = None  # redraw: ``24GiB`` becomes ``24 GB`` even when the value did not change

    def _unmark(self) -> None:
        box = self.spin or self.line
        if box is not None and box.property("refused"):
            box.setPalette(QPalette())
            box.setProperty("refused", False)
            box.setToolTip("")

    def show_value(self, value: Any, derived: Any = None) -> None:
        """Display ``value`` (or, when it is None, the ``derived`` value as "auto") without echoing an edit."""
        if self._shown == (value, derived):
            return
        self._shown = (value, derived)
        self._unmark()  # what was typed and refused is gone from the box: a plan, Undo or New put a value there
        shown = derived if value is None else value
        widgets = [w for w in (self.slider, self.spin, self.combo, self.check, self.line, self.auto) if w is not None]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            if self.auto is not None:
                self.auto.setChecked(value is None)
            for editor in (self.slider, self.spin, self.combo, self.line):
                if editor is not None:
                    editor.setEnabled(value is not None or self.auto is None)
            if shown is None:
                return
            if self.line is not None:
                self.line.setText(str(shown))
            elif self.combo is not None:
                self.combo.setCurrentIndex(self.combo.findData(shown))
            elif self.check is not None:
                self.check.setChecked(bool(shown))
            elif self.spin is not None and self.slider is not None:
                # A derived value can lie outside what may be typed (a huge client demand): show the bound.
                shown = min(max(shown, self.spec.bounds[0]), self.spec.bounds[1])
                self.spin.setValue(shown)
                self.slider.setValue(nearest_stop(self._stops, shown))
        finally:
            for widget in widgets:
                widget.blockSignals(False)
            self._hand_focus_on()

    def _hand_focus_on(self) -> None:
        controls = [c for c in (self.spin, self.line, self.combo, self.check, self.auto) if c is not None]
        self.setFocusProxy(next((c for c in controls if c.isEnabledTo(self)), controls[-1]))

    def _on_slider_moved(self, index: int) -> None:
        value = self._stops[index]
        assert self.spin is not None  # a slider always comes with its box
        self.spin.blockSignals(True)
        self.spin.setValue(value)
        self.spin.blockSignals(False)
        self.slid.emit(self.spec.flat, value)

    def _on_text_entered(self) -> None:
        assert self.line is not None
        text = self.line.text().strip()
        if text and text != (self._shown or (None, None))[0]:
            self.edited.emit(self.spec.flat, text)

    def _on_auto_toggled(self, on: bool) -> None:
        for widget in (self.slider, self.spin, self.combo, self.line):
            if widget is not None:
                widget.setEnabled(not on)
        self._hand_focus_on()
        if on:
            self.edited.emit(self.spec.flat, None)
        elif self.line is not None:
            self.edited.emit(self.spec.flat, self.line.text().strip())
        elif self.spin is not None:
            self.edited.emit(self.spec.flat, self.spin.value())
        elif self.combo is not None:
            self.edited.emit(self.spec.flat, self.combo.currentData())

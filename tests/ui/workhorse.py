"""Bottom tier: the pytest-qt workhorses. Find a widget by objectName, set it like a user would,
wait for the recompute, read text back, grab pixels. Nothing here knows what pgplanner means."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QImage, QKeySequence, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QSlider,
    QTableWidget,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

W = TypeVar("W", bound=QWidget)
RECOMPUTE_TIMEOUT_MS = 5000


def find(root: QWidget, name: str, kind: type[W] = QWidget) -> W:
    """The child of ``root`` with objectName ``name`` (it must exist)."""
    widget = root.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name!r}"
    return widget


def exists(root: QWidget, name: str) -> bool:
    return root.findChild(QWidget, name) is not None


def type_into(qtbot: QtBot, spin: QAbstractSpinBox, text: str) -> None:
    """Click into a spin box, select everything, type ``text`` and press Enter (keys go where a user's do)."""
    spin.setFocus(Qt.FocusReason.MouseFocusReason)
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def type_line(qtbot: QtBot, line: QLineEdit, text: str) -> None:
    """Click into a text box, select everything, type ``text`` and press Enter."""
    line.setFocus(Qt.FocusReason.MouseFocusReason)
    line.selectAll()
    qtbot.keyClicks(line, text)
    qtbot.keyClick(line, Qt.Key.Key_Return)


def slide_to(slider: QSlider, position: int) -> None:
    slider.setValue(max(slider.minimum(), min(slider.maximum(), position)))


def choose(combo: QComboBox, data: object) -> None:
    """Pick the entry whose data is ``data``, as a click in the list would."""
    index = combo.findData(data)
    assert index >= 0, f"{combo.objectName()} has no entry {data!r}"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def focus(qtbot: QtBot, widget: QWidget) -> None:
    """Give ``widget`` the keyboard focus, as clicking into it would."""
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=RECOMPUTE_TIMEOUT_MS)


def tick(check: QCheckBox | QToolButton, on: bool) -> None:
    if check.isChecked() != on:
        check.click()


def choose_tab(tabs: QTabWidget, title: str) -> None:
    """Bring the tab whose title starts with ``title`` to the front, as a click on it would."""
    index = next(i for i in range(tabs.count()) if tabs.tabText(i).startswith(title))
    tabs.setCurrentIndex(index)


def click_item(tree: QTreeWidget, item: QTreeWidgetItem) -> None:
    """Click a row of a tree, as a user would (it becomes the current item)."""
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def trigger(root: QWidget, action_name: str) -> None:
    action = root.findChild(QAction, action_name)
    assert action is not None, f"no action {action_name!r}"
    assert action.isEnabled(), f"{action_name} is disabled"
    action.trigger()


def wait_until(qtbot: QtBot, condition, timeout_ms: int = RECOMPUTE_TIMEOUT_MS) -> None:
    qtbot.waitUntil(condition, timeout=timeout_ms)


def run_events_until(condition, timeout_ms: int = RECOMPUTE_TIMEOUT_MS) -> None:
    """Run Qt's event loop until ``condition()`` holds, then handle what that posted (repaints).

    For work the event loop itself does (a zero-delay timer, a repaint): waitUntil naps 10 ms between
    checks, which was most of a slider step's time.
    """
    app = QApplication.instance()
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        assert time.monotonic() < deadline, f"not done after {timeout_ms} ms"
        app.processEvents()
    app.processEvents()


def click(root: QWidget, name: str) -> None:
    button = find(root, name, QAbstractButton)
    assert button.isEnabled(), f"{name} is disabled"
    button.click()


def click_with_mouse(button: QAbstractButton) -> None:
    """Click a button with the mouse: unlike ``click()``, it takes the focus first, as a user's click gives it."""
    assert button.isEnabled(), f"{button.objectName()} is disabled"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())


def table_rows(table: QTableWidget) -> dict[str, dict[str, str]]:
    """A table's cells as read: each row by its first column's text, its cells by their column's heading."""
    headings = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    rows = {}
    for r in range(table.rowCount()):
        cells = [table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
        rows[cells[0]] = dict(zip(headings, cells, strict=True))
    return rows


def text_of(root: QWidget, name: str) -> str:
    return find(root, name, QLabel).text()


def grab(widget: QWidget) -> QImage:
    widget.repaint()
    return widget.grab().toImage()


class _ShowWatcher(QObject):
    """Notes every top-level window Qt puts on screen."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and not watched.testAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        ):
            self.shown.append(watched.objectName() or type(watched).__name__)
        return False


def windows_shown_during(action) -> list[str]:
    """Run ``action()`` and return the names of the top-level windows it put on screen."""
    watcher = _ShowWatcher()
    QApplication.instance().installEventFilter(watcher)
    try:
        action()
    finally:
        QApplication.instance().removeEventFilter(watcher)
    return watcher.shown


def press(qtbot: QtBot, widget: QWidget, keys: str) -> None:
    """Press a key combination such as ``Ctrl+Z`` while ``widget`` has the focus (shortcuts included)."""
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    sequence = QKeySequence(keys)[0]
    qtbot.keyClick(widget, sequence.key(), sequence.keyboardModifiers())


def wheel(widget: QWidget, notches: int) -> None:
    """Turn the mouse wheel over the middle of ``widget`` (positive: away from the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    # A real wheel event travels up the parents until one accepts it; Qt does that only for events that
    # come from the window system, so do it here the same way.
    target: QWidget | None = widget
    while target is not None:
        event.setAccepted(True)
        local = QPointF(target.mapFromGlobal(event.globalPosition().toPoint()))
        moved = QWheelEvent(
            local, event.globalPosition(), event.pixelDelta(), event.angleDelta(), event.buttons(),
            event.modifiers(), event.phase(), event.inverted(),
        )  # fmt: skip
        QApplication.sendEvent(target, moved)
        if moved.isAccepted() or target.isWindow():
            return
        target = target.parentWidget()


def move_mouse_over(qtbot: QtBot, widget: QWidget, fx: float, fy: float) -> None:
    """Move the mouse to a point given as fractions of ``widget``'s width and height."""
    qtbot.mouseMove(widget, QPoint(int(widget.width() * fx), int(widget.height() * fy)))


def text_fits(label: QLabel) -> bool:
    """Whether a label shows all of its text (one line, or wrapped within its height)."""
    room = label.contentsRect()
    if label.wordWrap():
        return label.heightForWidth(room.width()) <= room.height()
    return label.fontMetrics().horizontalAdvance(label.text()) <= room.width()


def all_text(root: QWidget) -> str:
    """Every word the window can show: labels, buttons, rich-text panes, list and tree items, tooltips
    and menu entries, including those of hidden tabs."""
    from PySide6.QtWidgets import QAbstractButton, QListWidget, QTextBrowser, QTreeWidget, QTreeWidgetItemIterator

    parts = []
    for widget in [root, *root.findChildren(QWidget)]:
        parts.append(widget.toolTip())
        if isinstance(widget, (QLabel, QAbstractButton)):
            parts.append(widget.text())
        elif isinstance(widget, QTextBrowser):
            parts.append(widget.toPlainText())
        elif isinstance(widget, QListWidget):
            parts += [widget.item(i).text() for i in range(widget.count())]
        elif isinstance(widget, QTreeWidget):
            iterator = QTreeWidgetItemIterator(widget)
            while iterator.value():
                item = iterator.value()
                parts += [item.text(c) for c in range(item.columnCount())]
                iterator += 1
    parts += [action.text() + " " + action.toolTip() for action in root.findChildren(QAction)]
    return "\n".join(parts)


def focused() -> QWidget | None:
    """The widget that has the keyboard focus."""
    return QApplication.focusWidget()


def press_tab(qtbot: QtBot) -> QWidget | None:
    """Press Tab where the focus is; the widget that has the focus then."""
    widget = focused()
    assert widget is not None, "nothing has the focus"
    qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return focused()


def key_on(qtbot: QtBot, widget: QWidget, keys: str, times: int = 1) -> None:
    """Press ``keys`` (``Return``, ``Ctrl+C``, ``Alt+R``, ``Up``) ``times`` times on ``widget`` as it is
    focused (the focus is not moved first: the keyboard got it there)."""
    sequence = QKeySequence(keys)[0]
    for _ in range(times):
        qtbot.keyClick(widget, sequence.key(), sequence.keyboardModifiers())


def pixels_near(image: QImage, colour: str, within: int = 40) -> int:
    """How many pixels of ``image`` are within ``within`` (per channel) of ``colour`` (#RRGGBB)."""
    import numpy as np

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    row = rgb.bytesPerLine()
    data = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=row * rgb.height())
    pixels = data.reshape(rgb.height(), row)[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).astype(int)
    target = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - target).max(axis=2) <= within).sum())


def file_dialogs_during(action) -> list[tuple[str, Path]]:
    """Run ``action()``, cancelling every file dialog it opens; each dialog's title and the folder it showed
    first (a save dialog's suggested name is left off)."""
    from PySide6.QtWidgets import QFileDialog

    shown: list[tuple[str, Path]] = []

    def cancelled(_parent=None, caption="", directory="", *_args, **_kwargs) -> tuple[str, str]:
        start = Path(directory)
        shown.append((caption, start if start.is_dir() else start.parent))
        return "", ""

    originals = {name: getattr(QFileDialog, name) for name in ("getOpenFileName", "getSaveFileName")}
    for name in originals:
        setattr(QFileDialog, name, staticmethod(cancelled))
    try:
        action()
    finally:
        for name, original in originals.items():
            setattr(QFileDialog, name, original)
    return shown

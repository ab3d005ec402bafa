"""Middle tier: the application adaptation layer. One function per thing a user does or reads.

Top-tier cases call only these; they never see qtbot, widgets or Qt. Each function drives the real
window through the workhorses and waits until the plan on screen reflects what it did.
"""

from __future__ import annotations

import html
import itertools
import math
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QSettings, Qt
from PySide6.QtGui import QFontMetricsF, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSlider,
    QTableWidget,
    QTextBrowser,
    QToolButton,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

from pgplanner.model import FIELDS, Plan, Scenario, parse_size, plan
from pgplanner.model.serialization import scenario_to_json
from pgplanner.present import CARDS
from pgplanner.ui.main_window import MainWindow
from pgplanner.ui.plots import GLYPHS, HEADING_SEPARATOR

from . import workhorse as w

CARD_KEYS: dict[str, list[str]] = {}  # by title: the latency card has two keys (at the pool, without a pooler)
for _spec in CARDS:
    CARD_KEYS.setdefault(_spec.title.lower(), []).append(_spec.key)


def card_key(app: App, title: str) -> str:
    """The key of the card titled ``title`` (as the user reads it); of two sharing a title, the one shown."""
    keys = CARD_KEYS[title.lower()]
    return next((key for key in keys if not w.find(app.window, f"card_{key}").isHidden()), keys[0])


@dataclass
class App:
    """A running window and what it needs to be driven."""

    window: MainWindow
    qtbot: QtBot
    settings_path: Path
    errors: list[str]  # what the window reported in error dialogs, newest last


def open_app(qtbot: QtBot, settings_path: Path) -> App:
    window = MainWindow(QSettings(str(settings_path), QSettings.Format.IniFormat))
    window.ask_unsaved = lambda: "discard"  # a test that cares answers differently
    errors: list[str] = []
    window.report_error = lambda _title, reason: errors.append(reason)
    qtbot.addWidget(window)
    window.restore_session()
    window.show()
    qtbot.waitExposed(window)
    app = App(window, qtbot, settings_path, errors)
    settle(app)
    return app


def settle(app: App) -> None:
    """Wait until the plan on screen is the plan of the latest edit, and painted."""
    w.run_events_until(lambda: app.window.document.settled)


# --- doing --------------------------------------------------------------------------------


def field(app: App, flat: str) -> QWidget:
    """An input's editor. An advanced one is folded away (and built) until its group's "Server settings"
    section opens: it is opened first, as a user must to reach the input."""
    spec = FIELDS[flat]
    if spec.advanced:
        w.tick(w.find(app.window, f"advanced_{spec.group}", QToolButton), True)
    return w.find(app.window, f"field_{flat}")


def set_inputs(app: App, **values: Any) -> None:
    """Type or pick each input by its flat name; ``"auto"`` ticks the field's auto box."""
    for flat, value in values.items():
        spec = FIELDS[flat]
        editor = field(app, flat)
        if value == "auto":
            w.tick(w.find(editor, f"auto_{flat}", QCheckBox), True)
        elif spec.kind == "flag":
            w.tick(w.find(editor, f"check_{flat}", QCheckBox), bool(value))
        elif editor.findChild(QComboBox, f"combo_{flat}") is not None:
            w.choose(w.find(editor, f"combo_{flat}", QComboBox), value)
        elif spec.kind == "text":
            if spec.auto is not None:
                w.tick(w.find(editor, f"auto_{flat}", QCheckBox), False)
                settle(app)
            w.type_line(app.qtbot, w.find(editor, f"line_{flat}", QLineEdit), str(value))
        else:
            if spec.auto is not None:
                w.tick(w.find(editor, f"auto_{flat}", QCheckBox), False)
                settle(app)
            w.type_into(app.qtbot, w.find(editor, f"spin_{flat}", QAbstractSpinBox), str(value))
        settle(app)


def type_value(app: App, flat: str, text: str) -> None:
    """Click into an input's box, type ``text`` and press Enter, whatever the model makes of it."""
    box = _box(app, flat)
    if isinstance(box, QLineEdit):
        auto = w.find(field(app, flat), f"auto_{flat}", QCheckBox)
        if auto.isChecked():
            w.tick(auto, False)
            settle(app)
        w.type_line(app.qtbot, box, text)
    else:
        w.type_into(app.qtbot, box, text)
    settle(app)


def _box(app: App, flat: str) -> QAbstractSpinBox | QLineEdit:
    """An input's box: the spin box beside its slider, or the line of a text input."""
    kind = QLineEdit if FIELDS[flat].kind == "text" else QAbstractSpinBox
    return w.find(field(app, flat), f"{'line' if kind is QLineEdit else 'spin'}_{flat}", kind)


def box_text(app: App, flat: str) -> str:
    """What an input's box shows."""
    return _box(app, flat).text()


def box_complaint(app: App, flat: str) -> str | None:
    """The message on a box marked as refused, or None when it is not marked."""
    box = _box(app, flat)
    return box.toolTip() if box.property("refused") else None


def press_keys_in(app: App, flat: str, keys: str) -> None:
    """With the input's box focused (as it mostly is), press ``keys`` such as ``Ctrl+Z``."""
    editor = field(app, flat)
    target = editor.findChild(QAbstractSpinBox, f"spin_{flat}") or w.find(editor, f"combo_{flat}", QComboBox)
    w.press(app.qtbot, target, keys)
    settle(app)


def wheel_over(app: App, flat: str, notches: int) -> None:
    """Turn the mouse wheel with the pointer over an input's slider (or combo), without clicking it."""
    editor = field(app, flat)
    target = editor.findChild(QSlider, f"slider_{flat}") or w.find(editor, f"combo_{flat}", QComboBox)
    app.window.setFocus()
    w.wheel(target, notches)
    settle(app)


def input_panel_scroll(app: App) -> int:
    """How far the input panel is scrolled down, in pixels."""
    return w.find(app.window, "inputs", QScrollArea).verticalScrollBar().value()


def _group_setter(group: str):
    def setter(app: App, **values: Any) -> None:
        wrong = [flat for flat in values if FIELDS[flat].group != group]
        assert not wrong, f"{wrong} are not {group} inputs"
        set_inputs(app, **values)

    setter.__name__ = f"set_{group}"
    return setter


set_hardware = _group_setter("hardware")
set_memory = _group_setter("memory")
set_workload = _group_setter("workload")
set_pooler = _group_setter("pooler")


def slide(app: App, flat: str, stops: int) -> None:
    """Move an input's slider by ``stops`` positions (negative: to the left)."""
    slider = w.find(field(app, flat), f"slider_{flat}", QSlider)
    w.slide_to(slider, slider.value() + stops)
    settle(app)


def undo(app: App) -> None:
    w.trigger(app.window, "action_undo")
    settle(app)


def redo(app: App) -> None:
    w.trigger(app.window, "action_redo")
    settle(app)


def can_undo(app: App) -> bool:
    return app.window.menu_actions["undo"].isEnabled()


def can_redo(app: App) -> bool:
    return app.window.menu_actions["redo"].isEnabled()


def answer_unsaved_prompts(app: App, answer: str) -> None:
    """From now on, answer "save changes?" with ``answer`` (save / discard / cancel)."""
    app.window.ask_unsaved = lambda: answer


def answer_save_dialogs(app: App, path: Path | None) -> None:
    """From now on, answer "save as?" with ``path`` (None: cancel)."""
    app.window.ask_save_path = lambda: path


def errors_shown(app: App) -> list[str]:
    """The reasons the window gave in its error dialogs so far."""
    return list(app.errors)


def on_provider_plan(app: App) -> bool:
    return app.window.document.scenario.provider is not None


def new_scenario(app: App) -> None:
    w.trigger(app.window, "action_new")
    settle(app)


@contextmanager
def another_window_in_front(app: App) -> Iterator[None]:
    """Another window in front of pgplanner's (as File > New's "save the changes first?" or the Measure
    dialog is) while the plan changes under it; pgplanner's window is in front again afterwards."""
    other = QWidget()
    other.show()
    app.qtbot.waitExposed(other)
    other.activateWindow()
    app.qtbot.waitUntil(lambda: not app.window.isActiveWindow())
    try:
        yield
    finally:
        other.close()
        other.deleteLater()
        app.window.activateWindow()
        app.qtbot.waitUntil(app.window.isActiveWindow)


def save_as(app: App, path: Path) -> None:
    app.window.ask_save_path = lambda: path
    w.trigger(app.window, "action_save_as")
    settle(app)


def save(app: App, path_if_asked: Path | None = None) -> None:
    app.window.ask_save_path = lambda: path_if_asked
    w.trigger(app.window, "action_save")
    settle(app)


def load_scenario(app: App, path: Path) -> None:
    app.window.ask_open_path = lambda _title: path
    w.trigger(app.window, "action_open")
    settle(app)


def open_example(app: App, name: str) -> None:
    """File > Open Example > ``name`` (the file stem, e.g. "small-web-app")."""
    w.trigger(app.window, f"action_example_{name}")
    settle(app)


def quit_and_start_again(app: App, answer: str) -> App:
    """Quit (answering "save changes?" with ``answer``) and start the program again."""
    answer_unsaved_prompts(app, answer)
    return restart(app)


def stop_with_a_signal_and_start_again(app: App, name: str) -> App:
    """The desktop session ends (``SIGTERM``, ``SIGHUP``; ``SIGINT`` is Ctrl-C in the terminal that started
    the window): the signal is sent to this process while the window listens as the program makes it,
    and the program is started again with the same settings store."""
    from pgplanner.ui.app import _stop_signals_end

    signum = getattr(signal, name)
    with _stop_signals_end(app.window):
        os.kill(os.getpid(), signum)
        w.run_events_until(lambda: not app.window.isVisible())
    return open_app(app.qtbot, app.settings_path)


def screenshot_from_the_command_line(out: Path, home: Path) -> None:
    """``pgplanner screenshot --out out`` as the user ``home`` runs it (their own settings store)."""
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PGPLANNER_SETTINGS", None)
    subprocess.run([sys.executable, "-m", "pgplanner", "screenshot", "--out", str(out)], env=env, check=True)


def user_settings_file(home: Path) -> Path:
    """Where Qt keeps pgplanner's settings for the user ``home`` on Linux."""
    return home / ".config" / "pgplanner" / "pgplanner.conf"


def detect_machine(app: App) -> None:
    w.trigger(app.window, "action_detect")
    settle(app)


def restart(app: App) -> App:
    """Close the window (as the user would) and open a new one with the same settings store."""
    app.window.close()
    return open_app(app.qtbot, app.settings_path)


# --- reading ------------------------------------------------------------------------------


def read_card(app: App, title: str) -> int | str:
    """A card's value: a number when it is one ("1,024" -> 1024), else its text ("12.1 GB")."""
    text = w.text_of(app.window, f"card_{card_key(app, title)}_value")
    return int(text.replace(",", "")) if re.fullmatch(r"[\d,]+", text) else text


def card_shown(app: App, title: str) -> bool:
    return not w.find(app.window, f"card_{card_key(app, title)}").isHidden()


def read_caption(app: App, title: str) -> str:
    return w.text_of(app.window, f"card_{card_key(app, title)}_caption")


def why(app: App, title: str) -> str:
    """The derivation a card shows when asked "why this number?" (its tooltip, as plain text)."""
    card = w.find(app.window, f"card_{card_key(app, title)}")
    return re.sub(r"<[^>]+>", " ", card.toolTip()).replace("&gt;", ">").replace("&lt;", "<")


def captions_cut(app: App) -> list[str]:
    """The cards whose caption needs more lines than the card gives it (its last words would be lost)."""
    from pgplanner.ui.cards import Card

    cut = []
    for card in app.window.findChildren(Card):
        label = card.caption
        if card.isVisibleTo(app.window) and label.heightForWidth(label.width()) > label.height():
            cut.append(f"{card.spec.title}: {label.text()!r}")
    return cut


def card_severity(app: App, title: str) -> str | None:
    card = w.find(app.window, f"card_{card_key(app, title)}")
    return card._severity


def warnings(app: App) -> list[str]:
    """The codes of the warnings listed, in order."""
    listing = w.find(app.window, "warnings", QListWidget)
    codes = [listing.item(i).data(Qt.ItemDataRole.UserRole) for i in range(listing.count())]
    return [code for code in codes if code]


def everything_shown(app: App) -> str:
    """All the text the window shows, with every details tab rendered once."""
    tabs = w.find(app.window, "details")
    for index in range(tabs.count()):
        tabs.setCurrentIndex(index)
    tabs.setCurrentIndex(0)
    return w.all_text(app.window)


def headline(app: App) -> str:
    return re.sub(r"<[^>]+>", "", w.text_of(app.window, "headline")).replace("&nbsp;", " ")


def headline_whole(app: App) -> bool:
    """Whether the sentence above the cards is shown whole on its one line (none of it past the edge)."""
    from PySide6.QtGui import QTextDocument

    label = w.find(app.window, "headline", QLabel)
    document = QTextDocument()
    document.setDefaultFont(label.font())
    document.setDocumentMargin(0)
    document.setHtml(label.text())
    return document.idealWidth() <= label.contentsRect().width()


def input_value(app: App, flat: str) -> Any:
    """What the form shows for an input (the derived value when it is on auto)."""
    editor = field(app, flat)
    combo = editor.findChild(QComboBox, f"combo_{flat}")
    if combo is not None:
        return combo.currentData()
    check = editor.findChild(QCheckBox, f"check_{flat}")
    if check is not None:
        return check.isChecked()
    return w.find(editor, f"spin_{flat}", QAbstractSpinBox).value()


def input_is_auto(app: App, flat: str) -> bool:
    return w.find(field(app, flat), f"auto_{flat}", QCheckBox).isChecked()


def input_is_editable(app: App, flat: str) -> bool:
    return field(app, flat).isEnabled()


def input_is_visible(app: App, flat: str) -> bool:
    """Whether the input's editor is on screen (advanced inputs stay folded, unbuilt until their section
    first opens)."""
    editor = app.window.findChild(QWidget, f"field_{flat}")
    return editor is not None and editor.isVisibleTo(app.window)


def settings_shown(app: App) -> dict[str, dict[str, tuple[str, str]]]:
    """The Settings tab: {group title: {setting: (value, "restart" or "reload")}}."""
    w.choose_tab(w.find(app.window, "details"), "Settings")
    tree = w.find(app.window, "settings_tree", QTreeWidget)
    shown = {}
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        shown[group.text(0)] = {
            group.child(j).text(0): (group.child(j).text(1), group.child(j).text(2)) for j in range(group.childCount())
        }
    return shown


def setting_explanation(app: App, name: str) -> tuple[str, str]:
    """Click a setting in the Settings tab: (its tooltip, the explanation pane's text), both as plain text."""
    w.choose_tab(w.find(app.window, "details"), "Settings")
    tree = w.find(app.window, "settings_tree", QTreeWidget)
    item = next(
        tree.topLevelItem(i).child(j)
        for i in range(tree.topLevelItemCount())
        for j in range(tree.topLevelItem(i).childCount())
        if tree.topLevelItem(i).child(j).text(0) == name
    )
    w.click_item(tree, item)
    tip = re.sub(r"<[^>]+>", " ", item.toolTip(0))
    return " ".join(tip.split()), w.find(app.window, "settings_why", QTextBrowser).toPlainText()


def current_curve(app: App, plot: str, curve: str) -> tuple[np.ndarray, np.ndarray]:
    """The (x, y) data a plot is drawing, e.g. ``current_curve(app, "throughput", "direct")``; empty when
    the curve is not drawn. Points above the data area are NaN (the curve is cut there)."""
    item = _panel(app, plot).curves.get(curve)
    if item is None or not item.isVisible() or item.xData is None:
        return np.array([]), np.array([])
    return np.asarray(item.xData), np.asarray(item.yData)  # the data, not its log-scaled display


def mark(app: App, plot: str, name: str) -> float | None:
    """Where a plot marks something (productive_target, max_connections, ram_ceiling, provider_limit,
    worst_fits, baseline.max_connections), None when it marks nothing of that name."""
    drawn = _panel(app, plot).chart
    found = drawn.mark(name) if drawn is not None else None
    return found.at if found is not None else None


def mark_label(app: App, plot: str, name: str) -> str:
    """The words written beside a mark ("" when there was no room); an arrow at the edge ends in "→"."""
    found = _panel(app, plot).chart.mark(name)
    if found is None:
        return ""
    if found.label is not None:
        assert found.label.text in plot_words(app, plot), f"{found.label.text!r} is not on the plot"
        return found.label.text
    if found.axis == "x":  # beyond the view, a note, or no room on the plot: written in the heading
        assert found.text in plot_title(app, plot), f"{found.text!r} is not in the heading"
        return found.text
    return ""


def budget_bar(app: App) -> dict[str, float]:
    """Connections per segment of the max_connections bar, by name (headroom included)."""
    return {s.name: s.width for s in app.window.budget_plot.chart.bars if s.row == "max_connections"}


def budget_limit(app: App, row: str = "max_connections") -> float:
    """Where the budget plot draws a limit (max_connections or max_wal_senders), read off its stroke."""
    panel = app.window.budget_plot
    stroke = panel.rules[row].line()
    return round(panel.vb.mapSceneToView(panel.vb.mapToScene(stroke.p1())).x(), 6)


def hover(app: App, plot: str, x: float, y: float) -> str:
    """Move the mouse over a plot to data coordinates (x, y) and return what its readout says."""
    look_at_plot(app, plot)
    panel = _panel(app, plot)
    view_x = math.log10(x) if panel.chart.x.log else x
    scene = panel.vb.mapViewToScene(QPointF(view_x, y))
    where = panel.widget.mapFromScene(scene)
    # From a pixel away, once that has entered the plot: Qt drops a move to where the cursor already is (an
    # earlier case may have left it there), and the first move into a new window only enters it.
    app.qtbot.mouseMove(panel.widget.viewport(), where + QPoint(1, 1))
    app.qtbot.wait(HOVER_SETTLES_MS)
    app.qtbot.mouseMove(panel.widget.viewport(), where)
    app.qtbot.wait(HOVER_SETTLES_MS)
    return panel.readout.text_in_full()


def open_recent_menu(app: App) -> list[str]:
    """Open File > Open Recent: the files it lists."""
    menu = app.window.recent_menu
    menu.aboutToShow.emit()  # what opening the menu does
    return [action.text() for action in menu.actions()]


def open_recent(app: App, path: Path) -> None:
    """Pick ``path`` in File > Open Recent (the menu as it was when opened: the file may be gone since)."""
    menu = app.window.recent_menu
    next(action for action in menu.actions() if action.text() == str(path.resolve())).trigger()
    settle(app)


def status_message(app: App) -> str:
    return app.window.statusBar().currentMessage()


def window_title(app: App) -> str:
    return app.window.windowTitle()


def is_modified(app: App) -> bool:
    return app.window.isWindowModified()


def shown_plan(app: App) -> Plan:
    """What the model says for the scenario on screen (for comparing with what is shown)."""
    return plan(app.window.document.scenario)


# The figure each card shows, by its path in ``plan --json``, and how the card writes it: a count
# ("1,234"), a size ("1.13 GB", three significant digits) or a rate ("2,500 tps"). Written out here, not
# taken from pgplanner.present, so that the check never asks the renderer what it meant to show.
CARD_FIGURES = {
    "max_connections": ("max_connections", "count"),
    "ram_ceiling": ("ram_ceiling", "count"),
    "productive_target": ("productive_target", "count"),
    "pool_size": ("pool_size", "count"),
    "worst_case": ("memory.worst_case_bytes", "size"),
    "heavy_fraction": ("memory.heavy_fraction_bytes", "size"),
    "safe_work_mem": ("memory.safe_work_mem_bytes", "size"),
    "pooler_capacity": ("pooler_capacity_tps", "rate"),
}
POOLER_CARDS = ("pool_size", "pooler_capacity")  # a pooler's figures: with no pooler the card says "no pooler"
SIZE_UNITS = {"B": 1, "kB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}
_SHOWN_NUMBER = re.compile(r"(?P<number>\d[\d,]*(?:\.(?P<decimals>\d+))?)(?: (?P<unit>B|kB|MB|GB|TB|tps|ms))?")


def _shown_number(text: str) -> tuple[float, float, str]:
    """A card's value read as a person would: (number in its unit, the most its rounding hides, unit)."""
    match = _SHOWN_NUMBER.fullmatch(text)
    assert match, f"not a figure: {text!r}"
    decimals = len(match["decimals"] or "")
    return float(match["number"].replace(",", "")), 0.5 * 10**-decimals, match["unit"] or ""


def card_disagrees(text: str, figure: float | None, kind: str) -> bool:
    """Whether ``text`` on a card misstates ``figure`` (plan()'s number) beyond its shown digits."""
    if kind != "ms" and (
        figure is None or (kind == "size" and figure == 0)
    ):  # no safe work_mem; a pooler's figure without one
        return text != ("none" if kind == "size" else "no pooler")
    number, slack, unit = _shown_number(text)
    if kind == "size":
        return unit not in SIZE_UNITS or abs(number * SIZE_UNITS[unit] - figure) > slack * SIZE_UNITS[unit]
    if kind == "rate":
        return unit != "tps" or abs(number - figure) > slack
    if kind == "ms":  # an unstable pool shows no latency (plan() gives none)
        return text != "unstable" if figure is None else unit != "ms" or abs(number - figure) > slack
    return unit != "" or number != figure


def cards_disagreeing_with_model(app: App) -> list[str]:
    """The cards whose value is not what plan() computes for the scenario on screen ([] when all agree)."""
    expected = shown_plan(app)
    figures = expected.to_json_dict()
    values = {label.objectName() for label in app.window.findChildren(QLabel) if label.isVisibleTo(app.window)}
    cards = {name for name in values if name.startswith("card_") and name.endswith("_value")}
    latency = figures["latency"]
    # the latency card (with a demand): p99 at the plan's pool, or without a pooler with every client a backend
    row = None if latency is None else latency["at_pool_size"] or latency["direct"]
    latency_card = [] if row is None else ["latency" if latency["at_pool_size"] else "latency_direct"]
    wanted = {f"card_{key}_value" for key in [*CARD_FIGURES, *latency_card]}
    wrong = [] if cards == wanted else [f"the window's cards {sorted(cards)} are not {sorted(wanted)}"]
    for key in latency_card:
        text = w.text_of(app.window, f"card_{key}_value")
        if card_disagrees(text, row["p99_ms"], "ms"):
            wrong.append(f"{key}: shows {text!r}, plan() says p99 {row['p99_ms']} ms")
    for key, (path, kind) in CARD_FIGURES.items():
        text = w.text_of(app.window, f"card_{key}_value")
        figure = figures
        for part in path.split("."):
            figure = figure[part]
        if key in POOLER_CARDS and expected.scenario.pooler.kind == "none":
            figure = None
        if card_disagrees(text, figure, kind):
            wrong.append(f"{key}: shows {text!r}, plan() says {figure}")
    return wrong


def size(text: str) -> int:
    return parse_size(text)


# --- provider plans -------------------------------------------------------------------------


def choose_provider_plan(app: App, preset_id: str | None) -> None:
    """Pick a managed plan by id ("heroku/standard-0"), or None for self-managed, in the picker."""
    combo = w.find(app.window, "combo_preset", QComboBox)
    w.focus(app.qtbot, combo)  # clicking into the picker, as a user does before choosing
    w.choose(combo, preset_id)
    settle(app)


def back_to_self_managed(app: App) -> None:
    w.click_with_mouse(w.find(app.window, "button_self_managed", QPushButton))  # the button takes the focus
    settle(app)


def search_provider_plans(app: App, text: str) -> list[str]:
    """What the picker suggests while the user types ``text`` into its search."""
    combo = w.find(app.window, "combo_preset", QComboBox)
    w.focus(app.qtbot, combo)
    line = combo.lineEdit()
    # What typing does, without the suggestion popup (offscreen Qt cannot raise it and warns).
    line.setText(text)
    line.textEdited.emit(text)
    model = combo.completer().completionModel()
    return [model.index(row, 0).data() for row in range(model.rowCount())]


def search_provider_plans_and_press_enter(app: App, text: str) -> str:
    """Type ``text`` into the picker's search and press Enter; what the picker then says (its note, if shown)."""
    search_provider_plans(app, text)
    w.press(app.qtbot, w.find(app.window, "combo_preset", QComboBox).lineEdit(), "Return")
    settle(app)
    return provider_search_note(app)


def tab_away_from_provider_search(app: App) -> None:
    """Press Tab in the picker's search (the focus there first, as after typing in it)."""
    combo = w.find(app.window, "combo_preset", QComboBox)
    if not combo.hasFocus():
        w.focus(app.qtbot, combo)
    w.press_tab(app.qtbot)
    settle(app)


def provider_search_text(app: App) -> str:
    """The whole text in the picker's box: the chosen plan's title, or what was typed there."""
    return w.find(app.window, "combo_preset", QComboBox).lineEdit().text()


def provider_search_selection(app: App) -> str:
    """The part of the picker's box that is selected (what typing would replace)."""
    return w.find(app.window, "combo_preset", QComboBox).lineEdit().selectedText()


def provider_search_note(app: App) -> str:
    """What the picker says under its search ("No plan matches ..."), "" when it says nothing."""
    note = w.find(app.window, "preset_search_note", QLabel)
    return note.text() if note.isVisibleTo(app.window) else ""


def provider_plan_shown(app: App) -> str:
    """The part of the chosen plan's title the picker's box shows: a line edit scrolls to keep its cursor in view,
    so from the start with the cursor at the start, else the part that ends at the cursor."""
    line = w.find(app.window, "combo_preset", QComboBox).lineEdit()
    metrics, width, cursor = line.fontMetrics(), line.contentsRect().width() - 4, line.cursorPosition()
    text = line.text()
    if metrics.horizontalAdvance(text[:cursor]) <= width:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width).rstrip("\u2026")
    return metrics.elidedText(text[:cursor], Qt.TextElideMode.ElideLeft, width).lstrip("\u2026")


def provider_facts(app: App) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", w.text_of(app.window, "preset_facts")))


# --- export ---------------------------------------------------------------------------------


def open_export(app: App) -> None:
    w.trigger(app.window, "action_export")


def _export_dialog(app: App):
    return w.find(app.window, "export_dialog", QWidget)


def export_files(app: App) -> list[str]:
    listing = w.find(_export_dialog(app), "export_files", QListWidget)
    return [listing.item(i).text() for i in range(listing.count())]


def export_preview(app: App, path: str) -> str:
    """Select ``path`` in the export dialog and return the text it previews."""
    dialog = _export_dialog(app)
    listing = w.find(dialog, "export_files", QListWidget)
    listing.setCurrentItem(listing.findItems(path, Qt.MatchFlag.MatchExactly)[0])
    return w.find(dialog, "export_preview", QPlainTextEdit).toPlainText()


def export_preview_colours(app: App, path: str) -> list[tuple[str, str, str]]:
    """(words, their colour, the preview's colour under them) for every coloured span (keys, section
    headers, strings, comments) of ``path`` as the export dialog previews it."""
    export_preview(app, path)
    preview = w.find(_export_dialog(app), "export_preview", QPlainTextEdit)
    under = _most_common_colour(w.grab(preview.viewport()), preview.viewport().rect(), step=3)
    found = []
    block = preview.document().begin()
    while block.isValid():
        for span in block.layout().formats():
            words = block.text()[span.start : span.start + span.length]
            found.append((words, span.format.foreground().color().name().upper(), under))
        block = block.next()
    return found


def copy_export_preview(app: App) -> str:
    w.find(_export_dialog(app), "export_copy", QPushButton).click()
    return QGuiApplication.clipboard().text()


def choose_export_platforms(app: App, choice: str) -> None:
    """linux / macos / freebsd / windows / all / none / scenario."""
    w.choose(w.find(_export_dialog(app), "export_platform", QComboBox), choice)


def windows_that_appear_while_exporting_to(app: App, target: Path) -> list[str]:
    """Export to ``target`` and return the windows that popped up meanwhile."""
    return w.windows_shown_during(lambda: export_to(app, target))


def export_blocking_banner(app: App) -> str | None:
    """The banner over the export dialog naming the plan's blocking errors (None when there is none)."""
    banner = w.find(_export_dialog(app), "export_blocking", QLabel)
    return re.sub(r"<[^>]+>", "\n", banner.text()) if banner.isVisible() else None


def export_full_names_shown(app: App) -> bool:
    """Whether the file list is wide enough for every name in it."""
    listing = w.find(_export_dialog(app), "export_files", QListWidget)
    widest = max(listing.fontMetrics().horizontalAdvance(listing.item(i).text()) for i in range(listing.count()))
    return listing.viewport().width() >= widest


def export_to(app: App, target: Path, replace: bool = False, write_blocked: bool | None = None) -> Path | None:
    """Export to ``target``; ``write_blocked`` answers "write a plan with blocking errors?" (None: not asked)."""
    dialog = _export_dialog(app)
    dialog.ask_replace = lambda _path: replace
    asked: list[list[str]] = []

    def answer(errors: list[str]) -> bool:
        asked.append(errors)
        assert write_blocked is not None, f"asked about blocking errors unexpectedly: {errors}"
        return write_blocked

    dialog.ask_write_blocked = answer
    w.find(dialog, "export_destination", QLineEdit).setText(str(target))
    w.find(dialog, "export_write", QPushButton).click()
    return target if (target / "plan.json").exists() or (target.suffix == ".zip" and target.exists()) else None


def export_status(app: App) -> str:
    """The line under the export preview ("Wrote ...", "Copied ...", or nothing)."""
    return w.find(_export_dialog(app), "export_status", QLabel).text()


def browse_for_export_destination(app: App) -> Path:
    """Press Browse in the export dialog; the folder the file chooser opens in (it is then cancelled)."""
    dialog = _export_dialog(app)
    started: list[Path] = []
    dialog.ask_destination = lambda start: started.append(start) or ""
    w.click(dialog, "export_browse")
    return started[0].parent


# --- layout and plots -------------------------------------------------------------------------

HOVER_SETTLES_MS = 150  # the readout follows the mouse at most 30 times a second
PLOTS = {"throughput": "throughput_plot", "memory": "memory_plot", "budget": "budget_plot", "latency": "latency_plot"}


def _panel(app: App, plot: str):
    return getattr(app.window, PLOTS[plot])


def resize_window(app: App, width: int, height: int) -> None:
    app.window.resize(width, height)
    app.qtbot.wait(50)  # let the layout settle


def window_size(app: App) -> tuple[int, int]:
    return app.window.width(), app.window.height()


def look_at_plot(app: App, plot: str) -> None:
    """Bring a plot into view (in a small window the plots are tabs)."""
    panel = _panel(app, plot)
    if app.window.compact:
        app.window.details.setCurrentWidget(panel)
    elif app.window.side.indexOf(panel) >= 0:  # memory and latency share the place beside throughput
        w.choose_tab(app.window.side, app.window.side.tabText(app.window.side.indexOf(panel)))
    app.qtbot.waitUntil(panel.isVisible)


def plots_offered(app: App) -> list[str]:
    """The plots the window offers now, by their tab or place: ["throughput", "memory", "latency", ...]."""
    offered = []
    for name, attribute in PLOTS.items():
        panel = getattr(app.window, attribute)
        if app.window.compact:
            shown = app.window.details.indexOf(panel) >= 0
        elif app.window.side.indexOf(panel) >= 0:
            shown = app.window.side.isTabVisible(app.window.side.indexOf(panel))
        else:
            shown = not panel.isHidden()
        if shown:
            offered.append(name)
    return offered


def side_tabs(app: App) -> list[str]:
    """The tabs beside the throughput plot that the user sees (none: memory alone, no tab bar)."""
    side = app.window.side
    if not side.tabBar().isVisible():
        return []
    return [side.tabText(i) for i in range(side.count()) if side.isTabVisible(i)]


def move_mouse_over_plot(app: App, plot: str, fx: float, fy: float) -> str:
    """Point at a plot (fractions of its width and height) and return what its readout says."""
    look_at_plot(app, plot)
    panel = _panel(app, plot)
    w.move_mouse_over(app.qtbot, panel.widget.viewport(), fx, fy)
    app.qtbot.wait(HOVER_SETTLES_MS)
    return panel.readout.text_in_full()


def readout(app: App, plot: str) -> str:
    return _panel(app, plot).readout.text_in_full()


def plot_fits(app: App, plot: str) -> bool:
    """Whether a plot (axes, title, key) fits in the space it has, at least its minimum height."""
    look_at_plot(app, plot)
    panel = _panel(app, plot)
    needed = panel.plot.effectiveSizeHint(Qt.SizeHint.MinimumSize)
    room = panel.widget.viewport().size()
    return needed.width() <= room.width() and needed.height() <= room.height() and panel.height() >= 150


def clipped_card_texts(app: App) -> list[str]:
    """The card titles, values and captions that do not fit in their card."""
    clipped = []
    for spec in CARDS:
        if w.find(app.window, f"card_{spec.key}").isHidden():  # a card this plan does not have
            continue
        for part in ("title", "value", "caption"):
            label = w.find(app.window, f"card_{spec.key}_{part}", QLabel)
            if not w.text_fits(label):
                clipped.append(label.text())
    return clipped


def drag_splitter_between_plots_and_budget(app: App, pixels: int) -> None:
    """Drag the handle under the plots by ``pixels`` (negative: up)."""
    splitter = app.window.plots
    splitter.moveSplitter(splitter.sizes()[0] + pixels, 1)
    app.qtbot.wait(20)


def drag_splitter_between_plots(app: App, pixels: int) -> None:
    """Drag the handle between the throughput and memory plots by ``pixels`` (negative: left), as a mouse does:
    in steps of 20 pixels (a hand's drag, as the mouse reports it), each a move the window answers before the next."""
    splitter, step = app.window.curves, -20 if pixels < 0 else 20
    for _ in range(abs(pixels) // 20):
        if not plots_side_by_side(app):  # the plots went into tabs: there is no handle any more
            return
        splitter.moveSplitter(splitter.sizes()[0] + step, 1)
        app.qtbot.wait(5)


def drag_splitter_above_details(app: App, pixels: int) -> None:
    """Drag the handle between the budget bar and the details tabs by ``pixels`` (negative: up)."""
    splitter = app.window.plots_and_details
    splitter.moveSplitter(splitter.sizes()[0] + pixels, 1)
    app.qtbot.wait(20)


def plot_height(app: App, plot: str) -> int:
    return _panel(app, plot).height()


def splitter_handles_visible(app: App) -> bool:
    return all(s.handleWidth() >= 5 for s in (app.window.plots_and_details, app.window.curves))


def provider_list_shows_whole_titles(app: App) -> bool:
    combo = w.find(app.window, "combo_preset", QComboBox)
    w.focus(app.qtbot, combo)  # the list fills when the user first reaches for it
    view = combo.view()
    widest = max(view.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(combo.count()))
    return view.minimumWidth() >= widest and combo.completer().popup().minimumWidth() >= widest


def plot_title(app: App, plot: str) -> str:
    """The heading of a plot (its name, notes and key) as plain text."""
    return _plain(_panel(app, plot).plot.titleLabel.text).replace("\u00a0", " ")


def _plain(html_text: str) -> str:
    text = re.sub(r"<br>", "\n", html_text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text).replace("&nbsp;", "\u00a0"))


def plot_key(app: App, plot: str) -> list[str]:
    """The entries of a plot's key, as written."""
    entries = []
    for line in _panel(app, plot).plot.titleLabel.text.split("<br>"):
        for part in line.split(HEADING_SEPARATOR):
            text = _plain(part).strip()
            if text[:1] in GLYPHS.values() or text[:2] in GLYPHS.values():
                entries.append(text.lstrip("".join(GLYPHS.values())).strip(" \u00a0").replace("\u00a0", " "))
    return entries


def plot_words(app: App, plot: str) -> list[str]:
    """Every word written on a plot's area (the marks' labels, the bars' labels), as shown."""
    return [item.text() for item in _panel(app, plot).labels if item.isVisible()]


def plot_label_boxes(app: App, plot: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) in pixels of the plot area of every label on a plot."""
    panel = _panel(app, plot)
    boxes = []
    for item in (i for i in panel.labels if i.isVisible()):
        rect = item.mapRectToItem(panel.vb, item.boundingRect())
        boxes.append((item.text(), rect.left(), rect.top(), rect.right(), rect.bottom()))
    return boxes


def plot_area(app: App, plot: str) -> tuple[float, float]:
    """The width and height of a plot's area in pixels."""
    vb = _panel(app, plot).vb
    return vb.width(), vb.height()


def mark_label_is_above_the_data(app: App, plot: str, name: str, data_top: float) -> bool:
    """Whether a mark's label sits wholly above ``data_top`` (in the plot's y units)."""
    panel = _panel(app, plot)
    text = mark_label(app, plot, name)
    item = next(i for i in panel.labels if i.isVisible() and i.text() == text)
    bottom = panel.vb.mapSceneToView(item.sceneBoundingRect().bottomLeft()).y()
    return bottom >= data_top


def mark_colour(app: App, plot: str, name: str) -> str:
    """The colour of a mark's line as drawn (#RRGGBB), or of its words when it has no line (beyond the view)."""
    panel = _panel(app, plot)
    stroke = panel.rules.get(name)
    if stroke is not None and stroke.isVisible():
        return stroke.pen().color().name().upper()
    text = mark_label(app, plot, name)
    label = next((i for i in panel.labels if i.isVisible() and i.text() == text), None)
    if label is not None:
        return label.brush().color().name().upper()
    spans = re.findall(r"<span style='color:(#[0-9A-Fa-f]{6})'>([^<]*)</span>", panel.plot.titleLabel.text)
    return next(colour.upper() for colour, words in spans if html.unescape(words) == text)


def curve_colour(app: App, plot: str, curve: str) -> str:
    return _panel(app, plot).curves[curve].opts["pen"].color().name().upper()


def memory_view_top(app: App) -> float:
    """The highest memory (GB) the memory plot shows."""
    return app.window.memory_plot.plot.vb.viewRange()[1][1]


def memory_view_right(app: App) -> float:
    return app.window.memory_plot.plot.vb.viewRange()[0][1]


def memory_note(app: App) -> str | None:
    """The note at the top edge when the worst case is too tall to draw (None when it is drawn)."""
    found = app.window.memory_plot.chart.mark("worst_case_note")
    return mark_label(app, "memory", "worst_case_note") if found is not None else None


def budget_key(app: App) -> str:
    """The key of the budget bars, as plain text (items separated by two spaces)."""
    return "  ".join(plot_key(app, "budget"))


def budget_labels_fit(app: App) -> bool:
    """Every label written on the budget bars fits inside its segment."""
    look_at_plot(app, "budget")
    app.qtbot.wait(20)  # labels are chosen again once the new width is known
    panel = app.window.budget_plot
    chart = panel.chart
    for _text, left, top, right, bottom in plot_label_boxes(app, "budget"):
        centre_x, centre_y = (left + right) / 2, (top + bottom) / 2
        row = min(chart.rows, key=lambda r: abs(chart.py(r[1]) - centre_y))
        segment = next(
            s for s in chart.bars if s.row == row[0] and chart.px(s.start) <= centre_x <= chart.px(s.start + s.width)
        )
        if left < chart.px(segment.start) or right > chart.px(segment.start + segment.width):
            return False
        if top < chart.py(row[1] + chart.bar_height / 2) or bottom > chart.py(row[1] - chart.bar_height / 2):
            return False
    return True


def save_plot_image(app: App, plot: str, path: Path) -> list[str]:
    """Right-click a plot; return the menu's entries and use its "Save as PNG" to write ``path``."""
    panel = _panel(app, plot)
    menu = panel.menu()
    entries = [a.text() for a in menu.actions()]
    panel.save_png(str(path))
    return entries


def copy_card_value(app: App, title: str) -> str:
    """Right-click a card, choose "Copy", and return what is on the clipboard."""
    card = w.find(app.window, f"card_{card_key(app, title)}")
    copy = next(a for a in card.menu().actions() if a.text().startswith("Copy"))
    copy.trigger()
    return QGuiApplication.clipboard().text()


# --- words -------------------------------------------------------------------------------------


def warning_text(app: App, code: str) -> str:
    """What the Warnings tab says for ``code`` (its severity word first)."""
    listing = w.find(app.window, "warnings", QListWidget)
    for i in range(listing.count()):
        if listing.item(i).data(Qt.ItemDataRole.UserRole) == code:
            return listing.item(i).text()
    raise AssertionError(f"no warning {code} listed")


def all_warning_texts(app: App) -> str:
    listing = w.find(app.window, "warnings", QListWidget)
    return "\n".join(listing.item(i).text() for i in range(listing.count()))


def cards_shown(app: App) -> dict[str, tuple[str, str]]:
    """Every card as the window shows it: title -> (value, caption)."""
    return {
        w.text_of(app.window, f"card_{spec.key}_title"): (
            w.text_of(app.window, f"card_{spec.key}_value"),
            w.text_of(app.window, f"card_{spec.key}_caption"),
        )
        for spec in CARDS
    }


def open_scenario(app: App, scenario: Scenario, folder: Path) -> None:
    """Save ``scenario`` as a file in ``folder`` and open it, as a user opens a saved scenario."""
    path = folder / "scenario.json"
    path.write_text(scenario_to_json(scenario))
    load_scenario(app, path)


def all_card_texts(app: App) -> str:
    return "\n".join(
        w.text_of(app.window, f"card_{spec.key}_{part}") for spec in CARDS for part in ("value", "caption")
    )


def input_tooltip(app: App, flat: str) -> str:
    return re.sub(r"<[^>]+>", " ", field(app, flat).toolTip())


def slider_left_edges(app: App) -> set[int]:
    """Where each slider of the input panel starts, in window pixels (folded-away ones are not on screen)."""
    sliders = [s for s in app.window.forms.findChildren(QSlider) if s.isVisibleTo(app.window)]
    return {s.mapTo(app.window, s.rect().topLeft()).x() for s in sliders}


def about_links(app: App) -> list[str]:
    """The links in Help > About."""
    return re.findall(r"href='([^']+)'", app.window.about_text())


# --- the live server ------------------------------------------------------------------------

SERVER_TIMEOUT_MS = 60_000  # a connection attempt, a probe, a short sweep


def connect_to_server(app: App, host: str, port: int, dbname: str, user: str, password: str = "") -> str:
    """Server > Connect..., filled in and confirmed; the dialog's last words (empty when it connected)."""
    w.trigger(app.window, "action_server_connect")
    dialog = app.window.server.connect_dialog
    for name, value in (("server_host", host), ("server_dbname", dbname), ("server_user", user),
                        ("server_password", password)):  # fmt: skip
        w.find(dialog, name, QLineEdit).setText(value)
    w.find(dialog, "server_port", QAbstractSpinBox).setValue(port)
    w.click(dialog, "server_connect")
    w.wait_until(app.qtbot, lambda: not dialog.isVisible() or w.find(dialog, "server_connect").isEnabled(),
                 SERVER_TIMEOUT_MS)  # fmt: skip
    return "" if not dialog.isVisible() else w.text_of(dialog, "connect_status")


def connect_to_unknown_host(app: App, host: str) -> str:
    """Server > Connect... to a host name no resolver knows (the resolver answers as glibc does for a name
    that does not exist, so no DNS is asked); the dialog's last words."""
    import socket

    def unknown(*_args: Any, **_kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    real = socket.getaddrinfo
    socket.getaddrinfo = unknown
    try:
        return connect_to_server(app, host, 5432, "postgres", "postgres")
    finally:
        socket.getaddrinfo = real


def connected_server(app: App) -> str:
    return app.window.server.server_name


def server_actions_enabled(app: App) -> bool:
    return all(app.window.server.actions[key].isEnabled() for key in ("server_probe", "server_measure"))


def probe_server(app: App, watch_seconds: int = 0) -> str:
    """Server > Probe..., run; the report it shows (or its one-line problem)."""
    w.trigger(app.window, "action_server_probe")
    dialog = app.window.server.probe_dialog
    w.find(dialog, "probe_watch", QAbstractSpinBox).setValue(watch_seconds)
    w.click(dialog, "probe_run")
    w.wait_until(app.qtbot, lambda: w.find(dialog, "probe_run").isEnabled(), SERVER_TIMEOUT_MS)
    status = w.text_of(dialog, "probe_status")
    return w.find(dialog, "probe_report", QPlainTextEdit).toPlainText() or status


def use_probed_values(app: App) -> None:
    w.click(app.window.server.probe_dialog, "probe_use")
    settle(app)


def probe_status(app: App) -> str:
    return w.text_of(app.window.server.probe_dialog, "probe_status")


def compare_with_plan(app: App, watch_seconds: int = 0) -> str:
    """Server > Compare with This Plan..., Compare pressed; the status line once the server is read."""
    w.trigger(app.window, "action_server_compare")
    dialog = app.window.server.compare_dialog
    w.find(dialog, "compare_watch", QAbstractSpinBox).setValue(watch_seconds)
    w.click(dialog, "compare_run")
    w.wait_until(app.qtbot, lambda: w.find(dialog, "compare_run").isEnabled(), SERVER_TIMEOUT_MS)
    return w.text_of(dialog, "compare_status")


def compared_settings(app: App, show: str = "Differs") -> dict[str, dict[str, str]]:
    """The Settings table under the filter ``show`` (Differs, Needs a restart, All settings): a row per setting."""
    dialog = app.window.server.compare_dialog
    w.find(dialog, "compare_filter", QComboBox).setCurrentText(show)
    return w.table_rows(w.find(dialog, "compare_table", QTableWidget))


def compare_summary(app: App) -> str:
    return w.text_of(app.window.server.compare_dialog, "compare_summary")


def evidence_cards(app: App) -> dict[str, str]:
    """The evidence cards by finding code (lower case): their words."""
    dialog = app.window.server.compare_dialog
    cards = {}
    for frame in dialog.findChildren(QFrame):
        name = frame.objectName()
        if name.startswith("evidence_") and not name.startswith(("evidence_text_", "evidence_apply_")):
            labels = [label.text() for label in frame.findChildren(QLabel)]
            cards[name.removeprefix("evidence_")] = "\n".join(labels)
    return cards


def apply_evidence(app: App, code: str) -> None:
    w.click(app.window.server.compare_dialog, f"evidence_apply_{code}")
    settle(app)


def export_changes(app: App, folder: Path) -> str:
    dialog = app.window.server.compare_dialog
    dialog.ask_out_path = lambda: folder
    w.click(dialog, "compare_export")
    return w.text_of(dialog, "compare_status")


def start_measuring(app: App, clients: str, seconds: int) -> None:
    """Server > Measure with pgbench..., started in the background."""
    w.trigger(app.window, "action_server_measure")
    dialog = app.window.server.measure_dialog
    w.find(dialog, "measure_clients", QLineEdit).setText(clients)
    w.find(dialog, "measure_duration", QAbstractSpinBox).setValue(seconds)
    w.click(dialog, "measure_start")


def measuring(app: App) -> bool:
    dialog = app.window.server.measure_dialog
    return dialog is not None and dialog.running


def measure_progress(app: App) -> int:
    """Per mille of the sweep done, as the progress bar shows it."""
    from PySide6.QtWidgets import QProgressBar

    return w.find(app.window.server.measure_dialog, "measure_progress", QProgressBar).value()


def measure_progress_text(app: App) -> str:
    """What the progress bar reads ("done", "cancelled", "40 %  8 clients")."""
    from PySide6.QtWidgets import QProgressBar

    bar = w.find(app.window.server.measure_dialog, "measure_progress", QProgressBar)
    return bar.text()


def reopen_measuring(app: App) -> None:
    """Close the Measure dialog, then Server > Measure with pgbench... again."""
    app.window.server.measure_dialog.close()
    w.trigger(app.window, "action_server_measure")


def cancel_measuring(app: App) -> None:
    w.click(app.window.server.measure_dialog, "measure_cancel")


def status_fits(dialog: QWidget, status_name: str) -> bool:
    """A dialog's status line is shown whole: as tall as its wrapped text needs, inside the dialog."""
    label = w.find(dialog, status_name, QLabel)
    needed = label.heightForWidth(label.width())
    bottom = label.mapTo(dialog, label.rect().bottomLeft()).y()
    return label.height() >= needed and bottom <= dialog.height()


def wait_for_measurement(app: App) -> str:
    """Wait until the sweep ends (done, failed or cancelled); the dialog's last words."""
    w.wait_until(app.qtbot, lambda: not measuring(app), SERVER_TIMEOUT_MS)
    settle(app)
    return w.text_of(app.window.server.measure_dialog, "measure_status")


def close_measure_dialog(app: App) -> None:
    app.window.server.measure_dialog.close()


def import_measurements(app: App, path: Path) -> None:
    app.window.server.ask_import_path = lambda: path
    w.trigger(app.window, "action_server_import")
    settle(app)


def can_clear_measurements(app: App) -> bool:
    return app.window.server.actions["server_clear"].isEnabled()


def clear_measurements(app: App) -> None:
    w.trigger(app.window, "action_server_clear")
    settle(app)


def plotted_points(app: App) -> list[tuple[int, float]]:
    """The measured points on the throughput plot (clients, tps), live ones included."""
    xs, ys = current_curve(app, "throughput", "points")
    return [(round(x), float(y)) for x, y in zip(xs, ys, strict=True)]


def dots_cut_by_the_plot_edge(app: App, plot: str) -> list[tuple[float, float]]:
    """The measured dots (x, y in data units) whose drawn circle, outline included, reaches past the edge of
    the plot area, where the view box cuts it off."""
    panel = _panel(app, plot)
    vb = panel.vb
    area = vb.sceneBoundingRect()
    log_x = panel.plot.getAxis("bottom").logMode
    cut = []
    for item in panel.curves.values():
        if not item.isVisible() or item.opts.get("symbol") is None or item.xData is None:
            continue
        radius = item.opts["symbolSize"] / 2 + item.opts["symbolPen"].widthF() / 2
        for x, y in zip(item.xData, item.yData, strict=True):
            if not (math.isfinite(x) and math.isfinite(y)):
                continue
            at = vb.mapViewToScene(QPointF(math.log10(x) if log_x else x, y))
            inside = area.adjusted(radius, radius, -radius, -radius)
            if not inside.contains(at):
                cut.append((float(x), float(y)))
    return cut


def throughput_axis(app: App) -> str:
    """The unit of the throughput plot's vertical axis as written: "tps" or "% of peak"."""
    return axis_label(app, "throughput").rsplit("(", 1)[-1].rstrip(")")


def axis_label(app: App, plot: str, side: str = "left") -> str:
    """The words along an axis, as drawn (with any SI prefix pyqtgraph would add)."""
    return _plain(_panel(app, plot).plot.getAxis(side).labelString()).strip()


def axis_ticks(app: App, plot: str, side: str = "left") -> list[str]:
    """The values written along an axis of a plot, as drawn (the plot brought into view first): pyqtgraph
    leaves out a text it was given that would pass the axis' own rectangle."""
    from PySide6.QtGui import QImage, QPainter

    look_at_plot(app, plot)
    axis = _panel(app, plot).plot.getAxis(side)
    canvas = QImage(1, 1, QImage.Format.Format_ARGB32)
    painter = QPainter(canvas)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _, _, text in specs[2]] if specs else []


def throughput_key(app: App) -> str:
    """The key of the throughput plot, as plain text."""
    return "  ".join(plot_key(app, "throughput"))


def saved_measurements(app: App) -> list[tuple[int, float]]:
    return [(m.connections, m.tps) for m in app.window.document.scenario.measurements]


# --- compare and report -----------------------------------------------------------------------


def pin_baseline(app: App) -> None:
    w.trigger(app.window, "action_pin_baseline")
    settle(app)


def compare_with_scenario(app: App, path: Path) -> None:
    app.window.ask_open_path = lambda _title: path
    w.trigger(app.window, "action_compare_with")
    settle(app)


def clear_baseline(app: App) -> None:
    w.trigger(app.window, "action_clear_baseline")
    settle(app)


def card_baseline(app: App, title: str) -> str | None:
    """What a card says about the baseline ("baseline 1,000 · -900"), None when none is pinned."""
    label = w.find(app.window, f"card_{card_key(app, title)}_baseline")
    return label.text_in_full() if label.isVisibleTo(app.window) else None


def compare_tab(app: App) -> str:
    """The Compare tab as plain text, one table row per line."""
    tabs = w.find(app.window, "details")
    tabs.setCurrentWidget(w.find(app.window, "compare"))
    return w.find(app.window, "compare", QTextBrowser).toPlainText()


def compare_tables(app: App) -> dict[str, list[list[str]]]:
    """The Compare tab's tables by their heading ("Outputs", "Warnings" ...; the first, "Headline"): each row's
    cells as read (what it is, baseline, now, change), the heading row left out."""
    from PySide6.QtGui import QTextCursor

    compare_tab(app)
    document = w.find(app.window, "compare", QTextBrowser).document()
    tables: dict[str, list[list[str]]] = {}
    heading, block, read = "Headline", document.begin(), set()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if table is None:
            if tables and block.text().strip():
                heading = re.sub(r" \(\d+\)$", "", block.text().strip())
        elif table.firstPosition() not in read:
            read.add(table.firstPosition())
            rows = []
            for r in range(1, table.rows()):
                cells = []
                for c in range(table.columns()):
                    cell = table.cellAt(r, c)
                    cursor = cell.firstCursorPosition()
                    cursor.setPosition(cell.lastCursorPosition().position(), QTextCursor.MoveMode.KeepAnchor)
                    cells.append(cursor.selectedText())
                rows.append(cells)
            tables[heading] = rows
        block = block.next()
    return tables


def ghost_curve(app: App, plot: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The first grey baseline curve a plot draws (throughput: direct; memory: typical), None when hidden."""
    x, y = current_curve(app, plot, {"throughput": "baseline.direct", "memory": "baseline.typical"}[plot])
    return (x, y) if len(x) else None


def export_report(app: App, path: Path) -> Path | None:
    app.window.ask_report_path = lambda: path
    w.trigger(app.window, "action_export_report")
    return path if path.exists() else None


# --- how the plots look: colours, edges, overlaps -------------------------------------------

DARK_WINDOW, DARK_BASE, LIGHT_TEXT = "#353535", "#232323", "#E6E6E6"  # a dark Fusion desktop's palette
# GNOME's Adwaita dark (Qt's gtk3 platform theme) greys a window's words while another window is in front:
# its inactive WindowText, as Qt 6.11 read it under GTK_THEME=Adwaita:dark.
GREYED_IN_BACKGROUND = "#919190"


def use_dark_palette(app: App, greys_background_windows: bool = False) -> None:
    """Switch the desktop to a dark palette (Fusion, as a dark KDE or GNOME theme gives Qt); with
    ``greys_background_windows``, as GNOME's: a window's words grey while another window is in front."""
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication

    palette = QPalette()
    role = QPalette.ColorRole
    for roles, colour in (
        ((role.Window, role.Button, role.AlternateBase, role.ToolTipBase), DARK_WINDOW),
        ((role.Base,), DARK_BASE),
        ((role.WindowText, role.Text, role.ButtonText, role.ToolTipText), LIGHT_TEXT),
    ):
        for r in roles:
            palette.setColor(r, QColor(colour))
    if greys_background_windows:
        for r in (role.WindowText, role.Text, role.ButtonText):
            palette.setColor(QPalette.ColorGroup.Inactive, r, QColor(GREYED_IN_BACKGROUND))
    QApplication.setStyle("Fusion")
    QApplication.setPalette(palette)
    app.qtbot.wait(20)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #RRGGBB."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def plot_background(app: App, plot: str) -> str:
    """The colour most of a plot's pixels have, as the screen shows it (#RRGGBB)."""
    look_at_plot(app, plot)
    widget = _panel(app, plot).widget
    return _most_common_colour(w.grab(widget), widget.rect(), step=7)


def _most_common_colour(image, rect, step: int = 1) -> str:
    """The colour most pixels of ``image`` within ``rect`` (widget pixels) have, as #RRGGBB."""
    scale = image.devicePixelRatio()
    counts: dict[int, int] = {}
    for y in range(int(rect.top() * scale), int(rect.bottom() * scale), step):
        for x in range(int(rect.left() * scale), int(rect.right() * scale), step):
            if 0 <= x < image.width() and 0 <= y < image.height():
                rgb = image.pixel(x, y) & 0xFFFFFF
                counts[rgb] = counts.get(rgb, 0) + 1
    return f"#{max(counts, key=counts.__getitem__):06X}"


def plot_words_and_colours(app: App, plot: str) -> list[tuple[str, str, str]]:
    """(words, their colour, the colour under them) for everything a plot writes: its heading, the labels
    on it, the axes' words and tick texts, and the readout line under it."""
    panel = _panel(app, plot)
    paper = panel.widget.backgroundBrush().color().name().upper()
    title = panel.plot.titleLabel
    found = []
    for line in title.text.split("<br>"):
        for piece in line.split(HEADING_SEPARATOR):
            coloured = re.findall(r"<span style='[^']*color:(#[0-9A-Fa-f]{6})'>([^<]*)</span>", piece)
            rest = re.sub(r"<span style='[^']*color:#[0-9A-Fa-f]{6}'>[^<]*</span>", "", piece)
            for colour, words in coloured:
                if words.strip() and words not in GLYPHS.values():
                    found.append((html.unescape(words), colour.upper(), paper))
            plain = _plain(rest).strip(" \u00a0")
            if plain:
                found.append((plain, _colour_name(title.opts["color"]), paper))
    image = w.grab(panel.widget)
    for item in (i for i in panel.labels if i.isVisible()):
        under = _most_common_colour(image, panel.widget.mapFromScene(item.sceneBoundingRect()).boundingRect())
        found.append((item.text(), item.brush().color().name().upper(), under))
    for side in ("left", "bottom"):
        axis = panel.plot.getAxis(side)
        ticks = [t for level in axis._tickLevels or [] for _, t in level]
        found += [(t, axis.textPen().color().name().upper(), paper) for t in ticks]
        if axis.labelText:
            styled = re.search(r"color:\s*(#[0-9A-Fa-f]{6})", axis.labelString())
            colour = styled.group(1).upper() if styled else axis.label.defaultTextColor().name().upper()
            found.append((axis.labelText, colour, paper))
    window = panel.palette().color(panel.backgroundRole()).name().upper()
    found.append(
        (
            panel.readout.text_in_full(),
            panel.readout.palette().color(panel.readout.foregroundRole()).name().upper(),
            window,
        )
    )
    return found


def _colour_name(colour: object) -> str:
    """#RRGGBB of a colour as pyqtgraph keeps it (a name, a tuple, a QColor)."""
    import pyqtgraph as pg

    return pg.mkColor(colour).name().upper()


def unreadable_words(app: App, plot: str, least: float = 4.5) -> list[str]:
    """The words a plot writes with less than ``least`` contrast against what is under them."""
    return [
        f"{words!r}: {colour} on {under} ({contrast(colour, under):.1f}:1)"
        for words, colour, under in plot_words_and_colours(app, plot)
        if contrast(colour, under) < least
    ]


def _segment_crosses(x0: float, y0: float, x1: float, y1: float, rect) -> bool:
    """Whether the straight stroke from (x0, y0) to (x1, y1) passes through ``rect`` (a QRectF)."""
    left, right = max(min(x0, x1), rect.left()), min(max(x0, x1), rect.right())
    if left > right:
        return False
    if x0 == x1:
        low, high = min(y0, y1), max(y0, y1)
    else:
        at = [y0 + (x - x0) * (y1 - y0) / (x1 - x0) for x in (left, right)]
        low, high = min(at), max(at)
    return low <= rect.bottom() and high >= rect.top()


def _drawn_strokes(panel) -> list[tuple[str, list[tuple[float, float]]]]:
    """Every visible curve and mark line of a plot, as points in scene pixels."""
    strokes = []
    for name, item in panel.curves.items():
        if not item.isVisible() or item.opts.get("pen") is None:
            continue
        xs, ys = item.getData()
        if xs is None:
            continue
        points = [panel.vb.mapViewToScene(QPointF(float(x), float(y))) for x, y in zip(xs, ys, strict=True)]
        strokes.append((name, [(p.x(), p.y()) for p in points]))
    for name, line in panel.rules.items():
        if line.isVisible():
            ends = [line.mapToScene(point) for point in (line.line().p1(), line.line().p2())]
            strokes.append((name, [(p.x(), p.y()) for p in ends]))
    return strokes


def plot_problems(app: App, plot: str) -> list[str]:
    """What a user would see wrong with a plot's words: a label over another, over a curve or a line, or
    past the plot's edge; a heading line or a tick text cut at the window's edge."""
    look_at_plot(app, plot)
    app.qtbot.wait(20)  # the plot places its words again once its new size is known
    panel = _panel(app, plot)
    problems = []
    area = panel.vb.sceneBoundingRect()
    labels = [(i.text(), i.sceneBoundingRect()) for i in panel.labels if i.isVisible()]
    for index, (text, rect) in enumerate(labels):
        if not area.adjusted(-0.5, -0.5, 0.5, 0.5).contains(rect):
            problems.append(f"{text!r} leaves the plot")
        problems += [f"{text!r} overlaps {other!r}" for other, box in labels[index + 1 :] if rect.intersects(box)]
        for name, points in _drawn_strokes(panel):
            if any(
                _segment_crosses(a[0], a[1], b[0], b[1], rect)
                for a, b in itertools.pairwise(points)
                if not any(map(math.isnan, (*a, *b)))
            ):
                problems.append(f"{text!r} covers {name}")
    view = panel.widget.mapToScene(panel.widget.viewport().rect()).boundingRect()
    if area.right() > view.right() + 0.5:
        problems.append("the data area runs past the plot's right edge")
    heading = panel.plot.titleLabel.item.sceneBoundingRect()
    if heading.right() > view.right() + 0.5 or heading.left() < view.left() - 0.5:
        problems.append("the heading is cut at the plot's edge")
    title = panel.plot.getAxis("left").label
    if title.isVisible() and title.toPlainText().strip():
        margin = title.document().documentMargin()  # empty space around the words
        if title.sceneBoundingRect().top() + margin < heading.bottom() - 0.5:
            problems.append(f"the axis title {title.toPlainText()!r} runs over the heading")
    bottom = panel.plot.getAxis("bottom")
    metrics = QFontMetricsF(bottom.style.get("tickFont") or bottom.font())
    for level in bottom._tickLevels or []:
        for value, text in level:
            x = panel.vb.mapViewToScene(QPointF(value, 0)).x()
            half = metrics.horizontalAdvance(text) / 2
            if x + half > view.right() or x - half < view.left():
                problems.append(f"tick {text!r} is cut at the plot's edge")
    return problems


def plot_split(app: App) -> tuple[int, int]:
    """The widths of the throughput and memory plots side by side."""
    return app.window.throughput_plot.width(), app.window.memory_plot.width()


# --- a sweep from the Server menu, without a server -----------------------------------------


def sweep_points_arrive(app: App, points: list[tuple[int, float]]) -> None:
    """Points land on the throughput plot as a running pgbench sweep reports them (Server > Measure)."""
    from pgplanner.probe.sweep import Point

    dialog = app.window.server.open_measure()
    dialog._set_running(True)  # as Start does once the sweep's thread runs
    for clients, tps in points:
        dialog._on_event(Point(clients=clients, tps=tps, latency_ms=None))  # what the sweep's thread emits
    settle(app)


def sweep_points_arrive_from(app: App, server: str, points: list[tuple[int, float]]) -> None:
    """As :func:`sweep_points_arrive`, from a sweep that has connected to ``server`` (PostgreSQL 15.18 at
    db:5432/postgres): what it measured is then the sweep's result so far, kept if the sweep stops."""
    from types import SimpleNamespace

    sweep_points_arrive(app, points)
    measured_on = f"{server}, pgbench select-only"
    app.window.server.measure_dialog._sweep = SimpleNamespace(  # the Sweep's result as the thread left it
        result=SimpleNamespace(server=server, measured_on=measured_on)
    )


def sweep_fails(app: App, reason: str = "Cancelled: nothing was saved") -> None:
    """The running sweep ends without a result (cancelled, or the server went away)."""
    app.window.server.measure_dialog._failed(reason)
    settle(app)


def connection_fails(app: App, reason: str) -> str:
    """Server > Connect..., and the attempt fails with ``reason`` (as the connecting thread reports libpq's
    words); what the dialog's status then reads."""
    w.trigger(app.window, "action_server_connect")
    dialog = app.window.server.connect_dialog
    dialog._failed(reason)
    return w.text_of(dialog, "connect_status")


def connect_status_fits(app: App) -> bool:
    return status_fits(app.window.server.connect_dialog, "connect_status")


def measure_status(app: App) -> str:
    return w.text_of(app.window.server.measure_dialog, "measure_status")


def measure_status_fits(app: App) -> bool:
    return status_fits(app.window.server.measure_dialog, "measure_status")


def throughput_axis_words(app: App) -> str:
    """The words along the throughput plot's vertical axis, as drawn (any SI prefix included)."""
    return axis_label(app, "throughput")


# --- HiDPI ---------------------------------------------------------------------------------

TARGET_GREEN = "#009E73"  # the productive target's mark, drawn on the throughput plot


def line_weights_at_scale(tmp_path: Path, scale: int) -> dict[str, float]:
    """Start pgplanner at a device scale (``QT_SCALE_FACTOR``), take ``pgplanner screenshot`` and measure, in
    logical pixels, how thick the throughput plot's target mark and its grid lines are drawn."""
    out = tmp_path / f"scale{scale}.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": str(scale), "HOME": str(tmp_path)}
    env.pop("PGPLANNER_SETTINGS", None)
    subprocess.run([sys.executable, "-m", "pgplanner", "screenshot", "--out", str(out)], env=env, check=True)
    from PySide6.QtGui import QImage

    image = QImage(str(out)).convertToFormat(QImage.Format.Format_RGB888)
    row = image.bytesPerLine()
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8, count=row * image.height())
    rgb = pixels.reshape(image.height(), row)[:, : image.width() * 3].reshape(image.height(), image.width(), 3)
    rgb = rgb.astype(float)
    green = np.array([int(TARGET_GREEN[i : i + 2], 16) for i in (1, 3, 5)], float)
    # How much of each pixel is the green over the white paper: its projection on the white-to-green line.
    towards = green - 255.0
    share = np.clip(((rgb - 255.0) @ towards) / (towards @ towards), 0, 1)
    off_line = np.linalg.norm((rgb - 255.0) - share[..., None] * towards, axis=2) > 25
    share[off_line] = 0
    column = int(np.argmax((share > 0.3).sum(axis=0)))  # the mark: the longest green line on the screen
    across = share[:, column - 3 * scale : column + 3 * scale + 1]
    rows = np.flatnonzero(across.max(axis=1) > 0.6)  # the dashes, not the gaps between them
    mark = float(np.median([_thickness(across[r]) for r in rows]))
    # Grid lines: thin runs of light grey rows across the white plot, left of the target mark (the axis
    # line is ink, not light grey; the window around the plot is not white).
    band = rgb[:, column - 60 * scale : column - 10 * scale]
    darkness = 255.0 - band[..., 0]
    grey = (np.ptp(band, axis=2) < 3) & (darkness > 3)
    lines = np.flatnonzero(grey.mean(axis=1) > 0.95)
    groups = [g for g in np.split(lines, np.flatnonzero(np.diff(lines) > 1) + 1) if len(g)]
    white = darkness.mean(axis=1) < 1
    grid = [
        _thickness(darkness[g].mean(axis=1))
        for g in groups
        if g[0] > 0 and g[-1] + 1 < len(white) and white[g[0] - 1] and white[g[-1] + 1]
        and len(g) <= 3 * scale and 20 < darkness[g].mean(axis=1).max() < 120
    ]  # fmt: skip
    return {"mark": mark / scale, "grid": float(np.median(grid)) / scale}


def _thickness(profile: np.ndarray) -> float:
    """The width of a line from its cross-section: how much ink over the ink of its fullest pixel."""
    return float(profile.sum() / profile.max())


# --- the keyboard -------------------------------------------------------------------------------


def _region(app: App, widget: QWidget | None) -> str:
    """Where a focused widget is, as a user names it: an input group's title, "cards", a plot, "handle",
    "details" (the tabs under the plots), or "" outside all of them."""
    from PySide6.QtWidgets import QGroupBox, QSplitterHandle

    from pgplanner.ui.cards import Card
    from pgplanner.ui.plots import PlotPanel

    while widget is not None and widget is not app.window:
        if isinstance(widget, QGroupBox):
            return widget.title().replace("&", "")
        if isinstance(widget, Card):
            return "cards"
        if isinstance(widget, PlotPanel):
            return widget.objectName().removeprefix("plot_")
        if isinstance(widget, QSplitterHandle):
            return "handle"
        if widget is app.window.details:
            return "details"
        widget = widget.parentWidget()
    return ""


def places_tab_reaches(app: App, presses: int = 400) -> list[str]:
    """Click into the first input (CPU cores) and press Tab again and again, round the window: the places
    the focus passes through, in order (an input group by its title, "cards", a plot ...), each once where
    it is entered."""
    w.focus(app.qtbot, w.find(app.window, "slider_cores"))
    places = [_region(app, w.focused())]
    for _ in range(presses):
        place = _region(app, w.press_tab(app.qtbot))
        if place == places[0] and len(places) > 1:  # round the window and back at the start
            return places
        if place != places[-1]:
            places.append(place)
    return places


def tab_to_cards(app: App) -> str:
    """From the last input of the Pooler group, press Tab: the title of the card that takes the focus."""
    from pgplanner.ui.cards import Card

    w.focus(app.qtbot, w.find(app.window, "advanced_pooler"))
    card = w.press_tab(app.qtbot)
    assert isinstance(card, Card), f"Tab went to {card!r}, not a card"
    return card.spec.title


def press_on_focused(app: App, keys: str, times: int = 1) -> None:
    """Press ``keys`` where the keyboard focus is."""
    widget = w.focused()
    assert widget is not None, "nothing has the focus"
    w.key_on(app.qtbot, widget, keys, times)
    settle(app)


def focused_card(app: App) -> str | None:
    """The title of the card with the keyboard focus (None: no card has it)."""
    from pgplanner.ui.cards import Card

    widget = w.focused()
    return widget.spec.title if isinstance(widget, Card) else None


def details_tab(app: App) -> str:
    """The title of the details tab in front."""
    tabs = app.window.details
    return tabs.tabText(tabs.currentIndex())


def clipboard() -> str:
    return QGuiApplication.clipboard().text()


def input_labels(app: App) -> dict[str, str]:
    """Every input's label as written, with its ``&`` (the mnemonic), by flat name."""
    return {flat: w.find(field(app, flat).parentWidget(), f"label_{flat}", QLabel).text() for flat in FIELDS}


def input_with_focus(app: App) -> str | None:
    """The flat name of the input whose box (or slider, combo ...) has the focus."""
    widget = w.focused()
    while widget is not None and not widget.objectName().startswith("field_"):
        widget = widget.parentWidget()
    return widget.objectName().removeprefix("field_") if widget is not None else None


def input_in_view(app: App, flat: str) -> bool:
    """Whether an input's row (its box, slider or combo) is whole in the visible part of the inputs panel."""
    viewport = w.find(app.window, "inputs", QScrollArea).viewport()
    editor = field(app, flat)
    top_left = editor.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, editor.size()))


def inputs_out_of_view_tabbing_to(app: App, flat: str, presses: int = 200) -> list[str]:
    """Press Tab from where the focus is until the input ``flat`` has it: the inputs that had the focus while
    not in view."""
    hidden: list[str] = []
    for _ in range(presses):
        w.press_tab(app.qtbot)
        reached = input_with_focus(app)
        if reached is not None and not input_in_view(app, reached):
            hidden.append(reached)
        if reached == flat:
            return hidden
    raise AssertionError(f"Tab did not reach {flat} in {presses} presses")


def press_alt(app: App, letter: str) -> None:
    """Press Alt and ``letter`` with the focus where it is (a label's mnemonic moves it to its input)."""
    widget = w.focused() or app.window
    w.key_on(app.qtbot, widget, f"Alt+{letter}")


def type_where_the_focus_is(app: App, text: str) -> None:
    """Type ``text`` into whatever has the focus (no click first: the keyboard put it there)."""
    widget = w.focused()
    assert widget is not None, "nothing has the focus"
    app.qtbot.keyClicks(widget, text)


def menu_bar_letters(app: App) -> set[str]:
    """The Alt+letters of the menu bar (File, Edit ...)."""
    return {
        action.text()[action.text().index("&") + 1].lower()
        for action in app.window.menuBar().actions()
        if "&" in action.text()
    }


def focus_ring_pixels(app: App, name: str) -> tuple[int, int]:
    """Pixels of the palette's highlight colour on a widget (a plot by its name, or an input's slider by its
    flat name), without and with the keyboard focus on it."""
    from PySide6.QtGui import QPalette

    widget = _panel(app, name).widget if name in PLOTS else w.find(field(app, name), f"slider_{name}", QSlider)
    look_at_plot(app, name) if name in PLOTS else None
    highlight = widget.palette().color(QPalette.ColorRole.Highlight).name()
    app.window.setFocus()
    app.qtbot.wait(20)
    without = w.pixels_near(w.grab(widget), highlight)
    w.focus(app.qtbot, widget)
    app.qtbot.wait(20)
    return without, w.pixels_near(w.grab(widget), highlight)


def widget_perimeter(app: App, name: str) -> int:
    widget = _panel(app, name).widget if name in PLOTS else w.find(field(app, name), f"slider_{name}", QSlider)
    return 2 * (widget.width() + widget.height())


def unsaved_changes_buttons(app: App) -> list[str]:
    """The buttons of the "save the changes first?" box, as written (with their ``&``)."""
    box, answers = app.window.unsaved_question()
    texts = [button.text() for button in answers]
    box.deleteLater()
    return texts


def unsaved_changes_box_room_for_its_title(app: App) -> float:
    """Open the "save the changes first?" box: its width less what its title takes in a bold face, as a window
    manager writes it ("Unsaved changes — pgplanner"): what is left for the title bar's icon and buttons."""
    box, _ = app.window.unsaved_question()
    box.open()
    app.qtbot.waitExposed(box)
    font = box.font()
    font.setBold(True)
    title = box.windowTitle()
    shown_as = (
        f"{title} \u2014 {QGuiApplication.applicationDisplayName()}"
        if QGuiApplication.applicationDisplayName()
        else title
    )
    room = box.width() - QFontMetricsF(font).horizontalAdvance(shown_as)
    box.done(0)
    box.deleteLater()
    return room


def answer_unsaved_changes_with_keys(app: App, keys: str) -> str:
    """Open the "save the changes first?" box and press ``keys`` (``Alt+D``): what it answered."""
    box, answers = app.window.unsaved_question()
    box.open()
    app.qtbot.waitExposed(box)
    box.activateWindow()  # as the window manager makes a new dialog the active window
    app.qtbot.waitUntil(box.isActiveWindow)
    w.key_on(app.qtbot, box, keys)
    app.qtbot.waitUntil(lambda: not box.isVisible())  # a button's Alt+letter clicks it after a short flash
    clicked = box.clickedButton()
    return answers.get(clicked, "cancel")  # type: ignore[call-overload]


def handle_above_details_by_keys(app: App, keys: str, times: int) -> None:
    """Tab onto the handle between the plots and the details and press ``keys`` (Up, Page Down ...)."""
    handle = app.window.plots_and_details.handle(1)
    handle.setFocus(Qt.FocusReason.TabFocusReason)
    app.qtbot.waitUntil(handle.hasFocus)
    w.key_on(app.qtbot, handle, keys, times)
    app.qtbot.wait(20)


def details_lines_shown(app: App) -> int:
    """How many lines of text the details pane (Warnings, Settings, Kernel ... under the plots) shows at once."""
    warnings_list = w.find(app.window, "warnings", QListWidget)
    app.window.details.setCurrentWidget(warnings_list)
    return warnings_list.viewport().height() // warnings_list.fontMetrics().lineSpacing()


def plots_height(app: App) -> int:
    """The height of the plots above the details (curves, budget bar and the handle between them)."""
    return app.window.plots.height()


def undo_entry(app: App) -> str:
    """Edit > Undo as the menu writes it, without its ``&``."""
    return app.window.menu_actions["undo"].text().replace("&", "")


# --- a dark desktop: what the window writes, and on what -----------------------------------------


def card_words_and_colours(app: App) -> list[tuple[str, str, str]]:
    """(words, their colour, the card's colour under them) for every card's title, value and caption."""
    found = []
    for spec in CARDS:
        card = w.find(app.window, f"card_{spec.key}")
        if card.isHidden():
            continue
        under = _most_common_colour(w.grab(card), card.rect().adjusted(6, 6, -6, -6), step=3)
        for part in ("title", "value", "caption"):
            label = w.find(card, f"card_{spec.key}_{part}", QLabel)
            found.append((label.text(), label.palette().color(label.foregroundRole()).name().upper(), under))
    return found


def card_background(app: App, title: str) -> str:
    card = w.find(app.window, f"card_{card_key(app, title)}")
    return _most_common_colour(w.grab(card), card.rect().adjusted(6, 6, -6, -6), step=3)


def warning_words_and_colours(app: App) -> list[tuple[str, str, str]]:
    """(warning, its text colour, the colour under it as drawn) for every line of the Warnings tab."""
    listing = w.find(app.window, "warnings", QListWidget)
    app.window.details.setCurrentWidget(listing)
    app.qtbot.waitUntil(listing.isVisible)
    found = []
    for index in range(listing.count()):
        item = listing.item(index)
        listing.scrollToItem(item)  # as the user scrolls to read it
        image, rect = w.grab(listing.viewport()), listing.visualItemRect(item)
        colour = item.foreground().color() if item.foreground().style() != Qt.BrushStyle.NoBrush else None
        text = (colour or listing.palette().color(listing.foregroundRole())).name().upper()
        found.append((item.text(), text, _most_common_colour(image, rect)))
    return found


def warnings_tab_title_colours(app: App) -> tuple[str, str]:
    """The Warnings tab's title: its text colour and the tab bar's colour under it."""
    bar = app.window.details.tabBar()
    tab = app.window.details.indexOf(app.window.warnings)
    colour = bar.tabTextColor(tab)
    text = colour if colour.isValid() else bar.palette().color(bar.foregroundRole())
    return text.name().upper(), _most_common_colour(w.grab(bar), bar.tabRect(tab), step=2)


def settings_hint_colours(app: App) -> tuple[str, str, str]:
    """The Settings tab's hint ("Click a setting ..."): its words, their colour, the pane's colour."""
    from PySide6.QtGui import QPalette

    w.choose_tab(app.window.details, "Settings")
    pane = w.find(app.window, "settings_why", QTextBrowser)
    palette = pane.palette()
    return (
        pane.placeholderText(),
        palette.color(QPalette.ColorRole.PlaceholderText).name().upper(),
        palette.color(QPalette.ColorRole.Base).name().upper(),
    )


def headline_colours(app: App) -> list[tuple[str, str, str]]:
    """(words, colour, window colour) of the headline's coloured words (the blocking count)."""
    label = w.find(app.window, "headline", QLabel)
    window = label.palette().color(label.backgroundRole()).name().upper()
    plain = label.palette().color(label.foregroundRole()).name().upper()
    coloured = re.findall(r"color:(#[0-9A-Fa-f]{6})'>([^<]*)<", label.text())
    return [(_plain(label.text()), plain, window)] + [(words, colour.upper(), window) for colour, words in coloured]


# --- small windows, screens and folders ----------------------------------------------------------


def details_tab_titles(app: App) -> list[str]:
    tabs = app.window.details
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


def card_baseline_as_shown(app: App, title: str) -> str:
    """What a card's baseline line shows now, cut to the card's width as drawn."""
    return w.find(app.window, f"card_{card_key(app, title)}_baseline", QLabel).text()


def folder_dialogs_start_in(app: App) -> Path:
    """The folder File > Open and Compare > Compare with Scenario show first."""
    return app.window.start_folder()


def compare_with_example(app: App, name: str) -> None:
    """Compare > Compare with Example > ``name`` (the file stem, e.g. "direct-1000")."""
    w.trigger(app.window, f"action_compare_example_{name}")
    settle(app)


def compare_examples_offered(app: App) -> list[str]:
    """The entries of Compare > Compare with Example."""

    return [text.replace("&", "") for text in example_entries(app, "Compare with Example")]


def example_entries(app: App, menu: str) -> list[str]:
    """The entries of File > Open Example or Compare > Compare with Example, as written (with the ``&`` of
    their Alt+letters)."""
    from PySide6.QtGui import QAction

    prefix = {"Open Example": "action_example_", "Compare with Example": "action_compare_example_"}[menu]
    return [action.text() for action in app.window.findChildren(QAction) if action.objectName().startswith(prefix)]


SHOW_WINDOW = """
import json, sys
from PySide6.QtCore import QSettings
from pgplanner.ui.application import application
from pgplanner.ui.main_window import MainWindow
app = application()
window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
app.processEvents()
screen = window.screen().availableGeometry()
bar = window.statusBar().geometry()
print(json.dumps({"window": [window.width(), window.height()], "screen": [screen.width(), screen.height()],
                  "status_bar_bottom": bar.bottom() + 1}))
"""


def default_window_on_screen(tmp_path: Path, screen: tuple[int, int], scale: int) -> dict[str, list[int] | int]:
    """Start pgplanner on a fresh home with one ``screen`` (device pixels) at ``QT_SCALE_FACTOR`` ``scale``:
    the window's size, the screen's available size (both in logical pixels) and where the status bar ends."""
    import json

    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": screen[0], "height": screen[1], "dpr": 1}]})
    )
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": str(scale)}
    env["HOME"] = str(tmp_path)
    env.pop("PGPLANNER_SETTINGS", None)
    result = subprocess.run(
        [sys.executable, "-c", SHOW_WINDOW, str(tmp_path / "settings.ini")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def readout_whole_on_screen(app: App, plot: str) -> bool:
    """Whether the line under a plot is shown whole (not cut off by the splitter the plot sits in)."""
    look_at_plot(app, plot)
    readout = _panel(app, plot).readout
    return readout.visibleRegion().boundingRect().height() >= readout.height() > 0


def plots_side_by_side(app: App) -> bool:
    """Whether the plots sit side by side above the details (not as tabs of a small window)."""
    return app.window.plots.isVisible() and app.window.throughput_plot.parentWidget() is app.window.curves


def place_with_focus(app: App) -> str:
    """Where the keyboard focus is, as :func:`places_tab_reaches` names places."""
    return _region(app, w.focused())


# --- file dialogs -----------------------------------------------------------------------------

FILE_DIALOGS = (
    "Open",
    "Save As",
    "Compare with Scenario",
    "Export Report",
    "Export Bundle's Browse",
    "Import Measurements",
    "Save plot as PNG",
)


def file_dialog_starts_in(app: App, dialog: str) -> Path:
    """Open one of :data:`FILE_DIALOGS` as the user does and cancel it: the folder it showed first."""
    return _file_dialog_shown(app, dialog)[1]


def file_dialog_title(app: App, dialog: str) -> str:
    """Open one of :data:`FILE_DIALOGS` as the user does and cancel it: the words in its title bar."""
    return _file_dialog_shown(app, dialog)[0]


def _file_dialog_shown(app: App, dialog: str) -> tuple[str, Path]:
    """Open one of :data:`FILE_DIALOGS` as the user does (its menu entry, the Browse button, a plot's menu)
    and cancel it: its title and the folder it showed first."""
    window = app.window
    # The window's own dialogs, not what an earlier step answered them with.
    window.ask_open_path, window.ask_save_path = window._ask_open_path, window._ask_save_path
    window.ask_report_path, window.server.ask_import_path = window._ask_report_path, window.server._ask_import_path

    def browse() -> None:
        open_export(app)
        export = _export_dialog(app)
        export.ask_destination = export._ask_destination
        w.click(export, "export_browse")
        export.close()  # left open, it stays over the next case's window and takes its mouse

    def save_plot() -> None:
        menu = window.throughput_plot.menu()
        next(action for action in menu.actions() if action.objectName() == "plot_save_png").trigger()

    actions = {
        "Open": lambda: w.trigger(window, "action_open"),
        "Save As": lambda: w.trigger(window, "action_save_as"),
        "Compare with Scenario": lambda: w.trigger(window, "action_compare_with"),
        "Export Report": lambda: w.trigger(window, "action_export_report"),
        "Export Bundle's Browse": browse,
        "Import Measurements": lambda: w.trigger(window, "action_server_import"),
        "Save plot as PNG": save_plot,
    }
    shown = w.file_dialogs_during(actions[dialog])
    assert len(shown) == 1, f"{dialog} opened {len(shown)} file dialogs"
    return shown[0]


# --- the Server menu's dialogs from the keyboard ------------------------------------------------

SERVER_DIALOGS = ("Connect", "Probe", "Measure", "Compare")


def _server_dialog(app: App, name: str) -> QWidget:
    """Open a Server dialog by its menu's word; Probe, Measure and Compare as the menu opens them once
    connected (no server is needed to read them)."""
    server = app.window.server
    if name == "Connect":
        w.trigger(app.window, "action_server_connect")
        return server.connect_dialog
    return {"Probe": server.open_probe, "Measure": server.open_measure, "Compare": server.open_compare}[name]()


def dialog_labels_and_buttons(app: App, name: str) -> list[str]:
    """Every input's label and every button of a Server dialog, as written (with the ``&`` of its Alt+letter)."""
    dialog = _server_dialog(app, name)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    buttons = [button.text() for button in dialog.findChildren(QPushButton) if button.isVisibleTo(dialog)]
    dialog.close()
    return labels + buttons


def alt_letter_in_dialog(app: App, name: str, letter: str) -> str:
    """Open a Server dialog and press Alt and ``letter``: the label (as read) of the input that has the focus then."""
    dialog = _server_dialog(app, name)
    app.qtbot.waitExposed(dialog)
    dialog.activateWindow()  # as the window manager makes a new dialog the active window
    app.qtbot.waitUntil(dialog.isActiveWindow)
    w.key_on(app.qtbot, w.focused() or dialog, f"Alt+{letter}")
    focus = w.focused()
    reached = [
        label.text().replace("&", "")
        for label in dialog.findChildren(QLabel)
        if (buddy := label.buddy()) is not None and focus is not None and (buddy is focus or buddy.isAncestorOf(focus))
    ]
    dialog.close()
    return reached[0] if reached else ""


def probe_reads(app: App, settings: dict[str, str], major: int) -> str:
    """Server > Probe..., and the probe comes back (see :func:`probe_comes_back`); the report the dialog
    shows, read before it is closed."""
    probe_comes_back(app, settings, major)
    text = probe_report(app)
    close_probe(app)  # read: the dialog would otherwise stay over the next case's window
    return text


def probe_comes_back(app: App, settings: dict[str, str], major: int) -> None:
    """Server > Probe..., and the probe (its worker's result) comes back from a remote server of release
    ``major`` with these ``settings``; the dialog stays open."""
    from pgplanner.probe.report import found_changes
    from pgplanner.probe.server import ConnectionUse, ServerReport

    dialog = app.window.server.open_probe()
    use = ConnectionUse({}, {}, {}, {}, total=0, active=0, idle_in_transaction=0,
                        max_connections=int(settings["max_connections"]), reserved=3)  # fmt: skip
    report = ServerReport({"name": f"PostgreSQL {major} at db", "major": major}, settings, use, {})
    dialog._show((report, found_changes(report)))
    settle(app)


def probe_report(app: App) -> str:
    """The report the open Probe dialog shows."""
    return w.find(app.window.server.probe_dialog, "probe_report", QPlainTextEdit).toPlainText()


def close_probe(app: App) -> None:
    app.window.server.probe_dialog.close()


def budget_limit_on_top(app: App, row: str = "max_connections") -> bool:
    """Whether the limit's stroke is what the eye meets where it crosses its bar (not hidden under the bar)."""
    look_at_plot(app, "budget")
    panel = app.window.budget_plot
    stroke = panel.rules[row]
    middle = stroke.mapToScene(stroke.line().center())
    seen = [item for item in panel.vb.scene().items(middle) if item in (stroke, panel.bars)]
    return stroke.isVisible() and bool(seen) and seen[0] is stroke


def report_columns(report: Path, heading: str) -> list[str]:
    """The column headers of the table under the report's heading that starts with ``heading``."""
    found = re.search(rf"<h3>{re.escape(heading)}[^<]*</h3>\s*(<table.*?</table>)", report.read_text(), re.S)
    assert found is not None, f"no table under {heading!r}"
    return re.findall(r"<th[^>]*>([^<]*)</th>", found.group(1).split("</thead>")[0])


def report_wraps_name_at_underscores(report: Path, name: str) -> bool:
    """Whether the report writes ``name`` (a long setting name) with a break opportunity after each underscore."""
    return name.replace("_", "_<wbr>") in report.read_text()

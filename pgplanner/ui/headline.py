"""The sentence above the cards: one line, in the longest of its wordings that fits the window."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

HEIGHT = 26  # a line of 17-pixel bold; fixed: a new text never relayouts the window
WIDTHS = 64  # wordings whose widths are remembered (a slider tick brings new figures)


class Headline(QLabel):
    """A one-line rich-text label that picks, of the wordings it is given (longest first), the longest
    that fits its width, again on every resize: a small window gets fewer words instead of a cut line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("headline")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setFixedHeight(HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._wordings: tuple[str, ...] = ("",)
        self._width = _widths(QFont(self.font()))

    def set_wordings(self, wordings: Sequence[str]) -> None:
        self._wordings = tuple(wordings) or ("",)
        self._fit()

    def text_in_full(self) -> str:
        return self._wordings[0]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._width = _widths(QFont(self.font()))
            self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width()
        text = next((t for t in self._wordings if self._width(t) <= room), self._wordings[-1])
        if text != self.text():
            self.setText(text)


def _widths(font: QFont):
    """The width of a rich text on one line in ``font``, each text measured once."""

    @functools.lru_cache(maxsize=WIDTHS)
    def width(html: str) -> float:
        document = QTextDocument()
        document.setDefaultFont(font)
        document.setDocumentMargin(0)
        document.setHtml(html)
        return document.idealWidth()

    return width

"""The sentence above the cards: one line, in the longest of its wordings that fits the window."""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QTextDocument

from .elided import WordingsLabel

HEIGHT = 26  # a line of 17-pixel bold; fixed: a new text never relayouts the window
WIDTHS = 64  # wordings whose widths are remembered (a slider tick brings new figures)


class Headline(WordingsLabel):
    """The headline's rich text in the longest of its wordings that fits; the last when none does."""

    def __init__(self) -> None:
        super().__init__("headline")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setFixedHeight(HEIGHT)
        self._width = _widths(QFont(self.font()))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._width = _widths(QFont(self.font()))
            self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width()
        text = self._longest_fitting(self._width, room) or self._wordings[-1]
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

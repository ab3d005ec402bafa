"""A one-line label that cuts a long text with an ellipsis instead of widening its parents."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class WordingsLabel(QLabel):
    """A one-line label given its text in wordings, longest first (:meth:`set_wordings`): it shows the longest
    that fits its width, again on every resize, so a small window gets fewer words rather than a cut line.
    What it shows when none fits is the subclass's :meth:`_fit`. Its width is the layout's, never its text's:
    a new text never relayouts the window."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._wordings: tuple[str, ...] = ("",)

    def set_wordings(self, wordings: Sequence[str]) -> None:
        self._wordings = tuple(wordings) or ("",)
        self._fit()

    def text_in_full(self) -> str:
        return self._wordings[0]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        raise NotImplementedError

    def _longest_fitting(self, width: Callable[[str], float], room: float) -> str | None:
        """The longest wording no wider than ``room`` as ``width`` measures it; None when none is."""
        return next((text for text in self._wordings if width(text) <= room), None)


class ElidedLabel(WordingsLabel):
    """Shows as much of its text as its width allows; the whole text is in the tooltip and
    :meth:`text_in_full`. Plot readouts and the cards' baseline line use it. Given shorter wordings, it shows
    the longest that fits whole before it cuts anything. With ``keep_after``, what follows its last
    occurrence is never cut: the head is ("baseline 1,000 · -900" keeps "· -900", the change, in a card
    narrower than any wording)."""

    def __init__(self, name: str, keep_after: str | None = None) -> None:
        super().__init__(name)
        self._keep_after = keep_after

    def setText(self, text: str) -> None:
        self.set_wordings((text,))

    def set_wordings(self, wordings: Sequence[str]) -> None:
        """The text in its wordings, longest first."""
        super().set_wordings(wordings)
        self.setToolTip(self._wordings[0])

    def _fit(self) -> None:
        metrics, room = self.fontMetrics(), max(self.width(), 40)
        whole = self._longest_fitting(metrics.horizontalAdvance, room)
        if whole is not None:
            super().setText(whole)
            return
        head, tail = self._wordings[-1], ""
        if self._keep_after and self._keep_after in head:
            head, separator, rest = head.rpartition(self._keep_after)
            tail = separator + rest
        kept = metrics.horizontalAdvance(tail)
        shown = metrics.elidedText(head, Qt.TextElideMode.ElideRight, max(room - kept, 0)) if head else ""
        super().setText(shown + tail)

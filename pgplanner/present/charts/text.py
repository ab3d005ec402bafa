"""How wide a text is when the renderer cannot measure it (SVG, read by whatever browser), and wrapping.

The estimate is conservative: per character it takes at least the advance of DejaVu Sans, the widest
of the common sans-serif fonts a browser falls back to, so a label placed with it never runs into its
neighbour in the font that is really used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

# Advance per character in em (DejaVu Sans, rounded up), by class.
_NARROW = frozenset("il.,:;'|!` ")
_SEMI = frozenset('fjrtI()[]{}-/\\"*')
_WIDE = frozenset("mwMW%@&")
_NARROW_EM, _SEMI_EM, _WIDE_EM, _UPPER_EM, _OTHER_EM = 0.34, 0.44, 1.0, 0.78, 0.66


def estimate(size: float) -> Callable[[str], float]:
    """A width function for text in a ``size``-pixel sans-serif font (cached per text)."""

    @lru_cache(maxsize=2048)
    def width(text: str) -> float:
        ems = 0.0
        for char in text:
            if char in _NARROW:
                ems += _NARROW_EM
            elif char in _SEMI:
                ems += _SEMI_EM
            elif char in _WIDE:
                ems += _WIDE_EM
            elif char.isupper():
                ems += _UPPER_EM
            elif ord(char) > 0x2000:  # arrows, box glyphs: as wide as an em
                ems += 1.0
            else:
                ems += _OTHER_EM
        return ems * size

    return width


def wrap_words(text: str, room: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` in lines no wider than ``room``, broken between words (a longer word stands alone)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and measure(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


T = TypeVar("T")


def pack(items: Sequence[T], widths: Sequence[float], room: float, gap: float) -> list[tuple[T, ...]]:
    """``items`` in lines no wider than ``room`` (an item wider than the room stands alone), ``gap`` between."""
    lines: list[list[T]] = []
    used = 0.0
    for item, width in zip(items, widths, strict=True):
        if lines and used + gap + width <= room:
            lines[-1].append(item)
            used += gap + width
        else:
            lines.append([item])
            used = width
    return [tuple(line) for line in lines]

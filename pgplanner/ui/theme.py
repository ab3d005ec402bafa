"""Colours and type for Qt: the palette of :mod:`pgplanner.present.palette` as QColors."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget

from ..present.palette import (  # noqa: F401 (re-exported: the window's colours are the report's)
    BLUE,
    BUDGET,
    DARK,
    GHOST,
    GREEN,
    GREY,
    INK,
    LIGHT,
    LIGHT_GREY,
    ORANGE,
    PURPLE,
    SEVERITY,
    SKY,
    VERMILLION,
    YELLOW,
    Theme,
    readable_on,
)


def theme_for(palette: QPalette) -> Theme:
    """The dark theme on a dark palette (its window colour darker than mid-grey), else the light one."""
    return DARK if palette.color(QPalette.ColorRole.Window).lightness() < 128 else LIGHT


# A selected tab is drawn lighter than the window (Fusion: about 125 % on a dark palette): words on a tab
# are made readable on a window this much lighter too.
TAB_LIGHTER = 130


def words_on(colour: str, palette: QPalette, lighter: int = 100) -> QColor:
    """``colour`` for words on the palette's window colour (``lighter`` in percent, for a tab): the same
    hue, made light or dark enough to read there (WCAG AA). The active window colour: words set while
    another window is in front stay as they are when the window is in front again."""
    window = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window)
    under = window.lighter(lighter) if window.lightness() < 128 else window  # light tabs: as light as the window
    return QColor(readable_on(colour, under.name()))


def qcolor(hex_colour: str, alpha: int = 255) -> QColor:
    colour = QColor(hex_colour)
    colour.setAlpha(alpha)
    return colour


def small_text(widget: QWidget, pixels: int, colour: str = INK) -> None:
    """A smaller font in a colour, without a style sheet (a style sheet per widget slows start-up)."""
    font = QFont(widget.font())
    font.setPixelSize(pixels)
    widget.setFont(font)
    palette = widget.palette()
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    widget.setPalette(palette)

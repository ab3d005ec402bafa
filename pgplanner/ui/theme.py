"""Colours and type: the Okabe-Ito palette (readable with every common colour-vision deficiency)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QWidget

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"
INK = "#222222"

SEVERITY = {"error": VERMILLION, "warning": ORANGE, "info": SKY}

# One colour per budget line key, stable across plans.
BUDGET = {
    "pool": BLUE,
    "direct_clients": BLUE,
    "reserve_pool": SKY,
    "serverless": VERMILLION,
    "listeners": PURPLE,
    "batch_workers": ORANGE,
    "long_transactions": YELLOW,
    "replica_pools": GREEN,
    "monitoring": "#8C6BB1",
    "admin": "#A6761D",
    "superuser_reserved": INK,
    "reserved_connections": GREY,
    "provider_reserved": "#B2182B",
    "replication": GREEN,
    "headroom": LIGHT_GREY,
}


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

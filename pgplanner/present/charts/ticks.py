"""Ticks: round values, written short, none over another and none past the plot's edge.

Every tick's text is chosen here, so an axis never gains an SI prefix a renderer would add on its own
("k% of peak").
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .spec import Measure

Format = Callable[[float], str]
STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
TICK_GAP = 10.0  # pixels between two tick labels on the x axis
Y_SPACING = 24.0  # pixels between two ticks on the y axis, at least
X_SPACING = 56.0  # pixels between two ticks on a linear x axis, at least


def short_count(value: float) -> str:
    """A count as an axis writes it: 500, 1k, 2.5k, 1M."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if abs(value) >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def nice_step(least: float, whole: bool = False) -> float:
    """The smallest round step (1, 2, 2.5, 5 x 10^k) at least ``least``; with ``whole``, a whole number
    (connections are counted: no 2.5 between 0 and 5)."""
    if least <= 0:
        return 1.0
    if whole:
        least = max(least, 1.0)
    decade = 10 ** math.floor(math.log10(least))
    return next(
        step for m in STEPS if (step := decade * m) >= least * (1 - 1e-9) and (not whole or step == round(step))
    )


def linear(lo: float, hi: float, pixels: float, spacing: float = Y_SPACING, whole: bool = False) -> list[float]:
    """Round values from ``lo`` to ``hi`` at least ``spacing`` pixels apart on an axis ``pixels`` long
    (whole numbers only with ``whole``).

    The step is the smallest round one that is ``spacing`` pixels long, not the span cut into as many
    parts as would fit: 151 ms on 95 pixels is 0, 50, 100, 150 (32 pixels apart), not 0 and 100.
    """
    if hi <= lo or pixels <= 0:
        return [lo]
    step = nice_step((hi - lo) * spacing / pixels, whole)
    first = math.ceil(lo / step - 1e-9)
    return [round(i * step, 10) for i in range(first, math.floor(hi / step + 1e-9) + 1)]


def logarithmic(lo: float, hi: float) -> list[tuple[float, bool]]:
    """1, 2, 5, 10, 20, 50 ... within [lo, hi], each with whether it is a power of ten."""
    values = []
    for decade in range(math.floor(math.log10(max(lo, 1e-12))), math.ceil(math.log10(hi)) + 1):
        for m in (1, 2, 5):
            value = m * 10.0**decade
            if lo <= value <= hi * (1 + 1e-9):
                values.append((value, m == 1))
    return values


def x_ticks(
    candidates: list[tuple[float, bool]],
    position: Callable[[float], float],
    text: Format,
    measure: Measure,
    width: float,
    right_room: float,
) -> tuple[tuple[float, str], ...]:
    """The candidates (value, major) whose centred text fits on the axis without touching a neighbour.

    Minor ticks go first when they crowd; a text that would pass the plot's right edge (and the room
    the renderer leaves beside it) is left out, so "200" is never cut to "20".
    """
    for keep_minor in (True, False):
        chosen: list[tuple[float, str]] = []
        last_right = -math.inf
        for value, major in candidates:
            if not (major or keep_minor):
                continue
            words = text(value)
            half = measure(words) / 2
            centre = position(value)
            if centre + half > width + right_room or centre - half < -right_room:
                continue
            if centre - half < last_right + TICK_GAP:
                if keep_minor:
                    break  # crowded: try again with the powers of ten only
                continue
            chosen.append((value, words))
            last_right = centre + half
        else:
            return tuple(chosen)
    return tuple(chosen)

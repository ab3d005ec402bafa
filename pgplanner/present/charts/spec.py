"""What a chart is, as data: the pieces every renderer draws, already placed.

A renderer (pyqtgraph in the window, SVG in the report) draws a :class:`Chart` and decides nothing:
series are in data units; marks, their lines and every word on the plot are in pixels of the plot
area (origin at its top-left corner, y down), placed by :mod:`.placement` for the :class:`Frame` the
renderer gave. Colours are roles (:mod:`pgplanner.present.palette`), mapped by the renderer's theme.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, NamedTuple

import numpy as np

Measure = Callable[[str], float]  # the width in pixels of a text in the renderer's font
# A measured point's dot, its outline included: every renderer draws it this size, and the x axis keeps
# this much room beside a dot at its low end so the plot's edge does not cut it in half.
DOT_RADIUS = 5.0
DOT_EDGE = 1.5  # the dot's paper-coloured outline, which keeps overlapping dots apart
Glyph = Literal["line", "dash", "dot", "box"]


class Frame(NamedTuple):
    """The pixels a chart is drawn into and how wide a text is there.

    ``width`` x ``height`` is the plot area: the data and, above it, the band the marks' labels live
    in. ``heading_width`` is what the title, notes and key may span (they wrap to it); ``measure`` and
    ``heading_measure`` give text widths in the fonts of the plot's labels and of its heading;
    ``right_room`` is what the renderer leaves right of the plot area (a tick label may reach into it);
    ``key_glyph`` is the width of a key entry's stroke with the space after it, ``heading_gap`` the
    space between two pieces of a heading line.

    A named tuple, as is every piece of a chart here: cheaper than a frozen dataclass to create at import
    and to build, and a chart is built again on every slider tick.
    """

    width: float
    height: float
    measure: Measure
    row_height: float = 16.0
    heading_width: float = 0.0  # 0: as wide as the plot area
    heading_measure: Measure | None = None
    right_room: float = 0.0
    key_glyph: float = 26.0
    heading_gap: float = 14.0

    @property
    def heading_room(self) -> float:
        return self.heading_width or self.width

    def heading_text_width(self, text: str) -> float:
        return (self.heading_measure or self.measure)(text)


class Box(NamedTuple):
    """A rectangle in plot-area pixels (y down)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        """Whether the two boxes share pixels, or come closer than ``gap`` side by side."""
        return (
            self.x < other.right + gap
            and other.x < self.right + gap
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def within(self, left: float, top: float, right: float, bottom: float) -> bool:
        return (
            self.x >= left - 1e-6
            and self.y >= top - 1e-6
            and self.right <= right + 1e-6
            and self.bottom <= bottom + 1e-6
        )


class Rule(NamedTuple):
    """A straight stroke in plot-area pixels: a mark's line, RAM, a limit on a bar."""

    x1: float
    y1: float
    x2: float
    y2: float
    colour: str
    width: float = 1.5
    dash: bool = True
    ghost: bool = False

    def crosses(self, box: Box, gap: float = 0.0) -> bool:
        """Whether the stroke passes through ``box`` (grown by ``gap`` on every side)."""
        left, right = min(self.x1, self.x2), max(self.x1, self.x2)
        top, bottom = min(self.y1, self.y2), max(self.y1, self.y2)
        return left < box.right + gap and right > box.x - gap and top < box.bottom + gap and bottom > box.y - gap


class Label(NamedTuple):
    """Words on the plot: ``text`` written left-aligned in ``box``, in ``colour`` (a role).

    A label written on a fill (a bar's segment) names that fill's role in ``on``: it is then written in
    the theme's ink with the most contrast on it (:meth:`~pgplanner.present.palette.Theme.ink_on`).
    """

    text: str
    box: Box
    colour: str
    on: str | None = None


class Mark(NamedTuple):
    """Something marked on the plot: where (``at``, in data units of ``axis``), its words, and how it is drawn.

    A vertical mark (``axis == "x"``) is a line at a number of connections with its label in the band
    above the data. One beyond the right end of the view (``beyond``) has no line and no label: its
    words, ending in an arrow, are in the heading, as are a note's (``at`` None) and those of a mark
    whose label found no room. A horizontal mark (``axis == "y"``, e.g. RAM) is a line across the data
    with its label beside it where that covers nothing (its figure is also in the key). ``label`` is
    None when no place was free; ``text`` says the words all the same.
    """

    key: str
    at: float | None
    text: str
    colour: str
    rule: Rule | None
    label: Label | None
    axis: Literal["x", "y"] = "x"
    beyond: bool = False
    ghost: bool = False


class Series(NamedTuple):
    """A curve (``kind="line"``) or a set of points, in data units; NaN where it leaves the data area."""

    key: str
    label: str
    xs: np.ndarray
    ys: np.ndarray
    colour: str
    dash: bool = False
    width: float = 2.0
    ghost: bool = False  # a pinned baseline's: wide, translucent, behind
    kind: Literal["line", "points"] = "line"


class Segment(NamedTuple):
    """One stretch of a stacked bar: ``width`` connections from ``start`` on the bar of ``row``."""

    key: str  # the budget line's key, or "headroom"
    row: str
    start: float
    width: float
    name: str
    why: str
    colour: str
    label: Label | None


class KeyEntry(NamedTuple):
    label: str
    colour: str
    glyph: Glyph = "line"


class Run(NamedTuple):
    """A piece of a heading line: the title, a note, a mark off the view (in its colour), a key entry."""

    kind: Literal["title", "note", "mark", "key"]
    text: str
    entry: KeyEntry | None = None
    colour: str | None = None


class Axis(NamedTuple):
    """An axis: its words, its range in data units, whether it is logarithmic, its ticks (value, text)."""

    label: str
    lo: float
    hi: float
    log: bool = False
    ticks: tuple[tuple[float, str], ...] = ()
    unit: str = ""

    def fraction(self, value: float) -> float:
        """Where ``value`` falls between the ends of the axis (0 at ``lo``, 1 at ``hi``)."""
        if self.log:
            low, high = math.log10(max(self.lo, 1e-12)), math.log10(self.hi)
            return (math.log10(max(value, 1e-12)) - low) / (high - low)
        return (value - self.lo) / (self.hi - self.lo)

    def fractions(self, values: np.ndarray) -> np.ndarray:
        """:meth:`fraction` over an array (NaN stays NaN)."""
        if self.log:
            low, high = math.log10(max(self.lo, 1e-12)), math.log10(self.hi)
            return (np.log10(np.maximum(values, 1e-12)) - low) / (high - low)
        return (values - self.lo) / (self.hi - self.lo)


Readout = Callable[[float, float], str]


class Chart(NamedTuple):
    """One chart, ready to draw: heading, axes, series, marks and bars, all placed for ``frame``.

    ``readout(x, y)`` says what is at a point in data units (connections, not their logarithm), the
    line a renderer shows under the plot while the mouse moves.
    """

    name: str
    title: str
    notes: tuple[str, ...]  # what the chart says about itself, in pieces no wider than the frame
    key: tuple[KeyEntry, ...]
    heading: tuple[tuple[Run, ...], ...]  # the title, notes and key in lines as wide as the frame
    width: float
    height: float
    data_top: float  # pixels: the top of the data area, under the marks' labels
    x: Axis
    y: Axis
    series: tuple[Series, ...]
    marks: tuple[Mark, ...]
    readout: Readout
    bars: tuple[Segment, ...] = ()
    rows: tuple[tuple[str, float], ...] = ()  # a bar chart's rows: (name, y)
    bar_height: float = 0.0  # of a row, in y units
    grid: Literal["x", "y"] = "y"  # the grid lines run from the ticks of this axis

    def px(self, x: float) -> float:
        return self.x.fraction(x) * self.width

    def py(self, y: float) -> float:
        return (1 - self.y.fraction(y)) * self.height

    def mark(self, key: str) -> Mark | None:
        return next((m for m in self.marks if m.key == key), None)

    def labels(self) -> list[Label]:
        """Every label written on the plot area: the marks', then the bars'."""
        return [m.label for m in self.marks if m.label] + [s.label for s in self.bars if s.label]

"""From what a chart says to where everything goes: :func:`compose` turns a chart's content into a
placed :class:`~.spec.Chart` for one frame.

A chart module (throughput, memory, latency ...) states its content in data terms: the x axis, the
data's highest y, its series, its vertical marks and notes (:class:`MarkAt`), its horizontal lines
(:class:`LevelAt`), its heading and key, and a readout. :func:`compose` places the marks' labels in a
band above the data, scales y so the data ends under that band, cuts the curves where they leave the
data area, places the horizontal lines' labels where they cover nothing, and chooses the ticks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import ticks as tick
from .placement import BAND_TOP, BandLabel, Obstacles, Placed, place_band, place_inside
from .spec import DOT_RADIUS, Axis, Chart, Frame, KeyEntry, Label, Mark, Readout, Rule, Run, Series
from .text import pack, wrap_words

BELOW_BAND = 6.0  # pixels between the last row of labels and the highest data
BOLD = 1.1  # a bold title is this much wider than the heading's measure says
MARK_WIDTH = 1.5
ARROW = "\u2192"


class MarkAt(NamedTuple):
    """A vertical mark at ``at`` connections, or a note at the right edge (``at`` None).

    ``texts`` are its wordings, longest first (a shorter one is used where the long one has no room).

    A named tuple, as are the others here: cheaper than a frozen dataclass to create at import and to
    build, and a chart is composed again on every slider tick.
    """

    key: str
    at: float | None
    texts: tuple[str, ...]
    colour: str
    ghost: bool = False


class LevelAt(NamedTuple):
    """A horizontal line across the data at ``at`` (y units), e.g. RAM."""

    key: str
    at: float
    texts: tuple[str, ...]
    colour: str
    width: float = 1.5
    dash: bool = False
    ghost: bool = False


class XAxis(NamedTuple):
    label: str
    lo: float
    hi: float
    log: bool = False
    text: tick.Format = tick.short_count


class YAxis(NamedTuple):
    """The y axis from ``lo`` to ``top``, the highest data value; the band of labels goes above ``top``.

    ``labels`` are its words, longest first: the longest that fits along the plot's height is used.
    """

    labels: tuple[str, ...]
    lo: float
    top: float
    text: tick.Format = tick.short_count
    unit: str = ""


def compose(
    *,
    name: str,
    title: str,
    notes: Sequence[str],
    key: Sequence[KeyEntry],
    frame: Frame,
    x: XAxis,
    y: YAxis,
    series: Sequence[Series],
    marks: Sequence[MarkAt],
    levels: Sequence[LevelAt] = (),
    readout: Readout,
) -> Chart:
    width, height = frame.width, frame.height
    x_axis = _x_axis(x, series, width)

    def px(value: float) -> float:
        return x_axis.fraction(value) * width

    in_view = [m for m in marks if m.at is not None and px(m.at) <= width]
    off_view = [m for m in marks if m not in in_view]  # notes, and marks beyond the right edge
    places, rows = place_band([BandLabel(m.key, m.texts, px(m.at)) for m in in_view if m.at is not None], frame)
    data_top = BAND_TOP + rows * frame.row_height + BELOW_BAND if rows else BELOW_BAND
    data_top = min(data_top, height - 1)
    top = y.top if y.top > y.lo else y.lo + 1
    y_lo, y_hi = _y_range(y.lo, top, _lowest(series, 1), height, data_top)
    y_label = next((t for t in y.labels if frame.measure(t) <= height - 4), y.labels[-1])
    y_axis = Axis(y_label, y_lo, y_hi, unit=y.unit)

    def py(value: float) -> float:
        return (1 - y_axis.fraction(value)) * height

    cut = tuple(_cut(s, top, x_axis) for s in series)
    placed_marks = [_vertical(m, places[m.key], px, height, data_top) for m in in_view]
    placed_marks += [_off_view(m, frame) for m in off_view]
    obstacles = Obstacles(
        [_pixels(s, x_axis, y_axis, width, height) for s in cut if s.kind == "line"],
        [(px(float(a)), py(float(b))) for s in cut if s.kind == "points" for a, b in zip(s.xs, s.ys, strict=True)],
    )
    obstacles.rules = [m.rule for m in placed_marks if m.rule is not None]
    obstacles.boxes = [m.label.box for m in placed_marks if m.label is not None]
    lines = {level.key: _level_rule(level, py, frame.width, top) for level in levels}
    obstacles.rules += [rule for rule in lines.values() if rule is not None]
    placed_marks += [_horizontal(level, lines[level.key], frame, data_top, obstacles) for level in levels]

    x_candidates = (
        tick.logarithmic(x.lo, x.hi)
        if x.log
        else [(v, True) for v in tick.linear(x.lo, x.hi, width, _x_spacing(x, frame), whole=True)]  # connections
    )
    x_ticks = tick.x_ticks(x_candidates, px, x.text, frame.measure, width, frame.right_room)
    y_values = tick.linear(y.lo, top, height - data_top)
    pieces = tuple(line for note in notes for line in wrap_words(note, frame.heading_room, frame.heading_text_width))
    return Chart(
        name=name,
        title=title,
        notes=pieces,
        key=tuple(key),
        heading=heading_lines(title, pieces, key, frame, [m for m in placed_marks if _written_in_heading(m)]),
        width=width,
        height=height,
        data_top=data_top,
        x=x_axis._replace(ticks=x_ticks),
        y=Axis(y_label, y_lo, y_hi, ticks=tuple((v, y.text(v)) for v in y_values), unit=y.unit),
        series=cut,
        marks=tuple(placed_marks),
        readout=readout,
    )


def _lowest(series: Sequence[Series], along: int) -> float | None:
    """The lowest x (``along`` 0) or y (1) of the measured points, None when there are none."""
    values = [np.nanmin(s.ys if along else s.xs) for s in series if s.kind == "points" and len(s.xs)]
    finite = [float(v) for v in values if math.isfinite(v)]
    return min(finite) if finite else None


def _x_axis(x: XAxis, series: Sequence[Series], width: float) -> Axis:
    """The x axis from ``x.lo``, or from a little below it when a measured point sits at (or near) the low
    end: the axis then starts a dot's radius (and a pixel) left of the lowest point, so that dot shows
    whole. Its ticks stay within ``x.lo`` and ``x.hi``."""
    axis = Axis(x.label, x.lo, x.hi, x.log)
    lowest = _lowest(series, 0)
    room = (DOT_RADIUS + 1) / width  # the share of the width left of the lowest point
    if lowest is None or lowest >= x.hi or axis.fraction(lowest) >= room or room >= 1:
        return axis
    if x.log:
        span = math.log(x.hi / lowest)
        return axis._replace(lo=lowest * math.exp(-room * span / (1 - room)))
    return axis._replace(lo=lowest - room * (x.hi - lowest) / (1 - room))


def _y_range(lo: float, top: float, lowest: float | None, height: float, data_top: float) -> tuple[float, float]:
    """The y axis' ends: ``top`` (the highest data) ``data_top`` pixels below the upper end, under the band of
    labels; the lower end ``lo``, or a little below it when a measured point lies within a dot's radius of
    it (a latency of a millisecond on an axis to 30 ms), so that dot shows whole."""
    share = (height - data_top) / height  # the part of the height from lo to top
    hi = lo + (top - lo) / share
    room = (DOT_RADIUS + 1) / height
    if lowest is None or lowest >= top or (lowest - lo) / (hi - lo) >= room or share <= room:
        return lo, hi
    span = (top - lowest) / (share - room)  # the axis' length that puts lowest room above the lower end
    return lowest - room * span, lowest - room * span + span


def heading_lines(
    title: str, notes: Sequence[str], key: Sequence[KeyEntry], frame: Frame, marks: Sequence[Mark] = ()
) -> tuple[tuple[Run, ...], ...]:
    """The heading in lines no wider than the frame, each piece after the last where it fits: the title,
    the notes, the marks off the view (beyond the right edge, above the top, each in its colour), the key."""
    measure, room, gap = frame.heading_text_width, frame.heading_room, frame.heading_gap
    top = [Run("title", title), *(Run("note", note) for note in notes)]
    top_widths = [measure(title) * BOLD, *(measure(note) for note in notes)]
    rest = [Run("mark", m.text, colour=m.colour) for m in marks] + [Run("key", e.label, e) for e in key]
    rest_widths = [measure(m.text) for m in marks] + [frame.key_glyph + measure(e.label) for e in key]
    return tuple(pack(top + rest, top_widths + rest_widths, room, gap))


def _written_in_heading(mark: Mark) -> bool:
    """A note, a mark beyond the view, or a mark whose label found no room: its words go in the heading
    (a horizontal line's figure is in the key)."""
    return mark.axis == "x" and mark.label is None


def _off_view(mark: MarkAt, frame: Frame) -> Mark:
    """A note, or a mark beyond the right edge (its words end in an arrow), for the heading: the longest
    wording that fits the heading's width."""
    beyond = mark.at is not None
    texts = [f"{t} {ARROW}" if beyond else t for t in mark.texts]
    text = next((t for t in texts if frame.heading_text_width(t) <= frame.heading_room), texts[-1])
    return Mark(mark.key, mark.at, text, mark.colour, None, None, beyond=beyond, ghost=mark.ghost)


def _x_spacing(x: XAxis, frame: Frame) -> float:
    """Pixels between round values on a linear x axis, so that their texts never touch."""
    widest = max(frame.measure(x.text(v)) for v in (x.lo, x.hi, (x.lo + x.hi) / 2))
    return max(widest + tick.TICK_GAP, tick.X_SPACING)


def _vertical(mark: MarkAt, place: Placed | None, px, height: float, data_top: float) -> Mark:
    assert mark.at is not None, "a note has no line"
    label = Label(place.text, place.box, mark.colour) if place else None
    text = place.text if place else mark.texts[0]
    x = px(mark.at)
    line_top = place.line_top if place else data_top  # a mark with no label: its line stops under the band
    rule = Rule(x, line_top, x, height, mark.colour, MARK_WIDTH, dash=True, ghost=mark.ghost)
    return Mark(mark.key, mark.at, text, mark.colour, rule, label, ghost=mark.ghost)


def _level_rule(level: LevelAt, py, width: float, top: float) -> Rule | None:
    """A horizontal line across the data area (None above it: not drawn)."""
    if not level.at <= top:
        return None
    y = py(level.at)
    return Rule(0.0, y, width, y, level.colour, level.width, level.dash, level.ghost)


def _horizontal(level: LevelAt, rule: Rule | None, frame: Frame, data_top: float, obstacles: Obstacles) -> Mark:
    found = place_inside(level.texts, rule.y1, frame, data_top, obstacles) if rule is not None else None
    label = Label(found[0], found[1], level.colour) if found else None
    if label is not None:
        obstacles.boxes.append(label.box)
    text = found[0] if found else level.texts[0]
    return Mark(level.key, level.at, text, level.colour, rule, label, axis="y", ghost=level.ghost)


def _cut(series: Series, top: float, x_axis: Axis) -> Series:
    """The series inside the data area: points above ``top`` left out, a curve stopped where it
    crosses ``top`` (NaN beyond, the crossing point added, interpolated as the axis draws it)."""
    xs, ys = np.asarray(series.xs, dtype=float), np.asarray(series.ys, dtype=float)
    over = ys > top
    if not over.any():
        return series
    if series.kind == "points":
        keep = ~over
        return series._replace(xs=xs[keep], ys=ys[keep])
    crossing = np.flatnonzero(over[:-1] != over[1:])  # segment i runs from point i to i + 1
    a, b = crossing, crossing + 1
    share = (top - ys[a]) / (ys[b] - ys[a])
    if x_axis.log:
        low, high = np.log10(np.maximum(xs[a], 1e-12)), np.log10(np.maximum(xs[b], 1e-12))
        at = 10 ** (low + share * (high - low))
    else:
        at = xs[a] + share * (xs[b] - xs[a])
    cut_ys = np.where(over, np.nan, ys)
    new_xs = np.insert(xs, b, at)
    new_ys = np.insert(cut_ys, b, top)
    # Each part that stays under the top ends (or starts again) at its crossing; NaN keeps the parts apart.
    return series._replace(xs=new_xs, ys=new_ys)


def _pixels(series: Series, x_axis: Axis, y_axis: Axis, width: float, height: float) -> tuple[np.ndarray, np.ndarray]:
    """A curve in plot-area pixels (the mapping of :meth:`Chart.px` and :meth:`Chart.py`, over arrays)."""
    xs, ys = np.asarray(series.xs, dtype=float), np.asarray(series.ys, dtype=float)
    return x_axis.fractions(xs) * width, (1 - y_axis.fractions(ys)) * height

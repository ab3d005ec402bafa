"""Where each word goes on a plot, so that no two overlap, none leaves the plot and none covers data.

Pure geometry in plot-area pixels, deterministic: the same requests and frame give the same places.

- A mark's label goes in the band above the data, in the first row where it fits: right of its line,
  left of it, or centred over the line's end (the line then stops under it). Each mark's line runs up
  to its label, so a label may sit over the x of a mark placed after it, whose label then goes in a
  lower row. When the longest wording fits nowhere, a shorter one is tried; when none does, the mark
  has no label and its line stops under the band.
- A horizontal line's label (RAM) goes beside the line inside the data area, at the first of a few
  places where it crosses no curve, no point, no line and no other label; else it has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .spec import Box, Frame, Rule

BAND_TOP = 2.0  # pixels above the first row of labels
LINE_GAP = 4.0  # between a mark's line and its label
LABEL_GAP = 6.0  # between two labels side by side
BAND_SHARE = 0.45  # of the plot's height the labels' band may take at most
CENTRE_MARGIN = 3.0  # a centred label reaches at least this far past its line on either side
LEVEL_GAP = 3.0  # between a horizontal line and its label
POINT_RADIUS = 5.0


class BandLabel(NamedTuple):
    """A label to place in the band, beside the line of a mark at ``x`` pixels.

    A named tuple, as is :class:`Placed`: cheaper than a frozen dataclass to create at import and to
    build, and labels are placed again on every slider tick.
    """

    key: str
    texts: tuple[str, ...]  # longest first
    x: float


class Placed(NamedTuple):
    text: str
    box: Box
    line_top: float  # where the mark's line ends, pixels from the top (its label's top or bottom)
    row: int


def band_rows(frame: Frame) -> int:
    """How many rows of labels the band may have at most in this frame (at least one)."""
    return max(1, int((frame.height * BAND_SHARE - BAND_TOP) // frame.row_height))


def place_band(requests: Sequence[BandLabel], frame: Frame) -> tuple[dict[str, Placed | None], int]:
    """Each request's place (None: nowhere) and the number of rows used.

    Labels are placed one after the other, each in the first row where it fits; which goes first
    matters (a label shuts the lines of later marks out of the rows above it). The order given (the
    chart's priority) is tried, then left to right and right to left; the layout that leaves fewest
    labels out, then shortens fewest, then uses fewest rows, wins (the first of equals).
    """
    orders = [list(requests), sorted(requests, key=lambda r: r.x), sorted(requests, key=lambda r: -r.x)]
    layouts = [_place_in_order(order, frame) for order in orders]

    def cost(layout: tuple[dict[str, Placed | None], int]) -> tuple[int, int, int]:
        places, rows = layout
        missing = sum(place is None for place in places.values())
        shortened = sum(1 for r in requests if (p := places[r.key]) is not None and p.text != r.texts[0])
        return missing, shortened, rows

    return min(layouts, key=cost)


def _place_in_order(requests: Sequence[BandLabel], frame: Frame) -> tuple[dict[str, Placed | None], int]:
    placed: dict[str, Placed | None] = {}
    boxes: list[tuple[str, Box, float, float]] = []  # key, box, the mark's x, its line's top
    lines = {r.key: r.x for r in requests}
    rows = band_rows(frame)
    used = 0
    for request in requests:
        found = _first_fit(request, frame, rows, boxes, lines, placed)
        placed[request.key] = found
        if found is not None:
            boxes.append((request.key, found.box, request.x, found.line_top))
            used = max(used, found.row + 1)
    return placed, used


def _first_fit(
    request: BandLabel,
    frame: Frame,
    rows: int,
    boxes: list[tuple[str, Box, float, float]],
    lines: dict[str, float],
    placed: dict[str, Placed | None],
) -> Placed | None:
    height = frame.row_height
    for text in request.texts:
        width = frame.measure(text)
        for row in range(rows):
            top = BAND_TOP + row * height
            for box, line_top in _candidates(request.x, width, top, height, frame.width):
                if _free(request, box, line_top, frame, boxes, lines, placed):
                    return Placed(text, box, line_top, row)
    return None


def _candidates(x: float, width: float, top: float, height: float, right: float) -> list[tuple[Box, float]]:
    """Right of the line, left of it, or centred over its end (when that still covers the line)."""
    centred = min(max(x - width / 2, 0.0), right - width)
    options = [
        (Box(x + LINE_GAP, top, width, height), top),
        (Box(x - LINE_GAP - width, top, width, height), top),
    ]
    if centred + CENTRE_MARGIN <= x <= centred + width - CENTRE_MARGIN:
        options.append((Box(centred, top, width, height), top + height))
    return options


def _free(
    request: BandLabel,
    box: Box,
    line_top: float,
    frame: Frame,
    boxes: list[tuple[str, Box, float, float]],
    lines: dict[str, float],
    placed: dict[str, Placed | None],
) -> bool:
    if not box.within(0, 0, frame.width, frame.height):
        return False
    if any(box.overlaps(other, LABEL_GAP) for _, other, _, _ in boxes):
        return False
    for key, x in lines.items():  # a placed mark's line through this label (one placed later goes below it)
        other = placed.get(key)
        if key != request.key and other is not None and box.x - 2 < x < box.right + 2 and other.line_top < box.bottom:
            return False
    # and this mark's line through a label already placed
    return not any(other.x - 2 < request.x < other.right + 2 and other.bottom > line_top for _, other, _, _ in boxes)


class Obstacles:
    """What a label inside the data area must not cover: curves and points (pixels), lines, other labels."""

    def __init__(self, curves: Sequence[tuple[np.ndarray, np.ndarray]], points: Sequence[tuple[float, float]]) -> None:
        segments = [
            np.column_stack((xs[:-1], ys[:-1], xs[1:], ys[1:])) for xs, ys in curves if len(xs) > 1
        ]  # one row per segment: x0, y0, x1, y1
        stacked = np.concatenate(segments) if segments else np.empty((0, 4))
        self._segments = stacked[np.isfinite(stacked).all(axis=1)]
        self._points = [Box(x - POINT_RADIUS, y - POINT_RADIUS, 2 * POINT_RADIUS, 2 * POINT_RADIUS) for x, y in points]
        self.rules: list[Rule] = []
        self.boxes: list[Box] = []

    def covered(self, box: Box, gap: float = 2.0) -> bool:
        grown = Box(box.x - gap, box.y - gap, box.w + 2 * gap, box.h + 2 * gap)
        if any(grown.overlaps(other) for other in (*self.boxes, *self._points)):
            return True
        if any(rule.crosses(box, gap) for rule in self.rules):
            return True
        return _segments_cross(self._segments, grown)


def _segments_cross(segments: np.ndarray, box: Box) -> bool:
    """Whether any straight segment (x0, y0, x1, y1) passes through ``box``."""
    if not len(segments):
        return False
    x0, y0, x1, y1 = segments.T
    low_x, high_x = np.minimum(x0, x1), np.maximum(x0, x1)
    left, right = np.maximum(low_x, box.x), np.minimum(high_x, box.right)
    span = x1 - x0
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(span != 0, (y1 - y0) / span, 0.0)
    at_left = np.where(span != 0, y0 + (left - x0) * slope, np.minimum(y0, y1))
    at_right = np.where(span != 0, y0 + (right - x0) * slope, np.maximum(y0, y1))
    low_y, high_y = np.minimum(at_left, at_right), np.maximum(at_left, at_right)
    return bool(np.any((left <= right) & (low_y <= box.bottom) & (high_y >= box.y)))


def place_inside(
    texts: Sequence[str], y: float, frame: Frame, data_top: float, obstacles: Obstacles
) -> tuple[str, Box] | None:
    """A place beside a horizontal line at ``y`` pixels, inside the data area, covering nothing."""
    height = frame.row_height
    for text in texts:
        width = frame.measure(text)
        lefts = [6.0, frame.width - 6.0 - width] + [frame.width * f - width / 2 for f in (0.25, 0.5, 0.75)]
        for top in (y - LEVEL_GAP - height, y + LEVEL_GAP):
            for left in lefts:
                box = Box(left, top, width, height)
                if box.within(0, data_top, frame.width, frame.height) and not obstacles.covered(box):
                    return text, box
    return None

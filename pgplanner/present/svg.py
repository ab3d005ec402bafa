"""The three plots as SVG, drawn from the plan's curve arrays: no Qt, no fonts or images to fetch.

The HTML report embeds them inline, so it works offline and by e-mail. They show what the window's
plots show (same curves, marks and colours, :mod:`.palette`); a second plan (the baseline of a
comparison) is drawn in grey behind the first, with its own marks, so the change is visible at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

import numpy as np

from ..model import Plan, human_size
from ..model.compare import throughput_at_max_connections
from ..model.derivation import n
from ..model.units import GB
from . import palette

Values = Sequence[float] | np.ndarray  # a curve's x or y values
WIDTH, HEIGHT = 640, 330
BUDGET_HEIGHT = 110  # above the axis
KEY_CHARS = 88  # characters of the budget's key per line at 11 px
TOP_ROOM = 1.4  # the throughput axis runs to 140 % of peak: the marks' labels sit above the curves
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 34, 62
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"


@dataclass
class Chart:
    """A plot area mapping data to pixels; items are appended as SVG text."""

    name: str  # unique within a page: the id of the plot area's clip path
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    log_x: bool = False
    width: int = WIDTH
    height: int = HEIGHT
    bottom: int = BOTTOM  # room under the plot area: tick labels, axis label, legend
    items: list[str] = field(default_factory=list)

    def px(self, x: float) -> float:
        lo, hi = self.x_range
        if self.log_x:
            x, lo, hi = math.log10(max(x, 1)), math.log10(max(lo, 1)), math.log10(hi)
        return LEFT + (x - lo) / (hi - lo) * (self.width - LEFT - RIGHT)

    def py(self, y: float) -> float:
        lo, hi = self.y_range
        return self.height - self.bottom - (y - lo) / (hi - lo) * (self.height - TOP - self.bottom)

    def line(
        self, xs: Values, ys: Values, colour: str, *, dashed: bool = False, width: float = 2.2, opacity: float = 1.0
    ) -> None:
        points = " ".join(f"{self.px(x):.1f},{self.py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        dash = " stroke-dasharray='7 4'" if dashed else ""
        self.items.append(
            f"<polyline points='{points}' fill='none' stroke='{colour}' stroke-width='{width}'"
            f" stroke-opacity='{opacity}' stroke-linejoin='round'{dash} clip-path='url(#{self.name})'/>"
        )

    def mark(self, x: float, colour: str, label: str, row: int) -> None:
        """A dashed upright line at ``x`` with its label in the given row under the title (0, 1, 2 ...)."""
        x_px = self.px(x)
        top, bottom = TOP, self.height - self.bottom
        self.items.append(
            f"<line x1='{x_px:.1f}' x2='{x_px:.1f}' y1='{top}' y2='{bottom}' stroke='{colour}'"
            " stroke-width='1.5' stroke-dasharray='5 3'/>"
        )
        right_half = x_px > LEFT + 0.6 * (self.width - LEFT - RIGHT)
        anchor, dx = ("end", -4) if right_half else ("start", 4)
        y = top + 14 + 15 * row
        self.items.append(
            f"<text x='{x_px + dx:.1f}' y='{y}' text-anchor='{anchor}' fill='{colour}' font-size='12'"
            f" paint-order='stroke' stroke='white' stroke-width='4'>{escape(label)}</text>"
        )

    def point(self, x: float, y: float, colour: str) -> None:
        self.items.append(
            f"<circle cx='{self.px(x):.1f}' cy='{self.py(y):.1f}' r='5' fill='{colour}' stroke='white'"
            " stroke-width='1.5'/>"
        )

    def axes(
        self, title: str, x_label: str, y_label: str, x_ticks: list[tuple[float, str]], y_ticks: list[tuple[float, str]]
    ) -> None:
        bottom, right = self.height - self.bottom, self.width - RIGHT
        grid = [
            f"<line x1='{LEFT}' x2='{right}' y1='{self.py(y):.1f}' y2='{self.py(y):.1f}' stroke='#e6e6e6'/>"
            f"<text x='{LEFT - 6}' y='{self.py(y) + 4:.1f}' text-anchor='end' font-size='11'>{escape(t)}</text>"
            for y, t in y_ticks
        ]
        grid += [
            f"<line x1='{self.px(x):.1f}' x2='{self.px(x):.1f}' y1='{bottom}' y2='{bottom + 4}'"
            f" stroke='{palette.INK}'/>"
            f"<text x='{self.px(x):.1f}' y='{bottom + 16}' text-anchor='middle' font-size='11'>{escape(t)}</text>"
            for x, t in x_ticks
        ]
        frame = (
            f"<line x1='{LEFT}' x2='{right}' y1='{bottom}' y2='{bottom}' stroke='{palette.INK}'/>"
            f"<line x1='{LEFT}' x2='{LEFT}' y1='{TOP}' y2='{bottom}' stroke='{palette.INK}'/>"
            f"<text x='{self.width / 2:.0f}' y='18' text-anchor='middle' font-size='14' font-weight='600'>"
            f"{escape(title)}</text>"
            f"<text x='{(LEFT + right) / 2:.0f}' y='{bottom + 32}' text-anchor='middle' font-size='12'>"
            f"{escape(x_label)}</text>"
            f"<text transform='translate(14 {(TOP + bottom) / 2:.0f}) rotate(-90)' text-anchor='middle'"
            f" font-size='12'>{escape(y_label)}</text>"
        )
        self.items[:0] = [*grid, frame]

    def legend(self, entries: list[tuple[str, str, bool]]) -> None:
        """(label, colour, dashed) in one row under the x axis, so it never hides the data."""
        x, y = LEFT, self.height - 8
        for label, colour, dashed in entries:
            dash = " stroke-dasharray='6 3'" if dashed else ""
            self.items.append(
                f"<line x1='{x}' x2='{x + 20}' y1='{y - 4}' y2='{y - 4}' stroke='{colour}' stroke-width='2.5'{dash}/>"
                f"<text x='{x + 25}' y='{y}' font-size='11'>{escape(label)}</text>"
            )
            x += 40 + 6 * len(label)

    def svg(self, description: str) -> str:
        return (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {self.width} {self.height}' role='img'"
            f" style='{FONT}' fill='{palette.INK}'><title>{escape(description)}</title>"
            f"<clipPath id='{self.name}'><rect x='{LEFT}' y='{TOP}' width='{self.width - LEFT - RIGHT}'"
            f" height='{self.height - TOP - self.bottom}'/></clipPath>{''.join(self.items)}</svg>"
        )


def _log_ticks(highest: float) -> list[tuple[float, str]]:
    ticks = []
    for decade in range(math.ceil(math.log10(highest)) + 1):
        for m in (1, 2, 5):
            value = m * 10**decade
            if value <= highest:
                ticks.append((float(value), f"{value / 1000:g}k" if value >= 1000 else str(value)))
    return ticks


def _linear_ticks(highest: float, count: int = 6) -> list[float]:
    raw = highest / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if step * m >= raw)
    return [step * i for i in range(int(highest / step) + 1)]


def _tagged(tag: str) -> str:
    return f"{tag}: " if tag else ""


def throughput_svg(
    plan: Plan, baseline: Plan | None = None, tags: tuple[str, str] = ("", ""), id_suffix: str = ""
) -> str:
    """Throughput (% of peak) against active connections, log scale; each plan's point at its max_connections."""
    t = plan.throughput
    highest = max(float(t.connections[-1]), float(baseline.throughput.connections[-1]) if baseline else 0.0)
    chart = Chart(f"throughput{id_suffix}", (1, highest), (0, 100 * TOP_ROOM), log_x=True)
    row = 0
    if baseline is not None:
        b = baseline.throughput
        chart.line(b.connections, b.direct * 100, palette.GHOST, width=3, opacity=0.7)
        chart.line(b.connections, b.pooled * 100, palette.GHOST, dashed=True, width=3, opacity=0.7)
    chart.line(t.connections, t.direct * 100, palette.VERMILLION)
    chart.line(t.connections, t.pooled * 100, palette.BLUE, dashed=True)
    chart.mark(plan.productive_target, palette.GREEN, f"target {n(plan.productive_target)}", row)
    for other, tag, colour in ((baseline, tags[0], palette.GREY), (plan, tags[1], palette.ORANGE)):
        if other is None:
            continue
        row += 1
        share, _ = throughput_at_max_connections(other)
        chart.mark(
            other.max_connections,
            colour,
            f"{_tagged(tag)}max_connections {n(other.max_connections)}: {share * 100:.0f} % of peak",
            row,
        )
        chart.point(other.max_connections, share * 100, colour)
    if plan.provider is not None:
        chart.mark(
            plan.provider.max_connections,
            palette.VERMILLION,
            f"provider limit {n(plan.provider.max_connections)}",
            row + 1,
        )
    chart.axes(
        "Throughput vs active connections",
        "active connections (log scale)",
        "throughput (% of peak)",
        _log_ticks(highest),
        [(v, f"{v:g} %") for v in range(0, 101, 20)],
    )
    legend = [("direct to PostgreSQL", palette.VERMILLION, False), ("through the pooler", palette.BLUE, True)]
    if baseline is not None:
        legend.append((f"{tags[0] or 'baseline'} (grey)", palette.GHOST, False))
    chart.legend(legend)
    return chart.svg("Relative throughput against active connections")


def memory_svg(plan: Plan, baseline: Plan | None = None, tags: tuple[str, str] = ("", ""), id_suffix: str = "") -> str:
    """Memory against connections with RAM as the line not to cross; the baseline's curves in grey."""
    c = plan.memory_curve
    highest_x = max(float(c.connections[-1]), float(baseline.memory_curve.connections[-1]) if baseline else 0.0)
    ram = max(c.ram_bytes, baseline.memory_curve.ram_bytes if baseline else 0) / GB
    top = ram * 1.6
    chart = Chart(f"memory{id_suffix}", (0, highest_x), (0, top))
    if baseline is not None:
        b = baseline.memory_curve
        for values, dashed in ((b.typical, False), (b.heavy_fraction, False), (b.worst_case, True)):
            chart.line(b.connections, values / GB, palette.GHOST, dashed=dashed, width=3, opacity=0.7)
    for values, colour, dashed in (
        (c.typical, palette.BLUE, False),
        (c.heavy_fraction, palette.ORANGE, False),
        (c.worst_case, palette.VERMILLION, True),
    ):
        chart.line(c.connections, values / GB, colour, dashed=dashed)
    chart.line([0, highest_x], [c.ram_bytes / GB] * 2, palette.INK, width=1.5)
    chart.items.append(
        f"<text x='{chart.px(highest_x) - 4:.1f}' y='{chart.py(c.ram_bytes / GB) - 5:.1f}' text-anchor='end'"
        f" font-size='12' paint-order='stroke' stroke='white' stroke-width='4'>RAM {human_size(c.ram_bytes)}</text>"
    )
    chart.mark(plan.ram_ceiling, palette.BLUE, f"RAM ceiling {n(plan.ram_ceiling)}", 0)
    row = 0
    for other, tag, colour in ((baseline, tags[0], palette.GREY), (plan, tags[1], palette.ORANGE)):
        if other is not None:
            row += 1
            m = other.memory_curve  # memory in use, shared_buffers and the OS included, as the curves draw it
            in_use = float(np.interp(other.max_connections, m.connections, m.heavy_fraction))
            label = f"{_tagged(tag)}max_connections {n(other.max_connections)}: {human_size(in_use)} in use"
            chart.mark(other.max_connections, colour, label, row)
            if in_use / GB <= top:
                chart.point(other.max_connections, in_use / GB, colour)
    ticks = _linear_ticks(top)
    x_ticks = [(x, n(int(x))) for x in _linear_ticks(highest_x)]
    chart.axes("Memory vs connections", "connections", "memory (GB)", x_ticks, [(y, f"{y:g}") for y in ticks])
    legend = [
        ("typical", palette.BLUE, False),
        ("heavy fraction", palette.ORANGE, False),
        ("worst case", palette.VERMILLION, True),
    ]
    if baseline is not None:
        legend.append((f"{tags[0] or 'baseline'} (grey)", palette.GHOST, False))
    chart.legend(legend)
    return chart.svg("Memory in use against connections")


def budget_svg(plan: Plan, id_suffix: str = "") -> str:
    """The max_connections budget as one stacked bar, each line labelled where it fits, then the headroom."""
    segments = [(b.name, b.connections, b.key) for b in plan.budget if b.counts_against == "max_connections"]
    if plan.headroom > 0:
        segments.append(("headroom", plan.headroom, "headroom"))
    key = _key_lines(
        [
            (f"<tspan fill='{palette.BUDGET.get(k, palette.GREY)}'>■</tspan> {escape(name)} {n(width)}", len(name) + 8)
            for name, width, k in segments
        ]
    )
    widest = max(plan.max_connections, plan.max_connections_required, 1) * 1.04
    bottom = 30 + 15 * len(key)
    chart = Chart(f"budget{id_suffix}", (0, widest), (0, 1), height=BUDGET_HEIGHT + bottom, bottom=bottom)
    y0 = TOP + 6
    bar = BUDGET_HEIGHT - TOP - 12
    start = 0.0
    for name, width, colour_key in segments:
        x0, x1 = chart.px(start), chart.px(start + width)
        colour = palette.BUDGET.get(colour_key, palette.GREY)
        chart.items.append(
            f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{max(x1 - x0, 0.5):.1f}' height='{bar:.1f}' fill='{colour}'"
            f" stroke='white'><title>{escape(name)}: {n(width)}</title></rect>"
        )
        text = next((t for t in (f"{name} {n(width)}", n(width)) if len(t) * 7 <= x1 - x0 - 6), "")
        ink = palette.INK if colour_key in ("headroom", "long_transactions") else "white"
        if text:
            chart.items.append(
                f"<text x='{(x0 + x1) / 2:.1f}' y='{y0 + bar / 2 + 4:.1f}' text-anchor='middle' font-size='11'"
                f" fill='{ink}'>{escape(text)}</text>"
            )
        start += width
    limit = chart.px(plan.max_connections)
    chart.items.append(
        f"<line x1='{limit:.1f}' x2='{limit:.1f}' y1='{y0 - 4:.1f}' y2='{y0 + bar + 4:.1f}' stroke='{palette.ORANGE}'"
        " stroke-width='3'/>"
    )
    for i, parts in enumerate(key):
        y = BUDGET_HEIGHT + 34 + 15 * i
        chart.items.append(f"<text x='{LEFT}' y='{y:.0f}' font-size='11'>{'  ·  '.join(parts)}</text>")
    title = f"max_connections budget: {n(plan.max_connections_required)} required of {n(plan.max_connections)}"
    chart.axes(title, "", "", [(x, n(int(x))) for x in _linear_ticks(widest)], [])
    return chart.svg("The max_connections budget, line by line")


def _key_lines(entries: list[tuple[str, int]]) -> list[list[str]]:
    """The key's entries (markup, length in characters) in lines of at most KEY_CHARS characters."""
    lines: list[list[str]] = [[]]
    used = 0
    for text, length in entries:
        if used + length > KEY_CHARS and lines[-1]:
            lines.append([])
            used = 0
        lines[-1].append(text)
        used += length
    return lines

"""The charts as SVG: a thin renderer of :mod:`pgplanner.present.charts`, no Qt, no fonts or images to fetch.

The HTML report embeds them inline, so it works offline and by e-mail. Every mark, word and place
comes from the chart's specification, built for this renderer's frame (a fixed width, text widths
estimated conservatively), so the report shows what the window shows.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np

from ..model import Plan
from .charts import CHARTS, WINDOW, Chart, Frame, KeyEntry, Names, Rule, Series
from .charts.layout import BOLD
from .charts.spec import DOT_EDGE, DOT_RADIUS
from .charts.text import estimate
from .palette import LIGHT, Theme

WIDTH = 640
PLOT_HEIGHT = 240  # pixels of a plot area; a chart of bars has its own
BARS_HEIGHT = {"budget": 96}
LEFT, RIGHT = 64, 18  # pixels left of the plot area (tick labels, the axis' words) and right of it
BUDGET_LEFT = 124  # room for "max_wal_senders"
HEADING_SIZE, LABEL_SIZE, TICK_SIZE, KEY_SIZE = 12, 12, 11, 12
LINE = 17  # pixels per line of the heading
ROW = 16  # pixels per row of labels in the band
MARGIN = 10
KEY_GLYPH, HEADING_GAP = 24.0, 12.0  # a key entry's stroke and the space after it; between two pieces
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"
LABEL_WIDTH, HEADING_WIDTH = estimate(LABEL_SIZE), estimate(HEADING_SIZE)
GHOST_OPACITY = 0.7


def frame_for(name: str) -> tuple[Frame, int]:
    """The frame a chart is placed in for the report, and the pixels left of it."""
    left = BUDGET_LEFT if name == "budget" else LEFT
    width = WIDTH - left - RIGHT
    height = BARS_HEIGHT.get(name, PLOT_HEIGHT)
    frame = Frame(width, height, LABEL_WIDTH, ROW, WIDTH - 2 * MARGIN, HEADING_WIDTH, RIGHT - 2, KEY_GLYPH, HEADING_GAP)
    return frame, left


def chart_svg(name: str, plan: Plan, baseline: Plan | None = None, names: Names = WINDOW, id_suffix: str = "",
              theme: Theme = LIGHT) -> str:  # fmt: skip
    """One of the charts (``"throughput"``, ``"memory"``, ``"budget"``) of ``plan`` as SVG."""
    frame, left = frame_for(name)
    return render(CHARTS[name](plan, frame, baseline, names), left, id_suffix, theme)


def render(chart: Chart, left: int = LEFT, id_suffix: str = "", theme: Theme = LIGHT) -> str:
    """``chart`` as an SVG element, its plot area ``left`` pixels from the left edge."""
    c = theme.colour
    top = MARGIN + LINE * len(chart.heading) + 8
    bottom = top + chart.height
    height = bottom + 22 + (18 if chart.x.label else 0) + MARGIN
    clip = f"{chart.name}{id_suffix}"
    items = [f"<rect width='{WIDTH}' height='{height:.0f}' fill='{c('paper')}'/>"]
    items += _heading(chart, theme)
    items += _axes(chart, left, top, c)
    inside = [f"<g transform='translate({left} {top})'>"]
    inside += [_bar(chart, s, c("paper"), theme) for s in chart.bars]
    inside += [_series(chart, s, theme, clip) for s in chart.series if s.ghost]
    inside += [_rule(m.rule, c) for m in chart.marks if m.rule is not None]
    inside += [_series(chart, s, theme, clip) for s in chart.series if not s.ghost]
    for label in chart.labels():
        ink = theme.ink_on(label.on) if label.on else theme.words(label.colour)
        anchor = "middle" if label.on else "start"
        x = label.box.x + label.box.w / 2 if label.on else label.box.x
        inside.append(
            f"<text x='{x:.1f}' y='{label.box.y + label.box.h * 0.76:.1f}' font-size='{LABEL_SIZE}' fill='{ink}'"
            f" text-anchor='{anchor}'>{escape(label.text)}</text>"
        )
    inside.append("</g>")
    items += inside
    description = f"{chart.title}: " + "; ".join(m.text for m in chart.marks)
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height:.0f}' role='img'"
        f" style='{FONT}' fill='{c('ink')}'><title>{escape(description)}</title>"
        f"<clipPath id='{clip}'><rect x='0' y='{chart.data_top:.1f}' width='{chart.width:.1f}'"
        f" height='{chart.height - chart.data_top:.1f}'/></clipPath>{''.join(items)}</svg>"
    )


def _heading(chart: Chart, theme: Theme) -> list[str]:
    """The heading's lines as the chart packed them: the title, notes, marks off the view, the key."""
    c = theme.colour
    items = []
    for i, line in enumerate(chart.heading):
        x, y = float(MARGIN), MARGIN + LINE * i + 11
        for run in line:
            if run.kind == "key" and run.entry is not None:
                items.append(_glyph(run.entry, x, y - 4, c))
                items.append(f"<text x='{x + 24:.1f}' y='{y}' font-size='{KEY_SIZE}'>{escape(run.text)}</text>")
                x += KEY_GLYPH + HEADING_WIDTH(run.text) + HEADING_GAP
                continue
            style = {
                "title": "font-weight='600'",
                "note": f"fill='{c('muted')}'",
                "mark": f"fill='{theme.words(run.colour or 'ink')}'",
            }[run.kind]
            items.append(f"<text x='{x:.1f}' y='{y}' font-size='{HEADING_SIZE}' {style}>{escape(run.text)}</text>")
            x += HEADING_WIDTH(run.text) * (BOLD if run.kind == "title" else 1) + HEADING_GAP
    return items


def _axes(chart: Chart, left: int, top: float, c) -> list[str]:
    right, bottom = left + chart.width, top + chart.height
    items = []
    for value, text in chart.y.ticks:
        y = top + chart.py(value)
        if chart.grid == "y":
            items.append(f"<line x1='{left}' x2='{right:.1f}' y1='{y:.1f}' y2='{y:.1f}' stroke='{c('grid')}'/>")
        items.append(
            f"<text x='{left - 6}' y='{y + 4:.1f}' text-anchor='end' font-size='{TICK_SIZE}'>{escape(text)}</text>"
        )
    for value, text in chart.x.ticks:
        x = left + chart.px(value)
        if chart.grid == "x":
            items.append(f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{top}' y2='{bottom}' stroke='{c('grid')}'/>")
        items.append(
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{bottom}' y2='{bottom + 4}' stroke='{c('ink')}'/>"
            f"<text x='{x:.1f}' y='{bottom + 16}' text-anchor='middle' font-size='{TICK_SIZE}'>{escape(text)}</text>"
        )
    items.append(
        f"<line x1='{left}' x2='{right:.1f}' y1='{bottom}' y2='{bottom}' stroke='{c('ink')}'/>"
        f"<line x1='{left}' x2='{left}' y1='{top}' y2='{bottom}' stroke='{c('ink')}'/>"
    )
    if chart.x.label:
        items.append(
            f"<text x='{left + chart.width / 2:.0f}' y='{bottom + 33}' text-anchor='middle'"
            f" font-size='{LABEL_SIZE}'>{escape(chart.x.label)}</text>"
        )
    if chart.y.label:
        middle = top + chart.height / 2
        items.append(
            f"<text transform='translate(14 {middle:.0f}) rotate(-90)' text-anchor='middle'"
            f" font-size='{LABEL_SIZE}'>{escape(chart.y.label)}</text>"
        )
    return items


def _series(chart: Chart, series: Series, theme: Theme, clip: str) -> str:
    colour = theme.colour(series.colour)
    opacity = f" stroke-opacity='{GHOST_OPACITY}'" if series.ghost else ""
    if series.kind == "points":
        return "".join(
            f"<circle cx='{chart.px(float(x)):.1f}' cy='{chart.py(float(y)):.1f}' r='{DOT_RADIUS - DOT_EDGE / 2:g}'"
            f" fill='{colour}' stroke='{theme.colour('paper')}' stroke-width='{DOT_EDGE:g}'{opacity}/>"
            for x, y in zip(series.xs, series.ys, strict=True)
        )
    dash = " stroke-dasharray='7 4'" if series.dash else ""
    return "".join(
        f"<polyline points='{points}' fill='none' stroke='{colour}' stroke-width='{series.width}'{opacity}"
        f" stroke-linejoin='round'{dash} clip-path='url(#{clip})'/>"
        for points in _polylines(chart, series)
    )


def _polylines(chart: Chart, series: Series) -> list[str]:
    """The curve's parts between NaN (where it left the data area), as SVG point lists."""
    xs = chart.x.fractions(np.asarray(series.xs, dtype=float)) * chart.width
    ys = (1 - chart.y.fractions(np.asarray(series.ys, dtype=float))) * chart.height
    parts: list[str] = []
    current: list[str] = []
    for x, y in zip(xs, ys, strict=True):
        if math.isnan(y):
            if len(current) > 1:
                parts.append(" ".join(current))
            current = []
        else:
            current.append(f"{x:.1f},{y:.1f}")
    if len(current) > 1:
        parts.append(" ".join(current))
    return parts


def _rule(rule: Rule, c) -> str:
    dash = " stroke-dasharray='5 3'" if rule.dash else ""
    opacity = f" stroke-opacity='{GHOST_OPACITY}'" if rule.ghost else ""
    return (
        f"<line x1='{rule.x1:.1f}' x2='{rule.x2:.1f}' y1='{rule.y1:.1f}' y2='{rule.y2:.1f}' stroke='{c(rule.colour)}'"
        f" stroke-width='{rule.width}'{dash}{opacity}/>"
    )


def _bar(chart: Chart, segment, paper: str, theme: Theme) -> str:
    row = dict(chart.rows)[segment.row]
    x0, x1 = chart.px(segment.start), chart.px(segment.start + segment.width)
    y0, y1 = chart.py(row + chart.bar_height / 2), chart.py(row - chart.bar_height / 2)
    return (
        f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{max(x1 - x0, 0.5):.1f}' height='{y1 - y0:.1f}'"
        f" fill='{theme.colour(segment.colour)}' stroke='{paper}'><title>{escape(segment.name)}: "
        f"{segment.width:g}</title></rect>"
    )


def _glyph(entry: KeyEntry, x: float, y: float, c) -> str:
    colour = c(entry.colour)
    if entry.glyph == "dot":
        return f"<circle cx='{x + 10:.1f}' cy='{y:.1f}' r='4' fill='{colour}'/>"
    if entry.glyph == "box":
        return f"<rect x='{x + 5:.1f}' y='{y - 5:.1f}' width='10' height='10' fill='{colour}'/>"
    dash = " stroke-dasharray='6 3'" if entry.glyph == "dash" else ""
    return (
        f"<line x1='{x:.1f}' x2='{x + 20:.1f}' y1='{y:.1f}' y2='{y:.1f}' stroke='{colour}' stroke-width='2.5'{dash}/>"
    )

"""One chart specification, two renderers: the report's SVG and the window's pyqtgraph plot of the same
chart carry the same words and the same marks, where the specification put them (hypothesis over
random plans, with providers, baselines and measured points)."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from pgplanner.model import plan
from pgplanner.present.charts import Chart, Rule
from pgplanner.present.svg import render
from pgplanner.ui.plots import GLYPHS, HEADING_SEPARATOR, BudgetPlot, MemoryPlot, PlotPanel, ThroughputPlot

from ..present.strategies import drawable

SIZE = (620, 420)


@pytest.fixture(scope="module")
def panels(qapp):
    shown = {"throughput": ThroughputPlot(), "memory": MemoryPlot(), "budget": BudgetPlot()}
    for panel in shown.values():
        panel.resize(*SIZE)
        panel.show()
    qapp.processEvents()
    yield shown
    for panel in shown.values():
        panel.close()


def window_words(panel: PlotPanel) -> list[str]:
    """Every word the pyqtgraph plot shows: heading pieces, labels, axis words and tick texts."""
    words = []
    for line in panel.plot.titleLabel.text.split("<br>"):
        for piece in line.split(HEADING_SEPARATOR):
            text = html.unescape(re.sub(r"<[^>]+>", "", piece)).replace("\u00a0", " ").strip()
            for glyph in GLYPHS.values():
                text = text.removeprefix(glyph).strip()
            words.append(text)
    words += [item.text() for item in panel.labels if item.isVisible()]
    for side in ("bottom", "left"):
        axis = panel.plot.getAxis(side)
        words.append(axis.labelText)
        words += [text for level in axis._tickLevels or [] for _, text in level]
    return [w for w in words if w]


def svg_words(svg: str) -> list[str]:
    body = svg.split("</title>", 1)[1]  # the description is for screen readers, not drawn
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", body) if t]


def window_rules(panel: PlotPanel) -> list[tuple[float, float, float, float]]:
    """Each visible mark line in plot-area pixels, read back from where pyqtgraph draws it."""
    found = []
    for item in panel.rules.values():
        if item.isVisible():
            ends = [panel.vb.mapFromItem(item, point) for point in (item.line().p1(), item.line().p2())]
            found.append((ends[0].x(), ends[0].y(), ends[1].x(), ends[1].y()))
    return found


def svg_rules(svg: str) -> list[tuple[float, float, float, float]]:
    plot_area = svg.split("<g transform=", 1)[1]
    return [
        tuple(float(v) for v in m)
        for m in re.findall(r"<line x1='([-\d.]+)' x2='([-\d.]+)' y1='([-\d.]+)' y2='([-\d.]+)'", plot_area)
    ]


def _same(found: list[tuple[float, ...]], rules: list[Rule], svg: bool) -> bool:
    """Whether ``found`` are the rules, each within a rounding of its place (in any order)."""
    left = list(found)
    for r in rules:
        expected = (r.x1, r.x2, r.y1, r.y2) if svg else (r.x1, r.y1, r.x2, r.y2)
        match = next((f for f in left if max(abs(a - b) for a, b in zip(f, expected, strict=True)) <= 0.6), None)
        if match is None:
            return False
        left.remove(match)
    return not left


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_the_report_and_the_window_draw_one_chart_alike(panels, data):
    name = data.draw(st.sampled_from(sorted(panels)), "chart")
    try:
        planned = plan(data.draw(drawable(), "scenario"))
        pinned = data.draw(st.none() | drawable(), "baseline")
        baseline = pinned and plan(pinned)
    except ZeroDivisionError:  # the model's own, reported apart
        reject()
    panel = panels[name]
    chart: Chart = panel.chart_for(planned, baseline)
    panel.draw(chart)
    svg = render(chart)
    assert sorted(window_words(panel)) == sorted(svg_words(svg))
    rules = [m.rule for m in chart.marks if m.rule is not None]
    assert _same(window_rules(panel), rules, svg=False)
    assert _same(svg_rules(svg), rules, svg=True)

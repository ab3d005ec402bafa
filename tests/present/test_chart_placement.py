"""Every chart, for any plan and any frame: no two labels overlap, none leaves the plot, none covers the
data it labels, and the curves stay under the labels' band (hypothesis over random plans, with and
without a provider, a baseline and measured points, in frames from a small tab to a large screen)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from pgplanner.model import plan
from pgplanner.present.charts import CHARTS, COMPARISON, WINDOW, Chart, Frame
from pgplanner.present.charts.placement import Obstacles
from pgplanner.present.charts.text import estimate

from .strategies import drawable

settings.register_profile(
    "charts", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("charts")


@st.composite
def frames(draw: st.DrawFn) -> Frame:
    size = draw(st.sampled_from([10, 11, 12, 13, 14]))
    width = draw(st.floats(180, 1400))
    return Frame(
        width,
        draw(st.floats(90, 800)),
        estimate(size),
        size * 1.35,
        heading_width=width + draw(st.floats(0, 120)),
        right_room=draw(st.floats(0, 20)),
    )


def drawn(name: str, data: st.DataObject) -> Chart:
    scenario = data.draw(drawable(), "scenario")
    baseline = data.draw(st.none() | drawable(), "baseline")
    names = data.draw(st.sampled_from([WINDOW, COMPARISON]), "names")
    try:
        planned, pinned = plan(scenario), baseline and plan(baseline)
    except ZeroDivisionError:  # the model's, reported apart (safe_work_mem with no connection opened)
        reject()
    return CHARTS[name](planned, data.draw(frames(), "frame"), pinned, names)


def pixels(chart: Chart) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (
            chart.x.fractions(np.asarray(s.xs, float)) * chart.width,
            (1 - chart.y.fractions(np.asarray(s.ys, float))) * chart.height,
        )
        for s in chart.series
        if s.kind == "line"
    ]


def check(chart: Chart) -> None:
    labels = chart.labels()
    for a, b in combinations(labels, 2):
        assert not a.box.overlaps(b.box), (a, b)
    for label in labels:
        assert label.box.within(0, 0, chart.width, chart.height), label
    rules = [m.rule for m in chart.marks if m.rule is not None]
    for label in labels:
        assert not any(rule.crosses(label.box) for rule in rules), label
    for mark in chart.marks:
        if mark.label is not None and mark.axis == "x":  # a mark's label: in the band, over no data
            assert mark.label.box.bottom <= chart.data_top + 1e-6, mark
    curves = Obstacles(pixels(chart), [(chart.px(float(x)), chart.py(float(y))) for s in chart.series
                                       if s.kind == "points" for x, y in zip(s.xs, s.ys, strict=True)])  # fmt: skip
    for mark in chart.marks:
        if mark.label is not None and mark.axis == "y":  # beside a horizontal line: over no curve or point
            assert not curves.covered(mark.label.box, gap=0), mark
    for series in chart.series:  # the data stays under the band
        ys = np.asarray(series.ys, float)
        finite = ys[np.isfinite(ys)]
        assert all(chart.py(float(y)) >= chart.data_top - 1e-6 for y in finite), series.key
    rows = dict(chart.rows)
    for segment in chart.bars:
        if segment.label is not None:
            box, row = segment.label.box, rows[segment.row]
            left, right = chart.px(segment.start), chart.px(segment.start + segment.width)
            top, bottom = chart.py(row + chart.bar_height / 2), chart.py(row - chart.bar_height / 2)
            assert box.within(left, top, right, bottom), segment


@given(st.data())
def test_throughput_labels_are_readable(data):
    check(drawn("throughput", data))


@given(st.data())
def test_memory_labels_are_readable(data):
    check(drawn("memory", data))


@given(st.data())
def test_budget_labels_are_readable(data):
    check(drawn("budget", data))

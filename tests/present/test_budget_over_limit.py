"""The budget bars never hide a limit the budget runs past, and never key a mark they do not draw."""

from __future__ import annotations

from pgplanner.model import Scenario, plan
from pgplanner.present.charts import WINDOW, Frame
from pgplanner.present.charts.budget import budget_chart
from pgplanner.present.svg import chart_svg

from ..scenarios import preset

FRAME = Frame(800.0, 60.0, lambda text: 7.0 * len(text), 16.0, 900.0, lambda text: 7.0 * len(text), 14.0, 14.0, 14.0)


def test_a_budget_past_a_hard_limit_is_marked_over_it():
    """heroku/standard-0 allows 120 (Heroku's published limit); with no pooler: 10 app instances x 20 + 3
    monitoring + 2 admin + 3 superuser slots = 208 on the bar. The limit's stroke reaches past the bar's
    edges (seen above and below it), and the 88 beyond it are underlined and say "208 required > 120"."""
    result = plan(preset("heroku/standard-0", pooler="none"))
    chart = budget_chart(result, FRAME)
    over = chart.mark("over_limit")
    assert over is not None and over.text == "208 required > 120"
    assert over.label is not None and over.label.text == "208 required > 120"
    assert over.rule is not None
    assert (over.rule.x1, over.rule.x2) == (chart.px(120), chart.px(208))
    limit = chart.mark("max_connections")
    assert limit is not None and limit.rule is not None
    bar_top, bar_bottom = chart.py(1 + chart.bar_height / 2), chart.py(1 - chart.bar_height / 2)
    assert limit.rule.y1 < bar_top and limit.rule.y2 > bar_bottom
    # no segment's words under the over label
    for s in chart.bars:
        if s.label is not None:
            assert not s.label.box.overlaps(over.label.box), s.name
    assert "208 required &gt; 120" in chart_svg("budget", result)


def test_a_budget_within_its_limit_has_no_over_mark():
    assert budget_chart(plan(Scenario()), FRAME).mark("over_limit") is None


def test_a_baseline_off_the_budget_axis_is_keyed_with_an_arrow():
    """The defaults (max_connections 30: the axis ends at 31.2) beside a baseline of 1,000: off the right."""
    baseline = plan(Scenario().with_changes(max_connections=1000))
    chart = budget_chart(plan(Scenario().with_changes(max_connections=30)), FRAME, baseline, WINDOW)
    assert "baseline max_connections 1,000 \u2192" in [entry.label for entry in chart.key]
    near = budget_chart(plan(Scenario().with_changes(max_connections=30)), FRAME, plan(Scenario()), WINDOW)
    assert "baseline max_connections 30" in [entry.label for entry in near.key]

"""The comparison report's tables: no column that is always empty, no setting name broken mid-word."""

from __future__ import annotations

import re
from pathlib import Path

from pgplanner.model import plan
from pgplanner.model.serialization import read_scenario_file
from pgplanner.present.report import render_html_report

EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"


def _compared() -> str:
    a = plan(read_scenario_file(EXAMPLES / "direct-1000.json"))
    b = plan(read_scenario_file(EXAMPLES / "pgbouncer-100.json"))
    return render_html_report(b, a)


def test_the_settings_that_differ_have_no_empty_change_column():
    """A setting's values are words ('*' against 'localhost'): there is no B - A to show, so no column for it."""
    html = _compared()
    table = re.search(r"<h3>postgresql.conf settings \(\d+\)</h3>(<table.*?</table>)", html, re.S)
    assert table is not None
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", table.group(1))
    assert headers == ["", "A", "B"]
    assert ">*</td>" in table.group(1) and ">localhost</td>" in table.group(1)


def test_side_by_side_a_long_setting_name_wraps_at_its_underscores():
    """idle_in_transaction_session_timeout is wider than the Why column of half a page: it may break after an
    underscore (Chromium breaks at <wbr>), not between "timeo" and "ut"."""
    html = _compared()
    assert "<b>idle_<wbr>in_<wbr>transaction_<wbr>session_<wbr>timeout by profile" in html

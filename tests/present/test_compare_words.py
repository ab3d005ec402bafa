"""The comparison's rows, as ``pgplanner compare``, the HTML report and the window's Compare tab all read
them (one presentation layer): each row says what it is, once, in words."""

from __future__ import annotations

import itertools
import re
from html import escape

import pytest

from pgplanner.assets import example_scenarios
from pgplanner.model import Plan, Scenario, plan
from pgplanner.model.serialization import read_scenario_file
from pgplanner.present.compare import difference_rows, render_comparison
from pgplanner.present.report import render_html_report

# The textbook USL with sigma 0.04 and kappa 0.0008 (peak sqrt(0.96 / 0.0008) = 34.6), as a sweep measures it.
SWEEP = [
    {"connections": n, "tps": 1000 * n / (1 + 0.04 * (n - 1) + 0.0008 * n * (n - 1))} for n in (1, 2, 4, 8, 16, 32, 64)
]
CODE = re.compile(r"[A-Z]+(_[A-Z]+)+")


def _example(name: str) -> Plan:
    return plan(read_scenario_file(example_scenarios()[name]))


def _measured(name: str) -> Plan:
    scenario = read_scenario_file(example_scenarios()[name]).model_dump()
    return plan(Scenario.model_validate({**scenario, "measurements": SWEEP, "measured_on": "a pgbench sweep"}))


PAIRS = [
    pytest.param(_example(a), _example(b), id=f"{a}-{b}") for a, b in itertools.combinations(example_scenarios(), 2)
]
PAIRS += [pytest.param(_example(n), _measured(n), id=f"{n}-measured") for n in ("small-web-app", "direct-1000")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_no_two_rows_read_alike_and_none_is_a_code_or_a_python_word(a, b):
    for group, rows in difference_rows(a, b):
        titles = [row.title.lower() for row in rows]
        assert sorted({t for t in titles if titles.count(t) > 1}) == [], group  # "productive target" twice
        for row in rows:
            assert not CODE.fullmatch(row.title), row  # HEAVY_FRACTION_OVER_RAM
            assert {row.a, row.b} & {"True", "False", "true", "false"} == set(), row


def test_the_cli_and_the_report_name_the_rows_alike():
    a, b = _example("direct-1000"), _measured("direct-1000")
    cli = " ".join(render_comparison(a, b).split())
    report = render_html_report(b, a, ("direct-1000", "measured"))
    for _, rows in difference_rows(a, b):
        for row in rows:
            assert row.title in cli and escape(row.title) in report, row.title


def test_a_port_reads_as_pgbouncer_ini_writes_it_and_a_flag_as_yes_or_no():
    a, b = _example("direct-1000"), _measured("pgbouncer-100")
    rows = {row.title: row for _, group in difference_rows(a, b) for row in group}
    assert rows["pgbouncer.ini: port of PostgreSQL"].b == "5432"  # PostgreSQL's port, not "5,432"
    assert rows["listen_port"].b == "6432"  # PgBouncer's
    assert (
        rows["productive target taken from measurements"].a,
        rows["productive target taken from measurements"].b,
    ) == (
        "no",
        "yes",
    )
    given = {row.title: row for row in dict(difference_rows(a, b))["Inputs"]}
    assert given["max_connections"].a == "1,000"  # the input as the output beside it writes it, not "1000"
    sigma, kappa = rows["USL sigma (contention)"], rows["USL kappa (coherency)"]
    assert (sigma.b, kappa.b) == ("0.04", "0.0008")  # the sweep's own shape, fitted back

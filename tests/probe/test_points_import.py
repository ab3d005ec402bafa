"""Points measured elsewhere: pgbench's own output (recorded from pgbench 15 here) or a CSV of clients,tps."""

from pathlib import Path

import pytest

from pgplanner.probe.pgbench import MeasureError, points_from_text

DATA = Path(__file__).parent / "data"

# pgbench 13 and older print two tps lines; the one without connection time is the measurement.
PGBENCH_12 = """transaction type: <builtin: select only>
scaling factor: 1
number of clients: 8
number of threads: 8
duration: 5 s
latency average = 0.310 ms
tps = 25780.123456 (including connections establishing)
tps = 25832.654321 (excluding connections establishing)
"""


def test_pgbench_output_of_two_runs():
    text = (DATA / "pgbench15_two_runs.txt").read_text()
    assert points_from_text(text, "runs.txt") == [(1, 20724.571757, 0.048), (4, 28867.447170, 0.139)]


def test_old_pgbench_output_takes_the_tps_without_connection_time():
    assert points_from_text(PGBENCH_12, "old.txt") == [(8, 25832.654321, 0.31)]


def test_csv_with_a_header():
    assert points_from_text("clients,tps\n1,1000\n2, 1900.5\n\n4,3500\n", "p.csv") == [
        (1, 1000.0, None),
        (2, 1900.5, None),
        (4, 3500.0, None),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clients,tps\n1,1000\n2,lots\n", "p.csv, line 3: expected clients,tps"),
        ("clients,tps\n0,1000\n", "p.csv, line 2: clients must be 1 or more"),
        ("", "p.csv: no points"),
        ("transaction type: <builtin: select only>\nnumber of clients: 1\n", "p.csv: pgbench output without"),
    ],
)
def test_bad_points_name_the_line(text, expected):
    with pytest.raises(MeasureError, match=expected):
        points_from_text(text, "p.csv")

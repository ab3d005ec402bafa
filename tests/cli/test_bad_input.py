"""Bad input of any kind: exit status 2, one line on stderr naming the option or field, no traceback."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pgplanner.model import FIELDS

from .runner import run

BAD_OPTIONS = [
    (["--cores", "0"], "--cores: must be a whole number from 1 to 1,024 (got '0')"),
    (["--cores", "many"], "--cores: must be a whole number"),
    (["--cores", "2.5"], "--cores: must be a whole number"),
    (["--ram", "64"], "--ram: '64' needs a unit, e.g. 64GB"),
    (["--ram", "100PB"], "--ram: '100PB' has an unknown unit"),
    (["--ram", "128MB"], "--ram: must be a size from 256MB to 64TB"),
    (["--work-mem=-4MB"], "--work-mem: '-4MB' is not a size"),
    (["--storage", "tape"], "--storage: must be one of hdd, ssd, nvme, network (got 'tape')"),
    (["--pg-version", "12"], "--pg-version: must be a whole number from 13 to 18"),
    (["--heavy-fraction", "1.5"], "--heavy-fraction: must be a number from 0 to 1"),
    (["--txn-ms", "nan"], "--txn-ms: must be a number"),
    (["--txn-ms", "inf"], "--txn-ms: must be a number"),
    (["--max-connections", "300000"], "--max-connections: must be a whole number from 1 to 262,143"),
    (["--pooler", "odyssey"], "--pooler: must be one of none, pgbouncer, pgcat, provider"),
    (["--corez", "4"], "unrecognized arguments: --corez 4 (did you mean --cores?)"),
    (["--cores"], "argument --cores: expected one argument"),
    (["--scenario", "/nonexistent/s.json"], "/nonexistent/s.json: cannot read"),
]


@pytest.mark.parametrize("args, says", BAD_OPTIONS)
def test_bad_option_exits_2_with_one_line(args, says):
    result = run("plan", *args)
    assert result.status == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_bad_scenario_file_names_file_and_field(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"workload": {"listeners": -1}}')
    result = run("plan", "--scenario", str(bad))
    assert result.status == 2
    assert f"{bad}: workload.listeners: must be a whole number from 0 to 100,000 (got -1)" in result.stderr


def test_an_option_cannot_hide_a_broken_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"hardware": {"cores": 0}}')
    assert run("plan", "--scenario", str(bad), "--cores", "8").status == 2


def test_unknown_command():
    result = run("plann")
    assert result.status == 2
    assert "invalid choice" in result.stderr


ARGUMENT_TEXT = st.text(string.printable + "µé€", max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([s.option for s in FIELDS.values() if s.kind != "flag"]), ARGUMENT_TEXT)
def test_no_value_produces_a_traceback(option, value):
    result = run("plan", "--json", f"{option}={value}")
    assert result.status in (0, 1, 2)
    assert "Traceback" not in result.stderr
    if result.status == 2:
        assert result.stderr.count("\n") == 1 and option in result.stderr
    if result.status == 1:  # a valid value that makes the plan impossible: one line per blocking error
        assert all(line.startswith("pgplanner: blocking error ") for line in result.stderr.splitlines())


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_no_file_produces_a_traceback(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("fuzz") / "s.json"
    path.write_bytes(content)
    result = run("plan", "--json", "--scenario", str(path))
    assert result.status in (0, 2)
    assert "Traceback" not in result.stderr

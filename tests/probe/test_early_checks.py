"""Input that cannot work is refused before pgplanner even connects: exit status 2, one line."""

import sys

import pytest

from tests.cli.runner import run

NOWHERE = "host=/nonexistent-socket-dir dbname=app"  # a connection attempt would fail with status 3


@pytest.mark.parametrize(
    ("watch", "says"),
    [("nan", "--watch: seconds from 0 to 86400 (got nan)"), ("inf", "(got inf)"), ("-1", "(got -1)")],
)
def test_a_watch_that_cannot_end_or_start_is_refused(watch, says):
    result = run("probe", "--dsn", NOWHERE, f"--watch={watch}")
    assert result.status == 2 and says in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    ("options", "says"),
    [
        (("--warmup=-5",), "--warmup: whole seconds from 0 to 3600 (got -5)"),
        (("--clients", "2,2,2"), "--clients: 2 given more than once; give each count once (--repeat N"),
        (
            ("--pgbench", sys.executable),
            "--pgbench: " + sys.executable + " is not pgbench: its --version does not say 'pgbench (PostgreSQL) N'",
        ),
        (("--pgbench", "/bin/true"), "is not pgbench"),
        (("--script", "/nonexistent.sql"), "--script: no such readable file"),
        (("--pgbench", "/nonexistent/pgbench"), "--pgbench: not an executable file"),
        (("--clients", "1,x"), "--clients: whole numbers"),
        (("--duration", "0"), "--duration: whole seconds"),
        (("--isolated-rate", "100"), "--isolated-rate: give --isolated too"),
        (("--pool-size", "4"), "--pool-size: give --pooler-dsn too"),
    ],
)
def test_a_sweep_that_cannot_work_is_refused_before_connecting(options, says):
    arguments = {"--clients": "1,2", "--duration": "1"}
    arguments.update(dict(zip(options[::2], options[1::2], strict=False)) if len(options) > 1 else {})
    flags = [options[0]] if len(options) == 1 else []
    result = run("measure", "--dsn", NOWHERE, *[x for kv in arguments.items() for x in kv], *flags)
    assert result.status == 2, result.stderr
    assert says in result.stderr and result.stderr.count("\n") == 1


def test_an_isolated_rate_of_nothing_is_refused_before_connecting():
    result = run("measure", "--dsn", NOWHERE, "--clients", "1", "--duration", "1", "--isolated", "--isolated-rate", "0")
    assert result.status == 2 and "--isolated-rate: transactions per second above 0 (got 0)" in result.stderr


@pytest.mark.parametrize("command", ["probe", "measure"])
def test_a_malformed_uri_is_refused_without_echoing_its_password(command):
    extra = ["--clients", "1,2", "--duration", "1"] if command == "measure" else []
    result = run(command, "--dsn", "postgresql://dba:hun%zzter2@db1/app", *extra)
    assert result.status == 2 and result.stderr.count("\n") == 1
    assert "invalid percent-encoded token" in result.stderr
    assert "zzter" not in result.stderr + result.stdout and "db1" not in result.stderr

"""What pgplanner says about a DSN it cannot use names the problem and never repeats any of the DSN."""

import pytest

from pgplanner.model.serialization import InputError
from pgplanner.probe.session import READING, SCRATCH, one_line, parse_dsn, redact


@pytest.mark.parametrize(
    ("dsn", "says", "secret"),
    [
        ("postgresql://dba:hun%zzter2@db1/app", 'invalid percent-encoded token: "…"', "zzter2"),
        ("postgresql://dba:pa55word@[::1/app", 'IPv6 host address in URI: "…"', "pa55word"),
        ("host=db1 password='s3cret", "unterminated quoted string", "s3cret"),
        ("postgresql://dba:s3cret@db1/app?passwrod=x", 'invalid URI query parameter: "…"', "s3cret"),
    ],
)
def test_a_malformed_dsn_is_named_without_echoing_it(dsn, says, secret):
    with pytest.raises(InputError) as refused:
        parse_dsn(dsn)
    message = str(refused.value)
    assert message.startswith("--dsn is not a connection string or URI: ") and says in message
    assert secret not in message and "\n" not in message


def test_parameter_names_and_punctuation_stay_in_the_message():
    with pytest.raises(InputError, match='missing "=" after "port" in connection info string'):
        parse_dsn("host=/tmp port")


def test_secrets_are_blanked_wherever_they_appear():
    params = {"password": "hunter2", "sslpassword": "k3y", "user": "dba"}
    assert redact("auth for dba with hunter2 and k3y failed", params) == "auth for dba with … and … failed"


def test_libpq_sentences_do_not_run_together():
    error = Exception(
        'connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory\n'
        "\tIs the server running locally and accepting connections on that socket?\n"
    )
    assert one_line(error) == (
        'connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file or directory. '
        "Is the server running locally and accepting connections on that socket?"
    )


def test_reading_sessions_are_read_only_with_their_own_timeouts():
    assert READING.options() == ("-c statement_timeout=10000 -c lock_timeout=2000 -c default_transaction_read_only=on")
    assert "default_transaction_read_only=off" in SCRATCH.options()  # it makes the scratch database

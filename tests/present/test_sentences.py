"""A server's error read a sentence a line: libpq's reason and its hint apart, an aside in brackets whole."""

from pgplanner.present.wrapping import first_sentence, sentence_lines


def test_libpq_reason_and_hint_are_two_lines():
    text = "connection failed: Connection refused. Is the server running on that host and accepting TCP/IP connections?"
    assert sentence_lines(text).splitlines() == [
        "connection failed: Connection refused.",
        "Is the server running on that host and accepting TCP/IP connections?",
    ]


def test_an_aside_in_brackets_is_not_cut_in_two():
    """pgbench's reason ends in "(client 1 script 0 aborted in command 0 query 0. Run was aborted ...)"."""
    text = 'syntax error at or near "SELEC" (client 1 aborted in command 0. Run was aborted.) Check the script.'
    assert sentence_lines(text).splitlines() == [
        'syntax error at or near "SELEC" (client 1 aborted in command 0. Run was aborted.)',
        "Check the script.",
    ]
    assert first_sentence(text) == 'syntax error at or near "SELEC" (client 1 aborted in command 0. Run was aborted.)'

"""Wrapping plain text to the report's width without parting a number from its unit.

Its own module so that every plain-text section (the report, the latency section, file comments)
can wrap the same way without importing the report that gathers them.
"""

from __future__ import annotations

import re
import textwrap

WIDTH = 100
NO_BREAK = "\u00a0"
_NUMBER_AND_UNIT = re.compile(r"(\d) (B|kB|MB|GB|TB|ms|tps|%)(?!\w)")


def wrap(text: str, first: str, rest: str, width: int = WIDTH) -> list[str]:
    """``text`` in lines of at most ``width``, never splitting a number from its unit ("10" / "MB")."""
    glued = _NUMBER_AND_UNIT.sub(rf"\1{NO_BREAK}\2", text)
    lines = textwrap.wrap(
        glued, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False, break_long_words=False
    )
    return [line.replace(NO_BREAK, " ") for line in lines]


_SENTENCE_END = re.compile(r"(?:(?<=[.?!])|(?<=[.?!]\))) (?=[A-Z])")  # "refused. Is", "aborted.) Next"


def _sentence_ends(text: str) -> list[int]:
    """Where each sentence but the last ends (the space after it), outside brackets: "(client 1 aborted.
    Run was ...)" is one aside, not two sentences."""
    return [
        end.start()
        for end in _SENTENCE_END.finditer(text)
        if text.count("(", 0, end.start()) <= text.count(")", 0, end.start())
    ]


def sentence_lines(text: str) -> str:
    """``text`` with each sentence on a line of its own: libpq's reason and its hint ("... failed: Connection
    refused. Is the server running on that host ...?") read as two sentences, not one run-on line."""
    lines, start = [], 0
    for end in _sentence_ends(text):
        lines.append(text[start:end])
        start = end + 1
    return "\n".join([*lines, text[start:]])


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: a warning named by what it says, in a table's row."""
    ends = _sentence_ends(text)
    return text[: ends[0]] if ends else text

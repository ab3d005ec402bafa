"""The README's console samples are what the commands print today.

Every ```console block of README.md is read as a terminal: a ``$ pgplanner ...`` line, then what it
printed. A command shown with output is run, and its output must begin with the lines shown, exactly;
a line ``...`` ends the sample (the rest is left out). ``| jq .key`` reads one key of the JSON printed.
Commands shown without output (a live server's, an export) are not run here.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from .runner import run

README = Path(__file__).parents[2] / "README.md"
ELIDED = "..."


def console_samples() -> list[tuple[str, list[str]]]:
    """(command line, the lines printed after it) for every command of the README shown with output."""
    samples: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", README.read_text(), re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                samples.append((line[2:], []))
            elif samples:
                samples[-1][1].append(line)
    return [(command, shown) for command, shown in samples if shown]


def printed(command: str) -> list[str]:
    """What ``command`` prints, run in-process: ``pgplanner ARGS [| jq .KEY]``."""
    program, _, jq = command.partition("|")
    args = shlex.split(program)
    assert args[0] == "pgplanner", command
    result = run(*args[1:])
    if not jq:
        return result.stdout.splitlines()
    key = shlex.split(jq)[1].removeprefix(".")
    return [json.dumps(result.json()[key])]


def test_the_readme_shows_samples():
    commands = [command for command, _ in console_samples()]
    assert "pgplanner plan --cores 16 --ram 64GB --work-mem 32MB --listeners 20" in commands


@pytest.mark.parametrize("command, shown", console_samples(), ids=[command for command, _ in console_samples()])
def test_each_sample_is_what_the_command_prints(command, shown):
    if ELIDED in (line.strip() for line in shown):
        shown = shown[: [line.strip() for line in shown].index(ELIDED)]
    assert printed(command)[: len(shown)] == shown

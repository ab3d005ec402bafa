"""Comments that explain a value, in whatever comment syntax the target file uses.

Every number the export writes sits under the derivation that produced it ("why this number?"), so a
DBA reading postgresql.conf or a sysctl file a year later sees the formula with the plan's own
figures. Config formats differ only in the comment marker (``#``, ``--``, ``;``).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable

from ..model import Derivation, Plan

WIDTH = 100
NO_BREAK = "\u00a0"
_NUMBER_AND_UNIT = re.compile(r"(\d) (B|kB|MB|GB|TB|ms|tps)\b")


class Verbatim(str):
    """A command to copy and paste: kept on one line, however long."""


def explain(marker: str, reasons: Iterable[str | Derivation]) -> list[str]:
    """Comment lines for ``reasons``: each wraps on its own, continuation lines indented."""
    lines: list[str] = []
    for reason in reasons:
        if isinstance(reason, Verbatim):
            lines.append(f"{marker} {' '.join(reason.split())}")
            continue
        text = _NUMBER_AND_UNIT.sub(rf"\1{NO_BREAK}\2", str(reason))  # never "10" at a line end, "MB" below
        wrapped = textwrap.wrap(
            text,
            WIDTH,
            initial_indent=f"{marker} ",
            subsequent_indent=f"{marker}     ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        lines += [line.replace(NO_BREAK, " ") for line in wrapped] or [marker]
    return lines


def named(plan: Plan) -> str:
    """' for "<scenario name>"' in a file's first line, when the scenario has a name."""
    return f' for "{plan.scenario.name}"' if plan.scenario.name else ""

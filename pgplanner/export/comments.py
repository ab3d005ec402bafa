"""Comments that explain a value, in whatever comment syntax the target file uses.

Every number the export writes sits under the derivation that produced it ("why this number?"), so a
DBA reading postgresql.conf or a sysctl file a year later sees the formula with the plan's own
figures. Config formats differ only in the comment marker (``#``, ``--``, ``;``).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Derivation, Plan
from ..present.plain import derivation_text
from ..present.wrapping import wrap


class Verbatim(str):
    """A command to copy and paste: kept on one line, however long."""


def explain(marker: str, reasons: Iterable[str | Derivation]) -> list[str]:
    """Comment lines for ``reasons``: each wraps on its own, continuation lines indented."""
    lines: list[str] = []
    for reason in reasons:
        if isinstance(reason, Verbatim):
            lines.append(f"{marker} {' '.join(reason.split())}")
            continue
        text = derivation_text(reason) if isinstance(reason, Derivation) else reason
        lines += wrap(text, f"{marker} ", f"{marker}     ") or [marker]
    return lines


def named(plan: Plan) -> str:
    """' for "<scenario name>"' in a file's first line, when the scenario has a name."""
    return f' for "{plan.scenario.name}"' if plan.scenario.name else ""

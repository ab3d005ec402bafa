"""The server's statistics as findings people read: a title, the sentence, what it suggests and why.

The CLI's ``probe`` text and JSON and the window's evidence cards (Server > Compare with This Plan)
show the same words, made here from :mod:`~..model.evidence`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..model.evidence import NOT_READ, Finding, Suggestion
from .changes import as_options, input_changes

TITLES = {
    "TEMP_FILES": "Temporary files",
    "SPILLING_QUERIES": "Queries that spill to disk",
    "CHECKPOINTS": "Checkpoints",
    "SESSIONS": "Sessions",
    "IDLE_IN_TRANSACTION": "Idle in transaction",
    "AUTOVACUUM": "Autovacuum",
    "CACHE_HIT_RATIO": "Cache hit ratio",
    NOT_READ: "Not read",
}


def title(finding: Finding) -> str:
    return TITLES.get(finding.code, finding.code.replace("_", " ").capitalize())


def suggestion_lines(suggestion: Suggestion, options: bool = True) -> list[str]:
    """What a finding proposes, one line per kind: the plan's inputs, postgresql.conf values, statements."""
    lines = []
    if suggestion.scenario:
        how = f" ({as_options(suggestion.scenario)})" if options else ""
        lines.append(f"plan with {input_changes(suggestion.scenario)}{how}")
    for name, value in suggestion.settings.items():
        lines.append(f"postgresql.conf: {name} = '{value}'")
    lines += [f"run: {statement};" for statement in suggestion.sql]
    return lines


def finding_json(finding: Finding) -> dict[str, Any]:
    suggests = finding.suggests
    return {
        "code": finding.code,
        "title": title(finding),
        "message": finding.message,
        "numbers": dict(finding.numbers),
        "since": finding.since,
        "suggests": {
            "scenario": dict(suggests.scenario),
            "settings": dict(suggests.settings),
            "sql": list(suggests.sql),
        },
        "derivation": finding.derivation.as_json() if finding.derivation else None,
    }


def evidence_text(findings: Sequence[Finding]) -> str:
    lines = ["evidence from the server's statistics:"]
    for finding in findings:
        lines.append(f"  {title(finding).lower()}: {finding.message}")
        lines += [f"    suggests: {line}" for line in suggestion_lines(finding.suggests)]
        if finding.derivation and finding.derivation.calculation:
            lines.append(f"    why: {finding.derivation}")
    return "\n".join(lines) + "\n"

"""Scenario inputs changed by name, as people read them: the model's titles and the values as typed.

"Use these values" (the server's version and settings) and a finding's suggestion both change inputs
by their flat names (``work_mem``, ``pg_version``); what the window and the CLI say about it is made here,
so no view ever shows an internal key.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import FIELDS


def input_change(flat: str, value: object) -> str:
    """``work_mem 128MB``, ``PostgreSQL 15``, ``Client connections 37``."""
    spec = FIELDS[flat]
    shown = value if isinstance(value, str) else spec.format(value)
    return f"{spec.title} {shown}"


def input_changes(changes: Mapping[str, object]) -> str:
    return ", ".join(input_change(flat, value) for flat, value in changes.items())


def as_options(changes: Mapping[str, object]) -> str:
    """The same changes as command-line options: ``--work-mem 128MB``."""
    return " ".join(f"{FIELDS[flat].option} {value}" for flat, value in changes.items())

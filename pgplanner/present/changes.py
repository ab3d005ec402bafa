"""Scenario inputs changed by name, as people read them: the model's titles and the values as typed.

"Use these values" (the server's version and settings) and a finding's suggestion both change inputs
by their flat names (``work_mem``, ``pg_version``); what the window and the CLI say about it is made here,
so no view ever shows an internal key.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import FIELDS, human_size
from ..model.scenario import GROUPS
from .choices import choice_label


def input_change(flat: str, value: object) -> str:
    """``work_mem 128 MB``, ``Platform Linux``, ``Client connections 37``: the value as the model reads it (a
    server's ``24683664kB`` is the RAM it stands for), in the words the window shows it with."""
    spec = FIELDS[flat]
    try:
        read = getattr(GROUPS[spec.group].model_validate({spec.name: value}), spec.name)
    except ValueError:  # valid only beside the other changes (the model judges them together): as given
        return f"{spec.title} {value if isinstance(value, str) else spec.format(value)}"
    if spec.kind == "choice":
        shown = choice_label(flat, read)
    elif spec.kind == "size" and read is not None:
        shown = human_size(read)
    else:
        shown = spec.format(read)
    return f"{spec.title} {shown}"


def input_changes(changes: Mapping[str, object]) -> str:
    return ", ".join(input_change(flat, value) for flat, value in changes.items())


def as_options(changes: Mapping[str, object]) -> str:
    """The same changes as command-line options: ``--work-mem 128MB``."""
    return " ".join(f"{FIELDS[flat].option} {value}" for flat, value in changes.items())

"""The postgresql.conf settings as people read them: by group, each with how it applies and why.

The CLI report, the window's Settings tab and the exported files show the same rows and words.
"""

from __future__ import annotations

from itertools import groupby
from typing import NamedTuple

from ..model import Plan
from ..model.settings import GROUP_TITLES, Setting


class SettingRow(NamedTuple):
    """A setting as its row reads. A named tuple: cheaper than a frozen dataclass to create at import and
    to build, and the rows are made again for every plan shown."""

    name: str
    value: str
    applies: str  # "restart" or "reload"
    why: str  # the derivation as a sentence
    versus_pgtune: str  # "Unlike pgtune: ...", or ""
    setting: Setting


def versus_pgtune(setting: Setting) -> str:
    return f"Unlike pgtune: {setting.versus_pgtune}." if setting.versus_pgtune else ""


def settings_groups(plan: Plan) -> list[tuple[str, list[SettingRow]]]:
    """``[(group title, rows)]`` in the order postgresql.conf lists them."""
    return [
        (GROUP_TITLES[group], [_row(s) for s in members])
        for group, members in groupby(plan.settings, key=lambda s: s.group)
    ]


def _row(s: Setting) -> SettingRow:
    return SettingRow(s.name, s.spelled, s.context, str(s.derivation), versus_pgtune(s), s)

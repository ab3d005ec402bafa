"""Alt+letter mnemonics for the input labels: each label gets a letter of its own, so Alt+R reaches RAM.

The letters of the menu bar (File, Edit, Compare, Server, Help) are never given to a label: the same
Alt+letter in two places makes Qt cycle between them instead of acting. There are more inputs than
letters, so the groups choose in turn, each group's inputs in screen order (the first row of every
group, then the second row of every group ...): every group's first inputs get one. A label whose
letters are all taken has none.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

MENU_LETTERS = frozenset("fecsh")  # &File &Edit &Compare &Server &Help (main_window.py, server.py)


def _candidates(title: str) -> list[int]:
    """Positions worth underlining, best first: the first letter of each word, then any letter or digit."""
    starts = [i for i, ch in enumerate(title) if ch.isalnum() and (i == 0 or not title[i - 1].isalnum())]
    return [*starts, *(i for i, ch in enumerate(title) if ch.isalnum() and i not in starts)]


def _marked(title: str, position: int | None) -> str:
    """``title`` with ``&`` before ``position`` (None: no mnemonic); a literal ``&`` is doubled."""
    if position is None:
        return title.replace("&", "&&")
    return f"{title[:position].replace('&', '&&')}&{title[position:].replace('&', '&&')}"


def letter(text: str) -> str | None:
    """The Alt+letter of a label or button as written ("C&onnect" -> "o"), None when it has none."""
    plain = text.replace("&&", "")
    at = plain.find("&")
    return plain[at + 1].lower() if 0 <= at < len(plain) - 1 else None


def with_mnemonics(groups: Sequence[Sequence[str]], taken: Iterable[str] = MENU_LETTERS) -> list[list[str]]:
    """The titles of each group, each with ``&`` before a letter no other title (nor ``taken``) uses."""
    used = {letter.lower() for letter in taken}
    chosen: dict[tuple[int, int], int | None] = {}
    for row, group in itertools.product(range(max(map(len, groups), default=0)), range(len(groups))):
        if row < len(groups[group]):
            title = groups[group][row]
            position = next((i for i in _candidates(title) if title[i].lower() not in used), None)
            if position is not None:
                used.add(title[position].lower())
            chosen[group, row] = position
    return [[_marked(title, chosen[g, r]) for r, title in enumerate(titles)] for g, titles in enumerate(groups)]

"""Reading the rendered files back: active settings, and the comment block above each one."""

from __future__ import annotations

import re

from ..model.helpers import plan_for

__all__ = ["active", "comment_above", "plan_for", "prose", "unquoted"]


def active(text: str, comment: str = "#") -> dict[str, str]:
    """``key = value`` (or ``key=value``) lines that are not comments, as a dict."""
    found = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(comment) or "=" not in stripped or stripped.startswith("["):
            continue
        key, value = stripped.split("=", 1)
        found[key.strip()] = value.strip()
    return found


def comment_above(text: str, key: str, comment: str = "#") -> str:
    """The comment lines directly above the active line for ``key``, joined into one string."""
    lines = text.splitlines()
    pattern = re.compile(rf"^{re.escape(key)}\s*=")
    index = next(i for i, line in enumerate(lines) if pattern.match(line))
    block = []
    for line in reversed(lines[:index]):
        if not line.startswith(comment):
            break
        block.append(line.lstrip(comment).strip())
    return " ".join(reversed(block))


def prose(text: str, comment: str = "#") -> str:
    """All comment text as one line, so wrapped phrases can be searched whole."""
    return " ".join(line.lstrip(comment).strip() for line in text.splitlines() if line.startswith(comment))


def unquoted(value: str) -> str:
    """A postgresql.conf or SQL value without its quotes ('it''s' is it's), as pg_settings shows it."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value

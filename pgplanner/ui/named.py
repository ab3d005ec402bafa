"""Naming a widget where it is made: tests and the style sheet find widgets and actions by objectName.

Qt's ``objectName=`` keyword does the same, but PySide6's type stubs do not know it, so every use
was a type error that hid real ones.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

Named = TypeVar("Named", bound=QObject)


def named(thing: Named, name: str) -> Named:
    """``thing`` with its objectName set to ``name``."""
    thing.setObjectName(name)
    return thing

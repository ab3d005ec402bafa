"""Sizes as PostgreSQL writes them: 1024-based kB, MB, GB and TB.

postgresql.conf spells kilobytes ``kB`` and means 1024 bytes; users also type ``16GiB``, ``512M`` or
``10 mb``. Everything inside pgplanner is an integer number of bytes. Parsing is forgiving about
case and spacing but never guesses a unit: a bare ``64`` could mean bytes, kilobytes or 8 kB pages
depending on the setting, so it is refused with a message that shows the accepted spellings.
"""

from __future__ import annotations

import re
from functools import lru_cache

KB = 1024
MB = 1024 * KB
GB = 1024 * MB
TB = 1024 * GB

UNIT_HELP = "units: B, kB, MB, GB, TB or KiB, MiB, GiB, TiB, all 1024-based as in postgresql.conf"

_FACTORS = {
    "b": 1,
    "k": KB, "kb": KB, "kib": KB,
    "m": MB, "mb": MB, "mib": MB,
    "g": GB, "gb": GB, "gib": GB,
    "t": TB, "tb": TB, "tib": TB,
}  # fmt: skip
_PATTERN = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)\s*")
# Largest first: human_size picks the biggest unit the value reaches.
_CONF_UNITS = (("TB", TB), ("GB", GB), ("MB", MB), ("kB", KB))
_UNITS_BY_STEP = ("B", "kB", "MB", "GB", "TB")  # 1024 ** step bytes


def parse_size(text: str) -> int:
    """Return the number of bytes in ``text`` such as ``"16GB"``, ``"1.5 GiB"`` or ``"64kB"``.

    Raises ValueError with a message fit to show a user.
    """
    match = _PATTERN.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size; write a number and a unit, e.g. 16GB ({UNIT_HELP})")
    number, unit = match.groups()
    if not unit:
        raise ValueError(f"{text!r} needs a unit, e.g. {number}GB ({UNIT_HELP})")
    factor = _FACTORS.get(unit.lower())
    if factor is None:
        raise ValueError(f"{text!r} has an unknown unit {unit!r} ({UNIT_HELP})")
    return round(float(number) * factor)


def format_size(size: int) -> str:
    """The exact postgresql.conf spelling: the largest unit that keeps ``size`` a whole number.

    ``format_size(parse_size(s))`` round-trips, so scenario files stay readable and lossless. Every unit is a
    power of 1024, so the unit follows from how many times 2 divides ``size`` (its trailing zero bits), with no
    division per unit: plan() writes about ten sizes per slider tick.
    """
    if not size:
        return "0B"
    zeros = (size & -size).bit_length() - 1
    step = min(zeros // 10, len(_UNITS_BY_STEP) - 1)
    return f"{size >> 10 * step}{_UNITS_BY_STEP[step]}"


@lru_cache(maxsize=4096)  # every explanation prints sizes, and the same few recur on every slider tick
def human_size(size: float) -> str:
    """A rounded size for people: ``"10 GB"``, ``"1.5 GB"``, ``"266 MB"`` (three significant digits)."""
    magnitude = abs(size)
    for unit, factor in _CONF_UNITS:
        if magnitude >= factor:
            return f"{_three_digits(size / factor)} {unit}"
    return f"{_three_digits(size)} B"


def _three_digits(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"

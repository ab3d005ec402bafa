"""Rounding up to numbers a DBA would write in a config file.

83 connections become 100, 2,356 processes become 2,400: the step grows with the value so the
result stays within a few per cent of what was asked while reading like a deliberate choice.
"""

from __future__ import annotations

import math

# (up to this value, round up to a multiple of this step)
_STEPS = ((20, 5), (200, 10), (500, 25), (2_000, 50), (10_000, 100), (100_000, 1_000))
_LAST_STEP = 10_000


def round_up_readable(value: float) -> int:
    """The smallest readable number not below ``value`` (0 stays 0)."""
    if value <= 0:
        return 0
    for limit, step in _STEPS:  # a loop, not next(generator): plan() rounds a dozen figures per slider tick
        if value <= limit:
            return math.ceil(value / step) * step
    return math.ceil(value / _LAST_STEP) * _LAST_STEP


def next_power_of_two(value: float) -> int:
    """Kernels and launchd like powers of two for descriptor limits."""
    return 1 << max(0, math.ceil(math.log2(max(value, 1))))

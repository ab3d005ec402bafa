"""The positions a slider stops at: values a DBA would pick, not every integer.

A RAM slider stops at 256 MB, 384 MB, 512 MB, 768 MB, 1 GB, 1.5 GB, 2 GB ... 48 GB, 64 GB (each power
of two and the one-and-a-half between), so it is logarithmic and every stop is a real machine size.
Core counts step the same way (1, 2, 3, 4, 6, 8, 12, 16 ...). Other counts over a wide range use
the 1-1.2-1.5-2-2.5-3-4-5-6-8 series (0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20 ...). Small ranges
are linear. The spin box beside the slider still takes any exact value.
"""

from __future__ import annotations

import bisect
import math
from functools import cache

from ..model import FieldSpec

_SERIES = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8)
LINEAR_LIMIT = 200  # ranges up to this many steps get one stop per step


@cache
def slider_stops(spec: FieldSpec) -> tuple[float, ...]:
    """Every slider stop for ``spec``, ascending, within its range and including both ends."""
    lo, hi = spec.bounds
    if spec.kind == "size" or (spec.kind == "count" and spec.log):
        stops = _doublings(lo, hi, whole=spec.kind == "count")
    elif (hi - lo) / spec.step <= LINEAR_LIMIT and not spec.log:
        count = round((hi - lo) / spec.step)
        stops = [round(lo + i * spec.step, 10) for i in range(count + 1)]
    else:
        stops = _series(lo, hi, whole=spec.kind == "count")
    ordered = sorted({lo, *stops, hi})
    return tuple(int(s) for s in ordered) if spec.kind in ("count", "size") else tuple(ordered)


def nearest_stop(stops: tuple[float, ...], value: float) -> int:
    """Index of the stop closest to ``value`` (on a log scale where the stops are)."""
    i = bisect.bisect_left(stops, value)
    if i == 0:
        return 0
    if i == len(stops):
        return len(stops) - 1
    below, above = stops[i - 1], stops[i]
    if below > 0 and value > 0:
        closer_below = math.log(value / below) <= math.log(above / value)
    else:
        closer_below = value - below <= above - value
    return i - 1 if closer_below else i


def _doublings(lo: float, hi: float, whole: bool) -> list[float]:
    """Powers of two and the one-and-a-half between: 1, 2, 3, 4, 6, 8, 12, 16 ... (or 1 GB, 1.5 GB, 2 GB ...)."""
    stops, power = [], 2 ** math.floor(math.log2(max(lo, 1)))
    while power <= hi:
        stops += [power, power * 1.5]
        power *= 2
    return [s for s in stops if lo <= s <= hi and (not whole or float(s).is_integer())]


def _series(lo: float, hi: float, whole: bool) -> list[float]:
    stops = [0.0] if lo <= 0 else []
    decade = 10 ** math.floor(math.log10(max(lo, 1e-9) if lo > 0 else 1))
    while decade <= hi:
        for factor in _SERIES:
            value = factor * decade
            if whole and not float(value).is_integer():
                continue
            if lo <= value <= hi:
                stops.append(round(value, 10))
        decade *= 10
    return stops

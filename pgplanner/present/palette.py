"""Colours: the Okabe-Ito palette (readable with every common colour-vision deficiency), by role.

A chart names the role of each colour ("direct", "worst_case", "ghost", "budget.pool"), never a hex
value; a :class:`Theme` maps roles to colours. The light theme is the report's and the window's on a
light desktop; the dark theme keeps the same hues, lightened where a line or a word would lose
contrast on a dark background. One table for the window's plots and the HTML report's pictures, so
a curve keeps its colour wherever it is shown.
"""

from __future__ import annotations

import colorsys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
YELLOW = "#F0E442"
GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"
INK = "#222222"
GHOST = "#9A9A9A"  # a pinned baseline's curves, drawn behind the current plan's

SEVERITY = {"error": VERMILLION, "warning": ORANGE, "info": SKY}


class _ByLineKind(dict[str, str]):
    """Colours by budget line key; a key with a kind before its dot (``provider_reserved.automation``,
    one line per thing a provider keeps) takes its kind's colour."""

    def __missing__(self, key: str) -> str:
        kind, dot, _ = key.partition(".")
        if dot and kind in self:
            return self[kind]
        raise KeyError(key)

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default


# One colour per budget line key, stable across plans.
BUDGET = _ByLineKind(
    {
        "pool": BLUE,
        "direct_clients": BLUE,
        "reserve_pool": SKY,
        "serverless": VERMILLION,
        "listeners": PURPLE,
        "batch_workers": ORANGE,
        "long_transactions": YELLOW,
        "replica_pools": GREEN,
        "monitoring": "#8C6BB1",
        "admin": "#A6761D",
        "superuser_reserved": INK,
        "reserved_connections": GREY,
        "provider_reserved": "#B2182B",
        "pinned_sessions": "#4B9CD3",
        "replication": GREEN,
        "logical_replication": "#1B7837",  # a darker green: WAL senders as well, for subscribers
        "headroom": LIGHT_GREY,
    }
)

# What each role of a chart is drawn in, on a light background.
_LIGHT = {
    "paper": "#FFFFFF",
    "ink": INK,
    "muted": "#555555",
    "grid": "#D0D0D0",
    "direct": VERMILLION,
    "pooled": BLUE,
    "modelled": GREY,
    "measured": VERMILLION,
    "typical": BLUE,
    "heavy_fraction": ORANGE,
    "worst_case": VERMILLION,
    "ram": INK,
    "productive_target": GREEN,
    "max_connections": ORANGE,
    "provider_limit": PURPLE,
    "ram_ceiling": BLUE,
    "worst_fits": VERMILLION,
    "ghost": GHOST,
    "baseline": "#6E6E6E",  # words and strokes of the baseline: the ghosts' grey, dark enough to read
    "measured_p99": PURPLE,  # the latency chart's measured p99 dots, beside the measured averages
    "best_pool": ORANGE,  # the latency chart's best pool for p99
    "over_limit": VERMILLION,  # the budget beyond a limit it may not pass
    **{f"budget.{key}": colour for key, colour in BUDGET.items()},
}

# The same hues for a dark background: the blues, purples and greys lightened to keep their contrast.
_DARK = {
    **_LIGHT,
    "paper": "#1E1F22",
    "ink": "#E6E6E6",
    "muted": "#B4B4B4",
    "grid": "#4A4C50",
    "direct": "#F0793A",
    "measured": "#F0793A",
    "worst_case": "#F0793A",
    "worst_fits": "#F0793A",
    "pooled": "#4EA8E6",
    "typical": "#4EA8E6",
    "ram_ceiling": "#4EA8E6",
    "modelled": "#A8A8A8",
    "ram": "#E6E6E6",
    "productive_target": "#2BC49A",
    "provider_limit": "#E59AC6",
    "measured_p99": "#E59AC6",
    "ghost": "#85878C",
    "baseline": "#A9ABB0",
    "budget.pool": "#2F8FD0",
    "budget.direct_clients": "#2F8FD0",
    "budget.superuser_reserved": "#E6E6E6",
    "budget.headroom": "#4A4C50",
    "budget.monitoring": "#A98BD0",
    "over_limit": "#F0793A",
}


READABLE = 4.5  # WCAG AA contrast for words


@dataclass(frozen=True)
class Theme:
    name: str
    colours: Mapping[str, str]
    _words: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def colour(self, role: str) -> str:
        """The colour of ``role`` as #RRGGBB; an unknown role is a programming error, not grey."""
        return self.colours[role]

    def words(self, role: str) -> str:
        """The colour for words in ``role``'s colour: the same hue, darkened (or lightened, on a dark
        paper) until it reads on the paper at WCAG AA. Lines keep :meth:`colour`; an orange label on
        white is otherwise 2:1."""
        if role not in self._words:
            self._words[role] = readable_on(self.colour(role), self.colour("paper"))
        return self._words[role]

    def ink_on(self, role: str) -> str:
        """The text colour with the most contrast on a fill of ``role``: dark ink or white."""
        fill = luminance(self.colour(role))
        dark = luminance(INK)
        return INK if (fill + 0.05) / (dark + 0.05) >= 1.05 / (fill + 0.05) else "#FFFFFF"


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of #RRGGBB (0 black, 1 white)."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@lru_cache(maxsize=256)  # the window asks again on every plan it shows (the headline's colour), for the same pair
def readable_on(colour: str, paper: str, ratio: float = READABLE) -> str:
    """``colour`` with its lightness moved away from ``paper``'s until their contrast reaches ``ratio``."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    step = -0.02 if luminance(paper) > 0.5 else 0.02
    candidate = colour
    while contrast(candidate, paper) < ratio and 0 < lightness < 1:
        lightness = min(max(lightness + step, 0.0), 1.0)
        candidate = "#" + "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(hue, lightness, saturation))
    return candidate


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _bars(colours: dict[str, str]) -> dict[str, str]:
    """The budget's fills, each dark enough for white words or light enough for ink ones (WCAG AA): a
    segment's count is written on it."""
    return {
        role: colour
        if not role.startswith("budget.") or max(contrast(colour, INK), contrast(colour, "#FFFFFF")) >= READABLE
        else readable_on(colour, "#FFFFFF")
        for role, colour in colours.items()
    }


LIGHT = Theme("light", _bars(_LIGHT))
DARK = Theme("dark", _bars(_DARK))

"""Colours: the Okabe-Ito palette (readable with every common colour-vision deficiency).

One palette for the window's plots and the HTML report's pictures, so a curve keeps its colour wherever
it is shown.
"""

from __future__ import annotations

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
        "headroom": LIGHT_GREY,
    }
)

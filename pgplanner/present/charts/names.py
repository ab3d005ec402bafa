"""How a chart names its plans: in the window the pinned one is "baseline"; in a comparison, A and B."""

from __future__ import annotations

from typing import NamedTuple


class Names(NamedTuple):
    """The words before each plan's marks and key entries. A named tuple: cheaper than a frozen dataclass
    to create at import."""

    plan: str = ""  # before the plan's own marks: nothing in the window, "B: " in a comparison
    baseline: str = "baseline "  # before the baseline's marks
    ghost: str = "baseline"  # the key's entry for the baseline's grey curves


WINDOW = Names()
COMPARISON = Names("B: ", "A: ", "A")

"""How a chart names its plans: in the window the pinned one is "baseline"; in a comparison, A and B."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Names:
    plan: str = ""  # before the plan's own marks: nothing in the window, "B: " in a comparison
    baseline: str = "baseline "  # before the baseline's marks
    ghost: str = "baseline"  # the key's entry for the baseline's grey curves


WINDOW = Names()
COMPARISON = Names("B: ", "A: ", "A")

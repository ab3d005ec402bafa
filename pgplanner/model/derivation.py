"""How an output was reached: a value's explanation as data, built from the constants the code uses.

Every figure pgplanner shows answers "why this number?" with a :class:`Derivation`:

- ``formula``: the rule in words ("reserve pool = 25 % of the pool"),
- ``calculation``: the same rule with the user's numbers, every rounding an explicit step
  ("10 x 0.25 = 2.5, rounded up to 3"), so that each printed ``a op b = c`` is arithmetically true
  to the precision shown (a test parses and checks every one),
- ``inputs``: the inputs used, by name, as shown ("cores": "4"),
- ``source``: a named reference (see :mod:`.sources`), never a project-internal label,
- ``note``: a cap that applied, or a caveat.

A computing function returns ``(value, Derivation)``; :func:`pgplanner.model.plan` files each under the
JSON path of the output it explains (``plan.derivations["memory.worst_case_bytes"]``). Text is
assembled from the named constants with the helpers below, never retyped:

>>> d = Derivation(formula="reserve pool = 25 % of the pool",
...                calculation=rounded("10 x 0.25", 2.5, 3, "up"), inputs={"pool size": "10"})
>>> d.calculation
'10 x 0.25 = 2.5, rounded up to 3'
>>> given("4 GB", "shared_buffers").calculation
'given: 4 GB'

Helpers: :func:`n` (a count for prose), :func:`exact` (a number precise enough to keep an equation
true), :func:`rounded` (an equation with its rounding step), :func:`given` (an input the user typed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ConfigDict

from .sources import YOUR_SCENARIO

# "up", "down" or "nearest"; or a longer phrase such as "up to a readable number" (then ": 250" follows)
Direction = str


@dataclass(frozen=True, slots=True)
class Derivation:
    """Immutable; a stdlib dataclass rather than a pydantic model because plan() makes about sixty of
    them on every slider tick (pydantic still validates them in scenario files and serialises them)."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    formula: str  # "RAM ceiling = available / typical memory per connection"
    calculation: str  # "10 GB / 10 MB = 1,024"
    inputs: dict[str, str] = field(default_factory=dict)  # {"available": "10 GB", "per connection": "10 MB"}
    source: str = ""  # "PostgreSQL wiki, Number Of Database Connections"
    note: str = ""  # a cap that applied, a caveat

    def __str__(self) -> str:
        text = f"{self.formula}: {self.calculation}"
        extras = [part for part in (self.note, f"source: {self.source}" if self.source else "") if part]
        return f"{text} ({'; '.join(extras)})" if extras else text


def n(value: float) -> str:
    """A count or rate for prose: thousands separators, at most one decimal."""
    if type(value) is int:  # the common case, kept fast: plan() formats about a hundred numbers
        return f"{value:,}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def exact(value: float) -> str:
    """``value`` with up to three decimals, so that an equation ending in it stays true as printed."""
    if type(value) is int:
        return f"{value:,}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.3f}".rstrip("0").rstrip(".")


def rounded(expression: str, value: float, result: float, direction: Direction, show=exact) -> str:
    """``expression = value``, and the rounding step to ``result`` when it changed anything.

    ``show`` formats both numbers (``exact`` for counts, ``human_size`` for sizes).
    """
    shown_value, shown_result = show(value), show(result)
    if shown_result == shown_value:
        return f"{expression} = {shown_value}"
    joint = " to" if direction in ("up", "down", "nearest") else ":"
    return f"{expression} = {shown_value}, rounded {direction}{joint} {shown_result}"


def given(shown: str, name: str, source: str = YOUR_SCENARIO) -> Derivation:
    """The derivation of an input the user (or a provider plan) stated rather than one pgplanner computed."""
    return Derivation(formula=name, calculation=f"given: {shown}", inputs={name: shown}, source=source)


def percent(share: float) -> str:
    """A share as people write it: ``0.25`` -> ``25 %``."""
    return f"{share * 100:g} %"

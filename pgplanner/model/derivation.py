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

A value kept within bounds is written as the equation it is, never as an arrow:

>>> capped("8 x 0.25", 2, at_most=1)
'min(8 x 0.25, 1) = 1'
>>> capped("ceil(32 / 2)", 16, at_most=(4, 32))
'min(ceil(32 / 2), 4, 32) = 4'

Helpers: :func:`n` (a count for prose), :func:`exact` (a number precise enough to keep an equation
true), :func:`rounded` (an equation with its rounding step), :func:`capped` (an equation with its
bounds), :func:`given` (an input the user typed), :func:`listing` and :func:`steps` (a constant table
written out for a formula, once at import time, so prose never restates a table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic_core import core_schema

from .construct import new_tuple
from .sources import YOUR_SCENARIO

# "up", "down" or "nearest"; or a longer phrase such as "up to a readable number" (then ": 250" follows)
Direction = str


NO_INPUTS: Mapping[str, str] = MappingProxyType({})


class Derivation(NamedTuple):
    """Immutable. A named tuple, the cheapest immutable object Python makes: plan() makes about eighty on
    every slider tick, and a frozen dataclass costs twice as much to build. Pydantic validates it from
    scenario files and writes it out as an object with these five keys (see the schema below). Those that
    are costly to write and seldom read are made with :meth:`later`."""

    formula: str  # "RAM ceiling = available / typical memory per connection"
    calculation: str  # "10 GB / 10 MB = 1,024"
    inputs: Mapping[str, str] = NO_INPUTS  # {"available": "10 GB", "per connection": "10 MB"}
    source: str = ""  # "PostgreSQL wiki, Number Of Database Connections"
    note: str = ""  # a cap that applied, a caveat

    @staticmethod  # not a classmethod: reading one makes a bound method on each of a plan's eighty calls
    def later(write: Callable[..., Derivation], *figures: Any) -> Derivation:
        """The derivation ``write(*figures)`` returns, written when one of its parts is first read.

        The figures are passed, not closed over: a closure keeps a cell per variable it reads, a function object
        and a tuple of those cells, about five objects per derivation the garbage collector then tracks; a plan
        makes about eighty such derivations on every slider tick.
        """
        return new_tuple(_Later, ([write, figures], "", NO_INPUTS, "", ""))

    def __str__(self) -> str:
        text = f"{self.formula}: {self.calculation}"
        extras = [part for part in (self.note, f"source: {self.source}" if self.source else "") if part]
        return f"{text} ({'; '.join(extras)})" if extras else text

    def as_json(self) -> dict[str, object]:
        return {
            "formula": self.formula,
            "calculation": self.calculation,
            "inputs": dict(self.inputs),
            "source": self.source,
            "note": self.note,
        }

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, _handler: Any) -> core_schema.CoreSchema:
        """Read from an object with these keys (no others), written back as one; an instance passes as it is."""
        text = core_schema.str_schema()
        fields = core_schema.typed_dict_schema(
            {
                "formula": core_schema.typed_dict_field(text),
                "calculation": core_schema.typed_dict_field(text),
                "inputs": core_schema.typed_dict_field(core_schema.dict_schema(text, text), required=False),
                "source": core_schema.typed_dict_field(text, required=False),
                "note": core_schema.typed_dict_field(text, required=False),
            },
            extra_behavior="forbid",
        )
        from_data = core_schema.no_info_after_validator_function(lambda data: cls(**data), fields)
        return core_schema.json_or_python_schema(
            json_schema=from_data,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_data]),
            serialization=core_schema.plain_serializer_function_ser_schema(cls.as_json),
        )


# A _Later's own tuple, past its redirections.
_item: Callable[[tuple[Any, ...], int], Any] = tuple.__getitem__


class _Later(Derivation):
    """A Derivation whose five parts are written by a function on the first read of any of them, and read
    the same as if written at once. Made by :meth:`Derivation.later` (plan() makes about a hundred per slider
    tick, so it is kept to one tuple): the first item holds ``[write, figures]``, then ``[None, written]``; the
    other items are placeholders, and every way of reading the tuple is redirected."""

    __slots__ = ()

    def _written(self) -> Derivation:
        cell: list[Any] = _item(self, 0)  # [write, figures], then [None, written]
        write = cell[0]
        if write is not None:
            cell[1] = write(*cell[1])
            cell[0] = None
        made: Derivation = cell[1]
        return made

    formula = property(lambda self: self._written().formula)
    calculation = property(lambda self: self._written().calculation)
    inputs = property(lambda self: self._written().inputs)
    source = property(lambda self: self._written().source)
    note = property(lambda self: self._written().note)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._written())

    def __getitem__(self, index: Any) -> Any:
        return self._written()[index]

    def __eq__(self, other: object) -> bool:
        return self._written() == other

    def __ne__(self, other: object) -> bool:
        return self._written() != other

    def __hash__(self) -> int:
        return hash(self._written())

    def __repr__(self) -> str:
        return repr(self._written())

    def __reduce__(self) -> tuple[type[Derivation], tuple[Any, ...]]:
        return (Derivation, tuple(self._written()))

    def _replace(self, **parts: Any) -> Derivation:  # type: ignore[override]
        return self._written()._replace(**parts)

    def _asdict(self) -> dict[str, Any]:
        return self._written()._asdict()


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


Bounds = float | tuple[float, ...]


def capped(
    expression: str,
    value: float,
    *,
    at_most: Bounds = (),
    at_least: Bounds = (),
    show: Callable[[float], str] = exact,
    result: float | None = None,
    direction: Direction = "down",
) -> str:
    """``min(max(expression, at_least), at_most) = bounded``: a value kept within bounds, as a true equation.

    ``value`` is what ``expression`` computes; each bound is one number or a tuple of them (``min(e, 4, 32)``).
    Bounds are printed whether they bite or not, so the reader sees the range the value was kept in.
    ``result``, when given, is the bounded value after a rounding step (``direction``, as :func:`rounded`).
    """
    lows = at_least if isinstance(at_least, tuple) else (at_least,)
    highs = at_most if isinstance(at_most, tuple) else (at_most,)
    text, bounded = expression, value
    if lows:
        text, bounded = f"max({text}, {', '.join(map(show, lows))})", max(bounded, *lows)
    if highs:
        text, bounded = f"min({text}, {', '.join(map(show, highs))})", min(bounded, *highs)
    return rounded(text, bounded, bounded if result is None else result, direction, show)


def listing(table: Mapping[str, object], show: Callable[[Any], str] = str) -> str:
    """A lookup table written out for a formula: ``{"hdd": 2, "ssd": 200}`` is written ``hdd 2, ssd 200``."""
    return ", ".join(f"{key} {show(value)}" for key, value in table.items())


def steps(
    first: object, thresholds: Iterable[tuple[float, object]], unit: str = "", show: Callable[[Any], str] = str
) -> str:
    """A table of thresholds written out for a formula, lowest first: ``3; 4 from 16 cores; 5 from 32 cores``.

    ``first`` holds below the lowest threshold; each ``(least, value)`` holds from ``least`` ``unit`` on.
    """
    rising = sorted(thresholds, key=lambda step: step[0])
    after = f" {unit}" if unit else ""
    return "; ".join([show(first), *(f"{show(value)} from {n(least)}{after}" for least, value in rising)])


def given(shown: str, name: str, source: str = YOUR_SCENARIO) -> Derivation:
    """The derivation of an input the user (or a provider plan) stated rather than one pgplanner computed."""
    return Derivation(formula=name, calculation=f"given: {shown}", inputs={name: shown}, source=source)


def percent(share: float) -> str:
    """A share as people write it: ``0.25`` -> ``25 %``."""
    return f"{share * 100:g} %"

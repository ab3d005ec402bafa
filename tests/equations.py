"""Find every printed equation ``a op b ... = c`` in a text and check it is true to the precision shown.

The checker is independent of pgplanner's formatting code: it reads numbers as a person would.

- A whole number without a unit ("10", "1,024") is exact: counts are counts.
- A number with decimals ("0.25", "963.765") stands for everything that rounds to it (half a unit
  in its last digit).
- A size ("10.6 MB", "16 GB") is shown to three significant digits, so it stands for everything
  within half a unit in its third significant digit (or its last digit, if more are shown).
- "ms" is a thousandth of a second, "tps" per second, "%" a hundredth.

An equation holds when the interval of the left side (interval arithmetic over + - x / and
sqrt/max/min/ceil) meets the interval of the right side. "10 x 0.25 = 3" fails: the left is
2.45..2.55 and the right, a count, is exactly 3. An expression is only checked when its left side
contains an operator and nothing but numbers, so "max_connections = 30" and formulas in words are
skipped.

A result card states its arithmetic without "=": its caption starts with it and its value is the
result, "(30 + 4 parallel) x 34 MB" beside "1.13 GB" (:func:`card_equation`). There a number may be
followed by words saying what it counts ("4 parallel", "10.6 MB each", "20 ms per transaction"), the
arithmetic ends at " · ", and a closing ", rounded down" / ", rounded up" / ", rounded" says how the
result became the whole number shown.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

UNITS = {
    "B": 1,
    "kB": 1024,
    "MB": 1024**2,
    "GB": 1024**3,
    "TB": 1024**4,
    "ms": 0.001,
    "tps": 1,
    "%": 0.01,
}
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TOKEN = re.compile(
    rf"\s*(?:(?P<num>{_NUMBER})(?:\s?(?P<unit>kB|MB|GB|TB|ms|tps|B|%)(?!\w))?"
    r"|(?P<fn>sqrt|max|min|ceil)\(|(?P<op>[-+x/(),]))"
)


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float

    def __add__(self, o: Interval) -> Interval:
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o: Interval) -> Interval:
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __mul__(self, o: Interval) -> Interval:
        products = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi]
        return Interval(min(products), max(products))

    def __truediv__(self, o: Interval) -> Interval:
        if o.lo <= 0 <= o.hi:
            return Interval(-math.inf, math.inf)
        return self * Interval(1 / o.hi, 1 / o.lo)

    def meets(self, o: Interval) -> bool:
        slack = 1e-9 * max(abs(self.lo), abs(self.hi), abs(o.lo), abs(o.hi), 1)
        return self.lo <= o.hi + slack and o.lo <= self.hi + slack


def number(text: str, unit: str | None) -> Interval:
    digits = text.replace(",", "")
    value = float(digits)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    if unit in ("B", "kB", "MB", "GB", "TB"):
        third = math.floor(math.log10(abs(value))) - 2 if value else -2
        half = 0.5 * 10 ** min(-decimals, third)
    elif decimals:
        half = 0.5 * 10**-decimals
    else:
        half = 0.0
    factor = UNITS.get(unit or "", 1)
    return Interval((value - half) * factor, (value + half) * factor)


class _Parser:
    def __init__(self, tokens: list[tuple[str, str, str | None]]) -> None:
        self.tokens, self.i = tokens, 0

    def peek(self) -> tuple[str, str, str | None] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str, str | None]:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expression(self) -> Interval:
        value = self.term()
        while (t := self.peek()) and t[0] == "op" and t[1] in "+-":
            self.take()
            value = value + self.term() if t[1] == "+" else value - self.term()
        return value

    def term(self) -> Interval:
        value = self.factor()
        while (t := self.peek()) and t[0] == "op" and t[1] in "x/":
            self.take()
            value = value * self.factor() if t[1] == "x" else value / self.factor()
        return value

    def factor(self) -> Interval:
        kind, text, unit = self.take()
        if kind == "op" and text == "-":
            inner = self.factor()
            return Interval(-inner.hi, -inner.lo)
        if kind == "num":
            return number(text, unit)
        if kind == "op" and text == "(":
            value = self.expression()
            self.expect(")")
            return value
        if kind == "fn":
            args = [self.expression()]
            while (t := self.peek()) and t[1] == ",":
                self.take()
                args.append(self.expression())
            self.expect(")")
            if text == "sqrt":
                return Interval(math.sqrt(max(args[0].lo, 0)), math.sqrt(max(args[0].hi, 0)))
            if text == "ceil":
                return Interval(math.ceil(args[0].lo), math.ceil(args[0].hi))
            pick = max if text == "max" else min
            return Interval(pick(a.lo for a in args), pick(a.hi for a in args))
        raise ValueError(f"unexpected {text!r}")

    def expect(self, text: str) -> None:
        _kind, got, _ = self.take()
        if got != text:
            raise ValueError(f"expected {text!r}, got {got!r}")


# A word after a number that says what it counts: anything but the operator "x" or a function.
_LABEL = re.compile(r"\s+(?!x\b)(?!(?:sqrt|max|min|ceil)\()[A-Za-z_][\w'-]*")


def _tokens(text: str, labels: bool = False) -> list[tuple[str, str, str | None]] | None:
    """The tokens of ``text`` if it is nothing but an arithmetic expression, else None.

    ``labels``: words after a number ("4 parallel", "10.6 MB each") are allowed, and skipped.
    """
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            return None
        if m.group("num"):
            tokens.append(("num", m.group("num"), m.group("unit")))
        elif m.group("fn"):
            tokens.append(("fn", m.group("fn"), None))
        else:
            tokens.append(("op", m.group("op"), None))
        pos = m.end()
        while labels and tokens[-1][0] == "num" and (label := _LABEL.match(text, pos)):
            pos = label.end()
    return tokens


def equations(text: str) -> list[tuple[str, str]]:
    """Every ``(left, right)`` whose left side is pure arithmetic with an operator, right a number."""
    found = []
    for m in re.finditer(rf"=\s*(?P<rhs>-?(?:{_NUMBER})(?:\s?(?:kB|MB|GB|TB|ms|tps|B|%)(?!\w))?)", text):
        before = text[: m.start()]
        segment = before[max(before.rfind(c) for c in ";:=\n") + 1 :]
        for i in range(len(segment)):  # the longest arithmetic suffix
            candidate = segment[i:].strip()
            tokens = _tokens(candidate) if candidate else None
            if tokens and _balanced(candidate):
                if tokens[0][0] == "op" and tokens[0][1] in "+x/":
                    break  # "cores x 4 = 16": words, not arithmetic, on the left
                if any((t[0] == "op" and t[1] in "+-x/") or t[0] == "fn" for t in tokens):
                    found.append((candidate, m.group("rhs")))
                break
    return found


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += c == "("
        depth -= c == ")"
        if depth < 0:
            return False
    return depth == 0


ROUNDINGS = {
    ", rounded down": math.floor,
    ", rounded up": math.ceil,
    ", rounded": round,
}


def check(left: str, right: str, rounding: str = "", labels: bool = False) -> bool:
    tokens = _tokens(left, labels)
    rhs_tokens = _tokens(right)
    assert tokens and rhs_tokens
    parser = _Parser(tokens)
    value = parser.expression()
    if parser.peek() is not None:
        raise ValueError(f"trailing tokens in {left!r}")
    if rounding:
        whole = ROUNDINGS[rounding]
        value = Interval(whole(value.lo), whole(value.hi))
    negative = right.startswith("-")
    shown = number(rhs_tokens[-1][1], rhs_tokens[-1][2])
    if negative:
        shown = Interval(-shown.hi, -shown.lo)
    return value.meets(shown)


def card_equation(value: str, caption: str) -> tuple[str, str] | None:
    """``(arithmetic, rounding)`` when ``caption`` starts with arithmetic whose result is ``value``, else None.

    "(30 + 4 parallel) x 34 MB · 7 GB left after maintenance" beside "1.13 GB" gives ("(30 + 4 parallel) x 34 MB", "");
    "required 21 · recommended 30" and a value in words ("no pooler") give None.
    """
    shown = _tokens(value.strip())
    if not shown or len(shown) != 1 or shown[0][0] != "num":
        return None
    first = caption.split(" · ")[0].strip()
    rounding = next((suffix for suffix in ROUNDINGS if first.endswith(suffix)), "")
    arithmetic = first.removesuffix(rounding).strip()
    tokens = _tokens(arithmetic, labels=True) if arithmetic else None
    if not tokens or not (tokens[0][0] in ("num", "fn") or tokens[0][1] == "("):
        return None  # words first: "required 21", "measured peak 12.5"
    if not any((t[0] == "op" and t[1] in "+-x/") or t[0] == "fn" for t in tokens) or not _balanced(arithmetic):
        return None
    return arithmetic, rounding


def false_card(value: str, caption: str) -> str | None:
    """The card's arithmetic as ``left = value`` when it does not give the value shown, else None."""
    found = card_equation(value, caption)
    if found is None:
        return None
    arithmetic, rounding = found
    try:
        ok = check(arithmetic, value.strip(), rounding, labels=True)
    except (ValueError, IndexError, AssertionError) as error:
        return f"{arithmetic}{rounding} = {value} (unreadable: {error})"
    return None if ok else f"{arithmetic}{rounding} = {value}"


def false_equations(text: str) -> list[str]:
    """Every printed equation of ``text`` that does not hold, as ``left = right``."""
    wrong = []
    for left, right in equations(" ".join(text.split())):
        try:
            ok = check(left, right)
        except (ValueError, IndexError, AssertionError) as error:
            wrong.append(f"{left} = {right} (unreadable: {error})")
            continue
        if not ok:
            wrong.append(f"{left} = {right}")
    return wrong

"""Provider formulas, stored as data and evaluated with the plan's own numbers.

Where a provider publishes a rule rather than a table (RDS's ``LEAST(DBInstanceClassMemory/9531392,
5000)``, DigitalOcean's 25 connections per GB, Cloud SQL's memory bands, a pooler's client cap), the
preset file keeps the rule and pgplanner evaluates it per plan. Every evaluation returns the value
and a :class:`Derivation` with the plan's numbers substituted, so no preset figure is unexplained.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ..model.derivation import Derivation, capped, n
from ..model.scenario import Bytes, Frozen
from ..model.units import GB, MB, human_size


class Context(Frozen):
    """What a rule may look at: the plan's RAM and, for pooler rules, its max_connections."""

    ram: int
    max_connections: int = 0


class PerGigabyte(Frozen):
    """``per_gb`` connections for every GB of RAM, optionally kept within ``min``..``max``."""

    kind: Literal["per_gb"]
    per_gb: float = Field(gt=0)
    min: int | None = Field(None, ge=1)
    max: int | None = Field(None, ge=1)

    def evaluate(self, ctx: Context) -> tuple[int, Derivation]:
        gb = ctx.ram / GB
        raw = math.floor(gb * self.per_gb)
        value = min(max(raw, self.min or raw), self.max or raw)
        limits = (("at least", self.min), ("at most", self.max))
        bounds = ", ".join(f"{word} {n(limit)}" for word, limit in limits if limit)
        return value, Derivation(
            formula=f"{n(self.per_gb)} per GB of RAM" + (f", {bounds}" if bounds else ""),
            calculation=capped(
                f"{gb:g} x {n(self.per_gb)}",
                gb * self.per_gb,
                at_least=(self.min,) if self.min else (),
                at_most=(self.max,) if self.max else (),
                result=value,
                direction="down",
            ),
        )


class ClassMemory(Frozen):
    """AWS's ``LEAST(DBInstanceClassMemory/divisor, cap)``.

    DBInstanceClassMemory is the instance's RAM less what the OS and RDS's own processes keep; AWS does
    not publish that share, so the file states the modelled deduction (``reserved_fixed`` plus
    ``reserved_share`` of RAM) and ``deduction_basis`` says which observations it was fitted to.
    """

    kind: Literal["class_memory"]
    expression: str
    divisor: int = Field(gt=0)
    cap: int = Field(ge=1)
    reserved_fixed: Bytes = Field(ge=0)
    reserved_share: float = Field(ge=0, lt=1)
    deduction_basis: str = Field(min_length=1)

    def class_memory(self, ram: int) -> int:
        return ram - self.reserved_fixed - round(self.reserved_share * ram)

    def nominal(self, ram: int) -> int:
        """The formula with the full nominal RAM: the upper bound AWS's tables are often quoted with."""
        return min(ram // self.divisor, self.cap)

    def evaluate(self, ctx: Context) -> tuple[int, Derivation]:
        memory = self.class_memory(ctx.ram)
        raw = memory // self.divisor
        value = min(raw, self.cap)
        return value, Derivation(
            formula=(
                f"{self.expression}, DBInstanceClassMemory = RAM - {human_size(self.reserved_fixed)} "
                f"- {self.reserved_share:.1%} of RAM"
            ),
            calculation=(
                f"RAM {human_size(ctx.ram)} -> DBInstanceClassMemory {memory / MB:,.0f} MB; "
                f"min({memory:,} / {self.divisor:,} = {n(raw)}, {n(self.cap)}) = {n(value)} "
                f"(nominal RAM alone would give {n(self.nominal(ctx.ram))})"
            ),
            note=self.deduction_basis,
        )


class Band(Frozen):
    """One step of a memory table: ``value`` applies from ``at_least`` (inclusive) or ``above`` (exclusive)."""

    at_least: Bytes | None = Field(None, ge=0)
    above: Bytes | None = Field(None, ge=0)
    value: int = Field(ge=1)

    @model_validator(mode="after")
    def _one_edge(self) -> Band:
        if (self.at_least is None) == (self.above is None):
            raise ValueError("give exactly one of at_least or above")
        return self

    @property
    def edge(self) -> int:
        return self.at_least if self.at_least is not None else self.above  # type: ignore[return-value]

    def holds(self, ram: int) -> bool:
        return ram >= self.at_least if self.at_least is not None else ram > self.edge

    def __str__(self) -> str:
        word = "from" if self.at_least is not None else "above"
        return f"{word} {human_size(self.edge)}: {n(self.value)}"


class Bands(Frozen):
    """A step table by RAM; the last band whose edge the RAM reaches gives the value."""

    kind: Literal["bands"]
    bands: tuple[Band, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> Bands:
        edges = [band.edge for band in self.bands]
        if edges != sorted(edges) or edges[0] != 0:
            raise ValueError("bands must start at 0 and ascend")
        return self

    def evaluate(self, ctx: Context) -> tuple[int, Derivation]:
        band = [b for b in self.bands if b.holds(ctx.ram)][-1]
        return band.value, Derivation(
            formula="step table by RAM (" + "; ".join(map(str, self.bands)) + ")",
            calculation=f"RAM {human_size(ctx.ram)} is {band}",
        )


class FromMaxConnections(Frozen):
    """``(max_connections - minus) x factor``, e.g. a pool sized at 90 % of the server's limit."""

    kind: Literal["from_max_connections"]
    factor: float = Field(gt=0)
    minus: int = Field(0, ge=0)

    def evaluate(self, ctx: Context) -> tuple[int, Derivation]:
        base = ctx.max_connections - self.minus
        value = max(1, math.floor(base * self.factor))
        shown = f"({n(ctx.max_connections)} - {self.minus})" if self.minus else n(ctx.max_connections)
        formula = f"(max_connections - {self.minus})" if self.minus else "max_connections"
        return value, Derivation(
            formula=f"{formula} x {self.factor:g}", calculation=f"{shown} x {self.factor:g} = {n(value)}"
        )


Rule = Annotated[PerGigabyte | ClassMemory | Bands | FromMaxConnections, Field(discriminator="kind")]
MemoryRule = Annotated[PerGigabyte | ClassMemory | Bands, Field(discriminator="kind")]

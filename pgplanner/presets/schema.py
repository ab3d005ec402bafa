"""The preset file format: one JSON file per provider, shipped in ``resources/presets/`` or the user's folder.

A file holds the provider's policy (hard limit or not, reserved slots, its poolers, the formula its
default max_connections follows) and its plans. Every plan row carries its own ``source`` (an
address), ``as_of`` date and ``confidence``, because facts about managed plans age and disagree; a
plan's ``max_connections`` is either a documented or observed number, or left out so the provider's
formula is evaluated for it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from ..model.scenario import Bytes, Confidence, Frozen, PoolMode
from ..model.versions import MAX_CONNECTIONS_LIMIT
from .cores import CpuBasis
from .rules import MemoryRule, Rule

PRESET_SCHEMA: Literal[1] = 1
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=60)]
AsOf = Field(pattern=r"^\d{4}(-\d{2}){0,2}$", description="year, month or day the fact was last seen true")
NO_POOLER = "none"


class PoolerSpec(Frozen):
    """A pooler the provider runs; its limits may be numbers or rules evaluated per plan."""

    id: Slug
    kind: str = Field(min_length=1, max_length=40, description="pgbouncer, rds-proxy, supavisor, ...")
    name: str = Field(min_length=1, max_length=100)
    modes: tuple[PoolMode, ...] = Field((), description="empty when the provider does not document them")
    max_client_conn: int | Rule | None = None
    default_pool_size: int | Rule | None = None
    source: str = Field(min_length=1)
    as_of: str = AsOf
    notes: str = ""


class PlanSpec(Frozen):
    """One plan, as the user types its name (``db.r6g.xlarge``, ``standard-0``, ``8xl``)."""

    id: Slug
    aliases: tuple[Slug, ...] = Field((), description="other names for the same limits, e.g. Azure SKU generations")
    label: str = Field(min_length=1, max_length=120)
    vcpus: float = Field(gt=0, le=10_000)
    ram: Bytes = Field(ge=256 * 1024**2)
    cpu: CpuBasis
    max_connections: int | None = Field(
        None, ge=1, le=MAX_CONNECTIONS_LIMIT, description="documented or observed; else formula"
    )
    hard_limit: bool | None = Field(None, description="overrides the provider's policy")
    reserved: int | None = Field(None, ge=0, le=1000, description="overrides the provider's reserved slots")
    pooler: str | None = Field(None, description="a pooler id, 'none', or omitted for the provider's default")
    source: str = Field(min_length=1)
    as_of: str = AsOf
    confidence: Confidence
    notes: str = ""


class ProviderFile(Frozen):
    schema_: Literal[1] = Field(PRESET_SCHEMA, alias="schema")
    id: Slug
    name: str = Field(min_length=1, max_length=100)
    notes: str = ""
    hard_limit: bool = Field(description="true when users cannot raise max_connections")
    reserved: int = Field(0, ge=0, le=1000)
    reserved_includes_superuser: bool = False
    reserved_source: str = ""
    max_connections_rule: MemoryRule | None = None
    max_connections_source: str = ""
    max_connections_settable: tuple[int, int] | None = Field(
        None,
        description="the lowest and highest max_connections the provider lets users set (Azure 25..5,000, "
        "Aiven 25..60,000); omitted: any",
    )
    poolers: tuple[PoolerSpec, ...] = ()
    default_pooler: str | None = None
    plans: tuple[PlanSpec, ...] = Field(min_length=1)

    @field_validator("max_connections_settable")
    @classmethod
    def _ordered_range(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not 1 <= value[0] <= value[1] <= MAX_CONNECTIONS_LIMIT:
            raise ValueError(f"must be [lowest, highest] within 1..{MAX_CONNECTIONS_LIMIT:,} (got {list(value)})")
        return value

    @field_validator("default_pooler")
    @classmethod
    def _known_default(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value not in {p.id for p in info.data.get("poolers", ())}:
            raise ValueError(f"{value!r} is not among the poolers")
        return value

    @field_validator("plans")
    @classmethod
    def _consistent_plans(cls, plans: tuple[PlanSpec, ...], info: ValidationInfo) -> tuple[PlanSpec, ...]:
        names = [name for plan in plans for name in (plan.id, *plan.aliases)]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"plan names must be unique: {', '.join(repeated)}")
        pooler_ids = {p.id for p in info.data.get("poolers", ())}
        for plan in plans:
            if plan.pooler not in (None, NO_POOLER, *pooler_ids):
                raise ValueError(f"plan {plan.id}: pooler {plan.pooler!r} is not among the poolers")
            if plan.max_connections is None and info.data.get("max_connections_rule") is None:
                raise ValueError(f"plan {plan.id}: no max_connections and no max_connections_rule to compute it")
        return plans

    def pooler_of(self, plan: PlanSpec) -> PoolerSpec | None:
        wanted = self.default_pooler if plan.pooler is None else plan.pooler
        return next((p for p in self.poolers if p.id == wanted), None)

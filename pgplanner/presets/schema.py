"""The preset file format: one JSON file per provider, shipped in ``resources/presets/`` or the user's folder.

A file holds the provider's policy (hard limit or not, reserved slots, its poolers, the formula its
default max_connections follows) and its plans. Every plan row carries its own ``source`` (an
address), ``as_of`` date and ``confidence``, because facts about managed plans age and disagree; a
plan's ``max_connections`` is either a documented or observed number, or left out so the provider's
formula is evaluated for it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..model.scenario import Bytes, Confidence, Frozen, PoolMode
from ..model.versions import MAX_CONNECTIONS_LIMIT
from .cores import CpuBasis
from .rules import MemoryRule, Rule

PRESET_SCHEMA: Literal[1] = 1
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=60)]
AsOf = Field(pattern=r"^\d{4}(-\d{2}){0,2}$", description="year, month or day the fact was last seen true")
NO_POOLER = "none"


def ordered_range(value: tuple[int, int] | None) -> tuple[int, int] | None:
    if value is not None and not 1 <= value[0] <= value[1] <= MAX_CONNECTIONS_LIMIT:
        raise ValueError(f"must be [lowest, highest] within 1..{MAX_CONNECTIONS_LIMIT:,} (got {list(value)})")
    return value


class ReserveSpec(Frozen):
    """Connections the provider's own software holds, named for what holds them, with the source.

    ``connections`` is a count; ``share`` is a share of the plan's max_connections on a provider (Supabase
    advises leaving 20 % to its services) and of the backends the pooler opens on a pooler (RDS Proxy's
    monitoring connections).
    """

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    name: str = Field(min_length=1, max_length=160)
    connections: int | None = Field(None, ge=0, le=100_000)
    share: float | None = Field(None, gt=0, lt=1)
    superuser: bool = Field(False, description="part of the provider's superuser_reserved_connections")
    source: str = Field(min_length=1)
    notes: str = ""

    @model_validator(mode="after")
    def _count_or_share(self) -> ReserveSpec:
        if (self.connections is None) == (self.share is None):
            raise ValueError("give exactly one of connections or share")
        return self


class GuidanceSpec(Frozen):
    """The provider's advice on the application's share of max_connections (Supabase: at most 80 %)."""

    share: float = Field(gt=0, le=1)
    when: str = Field("", max_length=120, description="the case it is for; empty: always")
    source: str = Field(min_length=1)


class PoolerSpec(Frozen):
    """A pooler the provider runs; its limits may be numbers or rules evaluated per plan."""

    id: Slug
    kind: str = Field(min_length=1, max_length=40, description="pgbouncer, rds-proxy, supavisor, ...")
    name: str = Field(min_length=1, max_length=100)
    modes: tuple[PoolMode, ...] = Field((), description="empty when the provider does not document them")
    max_client_conn: int | Rule | None = None
    default_pool_size: int | Rule | None = None
    default_mode: PoolMode | None = Field(None, description="the mode it runs in until the user switches it")
    pins: tuple[str, ...] = Field((), description="what ties a client to one backend (RDS Proxy: SET ...)")
    reserves: tuple[ReserveSpec, ...] = ()
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
    max_connections_settable: tuple[int, int] | None = Field(
        None, description="overrides the provider's settable range for this plan"
    )
    pooler: str | None = Field(None, description="a pooler id, 'none', or omitted for the provider's default")
    source: str = Field(min_length=1)
    as_of: str = AsOf
    confidence: Confidence
    notes: str = ""

    @field_validator("max_connections_settable")
    @classmethod
    def _ordered_range(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        return ordered_range(value)


class LowMinimumCap(Frozen):
    """A cap on max_connections when the range starts low (Aurora Serverless v2: 2,000 at a 0.5 ACU minimum)."""

    minimum_at_most: float = Field(ge=0)
    max_connections: int = Field(ge=1, le=MAX_CONNECTIONS_LIMIT)
    source: str = Field(min_length=1)


class AutoscalingSpec(Frozen):
    """Plans by a range of capacity units, resolved for whatever range the user names.

    Ids are ``<prefix><min>-<max><suffix>`` (``serverless-v2-0.5-16acu``, ``0.25-4cu``); where the file
    gives ``short_minimum``, ``<prefix><max><suffix>`` means that minimum (at most the maximum). The
    hardware is taken at the maximum (what the plan scales to under load). max_connections follows the
    documented value at the sizing units (the maximum, or at most ``sizing_factor`` x the minimum), the
    provider's formula between documented sizes (else the documented size below), the last documented
    value beyond them, and ``low_minimum_cap`` when it applies.
    """

    prefixes: tuple[str, ...] = Field(min_length=1, description="the canonical first, then older spellings")
    suffix: str = Field(pattern=r"^[a-z]+$", max_length=10)
    unit: str = Field(min_length=1, max_length=20)
    label: str = Field(min_length=1, max_length=80, description="e.g. 'Serverless v2'")
    lowest: float = Field(ge=0)
    highest: float = Field(gt=0)
    step: float | None = Field(None, gt=0, description="the range's ends move in steps of this from lowest")
    sizes: tuple[float, ...] = Field((), description="or: the only values the range may start and end at")
    short_minimum: float | None = Field(None, gt=0, description="the minimum a <prefix><max><suffix> id means")
    widest: float | None = Field(None, gt=0, description="the most the maximum may exceed the minimum (Neon: 8 CU)")
    ram_per_unit: Bytes = Field(ge=1)
    vcpus_per_unit: float = Field(gt=0)
    cpu: CpuBasis
    sizing_factor: float | None = Field(None, gt=0)
    max_connections_at: tuple[tuple[float, int], ...] = Field(min_length=1)
    low_minimum_cap: LowMinimumCap | None = None
    listed: tuple[tuple[float, float], ...] = ()
    source: str = Field(min_length=1)
    as_of: str = AsOf
    confidence: Confidence
    notes: str = ""

    @model_validator(mode="after")
    def _step_or_sizes(self) -> AutoscalingSpec:
        if (self.step is None) == (not self.sizes):
            raise ValueError("give exactly one of step or sizes")
        if self.sizes and (list(self.sizes) != sorted(set(self.sizes)) or self.sizes[0] != self.lowest):
            raise ValueError("sizes must ascend without repeats from lowest")
        if any(not self.allows_range(low, high) for low, high in self.listed):
            raise ValueError("every listed range must be allowed: minimum at most maximum, no wider than widest")
        return self

    def allows_range(self, low: float, high: float) -> bool:
        """Whether ``low``..``high`` is a range the provider lets a plan scale over."""
        too_wide = self.widest is not None and high - low > self.widest
        return self.allows(low) and self.allows(high) and low <= high and not too_wide

    def allows(self, units: float) -> bool:
        """Whether a range may start or end at ``units``."""
        if not self.lowest <= units <= self.highest:
            return False
        if self.sizes:
            return units in self.sizes
        steps = (units - self.lowest) / (self.step or 1)
        return abs(steps - round(steps)) < 1e-9


class ProviderFile(Frozen):
    schema_: Literal[1] = Field(PRESET_SCHEMA, alias="schema")
    id: Slug
    name: str = Field(min_length=1, max_length=100)
    notes: str = ""
    hard_limit: bool = Field(description="true when users cannot raise max_connections")
    reserved: int = Field(0, ge=0, le=1000, description="the sum of the counted reserves when they are itemised")
    reserves: tuple[ReserveSpec, ...] = Field((), description="the reserved slots by what holds them")
    reserved_includes_superuser: bool = False
    reserved_source: str = ""
    guidance: tuple[GuidanceSpec, ...] = ()
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
    autoscaling: AutoscalingSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _reserved_from_reserves(cls, data: object) -> object:
        """``reserved`` may be left out when the reserves are itemised: it is their counted sum."""
        if isinstance(data, dict) and "reserved" not in data and isinstance(data.get("reserves"), list):
            counts = [r.get("connections") for r in data["reserves"] if isinstance(r, dict)]
            data = {**data, "reserved": sum(c for c in counts if isinstance(c, int))}
        return data

    @model_validator(mode="after")
    def _reserved_matches_reserves(self) -> ProviderFile:
        counted = sum(r.connections or 0 for r in self.reserves)
        if self.reserves and counted != self.reserved:
            raise ValueError(f"reserved ({self.reserved}) must be the sum of the counted reserves ({counted})")
        return self

    @field_validator("max_connections_settable")
    @classmethod
    def _ordered_range(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        return ordered_range(value)

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

"""The catalog: every plan of every provider file, resolved into the facts a Scenario takes.

Resolving evaluates what the files leave to formulas (max_connections, a pooler's client cap and pool
size) and turns vCPUs into physical cores, keeping a derivation for each. Lookup is by
``provider/plan`` as users type it: case-insensitive, plan aliases included, with a "did you mean"
for typos.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model.derivation import Derivation, n
from ..model.scenario import PoolerOffer, ProviderPlan
from .cores import physical_cores
from .rules import Context, Rule
from .schema import PlanSpec, PoolerSpec, ProviderFile


class UnknownPreset(LookupError):
    """No preset by that name; the message (with a suggestion) is fit to show a user."""


@dataclass(frozen=True)
class Preset:
    """One plan ready to apply: the ProviderPlan for the Scenario plus what the catalog shows about it."""

    provider_name: str
    label: str
    aliases: tuple[str, ...]
    cores: int
    plan: ProviderPlan

    @property
    def id(self) -> str:
        return self.plan.id


class Catalog:
    """Presets by ``provider/plan`` id, in file order."""

    def __init__(self, providers: Iterable[ProviderFile] = ()) -> None:
        self.providers = tuple(providers)
        self._presets = [resolve(provider, plan) for provider in self.providers for plan in provider.plans]
        self._by_name = {
            f"{preset.plan.provider}/{name}": preset
            for preset in self._presets
            for name in (preset.plan.plan, *preset.aliases)
        }

    def __iter__(self) -> Iterator[Preset]:
        return iter(self._presets)

    def __len__(self) -> int:
        return len(self._presets)

    def find(self, name: str) -> Preset:
        """The preset called ``name`` (``"Heroku/Standard-0"``); UnknownPreset with a suggestion otherwise."""
        key = name.strip().lower()
        preset = self._by_name.get(key)
        if preset is not None:
            return preset
        if "/" not in key:
            raise UnknownPreset(f"{name!r} is not PROVIDER/PLAN{self._suggestion(key)}")
        raise UnknownPreset(f"no preset {name!r}{self._suggestion(key)}")

    def _suggestion(self, key: str) -> str:
        names = list(self._by_name)
        if "/" not in key:  # a bare plan name: match it against the plan part of every id
            plans = {full.split("/", 1)[1]: full for full in names}
            close = difflib.get_close_matches(key, list(plans), n=1)
            return f" (did you mean {plans[close[0]]}?)" if close else ""
        close = difflib.get_close_matches(key, names, n=1)
        if not close:
            provider = key.split("/", 1)[0]
            known = sorted({p.id for p in self.providers})
            close_provider = difflib.get_close_matches(provider, known, n=1)
            if provider not in known:
                return f" (did you mean provider {close_provider[0]}?)" if close_provider else ""
            return f"; `pgplanner presets` lists the {provider} plans"
        return f" (did you mean {close[0]}?)"


def resolve(provider: ProviderFile, plan: PlanSpec) -> Preset:
    """The plan's facts with every formula evaluated and every figure explained."""
    derivations: dict[str, Derivation] = {}
    max_connections, derivations["max_connections"] = _max_connections(provider, plan)
    cores, derivations["cores"] = physical_cores(plan.vcpus, plan.cpu)
    reserved = provider.reserved if plan.reserved is None else plan.reserved
    derivations["reserved"] = Derivation(
        formula="slots the provider keeps for itself"
        + (", its superuser_reserved_connections included" if provider.reserved_includes_superuser else ""),
        calculation=n(reserved),
        note=provider.reserved_source,
    )
    pooler = provider.pooler_of(plan)
    offer = None
    if pooler is not None:
        offer, pooler_derivations = _pooler_offer(pooler, Context(ram=plan.ram, max_connections=max_connections))
        derivations.update(pooler_derivations)
    return Preset(
        provider_name=provider.name,
        label=plan.label,
        aliases=plan.aliases,
        cores=cores,
        plan=ProviderPlan(
            provider=provider.id,
            plan=plan.id,
            vcpus=plan.vcpus,
            ram=plan.ram,
            max_connections=max_connections,
            hard_limit=provider.hard_limit if plan.hard_limit is None else plan.hard_limit,
            reserved=reserved,
            reserved_includes_superuser=provider.reserved_includes_superuser,
            max_connections_settable=provider.max_connections_settable,
            pooler=offer,
            source=plan.source,
            as_of=plan.as_of,
            confidence=plan.confidence,
            notes=plan.notes,
            derivations=derivations,
        ),
    )


def _max_connections(provider: ProviderFile, plan: PlanSpec) -> tuple[int, Derivation]:
    rule = provider.max_connections_rule
    computed = rule.evaluate(Context(ram=plan.ram)) if rule is not None else None
    if plan.max_connections is None:
        assert computed is not None  # the schema refuses a plan with neither
        value, why = computed
        return value, why._replace(note=_joined(why.note, provider.max_connections_source))
    note = f"the provider's formula gives {n(computed[0])}" if computed and computed[0] != plan.max_connections else ""
    return plan.max_connections, Derivation(
        formula=f"max_connections = the documented or observed default of {provider.id}/{plan.id}",
        calculation=n(plan.max_connections),
        note=_joined(note, plan.source),
    )


def _pooler_offer(pooler: PoolerSpec, ctx: Context) -> tuple[PoolerOffer, dict[str, Derivation]]:
    derivations: dict[str, Derivation] = {}

    def value(key: str, given: int | Rule | None) -> int | None:
        if given is None or isinstance(given, int):
            return given
        result, derivations[key] = given.evaluate(ctx)
        return result

    offer = PoolerOffer(
        kind=pooler.kind,
        name=pooler.name,
        modes=pooler.modes,
        max_client_conn=value("pooler_max_client_conn", pooler.max_client_conn),
        default_pool_size=value("pooler_default_pool_size", pooler.default_pool_size),
    )
    return offer, derivations


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)

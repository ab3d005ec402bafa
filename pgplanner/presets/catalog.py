"""The catalog: every plan of every provider file, resolved into the facts a Scenario takes.

Resolving evaluates what the files leave to formulas (max_connections, a pooler's client cap and pool
size, a reserve given as a share) and turns vCPUs into physical cores, keeping a derivation for each.
Lookup is by ``provider/plan`` as users type it: case-insensitive, plan aliases included, with a "did
you mean" for typos. An autoscaling provider (Aurora Serverless v2, Neon) also answers any range of
capacity units it allows (``aws-aurora/serverless-v2-0.5-16acu``), resolved when asked for.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model.derivation import Derivation, n, percent
from ..model.scenario import PoolerOffer, ProviderPlan, ProviderReserve, Scaling, ShareGuidance
from .autoscaling import RangeError, parse_range, scaled_plan
from .cores import physical_cores
from .rules import Context, Rule
from .schema import PlanSpec, PoolerSpec, ProviderFile, ReserveSpec


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
    """Presets by ``provider/plan`` id, in file order (an autoscaling provider's listed ranges last).

    A plan is resolved when first asked for: a command names one plan of some 350, and resolving them all
    took longer than reading the files.
    """

    def __init__(self, providers: Iterable[ProviderFile] = ()) -> None:
        self.providers = tuple(providers)
        self._plans = [(provider, *plan) for provider in self.providers for plan in _plans(provider)]
        self._resolved: dict[int, Preset] = {}  # by position in _plans
        self._by_name: dict[str, int] = {
            f"{provider.id}/{name}": index
            for index, (provider, plan, _) in enumerate(self._plans)
            for name in (plan.id, *plan.aliases)
        }
        self._ranges: dict[str, Preset] = {}  # autoscaling ranges asked for that the files do not list

    def _preset(self, index: int) -> Preset:
        preset = self._resolved.get(index)
        if preset is None:
            preset = self._resolved[index] = resolve(*self._plans[index])
        return preset

    def __iter__(self) -> Iterator[Preset]:
        return (self._preset(index) for index in range(len(self._plans)))

    def __len__(self) -> int:
        return len(self._plans)

    def find(self, name: str) -> Preset:
        """The preset called ``name`` (``"Heroku/Standard-0"``); UnknownPreset with a suggestion otherwise."""
        key = name.strip().lower()
        index = self._by_name.get(key)
        if index is not None:
            return self._preset(index)
        if key in self._ranges:
            return self._ranges[key]
        if "/" not in key:
            raise UnknownPreset(f"{name!r} is not PROVIDER/PLAN{self._suggestion(key)}")
        preset = self._scaled(key, name)
        if preset is not None:
            self._ranges[key] = preset
            return preset
        raise UnknownPreset(f"no preset {name!r}{self._suggestion(key)}")

    def _scaled(self, key: str, name: str) -> Preset | None:
        """An autoscaling range the files allow but do not list, or None when ``key`` names no range."""
        provider_id, plan = key.split("/", 1)
        provider = next((p for p in self.providers if p.id == provider_id and p.autoscaling), None)
        if provider is None or provider.autoscaling is None:
            return None
        try:
            bounds = parse_range(provider.autoscaling, plan)
        except RangeError as error:
            raise UnknownPreset(f"no preset {name!r}: {error}") from None
        return None if bounds is None else resolve(provider, *scaled_plan(provider, provider.autoscaling, *bounds))

    def _suggestion(self, key: str) -> str:
        names = [*self._by_name, *self._ranges]
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


def name_words(preset: Preset) -> str:
    """A plan's names only: its id, provider, plan and aliases, without the facts its label states."""
    return " ".join((preset.id, preset.provider_name, preset.plan.plan, *preset.aliases))


def search_words(preset: Preset) -> str:
    """What a search for ``preset`` is matched against: its names and its label (a search's words may come
    in any order)."""
    return f"{name_words(preset)} {preset.label}"


def relevance(query: str, preset: Preset) -> int:
    """How a plan the search found ranks, lowest first: 0 when every word of ``query`` starts a word of
    its names (:func:`name_words`), 1 when some word was found only among its facts. ``neon 2`` finds
    "Neon — 0.5cu (0.5 vCPU, 2 GB ...)" by its 2 GB too, but lists "Neon — 2cu" before it."""
    return 0 if matches(query, name_words(preset)) else 1


def matches(query: str, text: str) -> bool:
    """Every word of ``query`` starts a word of ``text``, in any order, whatever the case: ``rds r6g`` finds
    "AWS RDS for PostgreSQL — db.r6g.large", ``neon 2 cu`` finds "Neon — 2cu" and not "0.25cu" or "max 2,098"
    (an empty query finds everything). See :func:`_term`."""
    haystack = text.casefold()
    return all(term.search(haystack) for term in _terms(query.casefold()))


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
UNIT = re.compile(r"[^\W\d_]+")  # letters only: "cu", "gb"


def _terms(query: str) -> list[re.Pattern[str]]:
    """The query's words as patterns; a number and the unit after it ("2 cu") are one term."""
    words, terms = query.split(), []
    while words:
        word = words.pop(0)
        if NUMBER.fullmatch(word) and words and UNIT.fullmatch(words[0]):
            terms.append(_term(word, words.pop(0)))
        else:
            terms.append(_term(word))
    return terms


def _term(word: str, unit: str | None = None) -> re.Pattern[str]:
    """``word`` where a word of the text starts: after anything but a letter or digit ("db.r6g", "neon/2cu"),
    or letters right after digits ("2xlarge"). A number matches whole numbers only: "2" is not the "2" of
    "0.25" nor of "2,098". A unit may follow its number with or without a space ("2cu", "2 CU")."""
    pattern = re.escape(word) + (r"\s?" + re.escape(unit) if unit else "")
    if word[0].isdigit():
        start = r"(?<![^\W_])(?<!\d[.,])"  # not inside a word, nor after a decimal point or thousands comma
    else:
        start = r"(?:(?<![^\W_])|(?<=\d))" if UNIT.match(word) else r"(?<![^\W_])"
    end = r"(?![.,]?\d)" if word[-1].isdigit() and unit is None else ""  # the number ends there
    return re.compile(start + pattern + end)


def _plans(provider: ProviderFile) -> list[tuple[PlanSpec, Derivation | None]]:
    """The file's plans, then the autoscaling ranges it lists (with how their max_connections was reached)."""
    spec = provider.autoscaling
    listed = [scaled_plan(provider, spec, low, high) for low, high in spec.listed] if spec else []
    return [*((plan, None) for plan in provider.plans), *listed]


def resolve(provider: ProviderFile, plan: PlanSpec, why: Derivation | None = None) -> Preset:
    """The plan's facts with every formula evaluated and every figure explained.

    ``why`` explains a max_connections the plan was built with (an autoscaling range's).
    """
    derivations: dict[str, Derivation] = {}
    if why is not None and plan.max_connections is not None:
        max_connections, derivations["max_connections"] = plan.max_connections, why
    else:
        max_connections, derivations["max_connections"] = _max_connections(provider, plan)
    cores, derivations["cores"] = physical_cores(plan.vcpus, plan.cpu)
    reserves = _reserves(provider, plan, max_connections)
    reserved = sum(r.connections or 0 for r in reserves)
    derivations["reserved"] = _reserved_derivation(provider, reserves, reserved)
    pooler = provider.pooler_of(plan)
    offer = None
    if pooler is not None:
        offer, pooler_derivations = _pooler_offer(pooler, Context(ram=plan.ram, max_connections=max_connections))
        derivations.update(pooler_derivations)
    hard = provider.hard_limit if plan.hard_limit is None else plan.hard_limit
    settable = plan.max_connections_settable or provider.max_connections_settable
    scaling = _scaling(provider, plan)
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
            hard_limit=hard,
            reserved=reserved,
            reserved_includes_superuser=provider.reserved_includes_superuser,
            max_connections_settable=None if hard else settable,  # a fixed limit has no range to set
            reserves=reserves,
            guidance=tuple(ShareGuidance(share=g.share, when=g.when, source=g.source) for g in provider.guidance),
            scaling=scaling,
            pooler=offer,
            source=plan.source,
            as_of=plan.as_of,
            confidence=plan.confidence,
            notes=plan.notes,
            provider_name=provider.name,
            provider_notes=provider.notes,
            derivations=derivations,
        ),
    )


def _scaling(provider: ProviderFile, plan: PlanSpec) -> Scaling | None:
    spec = provider.autoscaling
    if spec is None:
        return None
    bounds = parse_range(spec, plan.id)
    return Scaling(unit=spec.unit, minimum=bounds[0], maximum=bounds[1]) if bounds else None


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


def _reserves(provider: ProviderFile, plan: PlanSpec, max_connections: int) -> tuple[ProviderReserve, ...]:
    """The plan's reserved slots by what holds them; a share of max_connections becomes a count here."""
    if plan.reserved is not None or not provider.reserves:
        count = provider.reserved if plan.reserved is None else plan.reserved
        if not count:
            return ()
        name = f"{provider.name} reserved"
        superuser = provider.reserved_includes_superuser
        return (
            ProviderReserve(
                key="reserved", name=name, connections=count, superuser=superuser, source=provider.reserved_source
            ),
        )
    return tuple(_reserve(spec, max_connections) for spec in provider.reserves)


def _reserve(spec: ReserveSpec, max_connections: int) -> ProviderReserve:
    if spec.share is None:
        return ProviderReserve(
            key=spec.key,
            name=spec.name,
            connections=spec.connections,
            superuser=spec.superuser,
            why=spec.notes,
            source=spec.source,
        )
    exact = spec.share * max_connections
    count = math.ceil(exact)
    product = f"{n(max_connections)} x {percent(spec.share)} = {exact:g}"
    arithmetic = f"{percent(spec.share)} of max_connections {n(max_connections)}: {product}"
    if count != exact:
        arithmetic += f", rounded up to {n(count)}"
    return ProviderReserve(
        key=spec.key,
        name=spec.name,
        connections=count,
        superuser=spec.superuser,
        why=_joined(spec.notes, arithmetic),
        source=spec.source,
    )


def _reserved_derivation(provider: ProviderFile, reserves: tuple[ProviderReserve, ...], total: int) -> Derivation:
    held = "slots the provider keeps for itself" + (
        ", its superuser_reserved_connections included" if provider.reserved_includes_superuser else ""
    )
    if len(reserves) < 2:
        return Derivation(formula=held, calculation=n(total), note=provider.reserved_source)
    return Derivation(
        formula=f"{held} = " + " + ".join(r.name for r in reserves),
        calculation=" + ".join(n(r.connections or 0) for r in reserves) + f" = {n(total)}",
        inputs={r.name: n(r.connections or 0) for r in reserves},
        note="; ".join(r.source for r in reserves if r.source),
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
        default_mode=pooler.default_mode,
        pins=pooler.pins,
        reserves=tuple(
            ProviderReserve(
                key=r.key,
                name=r.name,
                connections=r.connections,
                share=r.share,
                superuser=r.superuser,
                why=r.notes,
                source=r.source,
            )
            for r in pooler.reserves
        ),
        source=pooler.source,
        notes=pooler.notes,
    )
    return offer, derivations


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)

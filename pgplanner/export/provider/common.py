"""What every provider recipe shares: the values to set, their reasons, and the recipe's shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...model import Plan, PoolerOffer, ProviderPlan
from ...model.checks import STANDBY_AT_LEAST
from ...model.derivation import n, percent
from ...model.units import KB
from ..comments import explain

Text = Callable[[Plan], str]


@dataclass(frozen=True)
class Guide:
    """A provider's way to apply a plan: README prose, plus scripts or Terraform where it has a CLI.

    ``how`` explains how to set the values; ``instead`` what to do when the plan fixes max_connections
    (a hard limit). A provider may have either or both.
    """

    how: Text | None = None
    instead: Text | None = None
    files: Callable[[Plan], dict[str, str]] = field(default=lambda plan: {})
    replicas: str = ""  # where a read replica's settings are set, in the provider's own terms


def work_mem_kb(plan: Plan) -> int:
    """Providers take work_mem as a bare number of kB."""
    return plan.memory.work_mem_bytes // KB


def value_comments(plan: Plan, marker: str = "#") -> list[str]:
    d = plan.derivations
    return explain(
        marker,
        [
            f"max_connections = {plan.max_connections}:",
            *(d[key] for key in ("max_connections_required", "max_connections") if key in d),
            f"work_mem = {work_mem_kb(plan)} kB:",
            d["memory.work_mem_bytes"],
        ],
    )


def values_section(plan: Plan) -> str:
    d = plan.derivations
    lines = [
        "## The plan's values",
        "",
        f"- `max_connections = {n(plan.max_connections)}`: {d['max_connections']}; {d['max_connections_required']}.",
        f"- `work_mem = {work_mem_kb(plan)}` (kB): {d['memory.work_mem_bytes']}.",
    ]
    if plan.scenario.pooler.kind != "none":
        lines.append(
            f"- pool size {plan.pool_size} per database/user pool, {plan.pools} pool(s), reserve {plan.reserve_pool}: "
            f"{d['pool_size']}."
        )
    return "\n".join(lines) + "\n"


def hard_limit_section(plan: Plan, instead: str) -> str:
    """max_connections is fixed by the plan: say so, whether the budget fits, and what to do instead."""
    provider = plan.scenario.provider
    assert provider is not None
    fits = plan.max_connections_required <= provider.max_connections
    verdict = (
        f"The budget needs {n(plan.max_connections_required)}, which fits."
        if fits
        else f"The budget needs {n(plan.max_connections_required)}, which does not fit."
    )
    return (
        f"## max_connections cannot be set\n\n{provider.id} fixes max_connections at "
        f"{n(provider.max_connections)}; there is no parameter to raise it. {verdict} Instead:\n\n{instead}\n"
    )


def script(plan: Plan, title: str, body: str) -> str:
    """A POSIX sh script with the plan's values explained at the top."""
    return "\n".join(["#!/bin/sh", f"# pgplanner: {title}", *value_comments(plan), "set -eu", "", body.strip(), ""])


def provider_of(plan: Plan) -> ProviderPlan:
    provider = plan.scenario.provider
    assert provider is not None, "a provider recipe needs a provider plan"
    return provider


def facts_section(plan: Plan) -> str:
    """What the preset says about the plan, read from its fields and notes: the one place prose meets them."""
    provider = provider_of(plan)
    limit = " (a hard limit)" if provider.hard_limit else ""
    settable = provider.max_connections_settable
    lines = [
        f"- Plan `{provider.id}`: {provider.vcpus:g} vCPU, {n(round(provider.ram / 2**30, 1))} GiB RAM, default "
        f"max_connections {n(provider.max_connections)}{limit}"
        + (f", settable from {n(settable[0])} to {n(settable[1])}" if settable else "")
        + ".",
    ]
    if provider.scaling is not None:
        scaling = provider.scaling
        lines.append(
            f"- Scales from {scaling.minimum:g} to {scaling.maximum:g} {scaling.unit}; "
            "the hardware above is the maximum."
        )
    for reserve in provider.reserves:
        lines.append(f"- Kept by the provider: {reserve.name}, {n(reserve.connections or 0)}" + _source(reserve.source))
    if provider.reserved and not provider.reserves:
        lines.append(f"- Kept by the provider: {n(provider.reserved)} slot(s).")
    for guidance in provider.guidance:
        case = f" with {guidance.when}" if guidance.when else ""
        lines.append(
            f"- {provider.provider_name or provider.provider} advises at most {percent(guidance.share)} of "
            f"max_connections for the application{case}" + _source(guidance.source)
        )
    lines.append(f"- Pooler: {pooler_facts(provider.pooler)}")
    lines.append(
        f"- Source: {provider.source or 'not given'}; as of {provider.as_of or 'unknown'}; confidence "
        f"{provider.confidence}."
    )
    notes = [text for text in (provider.notes, provider.provider_notes) if text]
    lines += [f"- Note: {text}" for text in notes]
    return "\n".join(lines) + "\n"


def pooler_facts(offer: PoolerOffer | None) -> str:
    """The provider's pooler as its preset describes it, or that the plan has none."""
    if offer is None:
        return "none on this plan: run PgBouncer yourself (`pgbouncer/pgbouncer.ini` in this bundle)."
    parts = [f"{offer.name}"]
    if offer.modes:
        parts.append(
            f"modes {', '.join(offer.modes)}" + (f" ({offer.default_mode} by default)" if offer.default_mode else "")
        )
    if offer.max_client_conn is not None:
        parts.append(f"up to {n(offer.max_client_conn)} clients")
    if offer.default_pool_size is not None:
        parts.append(f"default pool {n(offer.default_pool_size)}")
    if offer.pins:
        parts.append(f"pins a client to one backend on {', '.join(offer.pins)}")
    return "; ".join(parts) + "." + (f" {offer.notes}" if offer.notes else "")


def replicas_section(plan: Plan, where: str) -> str:
    """What each read replica needs at least the primary's value of, when the plan has replicas."""
    wl = plan.scenario.workload
    if wl.replicas == 0 and wl.replica_pools == 0:
        return ""
    values = {s.name: s.value for s in plan.settings if s.name in STANDBY_AT_LEAST}
    rows = [f"- `{name}`: {values.get(name, 'as on the primary')}" for name in STANDBY_AT_LEAST]
    return (
        "## Read replicas\n\nA standby replays the primary's WAL only with these at least as high as the "
        f"primary's{f' ({where})' if where else ''}; raise them on the replicas first:\n\n" + "\n".join(rows) + "\n"
    )


def _source(source: str) -> str:
    return f" ({source})." if source else "."

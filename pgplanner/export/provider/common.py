"""What every provider recipe shares: the values to set, their reasons, and the recipe's shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ...model import Plan
from ...model.derivation import n
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
            d["memory.safe_work_mem_bytes"],
        ],
    )


def values_section(plan: Plan) -> str:
    d = plan.derivations
    lines = [
        "## The plan's values",
        "",
        f"- `max_connections = {n(plan.max_connections)}`: {d['max_connections']}; {d['max_connections_required']}.",
        f"- `work_mem = {work_mem_kb(plan)}` (kB): {d['memory.safe_work_mem_bytes']}.",
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

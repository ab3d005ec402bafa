"""The plain-text report ``pgplanner plan`` prints: the answer first, then how it was reached."""

from __future__ import annotations

import textwrap
from itertools import groupby

from ..model import Plan, human_size
from ..model.derivation import n
from ..model.settings import GROUP_TITLES

POOLER_LABEL = {"none": "no pooler", "pgbouncer": "PgBouncer", "pgcat": "PgCat", "provider": "provider pooler"}
WIDTH = 100


def render_report(plan: Plan) -> str:
    sections = [
        _headline(plan),
        _figures(plan),
        _budget(plan),
        _warnings(plan),
        _settings(plan),
        _kernel(plan),
        _derivations(plan),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _headline(plan: Plan) -> str:
    s = plan.scenario
    hw, pooler = s.hardware, s.pooler
    where = f"{s.provider.id}" if s.provider else f"{hw.platform}, {hw.storage}"
    pooling = POOLER_LABEL[pooler.kind] + (f", {pooler.mode} mode" if pooler.kind != "none" else "")
    title = f"{s.name}: " if s.name else ""
    return (
        f"{title}{hw.cores} core{'s' if hw.cores != 1 else ''}, {human_size(hw.ram)} RAM, "
        f"PostgreSQL {hw.pg_version} ({where}); {pooling}\n"
        f"max_connections = {n(plan.max_connections)}"
        f" (required {n(plan.max_connections_required)}, recommended {n(plan.max_connections_recommended)})"
    )


def _figures(plan: Plan) -> str:
    m = plan.memory
    rows = [
        ("RAM ceiling", n(plan.ram_ceiling), f"connections fit in {human_size(m.available_bytes)} at "
         f"{human_size(m.per_connection_bytes)} each"),
        ("Productive target", n(plan.productive_target), f"active connections; pool range "
         f"{plan.pool_size_range[0]}-{plan.pool_size_range[1]}"),
        ("Pool size", n(plan.pool_size), f"per pool, {plan.pools} pool{'s' if plan.pools != 1 else ''}, "
         f"reserve {plan.reserve_pool}, max_client_conn {n(plan.max_client_conn)} for {n(plan.client_demand)} clients"),
        ("Worst-case memory", human_size(m.worst_case_bytes), f"{n(plan.max_connections)} connections x "
         f"{human_size(m.worst_case_per_connection_bytes)}"),
        ("Heavy fraction", human_size(m.heavy_fraction_bytes), f"{plan.scenario.memory.heavy_fraction:.0%} of "
         "connections running the heaviest query"),
        ("Safe work_mem", human_size(m.safe_work_mem_bytes) if m.safe_work_mem_bytes else "none",
         f"work_mem is {human_size(plan.scenario.memory.work_mem)}"),
    ]  # fmt: skip
    if plan.pooler_capacity_tps is not None:
        rows.append(("Pooler capacity", f"{n(round(plan.pooler_capacity_tps))} tps",
                     f"at {plan.scenario.workload.txn_ms:g} ms per transaction"))  # fmt: skip
    return "\n".join(f"  {label:<20}{value:>12}   {note}" for label, value, note in rows)


def _budget(plan: Plan) -> str:
    lines = ["Budget"]
    for line in plan.budget:
        against = "" if line.counts_against == "max_connections" else f"  [{line.counts_against}]"
        lines.append(f"  {line.name:<34}{line.connections:>7,}  {line.why}{against}")
    lines.append(f"  {'required':<34}{plan.max_connections_required:>7,}")
    lines.append(f"  {'max_connections':<34}{plan.max_connections:>7,}")
    return "\n".join(lines)


def _warnings(plan: Plan) -> str:
    if not plan.warnings:
        return "No warnings."
    lines = ["Warnings"]
    for warning in plan.warnings:
        head = f"  {warning.severity.upper():<9}{warning.code}: "
        lines.append(textwrap.fill(warning.message, WIDTH, initial_indent=head, subsequent_indent=" " * 11))
    return "\n".join(lines)


def _settings(plan: Plan) -> str:
    """postgresql.conf by group: name, value, restart or reload, and the formula in short."""
    lines = ["postgresql.conf"]
    for group, members in groupby(plan.settings, key=lambda s: s.group):
        lines.append(f"  {GROUP_TITLES[group]}")
        for s in members:
            line = f"    {s.name:<34}{s.value:>8}  {s.context:<8}{s.derivation.calculation}"
            lines.append(line if len(line) <= WIDTH else line[: WIDTH - 4] + " ...")
    return "\n".join(lines)


def _kernel(plan: Plan) -> str:
    if plan.provider is not None:
        return f"Kernel and OS: managed by the provider ({plan.provider.id})."
    platform = plan.scenario.hardware.platform
    settings = [s for s in plan.kernel_settings if s.platform == platform]
    lines = [f"Kernel and OS ({platform})"]
    for s in settings:
        qualifier = "at least " if s.minimum else ""
        stock = "" if s.needed else f" (stock {n(s.stock or 0)} already suffices)"
        lines.append(f"  {s.name} = {qualifier}{n(s.value)}{stock}")
    return "\n".join(lines)


def _derivations(plan: Plan) -> str:
    lines = ["How each number was reached"]
    for derivation in plan.derivations.values():
        lines.append(textwrap.fill(str(derivation), WIDTH, initial_indent="  ", subsequent_indent="      "))
    return "\n".join(lines)

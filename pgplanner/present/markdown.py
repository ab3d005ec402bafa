"""The plan's sections in Markdown, for the bundle's README.md."""

from __future__ import annotations

from ..model import Plan, human_size
from ..model.derivation import n
from .cards import derivation_groups
from .plain import derivation_text
from .summary import answer_line, blocking_errors, setup_line
from .tables import budget_rows


def blocking_banner(plan: Plan) -> str:
    """The top of README.md for a plan written despite its blocking errors ("" when it has none)."""
    errors = blocking_errors(plan)
    if not errors:
        return ""
    lines = [
        "> **This plan has blocking errors and was written only because it was asked for "
        "(`--allow-blocking`). Do not apply it as it is.**",
        ">",
    ]
    lines += [f"> - **error** `{w.code}`: {w.message}" for w in errors]
    return "\n".join(lines)


def summary(plan: Plan) -> str:
    s, m = plan.scenario, plan.memory
    title = s.name or f"{s.hardware.cores} cores, {human_size(s.hardware.ram)}"
    lines = [
        f"# pgplanner bundle: {title}",
        "",
        f"{setup_line(plan)}.",
        "",
        f"- **{answer_line(plan)}**; max_wal_senders = {plan.max_wal_senders}",
        f"- RAM ceiling {n(plan.ram_ceiling)} connections; productive target {n(plan.productive_target)} active "
        f"connections (pool range {plan.pool_size_range[0]}-{plan.pool_size_range[1]})",
        f"- shared_buffers {human_size(m.shared_buffers_bytes)}, work_mem {human_size(m.work_mem_bytes)}; "
        f"worst case {human_size(m.worst_case_bytes)} against {human_size(m.available_bytes)} available",
    ]
    if s.pooler.kind != "none":
        lines.append(
            f"- pool size {plan.pool_size} x {plan.pools} pool(s), reserve {plan.reserve_pool}, "
            f"max_client_conn {n(plan.max_client_conn)} for {n(plan.client_demand)} clients"
        )
    return "\n".join(lines)


def budget(plan: Plan) -> str:
    rows = ["## Budget", "", "| Line | Connections | Counts against | Why |", "|---|---:|---|---|"]
    for row in budget_rows(plan):
        if row.total:
            rows.append(f"| **{row.name}** | **{row.connections}** | {row.counts_against} | {row.why} |")
        else:
            rows.append(f"| {row.name} | {row.connections} | {row.counts_against} | {row.why} |")
    return "\n".join(rows)


def warnings(plan: Plan) -> str:
    if not plan.warnings:
        return "## Warnings\n\nNone."
    return "## Warnings\n\n" + "\n".join(f"- **{w.severity}** `{w.code}`: {w.message}" for w in plan.warnings)


def derivations(plan: Plan) -> str:
    lines = ["## How each number was reached"]
    for title, value, rows in derivation_groups(plan):
        lines += ["", f"### {title}" + (f": {value}" if value else ""), ""]
        lines += [f"- `{path}`: {derivation_text(d)}" for path, d in rows]
    return "\n".join(lines)

"""The plan's sections in Markdown, for the bundle's README.md."""

from __future__ import annotations

from ..model import Plan, human_size
from .cards import card_views, derivation_groups
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
    s = plan.scenario
    title = s.name or f"{s.hardware.cores} cores, {human_size(s.hardware.ram)}"
    lines = [
        f"# pgplanner bundle: {title}",
        "",
        f"{setup_line(plan)}.",
        "",
        f"**{answer_line(plan)}**; max_wal_senders = {plan.max_wal_senders}.",
        "",
        "| Figure | Value | |",
        "|---|---:|---|",
    ]
    lines += [f"| {card.title} | {card.value} | {card.caption} |" for card in card_views(plan)]
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

"""The plain-text report ``pgplanner plan`` prints: the answer first, then how it was reached."""

from __future__ import annotations

from ..model import Derivation, Plan
from .cards import card_views, derivation_groups
from .latency import latency_section
from .settings import settings_groups
from .summary import answer_line, setup_line
from .tables import budget_rows, kernel_rows, kernel_title
from .wrapping import WIDTH, wrap


def render_report(plan: Plan) -> str:
    sections = [
        _headline(plan),
        _figures(plan),
        latency_section(plan),
        _budget(plan),
        _warnings(plan),
        _settings(plan),
        _kernel(plan),
        _derivations(plan),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def derivation_text(d: Derivation) -> str:
    """One derivation as a sentence: formula, the numbers, any note, the source."""
    return str(d)


def _headline(plan: Plan) -> str:
    title = f"{plan.scenario.name}: " if plan.scenario.name else ""
    return f"{title}{setup_line(plan)}\n{answer_line(plan)}"


def _figures(plan: Plan) -> str:
    return "\n".join(f"  {card.title:<22}{card.value:>12}   {card.caption}" for card in card_views(plan))


def _budget(plan: Plan) -> str:
    lines = ["Budget"]
    for row in budget_rows(plan):
        against = "" if row.counts_against in ("max_connections", "") else f"  [{row.counts_against}]"
        why = "" if row.total else row.why
        lines.append(f"  {row.name:<34}{row.connections:>9}  {why}{against}".rstrip())
    return "\n".join(lines)


def _warnings(plan: Plan) -> str:
    if not plan.warnings:
        return "No warnings."
    lines = ["Warnings"]
    for warning in plan.warnings:
        head = f"  {warning.severity.upper():<9}{warning.code}: "
        lines += wrap(warning.message, head, " " * 11)
    return "\n".join(lines)


def _settings(plan: Plan) -> str:
    """postgresql.conf by group: name, value, restart or reload, and the calculation in short."""
    lines = ["postgresql.conf"]
    for title, rows in settings_groups(plan):
        lines.append(f"  {title}")
        for row in rows:
            line = f"    {row.name:<34}{row.value:>8}  {row.applies:<8}{row.setting.derivation.calculation}"
            lines.append(line if len(line) <= WIDTH else line[: WIDTH - 4] + " ...")
    return "\n".join(lines)


def _kernel(plan: Plan) -> str:
    rows = kernel_rows(plan)
    lines = [kernel_title(plan)]
    lines += [f"  {row.name} = {row.value}" + (f" ({row.stock})" if row.stock else "") for row in rows]
    return "\n".join(lines)


def _derivations(plan: Plan) -> str:
    lines = ["How each number was reached"]
    for title, value, rows in derivation_groups(plan):
        lines.append(f"  {title}" + (f": {value}" if value else ""))
        for path, d in rows:
            text = f"{path}: {derivation_text(d)}"
            lines += wrap(text, "    ", "        ")
    return "\n".join(lines)

"""The plan's text as Qt rich text (a subset of HTML), for the window's tooltips and panes."""

from __future__ import annotations

from html import escape

from ..model import Derivation, Plan
from ..model.derivation import n
from .cards import CardView, derivation_groups
from .compare import CompareRow, difference_rows, headline_rows, plan_title
from .summary import blocking
from .tables import kernel_rows, kernel_title


def derivation_html(d: Derivation) -> str:
    """Formula in bold, the calculation in type, then the note and the source in italics."""
    extras = "".join(f"<br><i>{escape(text)}</i>" for text in (d.note, d.source and f"source: {d.source}") if text)
    return f"<p><b>{escape(d.formula)}</b><br><tt>{escape(d.calculation)}</tt>{extras}</p>"


def card_tooltip(plan: Plan, card: CardView) -> str:
    """A card's "why": the derivations of the outputs it stands for (none of a pooler's without a pooler)."""
    if card.inactive:
        return f"<b>{escape(card.title)}: {escape(card.value)}</b><p>{escape(card.caption)}.</p>"
    derived = {id(d): d for path in card.outputs if (d := plan.derivations.get(path)) is not None}
    rows = [derivation_html(d) for d in derived.values()]
    return f"<b>Why {escape(card.title)}?</b>" + ("".join(rows) or "<p>Nothing to derive.</p>")


def derivations_page(plan: Plan, anchors: dict[str, str]) -> str:
    """Every derivation grouped by card; ``anchors`` maps a card title to the anchor the window scrolls to."""
    sections = []
    for title, value, rows in derivation_groups(plan):
        anchor = anchors.get(title, "other")
        heading = escape(title) + (f": {escape(value)}" if value else "")
        sections.append(
            f"<h3 id='{anchor}'><a name='{anchor}'></a>{heading}</h3>" + "".join(derivation_html(d) for _, d in rows)
        )
    return "".join(sections)


def headline_html(plan: Plan, alarm_colour: str) -> tuple[str, ...]:
    """The sentence above the cards, in its wordings longest first. A narrow window gets a shorter one:
    "target" for "productive target", then without the figures the cards right under it show (required,
    target, RAM ceiling); max_connections and the blocking errors are in every wording."""
    errors = blocking(plan)
    alarm = f" <span style='color:{alarm_colour}'>· {errors} blocking</span>" if errors else ""
    answer = f"<span style='font-size:17px'><b>max_connections = {n(plan.max_connections)}</b></span>"
    required = f" &nbsp;required {n(plan.max_connections_required)}"
    target, ceiling = n(plan.productive_target), n(plan.ram_ceiling)
    return (
        f"{answer}{required}, productive target {target}, RAM ceiling {ceiling}{alarm}",
        f"{answer}{required}, target {target}, RAM ceiling {ceiling}{alarm}",
        f"{answer}{required}{alarm}",
        f"{answer}{alarm}",
    )


def kernel_html(plan: Plan) -> str:
    rows = kernel_rows(plan)
    if not rows:
        return f"<p>{escape(kernel_title(plan))}</p>"
    body = "".join(
        f"<p><tt><b>{escape(r.name)}</b> = {escape(r.value)}</tt>"
        + (f" <i>({escape(r.stock)})</i>" if r.stock else "")
        + f"<br>{escape(r.derivation.formula)}: {escape(r.derivation.calculation)}</p>"
        for r in rows
    )
    return f"<h3>{escape(kernel_title(plan))}</h3>{body}"


def compare_page(baseline: Plan, plan: Plan) -> str:
    """The Compare tab: the headline of the baseline (A) and the current plan (B), then every difference."""

    def table(rows: list[CompareRow]) -> str:
        cells = "".join(
            f"<tr><td>{escape(r.title)}</td><td align='right'>{escape(r.a)}</td><td align='right'>{escape(r.b)}</td>"
            f"<td align='right'>{escape(r.change)}</td></tr>"
            for r in rows
        )
        head = "<tr><th></th>" + "".join(f"<th align='right'>{h}</th>" for h in ("baseline", "now", "change")) + "</tr>"
        return f"<table cellspacing='0' cellpadding='3' width='100%'>{head}{cells}</table>"

    groups = difference_rows(baseline, plan)
    sections = "".join(f"<h3>{escape(title)} ({len(rows)})</h3>{table(rows)}" for title, rows in groups)
    return (
        f"<p>Baseline: <b>{escape(plan_title(baseline, 'the pinned plan'))}</b></p>"
        + table(headline_rows(baseline, plan))
        + (sections or "<p>Nothing differs from the baseline yet: change an input.</p>")
    )

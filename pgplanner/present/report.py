"""The report: one self-contained HTML file a DBA can e-mail, open offline and print to a tidy PDF.

Everything is inline (styles, the three plots as SVG from :mod:`.svg`); nothing is fetched. The words
and numbers come from the same presentation layer as the CLI and the README (cards, budget and kernel
rows, derivations, the comparison's rows), so the report never says a figure differently. For two
plans it leads with the comparison (the headline side by side, the plots overlaid, what differs) and
then gives each plan whole, side by side on screen and one after the other in print.

Each shown figure carries ``data-path``, the JSON path of ``plan --json`` it shows, so a test (or a
script) can check the page against the plan.
"""

from __future__ import annotations

from html import escape

from ..model import FIELDS, PLATFORMS, Derivation, Plan
from ..model.derivation import n
from ..model.latency import LatencyFigures, QueueFigures, unstable_reason
from .cards import card_views, derivation_groups, plural
from .charts import COMPARISON, has_latency
from .compare import CompareRow, difference_rows, headline_rows, plan_title, story
from .html import derivation_html
from .latency import latency_note, milliseconds, share
from .palette import SEVERITY
from .settings import settings_groups
from .summary import answer_line, blocking, blocking_errors, setup_line
from .svg import chart_svg
from .tables import budget_rows, kernel_rows, kernel_title

STYLE = """
:root { --ink: #222; --muted: #5a5a5a; --rule: #d8d8d8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink);
       max-width: 1320px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.story { font-size: 15.5px; padding-left: 20px; } .story li { margin: 3px 0; }
.lead { font-size: 17px; margin: 6px 0; } .muted { color: var(--muted); }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; }
.banner { border-left: 6px solid #D55E00; background: #fbe9df; padding: 8px 12px; margin: 10px 0; }
.ok { border-left-color: #009E73; background: #e3f4ee; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--rule); border-left: 5px solid var(--rule); border-radius: 4px; padding: 6px 10px; }
.card .title { color: var(--muted); font-size: 12px; } .card .value { font-size: 22px; font-weight: 600; }
.card .caption { color: var(--muted); font-size: 11.5px; } .card.inactive .value { color: #9a9a9a; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--rule); vertical-align: top; }
th { background: #f3f3f3; }
table.compact { width: auto; min-width: 640px; } table.compact td.num { min-width: 120px; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; }
.better { color: #007a5a; } .worse { color: #b34700; }
.plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }
figure { margin: 0; } figure svg { width: 100%; height: auto; display: block; }
figure.budget { max-width: 760px; margin: 8px 0; }
table.settings td:first-child { white-space: nowrap; } .pair table.settings td:first-child { white-space: normal; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 28px; }
.pair > section { min-width: 0; }
.pair td, .pair th { overflow-wrap: break-word; } .pair td.num { white-space: normal; }
.pair td.derivation { overflow-wrap: anywhere; }
.warning { border-left: 5px solid; padding: 4px 10px; margin: 4px 0; background: #fafafa; }
.derivation p { margin: 4px 0 8px; } .derivation tt { font-family: ui-monospace, Menlo, Consolas, monospace; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10pt; max-width: none; padding: 0; }
  .pair { grid-template-columns: 1fr; }
  .pair > section + section { break-before: page; }
  h2 { break-after: avoid; } figure, .card, tr, .warning, .derivation p { break-inside: avoid; }
  .plots { grid-template-columns: 1fr 1fr; } a { color: inherit; text-decoration: none; }
}
"""


def render_html_report(plan: Plan, baseline: Plan | None = None, names: tuple[str, str] = ("A", "B")) -> str:
    """The whole report: one plan, or ``baseline`` (A) against ``plan`` (B) when a baseline is given."""
    if baseline is None:
        title = plan_title(plan, "pgplanner plan")
        body = _single(plan)
    else:
        title = f"{plan_title(baseline, names[0])} vs {plan_title(plan, names[1])}"
        body = _comparison(baseline, plan, names)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)} — pgplanner report</title><style>{STYLE}</style></head><body>"
        f"{body}<footer>Made by pgplanner. Every figure explains itself under "
        "“How each number was reached”; the plots are drawn from the plan's own curves.</footer></body></html>\n"
    )


def _single(plan: Plan) -> str:
    return "".join(
        [
            f"<h1>{escape(plan_title(plan, 'PostgreSQL connections and memory'))}</h1>",
            _headline(plan, ""),
            _cards(plan, ""),
            "<h2>Plots</h2><div class='plots'>",
            f"<figure>{chart_svg('throughput', plan)}</figure><figure>{chart_svg('memory', plan)}</figure>",
            # In the plots' grid, so it is drawn at their scale: its words as large as theirs, not larger.
            f"<figure>{chart_svg('budget', plan)}</figure></div>",
            _latency(plan, ""),
            _details(plan, ""),
        ]
    )


def _comparison(a: Plan, b: Plan, names: tuple[str, str]) -> str:
    title_a, title_b = plan_title(a, names[0]), plan_title(b, names[1])
    head = "".join(
        f"<p class='lead'><b>{tag}</b> {escape(title)}<br><span class='muted'>{escape(setup_line(p))}</span></p>"
        for tag, title, p in (("A", title_a, a), ("B", title_b, b))
    )
    rows = "".join(
        f"<tr><td>{escape(r.title)}</td>{_figure_cell(f'a.{r.path}', r.a, r.shown[0])}"
        f"{_figure_cell(f'b.{r.path}', r.b, r.shown[1])}<td class='num'>{escape(r.change)}</td></tr>"
        for r in headline_rows(a, b)
    )
    verdicts = "".join(_verdict(p, tag) for tag, p in (("A", a), ("B", b)))
    sentences = "<ul class='story'>" + "".join(f"<li>{escape(line)}</li>" for line in story(a, b)) + "</ul>"
    plots = (
        "<h2>The two plans on one set of axes</h2>"
        "<p class='muted'>B in colour, A in grey behind it. The dots are each plan with every max_connections slot "
        "busy: its throughput, and the memory in use when the heavy fraction of them runs the heaviest query.</p>"
        "<div class='plots'>"
        f"<figure>{chart_svg('throughput', b, a, COMPARISON, 'ab')}</figure>"
        f"<figure>{chart_svg('memory', b, a, COMPARISON, 'ab')}</figure>"
        + (f"<figure>{chart_svg('latency', b, a, COMPARISON, 'ab')}</figure>" if has_latency(b) else "")
        + "</div>"
    )
    differences = (
        "".join(f"<h3>{escape(title)} ({len(rows)})</h3>" + _differences(rows) for title, rows in difference_rows(a, b))
        or "<p>The two plans are the same.</p>"
    )
    sides = "".join(
        f"<section><h2>{tag}: {escape(title)}</h2>{_headline(p, tag.lower())}{_cards(p, tag.lower())}"
        f"<figure class='budget'>{chart_svg('budget', p, id_suffix=tag.lower())}</figure>"
        f"{_latency(p, tag.lower())}{_details(p, tag.lower())}</section>"
        for tag, title, p in (("A", title_a, a), ("B", title_b, b))
    )
    return (
        f"<h1>Two PostgreSQL connection plans compared</h1>{head}{sentences}{verdicts}"
        "<h2>Headline</h2>"
        + _table_html(["", "A", "B", "change (B - A)"], rows, numeric=(1, 2, 3), compact=True)
        + plots
        + f"<h2>What differs</h2>{differences}<div class='pair'>{sides}</div>"
    )


def _figure_cell(path: str, text: str, shown: bool) -> str:
    """A table cell showing the figure at ``path`` (marked with it), or words in its place ("no pooler")."""
    mark = f" data-path='{path}'" if shown else ""
    return f"<td class='num'{mark}>{escape(text)}</td>"


def _verdict(plan: Plan, tag: str) -> str:
    errors = blocking(plan)
    label = f"{tag}: " if tag else ""
    if errors:
        messages = "; ".join(escape(w.message) for w in blocking_errors(plan))
        return f"<div class='banner'><b>{label}{plural(errors, 'blocking error')}</b>: {messages}</div>"
    others = len(plan.warnings)
    below = f" ({plural(others, 'warning')} below)" if others else "."
    return f"<div class='banner ok'><b>{label}no blocking errors</b>{below}</div>"


def _headline(plan: Plan, prefix: str) -> str:
    return f"<p class='lead'><b>{escape(answer_line(plan))}</b></p><p class='muted'>{escape(setup_line(plan))}</p>" + (
        "" if prefix else _verdict(plan, "")
    )


def _cards(plan: Plan, prefix: str) -> str:
    p = f"{prefix}." if prefix else ""
    cards = []
    for card in card_views(plan):
        edge = f" style='border-left-color:{SEVERITY[card.severity]}'" if card.severity else ""
        figure = "" if card.inactive else f" data-path='{p}{card.figure}'"
        cards.append(
            f"<div class='card{' inactive' if card.inactive else ''}'{edge}>"
            f"<div class='title'>{escape(card.title)}</div>"
            f"<div class='value'{figure}>{escape(card.value)}</div>"
            f"<div class='caption'>{escape(card.caption)}</div></div>"
        )
    return f"<div class='cards'>{''.join(cards)}</div>"


def _latency(plan: Plan, prefix: str) -> str:
    """The latency chart and the figures at the demand (pool sizes, without a pooler, the best pool); nothing
    for a plan with no demand and no measured latency."""
    if not has_latency(plan):
        return ""
    p = f"{prefix}." if prefix else ""
    suffix = f"lat{prefix}"
    parts = ["<h2>Latency</h2><div class='plots'>", f"<figure>{chart_svg('latency', plan, id_suffix=suffix)}</figure>"]
    latency = plan.latency
    if latency is not None:
        best = latency.best_pool_size
        rows: list[tuple[str, str, QueueFigures]] = []
        if latency.at_pool_size is not None:
            rows.append(
                ("at_pool_size", f"pool of {n(latency.at_pool_size.pool_size)} (the plan's)", latency.at_pool_size)
            )
        rows.append(("direct", f"no pooler, {n(latency.direct.pool_size)} connections", latency.direct))
        unstable = [row for row in latency.by_pool_size if not row.stable]
        if unstable:  # the sizes that cannot keep up, in one row: the largest of them says why
            sizes = f"{n(unstable[0].pool_size)} to {n(unstable[-1].pool_size)}" if len(unstable) > 1 else ""
            rows.append(("", f"pools of {sizes}" if sizes else f"pool of {n(unstable[0].pool_size)}", unstable[-1]))
        rows += [
            ("", f"pool of {n(row.pool_size)}" + (" (the best for p99)" if row.pool_size == best else ""), row)
            for row in latency.by_pool_size
            if row.stable
        ]
        body = "".join(
            _queue_row(f"{p}latency.{path}" if path else "", title, row, latency) for path, title, row in rows
        )
        headers = ["Backends", "Mean", "p95", "p99", "Waits", "Busy"]
        table = _table_html(headers, body, numeric=(1, 2, 3, 4, 5))
        parts.append(f"<div>{table}<p class='muted'>{escape(latency_note(latency))}</p></div>")
    return "".join(parts) + "</div>"


def _queue_row(path: str, title: str, row: QueueFigures, latency: LatencyFigures) -> str:
    if not row.stable or row.mean_ms is None or row.p95_ms is None or row.p99_ms is None or row.p_wait is None:
        reason = unstable_reason(row, latency.demand_tps, latency.stable_below)
        return f"<tr><td>{escape(title)}</td><td colspan='5' class='muted'>{escape(reason)}</td></tr>"
    cells = [("mean_ms", milliseconds(row.mean_ms)), ("p95_ms", milliseconds(row.p95_ms)),
             ("p99_ms", milliseconds(row.p99_ms)), ("p_wait", share(row.p_wait)),
             ("utilisation", share(row.utilisation))]  # fmt: skip
    shown = "".join(
        f"<td class='num'{f' data-path={chr(39)}{path}.{key}{chr(39)}' if path else ''}>{escape(text)}</td>"
        for key, text in cells
    )
    return f"<tr><td>{escape(title)}</td>{shown}</tr>"


def _differences(rows: list[CompareRow]) -> str:
    """One group of what differs, A beside B; the change column only where some row has one (a setting's
    text, "localhost" against "*", has none)."""
    if any(r.change for r in rows):
        return _table(["", "A", "B", "change"], [[r.title, r.a, r.b, r.change] for r in rows], (1, 2, 3), compact=True)
    return _table(["", "A", "B"], [[r.title, r.a, r.b] for r in rows], (1, 2), compact=True)


def _details(plan: Plan, prefix: str) -> str:
    return "".join(
        [
            "<h2>Budget</h2>",
            _budget(plan, bool(prefix)),
            "<h2>Warnings</h2>",
            _warnings(plan),
            "<h2>postgresql.conf</h2>",
            _settings(plan, prefix),
            "<h2>Kernel and OS</h2>",
            _kernel(plan, prefix),
            "<h2>Inputs</h2>",
            _inputs(plan),
            "<h2>How each number was reached</h2>",
            _derivations(plan),
        ]
    )


def _budget(plan: Plan, narrow: bool) -> str:
    body = "".join(
        f"<tr{' class=total' if r.total else ''}><td>{_breakable(r.name, narrow)}</td>"
        f"<td class='num'>{escape(r.connections)}</td>"
        f"<td>{_breakable(r.counts_against, narrow)}</td><td>{escape(r.why)}</td></tr>"
        for r in budget_rows(plan)
    )
    return _table_html(["Line", "Connections", "Counts against", "Why"], body, numeric=(1,))


def _warnings(plan: Plan) -> str:
    if not plan.warnings:
        return "<p>None: this plan holds together.</p>"
    return "".join(
        f"<div class='warning' style='border-color:{SEVERITY[w.severity]}'><b>{escape(w.severity.upper())}</b> "
        f"<code>{escape(w.code)}</code>: {escape(w.message)}</div>"
        for w in plan.warnings
    )


def _settings(plan: Plan, prefix: str) -> str:
    """Every postgresql.conf setting by group: value, how it applies, why (and where it parts from pgtune)."""
    p = f"{prefix}." if prefix else ""
    parts = []
    for title, rows in settings_groups(plan):
        body = "".join(
            f"<tr><td><code>{_breakable(r.name, bool(prefix))}</code></td>"
            f"<td class='num' data-path='{p}settings.{escape(r.name)}'><code>{escape(r.value)}</code></td>"
            f"<td>{escape(r.applies)}</td><td class='derivation'>{_wrappable(r.setting.derivation, bool(prefix))}"
            + (f"<p><i>{escape(r.versus_pgtune)}</i></p>" if r.versus_pgtune else "")
            + "</td></tr>"
            for r in rows
        )
        table = _table_html(["Setting", "Value", "Applies on", "Why"], body, (1,), kind="settings")
        parts.append(f"<h3>{escape(title)}</h3>{table}")
    return "".join(parts) or "<p class='muted'>No settings in this plan.</p>"


def _kernel(plan: Plan, prefix: str) -> str:
    if plan.provider is not None:
        return f"<p>{escape(kernel_title(plan))}</p>"
    parts = []
    for platform in PLATFORMS:
        rows = "".join(
            f"<tr><td><code>{_breakable(r.name, bool(prefix))}</code></td><td class='num'>{escape(r.value)}</td>"
            f"<td>{_breakable(r.stock, bool(prefix))}</td>"
            f"<td class='derivation'>{_wrappable(r.derivation, bool(prefix))}</td></tr>"
            for r in kernel_rows(plan, platform)
        )
        mine = " (this scenario's platform)" if platform == plan.scenario.hardware.platform else ""
        table = _table_html(["Setting", "Value", "Stock", "Why"], rows, kind="settings")
        parts.append(f"<h3>{escape(platform)}{mine}</h3>{table}")
    return "".join(parts)


def _inputs(plan: Plan) -> str:
    s = plan.scenario
    rows = [
        [spec.title, spec.format(getattr(getattr(s, spec.group), spec.name)), spec.path] for spec in FIELDS.values()
    ]
    if s.provider is not None:
        rows.insert(0, ["Provider plan", s.provider.id, "provider"])
    if s.measurements:
        shown = ", ".join(f"{n(m.connections)}: {n(round(m.tps))} tps" for m in s.measurements)
        rows.append(["Measured throughput", shown, "measurements"])
    return _table(["Input", "Value", "Path"], rows, numeric=(1,))


def _derivations(plan: Plan) -> str:
    parts = []
    for title, value, rows in derivation_groups(plan):
        heading = escape(title) + (f": {escape(value)}" if value else "")
        explained = "".join(derivation_html(d) for _, d in rows)
        parts.append(f"<h3>{heading}</h3><div class='derivation'>{explained}</div>")
    return "".join(parts)


def _breakable(name: str, narrow: bool) -> str:
    """A setting name; in a ``narrow`` column (two plans side by side) it may wrap after a dot, an
    underscore or a slash (a sysfs path), never mid-word (Chromium breaks at <wbr> even under white-space:
    nowrap)."""
    if not narrow:
        return escape(name)
    return escape(name).replace(".", ".<wbr>").replace("_", "_<wbr>").replace("/", "/<wbr>")


def _wrappable(derivation: Derivation, narrow: bool) -> str:
    """A setting's derivation; in a ``narrow`` column its long names ("idle_in_transaction_session_timeout")
    may wrap after an underscore rather than mid-word (its HTML has no attributes an underscore could be in)."""
    html = derivation_html(derivation)
    return html.replace("_", "_<wbr>") if narrow else html


def _table(headers: list[str], rows: list[list[str]], numeric: tuple[int, ...] = (), compact: bool = False) -> str:
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=num' if i in numeric else ''}>{escape(cell)}</td>" for i, cell in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return _table_html(headers, body, numeric, compact)


def _table_html(
    headers: list[str], body: str, numeric: tuple[int, ...] = (), compact: bool = False, kind: str = ""
) -> str:
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{escape(h)}</th>" for i, h in enumerate(headers))
    classes = " ".join(c for c in ("compact" if compact else "", kind) if c)
    opening = f"<table class='{classes}'>" if classes else "<table>"
    return f"{opening}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

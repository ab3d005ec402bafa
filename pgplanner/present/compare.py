"""A comparison in words: the two plans' headline figures, the change between them, and what differs.

Read by ``pgplanner compare`` (:func:`render_comparison`), the window's Compare tab and card deltas
(:func:`headline_rows`, :func:`difference_rows`) and the HTML report, so all of them say a change the
same way: "1,000 -> 100 (-900)", "266 GB -> 19.5 GB (-247 GB)", "33 % -> 100 % of peak (+67 points)".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from ..model import FIELDS, Plan, human_size
from ..model.compare import (
    AT_MAX_CONNECTIONS,
    HEADLINE,
    NO_POOLER_OUTPUTS,
    Difference,
    differences,
    headline,
    throughput_at_max_connections,
)
from ..model.derivation import n
from ..model.pgbouncer import PLATFORM_NAMES
from .cards import CARDS, NO_POOLER, CardView, card_views, judged, plural
from .choices import choice_label
from .latency import milliseconds, share
from .summary import POOLER_LABEL, answer_line, blocking, blocking_errors, setup_line
from .wrapping import first_sentence, wrap

KIND_TITLES = {
    "input": "Inputs",
    "output": "Outputs",
    "setting": "postgresql.conf settings",
    "kernel": "Kernel and OS",
    "warning": "Warnings",
}
# A card's line about the pinned plan begins with one of these, longest first: "vs" where "baseline" would
# leave no room for the figures (a narrow card in a small window).
BASELINE_WORDS = ("baseline", "vs")
_CARD_TITLES = {spec.outputs[0]: spec.title for spec in CARDS}
HEADLINE_TITLES = {path: _CARD_TITLES.get(path, path) for path in HEADLINE} | {
    AT_MAX_CONNECTIONS: "Throughput at max_connections"
}
_INPUT_SPECS = {spec.path: spec for spec in FIELDS.values()}
# Outputs whose derivation's name does not say which figure they are: figures that share one derivation (the
# fitted USL's lambda, sigma, kappa and peak; the rule of thumb beside the productive target) or whose name
# is a bare key ("port"). Every other output is called what its derivation calls it.
OUTPUT_TITLES = {
    "rule_of_thumb_target": "productive target by the rule of thumb (cores x multiplier + disk concurrency)",
    "productive_target_measured": "productive target taken from measurements",
    "max_connections_recommended": "recommended max_connections",
    "headroom": "headroom above the required max_connections",
    "throughput.knee": "throughput knee (active connections)",
    "throughput.peak": "throughput peak (active connections)",
    "throughput.shape_u": "USL shape u",
    "throughput.sigma": "USL sigma (contention)",
    "throughput.kappa": "USL kappa (coherency)",
    "throughput.measured_peak_tps": "measured throughput at the peak (tps)",
    "throughput.fit_rmse": "USL fit's RMS error (share of the peak)",
    "throughput.fit_lambda_tps": "USL lambda (tps of one client)",
    "throughput.fit_peak_error": "USL peak's standard error (connections)",
    "throughput.measured_on": "measured on",
    "memory.heavy_fraction_opened_bytes": "Heavy-fraction memory of the connections opened",
    "semaphores.num_os_semaphores": "semaphores the server needs",
    "pooler_config.server_host": "pgbouncer.ini: host of PostgreSQL",
    "pooler_config.server_port": "pgbouncer.ini: port of PostgreSQL",
    AT_MAX_CONNECTIONS: HEADLINE_TITLES[AT_MAX_CONNECTIONS],
}
USL_PARAMETERS = ("throughput.shape_u", "throughput.sigma", "throughput.kappa")  # small: three significant digits
FIT_RMSE = "throughput.fit_rmse"  # a share of the peak
POOLER_CONFIG = "pooler_config."  # pgbouncer.ini's own values: shown as the file writes them (port 5432)


class CompareRow(NamedTuple):
    """A figure of plans A and B side by side. A named tuple: cheaper than a frozen dataclass to create at
    import and to build."""

    path: str
    title: str
    a: str
    b: str
    change: str  # "-900", "+67 points", "" when not a number
    # Whether A's and B's cell shows the figure at ``path`` ("no pooler" does not: that plan has no pool).
    shown: tuple[bool, bool] = (True, True)


def show_value(path: str, value: Any) -> str:
    """A value as the plan's own views show it: sizes in human units, shares in percent, a choice in the
    words of its combo box."""
    if value is None:
        if path in _INPUT_SPECS:
            return "auto"
        if path in NO_POOLER_OUTPUTS:
            return NO_POOLER.value
        return "no measurements" if path in OUTPUT_TITLES and path.startswith("throughput.") else "none"
    if path in _INPUT_SPECS:
        spec = _INPUT_SPECS[path]
        if spec.kind == "size" and isinstance(value, int):
            return human_size(value)  # as its change beside it says it: "32 GB" and "-32 GB", not "64GB"
        if spec.kind == "count" and isinstance(value, int):
            return n(value)  # as the outputs write it: "1,000", not "1000"
        if spec.kind == "flag":
            return "yes" if value else "no"
        if spec.kind == "choice":
            return choice_label(spec.flat, value)  # as its combo box says it: "SSD", "PgBouncer", not "ssd"
        return spec.format(value)
    if path.startswith("warnings."):
        return str(value)
    if path.startswith(POOLER_CONFIG):
        return str(value) if value != "" else "not set"
    if path in USL_PARAMETERS and isinstance(value, int | float):
        return f"{value:.3g}"
    if path == FIT_RMSE and isinstance(value, int | float):
        return share(value)
    if path == AT_MAX_CONNECTIONS:
        return f"{value * 100:.0f} % of peak"
    if path.startswith("latency."):
        if path.endswith(".stable"):
            return "stable" if value else "unstable"
        if path.endswith("_ms") and isinstance(value, int | float):
            return milliseconds(value)
        if path.endswith((".p_wait", ".utilisation")) and isinstance(value, int | float):
            return share(value)
    if isinstance(value, list | tuple) and value and all(isinstance(v, int) for v in value):
        return "–".join(n(v) for v in value)  # a range: pool size range 8–16, as the card writes it
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if path.endswith("_bytes"):
        return human_size(value)
    return n(value)


def show_change(path: str, a: Any, b: Any) -> str:
    """B minus A, signed, in the value's unit; "" when either side is not a number."""
    numbers = (int, float)
    if isinstance(a, bool) or isinstance(b, bool) or not (isinstance(a, numbers) and isinstance(b, numbers)):
        return ""
    if path.startswith(POOLER_CONFIG):
        return ""  # a port or a timeout in the file: a change of setting, not an amount
    delta = b - a
    if delta == 0:
        return "±0"
    sign = "+" if delta > 0 else "-"
    if path == AT_MAX_CONNECTIONS:  # from the percentages as shown, so that 33 % -> 100 % reads +67
        points = round(b * 100) - round(a * 100)
        return f"{'+' if points > 0 else '-' if points < 0 else '±'}{abs(points)} points" if points else "±0"
    if path in USL_PARAMETERS:
        return f"{sign}{abs(delta):.3g}"
    if path.endswith("_bytes") or (path in _INPUT_SPECS and _INPUT_SPECS[path].kind == "size"):
        return f"{sign}{human_size(abs(delta))}"
    if path.startswith("latency.") and path.endswith("_ms"):
        return f"{sign}{milliseconds(abs(delta))}"
    if path.startswith("latency.") and path.endswith((".p_wait", ".utilisation")):
        return f"{sign}{abs(delta) * 100:.2g} points"
    return f"{sign}{n(abs(round(delta, 3)))}"


def headline_rows(a: Plan, b: Plan) -> list[CompareRow]:
    """The HEADLINE figures of both plans with the change from A to B; a card's figure reads as its card."""
    left, right = headline(a), headline(b)
    cards_a, cards_b = ({card.figure: card.value for card in card_views(p)} for p in (a, b))
    return [
        CompareRow(
            path,
            HEADLINE_TITLES[path],
            cards_a.get(path) or show_value(path, left[path]),
            cards_b.get(path) or show_value(path, right[path]),
            show_change(path, left[path], right[path]),
            (left[path] is not None, right[path] is not None),
        )
        for path in HEADLINE
    ] + _latency_row(a, b)


def _latency_row(a: Plan, b: Plan) -> list[CompareRow]:
    """The latency card's p99 side by side, when either plan has a demand (at its pool, or without a pooler)."""
    if a.latency is None and b.latency is None:
        return []
    views = [next((c for c in card_views(p) if c.key in ("latency", "latency_direct")), None) for p in (a, b)]
    path = next(view.figure for view in views if view is not None)
    values = [_p99(a), _p99(b)]
    texts = [view.value if view is not None else "no demand" for view in views]
    marked = [
        view is not None and view.figure == path and value is not None
        for view, value in zip(views, values, strict=True)
    ]
    change = show_change(path, values[0], values[1])
    return [CompareRow(path, "Latency p99", texts[0], texts[1], change, (marked[0], marked[1]))]


def _p99(plan: Plan) -> float | None:
    """The p99 the latency card shows: at the plan's pool, or with every client a backend (None: none)."""
    if plan.latency is None:
        return None
    row = plan.latency.at_pool_size or plan.latency.direct
    return row.p99_ms


def difference_rows(a: Plan, b: Plan) -> list[tuple[str, list[CompareRow]]]:
    """What differs, grouped by kind (inputs, outputs, settings, kernel, warnings), in that order."""
    groups: dict[str, list[CompareRow]] = {kind: [] for kind in KIND_TITLES}
    for d in differences(a, b):
        groups[d.kind].append(_row(d, difference_title(d, a, b)))
    return [(KIND_TITLES[kind], _told_apart(rows)) for kind, rows in groups.items() if rows]


def _told_apart(rows: list[CompareRow]) -> list[CompareRow]:
    """No two rows of a group read alike (not even in another case): a title that would still repeat is
    followed by what the figure is, in words of its path."""
    seen: dict[str, int] = {}
    for row in rows:
        seen[row.title.lower()] = seen.get(row.title.lower(), 0) + 1
    return [row._replace(title=f"{row.title} ({_spoken(row.path)})") if seen[row.title.lower()] > 1 else row
            for row in rows]  # fmt: skip


def _row(d: Difference, title: str) -> CompareRow:
    return CompareRow(d.path, title, show_value(d.path, d.a), show_value(d.path, d.b), show_change(d.path, d.a, d.b))


def difference_title(d: Difference, a: Plan, b: Plan) -> str:
    """What a difference is called where people read it, never its JSON path nor a warning's code: an input's
    title ("RAM"), a card's title, a setting's own name, a warning's first sentence, a kernel key with its
    platform ("vm.nr_hugepages (Linux)"), a budget line's name, and any other output by what its derivation
    calls it ("typical per connection") unless :data:`OUTPUT_TITLES` says better."""
    if d.kind == "setting":
        return d.path.split(".", 1)[1]
    if d.kind == "warning":
        return warning_words(d.path.split(".", 1)[1], b, a)
    if d.kind == "input":
        spec = _INPUT_SPECS.get(d.path)
        return spec.title if spec is not None else _spoken(d.path)
    if d.kind == "kernel":
        _, platform, key = d.path.split(".", 2)
        return f"{key} ({PLATFORM_NAMES.get(platform, platform)})"
    if d.path in OUTPUT_TITLES:
        return OUTPUT_TITLES[d.path]
    if d.path in _CARD_TITLES:
        return _CARD_TITLES[d.path]
    if d.path.startswith("budget."):
        key = d.path.split(".", 1)[1]
        name = next((line.name for p in (b, a) for line in p.budget if line.key == key), _spoken(key))
        return f"max_connections budget: {name}"
    for p in (b, a):
        derivation = p.derivations.get(d.path)
        if derivation is not None:
            name = derivation.formula.split(" = ", 1)[0].split(":", 1)[0].strip()
            if name and name != NO_POOLER.value:
                return name
    return _spoken(d.path)


def warning_words(code: str, *plans: Plan) -> str:
    """A warning as people read it: the first sentence of its message in the first of ``plans`` that raises it
    (the code is for scripts)."""
    message = next((w.message for p in plans for w in p.warnings if w.code == code), code)
    return first_sentence(message)


def _spoken(path: str) -> str:
    """A path with no other name, in words: ``budget.reserve_pool`` -> "budget: reserve pool"."""
    words = [part.removesuffix("_bytes").replace("_", " ") for part in path.split(".")]
    return ": ".join(words)


def story(a: Plan, b: Plan) -> list[str]:
    """The comparison in four sentences a DBA can forward: how clients connect, throughput, memory, verdict."""
    lines = [f"{tag}: {_connecting(p)}" for tag, p in (("A", a), ("B", b))]
    share_a, share_b = (throughput_at_max_connections(p)[0] for p in (a, b))
    peaks = [
        f"{n(round(p.throughput.peak))} active connections on {plural(p.scenario.hardware.cores, 'core')}"
        for p in (a, b)
    ]
    peak = f"the peak is about {peaks[0]}" if peaks[0] == peaks[1] else f"the peaks are about {' and '.join(peaks)}"
    lines.append(
        f"With every max_connections slot busy, A runs at {share_a * 100:.0f} % of its peak throughput and "
        f"B at {share_b * 100:.0f} % ({peak})."
    )
    lines.append(
        f"If every connection ran the heaviest query at once ({judged(a)} for A, {judged(b)} for B), A would need "
        f"{human_size(a.memory.worst_case_bytes)} and B {human_size(b.memory.worst_case_bytes)}, against "
        f"{_available(a, b)} left for connections after shared_buffers, the OS and maintenance."
    )
    verdicts = []
    for tag, p in (("A", a), ("B", b)):
        errors = [warning_words(w.code, p).rstrip(".") for w in blocking_errors(p)]
        verdicts.append(
            f"{tag} has {plural(len(errors), 'blocking error')} ({'; '.join(errors)})"
            if errors
            else f"{tag} has no blocking errors"
        )
    if a.latency is not None or b.latency is not None:
        lines.append(_latency_sentence(a, b))
    lines.append("; ".join(verdicts) + ".")
    return lines


def _latency_sentence(a: Plan, b: Plan) -> str:
    """ "At 2,000 tps A's p99 is 46.1 ms through a pool of 34; B's is unstable with 200 connections, ..." """
    said = []
    for tag, p in (("A", a), ("B", b)):
        latency = p.latency
        if latency is None:
            said.append(f"{tag} has no demand to model")
            continue
        row = latency.at_pool_size or latency.direct
        pool = latency.at_pool_size is not None
        where = f"through a pool of {n(row.pool_size)}" if pool else f"with {n(row.pool_size)} direct connections"
        at = f"at {n(latency.demand_tps)} tps"
        if row.stable and row.p99_ms is not None:
            said.append(f"{tag}'s p99 {at} is {milliseconds(row.p99_ms)} {where}")
        else:
            said.append(f"{tag} cannot keep up {at} {where} (capacity {n(round(row.capacity_tps))} tps)")
    return "; ".join(said) + " (modelled queueing only)."


def _connecting(plan: Plan) -> str:
    clients, kind = plan.client_demand, plan.scenario.pooler.kind
    if kind == "none":
        how = f"{n(clients)} client connections straight to PostgreSQL, each its own server process"
    else:
        pooler = POOLER_LABEL[kind] + f" ({plan.scenario.pooler.mode} mode)"
        how = f"{n(clients)} client connections through {pooler} onto {n(plan.server_connections)} server connections"
    return f"{how}; max_connections {n(plan.max_connections)}."


def _available(a: Plan, b: Plan) -> str:
    first, second = human_size(a.memory.worst_case_available_bytes), human_size(b.memory.worst_case_available_bytes)
    return first if first == second else f"{first} and {second}"


def card_baseline(baseline: CardView, now: dict[str, Any], then: dict[str, Any]) -> tuple[str, ...]:
    """What a card adds while a baseline is pinned, in its wordings longest first: ``baseline 1,000 · -900``,
    then ``vs 1,000 · -900`` for a card too narrow for the first (``baseline``: the card as the baseline
    plan shows it). The words shorten, never the figures.

    ``now`` and ``then`` are :func:`pgplanner.model.compare.outputs` of the two plans, computed once for all
    cards; a pooler's figure is None on a plan without one, so no change is stated against "no pooler".
    """
    path = baseline.figure
    change = show_change(path, then.get(path), now.get(path))
    figures = baseline.value + (f" · {change}" if change else "")
    return tuple(f"{word} {figures}" for word in BASELINE_WORDS)


def plan_title(plan: Plan, fallback: str) -> str:
    return plan.scenario.name or fallback


def comparison_json(a: Plan, b: Plan, names: tuple[str, str] = ("A", "B")) -> dict[str, Any]:
    """``pgplanner compare --json``: ``a``, ``b`` (headline, warnings) and ``differences``."""

    def side(plan: Plan, name: str) -> dict[str, Any]:
        return {
            "source": name,
            "name": plan.scenario.name,
            "headline": headline(plan),
            "blocking": blocking(plan),
            "warnings": [w.model_dump(mode="json") for w in plan.warnings],
        }

    return {
        "a": side(a, names[0]),
        "b": side(b, names[1]),
        "differences": [d.as_json() for d in differences(a, b)],
    }


def render_comparison(a: Plan, b: Plan, names: tuple[str, str] = ("A", "B"), width: int = 100) -> str:
    """``pgplanner compare``'s table: the two setups, the headline, the warnings, then every difference."""
    lines = []
    for label, plan, name in (("A", a, names[0]), ("B", b, names[1])):
        lines.append(f"{label}: {plan_title(plan, name)}")
        lines.append(f"   {setup_line(plan)}")
        lines.append(f"   {answer_line(plan)}")
    lines.append("")
    for sentence in story(a, b):
        lines += wrap(sentence, "  - ", "    ", width)
    groups = difference_rows(a, b)
    tabled = [headline_rows(a, b), *(rows for title, rows in groups if title != KIND_TITLES["warning"])]
    columns = _columns(max(len(r.title) for rows in tabled for r in rows))
    lines += ["", columns("", "A", "B", "change")]
    lines += [columns(r.title, r.a, r.b, r.change) for r in headline_rows(a, b)]
    for label, plan in (("A", a), ("B", b)):
        lines.append("")
        lines.append(f"Warnings of {label}" if plan.warnings else f"No warnings in {label}.")
        for w in plan.warnings:
            lines += wrap(w.message, f"  {w.severity.upper():<9}{w.code}: ", " " * 11, width)
    if not groups:
        lines += ["", "The two plans are the same."]
    for title, rows in groups:
        lines += ["", f"{title} that differ ({len(rows)})"]
        if title == KIND_TITLES["warning"]:  # a warning's words are a sentence: wrapped, after A's and B's severity
            for r in rows:
                lines += wrap(r.title, f"  A {r.a}, B {r.b}: ", "    ", width)
        else:
            lines += [columns(r.title, r.a, r.b, r.change) for r in rows]
    return "\n".join(lines) + "\n"


def _columns(longest_name: int) -> Callable[[str, str, str, str], str]:
    def line(name: str, a: str, b: str, change: str) -> str:
        return f"  {name:<{longest_name}}{a:>16}  {b:>16}  {change:>14}".rstrip()

    return line

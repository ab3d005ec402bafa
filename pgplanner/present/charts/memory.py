"""Memory in use against connections, with RAM as the line not to cross.

Every line starts at what the server holds with no connection at all (shared_buffers and the OS;
the worst case also autovacuum's memory and temporary buffers), so it meets RAM where the machine
runs out: the worst case's own line crosses RAM at "worst case fits RAM up to N". The readout splits
the worst case into the connections' part, the figure of the "Worst-case memory" card, and the rest.

The view is about max_connections: marks far beyond it are arrows at the edge, so a realistic setting
is never squashed against the axis by a distant RAM ceiling; a worst case too tall to draw to scale is
written at the top edge with its value.
"""

from __future__ import annotations

import numpy as np

from ...model import Plan, human_size
from ...model.derivation import n
from ...model.units import GB, TB
from ..cards import held_anyway, plural
from .layout import LevelAt, MarkAt, XAxis, YAxis, compose
from .names import WINDOW, Names
from .spec import Chart, Frame, KeyEntry, Series
from .ticks import short_count

TITLE = "Memory"
WORST_CASE_SHOWN_UP_TO = 4.0  # x RAM: a worst case above this is written at the top edge, not drawn to scale
MARKS_REACH = 3.0  # a mark within this many times max_connections is drawn in the view, else an edge arrow
MIN_REACH = 1.6  # the view spans at least this many times max_connections
X_MARGIN = 1.25
TB_FROM = 2 * 1024  # GB: from here the axis counts in TB
UP = "\u2191"
# Why the plotted worst case stands above the "Worst-case memory" card: the card counts connections only.
STARTS_NOTE = "all lines include shared_buffers and the OS; the worst-case card counts connections only"


def worst_fits(plan: Plan) -> int | None:
    """Connections up to which the worst case stays within RAM (None: it does at every count drawn)."""
    c = plan.memory_curve
    if c.worst_case[-1] <= c.ram_bytes:
        return None
    return int(np.interp(c.ram_bytes, c.worst_case, c.connections)) if c.worst_case[0] < c.ram_bytes else 0


def _worst_fits_mark(plan: Plan, names: Names) -> MarkAt | None:
    """Where the worst case crosses RAM; when not even the first connection fits, where it already exceeds it."""
    fits = worst_fits(plan)
    if fits is None:
        return None
    if fits >= 1:
        texts = (f"worst case fits RAM up to {n(fits)}", f"worst case fits up to {n(fits)}")
    elif plan.memory_curve.worst_case[0] >= plan.memory_curve.ram_bytes:  # shared_buffers and the rest alone
        texts = ("worst case exceeds RAM with 0 connections", "worst case > RAM at 0")
    else:
        fits = 1
        texts = ("worst case exceeds RAM from 1 connection", "worst case > RAM from 1")
    return MarkAt("worst_fits", fits, tuple(names.plan + t for t in texts), "worst_fits")


def _view_right(plans: list[Plan]) -> float:
    """The right end of the view: past max_connections and the marks near it, within the curves drawn."""
    max_conn = max(p.max_connections for p in plans)
    near = [float(m) for p in plans for m in (worst_fits(p), p.ram_ceiling, _provider_limit(p)) if m]
    reach = max([MIN_REACH * max_conn, 10.0] + [m for m in near if m <= MARKS_REACH * max_conn])
    return min(max(float(p.memory_curve.connections[-1]) for p in plans), reach * X_MARGIN)


def _provider_limit(plan: Plan) -> int | None:
    return plan.provider.max_connections if plan.provider is not None else None


def memory_unit(top_bytes: float) -> tuple[str, int]:
    return ("TB", TB) if top_bytes >= TB_FROM * GB else ("GB", GB)


def memory_chart(plan: Plan, frame: Frame, baseline: Plan | None = None, names: Names = WINDOW) -> Chart:
    c = plan.memory_curve
    plans = [plan] + ([baseline] if baseline is not None else [])
    right = _view_right(plans)
    ram = max(p.memory_curve.ram_bytes for p in plans)
    worst_at_max = {id(p): p.memory_curve.at(p.max_connections)[2] for p in plans}
    typical_at_right = max(p.memory_curve.at(right)[0] for p in plans)
    top_bytes = min(max(ram, typical_at_right, *worst_at_max.values()), WORST_CASE_SHOWN_UP_TO * ram)
    unit, size = memory_unit(top_bytes)

    series: list[Series] = []
    if baseline is not None:  # both plans' lines reach the view's right end
        b_connections, *b_lines = baseline.memory_curve.over(right)
        lines = zip(("typical", "heavy_fraction", "worst_case"), b_lines, (False, False, True), strict=True)
        for key, values, dash in lines:
            series.append(
                Series(f"baseline.{key}", names.ghost, b_connections, values / size, "ghost", dash, 3.5, True)
            )
    connections, typical, heavy, worst_case = c.over(right)
    series += [
        Series("typical", "typical", connections, typical / size, "typical"),
        Series("heavy_fraction", "heavy fraction", connections, heavy / size, "heavy_fraction"),
        Series("worst_case", _worst_case_key(plan), connections, worst_case / size, "worst_case", dash=True),
    ]
    for p, key, colour in (
        (plan, "max_connections", "max_connections"),
        (baseline, "baseline.max_connections", "baseline"),
    ):
        if p is not None:  # the memory in use when the heavy fraction of every slot runs the heaviest query
            in_use = p.memory_curve.at(p.max_connections)[1]
            series.append(
                Series(
                    key,
                    "in use at max_connections",
                    np.array([float(p.max_connections)]),
                    np.array([in_use / size]),
                    colour,
                    kind="points",
                )
            )

    marks = [
        MarkAt(
            "max_connections",
            plan.max_connections,
            (f"{names.plan}max_connections {n(plan.max_connections)}",),
            "max_connections",
        ),
        MarkAt("ram_ceiling", plan.ram_ceiling, (f"{names.plan}RAM ceiling {n(plan.ram_ceiling)}",), "ram_ceiling"),
    ]
    fits = _worst_fits_mark(plan, names)
    if fits is not None:
        marks.append(fits)
    limit = _provider_limit(plan)
    if limit is not None:
        marks.append(MarkAt("provider_limit", limit, (f"provider limit {n(limit)}",), "provider_limit"))
    if worst_at_max[id(plan)] > top_bytes:
        worst = human_size(worst_at_max[id(plan)])
        texts = (
            f"{names.plan}worst case at max_connections {n(plan.max_connections)}: {worst} {UP}",
            f"{names.plan}worst case {worst} {UP}",
        )
        marks.append(MarkAt("worst_case_note", None, texts, "worst_case"))
    if baseline is not None:
        value = n(baseline.max_connections)
        texts = (f"{names.baseline}max_connections {value}", f"{names.baseline}{value}")
        marks.append(MarkAt("baseline.max_connections", baseline.max_connections, texts, "baseline", ghost=True))

    levels = [LevelAt("ram", c.ram_bytes / size, (f"{names.plan}RAM {human_size(c.ram_bytes)}",), "ram")]
    if baseline is not None and baseline.memory_curve.ram_bytes != c.ram_bytes:
        their = baseline.memory_curve.ram_bytes
        levels.append(
            LevelAt(
                "baseline.ram",
                their / size,
                (f"{names.baseline}RAM {human_size(their)}",),
                "baseline",
                ghost=True,
                dash=True,
            )
        )
    entries = [
        KeyEntry("typical", "typical"),
        KeyEntry("heavy fraction", "heavy_fraction"),
        KeyEntry(_worst_case_key(plan), "worst_case", "dash"),
    ]
    entries += [KeyEntry(names.ghost, "ghost")] if baseline is not None else []
    # RAM is in the key with its figure: its label on the plot goes where it covers nothing, or nowhere.
    entries += [KeyEntry(level.texts[0], level.colour, "dash" if level.dash else "line") for level in levels]
    return compose(
        name="memory",
        title=TITLE,
        notes=[STARTS_NOTE],
        key=entries,
        frame=frame,
        x=XAxis("connections", 0.0, right, text=short_count),
        y=YAxis((f"memory ({unit})", unit), 0.0, top_bytes / size, text=lambda v: f"{v:g}", unit=unit),
        series=series,
        marks=marks,
        levels=levels,
        readout=lambda x, y: memory_readout(plan, x, baseline, names),
    )


def _worst_case_key(plan: Plan) -> str:
    extra = held_anyway(plan)
    return f"worst case (+ {', '.join(extra)})" if extra else "worst case"


def memory_readout(plan: Plan, x: float, baseline: Plan | None = None, names: Names = WINDOW) -> str:
    """What the memory chart shows at ``x`` connections: each line, and the worst case split in the
    connections' part (the "Worst-case memory" card at max_connections) and what the server holds anyway;
    with a pinned baseline, last (the line is elided from its end), the baseline's worst case there, the
    same total its dashed grey curve draws."""
    c = plan.memory_curve
    connections = max(0, round(x))
    typical, heavy, worst = c.at(connections)
    fixed = float(c.worst_case[0])  # at no connection: shared_buffers, OS and the rest the worst case counts
    held = ", ".join(["shared_buffers", "OS", *held_anyway(plan)])
    text = (
        f"{plural(connections, 'connection')}: typical {human_size(typical)}, heavy fraction {human_size(heavy)}, "
        f"worst case {human_size(worst)} = {human_size(worst - fixed)} for connections + {human_size(fixed)} "
        f"{held}; RAM {human_size(c.ram_bytes)}"
    )
    if baseline is not None:
        their = baseline.memory_curve.at(connections)[2]
        text += f"; {names.baseline.rstrip(': ')} worst case {human_size(their)}"
    return text

"""The budget as stacked bars: one against max_connections, one against max_wal_senders.

Each budget line is a segment, then the headroom up to the limit (the spare WAL senders on the second
bar); each segment carries the longest of its name-and-count or its count that fits inside it, and
the key lists every segment with its count. A limit is a short upright stroke across its own bar; a
pinned baseline's max_connections is a grey dashed one. The range stays the live plan's: a baseline
ten times larger would squash the bars it is compared with (its stroke is then off to the right; the
key says its figure).
"""

from __future__ import annotations

from ...model import Plan
from ...model.derivation import n
from . import ticks as tick
from .layout import heading_lines
from .names import WINDOW, Names
from .spec import Axis, Box, Chart, Frame, KeyEntry, Label, Mark, Rule, Segment

ROWS = (("max_connections", 1.0), ("max_wal_senders", 0.0))
BAR_HEIGHT = 0.85  # of the one unit between the two bars: thick enough to write in
LABEL_PADDING = 8.0  # pixels kept free inside a segment around its label
LIMIT_WIDTH = 3.0
STROKE_ROOM = LIMIT_WIDTH / 2 + 2  # pixels a label keeps from a stroke's centre
BASELINE_REACH = BAR_HEIGHT / 2 + 0.05  # the baseline's stroke: a little past the bar, beside the limit
Y_MARGIN = 0.1
RIGHT_MARGIN = 1.04


def budget_segments(plan: Plan) -> list[tuple[str, str, float, float, str, str]]:
    """(key, row, start, width, name, why) of every segment with connections in it, budget lines first,
    then the headroom up to each limit."""
    segments: list[tuple[str, str, float, float, str, str]] = []
    ends = {row: 0.0 for row, _ in ROWS}
    for line in plan.budget:
        row = line.counts_against
        if line.connections > 0:
            segments.append((line.key, row, ends[row], float(line.connections), line.name, line.why))
        ends[row] += line.connections
    free = {"max_connections": plan.headroom, "max_wal_senders": plan.spare_wal_senders}
    for row, limit in (("max_connections", plan.max_connections), ("max_wal_senders", plan.max_wal_senders)):
        if free[row] > 0:
            name = "headroom" if row == "max_connections" else "spare WAL senders"
            segments.append(("headroom", row, ends[row], float(free[row]), name, f"up to {row} {n(limit)}"))
    return segments


def budget_chart(plan: Plan, frame: Frame, baseline: Plan | None = None, names: Names = WINDOW) -> Chart:
    width, height = frame.width, frame.height
    widest = max(plan.max_connections, plan.max_connections_required, plan.max_wal_senders, 1) * RIGHT_MARGIN
    x = Axis("connections", 0.0, widest)
    lo, hi = -BAR_HEIGHT / 2 - Y_MARGIN, 1 + BAR_HEIGHT / 2 + Y_MARGIN
    y = Axis("", lo, hi, ticks=tuple((value, name) for name, value in ROWS))

    def px(value: float) -> float:
        return x.fraction(value) * width

    def py(value: float) -> float:
        return (1 - y.fraction(value)) * height

    rows = dict(ROWS)
    strokes = {
        row: [px(limit)]
        for row, limit in (("max_connections", plan.max_connections), ("max_wal_senders", plan.max_wal_senders))
    }
    if baseline is not None:
        strokes["max_connections"].append(px(baseline.max_connections))
    bars = []
    for key, row, start, count, name, why in budget_segments(plan):
        role = f"budget.{key.partition('.')[0]}"  # provider_reserved.automation: the provider_reserved colour
        centre = rows[row]
        top, bottom = py(centre + BAR_HEIGHT / 2), py(centre - BAR_HEIGHT / 2)
        label = _segment_label(
            (f"{name} {n(count)}", n(count)), px(start), px(start + count), top, bottom, strokes[row], frame
        )
        bars.append(
            Segment(key, row, start, count, name, why, role, label and Label(label[0], label[1], role, on=role))
        )

    marks = []
    for row, limit in (("max_connections", plan.max_connections), ("max_wal_senders", plan.max_wal_senders)):
        at, centre = px(limit), rows[row]
        rule = Rule(
            at, py(centre + BAR_HEIGHT / 2), at, py(centre - BAR_HEIGHT / 2), "max_connections", LIMIT_WIDTH, dash=False
        )
        marks.append(Mark(row, limit, f"{row} {n(limit)}", "max_connections", rule, None))
    entries = [KeyEntry(f"{s.name} {n(s.width)}", s.colour, "box") for s in bars]
    if baseline is not None:
        at, centre = px(baseline.max_connections), rows["max_connections"]
        text = f"{names.baseline}max_connections {n(baseline.max_connections)}"
        beyond = at > width
        stroke = Rule(
            at, py(centre + BASELINE_REACH), at, py(centre - BASELINE_REACH), "baseline", LIMIT_WIDTH, dash=True
        )
        marks.append(
            Mark(
                "baseline.max_connections",
                baseline.max_connections,
                text,
                "baseline",
                None if beyond else stroke,
                None,
                beyond=beyond,
                ghost=True,
            )
        )
        entries.append(KeyEntry(text, "baseline", "dash"))

    spacing = max(frame.measure(n(round(widest))) + tick.TICK_GAP, tick.X_SPACING)
    x_values = tick.linear(0.0, widest, width, spacing, whole=True)
    x_ticks = tick.x_ticks(
        [(v, True) for v in x_values], px, lambda v: n(round(v)), frame.measure, width, frame.right_room
    )
    title = f"max_connections budget: {n(plan.max_connections_required)} required of {n(plan.max_connections)}"
    return Chart(
        name="budget",
        title=title,
        notes=(),
        key=tuple(entries),
        heading=heading_lines(title, (), entries, frame),
        width=width,
        height=height,
        data_top=0.0,
        x=Axis(x.label, x.lo, x.hi, ticks=x_ticks),
        y=y,
        series=(),
        marks=tuple(marks),
        readout=lambda at_x, at_y: budget_readout(plan, bars, at_x, at_y),
        bars=tuple(bars),
        rows=ROWS,
        bar_height=BAR_HEIGHT,
        grid="x",
    )


def _segment_label(
    texts: tuple[str, ...], left: float, right: float, top: float, bottom: float, strokes: list[float], frame: Frame
) -> tuple[str, Box] | None:
    """The longest text that fits inside a segment, centred in the widest stretch no stroke crosses."""
    middle = (top + bottom) / 2
    if bottom - top < frame.row_height:
        return None
    cuts = sorted(x for x in strokes if left < x < right)
    edges = [
        left + LABEL_PADDING / 2,
        *(c for x in cuts for c in (x - STROKE_ROOM, x + STROKE_ROOM)),
        right - LABEL_PADDING / 2,
    ]
    stretches = sorted(zip(edges[::2], edges[1::2], strict=True), key=lambda s: s[0] - s[1])
    for text in texts:
        width = frame.measure(text)
        for low, high in stretches:
            if high - low >= width:
                return text, Box((low + high - width) / 2, middle - frame.row_height / 2, width, frame.row_height)
    return None


def budget_readout(plan: Plan, bars: list[Segment], x: float, y: float) -> str:
    """What the budget chart shows at ``x`` connections on the bar nearest ``y``."""
    row = "max_connections" if y > 0.5 else "max_wal_senders"
    for s in bars:
        if s.row == row and s.start <= x < s.start + s.width:
            return f"{s.name}: {n(s.width)} connections — {s.why}"
    limit = plan.max_connections if row == "max_connections" else plan.max_wal_senders
    return f"{row} = {n(limit)}"

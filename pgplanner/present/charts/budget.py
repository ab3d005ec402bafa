"""The budget as stacked bars: one against max_connections, one against max_wal_senders.

Each budget line is a segment, then the headroom up to the limit (the spare WAL senders on the second
bar); each segment carries the longest of its name-and-count or its count that fits inside it, and
the key lists every segment with its count. A limit is a short upright stroke across its own bar; a
pinned baseline's max_connections is a grey dashed one. The range stays the live plan's: a baseline
ten times larger would squash the bars it is compared with (its stroke is then off to the right; the
key says its figure, with an arrow to the right).

A budget that needs more than its limit (a provider's fixed max_connections) is drawn whole, so its
bar runs past the limit: the limit's stroke stays on top of the bars, and the part beyond it is
underlined (just below the bar) in the over-limit colour and labelled "208 required > 120" where that fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...model import Plan
from ...model.derivation import n
from . import ticks as tick
from .layout import ARROW, heading_lines
from .names import WINDOW, Names
from .spec import Axis, Box, Chart, Frame, KeyEntry, Label, Mark, Rule, Segment

ROWS = (("max_connections", 1.0), ("max_wal_senders", 0.0))
BAR_HEIGHT = 0.85  # of the one unit between the two bars: thick enough to write in
LABEL_PADDING = 8.0  # pixels kept free inside a segment around its label
LIMIT_WIDTH = 3.0
STROKE_ROOM = LIMIT_WIDTH / 2 + 2  # pixels a label keeps from a stroke's centre
BASELINE_REACH = BAR_HEIGHT / 2 + 0.05  # the baseline's stroke: a little past the bar, beside the limit
LIMIT_REACH = BAR_HEIGHT / 2 + 0.05  # a limit's stroke: a little past its bar, seen above a bar that runs on
OVER_WIDTH = 3.0  # the line under the part of a bar beyond its limit
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
    segments = budget_segments(plan)
    over = _over_limit(plan, segments, px, py, frame, strokes["max_connections"])
    # Stretches (pixels) of each row no segment's label may take: the over-limit label's.
    kept: dict[str, list[tuple[float, float]]] = {row: [] for row in rows}
    if over is not None and over.label is not None:
        kept["max_connections"].append((over.label.box.x, over.label.box.right))
    bars = []
    for key, row, start, count, name, why in segments:
        role = f"budget.{key.partition('.')[0]}"  # provider_reserved.automation: the provider_reserved colour
        centre = rows[row]
        top, bottom = py(centre + BAR_HEIGHT / 2), py(centre - BAR_HEIGHT / 2)
        label = _segment_label(
            (f"{name} {n(count)}", n(count)), px(start), px(start + count), top, bottom, strokes[row], frame, kept[row]
        )
        bars.append(
            Segment(key, row, start, count, name, why, role, label and Label(label[0], label[1], role, on=role))
        )

    marks = []
    for row, limit in (("max_connections", plan.max_connections), ("max_wal_senders", plan.max_wal_senders)):
        at, centre = px(limit), rows[row]
        rule = Rule(
            at, py(centre + LIMIT_REACH), at, py(centre - LIMIT_REACH), "max_connections", LIMIT_WIDTH, dash=False
        )
        marks.append(Mark(row, limit, f"{row} {n(limit)}", "max_connections", rule, None))
    if over is not None:
        marks.append(over)
    entries = [KeyEntry(f"{s.name} {n(s.width)}", s.colour, "box") for s in bars]
    if baseline is not None:
        at, centre = px(baseline.max_connections), rows["max_connections"]
        beyond = at > width
        # beyond the axis' end the stroke is not drawn: the key's words point there instead
        text = f"{names.baseline}max_connections {n(baseline.max_connections)}" + (f" {ARROW}" if beyond else "")
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


def _over_limit(
    plan: Plan,
    segments: list[tuple[str, str, float, float, str, str]],
    px: Callable[[float], float],
    py: Callable[[float], float],
    frame: Frame,
    strokes: list[float],
) -> Mark | None:
    """The part of the max_connections bar beyond max_connections (a limit the plan may not raise): a line
    under it and, on it where it fits between the bar's ``strokes``, "208 required > 120" (or "> 120")."""
    limit = plan.max_connections
    end = max((start + count for _, row, start, count, _, _ in segments if row == "max_connections"), default=0.0)
    if end <= limit:
        return None
    centre = dict(ROWS)["max_connections"]
    top, bottom = py(centre + BAR_HEIGHT / 2), py(centre - BAR_HEIGHT / 2)
    text = f"{n(round(end))} required > {n(limit)}"
    under_bar = bottom + OVER_WIDTH / 2  # just below the bar: the words on it stay clear of the line
    rule = Rule(px(limit), under_bar, px(end), under_bar, "over_limit", OVER_WIDTH, dash=False)
    placed = _segment_label((text, f"> {n(limit)}"), px(limit), px(end), top, bottom, strokes, frame)
    if placed is None:
        return Mark("over_limit", end, text, "over_limit", rule, None, axis="y")
    words, box = placed
    middle = (box.x + box.right) / 2
    under = next(  # the fill the words are written on
        key
        for key, row, start, count, _, _ in segments
        if row == "max_connections" and px(start) <= middle < px(start + count)
    )
    on = f"budget.{under.partition('.')[0]}"
    # a horizontal mark (its line runs along the bar), its words beside the line, on the bar
    return Mark("over_limit", end, text, "over_limit", rule, Label(words, box, "over_limit", on=on), axis="y")


def _segment_label(
    texts: tuple[str, ...],
    left: float,
    right: float,
    top: float,
    bottom: float,
    strokes: list[float],
    frame: Frame,
    kept: Sequence[tuple[float, float]] = (),
) -> tuple[str, Box] | None:
    """The longest text that fits inside a segment, centred in the widest stretch no stroke crosses and
    outside the ``kept`` stretches (another label's)."""
    middle = (top + bottom) / 2
    if bottom - top < frame.row_height:
        return None
    pad = LABEL_PADDING / 2
    taken: list[tuple[float, float]] = []  # the spans no label may take, those that overlap merged
    for lo, hi in sorted(
        [(x - STROKE_ROOM, x + STROKE_ROOM) for x in strokes if left < x < right]
        + [(lo - pad, hi + pad) for lo, hi in kept if lo < right and hi > left]
    ):
        if taken and lo <= taken[-1][1]:
            taken[-1] = (taken[-1][0], max(hi, taken[-1][1]))
        else:
            taken.append((lo, hi))
    edges = [left + pad, *(c for span in taken for c in span), right - pad]
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

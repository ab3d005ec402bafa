"""The charts as data: one specification per chart, drawn by thin renderers (pyqtgraph, SVG).

A chart function takes a plan (and an optional pinned baseline), a :class:`Frame` (the pixels it will
be drawn into and how wide a text is there) and :class:`Names`, and returns a placed :class:`Chart`:
series in data units, marks and words in pixels, axes with their ticks, the heading and key wrapped
to the frame, and ``readout(x, y)`` for what is under the mouse. A new chart is one more function
built on :func:`~.compose.compose`.
"""

from .budget import budget_chart
from .latency import has_latency, latency_chart
from .layout import LevelAt, MarkAt, XAxis, YAxis, compose
from .memory import memory_chart
from .names import COMPARISON, WINDOW, Names
from .spec import Axis, Box, Chart, Frame, KeyEntry, Label, Mark, Rule, Segment, Series
from .throughput import IMPORTED, throughput_chart

HOVER_HINT = "Point at the plot to read its values here."
CHARTS = {
    "throughput": throughput_chart,
    "memory": memory_chart,
    "budget": budget_chart,
    "latency": latency_chart,
}

__all__ = [
    "CHARTS",
    "COMPARISON",
    "HOVER_HINT",
    "IMPORTED",
    "WINDOW",
    "Axis",
    "Box",
    "Chart",
    "Frame",
    "KeyEntry",
    "Label",
    "LevelAt",
    "Mark",
    "MarkAt",
    "Names",
    "Rule",
    "Segment",
    "Series",
    "XAxis",
    "YAxis",
    "budget_chart",
    "compose",
    "has_latency",
    "latency_chart",
    "memory_chart",
    "throughput_chart",
]

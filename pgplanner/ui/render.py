"""The three curves as PNG images, for the export bundle: the window's own plots, drawn offscreen."""

from __future__ import annotations

import os

from ..model import Plan

PLOT_SIZE = (1100, 640)
BUDGET_SIZE = (1100, 300)
PLOT_NAMES = ("throughput", "memory", "budget")
PLOT_FILES = tuple(f"plots/{name}.png" for name in PLOT_NAMES)  # what render_plots adds to a bundle


def render_plots(plan: Plan) -> dict[str, bytes]:
    """``{"plots/throughput.png": ..., "plots/memory.png": ..., "plots/budget.png": ...}``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QIODevice, Qt

    from .application import application
    from .plots import BudgetPlot, MemoryPlot, ThroughputPlot

    app = application()
    images = {}
    for name, panel, size in (
        ("throughput", ThroughputPlot(), PLOT_SIZE),
        ("memory", MemoryPlot(), PLOT_SIZE),
        ("budget", BudgetPlot(), BUDGET_SIZE),
    ):
        panel.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # laid out and painted, never on screen
        panel.resize(*size)
        panel.show_plan(plan)
        panel.readout.hide()  # nothing is hovered in a picture
        panel.show()
        app.processEvents()
        panel.show_plan(plan)  # again at its final size, so labels are placed for the real width
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        panel.grab().save(buffer, "PNG")
        images[f"plots/{name}.png"] = bytes(buffer.data().data())
        panel.close()
        panel.deleteLater()
    return images

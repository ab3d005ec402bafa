"""How the window performs, against bare PySide6 + pyqtgraph measured in the same run.

Run: python -m tests.benchmarks.bench_ui [--json] [--edits N] [--starts N]

- update: one slider edit (cores, then work_mem, swept across their stops and back) -> recompute ->
  every card, curve and editor it changed painted. Baseline: three bare pyqtgraph plots with the
  same curves and points, given new data over a new range and painted the same way. Measured again
  with a demand (DEMAND_TPS), the latency card and plot shown beside throughput.
- startup: process start to the first painted window, for pgplanner and for a bare window holding
  the same three pyqtgraph plots. Each child reports the time of its first paint and its RSS then.
  Both start from compiled bytecode, as an installed program does (pip compiles what it installs, so
  PySide6 and pyqtgraph have theirs): the children keep it in a scratch PYTHONPYCACHEPREFIX, warmed by
  one untimed start each, even where PYTHONDONTWRITEBYTECODE is set (it would make every start of
  pgplanner compile its ~150 modules, which the baseline never does). --compile-each-start measures
  with the environment as it is.
Prints one JSON object with --json. Nothing here asserts on time; the goals are in the README.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never the user's own settings store, and never os.devnull: QSettings saves by replacing the file,
# which as root turns /dev/null into a regular file and breaks every program that writes to it.
_SCRATCH = tempfile.mkdtemp(prefix="pgplanner-bench-")
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
SCRATCH_SETTINGS = os.path.join(_SCRATCH, "settings.ini")
os.environ.setdefault("PGPLANNER_SETTINGS", SCRATCH_SETTINGS)
WINDOW_SIZE = (1280, 800)
DEMAND_TPS = 300  # 6 Erlangs of 20 ms transactions: the latency plot shown, stable from 4 cores up


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def slider_sweep(edits: int) -> list[dict[str, object]]:
    """What a user's hand does: drag cores across its stops and back, then work_mem, and again."""
    from pgplanner.model import FIELDS
    from pgplanner.ui.steps import slider_stops

    cores = [c for c in slider_stops(FIELDS["cores"]) if 4 <= c <= 64]
    work_mem = [m for m in slider_stops(FIELDS["work_mem"]) if 2**20 <= m <= 2**30]
    sweep = [{"cores": c} for c in cores + cores[::-1]] + [{"work_mem": m} for m in work_mem + work_mem[::-1]]
    return [sweep[i % len(sweep)] for i in range(edits)]


def measure_updates(edits: int, demand: float | None = None) -> tuple[list[float], list[float]]:
    """Milliseconds per edit until everything it changed is painted, for pgplanner and the baseline.

    Each edit is applied, planned, and the event loop run until Qt has painted every widget the
    edit made dirty (cards, editors, the three plots) into the window's backing store.
    """
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

    from pgplanner.ui.application import application, settings
    from pgplanner.ui.main_window import MainWindow

    app = application()
    window = MainWindow(settings())
    window.ask_unsaved = lambda: "discard"
    window.resize(*WINDOW_SIZE)
    window.show()
    app.processEvents()
    document = window.document
    if demand is not None:
        document.edit(demand_tps=demand)
        document.recompute()
        app.processEvents()
    ours = []
    for change in slider_sweep(edits):
        start = time.perf_counter()
        document.edit(sliding=True, **change)
        document.recompute()
        app.processEvents()
        ours.append((time.perf_counter() - start) * 1000)
    points = document.plan.throughput.connections.size, document.plan.memory_curve.connections.size
    window.close()

    # Baseline: three default pyqtgraph plots with the same curves and points, each edit bringing
    # new data over a new range (so the axes re-render too), painted the same way.
    bare = QWidget()
    bare.resize(*WINDOW_SIZE)
    column, row = QVBoxLayout(bare), QHBoxLayout()
    plots = [pg.PlotWidget() for _ in range(3)]
    row.addWidget(plots[0])
    row.addWidget(plots[1])
    column.addLayout(row)
    column.addWidget(plots[2])
    throughput = [plots[0].plot(pen=pg.mkPen("r", width=2)) for _ in range(2)]
    memory = [plots[1].plot(pen=pg.mkPen("b", width=2)) for _ in range(3)]
    bars = pg.BarGraphItem(x0=np.zeros(10), y=np.ones(10), width=np.ones(10), height=0.6)
    plots[2].addItem(bars)
    bare.show()
    app.processEvents()
    x = np.linspace(0, 1, max(points))
    baseline = []
    for i in range(edits):
        scale = 1 + i % 15
        start = time.perf_counter()
        for k, curve in enumerate(throughput):
            curve.setData(x[: points[0]] * 100 * scale, np.sin(x[: points[0]] * 3 + k))
        for k, curve in enumerate(memory):
            curve.setData(x[: points[1]] * 100 * scale, np.cos(x[: points[1]] * 2 + k) * scale)
        bars.setOpts(width=np.linspace(1, 10, 10) * scale)
        app.processEvents()
        baseline.append((time.perf_counter() - start) * 1000)
    bare.close()
    return ours, baseline


# As the `pgplanner` command runs without arguments: its module, then ui.app.run's steps.
CHILD_PGPLANNER = """
import os, sys, time, psutil
from pgplanner.cli import main
from pgplanner.ui.application import application, settings
from pgplanner.ui.main_window import MainWindow
from PySide6.QtCore import QEvent, QObject
app = application()
window = MainWindow(settings())
window.restore_session()
"""
CHILD_BASELINE = """
import os, sys, time, psutil
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget
app = QApplication(sys.argv[:1])
window = QWidget()
column, row = QVBoxLayout(window), QHBoxLayout()
plots = [pg.PlotWidget() for _ in range(3)]
row.addWidget(plots[0]); row.addWidget(plots[1]); column.addLayout(row); column.addWidget(plots[2])
for p in plots: p.plot([1, 2, 3], [3, 1, 2])
"""
CHILD_FIRST_PAINT = """
class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time(), psutil.Process().memory_info().rss, flush=True)
            os._exit(0)
        return False
watcher = FirstPaint()
window.installEventFilter(watcher)
window.resize(1280, 800)
window.show()
app.exec()
"""


def measure_startup(
    children: dict[str, str], starts: int, compile_each_start: bool = False
) -> dict[str, tuple[float, float]]:
    """Per child: median seconds from process start to first paint, and median RSS (MB) at that moment.

    The children take turns, one start each per round, so that a machine busier for a while (it is
    shared) slows each of them alike and the ratio stays fair.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PGPLANNER_SETTINGS": SCRATCH_SETTINGS}
    if not compile_each_start:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = os.path.join(_SCRATCH, "bytecode")
        for child in children.values():
            subprocess.run([sys.executable, "-c", child + CHILD_FIRST_PAINT], capture_output=True, env=env, check=True)
    seconds: dict[str, list[float]] = {name: [] for name in children}
    rss: dict[str, list[float]] = {name: [] for name in children}
    for _ in range(starts):
        for name, child in children.items():
            launched = time.time()
            done = subprocess.run(
                [sys.executable, "-c", child + CHILD_FIRST_PAINT], capture_output=True, text=True, env=env, check=True
            )
            painted, resident = done.stdout.split()
            seconds[name].append(float(painted) - launched)
            rss[name].append(int(resident) / 2**20)
    return {name: (statistics.median(seconds[name]), statistics.median(rss[name])) for name in children}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--compile-each-start", action="store_true", help="no bytecode cache (as the environment says)")
    args = parser.parse_args()

    starts = measure_startup(
        {"pgplanner": CHILD_PGPLANNER, "baseline": CHILD_BASELINE}, args.starts, args.compile_each_start
    )
    (startup, rss), (startup_baseline, rss_baseline) = starts["pgplanner"], starts["baseline"]
    ours, baseline = measure_updates(args.edits)
    latency, _ = measure_updates(args.edits, DEMAND_TPS)
    figures = {
        "update_p50_ms": round(statistics.median(ours), 2),
        "update_p95_ms": round(_percentile(ours, 0.95), 2),
        "update_with_demand_p95_ms": round(_percentile(latency, 0.95), 2),
        "baseline_p95_ms": round(_percentile(baseline, 0.95), 2),
        "startup_s": round(startup, 3),
        "startup_baseline_s": round(startup_baseline, 3),
        "startup_ratio": round(startup / startup_baseline, 2),
        "rss_mb": round(rss, 1),
        "rss_baseline_mb": round(rss_baseline, 1),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"update: p50 {figures['update_p50_ms']} ms, p95 {figures['update_p95_ms']} ms "
        f"(baseline p95 {figures['baseline_p95_ms']} ms; goal: under 16 ms or within 1.3x the baseline)\n"
        f"update with a demand (the latency plot shown): p95 {figures['update_with_demand_p95_ms']} ms\n"
        f"startup: {figures['startup_s']} s (baseline {figures['startup_baseline_s']} s: "
        f"{figures['startup_ratio']}x; goal <= 1.5x)\n"
        f"RSS at first paint: {figures['rss_mb']} MB (baseline {figures['rss_baseline_mb']} MB)"
    )


if __name__ == "__main__":
    main()

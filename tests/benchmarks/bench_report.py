"""How long ``pgplanner report`` takes: the whole command, and the HTML alone, for one plan and a comparison.

Run: python -m tests.benchmarks.bench_report [--runs N] [--json]
Prints the median wall-clock time of ``pgplanner report`` (a fresh interpreter each run, as a user
starts it) and, as a baseline measured in the same run, of ``pgplanner plan --json`` for the same
scenario: the ratio is the report's own cost. Then the in-process median of rendering the HTML. The
goal is under 1 s for the command. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgplanner.assets import example_scenarios
from pgplanner.model import plan
from pgplanner.model.serialization import read_scenario_file
from pgplanner.present.report import render_html_report


def _command_ms(args: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pgplanner", *args], check=False, capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _render_ms(runs: int, compare: bool) -> float:
    direct, pooled = (read_scenario_file(example_scenarios()[name]) for name in ("direct-1000", "pgbouncer-100"))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        b = plan(pooled)
        render_html_report(b, plan(direct)) if compare else render_html_report(b)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    direct, pooled = (str(example_scenarios()[name]) for name in ("direct-1000", "pgbouncer-100"))
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "report.html")
        figures = {
            "plan_json_ms": _command_ms(["plan", "--scenario", pooled, "--json"], args.runs),
            "report_ms": _command_ms(["report", "--scenario", pooled, "--out", out], args.runs),
            "report_compare_ms": _command_ms(
                ["report", "--scenario", direct, "--compare", pooled, "--out", out], args.runs
            ),
            "render_ms": _render_ms(args.runs * 3, compare=False),
            "render_compare_ms": _render_ms(args.runs * 3, compare=True),
        }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    base = figures["plan_json_ms"]
    print(f"pgplanner plan --json (baseline)     {base:7.0f} ms")
    print(f"pgplanner report                     {figures['report_ms']:7.0f} ms  ({figures['report_ms'] / base:.2f} x)")
    print(
        f"pgplanner report --compare           {figures['report_compare_ms']:7.0f} ms  "
        f"({figures['report_compare_ms'] / base:.2f} x)"
    )
    print(f"plan + HTML in process               {figures['render_ms']:7.1f} ms")
    print(f"two plans + comparison HTML          {figures['render_compare_ms']:7.1f} ms")


if __name__ == "__main__":
    main()

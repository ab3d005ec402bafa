"""The words and JSON of ``pgplanner probe`` and ``pgplanner measure``: the server beside the plan.

The CLI prints these and the window's Server dialogs show the same text, so a DBA reads the same
sentence wherever they look.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..model import Plan
from ..model.derivation import n
from ..model.throughput import UslFit
from ..model.units import human_size
from .pgbench import SweepResult
from .server import ServerReport

# The settings shown side by side: (server setting, how the plan holds the same value).
BESIDE = (
    ("max_connections", lambda p: n(p.max_connections)),
    ("superuser_reserved_connections", lambda p: n(p.scenario.workload.superuser_reserved)),
    ("shared_buffers", lambda p: human_size(p.memory.shared_buffers_bytes)),
    ("work_mem", lambda p: human_size(p.memory.work_mem_bytes)),
    ("max_wal_senders", lambda p: n(p.max_wal_senders)),
)


def found_changes(report: ServerReport) -> dict[str, object]:
    """The Scenario inputs a probe fills: the server's settings and, when it runs here, this machine."""
    found = report.scenario_changes()
    if report.local:
        from .machine import detect

        found |= detect().changes()
        if LOCAL_NOTE not in report.notes:
            report.notes.append(LOCAL_NOTE)
    return found


LOCAL_NOTE = "cores, RAM and storage from this machine: the server runs here"


def probe_json(report: ServerReport, result: Plan) -> dict[str, Any]:
    use = report.connections
    connections = asdict(use) | {"free_slots": use.free_slots}
    return {
        "server": report.server,
        "settings": report.settings,
        "connections": connections,
        "memory": report.memory,
        "notes": report.notes,
        "scenario": result.scenario.model_dump(mode="json"),
        "plan": {
            "max_connections": result.max_connections,
            "productive_target": result.productive_target,
            "pool_size": result.pool_size,
        },
    }


def headline(report: ServerReport, result: Plan) -> str:
    """ "your server: max_connections 1000; at most 37 active while watched; the plan: 100"."""
    use = report.connections
    seen = (
        f"at most {n(use.peak_active)} active while watched ({use.watched_seconds:g} s)"
        if use.samples > 1
        else f"{n(use.active)} active now"
    )
    return (
        f"your server: max_connections {n(use.max_connections)}; {seen}; "
        f"the plan: {n(result.max_connections)} (productive target {n(result.productive_target)})"
    )


def probe_text(report: ServerReport, result: Plan) -> str:
    use = report.connections
    lines = [f"{report.server['name']}", headline(report, result), ""]
    width = max(len(name) for name, _ in BESIDE)
    lines.append(f"  {'setting':<{width}}  {'your server':>12}  {'the plan':>12}")
    for name, planned in BESIDE:
        if name in report.settings:
            lines.append(f"  {name:<{width}}  {report.settings[name]:>12}  {planned(result):>12}")
    states = ", ".join(f"{count} {state}" for state, count in use.by_state.items()) or "none"
    lines += [
        "",
        f"client connections: {n(use.total)} of {n(use.max_connections)} ({states}), not counting this probe; "
        f"{n(use.free_slots)} free for ordinary roles",
    ]
    if use.idle_in_transaction:
        lines.append(f"idle in transaction: {n(use.idle_in_transaction)} (they hold a slot and their locks)")
    if use.samples > 1:
        lines.append(
            f"watched {use.watched_seconds:g} s ({n(use.samples)} samples): at most {n(use.peak_active)} active, "
            f"{n(use.peak_total)} connected"
        )
    for title, counts in (("by user", use.by_user), ("by application", use.by_application)):
        if counts:
            lines.append(f"{title}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    lines.append("processes: " + ", ".join(f"{kind} {count}" for kind, count in use.by_backend_type.items()))
    lines += _memory_lines(report.memory, result)
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def _memory_lines(memory: dict[str, Any], result: Plan) -> list[str]:
    lines = []
    if "own_backend_contexts_bytes" in memory:
        lines.append(
            f"memory of this probe's backend (pg_backend_memory_contexts): "
            f"{human_size(memory['own_backend_contexts_bytes'])} allocated"
        )
    local = memory.get("local_backends")
    if local:
        lines.append(
            f"client backends on this machine ({local['backends']}): USS median {human_size(local['uss_median_bytes'])}"
            f", PSS median {human_size(local['pss_median_bytes'])}; the plan assumes "
            f"{human_size(result.memory.per_connection_bytes)} per connection"
        )
    return lines


def fit_json(fit: UslFit | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {
        "sigma": fit.sigma,
        "kappa": fit.kappa,
        "lambda": fit.lam,
        "peak": fit.peak,
        "peak_error": fit.peak_error,
        "peak_tps": fit.peak_tps,
        "rmse": fit.rmse,
        "peak_measured": fit.shows_peak,
    }


def measure_json(sweep: SweepResult) -> dict[str, Any]:
    spec = sweep.spec
    return {
        "server": {"name": sweep.server, "version": sweep.server_version},
        "pgbench": {"version": sweep.pgbench_version, "workload": spec.workload, "scale": spec.scale},
        "duration_s": spec.duration,
        "repeat": spec.repeat,
        "points": [
            {"clients": p.clients, "tps": p.tps, "latency_ms": p.latency_ms, "run": p.run} for p in sweep.points
        ],
        "fit": fit_json(sweep.fit),
    }


def fit_text(fit: UslFit | None) -> str:
    if fit is None:
        return "fit: needs at least three different client counts"
    peak = "no peak (kappa about 0: throughput levels off)" if fit.peak is None else f"peak at {fit.peak:.1f} clients"
    if fit.peak is not None and fit.peak_error is not None:
        peak += f" +/- {fit.peak_error:.1f}"
    if fit.peak is not None and not fit.shows_peak:
        peak += f", past the largest count measured ({fit.highest_measured}): measure further to confirm it"
    there = "there" if fit.peak is not None else f"at {n(fit.highest_measured)} clients"
    return (
        f"USL fit: sigma {fit.sigma:.4f}, kappa {fit.kappa:.6f}, lambda {n(round(fit.lam))} tps; {peak}, "
        f"{n(round(fit.peak_tps))} tps {there}; RMS error {fit.rmse:.1%} of the peak"
    )


def measure_text(sweep: SweepResult) -> str:
    spec = sweep.spec
    lines = [
        f"{sweep.server}: pgbench {sweep.pgbench_version}, {spec.workload}, scale {spec.scale}, "
        f"{spec.duration} s per run",
        f"  {'clients':>7}  {'tps':>12}  {'latency':>10}",
    ]
    for p in sweep.points:
        latency = f"{p.latency_ms:.3f} ms" if p.latency_ms is not None else "-"
        lines.append(f"  {p.clients:>7}  {p.tps:>12,.0f}  {latency:>10}")
    lines.append(fit_text(sweep.fit))
    return "\n".join(lines) + "\n"

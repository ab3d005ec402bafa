"""The ``pgplanner`` command: no arguments opens the window, subcommands work headless.

The options of ``plan`` (and of every subcommand that takes a scenario) are generated from the model's
FieldSpecs, so their names, ranges and help can never drift from what the model accepts. Bad input of
any kind exits with status 2 and one line on stderr naming the option or the file and field. A plan
with blocking errors exits 1 from ``plan`` (still printed) and is refused by ``export`` (status 2)
unless ``--allow-blocking``. ``probe`` and ``measure`` exit 3 when the server or pgbench fails, and
128 + the signal's number when Ctrl-C, SIGTERM or SIGHUP stops them (after cleaning up, with what
was watched or measured still printed).
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from pydantic import ValidationError

from . import __version__
from .model import FIELDS, GROUPS, PLATFORMS, PROVIDER_FIXES, FieldSpec, Plan, Scenario, human_size, plan
from .model.serialization import MAX_SCENARIO_BYTES, InputError, describe, read_scenario_file, scenario_from_json
from .present import blocking_errors, blocking_line
from .probe.session import ServerError
from .probe.signals import STOP_SIGNALS, stopped_status

if TYPE_CHECKING:
    from .export.change_scripts import ReadFrom
    from .model.evidence import Finding
    from .model.server_diff import SettingsDiff
    from .probe.server import ServerReport
    from .probe.session import Session

EXIT_BLOCKING = 1  # the plan has error-severity findings: it cannot work as configured
EXIT_BAD_INPUT = 2
EXIT_SERVER = 3  # probe, measure: the server or pgbench failed (unreachable, went away, refused, a run failed)
METAVARS = {"count": "N", "size": "SIZE"}
GROUP_TITLES = {
    "hardware": "hardware",
    "memory": "memory",
    "workload": "workload and budget",
    "pooler": "pooler",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line that names the option, with a suggestion for typos."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            message += _suggestion(self, message.split(":", 1)[1].split())
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message}\n")


def _suggestion(parser: argparse.ArgumentParser, words: list[str]) -> str:
    known = _option_strings(parser)
    for word in words:
        close = difflib.get_close_matches(word.split("=")[0], known, n=1)
        if close:
            return f" (did you mean {close[0]}?)"
    return ""


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    """Every option of ``parser`` and its subcommands (unknown options surface at the top parser)."""
    found: list[str] = []
    for action in parser._actions:
        found += action.option_strings
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _option_strings(sub)
    return found


def _help(spec: FieldSpec) -> str:
    default = f"auto: {spec.auto}" if spec.auto is not None else spec.format(spec.default)
    return f"{spec.description} Allowed: {spec.allowed()}. Default: {default}.".replace("%", "%%")


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """--scenario FILE and one option per model input, grouped as the model is."""
    parser.add_argument("--scenario", metavar="FILE", help="start from a saved scenario (JSON; - reads stdin)")
    parser.add_argument(
        "--preset",
        metavar="PROVIDER/PLAN",
        help="a managed plan, e.g. heroku/standard-0: fixes cores and RAM and brings the plan's limits "
        "(`pgplanner presets` lists them)",
    )
    for group in GROUPS:
        options = parser.add_argument_group(GROUP_TITLES[group])
        for spec in (s for s in FIELDS.values() if s.group == group):
            if spec.kind == "flag":
                flag = argparse.BooleanOptionalAction
                options.add_argument(spec.option, dest=spec.flat, action=flag, help=_help(spec))
                continue
            metavar = METAVARS.get(spec.kind) or spec.unit.upper() or "X"
            if spec.choices:
                metavar = "{" + ",".join(spec.choices) + "}"
            options.add_argument(spec.option, dest=spec.flat, metavar=metavar, help=_help(spec))


def scenario_from_args(args: argparse.Namespace, found: dict[str, object] | None = None) -> Scenario:
    """The saved scenario (if any), then the preset (if any), then what a live server or this machine
    told (``found``), with every given option applied on top."""
    base = _load_base(args.scenario) if args.scenario else Scenario()
    changes = {flat: value for flat in FIELDS if (value := getattr(args, flat, None)) is not None}
    changes = {**(found or {}), **changes}
    if args.preset:
        base = _with_preset(base, args.preset, changes)
    try:
        return base.with_changes(**changes)
    except ValidationError as error:
        raise InputError(describe(error, _option_or_field(changes, args.scenario))) from None


def _load_base(source: str) -> Scenario:
    if source == "-":
        return scenario_from_json(sys.stdin.buffer.read(MAX_SCENARIO_BYTES + 1), "stdin")
    return read_scenario_file(source)


def _with_preset(base: Scenario, name: str, changes: dict[str, object]) -> Scenario:
    """``base`` on the preset's plan; an option for what the plan fixes is refused, not silently dropped."""
    from .presets import UnknownPreset, apply_preset, load_catalog

    catalog, problems = load_catalog()
    _report_problems(problems)
    try:
        preset = catalog.find(name)
    except UnknownPreset as error:
        raise InputError(f"--preset: {error}") from None
    for flat in PROVIDER_FIXES:
        if flat in changes:
            option = FIELDS[flat].option
            raise InputError(
                f"{option}: the preset {preset.id} fixes cores and RAM ({preset.cores} physical cores from "
                f"{preset.plan.vcpus:g} vCPU, {human_size(preset.plan.ram)}); drop {option} or --preset"
            )
    return apply_preset(base, preset)


def _report_problems(problems: Sequence[object]) -> None:
    """Skipped preset files are worth a line each on stderr, never a failure."""
    for problem in problems:
        print(f"pgplanner: skipped preset file {problem}", file=sys.stderr)


def _run_presets(args: argparse.Namespace) -> int:
    from .presets import load_catalog
    from .presets.listing import preset_rows, render_table

    catalog, problems = load_catalog()
    _report_problems(problems)
    if args.json:
        json.dump(preset_rows(catalog), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(catalog))
    return 0


def _option_or_field(changes: dict[str, object], source: str | None) -> Callable[[str], str]:
    """Name a bad field after the option that set it, or after the scenario file it came from."""
    options = {FIELDS[flat].path: FIELDS[flat].option for flat in changes}

    def name(path: str) -> str:
        return options.get(path) or f"{source or 'scenario'}: {path}"

    return name


def _run_plan(args: argparse.Namespace) -> int:
    result = plan(scenario_from_args(args))
    if args.json:
        json.dump(result.to_json_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        from .present.plain import render_report

        sys.stdout.write(render_report(result))
    return _blocked(result)


def _blocked(*plans: tuple[str, Plan] | Plan) -> int:
    """Each plan's blocking errors on stderr, one line each (named "A: ..." when there are two plans),
    after what was printed; exit status 1 when there is any."""
    sys.stdout.flush()  # the report first, then the errors, when both go to one terminal
    named = [item if isinstance(item, tuple) else ("", item) for item in plans]
    found = False
    for name, result in named:
        for error in blocking_errors(result):
            found = True
            print(f"pgplanner: {f'{name}: ' if name else ''}{blocking_line(error)}", file=sys.stderr)
    return EXIT_BLOCKING if found else 0


def _run_compare(args: argparse.Namespace) -> int:
    from .present.compare import comparison_json, render_comparison

    a, b = (plan(_load_base(source)) for source in (args.a, args.b))
    if args.json:
        json.dump(comparison_json(a, b, (args.a, args.b)), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_comparison(a, b, (args.a, args.b)))
    return _blocked(("A", a), ("B", b))


def _run_report(args: argparse.Namespace) -> int:
    from .export.atomic import write_file_atomically
    from .present.report import render_html_report

    mine = plan(scenario_from_args(args))
    other = plan(read_scenario_file(args.compare)) if args.compare else None
    names = (args.scenario or "these options", args.compare or "")
    html = render_html_report(other, mine, names) if other else render_html_report(mine)
    out = Path(args.out)
    try:
        write_file_atomically(out, html)
    except OSError as error:
        raise InputError(f"--out: {out}: {error.strerror or error}") from None
    print(f"pgplanner: wrote {out}")
    return _blocked(("A", mine), ("B", other)) if other else _blocked(mine)


def _run_export(args: argparse.Namespace) -> int:
    from .export.bundle import export_bundle

    every = args.platform == "all"  # --platform all: every os/ folder; the scenario keeps its own platform
    scenario_args = argparse.Namespace(**{**vars(args), "platform": None}) if every else args
    result = plan(scenario_from_args(scenario_args))
    platforms = PLATFORMS if every else (result.scenario.hardware.platform,) if args.platform else None
    written = export_bundle(
        result,
        args.out,
        platforms=platforms,
        force=args.force,
        extra_files=_plots(result),
        allow_blocking=args.allow_blocking,
    )
    print(f"pgplanner: wrote {written}")
    return 0


def _plots(result: Plan) -> dict[str, bytes]:
    """The curves for the bundle, drawn by the window's plot code; a machine without Qt's libraries
    still gets its configs, with a line saying the pictures are missing."""
    try:
        from .ui.render import render_plots

        return render_plots(result)
    except (ImportError, RuntimeError) as error:
        print(f"pgplanner: plots left out of the bundle: {error}", file=sys.stderr)
        return {}


def _run_screenshot(args: argparse.Namespace) -> int:
    scenario = scenario_from_args(args)
    width, _, height = args.size.partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) >= 640 and int(height) >= 480):
        raise InputError(f"--size: must be WIDTHxHEIGHT, at least 640x480 (got {args.size!r})")
    from .ui.screenshot import save_screenshot

    try:
        out = save_screenshot(scenario, Path(args.out), (int(width), int(height)))
    except OSError as error:
        raise InputError(f"--out: {error}") from None
    print(out)
    return 0


MAX_WATCH = 86_400  # seconds: a day of sampling is the longest watch that makes sense


def _run_probe(args: argparse.Namespace) -> int:
    from .probe.report import found_changes, probe_json, probe_text
    from .probe.server import probe
    from .probe.session import Session

    if not (math.isfinite(args.watch) and 0 <= args.watch <= MAX_WATCH):
        raise InputError(f"--watch: seconds from 0 to {MAX_WATCH} (got {args.watch:g})")
    compared = bool(args.diff or args.out)
    if args.out:
        _check_out(Path(args.out), args.force)
    progress = _ProgressBar("watching") if args.watch > 0 else None
    with _StopSignals(), Session(args.dsn) as session:
        report = probe(session, args.watch, progress.show if progress else None)
        if progress:
            progress.finish()
        # The server tells its version (and, running here, this machine its hardware); the plan takes none
        # of the values it is shown beside from the server, or every row would match by construction.
        result = plan(scenario_from_args(args, found_changes(report, settings=False)))
        whole = report.interruption is None and not report.fault
        read = _read_beside(session, report, result, compared) if whole else None
    if args.json:
        json.dump(probe_json(report, result) | _beside_json(read), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(probe_text(report, result) + _beside_text(read))
    if report.interruption is not None:
        watched = report.connections.watched_seconds
        return _stopped(report.interruption, f"the watch ended after {watched:g} s; what was seen is above")
    if report.fault:
        _say(report.fault)
        return EXIT_SERVER
    if args.out and read is not None and read.diff is not None and read.source is not None:
        from .export.change_scripts import write_changes

        sys.stdout.flush()
        written = write_changes(read.diff, result, read.source, args.out, force=args.force)
        _say(f"wrote {written}: changes.sql ({len(read.diff.changes)} settings) and rollback.sql")
    return 0


def _check_out(out: Path, force: bool) -> None:
    """--out before anything is read: a folder that can be made (the writer checks again when it writes)."""
    if not out.absolute().parent.is_dir():
        raise InputError(f"--out: the folder {out.absolute().parent} does not exist")
    if (out.exists() or out.is_symlink()) and not force:
        raise InputError(f"--out: {out} already exists; add --force to replace it")


class _Beside(NamedTuple):
    """What a probe reads beside the plan: the server's statistics as findings, and the settings' diff."""

    findings: tuple[Finding, ...]
    diff: SettingsDiff | None
    source: ReadFrom | None


def _read_beside(session: Session, report: ServerReport, result: Plan, compared: bool) -> _Beside:
    from .export.change_scripts import ReadFrom
    from .model.evidence import findings
    from .model.server_diff import compare
    from .probe.diff import read_server_settings
    from .probe.evidence import read_statistics

    found = findings(read_statistics(session, report), result)
    if not compared:
        return _Beside(found, None, None)
    diff = compare(result.settings, read_server_settings(session, [s.name for s in result.settings]))
    now = session.one("SELECT now()", what="the server's clock")[0]
    source = ReadFrom(report.server["name"], report.server["user"], now.isoformat(timespec="seconds"))
    return _Beside(found, diff, source)


def _beside_json(read: _Beside | None) -> dict[str, Any]:
    from .present.diff import diff_json, summary_json
    from .present.evidence import finding_json

    if read is None:
        return {"evidence": None, "diff": None, "diff_summary": None}
    return {
        "evidence": [finding_json(f) for f in read.findings],
        "diff": diff_json(read.diff) if read.diff is not None else None,
        "diff_summary": summary_json(read.diff) if read.diff is not None else None,
    }


def _beside_text(read: _Beside | None) -> str:
    from .present.diff import diff_text
    from .present.evidence import evidence_text

    if read is None:
        return ""
    parts = [diff_text(read.diff)] if read.diff is not None else []
    return "".join(f"\n{part}" for part in [*parts, evidence_text(read.findings)])


def _run_measure(args: argparse.Namespace) -> int:
    from .probe.sweep import IsolatedRun, Note, Point, PooledRun, Sweep, SweepSpec, clients_text

    spec = SweepSpec(
        clients=_client_counts(args.clients),
        duration=args.duration,
        builtin=args.builtin,
        script=Path(args.script) if args.script else None,
        scale=args.scale,
        repeat=args.repeat,
        warmup=args.warmup,
        pgbench=Path(args.pgbench) if args.pgbench else None,
        isolated=args.isolated,
        isolated_rate=args.isolated_rate,
        pooled=args.pooler_dsn is not None,
        pool_size=args.pool_size,
    )
    base = read_scenario_file(args.save) if args.save and Path(args.save).exists() else None
    bar = _ProgressBar("measuring")

    def listen(event: object) -> None:
        if isinstance(event, Point):
            bar.note(f"{clients_text(event.clients)}: {event.tps:,.0f} tps")
        elif isinstance(event, PooledRun):
            bar.note(f"through the pooler (pool size {event.pool_size}): {event.tps:,.0f} tps")
        elif isinstance(event, IsolatedRun):
            bar.note(f"isolated latency at {event.tps:,.0f} tps: {event.latency_ms.avg:.3f} ms")
        elif isinstance(event, Note):
            bar.note(f"note: {event.text}")
        else:
            bar.show(event.fraction, event.label)  # type: ignore[attr-defined]

    sweep = Sweep(args.dsn, spec, listen, args.pooler_dsn)
    try:
        with _StopSignals():
            result = sweep.run()
    except (ServerError, KeyboardInterrupt) as error:
        bar.finish()
        if sweep.result is not None and sweep.result.points:
            _show_measurements(args, base, sweep.result)
        if isinstance(error, KeyboardInterrupt):
            return _stopped(error, "pgbench is stopped and the scratch database dropped")
        raise
    bar.finish()
    _show_measurements(args, base, result)
    return 0


def _show_measurements(args: argparse.Namespace, base: Scenario | None, result: Any) -> None:
    """The points (all of them, or those measured before the sweep failed or was stopped): saved with
    --save, printed as text or JSON."""
    from .probe.report import measure_json, measure_text

    if args.save:
        _save_measurements(Path(args.save), base or Scenario(), result)
    if args.json:
        json.dump(measure_json(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(measure_text(result))
    sys.stdout.flush()


def _client_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise InputError(f"--clients: whole numbers separated by commas, e.g. 1,2,4,8 (got {text!r})") from None
    if not counts or min(counts) < 1:
        raise InputError(f"--clients: client counts of 1 or more (got {text!r})")
    return counts


def _save_measurements(path: Path, base: Scenario, result: object) -> None:
    """The sweep's points (and where they were taken) into the scenario file, the rest of it kept."""
    from .export.atomic import write_file_atomically
    from .model import Measurement
    from .model.serialization import scenario_to_json

    points = tuple(
        Measurement(connections=p.clients, tps=p.tps, latency_ms=p.latency_ms)
        for p in result.points  # type: ignore[attr-defined]
    )
    update = {"measurements": points, "measured_on": result.measured_on}  # type: ignore[attr-defined]
    calibration = result.calibration  # type: ignore[attr-defined]
    if calibration is not None:  # kept from the file when this sweep measured none
        update["latency_calibration"] = calibration
    scenario = base.model_copy(update=update)
    try:
        write_file_atomically(path, scenario_to_json(Scenario.model_validate(scenario.model_dump())))
    except OSError as error:
        raise InputError(f"--save: {path}: {error.strerror or error}") from None
    planned = len(result.spec.clients) * result.spec.repeat  # type: ignore[attr-defined]
    kept = "" if len(points) == planned else f" (of {planned} planned: the sweep stopped before the rest)"
    _say(f"saved {len(points)} measured points in {path}{kept}")


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP, raised where the program is, so the clean-up that Ctrl-C runs (stop
    pgbench, drop the scratch database, keep what was measured) runs for all three."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _StopSignals:
    """SIGINT, SIGTERM and SIGHUP raise Interrupted while inside; the first one only, so a second signal
    cannot cut the clean-up short (it is bounded: pgbench gets 3 s before SIGKILL, the drop its timeout)."""

    def __enter__(self) -> _StopSignals:
        self.previous: dict[int, Any] = {}
        self.fired = False
        if threading.current_thread() is threading.main_thread():  # Python sets handlers there only
            for signum in STOP_SIGNALS:
                self.previous[signum] = signal.signal(signum, self._raise)
        return self

    def _raise(self, signum: int, _frame: FrameType | None) -> None:
        if not self.fired:
            self.fired = True
            raise Interrupted(signum)

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def _stopped(error: KeyboardInterrupt, what: str) -> int:
    """One line for a stop by signal, and its exit status (128 + the signal's number)."""
    signum = error.signum if isinstance(error, Interrupted) else signal.SIGINT
    _say(f"stopped by {signal.Signals(signum).name}; {what}")
    return stopped_status(signum)


def _say(text: str) -> None:
    """One line on stderr; a terminal that went away with SIGHUP is not an error of its own."""
    with contextlib.suppress(OSError):
        print(f"pgplanner: {text}", file=sys.stderr, flush=True)


class _ProgressBar:
    """A one-line bar on stderr when it is a terminal; otherwise a line per finished point only."""

    WIDTH = 30

    def __init__(self, title: str) -> None:
        self.title = title
        self.live = sys.stderr.isatty()
        self.shown = False

    def show(self, fraction: float, label: str = "") -> None:
        if not self.live:
            return
        filled = round(fraction * self.WIDTH)
        line = f"\r{self.title} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%} {label}"
        with contextlib.suppress(OSError):  # the terminal closed (SIGHUP follows)
            sys.stderr.write(f"{line:<78}")
            sys.stderr.flush()
        self.shown = True

    def note(self, text: str) -> None:
        self.finish()
        _say(text)

    def finish(self) -> None:
        if self.shown:
            self.shown = False
            with contextlib.suppress(OSError):
                sys.stderr.write("\r" + " " * 78 + "\r")
                sys.stderr.flush()


def _open_window(_args: argparse.Namespace) -> int:
    if _no_display():
        # Qt would abort with a core dump; say what to do instead.
        raise InputError(
            "no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
            "use pgplanner plan/export/screenshot, or run under Xvfb (xvfb-run pgplanner)"
        )
    from .ui.app import run

    return run()


def _no_display() -> bool:
    env = os.environ
    return (
        sys.platform.startswith("linux")
        and not env.get("QT_QPA_PLATFORM")
        and not env.get("DISPLAY")
        and not env.get("WAYLAND_DISPLAY")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pgplanner", description="Plan PostgreSQL connections and memory.", allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"pgplanner {__version__}")
    parser.set_defaults(run=_open_window)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    plan_cmd = commands.add_parser(
        "plan",
        allow_abbrev=False,
        help="compute a plan and print it",
        description="Compute the RAM ceiling, productive target, budget, memory, curves and kernel settings.",
    )
    add_scenario_options(plan_cmd)
    plan_cmd.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    plan_cmd.set_defaults(run=_run_plan)

    presets_cmd = commands.add_parser(
        "presets",
        allow_abbrev=False,
        help="list the managed provider plans --preset accepts",
        description="List the provider presets (shipped and your own) with their limits, sources and dates.",
    )
    presets_cmd.add_argument("--json", action="store_true", help="print a JSON list, one object per plan")
    presets_cmd.set_defaults(run=_run_presets)

    shot = commands.add_parser(
        "screenshot",
        allow_abbrev=False,
        help="render the window offscreen to a PNG",
        description="Render the planner window for a scenario to a PNG (no display needed).",
    )
    shot.add_argument("--out", required=True, metavar="FILE.png", help="where to write the PNG")
    shot.add_argument("--size", default="1280x800", metavar="WxH", help="window size (default 1280x800)")
    add_scenario_options(shot)
    shot.set_defaults(run=_run_screenshot)

    compare_cmd = commands.add_parser(
        "compare",
        allow_abbrev=False,
        help="compare two saved scenarios: headline figures, warnings and everything that differs",
        description="Plan two scenarios and show their headline figures side by side, their warnings, and "
        "every input, output, setting and kernel value that differs. Exit 1 when either plan has blocking errors.",
    )
    compare_cmd.add_argument("a", metavar="A.json", help="the first scenario (the baseline; - reads stdin)")
    compare_cmd.add_argument("b", metavar="B.json", help="the second scenario")
    compare_cmd.add_argument("--json", action="store_true", help="print one JSON object: a, b and differences")
    compare_cmd.set_defaults(run=_run_compare)

    report_cmd = commands.add_parser(
        "report",
        allow_abbrev=False,
        help="write the plan (or two plans compared) as one self-contained HTML file",
        description="Write one HTML file with the plots, cards, budget, settings, kernel values, warnings and "
        "inputs; it needs no network and prints as a tidy PDF. With --compare the two plans go side by side.",
    )
    add_scenario_options(report_cmd)
    report_cmd.add_argument("--compare", metavar="FILE", help="a second scenario to compare with (shown as B)")
    report_cmd.add_argument("--out", required=True, metavar="report.html", help="where to write the report")
    report_cmd.set_defaults(run=_run_report)

    export_cmd = commands.add_parser(
        "export",
        allow_abbrev=False,
        help="write the config bundle (postgresql.conf, PgBouncer, kernel settings) to a folder or .zip",
        description="Write the plan as a config bundle: a directory, or a zip file when --out ends in .zip.",
    )
    add_scenario_options(export_cmd)
    export_cmd.add_argument("--out", required=True, metavar="DIR|FILE.zip", help="where to write the bundle")
    export_cmd.add_argument("--force", action="store_true", help="replace a bundle that is already there")
    export_cmd.add_argument(
        "--allow-blocking",
        action="store_true",
        help="write a plan with blocking errors anyway, the errors atop README.md and beside each value they concern",
    )
    for action in export_cmd._actions:
        if action.dest == "platform":  # export also takes "all": the os/ folders of every platform
            action.metavar = str(action.metavar)[:-1] + ",all}"
            action.help = f"{action.help} all: write the os/ folders of every platform."
    export_cmd.set_defaults(run=_run_export)
    _add_server_commands(commands)
    return parser


DSN_HELP = (
    "a libpq connection string or URI, e.g. 'host=db1 dbname=app user=dba' or postgresql://dba@db1/app; "
    "PG* environment variables and ~/.pgpass apply as for psql (pgplanner never stores a password)"
)


def _add_server_commands(commands: argparse._SubParsersAction) -> None:
    from .probe.sweep import BUILTINS, ISOLATED_SHARE

    probe_cmd = commands.add_parser(
        "probe",
        allow_abbrev=False,
        help="read a live server's settings and connection use and set them beside the plan",
        description="Connect to a live server (read-only transactions, pgplanner's own statement_timeout; "
        "pg_monitor is enough) and report its version, the settings the plan depends on, connections by state, "
        "user and application, backend memory and its statistics as findings (temporary files, the queries that "
        "spill, checkpoints, sessions, autovacuum, the cache hit ratio), beside the plan; with --diff every setting "
        "of the plan the server holds otherwise, and with --out the scripts that change it and roll it back. "
        "Exit status 2: bad input (an --out folder that exists included); 3: the server could not be "
        "read or went away during --watch and did not come back; 128 + the signal after Ctrl-C, SIGTERM or "
        "SIGHUP (what was seen is printed).",
    )
    probe_cmd.add_argument("--dsn", required=True, help=DSN_HELP)
    probe_cmd.add_argument("--json", action="store_true", help="print one JSON object")
    probe_cmd.add_argument(
        "--watch", type=float, default=0, metavar="SECONDS", help="sample pg_stat_activity this long for the peak"
    )
    probe_cmd.add_argument(
        "--diff",
        action="store_true",
        help="list every setting the plan writes that the server holds otherwise: the server's value and where "
        "it comes from, the plan's and why, restart or reload, pending_restart (the plan takes only the server's "
        "version and, when it runs here, this machine's hardware)",
    )
    probe_cmd.add_argument(
        "--out",
        metavar="DIR",
        help="with the diff, write DIR/changes.sql (ALTER SYSTEM, reload, what needs a restart) and "
        "DIR/rollback.sql (puts every changed setting back), with the scenario and plan; whole or not at all",
    )
    probe_cmd.add_argument("--force", action="store_true", help="replace a folder --out wrote before")
    add_scenario_options(probe_cmd)
    probe_cmd.set_defaults(run=_run_probe)

    measure = commands.add_parser(
        "measure",
        allow_abbrev=False,
        help="run a pgbench sweep over client counts and fit the throughput curve",
        description="Run the real pgbench at each client count in a scratch database that pgplanner creates "
        "and drops, and fit the Universal Scalability Law to the points. Ctrl-C, SIGTERM and SIGHUP stop pgbench "
        "at once and drop the scratch database (exit status 128 + the signal); a server or pgbench fault exits 3. "
        "Either way the points measured so far are printed and saved.",
    )
    measure.add_argument("--dsn", required=True, help=DSN_HELP)
    measure.add_argument("--clients", required=True, metavar="N,N,...", help="client counts, e.g. 1,2,4,8,16")
    measure.add_argument("--duration", required=True, type=int, metavar="S", help="seconds per run")
    measure.add_argument("--builtin", default="select-only", choices=BUILTINS, help="pgbench's built-in script")
    measure.add_argument("--script", metavar="FILE", help="a pgbench script to run instead of the built-in one")
    measure.add_argument("--scale", type=int, default=1, metavar="N", help="pgbench scale factor (default 1)")
    measure.add_argument("--repeat", type=int, default=1, metavar="N", help="runs per client count (default 1)")
    measure.add_argument("--warmup", type=int, metavar="S", help="warm-up seconds (default: --duration)")
    measure.add_argument("--pgbench", metavar="PATH", help="the pgbench program (default: found next to the server)")
    measure.add_argument(
        "--pooler-dsn",
        metavar="DSN",
        help="the pooler in front of the server (e.g. PgBouncer in transaction mode, with an entry for any "
        "database): also measure the capacity through it, a saturated closed loop at its pool size, for the "
        "latency model",
    )
    measure.add_argument(
        "--pool-size",
        type=int,
        metavar="N",
        help="the pooler's pool size (default: the server connections it opened during that run)",
    )
    measure.add_argument(
        "--isolated",
        action="store_true",
        help="also measure a lone transaction's latency: a short run at a low --rate (through the pooler when "
        "--pooler-dsn is given), for the latency model",
    )
    measure.add_argument(
        "--isolated-rate",
        type=float,
        metavar="TPS",
        help=f"the rate of that run (default: {ISOLATED_SHARE * 100:g} %% of the capacity measured)",
    )
    measure.add_argument("--json", action="store_true", help="print one JSON object")
    measure.add_argument(
        "--save", metavar="SCENARIO.json", help="store the points (and the latency calibration) in this scenario file"
    )
    measure.set_defaults(run=_run_measure)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    # Without arguments the window opens: the parser (every command with its sixty options, the measure
    # command's names from the probe package) is built only when there are arguments to read.
    args = build_parser().parse_args(arguments) if arguments else argparse.Namespace(run=_open_window)
    try:
        return args.run(args)
    except InputError as error:
        for line in str(error).splitlines():
            _say(line)
        return EXIT_BAD_INPUT
    except ServerError as error:
        _say(str(error))
        return EXIT_SERVER
    except KeyboardInterrupt as error:
        with contextlib.suppress(OSError):
            sys.stderr.write("\n")
        return _stopped(error, "interrupted")
    except BrokenPipeError:  # `pgplanner plan | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())

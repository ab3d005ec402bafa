"""The ``pgplanner`` command: no arguments opens the window, subcommands work headless.

The options of ``plan`` (and of every subcommand that takes a scenario) are generated from the model's
FieldSpecs, so their names, ranges and help can never drift from what the model accepts. Bad input of
any kind exits with status 2 and one line on stderr naming the option or the file and field. A plan
with blocking errors exits 1 from ``plan`` (still printed) and is refused by ``export`` (status 2)
unless ``--allow-blocking``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from pydantic import ValidationError

from . import __version__
from .model import FIELDS, GROUPS, PLATFORMS, PROVIDER_FIXES, FieldSpec, Plan, Scenario, human_size, plan
from .model.serialization import MAX_SCENARIO_BYTES, InputError, describe, read_scenario_file, scenario_from_json
from .present import blocking_errors, blocking_line
from .presets import UnknownPreset, apply_preset, load_catalog
from .presets.listing import preset_rows, render_table

EXIT_BLOCKING = 1  # the plan has error-severity findings: it cannot work as configured
EXIT_BAD_INPUT = 2
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


def scenario_from_args(args: argparse.Namespace) -> Scenario:
    """The saved scenario (if any), then the preset (if any), with every given option applied on top."""
    base = _load_base(args.scenario) if args.scenario else Scenario()
    changes = {flat: value for flat in FIELDS if (value := getattr(args, flat, None)) is not None}
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
    from .present.report import render_html_report
    from .ui.atomic import write_text_atomically

    mine = plan(scenario_from_args(args))
    other = plan(read_scenario_file(args.compare)) if args.compare else None
    names = (args.scenario or "these options", args.compare or "")
    html = render_html_report(other, mine, names) if other else render_html_report(mine)
    out = Path(args.out)
    try:
        write_text_atomically(out, html)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except InputError as error:
        for line in str(error).splitlines():
            print(f"pgplanner: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `pgplanner plan | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())

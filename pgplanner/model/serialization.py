"""Scenario files: reading them defensively and explaining what is wrong in one line.

A scenario file may be hand-edited, truncated, from a newer pgplanner or simply hostile (huge,
deeply nested, NaN, a number with a million digits). Everything that can go wrong ends in an
:class:`InputError` whose message names the file and the field; nothing else escapes.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .fields import FieldSpec
from .scenario import FIELDS, SCENARIO_VERSION, Scenario
from .units import format_size

MAX_SCENARIO_BYTES = 1024 * 1024


class InputError(ValueError):
    """Bad input from a user: the message is fit to print as is, on one line."""


def scenario_from_json(text: str | bytes, source: str = "scenario") -> Scenario:
    """Parse and validate a scenario document; ``source`` names it in messages (a path, "-")."""
    return _scenario_from_data(parse_json(text, source), source)


def _scenario_from_data(data: Any, source: str) -> Scenario:
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a JSON object with hardware, memory, workload and pooler")
    version = data.get("version", SCENARIO_VERSION)
    if version != SCENARIO_VERSION:
        raise InputError(
            f"{source}: scenario version {version!r} is not supported (this pgplanner reads version {SCENARIO_VERSION})"
        )
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise InputError(describe(error, lambda path: f"{source}: {path}")) from None


def read_scenario_file(path: str | Path) -> Scenario:
    """Load a scenario file, refusing anything too large to be one."""
    return _scenario_from_data(read_json_file(path, "scenario"), str(path))


def read_json_file(path: str | Path, kind: str) -> Any:
    """The parsed content of a hand-editable JSON file (a scenario, a preset): InputError for anything else.

    ``kind`` names what the file should be in the message about a file too large to be one.
    """
    path = Path(path)
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_SCENARIO_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_SCENARIO_BYTES:
        raise InputError(f"{path}: larger than {format_size(MAX_SCENARIO_BYTES)}; not a {kind} file")
    return parse_json(raw, str(path))


def scenario_to_json(scenario: Scenario) -> str:
    """The file format: indented JSON with sizes written as postgresql.conf sizes ("16GB")."""
    return scenario.model_dump_json(indent=2) + "\n"


def parse_json(text: str | bytes, source: str) -> Any:
    """JSON text to Python data; malformed, hostile or non-UTF-8 text is an InputError naming ``source``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{source}: not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InputError(f"{source}: not valid JSON: {error.msg} at {where}") from None
    except RecursionError:
        raise InputError(f"{source}: nested too deeply to be read") from None
    except ValueError as error:  # NaN/Infinity, or an integer with thousands of digits
        reason = "a number has too many digits" if "digits" in str(error) else str(error)
        raise InputError(f"{source}: {reason}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number pgplanner accepts")


def describe(error: ValidationError, name: Any) -> str:
    """One line for the first problem in ``error``; ``name(path)`` says how to call the field."""
    first = error.errors(include_url=False)[0]
    loc = [str(part) for part in first["loc"]]
    spec = _spec_at(loc)
    path = ".".join(loc) or "scenario"
    if first["type"] == "extra_forbidden":
        return f"{name(path)}: unknown field{_did_you_mean(loc)}"
    if first["type"] == "missing":
        return f"{name(path)}: missing"
    got = _shown(first.get("input"))
    if first["type"] == "value_error":  # our own size parser's message says it best, input included
        return f"{name(path)}: {first.get('ctx', {}).get('error', first['msg'])}"
    if first["type"] in ("model_type", "dict_type"):
        return f"{name(path)}: must be an object {{...}} (got {got})"
    if spec is not None:
        return f"{name(path)}: must be {spec.allowed()} (got {got})"
    return f"{name(path)}: {first['msg']} (got {got})"


def _spec_at(loc: list[str]) -> FieldSpec | None:
    if len(loc) != 2:
        return None
    return next((s for s in FIELDS.values() if s.group == loc[0] and s.name == loc[1]), None)


def _did_you_mean(loc: list[str]) -> str:
    known = [s.name for s in FIELDS.values() if s.group == loc[0]] if len(loc) == 2 else []
    if len(loc) == 1:
        known = list(Scenario.model_fields)
    close = difflib.get_close_matches(loc[-1], known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""Exporting a scenario's bundle where the server user can read it."""

from __future__ import annotations

from pathlib import Path

from pgplanner.export.bundle import bundle_files, export_bundle
from pgplanner.model import Plan, Scenario, plan

from . import real


def plan_with(**inputs: object) -> Plan:
    return plan(Scenario().with_changes(**inputs))


def export_for(runner: real.Runner, workdir: Path, result: Plan, **options: object) -> Path:
    bundle = export_bundle(result, workdir / "bundle", **options)
    runner.hand_over(bundle)
    return bundle


def exported_conf(runner: real.Runner, folder: Path, result: Plan) -> Path:
    """The bundle's postgresql.conf snippet alone, byte for byte (blocking errors marked), where the server
    user can read it: for a test that reads many plans' snippets and nothing else of the bundle."""
    path = folder / "postgresql.conf"
    path.write_bytes(bundle_files(result)["postgresql/postgresql.conf"])
    runner.hand_over(path)
    return path


def conf_values(text: str) -> dict[str, str]:
    """Active ``key = value`` lines of a postgresql.conf snippet."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}

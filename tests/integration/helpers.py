"""Exporting a scenario's bundle where the server user can read it."""

from __future__ import annotations

from pathlib import Path

from pgplanner.export.bundle import export_bundle
from pgplanner.model import Plan, Scenario, plan

from . import real


def plan_with(**inputs: object) -> Plan:
    return plan(Scenario().with_changes(**inputs))


def export_for(runner: real.Runner, workdir: Path, result: Plan, **options: object) -> Path:
    bundle = export_bundle(result, workdir / "bundle", **options)
    runner.hand_over(bundle)
    return bundle


def conf_values(text: str) -> dict[str, str]:
    """Active ``key = value`` lines of a postgresql.conf snippet."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}

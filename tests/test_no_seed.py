"""Users never read the word "seed": sources are named by their titles (tests keep citing seeds)."""

from __future__ import annotations

import pytest

from pgplanner.assets import example_scenarios
from pgplanner.export.bundle import bundle_files
from pgplanner.model import plan
from pgplanner.model.serialization import scenario_from_json
from pgplanner.present.plain import render_report

from .cli.runner import run
from .test_explanations import SCENARIOS


@pytest.mark.parametrize("args", [(), ("plan",), ("export",), ("presets",), ("screenshot",)])
def test_help_never_says_seed(args):
    result = run(*args, "--help")
    assert result.status == 0 and "usage" in result.stdout
    assert "seed" not in result.stdout.lower()


def test_presets_never_say_seed():
    assert "seed" not in run("presets", "--json").stdout.lower()
    assert "seed" not in run("presets").stdout.lower()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_report_and_bundle_never_say_seed(name):
    result = plan(SCENARIOS[name])
    assert "seed" not in render_report(result).lower()
    for path, data in bundle_files(result, platforms=("linux", "macos", "freebsd", "windows")).items():
        text = data.decode("utf-16") if data.startswith(b"\xff\xfe") else data.decode()
        assert "seed" not in text.lower(), path


@pytest.mark.parametrize("path", sorted(example_scenarios().values()), ids=lambda p: p.stem)
def test_examples_never_say_seed(path):
    result = plan(scenario_from_json(path.read_text()))
    assert "seed" not in render_report(result).lower()

"""The frozen program under test: PGPLANNER_BUNDLE names it, and without it these tests skip.

They never build anything; ``python packaging/build.py --smoke`` builds the bundle and runs them.
Every run gets a private settings file and an empty user preset folder, so what the user has saved
on this machine cannot change what the frozen program prints.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

RUN_TIMEOUT = 120  # seconds; a frozen start takes one or two, a hang must not stall CI
# What a broken bundle prints: a Python error, or Qt failing to load a plugin or its libraries.
BREAKAGE = ("Traceback (most recent call last)", "ModuleNotFoundError", "Cannot load library", "could not load the Qt")

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def program() -> Path:
    where = os.environ.get("PGPLANNER_BUNDLE")
    if not where:
        pytest.skip("tests the frozen program: `python packaging/build.py --smoke` builds it and runs these")
    path = Path(where).resolve()
    if not path.is_file():
        pytest.fail(f"PGPLANNER_BUNDLE={where}: no such program")
    return path


@pytest.fixture
def private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment for the frozen program, also applied here so in-process runs see the same."""
    presets = tmp_path / "user-presets"
    presets.mkdir()
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "PGPLANNER_SETTINGS": str(tmp_path / "settings.ini"),
        "PGPLANNER_PRESETS_DIR": str(presets),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **env}


@pytest.fixture
def frozen(program: Path, private_env: dict[str, str], tmp_path: Path) -> Run:
    """Run the frozen program; fail on a non-zero exit or on a sign of a broken bundle in its output."""

    def run(*args: str, status: int = 0, **env: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [str(program), *args],
            env={**private_env, **env},
            cwd=tmp_path,  # not the checkout: the bundle must find its resources by itself
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        output = done.stdout + done.stderr
        assert done.returncode == status, f"exit status {done.returncode}:\n{output}"
        assert not [sign for sign in BREAKAGE if sign in output], output
        return done

    return run

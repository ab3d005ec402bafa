"""A fresh, non-editable install works from any directory and carries its resources."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with pgplanner installed from a freshly built wheel."""
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling (the test extra has it)")
    work = tmp_path_factory.mktemp("install")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(work)],
        check=True,
    )
    wheel = next(work.glob("pgplanner-*.whl"))
    # Reuse this environment's dependencies (no network); pgplanner itself comes from the wheel only.
    # system_site_packages reaches the base interpreter's packages, not this environment's, so a .pth
    # file adds ours after the new environment's own site-packages (where the wheel goes).
    # Without pip of its own (ensurepip took most of this fixture's time): this environment's pip
    # installs into it with --python.
    venv.create(work / "venv", with_pip=False, system_site_packages=True)
    python = work / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "outer-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    # --ignore-installed: where the outer environment has pgplanner installed too (README's test command
    # does), pip would see that copy through the .pth file and install nothing.
    pip_install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
    subprocess.run([*pip_install, "--ignore-installed", str(wheel)], check=True)
    return python


def _run(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without PYTHONPATH: a developer running the suite from a checkout with PYTHONPATH=$PWD must still
    # see the installed copy here, not the checkout.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=cwd, check=False, env=env)


def test_package_and_resources_come_from_the_install(installed: Path, tmp_path: Path):
    code = "import pgplanner, pgplanner.assets as a; print(pgplanner.__file__); print(a.resources_dir())"
    done = _run(installed, "-c", code, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    package, resources = done.stdout.split()
    venv_root = str(installed.parent.parent)
    assert package.startswith(venv_root) and resources.startswith(venv_root)
    assert (Path(resources) / "examples" / "small-web-app.json").is_file()


def test_installed_command_plans_a_bundled_example(installed: Path, tmp_path: Path):
    example = _run(
        installed, "-c", "import pgplanner.assets as a; print(a.example_scenarios()['medium-app'])", cwd=tmp_path
    ).stdout.strip()
    command = installed.parent / "pgplanner"
    done = subprocess.run(
        [str(command), "plan", "--json", "--scenario", example], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["productive_target"] == 36

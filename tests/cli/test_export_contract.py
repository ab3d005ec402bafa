"""pgplanner export: the bundle on disk, and bad input as one line with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .runner import run


def test_export_writes_a_bundle_the_plan_command_can_reload(tmp_path: Path):
    out = tmp_path / "bundle"
    result = run("export", "--cores", "16", "--ram", "64GB", "--listeners", "20", "--out", str(out))
    assert result.status == 0, result.stderr
    assert result.stdout == f"pgplanner: wrote {out}\n"
    reloaded = run("plan", "--json", "--scenario", str(out / "scenario.json"))
    assert reloaded.json() == json.loads((out / "plan.json").read_text())
    assert reloaded.json()["scenario"]["hardware"]["cores"] == 16


def test_platform_selects_the_scenario_platform_and_its_folder(tmp_path: Path):
    out = tmp_path / "mac.zip"
    assert run("export", "--platform", "macos", "--out", str(out)).status == 0
    names = zipfile.ZipFile(out).namelist()
    assert {n.split("/")[1] for n in names if n.startswith("os/")} == {"macos"}
    assert json.loads(zipfile.ZipFile(out).read("scenario.json"))["hardware"]["platform"] == "macos"


def test_platform_all_writes_every_folder_and_keeps_the_scenario_platform(tmp_path: Path):
    scenario = tmp_path / "s.json"
    scenario.write_text('{"hardware": {"platform": "freebsd"}}')
    out = tmp_path / "all"
    assert run("export", "--scenario", str(scenario), "--platform", "all", "--out", str(out)).status == 0
    assert sorted(p.name for p in (out / "os").iterdir()) == ["freebsd", "linux", "macos", "windows"]
    assert json.loads((out / "scenario.json").read_text())["hardware"]["platform"] == "freebsd"


def test_existing_target_needs_force(tmp_path: Path):
    out = tmp_path / "b.zip"
    assert run("export", "--out", str(out)).status == 0
    again = run("export", "--out", str(out))
    assert again.status == 2
    assert again.stderr == f"pgplanner: {out} already exists; add --force to replace it\n"
    assert run("export", "--out", str(out), "--force").status == 0


@pytest.mark.parametrize(
    "args, says",
    [
        (["--platform", "solaris"], "--platform: must be one of linux, macos, freebsd, windows"),
        (["--cores", "0"], "--cores: must be a whole number from 1 to 1,024"),
        ([], "the following arguments are required: --out"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path: Path, args, says):
    out = [] if not args else ["--out", str(tmp_path / "b")]
    result = run("export", *args, *out)
    assert result.status == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "b").exists()


def test_unwritable_destination(tmp_path: Path):
    result = run("export", "--out", str(tmp_path / "missing" / "b"))
    assert result.status == 2
    assert (
        result.stderr == f"pgplanner: {tmp_path / 'missing' / 'b'}: the folder {tmp_path / 'missing'} does not exist\n"
    )


def test_the_export_package_never_loads_qt(tmp_path: Path):
    """The bundle writer is headless: plots come pre-rendered from the caller (extra_files)."""
    code = (
        "import sys; from pgplanner.model import Scenario, plan; from pgplanner.export.bundle import export_bundle;"
        f"export_bundle(plan(Scenario()), {str(tmp_path / 'b.zip')!r}, platforms=('linux', 'macos'));"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')];"
        "sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_command_adds_the_three_curves(tmp_path: Path):
    result = run("export", "--out", str(tmp_path / "bundle"))
    assert result.status == 0, result.stderr
    plots = sorted(p.name for p in (tmp_path / "bundle" / "plots").iterdir())
    assert plots == ["budget.png", "memory.png", "throughput.png"]
    assert all((tmp_path / "bundle" / "plots" / name).read_bytes().startswith(b"\x89PNG") for name in plots)


# Jointly impossible inputs (issue 10): each is refused with one line per blocking error.
IMPOSSIBLE = {
    "shared_buffers above RAM": (["--ram", "4GB", "--shared-buffers", "8GB"], "SHARED_BUFFERS_OVER_RAM"),
    # 3,800 MB + the OS reserve (256 MB + 4,096 MB x 0.035 = 399.36 MB) is above 4 GB
    "shared_buffers + OS reserve": (["--ram", "4GB", "--shared-buffers", "3800MB"], "NO_MEMORY_FOR_CONNECTIONS"),
    "reserved slots fill max_connections": (
        ["--pg-version", "18", "--max-connections", "10", "--superuser-reserved", "6", "--reserved-connections", "4"],
        "RESERVED_SLOTS_FILL_MAX_CONNECTIONS",
    ),
    "more backends than PostgreSQL has": (["--max-connections", "262143"], "TOO_MANY_BACKENDS"),
}


@pytest.mark.parametrize(("options", "code"), IMPOSSIBLE.values(), ids=IMPOSSIBLE.keys())
@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_export_refuses_a_blocking_plan_and_writes_nothing(tmp_path: Path, options, code, name):
    result = run("export", *options, "--out", str(tmp_path / name))
    assert result.status == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"pgplanner: blocking error {code}: ") for line in lines), result.stderr
    assert lines[-1].startswith("pgplanner: nothing written") and "--allow-blocking" in lines[-1]
    assert list(tmp_path.iterdir()) == []  # no bundle, no staging leftovers


def test_allow_blocking_writes_the_errors_atop_the_readme_and_beside_each_value(tmp_path: Path):
    options, code = IMPOSSIBLE["reserved slots fill max_connections"]
    out = tmp_path / "bundle"
    result = run("export", *options, "--allow-blocking", "--out", str(out))
    assert result.status == 0, result.stderr
    readme = (out / "README.md").read_text()
    assert readme.startswith("> **This plan has blocking errors") and f"`{code}`" in readme.split("# pgplanner")[0]
    conf = (out / "postgresql" / "postgresql.conf").read_text().splitlines()
    sql = (out / "postgresql" / "alter_system.sql").read_text().splitlines()
    for lines, marker, setting in [
        (conf, "#", "max_connections = 10"),
        (conf, "#", "superuser_reserved_connections = 6"),
        (conf, "#", "reserved_connections = 4"),
        (sql, "--", "ALTER SYSTEM SET reserved_connections = '4';"),
    ]:
        above = lines[: lines.index(setting)]
        assert any(line.startswith(f"{marker} BLOCKING ERROR {code}:") for line in above[-3:]), setting
    work_mem = conf.index(next(line for line in conf if line.startswith("work_mem")))
    assert "BLOCKING" not in conf[work_mem - 1]  # only the values an error concerns


def test_allow_blocking_marks_huge_pages_in_the_sysctl_file(tmp_path: Path):
    out = tmp_path / "bundle"
    assert run("export", "--ram", "4GB", "--shared-buffers", "8GB", "--allow-blocking", "--out", str(out)).status == 0
    sysctl = (out / "os" / "linux" / "sysctl-minimums.conf").read_text().splitlines()  # a floor
    pages = next(i for i, line in enumerate(sysctl) if line.startswith("vm.nr_hugepages"))
    assert sysctl[pages - 1].startswith("# BLOCKING ERROR SHARED_BUFFERS_OVER_RAM:")

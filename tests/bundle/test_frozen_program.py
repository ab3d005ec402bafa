"""The frozen program does what the installed package does: same plans, presets found, window and
pictures rendered by the Qt plugins the bundle carries."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..cli.runner import run as run_installed
from ..integration import real
from ..integration.real import missing
from .conftest import Run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The default 1280x800 window with its cards and curves is ~150 kB as PNG; an empty one is a few kB.
MIN_SCREENSHOT_BYTES = 40_000
LINUX = sys.platform.startswith("linux")

SCENARIOS = {
    "defaults": (),
    "options": ("--cores", "16", "--ram", "64GB", "--work-mem", "32MB", "--listeners", "20", "--pooler", "pgbouncer"),
    "preset": ("--preset", "heroku/standard-0"),  # read from the bundle's resources
}


@pytest.mark.parametrize("options", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_plan_json_is_the_installed_packages(frozen: Run, options: tuple[str, ...]):
    frozen_plan = json.loads(frozen("plan", "--json", *options).stdout)
    assert frozen_plan == run_installed("plan", "--json", *options).json()


def test_presets_are_found_and_match_the_installed_package(frozen: Run):
    shipped = json.loads(frozen("presets", "--json").stdout)
    assert shipped == run_installed("presets", "--json").json()
    assert len(shipped) > 20


def test_screenshot_writes_a_rendered_png(frozen: Run, tmp_path: Path):
    out = tmp_path / "window.png"
    frozen("screenshot", "--out", str(out), "--cores", "16", "--ram", "64GB")
    data = out.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # IHDR, the first chunk
    assert (width, height) == (1280, 800)
    assert len(data) > MIN_SCREENSHOT_BYTES, f"{len(data)} bytes: the window looks empty"


def test_export_draws_the_plots(frozen: Run, tmp_path: Path):
    out = tmp_path / "bundle.zip"
    done = frozen("export", "--out", str(out))
    assert "plots left out" not in done.stderr
    with zipfile.ZipFile(out) as bundle:
        plots = {name: bundle.read(name) for name in bundle.namelist() if name.startswith("plots/")}
    assert set(plots) == {"plots/throughput.png", "plots/memory.png", "plots/budget.png"}
    assert all(data.startswith(PNG_SIGNATURE) for data in plots.values())


def open_window(frozen: Run, log: Path, **env: str) -> set[str]:
    """Open the window until it closes itself. On Linux, the libraries glibc's loader initialised
    (LD_DEBUG=files logs "calling init: PATH" once a library and everything it links has loaded)."""
    if LINUX:
        env = {**env, "LD_DEBUG": "files", "LD_DEBUG_OUTPUT": str(log)}
    frozen(PGPLANNER_QUIT_AFTER="2", **env)
    lines = (line for path in log.parent.glob(f"{log.name}.*") for line in path.read_text().splitlines())
    return {line.split("calling init: ", 1)[1].strip() for line in lines if "calling init: " in line}


def from_bundle(loaded: set[str], program: Path, plugin: str) -> bool:
    """Whether the Qt plugin (e.g. ``platforms/libqxcb``) was loaded from the bundle."""
    inside = program.parent
    return any(Path(path).is_relative_to(inside) and f"plugins/{plugin}." in path for path in loaded)


def test_window_opens_offscreen_and_quits_by_itself(frozen: Run, tmp_path: Path):
    open_window(frozen, tmp_path / "loader")


@pytest.mark.skipif(not LINUX, reason="reads glibc's loader log")
def test_window_loads_qt_from_the_bundle_only(frozen: Run, program: Path, tmp_path: Path):
    loaded = open_window(frozen, tmp_path / "loader")
    assert from_bundle(loaded, program, "platforms/libqoffscreen")
    assert from_bundle(loaded, program, "iconengines/libqsvgicon"), "the window icon needs the SVG icon engine"
    # Where this test's own PySide6, numpy and standard extension modules live: never the bundle's source.
    environment = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"), sysconfig.get_config_var("DESTSHARED")}
    leaked = sorted(path for path in loaded if any(path.startswith(f"{folder}/") for folder in environment))
    assert not leaked, f"the bundle loaded files from the build environment: {leaked}"


@pytest.fixture
def x_display() -> Iterator[str]:
    """A throwaway X server (Xvfb) on a display number it picks itself."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        missing("Xvfb not found; apt-get install xvfb to test the xcb platform plugin")
    with subprocess.Popen(
        [xvfb, "-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as server:
        number = server.stdout.readline().strip()
        try:
            yield f":{number}"
        finally:
            server.terminate()


@pytest.mark.skipif(not LINUX, reason="X11 is the Linux desktop's platform")
def test_window_opens_on_x11_and_quits_by_itself(frozen: Run, program: Path, x_display: str, tmp_path: Path):
    loaded = open_window(frozen, tmp_path / "loader", QT_QPA_PLATFORM="xcb", DISPLAY=x_display)
    assert from_bundle(loaded, program, "platforms/libqxcb")


def test_probe_reaches_libpq_inside_the_bundle(frozen: Run, tmp_path: Path):
    """psycopg's binary wheel (its own libpq, libssl, Kerberos) ships in the bundle: an unreachable server
    gets libpq's own words, not an ImportError, and the exit status of a server fault (README: 3)."""
    done = frozen("probe", "--dsn", f"host={tmp_path / 'no-server-here'} connect_timeout=2", status=3)
    assert done.stderr.startswith("pgplanner: cannot connect: ") and "No such file or directory" in done.stderr


@pytest.mark.parametrize("server_id", real.server_ids())
def test_probe_and_measure_a_real_server_from_the_bundle(frozen: Run, server_id: str):
    runner = real.Runner.detect()
    with runner.workdir() as work, real.readable_bin(runner, real.find_postgres_bin(int(server_id[2:]))) as folder:
        if not (folder / "pgbench").exists():
            missing(f"pgbench is not installed beside {folder}")
        real.initdb(runner, folder, work / "template")
        with real.cluster(runner, folder, work / "template", work) as server:
            server.start()
            dsn = f"host={server.sockets} port={real.PG_PORT} user={real.SERVER_USER} dbname=postgres"
            probed = json.loads(frozen("probe", "--dsn", dsn, "--json").stdout)
            assert probed["settings"]["max_connections"] == server.sql("SHOW max_connections")[0][0]
            measured = frozen("measure", "--dsn", dsn, "--clients", "1,2,3", "--duration", "1", "--json",
                              "--pgbench", str(folder / "pgbench"))  # fmt: skip
            assert len(json.loads(measured.stdout)["points"]) == 3

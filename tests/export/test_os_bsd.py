"""os/macos and os/freebsd: floors, the LaunchDaemon, and loader.conf tunables."""

from __future__ import annotations

import os
import plistlib
import subprocess
from pathlib import Path

from pgplanner.export.os_freebsd import render_freebsd
from pgplanner.export.os_macos import LABEL, render_macos

from .helpers import active, comment_above, plan_for, prose

SEED_000 = {"platform": "macos", "max_connections": 1000, "pg_version": 15}


def test_macos_semaphores_stay_comments_because_xnu_allows_87381():
    result = plan_for(**SEED_000)
    text = render_macos(result)["os/macos/sysctl.conf"]
    assert not any(key.startswith("kern.sysv.") for key in active(text))
    semmns = result.kernel["macos"]["kern.sysv.semmns"]
    assert semmns == 65 * 17  # ceil((1000 + 3 + 10 + 8 + 6) / 16) sets of 17
    assert f"kern.sysv.semmns: at least {semmns:,} is needed" in prose(text)
    assert "PostgreSQL docs, Managing Kernel Resources (PostgreSQL 15)" in prose(text)


def test_seed_000_raises_processes_and_files_on_macos():
    """Seed 000: 1,000 connections needed maxproc 2,000 and about 35,000 files."""
    text = render_macos(plan_for(**SEED_000))["os/macos/sysctl.conf"]
    floors = {key: int(value) for key, value in active(text).items()}
    assert floors["kern.maxproc"] >= 2000
    assert floors["kern.maxfiles"] >= 35_000
    assert floors["kern.maxprocperuid"] >= 1000
    assert "kern.maxfilesperproc" not in floors  # OPEN_MAX 10,240 already allows PostgreSQL's 2,048
    assert all("=" in line and " = " not in line for line in text.splitlines() if not line.startswith("#") and line)
    assert '"1000 connections in PostgreSQL on OS X"' in comment_above(text, "kern.maxfiles")  # seed 000


def _plist(**inputs) -> dict:
    return plistlib.loads(render_macos(plan_for(**inputs))[f"os/macos/{LABEL}.plist"].encode())


def test_launchd_plist_parses_and_runs_at_load():
    plist = _plist(**SEED_000)
    per_user = plan_for(**SEED_000).kernel["macos"]["kern.maxprocperuid"]
    assert plist["Label"] == LABEL
    assert plist["RunAtLoad"] is True
    assert plist["ProgramArguments"][:2] == ["/bin/sh", "-c"]
    assert f"raise_limit maxproc {per_user}" in plist["ProgramArguments"][2]


LAUNCHCTL = """#!/bin/sh
# launchctl limit NAME prints the limit; launchctl limit NAME SOFT HARD records a change.
if [ $# -eq 2 ]; then printf '\\t%s    %s    %s\\n' "$2" $(cat "$FAKE_LAUNCHD/$2"); exit 0; fi
echo "$3 $4" > "$FAKE_LAUNCHD/$2"
echo "$2 $3 $4" >> "$FAKE_LAUNCHD/changes"
"""


def test_launchd_script_raises_only_lower_limits(tmp_path: Path):
    (tmp_path / "bin").mkdir()
    stub = tmp_path / "bin" / "launchctl"
    stub.write_text(LAUNCHCTL)
    stub.chmod(0o755)
    (tmp_path / "maxfiles").write_text("256 unlimited\n")
    (tmp_path / "maxproc").write_text("2666 2666\n")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "FAKE_LAUNCHD": str(tmp_path)}
    program = _plist(**SEED_000)["ProgramArguments"]
    subprocess.run(["sh", *program[1:]], env=env, check=True)
    assert (tmp_path / "changes").read_text() == "maxfiles 2048 unlimited\n"

    (tmp_path / "maxproc").write_text("1000 1000\n")
    subprocess.run(["sh", *program[1:]], env=env, check=True)
    assert (tmp_path / "maxproc").read_text() == "1550 1550\n"  # the hard limit rises with the soft one


def test_macos_readme_says_launchd_conf_is_ignored():
    readme = render_macos(plan_for(**SEED_000))["os/macos/README.md"]
    assert "/etc/launchd.conf` is ignored since OS X 10.10" in readme


def test_freebsd_maxproc_is_a_quoted_loader_tunable():
    files = render_freebsd(plan_for(platform="freebsd", max_connections=1000))
    loader = files["os/freebsd/loader.conf"]
    assert active(loader) == {"kern.maxproc": '"2700"'}
    sysctl = active(files["os/freebsd/sysctl.conf"])
    assert "kern.maxproc" not in sysctl
    assert {"kern.maxfiles", "kern.maxfilesperproc", "kern.maxprocperuid", "kern.ipc.soacceptqueue"} <= set(sysctl)
    assert not any("sem" in key for key in sysctl)  # POSIX semaphores on FreeBSD


def test_freebsd_raise_script_records_tunables_for_the_next_boot(tmp_path: Path, fake_kernel):
    for path, text in render_freebsd(plan_for(platform="freebsd", max_connections=1000)).items():
        (tmp_path / Path(path).name).write_text(text)
    for key, value in {
        "kern.maxproc": 1000,
        "kern.maxfiles": 500_000,
        "kern.maxfilesperproc": 450_000,
        "kern.maxprocperuid": 900,
        "kern.ipc.soacceptqueue": 128,
    }.items():
        fake_kernel.set(key, value)
    done = fake_kernel.run(tmp_path / "raise-limits.sh")
    assert "kern.maxproc is a boot-time tunable" in done.stdout
    assert fake_kernel.get("kern.maxproc") == 1000  # not settable at run time
    assert (fake_kernel.root / "boot/loader.conf").read_text() == 'kern.maxproc="2700"\n'
    recorded = (fake_kernel.root / "etc/sysctl.conf").read_text().splitlines()
    assert recorded == ["kern.maxprocperuid=1650", "kern.ipc.soacceptqueue=2000"]  # 11 worker slots at 4 cores
    assert fake_kernel.get("kern.maxfiles") == 500_000

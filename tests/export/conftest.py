"""A stand-in sysctl for running the bundle's raise-limits.sh for real, without touching the kernel."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

STUB = """#!/bin/sh
# sysctl -n KEY prints KEY's value; sysctl KEY=VALUE sets it; unknown keys fail as sysctl does.
# KEY.most holds the most the kernel can give (as for huge pages in fragmented memory).
if [ "$1" = "-n" ]; then cat "$FAKE_SYSCTL/$2" 2>/dev/null || exit 1; exit 0; fi
key=${1%%=*}
value=${1#*=}
[ -f "$FAKE_SYSCTL/$key" ] || exit 1
if [ -f "$FAKE_SYSCTL/$key.most" ] && [ "$value" -gt "$(cat "$FAKE_SYSCTL/$key.most")" ]; then
    value=$(cat "$FAKE_SYSCTL/$key.most")
fi
printf '%s\\n' "$value" > "$FAKE_SYSCTL/$key"
"""


@dataclass
class FakeKernel:
    values: Path
    root: Path
    env: dict[str, str]

    def set(self, key: str, value: int) -> None:
        (self.values / key).write_text(f"{value}\n")

    def limit(self, key: str, most: int) -> None:
        """The kernel gives at most ``most`` for ``key`` (huge pages in fragmented memory)."""
        (self.values / f"{key}.most").write_text(f"{most}\n")

    def get(self, key: str) -> int:
        return int((self.values / key).read_text())

    def run(self, script: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", str(script), *args], env=self.env, capture_output=True, text=True, check=True)


@pytest.fixture
def fake_kernel(tmp_path: Path) -> FakeKernel:
    bin_dir, values, root = tmp_path / "bin", tmp_path / "sysctl", tmp_path / "root"
    for folder in (bin_dir, values, root):
        folder.mkdir()
    stub = bin_dir / "sysctl"
    stub.write_text(STUB)
    stub.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_SYSCTL": str(values)}
    env["PGPLANNER_ROOT"] = str(root)
    return FakeKernel(values, root, env)

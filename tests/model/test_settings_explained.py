"""Every setting of every group explains itself with true equations, over a grid and random scenarios.

tests/test_explanations.py reads the derivations of a score of whole plans; this reads every setting's
derivation (formula, calculation and note) where each branch of each recommender is taken: every
release, platform, profile and storage, one core to 96, 512 MB to 4 TB, values given and values capped
by what the server accepts; then random valid scenarios (hypothesis). Each printed ``a op b = c`` and
each ``min(...)``/``max(...)`` cap must be an equation the checker (tests/equations.py) reads and finds
true; no cap or rounding is written as an arrow, which the checker could not read.
"""

from __future__ import annotations

import itertools
import re

from hypothesis import given

from pgplanner.model import Scenario, plan
from pgplanner.model.settings import Setting

from ..equations import equations, false_equations
from .strategies import scenarios

RAMS = ("512MB", "1GB", "16GB", "512GB", "4TB")
CORES = (1, 3, 8, 33, 96)
STORAGES = ("hdd", "ssd", "nvme", "network")
VERSIONS = (13, 14, 15, 16, 17, 18)
PROFILES = ("web", "oltp", "analytics", "mixed", "desktop")
PLATFORMS = ("linux", "macos", "freebsd", "windows")
GIVEN = (
    {},
    {"work_mem": "4GB", "maintenance_work_mem": "8GB", "shared_buffers": "2GB"},  # above Windows' 2 GB before 18
    {"hash_mem_multiplier": 3, "parallel_workers_per_gather": 6, "max_worker_processes": 12, "autovacuum_workers": 7},
    {"data_size": "100MB"},
    {"data_size": "10TB", "temp_buffers": "32MB"},
)


def grid() -> list[Scenario]:
    """Every release x platform x profile x storage; RAM, cores and the given values cycle through them."""
    points = []
    for i, (version, platform, profile, storage) in enumerate(
        itertools.product(VERSIONS, PLATFORMS, PROFILES, STORAGES)
    ):
        ram, cores, given_values = RAMS[i % 5], CORES[(i // 5) % 5], GIVEN[(i // 25) % 5]
        points.append(
            Scenario().with_changes(
                ram=ram, cores=cores, storage=storage, pg_version=version, profile=profile, platform=platform,
                **given_values,
            )
        )  # fmt: skip
    return points


def _caps(text: str) -> int:
    return len(re.findall(r"\b(?:min|max)\(", text))


def wrong(setting: Setting) -> list[str]:
    """What is wrong with one setting's explanation: false equations, unread caps, arrows."""
    text = str(setting.derivation)
    problems = [f"false: {equation}" for equation in false_equations(text)]
    read = sum(_caps(left) for left, _ in equations(" ".join(text.split())))
    if read < _caps(text):
        problems.append(f"a min()/max() the checker does not read ({read} of {_caps(text)})")
    if "->" in text or "→" in text:
        problems.append("an arrow where an equation belongs")
    return [f"{setting.name}: {p} in {text!r}" for p in problems]


def test_every_setting_s_derivation_is_true_over_the_grid():
    problems = sorted({p for scenario in grid() for s in plan(scenario).settings for p in wrong(s)})
    assert not problems, "\n".join(problems[:20])


@given(scenarios())
def test_every_setting_s_derivation_is_true_for_any_scenario(scenario):
    problems = [p for s in plan(scenario).settings for p in wrong(s)]
    assert not problems, "\n".join(problems)


# Hand-worked caps, one per kind: the calculation a reader sees, and the value it arrives at.
CAPPED = [
    # 64 GB / 16 = 4 GB, kept at most 2 GB (PostgreSQL's default 64 MB is the floor)
    (dict(ram="64GB"), "maintenance_work_mem", "min(max(64 GB / 16, 64 MB), 2 GB) = 2 GB", "2GB"),
    # 512 MB / 16 = 32 MB, kept at least 64 MB
    (dict(ram="512MB"), "maintenance_work_mem", "min(max(512 MB / 16, 64 MB), 2 GB) = 64 MB", "64MB"),
    # 16 GB x 0.25 = 4 GB of shared_buffers; 4 GB / 32 = 128 MB, at most one 16 MB WAL segment
    (dict(ram="16GB"), "wal_buffers", "min(max(4 GB / 32, 64 kB), 16 MB) = 16 MB", "16MB"),
    # ceil(33 / 2) = 17, at most 4 per gather (pgtune) and at most the 33 parallel workers
    (dict(cores=33), "max_parallel_workers_per_gather", "min(ceil(33 / 2), 4, 33) = 4", "4"),
    # 8 / 4 = 2 I/O workers, at least the default 3
    (dict(cores=8, pg_version=18), "io_workers", "8 / 4 = 2; min(max(2, 3), 32) = 3", "3"),
    # 4 GB of work_mem on Windows before 18 stops at INT_MAX kB = 2 GB - 1 kB (written as 2047MB)
    (dict(work_mem="4GB", platform="windows", pg_version=17), "work_mem", "given: 4 GB; min(4 GB, 2 GB) = 2 GB",
     "2047MB"),
]  # fmt: skip


def test_each_kind_of_cap_reads_as_its_equation():
    for inputs, name, calculation, value in CAPPED:
        s = next(s for s in plan(Scenario().with_changes(**inputs)).settings if s.name == name)
        assert calculation in s.derivation.calculation, (name, s.derivation.calculation)
        assert s.value == value, name


def test_table_constants_are_written_out_in_their_formulas():
    """The tables a formula cites appear in it as the tables are (pgtune's figures, written by hand here)."""
    result = {s.name: s.derivation for s in plan(Scenario().with_changes(platform="linux", cores=32)).settings}
    assert "hdd 2, ssd 200, network 300, nvme 1000" in result["effective_io_concurrency"].formula
    assert "3; 4 from 16 cores; 5 from 32 cores" in result["autovacuum_max_workers"].formula
    assert "web 4 GB, oltp 8 GB, analytics 16 GB, mixed 4 GB, desktop 2 GB" in result["max_wal_size"].formula
    assert "web 1 GB, oltp 2 GB, analytics 4 GB, mixed 1 GB, desktop 100 MB" in result["min_wal_size"].formula

"""pgplanner compare and pgplanner report: what they print and write, and their exit statuses."""

from __future__ import annotations

import os
from pathlib import Path

from pgplanner.assets import example_scenarios

from .runner import run

DIRECT, POOLED = (str(example_scenarios()[name]) for name in ("direct-1000", "pgbouncer-100"))


def test_compare_prints_both_headlines_and_exits_1_when_a_plan_is_blocked():
    result = run("compare", DIRECT, POOLED)
    assert result.status == 1  # 1,000 direct: the heavy fraction alone is above RAM
    assert result.stdout.startswith("A: 1,000 direct")
    for title in ("max_connections", "RAM ceiling", "Productive target", "Pool size", "Worst-case memory",
                  "Heavy-fraction memory", "Throughput at max_connections"):  # fmt: skip
        assert title in result.stdout
    assert "HEAVY_FRACTION_OVER_RAM" in result.stdout
    assert "Pooler" in result.stdout and "pooler.kind" not in result.stdout
    assert result.stderr.startswith("pgplanner: A: blocking error HEAVY_FRACTION_OVER_RAM: ")  # as plan says it


def test_compare_json_has_a_b_and_differences(tmp_path: Path):
    result = run("compare", POOLED, POOLED, "--json")
    assert result.status == 0
    data = result.json()
    assert set(data) == {"a", "b", "differences"}
    assert data["differences"] == []
    assert data["a"]["headline"]["max_connections"] == 100


def test_compare_bad_input_is_one_line_and_exit_2(tmp_path: Path):
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    for args in (("compare", POOLED, str(tmp_path / "missing.json")), ("compare", str(broken), POOLED)):
        result = run(*args)
        assert result.status == 2
        assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1


def test_report_writes_one_readable_file_and_says_where(tmp_path: Path):
    out = tmp_path / "report.html"
    result = run("report", "--cores", "8", "--out", str(out))
    assert result.status == 0, result.stderr
    assert result.stdout == f"pgplanner: wrote {out}\n"
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert oct(out.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left behind


def test_report_of_a_comparison_exits_1_when_either_plan_is_blocked(tmp_path: Path):
    out = tmp_path / "r.html"
    assert run("report", "--scenario", DIRECT, "--compare", POOLED, "--out", str(out)).status == 1
    assert "1,000 direct" in out.read_text() and "PgBouncer, ~100" in out.read_text()


def test_report_into_a_missing_folder_fails_in_one_line(tmp_path: Path):
    result = run("report", "--out", str(tmp_path / "no" / "such" / "report.html"))
    assert result.status == 2
    assert result.stderr.startswith("pgplanner: --out: ") and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "no").exists()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

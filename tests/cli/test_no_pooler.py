"""With ``--pooler none`` no view shows a pool size or a pooler capacity: there is no pool.

The window's cards say "no pooler" (tests/ui/cases/test_cards.py); so must ``plan``, the report, the
bundle's README and ``compare``. Before, they printed "Pool size 10 · 1 pool · reserve 0" and a
comparison "34 -> 34, ±0" for two plans without a pooler.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .runner import run

NO_POOL = ("--pooler", "none")
# What a pool's figures look like in each text: a card line, a derivation, a JSON path.
POOL_FIGURES = re.compile(r"pool size =|pooler capacity =|pool_size\b|pooler_capacity_tps|\btps\b|pool range")


def card(text: str, title: str) -> str:
    """A card's line of ``plan``'s figures, from the value on: "no pooler   clients connect ..."."""
    line = re.search(rf"^  {re.escape(title)} +(.+)$", text, re.M)
    assert line, title
    return " ".join(line[1].split())


def test_plan_says_no_pooler_and_nothing_of_a_pool():
    text = run("plan", *NO_POOL).stdout
    assert card(text, "Pool size") == "no pooler clients connect to PostgreSQL directly"
    assert card(text, "Pooler capacity") == "no pooler clients connect to PostgreSQL directly"
    assert card(text, "Productive target") == "10 active connections"
    assert POOL_FIGURES.findall(text) == []


def test_the_report_and_the_bundle_readme_say_no_pooler(tmp_path: Path):
    page = tmp_path / "report.html"
    assert run("report", *NO_POOL, "--out", str(page)).status == 0
    html = page.read_text()
    assert "data-path='pool_size'" not in html and "data-path='pooler_capacity_tps'" not in html
    assert html.count("<div class='value'>no pooler</div>") == 2
    assert "pool size =" not in html and "pooler capacity =" not in html

    out = tmp_path / "bundle"
    assert run("export", *NO_POOL, "--platform", "linux", "--out", str(out)).status == 0
    readme = (out / "README.md").read_text()
    assert "| Pool size | no pooler | clients connect to PostgreSQL directly |" in readme
    assert "| Pooler capacity | no pooler | clients connect to PostgreSQL directly |" in readme
    assert POOL_FIGURES.findall(readme) == []


def test_compare_of_two_plans_without_a_pooler_compares_no_pool(tmp_path: Path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"pooler": {"kind": "none"}}')
    b.write_text('{"pooler": {"kind": "none"}, "hardware": {"cores": 8}}')
    text = run("compare", str(a), str(b)).stdout
    assert " ".join(re.search(r"^  Pool size (.+)$", text, re.M)[1].split()) == "no pooler no pooler"
    result = json.loads(run("compare", str(a), str(b), "--json").stdout)
    assert result["a"]["headline"]["pool_size"] is None and result["b"]["headline"]["pool_size"] is None
    assert [d["path"] for d in result["differences"] if "pool" in d["path"]] == []


def test_compare_says_which_side_has_no_pooler(tmp_path: Path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"pooler": {"kind": "none"}}')
    b.write_text('{"hardware": {"cores": 8}}')  # PgBouncer: 8 x 2 + 2 = 18 per pool
    text = run("compare", str(a), str(b)).stdout
    assert " ".join(re.search(r"^  Pool size (.+)$", text, re.M)[1].split()) == "no pooler 18"


def test_a_budget_that_opens_no_connection_plans_without_a_traceback():
    """A fixed-limit plan whose budget is empty: no process runs a query, so no work_mem is bounded by one
    (it used to divide by zero processes)."""
    empty = ("--app-instances", "0", "--pool-per-instance", "0", "--monitoring", "0", "--admin", "0")
    done = run("plan", "--preset", "aiven/developer", *empty, "--superuser-reserved", "0", *NO_POOL, "--json")
    assert "Traceback" not in done.stderr
    derivation = done.json()["derivations"]["memory.safe_work_mem_bytes"]
    assert derivation["calculation"] == "no connections are opened: none"

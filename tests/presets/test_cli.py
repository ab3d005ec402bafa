"""``pgplanner plan --preset`` and ``pgplanner presets``: the command-line contract for presets."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli.runner import run

from .test_user_presets import OWN

PRESET_KEYS = {
    "id", "provider", "plan", "vcpus", "ram_bytes", "max_connections", "hard_limit", "reserved", "pooler",
    "source", "as_of", "confidence", "cores",
}  # fmt: skip


@pytest.mark.parametrize("name", ["heroku/standard-0", "Heroku/Standard-0", "  HEROKU/STANDARD-0 ", "heroku/premium-0"])
def test_preset_is_case_insensitive_and_knows_aliases(name):
    result = run("plan", "--json", "--preset", name)
    assert result.status == 0, result.stderr
    document = result.json()
    assert document["provider"]["id"] == "heroku/standard-0"
    assert document["scenario"]["hardware"]["cores"] == 1
    assert document["scenario"]["hardware"]["ram"] == "4GB"


def test_heroku_standard_0_above_its_hard_limit():
    document = run("plan", "--json", "--preset", "heroku/standard-0", "--listeners", "140").json()
    assert document["max_connections_required"] > 150
    assert document["max_connections"] == 120 == document["provider"]["max_connections"]
    hard = next(w for w in document["warnings"] if w["code"] == "PROVIDER_HARD_LIMIT")
    assert hard["severity"] == "error"
    assert "Heroku server-side PgBouncer" in hard["message"] and "bigger plan" in hard["message"]


def test_given_max_connections_above_a_hard_limit_is_an_error():
    document = run("plan", "--json", "--preset", "neon/1cu", "--max-connections", "1000").json()
    assert "PROVIDER_HARD_LIMIT" in {w["code"] for w in document["warnings"]}


def test_provider_section_reports_the_limits():
    document = run("plan", "--json", "--preset", "azure-flexible/d4ds_v5").json()
    provider = document["provider"]
    assert (provider["max_connections"], provider["hard_limit"], provider["reserved"]) == (1718, False, 15)
    assert provider["pooler"]["default_pool_size"] == 50
    assert provider["as_of"] == "2025-11-13" and provider["source"].startswith("https://")
    assert {"max_connections", "cores"} <= set(provider["derivations"])


BAD = [
    (["--preset", "heroku/standrd-0"], "--preset: no preset 'heroku/standrd-0' (did you mean heroku/standard-0?)"),
    (["--preset", "supabse/8xl"], "(did you mean supabase/8xl?)"),
    (["--preset", "standard-0"], "is not PROVIDER/PLAN (did you mean heroku/standard-0?)"),
    (["--preset", "nowhere/x"], "--preset: no preset 'nowhere/x'"),
    (["--preset", "heroku/standard-0", "--cores", "8"], "--cores: the preset heroku/standard-0 fixes cores and RAM"),
    (["--preset", "heroku/standard-0", "--ram", "64GB"], "--ram: the preset heroku/standard-0 fixes cores and RAM"),
]


@pytest.mark.parametrize("args, says", BAD)
def test_bad_preset_input_exits_2_with_one_line(args, says):
    result = run("plan", *args)
    assert result.status == 2
    assert says in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_other_options_apply_on_top_of_a_preset(tmp_path):
    saved = tmp_path / "s.json"
    saved.write_text('{"hardware": {"cores": 64, "ram": "1TB"}, "workload": {"listeners": 7}}')
    document = run("plan", "--json", "--scenario", str(saved), "--preset", "neon/2cu", "--listeners", "9").json()
    assert document["scenario"]["hardware"]["cores"] == 1  # the preset replaces the file's hardware
    assert document["scenario"]["workload"]["listeners"] == 9


def test_a_plan_with_a_preset_round_trips_as_a_scenario(tmp_path):
    document = run("plan", "--json", "--preset", "aws-rds/db.r6g.xlarge").json()
    saved = tmp_path / "from-plan.json"
    saved.write_text(json.dumps(document["scenario"]))
    assert run("plan", "--json", "--scenario", str(saved)).json() == document


def test_presets_json_lists_every_plan_with_the_contract_keys():
    rows = run("presets", "--json").json()
    assert len(rows) > 200
    assert all(set(row) >= PRESET_KEYS for row in rows)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))
    standard_0 = next(row for row in rows if row["id"] == "heroku/standard-0")
    assert standard_0["max_connections"] == 120 and standard_0["hard_limit"] is True
    assert standard_0["ram_bytes"] == 4 * 1024**3


def test_presets_table_is_readable():
    result = run("presets")
    assert result.status == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["preset", "vCPU", "cores", "RAM", "max_conn"]
    row = next(line for line in lines if line.startswith("neon/0.25cu "))
    assert "104" in row and "hard" in row


def test_a_broken_user_file_is_a_warning_not_a_failure(user_presets):
    (user_presets / "broken.json").write_text("{")
    (user_presets / "onprem.json").write_text(json.dumps(OWN))
    result = run("presets", "--json")
    assert result.status == 0
    assert f"skipped preset file {user_presets / 'broken.json'}: not valid JSON" in result.stderr
    assert "onprem/pg-big" in {row["id"] for row in result.json()}
    assert run("plan", "--json", "--preset", "onprem/pg-big").status == 0


@settings(max_examples=150, deadline=None)
@given(st.text(string.printable + "µé€/", max_size=30))
def test_no_preset_name_produces_a_traceback(name):
    result = run("plan", "--json", f"--preset={name}")
    assert result.status in (0, 2)
    assert "Traceback" not in result.stderr
    if result.status == 2:
        assert result.stderr.count("\n") == 1 and "--preset" in result.stderr

"""The user's own preset files: same schema, added to the catalog; a broken one is reported and skipped."""

from __future__ import annotations

import json

import pytest

from pgplanner.presets import load_catalog, user_presets_dir

OWN = {
    "schema": 1,
    "id": "onprem",
    "name": "Our data centre",
    "hard_limit": True,
    "reserved": 2,
    "plans": [
        {
            "id": "pg-big",
            "label": "Dell R760",
            "vcpus": 64,
            "ram": "512GB",
            "cpu": "smt",
            "max_connections": 800,
            "source": "https://wiki.example/db",
            "as_of": "2025-01-31",
            "confidence": "high",
        }
    ],
}


def write(folder, name, content):
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_the_environment_variable_chooses_the_folder(user_presets):
    assert user_presets_dir() == user_presets


def test_a_user_file_adds_its_plans(user_presets):
    write(user_presets, "onprem.json", OWN)
    catalog, problems = load_catalog()
    assert problems == []
    preset = catalog.find("OnPrem/PG-Big")
    assert (preset.cores, preset.plan.max_connections, preset.plan.reserved) == (32, 800, 2)


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ({**OWN, "plans": []}, "plans"),
        ({**OWN, "plans": [{**OWN["plans"][0], "source": ""}]}, "plans.0.source"),
        ({**OWN, "plans": [{**OWN["plans"][0], "cpu": "quantum"}]}, "plans.0.cpu"),
        ({**OWN, "plans": [{**OWN["plans"][0], "as_of": "last week"}]}, "plans.0.as_of"),
        ({**OWN, "plans": [{**OWN["plans"][0], "max_connections": None}]}, "no max_connections"),
        ({**OWN, "plans": [{**OWN["plans"][0], "pooler": "odyssey"}]}, "'odyssey' is not among the poolers"),
        ({**OWN, "id": "heroku"}, "provider id 'heroku' is already taken"),
        ({**OWN, "max_connections_rule": {"kind": "per_gb", "per_gb": -1}}, "max_connections_rule"),
    ],
)
def test_a_broken_file_is_reported_and_skipped(user_presets, content, reason):
    bad = write(user_presets, "bad.json", content)
    write(user_presets, "onprem.json", {**OWN, "id": "onprem"})
    catalog, problems = load_catalog()
    assert len(problems) == 1
    assert problems[0].path == bad
    assert reason in problems[0].reason
    assert "\n" not in str(problems[0])
    assert catalog.find("onprem/pg-big")  # the good file still loads
    assert catalog.find("heroku/standard-0")  # and so do the shipped ones


def test_an_unreadable_folder_entry_is_a_problem_not_a_crash(user_presets):
    (user_presets / "dir.json").mkdir()
    catalog, problems = load_catalog()
    assert [p.path.name for p in problems] == ["dir.json"]
    assert "cannot read" in problems[0].reason
    assert len(catalog) > 200


def test_a_missing_folder_is_no_problem(tmp_path):
    catalog, problems = load_catalog(user_dir=tmp_path / "absent")
    assert problems == [] and len(catalog) > 200

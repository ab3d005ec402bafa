"""Scenario files: broken or hostile input is refused with a message naming the file and field."""

from __future__ import annotations

import pytest

from pgplanner.assets import example_scenarios
from pgplanner.model import Scenario, plan
from pgplanner.model.serialization import (
    MAX_SCENARIO_BYTES,
    InputError,
    read_scenario_file,
    scenario_from_json,
    scenario_to_json,
)

BAD_DOCUMENTS = [
    # (document, what the message must say)
    (b'{"hardware": {"cores": 0}}', "hardware.cores: must be a whole number from 1 to 1,024 (got 0)"),
    (b'{"hardware": {"corez": 4}}', "hardware.corez: unknown field (did you mean cores?)"),
    (b'{"hardware": {"ram": "64"}}', "hardware.ram: '64' needs a unit"),
    (b'{"hardware": []}', "hardware: must be an object"),
    (b'{"memory": {"heavy_fraction": NaN}}', "NaN is not a number pgplanner accepts"),
    (b'{"memory": {"work_mem": 1e400}}', "memory.work_mem"),
    (b'{"version": 7}', "scenario version 7 is not supported"),
    (b'{"hardware": {"storage": "tape"}}', "must be one of hdd, ssd, nvme, network"),
    (b"[1, 2]", "expected a JSON object"),
    (b'{"hardware": ', "not valid JSON"),
    (b"\xff\xfe\x00", "not UTF-8 text"),
    (b"[" * 100_000, "nested too deeply"),
    (b'{"hardware": {"cores": ' + b"9" * 5000 + b"}}", "too many digits"),
    (b'{"provider": {"provider": "x"}}', "provider.plan: missing"),
]


@pytest.mark.parametrize("document, says", BAD_DOCUMENTS)
def test_bad_documents_are_refused_with_a_reason(document, says):
    with pytest.raises(InputError) as caught:
        scenario_from_json(document, "bad.json")
    message = str(caught.value)
    assert message.startswith("bad.json: ")
    assert says in message
    assert "\n" not in message


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "huge.json"
    path.write_bytes(b" " * (MAX_SCENARIO_BYTES + 1))
    with pytest.raises(InputError, match="larger than 1MB"):
        read_scenario_file(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        read_scenario_file(tmp_path / "nope.json")


def test_sizes_are_written_as_postgresql_sizes():
    text = scenario_to_json(Scenario().with_changes(ram="64GB", work_mem="1536kB"))
    assert '"ram": "64GB"' in text
    assert '"work_mem": "1536kB"' in text


def test_partial_documents_take_defaults():
    scenario = scenario_from_json('{"hardware": {"cores": 16}}')
    assert scenario.hardware.cores == 16
    assert scenario.memory == Scenario().memory


@pytest.mark.parametrize("name", sorted(example_scenarios()))
def test_bundled_examples_load_and_plan(name):
    scenario = read_scenario_file(example_scenarios()[name])
    assert scenario.name
    assert plan(scenario).max_connections > 0

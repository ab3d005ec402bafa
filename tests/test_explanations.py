"""Every number explains itself, truthfully, and every warning meets a card (issue: explanations as data).

Over a dozen varied scenarios: every numeric output of ``plan --json`` has ``derivations[its path]``;
every printed equation in the report, the derivations and the bundle is arithmetically true to the
precision shown (checked by tests/equations.py, which reads numbers as a person would); every warning
names the outputs it concerns, and those outputs are on a card, so a blocking error always has a red
card. Figures cited: seed 003's budget (pool 24, reserve 6) and seed 001's examples.
"""

from __future__ import annotations

import re

import pytest

from pgplanner.export.bundle import bundle_files
from pgplanner.model import Measurement, Plan, Scenario, plan
from pgplanner.model.checks import RULES, WRITTEN_SETTINGS
from pgplanner.model.scenario import LatencyCalibration, PooledCapacity
from pgplanner.present import CARDS, card_severity
from pgplanner.present.plain import render_report
from pgplanner.presets import apply_preset, load_catalog

from .equations import false_equations

CURVES = {"connections", "direct", "pooled", "modelled"}
CARRY_THEIR_OWN = {"scenario", "budget", "provider", "kernel", "kernel_settings", "semaphores"}
NOT_OUTPUTS = {"warnings", "derivations", "memory_curve", "settings"}


def _preset(name: str, **changes: object) -> Scenario:
    catalog, _problems = load_catalog()
    return apply_preset(Scenario().with_changes(**changes), catalog.find(name))


MEASURED = ((1, 900), (4, 3300), (8, 5200), (16, 6100), (32, 5400))  # active connections, tps
SCENARIOS = {
    "defaults": Scenario(),
    "2 cores": Scenario().with_changes(cores=2, ram="4GB"),
    "8 cores mixed": Scenario().with_changes(cores=8, ram="32GB", workload="mixed", work_mem="16MB"),
    "16 cores, seed 001 medium": Scenario().with_changes(cores=16, ram="64GB", work_mem="32MB", storage="network"),
    "32 cores io hdd": Scenario().with_changes(cores=32, ram="128GB", workload="io", storage="hdd"),
    "64 cores, seed 001 large": Scenario().with_changes(cores=64, ram="256GB", work_mem="64MB", storage="hdd"),
    "no pooler": Scenario().with_changes(pooler="none", app_instances=50, pool_per_instance=10),
    "serverless without pooler": Scenario().with_changes(pooler="none", serverless_peak=2000),
    "PostgreSQL 13 with replicas": Scenario().with_changes(pg_version=13, replicas=3, platform="macos"),
    "PostgreSQL 16 reserved": Scenario().with_changes(pg_version=16, reserved_connections=2, platform="windows"),
    "all given": Scenario().with_changes(
        shared_buffers="4GB",
        os_overhead="2GB",
        disk_concurrency=3,
        per_connection_memory="12MB",
        pool_size=20,
        reserve_pool=5,
        max_client_conn=1000,
        clients=700,
        max_connections=500,
    ),
    "session pools": Scenario().with_changes(pool_mode="session", databases=3, users=2, listeners=5),
    "seed 003 budget": Scenario().with_changes(
        cores=8, ram="32GB", pool_size=24, listeners=40, batch_workers=5, monitoring=5, admin=3, superuser_reserved=3
    ),
    "no memory left": Scenario().with_changes(ram="1GB", shared_buffers="900MB"),
    "measured": Scenario().model_copy(
        update={"measurements": tuple(Measurement(connections=c, tps=t) for c, t in MEASURED)}
    ),
    "preset hard limit": _preset("heroku/standard-0", app_instances=20),
    "preset azure": _preset("azure-flexible/d2ds_v5", pooler="provider"),
    "preset neon pooler, few clients": _preset("neon/1cu", pooler="provider", clients=50),
    "pool capped by its clients": Scenario().with_changes(cores=64, ram="64GB", clients=30),
    "impossible: shared_buffers over RAM": Scenario().with_changes(ram="4GB", shared_buffers="8GB"),
    # issue 18's memory and OS model: huge pages reserved, strict overcommit with swap, logical decoding,
    # a 1 GB VPS, and a desktop that asked for strict overcommit
    "strict overcommit, huge pages": Scenario().with_changes(
        cores=16, ram="64GB", storage="nvme", overcommit="strict", swap="2GB", logical_senders=2, clients=5000
    ),
    "1 GB VPS": Scenario().with_changes(cores=1, ram="1GB", storage="hdd", app_instances=2, pool_per_instance=5),
    "desktop asking for strict": Scenario().with_changes(profile="desktop", overcommit="strict", maintenance_jobs=3),
    "impossible: reserved slots": Scenario().with_changes(
        pg_version=18, max_connections=10, superuser_reserved=6, reserved_connections=4
    ),
    "demand at the pool": Scenario().with_changes(cores=16, txn_ms=10, demand_tps=3000, databases=2),
    "demand, calibrated": Scenario()
    .with_changes(demand_tps=4000, txn_ms=0.5, pool_size=3)
    .model_copy(
        update={
            "measurements": tuple(Measurement(connections=c, tps=t) for c, t in MEASURED),
            "latency_calibration": LatencyCalibration(isolated_ms=0.6, pooled=PooledCapacity(pool_size=4, tps=2900)),
        }
    ),
}


@pytest.fixture(params=sorted(SCENARIOS), scope="module")
def result(request) -> Plan:
    return plan(SCENARIOS[request.param])


def _numeric_paths(value: object, path: str = "") -> list[str]:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _numeric_paths(item, f"{path}.{key}" if path else key)]
    if isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value):
        return [path]  # a pair such as pool_size_range explains itself as one
    return []


def test_every_numeric_output_has_its_derivation(result):
    document = result.to_json_dict()
    outputs = {key: value for key, value in document.items() if key not in CARRY_THEIR_OWN | NOT_OUTPUTS}
    outputs["throughput"] = {k: v for k, v in outputs["throughput"].items() if k not in CURVES}
    missing = [path for path in _numeric_paths(outputs) if path not in document["derivations"]]
    assert not missing
    for path, derivation in document["derivations"].items():
        assert derivation["formula"] and derivation["calculation"], path


def test_the_issue_s_output_paths_are_explained(result):
    for path in (
        "ram_ceiling", "productive_target", "pool_size", "reserve_pool", "max_client_conn", "client_demand",
        "max_connections_required", "max_connections_recommended", "max_connections", "max_wal_senders",
        "pooler_capacity_tps", "disk_concurrency", "throughput.knee", "throughput.peak", "memory.available_bytes",
        "memory.shared_buffers_bytes", "memory.os_overhead_bytes", "memory.ram_bytes", "memory.per_connection_bytes",
        "memory.worst_case_per_connection_bytes", "memory.worst_case_bytes", "memory.heavy_fraction_bytes",
        "memory.safe_work_mem_bytes",
    ):  # fmt: skip
        assert path in result.derivations, path


def _all_derivation_texts(document: object) -> list[str]:
    if isinstance(document, dict):
        own = [f"{document['formula']}: {document['calculation']}"] if "calculation" in document else []
        return own + [t for value in document.values() for t in _all_derivation_texts(value)]
    if isinstance(document, list):
        return [t for value in document for t in _all_derivation_texts(value)]
    return []


def _text(data: bytes) -> str:
    """A bundle file as text (Windows .reg files are UTF-16 with a byte order mark)."""
    return data.decode("utf-16") if data.startswith(b"\xff\xfe") else data.decode()


def _uncommented(text: str) -> str:
    """The text with each line's comment marker removed, so wrapped comments read as one sentence."""
    return "\n".join(re.sub(r"^\s*(?:#+|--|;+|REM|::|<!--)\s?", "", line) for line in text.splitlines())


def test_no_printed_equation_is_false(result):
    texts = _all_derivation_texts(result.to_json_dict())
    texts.append(render_report(result))
    files = bundle_files(result, platforms=("linux", "macos", "freebsd", "windows"))
    texts += [_uncommented(_text(data)) for path, data in files.items() if not path.endswith(".json")]
    wrong = sorted({equation for text in texts for equation in false_equations(text)})
    assert not wrong


def test_the_reserve_pool_states_its_rounding():
    """Seed 003: pool 24 -> reserve 6 exactly; a pool of 10 gives 2.5, which is rounded up, and says so."""
    assert plan(SCENARIOS["seed 003 budget"]).derivations["reserve_pool"].calculation == "24 x 0.25 = 6"
    assert plan(Scenario()).derivations["reserve_pool"].calculation == "10 x 0.25 = 2.5, rounded up to 3"
    assert false_equations("reserve pool: 10 x 0.25 = 3") == ["10 x 0.25 = 3"]


def test_given_inputs_say_so():
    result = plan(SCENARIOS["all given"])
    assert result.derivations["memory.shared_buffers_bytes"].calculation == "given: 4 GB"
    for path in ("memory.os_overhead_bytes", "reserve_pool", "max_client_conn", "pool_size", "max_connections"):
        assert result.derivations[path].calculation.startswith("given: "), path


def test_every_source_is_named_for_a_reader(result):
    for path, derivation in result.derivations.items():
        assert "seed" not in str(derivation).lower(), path


def test_every_warning_names_what_it_concerns(result):
    for warning in result.warnings:
        assert warning.concerns, warning.code
        assert set(warning.concerns) <= set(result.derivations), warning.code


def test_every_blocking_warning_colours_a_card(result):
    for warning in result.warnings:
        coloured = [card.key for card in CARDS if set(card.outputs) & set(warning.concerns)]
        assert coloured, f"{warning.code} colours no card"
        if warning.severity == "error":
            assert any(card_severity(result, card) == "error" for card in CARDS), warning.code


def test_every_rule_s_concerns_meet_a_card():
    """Declared, not observed: a rule no scenario triggers still has to land on a card."""
    shown = {path for card in CARDS for path in card.outputs}
    known = set(plan(Scenario()).derivations)
    assert shown <= known, sorted(shown - known)
    for rule in RULES:
        assert set(rule.concerns) <= known, rule.check.__name__
        assert set(rule.concerns) & shown, f"{rule.check.__name__} concerns {rule.concerns}, which no card shows"


def test_kernel_section_has_the_semaphores_as_numbers():
    """PostgreSQL 18 docs: num_os_semaphores = max_connections + autovacuum_worker_slots + max_wal_senders
    + max_worker_processes + 40; SEMMNI = ceil(/16), SEMMNS = SEMMNI x 17. Defaults: 30 + 16 + 10 + 8 + 40."""
    semaphores = plan(Scenario()).to_json_dict()["semaphores"]
    assert (semaphores["num_os_semaphores"], semaphores["semmni"], semaphores["semmns"]) == (104, 7, 119)
    assert "num_os_semaphores = 104 (SEMMNI 7, SEMMNS 119)" in render_report(plan(Scenario()))


def test_azure_keeps_max_connections_in_its_range():
    """Azure Flexible Server accepts max_connections from 25 to 5,000 (Azure docs, Limits)."""
    big = plan(_preset("azure-flexible/d2ds_v5", pooler="none", app_instances=1000, pool_per_instance=10))
    assert big.max_connections_recommended > 5000
    assert big.max_connections == 5000
    assert "MAX_CONNECTIONS_BELOW_REQUIRED" in {w.code for w in big.warnings}


def test_written_settings_are_keyed_by_output_paths():
    """An export marks a blocking error beside the settings its concerns are written as: one mapping, from
    the same output paths the cards use, so concerns keep one meaning."""
    known = set(plan(Scenario()).derivations)
    assert set(WRITTEN_SETTINGS) <= known, sorted(set(WRITTEN_SETTINGS) - known)
    filled = Scenario().with_changes(pg_version=18, max_connections=10, superuser_reserved=6, reserved_connections=4)
    reserved = plan(filled)
    [found] = [w for w in reserved.warnings if w.code == "RESERVED_SLOTS_FILL_MAX_CONNECTIONS"]
    assert set(found.concerns) == {"max_connections", "reserved_slots"}
    assert set(found.settings) == {"max_connections", "superuser_reserved_connections", "reserved_connections"}

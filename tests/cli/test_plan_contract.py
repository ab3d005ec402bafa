"""``pgplanner plan``: the JSON contract other tools read, the report, and options over files."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from pgplanner.assets import example_scenarios

from .runner import run

CONTRACT_KEYS = {
    "ram_ceiling",
    "productive_target",
    "pool_size",
    "pool_size_range",
    "max_connections_required",
    "max_connections",
    "budget",
    "memory",
    "throughput",
    "kernel",
    "warnings",
    "provider",
}


def test_json_has_the_contract_keys():
    document = run("plan", "--json").json()
    assert document.keys() >= CONTRACT_KEYS
    assert set(document["memory"]) >= {
        "available_bytes",
        "per_connection_bytes",
        "worst_case_bytes",
        "heavy_fraction_bytes",
    }
    assert set(document["throughput"]) >= {"connections", "direct", "pooled"}
    assert set(document["kernel"]) == {"linux", "macos", "freebsd", "windows"}
    assert all(set(line) >= {"name", "connections", "counts_against"} for line in document["budget"])
    assert len(document["pool_size_range"]) == 2
    assert document["provider"] is None


def test_json_lists_every_setting_as_postgresql_conf_takes_it():
    document = run("plan", "--json", "--cores", "16", "--ram", "64GB", "--profile", "oltp", "--pg-version", "17").json()
    settings = {s["name"]: s for s in document["settings"]}
    assert all(set(s) >= {"name", "value", "group", "context", "derivation"} for s in document["settings"])
    assert settings["shared_buffers"]["value"] == "16GB"
    assert settings["checkpoint_completion_target"]["value"] == "0.9"
    assert settings["jit"]["value"] == "off"
    assert settings["max_wal_size"] == settings["max_wal_size"] | {"value": "8GB", "group": "wal", "context": "reload"}
    assert settings["autovacuum_max_workers"]["context"] == "restart"  # a reload only from 18
    assert "io_method" not in settings  # 18 only
    assert set(settings["work_mem"]["derivation"]) >= {"formula", "calculation"}
    memory = document["memory"]
    assert memory["maintenance_bytes"] == 4 * 1024**3  # 4 autovacuum workers (16 cores) x 1 GB
    assert memory["worst_case_available_bytes"] == memory["available_bytes"] - memory["maintenance_bytes"]


def test_seed_266_gb_through_the_cli():
    """1000 x (10 MB + 64 MB x 4) = 266,000 MB, with no hash nodes and no parallel workers."""
    document = run(
        "plan", "--json", "--max-connections", "1000", "--work-mem", "64MB", "--sort-nodes", "4", "--hash-nodes", "0",
        "--parallel-workers-per-gather", "0", "--ram", "512GB",
    ).json()  # fmt: skip
    assert document["memory"]["worst_case_bytes"] == 1000 * 266 * 1024**2


def test_report_prints_the_settings_by_group():
    text = run("plan", "--profile", "analytics").stdout
    block = text.split("postgresql.conf\n", 1)[1]
    groups = [line.strip() for line in block.splitlines() if line.startswith("  ") and not line.startswith("    ")]
    assert groups[:6] == [
        "Connections", "Memory", "WAL and checkpoints", "Planner and I/O", "Parallelism", "Autovacuum"
    ]  # fmt: skip
    assert "default_statistics_target" in block and " 500 " in block


@pytest.mark.parametrize(
    "options, ceiling, productive",
    [
        (["--cores", "4", "--ram", "16GB", "--shared-buffers", "4GB", "--os-overhead", "2GB"], 1024, 10),
        (["--cores", "16", "--ram", "64GB", "--shared-buffers", "16GB", "--os-overhead", "4GB"], 3003, 36),
        (["--cores", "64", "--ram", "256GB", "--shared-buffers", "64GB", "--os-overhead", "8GB"], 9420, 136),
    ],
)
def test_seed_worked_examples_through_the_cli(options, ceiling, productive):
    per_connection = {10: "10MB", 36: "15MB", 136: "20MB"}[productive]
    disk = {10: "2", 36: "4", 136: "8"}[productive]
    document = run(
        "plan", "--json", *options, "--per-connection-memory", per_connection, "--disk-concurrency", disk
    ).json()
    assert document["ram_ceiling"] == ceiling
    assert document["productive_target"] == productive


def test_seed_003_budget_through_the_cli():
    document = run(
        "plan", "--json", "--cores", "8", "--pool-size", "24", "--reserve-pool", "6", "--replicas", "2",
        "--replica-pools", "40", "--superuser-reserved", "3", "--admin", "5", "--monitoring", "5",
    ).json()  # fmt: skip
    assert document["max_connections_required"] == 83
    assert document["max_connections"] == 100
    replication = next(line for line in document["budget"] if line["key"] == "replication")
    assert replication["counts_against"] == "max_wal_senders"


def test_pooler_capacity_through_the_cli():
    document = run("plan", "--json", "--pool-size", "30", "--txn-ms", "20").json()
    assert document["pooler_capacity_tps"] == pytest.approx(1500)


def test_options_override_a_saved_scenario(tmp_path):
    saved = tmp_path / "s.json"
    saved.write_text('{"hardware": {"cores": 16, "ram": "64GB"}, "workload": {"listeners": 7}}')
    document = run("plan", "--json", "--scenario", str(saved), "--cores", "32").json()
    assert document["scenario"]["hardware"]["cores"] == 32
    assert document["scenario"]["hardware"]["ram"] == "64GB"
    assert document["scenario"]["workload"]["listeners"] == 7


def test_auto_resets_a_saved_value(tmp_path):
    saved = tmp_path / "s.json"
    saved.write_text('{"memory": {"shared_buffers": "1GB"}}')
    document = run("plan", "--json", "--scenario", str(saved), "--shared-buffers", "auto").json()
    assert document["scenario"]["memory"]["shared_buffers"] is None
    assert document["memory"]["shared_buffers_bytes"] == 4 * 1024**3


def test_scenario_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"hardware": {"cores": 12}}')))
    assert run("plan", "--json", "--scenario", "-").json()["scenario"]["hardware"]["cores"] == 12


def test_the_plan_json_is_a_loadable_scenario(tmp_path):
    document = run("plan", "--json", "--cores", "12").json()
    saved = tmp_path / "from-plan.json"
    saved.write_text(json.dumps(document["scenario"]))
    assert run("plan", "--json", "--scenario", str(saved)).json() == document


def test_flags_toggle():
    on = run("plan", "--json", "--session-state").json()
    assert "SESSION_STATE_IN_TRANSACTION_POOL" in {w["code"] for w in on["warnings"]}
    off = run("plan", "--json", "--no-session-state").json()
    assert "SESSION_STATE_IN_TRANSACTION_POOL" not in {w["code"] for w in off["warnings"]}


def test_report_answers_first_and_explains():
    report = run("plan", "--cores", "16", "--ram", "64GB").stdout
    first_lines = report.splitlines()[:2]
    assert first_lines[0].startswith("16 cores, 64 GB RAM")
    assert first_lines[1].startswith("max_connections = ")
    for heading in ("Budget", "Kernel and OS (linux)", "How each number was reached"):
        assert heading in report
    assert "productive target = cores x multiplier + disk concurrency: 16 x 2 + 2 = 34" in " ".join(report.split())


def test_report_lists_warnings_with_severity():
    report = run("plan", "--pooler", "none", "--serverless-peak", "2000").stdout
    assert "ERROR    SERVERLESS_WITHOUT_POOLER" in report


# Seed 001: 2,000 concurrent Lambda invocations with no pooler; "no max_connections value solves this".
# And its "1000 x (10MB + 64MB x 4) = 266GB ... No server has that much RAM": the direct half of the
# compare pair, whose heavy fraction alone is above the 64 GB machine's RAM.
BLOCKING_EXAMPLES = {"serverless-spike", "direct-1000"}


@pytest.mark.parametrize("name", sorted(example_scenarios()))
def test_examples_run(name):
    assert run("plan", "--scenario", str(example_scenarios()[name])).status == (1 if name in BLOCKING_EXAMPLES else 0)


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["report", "json"])
def test_a_blocking_plan_is_printed_and_exits_1_with_each_error_on_stderr(json_flag):
    """The first export of issue 10: shared_buffers 8 GB on a 4 GB machine."""
    result = run("plan", *json_flag, "--ram", "4GB", "--shared-buffers", "8GB")
    assert result.status == 1
    printed = result.json()["warnings"] if json_flag else result.stdout
    assert "SHARED_BUFFERS_OVER_RAM" in str(printed)
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("pgplanner: blocking error ") for line in lines)
    assert any("SHARED_BUFFERS_OVER_RAM" in line and "8 GB" in line and "4 GB" in line for line in lines)


def test_warnings_alone_exit_0():
    result = run("plan", "--ram", "16GB", "--shared-buffers", "8GB")  # SHARED_BUFFERS_HIGH is a warning
    assert result.status == 0 and result.stderr == ""
    assert "SHARED_BUFFERS_HIGH" in result.stdout


def test_help_lists_ranges_and_defaults():
    result = run("plan", "--help")
    assert result.status == 0
    text = " ".join(result.stdout.split())
    assert "--cores N" in text
    assert "a whole number from 1 to 1,024" in text
    assert "auto: 25 % of RAM" in text


def test_entry_point_runs_as_a_module():
    done = subprocess.run([sys.executable, "-m", "pgplanner", "plan", "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert '"ram_ceiling"' in done.stdout


def test_without_a_display_the_window_says_what_to_do(monkeypatch):
    for variable in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(variable, raising=False)
    result = run()
    assert result.status == 2
    assert "no display to open the window on" in result.stderr and "xvfb-run" in result.stderr

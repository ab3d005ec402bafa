"""Every number explains itself, truthfully, and every warning meets a card (issue: explanations as data).

Over a dozen varied scenarios: every numeric output of ``plan --json`` has ``derivations[its path]``;
every printed equation in the report, the derivations and the bundle is arithmetically true to the
precision shown (checked by tests/equations.py, which reads numbers as a person would); every warning
names the outputs it concerns, and those outputs are on a card, so a blocking error always has a red
card. Figures cited: seed 003's budget (pool 24, reserve 6) and seed 001's examples.
"""

from __future__ import annotations

import html
import re

import pytest

from pgplanner.export.bundle import bundle_files
from pgplanner.model import Plan, Scenario, plan
from pgplanner.model.checks import RULES, WRITTEN_SETTINGS
from pgplanner.present import CARDS, card_views
from pgplanner.present.plain import render_report
from pgplanner.present.report import render_html_report

from .equations import card_equation, false_card, false_equations
from .scenarios import EXAMPLES, SCENARIOS, preset

CURVES = {"connections", "direct", "pooled", "modelled"}
CARRY_THEIR_OWN = {"scenario", "budget", "provider", "kernel", "kernel_settings", "semaphores"}
NOT_OUTPUTS = {"warnings", "derivations", "memory_curve", "settings"}


ALL = SCENARIOS | EXAMPLES


@pytest.fixture(params=sorted(ALL), scope="module")
def result(request) -> Plan:
    return plan(ALL[request.param])


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


def cards_in_plan_text(result: Plan) -> dict[str, tuple[str, str]]:
    """``pgplanner plan``'s figures: "  Worst-case memory    1.13 GB   (30 + 4 parallel) x 34 MB · ..." per card."""
    text = render_report(result)
    found = {}
    for spec in CARDS:
        line = re.search(rf"^  {re.escape(spec.title)} +(?P<value>\S+(?: \S+)?)   (?P<caption>.+)$", text, re.M)
        if line:
            found[spec.title] = (line["value"], line["caption"])
    return found


def cards_in_readme(result: Plan) -> dict[str, tuple[str, str]]:
    """The bundle README's table of figures: "| Worst-case memory | 1.13 GB | (30 + 4 parallel) x 34 MB ... |"."""
    readme = bundle_files(result, platforms=("linux",))["README.md"].decode()
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \| ([^|]+?) \|$", readme, re.M)
    titles = {spec.title for spec in CARDS}
    return {title: (value, caption) for title, value, caption in rows if title in titles}


def cards_in_report(result: Plan) -> dict[str, tuple[str, str]]:
    """The HTML report's cards: title, value and caption of each ``<div class='card'>``."""
    page = render_html_report(result)
    cards = re.findall(
        r"<div class='title'>(.*?)</div><div class='value'[^>]*>(.*?)</div><div class='caption'>(.*?)</div>", page
    )
    return {html.unescape(t): (html.unescape(v), html.unescape(c)) for t, v, c in cards}


RENDERERS = {"plan": cards_in_plan_text, "README.md": cards_in_readme, "report.html": cards_in_report}


@pytest.mark.parametrize("renderer", sorted(RENDERERS))
def test_every_card_caption_works_out_to_its_value(result, renderer):
    """Where a caption states arithmetic ("(30 + 4 parallel) x 34 MB"), it gives the value beside it
    ("1.13 GB") as the renderer prints both, and every card that states arithmetic is read as such."""
    shown = RENDERERS[renderer](result)
    assert set(shown) == {card.title for card in card_views(result)}  # the latency card only with a demand
    wrong = [f"{title}: {wrong}" for title, (value, caption) in shown.items() if (wrong := false_card(value, caption))]
    assert not wrong
    for card in card_views(result):
        assert shown[card.title] == (card.value, card.caption), (renderer, card.title)
        if card.arithmetic:
            assert card_equation(card.value, card.caption), (renderer, card.title)


def test_the_worst_case_caption_counts_the_parallel_workers_it_multiplies():
    """Defaults (work_mem given as 4 MB): 4 cores, 4 sort nodes, 1 hash node, hash_mem_multiplier 2 (PostgreSQL 18).
    One process: 10 MB + 8 MB of page tables (4 GB of shared_buffers / 4 kB x 8 B: no huge pages below 8 GB)
    + 4 MB x 4 + 4 MB x 2 x 1 = 42 MB. Parallel workers: 30 x 2 per gather = 60, capped at max_parallel_workers
    = 4 cores. (30 + 4) x 42 MB = 1,428 MB = 1.39 GB; "30 x 126 MB" would be 3.69 GB. Available: 16,384 - 4,096
    - 829.44 OS reserve - 3 autovacuum x 1 GB - 2 maintenance jobs x 1 GB = 6,338.56 MB = 6.19 GB."""
    worst = {card.key: card for card in card_views(plan(Scenario().with_changes(work_mem="4MB")))}["worst_case"]
    assert (worst.value, worst.caption) == ("1.39 GB", "(30 + 4 parallel) x 42 MB · 6.19 GB left after maintenance")
    assert false_card("1.39 GB", "30 x 126 MB") == "30 x 126 MB = 1.39 GB"


def test_the_cards_say_how_they_rounded():
    """work_mem given as 4 MB. RAM ceiling: 16,384 - 4,096 - 829.44 OS reserve (256 MB + 3.5 %) = 11,458.56 MB
    (11.2 GB) / 10.625 MB (10 MB + 4 MB x 5 / 32, shown as 10.6 MB) = 1,078.4, rounded down to 1,078: the caption
    says "rounded down"; a whole number the arithmetic does not give without it is false."""
    cards = {card.key: card for card in card_views(plan(Scenario().with_changes(work_mem="4MB")))}
    assert (cards["ram_ceiling"].value, cards["ram_ceiling"].caption) == (
        "1,078",
        "11.2 GB available / 10.6 MB each, rounded down",
    )
    assert cards["pooler_capacity"].caption == "10 backends / 20 ms per transaction"  # 10 / 0.02 s = 500 tps
    assert cards["pooler_capacity"].value == "500 tps"
    assert false_card("5", "60 MB available / 10.6 MB each") == "60 MB available / 10.6 MB each = 5"
    assert false_card("5", "60 MB available / 10.6 MB each, rounded down") is None


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
            assert any(card.severity == "error" for card in card_views(result)), warning.code


def test_every_rule_s_concerns_meet_a_card():
    """Declared, not observed: a rule no scenario triggers still has to land on a card."""
    shown = {path for card in CARDS for path in card.outputs}
    with_demand = (Scenario().with_changes(demand_tps=100), Scenario().with_changes(demand_tps=100, pooler="none"))
    known = set(plan(Scenario()).derivations).union(*(plan(s).derivations for s in with_demand))
    assert shown <= known, sorted(shown - known)
    for rule in RULES:
        assert set(rule.concerns) <= known, rule.check.__name__
        assert set(rule.concerns) & shown, f"{rule.check.__name__} concerns {rule.concerns}, which no card shows"


def test_kernel_section_has_the_semaphores_as_numbers():
    """PostgreSQL 18 docs: num_os_semaphores = max_connections + autovacuum_worker_slots + max_wal_senders
    + max_worker_processes + 40; SEMMNI = ceil(/16), SEMMNS = SEMMNI x 17. Defaults: 30 + 16 + 10 + 11 + 40,
    max_worker_processes = 4 parallel workers (4 cores) + 1 + 4 logical replication + 2 extension workers."""
    semaphores = plan(Scenario()).to_json_dict()["semaphores"]
    assert (semaphores["num_os_semaphores"], semaphores["semmni"], semaphores["semmns"]) == (107, 7, 119)
    assert "num_os_semaphores = 107 (SEMMNI 7, SEMMNS 119)" in render_report(plan(Scenario()))


def test_azure_keeps_max_connections_in_its_range():
    """Azure Flexible Server accepts max_connections from 25 to 5,000 (Azure docs, Limits)."""
    big = plan(preset("azure-flexible/d2ds_v5", pooler="none", app_instances=1000, pool_per_instance=10))
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

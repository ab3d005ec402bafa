"""A DBA pins today's plan, tries a pooler, and sees what changes; then sends the comparison as a report."""

import re

from pgplanner.assets import example_scenarios

from ..adapter import (
    card_baseline,
    clear_baseline,
    compare_tab,
    compare_tables,
    compare_with_scenario,
    errors_shown,
    export_report,
    ghost_curve,
    import_measurements,
    load_scenario,
    open_example,
    pin_baseline,
    read_card,
    set_hardware,
    set_pooler,
    set_workload,
    warning_text,
)


def test_pin_then_add_a_pooler(app):
    load_scenario(app, example_scenarios()["direct-1000"])
    pin_baseline(app)
    set_pooler(app, pooler="pgbouncer")
    set_workload(app, max_connections=100)
    assert read_card(app, "max_connections") == 100
    assert card_baseline(app, "max_connections") == "baseline 1,000 · -900"
    # 1,000 x (10 MB + 64 MB x 4) = 266,000 MB against 100 x 266 MB
    assert card_baseline(app, "worst-case memory") == "baseline 260 GB · -234 GB"
    rows = compare_tab(app)
    assert "Pooler" in rows and "None (direct connections)" in rows and "PgBouncer" in rows  # as the combo box
    assert "pooler.kind" not in rows and "memory.ram_bytes" not in rows  # names people read, never JSON paths
    assert "go straight to PostgreSQL" in rows  # a warning the baseline had and the new plan has not, in words
    assert "DEMAND_WITHOUT_POOLER" not in rows  # never by its code
    assert ghost_curve(app, "throughput") is not None and ghost_curve(app, "memory") is not None


def test_the_baseline_stays_while_editing_and_goes_when_cleared(app):
    set_workload(app, max_connections=200)
    pin_baseline(app)
    for value in (150, 120, 300):
        set_workload(app, max_connections=value)
    assert card_baseline(app, "max_connections") == "baseline 200 · +100"
    clear_baseline(app)
    assert card_baseline(app, "max_connections") is None
    assert ghost_curve(app, "throughput") is None
    assert "No baseline pinned" in compare_tab(app)


def test_compare_with_a_saved_scenario_and_export_the_report(app, tmp_path):
    load_scenario(app, example_scenarios()["pgbouncer-100"])
    compare_with_scenario(app, example_scenarios()["direct-1000"])
    assert card_baseline(app, "max_connections") == "baseline 1,000 · -900"
    report = export_report(app, tmp_path / "report.html")
    assert report is not None
    text = report.read_text()
    assert "1,000 direct" in text and "PgBouncer, ~100" in text and text.count("<svg") >= 4


def test_a_broken_scenario_to_compare_with_is_one_clear_error(app, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    compare_with_scenario(app, broken)
    assert len(errors_shown(app)) == 1 and "broken.json" in errors_shown(app)[0]
    assert card_baseline(app, "max_connections") is None


def test_report_to_an_unwritable_place_is_one_clear_error(app, tmp_path):
    assert export_report(app, tmp_path / "missing" / "report.html") is None
    assert len(errors_shown(app)) == 1 and "missing" in errors_shown(app)[0]


def test_compare_names_what_differs_and_writes_sizes_one_way(app):
    """64 GB pinned, then 32 GB: RAM reads "64 GB -> 32 GB (-32 GB)" in one format, and no row is a JSON path."""
    set_hardware(app, ram="64GB")
    pin_baseline(app)
    set_hardware(app, ram="32GB")
    cells = compare_tab(app).splitlines()  # one cell a line: the title, baseline, now, change
    ram = [cells[i + 1 : i + 4] for i, cell in enumerate(cells) if cell == "RAM"]
    assert ram == [["64 GB", "32 GB", "-32 GB"]] * 2  # the input, and the output the plan holds
    assert "64GB" not in cells
    assert "vm.nr_hugepages (Linux)" in cells
    paths = re.compile(r"^(hardware|memory|workload|pooler|pooler_config|kernel|throughput|budget|semaphores)\.")
    assert [cell for cell in cells if paths.match(cell)] == []  # memory.ram_bytes, kernel.linux.vm...: none


def test_a_changed_choice_reads_as_its_box_says_it_not_as_the_file_stores_it(app):
    """SSD pinned, then HDD on Windows: the Inputs rows read "SSD" and "HDD", "Linux" and "Windows", the words
    of the Storage and Platform boxes, never the file's "ssd" or "windows"."""
    set_hardware(app, storage="ssd", platform="linux")
    pin_baseline(app)
    set_hardware(app, storage="hdd", platform="windows")
    inputs = {row[0]: row[1:3] for row in compare_tables(app)["Inputs"]}
    assert inputs["Storage"] == ["SSD", "HDD"]
    assert inputs["Platform"] == ["Linux", "Windows"]


def test_every_row_of_the_comparison_says_what_it_is_in_words(app, tmp_path):
    """A measured sweep and a pooler against the plan as it was: no row is named twice, yes and no read as
    words, a port as pgbouncer.ini writes it, and a warning by what it says, not by its code."""
    open_example(app, "direct-1000")
    said = warning_text(app, "DEMAND_WITHOUT_POOLER")
    pin_baseline(app)
    set_pooler(app, pooler="pgbouncer")
    sweep = tmp_path / "sweep.csv"
    sweep.write_text("clients,tps\n1,1000\n2,1900\n4,3500\n8,5600\n16,6400\n32,5800\n")
    import_measurements(app, sweep)
    tables = compare_tables(app)
    for heading, rows in tables.items():
        titles = [row[0].lower() for row in rows]
        assert sorted(t for t in titles if titles.count(t) > 1) == [], heading
    cells = [cell for rows in tables.values() for row in rows for cell in row]
    assert {"True", "False"} & set(cells) == set()
    ports = [row for rows in tables.values() for row in rows if "port" in row[0]]
    assert ports and all("," not in cell for row in ports for cell in row[1:]), ports  # 5432, never 5,432
    warned = [row[0] for row in tables["Warnings"]]
    assert any(words in said for words in warned), warned  # as the Warnings tab said it
    assert [cell for cell in cells if re.fullmatch(r"[A-Z]+(_[A-Z]+)+", cell)] == []  # no DEMAND_WITHOUT_POOLER

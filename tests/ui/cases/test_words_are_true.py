"""A user reads a figure beside another and can tell what each one is (the walk of the window, fourth)."""

from ..adapter import (
    budget_key,
    budget_limit,
    budget_limit_on_top,
    choose_provider_plan,
    close_probe,
    compare_with_example,
    export_report,
    hover,
    mark_label,
    open_example,
    pin_baseline,
    probe_comes_back,
    probe_reads,
    probe_report,
    read_caption,
    report_columns,
    report_wraps_name_at_underscores,
    set_memory,
    set_pooler,
    set_workload,
    use_probed_values,
    why,
)


def test_probe_shows_the_server_beside_my_plan_not_beside_its_own_values(app):
    """A fresh PostgreSQL 15 (initdb's 128MB and 4MB) beside a plan of 4 GB and 28 MB: they differ, and
    both columns write sizes the same way."""
    set_memory(app, shared_buffers="4GB", work_mem="28MB")
    initdb = {"max_connections": "100", "superuser_reserved_connections": "3", "shared_buffers": "128MB",
              "work_mem": "4MB", "max_wal_senders": "10"}  # fmt: skip
    text = probe_reads(app, initdb, major=15)
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.startswith("  ")}
    assert rows["shared_buffers"] == ["128", "MB", "4", "GB"]
    assert rows["work_mem"] == ["4", "MB", "28", "MB"]


def test_after_use_these_values_the_probes_plan_column_is_the_plan_now_not_the_one_before(app):
    """The same fresh PostgreSQL 15 beside 4 GB and 28 MB, then "Use these values": the plan now holds
    128 MB and 4 MB, and the report's plan column says so instead of the 4 GB and 28 MB it had."""
    set_memory(app, shared_buffers="4GB", work_mem="28MB")
    initdb = {"max_connections": "100", "superuser_reserved_connections": "3", "shared_buffers": "128MB",
              "work_mem": "4MB", "max_wal_senders": "10"}  # fmt: skip
    probe_comes_back(app, initdb, major=15)
    use_probed_values(app)
    rows = {line.split()[0]: line.split()[1:] for line in probe_report(app).splitlines() if line.startswith("  ")}
    close_probe(app)
    assert rows["shared_buffers"] == ["128", "MB", "128", "MB"]
    assert rows["work_mem"] == ["4", "MB", "4", "MB"]


def test_the_memory_readout_says_the_pinned_baselines_worst_case(app):
    """1,000 direct pinned, then work_mem 32MB. At N connections, by hand: held anyway 16 GB shared_buffers
    + 4 GB OS + 4 autovacuum workers x 1 GB + 2 maintenance jobs x 2 GB = 28 GB = 28,672 MB; each process
    10 MB + 4 sort nodes x work_mem, no parallel workers. The plan: 28,672 MB + N x 138 MB; the baseline:
    28,672 MB + N x 266 MB, said last (at N = 100: 42,472 MB = 41.5 GB and 55,272 MB = 54.0 GB)."""
    open_example(app, "direct-1000")
    pin_baseline(app)
    set_memory(app, work_mem="32MB")
    text = hover(app, "memory", 100, 10)
    connections = int(text.split()[0].replace(",", ""))  # the pixel the mouse lands on: about 100
    assert 95 <= connections <= 105
    assert f"worst case {(28_672 + connections * 138) / 1024:.3g} GB" in text
    assert text.endswith(f"; baseline worst case {(28_672 + connections * 266) / 1024:.3g} GB")


def test_the_worst_case_says_why_its_memory_is_less_than_the_ram_ceilings(app):
    """1,000 direct, by hand: 64 GB - 16 GB shared_buffers - 4 GB OS = 44 GB available for typical connections;
    for the worst case also less 4 autovacuum workers x 1 GB and 2 maintenance jobs x 2 GB: 36 GB."""
    open_example(app, "direct-1000")
    assert read_caption(app, "RAM ceiling").startswith("44 GB available / ")
    assert read_caption(app, "worst-case memory").endswith(" · 36 GB left after maintenance")


def test_a_budget_over_a_hard_limit_shows_the_limit_and_says_it_is_over(app):
    """Heroku standard-0 allows 120 connections (Heroku's published limit). With no pooler the budget needs
    10 app instances x 20 + 3 monitoring + 2 admin + 3 superuser slots = 208: the bar runs past 120, the
    limit's stroke stays on top of it and the part beyond says "208 required > 120"."""
    choose_provider_plan(app, "heroku/standard-0")
    set_pooler(app, pooler="none")
    assert budget_limit(app) == 120
    assert budget_limit_on_top(app)
    assert mark_label(app, "budget", "over_limit") == "208 required > 120"


def test_a_baseline_beyond_the_budget_axis_points_off_it(app):
    """1,000 direct pinned, then 1 instance of 10 and max_connections 30: the axis ends at 30 x 1.04 = 31.2,
    and the key says where the baseline's 1,000 is: off to the right."""
    open_example(app, "direct-1000")
    pin_baseline(app)
    set_workload(app, app_instances=1, pool_per_instance=10, max_connections=30)
    assert "baseline max_connections 1,000 \u2192" in budget_key(app)


def test_the_os_reserve_note_quotes_the_fit_its_formula_is_rounded_from(app):
    """RDS's six observed points (reference/providers.md, section 1) lie about the line 230 MB + 3.44 % of RAM
    (worked by hand in tests/model/test_memory_os.py); the reserve used is 256 MB + 3.5 %, that line rounded up."""
    words = why(app, "RAM ceiling")
    assert "OS reserve = 256 MB + 3.5 % of RAM" in words
    assert "230 MB + 3.44 % of RAM, rounded up to 256 MB + 3.5 % of RAM" in words
    assert "223 MB" not in words


def test_the_compared_reports_settings_have_no_empty_column_and_names_wrap_whole(app, tmp_path):
    """PgBouncer 100 compared with 1,000 direct, then File > Export report: the settings that differ are words
    ('*' against 'localhost': nothing to subtract), so no "change" column; side by side a setting's derivation
    may wrap only after an underscore."""
    open_example(app, "pgbouncer-100")
    compare_with_example(app, "direct-1000")
    report = export_report(app, tmp_path / "report.html")
    assert report is not None
    assert report_columns(report, "postgresql.conf settings") == ["", "A", "B"]
    assert report_wraps_name_at_underscores(report, "idle_in_transaction_session_timeout")

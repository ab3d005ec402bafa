"""Every result card shows its number and can say why."""

from ...equations import false_card
from ...scenarios import EXAMPLES, PEAK_19, SCENARIOS
from ..adapter import (
    all_warning_texts,
    captions_cut,
    card_severity,
    cards_shown,
    choose_provider_plan,
    everything_shown,
    headline,
    import_measurements,
    open_scenario,
    read_caption,
    read_card,
    set_hardware,
    set_memory,
    set_pooler,
    set_workload,
    warning_text,
    warnings,
    why,
)


def test_max_connections_card(app):
    set_hardware(app, cores=8)
    set_pooler(app, pool_size=24, reserve_pool=6)
    set_workload(app, replicas=2, replica_pools=40, monitoring=5, admin=5)
    assert read_card(app, "max_connections") == 100
    assert read_caption(app, "max_connections") == "required 83 · recommended 100"
    assert "24 + 6 + 40 + 5 + 5 + 3 = 83" in why(app, "max_connections")


def test_ram_ceiling_card(app):
    set_hardware(app, cores=16, ram="64GB")
    set_memory(app, os_overhead="4GB", per_connection_memory="15MB")  # the seed's medium example
    assert read_card(app, "RAM ceiling") == 3003
    assert "44 GB / 15 MB = 3,003" in why(app, "RAM ceiling")


def test_productive_target_card(app):
    set_hardware(app, cores=64, disk_concurrency=8)
    assert read_card(app, "productive target") == 136
    assert "64 x 2 + 8 = 136" in why(app, "productive target")


def test_pool_size_card(app):
    set_hardware(app, cores=8, disk_concurrency=2)
    set_pooler(app, databases=2, users=3)
    assert read_card(app, "pool size") == 3
    assert read_caption(app, "pool size").startswith("6 pools")


def test_worst_case_card_turns_red_when_ram_runs_out(app):
    set_hardware(app, ram="16GB")
    set_memory(app, work_mem="64MB", hash_nodes=0, parallel_workers_per_gather=0)
    set_workload(app, max_connections=1000)
    # 1000 x (10 MB + 8 MB of page tables for 4 GB of shared_buffers + 64 MB x 4) = 274,000 MB
    assert read_card(app, "worst-case memory") == "268 GB"
    assert card_severity(app, "worst-case memory") == "warning"
    # 1,000 slots are far above the RAM ceiling, but the 13 connections the budget opens fit: a warning
    assert card_severity(app, "max_connections") == "warning"


def test_heavy_fraction_card(app):
    set_memory(app, heavy_fraction=0.5)
    assert read_caption(app, "heavy-fraction memory") == "50% of 30 connections running the heaviest query"
    assert "x 0.5 x" in why(app, "heavy-fraction memory")


def test_safe_work_mem_card(app):
    set_hardware(app, ram="16GB")
    set_workload(app, max_connections=200)
    # 16,384 - 4,096 shared_buffers - 829.44 OS reserve (256 MB + 3.5 %) = 11,458.56 MB available, less
    # 3 autovacuum workers x 1 GB and 2 maintenance jobs (the admin connections) x 1 GB = 6,338.56 MB;
    # 200 backends + 4 parallel workers at once (max_parallel_workers = 4 cores), each with 8 MB of page
    # tables (4 GB / 4 kB x 8 B); 4 sort nodes + 1 hash node x 2: (6,338.56 / 204 - 10 - 8) / 6 = 2.18 MB
    assert read_card(app, "safe work_mem") == "2 MB"
    assert "(6.19 GB / 204 - 10 MB - 8 MB) / (4 + 2 x 1)" in why(app, "safe work_mem")
    set_memory(app, hash_nodes=0, parallel_workers_per_gather=0, autovacuum_workers=1, maintenance_work_mem="64MB")
    # ((11,458.56 - 64 - 2 x 64) / 200 - 10 - 8) / 4 = 9.58 MB
    assert read_card(app, "safe work_mem") == "9 MB"


def test_pooler_capacity_card(app):
    set_pooler(app, pool_size=30)
    set_workload(app, txn_ms=20)
    assert read_card(app, "pooler capacity") == "1,500 tps"


def test_the_headline_says_the_answer_and_counts_what_blocks(app):
    set_workload(app, max_connections=20, listeners=30)
    assert headline(app).startswith("max_connections = 20")
    assert "blocking" in headline(app)


def test_a_plan_postgresql_refuses_to_start_shows_a_red_card(app):
    """Reserved slots filling max_connections block the plan; the max_connections card says so in red."""
    set_workload(app, max_connections=3, superuser_reserved=3)
    assert card_severity(app, "max_connections") == "error"


def test_the_reserve_pool_says_it_rounded(app):
    """A pool of 10 gives a reserve of 2.5 connections, rounded up to 3 (seed 003: 25 % of the pool)."""
    set_pooler(app, pool_size=10)
    assert "10 x 0.25 = 2.5, rounded up to 3" in why(app, "pool size")


def test_the_window_never_says_seed(app):
    """Users read article titles and documentation pages as sources, never the project's "seed" labels."""
    set_workload(app, max_connections=3, superuser_reserved=3, listeners=5)
    assert "seed" not in everything_shown(app).lower()


def test_every_caption_that_states_arithmetic_gives_the_value_beside_it(app, tmp_path):
    """Over the explanation scenarios and the examples, as the window shows the cards: "(30 + 4 parallel) x
    34 MB" beside "1.13 GB", "10 GB available / 10.6 MB each, rounded down" beside "963" (tests/equations.py)."""
    wrong = []
    for name, scenario in (SCENARIOS | EXAMPLES).items():
        open_scenario(app, scenario, tmp_path)
        for title, (value, caption) in cards_shown(app).items():
            if (false := false_card(value, caption)) is not None:
                wrong.append(f"{name}: {title}: {false}")
    assert not wrong


def test_every_caption_fits_its_card(app, tmp_path):
    """Over the explanation scenarios and the examples, and a server whose shared_buffers and OS take all its
    RAM (the worst-case card's caption then says why nothing is left), in the default window."""
    cut = []
    for name, scenario in (SCENARIOS | EXAMPLES).items():
        open_scenario(app, scenario, tmp_path)
        cut += [f"{name}: {caption}" for caption in captions_cut(app)]
    open_scenario(app, EXAMPLES["example direct-1000"].with_changes(cores=4, ram="16GB"), tmp_path)
    cut += [f"no room: {caption}" for caption in captions_cut(app)]
    assert not cut


def test_without_a_pooler_no_card_shows_a_pool(app):
    set_pooler(app, pooler="none")
    assert read_card(app, "pool size") == "no pooler"
    assert read_card(app, "pooler capacity") == "no pooler"
    assert "tps" not in why(app, "pooler capacity")
    assert "pool size =" not in why(app, "pool size")


def test_a_fixed_limit_plan_judges_the_connections_it_opens(app):
    """heroku/standard-0 fixes max_connections at 120; the budget opens 13 (pool 4 + reserve 1 + monitoring 3 +
    admin 2 + 3 superuser slots). With work_mem given as 4 MB one process of the heaviest query takes 10 MB + 2 MB
    of page tables (1 GB of shared_buffers / 4 kB x 8 B) + 4 MB x 4 + 4 MB x 2 x 1 = 36 MB, and 1 core runs no
    parallel worker: 13 x 36 MB = 468 MB, within the 1.36 GB left: no warning, the cards say which 13 they
    judge, and an info names both counts: all 120 would need 120 x 36 MB = 4,320 MB = 4.22 GB."""
    choose_provider_plan(app, "heroku/standard-0")
    set_memory(app, work_mem="4MB")
    assert read_card(app, "max_connections") == 120
    assert read_caption(app, "max_connections") == "required 13 · fixed by heroku/standard-0"
    assert read_card(app, "worst-case memory") == "468 MB"
    assert read_caption(app, "worst-case memory").startswith("13 opened x 36 MB")
    assert read_caption(app, "safe work_mem").startswith("for the 13 opened")
    assert card_severity(app, "worst-case memory") == "info"
    assert warnings(app) == ["PROVIDER_FIXES_MAX_CONNECTIONS"]
    said = warning_text(app, "PROVIDER_FIXES_MAX_CONNECTIONS")
    assert "fixes max_connections at 120; this plan opens 13" in said
    assert "(worst case 468 MB, safe work_mem) judge those 13" in said
    assert "judge those 13: all 120 running the heaviest query would need 4.22 GB" in said


def test_a_measured_target_says_so_and_no_range_contradicts_it(app, tmp_path):
    """A CSV of the USL X(N) = 1000 N / (1 + 0.02 (N - 1) + kappa N (N - 1)), kappa = 0.98 / 19^2, peaks at
    sqrt(0.98 / kappa) = 19 active connections on 4 cores, past the rule's pool range 8-16. The measurement
    decides: the target and the pool are 19, the card says "measured", and nothing warns that 19 is above
    cores x 4."""
    csv = tmp_path / "sweep.csv"
    csv.write_text("clients,tps\n" + "\n".join(f"{c},{t}" for c, t in PEAK_19))
    set_hardware(app, cores=4)
    import_measurements(app, csv)
    assert read_card(app, "productive target") == 19
    caption = read_caption(app, "productive target")  # the fitted peak to one decimal, then the rule: 4 x 2 + 2
    assert caption.startswith("measured peak ") and caption.endswith(" · rule of thumb 10")
    assert "pool range" not in caption
    assert read_card(app, "pool size") == 19
    assert "POOL_ABOVE_PRODUCTIVE_RANGE" not in warnings(app)
    assert "cores x 4" not in all_warning_texts(app)

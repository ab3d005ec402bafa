"""The memory and OS model on the DBA review's panel, every figure worked by hand.

Sources of the expected values: the OS reserve rule (256 MB + 3.5 % of RAM, 25 % on a desktop) fitted to
AWS RDS's DBInstanceClassMemory (reference/providers.md §1); the kernel's CommitLimit =
(RAM - huge pages) x overcommit_ratio / 100 + swap (proc(5)); page tables of 8 B per 4 kB page
(reference/scalability.md: 192 GB of shared_buffers -> 384 MB per backend); PostgreSQL's
logical_decoding_work_mem default 64 MB; reference/dba_review.md F1, F5, F6, F16.
"""

from __future__ import annotations

import math

import pytest

from pgplanner.model import Scenario, plan
from pgplanner.model.units import GB, MB
from pgplanner.presets import apply_preset, load_catalog

from .helpers import plan_for


def _linux(result):
    return {s.name: s for s in result.kernel_settings if s.platform == "linux"}


def _blocking(result):
    return [w.code for w in result.warnings if w.blocking]


def _setting(result, name):
    return next(s.value for s in result.settings if s.name == name)


VPS_1GB = {"cores": 1, "ram": "1GB", "storage": "hdd", "profile": "web", "app_instances": 2, "pool_per_instance": 5}


def test_1gb_vps_keeps_three_quarters_of_its_ram_and_is_not_blocked():
    """The review's bundle 01: 0.5 GB x sqrt(1) took half the box and blocked the plan."""
    result = plan_for(**VPS_1GB)
    memory = result.memory
    # 256 MB + 1,024 MB x 0.035 = 291.84 MB; available = 1,024 - 256 - 291.84 = 476.16 MB
    assert memory.os_overhead_bytes == math.floor(256 * MB + 1024 * MB * 0.035)
    assert memory.available_bytes == math.floor(GB - 256 * MB - (256 * MB + 1024 * MB * 0.035))
    assert result.ram_ceiling == 44  # 476.16 MB / 10.625 MB = 44.8
    assert _blocking(result) == []
    # page tables: 256 MB / 4 kB x 8 B = 512 kB per process, huge pages are not reserved below 8 GB
    assert memory.page_tables_bytes == 512 * 1024
    # autovacuum 3 x 64 MB and two admin connections' maintenance jobs 2 x 64 MB come off the worst case
    assert (memory.maintenance_bytes, memory.maintenance_jobs, memory.maintenance_jobs_bytes) == (192 * MB, 2, 128 * MB)
    assert memory.worst_case_available_bytes == memory.available_bytes - 192 * MB - 128 * MB


def test_1gb_vps_with_postgresql_s_stock_settings_is_not_blocked():
    """max_connections 100, shared_buffers 128 MB, work_mem 4 MB: what PostgreSQL and AWS run on 1 GB.

    The RAM ceiling (1,024 - 128 - 291.84 = 604.16 MB / 10.625 MB = 56) is below 100 slots, but the 13
    connections the budget opens fit: a warning, not an error.
    """
    result = plan_for(ram="1GB", cores=1, max_connections=100, shared_buffers="128MB", work_mem="4MB")
    assert result.ram_ceiling == 56
    assert _blocking(result) == []
    warned = {w.code: w for w in result.warnings}
    assert warned["BUDGET_OVER_RAM_CEILING"].severity == "warning"
    assert "the 13 this plan opens fit" in warned["BUDGET_OVER_RAM_CEILING"].message


def test_rds_t3_micro_is_not_blocked():
    catalog, _problems = load_catalog()
    scenario = apply_preset(Scenario(), catalog.find("aws-rds/db.t3.micro"))
    result = plan(scenario)
    assert result.scenario.hardware.ram == GB
    assert _blocking(result) == []
    assert result.memory.os_overhead_bytes == math.floor(256 * MB + 1024 * MB * 0.035)
    # the provider decides about huge pages: page tables are counted, 256 MB / 4 kB x 8 B
    assert result.memory.page_tables_bytes == 512 * 1024
    with_aws_slots = plan(scenario.with_changes(max_connections=112))  # AWS's own formula on 1 GiB
    assert _blocking(with_aws_slots) == []


BIG = {"cores": 64, "ram": "512GB", "storage": "nvme", "profile": "oltp", "clients": 5000}


def test_64_core_512_gb_box_reserves_huge_pages_and_counts_no_page_tables():
    result = plan_for(**BIG)
    memory = result.memory
    # 256 MB + 512 GB x 0.035 = 256 MB + 17.92 GB
    assert memory.os_overhead_bytes == math.floor(256 * MB + 512 * GB * 0.035)
    assert memory.shared_buffers_bytes == 128 * GB
    assert memory.page_tables_bytes == 0  # shared memory in 2 MB pages with huge_pages = on
    assert _setting(result, "huge_pages") == "on"
    linux = _linux(result)
    pages = linux["vm.nr_hugepages"]
    assert pages.minimum and pages.needed and pages.stock == 0  # a floor raise-limits.sh only raises
    assert 128 * GB / (2 * MB) < pages.value < 128 * GB / (2 * MB) * 1.05
    # maintenance_work_mem 512 GB / 16 capped at 2 GB: two admin jobs 4 GB; autovacuum 5 x 1 GB
    assert (memory.maintenance_jobs_bytes, memory.maintenance_bytes) == (4 * GB, 5 * GB)


def test_page_tables_without_huge_pages_are_the_reviewer_s_384_mb():
    """192 GB of shared_buffers through 4 kB pages: 192 GB / 4 kB x 8 B = 384 MB in every process."""
    result = plan_for(ram="768GB", shared_buffers="192GB", platform="windows")
    assert result.memory.page_tables_bytes == 384 * MB
    assert "not guaranteed" in result.derivations["memory.page_tables_bytes"].note
    linux = plan_for(ram="768GB", shared_buffers="192GB")
    assert linux.memory.page_tables_bytes == 0


def test_big_box_kernel_memory_policy():
    linux = _linux(plan_for(**BIG))
    assert linux["vm.overcommit_memory"].value == 0  # heuristic unless strict is chosen
    assert not linux["vm.overcommit_ratio"].needed
    assert linux["vm.swappiness"].value == 10
    # NVMe writes ~2 GB/s: background writeback after 0.25 s (512 MB), writers throttled at 1 s (2 GB),
    # instead of 10 % / 20 % of 512 GB = 51 GB / 102 GB
    assert (linux["vm.dirty_background_bytes"].value, linux["vm.dirty_bytes"].value) == (512 * MB, 2 * GB)
    assert linux["vm.dirty_background_bytes"].needed and linux["vm.dirty_bytes"].needed
    thp = linux["/sys/kernel/mm/transparent_hugepage/enabled"]
    assert (thp.value, thp.where, thp.needed) == ("madvise", "tmpfiles", True)
    # 5,000 clients: three PgBouncer processes (one per 2,000 clients), each listening with a backlog of its own
    # max_client_conn 2,000, above 2 x max_connections 225 = 450 and within the kernel's default 4,096
    result = plan_for(**BIG)
    assert (result.pooler_processes, result.max_client_conn, result.max_connections) == (3, 2000, 225)
    assert linux["net.core.somaxconn"].value == 2000 and not linux["net.core.somaxconn"].needed


def test_strict_overcommit_ratio_is_taken_against_ram_minus_huge_pages():
    """CommitLimit = (RAM - huge pages) x ratio / 100 + swap must leave the OS reserve uncommitted."""
    result = plan_for(**BIG, overcommit="strict", swap="2GB")
    linux = _linux(result)
    assert linux["vm.overcommit_memory"].value == 2 and linux["vm.overcommit_ratio"].needed
    huge = linux["vm.nr_hugepages"].value * 2 * MB
    reserve = 256 * MB + 512 * GB * 0.035
    ratio = linux["vm.overcommit_ratio"].value
    assert ratio == math.floor(100 * (512 * GB - huge - reserve) / (512 * GB - huge))
    commit_limit = (512 * GB - huge) * ratio / 100 + 2 * GB
    assert commit_limit <= 512 * GB - huge - reserve + 2 * GB
    assert commit_limit > (512 * GB - huge - reserve) * 0.99
    # the comment does not promise what the PostgreSQL docs do not: the OOM killer only gets less likely
    why = str(linux["vm.overcommit_memory"].derivation)
    assert "less likely, not impossible" in why and "instead of the OOM killer ending the postmaster" not in why
    assert "(RAM - huge pages) x ratio + swap" in linux["vm.overcommit_ratio"].derivation.formula


@pytest.mark.parametrize(
    "inputs, reason",
    [
        ({"profile": "desktop"}, "this is a desktop"),
        ({"ram": "2GB"}, "below 4 GB of RAM"),
        ({"ram": "1GB", "cores": 1}, "below 4 GB of RAM"),
    ],
)
def test_strict_overcommit_is_never_written_on_a_desktop_or_a_small_machine(inputs, reason):
    result = plan_for(overcommit="strict", **inputs)
    linux = _linux(result)
    assert linux["vm.overcommit_memory"].value == 0
    assert reason in linux["vm.overcommit_memory"].derivation.note
    assert not linux["vm.overcommit_ratio"].needed
    # the plan says so too, not only a comment of the bundle
    [refused] = [w for w in result.warnings if w.code == "STRICT_OVERCOMMIT_REFUSED"]
    assert refused.severity == "info" and reason in refused.message


def test_strict_overcommit_written_is_not_reported_as_refused():
    result = plan_for(cores=16, ram="64GB", overcommit="strict")
    assert _linux(result)["vm.overcommit_memory"].value == 2
    assert "STRICT_OVERCOMMIT_REFUSED" not in {w.code for w in result.warnings}


def test_a_heavy_fraction_only_the_slots_beyond_the_budget_break_is_a_warning():
    """4 cores, 1 GB: available 1,024 - 256 - 291.84 = 476.16 MB; one process of the heaviest query 10 MB + 0.5 MB
    of page tables (256 MB / 4 kB x 8 B) + 4 MB x 4 + 4 MB x 2 x 1 = 34.5 MB; typical 10.625 MB. All 30 slots:
    (6 + min(12, 4)) x 34.5 + 24 x 10.625 = 600 MB, over; the 21 the budget opens: (4.2 + 4) x 34.5 + 16.8 x
    10.625 = 461.4 MB, within. A warning quoting both, not an error."""
    result = plan_for(ram="1GB")
    memory = result.memory
    assert (result.max_connections, memory.opened_connections) == (30, 21)
    assert memory.heavy_fraction_bytes == round(10 * 34.5 * MB) + round(24 * 10.625 * MB)
    assert memory.heavy_fraction_opened_bytes == round(8.2 * 34.5 * MB) + round(16.8 * 10.625 * MB)
    assert result.derivations["memory.heavy_fraction_opened_bytes"].inputs["N (connections)"] == "21"
    [heavy] = [w for w in result.warnings if w.code == "HEAVY_FRACTION_OVER_RAM"]
    assert heavy.severity == "warning"
    assert "The 21 connections this plan opens need 461 MB, which fits" in heavy.message
    # the same plan with more work_mem: the opened connections break it too, and it blocks
    [heavy] = [w for w in plan_for(ram="1GB", work_mem="16MB").warnings if w.code == "HEAVY_FRACTION_OVER_RAM"]
    assert heavy.severity == "error"


def test_macos_desktop_keeps_a_quarter_of_its_ram_for_other_programs():
    result = plan_for(cores=8, ram="16GB", storage="nvme", platform="macos", profile="desktop", pooler="none")
    memory = result.memory
    # shared_buffers 16 GB / 16 = 1 GB; reserve 256 MB + 16 GB x 0.25 = 4.25 GB; available 16 - 1 - 4.25 = 10.75 GB
    assert memory.shared_buffers_bytes == GB
    assert memory.os_overhead_bytes == 256 * MB + 4 * GB
    assert memory.available_bytes == 10 * GB + 768 * MB
    assert memory.page_tables_bytes == 2 * MB  # 1 GB / 4 kB x 8 B: macOS has no huge pages for PostgreSQL
    assert _setting(result, "huge_pages") == "try"
    assert _blocking(result) == []


def test_a_linux_desktop_leaves_the_kernel_as_it_is():
    linux = _linux(plan_for(profile="desktop", ram="16GB", cores=8))
    for name in ("vm.swappiness", "vm.dirty_background_bytes", "vm.dirty_bytes", "vm.nr_hugepages"):
        assert not linux[name].needed, name
    assert not linux["/sys/kernel/mm/transparent_hugepage/enabled"].needed
    assert linux["vm.overcommit_memory"].value == 0


def test_dirty_bytes_are_left_to_the_kernel_where_its_ratio_is_already_lower():
    """1 GB with an SSD: 512 MB/s x 0.25 s = 128 MB > 10 % of 1 GB, 512 MB > 20 %: nothing is written."""
    linux = _linux(plan_for(ram="1GB", cores=1, storage="ssd"))
    assert not linux["vm.dirty_background_bytes"].needed and not linux["vm.dirty_bytes"].needed
    hdd = _linux(plan_for(**VPS_1GB))  # HDD: 32 MB and 128 MB, below 102 MB and 205 MB
    assert (hdd["vm.dirty_background_bytes"].value, hdd["vm.dirty_bytes"].value) == (32 * MB, 128 * MB)
    assert hdd["vm.dirty_background_bytes"].needed and hdd["vm.dirty_bytes"].needed


def test_logical_subscribers_hold_decoding_memory_and_wal_senders():
    result = plan_for(replicas=2, logical_senders=3)
    # 3 x logical_decoding_work_mem 64 MB; max_wal_senders = max(10, 2 + 3 + 2) = 10
    assert result.memory.logical_decoding_bytes == 3 * 64 * MB
    assert result.memory.worst_case_available_bytes == (
        result.memory.available_bytes
        - result.memory.maintenance_bytes
        - result.memory.maintenance_jobs_bytes
        - 3 * 64 * MB
    )
    assert plan_for(replicas=6, logical_senders=4).max_wal_senders == 12  # 6 + 4 + 2


def test_maintenance_jobs_follow_the_admin_connections_unless_given():
    assert plan_for(admin=5).memory.maintenance_jobs == 5
    given = plan_for(admin=5, maintenance_jobs=8, ram="64GB")  # 8 x 2 GB (64 GB / 16 = 4 GB, capped at 2 GB)
    assert (given.memory.maintenance_jobs, given.memory.maintenance_jobs_bytes) == (8, 16 * GB)
    assert given.derivations["memory.maintenance_jobs"].calculation == "given: 8"


def test_the_os_reserve_note_gives_the_fit_the_reserve_is_rounded_from():
    """From reference/providers.md, section 1: RAM less observed max_connections x 9,531,392 B is 248, 342, 411,
    711, 1,599 and 1,099 MiB at 2, 4, 8, 8, 32 and 32 GiB. By hand: mean RAM 86 / 6 = 14.333 GiB, mean kept
    4,410 / 6 = 735 MiB; Sxx = 152.11 + 106.78 + 2 x 40.11 + 2 x 312.11 = 963.33; Sxy = 12.333 x 487 + 10.333 x 393
    + 6.333 x 324 + 6.333 x 24 + 17.667 x 864 + 17.667 x 364 = 33,966; slope 33,966 / 963.33 = 35.26 MiB per GiB
    = 3.44 %, intercept 735 - 35.26 x 14.333 = 229.6 MiB: "230 MB + 3.44 %". The reserve used, 256 MB + 3.5 %,
    is that line rounded up, and the note says both (it said 223 MB + 3.6 %, a line through nothing)."""
    from pgplanner.model.defaults import RDS_OS_RESERVE_NOTE

    assert "RDS keeps 248 MB at 2 GB, 342 MB at 4 GB, 411 MB to 711 MB at 8 GB and 1.07 GB to 1.56 GB at 32 GB" in (
        RDS_OS_RESERVE_NOTE
    )
    assert "230 MB + 3.44 % of RAM, rounded up to 256 MB + 3.5 % of RAM" in RDS_OS_RESERVE_NOTE
    reserve = plan(Scenario().with_changes(ram="16GB")).derivations["memory.os_overhead_bytes"]
    assert reserve.formula == "OS reserve = 256 MB + 3.5 % of RAM"
    assert reserve.note == RDS_OS_RESERVE_NOTE

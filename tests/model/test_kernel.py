"""Kernel and OS values per platform (rendered later by the export)."""

import pytest

from pgplanner.model.shared_memory import shared_memory_estimate
from pgplanner.model.units import MB, parse_size

from .helpers import plan_for


@pytest.mark.parametrize(
    "version, shared_buffers, max_connections, measured_mb",
    [
        # reference/kernel_pooler.md: `postgres -C shared_memory_size` on 15.18 (max_wal_senders 10)
        (15, "128MB", 100, 143),
        (15, "128MB", 1000, 184),
        (15, "128MB", 10000, 617),
        (15, "1GB", 100, 1074),
        (15, "8GB", 100, 8399),
        # issue 10, on 18.6: 192 huge pages needed at 2,000 connections and 256MB, 589 at 1,250 and 1GB
        (18, "256MB", 2000, 383),
        (18, "1GB", 1250, 1178),
        (18, "4GB", 10000, 4986),
    ],
)
def test_shared_memory_estimate_covers_the_server_within_10_percent(
    version, shared_buffers, max_connections, measured_mb
):
    # the servers ran at their defaults: max_worker_processes 8, autovacuum_max_workers 3
    estimate, _ = shared_memory_estimate(version, parse_size(shared_buffers), max_connections, 10, 8, 3)
    assert measured_mb <= estimate / MB <= measured_mb * 1.1


def test_linux_uses_posix_semaphores_and_macos_sysv():
    result = plan_for(max_connections=300)
    assert not any("sem" in name for name in result.kernel["linux"])
    assert not any("sem" in name for name in result.kernel["freebsd"])
    # PostgreSQL 18 docs: SEMMNI = ceil((max_connections + autovacuum_worker_slots + max_wal_senders +
    # max_worker_processes + 40) / 16); by hand, (300 + 16 + 10 + 8 + 40) / 16 = 374 / 16 = 23.4, so 24.
    assert result.kernel["macos"]["kern.sysv.semmni"] == 24


def test_huge_pages_cover_shared_buffers():
    """16 GB of shared_buffers alone fill 16,384 MB / 2 MB = 8,192 huge pages; the server's own
    shared_memory_size adds 2.5 % at 8 GB (8,399 MB measured above), so about 8,400, and under 8,602 (+5 %)."""
    pages = plan_for(ram="64GB", shared_buffers="16GB").kernel["linux"]["vm.nr_hugepages"]
    assert 8_192 < pages < 8_602


def test_pgbouncer_descriptors_follow_its_formula():
    """PgBouncer docs (max_client_conn): at most max_client_conn + pool size x databases x users descriptors.
    By hand, with the reserve pool counted as pool: 6,000 + (20 + 5) x 2 x 2 = 6,100."""
    result = plan_for(clients=5000, pool_size=20, reserve_pool=5, databases=2, users=2)
    assert result.max_client_conn == 6000  # 5,000 clients and 20 % headroom
    assert 6_100 < result.kernel["linux"]["systemd.pgbouncer.LimitNOFILE"] <= 2 * 6_100
    assert "systemd.pgbouncer.LimitNOFILE" not in plan_for(pooler="none").kernel["linux"]


def test_stock_limits_are_not_lowered():
    small = {s.name: s for s in plan_for().kernel_settings if s.platform == "linux"}
    assert not small["systemd.postgresql.TasksMax"].needed  # 4,915 is already enough
    big = {s.name: s for s in plan_for(max_connections=5000, ram="256GB").kernel_settings if s.platform == "linux"}
    assert big["systemd.postgresql.TasksMax"].needed


def test_windows_desktop_heap_grows_with_backends():
    assert plan_for(platform="windows").kernel["windows"]["desktop_heap.non_interactive_kb"] == 768
    big = plan_for(platform="windows", max_connections=2000)
    assert big.kernel["windows"]["desktop_heap.non_interactive_kb"] > 2000
    assert "WINDOWS_DESKTOP_HEAP" in {w.code for w in big.warnings}


def _settings(os_name, **inputs):
    return {s.name: s for s in plan_for(**inputs).kernel_settings if s.platform == os_name}


def test_macos_sysv_semaphores_are_already_plenty():
    """xnu allows 87,381 semaphores and sets; writing 65 into sysctl.conf would lower the limit."""
    mac = _settings("macos", platform="macos", max_connections=1000)
    for name in ("kern.sysv.semmni", "kern.sysv.semmns", "kern.sysv.semmsl"):
        assert mac[name].stock == 87381 and not mac[name].needed
    assert _settings("macos", platform="macos", max_connections=100_000)["kern.sysv.semmns"].needed


def test_seed_000_macos_raises_files_and_processes_but_not_per_process_files():
    """Seed 000 (1,000 connections on OS X) raised maxproc and allowed ~35,000 files."""
    mac = _settings("macos", platform="macos", max_connections=1000)
    assert mac["kern.maxproc"].needed and mac["kern.maxproc"].value >= 2000
    assert mac["kern.maxfiles"].needed and mac["kern.maxfiles"].value >= 35_000
    assert mac["kern.maxprocperuid"].needed
    assert not mac["kern.maxfilesperproc"].needed  # OPEN_MAX 10,240 covers PostgreSQL's 2,048


# Measured on a 24 GB machine (Linux 6.18): MemTotal 24,683,568 kB, fs.file-max 2,466,097 and
# kernel.threads-max 192,724, so a default RLIMIT_NPROC of half that, 96,362.
FILE_MAX_24GB, NPROC_24GB = 2_466_097, 96_362


def test_linux_memory_sized_limits_are_not_lowered():
    """fs.file-max and RLIMIT_NPROC grow with RAM and are far above what small plans need. The stock figure
    pgplanner assumes is a floor: at most what a real machine shows, and not far below it."""
    measured = _settings("linux", ram="24GB")
    assert 0.9 * FILE_MAX_24GB < measured["fs.file-max"].stock <= FILE_MAX_24GB
    assert 0.9 * NPROC_24GB < measured["limits.postgres.nproc"].stock <= NPROC_24GB
    linux = _settings("linux", ram="16GB")
    assert not linux["fs.file-max"].needed
    assert not linux["limits.postgres.nproc"].needed
    tiny = _settings("linux", ram="256MB", max_connections=2000)
    assert tiny["fs.file-max"].needed and tiny["limits.postgres.nproc"].needed


def test_nofile_limits_are_floors_above_the_1024_default():
    """A drop-in that set PgBouncer's LimitNOFILE to 310 would lower systemd's 1,024 soft default."""
    small = _settings("linux")
    assert small["systemd.pgbouncer.LimitNOFILE"].minimum
    assert not small["systemd.pgbouncer.LimitNOFILE"].needed
    assert small["systemd.postgresql.LimitNOFILE"].minimum and small["systemd.postgresql.LimitNOFILE"].needed
    assert _settings("linux", clients=5000)["systemd.pgbouncer.LimitNOFILE"].needed

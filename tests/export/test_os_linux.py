"""os/linux: exact sysctls, floors that only raise, limits.d and systemd drop-ins."""

from __future__ import annotations

from pathlib import Path

from pgplanner.export.os_linux import render_linux

from .helpers import active, comment_above, plan_for, prose


def _files(**inputs):
    return render_linux(plan_for(**inputs))


def test_exact_values_in_sysctl_d():
    """The memory policy of a dedicated server; huge pages are a floor, not an exact value (review F1, F6)."""
    result = plan_for(ram="64GB", shared_buffers="16GB", storage="nvme")
    text = render_linux(result)["os/linux/sysctl.d/90-pgplanner.conf"]
    assert active(text) == {
        "vm.overcommit_memory": "0",
        "vm.swappiness": "10",
        "vm.dirty_background_bytes": str(512 * 1024**2),  # NVMe: 2 GB/s x 0.25 s
        "vm.dirty_bytes": str(2 * 1024**3),  # 2 GB/s x 1 s
    }
    overcommit = " ".join(comment_above(text, "vm.overcommit_memory").split())
    assert "the kernel's heuristic" in overcommit and "OOMScoreAdjust=-1000" in overcommit
    # strict was not chosen: its ratio is a comment that says what it would be
    expected = "vm.overcommit_ratio: no effect while vm.overcommit_memory = 0; with --overcommit strict it would be"
    assert expected in prose(text)


def test_strict_overcommit_writes_its_ratio_against_ram_minus_huge_pages():
    result = plan_for(ram="64GB", shared_buffers="16GB", overcommit="strict", swap="2GB")
    text = render_linux(result)["os/linux/sysctl.d/90-pgplanner.conf"]
    values = active(text)
    assert values["vm.overcommit_memory"] == "2"
    assert values["vm.overcommit_ratio"] == str(result.kernel["linux"]["vm.overcommit_ratio"])
    ratio = " ".join(comment_above(text, "vm.overcommit_ratio").split())
    assert "the kernel's commit limit is (RAM - huge pages) x ratio + swap" in ratio
    assert "+ 2 GB =" in ratio  # the swap is named in the commit limit
    assert "less likely, not impossible" in " ".join(comment_above(text, "vm.overcommit_memory").split())


def test_huge_pages_are_a_floor_in_the_floor_file():
    result = plan_for(ram="64GB", shared_buffers="16GB")
    files = render_linux(result)
    floors = active(files["os/linux/sysctl-minimums.conf"])
    assert floors["vm.nr_hugepages"] == str(result.kernel["linux"]["vm.nr_hugepages"])
    above = " ".join(comment_above(files["os/linux/sysctl-minimums.conf"], "vm.nr_hugepages").split())
    assert "huge pages = shared memory / 2 MB, rounded up; shared memory = (shared_buffers" in above
    assert "raise-limits.sh raises it only where /proc/sys/vm/nr_hugepages is lower" in above
    readme = files["os/linux/README.md"]
    assert "`huge_pages = on`" in readme and "shared_memory_size_in_huge_pages" in readme


def test_below_8_gb_of_shared_buffers_no_huge_pages_are_reserved():
    files = render_linux(plan_for(ram="16GB"))
    assert "vm.nr_hugepages" not in active(files["os/linux/sysctl-minimums.conf"])
    assert "vm.nr_hugepages: not reserved (shared_buffers is below 8 GB" in prose(
        files["os/linux/sysctl-minimums.conf"]
    )
    assert "Huge pages: not reserved (shared_buffers is below 8 GB" in files["os/linux/README.md"]


def test_transparent_huge_pages_through_tmpfiles():
    text = _files()["os/linux/tmpfiles.d/90-pgplanner-thp.conf"]
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines == ["w /sys/kernel/mm/transparent_hugepage/enabled - - - - madvise"]
    assert "PostgreSQL never asks" in prose(text)
    desktop = _files(profile="desktop")["os/linux/tmpfiles.d/90-pgplanner-thp.conf"]
    assert not [line for line in desktop.splitlines() if line and not line.startswith("#")]


def test_a_desktop_gets_no_server_memory_policy():
    text = _files(profile="desktop", overcommit="strict")["os/linux/sysctl.d/90-pgplanner.conf"]
    assert active(text) == {"vm.overcommit_memory": "0"}
    assert "strict was asked for, but this is a desktop" in prose(text)


def test_floors_the_stock_kernel_exceeds_are_comments_only():
    text = _files()["os/linux/sysctl-minimums.conf"]
    assert active(text) == {}
    # 3 more worker slots than before (11 at 4 cores) raise it from 8,100
    assert "fs.file-max: at least 8,200 is needed and the stock system already has" in prose(text)


def test_needed_floors_are_written_with_their_derivation():
    text = _files(ram="256MB", max_connections=5000)["os/linux/sysctl-minimums.conf"]
    floors = active(text)
    assert set(floors) == {"fs.file-max", "net.core.somaxconn"}
    assert floors["net.core.somaxconn"] == "10000"  # 2 x 5,000 connections, above max_client_conn 250
    assert "2 x max_connections (PostgreSQL's)" in comment_above(text, "net.core.somaxconn")
    assert "raise-limits.sh does that" in comment_above(text, "fs.file-max")


def test_somaxconn_follows_pgbouncer_s_clients():
    """5,000 clients on 2 cores (one PgBouncer process: half the cores): its max_client_conn 6,000 must fit the
    listen queue after a pooler restart (review F7)."""
    text = _files(clients=5000, cores=2)["os/linux/sysctl-minimums.conf"]
    assert active(text)["net.core.somaxconn"] == "6000"
    assert "max(6,000, 2 x" in " ".join(comment_above(text, "net.core.somaxconn").split())


def test_limits_d_sets_soft_limits_only_when_needed():
    text = _files()["os/linux/limits.d/90-pgplanner-postgres.conf"]
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines == ["postgres soft nofile 2048"]
    big = _files(ram="256MB", max_connections=2000)["os/linux/limits.d/90-pgplanner-postgres.conf"]
    assert any(line.startswith("postgres soft nproc ") for line in big.splitlines())
    assert not any(" hard " in line for line in big.splitlines() if not line.startswith("#"))


def test_postgresql_dropin_raises_only_the_soft_nofile_and_keeps_hard():
    text = _files()["os/linux/systemd/postgresql@.service.d/90-pgplanner.conf"]
    directives = active(text)
    assert directives["LimitNOFILE"] == "2048:524288"
    assert "TasksMax" not in directives  # 400 processes: systemd's 4,915 already suffices
    assert directives["OOMScoreAdjust"] == "-1000"
    assert "PG_OOM_ADJUST_VALUE=0" in directives["Environment"]
    assert text.count("[Service]") == 1
    big = active(_files(max_connections=5000)["os/linux/systemd/postgresql@.service.d/90-pgplanner.conf"])
    assert int(big["TasksMax"]) > 4915


def test_pooler_dropin_follows_the_pooler():
    assert "os/linux/systemd/pgbouncer.service.d/90-pgplanner.conf" in _files()
    assert "os/linux/systemd/pgcat.service.d/90-pgplanner.conf" in _files(pooler="pgcat")
    assert not any("pgbouncer.service" in path for path in _files(pooler="none"))
    # two cores keep one PgBouncer process (PostgreSQL keeps the other core), which takes every client
    busy = _files(cores=2, clients=20000)["os/linux/systemd/pgbouncer.service.d/90-pgplanner.conf"]
    soft = int(active(busy)["LimitNOFILE"].split(":")[0])
    assert soft >= 24000 + 26  # max_client_conn 24,000 + servers + fixed


def test_readme_orders_the_steps():
    readme = _files()["os/linux/README.md"]
    positions = [readme.index(name) for name in ("sysctl.d/", "raise-limits.sh", "limits.d/", "postgresql@")]
    assert positions == sorted(positions)
    assert "RemoveIPC" in readme


def test_raise_script_never_lowers_and_records_only_what_it_raised(tmp_path: Path, fake_kernel):
    files = _files(ram="256MB", max_connections=5000)
    for path, text in files.items():
        (tmp_path / Path(path).name).write_text(text)
    fake_kernel.set("fs.file-max", 9_000_000)  # already far above the floor
    fake_kernel.set("net.core.somaxconn", 128)  # below it

    dry = fake_kernel.run(tmp_path / "raise-limits.sh", "--dry-run")
    assert "raise  net.core.somaxconn: 128 -> 10000" in dry.stdout
    assert fake_kernel.get("net.core.somaxconn") == 128
    assert not (fake_kernel.root / "etc").exists()

    done = fake_kernel.run(tmp_path / "raise-limits.sh")
    assert "ok     fs.file-max = 9000000" in done.stdout
    assert fake_kernel.get("fs.file-max") == 9_000_000
    assert fake_kernel.get("net.core.somaxconn") == 10_000
    recorded = fake_kernel.root / "etc/sysctl.d/91-pgplanner-minimums.conf"
    assert recorded.read_text() == "net.core.somaxconn=10000\n"

    again = fake_kernel.run(tmp_path / "raise-limits.sh")
    assert "raise" not in again.stdout
    assert recorded.read_text() == "net.core.somaxconn=10000\n"  # kept, not duplicated


def test_raise_script_skips_keys_the_kernel_does_not_know(tmp_path: Path, fake_kernel):
    files = _files(ram="256MB", max_connections=5000)
    for path, text in files.items():
        (tmp_path / Path(path).name).write_text(text)
    fake_kernel.set("fs.file-max", 10)
    done = fake_kernel.run(tmp_path / "raise-limits.sh")
    assert "skip   net.core.somaxconn: this kernel does not know it" in done.stdout
    assert fake_kernel.get("fs.file-max") > 10


def test_raise_script_says_when_the_kernel_reserves_fewer_huge_pages(tmp_path: Path, fake_kernel):
    files = _files(ram="64GB", shared_buffers="16GB")
    for path, text in files.items():
        (tmp_path / Path(path).name).write_text(text)
    want = int(active(files["os/linux/sysctl-minimums.conf"])["vm.nr_hugepages"])
    fake_kernel.set("vm.nr_hugepages", 0)
    fake_kernel.limit("vm.nr_hugepages", 1000)  # fragmented memory: no more than 1,000 pages now
    done = fake_kernel.run(tmp_path / "raise-limits.sh")
    assert f"raise  vm.nr_hugepages: 0 -> {want}" in done.stdout
    assert "the kernel took only 1000 now" in done.stdout
    recorded = fake_kernel.root / "etc/sysctl.d/91-pgplanner-minimums.conf"
    assert f"vm.nr_hugepages={want}\n" in recorded.read_text()  # the full count, for the next boot
    fake_kernel.set("vm.nr_hugepages", want + 500)  # a larger reservation (another cluster) stays
    again = fake_kernel.run(tmp_path / "raise-limits.sh")
    assert f"ok     vm.nr_hugepages = {want + 500}" in again.stdout
    assert fake_kernel.get("vm.nr_hugepages") == want + 500

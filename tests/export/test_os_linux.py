"""os/linux: exact sysctls, floors that only raise, limits.d and systemd drop-ins."""

from __future__ import annotations

from pathlib import Path

from pgplanner.export.os_linux import render_linux

from .helpers import active, comment_above, plan_for, prose


def _files(**inputs):
    return render_linux(plan_for(**inputs))


def test_exact_values_in_sysctl_d():
    result = plan_for(ram="64GB", shared_buffers="16GB")
    text = render_linux(result)["os/linux/sysctl.d/90-pgplanner.conf"]
    assert active(text) == {
        "vm.overcommit_memory": "2",
        "vm.overcommit_ratio": str(result.kernel["linux"]["vm.overcommit_ratio"]),
        "vm.nr_hugepages": str(result.kernel["linux"]["vm.nr_hugepages"]),
    }
    assert "huge pages = shared memory / 2 MB, rounded up; shared memory = (shared_buffers" in " ".join(
        comment_above(text, "vm.nr_hugepages").split()
    )


def test_floors_the_stock_kernel_exceeds_are_comments_only():
    text = _files()["os/linux/sysctl-minimums.conf"]
    assert active(text) == {}
    assert "fs.file-max: at least 8,100 is needed and the stock system already has" in prose(text)


def test_needed_floors_are_written_with_their_derivation():
    text = _files(ram="256MB", max_connections=5000)["os/linux/sysctl-minimums.conf"]
    floors = active(text)
    assert set(floors) == {"fs.file-max", "net.core.somaxconn"}
    assert floors["net.core.somaxconn"] == "10000"
    assert "listen queue = 2 x max_connections" in comment_above(text, "net.core.somaxconn")
    assert "raise-limits.sh does that" in comment_above(text, "fs.file-max")


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

"""The bundle: which files, and writing it whole or not at all."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from pgplanner.export import atomic
from pgplanner.export.bundle import bundle_files, export_bundle, write_bundle
from pgplanner.model import PLATFORMS, ProviderPlan, Scenario, plan
from pgplanner.model.serialization import InputError, scenario_from_json

from .helpers import plan_for

CORE = {
    "README.md",
    "scenario.json",
    "plan.json",
    "postgresql/postgresql.conf",
    "postgresql/alter_system.sql",
    "report.html",
}


def test_default_bundle_for_pgbouncer_on_linux():
    files = bundle_files(plan_for())
    assert CORE | {"pgbouncer/pgbouncer.ini", "pgbouncer/userlist.txt.example"} <= set(files)
    assert {p.split("/")[1] for p in files if p.startswith("os/")} == {"linux"}
    assert not any(p.startswith(("pgcat/", "provider/")) for p in files)


def test_every_bundle_carries_the_report_and_the_readme_names_it():
    files = bundle_files(plan_for(pooler="none"))
    report = files["report.html"].decode()
    assert report.startswith("<!DOCTYPE html>") and report.count("<svg") == 3
    assert "report.html" in files["README.md"].decode()


def test_pooler_choice_decides_the_pooler_folder():
    assert not any(p.startswith(("pgbouncer/", "pgcat/")) for p in bundle_files(plan_for(pooler="none")))
    assert "pgcat/pgcat.toml" in bundle_files(plan_for(pooler="pgcat"))


def test_platforms_select_os_folders():
    every = bundle_files(plan_for(), platforms=PLATFORMS)
    assert {p.split("/")[1] for p in every if p.startswith("os/")} == set(PLATFORMS)
    assert not any(p.startswith("os/") for p in bundle_files(plan_for(), platforms=()))
    with pytest.raises(InputError, match="--platform: must be one of"):
        bundle_files(plan_for(), platforms=["solaris"])


def test_a_managed_service_gets_its_provider_folder_and_no_os_folder():
    provider = ProviderPlan(
        provider="aws-rds", plan="db.m6g.large", vcpus=2, ram="8GB", max_connections=901, hard_limit=False
    )
    result = plan(Scenario.model_validate({**Scenario().model_dump(), "provider": provider.model_dump()}))
    files = bundle_files(result)
    assert "provider/aws-rds/README.md" in files
    assert not any(p.startswith("os/") for p in files)
    assert "provider/aws-rds/README.md" in files["README.md"].decode()


def test_scenario_and_plan_json_round_trip():
    result = plan_for(cores=16, ram="64GB", listeners=20)
    files = bundle_files(result)
    assert scenario_from_json(files["scenario.json"]) == result.scenario
    assert json.loads(files["plan.json"]) == result.to_json_dict()


def test_readme_has_summary_budget_and_ordered_steps():
    result = plan_for(listeners=20)
    readme = bundle_files(result)["README.md"].decode()
    assert f"**max_connections = {result.max_connections} (required" in readme
    assert "| LISTEN listeners | 20 | max_connections |" in readme
    assert f"| **required** | **{result.max_connections_required}** |" in readme
    steps = readme.split("## Apply in this order")[1]
    assert steps.index("os/linux/README.md") < steps.index("postgresql/postgresql.conf") < steps.index("pgbouncer.ini")
    assert "`pgbouncer/userlist.txt.example`: the auth_file format, without secrets" in readme


def test_extra_files_join_the_bundle_but_cannot_replace_or_escape_it():
    png = b"\x89PNG\r\n\x1a\n"
    files = bundle_files(plan_for(), extra_files={"plots/throughput.png": png})
    assert files["plots/throughput.png"] == png
    assert "`plots/throughput.png`: the plan's charts" in files["README.md"].decode()
    for bad in ("plan.json", "README.md", "../evil.png", "/etc/passwd", "plots/../x", "a\\b"):
        with pytest.raises(InputError, match="extra bundle file"):
            bundle_files(plan_for(), extra_files={bad: png})


def test_nothing_secret_is_written():
    files = bundle_files(plan_for(), platforms=PLATFORMS)
    for path, data in files.items():
        text = data.decode("utf-16") if path.endswith(".reg") else data.decode("utf-8-sig")
        assert "password =" not in text.lower().replace('admin_password = "<set a password>"', "")
        for secret in re.findall(r'"SCRAM-SHA-256\$[^"]*"', text):
            assert "<salt>" in secret


# Writing -----------------------------------------------------------------------------------------


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_writes_a_directory_or_a_zip(tmp_path: Path, name: str):
    files = bundle_files(plan_for())
    written = export_bundle(plan_for(), tmp_path / name)
    assert written == tmp_path / name
    if name.endswith(".zip"):
        with zipfile.ZipFile(written) as archive:
            assert sorted(archive.namelist()) == sorted(files)
            assert archive.read("postgresql/postgresql.conf") == files["postgresql/postgresql.conf"]
            script = archive.getinfo("os/linux/raise-limits.sh")
            assert (script.external_attr >> 16) & 0o111
    else:
        assert sorted(str(p.relative_to(written)) for p in written.rglob("*") if p.is_file()) == sorted(files)
        assert os.access(written / "os/linux/raise-limits.sh", os.X_OK)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no staging copy left


def test_bundle_directory_has_the_usual_permissions(tmp_path: Path):
    written = export_bundle(plan_for(), tmp_path / "bundle")
    mask = os.umask(0o022)
    os.umask(mask)
    assert written.stat().st_mode & 0o777 == 0o777 & ~mask
    assert (written / "plan.json").stat().st_mode & 0o777 == 0o666 & ~mask


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_an_existing_target_needs_force(tmp_path: Path, name: str):
    target = tmp_path / name
    export_bundle(plan_for(cores=4), target)
    before = target.stat().st_mtime_ns, _listing(tmp_path)
    with pytest.raises(InputError, match="already exists; add --force to replace it"):
        export_bundle(plan_for(cores=16), target)
    assert (target.stat().st_mtime_ns, _listing(tmp_path)) == before
    export_bundle(plan_for(cores=16), target, force=True)
    plan_json = (
        zipfile.ZipFile(target).read("plan.json") if name.endswith(".zip") else (target / "plan.json").read_bytes()
    )
    assert json.loads(plan_json)["scenario"]["hardware"]["cores"] == 16
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


@pytest.mark.parametrize("name", ["important", "important.zip"])
def test_force_never_replaces_something_that_is_not_a_bundle(tmp_path: Path, name: str):
    target = tmp_path / name
    if name.endswith(".zip"):
        target.write_bytes(b"my data")
    else:
        target.mkdir()
        (target / "thesis.tex").write_text("years of work")
    with pytest.raises(InputError, match="is not a pgplanner bundle; not replacing it, even with --force"):
        export_bundle(plan_for(), target, force=True)
    assert (target.read_bytes() if target.is_file() else (target / "thesis.tex").read_bytes()) in (
        b"my data",
        b"years of work",
    )


def test_missing_parent_folder(tmp_path: Path):
    with pytest.raises(InputError, match="does not exist"):
        export_bundle(plan_for(), tmp_path / "no" / "such" / "bundle")


@pytest.fixture
def read_only_dir(tmp_path: Path):
    """A directory nobody may write to, root included (root ignores mode bits, not the immutable flag)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        yield folder
        subprocess.run(["chattr", "-i", str(folder)], check=True)
        return
    yield Path("/sys")  # the kernel refuses new entries in sysfs to everyone


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_read_only_folder(read_only_dir: Path, name: str):
    with pytest.raises(InputError, match=r"cannot write .*: (Permission denied|Operation not permitted)"):
        export_bundle(plan_for(), read_only_dir / name)
    assert not (read_only_dir / name).exists()


@pytest.mark.parametrize("name, fail_at", [("bundle", 1), ("bundle", 5), ("bundle.zip", 1)])
def test_full_disk_leaves_nothing_behind(tmp_path: Path, monkeypatch, name: str, fail_at: int):
    """ENOSPC on the n-th file: no bundle, no staging directory, and an old bundle survives intact."""
    target = tmp_path / name
    export_bundle(plan_for(cores=4), target)
    old = zipfile.ZipFile(target).read("plan.json") if name.endswith(".zip") else (target / "plan.json").read_bytes()
    real_write, calls = atomic._write_durably, []

    def write(path, data, **kwargs):
        calls.append(path)
        if len(calls) >= fail_at:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write(path, data, **kwargs)

    monkeypatch.setattr(atomic, "_write_durably", write)
    with pytest.raises(InputError, match=f"cannot write {target}: No space left on device"):
        export_bundle(plan_for(cores=16), target, force=True)
    assert [p.name for p in tmp_path.iterdir()] == [name]
    now = zipfile.ZipFile(target).read("plan.json") if name.endswith(".zip") else (target / "plan.json").read_bytes()
    assert now == old


def test_a_failed_swap_puts_the_old_bundle_back(tmp_path: Path, monkeypatch):
    target = tmp_path / "bundle"
    export_bundle(plan_for(cores=4), target)
    real_rename, renames = os.rename, []

    def rename(source, destination):
        renames.append(destination)
        if len(renames) == 2:  # the new bundle into place
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_rename(source, destination)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(InputError, match="Input/output error"):
        export_bundle(plan_for(cores=16), target, force=True)
    assert json.loads((target / "plan.json").read_bytes())["scenario"]["hardware"]["cores"] == 4
    assert [p.name for p in tmp_path.iterdir()] == ["bundle"]


def test_a_target_that_appears_meanwhile_is_not_overwritten(tmp_path: Path, monkeypatch):
    target = tmp_path / "bundle.zip"
    real_stage = atomic._stage_file

    def stage_then_race(where, data, executable):
        staged = real_stage(where, data, executable)
        target.write_bytes(b"someone else's")
        return staged

    monkeypatch.setattr(atomic, "_stage_file", stage_then_race)
    with pytest.raises(InputError, match="appeared while the bundle was written"):
        write_bundle({"plan.json": b"{}"}, target)
    assert target.read_bytes() == b"someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["bundle.zip"]


def test_a_managed_plan_gets_only_what_its_provider_lets_a_user_set():
    """RDS: no postgresql.conf for conf.d, no ALTER SYSTEM (the master user is no superuser), no pg_hba.conf, no
    kernel settings, even when every platform is asked for; PgBouncer, run by the user, points at the endpoint."""
    from ..scenarios import preset

    result = plan(preset("aws-rds/db.m6i.2xlarge", server_host="db1.abc.eu-west-1.rds.amazonaws.com"))
    files = bundle_files(result, platforms=PLATFORMS)
    assert not any(p.startswith(("postgresql/", "os/")) for p in files)
    assert {"provider/aws-rds/README.md", "pgbouncer/pgbouncer.ini"} <= set(files)
    # 250 clients fit systemd's stock 1,024 descriptors: no line that would lower it
    assert "pgbouncer/pgbouncer.service.d/90-pgplanner.conf" not in files
    many = bundle_files(plan(preset("aws-rds/db.m6i.2xlarge", clients=1500)), platforms=PLATFORMS)
    assert "LimitNOFILE=2" in many["pgbouncer/pgbouncer.service.d/90-pgplanner.conf"].decode()  # 1,800 + ..., x 1.1
    assert "host=db1.abc.eu-west-1.rds.amazonaws.com" in files["pgbouncer/pgbouncer.ini"].decode()
    readme = files["README.md"].decode()
    steps = readme[readme.index("## Apply in this order") : readme.index("## Files")]
    assert "conf.d" not in steps.replace("no postgresql.conf to copy", "")
    assert "alter_system.sql" not in steps and "as a superuser" not in steps
    assert "provider/aws-rds/README.md" in steps


def test_a_self_managed_bundle_has_its_pg_hba_conf():
    files = bundle_files(plan_for())
    assert "postgresql/pg_hba.conf" in files
    readme = files["README.md"].decode()
    assert "`postgresql/pg_hba.conf`" in readme and "pg_hba_file_rules" in readme


def test_several_pgbouncer_processes_bring_their_unit_and_readme():
    files = bundle_files(plan_for(cores=96, ram="768GB", storage="nvme", clients=5000))
    pgbouncer = {p for p in files if p.startswith("pgbouncer/")}
    assert pgbouncer == {
        "pgbouncer/pgbouncer-1.ini",
        "pgbouncer/pgbouncer-2.ini",
        "pgbouncer/pgbouncer-3.ini",
        "pgbouncer/pgbouncer@.service",
        "pgbouncer/README.md",
        "pgbouncer/userlist.txt.example",
    }
    assert not any("pgbouncer.service.d" in p for p in files)  # the template unit carries the file limit
    readme = files["README.md"].decode()
    assert "3 processes share port 6432; follow `pgbouncer/README.md`" in readme
    assert "- `pgbouncer/pgbouncer-2.ini`: PgBouncer process 2" in readme

"""The config bundle: every artifact of a plan, written to a directory or a zip file whole or not at all.

Writing goes through ``atomic`` (staged beside the target, renamed into place only when every byte
is on disk): a failure at any point (no permission, a full disk) leaves the folder as it was. An
existing target is replaced only with ``force``, and even then only when it is a previous bundle (it
has plan.json and scenario.json at its top): a typo such as ``--out . --force`` must never delete a
directory that pgplanner did not write.
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

from ..model import PLATFORMS, Plan
from ..model.serialization import InputError, scenario_to_json
from ..present import blocking_errors
from ..present.report import render_html_report
from .alter_system import render_alter_system
from .atomic import write_file_atomically, write_tree_atomically
from .blocking import BlockingPlan, mark_blocked_values
from .os_freebsd import render_freebsd
from .os_linux import render_linux
from .os_macos import render_macos
from .os_windows import render_windows
from .pg_hba import render_pg_hba
from .pgbouncer_ini import Version, render_pgbouncer_files
from .pgcat_toml import render_pgcat_toml
from .postgresql_conf import render_postgresql_conf
from .provider import render_provider
from .readme import render_readme

PLATFORM_RENDERERS: dict[str, Callable[[Plan], Mapping[str, str | bytes]]] = {
    "linux": render_linux,
    "macos": render_macos,
    "freebsd": render_freebsd,
    "windows": render_windows,
}
BUNDLE_MARKERS = ("plan.json", "scenario.json")  # what makes a directory or zip a previous bundle
EXECUTABLE = ".sh"


def default_platforms(plan: Plan) -> tuple[str, ...]:
    """The scenario's platform; none for a managed service, whose kernel the provider runs."""
    return () if plan.scenario.provider else (plan.scenario.hardware.platform,)


def managed(plan: Plan) -> bool:
    """A managed service takes only what its provider lets a user set (provider/<provider>/): no server files,
    no ALTER SYSTEM (the user is no superuser), no pg_hba.conf and no kernel settings."""
    return plan.scenario.provider is not None


def bundle_files(
    plan: Plan,
    *,
    platforms: Iterable[str] | None = None,
    extra_files: Mapping[str, bytes] | None = None,
    pgbouncer_version: Version | None = None,
) -> dict[str, bytes]:
    """Every file of the bundle by its path inside it.

    ``extra_files`` are pre-rendered files the caller adds (the window's plots, ``plots/*.png``);
    they may not replace a generated file. ``pgbouncer_version`` activates keys of later PgBouncer
    releases in pgbouncer.ini.
    """
    chosen = default_platforms(plan) if platforms is None else tuple(platforms)
    unknown = sorted(set(chosen) - set(PLATFORMS))
    if unknown:
        raise InputError(f"--platform: must be one of {', '.join(PLATFORMS)} or all (got {unknown[0]!r})")
    texts: dict[str, str | bytes] = {
        "scenario.json": scenario_to_json(plan.scenario),
        "plan.json": json.dumps(plan.to_json_dict(), indent=2) + "\n",
    }
    if not managed(plan):
        texts["postgresql/postgresql.conf"] = render_postgresql_conf(plan)
        texts["postgresql/alter_system.sql"] = render_alter_system(plan)
        texts["postgresql/pg_hba.conf"] = render_pg_hba(plan)
    if plan.scenario.pooler.kind == "pgbouncer":
        pgbouncer = render_pgbouncer_files(plan, pgbouncer_version)
        texts.update({f"pgbouncer/{name}": text for name, text in pgbouncer.items()})
    elif plan.scenario.pooler.kind == "pgcat":
        texts["pgcat/pgcat.toml"] = render_pgcat_toml(plan)
    for platform in PLATFORMS:  # in a stable order, whatever order they were asked in
        if platform in chosen and not managed(plan):
            texts.update(PLATFORM_RENDERERS[platform](plan))
    texts.update(render_provider(plan))
    errors = blocking_errors(plan)
    files = {
        path: data if isinstance(data, bytes) else mark_blocked_values(path, data, errors).encode()
        for path, data in texts.items()
    }
    for path, data in (extra_files or {}).items():
        _check_extra_path(path, files)
        files[path] = bytes(data)
    files["report.html"] = render_html_report(plan).encode()
    files["README.md"] = render_readme(plan, [*files, "README.md"]).encode()
    return files


def export_bundle(
    plan: Plan,
    target: str | os.PathLike[str],
    *,
    platforms: Iterable[str] | None = None,
    force: bool = False,
    extra_files: Mapping[str, bytes] | None = None,
    allow_blocking: bool = False,
) -> Path:
    """Render and write the bundle; a target ending in .zip becomes a zip file, anything else a directory.

    A plan with blocking errors is refused (:class:`BlockingPlan`, nothing written) unless
    ``allow_blocking``; then the files carry the errors beside the values they concern.
    """
    errors = blocking_errors(plan)
    if errors and not allow_blocking:
        raise BlockingPlan(errors)
    return write_bundle(bundle_files(plan, platforms=platforms, extra_files=extra_files), target, force=force)


def write_bundle(files: Mapping[str, bytes], target: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``files`` to ``target`` atomically; every failure is an InputError with a one-line message."""
    target = Path(target).absolute()
    if not target.name:
        raise InputError(f"{target}: not a place for a bundle; name a directory or a .zip file")
    try:
        _write_atomically(files, target, force)
    except OSError as error:
        raise InputError(f"cannot write {target}: {error.strerror or error}") from None
    return target


def _write_atomically(files: Mapping[str, bytes], target: Path, force: bool) -> None:
    as_zip = target.suffix.lower() == ".zip"
    if not target.parent.is_dir():
        raise InputError(f"{target}: the folder {target.parent} does not exist")
    exists = target.exists() or target.is_symlink()
    if exists and not force:
        raise InputError(f"{target} already exists; add --force to replace it")
    if exists and not _is_previous_bundle(target, as_zip):
        raise InputError(f"{target} exists and is not a pgplanner bundle; not replacing it, even with --force")
    try:
        if as_zip:
            write_file_atomically(target, _zip_bytes(files), replace=exists)
        else:
            write_tree_atomically(files, target, replace=exists, executable=lambda path: path.endswith(EXECUTABLE))
    except OSError as error:
        if error.errno == errno.EEXIST or (error.errno == errno.ENOTEMPTY and not exists):
            raise InputError(f"{target} appeared while the bundle was written; nothing was changed") from None
        raise


def _check_extra_path(path: str, files: Mapping[str, bytes]) -> None:
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or "\\" in path or any(p in ("", ".", "..") for p in parts):
        raise InputError(f"extra bundle file {path!r}: must be a relative path inside the bundle")
    if path in files or path == "README.md":
        raise InputError(f"extra bundle file {path!r}: would replace a generated file")


def _is_previous_bundle(target: Path, as_zip: bool) -> bool:
    if target.is_symlink():
        return False
    if as_zip:
        if not target.is_file() or not zipfile.is_zipfile(target):
            return False
        with zipfile.ZipFile(target) as archive:
            names = set(archive.namelist())
        return all(marker in names for marker in BUNDLE_MARKERS)
    return target.is_dir() and all((target / marker).is_file() for marker in BUNDLE_MARKERS)


def _zip_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(files.items()):
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if path.endswith(EXECUTABLE) else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            archive.writestr(info, data)
    return buffer.getvalue()

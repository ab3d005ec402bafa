"""os/linux: sysctl.d, a floor file with its raise script, tmpfiles.d, limits.d and systemd drop-ins.

Linux uses POSIX semaphores (PostgreSQL 10+), so there is nothing System V to tune. What matters is
the memory policy (overcommit, swappiness, dirty-page thresholds: exact values; transparent huge pages
through tmpfiles.d), the huge-page reservation, system-wide files and the listen queue (floors, which
raise-limits.sh only ever raises), and the per-service limits systemd applies: services ignore
limits.conf, which only covers PAM sessions.
"""

from __future__ import annotations

from ..model import Derivation, KernelSetting, Plan
from ..model.derivation import n
from ..model.versions import has_shared_memory_size
from .comments import Verbatim, explain, named
from .kernel_lines import setting_lines, settings_of, skipped
from .raise_script import FloorFile, render_raise_script

SYSTEMD_HARD_NOFILE = 524288  # systemd's default hard RLIMIT_NOFILE: a floor on the soft limit keeps it
FLOORS = "sysctl-minimums.conf"
FLOORS_TARGET = "/etc/sysctl.d/91-pgplanner-minimums.conf"
THP_FILE = "tmpfiles.d/90-pgplanner-thp.conf"
UNITS = {"pgbouncer": "pgbouncer.service", "pgcat": "pgcat.service"}


def render_linux(plan: Plan) -> dict[str, str]:
    sysctl = settings_of(plan, "linux", "sysctl")
    exact = [s for s in sysctl if not s.minimum]
    floors = [s for s in sysctl if s.minimum]
    files = {
        "sysctl.d/90-pgplanner.conf": _file(
            plan,
            [
                "Exact values for /etc/sysctl.d/; apply with: sysctl --system. The memory policy of the machine: "
                "overcommit, swappiness and the dirty-page thresholds apply to every program on it, so a line "
                "a desktop should keep as it is stays a comment.",
            ],
            setting_lines(exact),
        ),
        THP_FILE: _thp_file(plan),
        FLOORS: _file(
            plan,
            [
                f"Floors, not values: install them with raise-limits.sh, which records in {FLOORS_TARGET} only "
                "those the running kernel has less of. Copying this file as is could lower a limit.",
            ],
            setting_lines(floors),
        ),
        "raise-limits.sh": render_raise_script("Linux", [FloorFile(FLOORS, FLOORS_TARGET, live=True)]),
        "limits.d/90-pgplanner-postgres.conf": _limits_conf(plan),
        "systemd/postgresql@.service.d/90-pgplanner.conf": _postgresql_dropin(plan),
    }
    # Several PgBouncer processes run from pgbouncer/pgbouncer@.service, which carries their file limit itself.
    unit = UNITS.get(plan.scenario.pooler.kind) if plan.pooler_processes == 1 else None
    if unit:
        files[f"systemd/{unit}.d/90-pgplanner.conf"] = _pooler_dropin(plan, unit)
    files["README.md"] = _readme(plan, unit)
    return {f"os/linux/{path}": text for path, text in files.items()}


def _file(plan: Plan, intro: list[str], lines: list[str]) -> str:
    header = explain("#", [f"pgplanner: Linux settings{named(plan)}.", *intro])
    return "\n".join([*header, *lines]) + "\n"


def _thp_file(plan: Plan) -> str:
    """Transparent huge pages: a sysfs file, not a sysctl; systemd-tmpfiles writes it at every boot."""
    [thp] = settings_of(plan, "linux", "tmpfiles")
    if thp.needed:
        lines = ["", *explain("#", [thp.derivation]), f"w {thp.name} - - - - {thp.value}"]
    else:
        lines = ["", *explain("#", [thp.derivation, skipped(thp)])]
    intro = [
        "For /etc/tmpfiles.d/: systemd-tmpfiles writes it at boot; to apply it now:",
        Verbatim(f"systemd-tmpfiles --create /etc/{THP_FILE}"),
        f"(or boot with transparent_hugepage={thp.value}). Check: cat {thp.name}",
    ]
    return _file(plan, intro, lines)


def _by_name(plan: Plan) -> dict[str, KernelSetting]:
    return {s.name: s for s in settings_of(plan, "linux")}


def _limits_conf(plan: Plan) -> str:
    settings = _by_name(plan)
    lines: list[str] = []
    for item in ("nofile", "nproc"):
        s = settings[f"limits.postgres.{item}"]
        lines.append("")
        if s.needed:
            lines += explain("#", [s.derivation, "soft limit only: the hard limit stays where the system has it"])
            lines.append(f"postgres soft {item} {s.value}")
        else:
            lines += explain("#", [s.derivation, skipped(s)])
    intro = [
        "For /etc/security/limits.d/: applies to PAM sessions of the postgres user (su, cron, ssh), not to "
        "systemd services; those take the drop-ins in systemd/."
    ]
    return _file(plan, intro, lines)


def _postgresql_dropin(plan: Plan) -> str:
    settings = _by_name(plan)
    lines = ["[Service]"]
    lines += _limit(settings["systemd.postgresql.LimitNOFILE"], "LimitNOFILE")
    lines += _limit(settings["systemd.postgresql.TasksMax"], "TasksMax")
    lines += [
        "",
        *explain(
            "#",
            [
                "keep the postmaster away from the OOM killer and let each backend go back to 0 "
                "(PostgreSQL docs, Linux Memory Overcommit)",
            ],
        ),
        "OOMScoreAdjust=-1000",
        "Environment=PG_OOM_ADJUST_FILE=/proc/self/oom_score_adj PG_OOM_ADJUST_VALUE=0",
    ]
    intro = [
        f"Drop-in for every Debian/Ubuntu cluster unit (postgresql@{plan.scenario.hardware.pg_version}-main and "
        "the like): "
        "/etc/systemd/system/postgresql@.service.d/; for another unit name use systemctl edit UNIT. "
        "Then: systemctl daemon-reload and restart the cluster.",
    ]
    return _file(plan, intro, lines)


def _pooler_dropin(plan: Plan, unit: str) -> str:
    lines = ["[Service]", *_limit(_by_name(plan)["systemd.pgbouncer.LimitNOFILE"], "LimitNOFILE")]
    intro = [f"Drop-in for {unit}: /etc/systemd/system/{unit}.d/; then systemctl daemon-reload and restart it."]
    return _file(plan, intro, lines)


def _limit(setting: KernelSetting, directive: str) -> list[str]:
    if not setting.needed:
        return ["", *explain("#", [setting.derivation, skipped(setting)])]
    value = str(setting.value)
    reasons: list[str | Derivation] = [setting.derivation]
    if directive == "LimitNOFILE":
        hard = max(setting.number, SYSTEMD_HARD_NOFILE)
        value = f"{setting.value}:{hard}"
        reasons.append(f"soft {n(setting.number)} raised from systemd's 1,024; hard kept at {n(hard)}")
    return ["", *explain("#", reasons), f"{directive}={value}"]


def _readme(plan: Plan, unit: str | None) -> str:
    settings = _by_name(plan)
    strict = settings["vm.overcommit_memory"].value == 2
    pages = settings["vm.nr_hugepages"]
    version = plan.scenario.hardware.pg_version
    check = (
        "`postgres -D $PGDATA -C shared_memory_size_in_huge_pages`"
        if has_shared_memory_size(version)
        else "the postmaster's anonymous shared segment (`pmap`; 13-14 cannot tell it before start)"
    )
    policy = (
        "strict overcommit (`vm.overcommit_memory = 2`, with `vm.overcommit_ratio` taken against RAM minus the "
        "huge pages)"
        if strict
        else "the kernel's heuristic overcommit (`vm.overcommit_memory = 0`; `--overcommit strict` writes strict)"
    )
    steps = [
        f"`sysctl.d/90-pgplanner.conf` → `/etc/sysctl.d/`, then `sysctl --system`. Exact values: {policy}, "
        "swappiness and the dirty-page thresholds.",
        f"`sh raise-limits.sh --dry-run`, then `sh raise-limits.sh`: raises the floors in `{FLOORS}` (system-wide "
        f"files, listen queue, huge pages) only where this kernel has less, and records them in `{FLOORS_TARGET}`. "
        "Never copy the floor file as is: it could lower a limit.",
        f"`{THP_FILE}` → `/etc/tmpfiles.d/`, then `systemd-tmpfiles --create /etc/{THP_FILE}` (transparent huge "
        "pages).",
        "`limits.d/90-pgplanner-postgres.conf` → `/etc/security/limits.d/` (PAM sessions of `postgres` only).",
        "`systemd/postgresql@.service.d/` → `/etc/systemd/system/postgresql@.service.d/`, then "
        "`systemctl daemon-reload` and restart PostgreSQL.",
    ]
    if unit:
        steps.append(f"`systemd/{unit}.d/` → `/etc/systemd/system/{unit}.d/`, then restart the pooler.")
    numbered = "\n".join(f"{i}. {step}" for i, step in enumerate(steps, 1))
    if pages.needed:
        huge = f"""
Huge pages: `postgresql.conf` sets `huge_pages = on`, so PostgreSQL refuses to start until
`vm.nr_hugepages` is at least {n(pages.number)}: run step 2 before restarting it. Confirm the count with
{check} against `cat /proc/sys/vm/nr_hugepages`; if the kernel could not find that many free pages,
the floor file reserves them at the next boot.
"""
    else:
        huge = f"""
Huge pages: {pages.skip}.
"""
    return f"""# Linux: kernel and service limits

PostgreSQL on Linux uses POSIX semaphores, so there is no System V semaphore tuning. Apply as root, in
this order:

{numbered}
{huge}
Make `postgres` a system user (or set `RemoveIPC=no` in `/etc/systemd/logind.conf`): otherwise
systemd removes PostgreSQL's shared memory when that user's last session ends.
"""

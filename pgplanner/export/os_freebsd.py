"""os/freebsd: sysctl.conf and loader.conf floors and their raise script.

FreeBSD uses POSIX semaphores (no System V tuning). kern.maxproc is a boot-time tunable and lives in
/boot/loader.conf; the other limits change at run time through sysctl. FreeBSD sizes all of them
from RAM (maxusers), so every value is a floor that raise-limits.sh applies only where it raises.
"""

from __future__ import annotations

from ..model import Plan
from .comments import explain, named
from .kernel_lines import setting_lines, settings_of, tight_equals
from .raise_script import FloorFile, render_raise_script

SYSCTL_CONF = "/etc/sysctl.conf"
LOADER_CONF = "/boot/loader.conf"


def quoted(name: str, value: int) -> str:
    return f'{name}="{value}"'


def render_freebsd(plan: Plan) -> dict[str, str]:
    def floors(where: str, target: str, spell) -> str:
        header = explain(
            "#",
            [
                f"pgplanner: FreeBSD {where} floors{named(plan)}. Every value is a minimum: raise-limits.sh records "
                f"in {target} only those the running kernel has less of; copying this file could lower a limit.",
            ],
        )
        return "\n".join([*header, *setting_lines(settings_of(plan, "freebsd", where), spell)]) + "\n"

    files = {
        "sysctl.conf": floors("sysctl", SYSCTL_CONF, tight_equals),
        "loader.conf": floors("loader.conf", LOADER_CONF, quoted),
        "raise-limits.sh": render_raise_script(
            "FreeBSD",
            [
                FloorFile("sysctl.conf", SYSCTL_CONF, live=True),
                FloorFile("loader.conf", LOADER_CONF, live=False, quoted=True),
            ],
        ),
        "README.md": _README,
    }
    return {f"os/freebsd/{path}": text for path, text in files.items()}


_README = f"""# FreeBSD: kernel limits

PostgreSQL uses POSIX semaphores on FreeBSD, so there is no System V semaphore tuning unless
`shared_memory_type = sysv`. Apply as root:

1. `sh raise-limits.sh --dry-run`, then `sh raise-limits.sh`: raises the floors of `sysctl.conf` now
   and records them in `{SYSCTL_CONF}`; `kern.maxproc` (in `loader.conf`) is a boot-time tunable, so it
   is recorded in `{LOADER_CONF}` and takes effect at the next reboot. Values already higher are left alone.
2. Per-login limits for the postgres user come from `/etc/login.conf` (`maxproc`, `openfiles`); rebuild
   the database with `cap_mkdb /etc/login.conf` after editing.
3. In a jail, set `sysvshm=new` if you use `shared_memory_type = sysv`.
"""

"""os/macos: sysctl.conf floors, their raise script, and a LaunchDaemon for launchd's own limits.

PostgreSQL uses System V semaphores on macOS, but xnu already allows 87,381 of them, so those lines
are normally comments. What a thousand connections need (the article "1000 connections in PostgreSQL
on OS X") is more processes and files: kern.* sysctls for the kernel, and launchd's per-process
limits, which the daemons it starts inherit.
/etc/launchd.conf is ignored since OS X 10.10, so a LaunchDaemon raises those limits at boot.
"""

from __future__ import annotations

import plistlib

from ..model import Plan
from .comments import Verbatim, explain, named
from .kernel_lines import setting_lines, settings_of, tight_equals
from .raise_script import FloorFile, render_raise_script

LABEL = "org.pgplanner.limits"
SYSCTL_CONF = "/etc/sysctl.conf"


def render_macos(plan: Plan) -> dict[str, str]:
    header = explain(
        "#",
        [
            f"pgplanner: macOS kernel floors{named(plan)}. Every value is a minimum: raise-limits.sh records in "
            f"{SYSCTL_CONF} only those the running kernel has less of; copying this file as is could lower a "
            "limit (recent Macs scale maxproc and maxfiles with RAM).",
        ],
    )
    files = {
        "sysctl.conf": "\n".join([*header, *setting_lines(settings_of(plan, "macos"), tight_equals)]) + "\n",
        "raise-limits.sh": render_raise_script("macOS", [FloorFile("sysctl.conf", SYSCTL_CONF, live=True)]),
        f"{LABEL}.plist": render_launchd_plist(plan),
        "README.md": _readme(),
    }
    return {f"os/macos/{path}": text for path, text in files.items()}


def render_launchd_plist(plan: Plan) -> str:
    """A LaunchDaemon that raises launchd's maxfiles and maxproc at boot, never lowering them."""
    kernel = {s.name: s for s in settings_of(plan, "macos")}
    files, procs = kernel["kern.maxfilesperproc"], kernel["kern.maxprocperuid"]
    script = _RAISE_LAUNCHD_LIMIT + f"raise_limit maxfiles {files.value}\nraise_limit maxproc {procs.value}\n"
    document = plistlib.dumps(
        {"Label": LABEL, "ProgramArguments": ["/bin/sh", "-c", script], "RunAtLoad": True},
        sort_keys=False,
    ).decode()
    comments = explain(
        "",
        [
            f"pgplanner: raises launchd's limits{named(plan)} for the daemons it starts (PostgreSQL, PgBouncer).",
            "Install:",
            Verbatim(f"sudo cp {LABEL}.plist /Library/LaunchDaemons/"),
            Verbatim(f"sudo chown root:wheel /Library/LaunchDaemons/{LABEL}.plist"),
            Verbatim(f"sudo launchctl load -w /Library/LaunchDaemons/{LABEL}.plist"),
            f"maxfiles soft {files.value}: {files.derivation}",
            f"maxproc {procs.value}: {procs.derivation}",
            "Each limit is raised only when lower; a hard limit below the new soft one is raised with it.",
        ],
    )
    block = "<!--\n" + "\n".join(line.strip() for line in comments).replace("--", "- -") + "\n-->\n"
    head, body = document.split("<plist", 1)
    return head + block + "<plist" + body


_RAISE_LAUNCHD_LIMIT = """raise_limit() {
  set -- "$1" "$2" $(launchctl limit "$1")
  soft=$4 hard=$5
  if [ "$soft" = unlimited ] || [ "$soft" -ge "$2" ]; then return 0; fi
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$2" ]; then hard=$2; fi
  launchctl limit "$1" "$2" "$hard"
}
"""


def _readme() -> str:
    return f"""# macOS: kernel and launchd limits

PostgreSQL uses System V semaphores on macOS; xnu allows 87,381 semaphores and sets, so those lines
in `sysctl.conf` are only comments unless a plan needs more. The limits that matter are processes
and open files (1,000 connections need more of both, as "1000 connections in PostgreSQL on OS X"
found). Apply as an administrator:

1. `sudo sh raise-limits.sh --dry-run`, then `sudo sh raise-limits.sh`: raises the floors in
   `sysctl.conf` only where this Mac has less, now and in `{SYSCTL_CONF}` (read at boot). Never copy
   the file as is: Macs scale `kern.maxproc` and `kern.maxfiles` with RAM, and a line would lower them.
   `kern.maxproc` cannot go above the kernel's hard process limit; if `sysctl` refuses, keep the
   highest value it accepts.
2. `{LABEL}.plist` → `/Library/LaunchDaemons/` (owner root:wheel), then
   `sudo launchctl load -w /Library/LaunchDaemons/{LABEL}.plist`. It raises launchd's `maxfiles`
   and `maxproc` at every boot; `/etc/launchd.conf` is ignored since OS X 10.10.
3. Restart PostgreSQL and PgBouncer so they inherit the limits. Alternatively put
   `SoftResourceLimits`/`HardResourceLimits` (`NumberOfFiles`, `NumberOfProcesses`) into the plist that
   starts PostgreSQL; in a system daemon those also set the matching global sysctls.

Check with `sysctl kern.maxfiles kern.maxfilesperproc kern.maxproc kern.maxprocperuid` and
`launchctl limit`.
"""

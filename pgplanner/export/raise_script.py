"""raise-limits.sh: apply floor files without ever lowering a limit.

sysctl.conf and loader.conf can only state a value, so a file of minimums cannot be installed as is: on
a machine that already allows more, it would lower the limit. This POSIX sh script reads each
``key=value`` floor, compares it with the running value (``sysctl -n``) and only where that is lower
sets it now (or at the next boot, for loader tunables) and records it in the system file, replacing
an earlier line for the same key. It is the same script on Linux, macOS and FreeBSD; only the floor
files and their system files differ.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FloorFile:
    name: str  # the floor file next to the script
    target: str  # the system file the raised values are recorded in
    live: bool  # False for boot-time tunables (FreeBSD loader.conf): recorded, applied at the next boot
    quoted: bool = False  # loader.conf quotes its values


def render_raise_script(platform: str, floors: list[FloorFile]) -> str:
    calls = "\n".join(
        f'raise_from {f.name} "${{PGPLANNER_ROOT:-}}{f.target}" {"now" if f.live else "boot"} '
        f"{'quoted' if f.quoted else 'plain'}"
        for f in floors
    )
    return _SCRIPT.replace("@PLATFORM@", platform).replace("@CALLS@", calls)


_SCRIPT = r"""#!/bin/sh
# pgplanner: raise @PLATFORM@ kernel limits to the floors in this folder; never lower a larger value.
#
#   sudo sh raise-limits.sh --dry-run   show what would change
#   sudo sh raise-limits.sh             raise what is lower, now and in the system files
#
# For every key=value line of a floor file it reads the running value (sysctl -n KEY). If that is
# already at least the floor, nothing happens. Otherwise the value is set now (boot-time tunables
# at the next boot), read back (the kernel may reserve fewer huge pages than asked), and recorded in
# the system file, replacing an earlier line for the same key.
# Running it again changes nothing. PGPLANNER_ROOT=/mnt/target writes the system files below
# another root (for an image being prepared).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dry_run=no
if [ "${1:-}" = "--dry-run" ]; then dry_run=yes; fi

record() { # FILE KEY VALUE: replace KEY's line in FILE (created if missing)
    mkdir -p "$(dirname "$1")"
    touch "$1"
    pattern="^[[:space:]]*$(printf '%s' "$2" | sed 's/\./\\./g')[[:space:]]*="
    grep -v "$pattern" "$1" > "$1.pgplanner-new" || true
    printf '%s=%s\n' "$2" "$3" >> "$1.pgplanner-new"
    cat "$1.pgplanner-new" > "$1"
    rm -f "$1.pgplanner-new"
}

raise_from() { # FLOORS TARGET now|boot plain|quoted
    grep -E '^[[:space:]]*[A-Za-z][A-Za-z0-9_.-]*[[:space:]]*=' "$here/$1" | while IFS= read -r line; do
        key=$(printf '%s' "${line%%=*}" | tr -d ' \t')
        want=$(printf '%s' "${line#*=}" | tr -d ' \t"')
        if ! have=$(sysctl -n "$key" 2>/dev/null); then
            echo "skip   $key: this kernel does not know it"
            continue
        fi
        if [ "$have" -ge "$want" ] 2>/dev/null; then
            echo "ok     $key = $have (at least $want)"
            continue
        fi
        echo "raise  $key: $have -> $want"
        if [ "$dry_run" = yes ]; then continue; fi
        if [ "$3" = now ]; then
            if sysctl "$key=$want" > /dev/null; then
                now=$(sysctl -n "$key" 2>/dev/null || echo 0)
                if [ "$now" -lt "$want" ] 2>/dev/null; then
                    echo "       the kernel took only $now now (for huge pages: too little free memory in one piece);"
                    echo "       the recorded $want applies at the next boot"
                fi
            else
                echo "       could not set $key now; it takes effect at the next boot"
            fi
        else
            echo "       $key is a boot-time tunable: it takes effect at the next boot"
        fi
        if [ "$4" = quoted ]; then record "$2" "$key" "\"$want\""; else record "$2" "$key" "$want"; fi
    done
}

@CALLS@
"""

"""os/windows: the service desktop heap (a .reg file and a PowerShell check) with notes.

Every PostgreSQL backend is a postgres.exe process; under a service they share the non-interactive
desktop heap, the third number of SharedSection in the csrss command line stored in the registry.
When it runs out, backends die with 0xC0000142. The .reg file can only replace the whole value, so
the PowerShell script, which edits only that number and only upwards, is the preferred way.
"""

from __future__ import annotations

from ..model import Plan
from ..model.derivation import n
from .comments import Verbatim, explain, named

KEY = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Control\Session Manager\SubSystems"
# The value on 64-bit Windows 7 to 11 and Server 2008 R2 and later, with the third number to fill in.
CSRSS_LINE = (
    r"%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,{heap} Windows=On "
    r"SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 "
    r"ServerDll=sxssrv,4 ProfileControl=Off MaxRequestThreads=16"
)
HEX_PER_LINE = 25


def render_windows(plan: Plan) -> dict[str, bytes]:
    heap = next(s for s in plan.kernel_settings if s.name == "desktop_heap.non_interactive_kb")
    files = {
        "check-desktop-heap.ps1": _crlf(_check_script(plan, heap.number, str(heap.derivation))).encode("utf-8-sig"),
        "README.md": _readme(heap.number, heap.needed, heap.stock).encode(),
    }
    if heap.needed:
        files["desktop-heap.reg"] = render_desktop_heap_reg(plan, heap.number, str(heap.derivation))
    return {f"os/windows/{path}": data for path, data in files.items()}


def render_desktop_heap_reg(plan: Plan, heap_kb: int, why: str) -> bytes:
    """A regedit file (version 5.00: UTF-16LE with a byte-order mark, CRLF lines)."""
    data = (CSRSS_LINE.format(heap=heap_kb) + "\0").encode("utf-16-le")
    hex_bytes = [f"{b:02x}" for b in data]
    rows = [",".join(hex_bytes[i : i + HEX_PER_LINE]) for i in range(0, len(hex_bytes), HEX_PER_LINE)]
    value = '"Windows"=hex(2):' + ",\\\n  ".join(rows)
    comments = explain(
        ";",
        [
            f"pgplanner: non-interactive desktop heap of {heap_kb} kB for the PostgreSQL service{named(plan)}.",
            why,
            "This replaces the whole Windows value with the 64-bit Windows 7-11 / Server 2008 R2+ default line, "
            f"changing only the third SharedSection number to {heap_kb}. Prefer check-desktop-heap.ps1 -Apply, "
            "which edits only that number of the value this machine has.",
            "Back up the key first, and reboot afterwards:",
            Verbatim(f'reg export "{KEY}" subsystems-backup.reg'),
        ],
    )
    text = "\n".join(["Windows Registry Editor Version 5.00", "", *comments, "", f"[{KEY}]", value, ""])
    return "\ufeff".encode("utf-16-le") + _crlf(text).encode("utf-16-le")


def _check_script(plan: Plan, heap_kb: int, why: str) -> str:
    comments = "\n".join(explain("#", [f"pgplanner: the desktop heap PostgreSQL's service needs{named(plan)}.", why]))
    registry_path = KEY.replace("HKEY_LOCAL_MACHINE", "HKLM:")
    return f"""<#
.SYNOPSIS
Checks the non-interactive desktop heap that PostgreSQL's backends share under a service, and with
-Apply raises it (never lowers it). Run as Administrator; reboot after -Apply.
#>
{comments}
param([switch]$Apply)
$ErrorActionPreference = 'Stop'
$Needed = {heap_kb}
$Key = '{registry_path}'
$Value = (Get-Item -Path $Key).GetValue('Windows', $null, 'DoNotExpandEnvironmentNames')
if ($Value -notmatch 'SharedSection=(\\d+),(\\d+),(\\d+)') {{
    Write-Error "No SharedSection=a,b,c in $Key\\Windows; edit it by hand."
    exit 2
}}
$Current = [int]$Matches[3]
if ($Current -ge $Needed) {{
    Write-Output "OK: the non-interactive desktop heap is $Current kB; PostgreSQL needs at least $Needed kB."
    exit 0
}}
Write-Output "LOW: the non-interactive desktop heap is $Current kB; PostgreSQL needs at least $Needed kB."
if (-not $Apply) {{
    Write-Output 'Run again with -Apply (as Administrator) to raise it, then reboot.'
    exit 1
}}
$Backup = Join-Path $PSScriptRoot 'subsystems-backup.reg'
& reg.exe export '{KEY}' $Backup /y | Out-Null
$New = $Value -replace 'SharedSection=(\\d+),(\\d+),(\\d+)', ('SharedSection=$1,$2,' + $Needed)
Set-ItemProperty -Path $Key -Name 'Windows' -Value $New -Type ExpandString
Write-Output "Raised to $Needed kB (backup: $Backup). Reboot for it to take effect."
"""


def _readme(heap_kb: int, needed: bool, stock: int | None) -> str:
    heap = (
        f"Run `check-desktop-heap.ps1` (as Administrator). The plan needs at least {n(heap_kb)} kB of "
        "non-interactive desktop heap; `-Apply` raises the third `SharedSection` number to that, after "
        "exporting a backup, and only if it is lower. `desktop-heap.reg` does the same by replacing the whole "
        "value with the default 64-bit line: use it only where the script cannot run. Reboot afterwards."
        if needed
        else f"The plan needs {n(heap_kb)} kB of non-interactive desktop heap and Windows' default "
        f"{n(stock or 0)} kB is enough: `check-desktop-heap.ps1` confirms it, no change is written."
    )
    return f"""# Windows: desktop heap and services

Each PostgreSQL backend is a `postgres.exe` process. Under a service they share the non-interactive
desktop heap (the third number of `SharedSection` in
`{KEY}\\Windows`); when it runs out, new backends die with exception 0xC0000142.

1. {heap}
2. Prefer a pooler over many backends: PgBouncer runs as a Windows service with
   `pgbouncer.exe --regservice pgbouncer.ini` (`ulimit`/descriptor limits do not apply on Windows).
3. For `huge_pages = on` or `try` to use large pages, give the service account the
   "Lock pages in memory" right (gpedit.msc).
4. Clients that connect and disconnect at a high rate can run out of ephemeral TCP ports ("No buffer
   space available"); pooling fixes that too.
"""


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")

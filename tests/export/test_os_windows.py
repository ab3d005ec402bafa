"""os/windows: the desktop heap .reg file (UTF-16LE, regedit 5.00) and the PowerShell check."""

from __future__ import annotations

import re

from pgplanner.export.os_windows import KEY, render_windows

from .helpers import plan_for

BIG = {"platform": "windows", "max_connections": 2000}


def _reg_value(data: bytes) -> tuple[str, str]:
    assert data.startswith(b"\xff\xfe")  # UTF-16LE byte-order mark, as regedit writes
    text = data[2:].decode("utf-16-le")
    hex_part = re.search(r'"Windows"=hex\(2\):(.*?)\r\n\r\n?', text + "\r\n", re.S).group(1)
    raw = bytes(int(b, 16) for b in re.findall(r"[0-9a-f]{2}", hex_part.replace("\\\r\n", "")))
    return text, raw.decode("utf-16-le")


def test_reg_file_header_encoding_and_value():
    result = plan_for(**BIG)
    heap = result.kernel["windows"]["desktop_heap.non_interactive_kb"]
    text, value = _reg_value(render_windows(result)["os/windows/desktop-heap.reg"])
    lines = text.split("\r\n")
    assert lines[0] == "Windows Registry Editor Version 5.00"
    assert "\n" not in text.replace("\r\n", "")  # CRLF only
    assert f"[{KEY}]" in lines
    assert value.endswith("\0")
    assert f"SharedSection=1024,20480,{heap} " in value
    assert value.startswith(r"%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows")
    assert all(line.startswith(";") or not line.startswith(" ") or line.startswith("  ") for line in lines)
    assert "desktop heap = processes x ~1 kB x 1.25" in text


def test_no_reg_file_when_the_default_heap_suffices():
    files = render_windows(plan_for(platform="windows"))
    assert "os/windows/desktop-heap.reg" not in files
    assert "default 768 kB is enough" in files["os/windows/README.md"].decode()


def test_powershell_check_only_raises_and_backs_up():
    result = plan_for(**BIG)
    script = render_windows(result)["os/windows/check-desktop-heap.ps1"]
    assert script.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Windows PowerShell 5.1 reads it as UTF-8
    text = script.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    heap = result.kernel["windows"]["desktop_heap.non_interactive_kb"]
    assert f"$Needed = {heap}" in text
    assert "if ($Current -ge $Needed)" in text
    assert "reg.exe export" in text.split("Set-ItemProperty")[0]
    assert text.index("param(") < text.index("$ErrorActionPreference")

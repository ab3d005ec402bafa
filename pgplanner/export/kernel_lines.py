"""Kernel settings as config lines: exact values as written, minimums only where they raise a limit.

A minimum ("at least N") at or below what the stock system already has is never written as a key:
a sysctl.conf line sets a value, it cannot say "at least", so writing it would lower the limit. Such
settings stay as a comment that says why nothing is needed, as do settings the plan leaves out (strict
overcommit's ratio under the heuristic, huge pages below the size they are reserved from). Minimums
that are needed go into floor files, which raise-limits.sh applies only where the running value is lower.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..model import KernelSetting, Plan
from ..model.derivation import n
from .comments import explain

Spelling = Callable[[str, int | str], str]


def settings_of(plan: Plan, platform: str, where: str | None = None) -> list[KernelSetting]:
    return [s for s in plan.kernel_settings if s.platform == platform and where in (None, s.where)]


def equals(name: str, value: int | str) -> str:
    return f"{name} = {value}"


def tight_equals(name: str, value: int | str) -> str:
    """BSD and macOS sysctl.conf: no spaces around '='."""
    return f"{name}={value}"


def setting_lines(settings: Iterable[KernelSetting], spell: Spelling = equals, marker: str = "#") -> list[str]:
    """Each setting under its derivation; a minimum that is not needed stays a comment."""
    lines: list[str] = []
    for s in settings:
        lines.append("")
        if s.needed:
            lines += explain(marker, [s.derivation, *_floor_note(s)])
            lines.append(spell(s.name, s.value))
        else:
            lines += explain(marker, [s.derivation, skipped(s)])
    return lines


def skipped(setting: KernelSetting) -> str:
    """Why nothing is written: the plan's own reason, or a stock system that already has enough."""
    if setting.skip:
        return f"{setting.name}: {setting.skip}"
    return (
        f"{setting.name}: at least {n(setting.number)} is needed and the stock system already has "
        f"{n(setting.stock or 0)} or more, so nothing is written (a line would lower the limit)"
    )


def _floor_note(setting: KernelSetting) -> list[str]:
    if not setting.minimum:
        return []
    stock = f" (stock: {n(setting.stock)})" if setting.stock is not None else ""
    return [f"a floor{stock}: apply it only where the running value is lower; raise-limits.sh does that"]

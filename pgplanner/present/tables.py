"""The budget and kernel tables as rows of words, for a text table, a Markdown table or a widget."""

from __future__ import annotations

from typing import NamedTuple

from ..model import Derivation, KernelSetting, Plan
from ..model.derivation import n


class BudgetRow(NamedTuple):
    """A line of the connection budget table. A named tuple, as is :class:`KernelRow`: cheaper than a frozen
    dataclass to create at import and to build, and the tables are made again for every plan shown."""

    name: str
    connections: str
    counts_against: str
    why: str
    total: bool = False  # the required sum or the chosen max_connections


def budget_rows(plan: Plan) -> list[BudgetRow]:
    """Every budget line, then the required sum and max_connections."""
    rows = [BudgetRow(b.name, n(b.connections), b.counts_against, b.why) for b in plan.budget]
    rows.append(
        BudgetRow("required", n(plan.max_connections_required), "max_connections", "sum of the lines", total=True)
    )
    headroom = plan.headroom
    rows.append(
        BudgetRow(
            "max_connections",
            n(plan.max_connections),
            "",
            f"headroom {n(headroom)}" if headroom >= 0 else f"{n(-headroom)} short of the budget",
            total=True,
        )
    )
    return rows


class KernelRow(NamedTuple):
    name: str
    value: str  # "at least 4,096", "2" or "madvise"
    stock: str  # "" or why it is not written: "stock 4,096 already suffices", "not written: ..."
    derivation: Derivation


def kernel_title(plan: Plan) -> str:
    if plan.provider is not None:
        return f"Kernel and OS: managed by the provider ({plan.provider.id})."
    return f"Kernel and OS ({plan.scenario.hardware.platform})"


def _unwritten(setting: KernelSetting) -> str:
    """Why a kernel setting is not written, in a few words."""
    if setting.skip:
        return f"not written: {setting.skip}"
    return f"stock {n(setting.stock or 0)} already suffices"


def kernel_rows(plan: Plan, platform: str | None = None) -> list[KernelRow]:
    """The settings of ``platform`` (the scenario's by default; none when a provider manages the server),
    then semaphores."""
    if plan.provider is not None:
        return []
    platform = platform or plan.scenario.hardware.platform
    rows = [
        KernelRow(
            s.name,
            ("at least " if s.minimum else "") + (n(s.value) if isinstance(s.value, int) else s.value),
            "" if s.needed else _unwritten(s),
            s.derivation,
        )
        for s in plan.kernel_settings
        if s.platform == platform
    ]
    sems = plan.semaphores
    rows.append(
        KernelRow(
            "num_os_semaphores",
            f"{n(sems.num_os_semaphores)} (SEMMNI {n(sems.semmni)}, SEMMNS {n(sems.semmns)})",
            "",
            sems.derivation,
        )
    )
    return rows

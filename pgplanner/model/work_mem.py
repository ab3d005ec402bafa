"""work_mem: the value given, or the largest that keeps the worst case in RAM, bounded by the profile.

Resolved once per plan, inside the memory model: the worst case, the typical connection and the
postgresql.conf line all use the figure this returns (``MemoryBasis.work_mem``).
"""

from __future__ import annotations

from functools import cache, lru_cache

from .defaults import WORK_MEM_CEILING, WORK_MEM_DEFAULT, WORK_MEM_RULE
from .derivation import Derivation, capped
from .scenario import Scenario
from .server import kilobytes, memory_limit
from .sources import PG_RESOURCE_CONSUMPTION, PGPLANNER_RULE, YOUR_SCENARIO
from .units import human_size

FORMULA = f"work_mem = {WORK_MEM_RULE}"
SAFE = "the safe work_mem keeps the worst case, every connection running the heaviest query at once, within RAM"
BELOW_DEFAULT = (
    f"{SAFE}; below PostgreSQL's default {human_size(WORK_MEM_DEFAULT)} ordinary sorts would spill to disk, so "
    "the default stays and the worst case passes RAM: fewer connections (a pooler) make room"
)


def resolve_work_mem(scenario: Scenario, safe: int | None) -> tuple[int, Derivation]:
    """``(work_mem in whole kB, its derivation)``; ``safe`` is the memory model's safe work_mem (None: none)."""
    given, limit = scenario.memory.work_mem, memory_limit(scenario)
    if given is not None:
        return _given(given, limit)
    profile = scenario.workload.profile
    if safe is None:
        return _without_safe_value(profile)
    return _bounded(safe, profile)


@lru_cache(maxsize=256)  # the safe value follows RAM and the connections: keep the recent ones
def _bounded(safe: int, profile: str) -> tuple[int, Derivation]:
    value = kilobytes(min(max(safe, WORK_MEM_DEFAULT), WORK_MEM_CEILING[profile]))
    return value, Derivation.later(_bounded_why, safe, profile, value)


def _bounded_why(safe: int, profile: str, value: int) -> Derivation:
    return Derivation(
        formula=FORMULA,
        calculation=capped(
            human_size(safe),
            safe,
            at_least=WORK_MEM_DEFAULT,
            at_most=WORK_MEM_CEILING[profile],
            show=human_size,
            result=value,
        ),
        inputs={"safe work_mem": human_size(safe), "profile": profile},
        source=PGPLANNER_RULE,
        note=BELOW_DEFAULT
        if safe < WORK_MEM_DEFAULT
        else f"{SAFE}; the {profile} ceiling is what one sort or hash of its queries needs",
    )


@cache
def _without_safe_value(profile: str) -> tuple[int, Derivation]:
    return WORK_MEM_DEFAULT, Derivation(
        formula=FORMULA,
        calculation=f"no work_mem keeps the worst case in RAM: PostgreSQL's default {human_size(WORK_MEM_DEFAULT)}",
        inputs={"profile": profile},
        source=PG_RESOURCE_CONSUMPTION,
        note="fewer connections (a pooler) would leave room for one",
    )


@lru_cache(maxsize=256)  # a given size is any number of bytes: keep the recent ones
def _given(given: int, limit: int | None) -> tuple[int, Derivation]:
    value = kilobytes(given if limit is None else min(given, limit))
    return value, Derivation.later(_given_why, given, limit, value)


def _given_why(given: int, limit: int | None, value: int) -> Derivation:
    shown = human_size(given)
    calculation = f"given: {shown}"
    lowered = value != kilobytes(given)
    if lowered:
        calculation += f"; {capped(shown, given, at_most=limit or given, show=human_size)}"
    return Derivation(
        formula="work_mem, as given (at most what the server accepts)",
        calculation=calculation,
        inputs={"work_mem": shown},
        source=YOUR_SCENARIO,
        note="on Windows PostgreSQL before 18 stops at 2 GB - 1 kB" if lowered else "",
    )

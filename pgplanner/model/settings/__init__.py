"""The whole postgresql.conf: one recommender per settings group, each a pure function of the plan's inputs.

Every recommender returns the settings of its group that the scenario's PostgreSQL release knows,
each written as postgresql.conf takes it and explained. ``recommend`` runs them all in the order a
DBA reads the file.
"""

from __future__ import annotations

from . import autovacuum, connections, memory, parallelism, planner, wal
from .base import GROUP_TITLES, PARAMETERS, Context, Group, Setting, SettingsInput, explain

RECOMMENDERS = (connections, memory, wal, planner, parallelism, autovacuum)


def recommend(inp: SettingsInput) -> tuple[Setting, ...]:
    return tuple(s for recommender in RECOMMENDERS for s in recommender.recommend(inp))


__all__ = ["GROUP_TITLES", "PARAMETERS", "Context", "Group", "Setting", "SettingsInput", "explain", "recommend"]

"""The whole postgresql.conf: one recommender per settings group, each a pure function of the plan's inputs.

Every recommender returns the settings of its group that the scenario's PostgreSQL release knows,
each written as postgresql.conf takes it and explained. ``recommend`` runs them all in the order a
DBA reads the file. Each group module declares the parameters it writes (``DECLARED``, a
:class:`~.base.Declaration`) and makes every setting through it, so a name no group declares fails.

To add a group: a module with ``DECLARED = Declaration("name", "Title", {...})`` and
``recommend(inp) -> Made`` (its settings, None for one the release does not know), its name in
:data:`~.base.Group`, and the module in RECOMMENDERS.
"""

from __future__ import annotations

from . import autovacuum, connections, logging, memory, parallelism, planner, wal
from .base import (
    RELEASES,
    Context,
    Declaration,
    Group,
    Parameter,
    Setting,
    SettingsInput,
    UnknownParameter,
    explain,
)
from .wal import wal_disk

RECOMMENDERS = (connections, memory, wal, planner, parallelism, autovacuum, logging)
DECLARATIONS: tuple[Declaration, ...] = tuple(recommender.DECLARED for recommender in RECOMMENDERS)
GROUP_TITLES: dict[Group, str] = {d.group: d.title for d in DECLARATIONS}


def _parameters() -> dict[str, Parameter]:
    """Every parameter pgplanner writes; a name declared by two groups is a mistake made at import."""
    parameters: dict[str, Parameter] = {}
    for declaration in DECLARATIONS:
        twice = parameters.keys() & declaration.parameters.keys()
        if twice:
            raise ValueError(f"{sorted(twice)} declared by the {declaration.group} group and another")
        parameters.update(declaration.parameters)
    return parameters


PARAMETERS = _parameters()


def declared_names(version: int) -> frozenset[str]:
    """Every parameter the recommenders may write for PostgreSQL ``version``."""
    return frozenset().union(*(d.names(version) for d in DECLARATIONS))


def recommend(inp: SettingsInput) -> tuple[Setting, ...]:
    made: list[Setting | None] = []
    for recommender in RECOMMENDERS:
        made += recommender.recommend(inp)
    return tuple([setting for setting in made if setting is not None])


__all__ = [
    "DECLARATIONS",
    "GROUP_TITLES",
    "PARAMETERS",
    "RELEASES",
    "Context",
    "Declaration",
    "Group",
    "Parameter",
    "Setting",
    "SettingsInput",
    "UnknownParameter",
    "declared_names",
    "explain",
    "recommend",
    "wal_disk",
]

"""Reading preset files: the shipped ones and the user's own, never failing as a whole.

Users keep their own provider files (same schema) in ``platformdirs.user_data_dir("pgplanner")/presets``,
or wherever ``PGPLANNER_PRESETS_DIR`` points. A hand-edited file may be broken; it is skipped and
reported with its path and reason, so one bad file never costs the user the other presets.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from pydantic import ValidationError

from ..assets import resource
from ..model.serialization import InputError, describe, read_json_file
from .catalog import Catalog
from .schema import ProviderFile

USER_DIR_VARIABLE = "PGPLANNER_PRESETS_DIR"


@dataclass(frozen=True)
class Problem:
    """A preset file that was skipped, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def user_presets_dir() -> Path:
    override = os.environ.get(USER_DIR_VARIABLE)
    return Path(override) if override else Path(platformdirs.user_data_dir("pgplanner")) / "presets"


def shipped_files() -> list[Path]:
    return sorted(resource("presets").glob("*.json"))


def load_catalog(user_dir: Path | None = None) -> tuple[Catalog, list[Problem]]:
    """The shipped presets plus the user's, and every file that had to be skipped."""
    folder = user_presets_dir() if user_dir is None else user_dir
    user_files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    providers, problems = read_files([*shipped_files(), *user_files])
    return Catalog(providers), problems


def read_files(paths: Iterable[Path]) -> tuple[list[ProviderFile], list[Problem]]:
    """Valid provider files in order; a broken file, or one reusing a provider id, becomes a Problem."""
    providers: list[ProviderFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            provider = read_provider_file(path)
        except InputError as error:
            problems.append(Problem(path, str(error).removeprefix(f"{path}: ")))
            continue
        if any(p.id == provider.id for p in providers):
            problems.append(Problem(path, f"provider id {provider.id!r} is already taken; give the file its own id"))
            continue
        providers.append(provider)
    return providers, problems


def read_provider_file(path: Path) -> ProviderFile:
    """One validated provider file; InputError naming the file and the field otherwise."""
    data = read_json_file(path, "preset")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object with id, name and plans")
    try:
        return ProviderFile.model_validate(data)
    except ValidationError as error:
        raise InputError(describe(error, lambda field: f"{path}: {field}")) from None

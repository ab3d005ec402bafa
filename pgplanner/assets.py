"""Where the shipped data files live.

An installed wheel carries ``resources/`` inside the package (``pgplanner/resources``, see
pyproject.toml); a source checkout and a PyInstaller bundle keep it next to the package. Lookup
tries the installed place first, so an install never reads from a checkout it happens to sit in.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "resources", _PACKAGE.parent / "resources")


def resources_dir() -> Path:
    for candidate in _CANDIDATES:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"pgplanner's resources are missing (looked in {', '.join(map(str, _CANDIDATES))})")


def resource(*parts: str) -> Path:
    """The path of a shipped file, e.g. ``resource("examples", "small-web-app.json")``."""
    return resources_dir().joinpath(*parts)


def example_scenarios() -> dict[str, Path]:
    """The bundled example scenarios (the seeds' worked examples), by file stem."""
    return {path.stem: path for path in sorted(resource("examples").glob("*.json"))}


def documentation() -> Path | None:
    """The user documentation (README.md): shipped in resources/, or beside the package in a checkout."""
    for candidate in (resources_dir() / "README.md", _PACKAGE.parent / "README.md"):
        if candidate.is_file():
            return candidate
    return None

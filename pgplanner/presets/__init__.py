"""Provider presets: managed PostgreSQL plans with their real limits, read from data files.

``load_catalog()`` reads the shipped files and the user's own; ``catalog.find("heroku/standard-0")``
looks a plan up; ``apply_preset(scenario, preset)`` puts it into a Scenario.
"""

from .apply import apply_preset
from .catalog import Catalog, Preset, UnknownPreset, matches, relevance, search_words
from .loader import USER_DIR_VARIABLE, Problem, load_catalog, user_presets_dir

__all__ = [
    "USER_DIR_VARIABLE",
    "Catalog",
    "Preset",
    "Problem",
    "UnknownPreset",
    "apply_preset",
    "load_catalog",
    "matches",
    "relevance",
    "search_words",
    "user_presets_dir",
]

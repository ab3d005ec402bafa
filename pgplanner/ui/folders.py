"""Where the window's file dialogs start: one rule for all of them.

Every file dialog (Open, Save As, Compare with Scenario, Export Bundle's Browse, Export Report, Import
Measurements, Export Changes, a plot's Save as PNG) starts in the folder where the user last chose a file
or a new folder in any of them, kept in the window's settings so the next session starts there too. Before
the first choice each dialog falls back to a folder that suits it (the bundled examples for Open, the open
scenario's folder for an export, the home folder), never the folder the program happened to start in.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

LAST_FOLDER = "files/last_folder"  # the settings key


class StartFolders:
    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def chose(self, path: Path) -> None:
        """The user chose ``path`` (a file, or a new folder such as a bundle) in a file dialog, or opened it:
        the next dialog starts in the folder that holds it."""
        self._settings.setValue(LAST_FOLDER, str(Path(path).expanduser().resolve().parent))

    def start(self, *fallbacks: Path | None) -> Path:
        """The folder a dialog starts in: the last one chosen while it exists, else the first of ``fallbacks``
        that exists, else the home folder."""
        last = self._settings.value(LAST_FOLDER, "")
        candidates = ([Path(str(last))] if last else []) + [f for f in fallbacks if f is not None]
        return next((folder for folder in candidates if folder.is_dir()), Path.home())

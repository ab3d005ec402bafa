"""Where the window's file dialogs start: one rule for all of them.

Every file dialog (Open, Save As, Compare with Scenario, Export Bundle's Browse, Export Report, Import
Measurements, Export Changes, a plot's Save as PNG) starts in the folder where the user last chose a file
or a new folder in any of them, kept in the window's settings so the next session starts there too. Before
the first choice each dialog falls back to a folder that suits it (the bundled examples for Open, the open
scenario's folder for an export, the home folder), never the folder the program happened to start in.

An example opened from the menu (File > Open Example, Compare > with an example) is not a file the user
chose: its folder lies inside the program's install and is never remembered. It also shows that the user
has found the examples, so from then on (this session and the next) Open starts at home, not among them.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

LAST_FOLDER = "files/last_folder"  # the settings keys
EXAMPLES_FOUND = "files/examples_found"  # an example was opened from the menu


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

    def found_examples(self) -> None:
        """An example was opened from the menu: Open need no longer start among the examples."""
        self._settings.setValue(EXAMPLES_FOUND, True)

    def start_or_examples(self, examples: Path) -> Path:
        """Where Open starts: the last folder chosen; before any, the bundled ``examples`` until the user has
        found them through the menu; then the home folder."""
        found = self._settings.value(EXAMPLES_FOUND, False, type=bool)
        return self.start() if found else self.start(examples)

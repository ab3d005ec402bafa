"""Export bundle...: preview every artifact of the live plan, copy any of them, write them all.

The previews follow the plan while the dialog is open (it is not modal), so a user can slide cores
and watch max_connections change inside postgresql.conf. Writing goes through the export package's
atomic bundle writer, with the window's plots added as PNGs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..export.bundle import bundle_files, default_platforms, export_bundle
from ..model import PLATFORMS, Plan
from ..model.serialization import InputError
from ..present import blocking_errors
from ..present.choices import CHOICE_LABELS
from . import theme
from .document import Document
from .folders import StartFolders
from .named import named
from .render import PLOT_FILES

BUNDLE_NAME = "pgplanner-bundle"  # what Browse offers to call a new bundle

SCENARIO_PLATFORM, ALL_PLATFORMS, NO_OS = "scenario", "all", "none"


class ConfigHighlighter(QSyntaxHighlighter):
    """Comments, section headers, keys and quoted strings of conf, ini, sysctl, SQL, shell and XML, each
    in its hue made readable on the preview's base: the light theme's blue and grey are 2.5:1 and 3:1 on
    a dark desktop's base, and the grey 4:1 on white."""

    RULES = (
        (re.compile(r"^\s*\[[^\]]+\]"), theme.PURPLE, True),  # [pgbouncer]
        (re.compile(r"^\s*[\w.@\-]+(?=\s*=)"), theme.BLUE, True),  # key = value
        (re.compile(r"\b(ALTER SYSTEM SET|SELECT|sysctl|launchctl|Set-ItemProperty)\b"), theme.BLUE, True),
        (re.compile(r"'[^']*'|\"[^\"]*\""), theme.GREEN, False),
        (re.compile(r"(^\s*(#|;|--|REM\b).*$)|<!--.*?-->"), theme.GREY, False),  # comments win: applied last
    )

    def __init__(self, document, palette: QPalette) -> None:
        super().__init__(document)
        self._formats: list[tuple[re.Pattern[str], QTextCharFormat]] = []
        self.follow(palette)

    def follow(self, palette: QPalette) -> None:
        """Colour the words for ``palette``'s base (the desktop's palette, light or dark) and redraw them."""
        base = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Base).name()
        self._formats = []
        for pattern, colour, bold in self.RULES:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(theme.readable_on(colour, base)))
            if bold:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self._formats.append((pattern, fmt))
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self._formats:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)


class ExportDialog(QDialog):
    def __init__(
        self,
        document: Document,
        folders: StartFolders,
        report_error: Callable[[str, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export config bundle")
        self.resize(1000, 680)
        self.document = document
        self.folders = folders
        self.report_error = report_error
        self._files: dict[str, bytes] = {}
        # Answer "replace the existing bundle?" and "write a plan with blocking errors?" (attributes,
        # so tests and scripts can answer them)
        self.ask_replace: Callable[[Path], bool] = self._ask_replace
        self.ask_write_blocked: Callable[[list[str]], bool] = self._ask_write_blocked
        # Browse: where to write, asked starting from a path (an attribute, as the questions above)
        self.ask_destination: Callable[[Path], str] = self._ask_destination
        self.blocking = named(QLabel(), "export_blocking")
        self.blocking.setWordWrap(True)
        self.blocking.setStyleSheet(
            f"background: {theme.VERMILLION}; color: white; padding: 6px; border-radius: 3px; font-weight: 600;"
        )

        self.platform = named(QComboBox(), "export_platform")
        self.platform.addItem("The scenario's platform", SCENARIO_PLATFORM)
        for platform in PLATFORMS:
            self.platform.addItem(CHOICE_LABELS[platform], platform)
        self.platform.addItem("All platforms", ALL_PLATFORMS)
        self.platform.addItem("No OS settings", NO_OS)
        self.platform.currentIndexChanged.connect(self.refresh)
        self.destination = named(QLineEdit(), "export_destination")
        self.destination.setPlaceholderText("a new folder, or a file ending in .zip")
        browse = named(QPushButton("Browse..."), "export_browse")
        browse.clicked.connect(self._browse)
        self.write = named(QPushButton("Export"), "export_write")
        self.write.setDefault(True)
        self.write.clicked.connect(self.export)

        self.listing = named(QListWidget(), "export_files")
        self.listing.currentTextChanged.connect(self._show_file)
        self.preview = named(QPlainTextEdit(), "export_preview")
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = ConfigHighlighter(self.preview.document(), self.palette())
        copy = named(QPushButton("Copy"), "export_copy")
        copy.setToolTip("Copy this file to the clipboard")
        copy.clicked.connect(self.copy_current)
        self.status = named(QLabel(), "export_status")

        top = QHBoxLayout()
        top.addWidget(QLabel("OS settings for"))
        top.addWidget(self.platform)
        top.addWidget(QLabel("Write to"))
        top.addWidget(self.destination, 1)
        top.addWidget(browse)
        top.addWidget(self.write)
        viewer = QWidget()
        viewer_layout = QVBoxLayout(viewer)
        viewer_layout.setContentsMargins(0, 0, 0, 0)
        viewer_layout.addWidget(self.preview, 1)
        copy_row = QHBoxLayout()
        copy_row.addWidget(self.status, 1)
        copy_row.addWidget(copy)
        viewer_layout.addLayout(copy_row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.listing)
        split.addWidget(viewer)
        split.setSizes([260, 740])
        layout = QVBoxLayout(self)
        layout.addWidget(self.blocking)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        document.planChanged.connect(self._on_plan_changed)
        self.refresh()

    def platforms(self) -> tuple[str, ...]:
        choice = self.platform.currentData()
        if choice == SCENARIO_PLATFORM:
            return default_platforms(self.document.plan)
        if choice == ALL_PLATFORMS:
            return PLATFORMS
        return () if choice == NO_OS else (choice,)

    def refresh(self) -> None:
        """Render every artifact of the current plan and show the selected one again."""
        # The plots are listed (and the bundle's README names them) but drawn only when it is written.
        placeholders = dict.fromkeys(PLOT_FILES, b"")
        self._files = bundle_files(self.document.plan, platforms=self.platforms(), extra_files=placeholders)
        current = self.listing.currentItem().text() if self.listing.currentItem() else "postgresql/postgresql.conf"
        names = sorted(self._files, key=lambda path: ("/" in path, path))  # top-level files, then folder by folder
        self.listing.blockSignals(True)
        self.listing.clear()
        self.listing.addItems(names)
        self.listing.blockSignals(False)
        scrollbar = self.listing.verticalScrollBar().sizeHint().width()
        self.listing.setMinimumWidth(self.listing.sizeHintForColumn(0) + scrollbar + 8)  # every name whole
        self._show_blocking()
        matches = self.listing.findItems(current if current in self._files else names[0], Qt.MatchFlag.MatchExactly)
        self.listing.setCurrentItem(matches[0])
        self._show_file(matches[0].text())

    def copy_current(self) -> None:
        QGuiApplication.clipboard().setText(self.preview.toPlainText())
        self.status.setText(f"Copied {self.listing.currentItem().text()}")

    def export(self) -> Path | None:
        """Write the bundle where the user said; returns the path, or None when nothing was written."""
        text = self.destination.text().strip()
        if not text:
            self.status.setText("Choose where to write the bundle first.")
            return None
        target = Path(text).expanduser()
        errors = self.blocking_errors()
        if errors and not self.ask_write_blocked(errors):
            self.status.setText("Not written: the plan has blocking errors.")
            return None
        force = target.exists() and self.ask_replace(target)
        if target.exists() and not force:
            return None
        from .render import render_plots

        try:
            written = export_bundle(
                self.document.plan,
                target,
                platforms=self.platforms(),
                force=force,
                extra_files=render_plots(self.document.plan),
                allow_blocking=True,  # asked above; the files then name each error beside its value
            )
        except InputError as error:
            self.status.setText("Not written.")  # the error dialog says why; no earlier "Wrote ..." beside it
            self.report_error("Cannot export", str(error))
            return None
        self.folders.chose(written)
        self.status.setText(f"Wrote {written}")
        return written

    def blocking_errors(self) -> list[str]:
        """The plan's blocking errors, as the user reads them."""
        return [w.message for w in blocking_errors(self.document.plan)]

    def _show_blocking(self) -> None:
        errors = self.blocking_errors()
        self.blocking.setVisible(bool(errors))
        if errors:
            count = f"{len(errors)} blocking error{'s' if len(errors) > 1 else ''}"
            self.blocking.setText(
                f"This plan has {count}; Export asks before writing it.<br>"
                + "<br>".join(f"· {escape(e)}" for e in errors)
            )

    def _ask_write_blocked(self, errors: list[str]) -> bool:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.warning(
            self,
            "Write a plan with blocking errors?",
            "This plan has blocking errors:\n\n" + "\n".join(f"· {e}" for e in errors) + "\n\nWrite the bundle anyway?",
            buttons.Yes | buttons.No,
            buttons.No,
        )
        return answer == buttons.Yes

    def _on_plan_changed(self, _plan: Plan) -> None:
        self.status.clear()  # "Wrote ..." spoke of the plan before (an edit, Undo, File > New, an opened file)
        if self.isVisible():
            self.refresh()

    def _show_file(self, path: str) -> None:
        if path in self._files:
            scroll = self.preview.verticalScrollBar().value()
            self.preview.setPlainText(self._preview_text(path))
            self.preview.verticalScrollBar().setValue(scroll)

    def _preview_text(self, path: str) -> str:
        if path in PLOT_FILES:
            return f"{path}: the window's plot as a PNG image, drawn when the bundle is written."
        data = self._files[path]
        try:
            return data.decode()
        except UnicodeDecodeError:
            try:
                return data.decode("utf-16")  # the Windows .reg file
            except UnicodeDecodeError:
                return f"({len(data):,} bytes of binary data)"

    def browse_start(self) -> Path:
        """Where Browse starts: the destination typed in this dialog, else where the user last chose a file or
        folder in any of the window's dialogs (:mod:`.folders`), at first beside the open scenario file."""
        typed = self.destination.text().strip()
        if typed:
            return Path(typed).expanduser()
        return self.folders.start(self.document.folder) / BUNDLE_NAME

    def _browse(self) -> None:
        name = self.ask_destination(self.browse_start())
        if name:
            self.folders.chose(Path(name))
            self.destination.setText(name)

    def _ask_destination(self, start: Path) -> str:
        name, _ = QFileDialog.getSaveFileName(self, "Export bundle to", str(start), "Folder or zip (*)")
        return name

    def _ask_replace(self, target: Path) -> bool:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            self, "Replace bundle?", f"{target} exists. Replace the bundle there?", buttons.Yes | buttons.No, buttons.No
        )
        return answer == buttons.Yes

    def showEvent(self, event) -> None:
        self.refresh()  # it may have missed plan changes while hidden
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a dark desktop, or a light one again
            self.highlighter.follow(self.palette())

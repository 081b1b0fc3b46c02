"""Leads in and out as files: the import wizard (also for a file dropped on the window),
and the export of the board's leads (or their activities), the picked ones or all of them,
written off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from ui.action_ids import ActionId
from ui.operations import OperationRunner
from ui.text import plural
from ui.views.board import BoardView
from workbench.services.export import ExportCancelled, export_activities, export_leads
from workbench.store.leads import Store

FILE_SUFFIXES = (".csv", ".xlsx", ".txt")  # what a dropped file may be to be imported


@dataclass(frozen=True)
class Exported:
    """What an export writes: leads, or the activities of leads."""
    title: str
    file_name: str
    of: str  # before "the leads": what of them is written
    item: str  # what the count of the finished export counts
    write: Callable[..., int]


LEADS = Exported("Export leads", "leads.xlsx", "", "lead", export_leads)
# the file `import --kind activities` reads back: every touch, note and visit
ACTIVITIES = Exported("Export activities", "activities.xlsx", "the activities of ",
                      "activity", export_activities)


class LeadFiles(QObject):
    changed = Signal(object)
    """An import wrote leads: the Changes."""
    message = Signal(str)
    """What an import or an export did, for the status bar."""

    def __init__(self, store: Store, operations: OperationRunner, board: BoardView,
                 window: QMainWindow) -> None:
        super().__init__(window)
        self.store, self.operations, self.board, self.window = store, operations, board, window
        window.actions_by_id[ActionId.EXPORT_SELECTION].triggered.connect(
            self.export_selection)
        window.actions_by_id[ActionId.EXPORT_ACTIVITIES].triggered.connect(
            self.export_activities)

    def import_file(self, path: Path | None = None) -> None:
        """The import wizard, on the file given if one is."""
        from ui.dialogs.import_wizard import ImportWizard  # loaded when opened, not at start

        wizard = ImportWizard(self.store, path, self.window)
        wizard.exec()
        result = wizard.result
        if result is not None and not result.dry_run:
            self.changed.emit(result.changes)
            self.message.emit(f"Imported {result.imported:,} new, {result.updated:,} "
                              f"updated, {result.skipped:,} left out.")

    def export_leads(self) -> None:
        """Export the leads the board shows, or all of them, off the GUI thread."""
        self._export_shown_or_all(LEADS)

    def export_activities(self) -> None:
        """File › Export activities…: those of the leads the board shows, or of all."""
        self._export_shown_or_all(ACTIVITIES)

    def _export_shown_or_all(self, what: Exported) -> None:
        board_ids = self.store.board_lead_ids(self.board.board)
        which = QMessageBox.question(
            self.window, what.title,
            f"Export {what.of}the {plural(len(board_ids), 'lead')} the board's filter "
            f"shows?\n\nNo exports {what.of}all {plural(self.store.count_leads(), 'lead')}.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel)
        if which == QMessageBox.StandardButton.Cancel:
            return
        self._export(board_ids if which == QMessageBox.StandardButton.Yes else None, what)

    def export_selection(self) -> None:
        """File › Export the selection…: the cards picked with Shift or Ctrl (or the current
        lead), to a file."""
        picked = self.window.followup.picked()
        if not picked:
            self.message.emit("Select the leads to export first (Shift+J/K, Shift- or "
                              "Ctrl-click).")
            return
        self._export(picked, LEADS)

    def _export(self, ids: list[int] | None, what: Exported) -> None:
        """The leads (None: all of them) to the file the user names, off the GUI thread."""
        name, _ = QFileDialog.getSaveFileName(self.window, what.title, what.file_name,
                                              "Excel (*.xlsx);;CSV (*.csv)")
        if not name:
            return
        store = self.store

        def failed(problem: Exception) -> None:
            if isinstance(problem, ExportCancelled):
                self.message.emit(str(problem))
            else:
                QMessageBox.warning(self.window, "Export failed", str(problem))

        self.operations.run(
            lambda progress, cancelled: what.write(store, Path(name), lead_ids=ids,
                                                   progress=progress, cancelled=cancelled),
            title=what.title, label=f"Writing {Path(name).name}…", failed=failed,
            done=lambda count: self.message.emit(f"{plural(count, what.item)} written to "
                                                 f"{name}."))


def dropped_file(mime) -> Path | None:
    """The one local CSV or XLSX file being dropped, if that is what it is."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in FILE_SUFFIXES else None

"""The team sync as the window shows it: Sync now, choosing the server, what a sync
brought, a stop that needs the user, and stage conflicts to settle."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.team_sync import TeamSync
from workbench.services.changes import Changes
from workbench.store.leads import Store
from workbench.sync.protocol import CopiedDatabase, SyncBlocked, SyncError, SyncResult


class SyncDialogs(QObject):
    changed = Signal(object)
    """A sync brought leads, or a conflict was settled: the Changes."""
    message = Signal(str)
    """What the sync did or why it stopped, for the status bar."""

    def __init__(self, store: Store, team_sync: TeamSync, window: QWidget,
                 acting: Callable[[], int | None]) -> None:
        super().__init__(window)
        self.store, self.team_sync, self.window, self.acting = store, team_sync, window, acting
        team_sync.synced.connect(self._synced)
        team_sync.problem.connect(self._problem)

    def sync_now(self) -> None:
        status = self.store.sync_status()
        if status.is_demo:
            self.message.emit(
                "This is the demo database: it stays on this laptop. Open a database of your "
                "own to sync it with the team.")
        elif status.server_url is None:
            self.choose_team_server()
        elif not self.team_sync.sync_now():
            self.message.emit("A sync is already running.")

    def choose_team_server(self) -> None:
        from ui.dialogs.team_server import TeamServerDialog  # loaded when opened, not at start

        dialog = TeamServerDialog(self.store.sync_status().server_url, self.window)
        if dialog.exec():
            self.team_sync.sync_now(dialog.server_url())

    def review_conflicts(self) -> None:
        from ui.dialogs.conflicts import ConflictsDialog

        dialog = ConflictsDialog(self.store, self.acting(), self.window)
        dialog.exec()
        if dialog.changes.leads:
            self.changed.emit(dialog.changes)
            self.team_sync.show_status()
            if self.store.sync_status().server_url:
                self.team_sync.sync_now()  # the choice reaches the team at once

    def _synced(self, result: SyncResult) -> None:
        if result.pulled:
            self.changed.emit(Changes(leads=True))
        message = result.summary()
        if result.conflicts:
            message += " See Lead › Stage conflicts…"
        if result.note:
            message += " " + result.note
        self.message.emit(message)

    def _problem(self, message: str, error: SyncError | None) -> None:
        if not isinstance(error, SyncBlocked):  # offline: retried by itself
            self.message.emit(message)
            return
        # someone must act, and the message says how: shown whole, without stopping work
        notice = QMessageBox(QMessageBox.Icon.Warning, "Team sync stopped", message,
                             QMessageBox.StandardButton.NoButton, self.window)
        notice.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(error, CopiedDatabase):
            carry_on = notice.addButton("Sync as a new device",
                                        QMessageBox.ButtonRole.AcceptRole)
            notice.addButton("Not now", QMessageBox.ButtonRole.RejectRole)

            def clicked(button) -> None:
                if button is carry_on:
                    self.team_sync.sync_now(as_new_device=True)

            notice.buttonClicked.connect(clicked)
        else:
            notice.addButton(QMessageBox.StandardButton.Ok)
        notice.open()

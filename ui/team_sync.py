"""The window's side of the team sync: a status in the status bar, Sync now, and
automatic sync while the server is reachable, retrying with backoff when it is not."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton

from ui.operations import Operation, start
from ui.text import plural
from workbench.clock import utcnow
from workbench.services.sync import synchronise
from workbench.store.leads import Store
from workbench.store.sync import SyncStatus
from workbench.sync.protocol import SyncBlocked, SyncCancelled, SyncError, SyncResult

AUTO_SYNC_MS = 2 * 60 * 1000  # while all is well
FIRST_RETRY_MS = 30 * 1000  # then doubled after each failure...
LONGEST_RETRY_MS = 15 * 60 * 1000  # ...up to this
STATUS_EVERY_MS = 10 * 1000


def status_text(status: SyncStatus, *, retry_ms: int | None = None, blocked: bool = False,
                now: datetime | None = None) -> str:
    """The status bar's words for the team sync."""
    if status.is_demo:
        return "Demo database: not synced"
    if status.server_url is None:
        return "Not syncing with a team server"
    waiting = f"{plural(status.waiting, 'change')} to send" if status.waiting else "up to date"
    parts = []
    if blocked:
        parts.append("Sync stopped: needs you (F9 to try again)")
    elif retry_ms is not None:
        minutes = max(1, round(retry_ms / 60000))
        parts.append(f"Offline, retrying in {minutes} min")
    elif status.last_synced_at is not None:
        now = now or utcnow()
        age = (now - status.last_synced_at).total_seconds()
        local = status.last_synced_at.replace(tzinfo=UTC).astimezone()
        parts.append("Synced just now" if age < 60 else f"Synced {local:%H:%M}")
    else:
        parts.append("Never synced")
    parts.append(waiting)
    if status.open_conflicts:
        parts.append(plural(status.open_conflicts, "conflict"))
    if status.refused:
        parts.append(f"{status.refused} refused")
    return " · ".join(parts)


class TeamSync(QObject):
    """Owns the sync's timer, worker thread and status widgets."""

    synced = Signal(object)  # the SyncResult: the window reads again what changed
    problem = Signal(str, object)  # the message, and the SyncError (None: not one)

    def __init__(self, store: Store, status_bar: QStatusBar, parent: QObject) -> None:
        super().__init__(parent)
        self.store = store
        self.label = QLabel(parent=status_bar)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(status_bar)
        self.progress.setRange(0, 0)  # busy: how much is left is not known in advance
        self.progress.setMaximumWidth(140)
        self.progress.setFormat("")
        self.cancel_button = QToolButton(status_bar)
        self.cancel_button.setText("Cancel sync")
        self.cancel_button.clicked.connect(self.cancel)
        for widget in (self.progress, self.cancel_button):
            widget.hide()
        status_bar.addPermanentWidget(self.label)
        status_bar.addPermanentWidget(self.progress)
        status_bar.addPermanentWidget(self.cancel_button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        # the count of changes waiting follows the user's edits between syncs
        self.status_timer = QTimer(self)
        self.status_timer.timeout.connect(self._tick_status)
        self.status_timer.start(STATUS_EVERY_MS)
        self.retry_ms: int | None = None  # set while the server cannot be reached
        self.blocked = False  # a SyncBlocked: no retrying by itself until the user syncs
        self.worker: Operation | None = None
        self.thread: QThread | None = None
        self.show_status()

    def show_status(self) -> None:
        status = self.store.sync_status()
        self.label.setText(status_text(status, retry_ms=self.retry_ms, blocked=self.blocked))
        self.label.setToolTip("\n".join(filter(None, (
            status.server_url, status.last_error,
            "Stage conflicts: Lead › Stage conflicts…" if status.open_conflicts else None))))

    def _tick_status(self) -> None:
        if not self.running():
            self.show_status()

    def start_auto_sync(self) -> None:
        status = self.store.sync_status()
        if status.server_url and not status.is_demo:
            self.timer.start(0)

    def running(self) -> bool:
        return self.worker is not None

    def sync_now(self, url: str | None = None, *, as_new_device: bool = False) -> bool:
        """Start a sync on a worker thread; False when one is running already."""
        if self.running():
            return False
        self.timer.stop()
        store = self.store

        def run(progress, cancelled) -> SyncResult:
            return synchronise(store, url, progress=progress, cancelled=cancelled,
                               as_new_device=as_new_device)

        self.worker = Operation(run, store.path)
        self.worker.progressed.connect(self._progressed)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.progress.show()
        self.cancel_button.show()
        self.label.setText("Syncing…")
        self.thread = start(self.worker, self)
        return True

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def finish(self) -> None:
        """Stop for good (the window closes): cancel a running sync and wait for it."""
        self.timer.stop()
        self.status_timer.stop()
        if self.thread is not None and self.worker is not None:
            self.worker.cancel()
            self.thread.quit()
            self.thread.wait(30_000)

    def _progressed(self, what: str, rows: int) -> None:
        self.label.setText(f"{what}… {rows:,} rows")

    def _done(self) -> None:
        self.worker = self.thread = None
        self.progress.hide()
        self.cancel_button.hide()

    def _finished(self, result: SyncResult) -> None:
        self._done()
        self.retry_ms, self.blocked = None, False
        self.show_status()
        self.timer.start(AUTO_SYNC_MS)
        self.synced.emit(result)

    def _failed(self, message: str) -> None:
        error = self.worker.error if self.worker is not None else None
        self._done()
        self.blocked = isinstance(error, SyncBlocked)
        if self.blocked:
            self.retry_ms = None
        elif isinstance(error, SyncCancelled):
            self.retry_ms = None
            self.timer.start(AUTO_SYNC_MS)
        else:
            self.retry_ms = (FIRST_RETRY_MS if self.retry_ms is None
                             else min(self.retry_ms * 2, LONGEST_RETRY_MS))
            self.timer.start(self.retry_ms)
        self.show_status()
        self.problem.emit(message, error if isinstance(error, SyncError) else None)

"""Scores off the GUI thread: "Rescore all leads", and once a day (behaviour points decay)
every score brought up to date as of the start of the day."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.operations import OperationRunner
from ui.text import plural
from workbench.clock import next_day_start, utcnow
from workbench.services import todays_scores
from workbench.store.leads import Store

DAILY_RESCORE_QUIET_MS = 1500  # a daily rescore quicker than this shows no dialog


class Rescoring(QObject):
    changed = Signal(object)
    """Scores changed (leads may have become MQLs): the Changes."""
    message = Signal(str)
    """What a rescore did, for the status bar."""

    def __init__(self, store: Store, operations: OperationRunner, window: QWidget) -> None:
        super().__init__(window)
        self.store, self.operations, self.window = store, operations, window
        self.midnight = QTimer(self, singleShot=True)  # the next day's scores
        self.midnight.timeout.connect(self.bring_scores_up_to_date)

    def bring_scores_up_to_date(self) -> None:
        """Once a day (at start, at midnight, on coming back after it) every score is
        rescored as of the start of the day; its progress dialog shows only when it takes
        more than a moment."""
        self.midnight.start(max(1000, int((next_day_start() - utcnow()).total_seconds()
                                          * 1000) + 5000))
        if not self.operations.running() and not todays_scores.scores_are_current(self.store):
            self.rescore_all(daily=True)

    def rescore_all(self, daily: bool = False) -> None:
        """Rescore every lead off the GUI thread, with a progress dialog and Cancel."""
        store = self.store

        def rescore(progress, cancelled):
            from workbench.services import scoring  # NumPy: loaded when first needed

            if daily:
                return todays_scores.bring_scores_up_to_date(store, progress=progress,
                                                             cancelled=cancelled)
            return scoring.rescore(store, store.current_criteria(), progress=progress,
                                   cancelled=cancelled)

        self.operations.run(
            rescore, done=self._done, quiet_ms=DAILY_RESCORE_QUIET_MS if daily else 0,
            title="Scores for today" if daily else "Rescore all leads",
            label="Bringing scores up to date for today…" if daily else "Scoring leads…",
            failed=lambda problem: QMessageBox.warning(self.window, "Rescoring failed",
                                                       str(problem)))

    def _done(self, report) -> None:
        if report is None:  # already as of today
            return
        if not report.finished:
            self.message.emit("Rescoring cancelled: no score was changed.")
            return
        self.changed.emit(report.changes)
        self.message.emit(f"Scored {plural(report.leads, 'lead')}: {report.changed:,} "
                          f"changed, {report.promoted:,} reached the MQL threshold.")

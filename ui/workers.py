"""Long work off the GUI thread, with progress and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

from workbench.store import Store


class RescoreWorker(QObject):
    """Rescores every lead on its own thread."""

    progressed = Signal(int, int)
    """(leads scored, leads in all)"""
    finished = Signal(object)
    """The RescoreReport: finished is False when the user cancelled (nothing written)."""
    failed = Signal(str)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        from workbench import scoring  # loaded when first needed, not at start-up

        try:
            report = scoring.rescore(self.store, self.store.current_criteria(),
                                     progress=self.progressed.emit,
                                     cancelled=self._cancel.is_set)
        except Exception as problem:  # shown to the user; the store rolled back
            self.failed.emit(str(problem))
        else:
            self.finished.emit(report)


class TaskWorker(QObject):
    """Runs one function on its own thread and hands back its result."""

    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, task: Callable[[], object]) -> None:
        super().__init__()
        self.task = task

    def run(self) -> None:
        try:
            result = self.task()
        except Exception as problem:  # shown to the user
            self.failed.emit(str(problem))
        else:
            self.finished.emit(result)


def start(worker: RescoreWorker | TaskWorker, parent: QObject) -> QThread:
    """Run the worker on a new thread that ends (and is deleted) when the work does."""
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.failed.connect(thread.quit)
    thread.finished.connect(thread.deleteLater)
    thread.start()
    return thread

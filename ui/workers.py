"""Long work off the GUI thread, with progress and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

from workbench.store.leads import Store


class CancellableWorker(QObject):
    """Runs one long task on its own thread: the task gets a progress function (its two
    arguments are passed on as they are) and a function that says whether the user
    cancelled."""

    progressed = Signal(object, object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, task: Callable[[Callable, Callable[[], bool]], object]) -> None:
        super().__init__()
        self.task = task
        self._cancel = threading.Event()
        self.error: Exception | None = None  # what failed, for a receiver that tells kinds apart

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self.task(self.progressed.emit, self._cancel.is_set)
        except Exception as problem:  # shown to the user; the store rolled back
            self.error = problem
            self.failed.emit(str(problem))
        else:
            self.finished.emit(result)


def rescore_worker(store: Store) -> CancellableWorker:
    """Rescores every lead; finishes with the RescoreReport (finished is False when the
    user cancelled, and nothing was written)."""

    def rescore(progress, cancelled):
        from workbench.services import scoring  # loaded when first needed, not at start-up

        return scoring.rescore(store, store.current_criteria(), progress=progress,
                               cancelled=cancelled)

    return CancellableWorker(rescore)


def task_worker(task: Callable[[], object]) -> CancellableWorker:
    """Runs one function on its own thread and hands back its result."""
    return CancellableWorker(lambda _progress, _cancelled: task())


def start(worker: CancellableWorker, parent: QObject) -> QThread:
    """Run the worker on a new thread that ends (and is deleted) when the work does."""
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.failed.connect(thread.quit)
    thread.finished.connect(thread.deleteLater)
    thread.start()
    return thread

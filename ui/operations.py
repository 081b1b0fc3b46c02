"""Long work off the GUI thread, in the manner of Anki's CollectionOp: a service call runs
on a worker thread with progress and Cancel, and its result is handed back on the GUI
thread. The window's operations (rescoring, exporting) run one at a time through the
OperationRunner and its progress dialog; the import wizard, the team sync and the reports
run Operations with progress shown in their own widgets."""

from __future__ import annotations

import sqlite3
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget
from sqlalchemy.exc import SQLAlchemyError

from workbench.rules.refusals import Refused
from workbench.store.db import DatabaseError, problem_of
from workbench.sync.protocol import SyncError

# A service call: given a progress function (its two arguments are passed on as they are)
# and a function that says whether the user cancelled, it returns its result.
Task = Callable[[Callable[[Any, Any], None], Callable[[], bool]], object]


class Operation(QObject):
    """One service call on its own thread."""

    progressed = Signal(object, object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, task: Task, database: Path | None = None) -> None:
        super().__init__()
        self.task = task
        self.database = database  # named in the message when its file is at fault
        self._cancel = threading.Event()
        self.error: Exception | None = None  # what failed, for a receiver that tells kinds apart

    def cancel(self) -> None:
        """Call it directly, from the GUI thread: a signal connected to it is queued to
        this object's thread, where it waits behind the work it should stop."""
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self.task(self.progressed.emit, self._cancel.is_set)
        except Exception as problem:  # noqa: BLE001 - a worker thread must always end
            self.error = problem
            self.failed.emit(message_of(problem, self.database))
        else:
            self.finished.emit(result)


def message_of(problem: Exception, database: Path | None) -> str:
    """What a person reads when an operation failed. Refusals and faults of the database,
    the disk or the team server are said in their own words; anything else is a defect,
    said as one (its trace on stderr for the report), never passed off as a refusal."""
    if isinstance(problem, Refused | DatabaseError | SyncError | OSError):
        return str(problem)
    if isinstance(problem, SQLAlchemyError | sqlite3.Error):
        fault = problem_of(problem, database or Path("the database"))
        if fault is not None:
            return fault
    traceback.print_exception(problem)
    return (f"Something went wrong that should not have ({type(problem).__name__}: "
            f"{problem}). Nothing was saved. Please report it with the message printed "
            "in the terminal.")


def call(task: Callable[[], object], database: Path | None = None) -> Operation:
    """An Operation of a function without progress or Cancel."""
    return Operation(lambda _progress, _cancelled: task(), database)


def start(operation: Operation, parent: QObject) -> QThread:
    """Run the operation on a new thread that ends (and is deleted) when the work does."""
    thread = QThread(parent)
    operation.moveToThread(thread)
    thread.started.connect(operation.run)
    operation.finished.connect(thread.quit)
    operation.failed.connect(thread.quit)
    thread.finished.connect(thread.deleteLater)
    thread.start()
    return thread


class OperationRunner(QObject):
    """Runs the window's long operations, one at a time, each behind a progress dialog with
    Cancel; `done` gets the result and `failed` the exception, both on the GUI thread."""

    busy_changed = Signal(bool)
    """An operation started (True) or ended (False)."""

    def __init__(self, window: QWidget, database: Path) -> None:
        super().__init__(window)
        self.window = window
        self.database = database
        self.operation: Operation | None = None
        self.thread: QThread | None = None
        self.dialog: QProgressDialog | None = None
        self._done: Callable[[Any], None] = lambda _result: None
        self._failed: Callable[[Exception], None] = lambda _error: None

    def running(self) -> bool:
        return self.operation is not None

    def run(self, task: Task, *, title: str, label: str, done: Callable[[Any], None],
            failed: Callable[[Exception], None], quiet_ms: int = 0) -> bool:
        """Start the task; False when another operation is running. Its dialog shows once
        the task has taken quiet_ms; progress is (done, total)."""
        if self.running():
            return False
        self.dialog = QProgressDialog(label, "Cancel", 0, 100, self.window)
        self.dialog.setWindowTitle(title)
        # modal: a rescore holds the database's write lock, and no move may wait on it
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(quiet_ms)
        self.dialog.setValue(0)
        self.operation = Operation(task, self.database)
        self._done, self._failed = done, failed
        # Bound methods of this QObject: Qt delivers them on the GUI thread (a lambda
        # would run on the worker's thread, and must not touch widgets).
        self.operation.progressed.connect(self._progressed)
        self.operation.finished.connect(self._finished)
        self.operation.failed.connect(self._failed_with)
        self.dialog.canceled.connect(self._cancel_pressed)
        self.thread = start(self.operation, self)
        self.busy_changed.emit(True)
        return True

    def cancel(self) -> None:
        """Cancel the running operation and wait for it, its result unused (the window
        closes: the operation writes nothing, and ends before the database closes)."""
        operation, thread = self.operation, self.thread
        if operation is None or thread is None:
            return
        operation.finished.disconnect(self._finished)
        operation.failed.disconnect(self._failed_with)
        operation.cancel()
        thread.quit()
        thread.wait(30_000)
        self._end()

    def _cancel_pressed(self) -> None:
        if self.operation is not None:
            self.operation.cancel()

    def _progressed(self, done: int, total: int) -> None:
        if self.dialog is not None:
            self.dialog.setValue(min(99, done * 100 // max(total, 1)))

    def _end(self) -> None:
        if self.dialog is not None:
            self.dialog.reset()
            self.dialog.deleteLater()
        self.operation = self.thread = self.dialog = None
        self.busy_changed.emit(False)

    def _finished(self, result: object) -> None:
        self._end()
        self._done(result)

    def _failed_with(self, message: str) -> None:
        error = self.operation.error if self.operation is not None else None
        self._end()
        self._failed(error or RuntimeError(message))

"""Once the window is on screen: recycled leads whose date has come go back to the queue.
It looks at every recycled lead (85 ms at a million leads), so it runs off the GUI thread
and the board is painted without waiting for it."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal

from ui.operations import call, start
from workbench.services import triage
from workbench.services.changes import Changes
from workbench.store.leads import Store


class ReturningLeads(QObject):
    changed = Signal(object)
    """Recycled leads came back as MQLs: the Changes."""
    message = Signal(str)
    """What came back, or why nothing could, for the status bar."""
    done = Signal()
    """The look is over (whatever it found): work that writes may start."""

    def __init__(self, store: Store, parent: QObject) -> None:
        super().__init__(parent)
        self.store = store
        self.operation = None
        self.thread: QThread | None = None

    def start(self) -> None:
        self.operation = call(lambda: triage.return_recycled(self.store), self.store.path)
        # bound methods of this QObject: delivered on the GUI thread
        self.operation.finished.connect(self._returned)
        self.operation.failed.connect(self._failed)
        self.thread = start(self.operation, self)

    def finish(self) -> None:
        """The window closes: wait for the look (a fraction of a second), which must not
        outlive the database."""
        if self.thread is not None:
            self.operation.finished.disconnect(self._returned)  # the window is gone
            self.operation.failed.disconnect(self._failed)
            self.thread.quit()
            self.thread.wait()
            self.thread = None

    def _returned(self, returned: list[int]) -> None:
        self.thread = None
        if returned:
            self.changed.emit(Changes(leads=True))
            self.message.emit("Recycled leads whose date has come are back in the queue.")
        self.done.emit()

    def _failed(self, message: str) -> None:
        self.thread = None
        self.message.emit(f"Recycled leads could not come back to the queue: {message}")
        self.done.emit()

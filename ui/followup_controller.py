"""The rep's follow-up from the keys: T logs a touch with the selected lead. What changed
goes to the window, which refreshes the views by it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.action_ids import ActionId
from ui.card_keys import CardKeys
from ui.dialogs.followup import TouchDialog
from workbench.rules.followup import Outcome
from workbench.rules.refusals import Refused
from workbench.services import followup
from workbench.store.leads import Store

SELECT_FIRST = "Select a lead first."


class FollowUpController(QObject):
    changed = Signal(object)
    """A touch was logged: the Changes, for the window to refresh the views by."""
    message = Signal(str)
    """What happened or was refused, for the status bar."""

    def __init__(self, store: Store, window: QWidget, cards: CardKeys,
                 acting: Callable[[], int | None], actions: dict[ActionId, QAction]) -> None:
        super().__init__(window)
        self.store, self.window, self.cards, self.acting = store, window, cards, acting
        actions[ActionId.LOG_TOUCH].triggered.connect(self.log_touch)

    def log_touch(self) -> None:
        """T: log a call, an email or a meeting with the selected lead."""
        lead_id = self.cards.current_lead()
        if lead_id is None:
            self.message.emit(SELECT_FIRST)
            return
        name = self.store.lead(lead_id).name
        answer = TouchDialog.ask(self.window, name)
        if answer is None:
            return
        try:
            changes = followup.log_touch(self.store, lead_id, answer.kind, answer.outcome,
                                         note=answer.note, at=answer.at, by=self.acting())
        except Refused as refused:
            self.message.emit(str(refused))
            QMessageBox.warning(self.window, "Touch refused", str(refused))
            return
        self.changed.emit(changes)
        self.cards.select_lead(lead_id)
        self.message.emit(f"{name}: {answer.kind}, {Outcome(answer.outcome).label}."
                          + (" Follow-up SLA answered." if changes.leads else ""))

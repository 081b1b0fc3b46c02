"""The rep's follow-up from the keys: T logs a touch with the current lead, N plans its next
step, Ctrl+4 shows Today (ui/views/today.py), and a reminder says when a next step falls
due (ui/due_reminders.py); a manager reassigns the current lead (Lead › Reassign…); and a
lead is marked not to be contacted or erased on the person's request (Lead › Erase…).
What changed goes to the window, which refreshes the views by it; Today is read again
whenever it is shown and after each of these."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QTabWidget, QWidget

from ui.action_ids import ActionId
from ui.card_keys import CardKeys
from ui.dialogs.followup import NextStepDialog, TouchDialog
from ui.dialogs.reassign import ReassignDialog
from ui.due_reminders import DueReminders
from ui.views.today import TodayView
from workbench.rules.followup import Outcome
from workbench.rules.refusals import Refused
from workbench.services import bulk, erasure, followup
from workbench.services.changes import Changes
from workbench.store.leads import Store

SELECT_FIRST = "Select a lead first."


class FollowUpController(QObject):
    changed = Signal(object)
    """A touch was logged or a step planned: the Changes, for the window to refresh by."""
    message = Signal(str)
    """What happened or was refused, for the status bar."""

    def __init__(self, store: Store, window: QWidget, cards: CardKeys,
                 acting: Callable[[], int | None], actions: dict[ActionId, QAction],
                 views: QTabWidget) -> None:
        super().__init__(window)
        self.store, self.window, self.cards, self.acting = store, window, cards, acting
        self.views = views
        self.today = TodayView(store, window)
        views.addTab(self.today, "Today  (Ctrl+4)")
        self.today.addActions([actions[ActionId.LOG_TOUCH], actions[ActionId.PLAN_NEXT]])
        cards.add_list(self.today, self.today.current_lead, self.today.lead_selected)
        views.currentChanged.connect(self._view_changed)
        actions[ActionId.LOG_TOUCH].triggered.connect(self.log_touch)
        actions[ActionId.PLAN_NEXT].triggered.connect(self.plan_next_step)
        actions[ActionId.REASSIGN].triggered.connect(self.reassign)
        actions[ActionId.DO_NOT_CONTACT].triggered.connect(self.toggle_do_not_contact)
        actions[ActionId.ERASE].triggered.connect(self.erase)
        actions[ActionId.SHOW_TODAY].triggered.connect(
            lambda: views.setCurrentWidget(self.today))
        self.reminders = DueReminders(store, window, acting)
        self.reminders.fell_due.connect(lambda _due: self.read_today())

    def current_lead(self) -> int | None:
        """The window's current lead (Today's selected one while Today is shown)."""
        return self.cards.current_lead()

    def set_rep(self, me: int | None, rep_name: str | None) -> None:
        """Whose day Today shows (the window's "You")."""
        self.today.set_rep(me, rep_name)
        self.read_today()

    def read_today(self) -> None:
        """Today is read now if shown, else when it is next shown."""
        self.today.stale = True
        if self.views.currentWidget() is self.today:
            self.today.reload()

    def _view_changed(self) -> None:
        if self.views.currentWidget() is self.today:
            self.today.reload()  # whatever changed elsewhere: it is quick (tests/bench)
            # after the window has put the focus and the current lead of the other views
            QTimer.singleShot(0, self._take_the_keys)

    def _take_the_keys(self) -> None:
        if self.views.currentWidget() is not self.today:
            return
        self.today.focus_list()
        self.cards.announce()

    def log_touch(self) -> None:
        """T: log a call, an email or a meeting with the current lead, or the same one with
        each of the cards picked with Shift or Ctrl (all of them or none). A touch has no
        undo (it happened): Ctrl+Z leaves it."""
        picked = self.picked()
        if not picked:
            self.message.emit(SELECT_FIRST)
            return
        what = self._what(picked)
        answer = TouchDialog.ask(self.window, what)
        if answer is None:
            return
        changes = self._run("Touch refused", lambda: followup.log_touches(
            self.store, picked, answer.kind, answer.outcome, note=answer.note, at=answer.at,
            by=self.acting()))
        if changes is not None:
            self.message.emit(f"{what}: {answer.kind}, {Outcome(answer.outcome).label}."
                              + (" Follow-up SLA answered." if changes.leads else "")
                              + " Plan the next step with N.")

    def plan_next_step(self) -> None:
        """N: plan the current lead's next step (replacing the one planned)."""
        lead_id = self.current_lead()
        if lead_id is None:
            self.message.emit(SELECT_FIRST)
            return
        lead = self.store.lead(lead_id)
        current = ((lead.next_step_kind, lead.next_step_due, lead.next_step_note)
                   if lead.next_step_due is not None else None)
        answer = NextStepDialog.ask(self.window, lead.name, current)
        if answer is None:
            return
        if self._run("Next step refused", lambda: followup.plan_next_step(
                self.store, lead_id, answer.kind, answer.due, note=answer.note,
                by=self.acting())) is not None:
            self.message.emit(f"{lead.name}: next step {answer.kind} planned.")

    def reassign(self) -> None:
        """Lead › Reassign…: a manager gives the selected leads (the current one, or the
        cards picked with Shift or Ctrl) to someone, saying why: all of them or none."""
        picked = self.picked()
        if not picked:
            self.message.emit(SELECT_FIRST)
            return
        what = self._what(picked)
        people = [(p.name, p.email) for p in self.store.people() if p.active]
        answer = ReassignDialog.ask(self.window, what, people)
        if answer is None:
            return
        if self._run("Reassignment refused", lambda: Changes(leads=bool(bulk.assign(
                self.store, picked, answer.email, by=self.acting(),
                reason=answer.reason)))) is not None:
            self.message.emit(f"{what}: now {answer.email}'s.")

    def toggle_do_not_contact(self) -> None:
        """Lead › Do not contact: the current lead leaves the queue and routing, or (if it
        was marked) may be contacted again."""
        lead_id = self.current_lead()
        if lead_id is None:
            self.message.emit(SELECT_FIRST)
            return
        lead = self.store.lead(lead_id)
        on = not lead.do_not_contact
        if self._run("Do not contact refused", lambda: erasure.do_not_contact(
                self.store, lead_id, on, by=self.acting())) is not None:
            self.message.emit(f"{lead.name}: " + ("not to be contacted: out of the queue and "
                              "of routing." if on else "may be contacted again."))

    def erase(self) -> None:
        """Lead › Erase on request…: after a confirmation that says what goes and what
        stays, the person's data leaves this database."""
        lead_id = self.current_lead()
        if lead_id is None:
            self.message.emit(SELECT_FIRST)
            return
        name = self.store.lead(lead_id).name
        sure = QMessageBox.question(
            self.window, "Erase on request",
            f"Erase {name} for good? Their names, email, phone, title, notes, BANT evidence "
            "and search words leave this database; an anonymous lead stays so the reports "
            "count the same, and it is never contacted again. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if sure != QMessageBox.StandardButton.Yes:
            return
        if self._run("Erasure refused", lambda: erasure.erase(
                self.store, lead_id, by=self.acting())) is not None:
            self.message.emit(f"{name} erased: only an anonymous lead is left.")

    def picked(self) -> list[int]:
        """The leads an action is for: the cards picked with Shift or Ctrl on the board or
        the queue, else the current lead (Today's selected one while Today is shown)."""
        lead_id = self.current_lead()
        if lead_id is None:
            return []
        cards = self.cards.current_cards()
        return (cards[0].selected_leads() if cards is not None
                and self.views.currentWidget() is not self.today else []) or [lead_id]

    def _what(self, picked: list[int]) -> str:
        return self.store.lead(picked[0]).name if len(picked) == 1 else f"{len(picked)} leads"

    def _run(self, title: str, action: Callable[[], Changes]) -> Changes | None:
        lead_id = self.current_lead()
        try:
            changes = action()
        except Refused as refused:
            self.message.emit(str(refused))
            QMessageBox.warning(self.window, title, str(refused))
            return None
        self.changed.emit(changes)
        self.read_today()
        if lead_id is not None and self.views.currentWidget() is not self.today:
            self.cards.select_lead(lead_id)
        return changes

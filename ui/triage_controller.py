"""Triage as a rep does it from the keys, the menus and by dropping cards: each move asks
the triage service (the reason dialog first for a rejection or a recycle), keeps the
session's moves for Ctrl+Z, and selects the next card so a queue clears without the
mouse. What changed goes to the window, which refreshes the views by it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from ui.card_keys import CardKeys
from ui.dialogs.reason import ReasonDialog
from workbench.rules.refusals import NotFound, Refused
from workbench.rules.stages import REASON_KIND, Stage, allowed_targets
from workbench.services import bulk, triage
from workbench.services.changes import NOTHING, Changes, StageMove
from workbench.store.leads import Store

SELECT_FIRST = "Select a lead first."


class TriageController(QObject):
    changed = Signal(object)
    """Leads moved: the Changes, for the window to refresh the views by."""
    message = Signal(str)
    """What happened, for the status bar."""
    refused = Signal(str)
    """A move the stage machine or the lead's owner refused: the rule, said beside the cards."""
    last_move = Signal(str)
    """The move Ctrl+Z would undo now ('Eva Cohen moved to SAL'), or '' when there is none."""

    def __init__(self, store: Store, window: QWidget, cards: CardKeys,
                 acting: Callable[[], int | None], undo: QAction) -> None:
        super().__init__(window)
        self.store, self.window, self.cards, self.acting = store, window, cards, acting
        self.undo = undo
        undo.setEnabled(False)
        # this session's actions, newest last: each the moves it made (several leads
        # moved at once are one action, undone at once)
        self.undo_stack: list[tuple[StageMove, ...]] = []

    def accept_current(self) -> None:
        """A: accept the selected lead (MQL -> SAL, or SAL -> SQL when BANT holds)."""
        lead_id = self.cards.current_lead()
        if lead_id is None:
            self.message.emit(SELECT_FIRST)
            return
        try:
            target = triage.accepted_stage(self.store.lead(lead_id))
        except Refused as refused:
            self.refused.emit(str(refused))
            return
        self.triage_current(target)

    def triage_current(self, to_stage: Stage) -> None:
        """Move the selected leads (the current one, or the cards picked with Shift or
        Ctrl), then select the next card of its list (keyboard triage)."""
        cards, lead_id = self.cards.current_cards(), self.cards.current_lead()
        if lead_id is None:
            self.message.emit(SELECT_FIRST)
            return
        if cards is None:  # a lead of Today: no list of cards to step along
            self.move_leads([lead_id], to_stage)
            return
        view, model = cards
        row = view.currentIndex().row()
        self.move_leads(view.selected_leads() or [lead_id], to_stage)
        if model.row_of(lead_id) is None:  # it moved: the next card takes its place
            view.setFocus()
            view.select_row(row)

    def move_current_lead(self, stage: Stage) -> None:
        lead_id = self.cards.current_lead()
        if lead_id is None:
            self.message.emit(SELECT_FIRST)
            return
        self.move_leads([lead_id], stage)

    def move_leads(self, lead_ids: list[int], to_stage: Stage) -> None:
        """Ask the stage machine for each move; a refused move leaves the card where it was.
        Several leads rejected or recycled together give one reason and move together, all
        of them or none (services.bulk), as one action to undo."""
        if len(lead_ids) > 1 and to_stage in bulk.VERBS:
            self._move_together(lead_ids, to_stage)
            return
        changes, moves = NOTHING, []
        for lead_id in lead_ids:
            try:
                lead = self.store.lead(lead_id)
            except NotFound:
                continue
            details = {}
            kind = REASON_KIND.get(to_stage)
            if kind is not None and lead.stage != to_stage:
                answer = ReasonDialog.ask(
                    self.window, "Reject" if kind == "reject" else "Recycle", lead.name,
                    self.store.reasons(kind), ask_revisit=to_stage == Stage.RECYCLED,
                    revisit_days=self.store.current_criteria().recycle_days)
                if answer is None:
                    continue
                details = {"reason_code": answer.reason_code, "note": answer.note,
                           "revisit_on": answer.revisit_on}
            try:
                move = triage.move_lead(self.store, lead_id, to_stage, by=self.acting(),
                                        **details)
            except Refused as refused:
                self.refused.emit(str(refused))
                continue
            moves.append(move)
            changes |= move.changes
        if moves:  # one action: one undo brings back every card it moved
            self.undo_stack.append(tuple(moves))
        if changes.moves:
            self._say_last_move()
            self.changed.emit(changes)

    def _move_together(self, lead_ids: list[int], to_stage: Stage) -> None:
        kind = REASON_KIND[to_stage]
        answer = ReasonDialog.ask(
            self.window, "Reject" if kind == "reject" else "Recycle",
            f"{len(lead_ids)} leads", self.store.reasons(kind),
            ask_revisit=to_stage == Stage.RECYCLED,
            revisit_days=self.store.current_criteria().recycle_days)
        if answer is None:
            return
        try:
            moves = bulk.move_many(self.store, lead_ids, to_stage, by=self.acting(),
                                   reason_code=answer.reason_code, note=answer.note,
                                   revisit_on=answer.revisit_on)
        except Refused as refused:
            self.refused.emit(str(refused))
            return
        self.undo_stack.append(tuple(moves))
        self._say_last_move()
        self.changed.emit(Changes(moves=tuple(moves)))

    def undo_last_move(self) -> None:
        """Ctrl+Z: reverse this session's last action, each of its moves by a compensating
        stage change."""
        if not self.undo_stack:
            return
        moves = self.undo_stack.pop()
        self._say_last_move()
        changes = NOTHING
        for move in reversed(moves):
            try:
                changes |= triage.undo_move(self.store, move, by=self.acting()).changes
            except Refused as refused:
                self.message.emit(str(refused))
        if not changes:
            return
        self.changed.emit(changes)
        first = moves[0]
        self.cards.select_lead(first.lead_id)
        self.message.emit(f"{first.before.name} is back in {first.before.stage.label}."
                          if len(moves) == 1 else
                          f"{len(changes.moves)} leads are back where they were.")

    def _say_last_move(self) -> None:
        last = self.undo_stack[-1] if self.undo_stack else None
        self.undo.setEnabled(last is not None)
        if last is None:
            self.last_move.emit("")
        elif len(last) == 1:
            self.last_move.emit(f"{last[0].before.name} moved to {last[0].to_stage.label}")
        else:
            self.last_move.emit(f"{len(last)} leads moved to {last[0].to_stage.label}")

    def offer_allowed_moves(self, actions: dict[Stage, QAction]) -> None:
        """The Move to menu: only the moves the stage machine allows the selected lead."""
        lead_id = self.cards.current_lead()
        allowed = allowed_targets(self.store.lead(lead_id).stage) if lead_id else frozenset()
        for stage, action in actions.items():
            action.setEnabled(stage in allowed)

"""Stage conflicts: two moves of one lead made on two laptops without seeing each other.
The later one stands until someone keeps one of the two; the choice syncs to everyone."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from ui.dialogs.review import PairReviewDialog
from ui.text import plural
from workbench.rules.refusals import Refused
from workbench.rules.stages import Stage
from workbench.services import conflicts
from workbench.services.changes import NOTHING
from workbench.store.leads import Store
from workbench.store.sync import ConflictRecord


def move_text(move: tuple[str, str, str | None, str]) -> str:
    stage, at, by, _uid = move
    return f"{Stage(stage).label} by {by or 'someone'}, {at[:16]} UTC"


class ConflictsDialog(PairReviewDialog):
    columns = ("Lead", "One move", "The other move", "Stage now")
    choices = ("Keep the &first", "Keep the &other")

    def __init__(self, store: Store, user_id: int | None, parent=None) -> None:
        super().__init__("Stage conflicts", parent)
        self.store, self.user_id = store, user_id
        self.changes = NOTHING  # what the conflicts settled here changed
        self.load()

    def rows(self) -> tuple[list[ConflictRecord], list[list[str]]]:
        conflicts = self.store.stage_conflicts()
        self.summary.setText(
            f"{plural(len(conflicts), 'lead')} moved on two laptops without either seeing "
            "the other's move. Both moves are in the lead's history; the later one stands "
            "until you keep one. Your choice reaches everyone at the next sync."
            if conflicts else "No stage conflicts: every move made offline fitted together.")
        return conflicts, [[f"{c.lead_name} (#{c.lead_id})", move_text(c.first),
                            move_text(c.second), Stage(c.current_stage).label]
                           for c in conflicts]

    def selection_changed(self) -> None:
        conflict = self.selected()
        if conflict is not None:
            for button, move in zip(self.choice_buttons, (conflict.first, conflict.second),
                                    strict=True):
                button.setText(f"Keep {Stage(move[0]).label}")

    def settle(self, conflict: ConflictRecord, choice: int) -> None:
        keep = (conflict.first, conflict.second)[choice][0]
        try:
            self.changes |= conflicts.resolve(self.store, conflict.id, keep, by=self.user_id)
        except Refused as problem:
            QMessageBox.warning(self, "Not resolved", str(problem))

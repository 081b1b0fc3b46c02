"""Possible duplicates for review: pairs of leads that may be one person, and a merge that
keeps both histories."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from ui.dialogs.review import PairReviewDialog
from ui.text import plural
from workbench.rules.refusals import Refused
from workbench.services import duplicates
from workbench.services.changes import NOTHING
from workbench.store.leads import Store


class DuplicatesDialog(PairReviewDialog):
    columns = ("Lead", "Email", "Stage", "Other lead", "Email", "Stage", "Why")
    choices = ("Merge into the &first", "Merge into the &other")

    def __init__(self, store: Store, user_id: int | None, parent=None) -> None:
        super().__init__("Possible duplicates", parent)
        self.store, self.user_id = store, user_id
        self.changes = NOTHING  # what the merges made here changed
        self.load()

    def rows(self) -> tuple[list, list[list[str]]]:
        pairs = self.store.possible_duplicates()
        cells = []
        for pair in pairs:
            row = []
            for lead_id in (pair.first, pair.second):
                lead = self.store.lead(lead_id)
                row += [f"{lead.name} (#{lead.id})", lead.email or "", lead.stage.label]
            cells.append([*row, pair.why])
        self.summary.setText(
            f"{plural(len(pairs), 'pair')} of leads that may be one person. Merging moves "
            "the other lead's activities, stage history and BANT evidence to the one kept, "
            "fills its empty fields, and removes the other." if pairs
            else "No possible duplicates.")
        return pairs, cells

    def settle(self, pair, choice: int) -> None:
        keep, other = (pair.first, pair.second) if choice == 0 else (pair.second, pair.first)
        try:
            self.changes |= duplicates.merge(self.store, keep, other, by=self.user_id)
        except Refused as problem:
            QMessageBox.warning(self, "Not merged", str(problem))

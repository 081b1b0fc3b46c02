"""The BANT checklist of one lead: each item's status and evidence, saved at once."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit

from workbench.rules.qualification import BANT_ITEMS
from workbench.rules.refusals import Refused
from workbench.rules.vocabulary import BantStatus
from workbench.services import triage
from workbench.store.db import DatabaseFault
from workbench.store.leads import Store

PROMPTS = {"budget": "Budget: range or amount", "authority": "Who decides, if not this person",
           "need": "The pain the product solves", "timeline": "Expected purchase date or quarter"}
ORDER = list(BantStatus)  # the order 1-4 cycle through


class BantPanel(QGroupBox):
    changed = Signal(object)
    """An item of this lead's checklist was saved: the Changes."""
    refused = Signal(str)
    """A change was refused (another rep's lead, a busy database); the message says why."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__("BANT", parent)
        self.store = store
        self.lead_id: int | None = None
        self.user_id: int | None = None
        self.status: dict[str, QComboBox] = {}
        self.note: dict[str, QLineEdit] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 4, 6, 4)
        for row, item in enumerate(BANT_ITEMS):
            status = QComboBox(self)
            for value in ORDER:
                status.addItem(value.value, value.value)
            note = QLineEdit(self)
            note.setPlaceholderText(PROMPTS[item])
            status.activated.connect(lambda _index, item=item: self.save(item))
            note.editingFinished.connect(lambda item=item: self.save(item))
            label = QLabel(f"&{row + 1} {item.capitalize()}", self)
            status.setAccessibleName(f"{item.capitalize()} status")
            note.setAccessibleName(f"{item.capitalize()} evidence")
            label.setBuddy(status)
            grid.addWidget(label, row, 0)
            grid.addWidget(status, row, 1)
            grid.addWidget(note, row, 2)
            self.status[item], self.note[item] = status, note
        grid.setColumnStretch(2, 1)  # the evidence takes the pane's width
        self.show_lead(None)

    def allow_evidence(self, allowed: bool) -> None:
        """An erased person's evidence is refused: the boxes are read-only, without hints."""
        for item, note in self.note.items():
            note.setReadOnly(not allowed)
            note.setPlaceholderText(PROMPTS[item] if allowed else "")

    def show_lead(self, lead_id: int | None) -> None:
        self.lead_id = lead_id
        self.setEnabled(lead_id is not None)
        checklist = self.store.bant(lead_id) if lead_id is not None else {}
        for item in BANT_ITEMS:
            status, note = checklist.get(item, (BantStatus.UNKNOWN.value, None))
            self.status[item].setCurrentIndex(self.status[item].findData(status))
            self.note[item].setText(note or "")
            self.note[item].setCursorPosition(0)  # evidence reads from its beginning
            self.note[item].setToolTip(note or PROMPTS[item])

    def save(self, item: str) -> bool:
        """Store the item as shown; False when refused (the panel shows what is stored, or
        on a busy database what is not yet)."""
        if self.lead_id is None:
            return False
        status, note = self.status[item].currentData(), self.note[item].text().strip() or None
        try:
            changes = triage.set_bant(self.store, self.lead_id, item, status, note,
                                      by=self.user_id)
        except Refused as refused:
            # a busy file: what the rep chose and typed stays, to save again
            if not isinstance(refused, DatabaseFault):
                self.show_lead(self.lead_id)  # back to what is stored
            self.refused.emit(str(refused))
            return False
        if changes:
            self.changed.emit(changes)
        return True

    def cycle(self, number: int) -> tuple[str, str | None]:
        """Keys 1-4: the next status of budget, authority, need or timeline; (the item, the
        status now set, or None if refused)."""
        item = BANT_ITEMS[number - 1]
        box = self.status[item]
        before = box.currentIndex()
        box.setCurrentIndex((before + 1) % len(ORDER))
        if self.save(item):
            return item, box.currentData()
        box.setCurrentIndex(before)  # not saved (a busy file): the status stored, shown
        return item, None

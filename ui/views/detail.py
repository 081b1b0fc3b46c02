"""The pane beside the board: one lead in full, and a box to add a note."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.detail_html import lead_html
from ui.theme import theme
from ui.views.bant import BantPanel
from workbench.clock import utcnow
from workbench.rules.refusals import NotFound, Refused
from workbench.services import triage
from workbench.store.leads import Store

EMPTY_TEXT = "Select a lead to see it here."
NOTE_HINT = "Add a note… (Ctrl+Enter to save)"
ERASED_HINT = "Erased on request: nothing more is written about this person."


class LeadDetailPane(QWidget):
    changed = Signal(object)
    """A note or a BANT item was saved: the Changes."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.lead_id: int | None = None
        self.user_id: int | None = None  # who writes notes
        self.criteria = store.current_criteria()  # what scores are explained with
        self.document = QTextBrowser(self)
        self.document.setOpenExternalLinks(True)  # mailto: and tel: go to the system
        self.document.setPlaceholderText(EMPTY_TEXT)
        self.document.setAccessibleName("Lead details")
        # Enter moves the keys here: a frame in the highlight colour shows it
        self.document.setStyleSheet(
            "QTextBrowser:focus { border: 2px solid palette(highlight); }")
        # an email or a domain too long for its line overflows rather than breaking mid-word
        self.document.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText(NOTE_HINT)
        self.note.setAccessibleName("New note")
        self.note.setMaximumHeight(70)
        self.save_note = QPushButton("Add note", self)
        self.save_note.clicked.connect(self.add_note)
        QShortcut(QKeySequence("Ctrl+Return"), self.note, self.add_note,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)  # a refusal is a sentence or two: all of it is read
        self.message.setStyleSheet(f"color: {theme().css('overdue')};")
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.save_note)
        self.bant = BantPanel(store, self)
        self.bant.changed.connect(self.changed)
        self.bant.refused.connect(self.message.setText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.document, 1)
        layout.addWidget(self.bant)
        layout.addWidget(self.note)
        layout.addLayout(row)
        self.show_lead(None)

    def set_user(self, user_id: int | None) -> None:
        """Who writes notes and BANT evidence from now on ("You"), on the lead shown too."""
        self.user_id = self.bant.user_id = user_id

    def show_lead(self, lead_id: int | None) -> None:
        """Show a lead from its top; the same lead shown again (a note added, a sync) keeps
        the reader's place."""
        same_lead = lead_id is not None and lead_id == self.lead_id
        self.lead_id = lead_id
        self.message.clear()
        self.bant.show_lead(lead_id)
        enabled = lead_id is not None
        self.note.setEnabled(enabled)
        self.save_note.setEnabled(enabled)
        if lead_id is None:
            self.document.clear()
            return
        from workbench.services import scoring  # NumPy: loaded on the first lead, not at start-up

        try:
            detail = self.store.lead_detail(lead_id)
            score = scoring.explain(self.store, self.criteria, lead_id)
        except NotFound:
            self.lead_id = None
            self.document.clear()
            self.bant.show_lead(None)
            return
        # the pane does not offer to write what would be refused
        erased = detail.lead.erased_at is not None
        self.note.setEnabled(not erased)
        self.save_note.setEnabled(not erased)
        self.note.setPlaceholderText(ERASED_HINT if erased else NOTE_HINT)
        self.bant.allow_evidence(not erased)
        position = self.document.verticalScrollBar().value() if same_lead else 0
        self.document.setHtml(lead_html(detail, score, utcnow(), self.criteria.sla_hours))
        self.document.verticalScrollBar().setValue(position)

    def cycle_bant(self, number: int) -> str:
        """Keys 1-4: the next status of one BANT item; what was set, in words."""
        if self.lead_id is None:
            return "Select a lead first."
        item, status = self.bant.cycle(number)
        if status is None:
            return self.message.text()  # refused: the pane says why
        return f"{item.capitalize()}: {status}, for {self.store.lead(self.lead_id).name}."

    def focus_document(self) -> None:
        self.document.setFocus()

    def add_note(self) -> None:
        if self.lead_id is None:
            return
        try:
            changes = triage.add_note(self.store, self.lead_id, self.note.toPlainText(),
                                      by=self.user_id)
        except Refused as problem:
            self.message.setText(str(problem))
            return
        self.note.clear()
        self.changed.emit(changes)

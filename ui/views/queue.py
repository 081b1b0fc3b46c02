"""My queue: the MQLs a rep works through from the keyboard, most urgent first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QVBoxLayout, QWidget

from ui.models.queue import QueueModel
from ui.text import plural
from ui.theme import theme
from ui.views.cards import CardColumnView
from workbench.clock import utcnow
from workbench.rules.sla import overdue_cutoff
from workbench.store.leads import Store

KEY_HINTS = ("A accept  ·  R reject  ·  C recycle  ·  T touch  ·  1–4 BANT  ·  "
             "J/K next/previous  ·  Enter details  ·  Ctrl+Z undo")


class QueueView(QWidget):
    current_lead_changed = Signal(object)
    """The queue's current lead is now this one (an int), or none (None)."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.model = QueueModel(store, self)
        self.stale = True  # read again when next shown
        self.count = self.overdue = 0
        self.title = QLabel("My queue", self)
        colours = theme()
        self.title.setStyleSheet(f"font-weight: 600; font-size: 14pt;"
                                 f" color: {colours.css('text')};")
        self.summary = QLabel(self)
        self.summary.setStyleSheet(f"color: {colours.css('muted')};")
        self.hints = QLabel(KEY_HINTS, self)
        self.hints.setStyleSheet(f"color: {colours.css('text')}; background:"
                                 f" {colours.css('selected')}; border-radius: 4px;"
                                 " padding: 4px 8px;")
        self.empty = QLabel("Nothing to triage: no MQL is waiting for you or the pool.", self)
        self.empty.setStyleSheet(f"color: {colours.css('muted')}; padding: 24px;")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for text in (self.title, self.summary, self.hints, self.empty):
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.setWordWrap(True)  # a narrow window wraps them rather than widening
        self.view = CardColumnView(self.model, self)
        self.view.setAccessibleName("My queue cards")
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop)
        self.view.current_lead_changed.connect(self.current_lead_changed)
        self.model.modelReset.connect(self._show_empty)
        self.model.rowsRemoved.connect(self._show_empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        for widget in (self.title, self.summary, self.hints, self.empty):
            layout.addWidget(widget)
        layout.addWidget(self.view, 1)
        self.setStyleSheet(f"QueueView {{ background: {colours.css('column')}; }}")

    def set_rep(self, me: int | None, rep_name: str | None) -> None:
        """Whose queue; the window reads it when it is shown."""
        self.title.setText(f"My queue — {rep_name}" if rep_name else "Unassigned MQLs")
        self.model.me = me

    def show_summary(self, count: int, overdue: int) -> None:
        self.count, self.overdue = count, overdue
        late = f"  ·  {overdue:,} overdue" if overdue else ""
        self.summary.setText(f"{plural(count, 'MQL')} to triage, follow-up due first{late}")

    def reload(self) -> None:
        """Read the queue and its counts again, the current lead kept if still queued."""
        self.stale = False
        cutoff = overdue_cutoff(utcnow(), self.model.sla_hours)
        self.show_summary(*self.model.store.queue_summary(self.model.me, cutoff))
        self.model.reload()

    def current_lead(self) -> int | None:
        return self.view.lead()

    def focus_first_card(self) -> None:
        self.view.setFocus()
        if not self.view.currentIndex().isValid():
            self.view.select_row(0)

    def _show_empty(self) -> None:
        self.empty.setVisible(self.model.rowCount() == 0)

"""Possible duplicates for review: pairs of leads that may be one person, and a merge that
keeps both histories."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ui.text import plural
from workbench.store import NotFound, Store, utcnow

COLUMNS = ("Lead", "Email", "Stage", "Other lead", "Email", "Stage", "Why")


class DuplicatesDialog(QDialog):
    def __init__(self, store: Store, user_id: int | None, parent=None) -> None:
        super().__init__(parent)
        self.store, self.user_id = store, user_id
        self.setWindowTitle("Possible duplicates")
        self.resize(980, 520)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.keep_first = QPushButton("Merge into the &first", self)
        self.keep_second = QPushButton("Merge into the &other", self)
        for button, keep_first in ((self.keep_first, True), (self.keep_second, False)):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.clicked.connect(lambda _c=False, k=keep_first: self.merge_selected(k))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.pairs: list = []
        self.load()

    def load(self) -> None:
        self.pairs = self.store.possible_duplicates()
        self.table.setRowCount(len(self.pairs))
        for row, pair in enumerate(self.pairs):
            cells = []
            for lead_id in (pair.first, pair.second):
                lead = self.store.lead(lead_id)
                cells += [f"{lead.name} (#{lead.id})", lead.email or "", lead.stage.label]
            for column, text in enumerate([*cells, pair.why]):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.summary.setText(
            f"{plural(len(self.pairs), 'pair')} of leads that may be one person. Merging moves "
            "the other lead's activities, stage history and BANT evidence to the one kept, "
            "fills its empty fields, and removes the other." if self.pairs
            else "No possible duplicates.")
        for button in (self.keep_first, self.keep_second):
            button.setEnabled(bool(self.pairs))
        if self.pairs:
            self.table.selectRow(0)

    def merge_selected(self, keep_first: bool) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.pairs):
            return
        pair = self.pairs[row]
        keep, other = (pair.first, pair.second) if keep_first else (pair.second, pair.first)
        try:
            self.store.merge_leads(keep, other, by=self.user_id, at=utcnow())
        except (NotFound, LookupError, ValueError) as problem:
            QMessageBox.warning(self, "Not merged", str(problem))
        self.load()

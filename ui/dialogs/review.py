"""A dialog that lists pairs to review (possible duplicates, stage conflicts) in a table,
with two buttons that settle the selected pair one way or the other."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)


class PairReviewDialog(QDialog):
    """Subclasses give the columns and the two choices, and implement rows() and
    settle()."""

    columns: tuple[str, ...] = ()
    choices: tuple[str, str] = ("", "")

    def __init__(self, title: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(980, 520)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(self.columns), self)
        self.table.setHorizontalHeaderLabels(self.columns)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.choice_buttons = [QPushButton(label, self) for label in self.choices]
        for index, button in enumerate(self.choice_buttons):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            button.clicked.connect(lambda _c=False, i=index: self._settle_selected(i))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.items: list = []

    def load(self) -> None:
        self.items, cells = self.rows()
        self.table.setRowCount(len(self.items))
        for row, texts in enumerate(cells):
            for column, text in enumerate(texts):
                self.table.setItem(row, column, QTableWidgetItem(text))
        for button in self.choice_buttons:
            button.setEnabled(bool(self.items))
        if self.items:
            self.table.selectRow(0)
        self.selection_changed()
        self.table.itemSelectionChanged.connect(self.selection_changed)

    def rows(self) -> tuple[list, list[list[str]]]:
        """(the items, the cells of each); also sets the summary."""
        raise NotImplementedError

    def settle(self, item, choice: int) -> None:
        raise NotImplementedError

    def selection_changed(self) -> None:
        """Subclasses may name the choices after the selected item."""

    def selected(self):
        row = self.table.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def _settle_selected(self, choice: int) -> None:
        item = self.selected()
        if item is not None:
            self.settle(item, choice)
            self.table.itemSelectionChanged.disconnect(self.selection_changed)
            self.load()

"""The import wizard's offer to add the owners a file names who are not people here yet:
ticked ones are added as reps before the import, and their leads go to them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.text import plural
from workbench.rules.refusals import Refused
from workbench.services import people
from workbench.store.leads import Store

COLUMNS = ("In the file", "Name", "Email")


class NewOwnersBox(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.words = QLabel(self)
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setAccessibleName("Owners to add")
        self.table.setMaximumHeight(150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.words)
        layout.addWidget(self.table)
        self.hide()

    def show_owners(self, store: Store, values: list[str]) -> None:
        """Offer the owners of a dry run that can be added (not someone deactivated)."""
        gone = {key for p in store.people() if not p.active for key in (p.email, p.name.lower())}
        owners = [people.new_owner(v) for v in values if v.strip().lower() not in gone]
        self.table.setRowCount(len(owners))
        self.setVisible(bool(owners))
        if not owners:
            return
        try:
            people.check_people_are_local(store)
        except Refused as problem:  # a team laptop: the server says who is on the team
            self.words.setText(f"{plural(len(owners), 'owner')} in the file are not people "
                               f"here; their leads go in unassigned. {problem}")
            self.table.hide()
            return
        self.words.setText(f"{plural(len(owners), 'owner')} in the file are not people here. "
                           "Ticked ones are added as reps when you import, and get their "
                           "leads; give an email to those named without one. The others' "
                           "leads go in unassigned.")
        for row, owner in enumerate(owners):
            value = QTableWidgetItem(owner.value)
            value.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            value.setCheckState(Qt.CheckState.Checked if owner.email
                                else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, value)
            self.table.setItem(row, 1, QTableWidgetItem(owner.name))
            self.table.setItem(row, 2, QTableWidgetItem(owner.email or ""))
        self.table.show()

    def create(self, store: Store) -> bool:
        """Add the ticked owners; False (the reason shown) when one is refused."""
        for row in range(self.table.rowCount() if self.table.isVisible() else 0):
            value = self.table.item(row, 0)
            if value.checkState() != Qt.CheckState.Checked:
                continue
            try:
                people.add_person(store, self.table.item(row, 2).text(),
                                  self.table.item(row, 1).text())
            except Refused as problem:
                self.words.setText(f"⚠ {value.text()}: {problem}")
                return False
            value.setCheckState(Qt.CheckState.Unchecked)  # added: not again
            value.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return True

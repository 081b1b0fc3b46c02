"""The people of a database in the window: Edit › People… lists, adds, deactivates and
brings back reps and managers; a new database asks once who "You" are."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.rules.refusals import Refused
from workbench.services import people
from workbench.store.leads import Store
from workbench.store.people import PersonRecord

COLUMNS = ("Name", "Email", "Role", "Deactivated")


class PersonForm(QWidget):
    """Name, email and role of someone to add; says inline what is wrong."""

    def __init__(self, manager_label: str, parent=None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("First Last")
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("name@company.com")
        self.manager = QCheckBox(manager_label, self)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Name:", self.name)
        form.addRow("&Email:", self.email)
        form.addRow("", self.manager)
        form.addRow("", self.message)

    def save(self, store: Store) -> PersonRecord | None:
        """Add the person; None (and the reason shown) when refused."""
        try:
            person, _new = people.add_person(store, self.email.text(), self.name.text(),
                                             manager=self.manager.isChecked())
        except Refused as problem:
            self.message.setText(f"⚠ {problem}")
            return None
        self.message.clear()
        return person


class PeopleDialog(QDialog):
    """Everyone who owns or works leads here, deactivated people included."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.changed = False  # the window reads its people again when it closes
        self.setWindowTitle("People")
        self.resize(720, 480)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (0, 1):  # name and email share the width
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("People")
        self.deactivate = QPushButton("&Deactivate", self)
        self.bring_back = QPushButton("&Bring back", self)
        self.form = PersonForm("&Manager: sees and reassigns every lead", self)
        self.add = QPushButton("&Add person", self)
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.deactivate)
        row.addWidget(self.bring_back)
        row.addStretch(1)
        adding = QHBoxLayout()
        adding.addWidget(self.form, 1)
        adding.addWidget(self.add, 0, Qt.AlignmentFlag.AlignTop)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addLayout(adding)
        layout.addWidget(close)
        self.add.clicked.connect(self._add)
        self.deactivate.clicked.connect(self._deactivate)
        self.bring_back.clicked.connect(self._bring_back)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._show_people()
        server = store.sync_status().server_url
        if server:  # on a team laptop the server says who is on the team
            self.note.setText(f"People come from the team server {server}: someone is added "
                              "there ('workbench server add-user') and arrives at the next "
                              "sync.")
            for widget in (self.form, self.add, self.deactivate, self.bring_back):
                widget.setEnabled(False)
        else:
            self.note.setText("Someone deactivated keeps their name on their leads, history "
                              "and reports, and is no longer chosen as You or as an owner.")

    def _show_people(self, select: str | None = None) -> None:
        self.everyone = self.store.people()
        self.table.setRowCount(len(self.everyone))
        for row, person in enumerate(self.everyone):
            left = f"{person.deactivated_at:%Y-%m-%d}" if person.deactivated_at else ""
            for column, text in enumerate((person.name, person.email,
                                           person.role.capitalize(), left)):
                self.table.setItem(row, column, QTableWidgetItem(text))
            if person.email == select:
                self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> PersonRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.everyone[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        person = self.selected()
        editable = self.form.isEnabled()
        self.deactivate.setEnabled(editable and person is not None and person.active)
        self.bring_back.setEnabled(editable and person is not None and not person.active)

    def _add(self) -> None:
        person = self.form.save(self.store)
        if person is not None:
            self.changed = True
            self.form.name.clear()
            self.form.email.clear()
            self._show_people(select=person.email)

    def _deactivate(self) -> None:
        person = self.selected()
        if person is not None:
            self._act(lambda: people.deactivate(self.store, person.email), person.email)

    def _bring_back(self) -> None:
        person = self.selected()
        if person is not None:
            self._act(lambda: people.add_person(self.store, person.email, person.name,
                                                manager=person.role == "manager"),
                      person.email)

    def _act(self, change, email: str) -> None:
        try:
            change()
        except Refused as problem:
            self.form.message.setText(f"⚠ {problem}")
            return
        self.changed = True
        self._show_people(select=email)


class YouDialog(QDialog):
    """Asked once on a database without people: who works here, who becomes "You"."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.person: PersonRecord | None = None
        self.setWindowTitle("Who are you?")
        self.resize(520, 260)
        intro = QLabel("This database has no people yet. Say who you are: you become "
                       "\"You\", who owns the leads you accept and writes your notes and "
                       "moves. On a team, use the email of your team account.", self)
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.form = PersonForm("I &manage the team: see and reassign every lead", self)
        self.form.manager.setChecked(True)  # the first person usually sets the team up
        buttons = QDialogButtonBox(self)
        buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("&Later (Edit › People…)", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.person = self.form.save(self.store)
        if self.person is not None:
            super().accept()

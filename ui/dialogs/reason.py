"""Asks for the reason of a rejection or a recycle (and the revisit date of a recycle)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
)

from workbench.clock import local_today


@dataclass(frozen=True)
class ReasonAnswer:
    reason_code: str
    note: str | None
    revisit_on: date | None


class ReasonDialog(QDialog):
    def __init__(self, verb: str, lead_name: str, reasons: list[tuple[str, str]],
                 ask_revisit: bool, revisit_days: int, parent=None) -> None:
        """verb: what accepting does ('Reject', 'Recycle'), on the title and the button."""
        super().__init__(parent)
        self.setWindowTitle(f"{verb} {lead_name}")
        self.reason = QComboBox(self)
        for code, label in reasons:
            self.reason.addItem(label, code)
        # no reason is chosen for the user: Enter records nothing until they pick one
        self.reason.setPlaceholderText("Choose a reason…")
        self.reason.setCurrentIndex(-1)
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText("What marketing should know (optional)")
        self.note.setMaximumHeight(80)
        self.revisit = QDateEdit(self)
        self.revisit.setCalendarPopup(True)
        self.revisit.setDisplayFormat("yyyy-MM-dd")  # as dates show everywhere else
        today = QDate(local_today())
        self.revisit.setDate(today.addDays(revisit_days))
        self.revisit.setMinimumDate(today.addDays(1))
        who = QLabel(lead_name, self)
        who.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout(self)
        form.addRow("Lead:", who)
        form.addRow("&Reason:", self.reason)
        form.addRow("&Note:", self.note)
        if ask_revisit:
            form.addRow("&Look again on:", self.revisit)
        self.revisit.setVisible(ask_revisit)
        self.ask_revisit = ask_revisit
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.accept_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.accept_button.setText(verb)
        self.accept_button.setEnabled(False)
        self.reason.currentIndexChanged.connect(
            lambda index: self.accept_button.setEnabled(index >= 0))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def answer(self) -> ReasonAnswer:
        note = self.note.toPlainText().strip() or None
        revisit = self.revisit.date().toPython() if self.ask_revisit else None
        return ReasonAnswer(self.reason.currentData(), note, revisit)

    @classmethod
    def ask(cls, parent, verb: str, lead_name: str, reasons: list[tuple[str, str]],
            ask_revisit: bool, revisit_days: int) -> ReasonAnswer | None:
        """The answer, or None when the user cancels. Tests replace this method."""
        dialog = cls(verb, lead_name, reasons, ask_revisit, revisit_days, parent)
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None


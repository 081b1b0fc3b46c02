"""Asks a manager whom to give leads to, and why (Lead › Reassign…)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QDialog, QLineEdit

from ui.dialogs.lead_form import lead_form


@dataclass(frozen=True)
class ReassignAnswer:
    email: str
    reason: str | None


class ReassignDialog(QDialog):
    def __init__(self, what: str, people: list[tuple[str, str]], parent=None) -> None:
        """what: the leads, in words; people: (name, email) of those who can take them."""
        super().__init__(parent)
        self.setWindowTitle(f"Reassign {what}")
        self.person = QComboBox(self)
        for name, email in people:
            self.person.addItem(f"{name} <{email}>", email)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Why, for the history (optional)")
        lead_form(self, "Leads:", what, [("&To:", self.person), ("&Reason:", self.reason)],
                  "Reassign")

    def answer(self) -> ReassignAnswer:
        return ReassignAnswer(self.person.currentData(), self.reason.text().strip() or None)

    @classmethod
    def ask(cls, parent, what: str, people: list[tuple[str, str]]) -> ReassignAnswer | None:
        """The answer, or None when the user cancels. Tests replace this method."""
        dialog = cls(what, people, parent)
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None

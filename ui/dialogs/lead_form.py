"""The form of the small dialogs that act on leads (a touch, a next step, a reassignment):
which leads, the fields, and the button that does it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)


def note_box(parent: QWidget, placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setPlaceholderText(placeholder)
    box.setMaximumHeight(80)
    return box


def lead_form(dialog: QDialog, label: str, leads: str, fields: list[tuple[str, QWidget]],
              verb: str) -> QFormLayout:
    """The leads (as plain text), each (label, field), then `verb` (the OK button) and
    Cancel."""
    who = QLabel(leads, dialog)
    who.setTextFormat(Qt.TextFormat.PlainText)
    form = QFormLayout(dialog)
    form.addRow(label, who)
    for text, field in fields:
        form.addRow(text, field)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(verb)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)
    return form

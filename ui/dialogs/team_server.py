"""Connecting a database to the team's server: its address, and the password that goes
to the system keyring."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from ui.theme import theme
from workbench.rules.refusals import BadInput
from workbench.sync import credentials
from workbench.sync.server import libpq_url


class TeamServerDialog(QDialog):
    def __init__(self, current_url: str | None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Team server")
        self.resize(560, 220)
        intro = QLabel("Your changes stay on this laptop and go to the team's server when "
                       "it can be reached; other people's changes come back the same way. "
                       "The password is kept in the system keyring, never in a file.", self)
        intro.setWordWrap(True)
        self.url = QLineEdit(current_url or "", self)
        self.url.setPlaceholderText("postgresql://you@server.example:5432/team")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept from last time" if current_url else "")
        self.message = QLabel(self)
        self.message.setStyleSheet(f"color: {theme().css('overdue')};")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Server:", self.url)
        form.addRow("&Password:", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.addButton("Connect and &sync", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def server_url(self) -> str:
        """The URL to sync with, holding the password typed (if any)."""
        url, in_url = credentials.split_password(self.url.text().strip())
        return credentials.with_password(url, self.password.text() or in_url)

    def accept(self) -> None:
        try:
            libpq_url(self.url.text().strip())
        except BadInput as problem:
            self.message.setText(str(problem))
            return
        super().accept()

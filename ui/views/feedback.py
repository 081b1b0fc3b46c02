"""What a triage action did, said where the rep looks and without stopping them: a refused
move inline above the cards (not a box to dismiss), and the last move in the status bar with
a link that undoes it."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStatusBar, QToolButton

from ui.theme import theme


class NoticeBar(QFrame):
    """A refusal, above the cards, until the rep acts again or closes it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        colours = theme()
        self.setStyleSheet(f"NoticeBar {{ background: {colours.css('notice')};"
                           " border-radius: 4px; }")
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setStyleSheet(f"color: {colours.css('text')};")
        self.setAccessibleName("Refused")
        close = QToolButton(self, text="✕", autoRaise=True)
        close.setToolTip("Close")
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self.hide()

    def show_text(self, text: str) -> None:
        self.text.setText(text)
        self.show()


class Feedback(QObject):
    """Connects triage to where its outcome is said."""

    def __init__(self, triage, cards, status_bar: QStatusBar, notice: NoticeBar,
                 undo: QAction) -> None:
        super().__init__(status_bar)
        self.notice, self.status_bar, self.undo = notice, status_bar, undo
        self.last_move = QLabel(status_bar)
        self.last_move.setTextFormat(Qt.TextFormat.RichText)
        self.last_move.linkActivated.connect(lambda _link: undo.trigger())
        self.last_move.hide()
        status_bar.addWidget(self.last_move)
        triage.refused.connect(notice.show_text)
        triage.last_move.connect(self.show_last_move)
        cards.current_lead_changed.connect(notice.hide)  # about another lead now

    def show_last_move(self, text: str) -> None:
        self.notice.hide()
        if not text:
            self.last_move.hide()
            return
        keys = self.undo.shortcut().toString(self.undo.shortcut().SequenceFormat.NativeText)
        self.last_move.setText(f"{escape(text)} — <a href='undo'>Undo</a> ({escape(keys)})")
        self.last_move.show()
        self.status_bar.clearMessage()  # a message would cover it

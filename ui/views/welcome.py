"""What a database with no leads shows in the board's place: the three ways to start,
a sentence each, each a button that does it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.product import APP_NAME

PANEL_WIDTH = 640  # fits the board's place at 1280x720 with the pane beside it
# (what the button says, the one sentence beside it)
WAYS_TO_START = (
    ("Import a file…", "Bring in the leads of a CSV or Excel export from your CRM or "
                       "marketing tool; the usual columns are recognised, and you check "
                       "them before anything is written."),
    ("Open the demo", "Look around a made-up team's 2,000 leads first; this database "
                      "stays as it is."),
    ("Connect to a team server…", "Join your team: its leads, people and criteria come to "
                                  "this laptop, and your work goes back to them."),
)


class WelcomeView(QFrame):
    """Covers the board it is given while the database has no leads."""

    import_requested = Signal()
    demo_requested = Signal()
    team_requested = Signal()

    def __init__(self, board: QWidget) -> None:
        super().__init__(board)
        self.setObjectName("welcome")
        self.setAutoFillBackground(True)  # the empty columns do not show through
        title = QLabel(f"Welcome to {APP_NAME}", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel("This database has no leads yet. Start in one of three ways:", self)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(14)
        self.buttons: list[QPushButton] = []
        for row, ((label, sentence), signal) in enumerate(zip(
                WAYS_TO_START, (self.import_requested, self.demo_requested,
                                self.team_requested), strict=True)):
            button = QPushButton(label, self)
            button.setMinimumWidth(220)
            button.clicked.connect(signal)
            words = QLabel(sentence, self)
            words.setWordWrap(True)
            words.setBuddy(button)
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(words, row, 1)
            self.buttons.append(button)
        for text in (title, intro):
            text.setTextFormat(Qt.TextFormat.PlainText)
        grid.setColumnStretch(1, 1)
        panel = QWidget(self)
        panel.setFixedWidth(PANEL_WIDTH)  # the sentences wrap to it, however wide the board
        inner = QVBoxLayout(panel)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addSpacing(12)
        inner.addLayout(grid)
        # centred by stretches, not by alignment: an aligned widget gets its size hint's
        # height, which is not the height of its sentences wrapped
        across = QHBoxLayout()
        across.addStretch(1)
        across.addWidget(panel)
        across.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        layout.addLayout(across)
        layout.addStretch(1)
        board.installEventFilter(self)
        self.setGeometry(board.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:  # always the whole of the board
            self.setGeometry(watched.rect())
        return False

    def set_shown(self, shown: bool) -> None:
        self.setVisible(shown)
        if shown:
            self.raise_()

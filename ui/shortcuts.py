"""Every key sequence of the window, in one place."""

from PySide6.QtGui import QKeySequence

from ui.action_ids import ActionId

Key = QKeySequence | QKeySequence.StandardKey | str

SHORTCUTS: dict[ActionId, Key | tuple[Key, ...]] = {
    ActionId.REFRESH: QKeySequence.StandardKey.Refresh,  # F5
    ActionId.QUIT: QKeySequence.StandardKey.Quit,
    ActionId.OPEN_DATABASE: QKeySequence.StandardKey.Open,  # Ctrl+O
    ActionId.IMPORT: "Ctrl+I",
    ActionId.EXPORT: "Ctrl+E",
    ActionId.UNDO: QKeySequence.StandardKey.Undo,  # Ctrl+Z
    ActionId.CRITERIA: "Ctrl+,",
    ActionId.SYNC: "F9",
    ActionId.FOCUS_SEARCH: "/",
    ActionId.CLEAR_SEARCH: "Esc",
    ActionId.NEXT_CARD: "J",
    ActionId.PREVIOUS_CARD: "K",
    ActionId.SELECT_NEXT: "Shift+J",
    ActionId.SELECT_PREVIOUS: "Shift+K",
    ActionId.COLUMN_LEFT: "H",
    ActionId.COLUMN_RIGHT: "L",
    ActionId.OPEN_DETAIL: "Return",
    ActionId.LEAD_PANE: "Ctrl+D",
    ActionId.FOCUS_BOARD: "Ctrl+B",
    ActionId.SHOW_BOARD: "Ctrl+1",
    ActionId.SHOW_QUEUE: "Ctrl+2",
    ActionId.SHOW_REPORTS: "Ctrl+3",
    ActionId.SHOW_TODAY: "Ctrl+4",
    ActionId.ACCEPT: "A",
    ActionId.REJECT: "R",
    ActionId.RECYCLE: "C",
    ActionId.LOG_TOUCH: "T",
    ActionId.PLAN_NEXT: "N",
    ActionId.BANT_BUDGET: "1",
    ActionId.BANT_AUTHORITY: "2",
    ActionId.BANT_NEED: "3",
    ActionId.BANT_TIMELINE: "4",
    ActionId.HELP: (QKeySequence.StandardKey.HelpContents, "?"),  # F1
}
# Keys that are not actions: the cards' and the note's own (Help lists them too)
OTHER_KEYS = (
    ("←  →", "Column left / right (on the cards)"),
    ("↑  ↓", "Previous / next card"),
    ("Ctrl+Enter", "Save the note being typed"),
    ("Alt+1 … Alt+4", "To the budget, authority, need or timeline status"),
    ("Ctrl+Shift+1 … 9", "The saved views, in the order View › Views lists them"),
)

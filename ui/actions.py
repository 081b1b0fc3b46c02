"""The window's actions and menus as data: labels, where each action sits, and one
factory that gives them their shortcuts (keys in ui/shortcuts.py)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from enum import StrEnum
from typing import TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from ui.action_ids import ActionId
from ui.shortcuts import SHORTCUTS
from workbench.store.leads import BoardGrouping

LABELS = {
    ActionId.NEW_DATABASE: "&New database…", ActionId.OPEN_DATABASE: "&Open…",
    ActionId.BACKUP: "&Back up…", ActionId.PEOPLE: "&People…",
    ActionId.REFRESH: "Re&fresh", ActionId.QUIT: "&Quit", ActionId.IMPORT: "&Import…",
    ActionId.EXPORT: "&Export leads…", ActionId.EXPORT_SELECTION: "Export the se&lection…",
    ActionId.EXPORT_ACTIVITIES: "Export acti&vities…",
    ActionId.UNDO: "&Undo last move",
    ActionId.FOCUS_SEARCH: "&Search…", ActionId.CLEAR_SEARCH: "C&lear search",
    ActionId.NEXT_CARD: "&Next card", ActionId.PREVIOUS_CARD: "&Previous card",
    ActionId.SELECT_NEXT: "Select the ne&xt card too",
    ActionId.SELECT_PREVIOUS: "Select the pre&vious card too",
    ActionId.COLUMN_LEFT: "Column &left", ActionId.COLUMN_RIGHT: "Column &right",
    ActionId.OPEN_DETAIL: "Open lead &details", ActionId.FOCUS_BOARD: "Back to the c&ards",
    ActionId.LEAD_PANE: "Lead pa&ne",
    ActionId.SHOW_BOARD: "&Board", ActionId.SHOW_QUEUE: "My &queue",
    ActionId.SHOW_REPORTS: "Re&ports",
    ActionId.RESCORE: "Re&score all leads…", ActionId.CRITERIA: "Team &criteria…",
    ActionId.DUPLICATES: "Possible &duplicates…",
    ActionId.ACCEPT: "&Accept (MQL → SAL, SAL → SQL)", ActionId.REJECT: "&Reject…",
    ActionId.RECYCLE: "Re&cycle…", ActionId.LOG_TOUCH: "&Log a touch…",
    ActionId.PLAN_NEXT: "Plan the ne&xt step…", ActionId.REASSIGN: "Reass&ign…",
    ActionId.DO_NOT_CONTACT: "Do not c&ontact", ActionId.ERASE: "&Erase on request…",
    ActionId.SHOW_TODAY: "&Today", ActionId.SAVE_VIEW: "Sa&ve view…",
    ActionId.FORGET_VIEW: "&Forget a view…",
    ActionId.BANT_BUDGET: "Next &budget status",
    ActionId.BANT_AUTHORITY: "Next a&uthority status", ActionId.BANT_NEED: "Next &need status",
    ActionId.BANT_TIMELINE: "Next &timeline status",
    ActionId.SYNC: "S&ync with the team now", ActionId.TEAM_SERVER: "&Team server…",
    ActionId.CONFLICTS: "Stage con&flicts…",
    ActionId.HELP: "&Keys and how triage works", ActionId.ABOUT: "&About",
}
# Single-letter keys act only while the board has the focus, so they never steal a
# letter typed into the search box or a note.
BOARD_ONLY = {ActionId.NEXT_CARD, ActionId.PREVIOUS_CARD, ActionId.SELECT_NEXT,
              ActionId.SELECT_PREVIOUS, ActionId.COLUMN_LEFT,
              ActionId.COLUMN_RIGHT, ActionId.OPEN_DETAIL, ActionId.ACCEPT, ActionId.REJECT,
              ActionId.RECYCLE, ActionId.LOG_TOUCH, ActionId.PLAN_NEXT, ActionId.BANT_BUDGET,
              ActionId.BANT_AUTHORITY, ActionId.BANT_NEED, ActionId.BANT_TIMELINE}
TRIAGE = (ActionId.ACCEPT, ActionId.REJECT, ActionId.RECYCLE)
FOLLOW_UP = (ActionId.LOG_TOUCH, ActionId.PLAN_NEXT, ActionId.REASSIGN)
BANT_KEYS = (ActionId.BANT_BUDGET, ActionId.BANT_AUTHORITY, ActionId.BANT_NEED,
             ActionId.BANT_TIMELINE)



class Submenu(StrEnum):
    """Menus the window fills with a choice per stage or grouping."""

    GROUP_BY = "&Group by"
    COLUMNS = "&Columns"
    MOVE_TO = "&Move to"
    RECENT = "Open &recent"
    VIEWS = "Vie&ws"


SEPARATOR = None
MENUS: tuple[tuple[str, tuple[ActionId | Submenu | None, ...]], ...] = (
    ("&File", (ActionId.NEW_DATABASE, ActionId.OPEN_DATABASE, Submenu.RECENT,
               ActionId.BACKUP, SEPARATOR, ActionId.IMPORT, ActionId.EXPORT,
               ActionId.EXPORT_SELECTION, ActionId.EXPORT_ACTIVITIES, SEPARATOR,
               ActionId.SYNC, ActionId.TEAM_SERVER, SEPARATOR, ActionId.REFRESH,
               ActionId.QUIT)),
    ("&Edit", (ActionId.UNDO, SEPARATOR, ActionId.CRITERIA, ActionId.PEOPLE)),
    ("&View", (ActionId.SHOW_BOARD, ActionId.SHOW_QUEUE, ActionId.SHOW_REPORTS,
               ActionId.SHOW_TODAY, SEPARATOR,
               ActionId.FOCUS_SEARCH, ActionId.CLEAR_SEARCH, ActionId.FOCUS_BOARD,
               ActionId.OPEN_DETAIL, ActionId.LEAD_PANE, SEPARATOR, Submenu.GROUP_BY,
               Submenu.COLUMNS, SEPARATOR, ActionId.SAVE_VIEW, Submenu.VIEWS,
               ActionId.FORGET_VIEW)),
    ("&Go", (ActionId.NEXT_CARD, ActionId.PREVIOUS_CARD, ActionId.SELECT_NEXT,
             ActionId.SELECT_PREVIOUS, ActionId.COLUMN_LEFT, ActionId.COLUMN_RIGHT)),
    ("&Lead", (*TRIAGE, SEPARATOR, *FOLLOW_UP, SEPARATOR, *BANT_KEYS, SEPARATOR,
               ActionId.DO_NOT_CONTACT, ActionId.ERASE, SEPARATOR,
               ActionId.RESCORE, ActionId.DUPLICATES, ActionId.CONFLICTS, Submenu.MOVE_TO)),
    ("&Help", (ActionId.HELP, ActionId.ABOUT)),
)

GROUPINGS = ((BoardGrouping.STAGE, "&Lifecycle stage"),
             (BoardGrouping.JOURNEY, "&Buyer journey (read-only)"))


def build_menus(bar: QMenuBar, actions: dict[ActionId, QAction]) -> dict[Submenu, QMenu]:
    """The menu bar from MENUS; returns the submenus for the window to fill."""
    submenus = {}
    for title, items in MENUS:
        menu = bar.addMenu(title)
        for item in items:
            if item is SEPARATOR:
                menu.addSeparator()
            elif isinstance(item, Submenu):
                submenus[item] = menu.addMenu(item.value)
            else:
                menu.addAction(actions[item])
    return submenus


K = TypeVar("K", bound=Hashable)


def with_access_keys(labels: Iterable[str]) -> list[str]:
    """Labels of one menu, each without an access key given the first of its letters no
    other label has taken ("SAL", "SQL": "&SAL", "S&QL"), so Alt and a letter opens one."""
    labels = list(labels)
    taken = {label[label.index("&") + 1].lower() for label in labels if "&" in label}
    keyed = []
    for label in labels:
        if "&" not in label:
            free = next((i for i, c in enumerate(label)
                         if c.isalnum() and c.lower() not in taken), None)
            if free is not None:
                taken.add(label[free].lower())
                label = f"{label[:free]}&{label[free:]}"
        keyed.append(label)
    return keyed


def numbered(number: int, text: str) -> str:
    """A menu item of a numbered list ("&1 leads.db"), its number its access key; an & of
    the text is shown, not taken for another key."""
    return f"&{number} {text.replace('&', '&&')}"


def add_choices(menu: QMenu, choices: Iterable[tuple[K, str]], *, checkable: bool = False,
                exclusive: bool = False) -> dict[K, QAction]:
    """An action per choice (a stage, a grouping) in a submenu, keyed by the choice, each
    with an access key of its own."""
    group = QActionGroup(menu) if exclusive else None
    actions = {}
    choices = list(choices)
    for (key, _label), label in zip(choices, with_access_keys(c[1] for c in choices),
                                    strict=True):
        actions[key] = action = menu.addAction(label)
        action.setCheckable(checkable)
        if group is not None:
            group.addAction(action)
    return actions


def create_actions(parent: QObject) -> dict[ActionId, QAction]:
    actions = {}
    for action_id in ActionId:
        action = QAction(LABELS[action_id], parent)
        action.setObjectName(action_id.value)
        keys = SHORTCUTS.get(action_id, ())
        action.setShortcuts([QKeySequence(key) for key in
                             (keys if isinstance(keys, tuple) else (keys,))])
        if action_id in BOARD_ONLY:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        actions[action_id] = action
    return actions

"""Saved views: View › Save view… names the board's filters, sort and visible columns;
View › Views lists the team's views (the criteria's [[views]]) and then this laptop's own
for this database, the first nine on Ctrl+Shift+1 … 9."""

from __future__ import annotations

import hashlib
import json

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMenu, QMessageBox

from ui import window_state
from ui.action_ids import ActionId
from ui.actions import Submenu, numbered
from workbench.rules.refusals import BadInput
from workbench.rules.stages import Stage
from workbench.rules.views import MAX_VIEWS, SavedView, validate_views
from workbench.store.leads import BoardGrouping

KEY_PREFIX = "Ctrl+Shift+"


def _settings_key(window: QMainWindow) -> str:
    """Views are kept per database: the key names the database by its full path."""
    path = str(window.store.path.resolve())
    return "saved_views/" + hashlib.sha1(path.encode()).hexdigest()[:16]


class SavedViews(QObject):
    message = Signal(str)
    """What was saved or shown, for the status bar."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.team: tuple[SavedView, ...] = ()
        self.own = self._read_own()
        self.menu = next(m for m in window.menuBar().findChildren(QMenu)
                         if m.title() == Submenu.VIEWS.value)
        self.view_actions: list[QAction] = []
        window.actions_by_id[ActionId.SAVE_VIEW].triggered.connect(self.save_view)
        window.actions_by_id[ActionId.FORGET_VIEW].triggered.connect(self.forget_view)
        self._fill_menu()

    # -- the list ------------------------------------------------------------

    def views(self) -> list[tuple[SavedView, bool]]:
        """Every view and whether it is the team's: the team's first, then this laptop's
        (one of its own named as a team view is hidden by it)."""
        team_names = {view.name.casefold() for view in self.team}
        return ([(view, True) for view in self.team]
                + [(view, False) for view in self.own if view.name.casefold() not in team_names])

    def use_team_views(self, views: tuple[SavedView, ...]) -> None:
        """The criteria's shared views (a new version came, or was saved here)."""
        self.team = views
        self._fill_menu()

    def _fill_menu(self) -> None:
        self.menu.clear()
        self.view_actions = []
        listed = self.views()
        for number, (view, shared) in enumerate(listed, 1):
            label = numbered(number, view.name) if number <= MAX_VIEWS else view.name
            action = self.menu.addAction(label + ("   (team)" if shared else ""))
            if number <= MAX_VIEWS:
                action.setShortcut(QKeySequence(f"{KEY_PREFIX}{number}"))
            action.triggered.connect(lambda _checked=False, view=view: self.show_view(view))
            self.view_actions.append(action)
        if not listed:
            self.menu.addAction("No saved views yet: View › Save view…").setEnabled(False)
        self.window.actions_by_id[ActionId.FORGET_VIEW].setEnabled(bool(self.own))

    # -- showing, saving, forgetting ------------------------------------------

    def show_view(self, view: SavedView) -> None:
        """The board as the view says: its filters, sort and columns."""
        window = self.window
        if window.figure is not None:  # a report figure's list gives way to the view
            window.clear_figure()
        missing = window.filters.show_view(dict(view.filters), view.sort)
        if view.stages:  # the columns it names are lifecycle stages
            window.group_by(BoardGrouping.STAGE)
        window_state.show_columns(window, [Stage(s) for s in view.stages])
        window.show_view(window.board)
        note = (f" This database has no {', no '.join(missing)}: shown as any."
                if missing else "")
        self.message.emit(f"View '{view.name}'.{note}")

    def save_view(self) -> None:
        """View › Save view…: the board's filters, sort and columns under a name; a name of
        this laptop's saved before is replaced."""
        name, ok = QInputDialog.getText(self.window, "Save view",
                                        "Name this view of the board (its filters, sort "
                                        "and columns):")
        if not ok:
            return
        filters = self.window.filters
        try:
            view = SavedView.from_dict({
                "name": name.strip(), "filters": filters.view_filters(),
                "sort": filters.sort.currentData(),
                "stages": [s.value for s in self.window.board.visible_stages()]})
            if view.name.casefold() in {v.name.casefold() for v in self.team}:
                raise BadInput(f"The team shares a view named '{view.name}' already: "
                               "choose another name.")
            own = [v for v in self.own if v.name.casefold() != view.name.casefold()] + [view]
            validate_views(own)
        except BadInput as refused:
            QMessageBox.warning(self.window, "View not saved", str(refused))
            return
        self._keep(own)
        number = next(n for n, (v, _shared) in enumerate(self.views(), 1) if v == view)
        keys = f" ({KEY_PREFIX}{number})" if number <= MAX_VIEWS else ""
        self.message.emit(f"View '{view.name}' saved{keys}.")

    def forget_view(self) -> None:
        """View › Forget a view…: one of this laptop's views (the team's are in the
        criteria file)."""
        names = [view.name for view in self.own]
        name, ok = QInputDialog.getItem(self.window, "Forget a view",
                                        "Forget which of your views?", names, 0, False)
        if ok and name in names:
            self._keep([view for view in self.own if view.name != name])
            self.message.emit(f"View '{name}' forgotten.")

    # -- kept on this laptop ---------------------------------------------------

    def _read_own(self) -> list[SavedView]:
        """This laptop's views of the database; one that no longer reads is left out."""
        text = window_state.window_settings().value(_settings_key(self.window), "[]")
        try:
            stored = json.loads(text)
        except (TypeError, ValueError):
            return []
        views = []
        for data in stored if isinstance(stored, list) else []:
            try:
                views.append(SavedView.from_dict(data))
            except BadInput:
                continue
        return views

    def _keep(self, views: list[SavedView]) -> None:
        self.own = views
        settings = window_state.window_settings()
        settings.setValue(_settings_key(self.window),
                          json.dumps([view.to_dict() for view in views]))
        settings.sync()
        self._fill_menu()

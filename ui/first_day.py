"""A team's first day in the window: the welcome in the board's place while the database
has no leads, "Who are you?" asked once on a database without people, Edit › People…,
and the databases (ui/databases.py)."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from ui.action_ids import ActionId
from ui.databases import Databases
from ui.dialogs.people import PeopleDialog, YouDialog
from ui.views.welcome import WelcomeView
from ui.window_state import window_settings
from workbench.services.changes import Changes

ASKED_KEY = "asked_who_you_are"  # the databases whose first person was asked for


class FirstDay(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.store = window.store
        self.databases = Databases(window)
        self.databases.message.connect(window.say)
        self.welcome = WelcomeView(window.board)
        self.welcome.import_requested.connect(lambda: window.files.import_file())
        self.welcome.demo_requested.connect(self.databases.open_demo)
        self.welcome.team_requested.connect(window.sync.choose_team_server)
        window.actions_by_id[ActionId.PEOPLE].triggered.connect(self.edit_people)
        self.you_dialog: YouDialog | None = None
        self.show_welcome_if_empty()
        QTimer.singleShot(0, self._ask_who_you_are)  # once the window is on screen

    def show_welcome_if_empty(self) -> None:
        self.welcome.set_shown(self.store.is_empty())

    def edit_people(self) -> None:
        dialog = PeopleDialog(self.store, self.window)
        dialog.exec()
        if dialog.changed:
            self.window.apply(Changes(leads=True))

    def _ask_who_you_are(self) -> None:
        """Asked once per database: one without people, of this laptop alone."""
        if self.window.isHidden() or self.store.people():
            return
        status = self.store.sync_status()
        key = str(self.store.path.resolve())
        settings = window_settings()
        asked = settings.value(ASKED_KEY) or []
        asked = [asked] if isinstance(asked, str) else list(asked)
        if status.server_url or status.is_demo or key in asked:
            return
        settings.setValue(ASKED_KEY, [*asked, key])
        settings.sync()
        self.you_dialog = YouDialog(self.store, self.window)
        self.you_dialog.accepted.connect(self._you_are)
        self.you_dialog.show()  # not modal: the welcome and the menus stay at hand

    def _you_are(self) -> None:
        person = self.you_dialog.person
        self.window.apply(Changes(leads=True))  # the "You" box is filled again
        me = self.window.filters.me
        me.setCurrentIndex(me.findData(person.id))
        self.window.apply_filters()
        self.window.say(f"You are {person.name}. Add your colleagues with Edit › People….")

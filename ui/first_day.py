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
YOU_KEY = "you_by_database"  # {database path: the email of "You" there}


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
        self._started = False  # "You" restored by the window's settings is not yet this one
        self.asks_who_you_are = True
        self.show_welcome_if_empty()
        window.filters.me.currentIndexChanged.connect(self._remember_you)
        QTimer.singleShot(0, self._start)  # once the window is on screen, its state restored

    def _start(self) -> None:
        self._choose_you()
        self._started = True
        self._ask_who_you_are()

    def _choose_you(self) -> None:
        """"You" as last chosen on this database, else its first person: the window's
        settings are shared by every database, where the same id is someone else."""
        active = {p.email: p.id for p in self.store.people() if p.active}
        if not active:
            return
        remembered = (window_settings().value(YOU_KEY) or {}).get(self._key())
        chosen = active.get(remembered, min(active.values()))
        me = self.window.filters.me
        if me.currentData() != chosen and me.findData(chosen) >= 0:
            me.blockSignals(True)
            me.setCurrentIndex(me.findData(chosen))
            me.blockSignals(False)
            self.window.apply_filters()

    def _remember_you(self) -> None:
        if not self._started:
            return
        person = next((p for p in self.store.people()
                       if p.id == self.window.filters.me.currentData()), None)
        if person is not None:
            settings = window_settings()
            settings.setValue(YOU_KEY, {**(settings.value(YOU_KEY) or {}),
                                        self._key(): person.email})

    def _key(self) -> str:
        return str(self.store.path.resolve())

    def show_welcome_if_empty(self) -> None:
        self.welcome.set_shown(self.store.is_empty())

    def edit_people(self) -> None:
        dialog = PeopleDialog(self.store, self.window)
        dialog.exec()
        if dialog.changed:
            self.window.apply(Changes(leads=True))

    def _ask_who_you_are(self) -> None:
        """Asked once per database: one without people, of this laptop alone."""
        if not self.asks_who_you_are or self.window.isHidden() or self.store.people():
            return
        status = self.store.sync_status()
        key = self._key()
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

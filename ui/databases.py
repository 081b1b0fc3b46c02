"""Which database the window works on: File › New database…, Open… and Open recent (kept
in the window's settings), the demo, and File › Back up…. Opening another database opens
a window on it in place of this one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from ui.action_ids import ActionId
from ui.actions import Submenu, numbered
from ui.window_state import window_settings
from workbench import paths
from workbench.clock import local_today
from workbench.store.db import DatabaseError
from workbench.store.leads import Store

RECENT_KEY = "recent_databases"
RECENT_LIMIT = 8
DATABASE_FILES = "Workbench databases (*.db);;All files (*)"
BACKUP_FILES = "Workbench backups (*.wbk);;All files (*)"
# the windows opened in place of another: kept here, or Python would let them go
_opened: dict[int, QMainWindow] = {}


def recent_databases() -> list[Path]:
    """The databases opened last, newest first, those still there."""
    value = window_settings().value(RECENT_KEY) or []
    names = [value] if isinstance(value, str) else list(value)
    return [Path(n) for n in names if Path(n).is_file()]


def remember(path: Path) -> None:
    path = path.resolve()
    kept = [str(path)] + [str(p) for p in recent_databases() if p.resolve() != path]
    settings = window_settings()
    settings.setValue(RECENT_KEY, kept[:RECENT_LIMIT])
    settings.sync()


class Databases(QObject):
    message = Signal(str)
    """What was backed up, for the status bar."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.store: Store = window.store
        actions = window.actions_by_id
        actions[ActionId.NEW_DATABASE].triggered.connect(self.new_database)
        actions[ActionId.OPEN_DATABASE].triggered.connect(self.open_database)
        actions[ActionId.BACKUP].triggered.connect(self.back_up)
        self.recent_menu = next(m for m in window.menuBar().findChildren(QMenu)
                                if m.title() == Submenu.RECENT.value)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        remember(self.store.path)

    # -- choosing ------------------------------------------------------------

    def new_database(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self.window, "New database", str(paths.data_dir() / "team.db"), DATABASE_FILES,
            options=QFileDialog.Option.DontConfirmOverwrite)
        if name:
            self.create(Path(name))

    def open_database(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.window, "Open a database",
                                              str(self.store.path.parent), DATABASE_FILES)
        if name:
            self.switch_to(Path(name))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        here = self.store.path.resolve()
        shown = [p for p in recent_databases() if p.resolve() != here]
        for number, path in enumerate(shown, 1):  # at most RECENT_LIMIT: 1 to 8
            action = self.recent_menu.addAction(numbered(number, f"{path.name}  —  {path.parent}"))
            action.triggered.connect(lambda _checked=False, path=path: self.switch_to(path))
        if not shown:
            self.recent_menu.addAction("No other database opened yet").setEnabled(False)

    # -- opening -------------------------------------------------------------

    def create(self, path: Path) -> QMainWindow | None:
        """An empty database at a path no file has, and a window on it."""
        if path.exists():
            QMessageBox.warning(self.window, "New database",
                                f"{path} already exists: a new database never replaces a "
                                "file. Open it with File › Open…, or choose another name.")
            return None
        return self.switch_to(path)

    def switch_to(self, path: Path) -> QMainWindow | None:
        """A window on the database at path in place of this one (this one if it is
        already open here)."""
        if path.resolve() == self.store.path.resolve():
            return self.window
        try:
            store = Store.open(path)
        except DatabaseError as problem:
            QMessageBox.critical(self.window, "Cannot open the database", str(problem))
            return None
        opened = type(self.window)(store)
        opened.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        key = id(opened)
        _opened[key] = opened
        opened.destroyed.connect(lambda: (_opened.pop(key, None), store.close()))
        opened.setGeometry(self.window.geometry())
        opened.show()
        self.window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.window.close()
        return opened

    def open_demo(self) -> None:
        """The demo database, made first if it is not there yet (2,000 leads, seconds)."""
        path = paths.demo_db_path()
        if path.exists():
            self.switch_to(path)
            return
        from workbench import demo

        def failed(problem: Exception) -> None:
            QMessageBox.warning(self.window, "The demo", str(problem))

        self.window.operations.run(
            lambda _progress, _cancelled: demo.create_database(path, leads=2000),
            title="The demo", label="Making the demo database (2,000 leads)…",
            done=lambda _result: self.switch_to(path), failed=failed, quiet_ms=300)

    # -- backing up ----------------------------------------------------------

    def back_up(self) -> None:
        default = self.store.path.with_name(f"{self.store.path.stem}-{local_today()}.wbk")
        name, _ = QFileDialog.getSaveFileName(self.window, "Back up the database",
                                              str(default), BACKUP_FILES)
        if name:
            self.back_up_to(Path(name))

    def back_up_to(self, target: Path) -> None:
        """A whole copy of the database, written off the GUI thread."""
        from workbench.services.backups import back_up

        store = self.store

        def done(copied) -> None:
            self.message.emit(f"Backed up to {copied.path}: {copied.leads:,} leads, "
                              f"{copied.people:,} people. 'workbench restore' makes a new "
                              "database from it.")

        def failed(problem: Exception) -> None:
            QMessageBox.warning(self.window, "Back up", str(problem))

        self.window.operations.run(lambda _progress, _cancelled: back_up(store, target),
                                   title="Back up", label=f"Copying to {target.name}…",
                                   done=done, failed=failed, quiet_ms=500)

"""Start the window: QApplication, the store, the main window."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from ui.product import APP_ID, APP_NAME, app_icon
from workbench.files.safe import UnsafeTarget, replacing

# The store (and SQLAlchemy) load here, before Qt: once PySide6 is loaded it reads the
# source of every module imported after it (for its __feature__ switches), 45 ms for these.
from workbench.store.db import DatabaseError
from workbench.store.leads import Store

SCREENSHOT_SIZE = (1440, 900)
# Offscreen, Qt warns of this on every window whose size limits change: it means nothing
# for a picture, and a screenshot should print only what went wrong.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


def quiet_offscreen_noise() -> None:
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_kind, _context, message: str) -> None:
        if message != OFFSCREEN_NOISE:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_ID)
    # window and taskbar icon: X11 and Windows take the window's; Wayland shells take the
    # desktop entry's, which they find by this name
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(APP_ID)
    from ui.scroll_bars import FlatScrollBars
    from ui.theme import readable

    # Fusion (Linux's default style) draws its scroll bars slowly: see ui/scroll_bars.py
    if app.style().name() == "fusion" and not isinstance(app.style(), FlatScrollBars):
        app.setStyle(FlatScrollBars(app.style().name()))
    app.setPalette(readable(app.palette()))
    return app


def run(path: Path, screenshot: Path | None = None,
        shown: Callable[[], None] | None = None) -> int:
    """Open the window on the database at path; with screenshot, render it to that PNG
    offscreen and return instead of running. `shown` is called once the window is."""
    if screenshot is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        quiet_offscreen_noise()
    from PySide6.QtWidgets import QMessageBox

    from ui.views.main_window import MainWindow

    app = application()
    try:
        store = Store.open(path)
    except DatabaseError as error:
        if screenshot is not None:
            print(f"workbench: {error}", file=sys.stderr)
        else:
            QMessageBox.critical(None, f"{APP_NAME}: cannot open the database", str(error))
        return 1
    window = MainWindow(store)
    try:
        if screenshot is not None:
            window.first_day.asks_who_you_are = False  # a picture answers no question
            try:
                return save_screenshot(app, window, screenshot)
            finally:  # work begun at opening (scores of another day) ends first
                window.returning.finish()
                window.operations.cancel()
        from ui.window_state import fit_within

        fit_within(window, window.screen().availableGeometry())  # a laptop's, a monitor's
        window.show()
        window.cards.focus_cards()  # keyboard triage can start at once
        if shown is not None:
            shown()
        return app.exec()
    finally:
        store.close()


def save_screenshot(app, window, target: Path) -> int:
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    window.cards.focus_cards()  # a selected card fills the detail pane
    app.processEvents()
    try:
        with replacing(target, window.store.path) as temporary:
            if not window.grab().save(str(temporary)):
                raise OSError("the picture could not be written")
    except (OSError, UnsafeTarget) as problem:
        print(f"workbench: could not write {target}: {problem}", file=sys.stderr)
        return 1
    print(f"Screenshot of {window.store.path} written to {target}.")
    return 0

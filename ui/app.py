"""Start the window: QApplication, the store, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from ui.views.main_window import MainWindow
from workbench.db import DatabaseError
from workbench.store import Store

APP_NAME = "Lead Workbench"


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("lead-workbench")
    return app


def run(path: Path) -> int:
    app = application()
    try:
        store = Store.open(path)
    except DatabaseError as error:
        QMessageBox.critical(None, f"{APP_NAME}: cannot open the database", str(error))
        return 1
    window = MainWindow(store)
    window.show()
    try:
        return app.exec()
    finally:
        store.close()

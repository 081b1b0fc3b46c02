"""A window on a copy of the shared demo database, shown offscreen."""


import pytest

from ui.views.main_window import MainWindow
from workbench.store.leads import Store


@pytest.fixture
def window(qtbot, db_copy):
    store = Store.open(db_copy)
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    store.close()

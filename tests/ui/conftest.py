"""A window on a copy of the shared demo database, shown offscreen."""


import pytest
from PySide6.QtWidgets import QApplication

from ui.views.main_window import MainWindow
from workbench.rules.stages import Stage
from workbench.store.leads import Store


@pytest.fixture
def window(qtbot, db_copy):
    store = Store.open(db_copy)
    win = MainWindow(store)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    QApplication.processEvents()  # the window's start, which restores "You", has run
    # "You" works the first MQL of the queue: the demo's reps each own some of the MQLs
    as_owner_of(win, win.board.columns[Stage.MQL].model.card(0).id)
    yield win
    win.close()
    store.close()


def load_every_card(model) -> None:
    """Every window of a list of cards (the first holds only what a screen shows)."""
    while model.canFetchMore():
        model.fetchMore()


def as_owner_of(window, lead_id: int) -> None:
    """"You" becomes the rep who owns the lead (another rep may not change it); a lead in
    the pool anyone may act on."""
    owner = window.store.lead(lead_id).owner_id
    if owner is not None:
        window.filters.me.setCurrentIndex(window.filters.me.findData(owner))
        window.filters.flush()  # the board and the queue are theirs at once

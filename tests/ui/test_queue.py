"""My queue: a rep works through their MQLs and the pool from the keyboard."""

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import load_every_card
from ui import window_state
from ui.dialogs.reason import ReasonAnswer, ReasonDialog
from ui.models import card_list
from ui.models.queue import QueueModel
from workbench.clock import utcnow
from workbench.rules.sla import overdue_cutoff
from workbench.rules.stages import Stage
from workbench.store.leads import Store


def queue_ids(win):
    model = win.queue.model
    return [model.card(row).id for row in range(model.rowCount())]


def open_queue(win, qtbot):
    qtbot.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert win.views.currentWidget() is win.queue
    assert win.queue.view.hasFocus()


def test_the_queue_model_reads_the_stores_queue_window_by_window(qtmodeltester, db_copy,
                                                                 monkeypatch):
    monkeypatch.setattr(card_list, "FIRST_WINDOW", 5)
    monkeypatch.setattr(card_list, "PAGE_SIZE", 5)
    with Store.open(db_copy) as store:
        me = store.users()[0][0]
        model = QueueModel(store)
        model.set_rep(me)
        expected = [card.id for card in store.queue(me)]
        assert len(expected) > 10, "the demo should fill more than two windows"
        assert model.rowCount() == 5 and model.canFetchMore()
        qtmodeltester.check(model)
        while model.canFetchMore():
            model.fetchMore()
        assert [model.card(row).id for row in range(model.rowCount())] == expected


def test_ctrl_2_shows_my_mqls_and_the_pool_follow_up_due_first(window, qtbot):
    open_queue(window, qtbot)
    me = window.filters.me.currentData()
    cards = [window.queue.model.card(row) for row in range(window.queue.model.rowCount())]
    assert cards and all(c.stage == Stage.MQL for c in cards)
    owners = {c.owner_name for c in cards}
    assert owners <= {None, window.filters.me.currentText()}
    waiting = [c.first_touch_at is None for c in cards]
    assert waiting == sorted(waiting, reverse=True)  # untouched (SLA running) first
    untouched = [c.mql_at for c in cards if c.first_touch_at is None]
    assert untouched == sorted(untouched)  # longest waiting first
    count, overdue = window.store.queue_summary(
        me, overdue_cutoff(utcnow(), window.criteria.sla_hours))
    assert window.queue.summary.text().startswith(f"{count:,} MQLs to triage")
    assert f"{overdue:,} overdue" in window.queue.summary.text()
    assert "A accept" in window.queue.hints.text()
    assert window.detail.lead_id == cards[0].id


def test_a_rep_works_the_queue_from_the_keyboard_and_undoes(window, qtbot, monkeypatch):
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(
        lambda cls, *a, ask_revisit, **_: ReasonAnswer(
            "not_ready" if ask_revisit else "bad_data", None,
            date(2027, 2, 1) if ask_revisit else None)))
    open_queue(window, qtbot)
    view = window.queue.view
    count = window.store.queue_summary(window.filters.me.currentData(), utcnow())[0]
    first, second, third, fourth = queue_ids(window)[:4]
    for key in (Qt.Key.Key_A, Qt.Key.Key_R, Qt.Key.Key_C):
        qtbot.keyClick(view, key)
    assert [window.store.lead(i).stage for i in (first, second, third)] == [
        Stage.SAL, Stage.DISQUALIFIED, Stage.RECYCLED]
    assert window.store.lead(first).owner_id == window.filters.me.currentData()
    assert queue_ids(window)[0] == fourth == window.cards.current_lead() == window.detail.lead_id
    assert window.queue.summary.text().startswith(f"{count - 3:,} MQLs")
    # J moves down, the next key acts on that lead
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert window.cards.current_lead() == queue_ids(window)[1]
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.store.lead(third).stage == Stage.MQL
    assert third in queue_ids(window) and window.cards.current_lead() == third
    mql = window.board.columns[Stage.MQL].model
    load_every_card(mql)
    assert mql.row_of(third) is not None


def test_clicking_the_queue_tab_readies_the_first_lead_for_the_keys(window, qtbot):
    tab_bar = window.views.tabBar()
    qtbot.mouseClick(tab_bar, Qt.MouseButton.LeftButton,
                     pos=tab_bar.tabRect(window.views.indexOf(window.queue)).center())
    assert window.views.currentWidget() is window.queue
    assert window.queue.view.hasFocus()
    assert window.cards.current_lead() == queue_ids(window)[0] == window.detail.lead_id


def test_the_queue_is_the_chosen_reps_and_is_kept_between_runs(window, qtbot):
    open_queue(window, qtbot)
    other = window.filters.me.findData(window.store.users()[1][0])
    window.filters.me.setCurrentIndex(other)
    window.filters.flush()
    name = window.filters.me.currentText()
    assert window.queue.title.text() == f"My queue — {name}"
    assert {window.queue.model.card(r).owner_name
            for r in range(window.queue.model.rowCount())} <= {None, name}
    window_state.save(window)
    window.views.setCurrentWidget(window.board)
    window_state.restore(window)
    assert window.views.currentWidget() is window.queue


def test_an_empty_queue_says_so(window, qtbot):
    with Store.open(window.store.path) as other:
        for card in other.queue(window.filters.me.currentData()):
            other.move_lead(card.id, Stage.SAL)
    window.refresh()
    open_queue(window, qtbot)
    assert window.queue.model.rowCount() == 0
    assert window.queue.empty.isVisibleTo(window.queue)
    assert window.queue.summary.text().startswith("0 MQLs")
    qtbot.keyClick(window.queue.view, Qt.Key.Key_A)
    assert window.statusBar().currentMessage() == "Select a lead first."


@pytest.mark.parametrize("key", [Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4])
def test_views_beside_the_board_show_only_the_filter_they_read_and_slash_searches_it(
        window, qtbot, key):
    filters = window.filters
    board_filters = (filters.search, filters.owner, filters.source, filters.campaign,
                     filters.min_score, filters.max_score, filters.overdue, filters.stale,
                     filters.sort)
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
    assert window.views.currentWidget() is not window.board
    assert filters.me.isVisible()  # whose queue, day or figures: the one filter they read
    assert not any(widget.isVisible() for widget in board_filters)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Slash)
    assert window.views.currentWidget() is window.board
    assert all(widget.isVisible() for widget in board_filters)
    assert filters.search.hasFocus()

"""One current lead in the whole window: highlighted in one place, shown in the pane, and
the lead every key and menu action acts on, whichever way it changed."""

from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui.conftest import load_every_card
from ui.dialogs.reason import ReasonAnswer, ReasonDialog
from workbench.rules.stages import Stage
from workbench.services.changes import Changes
from workbench.store.leads import Store


def ids(win, stage):
    model = win.board.columns[stage].model
    return [model.card(row).id for row in range(model.rowCount())]


def highlighted(win):
    """Every highlighted card on screen: (where, lead id). The queue keeps its own current
    card while the board is shown, and the other way round."""
    lists = [(key, column.view) for key, column in
             (*win.board.columns.items(), *win.board.journey_columns.items())]
    if win.views.currentWidget() is win.queue:
        lists = [("queue", win.queue.view)]
    return [(where, view.model().card(index.row()).id) for where, view in lists
            for index in view.selectionModel().selectedRows()]


def assert_one_current(win, lead_id):
    """lead_id is current: the only card highlighted, the one in the pane, the one acted on."""
    assert win.cards.current_lead() == lead_id
    assert win.detail.lead_id == lead_id
    assert [lead for _where, lead in highlighted(win)] == ([lead_id] if lead_id else [])
    if lead_id is not None:
        assert win.store.lead(lead_id).name in win.detail.document.toPlainText()
    else:
        assert win.detail.document.toPlainText() == ""


@pytest.fixture
def on_board(window):
    window.activateWindow()
    window.board.focus_first_card()
    return window


def test_h_and_l_into_a_column_that_had_a_current_card_move_the_one_current_lead(
        on_board, qtbot):
    win = on_board
    mql, sal = (win.board.columns[s].view for s in (Stage.MQL, Stage.SAL))
    assert_one_current(win, ids(win, Stage.MQL)[0])
    qtbot.keyClick(mql, Qt.Key.Key_L)
    assert_one_current(win, ids(win, Stage.SAL)[0])
    qtbot.keyClick(sal, Qt.Key.Key_H)  # back to row 0 of MQL, where the card was current
    assert_one_current(win, ids(win, Stage.MQL)[0])
    qtbot.keyClick(mql, Qt.Key.Key_L)
    qtbot.keyClick(sal, Qt.Key.Key_J)
    qtbot.keyClick(sal, Qt.Key.Key_H)
    assert_one_current(win, ids(win, Stage.MQL)[1])
    qtbot.keyClick(mql, Qt.Key.Key_K)
    assert_one_current(win, ids(win, Stage.MQL)[0])


def test_a_key_acts_on_the_lead_in_the_pane_after_moving_between_columns(on_board, qtbot):
    win = on_board
    mql, sal = (win.board.columns[s].view for s in (Stage.MQL, Stage.SAL))
    qtbot.keyClick(mql, Qt.Key.Key_L)
    qtbot.keyClick(sal, Qt.Key.Key_H)
    shown = win.detail.lead_id
    in_sal = ids(win, Stage.SAL)[0]
    history = win.store.stage_history(in_sal)
    qtbot.keyClick(mql, Qt.Key.Key_A)
    assert win.store.lead(shown).stage == Stage.SAL
    assert win.store.stage_history(in_sal) == history  # not on screen: untouched
    assert_one_current(win, ids(win, Stage.MQL)[0])  # the next card took its place
    assert shown != win.detail.lead_id


def test_a_click_makes_the_card_under_it_the_one_current_lead(on_board, qtbot):
    win = on_board
    view = win.board.columns[Stage.SQL].view
    target = ids(win, Stage.SQL)[1]
    rect = view.visualRect(view.model().index(1, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert_one_current(win, target)
    # Ctrl+click on the current card leaves it current and highlighted
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, rect.center())
    assert_one_current(win, target)
    # a click below the last card changes nothing
    below = QPoint(rect.center().x(), view.viewport().height() - 2)
    if not view.indexAt(below).isValid():
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=below)
        assert_one_current(win, target)


def test_a_dropped_card_leaves_the_next_card_current_in_its_column(on_board):
    win = on_board
    win.filters.owner.setCurrentIndex(win.filters.owner.findData("unassigned"))
    win.filters.flush()  # the pool: leads any rep may move
    column = win.board.columns[Stage.MQL]
    win.board.select_lead(ids(win, Stage.MQL)[2])
    dragged, following = ids(win, Stage.MQL)[2:4]
    mime = column.model.mimeData([column.model.index(2, 0)])
    sal = win.board.columns[Stage.SAL].model
    sal.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, sal.index(-1, -1))
    assert win.store.lead(dragged).stage == Stage.SAL
    assert_one_current(win, following)
    # the last card dropped: the one before it is current
    load_every_card(column.model)
    win.board.select_lead(ids(win, Stage.MQL)[-1])
    last, before = ids(win, Stage.MQL)[-1], ids(win, Stage.MQL)[-2]
    mime = column.model.mimeData([column.model.index(column.model.rowCount() - 1, 0)])
    sal.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, sal.index(-1, -1))
    assert win.store.lead(last).stage == Stage.SAL
    assert_one_current(win, before)


def test_a_search_or_filter_that_hides_the_current_lead_clears_the_pane(on_board):
    win = on_board
    win.board.select_lead(ids(win, Stage.SAL)[0])
    current = win.store.lead(ids(win, Stage.SAL)[0])
    win.filters.search.setText(current.name)
    win.filters.flush()
    assert_one_current(win, current.id)  # still listed: still current
    win.filters.search.setText("no lead is called this")
    win.filters.flush()
    assert_one_current(win, None)
    win.clear_search()  # Esc: back to every lead, the first card current
    assert_one_current(win, ids(win, Stage.MQL)[0])
    owned = next(i for i in ids(win, Stage.SAL) if win.store.lead(i).owner_id is not None)
    win.board.select_lead(owned)
    win.filters.owner.setCurrentIndex(win.filters.owner.findData("unassigned"))
    win.filters.flush()
    assert_one_current(win, None)


def test_enter_in_the_search_box_takes_the_keys_to_the_first_match(on_board, qtbot):
    win = on_board
    target = win.store.lead(ids(win, Stage.SQL)[0])
    win.filters.focus_search()
    win.filters.search.setText(target.name)
    qtbot.keyClick(win.filters.search, Qt.Key.Key_Return)
    first = next(ids(win, s)[0] for s in win.board.visible_stages() if ids(win, s))
    assert_one_current(win, first)
    assert win.board.current_column().view.hasFocus()


def test_hiding_the_column_of_the_current_lead_leaves_no_lead_to_act_on(on_board, qtbot):
    win = on_board
    win.board.select_lead(ids(win, Stage.SQL)[0])
    win.column_actions[Stage.SQL].setChecked(False)
    assert_one_current(win, None)
    win.actions_by_id["accept"].trigger()
    assert win.statusBar().currentMessage() == "Select a lead first."
    win.column_actions[Stage.SQL].setChecked(True)
    assert_one_current(win, None)  # shown again, nothing highlighted in it


def test_grouping_the_other_way_keeps_the_current_lead(on_board):
    win = on_board
    lead_id = ids(win, Stage.MQL)[0]
    win.group_by("journey")
    assert_one_current(win, lead_id)
    assert win.board.current_column() in win.board.shown_columns()
    win.group_by("stage")
    assert_one_current(win, lead_id)


def test_a_lead_moved_by_someone_elses_sync_stays_current_in_its_new_column(on_board):
    win = on_board
    lead_id = ids(win, Stage.MQL)[0]
    with Store.open(win.store.path) as other:  # what a sync writes
        other.move_lead(lead_id, Stage.RECYCLED, reason_code="not_ready",
                        revisit_on=date(2027, 3, 1))
        other.move_lead(ids(win, Stage.SAL)[0], Stage.SQL)
    win.sync.changed.emit(Changes(leads=True))
    assert_one_current(win, None)  # recycled leads are not on the default board
    win.column_actions[Stage.RECYCLED].setChecked(True)
    win.board.select_lead(lead_id)
    assert_one_current(win, lead_id)
    with Store.open(win.store.path) as other:
        other.move_lead(lead_id, Stage.MQL)
    win.sync.changed.emit(Changes(leads=True))
    assert_one_current(win, lead_id)
    assert win.board.current_column().key == Stage.MQL
    assert "MQL for" in win.detail.document.toPlainText()


def test_the_queue_and_the_board_each_keep_their_lead_and_the_shown_one_is_current(
        on_board, qtbot, monkeypatch):
    win = on_board
    on_board_lead = ids(win, Stage.SQL)[0]
    win.board.select_lead(on_board_lead)
    win.show_view(win.queue)
    queued = win.queue.model.card(0).id
    assert win.cards.current_lead() == win.detail.lead_id == queued
    assert win.queue.view.selectionModel().selectedRows()
    win.show_view(win.reports)
    assert win.cards.current_lead() is None  # the reports choose no lead
    win.show_view(win.board)
    assert_one_current(win, on_board_lead)
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(
        lambda cls, *a, **k: ReasonAnswer("no_need", None, None)))
    win.show_view(win.queue)
    win.actions_by_id["reject"].trigger()  # the menu acts on the lead shown
    assert win.store.lead(queued).stage == Stage.DISQUALIFIED
    assert win.store.lead(on_board_lead).stage == Stage.SQL


def test_on_today_the_lead_selected_there_is_the_one_current(on_board, qtbot, monkeypatch):
    from datetime import datetime

    from workbench.services import followup

    win = on_board
    me = win.filters.me.currentData()
    planned = [i for i in ids(win, Stage.SAL) if win.store.lead(i).owner_id == me][:2]
    for lead_id in planned:
        followup.plan_next_step(win.store, lead_id, "call", datetime(2026, 11, 22, 9), by=me)
    win.actions_by_id["show_today"].trigger()
    today = win.followup.today
    qtbot.waitUntil(today.list.hasFocus)
    shown = today.current_lead()
    assert shown is not None
    assert win.cards.current_lead() == win.detail.lead_id == shown
    other = next(i for i, item in enumerate(today.items)
                 if item.lead_id != shown and item.lead_id in planned)
    today.list.setCurrentItem(today.list.topLevelItem(other))
    chosen = today.items[other].lead_id
    assert win.cards.current_lead() == win.detail.lead_id == chosen
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(
        lambda cls, *a, **k: ReasonAnswer("no_need", None, None)))
    win.actions_by_id["reject"].trigger()  # the menu acts on the lead shown
    assert win.store.lead(chosen).stage == Stage.DISQUALIFIED
    win.show_view(win.board)
    assert win.cards.current_lead() == win.detail.lead_id != chosen

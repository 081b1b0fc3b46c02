"""The board as a rep uses it: columns, cards, moves, search, keys, and state kept."""

import dataclasses
import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QToolButton

from tests.store.test_board_queries import ODD_SEARCHES
from tests.ui.conftest import as_owner_of, load_every_card
from ui.actions import Submenu
from ui.databases import remember
from ui.dialogs.reason import ReasonAnswer, ReasonDialog
from ui.models.card_list import FIRST_WINDOW, PAGE_SIZE
from ui.models.stage_column import StageColumnModel
from ui.views.board import DEFAULT_VISIBLE
from ui.views.main_window import MainWindow
from workbench.clock import local_today
from workbench.rules.stages import Stage
from workbench.store.leads import BoardFilter, BoardSort, ColumnSummary, OwnerFilter, Store


def column(win, stage):
    return win.board.columns[stage]


def ids(win, stage):
    model = column(win, stage).model
    return [model.card(row).id for row in range(model.rowCount())]


def test_column_models_pass_the_model_tester_and_load_window_by_window(qtmodeltester, db_copy):
    with Store.open(db_copy) as store:
        model = StageColumnModel(store, Stage.LEAD)
        model.set_query(BoardFilter(), BoardSort.SCORE)
        assert model.rowCount() == FIRST_WINDOW and model.canFetchMore()
        model.fetchMore()
        assert model.rowCount() == FIRST_WINDOW + PAGE_SIZE
        qtmodeltester.check(model)  # fetches more windows itself
        while model.canFetchMore():
            model.fetchMore()
        assert model.rowCount() == store.stats().by_stage["lead"]
        qtmodeltester.check(model)


def test_headers_show_count_and_average_of_each_visible_stage(window):
    assert window.board.visible_stages() == list(DEFAULT_VISIBLE)
    stats = window.store.stats()
    for stage in DEFAULT_VISIBLE:
        text = column(window, stage).summary.text()
        assert text.startswith(f"{stats.by_stage[stage.value]:,} lead"), text
        assert "avg score" in text
    assert window.counts.lead_count.text().startswith("2,000 leads · ")


def test_dropping_a_card_on_an_allowed_stage_moves_it(window):
    lead_id = ids(window, Stage.MQL)[0]
    before = window.store.stats().by_stage
    mime = column(window, Stage.MQL).model.mimeData(
        [column(window, Stage.MQL).model.index(0, 0)])
    sal = column(window, Stage.SAL).model
    assert sal.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, sal.index(-1, -1))
    assert not sal.dropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, sal.index(-1, -1))
    assert window.store.lead(lead_id).stage == Stage.SAL
    assert lead_id not in ids(window, Stage.MQL)
    assert lead_id in ids(window, Stage.SAL)
    assert column(window, Stage.SAL).summary.text().startswith(
        f"{before['sal'] + 1:,} lead")
    assert window.store.stage_history(lead_id)[-1].to_stage == Stage.SAL


def test_a_refused_drop_snaps_back_with_the_rule_said_inline(window):
    # no message box: the autouse fixture fails the test on any
    lead_id = ids(window, Stage.SAL)[0]
    as_owner_of(window, lead_id)
    history = window.store.stage_history(lead_id)
    window.triage.move_leads([lead_id], Stage.CUSTOMER)
    assert window.store.lead(lead_id).stage == Stage.SAL
    assert lead_id in ids(window, Stage.SAL)
    assert window.store.stage_history(lead_id) == history
    notice = window.splitter.notice
    assert notice.isVisible()
    assert "from SAL to Customer" in notice.text.text() and "qualified" in notice.text.text()
    notice.findChild(QToolButton).click()
    assert not notice.isVisible()


def test_a_drop_on_a_column_that_holds_the_card_is_not_accepted(window):
    mql = column(window, Stage.MQL).model
    mime = mql.mimeData([mql.index(0, 0)])
    assert not mql.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, mql.index(-1, -1))


def test_rejecting_asks_for_a_reason_and_cancel_changes_nothing(window, monkeypatch):
    lead_id = ids(window, Stage.MQL)[0]
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(lambda cls, *a, **k: None))
    window.triage.move_leads([lead_id], Stage.DISQUALIFIED)
    assert window.store.lead(lead_id).stage == Stage.MQL

    asked = []

    def answer(cls, parent, title, lead_name, reasons, ask_revisit, revisit_days):
        asked.append((title, [code for code, _ in reasons], ask_revisit))
        return ReasonAnswer("competitor", "Works for a competitor", None)

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(answer))
    window.triage.move_leads([lead_id], Stage.DISQUALIFIED)
    assert asked[0][0].startswith("Reject") and "competitor" in asked[0][1]
    assert asked[0][2] is False
    last = window.store.stage_history(lead_id)[-1]
    assert (last.to_stage, last.reason_code, last.note) == (
        Stage.DISQUALIFIED, "competitor", "Works for a competitor")


def test_recycling_asks_for_a_revisit_date(window, monkeypatch):
    lead_id = ids(window, Stage.MQL)[0]
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(
        lambda cls, *a, ask_revisit, **_: ReasonAnswer("not_ready", None, date(2027, 3, 1))
        if ask_revisit else None))
    window.triage.move_leads([lead_id], Stage.RECYCLED)
    lead = window.store.lead(lead_id)
    assert (lead.stage, lead.revisit_on) == (Stage.RECYCLED, date(2027, 3, 1))


def test_the_reason_dialog_offers_the_catalogue(qtbot):
    dialog = ReasonDialog("Recycle", "<b>x</b>", [("not_ready", "Not ready"),
                                                   ("bad_timing", "Bad timing")], True, 30)
    qtbot.addWidget(dialog)
    # nothing chosen for the user: the button waits for a reason
    assert dialog.reason.currentIndex() == -1 and not dialog.accept_button.isEnabled()
    dialog.reason.setCurrentIndex(1)
    assert dialog.accept_button.isEnabled()
    dialog.note.setPlainText("  call in spring  ")
    answer = dialog.answer()
    assert (answer.reason_code, answer.note) == ("bad_timing", "call in spring")
    assert answer.revisit_on == local_today() + timedelta(days=30)  # the team's recycle days
    assert dialog.windowTitle() == "Recycle <b>x</b>"
    assert dialog.accept_button.text() == "Recycle"  # Enter says what it does


def test_enter_in_the_reject_dialog_records_no_reason_nobody_chose(qtbot):
    dialog = ReasonDialog("Reject", "Ahmed Kowalski", [("no_budget", "No budget"),
                                                       ("competitor", "Competitor")], False, 30)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.reason.currentText() == "" and dialog.reason.currentData() is None
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.result() == 0  # not accepted
    dialog.reason.setCurrentIndex(dialog.reason.findData("competitor"))
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.answer().reason_code == "competitor"


@pytest.mark.parametrize("text", ODD_SEARCHES)
def test_the_search_box_takes_any_text(window, text):
    window.filters.search.setText(text)
    window.filters.flush()
    assert window.board.board.search == text
    for stage in window.board.visible_stages():
        assert column(window, stage).summary.text()


def test_search_narrows_every_column(window):
    target = column(window, Stage.SAL).model.card(0)
    window.filters.search.setText(target.name)
    window.filters.flush()
    assert target.id in ids(window, Stage.SAL)
    assert all(column(window, s).model.rowCount() < 100 for s in DEFAULT_VISIBLE)
    window.clear_search()
    assert window.filters.search.text() == ""
    assert column(window, Stage.MQL).model.rowCount() > 20


def test_the_count_says_how_many_leads_are_in_hidden_columns(window):
    window.filters.search.setText("sales")
    window.filters.flush()
    summaries = window.board.summaries
    hidden = [s for s in summaries if s not in window.board.visible_stages()
              and summaries[s].count]
    total = sum(summary.count for summary in summaries.values())
    text = window.counts.lead_count.text()
    assert text.startswith(f"{total:,} leads · {sum(summaries[s].count for s in hidden):,}"
                           " in hidden columns (")
    assert all(f"{s.label} {summaries[s].count:,}" in text for s in hidden)
    for stage in hidden:
        window.column_actions[stage].setChecked(True)
    assert window.counts.lead_count.text() == f"{total:,} leads"


def test_a_broad_search_says_it_lists_only_the_first_matches(window, monkeypatch):
    monkeypatch.setattr("workbench.store.leads.SEARCH_MATCH_LIMIT", 25)
    window.filters.search.setText("sales")  # every sales title in the demo
    window.filters.flush()
    assert window.store.search_is_capped("sales")
    assert window.counts.lead_count.text().startswith(
        "First 25 matches: type more to narrow the search")
    window.clear_search()
    assert window.counts.lead_count.text().startswith("2,000 leads · ")


def test_owner_filter_and_overdue_only(window):
    window.filters.owner.setCurrentIndex(window.filters.owner.findData("unassigned"))
    window.filters.flush()
    assert column(window, Stage.SAL).model.rowCount() == 0
    assert all(column(window, Stage.MQL).model.card(r).owner_name is None
               for r in range(column(window, Stage.MQL).model.rowCount()))
    window.filters.owner.setCurrentIndex(0)
    window.filters.overdue.setChecked(True)
    window.filters.flush()
    overdue = window.counts.overdue_count.text()
    assert overdue.endswith("overdue MQLs  ") or overdue.endswith("overdue MQL  ")
    assert column(window, Stage.MQL).model.rowCount() == int(overdue.split()[0])
    assert column(window, Stage.SAL).model.rowCount() == 0


def test_keyboard_moves_between_cards_and_columns(window, qtbot):
    window.activateWindow()
    window.board.focus_first_card()
    mql = column(window, Stage.MQL).view
    assert mql.hasFocus() and mql.currentIndex().row() == 0
    qtbot.keyClick(mql, Qt.Key.Key_J)
    assert mql.currentIndex().row() == 1
    assert window.detail.lead_id == ids(window, Stage.MQL)[1]
    qtbot.keyClick(mql, Qt.Key.Key_K)
    assert mql.currentIndex().row() == 0
    qtbot.keyClick(mql, Qt.Key.Key_L)
    sal = column(window, Stage.SAL).view
    assert sal.hasFocus() and window.detail.lead_id == ids(window, Stage.SAL)[0]
    qtbot.keyClick(sal, Qt.Key.Key_Right)
    assert column(window, Stage.SQL).view.hasFocus()
    qtbot.keyClick(column(window, Stage.SQL).view, Qt.Key.Key_H)
    assert sal.hasFocus()
    qtbot.keyClick(sal, Qt.Key.Key_Return)
    assert window.detail.document.hasFocus()
    window.actions_by_id["focus_search"].trigger()
    assert window.filters.search.hasFocus()


def test_every_action_is_in_a_menu_with_its_shortcut(window):
    in_menus = set()
    for menu_action in window.menuBar().actions():
        stack = [menu_action.menu()]
        while stack:
            for action in stack.pop().actions():
                if action.menu():
                    stack.append(action.menu())
                in_menus.add(action.objectName())
    assert {a.value for a in window.actions_by_id} <= in_menus
    assert window.actions_by_id["next_card"].shortcut().toString() == "J"
    assert window.actions_by_id["focus_search"].shortcut().toString() == "/"
    assert [window.actions_by_id[a].shortcut().toString() for a in (
        "show_board", "show_queue", "show_reports", "criteria")] == [
        "Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+,"]


def test_each_menu_opens_its_items_by_letters_of_their_own(window, tmp_path):
    """Alt and a letter opens one item, never cycles between two: each menu's access keys
    (the letter after &) are its own, in the menu bar's menus and in their submenus, those
    filled as they open (File › Open recent) included."""
    for name in ("leads.db", "R&D leads.db", "q4.db"):  # an & in a name is no access key
        (tmp_path / name).touch()
        remember(tmp_path / name)
    menus = [action.menu() for action in window.menuBar().actions()]
    assert len(menus) >= 6
    checked = set()
    while menus:
        menu = menus.pop()
        menu.aboutToShow.emit()
        checked.add(menu.title())
        # a submenu's placeholder ("No saved views yet") is disabled: nothing to open
        items = [a for a in menu.actions() if not a.isSeparator() and a.isEnabled()]
        menus += [a.menu() for a in items if a.menu()]
        letters = [re.search(r"&(\w)", a.text()) for a in items]
        assert None not in letters, (menu.title(), [a.text() for a in items])
        keys = [m.group(1).lower() for m in letters]
        assert len(keys) == len(set(keys)), (menu.title(), keys)
    assert {"&Columns", "&Move to", "&Group by", Submenu.RECENT.value} <= checked
    recent = next(a.menu() for a in window.menuBar().actions()[0].menu().actions()
                  if a.menu() and a.menu().title() == Submenu.RECENT.value)
    assert [a.text().split("  —  ")[0] for a in recent.actions()] == [
        "&1 q4.db", "&2 R&&D leads.db", "&3 leads.db"]


def test_markup_in_data_is_shown_as_plain_text(qtbot, tmp_path):
    with Store.open(tmp_path / "markup.db") as store:
        lead_id = store.add_lead(first_name="<b>x</b>", last_name="<img src=x onerror=1>",
                                 email="a&b@example.com", stage=Stage.MQL)
        store.add_note(lead_id, "<script>alert(1)</script> & <i>notes</i>")
        win = MainWindow(store)
        qtbot.addWidget(win)
        win.board.select_lead(lead_id)
        assert win.detail.lead_id == lead_id
        shown = win.detail.document.toPlainText()
        assert "<b>x</b> <img src=x onerror=1>" in shown
        assert "<script>alert(1)</script> & <i>notes</i>" in shown
        model = column(win, Stage.MQL).model
        assert model.index(0, 0).data() == "<b>x</b> <img src=x onerror=1>"
        assert "&lt;b&gt;x&lt;/b&gt;" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
        win.close()


def test_adding_a_note_records_an_activity(window, qtbot):
    lead_id = ids(window, Stage.SQL)[0]
    window.board.select_lead(lead_id)
    window.detail.note.setPlainText("Wants a call after the board meeting")
    qtbot.keyClick(window.detail.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    activities = window.store.lead_detail(lead_id).activities
    assert (activities[0].kind, activities[0].note) == (
        "note", "Wants a call after the board meeting")
    assert "Wants a call after the board meeting" in window.detail.document.toPlainText()
    assert window.detail.note.toPlainText() == ""
    window.detail.add_note()  # empty: a message, nothing stored
    assert "needs some text" in window.detail.message.text()
    assert len(window.store.lead_detail(lead_id).activities) == len(activities)


def test_changes_from_another_process_appear_on_refresh(window):
    mql = column(window, Stage.MQL)
    before = window.store.stats().by_stage["mql"]
    with Store.open(window.store.path) as cli:
        fresh = cli.add_lead(first_name="Fresh", last_name="Import", stage=Stage.MQL)
    window.actions_by_id["refresh"].trigger()
    assert mql.summary.text().startswith(f"{before + 1:,} leads")
    assert window.counts.lead_count.text().startswith("2,001 leads · ")
    load_every_card(mql.model)  # its score of 0 puts it last
    assert fresh in ids(window, Stage.MQL)


def test_layout_columns_and_filters_are_restored(qtbot, db_copy):
    with Store.open(db_copy) as store:
        first = MainWindow(store)
        qtbot.addWidget(first)
        first.column_actions[Stage.LEAD].setChecked(True)
        first.column_actions[Stage.CUSTOMER].setChecked(False)
        first.filters.source.setCurrentIndex(first.filters.source.findData("referral"))
        first.filters.sort.setCurrentIndex(first.filters.sort.findData("time_in_stage"))
        first.filters.flush()
        first.splitter.setSizes([900, 540])
        sizes = first.splitter.sizes()
        first.close()

        second = MainWindow(store)
        qtbot.addWidget(second)
        assert Stage.LEAD in second.board.visible_stages()
        assert Stage.CUSTOMER not in second.board.visible_stages()
        assert second.column_actions[Stage.LEAD].isChecked()
        assert second.board.board.source == "referral"
        assert second.board.sort == BoardSort.TIME_IN_STAGE
        assert second.splitter.sizes() == sizes
        second.close()


def test_screenshot_command_renders_the_window(db_copy, tmp_path):
    target = tmp_path / "board.png"
    # paths relative to the current folder, as a user types them
    result = subprocess.run([sys.executable, "-m", "ui.main", "--db", db_copy.name,
                             "--screenshot", target.name], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # offscreen Qt's propagateSizeHints() notice is not news
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1440, 900)


def test_rescoring_runs_off_the_gui_thread_and_refreshes_the_board(window, qtbot):
    lower = dataclasses.replace(window.criteria, mql_threshold=45)  # something to promote
    window.use_criteria(window.store.save_criteria(lower))
    mql_before = window.store.stats().by_stage["mql"]
    action = window.actions_by_id["rescore"]
    action.trigger()
    assert not action.isEnabled()  # running on its worker thread
    qtbot.waitUntil(action.isEnabled, timeout=30_000)
    message = window.statusBar().currentMessage()
    assert message.startswith("Scored 2,000 leads"), message
    promoted = window.store.stats().by_stage["mql"] - mql_before
    assert promoted > 0 and f"{promoted:,} reached the MQL threshold" in message
    assert column(window, Stage.MQL).summary.text().startswith(f"{mql_before + promoted:,} ")


def test_the_detail_pane_explains_the_score(window):
    card = column(window, Stage.SQL).model.card(0)
    window.board.select_lead(card.id)
    text = window.detail.document.toPlainText()
    assert f"Why {card.score}?" in text and f"grade {card.grade}" in text


def test_on_a_database_scored_months_ago_the_window_brings_scores_to_today(qtbot, tmp_path):
    from workbench import demo
    from workbench.services import todays_scores

    path = tmp_path / "old.db"
    demo.create_database(path, leads=300, seed=4, as_of=datetime(2026, 9, 1, 9, 0))
    with Store.open(path) as store:
        win = MainWindow(store)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: todays_scores.scores_are_current(store) and
                        not win.operations.running(), timeout=30_000)
        for stage in (Stage.MQL, Stage.SQL):
            card = column(win, stage).model.card(0)
            win.board.select_lead(card.id)
            text = win.detail.document.toPlainText()
            assert f"Why {card.score}?" in text and f"grade {card.grade}" in text
            assert card.score == store.lead(card.id).score
        win.close()


def test_the_board_can_be_grouped_by_buyer_journey_read_only(window, qtbot):
    window.group_by("journey")
    shown = window.board.shown_columns()
    assert [c.title.text() for c in shown] == ["Awareness", "Interest", "Evaluation", "Intent"]
    intent = window.board.journey_columns["intent"]
    assert intent.model.rowCount() > 0
    assert intent.summary.text().startswith(f"{window.board.summaries['intent'].count:,} lead")
    mime = intent.model.mimeData([intent.model.index(0, 0)])
    other = window.board.journey_columns["awareness"].model
    assert not other.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, -1, other.index(-1, -1))
    assert not intent.model.flags(intent.model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    window.board.focus_first_card()
    qtbot.keyClick(window.board.shown_columns()[0].view, Qt.Key.Key_Right)
    window.close()
    with Store.open(window.store.path) as store:
        again = MainWindow(store)
        qtbot.addWidget(again)
        assert again.board.grouping == "journey"
        assert again.grouping_actions["journey"].isChecked()
        again.group_by("stage")
        assert [c.key for c in again.board.shown_columns()] == list(DEFAULT_VISIBLE)
        again.close()


def test_a_drop_into_sql_needs_the_bant_rule(window):
    lead_id = ids(window, Stage.SAL)[0]
    as_owner_of(window, lead_id)
    for item in ("budget", "authority", "need", "timeline"):
        window.store.set_bant(lead_id, item, "unknown")
    window.triage.move_leads([lead_id], Stage.SQL)
    assert window.store.lead(lead_id).stage == Stage.SAL
    assert "not sales qualified yet: need must be confirmed" in window.splitter.notice.text.text()
    window.store.set_bant(lead_id, "need", "confirmed")
    window.store.set_bant(lead_id, "budget", "partial")
    window.store.set_bant(lead_id, "timeline", "confirmed")
    window.triage.move_leads([lead_id], Stage.SQL)
    assert window.store.lead(lead_id).stage == Stage.SQL
    assert lead_id in ids(window, Stage.SQL)


def test_a_rep_triages_ten_leads_from_the_keyboard(window, qtbot, monkeypatch):
    answers = {False: ReasonAnswer("no_need", "No pain today", None),
               True: ReasonAnswer("not_ready", None, date(2027, 3, 1))}
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(
        lambda cls, *a, ask_revisit, **_: answers[ask_revisit]))
    me = window.filters.me.currentData()
    owner = window.filters.owner  # the pool: leads a rep may act on (and take)
    owner.setCurrentIndex(owner.findData("unassigned"))
    window.filters.flush()
    window.board.focus_first_card()
    mql = column(window, Stage.MQL).view
    keys = [Qt.Key.Key_A, Qt.Key.Key_R, Qt.Key.Key_C, Qt.Key.Key_A, Qt.Key.Key_A,
            Qt.Key.Key_R, Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_A, Qt.Key.Key_A]
    expected = {Qt.Key.Key_A: Stage.SAL, Qt.Key.Key_R: Stage.DISQUALIFIED,
                Qt.Key.Key_C: Stage.RECYCLED}
    done = []
    for key in keys:
        lead_id = window.board.current_lead()
        assert mql.hasFocus() and lead_id == ids(window, Stage.MQL)[0]
        qtbot.keyClick(mql, key)
        done.append((lead_id, expected[key]))
        assert lead_id not in ids(window, Stage.MQL)
        assert window.detail.lead_id == window.board.current_lead() != lead_id
    for lead_id, stage in done:
        lead = window.store.lead(lead_id)
        last = window.store.stage_history(lead_id)[-1]
        assert (lead.stage, last.to_stage, last.user_id) == (stage, stage, me)
        if stage == Stage.SAL:
            assert lead.owner_id == me
        if stage == Stage.DISQUALIFIED:
            assert (last.reason_code, last.note) == ("no_need", "No pain today")
        if stage == Stage.RECYCLED:
            assert lead.revisit_on == date(2027, 3, 1)
    # the headers were adjusted move by move; they must match a recount
    recount = window.store.column_summaries(window.board.board)
    for stage in window.board.visible_stages():
        assert column(window, stage).summary.text() == column(window, stage).model.summary_text(
            recount[stage].count, recount[stage].average_score)
    overdue = window.counts.overdue
    window.counts.read_overdue(window.criteria.sla_hours)
    assert window.counts.overdue == overdue


def test_keys_one_to_four_cycle_the_bant_checklist(window, qtbot):
    window.board.focus_first_card()
    lead_id = window.board.current_lead()
    view = window.board.current_column().view
    for item in ("budget", "authority", "need", "timeline"):
        window.store.set_bant(lead_id, item, "unknown")
    window.detail.show_lead(lead_id)
    qtbot.keyClick(view, Qt.Key.Key_3)
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.keyClick(view, Qt.Key.Key_1)
    bant = window.store.bant(lead_id)
    assert bant["need"][0] == "confirmed" and bant["budget"][0] == "partial"
    assert window.detail.bant.status["budget"].currentData() == "partial"
    assert "Budget: partial" in window.detail.document.toPlainText()
    window.detail.bant.note["need"].setText("Leads lost in a shared inbox")
    window.detail.bant.note["need"].editingFinished.emit()
    assert window.store.bant(lead_id)["need"] == ("confirmed", "Leads lost in a shared inbox")


def test_the_move_menu_offers_only_allowed_moves(window):
    window.board.select_lead(ids(window, Stage.CUSTOMER)[0])
    window.triage.offer_allowed_moves(window.move_actions)
    enabled = {stage for stage, action in window.move_actions.items() if action.isEnabled()}
    assert enabled == {Stage.EVANGELIST}


def test_the_teams_sla_hours_count_in_the_window(window):
    assert window.counts.overdue > 0
    criteria = window.store.current_criteria()
    window.store.save_criteria(criteria.with_changes(sla_hours=2000))
    window.refresh()
    assert window.counts.overdue == 0 and window.counts.overdue_count.text() == ""
    card = column(window, Stage.MQL).model.card(0)
    window.board.select_lead(card.id)
    assert "overdue" not in window.detail.document.toPlainText()
    assert column(window, Stage.MQL).view.itemDelegate().sla_hours == 2000


def test_ctrl_z_undoes_the_sessions_moves_with_compensating_stage_changes(window, qtbot,
                                                                          monkeypatch):
    monkeypatch.setattr(ReasonDialog, "ask", classmethod(
        lambda cls, *a, ask_revisit, **_: ReasonAnswer("no_need", None, None)))
    owner = window.filters.owner  # the pool: leads a rep may act on (and take)
    owner.setCurrentIndex(owner.findData("unassigned"))
    window.filters.flush()
    window.board.focus_first_card()
    view = column(window, Stage.MQL).view
    first, second = ids(window, Stage.MQL)[:2]
    before = {lead: window.store.lead(lead) for lead in (first, second)}
    audit = {lead: len(window.store.stage_history(lead)) for lead in (first, second)}
    overdue = window.counts.overdue
    qtbot.keyClick(view, Qt.Key.Key_A)  # first -> SAL, taken by me
    qtbot.keyClick(view, Qt.Key.Key_R)  # second -> disqualified
    assert window.store.lead(second).stage == Stage.DISQUALIFIED
    window.activateWindow()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    for lead_id, was in before.items():
        now = window.store.lead(lead_id)
        assert (now.stage, now.owner_id, now.mql_at, now.stage_entered_at) == (
            was.stage, was.owner_id, was.mql_at, was.stage_entered_at)
        history = window.store.stage_history(lead_id)
        assert len(history) == audit[lead_id] + 2  # the move and its undo, both kept
        assert (history[-1].reason_code, history[-1].to_stage) == ("undo", was.stage)
    assert set(ids(window, Stage.MQL)[:2]) == {first, second}
    assert window.counts.overdue == overdue
    assert not window.actions_by_id["undo"].isEnabled()


def test_undo_is_refused_when_the_lead_moved_since(window):
    lead_id = ids(window, Stage.MQL)[0]
    window.triage.move_leads([lead_id], Stage.SAL)
    with Store.open(window.store.path) as other:  # someone else moves it on
        other.move_lead(lead_id, Stage.RECYCLED, reason_code="not_ready",
                        revisit_on=date(2027, 1, 1))
    window.triage.undo_last_move()
    assert window.store.lead(lead_id).stage == Stage.RECYCLED
    assert "has moved since; nothing was undone" in window.statusBar().currentMessage()


def test_recycled_leads_due_today_are_back_when_the_window_opens(qtbot, db_copy):
    with Store.open(db_copy) as store:
        lead_id = store.board_page(Stage.MQL, BoardFilter(), limit=1)[0].id
        store.move_lead(lead_id, Stage.RECYCLED, reason_code="not_ready",
                        revisit_on=local_today() - timedelta(days=1))
        win = MainWindow(store)
        qtbot.addWidget(win)
        win.show()
        # looked for off the GUI thread once the board is on screen, then shown
        qtbot.waitUntil(lambda: lead_id in ids(win, Stage.MQL))
        assert store.lead(lead_id).stage == Stage.MQL
        assert "back in the queue" in win.statusBar().currentMessage()
        win.close()


def test_stale_only_shows_the_leads_past_their_stages_days_marked_stale(window, monkeypatch):
    from ui.delegates.card import CardDelegate
    from workbench.clock import utcnow
    from workbench.rules.rotting import stale_since

    criteria = window.store.current_criteria()  # a week: some of the demo's SALs, not all
    window.store.save_criteria(criteria.with_changes(
        rotting=dataclasses.replace(criteria.rotting, sal=7)))
    window.refresh()
    sal = column(window, Stage.SAL)
    everyone = sal.model.rowCount()
    window.filters.stale.setChecked(True)
    window.filters.flush()
    stale = [sal.model.card(r) for r in range(sal.model.rowCount())]
    assert 0 < len(stale) < everyone
    rotting = window.criteria.rotting
    assert all(stale_since(c.stage, c.stage_entered_at, c.last_touch_at, rotting, utcnow())
               for c in stale)
    flags = []  # what each card painted says at the right of its bottom line
    original = CardDelegate.flags
    monkeypatch.setattr(CardDelegate, "flags", lambda delegate, card, now: flags.append(
        original(delegate, card, now)) or flags[-1])
    sal.view.viewport().grab()
    assert flags and all(any(text.startswith("stale ") for text, _colour in said)
                         for said in flags)
    assert window.filters.state()["stale"] is True
    assert window.filters.view_filters() == {"stale": True}  # a saved view keeps it
    window.filters.show_view({}, "score")
    assert not window.filters.stale.isChecked()
    window.filters.show_view({"stale": True}, "score")
    assert window.filters.stale.isChecked()


@pytest.mark.parametrize("sort", [BoardSort.SCORE, BoardSort.TIME_IN_STAGE])
def test_a_moved_card_takes_its_place_in_its_new_column_as_a_fresh_read_would(window, sort):
    window.filters.sort.setCurrentIndex(window.filters.sort.findData(sort.value))
    window.filters.flush()
    pool = window.store.board_page(Stage.MQL, BoardFilter(owner=OwnerFilter.UNASSIGNED))
    sal = column(window, Stage.SAL).model
    before = sal.rowCount()
    window.triage.move_leads([card.id for card in pool[:3]], Stage.SAL)
    placed = ids(window, Stage.SAL)
    assert len(placed) == before + sum(1 for c in pool[:3] if c.id in placed) > before
    sal.reload()  # the window read again from the store
    assert placed == ids(window, Stage.SAL)


def test_cards_picked_and_accepted_together_are_one_action_to_undo(window, qtbot):
    manager = window.store.user_by_email("dana.whitfield@sales.example")  # takes any lead
    window.filters.me.setCurrentIndex(window.filters.me.findData(manager))
    window.filters.flush()
    window.activateWindow()
    window.board.focus_first_card()
    view = column(window, Stage.MQL).view
    picked = ids(window, Stage.MQL)[:3]
    qtbot.keyClick(view, Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert {window.store.lead(lead).stage for lead in picked} == {Stage.SAL}
    assert "3 leads moved to SAL" in window.feedback.last_move.text()
    window.triage.undo_last_move()
    assert {window.store.lead(lead).stage for lead in picked} == {Stage.MQL}
    assert window.statusBar().currentMessage() == "3 leads are back where they were."


def test_a_header_adjusted_move_by_move_says_what_a_recount_would(window):
    # scores whose running average drifts in floating point past a rounding boundary
    scores = [112, 93, 71, 119, 111, 72, 75, 87, 56, 109, 59, 102]
    board = window.board
    board.summaries[Stage.MQL] = ColumnSummary(len(scores), sum(scores) / len(scores))
    for lead_id, score in enumerate(scores[:10], start=1_000_000):  # no card shown
        board.move_card(lead_id, Stage.MQL, Stage.DISQUALIFIED, score, None)
    assert column(window, Stage.MQL).summary.text() == "2 leads  ·  avg score 80"  # 80.5


def test_bant_evidence_from_the_pane_is_by_whoever_you_are_now(window):
    lead_id = ids(window, Stage.MQL)[0]
    window.board.select_lead(lead_id)
    manager = window.store.user_by_email("dana.whitfield@sales.example")
    window.filters.me.setCurrentIndex(window.filters.me.findData(manager))
    window.filters.flush()
    assert window.detail.lead_id == lead_id  # the same lead still shown
    bant = window.detail.bant
    bant.status["need"].setCurrentIndex(bant.status["need"].findData("failed"))
    assert bant.save("need")
    with closing(sqlite3.connect(window.store.path)) as conn:
        assert conn.execute("SELECT updated_by FROM qualifications WHERE lead_id = ?",
                            (lead_id,)).fetchone() == (manager,)

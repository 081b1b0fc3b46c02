"""The rep's follow-up from the keys: T logs a touch, N plans the next step, Today lists
the day, and a reminder says when a step falls due."""

from datetime import datetime, timedelta

from PySide6.QtCore import QItemSelectionModel, Qt

from tests.ui.conftest import as_owner_of
from ui.action_ids import ActionId
from ui.dialogs.followup import NextStepAnswer, NextStepDialog, TouchAnswer, TouchDialog
from ui.dialogs.reason import ReasonAnswer, ReasonDialog
from ui.dialogs.reassign import ReassignAnswer, ReassignDialog
from ui.theme import theme
from ui.views.cards import ADD
from workbench.rules.stages import Stage
from workbench.services import followup

NOW = datetime(2026, 11, 23, 12)  # the suite's clock


def first_untouched_mql(window):
    model = window.board.columns[Stage.MQL].model
    return next(row for row in range(model.rowCount())
                if model.card(row).first_touch_at is None)


def test_t_logs_a_touch_that_answers_the_sla_and_shows_in_the_detail(window, qtbot,
                                                                      monkeypatch):
    window.activateWindow()
    window.board.focus_first_card()
    view = window.board.columns[Stage.MQL].view
    view.select_row(first_untouched_mql(window))
    lead_id = window.cards.current_lead()
    overdue = window.counts.overdue
    asked = []

    def answer(cls, parent, lead_name):
        asked.append(lead_name)
        return TouchAnswer("call", "connected", NOW, "Interested in the pilot")

    monkeypatch.setattr(TouchDialog, "ask", classmethod(answer))
    qtbot.keyClick(view, Qt.Key.Key_T)
    assert asked == [window.store.lead(lead_id).name]
    assert window.store.lead(lead_id).first_touch_at == NOW
    assert "Call: connected" in window.detail.document.toPlainText()
    assert window.counts.overdue <= overdue  # counted again: the SLA is answered
    assert "Follow-up SLA answered" in window.statusBar().currentMessage()


def test_cancelling_the_touch_logs_nothing(window, qtbot, monkeypatch):
    window.activateWindow()
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    before = len(window.store.lead_detail(lead_id).activities)
    monkeypatch.setattr(TouchDialog, "ask", classmethod(lambda cls, *a: None))
    qtbot.keyClick(window.board.columns[Stage.MQL].view, Qt.Key.Key_T)
    assert len(window.store.lead_detail(lead_id).activities) == before


def test_the_touch_dialog_offers_the_outcomes_of_each_kind(qtbot):
    dialog = TouchDialog("<b>Mia</b>")
    qtbot.addWidget(dialog)
    outcomes = lambda: [dialog.outcome.itemData(i)  # noqa: E731
                        for i in range(dialog.outcome.count())]
    assert outcomes() == ["connected", "no_answer", "left_message"]
    dialog.kind.setCurrentIndex(1)
    assert outcomes() == ["replied", "no_answer", "bounced"]
    answer = dialog.answer()
    assert (answer.kind, answer.outcome) == ("email", "replied")
    assert answer.at <= NOW and dialog.when.maximumDateTime().toPython() <= NOW


def test_n_plans_the_next_step_and_today_lists_it_first_when_overdue(window, qtbot,
                                                                      monkeypatch):
    window.activateWindow()
    window.board.focus_first_card()
    view = window.board.columns[Stage.SAL].view
    view.setFocus()
    view.select_row(0)
    lead_id = window.cards.current_lead()
    as_owner_of(window, lead_id)
    asked = []

    def answer(cls, parent, lead_name, current):
        asked.append(current)
        return NextStepAnswer("meeting", NOW - timedelta(days=3), "Scope the pilot")

    monkeypatch.setattr(NextStepDialog, "ask", classmethod(answer))
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert asked == [None]
    lead = window.store.lead(lead_id)
    assert (lead.next_step_kind, lead.next_step_due) == ("meeting", NOW - timedelta(days=3))
    assert "Next step: meeting, due 2026-11-20 12:00 (overdue)" in \
        window.detail.document.toPlainText()

    window.actions_by_id[ActionId.SHOW_TODAY].trigger()
    today = window.followup.today
    assert window.views.currentWidget() is today
    qtbot.waitUntil(today.list.hasFocus)
    first = today.list.topLevelItem([i.lead_id for i in today.items].index(lead_id))
    assert (first.text(1), first.text(4)) == ("Meeting", "Scope the pilot")
    assert first.foreground(0).color() == theme().overdue
    today.list.setCurrentItem(first)
    assert window.detail.lead_id == lead_id
    # T on Today acts on Today's lead, and the touch completes the step
    monkeypatch.setattr(TouchDialog, "ask", classmethod(
        lambda cls, parent, name: TouchAnswer("meeting", "connected", NOW, None)))
    qtbot.keyClick(today.list, Qt.Key.Key_T)
    assert window.store.lead(lead_id).next_step_due is None
    reasons = {i.lead_id: i.reason.value for i in today.items}
    assert reasons.get(lead_id) == "no_next_step"
    # N again offers what is planned now (nothing)
    qtbot.keyClick(today.list, Qt.Key.Key_N)
    assert asked == [None, None]


def test_a_step_falling_due_while_the_window_is_open_is_announced(window, monkeypatch):
    lead_id = window.board.columns[Stage.SAL].model.card(0).id
    owner = window.store.lead(lead_id).owner_id
    window.filters.me.setCurrentIndex(window.filters.me.findData(owner))
    followup.plan_next_step(window.store, lead_id, "call", NOW + timedelta(minutes=30),
                            note="Pricing questions")
    reminders = window.followup.reminders
    shown = []
    monkeypatch.setattr(reminders, "notify", lambda title, body: shown.append((title, body)))
    assert reminders.check(NOW + timedelta(minutes=10)) == []
    due = reminders.check(NOW + timedelta(minutes=31))
    assert [i.lead_id for i in due] == [lead_id]
    name = window.store.lead(lead_id).name
    assert shown == [(f"Call {name} now", f"call {name} (Pricing questions)")]
    assert reminders.check(NOW + timedelta(minutes=40)) == []  # once


def test_a_manager_reassigns_the_current_lead_from_the_lead_menu(window, monkeypatch):
    manager = window.store.user_by_email("dana.whitfield@sales.example")
    window.filters.me.setCurrentIndex(window.filters.me.findData(manager))
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    offered = []

    def answer(cls, parent, what, people):
        offered.extend(email for _name, email in people)
        return ReassignAnswer("jonas.keller@sales.example", "Speaks German")

    monkeypatch.setattr(ReassignDialog, "ask", classmethod(answer))
    window.actions_by_id[ActionId.REASSIGN].trigger()
    assert "jonas.keller@sales.example" in offered
    assert window.store.lead(lead_id).owner_id == \
        window.store.user_by_email("jonas.keller@sales.example")
    assert "Speaks German" in window.detail.document.toPlainText()


def test_shift_j_picks_cards_that_r_rejects_at_once_and_ctrl_z_brings_back(window, qtbot,
                                                                          monkeypatch):
    window.activateWindow()
    window.board.focus_first_card()
    view = window.board.columns[Stage.MQL].view
    model = window.board.columns[Stage.MQL].model
    first = [model.card(row).id for row in range(4)]
    qtbot.keyClick(view, Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_leads() == first[:3]
    assert window.cards.current_lead() == first[2]
    # Ctrl-click adds the fourth card, and takes the second away
    click = lambda row: qtbot.mouseClick(  # noqa: E731
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
        view.visualRect(model.index(row, 0)).center())
    click(3)
    assert view.selected_leads() == first[:4] and window.cards.current_lead() == first[3]
    click(1)
    picked = [first[0], first[2], first[3]]
    assert view.selected_leads() == picked
    asked, warned = [], []

    def answer(cls, parent, verb, what, *args, **kwargs):
        asked.append(what)
        return ReasonAnswer("bad_data", "List import batch", None)

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(answer))
    window.triage.refused.connect(warned.append)  # said above the cards
    owners = {window.store.lead(i).owner_id for i in picked} - {None}
    rep = next(uid for uid, _name, _email, role in window.store.users()
               if uid not in owners and role == "rep")
    window.filters.me.setCurrentIndex(window.filters.me.findData(rep))  # a rep: refused
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_R)
    if owners:  # another rep's lead among them: none moves, each refused one named
        assert "cannot be rejected; nothing was changed:\n  #" in warned[0]
        assert {window.store.lead(i).stage for i in picked} == {Stage.MQL}
    manager = window.store.user_by_email("dana.whitfield@sales.example")
    window.filters.me.setCurrentIndex(window.filters.me.findData(manager))
    view.setFocus()  # the same cards picked again (a new "You" reads the board again)
    view.selectionModel().clear()
    for i in picked:
        view.selectionModel().select(model.index(model.row_of(i), 0), ADD)
    view.selectionModel().setCurrentIndex(model.index(model.row_of(picked[-1]), 0),
                                          QItemSelectionModel.SelectionFlag.NoUpdate)
    asked.clear()
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert asked == ["3 leads"]  # one reason for all of them
    assert [window.store.lead(i).stage for i in picked] == [Stage.DISQUALIFIED] * 3
    assert window.store.lead(first[1]).stage == Stage.MQL
    assert all(model.row_of(i) is None for i in picked)
    window.actions_by_id[ActionId.UNDO].trigger()
    assert [window.store.lead(i).stage for i in picked] == [Stage.MQL] * 3
    assert "3 leads are back where they were" in window.statusBar().currentMessage()


def test_a_click_without_a_key_picks_one_card_again(window, qtbot):
    window.board.focus_first_card()
    view = window.board.columns[Stage.MQL].view
    view.extend_selection(1)
    assert len(view.selected_leads()) == 2
    second = view.visualRect(view.model().index(1, 0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=second)
    assert view.selected_leads() == [view.model().card(1).id]
    fourth = view.visualRect(view.model().index(3, 0)).center()  # Shift-click: a range
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier, fourth)
    assert view.selected_leads() == [view.model().card(row).id for row in (1, 2, 3)]


def test_t_logs_the_same_touch_with_each_picked_card(window, qtbot, monkeypatch):
    manager = window.store.user_by_email("dana.whitfield@sales.example")
    window.filters.me.setCurrentIndex(window.filters.me.findData(manager))
    window.filters.flush()
    window.activateWindow()
    window.board.focus_first_card()
    view = window.board.columns[Stage.MQL].view
    model = window.board.columns[Stage.MQL].model
    qtbot.keyClick(view, Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_J, Qt.KeyboardModifier.ShiftModifier)
    picked = view.selected_leads()
    assert len(picked) == 3 and picked == [model.card(row).id for row in range(3)]
    asked = []

    def answer(cls, parent, lead_name):
        asked.append(lead_name)
        return TouchAnswer("email", "replied", NOW, "Webinar follow-up")

    monkeypatch.setattr(TouchDialog, "ask", classmethod(answer))
    qtbot.keyClick(view, Qt.Key.Key_T)
    assert asked == ["3 leads"]
    for lead_id in picked:
        notes = [a.note for a in window.store.lead_detail(lead_id).activities]
        assert notes.count("Webinar follow-up") == 1
    assert window.statusBar().currentMessage().startswith("3 leads: email, ")


def test_lead_erase_asks_first_then_leaves_an_anonymous_lead(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from workbench.rules.erasure import ERASED_NAME

    manager = window.store.user_by_email("dana.whitfield@sales.example")
    window.filters.me.setCurrentIndex(window.filters.me.findData(manager))
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    name = window.store.lead(lead_id).name
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text, *rest: asked.append(text) or answers.pop(0)))
    window.actions_by_id[ActionId.ERASE].trigger()
    assert window.store.lead(lead_id).name == name  # cancelled: nothing erased
    assert f"Erase {name} for good?" in asked[0]
    window.actions_by_id[ActionId.ERASE].trigger()
    assert window.store.lead(lead_id).name == ERASED_NAME
    assert lead_id not in (window.store.search_ids(name.split()[-1]) or [])


def test_do_not_contact_takes_the_lead_out_of_the_queue_and_back(window):
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    owner = window.store.lead(lead_id).owner_id
    assert lead_id in {c.id for c in window.store.queue(owner)}
    window.actions_by_id[ActionId.DO_NOT_CONTACT].trigger()
    assert window.store.lead(lead_id).do_not_contact
    assert lead_id not in {c.id for c in window.store.queue(owner)}
    window.cards.select_lead(lead_id)
    window.actions_by_id[ActionId.DO_NOT_CONTACT].trigger()
    assert not window.store.lead(lead_id).do_not_contact


def test_the_pane_of_an_erased_lead_says_so_and_offers_no_words(window, qtbot):
    from workbench.services import erasure

    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    assert window.detail.note.isEnabled() and not window.detail.bant.note["need"].isReadOnly()
    window.apply(erasure.erase(window.store, lead_id))
    window.cards.select_lead(lead_id)
    assert "Erased on request" in window.detail.document.toPlainText()
    assert not window.detail.note.isEnabled() and not window.detail.save_note.isEnabled()
    assert window.detail.bant.note["need"].isReadOnly()
    # a refusal is read whole however narrow the pane: it wraps
    window.detail.message.setText("x " * 200)
    assert window.detail.message.wordWrap()
    window.board.focus_first_card()  # another lead: words are offered again
    window.cards.step_card(1)
    assert window.detail.lead_id != lead_id and window.detail.note.isEnabled()
    assert not window.detail.bant.note["need"].isReadOnly()


def test_the_pane_of_a_lead_not_to_contact_says_so(window):
    window.board.focus_first_card()
    window.actions_by_id[ActionId.DO_NOT_CONTACT].trigger()
    assert "Do not contact" in window.detail.document.toPlainText()

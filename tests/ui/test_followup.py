"""The rep's follow-up from the keys: T logs a touch."""

from datetime import datetime

from PySide6.QtCore import Qt

from ui.dialogs.followup import TouchAnswer, TouchDialog
from workbench.rules.stages import Stage

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
    assert "call: connected" in window.detail.document.toPlainText()
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

"""What a triage key did, said without stopping the rep; codes said in words; and F1 or ?
listing every key from the actions themselves."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from tests.ui.conftest import as_owner_of, load_every_card
from ui.dialogs.help import HelpDialog
from workbench.rules.stages import Stage
from workbench.store.leads import Store


def ids(win, stage):
    model = win.board.columns[stage].model
    return [model.card(row).id for row in range(model.rowCount())]


def in_the_pool(win):
    win.filters.owner.setCurrentIndex(win.filters.owner.findData("unassigned"))
    win.filters.flush()
    win.activateWindow()
    win.board.focus_first_card()
    return win.board.columns[Stage.MQL].view


def test_a_move_says_so_in_the_status_bar_with_undo(window, qtbot):
    view = in_the_pool(window)
    lead_id = window.board.current_lead()
    name = window.store.lead(lead_id).name
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert window.store.lead(lead_id).stage == Stage.SAL
    label = window.feedback.last_move
    assert label.isVisible() and label.text().startswith(f"{name} moved to SAL — ")
    assert ">Undo</a> (Ctrl+Z)" in label.text()
    label.linkActivated.emit("undo")
    assert window.store.lead(lead_id).stage == Stage.MQL
    assert not label.isVisible()
    assert f"{name} is back in MQL" in window.statusBar().currentMessage()


def test_a_refused_accept_is_said_beside_the_cards_not_in_a_box(window, qtbot):
    window.activateWindow()
    sal = window.board.columns[Stage.SAL]
    lead_id = ids(window, Stage.SAL)[0]
    as_owner_of(window, lead_id)
    for item in ("budget", "authority", "need", "timeline"):
        window.store.set_bant(lead_id, item, "unknown")
    window.board.select_lead(lead_id)
    sal.view.setFocus()
    qtbot.keyClick(sal.view, Qt.Key.Key_A)
    assert window.store.lead(lead_id).stage == Stage.SAL
    notice = window.splitter.notice
    assert notice.isVisible() and "need must be confirmed" in notice.text.text()
    qtbot.keyClick(sal.view, Qt.Key.Key_J)  # on to another lead: the notice was about this one
    assert not notice.isVisible()


def test_bant_keys_say_what_they_set(window, qtbot):
    view = in_the_pool(window)
    lead_id = window.board.current_lead()
    window.store.set_bant(lead_id, "budget", "unknown")
    window.detail.show_lead(lead_id)
    qtbot.keyClick(view, Qt.Key.Key_1)
    name = window.store.lead(lead_id).name
    assert window.statusBar().currentMessage() == f"Budget: confirmed, for {name}."
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert window.statusBar().currentMessage() == f"Budget: partial, for {name}."


def test_enter_shows_the_focus_in_the_details(window, qtbot):
    window.resize(1440, 900)
    view = in_the_pool(window)
    document = window.detail.document
    before = document.grab().toImage().pixelColor(0, document.height() // 2)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert document.hasFocus()
    after = document.grab().toImage().pixelColor(0, document.height() // 2)
    highlight = document.palette().color(document.palette().ColorRole.Highlight)
    assert after == highlight != before


def test_the_pane_says_codes_in_words(window, qtbot):
    with Store.open(window.store.path) as other:
        lead_id = other.add_lead(first_name="Ada", last_name="Okafor", stage=Stage.MQL,
                                 seniority="c_level", source="web_form")
        other.add_activity(lead_id, "call", note="Spoke to her")
    window.refresh()
    load_every_card(window.board.columns[Stage.MQL].model)  # a score of 0: the last card
    window.board.select_lead(lead_id)
    text = window.detail.document.toPlainText()
    assert "C-level" in text and "Web form" in text and "Followed up" in text
    assert "c_level" not in text and "web_form" not in text and "touched" not in text
    card = window.board.columns[Stage.MQL].model
    row = card.row_of(lead_id)
    tooltip = card.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "Web form" in tooltip and "Followed up" in tooltip


def test_f1_lists_every_key_from_the_actions_and_how_triage_works(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.help.dialog
    assert isinstance(dialog, HelpDialog) and dialog.isVisible()
    text = dialog.text.toPlainText()
    for action in window.actions_by_id.values():
        for key in action.shortcuts():
            if key.isEmpty():  # a standard key this platform has none for (Quit offscreen)
                continue
            assert key.toString(QKeySequence.SequenceFormat.NativeText) in text, action.text()
            assert action.text().replace("&", "").rstrip("…") in text
    assert "How triage works" in text and "Ctrl+Enter" in text
    dialog.close()


def test_question_mark_opens_the_help_but_types_in_the_search_box(window, qtbot):
    view = in_the_pool(window)
    qtbot.keyClick(view, "?")
    assert window.help.dialog is not None and window.help.dialog.isVisible()
    window.help.dialog.close()
    window.activateWindow()
    window.filters.focus_search()
    qtbot.keyClick(window.filters.search, "?")
    assert window.filters.search.text() == "?" and not window.help.dialog.isVisible()

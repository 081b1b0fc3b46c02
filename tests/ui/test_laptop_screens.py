"""The window on a laptop: it fits 1280x720 and opens within the screen; the lead pane keeps
its width, collapses and comes back, and reads well (from the top, whole words)."""

import pytest
from PySide6.QtCore import QMargins, QRect, Qt

from tests.ui.conftest import load_every_card
from ui.views.filter_bar import SEARCH_HINTS
from ui.views.lead_split import PANE_MIN_WIDTH, PANE_WIDTH
from ui.views.main_window import MainWindow
from ui.window_state import FRAME_ALLOWANCE, fit_within
from workbench.rules.stages import Stage
from workbench.store.leads import Store
from workbench.store.tables import Company


def settle(qtbot):
    qtbot.wait(10)  # layouts and splitters settle on the event loop


def test_the_window_is_usable_at_1280_by_720(window, qtbot):
    least = window.minimumSizeHint()
    assert least.width() <= 1280 - FRAME_ALLOWANCE[0]
    assert least.height() <= 720 - FRAME_ALLOWANCE[1]
    window.resize(1280, 720)
    settle(qtbot)
    assert window.size().toTuple() == (1280, 720)
    status = window.statusBar()
    assert status.isVisible() and status.geometry().bottom() < 720
    assert window.rect().contains(window.filters.sort.mapTo(window, window.filters.sort.rect()
                                                            .bottomRight()))
    board, pane = window.splitter.sizes()
    assert pane == PANE_WIDTH and board >= 900
    # every column is reachable: L scrolls the board to the one it makes current
    window.board.focus_first_card()
    for _ in range(4):
        qtbot.keyClick(window.board.current_column().view, Qt.Key.Key_L)
    customer = window.board.columns[Stage.CUSTOMER]
    assert window.board.current_column() is customer
    viewport = window.board.scroll.viewport()
    shown = QRect(customer.mapTo(viewport, customer.rect().topLeft()), customer.size())
    assert viewport.rect().contains(shown)
    for view in (window.queue, window.reports):  # each tab fits too
        window.show_view(view)
        settle(qtbot)
        assert window.size().toTuple() == (1280, 720)
    qtbot.waitUntil(lambda: window.reports.charts is not None, timeout=20000)
    settle(qtbot)  # the charts are in
    assert window.minimumSizeHint().height() <= 720 - FRAME_ALLOWANCE[1]
    assert window.size().toTuple() == (1280, 720)


@pytest.mark.parametrize("available", [QRect(0, 0, 1280, 720), QRect(0, 27, 1366, 741),
                                       QRect(1920, 0, 1280, 800)])
def test_the_window_opens_within_the_screens_available_area(window, available):
    window.resize(1440, 900)
    window.move(0, 0)
    fit_within(window, available)
    frame = QRect(window.pos(), window.size().grownBy(QMargins(0, 0, *FRAME_ALLOWANCE)))
    assert available.contains(frame), (frame, available)
    assert window.width() >= window.minimumSizeHint().width()


def test_a_window_that_fits_keeps_its_size_and_place(window):
    window.resize(1250, 700)
    window.move(100, 50)
    fit_within(window, QRect(0, 0, 1920, 1080))
    assert (window.size().toTuple(), window.pos().toTuple()) == ((1250, 700), (100, 50))


def test_the_pane_keeps_its_width_after_the_reports_and_a_wider_window(window, qtbot):
    window.resize(1440, 900)
    settle(qtbot)
    window.splitter.setSizes([1440 - 380, 380])
    settle(qtbot)
    window.show_view(window.reports)
    settle(qtbot)
    assert window.detail.isHidden()
    window.show_view(window.board)
    settle(qtbot)
    assert window.splitter.sizes()[1] == 380
    window.resize(1600, 900)
    settle(qtbot)
    assert window.splitter.sizes()[1] == 380  # the board took the new width


def test_the_pane_collapses_and_comes_back_at_its_width(window, qtbot):
    window.resize(1280, 720)
    settle(qtbot)
    action = window.actions_by_id["lead_pane"]
    assert action.isChecked() and action.shortcut().toString() == "Ctrl+D"
    action.trigger()
    settle(qtbot)
    assert window.splitter.sizes()[1] == 0 and not action.isChecked()
    assert window.splitter.sizes()[0] > 1200
    window.board.focus_first_card()
    qtbot.keyClick(window.board.current_column().view, Qt.Key.Key_Return)  # Enter opens it
    settle(qtbot)
    assert window.splitter.sizes()[1] == PANE_WIDTH and action.isChecked()
    assert window.detail.document.hasFocus()


def test_the_pane_width_and_collapse_are_kept_between_runs(qtbot, db_copy):
    def opened(store):
        win = MainWindow(store)
        qtbot.addWidget(win)
        win.resize(1440, 900)
        win.show()
        settle(qtbot)
        return win

    with Store.open(db_copy) as store:
        first = opened(store)
        first.splitter.setSizes([1440 - 420, 420])
        first.close()
        second = opened(store)
        assert second.splitter.sizes()[1] == 420
        second.actions_by_id["lead_pane"].trigger()
        second.close()
        third = opened(store)
        assert third.splitter.sizes()[1] == 0
        assert not third.actions_by_id["lead_pane"].isChecked()
        third.actions_by_id["lead_pane"].trigger()
        settle(qtbot)
        assert third.splitter.sizes()[1] == 420
        third.close()


def test_a_new_lead_is_shown_from_its_top_the_same_lead_keeps_the_place(window, qtbot):
    window.resize(1280, 720)
    window.board.focus_first_card()
    settle(qtbot)
    bar = window.detail.document.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    view = window.board.current_column().view
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert bar.value() == 0
    bar.setValue(bar.maximum() // 2)
    window.detail.note.setPlainText("Call back on Monday")
    window.detail.add_note()
    assert bar.value() > 0  # the same lead, shown again: the reader's place


def test_emails_and_domains_do_not_break_mid_word_in_a_narrow_pane(window, qtbot):
    domain = "northwindretailgroupholdings.co.uk"
    with Store.open(window.store.path) as other:
        with other.writing() as session:
            company = Company(name="Northwind Retail Group Holdings", domain=domain)
            session.add(company)
            session.flush()
            company_id = company.id
        lead_id = other.add_lead(first_name="Ahmed", last_name="Kowalski", stage=Stage.MQL,
                                 email="ahmed.kowalski@northwindretail.co.uk",
                                 company_id=company_id,
                                 job_title="Head of Revenue Operations and Partnerships")
    window.refresh()
    window.resize(1280, 720)
    window.splitter.setSizes([1280 - PANE_MIN_WIDTH, PANE_MIN_WIDTH])
    settle(qtbot)
    load_every_card(window.board.columns[Stage.MQL].model)  # a score of 0: the last card
    window.board.select_lead(lead_id)
    settle(qtbot)
    document = window.detail.document.document()
    lines = []
    block = document.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            lines.append(block.text()[line.textStart():line.textStart() + line.textLength()])
        block = block.next()
    for whole in ("ahmed.kowalski@northwindretail.co.uk", domain):
        assert any(whole in line for line in lines), (whole, lines)
    for word in "Head of Revenue Operations and Partnerships".split():
        assert any(word in line.split() for line in lines), (word, lines)


def test_bant_evidence_reads_from_its_beginning_with_room_for_it(window, qtbot):
    window.resize(1280, 720)
    window.board.focus_first_card()
    lead_id = window.board.current_lead()
    evidence = "CFO approved 40k for Q1; procurement needs two quotes first"
    window.store.set_bant(lead_id, "budget", "partial", evidence)
    window.detail.show_lead(lead_id)
    settle(qtbot)
    field = window.detail.bant.note["budget"]
    assert field.text() == evidence and field.cursorPosition() == 0
    assert field.toolTip() == evidence
    assert field.width() >= 140


def test_the_search_hint_keeps_its_key_at_1280_and_says_it_all_when_wide(window, qtbot):
    search = window.filters.search
    for width, hint in ((1280 - FRAME_ALLOWANCE[0], SEARCH_HINTS[1]),
                        (1440, SEARCH_HINTS[0])):
        window.resize(width, 700)
        settle(qtbot)
        assert search.placeholderText() == hint
        assert search.fontMetrics().horizontalAdvance(hint) < search.width()
    search.resize(60, search.height())
    assert search.placeholderText() == SEARCH_HINTS[-1]  # the shortest, even if cut
    assert search.toolTip() == SEARCH_HINTS[0]

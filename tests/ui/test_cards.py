"""Cards say the lead's name whole at the usual widths, and the queue uses its width."""

from PySide6.QtGui import QFont, QFontMetrics

from ui.delegates.card import badge_rect, inner_rect, name_rect, small_font


def elided_names(view, rows):
    model = view.model()
    bold = QFont(view.font())
    bold.setBold(True)
    line = QFontMetrics(view.font()).height() + 3
    cut = []
    for row in rows:
        card = model.card(row)
        inner = inner_rect(view.visualRect(model.index(row, 0)))
        room = name_rect(inner, badge_rect(inner, card.score, small_font(view.font())), line)
        if QFontMetrics(bold).horizontalAdvance(card.name) > room.width():
            cut.append(card.name)
    return cut


def test_names_are_whole_on_the_board_at_1440_by_900(window, qtbot):
    window.resize(1440, 900)
    qtbot.wait(10)
    for stage in window.board.visible_stages():
        view = window.board.columns[stage].view
        rows = range(min(40, view.model().rowCount()))
        cut = elided_names(view, rows)
        assert len(cut) <= len(rows) // 20, (stage, cut)  # at most one in twenty


def test_the_queue_uses_the_width_it_is_given(window, qtbot):
    window.resize(1440, 900)
    window.show_view(window.queue)
    qtbot.wait(10)
    view = window.queue.view
    card = view.visualRect(view.model().index(0, 0))
    assert card.width() >= window.queue.width() - 60
    assert elided_names(view, range(view.model().rowCount())) == []



def test_cards_copied_from_their_pictures_look_as_drawn_afresh(window, monkeypatch):
    """A card painted once is copied after (a triage move shifts a column's cards): the
    copy equals a fresh drawing, and what changes the card (selected, time) draws it anew."""
    from datetime import timedelta

    import ui.delegates.card as card_delegate
    from workbench.rules.stages import Stage

    view = window.board.columns[Stage.MQL].view
    view.select_row(0)
    drawn = view.viewport().grab().toImage()
    assert view.viewport().grab().toImage() == drawn  # from the pictures kept
    view.itemDelegate()._pictures.clear()
    assert view.viewport().grab().toImage() == drawn  # as drawn afresh
    view.select_row(1)
    assert view.viewport().grab().toImage() != drawn  # another card is selected
    view.select_row(0)
    later = card_delegate.utcnow() + timedelta(hours=3)  # the follow-up SLAs count down
    monkeypatch.setattr(card_delegate, "utcnow", lambda: later)
    assert view.viewport().grab().toImage() != drawn

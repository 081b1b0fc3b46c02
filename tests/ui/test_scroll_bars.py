"""Scroll bars are drawn flat (ui/scroll_bars.py): a solid groove and a handle where the
slider is, light or dark by the palette."""

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionSlider

from tests.ui.test_theme import dark_fusion_palette
from ui.app import application
from ui.scroll_bars import FlatScrollBars
from workbench.rules.stages import Stage

ScrollBar = QStyle.ComplexControl.CC_ScrollBar


def handle_and_groove(bar):
    """The centre of the handle, and a point of the groove far from it."""
    option = QStyleOptionSlider()
    bar.initStyleOption(option)
    handle = bar.style().subControlRect(ScrollBar, option, QStyle.SubControl.SC_ScrollBarSlider,
                                        bar)
    groove = bar.style().subControlRect(ScrollBar, option, QStyle.SubControl.SC_ScrollBarGroove,
                                        bar)
    far = groove.bottom() - 4 if handle.center().y() < groove.center().y() else groove.top() + 4
    return handle.center(), QPoint(groove.center().x(), far)


@pytest.fixture
def column_bar(open_window, db_copy):
    """The MQL column's scroll bar, in a window of the application as the program sets it up."""
    application()
    window = open_window(db_copy)
    return window.board.columns[Stage.MQL].view.verticalScrollBar()


def test_the_application_draws_fusion_scroll_bars_flat(qapp):
    assert isinstance(application().style(), FlatScrollBars)
    assert isinstance(application().style(), FlatScrollBars)  # wrapped once, not twice


def test_a_column_shows_its_handle_where_its_cards_are(column_bar, qtbot):
    bar = column_bar
    assert bar.maximum() > 0, "the demo's MQL column should scroll"
    handle, groove = handle_and_groove(bar)
    picture = bar.grab().toImage()
    assert picture.pixelColor(handle) != picture.pixelColor(groove)
    bar.setValue(bar.maximum())  # the last cards loaded: the handle further down
    qtbot.wait(1)
    moved, _ = handle_and_groove(bar)
    assert moved.y() > handle.y()
    picture = bar.grab().toImage()
    assert picture.pixelColor(handle) == picture.pixelColor(groove) != picture.pixelColor(moved)


def test_with_a_dark_palette_the_handle_is_lighter_than_its_groove(column_bar, qtbot):
    before = QApplication.palette()
    QApplication.setPalette(dark_fusion_palette())
    try:
        bar = column_bar
        qtbot.wait(1)
        handle, groove = handle_and_groove(bar)
        picture = bar.grab().toImage()
        assert picture.pixelColor(groove).lightness() < 80
        assert picture.pixelColor(handle).lightness() > picture.pixelColor(groove).lightness()
    finally:
        QApplication.setPalette(before)

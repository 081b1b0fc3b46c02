"""Colours come from the palette: with a dark system palette the cards, columns, links and
muted lines stay readable; and a screen reader hears what a card is."""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from ui.theme import contrast, readable, theme
from ui.views.main_window import MainWindow
from workbench.rules.stages import Stage
from workbench.store.leads import Store

UI = Path(__file__).resolve().parents[2] / "ui"
# the score badges (white figures on a band colour), chart series and the PDF's white paper
MAY_NAME_COLOURS = {"theme.py", "text.py", "report_charts.py", "report_pdf.py"}


def dark_fusion_palette() -> QPalette:
    palette = QStyleFactory.create("Fusion").standardPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.AlternateBase, "#2f2f2f"),
                         (QPalette.ColorRole.Text, "#e6e6e6"),
                         (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e6e6e6"),
                         (QPalette.ColorRole.Highlight, "#2a82da"),
                         (QPalette.ColorRole.Link, "#5aa9ff"),
                         (QPalette.ColorRole.PlaceholderText, "#8a8a8a")):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture
def dark(qapp):
    before = QApplication.palette()
    qapp.setPalette(dark_fusion_palette())
    yield qapp
    qapp.setPalette(before)


def test_no_view_names_a_colour_of_its_own():
    for path in UI.rglob("*.py"):
        if path.name not in MAY_NAME_COLOURS:
            found = re.findall(r"#[0-9a-fA-F]{6}\b", path.read_text())
            assert not found, f"{path.relative_to(UI)} names {found}: use ui/theme.py"


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_every_text_colour_reads_on_every_background(qapp, palette):
    colours = theme(dark_fusion_palette() if palette == "dark"
                    else QStyleFactory.create("Fusion").standardPalette())
    assert colours.dark == (palette == "dark")
    for text in ("text", "muted", "link", "overdue", "due", "touched"):
        for background in ("card", "column", "selected"):
            ratio = contrast(getattr(colours, text), getattr(colours, background))
            assert ratio >= 4.5, (palette, text, background, ratio)


def test_a_dark_palette_that_kept_light_links_and_placeholders_is_made_readable():
    palette = dark_fusion_palette()
    palette.setColor(QPalette.ColorRole.Link, QColor("#0000ff"))  # a light theme's blue
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor("#404040"))
    base = palette.color(QPalette.ColorRole.Base)
    assert contrast(palette.color(QPalette.ColorRole.Link), base) < 3
    fixed = readable(palette)
    assert contrast(fixed.color(QPalette.ColorRole.Link), base) >= 4.5
    assert contrast(fixed.color(QPalette.ColorRole.PlaceholderText), base) >= 3
    # a palette that reads already is left as it is
    assert readable(dark_fusion_palette()).color(QPalette.ColorRole.Link) == QColor("#5aa9ff")


def test_disabled_text_is_told_from_enabled_text_where_a_palette_draws_both_alike():
    group, role = QPalette.ColorGroup, QPalette.ColorRole
    alike = dark_fusion_palette()  # its colours are set for every group: disabled too
    assert alike.color(group.Disabled, role.ButtonText) == alike.color(group.Active,
                                                                       role.ButtonText)
    fixed = readable(alike)
    for text, ground in ((role.Text, role.Base), (role.WindowText, role.Window),
                         (role.ButtonText, role.Button)):
        enabled, disabled = fixed.color(group.Active, text), fixed.color(group.Disabled, text)
        background = fixed.color(group.Active, ground)
        assert contrast(disabled, background) < contrast(enabled, background) / 1.5, text
        assert contrast(disabled, background) >= 2, text  # dim, still legible
    # a palette with disabled colours of its own keeps them
    light = QStyleFactory.create("Fusion").standardPalette()
    assert readable(light).color(group.Disabled, role.Text) == light.color(group.Disabled,
                                                                           role.Text)


def test_with_a_dark_palette_the_board_and_the_pane_are_dark(dark, qtbot, db_copy):
    with Store.open(db_copy) as store:
        win = MainWindow(store)
        qtbot.addWidget(win)
        win.resize(1440, 900)
        win.show()
        qtbot.waitExposed(win)
        win.board.focus_first_card()
        column = win.board.columns[Stage.SQL]
        picture = column.grab().toImage()
        card = column.view.visualRect(column.model.index(0, 0))
        # in the card's padding, left of its text
        inside = column.view.viewport().mapTo(column, QPoint(card.left() + 10, card.center().y()))
        assert picture.pixelColor(inside).lightness() < 80  # the card
        assert picture.pixelColor(3, picture.height() // 2).lightness() < 80  # the column
        assert theme().text.lightness() > 180
        assert column.title.palette().color(QPalette.ColorRole.WindowText) == theme().text
        pane = win.detail.document
        text = pane.palette().color(QPalette.ColorRole.Text)
        assert text.lightness() > 180 and "color: #1f2933" not in pane.toHtml()
        win.close()


def test_a_card_says_who_the_lead_is_its_stage_and_its_score(window):
    model = window.board.columns[Stage.MQL].model
    card = model.card(0)
    spoken = model.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith(f"{card.name}, MQL, score {card.score}")
    assert "follow-up" in spoken
    assert window.board.columns[Stage.MQL].view.accessibleName() == "MQL cards"
    assert window.filters.owner.accessibleName() == "Owner"
    assert window.detail.bant.note["budget"].accessibleName() == "Budget evidence"

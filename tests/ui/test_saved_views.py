"""Saved views: View › Save view… names the board's filters, sort and columns, Ctrl+Shift+N
brings them back, and the team's views come with the criteria."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from ui.action_ids import ActionId
from ui.saved_views import SavedViews
from ui.views.main_window import MainWindow
from workbench.files.criteria_file import export_criteria, read_criteria
from workbench.rules.stages import Stage
from workbench.services import triage
from workbench.store.leads import BoardGrouping, BoardSort, OwnerFilter, Store

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def name_it(monkeypatch, name):
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (name, True)))


def test_a_saved_view_comes_back_with_its_shortcut(window, qtbot, monkeypatch):
    filters = window.filters
    filters.owner.setCurrentIndex(filters.owner.findData(OwnerFilter.UNASSIGNED.value))
    filters.min_score.setValue(50)
    filters.sort.setCurrentIndex(filters.sort.findData(BoardSort.TIME_IN_STAGE.value))
    filters.flush()
    window.column_actions[Stage.SAL].setChecked(False)
    saved_query = window.board.board
    shown = window.board.visible_stages()
    name_it(monkeypatch, "Unassigned, 50 and up")
    window.actions_by_id[ActionId.SAVE_VIEW].trigger()
    assert "saved (Ctrl+Shift+1)" in window.statusBar().currentMessage()

    filters.owner.setCurrentIndex(0)
    filters.min_score.setValue(filters.min_score.minimum())
    filters.search.setText("zzz")
    filters.flush()
    window.column_actions[Stage.SAL].setChecked(True)
    window.show_view(window.queue)
    assert window.board.board != saved_query

    window.activateWindow()
    qtbot.keyClick(window.board.columns[Stage.MQL].view, Qt.Key.Key_1, CTRL_SHIFT)
    assert window.views.currentWidget() is window.board
    assert window.board.board == saved_query and filters.search.text() == ""
    assert window.board.sort == BoardSort.TIME_IN_STAGE
    assert window.board.visible_stages() == shown and Stage.SAL not in shown
    assert not window.column_actions[Stage.SAL].isChecked()
    model = window.board.columns[Stage.MQL].model
    cards = [model.card(row) for row in range(model.rowCount())]
    assert cards and all(card.score >= 50 for card in cards)
    assert window.board.board.owner == OwnerFilter.UNASSIGNED


def test_own_views_are_kept_per_database(window, qtbot, monkeypatch, tmp_path, demo_db):
    name_it(monkeypatch, "Everything")
    window.actions_by_id[ActionId.SAVE_VIEW].trigger()
    assert [v.name for v, _team in window.saved_views.views()] == ["Everything"]
    assert [a.text() for a in window.saved_views.view_actions] == ["&1 Everything"]
    again = SavedViews(window)  # the next start, on the same database
    assert [v.name for v in again.own] == ["Everything"]
    other = tmp_path / "other.db"
    other.write_bytes(demo_db.read_bytes())
    store = Store.open(other)
    second = MainWindow(store)
    qtbot.addWidget(second)
    assert second.saved_views.views() == []
    second.close()
    store.close()


def test_a_team_view_from_the_criteria_file_appears_first(window, qtbot, monkeypatch,
                                                         tmp_path):
    name_it(monkeypatch, "Mine")
    window.actions_by_id[ActionId.SAVE_VIEW].trigger()
    path = tmp_path / "criteria.toml"  # a manager's export, with a view added, imported
    export_criteria(window.store.current_criteria(), path, window.store.path)
    path.write_text(path.read_text() + '\n[[views]]\nname = "Overdue MQLs"\n'
                    'stages = ["mql"]\nfilters = { overdue = true }\n')
    manager = window.store.user_by_email("dana.whitfield@sales.example")
    triage.save_criteria(window.store, read_criteria(path), by=manager)
    window.refresh()
    window.group_by(BoardGrouping.JOURNEY)
    assert [a.text() for a in window.saved_views.view_actions] == [
        "&1 Overdue MQLs   (team)", "&2 Mine"]
    window.activateWindow()
    qtbot.keyClick(window.board.columns[Stage.MQL].view, Qt.Key.Key_1, CTRL_SHIFT)
    assert window.filters.overdue.isChecked() and window.board.visible_stages() == [Stage.MQL]
    assert window.board.grouping == BoardGrouping.STAGE
    assert [c.key for c in window.board.shown_columns()] == [Stage.MQL]
    name_it(monkeypatch, "overdue mqls")  # the team's name is taken
    warned = []
    monkeypatch.setattr("ui.saved_views.QMessageBox.warning",
                        lambda _parent, _title, text: warned.append(text))
    window.actions_by_id[ActionId.SAVE_VIEW].trigger()
    assert "shares a view named" in warned[0]
    assert len(window.saved_views.own) == 1

"""The team criteria dialog: edits become a new version; bad input is shown, never saved."""

import pytest
from PySide6.QtWidgets import QMessageBox, QTableWidgetItem

from ui.dialogs.criteria import CriteriaDialog
from workbench.files.criteria_file import export_criteria
from workbench.rules.criteria import DEFAULT_CRITERIA, RANGES


@pytest.fixture
def dialog(qtbot):
    opened = CriteriaDialog(DEFAULT_CRITERIA, [])
    qtbot.addWidget(opened)
    return opened


def set_cell(editor, row, column, text):
    editor.table.setItem(row, column, QTableWidgetItem(text))


def test_the_form_shows_the_criteria_and_gives_them_back_unchanged(dialog):
    assert dialog.mql_threshold.value() == DEFAULT_CRITERIA.mql_threshold
    assert dialog.fit_rules.table.rowCount() == len(DEFAULT_CRITERIA.fit_rules)
    assert dialog.edited_criteria() == DEFAULT_CRITERIA
    dialog.accept()
    assert dialog.result_criteria is None
    assert dialog.problem.text() == "Nothing changed: there is no new version to save."


def test_edits_of_every_kind_come_back_as_criteria(dialog):
    dialog.mql_threshold.setValue(60)
    dialog.sla_hours.setValue(8)
    dialog.confirmed["budget"].setChecked(True)
    dialog.min_positive.setValue(4)
    reject = dialog.reason_editors["reject"]
    reject.add_row()
    row = reject.table.rowCount() - 1
    set_cell(reject, row, 0, "price")
    set_cell(reject, row, 1, "Too expensive for them")
    set_cell(dialog.fit_rules, 0, 3, "25")
    set_cell(dialog.engagement_rules, 0, 4, "")  # no cap on demo requests
    dialog.accept()
    edited = dialog.result_criteria
    assert (edited.mql_threshold, edited.sla_hours) == (60, 8)
    assert edited.sql_rule.confirmed == ("budget", "need") and edited.sql_rule.min_positive == 4
    assert edited.reasons("reject")[-1].code == "price"
    assert edited.fit_rules[0].points == 25 and edited.engagement_rules[0].cap is None
    assert edited.scores_differently(dialog.original)


def test_the_boxes_take_the_ranges_the_domain_allows(dialog):
    dialog.mql_threshold.setValue(-5)
    dialog.recycle_days.setValue(99999999)
    assert (dialog.mql_threshold.value(), dialog.recycle_days.value()) == (
        RANGES["mql_threshold"].low, RANGES["recycle_days"].high)


def test_only_reasons_changed_needs_no_rescore(dialog):
    dialog.reason_editors["recycle"].table.removeRow(0)
    dialog.accept()
    assert dialog.result_criteria is not None
    assert not dialog.result_criteria.scores_differently(dialog.original)


@pytest.mark.parametrize(("edit", "problem"), [
    (lambda d: set_cell(d.fit_rules, 2, 3, "lots"), "Fit rule, row 3, Points: 'lots' is not"),
    (lambda d: set_cell(d.fit_rules, 1, 0, "Manager"), "same label"),
    (lambda d: set_cell(d.fit_rules, 0, 1, "shoe_size"), "unknown field 'shoe_size'"),
    (lambda d: set_cell(d.reason_editors["reject"], 0, 0, "No Budget"), "a code is 1-40"),
    (lambda d: d.fit_grades[0].setValue(1), "fit_grades must be three thresholds"),
    (lambda d: set_cell(d.fit_rules, 0, 3, "nan"), "points must be a number, not nan"),
    (lambda d: set_cell(d.engagement_rules, 0, 3, "1e20"), "points must be from -100 to 100"),
    (lambda d: set_cell(d.engagement_rules, 0, 4, "inf"), "cap must be a number, not inf"),
    (lambda d: set_cell(d.journey, 0, 3, "-1"), "min_count must be from 1 to 1000, not -1"),
    (lambda d: set_cell(d.journey, 0, 3, "inf"), "min_count must be a number, not inf"),
    (lambda d: [d.fit_rules.table.setRowCount(0), d.engagement_rules.table.setRowCount(0)],
     "There are no scoring rules"),
])
def test_bad_input_is_shown_and_nothing_is_returned(dialog, edit, problem):
    edit(dialog)
    dialog.accept()
    assert dialog.result_criteria is None
    assert problem in dialog.problem.text() and dialog.problem.text().startswith("Not saved")
    assert dialog.result() != dialog.DialogCode.Accepted


def test_a_toml_file_fills_the_form(dialog, tmp_path, monkeypatch):
    path = tmp_path / "marketing.toml"
    export_criteria(DEFAULT_CRITERIA.with_changes(mql_threshold=70), path, None)
    monkeypatch.setattr("ui.dialogs.criteria.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(path), ""))
    dialog.import_file()
    assert dialog.mql_threshold.value() == 70
    path.write_text("mql_threshold = 'high'\n")
    dialog.import_file()
    assert "line 1" in dialog.problem.text() and dialog.mql_threshold.value() == 70


def test_the_window_saves_a_new_version_and_rescores_by_it(window, qtbot, monkeypatch):
    edited = DEFAULT_CRITERIA.with_changes(sla_hours=2000, mql_threshold=80)
    monkeypatch.setattr(CriteriaDialog, "edit", classmethod(
        lambda cls, *a: (edited, "tighter threshold")))
    rep = window.filters.me.currentText()
    refused = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: refused.append(a[2]))
    before = window.store.criteria_versions()  # the demo team's own (its routing)
    window.edit_criteria()  # "You" is a rep
    assert refused == [f"Only a manager can change the team's criteria; {rep} is a rep. "
                       "Send the change to your manager."]
    assert window.store.criteria_versions() == before
    window.filters.me.setCurrentIndex(window.filters.me.findText("Dana Whitfield"))
    window.edit_criteria()
    saved = window.store.current_criteria()
    assert (saved.version, saved.mql_threshold) == (len(before) + 1, 80)
    version = window.store.criteria_versions()[0]
    assert (version.author, version.note) == (window.filters.me.currentText(),
                                              "tighter threshold")
    assert window.criteria == saved and window.counts.overdue == 0  # the new SLA counts at once
    assert window.statusBar().currentMessage() == f"Criteria version {saved.version} saved."
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert window.store.scores_state()[1] == saved.version  # every score by the new version


def test_routing_rules_survive_an_edit_in_the_form_and_gaps_are_warned_of(qtbot, window,
                                                                          monkeypatch):
    from workbench.rules.routing import RoutingRule

    rules = (RoutingRule("DACH", ("jonas.keller@sales.example",), countries=("DE",)),)
    routed = DEFAULT_CRITERIA.with_changes(routing=rules)
    opened = CriteriaDialog(routed, [])
    qtbot.addWidget(opened)
    opened.mql_threshold.setValue(70)
    assert opened.edited_criteria().routing == rules  # not a field of the form: kept
    monkeypatch.setattr(CriteriaDialog, "edit", classmethod(
        lambda cls, *a: (routed.with_changes(mql_threshold=70), None)))
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
    manager = window.store.user_by_email("dana.whitfield@sales.example")
    saved = CriteriaDialog.edit_and_save(window, window.store, by=manager)
    assert saved.routing == rules
    assert "No routing rule covers" in warned[0]


def test_it_opens_on_the_thresholds_each_sized_to_its_numbers_with_a_line_of_help(qtbot):
    from PySide6.QtWidgets import QLabel

    from ui.dialogs.criteria import THRESHOLD_HELP

    dialog = CriteriaDialog(DEFAULT_CRITERIA, [])
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(3)
    dialog = CriteriaDialog(DEFAULT_CRITERIA, [])  # a new one opens on the first tab
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.tabs.currentIndex() == 0 and dialog.focusWidget() is dialog.mql_threshold
    boxes = [dialog.mql_threshold, dialog.sla_hours, dialog.recycle_days,
             dialog.half_life_days, dialog.journey_window_days, *dialog.fit_grades]
    assert all(box.width() < 200 for box in boxes)  # a number's width, not the dialog's
    shown = {label.text() for label in dialog.tabs.widget(0).findChildren(QLabel)
             if label.isVisible()}
    assert set(THRESHOLD_HELP.values()) <= shown

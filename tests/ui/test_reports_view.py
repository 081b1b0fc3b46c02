"""The Reports view as a manager uses it: table, charts, exports, and the leads behind a
figure on the board."""

import pytest
from PySide6.QtCore import Qt

from ui.text import plural
from ui.views.board import BOARD_ORDER
from ui.views.report_charts import week_ticks
from workbench.clock import utcnow
from workbench.rules.vocabulary import in_words
from workbench.services.reports import Period, ReportSpec, build_report
from workbench.store.reports import Slice

MANAGER = "Dana Whitfield"


def open_reports(win, qtbot, period=Period.ALL, by=Slice.SOURCE, who=MANAGER):
    win.filters.me.setCurrentIndex(win.filters.me.findText(who))
    win.filters.flush()
    reports = win.reports
    reports.period.setCurrentIndex(reports.period.findData(period.value))
    reports.by.setCurrentIndex(reports.by.findData(by.value))
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert win.views.currentWidget() is reports
    qtbot.waitUntil(lambda: not reports.busy() and reports.report is not None, timeout=20000)
    return reports


def table_text(reports, row, column):
    return reports.model.data(reports.model.index(row, column))


def test_the_report_shows_the_figures_of_the_domain_report(window, qtbot):
    reports = open_reports(window, qtbot)
    assert reports.scope.text() == "The whole team"
    expected = build_report(window.store, ReportSpec(by=Slice.SOURCE), 24, utcnow())
    shown = reports.report
    assert [r.key for r in shown.rows] == [r.key for r in expected.rows]
    assert shown.total.to_json() == expected.total.to_json()
    model = reports.model
    assert model.rowCount() == len(expected.rows) + 1  # the total last
    assert table_text(reports, model.rowCount() - 1, 0) == "Total"
    assert table_text(reports, 0, 1) == f"{expected.rows[0].mqls:,}"
    assert table_text(reports, 0, 6).endswith("%")
    # in words, as the charts say them: a source, and the top rejection reason's label
    coded = next(i for i, r in enumerate(expected.rows) if "_" in r.key)
    assert table_text(reports, coded, 0) == in_words(expected.rows[coded].key)
    top_reason = table_text(reports, model.rowCount() - 1, model.columnCount() - 1)
    assert top_reason.split(" (")[0] in window.store.reason_labels("reject").values()
    charts = reports.charts
    titles = [chart.title for chart in charts.plots()]
    assert titles == ["What sales did with the MQLs", "Acceptance and rejection over the weeks",
                      "Why sales rejected", "Funnel: how far the MQLs went"]
    outcomes = charts.outcomes
    assert outcomes.left_label == "MQLs handed over"
    assert outcomes.bottom_label == "Source"
    assert outcomes.legend() == ["Accepted", "Rejected", "Recycled", "Pending"]
    assert outcomes.labels == [row.key.replace("_", " ") for row in expected.rows]
    accepted = outcomes.series[0].values
    assert accepted == [row.accepted for row in expected.rows]
    assert charts.funnel.legend() == []  # one series: no legend to read
    assert not window.detail.isVisible()  # the report takes the width


def test_a_manager_sends_the_quarter_as_a_pdf_in_two_clicks(window, qtbot, tmp_path,
                                                          monkeypatch):
    # defaults: rows by source, this quarter
    assert window.reports.by.currentData() == "source"
    assert window.reports.period.currentData() == Period.THIS_QUARTER.value
    reports = open_reports(window, qtbot, period=Period.THIS_QUARTER)
    target = tmp_path / "weekly.pdf"
    monkeypatch.setattr("ui.views.reports.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    reports.export_pdf()
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000  # the charts are in it
    assert reports.status.text() == f"Report written to {target}."


def test_table_csv_and_chart_png_exports(window, qtbot, tmp_path, monkeypatch):
    reports = open_reports(window, qtbot, by=Slice.WEEK)
    csv_path, png_path = tmp_path / "table.csv", tmp_path / "trend.png"
    answers = iter([str(csv_path), str(png_path)])
    monkeypatch.setattr("ui.views.reports.QFileDialog.getSaveFileName",
                        lambda *a, **k: (next(answers), ""))
    reports.export_csv()
    lines = csv_path.read_text().splitlines()
    assert lines[0].startswith("key,mqls,accepted,rejected")
    assert len(lines) == len(reports.report.rows) + 2 and lines[1].startswith("20")
    reports.export_png(reports.charts.trend, "trend")
    assert png_path.read_bytes().startswith(b"\x89PNG")


def test_a_click_on_a_count_lists_its_leads_on_the_board(window, qtbot):
    reports = open_reports(window, qtbot)
    row = reports.report.rows[0]
    stages_before = window.board.visible_stages()
    reports._cell_clicked(reports.model.index(0, 3))  # the Rejected count of the first row
    assert window.views.currentWidget() is window.board
    assert window.figure_chip.isVisible()
    tip = window.figure_chip.label.toolTip()  # the source in words, as the table says it
    assert f"Rejected · {in_words(row.key)}" in tip and "_" not in tip
    summaries = window.board.summaries
    assert window.board.visible_stages() == [s for s in BOARD_ORDER if summaries[s].count]
    shown = sum(s.count for s in summaries.values())
    assert shown == len(window.figure[0]) and 0 < shown <= row.rejected
    assert window.counts.lead_count.text() == plural(shown, "lead")
    window.figure_chip.cleared.emit()
    assert window.figure is None and not window.figure_chip.isVisible()
    assert window.board.visible_stages() == stages_before
    assert sum(s.count for s in window.board.summaries.values()) == window.store.stats().leads


def test_a_rep_sees_their_own_figures(window, qtbot):
    rep_name = window.store.users()[0][1]
    reports = open_reports(window, qtbot, who=rep_name)
    rep_id = window.store.users()[0][0]
    assert reports.scope.text() == f"Your figures ({rep_name})"
    assert reports.report.spec.rep == rep_id
    own = build_report(window.store, ReportSpec(by=Slice.SOURCE, rep=rep_id), 24, utcnow())
    assert reports.report.total.mqls == own.total.mqls
    team = build_report(window.store, ReportSpec(by=Slice.SOURCE), 24, utcnow())
    assert own.total.mqls < team.total.mqls


def test_custom_dates_that_end_before_they_start_say_so(window, qtbot):
    reports = open_reports(window, qtbot)
    reports.period.setCurrentIndex(reports.period.findData("custom"))
    qtbot.waitUntil(lambda: not reports.busy())
    reports.end.setDate(reports.start.date().addDays(-3))
    assert "before it starts" in reports.status.text()


def test_the_reports_hide_the_board_filters_and_show_a_placeholder_until_ready(window, qtbot):
    filters = window.filters
    assert filters.search.isVisible() and filters.owner.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    reports = window.reports
    assert reports.placeholder.isVisible() and not reports.split.isVisible()
    assert filters.me.isVisible()  # whose figures: the one filter the reports read
    assert not any(w.isVisible() for w in (filters.search, filters.owner, filters.source,
                                           filters.campaign, filters.min_score,
                                           filters.overdue, filters.sort))
    qtbot.waitUntil(lambda: not reports.busy() and reports.report is not None, timeout=20000)
    assert not reports.placeholder.isVisible() and reports.split.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert filters.search.isVisible() and filters.sort.isVisible()


@pytest.mark.parametrize("weeks", [1, 2, 7, 8, 9, 13, 20, 52, 53])
def test_the_week_axis_is_labelled_at_both_ends(weeks):
    ticks = week_ticks(weeks)
    assert ticks[0] == 0 and ticks[-1] == weeks - 1
    assert ticks == sorted(set(ticks)) and len(ticks) <= 9
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert not gaps or min(gaps) >= max(gaps) / 2  # none crowded against the last

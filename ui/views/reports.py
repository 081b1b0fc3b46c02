"""Reports: acceptance, rejection and SLA figures by source, campaign, rep, week or month,
as a table and charts; a click on a count lists its leads on the board. Managers see the
team; a rep sees their own figures. Reports are computed off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models.report_table import MEASURE_OF_COLUMN, ReportTableModel
from ui.operations import call, start
from ui.theme import theme
from workbench.clock import local_today, utcnow
from workbench.files.safe import UnsafeTarget, replacing, write_text
from workbench.rules.refusals import BadInput
from workbench.rules.vocabulary import Role
from workbench.services.reports import (
    Period,
    Report,
    ReportSpec,
    as_csv,
    build_report,
    figure_lead_ids,
)
from workbench.store.leads import Store
from workbench.store.reports import Slice

CUSTOM = "custom"


class ReportsView(QWidget):
    figure_requested = Signal(object, str)
    """(lead ids, what they are in words): list these leads on the board."""
    report_shown = Signal()

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.viewer: tuple[int | None, str | None, str] = (None, None, Role.MANAGER.value)
        self.sla_hours = 24.0
        self.report: Report | None = None
        self.weekly: Report | None = None
        self.charts = None  # created with the first report
        self._generation = 0
        self._jobs: list = []
        self.stale = True

        self.by = QComboBox(self)
        for value in Slice:
            self.by.addItem(value.value.capitalize(), value.value)
        self.period = QComboBox(self)
        for period in Period:
            self.period.addItem(period.label, period.value)
        self.period.addItem("Custom dates", CUSTOM)
        self.start = QDateEdit(self, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.end = QDateEdit(self, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.scope = QLabel(self)
        self.scope.setStyleSheet(f"color: {theme().css('muted')};")
        self.status = QLabel(self)
        self.status.setStyleSheet(f"color: {theme().css('muted')};")
        for text in (self.scope, self.status):
            text.setTextFormat(Qt.TextFormat.PlainText)
        pdf = QPushButton("Export &PDF…", self)
        csv = QPushButton("Export table &CSV…", self)
        self.png = QPushButton("Export c&hart PNG…", self)
        pdf.clicked.connect(self.export_pdf)
        csv.clicked.connect(self.export_csv)
        self.png.clicked.connect(self._chart_menu)

        controls = QHBoxLayout()
        for label, widget in (("Rows by", self.by), ("Handed over", self.period),
                              ("from", self.start), ("to", self.end)):
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            controls.addWidget(caption)
            controls.addWidget(widget)
        controls.addStretch(1)
        # what the figures cover and what is happening, beside the exports: a second row
        # rather than one too wide for a laptop
        about = QHBoxLayout()
        about.addWidget(self.scope)
        about.addWidget(self.status, 1)
        self.status.setWordWrap(True)
        for button in (pdf, csv, self.png):
            about.addWidget(button)

        self.model = ReportTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.clicked.connect(self._cell_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.chart_area = QWidget(self)
        self.chart_layout = QVBoxLayout(self.chart_area)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.chart_area)
        split.setSizes([260, 520])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        # until the first report is in, a placeholder rather than an empty table and area
        self.placeholder = QLabel("Computing the report…", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet(f"color: {theme().css('muted')}; font-size: 14pt;")
        self.split = split
        split.hide()
        layout.addLayout(controls)
        layout.addLayout(about)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(split, 1)

        self._use_period()
        self.by.currentIndexChanged.connect(self.refresh_when_shown)
        self.period.currentIndexChanged.connect(self._use_period)
        self.start.dateChanged.connect(self._custom_dates_changed)
        self.end.dateChanged.connect(self._custom_dates_changed)

    # -- what is reported ----------------------------------------------------

    def set_viewer(self, user_id: int | None, name: str | None, role: str,
                   sla_hours: float) -> None:
        """Managers see the team's figures; a rep sees their own."""
        self.viewer, self.sla_hours = (user_id, name, role), sla_hours
        own = role == Role.REP.value and user_id is not None
        self.scope.setText(f"Your figures ({name})" if own else "The whole team")
        self.stale = True

    def spec(self) -> ReportSpec:
        user_id, _name, role = self.viewer
        if self.period.currentData() == CUSTOM:
            start, end = self.start.date().toPython(), self.end.date().toPython()
        else:
            start, end = Period(self.period.currentData()).dates(local_today())
        return ReportSpec(by=Slice(self.by.currentData()), start=start, end=end,
                          rep=user_id if role == Role.REP.value else None)

    def _use_period(self) -> None:
        custom = self.period.currentData() == CUSTOM
        if not custom:
            start, end = Period(self.period.currentData()).dates(local_today())
            for edit, day in ((self.start, start), (self.end, end)):
                edit.blockSignals(True)
                edit.setDate(QDate(day or local_today()))
                edit.blockSignals(False)
        for edit in (self.start, self.end):
            edit.setEnabled(custom)
        self.refresh_when_shown()

    def _custom_dates_changed(self) -> None:
        if self.period.currentData() == CUSTOM:
            self.refresh_when_shown()

    def refresh_when_shown(self) -> None:
        """A report is computed for someone looking at it, not while the view is hidden."""
        if self.isVisible():
            self.refresh()
        else:
            self.stale = True

    # -- computing -----------------------------------------------------------

    def refresh(self) -> None:
        """Compute the report again on a worker thread; a newer request wins."""
        try:
            spec = self.spec()
            spec.window()
        except BadInput as problem:
            self.status.setText(str(problem))
            return
        self.stale = False
        self._generation += 1
        generation, sla, store = self._generation, self.sla_hours, self.store

        def compute():
            now = utcnow()
            report = build_report(store, spec, sla, now)
            weekly = report if spec.by == Slice.WEEK else build_report(
                store, ReportSpec(Slice.WEEK, spec.start, spec.end, spec.rep), sla, now)
            return generation, report, weekly, store.reason_labels("reject")

        self.status.setText("Computing the report…")
        operation = call(compute, store.path)
        # bound methods of this view: Qt runs them on the GUI thread
        operation.finished.connect(self._computed)
        operation.failed.connect(self._failed)
        self._jobs.append(operation)
        start(operation, self)

    def busy(self) -> bool:
        return bool(self._jobs)

    def finish_jobs(self) -> None:
        """Wait for reports being computed (a second at most): a thread must not outlive
        the window."""
        for thread in self.findChildren(QThread):
            thread.quit()
            thread.wait()

    def _computed(self, result) -> None:
        self._jobs.pop(0)
        generation, report, weekly, labels = result
        if generation != self._generation:
            return  # a newer request is on its way
        self.report, self.weekly, self.reason_labels = report, weekly, labels
        self.model.set_report(report, labels)
        if self.charts is None:
            from ui.views.report_charts import ReportCharts

            self.charts = ReportCharts(self.chart_area)
            self.chart_layout.addWidget(self.charts)
        self.charts.show_report(report, weekly, report.total, labels)
        self.placeholder.hide()
        self.split.show()
        total = report.total
        self.status.setText(
            f"{total.mqls:,} MQLs handed over in this period, each counted with the first "
            f"decision sales made on it. Follow-up SLA: {self.sla_hours:g} hours. "
            "Click a count to list its leads on the board.")
        self.report_shown.emit()

    def _failed(self, message: str) -> None:
        self._jobs.pop(0)
        self.status.setText(f"The report could not be computed: {message}")
        self.placeholder.setText("No report: see the line above.")

    # -- figures and rows ----------------------------------------------------

    def _row_changed(self, current, _previous) -> None:
        if current.isValid() and self.charts is not None and self.report is not None:
            self.charts.show_reasons(self.model.row(current.row()), self.reason_labels)

    def _cell_clicked(self, index) -> None:
        measure = MEASURE_OF_COLUMN.get(index.column())
        if measure is None or self.report is None:
            return
        row = self.model.row(index.row())
        ids = figure_lead_ids(self.store, self.report.spec, row, measure)
        title = self.model.headerData(index.column(), Qt.Orientation.Horizontal)
        where = "all rows" if row.is_total else self.model.index(index.row(), 0).data()
        self.figure_requested.emit(ids, f"{title} · {where} · {self.period.currentText()}")

    # -- exports -------------------------------------------------------------

    def title(self) -> str:
        by = self.by.currentText().lower()
        return f"MQL acceptance by {by}"

    def subtitle(self) -> str:
        spec = self.report.spec if self.report else self.spec()
        period = (f"{spec.start:%d %b %Y} to {spec.end:%d %b %Y}" if spec.start and spec.end
                  else "all handovers")
        return (f"{self.period.currentText()}: {period}. {self.scope.text()}. "
                f"Written {utcnow():%Y-%m-%d %H:%M} UTC from {self.store.path.name}.")

    def _ask_file(self, caption: str, name: str, kinds: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, caption, name, kinds)
        return Path(chosen) if chosen else None

    def export_pdf(self) -> None:
        if self.report is None:
            return
        from ui.report_pdf import write_pdf

        path = self._ask_file("Export the report as PDF", "report.pdf", "PDF (*.pdf)")
        if path is None:
            return
        try:
            write_pdf(path, self.store.path, self.report, self.reason_labels, self.title(),
                      self.subtitle(), self.charts.images())
        except (OSError, UnsafeTarget) as problem:
            self.status.setText(f"The PDF was not written: {problem}")
            return
        self.status.setText(f"Report written to {path}.")

    def export_csv(self) -> None:
        if self.report is None:
            return
        path = self._ask_file("Export the table as CSV", "report.csv", "CSV (*.csv)")
        if path is None:
            return
        try:
            write_text(path, as_csv(self.report), self.store.path)
        except (OSError, UnsafeTarget) as problem:
            self.status.setText(f"The CSV was not written: {problem}")
            return
        self.status.setText(f"Table written to {path}.")

    def _chart_menu(self) -> None:
        if self.charts is None:
            return
        menu = QMenu(self)
        for plot in self.charts.plots():
            title = plot.title
            menu.addAction(title, lambda plot=plot, title=title: self.export_png(plot, title))
        menu.exec(self.png.mapToGlobal(self.png.rect().bottomLeft()))

    def export_png(self, plot, title: str) -> None:
        path = self._ask_file(f"Export “{title}” as PNG", "chart.png", "PNG (*.png)")
        if path is None:
            return
        try:
            with replacing(path, self.store.path) as temporary:
                if not plot.grab().save(str(temporary), "PNG"):
                    raise OSError("the picture could not be written")
        except (OSError, UnsafeTarget) as problem:
            self.status.setText(f"The chart was not written to {path}: {problem}")
            return
        self.status.setText(f"Chart written to {path}.")

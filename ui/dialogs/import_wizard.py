"""The import wizard: choose a file, check the recognised columns on a preview, see what a
dry run finds, then import with a progress bar and Cancel. Every page works from the
keyboard; the import runs off the GUI thread and is one transaction."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, QThread
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from ui.dialogs.new_owners import NewOwnersBox
from ui.operations import Operation, start
from ui.text import plural
from ui.theme import theme
from workbench.files.reading import (
    FIELDS,
    ImportFatal,
    ImportKind,
    Mapping,
    Table,
    errors_file_of,
    read_sample,
    sample_problems,
    write_problem_csv,
)
from workbench.rules.refusals import Refused
from workbench.services.imports import ImportResult, run_import
from workbench.store.leads import Store

PREVIEW_ROWS = 20
SHOWN_PROBLEMS = 200  # listed in the wizard; the CSV holds them all
PROBLEM_VALUE_WIDTH = 280  # a long cell is cut here; the error CSV holds it whole
KIND_LABELS = {ImportKind.LEADS: "Leads", ImportKind.ACTIVITIES: "Activities (behaviour)",
               ImportKind.INTENT: "Company intent signals"}


def import_worker(store: Store, path: Path, mapping: Mapping,
                  dry_run: bool) -> Operation:
    """One import (or dry run) on its own thread; progress in percent. The check (dry run)
    writes no errors file: its problems are listed, and saved only if the user asks."""
    return Operation(lambda progress, cancelled: run_import(
        store, path, mapping.kind, mapping=mapping, dry_run=dry_run,
        write_errors=not dry_run,
        progress=lambda done: progress(int(done * 100), None), cancelled=cancelled),
        store.path)


class ImportWizard(QWizard):
    def __init__(self, store: Store, path: Path | None = None, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Import")
        self.resize(920, 620)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage)
        self.mapping: Mapping | None = None
        self.result: ImportResult | None = None
        self.file_page = FilePage(self, path)
        self.mapping_page = MappingPage(self)
        self.check_page = RunPage(self, dry_run=True)
        self.import_page = RunPage(self, dry_run=False)
        for page in (self.file_page, self.mapping_page, self.check_page, self.import_page):
            self.addPage(page)
        self.check_page.setButtonText(QWizard.WizardButton.NextButton, "&Import")

    def path(self) -> Path:
        return Path(self.file_page.path.text().strip())

    def reject(self) -> None:
        """Cancel: a running import stops (writing nothing) before the wizard closes."""
        for page in (self.check_page, self.import_page):
            if page.worker is not None:
                page.worker.cancel()
        for thread in self.findChildren(QThread):
            thread.quit()
            thread.wait()
        super().reject()

    def kind(self) -> ImportKind:
        return ImportKind(self.file_page.kind.currentData())


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard, path: Path | None) -> None:
        super().__init__(wizard)
        self.setTitle("Choose a file")
        self.setSubTitle("A CSV (any delimiter and encoding) or XLSX file, for example an "
                         "export of HubSpot, Salesforce or Odoo.")
        self.path = QLineEdit(str(path) if path else "", self)
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._browse)
        self.kind = QComboBox(self)
        for kind, label in KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        self.problem = QLabel(self)
        self.problem.setStyleSheet(f"color: {theme().css('overdue')};")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout(self)
        file_label = QLabel("&File:", self)
        file_label.setBuddy(self.path)  # a row of two widgets gets no buddy of its own
        form.addRow(file_label, row)
        form.addRow("&What it holds:", self.kind)
        form.addRow(self.problem)
        # what happens next and what is read, so the page says more than "a file"
        self.guide = QLabel(self)
        self.guide.setWordWrap(True)
        self.guide.setTextFormat(Qt.TextFormat.RichText)
        form.addRow(self.guide)
        self.kind.currentIndexChanged.connect(self._show_guide)
        self._show_guide()
        self.path.textChanged.connect(self.completeChanged)

    def _show_guide(self) -> None:
        kind = ImportKind(self.kind.currentData())
        fields = ", ".join(escape(spec.label) for spec in FIELDS[kind])
        extra = (" Other columns are kept with each lead as custom fields. A lead already "
                 "here (same external id, else same email) is updated, not doubled."
                 if kind == ImportKind.LEADS else "")
        self.guide.setText(
            "<p><b>Next:</b> a preview of the first rows with the field each column fills "
            "(change any), then a check of every row that writes nothing, then the import "
            "in one transaction: all of it or, on Cancel, none.</p>"
            f"<p><b>Columns it recognises</b> (by their usual names in CRM and marketing "
            f"exports): {fields}.{extra}</p>"
            "<p>A file can also be dropped on the window.</p>")

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import a file", "",
                                              "Spreadsheets (*.csv *.xlsx *.txt);;All files (*)")
        if name:
            self.path.setText(name)

    def isComplete(self) -> bool:
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:
        wizard: ImportWizard = self.wizard()
        try:
            table, mapping, sample = read_sample(wizard.path(), wizard.kind(),
                                                 rows=PREVIEW_ROWS)
        except ImportFatal as problem:
            self.problem.setText(str(problem))
            return False
        wizard.mapping = mapping
        wizard.mapping_page.show_sample(table, sample)
        self.problem.clear()
        return True


class MappingPage(QWizardPage):
    """The preview, with one picker a column: which field it fills."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle("Check the columns")
        self.recognised = QLabel(self)
        self.recognised.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        save = QPushButton("&Save this mapping…", self)
        save.clicked.connect(self._save)
        layout = QVBoxLayout(self)
        self.flags = QLabel(self)
        self.flags.setWordWrap(True)
        layout.addWidget(self.recognised)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.flags)
        layout.addWidget(save, 0, Qt.AlignmentFlag.AlignLeft)
        self.pickers: list[QComboBox] = []

    def show_sample(self, table: Table, sample: list[list[str]]) -> None:
        wizard: ImportWizard = self.wizard()
        headers, description = table.headers, table.description
        self.table_read, self.sample = table, sample
        mapping = wizard.mapping
        self.recognised.setText(f"Recognised: {mapping.format} ({description}). Each column "
                                "goes to the field chosen above it; columns kept as custom "
                                "fields stay with the lead.")
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(sample) + 1)
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setVerticalHeaderLabels(["Field"] + [str(i + 2) for i in range(len(sample))])
        self.pickers = []
        targets = [(spec.label, spec.name) for spec in FIELDS[mapping.kind]]
        if mapping.kind == ImportKind.LEADS:
            targets.append(("Keep as custom field", "custom"))
        targets.append(("Leave out", "ignore"))
        for column, header in enumerate(headers):
            picker = QComboBox(self.table)
            for label, value in targets:
                picker.addItem(label, value)
            picker.setCurrentIndex(max(picker.findData(mapping.columns.get(header)), 0))
            picker.currentIndexChanged.connect(
                lambda _i, header=header, picker=picker: self._picked(header, picker))
            self.table.setCellWidget(0, column, picker)
            self.pickers.append(picker)
            for row, cells in enumerate(sample, start=1):
                value = cells[column] if column < len(cells) else ""
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.flag_problems()

    def flag_problems(self) -> None:
        """Cells the import could not read, and rows it would leave out, marked in the
        preview with the reason: seen before the check, and again after each change."""
        wizard: ImportWizard = self.wizard()
        problems = sample_problems(self.table_read, wizard.mapping, self.sample,
                                   wizard.store.owner_keys())
        headers = [self.table.horizontalHeaderItem(c).text()
                   for c in range(self.table.columnCount())]
        colour = theme().notice
        for row in range(1, self.table.rowCount()):
            for column in range(self.table.columnCount()):
                item = self.table.item(row, column)
                if item is not None:
                    item.setBackground(QBrush())
                    item.setToolTip("")
        flagged = 0
        for problem in problems:
            row = problem.row - 1  # the pickers' row is first; the file's rows from 2
            column = headers.index(problem.column) if problem.column in headers else 0
            item = self.table.item(row, column)
            if item is None:
                continue
            item.setBackground(colour)
            item.setToolTip(problem.reason)
            flagged += 1
        self.flags.setText(
            f"{plural(flagged, 'cell')} of these rows cannot be read as the field above it: "
            "marked, the reason in each one's tooltip." if flagged else "")

    def _picked(self, header: str, picker: QComboBox) -> None:
        mapping: Mapping = self.wizard().mapping
        target = picker.currentData()
        if target not in ("custom", "ignore"):  # one column a field: the other one steps back
            for other, current in list(mapping.columns.items()):
                if current == target and other != header:
                    mapping.columns[other] = ("custom" if mapping.kind == ImportKind.LEADS
                                              else "ignore")
                    index = list(mapping.columns).index(other)
                    box = self.pickers[index]
                    box.blockSignals(True)
                    box.setCurrentIndex(box.findData(mapping.columns[other]))
                    box.blockSignals(False)
        mapping.columns[header] = target
        self.flag_problems()

    def _save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save the mapping", "mapping.toml",
                                              "Mapping (*.toml)")
        if name:
            try:
                self.wizard().mapping.save(Path(name), self.wizard().store.path)
            except (Refused, OSError) as problem:
                self.recognised.setText(f"The mapping was not saved: {problem}")
                return
            self.recognised.setText(f"Mapping saved to {name}; use it again with "
                                    f"workbench import FILE --mapping {Path(name).name}.")


class RunPage(QWizardPage):
    """A dry run (what would happen) or the import itself, with progress and Cancel."""

    def __init__(self, wizard: ImportWizard, *, dry_run: bool) -> None:
        super().__init__(wizard)
        self.dry_run = dry_run
        self.setTitle("Check the rows" if dry_run else "Import")
        self.setSubTitle("Every row is read and checked; nothing is written yet." if dry_run
                         else "One transaction: all valid rows go in, or (on Cancel) none.")
        self.progress = QProgressBar(self)
        self.cancel = QPushButton("&Cancel", self)
        self.cancel.clicked.connect(self._cancel)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.problems = QTableWidget(0, 4, self)
        self.problems.setHorizontalHeaderLabels(["Row", "Column", "Value", "Problem"])
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.verticalHeader().hide()
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)
        self.save_problems = QPushButton("&Save the problems as CSV…", self)
        self.save_problems.clicked.connect(self._save_problems)
        self.save_problems.hide()
        layout.addWidget(self.save_problems, 0, Qt.AlignmentFlag.AlignLeft)
        self.owners = NewOwnersBox(self)  # offered after the check, added on Import
        layout.addWidget(self.owners)
        self.worker: Operation | None = None
        self.done = False

    def initializePage(self) -> None:
        wizard: ImportWizard = self.wizard()
        self.done = False
        self.summary.setText("Reading…")
        self.problems.setRowCount(0)
        self.progress.setValue(0)
        self.worker = import_worker(wizard.store, wizard.path(), wizard.mapping, self.dry_run)
        self.worker.progressed.connect(self._progressed)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.cancel.setEnabled(True)
        start(self.worker, self)
        self.completeChanged.emit()

    def validatePage(self) -> bool:
        return not self.dry_run or self.owners.create(self.wizard().store)

    def _cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()  # directly: a queued call would wait behind the import

    def isComplete(self) -> bool:
        return self.done

    def _progressed(self, percent: int, _unused: object) -> None:
        self.progress.setValue(percent)
        if percent >= 100 and not self.done:  # read: the rows are matched and written
            self.summary.setText("Matching the rows with the leads already here…"
                                 if self.dry_run else "Writing the leads…")

    def _finished(self, result: ImportResult) -> None:
        self.done = True
        self.cancel.setEnabled(False)
        self.progress.setValue(100)
        self.wizard().result = result
        verb = "would be" if self.dry_run else "were"
        lines = [f"{plural(result.read, 'row')} read: {result.imported:,} new "
                 f"{'lead' if result.kind == ImportKind.LEADS else 'record'}s {verb} added, "
                 f"{result.updated:,} updated, {result.unchanged:,} unchanged, "
                 f"{result.skipped:,} left out."]
        if result.errors_file:
            lines.append(f"Each problem is listed in {result.errors_file}.")
        elif result.problems:
            lines.append(f"{plural(len(result.problems), 'problem')}, below; saved to a "
                         "file only if you ask (Save the problems as CSV…).")
        self.save_problems.setVisible(self.dry_run and bool(result.problems))
        if self.dry_run and not result.imported and not result.updated:
            lines.append("Nothing would change.")
        self.summary.setText("\n".join(lines))
        self._show_problems(result)
        if self.dry_run:
            self.owners.show_owners(self.wizard().store, result.owners_unknown)
        if not self.dry_run:  # written: nothing is left to cancel, only to finish
            self.wizard().setOption(QWizard.WizardOption.NoCancelButtonOnLastPage)
        self.completeChanged.emit()

    def _show_problems(self, result: ImportResult) -> None:
        rows = result.problems[:SHOWN_PROBLEMS]
        self.problems.setRowCount(len(rows))
        for r, problem in enumerate(rows):
            for c, value in enumerate((str(problem.row), problem.column, problem.value,
                                       problem.reason)):
                self.problems.setItem(r, c, QTableWidgetItem(value))
        self.problems.resizeColumnsToContents()  # the problem column takes what is left
        self.problems.setColumnWidth(2, min(self.problems.columnWidth(2), PROBLEM_VALUE_WIDTH))

    def _save_problems(self) -> None:
        wizard: ImportWizard = self.wizard()
        suggested = errors_file_of(wizard.path())
        name, _ = QFileDialog.getSaveFileName(self, "Save the problems", str(suggested),
                                              "CSV (*.csv)")
        if not name or wizard.result is None:
            return
        try:
            saved = write_problem_csv(wizard.result.problems, Path(name), wizard.store.path)
        except (Refused, OSError) as problem:
            self.summary.setText(f"{self.summary.text()}\nNot saved: {problem}")
            return
        self.summary.setText(f"{self.summary.text()}\nThe problems are saved in {saved}.")

    def _failed(self, message: str) -> None:
        self.cancel.setEnabled(False)
        self.summary.setText(message)
        self.done = False
        self.completeChanged.emit()
